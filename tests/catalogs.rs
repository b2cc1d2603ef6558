//! The catalogs kept by hand in two places agree: the checkov checks each
//! rule claims (`Meta.satisfies`) and those the oracle proves
//! (`scripts/oracle/rules.mjs`, `CHECKOV`); the rule settings' defaults and
//! the constants the oracle's promises use.

use iacfix::fixers::{self, log_retention, required_tags, role_session_duration, root_volume};
use iacfix::settings::RuleSettings;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn oracle() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/oracle/rules.mjs");
    std::fs::read_to_string(path).unwrap()
}

/// `CHECKOV = { CODE: [{ id: "X" }, ...], CODE: ["X", ...].map(...) }`:
/// the check IDs by rule code.
fn oracle_checkov(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let start = text
        .find("export const CHECKOV = {")
        .expect("rules.mjs exports CHECKOV");
    let body = &text[start..];
    let body = &body[..body.find("\n};").expect("CHECKOV ends")];
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut code = String::new();
    for line in body.lines().skip(1) {
        let trimmed = line.trim_start();
        // A rule's entry starts at two spaces: `  EC2001: [`.
        if line.starts_with("  ") && !line.starts_with("   ") {
            if let Some((c, _)) = trimmed.split_once(':') {
                code = c.to_string();
            }
        }
        for piece in trimmed.split('"').skip(1).step_by(2) {
            if piece.starts_with("CKV") {
                out.entry(code.clone())
                    .or_default()
                    .insert(piece.to_string());
            }
        }
    }
    out
}

/// `export const NAME = VALUE;` in the oracle.
fn constant(text: &str, name: &str) -> i64 {
    let needle = format!("export const {name} = ");
    let at = text
        .find(&needle)
        .unwrap_or_else(|| panic!("{name} is not in rules.mjs"));
    let rest = &text[at + needle.len()..];
    rest[..rest.find(';').unwrap()].trim().parse().unwrap()
}

#[test]
fn checkov_claims_are_the_checks_the_oracle_proves() {
    let proved = oracle_checkov(&oracle());
    assert!(proved.len() >= 10, "CHECKOV was not read: {proved:?}");
    let mut claimed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for rule in fixers::ALL {
        let m = rule.meta();
        let ids: BTreeSet<String> = m
            .satisfies
            .iter()
            .filter_map(|s| s.strip_prefix("checkov "))
            .map(str::to_string)
            .collect();
        if !ids.is_empty() {
            claimed.insert(m.code.to_string(), ids);
        }
    }
    assert_eq!(
        claimed, proved,
        "Meta.satisfies (left) and scripts/oracle/rules.mjs CHECKOV (right) differ"
    );
}

#[test]
fn setting_defaults_are_the_oracle_constants() {
    let text = oracle();
    assert_eq!(
        root_volume::Settings::defaults().min_volume_size,
        constant(&text, "MIN_ROOT_VOLUME_GB")
    );
    assert_eq!(
        log_retention::Settings::defaults().min_retention_days,
        constant(&text, "MIN_RETENTION_DAYS")
    );
    assert_eq!(
        role_session_duration::Settings::defaults().max_session_duration,
        constant(&text, "MAX_SESSION_SECONDS")
    );
    // TAG001's promise: every taggable resource has the required keys, and
    // those that hold data the data keys.
    let tags = required_tags::Settings::defaults();
    let required: Vec<&str> = tags.required.iter().map(|k| k.as_ref()).collect();
    let data: Vec<&str> = tags.data_required.iter().map(|k| k.as_ref()).collect();
    let promise = format!(
        "const keys = [{}, ...(HOLDS_DATA.includes(r.type) ? [{}] : [])];",
        required
            .iter()
            .map(|k| format!("\"{k}\""))
            .collect::<Vec<_>>()
            .join(", "),
        data.iter()
            .map(|k| format!("\"{k}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(
        text.contains(&promise),
        "rules.mjs's TAG001 promise does not use the default tags: {promise}"
    );
}

#[test]
fn the_oracle_table_is_read_as_written() {
    let text = "export const CHECKOV = {\n  EC2001: [\n    { id: \"CKV_AWS_79\" },\n    {\n      id: \"CKV_AWS_341\",\n      why: \"a reason\",\n    },\n  ],\n  S3001: [\"CKV2_AWS_6\", \"CKV_AWS_53\"].map((id) => ({ id })),\n};\n";
    let t = oracle_checkov(text);
    assert_eq!(
        t["EC2001"],
        BTreeSet::from(["CKV_AWS_79".to_string(), "CKV_AWS_341".to_string()])
    );
    assert_eq!(t["S3001"].len(), 2);
    assert_eq!(constant("export const A = 30;\n", "A"), 30);
}
