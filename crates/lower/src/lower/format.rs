//! Formatting: `printf`-family format strings and interpolated strings appended to
//! the runtime's format buffer piece by piece, and `string` of primitive values.
//! Structured values (`%A`) are formatted by derived functions (`derive/`).

use super::placement::{INTERPOLATED_STRING, SPRINTF_RESULT};
use super::{i32c, int_const, Builder, Lowerer};
use crate::mir::{self, Const, Operand, RtFn, Rvalue};
use composer_diagnostics::Span;
use composer_semantics::format::FormatPiece;
use composer_semantics::psg::{self, ExprId};
use composer_semantics::types::Ty as PTy;

impl Lowerer<'_> {
    pub(super) fn lower_format(
        &mut self,
        b: &mut Builder,
        kind: psg::FormatKind,
        spec: &composer_semantics::format::FormatSpec,
        args: &[ExprId],
        span: Span,
    ) -> Operand {
        let mut values = Vec::new();
        for a in args {
            let ty = self.expr_ty(b, *a);
            let v = self.lower_expr(b, *a);
            values.push((v, ty, self.psg.expr(*a).span));
        }
        self.format_values(b, kind, spec, values, span)
    }

    /// A format function applied to already-evaluated arguments (value, concrete
    /// type, span); `span` is the application (where `sprintf` allocates its result).
    pub(super) fn format_values(
        &mut self,
        b: &mut Builder,
        kind: psg::FormatKind,
        spec: &composer_semantics::format::FormatSpec,
        values: Vec<(Operand, PTy, Span)>,
        span: Span,
    ) -> Operand {
        b.call_rt(RtFn::FmtStart, vec![], mir::Ty::Unit);
        let mut vals = values.into_iter();
        for piece in &spec.pieces {
            match piece {
                FormatPiece::Literal(t) => {
                    let s = self.str_const(t);
                    b.call_rt(RtFn::FmtLiteral, vec![s], mir::Ty::Unit);
                }
                FormatPiece::Arg(arg) => {
                    let (v, ty, span) = vals
                        .next()
                        .expect("format arity checked by the type checker");
                    let width = arg.width.map(|w| w as i32).unwrap_or(-1);
                    let prec = arg.precision.map(|p| p as i32).unwrap_or(-1);
                    self.fmt_value(b, v, &ty, arg.conv, arg.flags, width, prec, span);
                }
            }
        }
        let u8c = |v: i128| int_const(v, 8, false);
        match kind {
            psg::FormatKind::Printf => {
                b.call_rt(RtFn::FmtFinishWrite, vec![i32c(1), u8c(0)], mir::Ty::Unit)
            }
            psg::FormatKind::Printfn => {
                b.call_rt(RtFn::FmtFinishWrite, vec![i32c(1), u8c(1)], mir::Ty::Unit)
            }
            psg::FormatKind::Eprintf => {
                b.call_rt(RtFn::FmtFinishWrite, vec![i32c(2), u8c(0)], mir::Ty::Unit)
            }
            psg::FormatKind::Eprintfn => {
                b.call_rt(RtFn::FmtFinishWrite, vec![i32c(2), u8c(1)], mir::Ty::Unit)
            }
            psg::FormatKind::Sprintf => {
                self.placed(b, span, SPRINTF_RESULT);
                b.call_rt(RtFn::FmtFinishString, vec![], mir::Ty::Str)
            }
            psg::FormatKind::Failwithf => {
                b.call_rt(RtFn::FmtFinishPanic, vec![], mir::Ty::Unit);
                Operand::Const(Const::Unit)
            }
        }
    }

    /// Appends a float of `bits` (32 or 64) to the format buffer, widened to 64 bits.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn fmt_float(
        &mut self,
        b: &mut Builder,
        v: Operand,
        bits: u32,
        conv: char,
        flags: u32,
        width: i32,
        prec: i32,
    ) {
        let wide = b.temp(
            Rvalue::Convert(v, mir::Ty::Float { bits: 64 }),
            mir::Ty::Float { bits: 64 },
        );
        b.call_rt(
            RtFn::FmtFloat,
            vec![
                wide,
                int_const((bits == 32) as i128, 8, false),
                i32c(conv as i32),
                i32c(flags as i32),
                i32c(width),
                i32c(prec),
            ],
            mir::Ty::Unit,
        );
    }

    /// Appends one value to the runtime's format buffer.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn fmt_value(
        &mut self,
        b: &mut Builder,
        v: Operand,
        ty: &PTy,
        conv: char,
        flags: u32,
        width: i32,
        prec: i32,
        span: Span,
    ) {
        let structured = !matches!(ty, PTy::Prim(_));
        if conv == 'A' || (conv == '\0' && structured) {
            // `%A`, and interpolation of structured values, write F#'s `%A` text.
            self.format_structured(b, v, ty, false);
            return;
        }
        let mty = self.mir_ty(ty);
        match mty {
            mir::Ty::Int { bits, signed } => {
                self.fmt_int(b, v, bits, signed, conv, flags, width, prec)
            }
            mir::Ty::Float { bits } => self.fmt_float(b, v, bits, conv, flags, width, prec),
            mir::Ty::Str => {
                b.call_rt(
                    RtFn::FmtString,
                    vec![v, i32c(flags as i32), i32c(width), i32c(prec)],
                    mir::Ty::Unit,
                );
            }
            mir::Ty::Char => {
                let c = b.temp(Rvalue::Convert(v, mir::Ty::I32), mir::Ty::I32);
                b.call_rt(
                    RtFn::FmtChar,
                    vec![c, i32c(flags as i32), i32c(width)],
                    mir::Ty::Unit,
                );
            }
            mir::Ty::Bool => {
                let byte = b.bool_byte(v);
                b.call_rt(
                    RtFn::FmtBool,
                    vec![byte, i32c(conv as i32), i32c(flags as i32), i32c(width)],
                    mir::Ty::Unit,
                );
            }
            mir::Ty::Unit => {}
            other => self.unsupported(span, &format!("formatting a value of type '{other}'")),
        }
    }

    /// Appends an integer of `bits` to the format buffer, widened to 64 bits.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn fmt_int(
        &mut self,
        b: &mut Builder,
        v: Operand,
        bits: u32,
        signed: bool,
        conv: char,
        flags: u32,
        width: i32,
        prec: i32,
    ) {
        let wide = b.temp(Rvalue::Convert(v, mir::Ty::I64), mir::Ty::I64);
        b.call_rt(
            RtFn::FmtInt,
            vec![
                wide,
                i32c(bits as i32),
                int_const(signed as i128, 8, false),
                i32c(conv as i32),
                i32c(flags as i32),
                i32c(width),
                i32c(prec),
            ],
            mir::Ty::Unit,
        );
    }

    pub(super) fn value_to_string(
        &mut self,
        b: &mut Builder,
        v: Operand,
        ty: &mir::Ty,
        span: Span,
    ) -> Operand {
        match ty {
            mir::Ty::Str => v,
            mir::Ty::Int { signed, .. } => {
                let wide = b.temp(Rvalue::Convert(v, mir::Ty::I64), mir::Ty::I64);
                let rt = if *signed {
                    RtFn::IntToString
                } else {
                    RtFn::UIntToString
                };
                b.call_rt(rt, vec![wide], mir::Ty::Str)
            }
            mir::Ty::Float { bits: 32 } => b.call_rt(RtFn::Float32ToString, vec![v], mir::Ty::Str),
            mir::Ty::Float { .. } => b.call_rt(RtFn::FloatToString, vec![v], mir::Ty::Str),
            mir::Ty::Char => {
                let c = b.temp(Rvalue::Convert(v, mir::Ty::I32), mir::Ty::I32);
                b.call_rt(RtFn::CharToString, vec![c], mir::Ty::Str)
            }
            mir::Ty::Bool => {
                let byte = b.bool_byte(v);
                b.call_rt(RtFn::BoolToString, vec![byte], mir::Ty::Str)
            }
            mir::Ty::Unit => self.str_const(""),
            other => {
                self.unsupported(span, &format!("'string' of a value of type '{other}'"));
                self.str_const("")
            }
        }
    }

    /// An interpolated string (`$"..."`): the holes are evaluated first, in order,
    /// then the text and the holes' values are appended to the format buffer.
    pub(super) fn lower_interpolated(
        &mut self,
        b: &mut Builder,
        parts: &[psg::InterpolatedPart],
        span: Span,
    ) -> Operand {
        let mut ops = Vec::new();
        for p in parts {
            if let psg::InterpolatedPart::Hole { expr: h, .. } = p {
                let ty = self.expr_ty(b, *h);
                let v = self.lower_expr(b, *h);
                ops.push((v, ty, self.psg.expr(*h).span));
            }
        }
        b.call_rt(RtFn::FmtStart, vec![], mir::Ty::Unit);
        let mut holes = ops.into_iter();
        for p in parts {
            match p {
                psg::InterpolatedPart::Text(t) => {
                    let s = self.str_const(t);
                    b.call_rt(RtFn::FmtLiteral, vec![s], mir::Ty::Unit);
                }
                psg::InterpolatedPart::Hole { format, .. } => {
                    let (v, ty, hspan) = holes.next().expect("one operand per hole");
                    match format {
                        Some(arg) => {
                            let width = arg.width.map(|w| w as i32).unwrap_or(-1);
                            let prec = arg.precision.map(|p| p as i32).unwrap_or(-1);
                            self.fmt_value(b, v, &ty, arg.conv, arg.flags, width, prec, hspan);
                        }
                        None => self.fmt_value(b, v, &ty, '\0', 0, -1, -1, hspan),
                    }
                }
            }
        }
        self.placed(b, span, INTERPOLATED_STRING);
        b.call_rt(RtFn::FmtFinishString, vec![], mir::Ty::Str)
    }
}
