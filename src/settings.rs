//! Rule settings, held for a file without knowing any rule. Each rule that
//! has settings owns a values type (its catalog defaults included) and the
//! `[rules.CODE]` keys that set it; `Settings` keeps the values a
//! configuration changed, and gives every other rule its defaults.

use crate::text::suggest;
use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::fmt::Debug;
use std::sync::Arc;
use toml_edit::Item;

/// Text in settings: the catalog's values are borrowed, a file's are owned.
pub type Text = Cow<'static, str>;

/// The values of one rule's settings.
pub trait RuleSettings: Any + Send + Sync + Debug + Clone + PartialEq {
    /// The catalog's values.
    fn defaults() -> &'static Self;
}

/// A rule's values, with their type erased.
trait Values: Any + Send + Sync + Debug {
    fn as_any(&self) -> &dyn Any;
    fn equals(&self, other: &dyn Values) -> bool;
    fn is_default(&self) -> bool;
}

impl<T: RuleSettings> Values for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn equals(&self, other: &dyn Values) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }

    fn is_default(&self) -> bool {
        self == T::defaults()
    }
}

/// The rules' settings in force for a file: the catalog's values, except
/// those its configuration sets.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    set: Vec<(TypeId, Arc<dyn Values>)>,
}

impl Settings {
    /// The catalog's values for every rule.
    pub const CATALOG: Settings = Settings { set: Vec::new() };

    /// The values of the rule whose settings are `T`.
    pub fn get<T: RuleSettings>(&self) -> &T {
        self.set
            .iter()
            .find(|(id, _)| *id == TypeId::of::<T>())
            .and_then(|(_, v)| v.as_any().downcast_ref::<T>())
            .unwrap_or_else(|| T::defaults())
    }

    /// Changes the values of the rule whose settings are `T`.
    pub fn update<T: RuleSettings>(&mut self, change: impl FnOnce(&mut T)) {
        let mut value = self.get::<T>().clone();
        change(&mut value);
        self.set.retain(|(id, _)| *id != TypeId::of::<T>());
        self.set.push((TypeId::of::<T>(), Arc::new(value)));
    }
}

impl PartialEq for Settings {
    /// Equal when every rule's values are: one that only one side sets
    /// must hold the defaults.
    fn eq(&self, other: &Settings) -> bool {
        let covered = |a: &Settings, b: &Settings| {
            a.set.iter().all(
                |(id, v)| match b.set.iter().find(|(other, _)| other == id) {
                    Some((_, w)) => v.equals(w.as_ref()),
                    None => v.is_default(),
                },
            )
        };
        covered(self, other) && covered(other, self)
    }
}

/// Reads one setting's value into the settings, or says what is wrong
/// (an empty string: only that it is not what `help` describes).
pub type Reader = fn(&Item, &mut Settings) -> Result<(), String>;

/// One `[rules.CODE]` key of a rule: what it means and how it is read.
pub struct Setting {
    pub key: &'static str,
    /// What it means and the values it accepts, for errors and docs.
    pub help: &'static str,
    /// The catalog's value, as TOML.
    pub default: &'static str,
    pub read: Reader,
}

/// A whole number from `lo` to `hi`.
pub fn int(v: &Item, lo: i64, hi: i64) -> Result<i64, String> {
    v.as_integer()
        .filter(|n| (lo..=hi).contains(n))
        .ok_or_else(String::new)
}

/// A non-empty string.
pub fn word(v: &Item) -> Result<Text, String> {
    match v.as_str() {
        Some(s) if !s.trim().is_empty() => Ok(Cow::Owned(s.to_string())),
        _ => Err(String::new()),
    }
}

/// A non-empty list of non-empty strings.
pub fn words(v: &Item) -> Result<Vec<Text>, String> {
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

/// The keys of an inline table, each one of `known`; else what is wrong.
pub fn table_keys<'a>(
    keys: impl Iterator<Item = &'a str>,
    known: &[&str],
    what: &str,
) -> Result<(), String> {
    for key in keys {
        if !known.contains(&key) {
            return Err(format!(
                "unknown key `{key}`{} in {what}",
                suggest(key, known)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Sizes {
        min: i64,
    }

    static SIZES: Sizes = Sizes { min: 30 };

    impl RuleSettings for Sizes {
        fn defaults() -> &'static Sizes {
            &SIZES
        }
    }

    #[test]
    fn values_are_the_defaults_until_updated() {
        let mut s = Settings::default();
        assert_eq!(s.get::<Sizes>().min, 30);
        assert_eq!(s, Settings::default());
        s.update::<Sizes>(|v| v.min = 50);
        assert_eq!(s.get::<Sizes>().min, 50);
        assert_ne!(s, Settings::default());
        let copy = s.clone();
        s.update::<Sizes>(|v| v.min = 30);
        assert_eq!(s, Settings::default(), "set back to the defaults");
        assert_eq!(copy.get::<Sizes>().min, 50, "a copy keeps its values");
    }
}
