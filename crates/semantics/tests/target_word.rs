//! `int` follows the target's word: its literals are range-checked at the target's
//! width, and its type carries that width into the later stages.

use composer_diagnostics::{Code, Diagnostic, SourceMap};
use composer_semantics::types::Prim;
use composer_semantics::Target;

const WORD32: Target = Target::TEST_WORD32;

fn check(target: Target, src: &str) -> (composer_semantics::Psg, Vec<Diagnostic>) {
    let mut sources = SourceMap::new();
    let file = sources.add("test.clef", src);
    let mut interner = composer_syntax::Interner::new();
    let (ast, diags) = composer_syntax::parse_file(file, src, &mut interner);
    assert!(diags.is_empty(), "{diags:?}");
    composer_semantics::check_program_for(
        composer_semantics::CheckOptions {
            target,
            ..Default::default()
        },
        &[],
        &[ast],
        &mut interner,
    )
}

fn codes(diags: &[Diagnostic]) -> Vec<Code> {
    diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect()
}

#[test]
fn int_literals_are_checked_at_the_word_width() {
    let big = "let x = 3000000000\n";
    assert_eq!(codes(&check(Target::DEFAULT, big).1), vec![]);
    assert_eq!(
        codes(&check(WORD32, big).1),
        vec![Code::LiteralOutOfRange],
        "3000000000 does not fit a 32-bit int"
    );
    let edges =
        "let a = 2147483647\nlet b = -2147483648\nlet c = 0xFFFFFFFF\nlet d = 3000000000l\n";
    let (_, diags) = check(WORD32, edges);
    // `l` is int32 on every target; 3000000000l is out of its range.
    assert_eq!(codes(&diags), vec![Code::LiteralOutOfRange]);
    assert_eq!(codes(&check(WORD32, "let n = 4294967295un\n").1), vec![]);
    assert_eq!(
        codes(&check(WORD32, "let n = 4294967296un\n").1),
        vec![Code::LiteralOutOfRange]
    );
}

#[test]
fn the_psg_records_the_target() {
    let (psg, diags) = check(WORD32, "let x = 1\n");
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(psg.target.word_bits, 32);
    assert_eq!(Prim::Int.int_info(psg.target.word_bits), Some((32, true)));
    assert_eq!(Prim::UNativeInt.int_info(32), Some((32, false)));
    assert_eq!(Prim::Int64.int_info(32), Some((64, true)));
    let (psg, _) = check(Target::DEFAULT, "let x = 1\n");
    assert_eq!(psg.target.word_bits, 64);
}
