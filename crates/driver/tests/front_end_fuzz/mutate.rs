//! Token-level mutations of real programs. Each mutation re-lexes the current text and
//! edits it at token boundaries, so the result stays close to Clef and reaches the
//! checker and lowering far more often than random text does.

use composer_diagnostics::FileId;
use composer_syntax::{lex, Keyword, TokenKind};
use proptest::prelude::*;

/// One edit. The indices are taken modulo whatever they index (tokens, lines, the
/// tables below), so every mutation applies to every program.
#[derive(Debug, Clone)]
pub enum Mutation {
    DeleteToken(usize),
    DuplicateToken(usize),
    /// Swaps token `i` with the one `1 + distance % 4` tokens later.
    SwapTokens(usize, usize),
    /// Replaces identifier `i` with another identifier of the same program.
    ReplaceIdentifier(usize, usize),
    /// Replaces literal `i` with [`LITERALS`]`[j]`.
    ReplaceLiteral(usize, usize),
    /// Replaces literal `i` with one of the same kind from [`LITERALS`] (an integer with
    /// an integer): the program often still checks and goes on to lowering.
    ReplaceLiteralSameKind(usize, usize),
    /// Inserts [`PIECES`]`[j]` before token `i`.
    Insert(usize, usize),
    /// Adds or removes indentation on one line.
    Reindent(usize, Indent),
    DuplicateLine(usize, usize),
    DeleteLine(usize),
    /// Cuts the program after token `i`.
    Truncate(usize),
}

#[derive(Debug, Clone, Copy)]
pub enum Indent {
    RemoveOne,
    RemoveFour,
    AddOne,
    AddFour,
    AddTab,
}

/// Literals of every kind, including out-of-range and odd ones.
const LITERALS: &[&str] = &[
    "0",
    "1",
    "-1",
    "42",
    "2147483647",
    "2147483648",
    "-2147483648",
    "9223372036854775807L",
    "9223372036854775808L",
    "0x7FFFFFFF",
    "0xFFFFFFFFFFFFFFFFUL",
    "0b1011",
    "0o17",
    "255uy",
    "256uy",
    "-128y",
    "65535us",
    "1u",
    "1UL",
    "1.5",
    "0.0",
    "-0.0",
    "1e308",
    "1e309",
    "1.0f",
    "nan",
    "infinity",
    "'a'",
    "'\\n'",
    "'\\u00e9'",
    "\"\"",
    "\"a\\tb\"",
    "\"%d\"",
    "\"%s %d %f\"",
    "\"%A\"",
    "$\"{1}\"",
    "$\"{x} {y:N2}\"",
    "$\"{\"",
    "\"\"\"triple\"\"\"",
    "@\"verbatim\\\"",
    "true",
    "false",
    "()",
    "[]",
    "[||]",
    "None",
    "3.0<m>",
    "1<_>",
];

/// Keywords, operators, brackets and layout that can be inserted anywhere.
const PIECES: &[&str] = &[
    "let",
    "let rec",
    "let mutable",
    "in",
    "if",
    "then",
    "else",
    "elif",
    "match",
    "with",
    "|",
    "->",
    "fun",
    "function",
    "(",
    ")",
    "[",
    "]",
    "[|",
    "|]",
    "{",
    "}",
    "{|",
    "|}",
    ";",
    ",",
    ":",
    "::",
    ".",
    "..",
    "=",
    "<-",
    "+",
    "-",
    "*",
    "/",
    "%",
    "**",
    "&&",
    "||",
    "|>",
    "<|",
    ">>",
    "<<",
    "<",
    ">",
    "<>",
    "<=",
    "not",
    "and",
    "type",
    "module",
    "open",
    "while",
    "do",
    "done",
    "for",
    "to",
    "downto",
    "yield",
    "yield!",
    "seq",
    "lazy",
    "when",
    "as",
    "_",
    "null",
    "begin",
    "end",
    "try",
    "finally",
    "member",
    "static",
    "inline",
    "private",
    "of",
    "new",
    "struct",
    "use",
    "return",
    "[<EntryPoint>]",
    "[<Struct>]",
    "[<Measure>]",
    "!",
    "&",
    "^",
    "@",
    "'a",
    "'T",
    "int",
    "string",
    "float",
    "unit",
    "list",
    "option",
    "array",
    "seq<int>",
    "int -> int",
    "fun x -> x",
    "ignore",
    "failwith \"x\"",
    "printfn \"%d\"",
    "id",
    "Some",
    "Ok",
    "Error",
    "\n",
    "\n    ",
    "\n        ",
    "(*",
    "*)",
    "//",
    "\"",
    "#",
    "'",
    "`",
];

pub fn mutation() -> impl Strategy<Value = Mutation> {
    let index = || any::<usize>();
    let indent = prop_oneof![
        Just(Indent::RemoveOne),
        Just(Indent::RemoveFour),
        Just(Indent::AddOne),
        Just(Indent::AddFour),
        Just(Indent::AddTab),
    ];
    prop_oneof![
        3 => index().prop_map(Mutation::DeleteToken),
        2 => index().prop_map(Mutation::DuplicateToken),
        2 => (index(), index()).prop_map(|(i, d)| Mutation::SwapTokens(i, d)),
        4 => (index(), index()).prop_map(|(i, j)| Mutation::ReplaceIdentifier(i, j)),
        2 => (index(), index()).prop_map(|(i, j)| Mutation::ReplaceLiteral(i, j)),
        3 => (index(), index()).prop_map(|(i, j)| Mutation::ReplaceLiteralSameKind(i, j)),
        4 => (index(), index()).prop_map(|(i, j)| Mutation::Insert(i, j)),
        2 => (index(), indent).prop_map(|(i, k)| Mutation::Reindent(i, k)),
        1 => (index(), index()).prop_map(|(i, j)| Mutation::DuplicateLine(i, j)),
        1 => index().prop_map(Mutation::DeleteLine),
        1 => index().prop_map(Mutation::Truncate),
    ]
}

/// A token as a byte range of the text, and what kind it is.
struct Piece {
    start: usize,
    end: usize,
    kind: TokenKind,
}

fn pieces(text: &str) -> Vec<Piece> {
    let (tokens, _) = lex(FileId(0), text);
    tokens
        .into_iter()
        .filter(|t| {
            !matches!(
                t.kind,
                TokenKind::Eof | TokenKind::BlockSep | TokenKind::BlockEnd
            )
        })
        .map(|t| Piece {
            start: t.span.start as usize,
            end: t.span.end as usize,
            kind: t.kind,
        })
        .filter(|p| p.start <= p.end && p.end <= text.len())
        .collect()
}

fn is_literal(kind: &TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Int { .. }
            | TokenKind::Float { .. }
            | TokenKind::Char(_)
            | TokenKind::String(_)
            | TokenKind::Interpolated(_)
            | TokenKind::Keyword(Keyword::True | Keyword::False)
    )
}

fn replace(text: &str, start: usize, end: usize, with: &str) -> String {
    format!("{}{}{}", &text[..start], with, &text[end..])
}

/// The byte ranges of the lines, without their `\n`.
fn lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            out.push((start, i));
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

pub fn apply(text: &str, mutation: &Mutation) -> String {
    let tokens = pieces(text);
    let token = |i: usize| &tokens[i % tokens.len()];
    match *mutation {
        _ if tokens.is_empty() => text.to_string(),
        Mutation::DeleteToken(i) => {
            let t = token(i);
            replace(text, t.start, t.end, "")
        }
        Mutation::DuplicateToken(i) => {
            let t = token(i);
            let copy = format!("{} ", &text[t.start..t.end]);
            replace(text, t.start, t.start, &copy)
        }
        Mutation::SwapTokens(i, distance) => {
            let first = i % tokens.len();
            let second = (first + 1 + distance % 4).min(tokens.len() - 1);
            let (a, b) = (&tokens[first], &tokens[second]);
            if a.end > b.start {
                return text.to_string();
            }
            format!(
                "{}{}{}{}{}",
                &text[..a.start],
                &text[b.start..b.end],
                &text[a.end..b.start],
                &text[a.start..a.end],
                &text[b.end..]
            )
        }
        Mutation::ReplaceIdentifier(i, j) => {
            let identifiers: Vec<&Piece> = tokens
                .iter()
                .filter(|t| matches!(t.kind, TokenKind::Ident(_)))
                .collect();
            let mut names: Vec<&str> = identifiers.iter().map(|t| &text[t.start..t.end]).collect();
            names.sort_unstable();
            names.dedup();
            if identifiers.is_empty() {
                return text.to_string();
            }
            let t = identifiers[i % identifiers.len()];
            replace(text, t.start, t.end, names[j % names.len()])
        }
        Mutation::ReplaceLiteral(i, j) => {
            let literals: Vec<&Piece> = tokens.iter().filter(|t| is_literal(&t.kind)).collect();
            if literals.is_empty() {
                return text.to_string();
            }
            let t = literals[i % literals.len()];
            replace(text, t.start, t.end, LITERALS[j % LITERALS.len()])
        }
        Mutation::ReplaceLiteralSameKind(i, j) => {
            let literals: Vec<&Piece> = tokens.iter().filter(|t| is_literal(&t.kind)).collect();
            if literals.is_empty() {
                return text.to_string();
            }
            let t = literals[i % literals.len()];
            let kind = std::mem::discriminant(&t.kind);
            let same: Vec<&str> = LITERALS
                .iter()
                .copied()
                .filter(|l| {
                    let (tokens, _) = lex(FileId(0), l);
                    tokens
                        .first()
                        .is_some_and(|first| std::mem::discriminant(&first.kind) == kind)
                })
                .collect();
            match same.len() {
                0 => text.to_string(),
                n => replace(text, t.start, t.end, same[j % n]),
            }
        }
        Mutation::Insert(i, j) => {
            let t = token(i);
            let piece = format!("{} ", PIECES[j % PIECES.len()]);
            replace(text, t.start, t.start, &piece)
        }
        Mutation::Reindent(i, indent) => {
            let lines = lines(text);
            let (start, end) = lines[i % lines.len()];
            let leading = text[start..end].bytes().take_while(|&b| b == b' ').count();
            match indent {
                Indent::RemoveOne => replace(text, start, start + leading.min(1), ""),
                Indent::RemoveFour => replace(text, start, start + leading.min(4), ""),
                Indent::AddOne => replace(text, start, start, " "),
                Indent::AddFour => replace(text, start, start, "    "),
                Indent::AddTab => replace(text, start, start, "\t"),
            }
        }
        Mutation::DuplicateLine(i, j) => {
            let lines = lines(text);
            let (start, end) = lines[i % lines.len()];
            let (at, _) = lines[j % lines.len()];
            let copy = format!("{}\n", &text[start..end]);
            replace(text, at, at, &copy)
        }
        Mutation::DeleteLine(i) => {
            let lines = lines(text);
            let (start, end) = lines[i % lines.len()];
            replace(text, start, (end + 1).min(text.len()), "")
        }
        Mutation::Truncate(i) => text[..token(i).end].to_string(),
    }
}
