//! Names for what a fix adds: variables that do not clash, in the file's
//! case, and resource names derived from their subject's.

use crate::catalog;
use crate::edit::quote;
use crate::lang::NodeExt;
use crate::layout::CdktfLayout;
use crate::model::{Binding, Framework, Resource, SourceFile};

impl<'t> SourceFile<'t> {
    /// A fresh variable name based on `base` (already in the language's case).
    pub fn fresh_var(&self, base: &str, taken: &[String]) -> String {
        // in bindings reached through namespaces, a namespace a new class
        // needs (`cloudtrail.Cloudtrail`) may be imported by the same fix
        let cdktf = self
            .flavor
            .is_some_and(|f| f.framework() == Framework::Cdktf);
        let layout = if cdktf {
            self.cdktf_layout().ok()
        } else {
            None
        };
        let reserved = |name: &str| match &layout {
            Some(
                CdktfLayout::Namespaces { services: true, .. } | CdktfLayout::CapitalNamespaces(_),
            ) => catalog::CDKTF_SERVICE_NAMES.contains(&name.to_ascii_lowercase().as_str()),
            Some(CdktfLayout::Namespaces {
                services: false, ..
            }) => catalog::TYPES.iter().any(|r| {
                let module = catalog::cdktf_module(r.tf_type);
                name == module || name == catalog::camel_case(&module)
            }),
            _ => false,
        };
        let mut name = base.to_string();
        let mut n = 2;
        while self.is_declared(&name)
            || self.imports_name(&name)
            || taken.contains(&name)
            || reserved(&name)
        {
            name = format!("{base}{n}");
            n += 1;
        }
        name
    }

    /// A variable name in the file's language from snake_case words.
    pub fn var_name(&self, snake: &str) -> String {
        if self.lang.is_python() {
            snake.to_string()
        } else {
            catalog::camel_case(snake)
        }
    }

    /// The words a resource is known by, snake_case: its variable, else its
    /// literal name, else `fallback`.
    pub fn base_words(&self, res: &Resource<'t>, fallback: &str) -> String {
        let from = match &res.binding {
            Binding::Variable(v) => v.clone(),
            Binding::Attribute(a) => a.rsplit('.').next().unwrap_or(a).to_string(),
            Binding::Unbound => {
                match res
                    .name
                    .map(|n| self.literal(crate::model::Val { node: n }))
                {
                    Some(crate::model::Scalar::Str(s)) => s,
                    _ => fallback.to_string(),
                }
            }
        };
        let snake: String = catalog::snake_case(&from)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let snake = snake.trim_matches('_').to_string();
        if snake.is_empty() || snake.starts_with(|c: char| c.is_ascii_digit()) {
            fallback.to_string()
        } else {
            snake
        }
    }

    /// The resource's name argument with `suffix` (kebab-case words)
    /// appended in the name's own style (`web-ssm-role`, `web_ssm_role`,
    /// `WebSsmRole`), as code: a literal stays a literal, a template or
    /// f-string gets the suffix inside, any other expression is
    /// interpolated (in the style of the file's literal names).
    pub fn derived_name(&self, res: &Resource<'t>, suffix: &str) -> String {
        let Some(name) = res.name else {
            return quote(&self.name_style().name(suffix), self.style().quote);
        };
        let text = self.text(name);
        let python = self.lang.is_python();
        let closing = text.chars().last().unwrap_or('"');
        let simple = matches!(name.kind_str(), "string" | "template_string")
            && !text.starts_with(['r', 'R', 'b', 'B'])
            && !text.ends_with("\"\"\"")
            && !text.ends_with("\'\'\'");
        if simple {
            let body = &text[..text.len() - 1];
            // the style of the name's own words (outside interpolations)
            let words: String = strip_interpolations(&body[1..]);
            let style = NameStyle::of(&words).unwrap_or_else(|| self.name_style());
            return format!("{body}{}{closing}", style.suffix(suffix));
        }
        let suffix = self.name_style().suffix(suffix);
        if python {
            format!("f\"{{{text}}}{suffix}\"")
        } else {
            format!("`${{{text}}}{suffix}`")
        }
    }

    /// How the file's literal resource names are written: the style most of
    /// them share (kebab-case when they agree on none).
    pub fn name_style(&self) -> NameStyle {
        /// The memo of the style.
        struct Memo(NameStyle);
        self.memo(|| {
            let mut counts = [0usize; 4];
            for res in &self.resources {
                let Some(name) = res.name else { continue };
                if let crate::model::Scalar::Str(s) = self.literal(crate::model::Val { node: name })
                {
                    if let Some(style) = NameStyle::of(&s) {
                        counts[style as usize] += 1;
                    }
                }
            }
            let best = (0..4)
                .max_by_key(|i| (counts[*i], usize::from(*i == 0)))
                .unwrap_or(0);
            Memo(if counts[best] == 0 {
                NameStyle::Kebab
            } else {
                NameStyle::ALL[best]
            })
        })
        .0
    }
}

/// A name's text without its `${...}` / `{...}` interpolations.
fn strip_interpolations(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '$' if depth == 0 => {}
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// How resource names are written: `web-logs`, `web_logs`, `WebLogs`,
/// `webLogs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameStyle {
    Kebab = 0,
    Snake = 1,
    Pascal = 2,
    Camel = 3,
}

impl NameStyle {
    const ALL: [NameStyle; 4] = [
        NameStyle::Kebab,
        NameStyle::Snake,
        NameStyle::Pascal,
        NameStyle::Camel,
    ];

    /// The style a name is written in; None when one word cannot tell
    /// (`web`, `logs`).
    pub fn of(name: &str) -> Option<NameStyle> {
        let letters = name.chars().filter(|c| c.is_ascii_alphabetic()).count();
        if letters == 0 {
            return None;
        }
        if name.contains('-') {
            return Some(NameStyle::Kebab);
        }
        if name.contains('_') {
            return Some(NameStyle::Snake);
        }
        if name.contains(|c: char| !c.is_ascii_alphanumeric()) {
            return None; // dots, spaces, slashes: no style to follow
        }
        let upper_inside = name.chars().skip(1).any(|c| c.is_ascii_uppercase());
        let lower = name.chars().any(|c| c.is_ascii_lowercase());
        match (
            name.starts_with(|c: char| c.is_ascii_uppercase()),
            upper_inside && lower,
        ) {
            (true, _) if lower => Some(NameStyle::Pascal),
            (false, true) => Some(NameStyle::Camel),
            _ => None,
        }
    }

    /// A whole name from kebab-case words.
    pub fn name(self, kebab: &str) -> String {
        match self {
            NameStyle::Kebab => kebab.to_string(),
            NameStyle::Snake => kebab.replace('-', "_"),
            NameStyle::Pascal => catalog::pascal_case(&kebab.replace('-', "_")),
            NameStyle::Camel => catalog::camel_case(&kebab.replace('-', "_")),
        }
    }

    /// What follows a name to add kebab-case words to it.
    pub fn suffix(self, kebab: &str) -> String {
        match self {
            NameStyle::Kebab => format!("-{kebab}"),
            NameStyle::Snake => format!("_{}", kebab.replace('-', "_")),
            NameStyle::Pascal | NameStyle::Camel => catalog::pascal_case(&kebab.replace('-', "_")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::NameStyle;

    #[test]
    fn names_keep_their_style() {
        let of = NameStyle::of;
        assert_eq!(of("web-logs"), Some(NameStyle::Kebab));
        assert_eq!(of("web_logs"), Some(NameStyle::Snake));
        assert_eq!(of("WebLogs"), Some(NameStyle::Pascal));
        assert_eq!(of("webLogs"), Some(NameStyle::Camel));
        assert_eq!(of("web"), None);
        assert_eq!(of("Web"), Some(NameStyle::Pascal));
        assert_eq!(of("WEB"), None);
        assert_eq!(of("web.logs"), None);
        assert_eq!(NameStyle::Snake.suffix("ssm-role"), "_ssm_role");
        assert_eq!(NameStyle::Pascal.suffix("ssm-role"), "SsmRole");
        assert_eq!(NameStyle::Camel.name("cloudtrail-logs"), "cloudtrailLogs");
        assert_eq!(NameStyle::Kebab.suffix("pab"), "-pab");
    }
}
