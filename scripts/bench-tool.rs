//! The helper `scripts/bench` runs (`cargo run --release --example
//! bench-tool -- ...`):
//!
//!   generate DIR MEGABYTES SEED   write a corpus of about MEGABYTES (may be fractional) (see corpus::generate)
//!   floor PATH...                 discovery, prefilter and parse, no rules
//!   program FILE RESOURCES SEED   one Pulumi TypeScript program, every
//!                                 resource faulty (the one-file bench)
//!   shapes DIR [DIVISOR]          each input shape of corpus::SHAPES
//!                                 at its size divided by DIVISOR (default
//!                                 1) and at ten times that, one program per
//!                                 folder; prints `shape n file` per program

#[path = "bench-corpus.rs"]
mod corpus;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |s: &str| s.parse::<u64>().map_err(|e| format!("`{s}`: {e}"));
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["generate", dir, megabytes, seed] => (|| {
            let megabytes: f64 = megabytes
                .parse()
                .map_err(|e| format!("`{megabytes}`: {e}"))?;
            let w = corpus::generate(
                &PathBuf::from(dir),
                (megabytes * 1e6) as u64,
                number(seed)?,
            )
            .map_err(|e| e.to_string())?;
            println!(
                "{} programs, {} ordinary files, {} bytes",
                w.programs, w.ordinary, w.bytes
            );
            Ok(())
        })(),
        ["floor", paths @ ..] if !paths.is_empty() => {
            let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
            let (files, bytes, broken) = corpus::parse_floor(&paths);
            println!("{files} files parsed, {bytes} bytes, {broken} with syntax errors");
            Ok(())
        }
        ["program", file, resources, seed] => (|| {
            let mut rng = corpus::Rng::new(number(seed)?);
            let (_, text) = corpus::program(
                corpus::Flavor::PulumiTs,
                number(resources)? as usize,
                100,
                &mut rng,
            );
            std::fs::write(file, text).map_err(|e| e.to_string())
        })(),
        ["shapes", dir, rest @ ..] if rest.len() <= 1 => (|| {
            let divisor = rest.first().map_or(Ok(1), |d| number(d))?.max(1) as usize;
            for &(name, size) in corpus::SHAPES {
                let n = (size / divisor).max(1);
                for n in [n, 10 * n] {
                    let (file, text) = corpus::shape(name, n).expect("a known shape");
                    let folder = PathBuf::from(dir).join(format!("{name}-{n}"));
                    std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
                    let path = folder.join(file);
                    std::fs::write(&path, text).map_err(|e| e.to_string())?;
                    println!("{name} {n} {}", path.display());
                }
            }
            Ok(())
        })(),
        _ => Err("usage: bench-tool generate DIR MEGABYTES SEED | floor PATH... | program FILE RESOURCES SEED | shapes DIR [DIVISOR]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-tool: {e}");
            ExitCode::from(2)
        }
    }
}
