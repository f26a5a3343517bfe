//! The offside rule: blocks, sequencing, implicit `in`, undentation, FS0588.

use super::{codes, let_body};

#[test]
fn lines_at_one_column_are_a_sequence() {
    let src = "let f x =\n    a\n    b\n    c\n";
    assert_eq!(let_body(src), "(seq a b c)");
}

#[test]
fn semicolons_sequence_too() {
    assert_eq!(let_body("let f x = a; b; c"), "(seq a b c)");
    assert_eq!(let_body("let f x =\n    a; b\n    c"), "(seq a b c)");
}

#[test]
fn let_on_its_own_line_gets_an_implicit_in() {
    let src = "let f x =\n    let y = x + 1\n    let z = y * 2\n    y + z\n";
    assert_eq!(
        let_body(src),
        "(let (binding y (binary Add x 1)) (let (binding z (binary Mul y 2)) (binary Add y z)))"
    );
}

#[test]
fn explicit_in_takes_the_rest_of_the_block() {
    assert_eq!(
        let_body("let f x = let y = 1 in y + x"),
        "(let (binding y 1) (binary Add y x))"
    );
    assert_eq!(
        let_body("let f x =\n    let y = 1 in y\n    x"),
        "(let (binding y 1) (seq y x))"
    );
}

#[test]
fn a_deeper_line_continues_the_expression() {
    assert_eq!(let_body("let f x =\n    g a\n      b\n"), "(app g a b)");
    assert_eq!(let_body("let x = a +\n        b"), "(binary Add a b)");
    assert_eq!(let_body("let x =\n    a +\n    b"), "(binary Add a b)");
    assert_eq!(let_body("let x = (1,\n         2)"), "(tuple 1 2)");
}

#[test]
fn infix_operators_may_undent() {
    let src = "let r =\n    [1; 2; 3]\n    |> List.map f\n    |> List.sum\n";
    assert_eq!(
        let_body(src),
        "(binary PipeRight (binary PipeRight (list 1 2 3) (app List.map f)) List.sum)"
    );
    let src = "let s = a\n      + b\n";
    assert_eq!(let_body(src), "(binary Add a b)");
}

#[test]
fn nested_blocks() {
    let src = "\
let main argv =
    let mutable i = 0
    while i < 10 do
        if i % 2 = 0 then
            print i
        i <- i + 1
    0
";
    assert_eq!(
        let_body(src),
        "(let (binding mutable i 0) (seq (while (binary Lt i 10) (seq (if (binary Eq (binary Mod i 2) 0) (app print i)) (assign i (binary Add i 1)))) 0))"
    );
}

#[test]
fn if_elif_else_on_separate_lines() {
    let src = "\
let f x =
    if x = 1 then
        a
    elif x = 2 then b
    else
        c
";
    assert_eq!(
        let_body(src),
        "(if (binary Eq x 1) a (if (binary Eq x 2) b c))"
    );
    let src = "let f x =\n    if a\n    then b\n    else c\n";
    assert_eq!(let_body(src), "(if a b c)");
}

#[test]
fn else_belongs_to_the_if_at_its_column() {
    let src = "\
let f x =
    if a then
        if b then c
    else
        d
";
    assert_eq!(let_body(src), "(if a (if b c) d)");
    let src = "\
let f x =
    if a then
        if b then c
        else d
";
    assert_eq!(let_body(src), "(if a (if b c d))");
}

#[test]
fn match_rules_at_the_match_column() {
    let src = "\
let f x =
    match x with
    | 1 -> a
    | 2 ->
        b
        c
    | _ -> d
";
    assert_eq!(
        let_body(src),
        "(match x (rule 1 a) (rule 2 (seq b c)) (rule _ d))"
    );
}

#[test]
fn nested_match_keeps_its_own_rules() {
    let src = "\
let f x =
    match x with
    | 1 ->
        match y with
        | 2 -> a
        | _ -> b
    | _ -> c
";
    assert_eq!(
        let_body(src),
        "(match x (rule 1 (match y (rule 2 a) (rule _ b))) (rule _ c))"
    );
    let src = "\
let f x =
    match x with
    | 1 -> match y with
           | 2 -> a
           | _ -> b
    | _ -> c
";
    assert_eq!(
        let_body(src),
        "(match x (rule 1 (match y (rule 2 a) (rule _ b))) (rule _ c))"
    );
}

#[test]
fn match_followed_by_more_statements() {
    let src = "\
let f x =
    match x with
    | 1 -> a
    | _ -> b
    finish ()
";
    assert_eq!(
        let_body(src),
        "(seq (match x (rule 1 a) (rule _ b)) (app finish ()))"
    );
}

#[test]
fn lambda_bodies_may_undent_inside_brackets() {
    let src = "\
let main () =
    xs |> List.iter (fun x ->
        printfn \"%d\" x
        g x)
    0
";
    assert_eq!(let_body(src), "(seq (binary PipeRight xs (app List.iter (fun [x] (seq (app printfn \"%d\" x) (app g x))))) 0)");
    let src = "let f = fun x ->\n    x + 1\n";
    assert_eq!(let_body(src), "(fun [x] (binary Add x 1))");
}

#[test]
fn function_rules_may_undent_to_the_let() {
    let src = "let f = function\n    | 0 -> a\n    | _ -> b\n";
    assert_eq!(let_body(src), "(function (rule 0 a) (rule _ b))");
}

#[test]
fn multi_line_lists_and_records() {
    assert_eq!(
        let_body("let xs = [ 1\n           2\n           3 ]"),
        "(list 1 2 3)"
    );
    assert_eq!(let_body("let xs = [\n    1\n    2\n]"), "(list 1 2)");
    assert_eq!(
        let_body("let r = { X = 1\n          Y = 2 }"),
        "(record (X 1) (Y 2))"
    );
    assert_eq!(
        let_body("let r = {\n    X = 1\n    Y = 2\n}"),
        "(record (X 1) (Y 2))"
    );
    assert_eq!(
        let_body("let r =\n    { p with\n        X = 1\n        Y = 2 }"),
        "(record (with p) (X 1) (Y 2))"
    );
    assert_eq!(
        let_body("let xs = [|\n    1; 2\n    3\n|]"),
        "(array 1 2 3)"
    );
}

#[test]
fn multi_line_computation_expression() {
    let src =
        "let s =\n    seq {\n        yield 1\n        for x in xs do\n            yield x\n    }\n";
    assert_eq!(
        let_body(src),
        "(ce seq (seq (yield 1) (for-in x xs (yield x))))"
    );
}

#[test]
fn paren_block_closes_at_undented_paren() {
    assert_eq!(
        let_body("let x =\n    f (\n        a\n    )\n"),
        "(app f a)"
    );
}

#[test]
fn let_as_last_line_of_a_block_is_fs0588() {
    assert_eq!(codes("let f x =\n    let y = 1\n"), ["FS0588"]);
    assert_eq!(
        codes("let f x =\n    printfn \"a\"\n    let y = 1\nlet g = 2\n"),
        ["FS0588"]
    );
    assert_eq!(codes("let f x = (let y = 1)"), ["FS0588"]);
}

#[test]
fn empty_body_is_fs0010() {
    assert_eq!(codes("let x =\nlet y = 1\n"), ["FS0010"]);
    assert_eq!(codes("let f x =\n"), ["FS0010"]);
    assert_eq!(codes("let f x =\n    if a then\n    b\n"), ["FS0010"]);
}

#[test]
fn top_level_declarations_and_expressions() {
    let out = super::check("module A\nprintfn \"hi\"\ndo f ()\nlet x = 1\nx |> g\n");
    insta::assert_snapshot!(out, @r#"
    (file
      (module A)
      (do @9..21 (app @9..21 printfn "hi"))
      (do @22..29 (app @25..29 f ()))
      (let @30..39 (binding @34..39 x 1))
      (do @40..46 (binary @40..46 PipeRight x g)))
    "#);
}

#[test]
fn nested_modules() {
    let out = super::check("module A\nmodule B =\n    let x = 1\n    module C =\n        let y = 2\n    let z = 3\nlet w = 4\n");
    insta::assert_snapshot!(out, @r"
    (file
      (module A)
      (module @9..80 B
        (let @24..33 (binding @28..33 x 1))
        (module @38..66 C (let @57..66 (binding @61..66 y 2)))
        (let @71..80 (binding @75..80 z 3)))
      (let @81..90 (binding @85..90 w 4)))
    ");
}

#[test]
fn inconsistent_top_level_indentation_is_reported() {
    assert_eq!(codes("  let x = 1\nlet y = 2\n"), ["FS0010"]);
}
