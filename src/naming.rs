//! Names for what a fix adds: variables that do not clash, in the file's
//! case, and resource names derived from their subject's.

use crate::catalog;
use crate::edit::quote;
use crate::lang::NodeExt;
use crate::model::{Binding, Resource, SourceFile};

impl<'t> SourceFile<'t> {
    /// A fresh variable name based on `base` (already in the language's case).
    pub fn fresh_var(&self, base: &str, taken: &[String]) -> String {
        let mut name = base.to_string();
        let mut n = 2;
        while self.is_declared(&name) || taken.contains(&name) {
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

    /// The resource's name argument with `-suffix` appended, as code: a
    /// literal stays a literal, a template or f-string gets the suffix
    /// inside, any other expression is interpolated.
    pub fn derived_name(&self, res: &Resource<'t>, suffix: &str) -> String {
        let Some(name) = res.name else {
            return quote(suffix, self.style().quote);
        };
        let text = self.text(name);
        let python = self.lang.is_python();
        let closing = text.chars().last().unwrap_or('"');
        let simple = matches!(name.kind_str(), "string" | "template_string")
            && !text.starts_with(['r', 'R', 'b', 'B'])
            && !text.ends_with("\"\"\"")
            && !text.ends_with("'''");
        if simple {
            let body = &text[..text.len() - 1];
            return format!("{body}-{suffix}{closing}");
        }
        if python {
            format!("f\"{{{text}}}-{suffix}\"")
        } else {
            format!("`${{{text}}}-{suffix}`")
        }
    }
}
