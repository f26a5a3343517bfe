//! A generator of small well-typed programs: expressions built by type from the
//! standard library's everyday functions, bound at the top level and printed. Every
//! program it makes must check without errors and lower to MLIR, so a rejection is a
//! checker bug (or a gap worth knowing about) and a panic is an internal compiler error.

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Int,
    Bool,
    Str,
    Float,
    IntList,
    IntOption,
    IntArray,
}

const ALL_TYPES: &[Ty] = &[
    Ty::Int,
    Ty::Bool,
    Ty::Str,
    Ty::Float,
    Ty::IntList,
    Ty::IntOption,
    Ty::IntArray,
];

/// The program's fixed top-level values; leaves of the generated expressions.
const HEADER: &str = "\
let a = 3
let b = -5
let s = \"hi\"
let fl = 2.5
let t = true
let xs = [ 1; 2; 3 ]
let o = Some 4
let arr = [| 7; 8; 9 |]
";

fn leaves(ty: Ty) -> Vec<&'static str> {
    match ty {
        Ty::Int => vec!["a", "b", "0", "1", "-7", "42"],
        Ty::Bool => vec!["t", "true", "false"],
        Ty::Str => vec!["s", "\"\"", "\"x y\""],
        Ty::Float => vec!["fl", "0.5", "-1.0"],
        Ty::IntList => vec!["xs", "[]", "[ 5 ]"],
        Ty::IntOption => vec!["o", "None", "(Some 0)"],
        Ty::IntArray => vec!["arr", "[||]", "[| 1; 2 |]"],
    }
}

fn leaf(ty: Ty) -> BoxedStrategy<String> {
    prop::sample::select(leaves(ty))
        .prop_map(str::to_string)
        .boxed()
}

/// An expression of type `ty`, at most `depth` constructors deep.
pub fn expr(ty: Ty, depth: u32) -> BoxedStrategy<String> {
    if depth == 0 {
        return leaf(ty);
    }
    let d = depth - 1;
    let int = || expr(Ty::Int, d);
    let boolean = || expr(Ty::Bool, d);
    let string = || expr(Ty::Str, d);
    let float = || expr(Ty::Float, d);
    let list = || expr(Ty::IntList, d);
    let option = || expr(Ty::IntOption, d);
    let array = || expr(Ty::IntArray, d);
    let same = || expr(ty, d);
    // Forms that work at any type.
    let generic = prop_oneof![
        (boolean(), same(), same()).prop_map(|(c, x, y)| format!("(if {c} then {x} else {y})")),
        (int(), same()).prop_map(|(v, body)| format!("(let v = {v} in {body})")),
        same().prop_map(|x| format!("(id {x})")),
        (same(), int()).prop_map(|(x, y)| format!("(fst ({x}, {y}))")),
        (option(), same())
            .prop_map(|(o, x)| format!("(match {o} with Some _ -> {x} | None -> {x})")),
    ];
    let specific: BoxedStrategy<String> = match ty {
        Ty::Int => prop_oneof![
            (int(), int()).prop_map(|(x, y)| format!("({x} + {y})")),
            (int(), int()).prop_map(|(x, y)| format!("({x} - {y})")),
            (int(), int()).prop_map(|(x, y)| format!("({x} * {y})")),
            (int(), int()).prop_map(|(x, y)| format!("({x} / {y})")),
            (int(), int()).prop_map(|(x, y)| format!("({x} % {y})")),
            (int(), int()).prop_map(|(x, y)| format!("(max {x} {y})")),
            int().prop_map(|x| format!("(abs {x})")),
            list().prop_map(|l| format!("(List.length {l})")),
            list().prop_map(|l| format!("(List.sum {l})")),
            (int(), list())
                .prop_map(|(x, l)| format!("(List.fold (fun acc v -> acc + v * {x}) 0 {l})")),
            string().prop_map(|x| format!("(String.length {x})")),
            float().prop_map(|x| format!("(int {x})")),
            array().prop_map(|x| format!("(Array.length {x})")),
            (option(), int()).prop_map(|(o, x)| format!("(defaultArg {o} {x})")),
            (option(), int())
                .prop_map(|(o, x)| format!("(match {o} with Some v -> v + {x} | None -> {x})")),
            (int(), int()).prop_map(|(x, y)| format!("((fun v -> v * {x}) {y})")),
            (list(), int()).prop_map(|(l, x)| format!("(match {l} with [] -> {x} | h :: _ -> h)")),
        ]
        .boxed(),
        Ty::Bool => prop_oneof![
            (int(), int()).prop_map(|(x, y)| format!("({x} < {y})")),
            (int(), int()).prop_map(|(x, y)| format!("({x} = {y})")),
            (string(), string()).prop_map(|(x, y)| format!("({x} = {y})")),
            (boolean(), boolean()).prop_map(|(x, y)| format!("({x} && {y})")),
            (boolean(), boolean()).prop_map(|(x, y)| format!("({x} || {y})")),
            boolean().prop_map(|x| format!("(not {x})")),
            list().prop_map(|l| format!("(List.isEmpty {l})")),
            option().prop_map(|o| format!("(Option.isSome {o})")),
            (int(), list()).prop_map(|(x, l)| format!("(List.exists (fun v -> v > {x}) {l})")),
        ]
        .boxed(),
        Ty::Str => prop_oneof![
            (string(), string()).prop_map(|(x, y)| format!("({x} + {y})")),
            int().prop_map(|x| format!("(string {x})")),
            int().prop_map(|x| format!("(sprintf \"%d\" {x})")),
            (string(), int()).prop_map(|(x, y)| format!("(sprintf \"%s-%d\" {x} {y})")),
            float().prop_map(|x| format!("(sprintf \"%.2f\" {x})")),
            list().prop_map(|l| format!("(String.concat \",\" (List.map string {l}))")),
            int().prop_map(|x| format!("$\"<{{{x}}}>\"")),
        ]
        .boxed(),
        Ty::Float => prop_oneof![
            (float(), float()).prop_map(|(x, y)| format!("({x} + {y})")),
            (float(), float()).prop_map(|(x, y)| format!("({x} * {y})")),
            int().prop_map(|x| format!("(float {x})")),
            float().prop_map(|x| format!("(sqrt (abs {x}))")),
        ]
        .boxed(),
        Ty::IntList => prop_oneof![
            (int(), int()).prop_map(|(x, y)| format!("[ {x}; {y} ]")),
            (int(), list()).prop_map(|(x, l)| format!("({x} :: {l})")),
            (list(), list()).prop_map(|(x, y)| format!("({x} @ {y})")),
            list().prop_map(|l| format!("(List.rev {l})")),
            (int(), list()).prop_map(|(x, l)| format!("(List.map (fun v -> v + {x}) {l})")),
            (int(), list()).prop_map(|(x, l)| format!("(List.filter (fun v -> v > {x}) {l})")),
            array().prop_map(|x| format!("(List.ofArray {x})")),
            list().prop_map(|l| format!("(List.sort {l})")),
            list().prop_map(|l| format!("[ for v in {l} -> v * 2 ]")),
            int().prop_map(|x| format!("[ 1 .. {x} % 5 ]")),
        ]
        .boxed(),
        Ty::IntOption => prop_oneof![
            int().prop_map(|x| format!("(Some {x})")),
            list().prop_map(|l| format!("(List.tryHead {l})")),
            (int(), option()).prop_map(|(x, o)| format!("(Option.map (fun v -> v - {x}) {o})")),
            (int(), list()).prop_map(|(x, l)| format!("(List.tryFind (fun v -> v = {x}) {l})")),
        ]
        .boxed(),
        Ty::IntArray => prop_oneof![
            (int(), int()).prop_map(|(x, y)| format!("[| {x}; {y} |]")),
            list().prop_map(|l| format!("(List.toArray {l})")),
            (int(), array()).prop_map(|(x, a)| format!("(Array.map (fun v -> v * {x}) {a})")),
            int().prop_map(|x| format!("(Array.create (abs {x} % 4) 1)")),
        ]
        .boxed(),
    };
    prop_oneof![1 => leaf(ty), 2 => generic, 5 => specific].boxed()
}

/// How to print a value of `ty`.
fn printer(ty: Ty, name: &str) -> String {
    match ty {
        Ty::Int => format!("printfn \"%d\" {name}"),
        Ty::Bool => format!("printfn \"%b\" {name}"),
        Ty::Str => format!("printfn \"%s\" {name}"),
        Ty::Float => format!("printfn \"%.3f\" {name}"),
        Ty::IntList => format!("printfn \"%d\" (List.length {name})"),
        Ty::IntOption => format!("printfn \"%d\" (defaultArg {name} -1)"),
        Ty::IntArray => format!("printfn \"%d\" (Array.sum {name})"),
    }
}

/// A program binding one to four generated expressions and printing them.
pub fn program() -> impl Strategy<Value = String> {
    let binding = prop::sample::select(ALL_TYPES).prop_flat_map(|ty| (Just(ty), expr(ty, 3)));
    prop::collection::vec(binding, 1..5).prop_map(|bindings| {
        let mut text = HEADER.to_string();
        for (i, (ty, e)) in bindings.iter().enumerate() {
            text.push_str(&format!("let r{i} = {e}\n"));
            text.push_str(&printer(*ty, &format!("r{i}")));
            text.push('\n');
        }
        text
    })
}
