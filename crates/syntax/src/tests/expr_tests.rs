//! Operator precedence and associativity, application, member access.

use super::expr;

#[test]
fn arithmetic_precedence() {
    assert_eq!(expr("a + b * c"), "(binary Add a (binary Mul b c))");
    assert_eq!(expr("a * b + c"), "(binary Add (binary Mul a b) c)");
    assert_eq!(expr("a - b - c"), "(binary Sub (binary Sub a b) c)");
    assert_eq!(expr("a / b % c"), "(binary Mod (binary Div a b) c)");
    assert_eq!(expr("a ** b ** c"), "(binary Pow a (binary Pow b c))");
    assert_eq!(expr("a * b ** c"), "(binary Mul a (binary Pow b c))");
}

#[test]
fn unary_minus() {
    assert_eq!(expr("-x * y"), "(binary Mul (unary Neg x) y)");
    assert_eq!(expr("-f x"), "(unary Neg (app f x))");
    assert_eq!(expr("- 1"), "(unary Neg 1)");
    assert_eq!(expr("~~~x &&& y"), "(binary BitAnd (unary BitNot x) y)");
    assert_eq!(expr("+x"), "(unary Plus x)");
}

#[test]
fn minus_between_spaces_subtracts_and_adjacent_minus_is_an_argument() {
    assert_eq!(expr("a - b"), "(binary Sub a b)");
    assert_eq!(expr("a-b"), "(binary Sub a b)");
    assert_eq!(expr("a- b"), "(binary Sub a b)");
    assert_eq!(expr("f -1"), "(app f (unary Neg 1))");
    assert_eq!(expr("f -x.Length"), "(app f (unary Neg x.Length))");
    assert_eq!(expr("f x -1"), "(app f x (unary Neg 1))");
}

#[test]
fn cons_and_append() {
    assert_eq!(expr("a :: b :: c"), "(binary Cons a (binary Cons b c))");
    assert_eq!(expr("a @ b @ c"), "(binary Append a (binary Append b c))");
    // `::` binds tighter than `@` (F#: `^op` < `::`).
    assert_eq!(expr("a :: b @ c"), "(binary Append (binary Cons a b) c)");
    assert_eq!(expr("a + b :: c"), "(binary Cons (binary Add a b) c)");
    assert_eq!(expr("a ^ b ^ c"), "(binary Concat a (binary Concat b c))");
}

#[test]
fn application_binds_tighter_than_operators() {
    assert_eq!(expr("1 + f x"), "(binary Add 1 (app f x))");
    assert_eq!(expr("f x y + g z"), "(binary Add (app f x y) (app g z))");
    assert_eq!(expr("f x |> g"), "(binary PipeRight (app f x) g)");
    assert_eq!(expr("not x && y"), "(binary And (app not x) y)");
}

#[test]
fn pipes_and_composition_are_left_associative_comparisons() {
    assert_eq!(
        expr("x |> f |> g"),
        "(binary PipeRight (binary PipeRight x f) g)"
    );
    assert_eq!(
        expr("f >> g >> h"),
        "(binary ComposeRight (binary ComposeRight f g) h)"
    );
    assert_eq!(expr("f <| x"), "(binary PipeLeft f x)");
    assert_eq!(expr("(a, b) ||> f"), "(binary PipeRight2 (tuple a b) f)");
    assert_eq!(
        expr("(a, b, c) |||> f"),
        "(binary PipeRight3 (tuple a b c) f)"
    );
    assert_eq!(expr("a = b |> f"), "(binary PipeRight (binary Eq a b) f)");
    assert_eq!(expr("a < b = c"), "(binary Eq (binary Lt a b) c)");
}

#[test]
fn bitwise_operators_follow_their_first_character() {
    assert_eq!(
        expr("a &&& b ||| c"),
        "(binary BitOr (binary BitAnd a b) c)"
    );
    assert_eq!(
        expr("a ||| b &&& c"),
        "(binary BitAnd (binary BitOr a b) c)"
    );
    assert_eq!(expr("a <<< 2 + 1"), "(binary Shl a (binary Add 2 1))");
    assert_eq!(expr("a >>> 1 &&& 1"), "(binary BitAnd (binary Shr a 1) 1)");
    assert_eq!(
        expr("a ^^^ b ^^^ c"),
        "(binary BitXor a (binary BitXor b c))"
    );
    assert_eq!(expr("a ^^^ b = c"), "(binary Eq (binary BitXor a b) c)");
}

#[test]
fn boolean_operators() {
    assert_eq!(expr("a || b && c"), "(binary Or a (binary And b c))");
    assert_eq!(expr("a && b || c"), "(binary Or (binary And a b) c)");
    assert_eq!(
        expr("a = 1 || b <> 2"),
        "(binary Or (binary Eq a 1) (binary Ne b 2))"
    );
    assert_eq!(expr("a or b"), "(binary Or a b)");
    assert_eq!(
        expr("a <= b && a >= c"),
        "(binary And (binary Le a b) (binary Ge a c))"
    );
}

#[test]
fn tuples_and_assignment() {
    assert_eq!(expr("x <- y + 1"), "(assign x (binary Add y 1))");
    assert_eq!(expr("a, b + 1, c"), "(tuple a (binary Add b 1) c)");
    assert_eq!(expr("x <- a, b"), "(assign x (tuple a b))");
    assert_eq!(expr("arr.[i] <- 0"), "(assign (index arr i) 0)");
    assert_eq!(expr("a || b, c"), "(tuple (binary Or a b) c)");
}

#[test]
fn member_access_and_indexing() {
    assert_eq!(expr("s.Length"), "s.Length");
    assert_eq!(expr("Console.writeln"), "Console.writeln");
    assert_eq!(expr("a.b.c"), "a.b.c");
    assert_eq!(expr("argv.[i]"), "(index argv i)");
    assert_eq!(
        expr("argv.[i + 1].Length"),
        "(dot (index argv (binary Add i 1)) Length)"
    );
    assert_eq!(expr("(f x).Length"), "(dot (app f x) Length)");
    assert_eq!(expr("\"abc\".Length"), "(dot \"abc\" Length)");
    assert_eq!(expr("xs[0]"), "(index xs 0)");
}

#[test]
fn high_precedence_application() {
    assert_eq!(expr("f(x)"), "(app f x)");
    assert_eq!(expr("x.M(a, b)"), "(app x.M (tuple a b))");
    assert_eq!(expr("f(x).Length"), "(dot (app f x) Length)");
    assert_eq!(expr("f (x).Length"), "(app f (dot x Length))");
    assert_eq!(expr("g f(x)"), "(app g (app f x))");
}

#[test]
fn literals_in_expressions() {
    assert_eq!(expr("()"), "()");
    assert_eq!(expr("true && false"), "(binary And true false)");
    assert_eq!(
        expr("f 1uy 2L 3.5f 'c' \"s\""),
        "(app f 1uy 2L 3.5f 'c' \"s\")"
    );
}

#[test]
fn operator_values() {
    assert_eq!(expr("(+)"), "(op Add)");
    assert_eq!(expr("List.fold (+) 0 xs"), "(app List.fold (op Add) 0 xs)");
    assert_eq!(expr("(*)"), "(op Mul)");
    assert_eq!(expr("( * )"), "(op Mul)");
    assert_eq!(expr("(|>)"), "(op PipeRight)");
    assert_eq!(expr("(::)"), "(op Cons)");
}

#[test]
fn type_annotations() {
    assert_eq!(expr("(x : int)"), "(typed x int)");
    assert_eq!(expr("(xs : int list)"), "(typed xs list<int>)");
    assert_eq!(
        expr("(f : int -> string -> unit)"),
        "(typed f (int -> (string -> unit)))"
    );
    assert_eq!(expr("(p : int * string)"), "(typed p (int * string))");
    assert_eq!(expr("(a : string[])"), "(typed a string[])");
    assert_eq!(
        expr("(m : Map<string, int list>)"),
        "(typed m Map<string,list<int>>)"
    );
    assert_eq!(expr("(n : list<list<int>>)"), "(typed n list<list<int>>)");
    assert_eq!(expr("(o : 'a option)"), "(typed o option<'a>)");
    assert_eq!(expr("(v : float<m/s^2>)"), "(typed v float<(m/s^2)>)");
    assert_eq!(expr("(v : float<m s>)"), "(typed v float<(m s)>)");
    assert_eq!(expr("(v : float<1/s>)"), "(typed v float<(1/s)>)");
}

#[test]
fn lambdas_and_functions() {
    assert_eq!(expr("fun a b -> a + b"), "(fun [a b] (binary Add a b))");
    assert_eq!(expr("fun () -> 1"), "(fun [()] 1)");
    assert_eq!(
        expr("fun (x: int) (a, b) -> x"),
        "(fun [(typed x int) (tuple a b)] x)"
    );
    assert_eq!(expr("xs |> List.map (fun x -> x + 1) |> List.sum"), "(binary PipeRight (binary PipeRight xs (app List.map (fun [x] (binary Add x 1)))) List.sum)");
    assert_eq!(
        expr("function | Some x -> x | None -> 0"),
        "(function (rule (ctor Some x) x) (rule None 0))"
    );
}

#[test]
fn if_then_else() {
    assert_eq!(expr("if a then b else c"), "(if a b c)");
    assert_eq!(expr("if a then b"), "(if a b)");
    assert_eq!(
        expr("if a then b elif c then d else e"),
        "(if a b (if c d e))"
    );
    assert_eq!(expr("if a then b elif c then d"), "(if a b (if c d))");
    assert_eq!(expr("1 + if a then 2 else 3"), "(binary Add 1 (if a 2 3))");
}

#[test]
fn match_expressions() {
    assert_eq!(
        expr("match x with | 1 -> a | _ -> b"),
        "(match x (rule 1 a) (rule _ b))"
    );
    assert_eq!(
        expr("match x with 1 -> a | _ -> b"),
        "(match x (rule 1 a) (rule _ b))"
    );
    assert_eq!(
        expr("match x with | n when n > 0 -> a | _ -> b"),
        "(match x (rule n (when (binary Gt n 0)) a) (rule _ b))"
    );
}

#[test]
fn loops() {
    assert_eq!(
        expr("while i < 10 do i <- i + 1"),
        "(while (binary Lt i 10) (assign i (binary Add i 1)))"
    );
    assert_eq!(expr("for i = 1 to 10 do f i"), "(for i 1 to 10 (app f i))");
    assert_eq!(
        expr("for i = 10 downto 1 do f i"),
        "(for i 10 downto 1 (app f i))"
    );
    assert_eq!(expr("for x in xs do f x"), "(for-in x xs (app f x))");
    assert_eq!(
        expr("for i in 1 .. 10 do f i"),
        "(for-in i (range 1 10) (app f i))"
    );
    assert_eq!(
        expr("for i in 1 .. 2 .. 9 do f i"),
        "(for-in i (range 1 (step 2) 9) (app f i))"
    );
    assert_eq!(
        expr("for (a, b) in pairs do f a"),
        "(for-in (tuple a b) pairs (app f a))"
    );
}

#[test]
fn collections() {
    assert_eq!(expr("[1; 2; 3]"), "(list 1 2 3)");
    assert_eq!(expr("[]"), "(list)");
    assert_eq!(expr("[| 1; 2 |]"), "(array 1 2)");
    assert_eq!(expr("[||]"), "(array)");
    assert_eq!(expr("[1 .. 10]"), "(list (range 1 10))");
    assert_eq!(expr("[1..10]"), "(list (range 1 10))");
    assert_eq!(
        expr("[ for x in xs -> x * 2 ]"),
        "(list (for-in x xs (yield (binary Mul x 2))))"
    );
    assert_eq!(expr("[a, b]"), "(list (tuple a b))");
    assert_eq!(expr("f [1; 2] [||]"), "(app f (list 1 2) (array))");
}

#[test]
fn records() {
    assert_eq!(expr("{ X = 1; Y = 2 }"), "(record (X 1) (Y 2))");
    assert_eq!(expr("{ r with X = 3 }"), "(record (with r) (X 3))");
    assert_eq!(
        expr("{ r with X = 3; Y = f 4 }"),
        "(record (with r) (X 3) (Y (app f 4)))"
    );
    assert_eq!(expr("{ P.X = 1 }"), "(record (P.X 1))");
    assert_eq!(expr("f { X = 1 }"), "(app f (record (X 1)))");
}

#[test]
fn computation_expressions() {
    assert_eq!(
        expr("seq { yield 1; yield! xs }"),
        "(ce seq (seq (yield 1) (yield! xs)))"
    );
    assert_eq!(
        expr("seq { for i in 1 .. 3 -> i }"),
        "(ce seq (for-in i (range 1 3) (yield i)))"
    );
    assert_eq!(expr("async { return 1 }"), "(ce async (return 1))");
    assert_eq!(
        expr("async { return! f x }"),
        "(ce async (return! (app f x)))"
    );
    assert_eq!(expr("seq { 1 .. 10 }"), "(ce seq (range 1 10))");
}

#[test]
fn lazy_and_begin_end() {
    assert_eq!(expr("lazy (f x)"), "(lazy (app f x))");
    assert_eq!(expr("lazy f x"), "(lazy (app f x))");
    assert_eq!(expr("begin f x end"), "(app f x)");
    assert_eq!(expr("(a; b)"), "(seq a b)");
}

#[test]
fn interpolated_strings_parse_their_holes() {
    assert_eq!(
        expr("$\"a {x + 1} b\""),
        "(interp \"a \" (hole (binary Add x 1)) \" b\")"
    );
    assert_eq!(
        expr("$\"{fib 10L:N0}\""),
        "(interp (hole (app fib 10L) \"N0\"))"
    );
    assert_eq!(expr("$\"{{literal}}\""), "(interp \"{literal}\")");
    assert_eq!(expr("$\"{a :: b}\""), "(interp (hole (binary Cons a b)))");
    assert_eq!(
        expr("$\"\"\"{f \"x\"}\"\"\""),
        "(interp (hole (app f \"x\")))"
    );
}

#[test]
fn interpolated_hole_spans_point_into_the_file() {
    let (file, diagnostics, _) = super::parse("let s = $\"a {x +} b\"");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let span = diagnostics[0].span.expect("span");
    // The error is reported at the `}` position: the hole `x +` ends at offset 16.
    assert_eq!((span.start, span.end), (16, 16));
    assert_eq!(file.decls.len(), 1);
}

#[test]
fn explicit_type_arguments_are_not_misparsed() {
    assert_eq!(
        expr("Array.zeroCreate<int> 10"),
        "(app (type-app Array.zeroCreate int) 10)"
    );
    assert!(super::codes("let d = Dictionary<string, list<int>>()").is_empty());
    assert_eq!(expr("a<b"), "(binary Lt a b)");
    assert_eq!(
        expr("if x<y then a<b else c>d"),
        "(if (binary Lt x y) (binary Lt a b) (binary Gt c d))"
    );
}

#[test]
fn custom_operators_are_applications_with_the_class_of_their_leading_character() {
    // `a op b` is `(op) a b`; `***` is in `*`'s class, `+.` in `+`'s, `|>>` in `|`'s.
    assert_eq!(expr("a + b *** c"), "(binary Add a (app *** b c))");
    assert_eq!(expr("a +. b +. c"), "(app +. (app +. a b) c)");
    assert_eq!(expr("a + b |>> f"), "(app |>> (binary Add a b) f)");
    // `^` operators are right-associative; leading dots do not count (`.>>.` is `>`'s).
    assert_eq!(expr("a ^- b ^- c"), "(app ^- a (app ^- b c))");
    assert_eq!(expr("p .>>. q |>> f"), "(app |>> (app .>>. p q) f)");
    // In parentheses, the operator's function.
    assert_eq!(expr("(+.) 1.0 x"), "(app +. 1.0 x)");
    // `..` stays a range and `.` before a name is member access.
    assert_eq!(expr("[ a .. b ]"), expr("[ a..b ]"));
}

#[test]
fn active_pattern_uses_take_several_atomic_patterns() {
    assert_eq!(
        expr("match n with DivisibleBy 3 x -> x | Int i -> i"),
        "(match n (rule (ctor DivisibleBy 3 x) x) (rule (ctor Int i) i))"
    );
}
