//! Property test: the whole front end (parse, check, lower, emit MLIR) never panics,
//! whatever the input. Inputs are random recombinations of real Clef fragments (which
//! reach deep into the checker and lowering) and arbitrary text.

use proptest::prelude::*;

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

fn front_end(src: &str) {
    let mut sources = composer_diagnostics::SourceMap::new();
    let file = sources.add("fuzz.clef", src);
    let mut interner = composer_syntax::Interner::new();
    let (ast, diagnostics) = composer_syntax::parse_file(file, src, &mut interner);
    let (psg, check_diagnostics) = composer_semantics::check_program(&[ast], &mut interner);
    let _ = psg.to_string();
    if diagnostics
        .iter()
        .chain(&check_diagnostics)
        .any(|d| d.is_error())
    {
        return;
    }
    let (mir, lower_diagnostics) = composer_lower::lower(&psg);
    let _ = mir.to_string();
    if lower_diagnostics.iter().any(|d| d.is_error()) {
        return;
    }
    let _ = composer_alex::emit_module(&mir);
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
        front_end(&src);
    }

    #[test]
    fn front_end_never_panics_on_arbitrary_text(src in "\\PC{0,200}") {
        front_end(&src);
    }
}
