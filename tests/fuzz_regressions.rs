//! Every input the fuzzer has ever crashed on (tests/fuzz-regressions/),
//! and every fixture as the fuzzer's seed corpus has it, must pass the
//! fuzzer's property (tests/support/fuzz_one.rs) on stable Rust.

#[path = "support/fuzz_one.rs"]
mod fuzz_one;

#[path = "../scripts/bench-corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::fs;
use std::path::Path;

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The selector byte the seed corpus gives a fixture (see scripts/fuzz):
/// its language, its line breaks as they are.
fn selector(path: &Path) -> u8 {
    match path.extension().and_then(|e| e.to_str()) {
        Some("py") => 2,
        Some("ts") => 0,
        _ => 1,
    }
}

/// Fixtures are the fuzzer's seeds, so they must pass too; inputs the
/// fuzzer crashed on are kept, once fixed, in tests/fuzz-regressions/ as
/// the raw bytes it was given (first byte: the language).
#[test]
fn fuzz_seeds_and_past_crashes_pass_the_fuzz_property() {
    let mut fixtures = Vec::new();
    files_under(Path::new("tests/fixtures"), &mut fixtures);
    assert!(fixtures.len() >= 8, "no fixtures found");
    for path in fixtures {
        let mut data = vec![selector(&path)];
        data.extend(fs::read(&path).unwrap());
        eprintln!("seed {}", path.display());
        fuzz_one::fuzz_one(&data);
    }
    // The whole-program fixtures are seeds with CRLF and CR line breaks too
    // (a selector 3 or 6 higher).
    let mut whole = Vec::new();
    files_under(Path::new("tests/fixtures/ALL"), &mut whole);
    for path in whole {
        for shift in [3, 6] {
            let mut data = vec![selector(&path) + shift];
            data.extend(fs::read(&path).unwrap());
            eprintln!("seed {} (line ending {shift})", path.display());
            fuzz_one::fuzz_one(&data);
        }
    }
    let mut crashes = Vec::new();
    files_under(Path::new("tests/fuzz-regressions"), &mut crashes);
    for path in crashes.iter().filter(|p| !p.ends_with("README.md")) {
        eprintln!("crash {}", path.display());
        fuzz_one::fuzz_one(&fs::read(path).unwrap());
    }
}

/// Input nested far deeper than the files above: nothing on the way may
/// recurse as deep as the input (a test runs on a thread of 2 MiB of
/// stack, as rayon's workers do).
#[test]
fn deep_nesting_neither_overflows_the_stack_nor_panics() {
    let ts = "import * as aws from \"@pulumi/aws\";\n";
    let py = "import pulumi_aws as aws\n";
    let shape = |name, n| corpus::shape(name, n).expect("a known shape").1;
    let inputs = [
        // A resource class named by a member chain 100,000 long.
        (0, format!("{ts}new aws{}.Bucket(\"b\", {{}});\n", ".x".repeat(100_000))),
        (2, format!("{py}aws{}.Bucket(\"b\")\n", ".x".repeat(100_000))),
        (0, shape("nested-callback", 1_000)),
        (2, shape("nested-py", 1_000)),
        (0, shape("apply-chain", 10_000)),
        // User data read in the last of 5,000 nested conditionals.
        (
            0,
            format!(
                "{ts}import * as fs from \"fs\";\nnew aws.ec2.Instance(\"i\", {{ ami: \"a\", userData: {}fs.readFileSync(\"f\") }});\n",
                "c ? x : ".repeat(5_000)
            ),
        ),
    ];
    for (selector, text) in inputs {
        let mut data = vec![selector];
        data.extend(text.bytes());
        fuzz_one::fuzz_one(&data);
    }
}

/// The input shapes that once cost more than linear time, at the sizes
/// that took minutes or never finished (a comment run 100,000 lines long
/// above one resource, in TypeScript, in CRLF, in CR-only Python; resources
/// nested 5,000 deep; 20,000 chained calls), through the fuzzer's property.
/// `scripts/bench` times them; here they must pass at all.
#[test]
fn super_linear_shapes_at_full_size_pass_the_fuzz_property() {
    let shape = |name, n| corpus::shape(name, n).expect("a known shape").1;
    let inputs = [
        (0, shape("comments", 100_000)),
        (3, shape("comments", 100_000)),
        (8, shape("comments-py", 100_000)),
        (0, shape("nested-object", 5_000)),
        (2, shape("nested-py", 5_000)),
        (0, shape("apply-chain", 20_000)),
    ];
    for (selector, text) in inputs {
        let mut data = vec![selector];
        data.extend(text.bytes());
        fuzz_one::fuzz_one(&data);
    }
}
