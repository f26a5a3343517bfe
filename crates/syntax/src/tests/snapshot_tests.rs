//! AST snapshots of small programs: each snapshot file holds the source, a `----`
//! line, then the printed AST and the diagnostics.

use super::check;

fn snap(src: &str) -> String {
    format!("{}\n----\n{}", src.trim_end(), check(src))
}

#[test]
fn hello_world() {
    insta::assert_snapshot!(snap(
        "module Hello\n\n[<EntryPoint>]\nlet main argv =\n    printfn \"Hello, world!\"\n    0\n"
    ));
}

#[test]
fn sample_program() {
    insta::assert_snapshot!(snap(
        r#"module Sample

open System

let square x = x * x

[<EntryPoint>]
let main argv =
    let name = if argv.Length > 0 then argv.[0] else "world"
    printfn "Hello, %s! %d" name (square 3)
    let mutable i = 0
    while i < 10 do
        if i % 2 = 0 then
            Console.writeln (string i)
        elif i = 5 then printfn "five"
        else
            ()
        i <- i + 1
    for j in 1 .. 2 .. 9 do printf "%d " j
    let rec fib n = if n < 2L then n else fib (n - 1L) + fib (n - 2L)
    let result =
        [1; 2; 3]
        |> List.map (fun x -> x + 1)
        |> List.sum
    $"result {result} and {fib 10L:N0}" |> Console.writeln
    0
"#
    ));
}

#[test]
fn let_forms() {
    insta::assert_snapshot!(snap(
        "\
let x = 1
let mutable y = 2
let inline twice f x = f (f x)
let add (a: int) (b: int) : int = a + b
let unitFn () = ()
let swap (a, b) = (b, a)
let (p, q) = 1, 2
let a, b = 3, 4
let _ = ignore 1
let rec even n = n = 0 || odd (n - 1)
and odd n = n <> 0 && even (n - 1)
let [<Literal>] Answer = 42
let private hidden = 0
"
    ));
}

#[test]
fn namespace_and_attributes() {
    insta::assert_snapshot!(snap(
        "\
namespace Acme.Tools

module Util =
    [<Literal>]
    let Max = 10
    [<Obsolete(\"old\")>] let old x = x

[<AutoOpen; RequireQualifiedAccess>]
module Other =
    open System.IO
    let y = 1
"
    ));
}

#[test]
fn records_and_unions() {
    insta::assert_snapshot!(snap(
        "\
type Point = { X: float; Y: float }
type Point3 =
    { X: float
      Y: float
      mutable Z: float }
type Shape =
    | Circle of float
    | Rect of w: float * h: float
    | Empty
type Color = Red | Green | Blue
type Tree<'T> = | Leaf | Node of Tree<'T> * 'T * Tree<'T>
and Forest<'T> = Tree<'T> list
type Id = int
type Handler = string -> int -> unit
type Pair<'a, 'b> = 'a * 'b
"
    ));
}

#[test]
fn measures() {
    insta::assert_snapshot!(snap(
        "\
[<Measure>] type m
[<Measure>] type s
[<Measure>]
type kg
type Speed = float<m/s>
type Accel = float<m/s^2>
type Inverse = float<s^-1>
let g : float<m/s^2> = 9.81<m/s^2>
"
    ));
}

#[test]
fn members() {
    insta::assert_snapshot!(snap(
        "\
type Vector =
    { X: float; Y: float }
    member this.Length = sqrt (this.X * this.X + this.Y * this.Y)
    member v.Scale k = { X = v.X * k; Y = v.Y * k }
    member _.Zero = 0.0
    static member Create x y = { X = x; Y = y }
    static member (+) (a, b) = a
type Shape =
    | Circle of float
    | Square of float
    with
        member this.Area =
            match this with
            | Circle r -> 3.14 * r * r
            | Square s -> s * s
    end
type Count = { N: int }
    with member this.Next = { N = this.N + 1 }
"
    ));
}

#[test]
fn patterns() {
    insta::assert_snapshot!(snap(
        "\
let f x =
    match x with
    | _ -> 0
    | 1 | 2 -> 1
    | -1 -> 2
    | 'c' -> 3
    | \"s\" -> 4
    | (a, b) -> 5
    | a, b -> 6
    | Some y -> 7
    | Node(l, v, r) -> 8
    | Shape.Circle r -> 9
    | Color.Red -> 10
    | [] -> 11
    | [a; b] -> 12
    | h :: t -> 13
    | [| a |] -> 14
    | { X = 0; Y = y } -> 15
    | (n: int) -> 16
    | Some (Some z) as w -> 17
    | h1 :: h2 :: rest when h1 > h2 -> 18
    | true -> 19
    | () -> 20
"
    ));
}

#[test]
fn sequence_and_lambda_forms() {
    insta::assert_snapshot!(snap(
        "\
let squares = seq { for i in 1 .. 10 do yield i * i }
let evens =
    [ for x in xs do
        if x % 2 = 0 then
            yield x ]
let nums = [ 1 .. 2 .. 9 ]
let arr = [| for i in 0 .. 3 -> i |]
let gen =
    seq {
        yield 1
        yield! [2; 3]
        let x = 4
        yield x
    }
let adder = fun a b -> a + b
let classify = function
    | 0 -> \"zero\"
    | n when n < 0 -> \"neg\"
    | _ -> \"pos\"
let lz = lazy (expensive ())
let ops = List.fold (+) 0 [1; 2]
"
    ));
}

#[test]
fn interpolation() {
    insta::assert_snapshot!(snap(
        "let s = $\"x = {x}, sum = {a + b:N2}, {{braces}}, list = {[1; 2]}, nested = {f $\"{y}\"}\"\n"
    ));
}

#[test]
fn computation_expression_bang_forms() {
    insta::assert_snapshot!(snap(
        "\
let w =
    async {
        let! x = fetch ()
        use r = create x
        do! sleep 1
        match! poll () with
        | _ -> return x
    }
"
    ));
}

#[test]
fn type_parameters_and_named_case_fields() {
    insta::assert_snapshot!(snap(
        "\
let first<'a, 'b> (x: 'a) (_: 'b) : 'a = x
let n = first<int, string> 1 \"one\"
let w =
    match s with
    | Rectangle (width = w; height = _) -> w
    | _ -> 0.0
"
    ));
}
