//! Snapshot tests: Clef source in, PSG text and rendered diagnostics out.
//! Each snapshot stores the source next to the output.

use composer_diagnostics::{render, MessageFormat, SourceMap};

/// Parses and checks `src`; returns source, PSG and diagnostics as one text.
fn check(src: &str) -> String {
    let mut sources = SourceMap::new();
    let file = sources.add("test.clef", src);
    let mut interner = composer_syntax::Interner::new();
    let (ast, mut diagnostics) = composer_syntax::parse_file(file, src, &mut interner);
    let (psg, check_diagnostics) = composer_semantics::check_program(&[ast], &mut interner);
    diagnostics.extend(check_diagnostics);
    composer_diagnostics::sort_diagnostics(&mut diagnostics);
    let rendered = render(&sources, &diagnostics, MessageFormat::Human, false);
    format!("--- source\n{src}\n--- psg\n{psg}--- diagnostics\n{rendered}")
}

#[test]
fn generic_function_is_generalised_and_instantiated() {
    insta::assert_snapshot!(check(
        "let pick c a b = if c then a else b\nprintfn \"%d %s\" (pick true 1 2) (pick false \"x\" \"y\")\n"
    ));
}

#[test]
fn local_function_captures_outer_parameter() {
    insta::assert_snapshot!(check(
        "let scale k x =\n    let times y = y * k\n    times x + 1\n"
    ));
}

#[test]
fn loops_and_mutation() {
    insta::assert_snapshot!(check(
        "let mutable total = 0\nfor i in 1 .. 2 .. 9 do\n    total <- total + i\nwhile total > 0 do\n    total <- total - 7\n"
    ));
}

#[test]
fn several_errors_rendered_with_source() {
    insta::assert_snapshot!(check(
        "let a: string = 1\nlet b = undefinedThing + 1\nlet c = 5\nc <- 6\nprintfn \"%d\" \"x\"\n"
    ));
}
