//! Tests of the syntax crate. `check` renders the AST and diagnostics of a source
//! text; snapshot files store the source and that output together.

mod expr_tests;
mod layout_tests;
mod lexer_tests;
mod never_panics;
mod recovery_tests;
mod snapshot_tests;

use composer_diagnostics::{Diagnostic, FileId, Severity};

use crate::ast::{DeclKind, SourceFile};
use crate::{lex, parse_file, print_ast, print_tokens, Interner};

pub(crate) fn print_diagnostics(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        let span = d
            .span
            .map(|s| format!("@{}..{}", s.start, s.end))
            .unwrap_or_default();
        out.push_str(&format!("{severity} {} {span}: {}\n", d.code, d.message));
    }
    out
}

pub(crate) fn parse(src: &str) -> (SourceFile, Vec<Diagnostic>, Interner) {
    let mut interner = Interner::new();
    let (file, diagnostics) = parse_file(FileId(0), src, &mut interner);
    (file, diagnostics, interner)
}

/// The AST of `src` followed by its diagnostics.
pub(crate) fn check(src: &str) -> String {
    let (file, diagnostics, interner) = parse(src);
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

/// The codes of the diagnostics of `src`, in order (`FS0010`, ...).
pub(crate) fn codes(src: &str) -> Vec<String> {
    parse(src).1.iter().map(|d| d.code.to_string()).collect()
}

/// `src` parsed as one top-level expression, printed on one line without spans.
/// Panics (the test fails) if there are diagnostics.
pub(crate) fn expr(src: &str) -> String {
    let (file, diagnostics, interner) = parse(src);
    assert!(
        diagnostics.is_empty(),
        "unexpected diagnostics for {src:?}:\n{}",
        print_diagnostics(&diagnostics)
    );
    assert_eq!(file.decls.len(), 1, "expected one declaration in {src:?}");
    match &file.decls[0].kind {
        DeclKind::Do(e) => crate::print::print_expr_compact(e, &interner),
        other => panic!("expected an expression, got {other:?}"),
    }
}

/// The body of the first `let` of `src`, printed like [`expr`].
pub(crate) fn let_body(src: &str) -> String {
    let (file, diagnostics, interner) = parse(src);
    assert!(
        diagnostics.is_empty(),
        "unexpected diagnostics for {src:?}:\n{}",
        print_diagnostics(&diagnostics)
    );
    match &file.decls[0].kind {
        DeclKind::Let { bindings, .. } => {
            crate::print::print_expr_compact(&bindings[0].body, &interner)
        }
        other => panic!("expected a let, got {other:?}"),
    }
}
