//! Literals, comments and operators as the lexer sees them.

use composer_diagnostics::FileId;

use super::check_tokens;
use crate::ast::IntSuffix;
use crate::lex;
use crate::lexer::{InterpolatedPiece, TokenKind};

/// The single token of `src` (before `Eof`) and the diagnostic codes.
fn token(src: &str) -> (TokenKind, Vec<String>) {
    let (tokens, diagnostics) = lex(FileId(0), src);
    assert_eq!(
        tokens.len(),
        2,
        "expected one token in {src:?}, got {tokens:?}"
    );
    (
        tokens[0].kind.clone(),
        diagnostics.iter().map(|d| d.code.to_string()).collect(),
    )
}

fn int(src: &str) -> (u128, IntSuffix) {
    match token(src) {
        (TokenKind::Int { value, suffix, .. }, codes) if codes.is_empty() => (value, suffix),
        other => panic!("{src:?} lexed as {other:?}"),
    }
}

fn float(src: &str) -> (f64, bool) {
    match token(src) {
        (TokenKind::Float { value, is_single }, codes) if codes.is_empty() => (value, is_single),
        other => panic!("{src:?} lexed as {other:?}"),
    }
}

fn string(src: &str) -> String {
    match token(src) {
        (TokenKind::String(s), codes) if codes.is_empty() => s,
        other => panic!("{src:?} lexed as {other:?}"),
    }
}

fn char_lit(src: &str) -> char {
    match token(src) {
        (TokenKind::Char(c), codes) if codes.is_empty() => c,
        other => panic!("{src:?} lexed as {other:?}"),
    }
}

fn bad(src: &str) -> Vec<String> {
    lex(FileId(0), src)
        .1
        .iter()
        .map(|d| d.code.to_string())
        .collect()
}

#[test]
fn integer_suffixes() {
    use IntSuffix as S;
    assert_eq!(int("42"), (42, S::None));
    assert_eq!(int("42y"), (42, S::Y));
    assert_eq!(int("42uy"), (42, S::UY));
    assert_eq!(int("42s"), (42, S::S));
    assert_eq!(int("42us"), (42, S::US));
    assert_eq!(int("42l"), (42, S::L));
    assert_eq!(int("42u"), (42, S::U));
    assert_eq!(int("42ul"), (42, S::U));
    assert_eq!(int("42L"), (42, S::LL));
    assert_eq!(int("42UL"), (42, S::ULL));
    assert_eq!(int("42n"), (42, S::N));
    assert_eq!(int("42un"), (42, S::UN));
}

#[test]
fn integer_bases_and_separators() {
    use IntSuffix as S;
    assert_eq!(int("0x1F"), (31, S::None));
    assert_eq!(int("0XffL"), (255, S::LL));
    assert_eq!(int("0o17"), (15, S::None));
    assert_eq!(int("0b101"), (5, S::None));
    assert_eq!(int("0b1111_0000uy"), (240, S::UY));
    assert_eq!(int("1_000_000"), (1_000_000, S::None));
    assert_eq!(
        int("0xFFFF_FFFF_FFFF_FFFFUL"),
        (u128::from(u64::MAX), S::ULL)
    );
    assert_eq!(
        int("340282366920938463463374607431768211455"),
        (u128::MAX, S::None)
    );
}

#[test]
fn floats() {
    assert_eq!(float("1.0"), (1.0, false));
    assert_eq!(float("1."), (1.0, false));
    assert_eq!(float("1e3"), (1000.0, false));
    assert_eq!(float("1.5e-3"), (0.0015, false));
    assert_eq!(float("2E+2"), (200.0, false));
    assert_eq!(float("2.5f"), (2.5, true));
    assert_eq!(float("2.5F"), (2.5, true));
    assert_eq!(float("1f"), (1.0, true));
    assert_eq!(float("1_000.5"), (1000.5, false));
}

#[test]
fn range_after_integer_is_not_a_float() {
    let out = check_tokens("1..10");
    assert_eq!(
        out,
        "@0..1 Int 1\n@1..3 Punct ..\n@3..5 Int 10\n@5..5 Eof\n"
    );
}

#[test]
fn bad_numeric_literals_are_fs1156() {
    assert_eq!(bad("12abc"), ["FS1156"]);
    assert_eq!(bad("0b102"), ["FS1156"]);
    assert_eq!(bad("0o9"), ["FS1156"]);
    assert_eq!(bad("0x"), ["FS1156"]);
    assert_eq!(bad("1_"), ["FS1156"]);
    assert_eq!(bad("1.5x"), ["FS1156"]);
    assert_eq!(bad("1.5uy"), ["FS1156"]);
    // One more than u128::MAX.
    assert_eq!(bad("340282366920938463463374607431768211456"), ["FS1156"]);
    assert_eq!(
        bad("0x1_0000_0000_0000_0000_0000_0000_0000_0000"),
        ["FS1156"]
    );
}

#[test]
fn unsupported_numeric_suffixes_are_fs9001() {
    assert_eq!(bad("1.5m"), ["FS9001"]);
    assert_eq!(bad("10I"), ["FS9001"]);
}

#[test]
fn char_literals_and_escapes() {
    assert_eq!(char_lit("'a'"), 'a');
    assert_eq!(char_lit("'\\n'"), '\n');
    assert_eq!(char_lit("'\\t'"), '\t');
    assert_eq!(char_lit("'\\r'"), '\r');
    assert_eq!(char_lit("'\\\\'"), '\\');
    assert_eq!(char_lit("'\\''"), '\'');
    assert_eq!(char_lit("'\"'"), '"');
    assert_eq!(char_lit("'\\0'"), '\0');
    assert_eq!(char_lit("'\\u0041'"), 'A');
    assert_eq!(char_lit("'\\U0001F600'"), '\u{1F600}');
    assert_eq!(char_lit("'\\065'"), 'A');
    assert_eq!(char_lit("'é'"), 'é');
}

#[test]
fn bad_char_literals_are_fs1156() {
    assert_eq!(bad("'\\q'"), ["FS1156"]);
    assert_eq!(bad("'\\uD800'"), ["FS1156"]);
    assert_eq!(bad("'\\u12'"), ["FS1156"]);
    assert_eq!(bad("'ab'"), ["FS1156"]);
}

#[test]
fn type_variables_are_not_chars() {
    assert_eq!(token("'a").0, TokenKind::TypeVar("a".into()));
    assert_eq!(token("'T").0, TokenKind::TypeVar("T".into()));
}

#[test]
fn string_escapes() {
    assert_eq!(string(r#""a\nb""#), "a\nb");
    assert_eq!(string(r#""\t\r\\\"\0""#), "\t\r\\\"\0");
    assert_eq!(string(r#""\u0041\U0001F600""#), "A\u{1F600}");
    assert_eq!(string(r#""\b\a\f\v""#), "\u{8}\u{7}\u{c}\u{b}");
    // F# keeps unknown escapes as written.
    assert_eq!(string(r#""\q""#), "\\q");
    assert_eq!(string("\"multi\nline\""), "multi\nline");
    // A backslash at the end of a line skips the line break and the indentation.
    assert_eq!(string("\"a\\\n    b\""), "ab");
}

#[test]
fn verbatim_and_triple_quoted_strings() {
    assert_eq!(string(r#"@"c:\dir\""x""""#), r#"c:\dir\"x""#);
    assert_eq!(string(r#""""say "hi" \n""""#), r#"say "hi" \n"#);
}

#[test]
fn bad_strings_are_fs1156() {
    assert_eq!(bad("\"abc"), ["FS1156"]);
    assert_eq!(bad(r#""\uZZZZ""#), ["FS1156"]);
    assert_eq!(bad("\"\"\"abc"), ["FS1156"]);
}

#[test]
fn interpolated_strings_keep_hole_ranges() {
    let src = r#"$"a {x + 1} b {{c}} {y:N0}""#;
    let (kind, codes) = token(src);
    assert!(codes.is_empty());
    let TokenKind::Interpolated(pieces) = kind else {
        panic!("{kind:?}")
    };
    assert_eq!(
        pieces,
        vec![
            InterpolatedPiece::Text("a ".into()),
            InterpolatedPiece::Hole {
                start: 5,
                end: 10,
                format: None
            },
            InterpolatedPiece::Text(" b {c} ".into()),
            InterpolatedPiece::Hole {
                start: 21,
                end: 22,
                format: Some("N0".into())
            },
        ]
    );
    assert_eq!(&src[5..10], "x + 1");
    assert_eq!(&src[21..22], "y");
}

#[test]
fn interpolated_string_errors_are_fs1156() {
    assert_eq!(bad(r#"$"a } b""#), ["FS1156"]);
    assert_eq!(bad(r#"$"a {x""#), ["FS1156"]);
}

#[test]
fn comments_are_skipped() {
    let out = check_tokens("a // line\n(* block (* nested *) still *) b /// doc\n(*) c");
    insta::assert_snapshot!(out, @r"
    @0..1 Ident a
    @41..42 Ident b
    @51..52 Punct (
    @52..53 Op *
    @53..54 Punct )
    @55..56 Ident c
    @56..56 Eof
    ");
}

#[test]
fn operators_and_punctuation() {
    let out = check_tokens(
        "|> <| >> << ||| &&& ^^^ <<< >>> ~~~ :: <- -> [| |] [< >] .. . ; ;; : = | @ ^ ** <> >= <=",
    );
    insta::assert_snapshot!(out);
}

#[test]
fn unterminated_comment_is_reported() {
    assert_eq!(bad("(* never closed"), ["FS0010"]);
}

#[test]
fn keywords_with_bang() {
    let out = check_tokens("yield! return! let! x");
    insta::assert_snapshot!(out, @r"
    @0..6 Keyword yield!
    @7..14 Keyword return!
    @15..19 Keyword let!
    @20..21 Ident x
    @21..21 Eof
    ");
}
