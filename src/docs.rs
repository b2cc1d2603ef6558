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

/// The page `iacfix rules CODE` prints.
pub fn rule_page(m: &Meta) -> String {
    format!(
        "# {} {}\n\n{}\n\nFix: {}. On by default: {}.\n\n{}",
        m.code,
        m.name,
        m.summary,
        m.fix,
        if m.default_on { "yes" } else { "no" },
        m.docs()
    )
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
