//! Text comparisons with .NET's semantics over UTF-8 strings.

/// .NET `String.CompareOrdinal` (F# `compare` on strings) of two UTF-8 strings:
/// the difference of the first UTF-16 code units that differ, else the
/// difference of the lengths in UTF-16 code units. Byte order and UTF-16 order
/// differ only past U+FFFF, so the common prefix is skipped byte-wise and only the
/// rest is compared in UTF-16.
pub fn compare_ordinal(a: &[u8], b: &[u8]) -> i32 {
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    // Back to the start of the character the first difference is in (the bytes
    // before it are the same in both).
    let continuation = |s: &[u8], i: usize| s.get(i).is_some_and(|c| c & 0xC0 == 0x80);
    let mut start = common;
    while start > 0 && (continuation(a, start) || continuation(b, start)) {
        start -= 1;
    }
    let (Ok(a), Ok(b)) = (
        core::str::from_utf8(&a[start..]),
        core::str::from_utf8(&b[start..]),
    ) else {
        // Not UTF-8 (a string made from bytes): byte order, as a difference.
        let x = a.get(common).map_or(-1, |&c| i32::from(c));
        let y = b.get(common).map_or(-1, |&c| i32::from(c));
        return if x == y { 0 } else { x - y };
    };
    let (mut x, mut y) = (a.encode_utf16(), b.encode_utf16());
    loop {
        match (x.next(), y.next()) {
            (Some(p), Some(q)) if p == q => {}
            (Some(p), Some(q)) => return i32::from(p) - i32::from(q),
            (None, None) => return 0,
            (Some(_), None) => return 1 + x.count() as i32,
            (None, Some(_)) => return -1 - y.count() as i32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::compare_ordinal;

    fn cmp(a: &str, b: &str) -> i32 {
        compare_ordinal(a.as_bytes(), b.as_bytes())
    }

    #[test]
    fn as_dotnet_compare_ordinal() {
        assert_eq!(cmp("a", "c"), -2);
        assert_eq!(cmp("c", "a"), 2);
        assert_eq!(cmp("abc", "abc"), 0);
        assert_eq!(cmp("ab", "abcd"), -2, "a prefix: the length difference");
        assert_eq!(cmp("abcd", "a"), 3);
        assert_eq!(cmp("", ""), 0);
        assert_eq!(cmp("B", "a"), i32::from(b'B') - i32::from(b'a'));
        // é (U+00E9) against e: code unit difference.
        assert_eq!(cmp("é", "e"), 0xE9 - 0x65);
        // U+1F600 is the surrogate pair D83D DE00 in UTF-16, below U+FF5E (a
        // full-width tilde), though its UTF-8 bytes are above.
        assert_eq!(cmp("😀", "～"), 0xD83D - 0xFF5E);
        assert_eq!(cmp("x😀", "x😁"), 0xDE00 - 0xDE01);
        // Lengths are counted in UTF-16 code units: the emoji counts two.
        assert_eq!(cmp("a😀", "a"), 2);
    }
}
