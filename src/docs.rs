//! Rule documentation, generated from the fixers' metadata and doc comments
//! (`iacfix rules`, the README's rule table).

use crate::fixers;
use crate::rules::Meta;

/// The flavors a rule works in, short: `all`, or a list.
pub fn flavors(m: &Meta) -> String {
    if m.flavors == crate::rules::WITH_AWSCDK {
        "all".to_string()
    } else if m.flavors == crate::rules::EVERY_FLAVOR {
        "pulumi, cdktf".to_string()
    } else {
        m.flavors.join(",")
    }
}

/// The Markdown table of every rule, as the README shows it.
pub fn rule_table() -> String {
    let mut out = String::from(
        "| code | name | finds | severity | fix | on by default | flavors | satisfies |\n|---|---|---|---|---|---|---|---|\n",
    );
    for rule in fixers::ALL {
        let m = rule.meta();
        out.push_str(&format!(
            "| [{}]({}) | {} | {} | {} | {} | {} | {} | {} |\n",
            m.code,
            page_path(m.code),
            m.name,
            m.summary,
            m.severity,
            m.fix,
            if m.default_on { "yes" } else { "no" },
            flavors(m),
            m.satisfies.join(", ")
        ));
    }
    out
}

/// The Markdown table of every rule setting, as the README shows it.
pub fn settings_table() -> String {
    let mut out = String::from("| rule | setting | default | meaning |\n|---|---|---|---|\n");
    let mut rules: Vec<_> = fixers::ALL.iter().collect();
    rules.sort_by_key(|r| r.meta().code);
    for (code, s) in rules
        .iter()
        .flat_map(|r| r.settings().iter().map(|s| (r.meta().code, s)))
    {
        out.push_str(&format!(
            "| {} | `{}` | `{}` | {} |\n",
            code,
            s.key,
            s.default,
            s.help.replace('|', "\\|")
        ));
    }
    out
}

/// Where a rule's page is in the repository (`iacfix rules CODE` prints
/// it): `docs/rules/EC2001.md`.
pub fn page_path(code: &str) -> String {
    format!("docs/rules/{code}.md")
}

/// The address of a rule's page for this version of iacfix (SARIF's
/// `helpUri`): the page as it is at this version's tag.
pub fn page_url(code: &str) -> String {
    format!(
        "{}/blob/v{}/{}",
        env!("CARGO_PKG_REPOSITORY"),
        env!("CARGO_PKG_VERSION"),
        page_path(code)
    )
}

/// The page `iacfix rules CODE` prints.
pub fn rule_page(m: &Meta) -> String {
    format!(
        "# {} {}\n\n{}\n\nSeverity: {}. Fix: {}. On by default: {}. Flavors: {}.\n\n{}{}",
        m.code,
        m.name,
        m.summary,
        m.severity,
        m.fix,
        if m.default_on { "yes" } else { "no" },
        m.flavors.join(", "),
        m.docs(),
        settings_section(m.code)
    )
}

/// The `## Settings` section of a rule's page: each `[rules.CODE]` key, its
/// meaning and its default. Empty for a rule without settings.
pub fn settings_section(code: &str) -> String {
    let mine: Vec<_> = fixers::ALL
        .iter()
        .filter(|r| r.meta().code == code)
        .flat_map(|r| r.settings())
        .collect();
    if mine.is_empty() {
        return String::new();
    }
    let mut out = format!("\n## Settings\nIn `iacfix.toml` (or `[tool.iacfix.rules.{code}]` in pyproject.toml):\n```toml\n[rules.{code}]\n");
    for s in &mine {
        out.push_str(&format!("{} = {}\n", s.key, s.default));
    }
    out.push_str("```\n");
    for s in &mine {
        out.push_str(&format!("- `{}`: {}.\n", s.key, s.help));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented_in_the_same_sections() {
        for rule in fixers::ALL {
            let docs = rule.meta().docs();
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "Use instead:",
                "## Fix safety",
                "## Satisfies",
            ] {
                assert!(
                    docs.contains(section),
                    "{} lacks {section}",
                    rule.meta().code
                );
            }
        }
    }

    /// The README's text between `<!-- name:start -->` and `<!-- name:end -->`.
    fn readme_section(name: &str) -> &'static str {
        let readme = include_str!("../README.md");
        let open = format!("<!-- {name}:start -->\n");
        let start = readme
            .find(&open)
            .unwrap_or_else(|| panic!("README has a {name}:start marker"));
        let end = readme
            .find(&format!("<!-- {name}:end -->"))
            .unwrap_or_else(|| panic!("README has a {name}:end marker"));
        &readme[start + open.len()..end]
    }

    #[test]
    fn every_flavor_a_rule_claims_has_a_fixture_and_no_other() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        for rule in fixers::ALL {
            let m = rule.meta();
            let Ok(entries) = std::fs::read_dir(root.join(m.code)) else {
                assert_eq!(m.code, "IAC000", "{} has no fixtures", m.code);
                continue;
            };
            let names: Vec<String> = entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            for flavor in crate::rules::EVERY_FLAVOR {
                let has = names.iter().any(|n| n.contains(flavor));
                assert_eq!(
                    has,
                    m.flavors.contains(flavor),
                    "{}: flavor {flavor} claimed {} but fixtures {names:?}",
                    m.code,
                    m.flavors.contains(flavor)
                );
            }
        }
    }

    #[test]
    fn every_rule_page_in_docs_is_current() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stale = Vec::new();
        for rule in fixers::ALL {
            let code = rule.meta().code;
            let on_disk = std::fs::read_to_string(root.join(page_path(code))).unwrap_or_default();
            if on_disk != rule_page(rule.meta()) {
                stale.push(code);
            }
        }
        let pages: Vec<String> = std::fs::read_dir(root.join("docs/rules"))
            .map(|d| {
                d.filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        for page in &pages {
            let code = page.trim_end_matches(".md");
            assert!(
                fixers::meta(code).is_some(),
                "docs/rules/{page} is the page of no rule"
            );
        }
        assert!(
            stale.is_empty(),
            "stale or missing rule pages {stale:?}: regenerate them with \
             `cargo run -- rules --write-pages docs/rules`"
        );
    }

    #[test]
    fn readme_settings_table_is_current() {
        assert_eq!(
            readme_section("settings"),
            settings_table(),
            "README settings table is stale: replace it with `iacfix rules --settings-markdown`"
        );
    }

    #[test]
    fn readme_rule_table_is_current() {
        assert_eq!(
            readme_section("rules"),
            rule_table(),
            "README rule table is stale: replace it with `iacfix rules --markdown`"
        );
    }
}
