//! Error recovery: several errors in one file, later declarations still parsed.

use super::{check, codes, parse};
use crate::ast::DeclKind;

fn decl_names(src: &str) -> Vec<String> {
    let (file, _, interner) = parse(src);
    file.decls
        .iter()
        .map(|d| match &d.kind {
            DeclKind::Let { bindings, .. } => match &bindings[0].head.kind {
                crate::ast::PatKind::Named(name) => interner.resolve(&name.name).to_string(),
                _ => "<pattern>".into(),
            },
            DeclKind::Do(_) => "do".into(),
            DeclKind::Module { .. } => "module".into(),
            DeclKind::Open(_) => "open".into(),
            DeclKind::Types(_) => "type".into(),
            DeclKind::Error => "error".into(),
        })
        .collect()
}

#[test]
fn several_errors_are_reported_and_later_declarations_survive() {
    let src = "\
let a = 1 +
let b = )
let c = 12zz
let d x =
    let y = 2
let e = [1; 2
let f = 3
";
    assert_eq!(
        codes(src),
        ["FS0010", "FS0010", "FS1156", "FS0588", "FS0010"]
    );
    assert_eq!(decl_names(src), ["a", "b", "c", "d", "e", "f"]);
}

#[test]
fn garbage_inside_a_body_skips_to_the_next_line() {
    let src = "\
let f x =
    g x ) ]
    h x
let k = 2
";
    let out = check(src);
    insta::assert_snapshot!(out);
}

#[test]
fn a_bad_declaration_keyword_does_not_hide_the_rest() {
    let src = "let a = 1\nthen 2\nlet b = 2\n";
    assert_eq!(codes(src), ["FS0010"]);
    assert_eq!(decl_names(src), ["a", "b"]);
}

#[test]
fn unsupported_constructs_are_fs9001_and_parsing_continues() {
    let src = "\
let a = try f () with _ -> 0
let b = null
let c = x :?> int
type C(x: int) =
    member this.X = x
exception MyError of string
let d = 1
";
    assert_eq!(
        codes(src),
        ["FS9001", "FS9001", "FS9001", "FS9001", "FS9001"]
    );
    assert_eq!(decl_names(src), ["a", "b", "c", "type", "error", "d"]);
}

#[test]
fn missing_then_and_arrow_are_reported() {
    assert_eq!(codes("let a = if x 1 else 2\nlet b = 1"), ["FS0010"]);
    assert_eq!(codes("let a = match x with | 1 2\nlet b = 1"), ["FS0010"]);
    assert_eq!(codes("let a = fun x x\nlet b = 1"), ["FS0010"]);
}

#[test]
fn unclosed_brackets_are_reported_once() {
    assert_eq!(codes("let a = (1 + 2\nlet b = 1"), ["FS0010"]);
    assert_eq!(codes("let a = [| 1; 2\nlet b = 1"), ["FS0010"]);
    assert_eq!(codes("let a = { X = 1\nlet b = 1"), ["FS0010"]);
}

#[test]
fn bad_literals_still_give_a_tree() {
    let out = check("let a = 0b12 + 'ab' + \"\\uZZZZ\"");
    insta::assert_snapshot!(out);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("let a = {}1{}", "(".repeat(5000), ")".repeat(5000));
    assert!(codes(&deep).contains(&"FS0010".to_string()));
    let deep = format!("let a = {}1", "- ".repeat(5000));
    assert!(codes(&deep).contains(&"FS0010".to_string()));
    let deep = format!("let a = 1{}", " :: 1".repeat(5000));
    assert!(codes(&deep).contains(&"FS0010".to_string()));
    let deep = format!("let a = {}", "[".repeat(5000));
    assert!(!codes(&deep).is_empty());
    // Must not overflow the stack (errors or not).
    let deep = format!("let a = {}x", "if a then ".repeat(3000));
    assert!(codes(&deep).iter().all(|c| c == "FS0010"));
    let deep = format!(
        "let a = $\"{{ $\"{{ $\"{{ $\"{{ $\"{{ $\"{{ {}1 }}\" }}\" }}\" }}\" }}\" }}\"",
        "(".repeat(60)
    );
    codes(&deep);
    let deep = format!("let a ({}x{}) = 1", "(".repeat(5000), ")".repeat(5000));
    assert!(!codes(&deep).is_empty());
    let deep = format!("let a (x: {}int{}) = 1", "(".repeat(5000), ")".repeat(5000));
    assert!(!codes(&deep).is_empty());
}

#[test]
fn active_pattern_and_operator_definitions_are_named_by_their_text() {
    let out = super::check("let (|Even|Odd|) n = n\nlet (|Int|_|) s = s\nlet ( *** ) a b = a\n");
    assert!(out.contains("|Even|Odd|"), "{out}");
    assert!(out.contains("|Int|_|"), "{out}");
    assert!(out.contains("***"), "{out}");
    assert!(!out.contains("error"), "{out}");
}
