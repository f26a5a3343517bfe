//! Type expressions, lowest to highest: `a -> b` (right) < `a * b` < postfix
//! application `int list` / `t[]` < atoms (`int`, `'a`, `list<int>`, `float<m/s>`,
//! `(t)`). Units of measure: `m`, `m/s`, `m s`, `m^2`, `s^-1`, `1`.

use composer_diagnostics::Span;

use super::Parser;
use crate::ast::{MeasureExpr, TypeExpr, TypeExprKind};
use crate::lexer::TokenKind;

/// Primitive numeric types that take a unit of measure in `<...>`.
const MEASURABLE: &[&str] = &[
    "float",
    "float32",
    "double",
    "single",
    "decimal",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "sbyte",
    "byte",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "nativeint",
    "unativeint",
];

impl Parser<'_> {
    fn mk_type(&self, kind: TypeExprKind, start: Span) -> TypeExpr {
        TypeExpr {
            kind,
            span: self.since(start),
        }
    }

    pub(super) fn parse_type(&mut self) -> TypeExpr {
        let start = self.span();
        if !self.enter() {
            self.too_deep();
            return self.mk_type(TypeExprKind::Error, start);
        }
        let lhs = self.parse_tuple_type();
        let result = if self.eat(&TokenKind::Arrow) {
            let rhs = self.parse_type();
            self.mk_type(TypeExprKind::Fun(Box::new(lhs), Box::new(rhs)), start)
        } else {
            lhs
        };
        self.leave();
        result
    }

    fn parse_tuple_type(&mut self) -> TypeExpr {
        let start = self.span();
        let first = self.parse_postfix_type();
        if !self.at_op("*") {
            return first;
        }
        let mut items = vec![first];
        while self.at_op("*") {
            self.bump();
            items.push(self.parse_postfix_type());
        }
        self.mk_type(TypeExprKind::Tuple(items), start)
    }

    /// An atomic type followed by postfix applications: `int list option`, `int[]`.
    pub(super) fn parse_postfix_type(&mut self) -> TypeExpr {
        let start = self.span();
        let mut ty = self.parse_atomic_type();
        loop {
            match self.peek() {
                TokenKind::Ident(_) => {
                    let path = self.expect_long_ident("a type name");
                    ty = self.mk_type(
                        TypeExprKind::Named {
                            path,
                            args: vec![ty],
                        },
                        start,
                    );
                }
                TokenKind::LBracket if *self.nth(1) == TokenKind::RBracket => {
                    self.bump();
                    self.bump();
                    ty = self.mk_type(TypeExprKind::Array(Box::new(ty)), start);
                }
                _ => return ty,
            }
        }
    }

    fn parse_atomic_type(&mut self) -> TypeExpr {
        let start = self.span();
        match self.peek().clone() {
            TokenKind::Hash
                if self.cursor.is_adjacent_nth(1) && *self.nth(1) != TokenKind::Hash =>
            {
                // `#seq<int>`, F#'s flexible type: the type itself, since a parameter
                // of a collection type already takes what F# would coerce to it
                // (a list or an array where a seq is expected).
                self.bump();
                self.parse_atomic_type()
            }
            TokenKind::TypeVar(name) => {
                self.bump();
                let ident = self.ident(&name, start);
                self.mk_type(TypeExprKind::Var(ident), start)
            }
            TokenKind::Ident(_) => {
                let path = self.expect_long_ident("a type name");
                if !self.at_op("<") {
                    return self.mk_type(
                        TypeExprKind::Named {
                            path,
                            args: Vec::new(),
                        },
                        start,
                    );
                }
                let measurable =
                    path.len() == 1 && MEASURABLE.contains(&self.interner.resolve(&path[0].name));
                let base_span = self.since(start);
                self.bump();
                if measurable {
                    let measure = self.parse_measure();
                    self.expect_greater();
                    let base = TypeExpr {
                        kind: TypeExprKind::Named {
                            path,
                            args: Vec::new(),
                        },
                        span: base_span,
                    };
                    return self.mk_type(
                        TypeExprKind::Measure {
                            base: Box::new(base),
                            measure,
                        },
                        start,
                    );
                }
                let mut args = Vec::new();
                if !self.at_op(">") {
                    loop {
                        args.push(self.parse_type());
                        if !self.eat(&TokenKind::Comma) {
                            break;
                        }
                    }
                }
                self.expect_greater();
                self.mk_type(TypeExprKind::Named { path, args }, start)
            }
            TokenKind::LParen => {
                let open = self.bump().span;
                let inner = self.parse_type();
                self.expect_closing(&TokenKind::RParen, "`)`", open);
                inner
            }
            TokenKind::Underscore => {
                self.bump();
                self.unsupported(start, "the wildcard type `_`");
                self.mk_type(TypeExprKind::Error, start)
            }
            _ => {
                self.error_expected("a type");
                if !super::expr::ends_item(self.peek())
                    && !matches!(
                        self.peek(),
                        TokenKind::Equals | TokenKind::Semi | TokenKind::Comma
                    )
                {
                    self.bump();
                }
                TypeExpr {
                    kind: TypeExprKind::Error,
                    span: start.shrink_to_start(),
                }
            }
        }
    }

    /// The `>` closing type arguments (splitting `>>` when arguments nest).
    pub(super) fn expect_greater(&mut self) {
        self.cursor.split_leading_greater();
        if self.at_op(">") {
            self.cursor.mark_closes_type_args();
            self.bump();
        } else {
            self.error_expected("`>`");
        }
    }

    /// A unit-of-measure expression: products by juxtaposition or `*`, quotients by
    /// `/`, powers by `^n` (all left-associative, `^` binding tightest).
    pub(super) fn parse_measure(&mut self) -> MeasureExpr {
        let mut measure = self.parse_measure_power();
        loop {
            if self.at_op("*") {
                self.bump();
                let rhs = self.parse_measure_power();
                measure = MeasureExpr::Product(Box::new(measure), Box::new(rhs));
            } else if self.at_op("/") {
                self.bump();
                let rhs = self.parse_measure_power();
                measure = MeasureExpr::Quotient(Box::new(measure), Box::new(rhs));
            } else if matches!(self.peek(), TokenKind::Ident(_) | TokenKind::LParen) {
                let rhs = self.parse_measure_power();
                measure = MeasureExpr::Product(Box::new(measure), Box::new(rhs));
            } else {
                return measure;
            }
        }
    }

    fn parse_measure_power(&mut self) -> MeasureExpr {
        let base = self.parse_measure_atom();
        let negative = if self.at_op("^") {
            false
        } else if self.at_op("^-") {
            true
        } else {
            return base;
        };
        self.bump();
        if !negative && self.at_op("-") {
            self.bump();
            return self.measure_exponent(base, true);
        }
        self.measure_exponent(base, negative)
    }

    fn measure_exponent(&mut self, base: MeasureExpr, negative: bool) -> MeasureExpr {
        match self.peek() {
            TokenKind::Int { value, .. } => {
                let value = i32::try_from(*value).unwrap_or(i32::MAX);
                self.bump();
                MeasureExpr::Power(Box::new(base), if negative { -value } else { value })
            }
            _ => {
                self.error_expected("an integer exponent");
                base
            }
        }
    }

    fn parse_measure_atom(&mut self) -> MeasureExpr {
        match self.peek() {
            TokenKind::Ident(name) => {
                let name = name.clone();
                let span = self.bump().span;
                MeasureExpr::Named(self.ident(&name, span))
            }
            TokenKind::Int { value: 1, .. } => {
                self.bump();
                MeasureExpr::One
            }
            TokenKind::TypeVar(name) => {
                let name = name.clone();
                let span = self.bump().span;
                MeasureExpr::Var(self.ident(&name, span))
            }
            TokenKind::LParen => {
                let open = self.bump().span;
                if !self.enter() {
                    self.too_deep();
                    return MeasureExpr::One;
                }
                let inner = self.parse_measure();
                self.leave();
                self.expect_closing(&TokenKind::RParen, "`)`", open);
                inner
            }
            _ => {
                self.error_expected("a unit of measure");
                MeasureExpr::One
            }
        }
    }
}
