//! Rule documentation, generated from the fixers' metadata and doc comments
//! (`iacfix rules`, the README's rule table).

use crate::fixers;
use crate::rules::Meta;

/// The Markdown table of every rule, as the README shows it.
pub fn rule_table() -> String {
    let mut out = String::from(
        "| code | name | finds | fix | on by default | satisfies |\n|---|---|---|---|---|---|\n",
    );
    for rule in fixers::ALL {
        let m = rule.meta();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            m.code,
            m.name,
            m.summary,
            m.fix,
            if m.default_on { "yes" } else { "no" },
            m.satisfies.join(", ")
        ));
    }
    out
}

/// The Markdown table of every rule setting, as the README shows it.
pub fn settings_table() -> String {
    let mut out = String::from("| rule | setting | default | meaning |\n|---|---|---|---|\n");
    for s in crate::config::SETTINGS {
        out.push_str(&format!(
            "| {} | `{}` | `{}` | {} |\n",
            s.code,
            s.key,
            s.default,
            s.help.replace('|', "\\|")
        ));
    }
    out
}

/// The page `iacfix rules CODE` prints.
pub fn rule_page(m: &Meta) -> String {
    format!(
        "# {} {}\n\n{}\n\nFix: {}. On by default: {}.\n\n{}{}",
        m.code,
        m.name,
        m.summary,
        m.fix,
        if m.default_on { "yes" } else { "no" },
        m.docs(),
        settings_section(m.code)
    )
}

/// The `## Settings` section of a rule's page: each `[rules.CODE]` key, its
/// meaning and its default. Empty for a rule without settings.
pub fn settings_section(code: &str) -> String {
    let mine: Vec<_> = crate::config::SETTINGS
        .iter()
        .filter(|s| s.code == code)
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

    #[test]
    fn readme_settings_table_is_current() {
        let readme = include_str!("../README.md");
        let start = readme
            .find("<!-- settings:start -->\n")
            .expect("README has a settings:start marker");
        let end = readme
            .find("<!-- settings:end -->")
            .expect("README has a settings:end marker");
        assert_eq!(
            &readme[start + "<!-- settings:start -->\n".len()..end],
            settings_table(),
            "README settings table is stale: replace it with `iacfix rules --settings-markdown`"
        );
    }

    #[test]
    fn readme_rule_table_is_current() {
        let readme = include_str!("../README.md");
        let start = readme
            .find("<!-- rules:start -->\n")
            .expect("README has a rules:start marker");
        let end = readme
            .find("<!-- rules:end -->")
            .expect("README has a rules:end marker");
        let table = &readme[start + "<!-- rules:start -->\n".len()..end];
        assert_eq!(
            table,
            rule_table(),
            "README rule table is stale: replace it with `iacfix rules --markdown`"
        );
    }
}
