//! The benchmark cannot rot: its corpus generator writes valid programs of
//! every flavor, and `scripts/bench --smoke` runs end to end on a tiny
//! corpus. No timing is asserted here (machines are shared and noisy); the
//! figures come from `scripts/bench`.

#[path = "../scripts/bench-corpus.rs"]
#[allow(dead_code)]
mod corpus;

use iacfix::lang::{self, Lang};
use std::path::Path;
use std::process::Command;

#[test]
fn generated_corpus_is_valid_varied_and_half_ordinary() {
    let dir = tempfile::tempdir().unwrap();
    let written = corpus::generate(dir.path(), 400_000, 3).unwrap();
    assert!(written.bytes >= 400_000);
    let total = written.programs + written.ordinary;
    assert!(
        written.programs * 2 >= total - 1 && written.ordinary * 2 >= total - 1,
        "{written:?}"
    );
    let mut flavors = std::collections::BTreeSet::new();
    let mut stack = vec![dir.path().to_path_buf()];
    let mut sources = 0;
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let Some(lang) = Lang::from_path(&p) else {
                continue;
            };
            let text = std::fs::read_to_string(&p).unwrap();
            let tree = lang::parse(lang, &text);
            assert_eq!(lang::error_count(&tree), 0, "{}:\n{text}", p.display());
            sources += 1;
            let name = p.file_name().unwrap().to_str().unwrap();
            if !name.starts_with("module") {
                let manifest = if p.with_file_name("Pulumi.yaml").exists() {
                    "pulumi"
                } else {
                    "cdktf"
                };
                flavors.insert(format!("{manifest}-{name}"));
            }
        }
    }
    assert_eq!(sources, total);
    assert_eq!(
        flavors.into_iter().collect::<Vec<_>>(),
        [
            "cdktf-main.py",
            "cdktf-main.ts",
            "pulumi-__main__.py",
            "pulumi-index.ts"
        ]
    );
    // The same seed gives the same corpus.
    let again = tempfile::tempdir().unwrap();
    corpus::generate(again.path(), 400_000, 3).unwrap();
    let first = std::fs::read_to_string(
        dir.path()
            .join("team000/stack000000")
            .read_dir()
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| Lang::from_path(p).is_some())
            .unwrap(),
    )
    .unwrap();
    let second = std::fs::read_to_string(
        again
            .path()
            .join("team000/stack000000")
            .read_dir()
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| Lang::from_path(p).is_some())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first, second);
}

#[test]
fn bench_script_runs_on_a_tiny_corpus() {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_iacfix")).parent().unwrap();
    // `cargo test` builds the example; `cargo test --test bench` does not.
    if !bin_dir.join("examples/bench-tool").exists() {
        let mut build = Command::new(env!("CARGO"));
        build.args(["build", "--quiet", "--example", "bench-tool"]);
        if bin_dir.ends_with("release") {
            build.arg("--release");
        }
        assert!(build.status().unwrap().success(), "cannot build bench-tool");
    }
    let out = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench"))
        .args(["--smoke", "--bin-dir"])
        .arg(bin_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for row in [
        "| iacfix --dry-run |",
        "| parse floor |",
        "| 20 |",
        "| 40 |",
        "| comments | 2000 |",
        "| nested-object | 50 |",
        "| nested-py | 50 |",
        "| apply-chain | 200 |",
    ] {
        assert!(stdout.contains(row), "{row} missing:\n{stdout}");
    }
}
