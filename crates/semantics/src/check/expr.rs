//! Expressions: inference rules per AST node.

use super::{Checker, Item};
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
        let binding = self.add_binding(Binding {
            name: "_list".into(),
            ty: ty.clone(),
            is_mutable: false,
            kind: BindingKind::Local,
            owner: self.current_fn,
            span,
            captured_mutable: false,
        });
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
        let converted_element = match (self.u.shallow(&param), self.u.shallow(&expected_param)) {
            (Ty::App(TyCon::Seq, elem), Ty::App(TyCon::List | TyCon::Array, given)) => {
                Some((elem[0].clone(), given[0].clone()))
            }
            (Ty::App(TyCon::Seq, elem), Ty::Prim(Prim::String)) => {
                Some((elem[0].clone(), Ty::CHAR))
            }
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
                    let t = self.u.fresh_constrained(Constraint::Numeric);
                    let s = self.infer_expr(start);
                    self.expect_type(s, &t);
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
    fn interpolated_text(
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

    fn infer_app(
        &mut self,
        func: &ast::Expr,
        arg: &ast::Expr,
        span: Span,
        expected: Option<Ty>,
    ) -> ExprId {
        // `printfn "..."`: a format function applied to its literal format string.
        if let (ast::ExprKind::Path(path), ast::ExprKind::Lit(ast::Literal::String(fmt))) =
            (&func.kind, &arg.kind)
        {
            if path.len() == 1 {
                let kind = self.known.format_functions.get(&path[0].name).copied();
                if let (Some(kind), None) = (kind, self.lookup(path[0].name)) {
                    return self.infer_format(kind, fmt, arg.span, span);
                }
            }
        }
        if let ast::ExprKind::Path(path) = &func.kind {
            if path.len() == 1
                && self.lookup(path[0].name).is_none()
                && self.known.format_functions.contains_key(&path[0].name)
                && matches!(arg.kind, ast::ExprKind::Interpolated(_))
            {
                // `printfn $"{x} items"`: the interpolated string is the whole text,
                // as `printfn "%s" $"..."`.
                let format = ast::Expr {
                    kind: ast::ExprKind::App {
                        func: Box::new(func.clone()),
                        arg: Box::new(ast::Expr {
                            kind: ast::ExprKind::Lit(ast::Literal::String("%s".into())),
                            span: arg.span,
                        }),
                    },
                    span: func.span,
                };
                return self.infer_app(&format, arg, span, expected);
            }
            if path.len() == 1
                && self.lookup(path[0].name).is_none()
                && self.known.format_functions.contains_key(&path[0].name)
            {
                let name = self.name(path[0].name).to_string();
                self.error(
                    Code::BadFormatString,
                    arg.span,
                    format!("'{name}' needs a literal format string as its first argument"),
                );
                let _ = self.infer_expr(arg);
                return self.error_expr(span);
            }
        }
        if let Some(reordered) = self.named_case_arguments(func, arg) {
            return self.infer_plain_app(func, &reordered, span, expected);
        }
        self.infer_plain_app(func, arg, span, expected)
    }

    /// `f x` once formats and named union-case arguments are dealt with.
    fn infer_plain_app(
        &mut self,
        func: &ast::Expr,
        arg: &ast::Expr,
        span: Span,
        expected: Option<Ty>,
    ) -> ExprId {
        if let Some(call) = self.method_call(func, arg, span) {
            return call;
        }
        if let Some(call) = self.infer_app_lambdas_last(func, arg, span, expected.clone()) {
            return call;
        }
        let func_expected = expected.map(|t| Ty::fun(self.u.fresh(), t));
        let f = match &func.kind {
            // `Positive n` in `(|Positive|Negative|)`'s body: the case with its result
            // (alone, `Positive` would be the case with a `unit` result).
            ast::ExprKind::Path(path) if path.len() == 1 => match self.lookup(path[0].name) {
                Some(Item::ActiveResult(def, case)) => self.union_case_expr(def, case, func.span),
                _ => self.infer_expr_with(func, func_expected),
            },
            _ => self.infer_expr_with(func, func_expected),
        };
        let arg_expected = match self.u.shallow(&self.expr_ty(f)) {
            Ty::Fun(p, _) => Some((*p).clone()),
            _ => None,
        };
        let a = self.infer_expr_with(arg, arg_expected);
        self.apply(f, a, span)
    }

    /// `f (fun x -> ...) xs`: a function applied to a lambda and then to arguments
    /// that are not lambdas. The other arguments are checked first and their types
    /// flow into the function's, so the lambda's parameters are known before its
    /// body is checked (`Option.map (fun s -> s.Length) o`, `List.sortBy (fun p ->
    /// p.Age) people`), as F# does for method arguments. Only the order of checking
    /// changes: the arguments are still evaluated left to right. `None` when the
    /// application has no lambda before another argument, or its function is not a
    /// plain name (a method, a format function or a union case is left to the
    /// ordinary rules).
    fn infer_app_lambdas_last(
        &mut self,
        func: &ast::Expr,
        arg: &ast::Expr,
        span: Span,
        expected: Option<Ty>,
    ) -> Option<ExprId> {
        let is_lambda = |e: &ast::Expr| {
            matches!(
                e.kind,
                ast::ExprKind::Lambda { .. } | ast::ExprKind::Function(_)
            )
        };
        // The spine `head a1 ... an`, each argument with the span of its application.
        let (head, inner_args) = func.spine();
        let mut args: Vec<(&ast::Expr, Span)> = inner_args
            .into_iter()
            .map(|a| (a, head.span.to(a.span)))
            .collect();
        args.push((arg, span));
        let first_lambda = args.iter().position(|(a, _)| is_lambda(a))?;
        if !args[first_lambda..].iter().any(|(a, _)| !is_lambda(a)) {
            return None;
        }
        let ast::ExprKind::Path(path) = &head.kind else {
            return None;
        };
        let plain_name = match path.as_slice() {
            [single] => {
                !(self.lookup(single.name).is_none()
                    && self.known.format_functions.contains_key(&single.name))
            }
            [first, ..] => !matches!(self.lookup(first.name), Some(Item::Value(_))),
            [] => false,
        };
        if !plain_name || self.resolve_case(path).is_some() {
            return None;
        }
        let f = self.infer_expr(head);
        let mut checked: Vec<Option<ExprId>> = vec![None; args.len()];
        for (slot, (a, _)) in checked.iter_mut().zip(&args) {
            if !is_lambda(a) {
                *slot = Some(self.infer_expr(a));
            }
        }
        let arg_tys: Vec<Ty> = checked
            .iter()
            .map(|c| match c {
                Some(id) => self.expr_ty(*id),
                None => self.u.fresh(),
            })
            .collect();
        let result = expected.unwrap_or_else(|| self.u.fresh());
        let f_ty = self.expr_ty(f);
        self.flow_expected(&f_ty, &Ty::curried(arg_tys, result));
        let mut call = f;
        for ((a, app_span), c) in args.iter().zip(checked) {
            let a = match c {
                Some(id) => id,
                None => {
                    let param = match self.u.shallow(&self.expr_ty(call)) {
                        Ty::Fun(p, _) => Some((*p).clone()),
                        _ => None,
                    };
                    self.infer_expr_with(a, param)
                }
            };
            call = self.apply(call, a, *app_span);
        }
        Some(call)
    }

    /// `Rectangle (width = 5.0, height = 2.0)`: when every argument of a union case
    /// names one of its fields, the arguments in field order (`None` otherwise, or
    /// when a name is wrong, which is reported).
    fn named_case_arguments(&mut self, func: &ast::Expr, arg: &ast::Expr) -> Option<ast::Expr> {
        let ast::ExprKind::Path(path) = &func.kind else {
            return None;
        };
        let (def, case) = self.resolve_case(path)?;
        let items: Vec<&ast::Expr> = match &arg.kind {
            ast::ExprKind::Tuple(items) => items.iter().collect(),
            _ => vec![arg],
        };
        let named: Vec<(ast::Ident, &ast::Expr)> = items
            .iter()
            .map(|item| match &item.kind {
                ast::ExprKind::Binary {
                    op: ast::BinaryOp::Eq,
                    lhs,
                    rhs,
                } => match &lhs.kind {
                    ast::ExprKind::Path(p) if p.len() == 1 => Some((p[0], &**rhs)),
                    _ => None,
                },
                _ => None,
            })
            .collect::<Option<_>>()?;
        let fields: Vec<String> = self.psg.types[def as usize]
            .union_cases()?
            .get(case as usize)?
            .fields
            .iter()
            .map(|f| f.name.clone())
            .collect();
        // `Case (x = y)` where `x` is not a field name is an equality test.
        if !named
            .iter()
            .any(|(n, _)| fields.iter().any(|f| f == self.name(n.name)))
        {
            return None;
        }
        let mut slots: Vec<Option<ast::Expr>> = vec![None; fields.len()];
        let mut misspelled = false;
        for (name, value) in &named {
            let text = self.name(name.name).to_string();
            match fields.iter().position(|f| *f == text) {
                Some(i) if slots[i].is_none() => slots[i] = Some((*value).clone()),
                Some(_) => self.error(
                    Code::TypeMismatch,
                    name.span,
                    format!("The union case field '{text}' is given more than once"),
                ),
                None => {
                    misspelled = true;
                    self.unknown_case_field(name.span, &text, &fields);
                }
            }
        }
        let missing: Vec<&str> = fields
            .iter()
            .zip(&slots)
            .filter(|(_, s)| s.is_none())
            .map(|(f, _)| f.as_str())
            .collect();
        if !missing.is_empty() && !misspelled {
            self.error(
                Code::TypeMismatch,
                arg.span,
                format!(
                    "The union case field(s) {} are not given a value",
                    missing.join(", ")
                ),
            );
        }
        let mut values: Vec<ast::Expr> = slots
            .into_iter()
            .map(|s| {
                s.unwrap_or(ast::Expr {
                    kind: ast::ExprKind::Error,
                    span: arg.span,
                })
            })
            .collect();
        Some(if values.len() == 1 {
            values.pop().expect("one value")
        } else {
            ast::Expr {
                kind: ast::ExprKind::Tuple(values),
                span: arg.span,
            }
        })
    }

    /// `f<int, string>`: `f` with its declared type parameters fixed.
    fn infer_type_app(&mut self, func: &ast::Expr, args: &[ast::TypeExpr], span: Span) -> ExprId {
        let first_new_var = self.u.var_count();
        let f = self.infer_expr(func);
        let arg_tys: Vec<Ty> = args.iter().map(|a| self.resolve_type(a)).collect();
        let declared = match self.psg.exprs[f.index()].kind {
            ExprKind::Function(fid) => self
                .explicit_type_params
                .get(&fid)
                .cloned()
                .map(|d| (fid, d)),
            _ => None,
        };
        let Some((fid, declared)) = declared else {
            return self.implicit_type_arguments(f, first_new_var, &arg_tys, func, span);
        };
        if declared.len() != args.len() {
            let name = self.psg.functions[fid.index()].name.clone();
            self.error(
                Code::TypeMismatch,
                span,
                format!(
                    "'{name}' takes {} type argument(s) but is given {}",
                    declared.len(),
                    args.len()
                ),
            );
            return f;
        }
        // A fresh instance of the scheme tied to the expression's instance, so the
        // declared variables can be found among the scheme's.
        let scheme = self.fn_schemes[fid.index()].clone();
        let (inst, fresh) = self.u.instantiate(&scheme);
        let f_ty = self.expr_ty(f);
        self.unify_at(span, &f_ty, &inst);
        for ((d, given), arg) in declared.iter().zip(&arg_tys).zip(args) {
            let target = match self.u.shallow(d) {
                Ty::Var(v) => match scheme.vars.iter().position(|w| *w == v) {
                    Some(i) => fresh[i].clone(),
                    None => Ty::Var(v),
                },
                other => other,
            };
            self.unify_at(arg.span, &target, given);
        }
        f
    }

    /// `List.empty<int>`, `Map.empty<string, int>`, `List.sum<int>`, `id<int>`:
    /// explicit type arguments for a generic value or function that does not declare
    /// its type parameters. They are the variables its use was given a fresh instance
    /// of (those numbered from `first_new_var`), in the order they first occur in its
    /// type, which is F#'s order for inferred type parameters.
    fn implicit_type_arguments(
        &mut self,
        f: ExprId,
        first_new_var: usize,
        given: &[Ty],
        func: &ast::Expr,
        span: Span,
    ) -> ExprId {
        let ty = self.u.resolve(&self.expr_ty(f));
        if ty == Ty::Error {
            return f;
        }
        let mut vars = Vec::new();
        collect_vars(&ty, &mut vars);
        vars.retain(|v| v.0 as usize >= first_new_var);
        let name = match &func.kind {
            ast::ExprKind::Path(p) => p
                .iter()
                .map(|i| self.name(i.name).to_string())
                .collect::<Vec<_>>()
                .join("."),
            _ => "This value".to_string(),
        };
        if vars.is_empty() {
            let shown = self.u.display(&ty);
            self.error(
                Code::TypeMismatch,
                span,
                format!("'{name}' is not generic (its type is '{shown}'), so it takes no explicit type arguments"),
            );
            return f;
        }
        if vars.len() != given.len() {
            self.error(
                Code::TypeMismatch,
                span,
                format!(
                    "'{name}' takes {} type argument(s) but is given {}",
                    vars.len(),
                    given.len()
                ),
            );
            return f;
        }
        for (v, t) in vars.iter().zip(given) {
            self.unify_at(span, &Ty::Var(*v), t);
        }
        f
    }

    /// Applies an already-inferred function expression to an argument.
    pub(crate) fn apply(&mut self, f: ExprId, a: ExprId, span: Span) -> ExprId {
        let f_ty = self.u.shallow(&self.expr_ty(f));
        match &f_ty {
            Ty::Prim(_) | Ty::Tuple(_) | Ty::App(..) => {
                let fspan = self.psg.exprs[f.index()].span;
                let shown = self.u.display(&f_ty);
                self.error(
                    Code::NotAFunction,
                    fspan,
                    format!("This value is not a function and cannot be applied. It has type '{shown}'."),
                );
                return self.error_expr(span);
            }
            Ty::Error => return self.error_expr(span),
            _ => {}
        }
        let param = self.u.fresh();
        let result = self.u.fresh();
        if self
            .u
            .unify(&f_ty, &Ty::fun(param.clone(), result.clone()))
            .is_err()
        {
            return self.error_expr(span);
        }
        if let Some(direct) = self.run_collection(f, a, span) {
            return direct;
        }
        let a = self.coerce_to_seq(a, &param);
        self.expect_type(a, &param);
        self.add_expr(ExprKind::App { func: f, arg: a }, span, result)
    }

    fn infer_format(&mut self, kind: FormatKind, fmt: &str, fmt_span: Span, span: Span) -> ExprId {
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

    fn infer_unary(&mut self, op: ast::UnaryOp, operand: &ast::Expr, span: Span) -> ExprId {
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

    fn infer_binary(
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
                self.expect_type(r, &lt);
                Ty::BOOL
            }
            BinaryOp::Shl | BinaryOp::Shr => {
                let t = self.u.fresh_constrained(Constraint::Integer);
                self.expect_type(l, &t);
                self.expect_type(r, &Ty::INT);
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
                self.expect_type(l, &t);
                self.expect_type(r, &t);
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

    fn infer_assign(&mut self, target: &ast::Expr, value: &ast::Expr, span: Span) -> ExprId {
        let v = self.infer_expr(value);
        // `cell.Value <- v` on a ref cell.
        let cell_target = match &target.kind {
            ast::ExprKind::Path(path) if path.len() > 1 => {
                let last = path[path.len() - 1];
                (self.name(last.name) == "Value").then(|| ast::Expr {
                    kind: ast::ExprKind::Path(path[..path.len() - 1].to_vec()),
                    span: path[0].span.to(path[path.len() - 2].span),
                })
            }
            ast::ExprKind::DotGet { target: t, member } if self.name(member.name) == "Value" => {
                Some((**t).clone())
            }
            _ => None,
        };
        if let Some(cell_expr) = cell_target {
            let cell = self.infer_expr(&cell_expr);
            let elem = self.expr_ty(v);
            self.expect_type(cell, &Ty::app(TyCon::Ref, vec![elem]));
            return self.add_expr(ExprKind::RefSet { cell, value: v }, span, Ty::UNIT);
        }
        match &target.kind {
            ast::ExprKind::Path(path) if path.len() == 1 => match self.lookup(path[0].name) {
                Some(Item::Value(b)) => {
                    let binding = &self.psg.bindings[b.index()];
                    if !binding.is_mutable {
                        let name = binding.name.clone();
                        self.error(
                            Code::NotMutable,
                            target.span,
                            format!("This value is not mutable. Consider using the mutable keyword, e.g. 'let mutable {name} = expression'."),
                        );
                        return self.error_expr(span);
                    }
                    // Reading the binding's type and noting a capture.
                    let t = self.item_expr(Item::Value(b), target.span);
                    let ty = self.expr_ty(t);
                    self.expect_type(v, &ty);
                    self.add_expr(
                        ExprKind::Assign {
                            binding: b,
                            value: v,
                        },
                        span,
                        Ty::UNIT,
                    )
                }
                Some(_) => {
                    self.error(
                        Code::NotMutable,
                        target.span,
                        "This value is not mutable: only 'let mutable' values can be assigned with '<-'",
                    );
                    self.error_expr(span)
                }
                None => {
                    let _ = self.resolve_path(path);
                    self.error_expr(span)
                }
            },
            ast::ExprKind::Index { target: arr, index } => {
                let t = self.infer_expr(arr);
                let i = self.infer_expr(index);
                self.expect_type(i, &Ty::INT);
                let elem = self.expr_ty(v);
                self.expect_type(t, &Ty::array(elem));
                self.add_expr(
                    ExprKind::IndexSet {
                        target: t,
                        index: i,
                        value: v,
                    },
                    span,
                    Ty::UNIT,
                )
            }
            _ => {
                self.error(
                    Code::NotMutable,
                    target.span,
                    "Invalid assignment: the left of '<-' must be a 'let mutable' value",
                );
                self.error_expr(span)
            }
        }
    }

    /// `for pat in source do body` over a list or an array.
    fn infer_for_each(
        &mut self,
        pat: &ast::Pat,
        source: &ast::Expr,
        body: &ast::Expr,
        span: Span,
    ) -> ExprId {
        let src = self.infer_expr(source);
        let elem = self.u.fresh();
        let src_ty = self.u.shallow(&self.expr_ty(src));
        if let Ty::App(TyCon::Seq, _) | Ty::Prim(Prim::String) = src_ty {
            return self.for_each_pushed(src, pat, body, span);
        }
        match &src_ty {
            Ty::App(TyCon::Array, _) => self.expect_type(src, &Ty::array(elem.clone())),
            Ty::App(TyCon::List, _) | Ty::Var(_) => {
                self.expect_type(src, &Ty::app(TyCon::List, vec![elem.clone()]))
            }
            Ty::Error => {}
            other => {
                let shown = self.u.display(other);
                self.unsupported(
                    source.span,
                    &format!("'for ... in' over a value of type '{shown}'"),
                );
            }
        }
        self.push_scope();
        let binding = self.add_binding(Binding {
            name: "_item".into(),
            ty: elem.clone(),
            is_mutable: false,
            kind: BindingKind::Local,
            owner: self.current_fn,
            span: pat.span,
            captured_mutable: false,
        });
        let pattern = self.check_pattern(pat, &elem);
        let b = self.infer_expr(body);
        self.warn_if_not_unit(b);
        let b = self.destructure(binding, pattern, b, pat.span);
        self.pop_scope();
        self.add_expr(
            ExprKind::ForEach {
                binding,
                source: src,
                body: b,
            },
            span,
            Ty::UNIT,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn infer_for(
        &mut self,
        name: ast::Symbol,
        var_span: Span,
        ty: Ty,
        start: ExprId,
        end: ExprId,
        step: Option<ExprId>,
        downward: bool,
        body: &ast::Expr,
        span: Span,
    ) -> ExprId {
        self.push_scope();
        let text = self.name(name).to_string();
        let var = self.add_binding(Binding {
            name: text,
            ty,
            is_mutable: false,
            kind: BindingKind::Local,
            owner: self.current_fn,
            span: var_span,
            captured_mutable: false,
        });
        self.define(name, Item::Value(var));
        let b = self.infer_expr(body);
        self.warn_if_not_unit(b);
        self.pop_scope();
        self.add_expr(
            ExprKind::For {
                var,
                start,
                end,
                step,
                downward,
                body: b,
            },
            span,
            Ty::UNIT,
        )
    }

    fn infer_let(
        &mut self,
        is_rec: bool,
        bindings: &[ast::Binding],
        body: &ast::Expr,
        span: Span,
        expected: Option<Ty>,
    ) -> ExprId {
        let bindings: Vec<ast::Binding> = bindings
            .iter()
            .map(|b| self.lambda_as_function(b))
            .collect();
        let bindings = bindings.as_slice();
        let functions: Vec<&ast::Binding> =
            bindings.iter().filter(|b| !b.params.is_empty()).collect();
        if !functions.is_empty() {
            if functions.len() != bindings.len() {
                self.unsupported(
                    span,
                    "a 'let ... and ...' group mixing values and functions",
                );
            }
            self.push_scope();
            let fids = self.check_function_group(is_rec, &functions, false);
            let b = self.infer_expr_with(body, expected);
            self.pop_scope();
            let ty = self.expr_ty(b);
            return self.add_expr(
                ExprKind::LetFunctions {
                    functions: fids,
                    body: b,
                },
                span,
                ty,
            );
        }
        if is_rec {
            self.unsupported(span, "'let rec' on a value");
        }
        // Value bindings, nested one inside the other.
        let mut values = Vec::new();
        self.push_scope();
        for b in bindings {
            self.u.level += 1;
            let v = self.infer_expr(&b.body);
            self.u.level -= 1;
            let mut ty = self.expr_ty(v);
            // Values are not generalised (see `Unifier::keep_monomorphic`).
            self.u.keep_monomorphic(&ty);
            if let Some(t) = &b.return_type {
                let ann_ty = self.resolve_type(t);
                self.expect_type(v, &ann_ty);
                ty = ann_ty;
            }
            if !super::names::is_simple_pattern(&b.head) {
                // `let (a, b) = value`: a hidden binding taken apart by a match.
                let binding = self.add_binding(Binding {
                    name: "_let".into(),
                    ty: ty.clone(),
                    is_mutable: false,
                    kind: BindingKind::Local,
                    owner: self.current_fn,
                    span: b.head.span,
                    captured_mutable: false,
                });
                let pat = self.check_pattern(&b.head, &ty);
                values.push((binding, v, Some((pat, b.head.span))));
                continue;
            }
            let (name, bspan, ann) =
                self.value_pattern_name(&b.head)
                    .unwrap_or((None, b.head.span, None));
            if let Some(t) = ann {
                let ann_ty = self.resolve_type(t);
                self.expect_type(v, &ann_ty);
                ty = ann_ty;
            }
            let text = name
                .map(|n| self.name(n).to_string())
                .unwrap_or_else(|| "_".into());
            let binding = self.add_binding(Binding {
                name: text,
                ty,
                is_mutable: b.is_mutable,
                kind: BindingKind::Local,
                owner: self.current_fn,
                span: bspan,
                captured_mutable: false,
            });
            if let Some(n) = name {
                self.define(n, Item::Value(binding));
            }
            values.push((binding, v, None));
        }
        let mut result = self.infer_expr_with(body, expected);
        self.pop_scope();
        for (binding, value, pattern) in values.into_iter().rev() {
            if let Some((pat, pspan)) = pattern {
                result = self.destructure(binding, pat, result, pspan);
            }
            let ty = self.expr_ty(result);
            result = self.add_expr(
                ExprKind::Let {
                    binding,
                    value,
                    body: result,
                },
                span,
                ty,
            );
        }
        result
    }

    fn infer_if(
        &mut self,
        cond: &ast::Expr,
        then_branch: &ast::Expr,
        else_branch: Option<&ast::Expr>,
        span: Span,
        expected: Option<Ty>,
    ) -> ExprId {
        let c = self.infer_expr(cond);
        self.expect_type(c, &Ty::BOOL);
        let t = self.infer_expr_with(then_branch, expected.clone());
        if let (Some(expected), Some(_)) = (&expected, else_branch) {
            let t_ty = self.expr_ty(t);
            self.flow_expected(&t_ty, expected);
        }
        let (e, ty) = match else_branch {
            Some(eb) => {
                let e = self.infer_expr_with(eb, expected);
                let t_ty = self.expr_ty(t);
                self.expect_type(e, &t_ty);
                (Some(e), t_ty)
            }
            None => {
                let t_ty = self.u.shallow(&self.expr_ty(t));
                if self.u.unify(&t_ty, &Ty::UNIT).is_err() {
                    let shown = self.u.display(&t_ty);
                    let tspan = self.psg.exprs[t.index()].span;
                    self.error(
                        Code::TypeMismatch,
                        tspan,
                        format!("This 'if' expression is missing an 'else' branch. The 'then' branch has type '{shown}'. Because 'if' is an expression, and not a statement, add an 'else' branch which returns a value of the same type."),
                    );
                }
                (None, Ty::UNIT)
            }
        };
        self.add_expr(
            ExprKind::If {
                cond: c,
                then_branch: t,
                else_branch: e,
            },
            span,
            ty,
        )
    }

    fn infer_match(
        &mut self,
        scrutinee: &ast::Expr,
        rules: &[ast::MatchRule],
        span: Span,
        expected: Option<Ty>,
    ) -> ExprId {
        let s = self.infer_expr(scrutinee);
        let s_ty = self.expr_ty(s);
        let result = self.u.fresh();
        let mut out = Vec::new();
        for rule in rules {
            self.push_scope();
            let pat = self.check_pattern(&rule.pat, &s_ty);
            let guard = rule.guard.as_ref().map(|g| {
                let id = self.infer_expr(g);
                self.expect_type(id, &Ty::BOOL);
                id
            });
            let body = self.infer_expr_with(&rule.body, expected.clone());
            self.expect_type(body, &result);
            if let Some(expected) = &expected {
                self.flow_expected(&result, expected);
            }
            self.pop_scope();
            out.push(MatchRule { pat, guard, body });
        }
        self.add_expr(
            ExprKind::Match {
                scrutinee: s,
                rules: out,
            },
            span,
            result,
        )
    }
}

impl Checker<'_> {
    /// `use name = value in body` is
    /// `let name = value in let r = body in name.Dispose(); r`: the value is
    /// disposed when the body ends (Clef has no early exit from a block, and a
    /// failure ends the program).
    fn infer_use(&mut self, binding: &ast::Binding, body: &ast::Expr, span: Span) -> ExprId {
        let (name, head) = match &binding.head.kind {
            ast::PatKind::Named(n) => (*n, binding.head.clone()),
            ast::PatKind::Typed { pat, .. } if matches!(pat.kind, ast::PatKind::Named(_)) => {
                let ast::PatKind::Named(n) = pat.kind else {
                    unreachable!()
                };
                (n, binding.head.clone())
            }
            _ => {
                // `use _ = value`: still disposed.
                let n = self.fresh_ident(binding.head.span);
                (n, named_pat(n))
            }
        };
        let result = self.fresh_ident(span);
        let dispose_name = ast::Ident {
            name: self.interner.get_or_intern_static("Dispose"),
            span: name.span,
        };
        let dispose = ast::Expr {
            kind: ast::ExprKind::App {
                func: Box::new(ast::Expr {
                    kind: ast::ExprKind::DotGet {
                        target: Box::new(path_expr(name)),
                        member: dispose_name,
                    },
                    span: name.span,
                }),
                arg: Box::new(ast::Expr {
                    kind: ast::ExprKind::Lit(ast::Literal::Unit),
                    span: name.span,
                }),
            },
            span: name.span,
        };
        let rest = let_expr(
            named_pat(result),
            body.clone(),
            ast::Expr {
                kind: ast::ExprKind::Sequential(vec![dispose, path_expr(result)]),
                span,
            },
            span,
        );
        let mut binding = binding.clone();
        binding.head = head;
        let id = self.infer_let(false, std::slice::from_ref(&binding), &rest, span, None);
        // `let name = value in (let r = body in …)`: remember the body. A body that
        // is a lambda makes `r` a local function (`let-functions [r] in …; r`): the
        // whole of that is the block, whose value is the closure.
        if let ExprKind::Let { binding, body, .. } = self.psg.expr(id).kind {
            let inner = match self.psg.expr(body).kind {
                ExprKind::Let { value: inner, .. } => Some(inner),
                ExprKind::LetFunctions { .. } => Some(body),
                _ => None,
            };
            if let Some(inner) = inner {
                self.psg.use_scopes.push(crate::psg::UseScope {
                    binding,
                    body: inner,
                    span,
                });
            }
        }
        id
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
        is_mutable,
        is_inline: false,
        head: pat,
        type_params: Vec::new(),
        params: Vec::new(),
        return_type: None,
        body: value,
        span,
    }
}

/// The type variables of a resolved type, in order of first appearance.
fn collect_vars(ty: &Ty, out: &mut Vec<crate::types::TyVar>) {
    ty.any_node(&mut |t| {
        if let Ty::Var(v) = t {
            if !out.contains(v) {
                out.push(*v);
            }
        }
        false
    });
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
