//! The layout description of a carried state, as the compiler writes it for a
//! compaction point (`crates/lower/src/lower/derive/carried.rs`) and the runtime's
//! evacuation (`compact.rs`) reads it.
//!
//! The text is decimal integers separated by single spaces: a table of *entries*,
//! each a kind followed by its operands, numbered from 0 in order. Entry 0 is the
//! roots' tuple. An operand that names an entry is its number, or -1 for "nothing
//! to do" (a part that holds no region memory).
//!
//! | kind | operands | a value of it is |
//! |---|---|---|
//! | 1 string | | `{ptr, len}` of bytes |
//! | 2 array | elem size align | `{ptr, len}` of `len` elements of `size` bytes |
//! | 3 box | target size align | a pointer to one value of entry `target` |
//! | 4 struct | n, then n × (offset entry) | fields at these offsets |
//! | 5 option | payload_offset entry | a byte tag at 0 (non-zero: `Some`), the payload |
//! | 6 union value | payload_offset n, then n × entry | an `i32` tag at 0, the case's payload |
//! | 7 boxed union | only n, then n × (size align entry) | a pointer to a cell, or a small case number |
//!
//! A boxed union's cell starts with an `i32` tag unless `only` is a case number (the
//! one case with fields, whose cells have no tag); size 0 is a fieldless case. The
//! entries of a cell's fields give offsets from the start of the cell.

/// The kinds, as numbers in the text.
pub const STRING: i64 = 1;
pub const ARRAY: i64 = 2;
pub const BOX: i64 = 3;
pub const STRUCT: i64 = 4;
pub const OPTION: i64 = 5;
pub const UNION_VALUE: i64 = 6;
pub const BOXED_UNION: i64 = 7;

/// What is wrong with a description (a compiler bug: the text is generated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    /// A token that is not a decimal integer.
    Token,
    /// More integers than the buffer holds.
    TooLong,
    /// An unknown kind, an entry cut short, or a reference to no entry.
    Entry,
}

/// Parses the integers of `text` into `words`; answers how many there are.
pub fn parse_words(text: &[u8], words: &mut [i64]) -> Result<usize, Malformed> {
    let mut count = 0;
    for token in text.split(|c| *c == b' ').filter(|t| !t.is_empty()) {
        let (negative, digits) = match token.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, token),
        };
        if digits.is_empty() || digits.len() > 18 {
            return Err(Malformed::Token);
        }
        let mut value: i64 = 0;
        for d in digits {
            if !d.is_ascii_digit() {
                return Err(Malformed::Token);
            }
            value = value * 10 + i64::from(d - b'0');
        }
        let slot = words.get_mut(count).ok_or(Malformed::TooLong)?;
        *slot = if negative { -value } else { value };
        count += 1;
    }
    Ok(count)
}

/// How many words the entry starting at `words[0]` takes.
fn entry_len(words: &[i64]) -> Result<usize, Malformed> {
    let n = |i: usize| -> Result<usize, Malformed> {
        let v = *words.get(i).ok_or(Malformed::Entry)?;
        usize::try_from(v).map_err(|_| Malformed::Entry)
    };
    let len = match words.first().copied() {
        Some(STRING) => 1,
        Some(ARRAY) | Some(BOX) => 4,
        Some(STRUCT) => 2 + 2 * n(1)?,
        Some(OPTION) => 3,
        Some(UNION_VALUE) => 3 + n(2)?,
        Some(BOXED_UNION) => 3 + 3 * n(2)?,
        _ => return Err(Malformed::Entry),
    };
    if len > words.len() {
        return Err(Malformed::Entry);
    }
    Ok(len)
}

/// Finds where each entry of `words` starts, into `starts`; answers how many
/// entries there are, after checking that every reference names one.
pub fn index_entries(words: &[i64], starts: &mut [usize]) -> Result<usize, Malformed> {
    let mut at = 0;
    let mut count = 0;
    while at < words.len() {
        let slot = starts.get_mut(count).ok_or(Malformed::TooLong)?;
        *slot = at;
        count += 1;
        at += entry_len(&words[at..])?;
    }
    for &start in &starts[..count] {
        let e = &words[start..];
        let refs: &mut dyn Iterator<Item = i64> = match e[0] {
            ARRAY | BOX => &mut core::iter::once(e[1]),
            STRUCT => &mut (0..e[1] as usize).map(|i| e[3 + 2 * i]),
            OPTION => &mut core::iter::once(e[2]),
            UNION_VALUE => &mut (0..e[2] as usize).map(|i| e[3 + i]),
            BOXED_UNION => &mut (0..e[2] as usize).map(|i| e[5 + 3 * i]),
            _ => &mut core::iter::empty(),
        };
        for r in refs {
            if r < -1 || r >= count as i64 {
                return Err(Malformed::Entry);
            }
        }
    }
    Ok(count)
}

/// Whether every value the description reaches is immutable once made: it has no
/// array entry and no box entry (ref cells, records with mutable fields). Then
/// nothing can come to point at memory younger than itself, which lets the
/// evacuation copy only what the rounds made since the last compaction
/// (`compact.rs`, minor compactions). `starts` is what `index_entries` found.
pub fn all_immutable(words: &[i64], starts: &[usize]) -> bool {
    starts
        .iter()
        .all(|&s| !matches!(words.get(s), Some(&ARRAY) | Some(&BOX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_strings_parses_and_indexes() {
        // roots: one list; the list: tagless cells of {string, list}.
        let text = b"4 1 0 1 7 1 2 0 0 -1 24 8 2 4 2 0 3 16 1 1";
        let mut words = [0i64; 32];
        let n = parse_words(text, &mut words).unwrap();
        assert_eq!(n, 20);
        let mut starts = [0usize; 8];
        let entries = index_entries(&words[..n], &mut starts).unwrap();
        assert_eq!(entries, 4);
        assert_eq!(&starts[..4], &[0, 4, 13, 19]);
        assert!(all_immutable(&words[..n], &starts[..entries]));
    }

    #[test]
    fn arrays_and_boxes_are_mutable() {
        // roots: one array of strings; then one ref cell of an int list.
        for (text, entries) in [
            (&b"4 1 0 1 2 2 16 8 1"[..], 3),
            (&b"4 1 0 1 3 -1 8 8"[..], 2),
        ] {
            let mut words = [0i64; 16];
            let n = parse_words(text, &mut words).unwrap();
            let mut starts = [0usize; 8];
            assert_eq!(index_entries(&words[..n], &mut starts), Ok(entries));
            assert!(!all_immutable(&words[..n], &starts[..entries]));
        }
    }

    #[test]
    fn bad_descriptions_are_refused() {
        let mut words = [0i64; 8];
        assert_eq!(parse_words(b"1 x", &mut words), Err(Malformed::Token));
        assert_eq!(
            parse_words(b"1 2 3 4 5 6 7 8 9", &mut words),
            Err(Malformed::TooLong)
        );
        let mut starts = [0usize; 4];
        // A struct naming entry 5 of a table of one.
        let n = parse_words(b"4 1 0 5", &mut words).unwrap();
        assert_eq!(
            index_entries(&words[..n], &mut starts),
            Err(Malformed::Entry)
        );
        // An unknown kind, and an entry cut short.
        let n = parse_words(b"9", &mut words).unwrap();
        assert_eq!(
            index_entries(&words[..n], &mut starts),
            Err(Malformed::Entry)
        );
        let n = parse_words(b"2 0", &mut words).unwrap();
        assert_eq!(
            index_entries(&words[..n], &mut starts),
            Err(Malformed::Entry)
        );
    }
}
