//! Patterns in `match` rules.

use super::{Checker, Item};
use crate::builtins::Builtin;
use crate::psg::*;
use crate::types::{Ty, TyCon};
use composer_diagnostics::{Code, Span};
use composer_syntax::ast;

impl Checker<'_> {
    pub(crate) fn add_pat(&mut self, kind: PatKind, span: Span, ty: Ty) -> PatId {
        self.psg.pats.push(Pat { kind, span });
        self.psg.pat_types.push(ty);
        PatId(self.psg.pats.len() as u32 - 1)
    }

    /// `Case` or `Type.Case` in a pattern.
    pub(crate) fn resolve_case(&self, path: &[ast::Ident]) -> Option<(u32, u32)> {
        match path {
            [single] => match self.lookup(single.name)? {
                Item::UnionCase(d, c) => Some((d, c)),
                _ => None,
            },
            [ty, case] => {
                let d = self.lookup_type(ty.name)?;
                let name = self.name(case.name);
                let c = self.psg.types[d as usize]
                    .union_cases()?
                    .iter()
                    .position(|c| c.name == name)?;
                Some((d, c as u32))
            }
            _ => None,
        }
    }

    /// A variable bound by a pattern (a global when destructuring at module level).
    fn pattern_binding(&mut self, id: ast::Ident, ty: &Ty) -> BindingId {
        let text = self.name(id.name).to_string();
        if let Some(bound) = self.or_pattern_bindings.take() {
            // The right side of an or-pattern: reuse the left side's binding.
            let found = bound.iter().position(|(n, _)| *n == text);
            let mut remaining = bound;
            if let Some(i) = found {
                let (_, b) = remaining.remove(i);
                let bty = self.psg.bindings[b.index()].ty.clone();
                self.unify_at(id.span, &bty, ty);
                self.or_pattern_bindings = Some(remaining);
                return b;
            }
            self.or_pattern_bindings = Some(remaining);
            self.error(
                Code::TypeMismatch,
                id.span,
                format!("The variable '{text}' is not bound on the left side of this 'or' pattern"),
            );
        }
        let (kind, owner) = if self.patterns_bind_globals {
            (BindingKind::Global, None)
        } else {
            (BindingKind::Local, self.current_fn)
        };
        let b = self.add_binding(Binding {
            name: text,
            ty: ty.clone(),
            is_mutable: false,
            kind,
            owner,
            span: id.span,
            captured_mutable: false,
        });
        self.define(id.name, Item::Value(b));
        b
    }

    /// Checks a pattern against the type of the value it matches, defining the
    /// variables it binds in the current scope.
    pub(crate) fn check_pattern(&mut self, p: &ast::Pat, expected: &Ty) -> PatId {
        let span = p.span;
        match &p.kind {
            ast::PatKind::Wild => self.add_pat(PatKind::Wild, span, expected.clone()),
            ast::PatKind::Named(id) => {
                if let Some(Item::ActivePattern(active)) = self.lookup(id.name) {
                    return self.check_active_pattern(active, &[], expected, span);
                }
                // A name that resolves to a nullary union case is that case.
                if let Some(Item::UnionCase(def, case)) = self.lookup(id.name) {
                    return self.check_case_pattern(def, case, None, expected, span);
                }
                if let Some(Item::Builtin(Builtin::None)) = self.lookup(id.name) {
                    let elem = self.u.fresh();
                    self.unify_at(span, expected, &Ty::option(elem));
                    return self.add_pat(PatKind::OptionNone, span, expected.clone());
                }
                let b = self.pattern_binding(*id, expected);
                self.add_pat(PatKind::Bind(b), span, expected.clone())
            }
            ast::PatKind::Lit(lit) | ast::PatKind::NegLit(lit) => {
                let negated = matches!(p.kind, ast::PatKind::NegLit(_));
                let e = self.infer_literal(lit, span, negated);
                let ty = self.expr_ty(e);
                self.unify_at(span, expected, &ty);
                match self.psg.exprs[e.index()].kind.clone() {
                    ExprKind::Const(c) => self.add_pat(PatKind::Const(c), span, expected.clone()),
                    _ => self.add_pat(PatKind::Error, span, expected.clone()),
                }
            }
            ast::PatKind::Ctor { path, arg } if self.active_pattern_named(path).is_some() => {
                let active = self
                    .active_pattern_named(path)
                    .expect("checked by the guard");
                self.check_active_pattern(active, std::slice::from_ref(&**arg), expected, span)
            }
            ast::PatKind::CtorArgs { path, args } => match self.active_pattern_named(path) {
                Some(active) => self.check_active_pattern(active, args, expected, span),
                None => {
                    self.error(
                        Code::TypeMismatch,
                        span,
                        "This union case takes one pattern; give several fields as a tuple: 'Case (a, b)'",
                    );
                    self.add_pat(PatKind::Error, span, expected.clone())
                }
            },
            ast::PatKind::Ctor { path, arg } if self.resolve_case(path).is_some() => {
                let (def, case) = self.resolve_case(path).expect("checked by the guard");
                self.check_case_pattern(def, case, Some(arg), expected, span)
            }
            ast::PatKind::Path(path) if self.resolve_enum_case(path).is_some() => {
                let (def, case) = self.resolve_enum_case(path).expect("checked by the guard");
                let ty = Ty::App(TyCon::User(def), Vec::new().into());
                self.unify_at(span, expected, &ty);
                let c = self.enum_case_const(def, case);
                self.add_pat(PatKind::Const(c), span, ty)
            }
            ast::PatKind::Path(path) if self.resolve_case(path).is_some() => {
                let (def, case) = self.resolve_case(path).expect("checked by the guard");
                self.check_case_pattern(def, case, None, expected, span)
            }
            ast::PatKind::Record(fields) => self.check_record_pattern(fields, expected, span),
            ast::PatKind::Ctor { path, arg } => {
                let is_some = path.len() == 1
                    && matches!(
                        self.lookup(path[0].name),
                        Some(Item::Builtin(Builtin::Some))
                    );
                if !is_some {
                    self.unsupported(span, "union case patterns other than 'Some'/'None'");
                    return self.add_pat(PatKind::Error, span, expected.clone());
                }
                let elem = self.u.fresh();
                self.unify_at(span, expected, &Ty::option(elem.clone()));
                let inner = self.check_pattern(arg, &elem);
                self.add_pat(PatKind::OptionSome(inner), span, expected.clone())
            }
            ast::PatKind::Typed { pat, ty } => {
                let t = self.resolve_type(ty);
                self.unify_at(ty.span, &t, expected);
                self.check_pattern(pat, expected)
            }
            ast::PatKind::Or(left, right) => {
                let before = self.psg.bindings.len();
                let l = self.check_pattern(left, expected);
                // The right side binds the same variables as the left (same bindings).
                let bound: Vec<(String, BindingId)> = (before..self.psg.bindings.len())
                    .filter(|&i| !self.psg.bindings[i].name.ends_with("|.input"))
                    .map(|i| (self.psg.bindings[i].name.clone(), BindingId(i as u32)))
                    .collect();
                let saved = self.or_pattern_bindings.replace(bound.clone());
                let r = self.check_pattern(right, expected);
                let unmatched =
                    std::mem::replace(&mut self.or_pattern_bindings, saved).unwrap_or_default();
                if !unmatched.is_empty() {
                    self.error(
                        Code::TypeMismatch,
                        span,
                        "The two sides of this 'or' pattern bind different sets of variables",
                    );
                }
                self.add_pat(PatKind::Or(l, r), span, expected.clone())
            }
            ast::PatKind::Tuple(items) => {
                let elems: Vec<Ty> = items.iter().map(|_| self.u.fresh()).collect();
                self.unify_at(span, expected, &Ty::tuple(elems.clone()));
                let pats = items
                    .iter()
                    .zip(&elems)
                    .map(|(p, t)| self.check_pattern(p, t))
                    .collect();
                self.add_pat(PatKind::Tuple(pats), span, expected.clone())
            }
            ast::PatKind::As { pat, name } => {
                let inner = self.check_pattern(pat, expected);
                let b = self.pattern_binding(*name, expected);
                self.add_pat(PatKind::As(inner, b), span, expected.clone())
            }
            ast::PatKind::List(items) => {
                let elem = self.u.fresh();
                let list_ty = Ty::app(TyCon::List, vec![elem.clone()]);
                self.unify_at(span, expected, &list_ty);
                let heads: Vec<PatId> =
                    items.iter().map(|i| self.check_pattern(i, &elem)).collect();
                let mut result = self.add_pat(PatKind::ListNil, span, list_ty.clone());
                for h in heads.into_iter().rev() {
                    result = self.add_pat(PatKind::ListCons(h, result), span, list_ty.clone());
                }
                result
            }
            ast::PatKind::Cons { head, tail } => {
                let elem = self.u.fresh();
                let list_ty = Ty::app(TyCon::List, vec![elem.clone()]);
                self.unify_at(span, expected, &list_ty);
                let h = self.check_pattern(head, &elem);
                let t = self.check_pattern(tail, &list_ty);
                self.add_pat(PatKind::ListCons(h, t), span, list_ty)
            }
            ast::PatKind::Error => self.add_pat(PatKind::Error, span, expected.clone()),
            ast::PatKind::Array(items) => {
                // Its names are still bound (with the element type), so the one error
                // is not followed by FS0039 for each of them.
                let elem = self.u.fresh();
                self.unify_at(span, expected, &Ty::app(TyCon::Array, vec![elem.clone()]));
                for item in items {
                    self.check_pattern(item, &elem);
                }
                self.error(
                    Code::Unsupported,
                    span,
                    "array patterns (`[| a; b |]`) are not supported by Composer yet: match on `List.ofArray xs`, or test `xs.Length` and index",
                );
                self.add_pat(PatKind::Error, span, expected.clone())
            }
            _ => {
                self.error(
                    Code::Unsupported,
                    span,
                    "this kind of pattern is not supported by Composer yet",
                );
                self.add_pat(PatKind::Error, span, expected.clone())
            }
        }
    }

    /// `Even`, `Int i`, `DivisibleBy 3 x` when the name is an active pattern's case.
    fn active_pattern_named(&self, path: &[ast::Ident]) -> Option<super::ActiveCase> {
        match path {
            [single] => match self.lookup(single.name)? {
                Item::ActivePattern(active) => Some(active),
                _ => None,
            },
            _ => None,
        }
    }

    /// An active pattern applied to `pats`: the first ones are its arguments
    /// (expressions, written as patterns), the last one (if any is left) matches its
    /// result. The matched value is bound to a fresh variable that the call takes.
    fn check_active_pattern(
        &mut self,
        active: super::ActiveCase,
        pats: &[ast::Pat],
        expected: &Ty,
        span: Span,
    ) -> PatId {
        let func = &self.psg.functions[active.function.index()];
        let name = func.name.clone();
        let arguments = func.params.len().saturating_sub(1);
        if pats.len() < arguments || pats.len() > arguments + 1 {
            let case = super::completeness::active_case_names(&name)
                .get(active.case as usize)
                .cloned()
                .unwrap_or_default();
            let example: Vec<String> = (1..=arguments)
                .map(|i| format!("arg{i}"))
                .chain(std::iter::once("result".to_string()))
                .collect();
            self.error(
                Code::ActivePatternArguments,
                span,
                format!(
                    "The active pattern '({name})' takes {arguments} argument(s) and then a pattern for its result ('{case} {}'), but is given {} pattern(s) here",
                    example.join(" "),
                    pats.len()
                ),
            );
            return self.add_pat(PatKind::Error, span, expected.clone());
        }
        let function = self.item_expr(Item::Function(active.function), span);
        let mut apply = function;
        for p in &pats[..arguments] {
            let arg = match pattern_as_expression(p) {
                Some(e) => self.infer_expr(&e),
                None => {
                    self.error(
                        Code::UnexpectedSyntax,
                        p.span,
                        "An argument of an active pattern must be an expression: a literal, a name, or one in parentheses",
                    );
                    self.error_expr(p.span)
                }
            };
            apply = self.apply(apply, arg, span);
        }
        // Named after the active pattern (`|Even|Odd|.input`): no user variable has
        // such a name, so or-patterns do not count it among the variables they bind.
        let text = format!("{name}.input");
        let input = self.add_binding(Binding {
            name: text,
            ty: expected.clone(),
            is_mutable: false,
            kind: if self.patterns_bind_globals {
                BindingKind::Global
            } else {
                BindingKind::Local
            },
            owner: if self.patterns_bind_globals {
                None
            } else {
                self.current_fn
            },
            span,
            captured_mutable: false,
        });
        let input_expr = self.add_expr(ExprKind::Local(input), span, expected.clone());
        apply = self.apply(apply, input_expr, span);
        let result_ty = self.expr_ty(apply);
        let wild = ast::Pat {
            kind: ast::PatKind::Wild,
            span,
        };
        let result_pat = pats.get(arguments).unwrap_or(&wild);
        let result = if active.partial {
            let payload = self.u.fresh();
            self.unify_at(span, &result_ty, &Ty::option(payload.clone()));
            let inner = self.check_pattern(result_pat, &payload);
            self.add_pat(PatKind::OptionSome(inner), span, result_ty.clone())
        } else if active.cases > 1 {
            let case_symbol = self
                .interner
                .get_or_intern(format!("Choice1Of{}", active.cases));
            match self.lookup(case_symbol) {
                Some(Item::UnionCase(def, _)) => {
                    self.check_case_pattern(def, active.case, Some(result_pat), &result_ty, span)
                }
                _ => self.add_pat(PatKind::Error, span, result_ty.clone()),
            }
        } else {
            self.check_pattern(result_pat, &result_ty)
        };
        let shape = ViewShape {
            function: active.function,
            has_arguments: arguments > 0,
            case: active.case,
            cases: active.cases,
            partial: active.partial,
        };
        self.add_pat(
            PatKind::View {
                input,
                apply,
                result,
                shape,
            },
            span,
            expected.clone(),
        )
    }
}

/// The expression a pattern written as an active pattern's argument stands for
/// (F# reads `DivisibleBy 3` and `InRange (lo, hi)` the same way).
fn pattern_as_expression(p: &ast::Pat) -> Option<ast::Expr> {
    let kind = match &p.kind {
        ast::PatKind::Lit(lit) => ast::ExprKind::Lit(lit.clone()),
        ast::PatKind::NegLit(lit) => ast::ExprKind::Unary {
            op: ast::UnaryOp::Neg,
            operand: Box::new(ast::Expr {
                kind: ast::ExprKind::Lit(lit.clone()),
                span: p.span,
            }),
        },
        ast::PatKind::Named(id) => ast::ExprKind::Path(vec![*id]),
        ast::PatKind::Path(path) => ast::ExprKind::Path(path.clone()),
        ast::PatKind::Tuple(items) => ast::ExprKind::Tuple(
            items
                .iter()
                .map(pattern_as_expression)
                .collect::<Option<Vec<_>>>()?,
        ),
        ast::PatKind::List(items) => ast::ExprKind::List(
            items
                .iter()
                .map(pattern_as_expression)
                .collect::<Option<Vec<_>>>()?,
        ),
        _ => return None,
    };
    Some(ast::Expr { kind, span: p.span })
}
