//! Applications: calls, partial applications, explicit type arguments, and the
//! order in which arguments are checked (lambdas last, so types flow into them).

use super::{Checker, Item};
use crate::psg::*;
use crate::types::Ty;
use composer_diagnostics::{Code, Span};
use composer_syntax::ast;

impl Checker<'_> {
    pub(super) fn infer_app(
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
    pub(super) fn infer_plain_app(
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
    pub(super) fn infer_app_lambdas_last(
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
    pub(super) fn named_case_arguments(
        &mut self,
        func: &ast::Expr,
        arg: &ast::Expr,
    ) -> Option<ast::Expr> {
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
    pub(super) fn infer_type_app(
        &mut self,
        func: &ast::Expr,
        args: &[ast::TypeExpr],
        span: Span,
    ) -> ExprId {
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
    pub(super) fn implicit_type_arguments(
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
        let mut vars = crate::types::vars_in_order(std::slice::from_ref(&ty));
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
}
