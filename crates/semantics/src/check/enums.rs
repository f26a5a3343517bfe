//! Enums (`type Color = Red = 0 | Green = 1`): their definitions, the values of
//! their cases (`Color.Red`, always qualified, as F# requires) and case patterns.
//!
//! An enum is a nominal type whose values are its underlying integer (or char):
//! a case is a constant of the enum type. It satisfies the `Integer` and
//! `Convertible` constraints (through `Unifier::user_operators`), so `&&&`, `|||`,
//! `^^^`, `~~~` give the enum type and `int c`, `byte c` convert it; `+` and the
//! other arithmetic operators are not defined on enums, as in F#.

use super::Checker;
use crate::psg::*;
use crate::types::{Constraint, Prim, Ty, TyCon};
use composer_diagnostics::{Code, Span};
use composer_syntax::ast;

impl Checker<'_> {
    /// The cases of `type T = A = v | ...` (definition `def`): each value must be a
    /// literal (FS0886) of one integer or char type (FS0951, FS0001).
    pub(crate) fn check_enum_defn(&mut self, def: u32, d: &ast::TypeDefn, cases: &[ast::EnumCase]) {
        let is_flags = d.attributes.iter().any(|a| {
            a.name
                .last()
                .is_some_and(|n| matches!(self.name(n.name), "Flags" | "FlagsAttribute"))
        });
        let mut underlying: Option<Prim> = None;
        let mut out = Vec::new();
        for case in cases {
            let Some((value, prim)) = self.enum_case_value(&case.value) else {
                continue;
            };
            let allowed = prim == Prim::Char
                || prim.is_integer() && !matches!(prim, Prim::NativeInt | Prim::UNativeInt);
            if !allowed {
                self.error(
                    Code::EnumLiteralType,
                    d.span,
                    "Literal enumerations must have type int, uint, int16, uint16, int64, uint64, byte, sbyte or char",
                );
                underlying = None;
                out.clear();
                break;
            }
            match underlying {
                Some(first) if first != prim => {
                    self.error(
                        Code::TypeMismatch,
                        case.value.span,
                        format!(
                            "This expression was expected to have type '{}' but here has type '{}'",
                            first.name(),
                            prim.name()
                        ),
                    );
                    continue;
                }
                _ => underlying = Some(prim),
            }
            out.push((self.name(case.name.name).to_string(), value));
        }
        let underlying = underlying.unwrap_or(Prim::Int);
        // A char enum has neither (F# rejects `char c` and `|||` on one too).
        if underlying.is_integer() {
            self.u.user_operators.insert((def, Constraint::Integer));
            self.u.user_operators.insert((def, Constraint::Convertible));
        }
        self.psg.types[def as usize].kind = TypeDefKind::Enum(EnumDef {
            underlying,
            cases: out,
            is_flags,
        });
    }

    /// A case's value: a literal, possibly negated. Reports FS0886 for anything else.
    fn enum_case_value(&mut self, value: &ast::Expr) -> Option<(i128, Prim)> {
        let (lit, negated) = match &value.kind {
            ast::ExprKind::Lit(lit) => (lit, false),
            ast::ExprKind::Unary {
                op: ast::UnaryOp::Neg,
                operand,
            } => match &operand.kind {
                ast::ExprKind::Lit(lit) => (lit, true),
                _ => return self.bad_enum_value(value.span),
            },
            _ => return self.bad_enum_value(value.span),
        };
        let e = self.infer_literal(lit, value.span, negated);
        match &self.psg.exprs[e.index()].kind {
            ExprKind::Const(Const::Int(v, p)) => Some((*v, *p)),
            ExprKind::Const(Const::Char(c)) => Some((*c as i128, Prim::Char)),
            ExprKind::Const(Const::Float(_, p)) => Some((0, *p)),
            ExprKind::Const(Const::String(_)) => Some((0, Prim::String)),
            ExprKind::Const(Const::Bool(_)) => Some((0, Prim::Bool)),
            _ => None,
        }
    }

    fn bad_enum_value(&mut self, span: Span) -> Option<(i128, Prim)> {
        self.error(
            Code::BadEnumValue,
            span,
            "This is not a valid value for an enumeration literal",
        );
        None
    }

    /// `Color.Red` where `def` is an enum: the case's index, if it has one by that name.
    pub(crate) fn enum_case_index(&self, def: u32, name: composer_syntax::Symbol) -> Option<usize> {
        let name = self.name(name);
        self.psg.types[def as usize]
            .enum_def()?
            .cases
            .iter()
            .position(|(n, _)| n == name)
    }

    /// The constant of an enum case, typed as the enum.
    pub(crate) fn enum_case_const(&self, def: u32, case: usize) -> Const {
        let e = self.psg.types[def as usize]
            .enum_def()
            .expect("an enum case belongs to an enum");
        let value = e.cases[case].1;
        match e.underlying {
            Prim::Char => Const::Char(char::from_u32(value as u32).unwrap_or('\0')),
            p => Const::Int(value, p),
        }
    }

    pub(crate) fn enum_case_expr(&mut self, def: u32, case: usize, span: Span) -> ExprId {
        let c = self.enum_case_const(def, case);
        self.add_expr(
            ExprKind::Const(c),
            span,
            Ty::App(TyCon::User(def), Vec::new().into()),
        )
    }

    /// `Color.Red` in a pattern: the enum and case it names.
    pub(crate) fn resolve_enum_case(&self, path: &[ast::Ident]) -> Option<(u32, usize)> {
        let [ty, case] = path else {
            return None;
        };
        let def = self.lookup_type(ty.name)?;
        Some((def, self.enum_case_index(def, case.name)?))
    }
}
