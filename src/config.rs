//! Configuration: `iacfix.toml`, or the `[tool.iacfix]` table of
//! `pyproject.toml`, found upward from each file (`--config PATH` names one
//! for every file). Unknown keys and bad values are errors that name the
//! file, line and column and suggest what was meant; nothing is ignored.

use crate::rules::Rule;
use crate::settings::Setting;
use crate::settings::Settings;
use crate::text::suggest;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml_edit::{ImDocument, Item, Table};

pub const FILE_NAME: &str = "iacfix.toml";

/// The top-level keys, as documented.
const KEYS: &[&str] = &[
    "select",
    "extend-select",
    "ignore",
    "unsafe-fixes",
    "per-file-ignores",
    "rules",
];

/// A configuration as read; `None`/empty where the file says nothing.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from; None for the built-in defaults.
    pub path: Option<PathBuf>,
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub unsafe_fixes: Option<bool>,
    /// Globs and the codes they ignore. A glob matches a file's path from
    /// the configuration's folder (`app/*.ts`, `../shared/*`), or its name
    /// alone (`legacy.ts`).
    pub per_file_ignores: Vec<(globset::GlobMatcher, Vec<String>)>,
    pub settings: Settings,
}

impl Config {
    /// The codes `per-file-ignores` ignores in `file`.
    pub fn ignored_in(&self, file: &Path) -> Vec<String> {
        if self.per_file_ignores.is_empty() {
            return Vec::new();
        }
        let dir = self
            .path
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new(""));
        // Both folders canonical, whatever form the command line gave.
        let canonical = |dir: &Path| {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            dir.canonicalize().ok()
        };
        let dir = canonical(dir).unwrap_or_else(|| dir.to_path_buf());
        let file = match (file.parent(), file.file_name()) {
            (Some(parent), Some(name)) => {
                canonical(parent).map_or_else(|| file.to_path_buf(), |p| p.join(name))
            }
            _ => file.to_path_buf(),
        };
        let rel = relative(&dir, &file);
        let name = file.file_name().map(Path::new);
        self.per_file_ignores
            .iter()
            .filter(|(glob, _)| glob.is_match(&rel) || name.is_some_and(|n| glob.is_match(n)))
            .flat_map(|(_, codes)| codes.iter().cloned())
            .collect()
    }
}

/// `to` as a path from the folder `from` (`../app/index.ts`); `to` itself
/// when they share no root.
fn relative(from: &Path, to: &Path) -> PathBuf {
    if from.is_absolute() != to.is_absolute() {
        return to.to_path_buf();
    }
    let from: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to_parts[common..] {
        out.push(part);
    }
    out
}

/// Finds the configuration that applies to files in `dir` (see `locate`);
/// None as well when one cannot be read.
pub fn find(dir: &Path) -> Option<PathBuf> {
    locate(dir).ok().flatten()
}

/// Finds the configuration that applies to files in `dir`: the nearest
/// `iacfix.toml`, or `pyproject.toml` that configures iacfix, in `dir` or a
/// folder above it. An `iacfix.toml` is the configuration whatever it is
/// (a folder or a broken link is then an error when it is loaded); Err
/// names a `pyproject.toml` or `iacfix.toml` that cannot be read, which
/// might have configured the run.
pub fn locate(dir: &Path) -> Result<Option<PathBuf>, String> {
    let start = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
    for d in start.ancestors() {
        let own = d.join(FILE_NAME);
        match own.symlink_metadata() {
            Ok(_) => return Ok(Some(own)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{}: cannot read: {}", own.display(), why(&own, &e))),
        }
        let py = d.join("pyproject.toml");
        if py.symlink_metadata().is_err() {
            continue;
        }
        match std::fs::read(&py) {
            Ok(bytes) if configures_iacfix(&String::from_utf8_lossy(&bytes)) => {
                return Ok(Some(py))
            }
            Ok(_) => {}
            Err(e) => {
                return Err(format!(
                    "{}: cannot read: {}; it may configure iacfix",
                    py.display(),
                    why(&py, &e)
                ))
            }
        }
    }
    Ok(None)
}

/// Whether a `pyproject.toml` configures iacfix: it has a `tool.iacfix`
/// table, or, when it is not valid TOML, a line that starts one
/// (`[tool.iacfix`, even unclosed, or a `tool.iacfix.` key), so that its
/// mistakes are reported rather than the file passed over.
fn configures_iacfix(text: &str) -> bool {
    if !text.contains("iacfix") {
        return false;
    }
    if let Ok(doc) = ImDocument::parse(text) {
        return doc
            .get("tool")
            .and_then(Item::as_table_like)
            .is_some_and(|t| t.contains_key("iacfix"));
    }
    text.lines().any(|line| {
        let l: String = line
            .chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '"' | '\''))
            .collect();
        let l = l.trim_start_matches('[');
        l.strip_prefix("tool.iacfix")
            .is_some_and(|rest| matches!(rest.chars().next(), None | Some(']' | '.' | '=' | '#')))
    })
}

/// Why a configuration file cannot be read, in words.
fn why(path: &Path, e: &std::io::Error) -> String {
    if path.is_dir() {
        "it is a folder, not a file".into()
    } else if path.is_symlink() && !path.exists() {
        match std::fs::read_link(path) {
            Ok(to) => format!("it is a broken symbolic link (to {})", to.display()),
            Err(_) => "it is a broken symbolic link".into(),
        }
    } else {
        crate::files::io_reason(e)
    }
}

/// Reads and checks the configuration in `path`. Err holds every problem,
/// one line each, as `path:line:col: message`.
pub fn load(path: &Path, all: &[&'static dyn Rule]) -> Result<Config, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("{}: cannot read: {}", path.display(), why(path, &e)))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: cannot read: not valid UTF-8 (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let mut config = parse(path, &text, all)?;
    // `per-file-ignores` globs are relative to the file's folder.
    config.path = Some(path.canonicalize().unwrap_or_else(|_| path.to_path_buf()));
    Ok(config)
}

/// Checks the configuration `text` read from `path`.
pub fn parse(path: &Path, text: &str, all: &[&'static dyn Rule]) -> Result<Config, String> {
    let at = |span: Option<Range<usize>>| {
        let start = span.map_or(0, |s| s.start).min(text.len());
        let line = text[..start].matches('\n').count() + 1;
        let col = text[..start].rfind('\n').map_or(start, |n| start - n - 1) + 1;
        format!("{}:{line}:{col}", path.display())
    };
    let doc = ImDocument::parse(text).map_err(|e| {
        let msg = e.message().trim().to_string();
        format!("{}: not valid TOML: {msg}", at(e.span()))
    })?;
    let pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let root = if pyproject {
        match doc
            .get("tool")
            .and_then(Item::as_table_like)
            .and_then(|t| t.get("iacfix"))
        {
            Some(item) => match item.as_table() {
                Some(t) => t,
                None => {
                    return Err(format!(
                        "{}: `tool.iacfix` must be a table",
                        at(item.span())
                    ))
                }
            },
            None => return Ok(Config::default()),
        }
    } else {
        doc.as_table()
    };
    let mut errors = Vec::new();
    let mut config = Config {
        path: Some(path.to_path_buf()),
        ..Config::default()
    };
    let codes: Vec<&'static str> = all.iter().map(|f| f.meta().code).collect();
    for (key, item) in root.iter() {
        let here = at(root.key(key).and_then(|k| k.span()));
        match key {
            "select" => {
                config.select = Some(code_list(item, key, &codes, &at, &mut errors));
            }
            "extend-select" => config.extend_select = code_list(item, key, &codes, &at, &mut errors),
            "ignore" => config.ignore = code_list(item, key, &codes, &at, &mut errors),
            "unsafe-fixes" => match item.as_bool() {
                Some(b) => config.unsafe_fixes = Some(b),
                None => errors.push(format!(
                    "{}: `unsafe-fixes` must be true or false",
                    at(item.span())
                )),
            },
            "per-file-ignores" => match item.as_table_like() {
                Some(table) => {
                    for (glob, codes_item) in table.iter() {
                        let list = code_list(codes_item, glob, &codes, &at, &mut errors);
                        let pattern = glob.strip_prefix("./").unwrap_or(glob);
                        match globset::Glob::new(pattern) {
                            Ok(g) => config.per_file_ignores.push((g.compile_matcher(), list)),
                            Err(e) => errors.push(format!(
                                "{}: `{glob}` is not a valid glob: {}",
                                at(codes_item.span()),
                                e.kind()
                            )),
                        }
                    }
                }
                None => errors.push(format!(
                    "{here}: `per-file-ignores` must be a table of globs and code lists, e.g. `\"tests/*\" = [\"TAG001\"]`"
                )),
            },
            "rules" => match item.as_table() {
                Some(table) => rule_settings(table, all, &mut config.settings, &at, &mut errors),
                None => errors.push(format!(
                    "{here}: `rules` must be a table of rule tables, e.g. `[rules.EC2002]`"
                )),
            },
            _ => errors.push(format!(
                "{here}: unknown key `{key}`{}; the keys are {}",
                suggest(key, KEYS),
                KEYS.join(", ")
            )),
        }
    }
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(errors.join("\n"))
    }
}

/// A list of rule codes or prefixes (`["EC2", "S3001"]`, or `"ALL"`).
fn code_list(
    item: &Item,
    key: &str,
    codes: &[&str],
    at: &dyn Fn(Option<Range<usize>>) -> String,
    errors: &mut Vec<String>,
) -> Vec<String> {
    let Some(array) = item.as_array() else {
        errors.push(format!(
            "{}: `{key}` must be a list of rule codes or prefixes, e.g. [\"EC2\", \"S3001\"]",
            at(item.span())
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for v in array.iter() {
        match v.as_str() {
            // Codes are read in any case: `ec2001` is `EC2001`.
            Some(code)
                if code.eq_ignore_ascii_case("ALL")
                    || !code.is_empty()
                        && codes
                            .iter()
                            .any(|c| c.starts_with(&code.to_ascii_uppercase())) =>
            {
                out.push(code.to_ascii_uppercase())
            }
            Some(code) => errors.push(format!(
                "{}: unknown rule code or prefix `{code}`{}; `iacfix rules` lists them",
                at(v.span()),
                suggest(&code.to_ascii_uppercase(), codes)
            )),
            None => errors.push(format!(
                "{}: `{key}` lists rule codes as strings, e.g. \"EC2001\"",
                at(v.span())
            )),
        }
    }
    out
}

/// `[rules.CODE]` tables.
fn rule_settings(
    table: &Table,
    all: &[&'static dyn Rule],
    settings: &mut Settings,
    at: &dyn Fn(Option<Range<usize>>) -> String,
    errors: &mut Vec<String>,
) {
    let codes: Vec<&'static str> = all.iter().map(|f| f.meta().code).collect();
    for (code, item) in table.iter() {
        let here = at(table.key(code).and_then(|k| k.span()));
        let upper = code.to_ascii_uppercase();
        if !codes.contains(&upper.as_str()) {
            errors.push(format!(
                "{here}: unknown rule `{code}`{}; `iacfix rules` lists them",
                suggest(&code.to_ascii_uppercase(), &codes)
            ));
            continue;
        }
        let known: &[Setting] = all
            .iter()
            .find(|f| f.meta().code == upper)
            .map_or(&[], |f| f.settings());
        let Some(rule) = item.as_table() else {
            errors.push(format!(
                "{here}: `rules.{code}` must be a table of settings"
            ));
            continue;
        };
        for (key, value) in rule.iter() {
            let key_at = at(rule.key(key).and_then(|k| k.span()));
            let Some(setting) = known.iter().find(|s| s.key == key) else {
                let names: Vec<&str> = known.iter().map(|s| s.key).collect();
                let has = if names.is_empty() {
                    format!("{code} has no settings")
                } else {
                    format!("{code}'s settings are {}", names.join(", "))
                };
                errors.push(format!(
                    "{key_at}: unknown setting `{key}`{}; {has}",
                    suggest(key, &names)
                ));
                continue;
            };
            if let Err(why) = (setting.read)(value, settings) {
                let why = if why.is_empty() {
                    String::new()
                } else {
                    format!(": {why}")
                };
                errors.push(format!(
                    "{}: bad value for `{key}`{why}; it is {}",
                    at(value.span()),
                    setting.help
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Config, String> {
        parse(Path::new("iacfix.toml"), text, crate::fixers::ALL)
    }

    #[test]
    fn every_key_is_read() {
        let c = check(
            r#"
select = ["EC2", "S3001"]
extend-select = ["MON"]
ignore = ["TAG001"]
unsafe-fixes = true

[per-file-ignores]
"tests/*" = ["IAM"]
"legacy.py" = ["EC2001", "EC2002"]

[rules.EC2002]
min-volume-size = 50
[rules.EC2003]
owners = ["self", "137112412989"]
[rules.IAM001]
max-session-duration = 7200
[rules.LOG001]
min-retention-days = 365
[rules.NET001]
egress = ["443/tcp", { port = 5432, protocol = "TCP", description = "Database" }, "8125/udp"]
[rules.PUL002]
names = ["stage"]
default = "staging"
[rules.S3002]
algorithm = "aws:kms"
[rules.TAG001]
required = ["Owner", "Environment"]
data-required = []
values = { Owner = "platform", ManagedBy = "IaC" }
"#,
        )
        .unwrap();
        assert_eq!(c.select, Some(vec!["EC2".to_string(), "S3001".to_string()]));
        assert_eq!(c.extend_select, vec!["MON".to_string()]);
        assert_eq!(c.ignore, vec!["TAG001".to_string()]);
        assert_eq!(c.unsafe_fixes, Some(true));
        assert_eq!(
            c.ignored_in(Path::new("tests/a.ts")),
            vec!["IAM".to_string()]
        );
        assert_eq!(
            c.ignored_in(Path::new("stacks/legacy.py")),
            vec!["EC2001".to_string(), "EC2002".to_string()]
        );
        assert!(c.ignored_in(Path::new("src/a.ts")).is_empty());
        use crate::fixers::*;
        let s = &c.settings;
        assert_eq!(s.get::<root_volume::Settings>().min_volume_size, 50);
        assert_eq!(
            s.get::<al2023_ami::Settings>().owners.as_ref(),
            ["self", "137112412989"]
        );
        assert_eq!(
            s.get::<role_session_duration::Settings>()
                .max_session_duration,
            7200
        );
        assert_eq!(s.get::<log_retention::Settings>().min_retention_days, 365);
        let egress: Vec<(i64, &str, &str, &str)> = s
            .get::<egress_all_traffic::Settings>()
            .egress
            .iter()
            .map(|e| (e.port, &*e.protocol, &*e.description, &*e.suffix))
            .collect();
        assert_eq!(
            egress,
            [
                (
                    443,
                    "tcp",
                    "HTTPS for package updates and AWS APIs",
                    "https"
                ),
                (5432, "tcp", "Database", "postgres"),
                (8125, "udp", "Port 8125/udp", "udp-8125"),
            ]
        );
        let pul002 = s.get::<optional_config::Settings>();
        assert_eq!(pul002.names.as_ref(), ["stage"]);
        assert_eq!(pul002.default, "staging");
        assert_eq!(s.get::<s3_encryption::Settings>().algorithm, "aws:kms");
        let tags = s.get::<required_tags::Settings>();
        assert_eq!(tags.required.as_ref(), ["Owner", "Environment"]);
        assert!(tags.data_required.is_empty());
        assert_eq!(tags.value("Owner"), Some("platform"));
        assert_eq!(tags.value("ManagedBy"), Some("IaC"));
        assert_eq!(tags.value("Backup"), None);
        // Nothing configured: the catalog's values.
        assert_eq!(check("").unwrap().settings, Settings::CATALOG);
        assert_ne!(s, &Settings::CATALOG);
    }

    #[test]
    fn every_setting_is_documented_with_a_default_it_accepts() {
        let mut count = 0;
        for rule in crate::fixers::ALL {
            for setting in rule.settings() {
                let text = format!(
                    "[rules.{}]\n{} = {}\n",
                    rule.meta().code,
                    setting.key,
                    setting.default
                );
                let c = check(&text).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(c.settings, Settings::CATALOG, "{text}");
                count += 1;
            }
        }
        assert_eq!(count, 12, "every setting is checked");
    }

    #[test]
    fn mistakes_name_the_line_and_what_was_meant() {
        let err = check("selct = [\"EC2\"]\n").unwrap_err();
        assert_eq!(
            err,
            "iacfix.toml:1:1: unknown key `selct` (did you mean `select`?); the keys are select, extend-select, ignore, unsafe-fixes, per-file-ignores, rules"
        );
        let err = check("select = [\"EC2\",\n  \"EC20001\"]\n").unwrap_err();
        assert_eq!(
            err,
            "iacfix.toml:2:3: unknown rule code or prefix `EC20001` (did you mean `EC2001`?); `iacfix rules` lists them"
        );
        let err = check("unsafe-fixes = \"yes\"\n").unwrap_err();
        assert_eq!(
            err,
            "iacfix.toml:1:16: `unsafe-fixes` must be true or false"
        );
        let err = check("[rules.EC2002]\nmin-volume = 50\n").unwrap_err();
        assert_eq!(
            err,
            "iacfix.toml:2:1: unknown setting `min-volume` (did you mean `min-volume-size`?); EC2002's settings are min-volume-size"
        );
        let err = check("[rules.EC2002]\nmin-volume-size = 4\n").unwrap_err();
        assert_eq!(
            err,
            "iacfix.toml:2:19: bad value for `min-volume-size`; it is the smallest root volume, in GB: a whole number from 8 to 16384"
        );
        // A bad value of every setting is an error naming its line.
        for (text, says) in [
            ("[rules.EC2002]\nmin-volume-size = \"50\"\n", "2:19: bad value for `min-volume-size`"),
            ("[rules.EC2003]\nowners = []\n", "2:10: bad value for `owners`"),
            ("[rules.EC2003]\nowners = \"amazon\"\n", "2:10: bad value for `owners`"),
            ("[rules.IAM001]\nmax-session-duration = 60\n", "2:24: bad value for `max-session-duration`"),
            ("[rules.LOG001]\nmin-retention-days = 45\n", "2:22: bad value for `min-retention-days`; it is the shortest log retention, in days: one of"),
            ("[rules.NET001]\negress = []\n", "2:10: bad value for `egress`"),
            ("[rules.NET001]\negress = [\"443\"]\n", "2:10: bad value for `egress`: `443` is not PORT/PROTOCOL"),
            ("[rules.NET001]\negress = [\"70000/tcp\"]\n", "a port is a whole number from 1 to 65535"),
            ("[rules.NET001]\negress = [\"443/icmp\"]\n", "the protocol of port 443 must be \"tcp\" or \"udp\", not \"icmp\""),
            ("[rules.NET001]\negress = [\"443/tcp\", \"443/TCP\"]\n", "443/tcp is listed twice"),
            ("[rules.NET001]\negress = [{ ports = 443, protocol = \"tcp\" }]\n", "unknown key `ports` (did you mean `port`?) in an egress table"),
            ("[rules.PUL002]\nnames = [\"\"]\n", "2:9: bad value for `names`"),
            ("[rules.PUL002]\ndefault = 1\n", "2:11: bad value for `default`"),
            ("[rules.S3002]\nalgorithm = \"aws:kms:dsse\"\n", "2:13: bad value for `algorithm`; it is the server-side encryption algorithm"),
            ("[rules.TAG001]\nrequired = [\"Owner\", \"Owner\"]\n", "2:12: bad value for `required`: `Owner` is listed twice"),
            ("[rules.TAG001]\ndata-required = \"Backup\"\n", "2:17: bad value for `data-required`"),
            ("[rules.TAG001]\nvalues = { Owner = 1 }\n", "2:10: bad value for `values`"),
            ("[rules.TAG001]\nvalues = [\"Owner\"]\n", "2:10: bad value for `values`"),
        ] {
            let err = check(text).unwrap_err();
            assert!(err.starts_with("iacfix.toml:"), "{text}: {err}");
            assert!(err.contains(says), "{text}: {err}");
        }
        let err = check("[rules.EC2OO2]\n").unwrap_err();
        assert!(
            err.starts_with("iacfix.toml:1:8: unknown rule `EC2OO2` (did you mean `EC2002`?)"),
            "{err}"
        );
        let err = check("[rules.EC2001]\nx = 1\n").unwrap_err();
        assert_eq!(
            err,
            "iacfix.toml:2:1: unknown setting `x`; EC2001 has no settings"
        );
        let err = check("[per-file-ignores]\n\"a[\" = [\"EC2\"]\n").unwrap_err();
        assert!(
            err.starts_with("iacfix.toml:2:8: `a[` is not a valid glob"),
            "{err}"
        );
        let err = check("select = [\"EC2\"\n").unwrap_err();
        assert!(err.starts_with("iacfix.toml:"), "{err}");
        assert!(err.contains("not valid TOML"), "{err}");
        // Every problem is reported, not only the first.
        let err = check("selct = []\nignor = []\n").unwrap_err();
        assert_eq!(err.lines().count(), 2, "{err}");
    }

    #[test]
    fn relative_paths_climb_out_of_the_configuration_folder() {
        let rel = |a: &str, b: &str| relative(Path::new(a), Path::new(b));
        assert_eq!(
            rel("/x/ci", "/x/app/index.ts"),
            Path::new("../app/index.ts")
        );
        assert_eq!(rel("/x", "/x/app/index.ts"), Path::new("app/index.ts"));
        assert_eq!(rel("", "app/index.ts"), Path::new("app/index.ts"));
        assert_eq!(rel("/x", "app/index.ts"), Path::new("app/index.ts"));
    }

    #[test]
    fn pyproject_is_read_only_under_tool_iacfix() {
        let path = Path::new("pyproject.toml");
        let c = parse(path, "[project]\nname = \"x\"\n", crate::fixers::ALL).unwrap();
        assert_eq!(c.select, None);
        let c = parse(
            path,
            "[project]\nname = \"x\"\n\n[tool.iacfix]\nignore = [\"TAG001\"]\n\n[tool.iacfix.rules.LOG001]\nmin-retention-days = 90\n",
            crate::fixers::ALL,
        )
        .unwrap();
        assert_eq!(c.ignore, vec!["TAG001".to_string()]);
        assert_eq!(
            c.settings
                .get::<crate::fixers::log_retention::Settings>()
                .min_retention_days,
            90
        );
        assert!(configures_iacfix("[tool.iacfix]\n"));
        assert!(configures_iacfix("[tool.iacfix.rules.EC2002]\n"));
        assert!(configures_iacfix(
            "[tool]\niacfix = { select = [\"EC2\"] }\n"
        ));
        assert!(!configures_iacfix("[tool.iacfixer]\n"));
        assert!(!configures_iacfix(
            "[project]\ndependencies = [\"iacfix\"]\n"
        ));
        // not valid TOML, yet meant for iacfix: its mistakes are reported
        assert!(configures_iacfix("[tool.iacfix\nselect = [\"EC2\"]\n"));
        assert!(configures_iacfix("[ tool . \"iacfix\" ]\nselect = \n"));
        assert!(!configures_iacfix(
            "[tool.black\n[project]\nname = \"iacfix\"\n"
        ));
    }
}
