//! Snapshot tests: Clef source in, MIR and MLIR text out (source stored alongside).

fn compile(src: &str) -> (String, String) {
    let mut sources = composer_diagnostics::SourceMap::new();
    let file = sources.add("test.clef", src);
    let mut interner = composer_syntax::Interner::new();
    let (ast, diagnostics) = composer_syntax::parse_file(file, src, &mut interner);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let (psg, diagnostics) = composer_semantics::check_program(&[ast], &mut interner);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let (mir, diagnostics) = composer_lower::lower(&psg);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    (mir.to_string(), composer_alex::emit_module(&mir))
}

fn check(src: &str) -> String {
    let (mir, mlir) = compile(src);
    format!("--- source\n{src}\n--- mir\n{mir}\n--- mlir\n{mlir}")
}

#[test]
fn recursive_function_and_print() {
    insta::assert_snapshot!(check(
        "let rec fact (n: int64) = if n <= 1L then 1L else n * fact (n - 1L)\nprintfn \"%d\" (fact 5L)\n"
    ));
}

#[test]
fn generic_function_gets_one_copy_per_type() {
    insta::assert_snapshot!(check(
        "let same x = x\nlet a = same 1\nlet b = same \"s\"\nConsole.writeln b\n"
    ));
}

#[test]
fn while_loop_with_string_concat() {
    insta::assert_snapshot!(check(
        "let mutable s = \"\"\nlet mutable i = 0\nwhile i < 3 do\n    s <- s + \"ab\"\n    i <- i + 1\nConsole.writeln s\n"
    ));
}
