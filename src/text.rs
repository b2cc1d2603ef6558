//! Text utilities that know nothing of programs or rules.

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
}
