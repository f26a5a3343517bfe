//! Tests of the syntax crate: `check` helpers render tokens or the AST together with
//! the diagnostics, and snapshots store source and output side by side.

mod exploratory;

use composer_diagnostics::{Diagnostic, FileId, Severity};

use crate::{lex, parse_file, print_ast, print_tokens, Interner};

fn print_diagnostics(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        let span = d.span.map(|s| format!("@{}..{}", s.start, s.end)).unwrap_or_default();
        out.push_str(&format!("{severity} {} {span}: {}\n", d.code, d.message));
    }
    out
}

/// The AST of `src` followed by its diagnostics.
pub(crate) fn check(src: &str) -> String {
    let mut interner = Interner::new();
    let (file, diagnostics) = parse_file(FileId(0), src, &mut interner);
    let mut out = print_ast(&file, &interner);
    out.push_str(&print_diagnostics(&diagnostics));
    out
}

/// The raw tokens of `src` followed by the lexer's diagnostics.
pub(crate) fn check_tokens(src: &str) -> String {
    let (tokens, diagnostics) = lex(FileId(0), src);
    let mut out = print_tokens(&tokens);
    out.push_str(&print_diagnostics(&diagnostics));
    out
}
