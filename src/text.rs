//! Text utilities that know nothing of programs or rules.

use std::borrow::Cow;

/// How a file breaks its lines: `\n`, `\r\n` or a lone `\r` (old Mac
/// files; a line break to Python and to JavaScript alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    Lf,
    CrLf,
    Cr,
}

impl LineEnding {
    /// The ending most of `text`'s line breaks use; `\n` when it has none,
    /// and on a tie the first of `\n`, `\r\n`, `\r`.
    pub fn of(text: &str) -> LineEnding {
        let [lf, crlf, cr] = line_breaks(text);
        if lf >= crlf && lf >= cr {
            LineEnding::Lf
        } else if crlf >= cr {
            LineEnding::CrLf
        } else {
            LineEnding::Cr
        }
    }

    /// How the README and messages name it.
    pub fn name(self) -> &'static str {
        match self {
            LineEnding::Lf => "LF",
            LineEnding::CrLf => "CRLF",
            LineEnding::Cr => "CR",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
            LineEnding::Cr => "\r",
        }
    }

    /// `text`, written with `\n` line breaks, with each `\n` that does not
    /// already end a `\r\n` written in this ending. Only raw line breaks
    /// change: an escaped `\n` in a string literal is two other characters,
    /// and a line break inside a string literal or template reads as `\n`
    /// in either language whatever its ending.
    pub fn apply(self, text: &str) -> Cow<'_, str> {
        if self == LineEnding::Lf || !text.contains('\n') {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() + text.len() / 8);
        let mut prev = '\0';
        for c in text.chars() {
            if c == '\n' && prev != '\r' {
                out.push_str(self.as_str());
            } else {
                out.push(c);
            }
            prev = c;
        }
        Cow::Owned(out)
    }
}

/// How many line breaks of each ending `text` has: `\n`, `\r\n`, `\r`.
pub fn line_breaks(text: &str) -> [usize; 3] {
    let bytes = text.as_bytes();
    if !bytes.contains(&b'\r') {
        return [bytes.iter().filter(|&&b| b == b'\n').count(), 0, 0];
    }
    let mut counts = [0; 3];
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\n' if i > 0 && bytes[i - 1] == b'\r' => counts[1] += 1,
            b'\n' => counts[0] += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => counts[2] += 1,
            _ => {}
        }
    }
    counts
}

/// A text with every line break written `\n` (`\r\n` and a lone `\r`,
/// an old Mac line break, alike): the text as the parser and the rules
/// read it, whatever the file's line ending, and the way back to the
/// file's offsets.
pub struct LfText<'a> {
    pub text: Cow<'a, str>,
    /// Where the `\r` of each `\r\n` was: the offset, in `text`, of its
    /// `\n`.
    dropped: Vec<usize>,
}

impl<'a> LfText<'a> {
    pub fn new(original: &'a str) -> LfText<'a> {
        let bytes = original.as_bytes();
        if !bytes.contains(&b'\r') {
            return LfText {
                text: Cow::Borrowed(original),
                dropped: Vec::new(),
            };
        }
        let mut out = Vec::with_capacity(bytes.len());
        let mut dropped = Vec::new();
        for (i, &b) in bytes.iter().enumerate() {
            if b != b'\r' {
                out.push(b);
            } else if bytes.get(i + 1) == Some(&b'\n') {
                dropped.push(out.len());
            } else {
                out.push(b'\n');
            }
        }
        LfText {
            // Only ASCII bytes were replaced or dropped.
            text: Cow::Owned(String::from_utf8(out).expect("still UTF-8")),
            dropped,
        }
    }

    /// The offset in the original text of `offset` in this one: at the
    /// `\n` of a `\r\n`, before its `\r` (where a line's text ends).
    pub fn original(&self, offset: usize) -> usize {
        offset + self.dropped.partition_point(|&d| d < offset)
    }
}

/// `; did you mean `x`?` for the known word closest to `word`, if any is
/// close.
pub fn suggest(word: &str, known: &[&str]) -> String {
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

    #[test]
    fn suggests_only_close_words() {
        assert_eq!(
            suggest("selct", &["select", "ignore"]),
            " (did you mean `select`?)"
        );
        assert_eq!(suggest("owner", &["select", "ignore"]), "");
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn line_endings() {
        assert_eq!(LineEnding::of("a\nb"), LineEnding::Lf);
        assert_eq!(LineEnding::of("a"), LineEnding::Lf);
        assert_eq!(LineEnding::of("a\r\nb\r\nc\n"), LineEnding::CrLf);
        assert_eq!(LineEnding::of("a\rb\rc\r\n"), LineEnding::Cr);
        assert_eq!(LineEnding::of("a\rb\n"), LineEnding::Lf);
        assert_eq!(LineEnding::CrLf.apply("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n");
        assert_eq!(LineEnding::Cr.apply("a\n\"\\n\"\n"), "a\r\"\\n\"\r");
        assert_eq!(LineEnding::Lf.apply("a\nb"), "a\nb");
        assert_eq!(line_breaks("a\r\nb\rc\n\r\n\r"), [1, 2, 2]);
        assert!(matches!(LfText::new("a\nb").text, Cow::Borrowed(_)));
        let lf = LfText::new("ab\r\ncd\re\r\n");
        assert_eq!(lf.text, "ab\ncd\ne\n");
        let back: Vec<usize> = (0..=lf.text.len()).map(|i| lf.original(i)).collect();
        assert_eq!(back, [0, 1, 2, 4, 5, 6, 7, 8, 10]);
    }
}
