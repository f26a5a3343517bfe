//! Property test: the whole front end (parse, check, lower, emit MLIR) never panics,
//! whatever the input. Inputs are random recombinations of real Clef fragments (which
//! reach deep into the checker and lowering) and arbitrary text.
//!
//! The inputs are Clef source, never MIR: every MIR program here is one that lowering
//! produced. A program with errors is a fine input, and the pipeline stops at the
//! stage that reports them. An internal compiler error (FS9999) is not: it fails the
//! test, whatever stage reports it. That includes a MIR verifier rejection, which
//! lowering reports as FS9999 in debug builds (`composer_lower::lower`): the verifier
//! rejecting lowering's own output is a lowering bug, not an invalid input. So a case
//! fails for one of two reasons, told apart by its message: a stage reported an
//! internal error (the verifier rejected lowering's MIR), or a stage panicked (for
//! Alex: on MIR that lowering accepted and, in debug builds, the verifier passed).

use composer_diagnostics::{Code, Diagnostic};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const FRAGMENTS: &[&str] = &[
    "let x = 1",
    "let mutable m = 0",
    "m <- m + 1",
    "let f a b = a + b",
    "let rec g n = if n < 1 then 0 else g (n - 1)",
    "and h n = g n",
    "printfn \"%d %s\" 1 \"a\"",
    "printfn \"%f\" 2.5",
    "sprintf \"%5.2f|%-3d\" 1.0 2",
    "Console.writeln (string 3)",
    "let s = Console.readln ()",
    "match Console.tryReadln () with",
    "| Some l -> l.Length",
    "| None -> 0",
    "| _ -> 1",
    "if x > 1 then",
    "elif x = 0 then",
    "else",
    "while m < 10 do",
    "for i in 0 .. 2 .. 10 do",
    "for j = 10 downto 1 do",
    "    printf \"%d\" i",
    "    ()",
    "let arr = Array.create 3 0",
    "arr.[1] <- 5",
    "arr.[x]",
    "[<EntryPoint>]",
    "let main argv = argv.Length",
    "module M =",
    "open M",
    "f 1 2 |> ignore",
    "x |> f 3",
    "failwith \"boom\"",
    "exit 2",
    "let y: string = 1",
    "pown 2.0 3",
    "max \"a\" \"b\"",
    "int \"42\" + int 2.5",
    "$\"{x} and {f 1 2}\"",
    "fun z -> z",
    "(1, 2)",
    "[1; 2]",
    "let t = undefinedName",
    "x 1",
    "abs -3 |> sqrt",
    "let inline dbl v = v + v",
    "dbl 2.0",
    "let k () = ()",
    "k ()",
];

/// Runs the front end on `src` as far as it goes without errors; fails on an internal
/// compiler error (a panic fails the case by itself).
fn front_end(src: &str) -> Result<(), TestCaseError> {
    let mut sources = composer_diagnostics::SourceMap::new();
    let file = sources.add("fuzz.clef", src);
    let mut interner = composer_syntax::Interner::new();
    let (ast, diagnostics) = composer_syntax::parse_file(file, src, &mut interner);
    let (psg, check_diagnostics) = composer_semantics::check_program(&[ast], &mut interner);
    let _ = psg.to_string();
    let front_diagnostics: Vec<Diagnostic> =
        diagnostics.into_iter().chain(check_diagnostics).collect();
    if !may_continue("parsing or checking", &front_diagnostics)? {
        return Ok(());
    }
    let (mir, lower_diagnostics) = composer_lower::lower(&psg);
    let _ = mir.to_string();
    if !may_continue(
        "lowering (a MIR verifier message means lowering produced invalid MIR)",
        &lower_diagnostics,
    )? {
        return Ok(());
    }
    let _ = composer_alex::emit_module(&mir);
    Ok(())
}

/// Whether the next stage runs after a stage that reported `diagnostics`: not after
/// an error in the program (the input is random, so that is expected), and never
/// after an internal compiler error, which fails the test instead.
fn may_continue(stage: &str, diagnostics: &[Diagnostic]) -> Result<bool, TestCaseError> {
    if let Some(internal) = diagnostics.iter().find(|d| d.code == Code::InternalError) {
        return Err(TestCaseError::fail(format!(
            "{stage} reported an internal compiler error: {}",
            internal.message
        )));
    }
    Ok(!diagnostics.iter().any(Diagnostic::is_error))
}

fn program() -> impl Strategy<Value = String> {
    let line = (0usize..FRAGMENTS.len(), 0usize..3)
        .prop_map(|(i, indent)| format!("{}{}", "    ".repeat(indent), FRAGMENTS[i]));
    prop::collection::vec(line, 1..12).prop_map(|lines| lines.join("\n") + "\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    #[test]
    fn front_end_never_panics_on_fragments(src in program()) {
        front_end(&src)?;
    }

    #[test]
    fn front_end_never_panics_on_arbitrary_text(src in "\\PC{0,200}") {
        front_end(&src)?;
    }
}

/// The failure path is live: a MIR verifier rejection, as lowering reports it, stops
/// the test instead of counting as an input with errors.
#[test]
fn a_mir_verifier_rejection_fails_the_case() {
    let rejection = Diagnostic::global(
        Code::InternalError,
        "internal compiler error: MIR verifier: bb0 jumps to missing bb7",
    );
    let outcome = may_continue("lowering", &[rejection]);
    assert!(
        matches!(&outcome, Err(TestCaseError::Fail(why)) if why.message().contains("MIR verifier")),
        "{outcome:?}"
    );
}

/// An error in the (random) program stops the pipeline without failing the case.
#[test]
fn a_program_error_stops_the_pipeline_quietly() {
    let unsupported = Diagnostic::global(Code::Unsupported, "this construct is not supported");
    assert!(matches!(
        may_continue("lowering", &[unsupported]),
        Ok(false)
    ));
    assert!(matches!(may_continue("lowering", &[]), Ok(true)));
}
