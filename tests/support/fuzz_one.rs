//! The property the fuzzer checks, shared by the fuzz target
//! (fuzz/fuzz_targets/fix.rs) and the regression test
//! (tests/fuzz_regressions.rs): arbitrary bytes go through what iacfix does
//! to one file: the content checks of discovery (provider prefilter,
//! binary, UTF-8), parsing, and fixing with every rule and unsafe fixes on.
//! The first byte picks the language (0 TypeScript, 1 TSX, 2 Python, modulo
//! 3). It must never panic or fail to converge; when the input parses
//! cleanly, no fix may be dropped for breaking syntax, the output must parse
//! cleanly, and a second run must change nothing.

use iacfix::engine::{self, Mode, Options};
use iacfix::files::{self, Read};
use iacfix::fixers;
use iacfix::lang::{self, Lang};
use iacfix::rules::Selection;
/// Checks one input; panics on any violation.
pub fn fuzz_one(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let lang = match selector % 3 {
        0 => Lang::TypeScript,
        1 => Lang::Tsx,
        _ => Lang::Python,
    };
    // Discovery's checks on the bytes; texts that name no provider are
    // still fixed below, to reach the engine with more shapes.
    let text = match files::decode(rest.to_vec()) {
        Ok(Read::Text(text)) => text,
        Ok(Read::Skipped) => match std::str::from_utf8(rest) {
            Ok(text) => text.to_string(),
            Err(_) => return,
        },
        Err(_) => return,
    };
    let selection = Selection::new(fixers::ALL, &["ALL".to_string()], &[]).expect("ALL selects");
    let options = Options {
        mode: Mode::Fix,
        unsafe_fixes: true,
    };
    let outcome = match engine::run(&text, lang, &selection, options) {
        Ok(outcome) => outcome,
        Err(why) => {
            assert!(!why.contains("did not converge"), "{why}");
            return;
        }
    };
    assert!(
        outcome.dropped.is_empty(),
        "a fix would have broken the syntax: {:?}",
        outcome.dropped
    );
    if let Some(fixed) = &outcome.fixed {
        let tree = lang::parse(lang, fixed);
        assert!(
            lang::first_syntax_error(&tree).is_none(),
            "the fixed text does not parse"
        );
        let again =
            engine::run(fixed, lang, &selection, options).expect("the fixed text is refused");
        assert!(
            again.fixed.is_none(),
            "a second run changes the fixed text again"
        );
    }
}
