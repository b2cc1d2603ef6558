//! The property the fuzzer checks, shared by the fuzz target
//! (fuzz/fuzz_targets/fix.rs) and the regression test
//! (tests/fuzz_regressions.rs): arbitrary bytes go through what iacfix does
//! to one file: the content checks of discovery (provider prefilter,
//! binary, UTF-8), parsing, and fixing with every rule and unsafe fixes on.
//! The first byte picks the language (0 TypeScript, 1 TSX, 2 Python, modulo
//! 3) and the line ending the rest is given in (divided by 3, modulo 3: 0 as
//! it is, 1 every `\n` written `\r\n`, 2 written `\r`, as old Mac files
//! do). It must never panic or fail to converge; when the input parses
//! cleanly, no fix may be dropped for breaking syntax, the output must parse
//! cleanly, and a second run must change nothing; a file whose line breaks
//! are all of one kind keeps them so. Given in CRLF or CR, a text without
//! `\r` of its own must be read and fixed as it is with `\n` (the same
//! findings at the same lines, the same fixes in its line ending, the same
//! syntax error at the same place).

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
    let ending = match (selector / 3) % 3 {
        0 => None,
        1 => Some("\r\n"),
        _ => Some("\r"),
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
    let (text, lf) = match ending {
        Some(ending) => (text.replace('\n', ending), Some((ending, text))),
        None => (text, None),
    };
    let result = engine::run(&text, lang, &selection, options);
    if let Some((ending, lf)) = lf.filter(|(_, lf)| !lf.contains('\r')) {
        same_as_with_lf(
            &result,
            &engine::run(&lf, lang, &selection, options),
            ending,
        );
    }
    let outcome = match result {
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
        // As the engine reads it: every line break a `\n`.
        let tree = lang::parse(lang, &iacfix::text::LfText::new(fixed).text);
        assert!(
            lang::first_syntax_error(&tree).is_none(),
            "the fixed text does not parse"
        );
        let (before, after) = (breaks(&text), breaks(fixed));
        if before.iter().filter(|&&n| n > 0).count() == 1 {
            assert!(
                (0..3).all(|i| before[i] > 0 || after[i] == 0),
                "the fixed text mixes line endings: {before:?} line breaks became {after:?}"
            );
        }
        let again =
            engine::run(fixed, lang, &selection, options).expect("the fixed text is refused");
        assert!(
            again.fixed.is_none(),
            "a second run changes the fixed text again"
        );
    }
}

/// How many line breaks `text` has of each kind: `\n`, `\r\n`, lone `\r`.
fn breaks(text: &str) -> [usize; 3] {
    let crlf = text.matches("\r\n").count();
    [
        text.matches('\n').count() - crlf,
        crlf,
        text.matches('\r').count() - crlf,
    ]
}

/// A text given with `ending` line breaks is read and fixed as it is with
/// `\n` ones: `crlf` is its outcome, `lf` the outcome of the text with `\n`.
fn same_as_with_lf(
    ended: &Result<engine::Outcome, String>,
    lf: &Result<engine::Outcome, String>,
    ending: &str,
) {
    match (ended, lf) {
        (Ok(e), Ok(l)) => {
            let findings = |o: &engine::Outcome| -> Vec<(usize, usize, &str, bool)> {
                o.findings
                    .iter()
                    .map(|f| {
                        let applied = f.fix.as_ref().is_some_and(|x| x.applied);
                        (f.start.0, f.start.1, f.code, applied)
                    })
                    .collect()
            };
            assert_eq!(findings(e), findings(l), "findings differ with {ending:?}");
            let l_fixed = l.fixed.as_ref().map(|t| t.replace('\n', ending));
            assert!(e.fixed == l_fixed, "fixed differently with {ending:?}");
        }
        (Err(e), Err(l)) => assert_eq!(e, l, "refused differently with {ending:?}"),
        (e, l) => panic!(
            "with {ending:?}: {:?}; with \\n: {:?}",
            e.as_ref().err(),
            l.as_ref().err()
        ),
    }
}
