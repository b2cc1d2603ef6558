//! Configuration: `iacfix.toml`, or the `[tool.iacfix]` table of
//! `pyproject.toml`, found upward from each file (`--config PATH` names one
//! for every file). Unknown keys and bad values are errors that name the
//! file, line and column and suggest what was meant; nothing is ignored.

use crate::rules::Fixer;
use std::borrow::Cow;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml_edit::{ImDocument, Item, Table, Value};

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

/// Text in settings: the catalog's values are borrowed, a file's are owned.
pub type Text = Cow<'static, str>;

/// One egress rule NET001 writes in place of an all-traffic one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Egress {
    pub port: i64,
    pub protocol: Text,
    pub description: Text,
    /// The end of a standalone rule's name (`https` in `web-egress-https`).
    pub suffix: Text,
}

/// Values of the rules' settings (`[rules.EC2002] min-volume-size = 50`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// EC2002: the smallest root volume, in GB.
    pub min_volume_size: i64,
    /// IAM001: the longest role session, in seconds.
    pub max_session_duration: i64,
    /// LOG001: the shortest log retention, in days.
    pub min_retention_days: i64,
    /// NET001: the egress rules that replace an all-traffic one.
    pub egress: Cow<'static, [Egress]>,
    /// S3002: the server-side encryption algorithm.
    pub sse_algorithm: Text,
    /// TAG001: the tags every taggable resource carries.
    pub required_tags: Cow<'static, [Text]>,
    /// TAG001: the tags resources that hold data carry as well.
    pub data_tags: Cow<'static, [Text]>,
    /// TAG001: the values written for tags (other than `Environment`, which
    /// reuses the program's, and `ManagedBy`, the framework's name, unless
    /// given here).
    pub tag_values: Cow<'static, [(Text, Text)]>,
    /// PUL002: the configuration names that get a default.
    pub config_names: Cow<'static, [Text]>,
    /// PUL002: the default value.
    pub config_default: Text,
    /// EC2003: the owners written on an AMI lookup without any.
    pub ami_owners: Cow<'static, [Text]>,
}

const fn text(s: &'static str) -> Text {
    Cow::Borrowed(s)
}

const fn egress(
    port: i64,
    protocol: &'static str,
    description: &'static str,
    suffix: &'static str,
) -> Egress {
    Egress {
        port,
        protocol: text(protocol),
        description: text(description),
        suffix: text(suffix),
    }
}

/// Well-known ports: the description and name suffix NET001 gives a rule
/// named in `egress` only by port and protocol.
const KNOWN_PORTS: &[Egress] = &[
    egress(
        443,
        "tcp",
        "HTTPS for package updates and AWS APIs",
        "https",
    ),
    egress(80, "tcp", "HTTP for package repositories", "http"),
    egress(53, "udp", "DNS resolution", "dns"),
    egress(53, "tcp", "DNS over TCP", "dns-tcp"),
    egress(123, "udp", "NTP time synchronization", "ntp"),
    egress(22, "tcp", "SSH", "ssh"),
    egress(25, "tcp", "SMTP", "smtp"),
    egress(587, "tcp", "SMTP submission", "smtp-submission"),
    egress(3306, "tcp", "MySQL", "mysql"),
    egress(5432, "tcp", "PostgreSQL", "postgres"),
    egress(6379, "tcp", "Redis", "redis"),
];

impl Settings {
    /// The catalog's values.
    pub const DEFAULT: Settings = Settings {
        min_volume_size: 30,
        max_session_duration: 3600,
        min_retention_days: 30,
        egress: Cow::Borrowed(&[
            egress(
                443,
                "tcp",
                "HTTPS for package updates and AWS APIs",
                "https",
            ),
            egress(80, "tcp", "HTTP for package repositories", "http"),
            egress(53, "udp", "DNS resolution", "dns"),
            egress(123, "udp", "NTP time synchronization", "ntp"),
        ]),
        sse_algorithm: text("AES256"),
        required_tags: Cow::Borrowed(&[text("Environment"), text("ManagedBy")]),
        data_tags: Cow::Borrowed(&[text("Backup")]),
        tag_values: Cow::Borrowed(&[(text("Backup"), text("Required"))]),
        config_names: Cow::Borrowed(&[
            text("environment"),
            text("stage"),
            text("environmentSuffix"),
            text("env"),
        ]),
        config_default: text("dev"),
        ami_owners: Cow::Borrowed(&[text("amazon")]),
    };

    /// The value configured for tag `key`, if any.
    pub fn tag_value(&self, key: &str) -> Option<&str> {
        self.tag_values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings::DEFAULT
    }
}

/// Reads one setting's value into the settings, or says what it accepts.
type Reader = fn(&Item, &mut Settings) -> Result<(), String>;

/// One setting of a rule: its key, what it means and where it goes.
pub struct Setting {
    pub code: &'static str,
    pub key: &'static str,
    /// What it means and the values it accepts, for errors and docs.
    pub help: &'static str,
    /// The catalog's value, as TOML.
    pub default: &'static str,
    read: Reader,
}

/// Every setting of every rule.
pub const SETTINGS: &[Setting] = &[
    Setting {
        code: "EC2002",
        key: "min-volume-size",
        help: "the smallest root volume, in GB: a whole number from 8 to 16384",
        default: "30",
        read: |v, s| int(v, 8, 16384).map(|n| s.min_volume_size = n),
    },
    Setting {
        code: "EC2003",
        key: "owners",
        help: "the owners written on an AMI lookup that names none: a non-empty list of account IDs or aliases (\"amazon\", \"self\")",
        default: "[\"amazon\"]",
        read: |v, s| words(v).map(|w| s.ami_owners = w.into()),
    },
    Setting {
        code: "IAM001",
        key: "max-session-duration",
        help: "the longest role session, in seconds: a whole number from 3600 to 43200",
        default: "3600",
        read: |v, s| int(v, 3600, 43200).map(|n| s.max_session_duration = n),
    },
    Setting {
        code: "LOG001",
        key: "min-retention-days",
        help: "the shortest log retention, in days: one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
        default: "30",
        read: |v, s| {
            let n = int(v, 1, 3653)?;
            if !crate::fixers::log_retention::ALLOWED.contains(&n) {
                return Err(String::new());
            }
            s.min_retention_days = n;
            Ok(())
        },
    },
    Setting {
        code: "NET001",
        key: "egress",
        help: "the egress rules that replace an all-traffic one: a non-empty list of \"PORT/PROTOCOL\" (\"443/tcp\", \"53/udp\") or tables { port = 5432, protocol = \"tcp\", description = \"PostgreSQL\" }",
        default: "[\"443/tcp\", \"80/tcp\", \"53/udp\", \"123/udp\"]",
        read: |v, s| egress_list(v).map(|e| s.egress = e.into()),
    },
    Setting {
        code: "PUL002",
        key: "names",
        help: "the configuration names that get a default: a non-empty list of names",
        default: "[\"environment\", \"stage\", \"environmentSuffix\", \"env\"]",
        read: |v, s| words(v).map(|w| s.config_names = w.into()),
    },
    Setting {
        code: "PUL002",
        key: "default",
        help: "the default value given to them: a non-empty string",
        default: "\"dev\"",
        read: |v, s| word(v).map(|w| s.config_default = w),
    },
    Setting {
        code: "S3002",
        key: "algorithm",
        help: "the server-side encryption algorithm: \"AES256\" or \"aws:kms\" (the account's aws/s3 key)",
        default: "\"AES256\"",
        read: |v, s| match v.as_str() {
            Some(a @ ("AES256" | "aws:kms")) => {
                s.sse_algorithm = Cow::Owned(a.to_string());
                Ok(())
            }
            _ => Err(String::new()),
        },
    },
    Setting {
        code: "TAG001",
        key: "required",
        help: "the tags every taggable resource carries: a list of tag keys",
        default: "[\"Environment\", \"ManagedBy\"]",
        read: |v, s| tag_keys(v).map(|w| s.required_tags = w.into()),
    },
    Setting {
        code: "TAG001",
        key: "data-required",
        help: "the tags resources that hold data (instances, volumes, buckets) carry as well: a list of tag keys",
        default: "[\"Backup\"]",
        read: |v, s| tag_keys(v).map(|w| s.data_tags = w.into()),
    },
    Setting {
        code: "TAG001",
        key: "values",
        help: "the value written for each tag: a table of tag keys and strings; Environment defaults to the program's own value and ManagedBy to Pulumi or CDKTF; a required tag with no value is reported without a fix",
        default: "{ Backup = \"Required\" }",
        read: |v, s| {
            let table = v.as_table_like().ok_or_else(String::new)?;
            let mut out = Vec::new();
            for (k, v) in table.iter() {
                let value = v.as_str().filter(|t| !t.is_empty()).ok_or_else(String::new)?;
                out.push((Cow::Owned(k.to_string()), Cow::Owned(value.to_string())));
            }
            s.tag_values = out.into();
            Ok(())
        },
    },
];

/// A whole number from `lo` to `hi`.
fn int(v: &Item, lo: i64, hi: i64) -> Result<i64, String> {
    v.as_integer()
        .filter(|n| (lo..=hi).contains(n))
        .ok_or_else(String::new)
}

/// A non-empty string.
fn word(v: &Item) -> Result<Text, String> {
    match v.as_str() {
        Some(s) if !s.trim().is_empty() => Ok(Cow::Owned(s.to_string())),
        _ => Err(String::new()),
    }
}

/// A non-empty list of non-empty strings.
fn words(v: &Item) -> Result<Vec<Text>, String> {
    let list = v
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(String::new)?;
    list.iter()
        .map(|x| match x.as_str() {
            Some(s) if !s.trim().is_empty() => Ok(Cow::Owned(s.to_string())),
            _ => Err(String::new()),
        })
        .collect()
}

/// A list (possibly empty) of distinct tag keys.
fn tag_keys(v: &Item) -> Result<Vec<Text>, String> {
    if v.as_array().is_some_and(|a| a.is_empty()) {
        return Ok(Vec::new());
    }
    let keys = words(v)?;
    for (i, k) in keys.iter().enumerate() {
        if keys[..i].contains(k) {
            return Err(format!("`{k}` is listed twice"));
        }
    }
    Ok(keys)
}

/// NET001's `egress`: "PORT/PROTOCOL" strings or tables.
fn egress_list(v: &Item) -> Result<Vec<Egress>, String> {
    let list = v
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(String::new)?;
    let mut out: Vec<Egress> = Vec::new();
    for x in list.iter() {
        let (port, protocol, description) = if let Some(s) = x.as_str() {
            let (port, protocol) = s
                .split_once('/')
                .ok_or_else(|| format!("`{s}` is not PORT/PROTOCOL"))?;
            (
                port.trim().parse::<i64>().ok(),
                protocol.trim().to_ascii_lowercase(),
                None,
            )
        } else if let Some(t) = x.as_inline_table() {
            for key in t.iter().map(|(k, _)| k) {
                if !["port", "protocol", "description"].contains(&key) {
                    return Err(format!(
                        "unknown key `{key}`{} in an egress table",
                        suggest(key, &["port", "protocol", "description"])
                    ));
                }
            }
            let port = t.get("port").and_then(Value::as_integer);
            let protocol = t
                .get("protocol")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_ascii_lowercase();
            let description = t
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string);
            (port, protocol, description)
        } else {
            return Err(String::new());
        };
        let port = port
            .filter(|p| (1..=65535).contains(p))
            .ok_or_else(|| "a port is a whole number from 1 to 65535".to_string())?;
        if !matches!(protocol.as_str(), "tcp" | "udp") {
            return Err(format!(
                "the protocol of port {port} must be \"tcp\" or \"udp\", not \"{protocol}\""
            ));
        }
        let known = KNOWN_PORTS
            .iter()
            .find(|k| k.port == port && k.protocol == protocol);
        let description = match (description, known) {
            (Some(d), _) => Cow::Owned(d),
            (None, Some(k)) => k.description.clone(),
            (None, None) => Cow::Owned(format!("Port {port}/{protocol}")),
        };
        let suffix = match known {
            Some(k) => k.suffix.clone(),
            None => Cow::Owned(format!("{protocol}-{port}")),
        };
        if out.iter().any(|e| e.port == port && e.protocol == protocol) {
            return Err(format!("{port}/{protocol} is listed twice"));
        }
        out.push(Egress {
            port,
            protocol: Cow::Owned(protocol),
            description,
            suffix,
        });
    }
    Ok(out)
}

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

/// Finds the configuration that applies to files in `dir`: the nearest
/// `iacfix.toml`, or `pyproject.toml` with a `[tool.iacfix]` table, in `dir`
/// or a folder above it.
pub fn find(dir: &Path) -> Option<PathBuf> {
    let start = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
    for d in start.ancestors() {
        let own = d.join(FILE_NAME);
        if own.is_file() {
            return Some(own);
        }
        let py = d.join("pyproject.toml");
        if std::fs::read_to_string(&py).is_ok_and(|t| has_tool_table(&t)) {
            return Some(py);
        }
    }
    None
}

fn has_tool_table(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l.starts_with("[tool.iacfix") && (l[12..].starts_with(']') || l[12..].starts_with('.'))
    })
}

/// Reads and checks the configuration in `path`. Err holds every problem,
/// one line each, as `path:line:col: message`.
pub fn load(path: &Path, all: &[&'static dyn Fixer]) -> Result<Config, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut config = parse(path, &text, all)?;
    // `per-file-ignores` globs are relative to the file's folder.
    config.path = Some(path.canonicalize().unwrap_or_else(|_| path.to_path_buf()));
    Ok(config)
}

/// Checks the configuration `text` read from `path`.
pub fn parse(path: &Path, text: &str, all: &[&'static dyn Fixer]) -> Result<Config, String> {
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
                Some(table) => rule_settings(table, &codes, &mut config.settings, &at, &mut errors),
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
            Some(code)
                if code == "ALL"
                    || codes.iter().any(|c| c.starts_with(code)) && !code.is_empty() =>
            {
                out.push(code.to_string())
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
    codes: &[&str],
    settings: &mut Settings,
    at: &dyn Fn(Option<Range<usize>>) -> String,
    errors: &mut Vec<String>,
) {
    for (code, item) in table.iter() {
        let here = at(table.key(code).and_then(|k| k.span()));
        if !codes.contains(&code) {
            errors.push(format!(
                "{here}: unknown rule `{code}`{}; `iacfix rules` lists them",
                suggest(&code.to_ascii_uppercase(), codes)
            ));
            continue;
        }
        let known: Vec<&Setting> = SETTINGS.iter().filter(|s| s.code == code).collect();
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

/// `; did you mean `x`?` for the known word closest to `word`, if any is
/// close.
pub(crate) fn suggest(word: &str, known: &[&str]) -> String {
    let best = known
        .iter()
        .map(|k| (distance(word, k), *k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(1))
        .min();
    match best {
        Some((_, k)) => format!(" (did you mean `{k}`?)"),
        None => String::new(),
    }
}

/// Edit distance between two words (insertions, deletions, substitutions).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
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
        let s = &c.settings;
        assert_eq!(s.min_volume_size, 50);
        assert_eq!(s.ami_owners.as_ref(), ["self", "137112412989"]);
        assert_eq!(s.max_session_duration, 7200);
        assert_eq!(s.min_retention_days, 365);
        let egress: Vec<(i64, &str, &str, &str)> = s
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
        assert_eq!(s.config_names.as_ref(), ["stage"]);
        assert_eq!(s.config_default, "staging");
        assert_eq!(s.sse_algorithm, "aws:kms");
        assert_eq!(s.required_tags.as_ref(), ["Owner", "Environment"]);
        assert!(s.data_tags.is_empty());
        assert_eq!(s.tag_value("Owner"), Some("platform"));
        assert_eq!(s.tag_value("ManagedBy"), Some("IaC"));
        assert_eq!(s.tag_value("Backup"), None);
        // Nothing configured: the catalog's values.
        assert_eq!(check("").unwrap().settings, Settings::DEFAULT);
    }

    #[test]
    fn every_setting_is_documented_with_a_default_it_accepts() {
        for setting in SETTINGS {
            assert!(
                crate::fixers::ALL
                    .iter()
                    .any(|f| f.meta().code == setting.code),
                "{} is not a rule",
                setting.code
            );
            let text = format!(
                "[rules.{}]\n{} = {}\n",
                setting.code, setting.key, setting.default
            );
            let c = check(&text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(c.settings, Settings::DEFAULT, "{text}");
        }
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
        assert_eq!(c.settings.min_retention_days, 90);
        assert!(has_tool_table("[tool.iacfix]\n"));
        assert!(has_tool_table("[tool.iacfix.rules.EC2002]\n"));
        assert!(!has_tool_table("[tool.iacfixer]\n"));
    }
}
