//! Every input the fuzzer has ever crashed on (tests/fuzz-regressions/),
//! and every fixture as the fuzzer's seed corpus has it, must pass the
//! fuzzer's property (tests/support/fuzz_one.rs) on stable Rust.

#[path = "support/fuzz_one.rs"]
mod fuzz_one;

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

/// The selector byte the seed corpus gives a fixture (see scripts/fuzz).
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
    let mut crashes = Vec::new();
    files_under(Path::new("tests/fuzz-regressions"), &mut crashes);
    for path in crashes.iter().filter(|p| !p.ends_with("README.md")) {
        eprintln!("crash {}", path.display());
        fuzz_one::fuzz_one(&fs::read(path).unwrap());
    }
}
