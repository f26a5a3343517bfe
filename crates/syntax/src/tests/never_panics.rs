//! Property: the lexer, layout and parser never panic (or loop) on any input.

use composer_diagnostics::FileId;
use proptest::prelude::*;

use crate::{lex, parse_file, print_ast, Interner};

fn run(src: &str) {
    let _ = lex(FileId(0), src);
    let mut interner = Interner::new();
    let (file, _) = parse_file(FileId(0), src, &mut interner);
    let _ = print_ast(&file, &interner);
}

/// Pieces of Clef: keywords, operators, brackets, literals, names, line breaks and
/// indentation. Joined at random they find far more parser bugs than random text.
const SOUP: &[&str] = &[
    "let",
    "rec",
    "and",
    "in",
    "if",
    "then",
    "elif",
    "else",
    "while",
    "do",
    "done",
    "for",
    "to",
    "downto",
    "fun",
    "function",
    "match",
    "with",
    "when",
    "type",
    "module",
    "namespace",
    "open",
    "mutable",
    "inline",
    "true",
    "false",
    "of",
    "begin",
    "end",
    "lazy",
    "yield",
    "yield!",
    "return",
    "return!",
    "member",
    "static",
    "this.",
    "try",
    "finally",
    "as",
    "not",
    "seq",
    "let!",
    "use",
    "null",
    "x",
    "y",
    "f",
    "Some",
    "None",
    "List.map",
    "argv.[0]",
    "s.Length",
    "A.B",
    "'a",
    "'T",
    "int",
    "float<m/s>",
    "list<int>",
    "0",
    "1",
    "42L",
    "0x1F",
    "2.5",
    "1e3",
    "'c'",
    "'\\n'",
    "\"s\"",
    "\"\\t\"",
    "@\"v\"",
    "\"\"\"t\"\"\"",
    "$\"a {x} b\"",
    "$\"{y:N0}\"",
    "$\"{",
    "\"",
    "'",
    "(*",
    "*)",
    "//",
    "+",
    "-",
    "*",
    "/",
    "%",
    "**",
    "=",
    "<>",
    "<",
    ">",
    "<=",
    ">=",
    "&&",
    "||",
    "&&&",
    "|||",
    "^^^",
    "~~~",
    "<<<",
    ">>>",
    "|>",
    "<|",
    ">>",
    "<<",
    "::",
    "@",
    "^",
    "<-",
    "->",
    ",",
    ";",
    ";;",
    ":",
    ".",
    "..",
    "|",
    "_",
    "(",
    ")",
    "[",
    "]",
    "[|",
    "|]",
    "{",
    "}",
    "[<",
    ">]",
    "(+)",
    "()",
    "#",
    "\n",
    "\n",
    "\n",
    "\n    ",
    "\n    ",
    "\n        ",
    "\n  ",
    "\n\t",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec((prop::sample::select(SOUP), prop::bool::ANY), 0..120).prop_map(|parts| {
        let mut out = String::new();
        for (part, space) in parts {
            out.push_str(part);
            if space {
                out.push(' ');
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn token_soup_never_panics(src in soup()) {
        run(&src);
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,120}") {
        run(&src);
    }

    #[test]
    fn ascii_code_like_text_never_panics(src in "[a-z0-9 ()\\[\\]{}<>|=:;,.'\"$@+*/%&^~!?_\\n\\t-]{0,120}") {
        run(&src);
    }
}
