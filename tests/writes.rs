//! `--write` keeps each file what it was (owner, group, mode, extended
//! attributes, hard links), never leaves a file half-written, takes turns
//! with another run over the same programs, and reports a file it could not
//! write as it is on disk.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A program whose fixes (every rule, unsafe ones too) rewrite most of it
/// and create new files (LAM001's `lambda_src*/`).
fn seed() -> Vec<u8> {
    fs::read(fixtures().join("ALL/seed004-cdktf-py.py")).unwrap()
}

const ALL: [&str; 4] = ["--unsafe-fixes", "--select", "ALL", "--write"];

fn iacfix(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iacfix"));
    cmd.current_dir(dir);
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out: Output = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Every file and folder under `dir`: its path, and its bytes (None for a
/// folder).
fn tree(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut all = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            if p.is_dir() {
                all.insert(rel, None);
                stack.push(p);
            } else {
                all.insert(rel, Some(fs::read(&p).unwrap()));
            }
        }
    }
    all
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            fs::copy(&p, &target).unwrap();
        }
    }
}

/// Names iacfix's temporary files and copies would have, left in `dir`.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    tree(dir)
        .into_keys()
        .filter(|p| p.to_string_lossy().contains(".iacfix-"))
        .collect()
}

#[test]
fn root_keeps_the_owner_group_and_mode_of_the_files_it_writes_and_creates() {
    if !is_root() {
        eprintln!("skipped: giving a file to another user needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.py");
    fs::write(&main, seed()).unwrap();
    std::os::unix::fs::chown(&main, Some(1234), Some(2345)).unwrap();
    fs::set_permissions(&main, fs::Permissions::from_mode(0o640)).unwrap();
    let (code, _, err) = run(iacfix(dir.path()).args(ALL));
    assert!(code <= 1, "{err}");
    assert_ne!(fs::read(&main).unwrap(), seed(), "not fixed");
    let meta = fs::metadata(&main).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (1234, 2345), "owner and group");
    assert_eq!(meta.mode() & 0o7777, 0o640, "mode");
    // the files and folders LAM001's fix created belong to the file's owner
    let created: Vec<PathBuf> = tree(dir.path())
        .into_keys()
        .filter(|p| p.to_string_lossy().starts_with("lambda_src"))
        .collect();
    assert!(!created.is_empty(), "LAM001 created nothing");
    for p in created {
        let m = fs::metadata(dir.path().join(&p)).unwrap();
        assert_eq!((m.uid(), m.gid()), (1234, 2345), "{}", p.display());
    }
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn the_mode_is_kept_set_user_id_bits_too() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.py");
    fs::write(&main, seed()).unwrap();
    fs::set_permissions(&main, fs::Permissions::from_mode(0o4751)).unwrap();
    let (code, _, err) = run(iacfix(dir.path()).args(ALL));
    assert!(code <= 1, "{err}");
    assert_ne!(fs::read(&main).unwrap(), seed(), "not fixed");
    assert_eq!(fs::metadata(&main).unwrap().mode() & 0o7777, 0o4751);
}

fn set_xattr(path: &Path, name: &str, value: &[u8]) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let p = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    let n = std::ffi::CString::new(name).unwrap();
    // SAFETY: NUL-terminated strings and a slice of `value.len()` bytes.
    let r = unsafe {
        libc::setxattr(
            p.as_ptr(),
            n.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

fn get_xattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    let p = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    let n = std::ffi::CString::new(name).unwrap();
    let mut buf = vec![0u8; 4096];
    // SAFETY: NUL-terminated strings and a buffer of `buf.len()` bytes.
    let r = unsafe { libc::getxattr(p.as_ptr(), n.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    (r >= 0).then(|| {
        buf.truncate(r as usize);
        buf
    })
}

#[test]
fn extended_attributes_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.py");
    fs::write(&main, seed()).unwrap();
    if let Err(e) = set_xattr(&main, "user.test", b"kept") {
        eprintln!(
            "skipped: the file system of {} takes no user extended attributes ({e})",
            dir.path().display()
        );
        return;
    }
    let (code, _, err) = run(iacfix(dir.path()).args(ALL));
    assert!(code <= 1, "{err}");
    assert_ne!(fs::read(&main).unwrap(), seed(), "not fixed");
    assert_eq!(get_xattr(&main, "user.test").as_deref(), Some(&b"kept"[..]));
}

#[test]
fn a_file_with_other_hard_links_is_written_in_place_and_every_name_shows_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let infra = dir.path().join("infra");
    fs::create_dir(&infra).unwrap();
    let main = infra.join("main.py");
    fs::write(&main, seed()).unwrap();
    fs::create_dir(dir.path().join("elsewhere")).unwrap();
    let other = dir.path().join("elsewhere/main.py");
    fs::hard_link(&main, &other).unwrap();
    let inode = fs::metadata(&main).unwrap().ino();
    let (code, _, err) = run(iacfix(dir.path()).arg("infra").args(ALL));
    assert!(code <= 1, "{err}");
    let fixed = fs::read(&main).unwrap();
    assert_ne!(fixed, seed(), "not fixed");
    assert_eq!(
        fs::read(&other).unwrap(),
        fixed,
        "the other name kept the old text"
    );
    assert_eq!(fs::metadata(&main).unwrap().ino(), inode);
    assert_eq!(fs::metadata(&main).unwrap().nlink(), 2);
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

/// A second user, when the tests run as root; None (after saying why) when
/// it cannot run iacfix.
fn other_user(dir: &Path) -> Option<(u32, u32)> {
    if !is_root() {
        eprintln!("skipped: running iacfix as another user needs root");
        return None;
    }
    let (uid, gid) = (1235, 1235);
    let ok = iacfix(dir)
        .arg("--version")
        .uid(uid)
        .gid(gid)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "skipped: uid {uid} cannot run {}",
            env!("CARGO_BIN_EXE_iacfix")
        );
        return None;
    }
    Some((uid, gid))
}

#[test]
fn a_user_who_is_not_root_writes_another_owners_file_in_place_or_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let Some((uid, gid)) = other_user(dir.path()) else {
        return;
    };
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    // one file anybody may write, one only its owner may, in folders
    // anybody may write
    let open = dir.path().join("open/main.py");
    let closed = dir.path().join("closed/main.py");
    for (path, mode) in [(&open, 0o666), (&closed, 0o644)] {
        let folder = path.parent().unwrap();
        fs::create_dir(folder).unwrap();
        fs::set_permissions(folder, fs::Permissions::from_mode(0o777)).unwrap();
        fs::write(path, seed()).unwrap();
        std::os::unix::fs::chown(path, Some(1234), Some(1234)).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }
    let inode = fs::metadata(&open).unwrap().ino();
    let (code, _, err) = run(iacfix(dir.path()).args(ALL).uid(uid).gid(gid));
    assert_eq!(code, 2, "{err}");
    let m = fs::metadata(&open).unwrap();
    assert_ne!(fs::read(&open).unwrap(), seed(), "open.py not fixed: {err}");
    assert_eq!((m.uid(), m.gid(), m.ino()), (1234, 1234, inode), "{err}");
    assert_eq!(m.mode() & 0o777, 0o666);
    assert!(
        err.contains("error: closed/main.py: cannot write: permission denied; not written"),
        "{err}"
    );
    assert_eq!(fs::read(&closed).unwrap(), seed());
    assert_eq!(fs::metadata(&closed).unwrap().uid(), 1234);
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

/// Runs iacfix with files limited to `limit` bytes, as on a disk that is
/// nearly full (writes past it fail with EFBIG).
fn with_file_size_limit(cmd: &mut Command, limit: u64) -> &mut Command {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: limit as libc::rlim_t,
                rlim_max: limit as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

#[test]
fn a_write_that_runs_out_of_room_leaves_the_file_as_it_was() {
    let src = seed();
    let limit = src.len() as u64 + 100;
    for linked in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("main.py");
        fs::write(&main, &src).unwrap();
        if linked {
            // written in place: the text is put back from the copy
            fs::hard_link(&main, dir.path().join("link.txt")).unwrap();
        }
        let (code, _, err) = run(with_file_size_limit(iacfix(dir.path()).args(ALL), limit));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("error: main.py: cannot write: "), "{err}");
        if linked {
            assert!(err.contains("; the file is as it was"), "{err}");
        }
        assert_eq!(fs::read(&main).unwrap(), src);
        let names: Vec<PathBuf> = tree(dir.path()).into_keys().collect();
        let expected: Vec<PathBuf> = if linked {
            vec!["link.txt".into(), "main.py".into()]
        } else {
            vec!["main.py".into()]
        };
        assert_eq!(names, expected, "stray files: {err}");
    }
}

#[test]
fn a_file_that_could_not_be_written_is_reported_as_it_is_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.py");
    fs::write(&main, seed()).unwrap();
    let (_, report, _) = run(iacfix(dir.path()).args(&ALL[..3]));
    fs::set_permissions(&main, fs::Permissions::from_mode(0o444)).unwrap();
    let (code, out, err) = run(iacfix(dir.path()).args(ALL));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error: main.py: file is read-only; not written"),
        "{err}"
    );
    // the findings of the text on disk, at their places in it: what a
    // check of it reports (less its summary line)
    let found: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("main.py:"))
        .collect();
    assert_eq!(out.lines().collect::<Vec<_>>(), found);
    assert!(
        err.contains(&format!(
            "Fixed 0 findings in 0 files; {} remain",
            found.len()
        )),
        "{err}"
    );
    let (_, json, _) = run(iacfix(dir.path()).args(ALL).args(["--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), found.len());
    assert!(findings.iter().all(|f| f["fix"]["applied"] == false));
}

#[test]
fn a_second_write_run_waits_for_the_lock_on_the_program_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.py");
    fs::write(&main, seed()).unwrap();
    // hold the lock a --write run takes on the program's folder: flock on
    // the folder itself
    let held = fs::File::open(dir.path()).unwrap();
    // SAFETY: a valid descriptor.
    let locked = unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&held), libc::LOCK_EX) };
    assert_eq!(locked, 0, "{}", std::io::Error::last_os_error());
    let mut child = iacfix(dir.path())
        .args(ALL)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // its stderr, line by line as it comes
    let (lines, said) = std::sync::mpsc::channel();
    let pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(pipe).lines() {
            let _ = lines.send(line.unwrap());
        }
    });
    let first = said.recv_timeout(Duration::from_secs(60));
    // a while longer: it still waits, and has written nothing
    std::thread::sleep(Duration::from_millis(500));
    let waited = child.try_wait().unwrap().is_none();
    let untouched = fs::read(&main).unwrap() == seed();
    drop(held);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let err: Vec<String> = first.iter().cloned().chain(said.try_iter()).collect();
    assert_eq!(
        first.as_deref(),
        Ok("note: another iacfix run is writing files in .; waiting for it to finish"),
        "{err:?}"
    );
    assert!(waited, "the run did not wait for the lock: {err:?}");
    assert!(untouched, "the file was written under another's lock");
    assert!(status.code().is_some_and(|c| c <= 1), "{err:?}");
    assert_ne!(
        fs::read(&main).unwrap(),
        seed(),
        "not fixed once the lock was free"
    );
}

/// The fixture programs the stress test copies: single files and program
/// folders, with fixes that create files.
fn stress_programs() -> Vec<PathBuf> {
    let mut all = Vec::new();
    for code in ["ALL", "LAM001"] {
        let mut entries: Vec<PathBuf> = fs::read_dir(fixtures().join(code))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "py" || x == "ts"))
            .collect();
        entries.sort();
        all.extend(entries);
    }
    all
}

/// `count` programs, copies of the fixtures, each in its folder `pNN`.
fn stress_tree(dir: &Path, count: usize) {
    let programs = stress_programs();
    for i in 0..count {
        let from = &programs[i % programs.len()];
        let to = dir.join(format!("p{i:02}"));
        if from.is_dir() {
            copy_tree(from, &to);
        } else {
            fs::create_dir_all(&to).unwrap();
            fs::copy(from, to.join(from.file_name().unwrap())).unwrap();
        }
    }
}

/// Two `--write` runs over the same programs, `rounds` times: every fix is
/// applied (the tree is what one run makes of it), no file is left behind,
/// and the only message besides the summary is the note of the run that
/// waits.
pub fn stress(programs: usize, rounds: usize) {
    let template = tempfile::tempdir().unwrap();
    stress_tree(template.path(), programs);
    let single = tempfile::tempdir().unwrap();
    copy_tree(template.path(), single.path());
    let (code, _, err) = run(iacfix(single.path()).args(ALL));
    assert!(code <= 1, "{err}");
    let expected = tree(single.path());
    assert_ne!(expected, tree(template.path()), "nothing to fix");
    // the second run names the programs one by one, last first
    let names: Vec<String> = (0..programs).rev().map(|i| format!("p{i:02}")).collect();
    let start = Instant::now();
    let mut waits = 0;
    for round in 0..rounds {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(template.path(), dir.path());
        let spawn = |cmd: &mut Command| {
            cmd.stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let a = spawn(iacfix(dir.path()).args(ALL));
        let b = spawn(iacfix(dir.path()).args(ALL).args(&names));
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8(out.stderr).unwrap();
            assert!(
                out.status.code().is_some_and(|c| c <= 1),
                "round {round}: {err}"
            );
            for line in err.lines() {
                if line.starts_with("note: another iacfix run is writing files in ") {
                    waits += 1;
                    continue;
                }
                assert!(
                    line.starts_with("Fixed ")
                        && (line.ends_with(" remain") || line.contains(" remain (")),
                    "round {round}: {err}"
                );
            }
        }
        let got = tree(dir.path());
        if got != expected {
            let differ: Vec<_> = expected
                .keys()
                .chain(got.keys())
                .filter(|k| expected.get(*k) != got.get(*k))
                .collect();
            panic!("round {round}: the tree differs from one run's at {differ:?}");
        }
    }
    eprintln!(
        "{rounds} rounds of two runs over {programs} programs: {:.1?} ({waits} waits)",
        start.elapsed()
    );
}

/// A number from the environment, or `default`.
fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn two_write_runs_over_the_same_programs_take_turns_and_lose_nothing() {
    // scripts/stress-writes runs 50 rounds (release build)
    stress(
        setting("IACFIX_STRESS_PROGRAMS", 50),
        setting("IACFIX_STRESS_ROUNDS", 4),
    );
}

#[test]
fn a_run_ended_by_a_signal_while_it_writes_leaves_every_program_whole() {
    use std::os::unix::process::ExitStatusExt;
    let template = tempfile::tempdir().unwrap();
    stress_tree(template.path(), 20);
    let single = tempfile::tempdir().unwrap();
    copy_tree(template.path(), single.path());
    run(iacfix(single.path()).args(ALL));
    let mut seed = u64::from(std::process::id());
    let mut caught = false;
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(template.path(), dir.path());
        let mut child = iacfix(dir.path())
            .args(ALL)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id() as libc::pid_t;
        let deadline = Instant::now() + Duration::from_secs(300);
        // Stop the run now and then until it is stopped while it writes (a
        // temporary file of it exists); then ask it to end.
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("the run did not end");
            }
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            std::thread::sleep(Duration::from_micros(200 + (seed >> 33) % 3000));
            // SAFETY: signals to our own child.
            unsafe { libc::kill(pid, libc::SIGSTOP) };
            std::thread::sleep(Duration::from_millis(1));
            if let Some(file) = leftovers(dir.path()).first() {
                eprintln!("stopped while writing {}", file.display());
                caught = true;
                unsafe {
                    libc::kill(pid, libc::SIGTERM);
                    libc::kill(pid, libc::SIGCONT);
                }
                break;
            }
            unsafe { libc::kill(pid, libc::SIGCONT) };
        }
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("the run did not end once asked to");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let status = child.wait().unwrap();
        if !caught {
            continue;
        }
        assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
        assert!(
            leftovers(dir.path()).is_empty(),
            "{:?}",
            leftovers(dir.path())
        );
        // each program as it was, or as one whole run leaves it
        let (got, before, after) = (tree(dir.path()), tree(template.path()), tree(single.path()));
        for i in 0..20 {
            let program = PathBuf::from(format!("p{i:02}"));
            let part = |t: &BTreeMap<PathBuf, Option<Vec<u8>>>| -> Vec<(PathBuf, Option<Vec<u8>>)> {
                t.iter()
                    .filter(|(k, _)| k.starts_with(&program))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            };
            let p = part(&got);
            assert!(
                p == part(&before) || p == part(&after),
                "{} is half-written",
                program.display()
            );
        }
        break;
    }
    if !caught {
        eprintln!("skipped: the run was never stopped while it wrote");
    }
}
