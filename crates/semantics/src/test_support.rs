//! Helpers for the crate's unit tests.

use crate::Psg;
use composer_diagnostics::SourceMap;

/// Parses and checks `src` (no standard library), asserting it has no errors.
pub fn check(src: &str) -> Psg {
    let mut sources = SourceMap::new();
    let file = sources.add("test.clef", src);
    let mut interner = composer_syntax::Interner::new();
    let (ast, diags) = composer_syntax::parse_file(file, src, &mut interner);
    assert!(diags.is_empty(), "{diags:?}");
    let (psg, diags) = crate::check_program(&[ast], &mut interner);
    assert!(
        !diags.iter().any(composer_diagnostics::Diagnostic::is_error),
        "{diags:?}"
    );
    psg
}
