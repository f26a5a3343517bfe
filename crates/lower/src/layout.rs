//! Layout: the one owner of sizes, alignments and what fits in registers.
//!
//! Every size a later stage needs comes from here: Alex's allocation sizes, union
//! payloads and offsets, and lowering's `musttail` decision. The answers follow the
//! program's [`Target`](composer_target::Target) (pointer size, the alignment of
//! 64-bit scalars, the calling convention); the MLIR types Alex spells
//! (`crates/alex/src/types.rs`) must give the same layout, which the program tests
//! check end to end on every target.
//!
//! Aggregates use the natural C layout (DESIGN §4). Strings and arrays are
//! `{ptr, i64}` and function values `{code, env}` on every target today; a 32-bit
//! target will make lengths word-sized here and in Alex together.

use crate::mir::{Program, Ty, UnionId};

impl Program {
    /// Size and alignment of a type in memory (natural C layout, DESIGN §4; `bool`
    /// is a byte). Only the program knows a union's payload, so there is no
    /// size function on `Ty` alone.
    pub fn size_align(&self, ty: &Ty) -> (u64, u64) {
        let pointer = self.target.pointer_bytes;
        match ty {
            Ty::Union(u) if self.unions[u.index()].boxed => (pointer, pointer),
            // `{tag: i32, payload: [words x i64]}`.
            Ty::Union(u) => match self.union_payload(*u) {
                (words, true) => {
                    let align = self.scalar_align(8);
                    (4u64.next_multiple_of(align) + words * 8, align)
                }
                (_, false) => (4, 4),
            },
            Ty::Tuple(fields) => self.struct_layout(fields).0,
            Ty::Option(inner) => {
                let (size, align) = self.size_align(inner);
                let align = align.max(1);
                ((align + size).div_ceil(align) * align, align)
            }
            Ty::Int { bits, .. } | Ty::Float { bits } => {
                let size = u64::from(*bits) / 8;
                (size, self.scalar_align(size))
            }
            Ty::Bool => (1, 1),
            Ty::Char => (4, 4),
            Ty::Str | Ty::Array(_) => self.struct_layout(&[Ty::Ptr, Ty::I64]).0,
            // `{code, env, pair}` (alex's `closures.rs`).
            Ty::Func(..) => self.struct_layout(&[Ty::Ptr, Ty::Ptr, Ty::Ptr]).0,
            Ty::Unit => (0, 1),
            Ty::Ptr | Ty::Boxed(_) => (pointer, pointer),
        }
    }

    /// The alignment of a scalar of `size` bytes on the target.
    fn scalar_align(&self, size: u64) -> u64 {
        size.min(self.target.max_scalar_align).max(1)
    }

    /// Whether a call with these machine parameters and result passes every argument
    /// and the result in registers under the target's calling convention, the
    /// condition for LLVM to honour `musttail` (System V x86-64: six integer
    /// registers, AAPCS64: eight; both return two words). Larger values (a big union,
    /// a wide tuple) would be passed in memory.
    pub fn fits_in_registers(&self, params: &[Ty], ret: &Ty) -> bool {
        let word = self.target.word_bytes();
        let words = |t: &Ty| self.size_align(t).0.div_ceil(word);
        let convention = self.target.calling_convention;
        params.iter().map(words).sum::<u64>() <= convention.argument_words
            && words(ret) <= convention.result_words
    }

    /// `((size, align), offsets)` of a struct of these fields, unions included.
    pub fn struct_layout(&self, fields: &[Ty]) -> ((u64, u64), Vec<u64>) {
        let mut offset = 0u64;
        let mut align = 1u64;
        let mut offsets = Vec::new();
        for f in fields {
            let (s, a) = self.size_align(f);
            let a = a.max(1);
            offset = offset.div_ceil(a) * a;
            offsets.push(offset);
            offset += s;
            align = align.max(a);
        }
        ((offset.div_ceil(align) * align, align), offsets)
    }

    /// For a boxed union with exactly one case that has fields, that case: its
    /// cells need no tag (every pointer that is not a small case number is one).
    pub fn only_case_with_fields(&self, u: UnionId) -> Option<u32> {
        let layout = &self.unions[u.index()];
        let mut with_fields = layout
            .cases
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.fields.is_empty());
        match (with_fields.next(), with_fields.next()) {
            (Some((k, _)), None) if layout.boxed => Some(k as u32),
            _ => None,
        }
    }

    /// Where a boxed union cell's fields start: after the `i32` tag (8-aligned), or
    /// at 0 when the cell has no tag ([`Program::only_case_with_fields`]).
    pub fn boxed_payload_offset(&self, u: UnionId) -> u64 {
        if self.only_case_with_fields(u).is_some() {
            0
        } else {
            8
        }
    }

    /// The payload of a union in 8-byte words, and whether any case has fields.
    pub fn union_payload(&self, u: UnionId) -> (u64, bool) {
        let layout = &self.unions[u.index()];
        let mut words = 0;
        let mut any = false;
        for c in &layout.cases {
            if !c.fields.is_empty() {
                any = true;
            }
            let ((size, _), _) = self.struct_layout(&c.fields);
            words = words.max(size.div_ceil(8));
        }
        (words, any && words > 0)
    }
}

#[cfg(test)]
mod tests {
    use crate::mir::{Program, Ty};
    use composer_target::Target;

    const WORD32: Target = Target::TEST_WORD32;

    fn program(target: Target) -> Program {
        Program {
            target,
            ..Program::default()
        }
    }

    #[test]
    fn pointers_follow_the_target() {
        let p64 = program(Target::DEFAULT);
        let p32 = program(WORD32);
        assert_eq!(p64.size_align(&Ty::Ptr), (8, 8));
        assert_eq!(p32.size_align(&Ty::Ptr), (4, 4));
        assert_eq!(p32.size_align(&Ty::Boxed(Box::new(Ty::I64))), (4, 4));
        // A function value is three pointers: code, environment, pair entry.
        assert_eq!(
            p64.size_align(&Ty::Func(Box::new(Ty::I64), Box::new(Ty::I64))),
            (24, 8)
        );
        assert_eq!(
            p32.size_align(&Ty::Func(Box::new(Ty::I64), Box::new(Ty::I64))),
            (12, 4)
        );
        // A string is {ptr, i64} on every target today.
        assert_eq!(p32.size_align(&Ty::Str), (16, 8));
        assert_eq!(
            p32.struct_layout(&[Ty::Ptr, Ty::I32, Ty::Ptr]),
            ((12, 4), vec![0, 4, 8])
        );
    }

    #[test]
    fn the_register_budget_follows_the_calling_convention() {
        let seven = vec![Ty::I64; 7];
        assert!(!program(composer_target::X86_64_LINUX).fits_in_registers(&seven, &Ty::I64));
        assert!(program(composer_target::AARCH64_LINUX).fits_in_registers(&seven, &Ty::I64));
        let wide = Ty::Tuple(vec![Ty::I64; 3]);
        assert!(!program(composer_target::AARCH64_LINUX).fits_in_registers(&[], &wide));
    }

    #[test]
    fn int_lowers_to_the_target_word() {
        let src = "let x = 1\nlet y = x + 2\nprintfn \"%d\" y\n";
        for (target, bits) in [(Target::DEFAULT, 64), (WORD32, 32)] {
            let mut sources = composer_diagnostics::SourceMap::new();
            let file = sources.add("t.clef", src);
            let mut interner = composer_syntax::Interner::new();
            let (ast, diags) = composer_syntax::parse_file(file, src, &mut interner);
            assert!(diags.is_empty(), "{diags:?}");
            let options = composer_semantics::CheckOptions {
                target,
                ..Default::default()
            };
            let (psg, diags) =
                composer_semantics::check_program_for(options, &[], &[ast], &mut interner);
            assert!(diags.is_empty(), "{diags:?}");
            let (mir, _) = crate::lower(&psg);
            assert_eq!(mir.target.word_bits, bits);
            let int = Ty::Int { bits, signed: true };
            assert!(
                mir.globals.iter().all(|g| g.ty == int),
                "{target}: {:?}",
                mir.globals
            );
        }
    }
}
