//! Snapshot tests of the representations the functional core chooses, as the PSG
//! and MIR show them: closure environments and stubs, tail calls as loops and
//! `musttail` calls.

fn dump(src: &str) -> String {
    let mut sources = composer_diagnostics::SourceMap::new();
    let file = sources.add("test.clef", src);
    let mut interner = composer_syntax::Interner::new();
    let (ast, diagnostics) = composer_syntax::parse_file(file, src, &mut interner);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let (psg, diagnostics) = composer_semantics::check_program(&[ast], &mut interner);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let (mir, diagnostics) = composer_lower::lower(&psg);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    format!("--- source\n{src}\n--- psg\n{psg}\n--- mir\n{mir}")
}

#[test]
fn closure_environment_and_partial_application() {
    insta::assert_snapshot!(dump(
        "let add x y = x + y\nlet makeAdder k = fun x -> add x k\nlet add10 = makeAdder 10\nlet inc = add 1\nprintfn \"%d %d\" (add10 1) (inc 2)\n"
    ));
}

#[test]
fn self_tail_call_becomes_a_loop() {
    insta::assert_snapshot!(dump(
        "let rec loop (i: int) acc = if i = 0 then acc else loop (i - 1) (acc + i)\nprintfn \"%d\" (loop 10 0)\n"
    ));
}

#[test]
fn mutual_tail_calls_are_musttail() {
    insta::assert_snapshot!(dump(
        "let rec even (n: int) = if n = 0 then true else odd (n - 1)\nand odd (n: int) = if n = 0 then false else even (n - 1)\nprintfn \"%b\" (even 10)\n"
    ));
}

#[test]
fn union_match_and_layout() {
    insta::assert_snapshot!(dump(
        "type Shape =\n    | Circle of float\n    | Rect of float * float\n    | Dot\nlet area s =\n    match s with\n    | Circle r -> 3.0 * r * r\n    | Rect (w, h) -> w * h\n    | Dot -> 0.0\nprintfn \"%g\" (area (Rect (2.0, 3.0)))\n"
    ));
}

/// A union on a cycle of types is a pointer: `Leaf` is the case number itself,
/// `Node` a cell of its fields (no tag: it is the only case with fields).
#[test]
fn recursive_union_values_are_pointers() {
    insta::assert_snapshot!(dump(
        "type Tree =\n    | Leaf\n    | Node of Tree * int * Tree\nlet rec sum t =\n    match t with\n    | Leaf -> 0\n    | Node (l, v, r) -> sum l + v + sum r\nprintfn \"%d\" (sum (Node (Leaf, 1, Node (Leaf, 2, Leaf))))\n"
    ));
}

/// A frame whose `let mutable` a local function uses by address must outlive the
/// call, so a tail call of the same machine signature stays an ordinary call.
#[test]
fn no_musttail_while_a_slot_is_borrowed() {
    let out = dump(
        "let f (r: int ref) (n: int) : int =\n    let mutable x = r.Value * 10\n    let g (k: int) : int =\n        x <- x + k\n        x\n    g n\nprintfn \"%d\" (f (ref 1) 2)\n",
    );
    let mir = &out[out.find("--- mir").expect("mir section")..];
    assert!(
        mir.contains("= &v"),
        "the mutable is captured by address:\n{mir}"
    );
    assert!(
        !mir.contains("tail call"),
        "no musttail over a borrowed slot:\n{mir}"
    );
}
