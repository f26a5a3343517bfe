//! Expressions: inference rules per AST node.

use super::Checker;
use crate::format::{parse_format, ArgKind, FormatError};
use crate::psg::*;
use crate::types::{Constraint, Prim, Ty, TyCon};
use composer_diagnostics::{Code, Span};
use composer_syntax::ast;

impl Checker<'_> {
    /// Like [`Checker::infer_expr`], with the type the context expects when it is
    /// known: a lambda takes its parameter types from it (so `fun p -> p.Name`
    /// type-checks as an argument, as in F#), and an application passes it on.
    pub(crate) fn infer_expr_with(&mut self, e: &ast::Expr, expected: Option<Ty>) -> ExprId {
        match (&e.kind, expected) {
            (ast::ExprKind::Lambda { params, body }, Some(t)) => {
                self.lambda_expected = Some(t);
                let id = self.check_lambda(params, body, e.span);
                self.lambda_expected = None;
                id
            }
            (ast::ExprKind::App { func, arg }, Some(t)) => {
                self.infer_app(func, arg, e.span, Some(t))
            }
            // The branches of a `match`, `if` or `let` body get the expected type as
            // soon as one of them has a type (`let rec perms xs = match xs with [] ->
            // [[]] | _ -> [ for rest in perms ... ]`: the recursive call is known to
            // return a list before the comprehension iterates over it).
            (ast::ExprKind::Match { scrutinee, rules }, Some(t)) => {
                self.infer_match(scrutinee, rules, e.span, Some(t))
            }
            (
                ast::ExprKind::Let {
                    is_rec,
                    bindings,
                    body,
                },
                Some(t),
            ) => self.infer_let(*is_rec, bindings, body, e.span, Some(t)),
            (
                ast::ExprKind::If {
                    cond,
                    then_branch,
                    else_branch,
                },
                Some(t),
            ) => self.infer_if(cond, then_branch, else_branch.as_deref(), e.span, Some(t)),
            (_, Some(t)) => {
                let id = self.infer_expr(e);
                let ty = self.expr_ty(id);
                self.flow_expected(&ty, &t);
                id
            }
            (_, None) => self.infer_expr(e),
        }
    }

    /// `xs.[i]` and `xs.Item(i)` on a list: `List.item i xs`, with `xs` evaluated
    /// first as F# does (it is bound to a local, then the index is evaluated).
    pub(crate) fn list_item(&mut self, target: ExprId, index: ExprId, span: Span) -> ExprId {
        let ty = self.expr_ty(target);
        let binding = self.local_binding("_list", ty.clone(), span);
        let list = self.add_expr(ExprKind::Local(binding), span, ty);
        let f = self.lang_path(super::lang::LangItem::ListItem, span);
        let f = self.infer_expr(&f);
        let f = self.apply(f, index, span);
        let call = self.apply(f, list, span);
        let result = self.expr_ty(call);
        self.add_expr(
            ExprKind::Let {
                binding,
                value: target,
                body: call,
            },
            span,
            result,
        )
    }

    /// Lets the type the context expects flow into `actual` as far as they agree
    /// (F# checks a pipeline's left side first, and the function on its right then
    /// takes its argument types from it: `xs |> List.iter (fun w -> w.Length)`).
    /// Nothing is reported here: where the types disagree, the check that follows
    /// (the application) reports it. A parameter that is a seq where a list, array
    /// or string is expected takes its element type from it, since the application
    /// converts the argument (`Checker::coerce_to_seq`).
    pub(crate) fn flow_expected(&mut self, actual: &Ty, expected: &Ty) {
        if self.u.try_unify(actual, expected).is_ok() {
            return;
        }
        let (Ty::Fun(param, result), Ty::Fun(expected_param, expected_result)) =
            (self.u.shallow(actual), self.u.shallow(expected))
        else {
            return;
        };
        let converted_element = match self.u.shallow(&param) {
            Ty::App(TyCon::Seq, elem) => self
                .seq_view(&expected_param)
                .map(|(_, given)| (elem[0].clone(), given)),
            _ => None,
        };
        match converted_element {
            Some((elem, given)) => {
                let _ = self.u.try_unify(&elem, &given);
            }
            None => {
                let _ = self.u.try_unify(&param, &expected_param);
            }
        }
        self.flow_expected(&result, &expected_result);
    }

    /// FS0750: `let!`, `use!`, `do!` or `match!` (`kind`, written at the start of
    /// `span`) where no builder binds: outside a computation expression, or in a seq.
    pub(crate) fn bang_outside_computation(&mut self, kind: ast::BangKind, span: Span) {
        let keyword = Span {
            end: (span.start + kind.as_str().len() as u32).min(span.end),
            ..span
        };
        self.error(
            Code::BangOutsideComputation,
            keyword,
            format!(
                "This construct may only be used within computation expressions: '{}' needs \
                 a builder that binds, such as 'async {{ ... }}' ('seq {{ ... }}' does not bind)",
                kind.as_str()
            ),
        );
    }

    pub(crate) fn infer_expr(&mut self, e: &ast::Expr) -> ExprId {
        let span = e.span;
        if let ast::ExprKind::App { .. } | ast::ExprKind::Binary { .. } = e.kind {
            if let Some(fused) = self.try_fuse(e) {
                return fused;
            }
        }
        match &e.kind {
            ast::ExprKind::Lit(lit) => self.infer_literal(lit, span, false),
            ast::ExprKind::Interpolated(parts) => {
                let mut out = Vec::new();
                // A `%d` right before a hole types that hole (F# typed interpolation).
                let mut pending: Option<crate::format::FormatArg> = None;
                for (i, p) in parts.iter().enumerate() {
                    match p {
                        ast::InterpolatedPart::Text(t) => {
                            let next_is_hole = matches!(
                                parts.get(i + 1),
                                Some(ast::InterpolatedPart::Hole { .. })
                            );
                            pending = self.interpolated_text(t, next_is_hole, span, &mut out);
                        }
                        ast::InterpolatedPart::Hole { expr, format } => {
                            if format.is_some() {
                                self.unsupported(
                                    expr.span,
                                    "a .NET format string in an interpolation hole ('{x:N2}')",
                                );
                            }
                            let (expr, alignment) = split_alignment(expr);
                            let id = self.infer_expr(expr);
                            let mut format = pending.take();
                            if let Some(width) = alignment {
                                // `{x,-6}` / `{x,5}`: .NET's alignment pads the text
                                // of `x` with spaces, on the right when negative.
                                let flags = if width < 0 {
                                    crate::format::FLAG_LEFT
                                } else {
                                    0
                                };
                                let width = Some(width.unsigned_abs());
                                format = Some(match format {
                                    Some(arg) => crate::format::FormatArg {
                                        flags: arg.flags | flags,
                                        width,
                                        ..arg
                                    },
                                    None => crate::format::FormatArg {
                                        flags,
                                        width,
                                        precision: None,
                                        conv: '\0',
                                    },
                                });
                            }
                            if let Some(arg) = format.as_ref().filter(|a| a.conv != '\0') {
                                let want = match arg.kind() {
                                    ArgKind::Any => self.u.fresh(),
                                    ArgKind::Constrained(c) => self.u.fresh_constrained(c),
                                    ArgKind::String => Ty::STRING,
                                    ArgKind::Char => Ty::CHAR,
                                    ArgKind::Bool => Ty::BOOL,
                                };
                                self.expect_type(id, &want);
                            }
                            out.push(InterpolatedPart::Hole { expr: id, format });
                        }
                    }
                }
                self.add_expr(ExprKind::Interpolated(out), span, Ty::STRING)
            }
            ast::ExprKind::Path(path) => self.resolve_path(path),
            ast::ExprKind::DotGet { target, member } => {
                let t = self.infer_expr(target);
                self.member_access(t, *member)
            }
            ast::ExprKind::Index { target, index } => {
                let t = self.infer_expr(target);
                let target_ty = self.u.shallow(&self.expr_ty(t));
                if let Ty::App(TyCon::User(def), _) = &target_ty {
                    // `m.[key]` on a type with an `Item` member (`Map`) calls it.
                    let item = self.interner.get_or_intern_static("Item");
                    if self
                        .members
                        .get(&(*def, item))
                        .is_some_and(|m| !m.is_static)
                    {
                        let ident = ast::Ident {
                            name: item,
                            span: index.span,
                        };
                        let f = self.member_access(t, ident);
                        let param = match self.u.shallow(&self.expr_ty(f)) {
                            Ty::Fun(p, _) => Some((*p).clone()),
                            _ => None,
                        };
                        let i = self.infer_expr_with(index, param);
                        return self.apply(f, i, span);
                    }
                }
                let i = self.infer_expr(index);
                if let Ty::App(TyCon::List, _) = target_ty {
                    return self.list_item(t, i, span);
                }
                self.expect_type(i, &Ty::INT);
                let elem = self.u.fresh();
                if target_ty == Ty::STRING {
                    // `s.[i]` is `s.Chars(i)`.
                    let f = self.lang_path(super::lang::LangItem::StringChars, span);
                    let f = self.infer_expr(&f);
                    let f = self.apply(f, t, span);
                    return self.apply(f, i, span);
                }
                self.expect_type(t, &Ty::array(elem.clone()));
                self.add_expr(
                    ExprKind::Index {
                        target: t,
                        index: i,
                    },
                    span,
                    elem,
                )
            }
            ast::ExprKind::Slice { target, start, end } => {
                self.infer_slice(target, start.as_deref(), end.as_deref(), span)
            }
            ast::ExprKind::App { func, arg } => self.infer_app(func, arg, span, None),
            ast::ExprKind::TypeApp { func, args } => self.infer_type_app(func, args, span),
            ast::ExprKind::OperatorValue(op) => {
                // `(+)` is `fun a b -> a + b`.
                let a = self.fresh_ident(span);
                let b = self.fresh_ident(span);
                let body = ast::Expr {
                    kind: ast::ExprKind::Binary {
                        op: *op,
                        lhs: Box::new(path_expr(a)),
                        rhs: Box::new(path_expr(b)),
                    },
                    span,
                };
                self.check_lambda(&[named_pat(a), named_pat(b)], &body, span)
            }
            ast::ExprKind::Unary { op, operand } => self.infer_unary(*op, operand, span),
            ast::ExprKind::Binary { op, lhs, rhs } => self.infer_binary(*op, lhs, rhs, span),
            ast::ExprKind::Assign { target, value } => self.infer_assign(target, value, span),
            ast::ExprKind::Tuple(items) => {
                let ids: Vec<ExprId> = items.iter().map(|i| self.infer_expr(i)).collect();
                let ty = Ty::Tuple(ids.iter().map(|i| self.expr_ty(*i)).collect());
                self.add_expr(ExprKind::Tuple(ids), span, ty)
            }
            ast::ExprKind::List(items) => {
                if Self::is_comprehension(items) {
                    return self.infer_comprehension(items, "List", span);
                }
                let elem = self.u.fresh();
                let list_ty = Ty::app(TyCon::List, vec![elem.clone()]);
                let ids: Vec<ExprId> = items
                    .iter()
                    .map(|i| {
                        let id = self.infer_expr(i);
                        self.expect_type(id, &elem);
                        id
                    })
                    .collect();
                let mut result = self.add_expr(ExprKind::ListNil, span, list_ty.clone());
                for id in ids.into_iter().rev() {
                    let item_span = self.psg.exprs[id.index()].span;
                    result = self.add_expr(
                        ExprKind::ListCons {
                            head: id,
                            tail: result,
                        },
                        item_span.to(span.shrink_to_end()),
                        list_ty.clone(),
                    );
                }
                result
            }
            ast::ExprKind::Array(items) => {
                if Self::is_comprehension(items) {
                    return self.infer_comprehension(items, "Array", span);
                }
                let elem = self.u.fresh();
                let ids: Vec<ExprId> = items
                    .iter()
                    .map(|i| {
                        let id = self.infer_expr(i);
                        self.expect_type(id, &elem);
                        id
                    })
                    .collect();
                self.add_expr(ExprKind::ArrayLit(ids), span, Ty::array(elem))
            }
            ast::ExprKind::Range { .. } => {
                self.unsupported(span, "a range outside 'for ... in'");
                self.error_expr(span)
            }
            ast::ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => self.infer_if(cond, then_branch, else_branch.as_deref(), span, None),
            ast::ExprKind::While { cond, body } => {
                let c = self.infer_expr(cond);
                self.expect_type(c, &Ty::BOOL);
                let b = self.infer_expr(body);
                self.warn_if_not_unit(b);
                self.add_expr(ExprKind::While { cond: c, body: b }, span, Ty::UNIT)
            }
            ast::ExprKind::ForTo {
                var,
                start,
                end,
                downward,
                body,
            } => {
                let s = self.infer_expr(start);
                let t = self.u.fresh_constrained(Constraint::Integer);
                self.expect_type(s, &t);
                let en = self.infer_expr(end);
                self.expect_type(en, &t);
                self.infer_for(var.name, var.span, t, s, en, None, *downward, body, span)
            }
            ast::ExprKind::ForIn { pat, source, body } => match (&pat.kind, &source.kind) {
                (
                    ast::PatKind::Named(_) | ast::PatKind::Wild,
                    ast::ExprKind::Range { start, step, end },
                ) => {
                    // `for c in 'a' .. 'z'`: chars count too.
                    let t = self.u.fresh_constrained(Constraint::Range);
                    let s = self.infer_expr(start);
                    let before = self.diags.len();
                    self.expect_type(s, &t);
                    // A start that is no number: said once, not again for the end,
                    // the step and each use of the variable.
                    let t = if self.diags.len() > before {
                        Ty::Error
                    } else {
                        t
                    };
                    let st = step.as_ref().map(|st| {
                        let id = self.infer_expr(st);
                        self.expect_type(id, &t);
                        id
                    });
                    let en = self.infer_expr(end);
                    self.expect_type(en, &t);
                    let (name, vspan) = match &pat.kind {
                        ast::PatKind::Named(id) => (Some(id.name), id.span),
                        _ => (None, pat.span),
                    };
                    match name {
                        Some(n) => self.infer_for(n, vspan, t, s, en, st, false, body, span),
                        None => {
                            let sym = self.interner.get_or_intern_static("_");
                            self.infer_for(sym, vspan, t, s, en, st, false, body, span)
                        }
                    }
                }
                _ => self.infer_for_each(pat, source, body, span),
            },
            ast::ExprKind::Let {
                is_rec,
                bindings,
                body,
            } => self.infer_let(*is_rec, bindings, body, span, None),
            ast::ExprKind::Use { binding, body } => self.infer_use(binding, body, span),
            ast::ExprKind::Sequential(items) => {
                let mut ids = Vec::new();
                let n = items.len();
                for (i, item) in items.iter().enumerate() {
                    let id = self.infer_expr(item);
                    if i + 1 < n {
                        self.warn_if_not_unit(id);
                    }
                    ids.push(id);
                }
                let ty = ids.last().map(|l| self.expr_ty(*l)).unwrap_or(Ty::UNIT);
                self.add_expr(ExprKind::Sequential(ids), span, ty)
            }
            ast::ExprKind::Lambda { params, body } => self.check_lambda(params, body, span),
            ast::ExprKind::Function(rules) => {
                // `function | p -> e ...` is `fun x -> match x with | p -> e ...`.
                let x = self.fresh_ident(span);
                let body = ast::Expr {
                    kind: ast::ExprKind::Match {
                        scrutinee: Box::new(path_expr(x)),
                        rules: rules.clone(),
                    },
                    span,
                };
                self.check_lambda(&[named_pat(x)], &body, span)
            }
            ast::ExprKind::Match { scrutinee, rules } => {
                self.infer_match(scrutinee, rules, span, None)
            }
            ast::ExprKind::Typed { expr, ty } => {
                let id = self.infer_expr(expr);
                let t = self.resolve_type(ty);
                self.expect_type(id, &t);
                id
            }
            ast::ExprKind::Record { copy_from, fields } => {
                self.infer_record(copy_from.as_deref(), fields, span)
            }
            ast::ExprKind::Computation { builder, body } if self.name(builder.name) == "seq" => {
                self.infer_seq(body, span)
            }
            ast::ExprKind::Computation { builder, body }
                if super::asyncs::builder_kind(self.name(builder.name)).is_some() =>
            {
                let hot = super::asyncs::builder_kind(self.name(builder.name)) == Some(true);
                self.infer_async(body, span, hot)
            }
            ast::ExprKind::Bang { kind, expr } if self.in_async => {
                self.infer_bang(*kind, expr, span)
            }
            ast::ExprKind::Return { is_bang, expr } if self.in_async => {
                self.infer_return(*is_bang, expr, span)
            }
            ast::ExprKind::Await(value) => self.infer_await(value, false, span),
            ast::ExprKind::Computation { builder, .. } => {
                let name = self.name(builder.name).to_string();
                self.unsupported(
                    span,
                    &format!("the '{name} {{ ... }}' computation expression"),
                );
                self.error_expr(span)
            }
            ast::ExprKind::ImplicitYield { expr, consumer } => {
                self.infer_implicit_yield(expr, consumer.as_deref(), span)
            }
            ast::ExprKind::Bang { kind, expr } => {
                // The form without the `!` is still checked, so its names and types are
                // reported as usual.
                self.bang_outside_computation(*kind, span);
                self.infer_expr(expr);
                self.error_expr(span)
            }
            ast::ExprKind::Yield { .. } | ast::ExprKind::Return { .. } => {
                self.unsupported(span, "'yield'/'return' outside a computation expression");
                self.error_expr(span)
            }
            ast::ExprKind::Lazy(value) => self.infer_lazy(value, span),
            ast::ExprKind::WithMeasure { expr, measure } => {
                let id = self.infer_expr(expr);
                let m = self.resolve_measure_expr(measure);
                let ty = crate::types::measured(self.expr_ty(id), m);
                self.psg.expr_types[id.index()] = ty;
                id
            }
            ast::ExprKind::Error => self.error_expr(span),
        }
    }

    /// The text between holes of `$"..."`: `%%` is `%`, and a format specifier at
    /// its end types the hole that follows. Returns that specifier.
    pub(super) fn interpolated_text(
        &mut self,
        text: &str,
        next_is_hole: bool,
        span: Span,
        out: &mut Vec<InterpolatedPart>,
    ) -> Option<crate::format::FormatArg> {
        use crate::format::FormatPiece;
        let spec = match parse_format(text) {
            Ok(spec) => spec,
            Err(FormatError::Invalid(msg)) => {
                self.error(
                    Code::BadFormatString,
                    span,
                    format!("Invalid interpolated string: {msg}"),
                );
                return None;
            }
            Err(FormatError::Unsupported(msg)) => {
                self.error(Code::Unsupported, span, format!("{msg} by Composer"));
                return None;
            }
        };
        let count = spec.pieces.len();
        let mut typed = None;
        for (i, piece) in spec.pieces.into_iter().enumerate() {
            match piece {
                FormatPiece::Literal(l) => out.push(InterpolatedPart::Text(l)),
                FormatPiece::Arg(arg) if i + 1 == count && next_is_hole => typed = Some(arg),
                FormatPiece::Arg(arg) => self.error(
                    Code::BadFormatString,
                    span,
                    format!(
                        "Invalid interpolated string: the format specifier '%{}' must be followed by an interpolated value such as {{x}}",
                        arg.conv
                    ),
                ),
            }
        }
        typed
    }

    pub(crate) fn infer_literal(
        &mut self,
        lit: &ast::Literal,
        span: Span,
        negated: bool,
    ) -> ExprId {
        let (c, ty) = match lit {
            ast::Literal::Int {
                value,
                suffix,
                bit_pattern,
            } => {
                let prim = match suffix {
                    ast::IntSuffix::None => Prim::Int,
                    ast::IntSuffix::Y => Prim::Int8,
                    ast::IntSuffix::UY => Prim::UInt8,
                    ast::IntSuffix::S => Prim::Int16,
                    ast::IntSuffix::US => Prim::UInt16,
                    ast::IntSuffix::L => Prim::Int32,
                    ast::IntSuffix::U => Prim::UInt32,
                    ast::IntSuffix::LL => Prim::Int64,
                    ast::IntSuffix::ULL => Prim::UInt64,
                    ast::IntSuffix::N => Prim::NativeInt,
                    ast::IntSuffix::UN => Prim::UNativeInt,
                };
                let (bits, signed) = prim
                    .int_info(self.psg.target.word_bits)
                    .expect("integer suffixes give integer types");
                let magnitude = *value;
                // Hex, octal and binary literals may give a signed type's value by its
                // bit pattern (F# accepts 0xFFFFFFFFl); decimal ones must be in range.
                let max_unsigned: u128 = if bits == 128 {
                    u128::MAX
                } else {
                    (1u128 << bits) - 1
                };
                let max_signed_pos: u128 = (1u128 << (bits - 1)) - 1;
                let ok = if negated {
                    signed && magnitude <= max_signed_pos + 1
                } else if signed && !*bit_pattern {
                    magnitude <= max_signed_pos
                } else {
                    magnitude <= max_unsigned
                };
                if !ok {
                    self.error(
                        Code::LiteralOutOfRange,
                        span,
                        format!("This number is outside the allowable range for this integer type ('{}')", prim.name()),
                    );
                    return self.error_expr(span);
                }
                let mut v = magnitude as i128;
                if signed && !negated && magnitude > max_signed_pos {
                    // Bit pattern: wrap into the signed range.
                    v -= 1i128 << bits;
                }
                if negated {
                    v = -v;
                }
                (Const::Int(v, prim), Ty::Prim(prim))
            }
            ast::Literal::Float { value, is_single } => {
                let p = if *is_single {
                    Prim::Float32
                } else {
                    Prim::Float
                };
                let v = if negated { -*value } else { *value };
                (Const::Float(v, p), Ty::Prim(p))
            }
            ast::Literal::Bool(b) => (Const::Bool(*b), Ty::BOOL),
            ast::Literal::Char(c) => (Const::Char(*c), Ty::CHAR),
            ast::Literal::String(s) => (Const::String(s.clone()), Ty::STRING),
            ast::Literal::Unit => (Const::Unit, Ty::UNIT),
        };
        self.add_expr(ExprKind::Const(c), span, ty)
    }

    pub(super) fn infer_format(
        &mut self,
        kind: FormatKind,
        fmt: &str,
        fmt_span: Span,
        span: Span,
    ) -> ExprId {
        let spec = match parse_format(fmt) {
            Ok(spec) => spec,
            Err(FormatError::Invalid(msg)) => {
                self.error(
                    Code::BadFormatString,
                    fmt_span,
                    format!("Unable to parse format string: {msg}"),
                );
                return self.error_expr(span);
            }
            Err(FormatError::Unsupported(msg)) => {
                self.error(Code::Unsupported, fmt_span, format!("{msg} by Composer"));
                return self.error_expr(span);
            }
        };
        let result = match kind {
            FormatKind::Printf
            | FormatKind::Printfn
            | FormatKind::Eprintf
            | FormatKind::Eprintfn => Ty::UNIT,
            FormatKind::Sprintf => Ty::STRING,
            FormatKind::Failwithf => self.u.fresh(),
        };
        let args: Vec<Ty> = spec
            .args()
            .map(|a| match a.kind() {
                ArgKind::Any => self.u.fresh(),
                ArgKind::Constrained(c) => self.u.fresh_constrained(c),
                ArgKind::String => Ty::STRING,
                ArgKind::Char => Ty::CHAR,
                ArgKind::Bool => Ty::BOOL,
            })
            .collect();
        let ty = Ty::curried(args, result);
        self.add_expr(ExprKind::Format { kind, spec }, span, ty)
    }

    pub(super) fn infer_unary(
        &mut self,
        op: ast::UnaryOp,
        operand: &ast::Expr,
        span: Span,
    ) -> ExprId {
        if let (
            ast::UnaryOp::Neg,
            ast::ExprKind::Lit(lit @ (ast::Literal::Int { .. } | ast::Literal::Float { .. })),
        ) = (op, &operand.kind)
        {
            return self.infer_literal(lit, span, true);
        }
        let x = self.infer_expr(operand);
        match op {
            ast::UnaryOp::Plus => x,
            ast::UnaryOp::Neg => {
                let t = self.u.fresh_constrained(Constraint::SignedNumeric);
                self.expect_type(x, &t);
                self.add_expr(
                    ExprKind::Unary {
                        op: UnaryOp::Neg,
                        operand: x,
                    },
                    span,
                    t,
                )
            }
            ast::UnaryOp::BitNot => {
                let t = self.u.fresh_constrained(Constraint::Integer);
                self.expect_type(x, &t);
                self.add_expr(
                    ExprKind::Unary {
                        op: UnaryOp::BitNot,
                        operand: x,
                    },
                    span,
                    t,
                )
            }
        }
    }

    pub(super) fn infer_binary(
        &mut self,
        op: ast::BinaryOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> ExprId {
        use ast::BinaryOp as A;
        let (pop, constraint) = match op {
            A::PipeRight => {
                let a = self.infer_expr(lhs);
                let expected = Ty::fun(self.expr_ty(a), self.u.fresh());
                let f = self.infer_expr_with(rhs, Some(expected));
                return self.apply(f, a, span);
            }
            A::PipeLeft => {
                let f = self.infer_expr(lhs);
                let a = self.infer_expr(rhs);
                return self.apply(f, a, span);
            }
            A::PipeRight2 | A::PipeRight3 => {
                let want = if op == A::PipeRight2 { 2 } else { 3 };
                if let ast::ExprKind::Tuple(items) = &lhs.kind {
                    if items.len() == want {
                        let args: Vec<ExprId> = items.iter().map(|i| self.infer_expr(i)).collect();
                        let arg_tys = args.iter().map(|a| self.expr_ty(*a)).collect();
                        let expected = Ty::curried(arg_tys, self.u.fresh());
                        let mut f = self.infer_expr_with(rhs, Some(expected));
                        for a in args {
                            f = self.apply(f, a, span);
                        }
                        return f;
                    }
                }
                // `t ||> f` is `let (a, b) = t in f a b`.
                let names: Vec<ast::Ident> = (0..want).map(|_| self.fresh_ident(span)).collect();
                let pattern = ast::Pat {
                    kind: ast::PatKind::Tuple(names.iter().map(|n| named_pat(*n)).collect()),
                    span,
                };
                let call = names.iter().fold(rhs.clone(), |f, n| ast::Expr {
                    kind: ast::ExprKind::App {
                        func: Box::new(f),
                        arg: Box::new(path_expr(*n)),
                    },
                    span,
                });
                let desugared = let_expr(pattern, lhs.clone(), call, span);
                return self.infer_expr(&desugared);
            }
            A::ComposeRight | A::ComposeLeft => {
                // `f >> g` is `let f' = f in let g' = g in fun x -> g' (f' x)`:
                // both sides are evaluated once, when the composition is made.
                let (first, second) = if op == A::ComposeRight {
                    (lhs, rhs)
                } else {
                    (rhs, lhs)
                };
                let f = self.fresh_ident(span);
                let g = self.fresh_ident(span);
                let x = self.fresh_ident(span);
                let app = |func: ast::Expr, arg: ast::Expr| ast::Expr {
                    kind: ast::ExprKind::App {
                        func: Box::new(func),
                        arg: Box::new(arg),
                    },
                    span,
                };
                let body = app(path_expr(g), app(path_expr(f), path_expr(x)));
                let lambda = ast::Expr {
                    kind: ast::ExprKind::Lambda {
                        params: vec![named_pat(x)],
                        body: Box::new(body),
                    },
                    span,
                };
                let inner = let_expr(named_pat(g), second.clone(), lambda, span);
                let desugared = let_expr(named_pat(f), first.clone(), inner, span);
                return self.infer_expr(&desugared);
            }
            A::Cons => {
                let h = self.infer_expr(lhs);
                let t = self.infer_expr(rhs);
                let list_ty = Ty::app(TyCon::List, vec![self.expr_ty(h)]);
                self.expect_type(t, &list_ty);
                return self.add_expr(ExprKind::ListCons { head: h, tail: t }, span, list_ty);
            }
            A::Append => {
                // `a @ b` is `List.append a b` (the library's).
                let f = self.lang_path(super::lang::LangItem::ListAppend, span);
                let partial = ast::Expr {
                    kind: ast::ExprKind::App {
                        func: Box::new(f),
                        arg: Box::new(lhs.clone()),
                    },
                    span,
                };
                let call = ast::Expr {
                    kind: ast::ExprKind::App {
                        func: Box::new(partial),
                        arg: Box::new(rhs.clone()),
                    },
                    span,
                };
                return self.infer_expr(&call);
            }
            A::Add => (BinaryOp::Add, Some(Constraint::Addable)),
            A::Concat => (BinaryOp::Add, None),
            A::Sub => (BinaryOp::Sub, Some(Constraint::Numeric)),
            A::Mul => (BinaryOp::Mul, Some(Constraint::Numeric)),
            A::Div => (BinaryOp::Div, Some(Constraint::Numeric)),
            A::Mod => (BinaryOp::Mod, Some(Constraint::Numeric)),
            A::Pow => (BinaryOp::Pow, Some(Constraint::Floating)),
            A::BitAnd => (BinaryOp::BitAnd, Some(Constraint::Integer)),
            A::BitOr => (BinaryOp::BitOr, Some(Constraint::Integer)),
            A::BitXor => (BinaryOp::BitXor, Some(Constraint::Integer)),
            A::Shl => (BinaryOp::Shl, Some(Constraint::Integer)),
            A::Shr => (BinaryOp::Shr, Some(Constraint::Integer)),
            A::Eq => (BinaryOp::Eq, None),
            A::Ne => (BinaryOp::Ne, None),
            A::Lt => (BinaryOp::Lt, None),
            A::Le => (BinaryOp::Le, None),
            A::Gt => (BinaryOp::Gt, None),
            A::Ge => (BinaryOp::Ge, None),
            A::And => (BinaryOp::And, None),
            A::Or => (BinaryOp::Or, None),
        };
        let l = self.infer_expr(lhs);
        let r = self.infer_expr(rhs);
        let result = match pop {
            BinaryOp::And | BinaryOp::Or => {
                self.expect_type(l, &Ty::BOOL);
                self.expect_type(r, &Ty::BOOL);
                Ty::BOOL
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => {
                let lt = self.expr_ty(l);
                let (rt, rspan) = (self.expr_ty(r), self.psg.exprs[r.index()].span);
                if self.unify_at(rspan, &lt, &rt) {
                    let required = if matches!(pop, BinaryOp::Eq | BinaryOp::Ne) {
                        crate::types::Requirement::Equality
                    } else {
                        crate::types::Requirement::Comparison
                    };
                    if let Err(err) = self.u.require(&lt, required) {
                        let lspan = self.psg.exprs[l.index()].span;
                        self.report_unify_error(lspan, &lt, &lt, &err);
                    }
                }
                Ty::BOOL
            }
            BinaryOp::Shl | BinaryOp::Shr => {
                let t = self.u.fresh_constrained(Constraint::Integer);
                self.expect_type(l, &t);
                self.expect_type(r, &Ty::INT);
                // Enums have the bitwise operators but not the shifts (as in F#).
                let shifted = self.u.shallow(&t);
                if self.psg.enum_of(&shifted).is_some() {
                    let name = self.u.display(&shifted);
                    let symbol = if pop == BinaryOp::Shl { "<<<" } else { ">>>" };
                    self.error(
                        Code::TypeMismatch,
                        self.psg.exprs[l.index()].span,
                        format!("The type '{name}' does not support the operator '{symbol}'"),
                    );
                }
                t
            }
            BinaryOp::Mul | BinaryOp::Div
                if [l, r]
                    .iter()
                    .any(|x| matches!(self.u.shallow(&self.expr_ty(*x)), Ty::Measured(..))) =>
            {
                // Units multiply and divide: `float<m> / float<s>` is `float<m/s>`
                // (only where units are in play, as F# infers them).
                use crate::types::{measured, Measure, MeasureAtom};
                let base = self.u.fresh_constrained(Constraint::Numeric);
                let unit_var = |this: &mut Self| match this.u.fresh() {
                    Ty::Var(v) => Measure::atom(MeasureAtom::Var(v)),
                    _ => Measure::one(),
                };
                let ml = unit_var(self);
                let mr = unit_var(self);
                self.expect_type(l, &Ty::Measured(std::rc::Rc::new(base.clone()), ml.clone()));
                self.expect_type(r, &Ty::Measured(std::rc::Rc::new(base.clone()), mr.clone()));
                let m = if pop == BinaryOp::Mul {
                    ml.mul(&mr)
                } else {
                    ml.mul(&mr.inv())
                };
                measured(base, m)
            }
            _ => {
                let t = match (op, constraint) {
                    (A::Concat, _) => Ty::STRING,
                    (_, Some(c)) => self.u.fresh_constrained(c),
                    (_, None) => self.u.fresh(),
                };
                if !self.expect_type(l, &t) {
                    // One report per operator: `E.A + E.B` fails once, not once per side.
                    let rt = self.expr_ty(r);
                    let _ = self.u.unify(&t, &rt);
                } else {
                    self.expect_type(r, &t);
                }
                t
            }
        };
        self.add_expr(
            ExprKind::Binary {
                op: pop,
                lhs: l,
                rhs: r,
            },
            span,
            result,
        )
    }
}

/// `name` as an expression.
pub(super) fn path_expr(name: ast::Ident) -> ast::Expr {
    ast::Expr {
        kind: ast::ExprKind::Path(vec![name]),
        span: name.span,
    }
}

/// `name` as a pattern.
pub(super) fn named_pat(name: ast::Ident) -> ast::Pat {
    ast::Pat {
        kind: ast::PatKind::Named(name),
        span: name.span,
    }
}

/// `let pat = value in body`
pub(super) fn let_expr(pat: ast::Pat, value: ast::Expr, body: ast::Expr, span: Span) -> ast::Expr {
    ast::Expr {
        kind: ast::ExprKind::Let {
            is_rec: false,
            bindings: vec![binding(pat, false, value, span)],
            body: Box::new(body),
        },
        span,
    }
}

/// The binding `[mutable] pat = value` of a `let`.
pub(super) fn binding(
    pat: ast::Pat,
    is_mutable: bool,
    value: ast::Expr,
    span: Span,
) -> ast::Binding {
    ast::Binding {
        attributes: Vec::new(),
        is_private: false,
        is_mutable,
        is_inline: false,
        head: pat,
        type_params: Vec::new(),
        type_constraints: Vec::new(),
        params: Vec::new(),
        return_type: None,
        body: value,
        span,
    }
}

/// The hole `{value,alignment}` of an interpolated string parses as a pair whose second
/// item is an integer literal (`{name,-6}`, `{age,5}`): the value and the alignment.
/// Any other hole is its own value. (F# reads the hole the same way; a tuple value
/// needs parentheses there.)
fn split_alignment(expr: &ast::Expr) -> (&ast::Expr, Option<i32>) {
    let ast::ExprKind::Tuple(items) = &expr.kind else {
        return (expr, None);
    };
    let [value, alignment] = items.as_slice() else {
        return (expr, None);
    };
    if alignment.span.end != expr.span.end {
        // `{(1, 2)}`: a parenthesised tuple is the value (the parser gives it a span
        // that takes in the closing parenthesis).
        return (expr, None);
    }
    let magnitude = |e: &ast::Expr| match &e.kind {
        ast::ExprKind::Lit(ast::Literal::Int {
            value,
            suffix: ast::IntSuffix::None,
            ..
        }) => i32::try_from(*value).ok(),
        _ => None,
    };
    let width = match &alignment.kind {
        ast::ExprKind::Unary {
            op: ast::UnaryOp::Neg,
            operand,
        } => magnitude(operand).map(|m| -m),
        _ => magnitude(alignment),
    };
    match width {
        Some(width) => (value, Some(width)),
        None => (expr, None),
    }
}
