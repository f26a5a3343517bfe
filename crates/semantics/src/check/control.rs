//! Bindings and control flow: `let`, `use`, `if`, `match`, loops and assignment.

use super::expr::{let_expr, named_pat, path_expr};
use super::{Checker, Item};
use crate::psg::*;
use crate::types::{Prim, Ty, TyCon};
use composer_diagnostics::{Code, Span};
use composer_syntax::ast;

impl Checker<'_> {
    /// `x <- v` for the mutable binding `b`, read as `read` (its type, a capture).
    fn assign_binding(&mut self, b: BindingId, read: ExprId, v: ExprId, span: Span) -> ExprId {
        let ty = self.expr_ty(read);
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

    pub(super) fn infer_assign(
        &mut self,
        target: &ast::Expr,
        value: &ast::Expr,
        span: Span,
    ) -> ExprId {
        let v = self.infer_expr(value);
        // `cell.Value <- v` on a ref cell.
        let cell_target = match &target.kind {
            ast::ExprKind::Path(path) if path.len() > 1 => {
                let last = path[path.len() - 1];
                (self.name(last.name) == "Value").then(|| {
                    let cell = ast::Expr {
                        kind: ast::ExprKind::Path(path[..path.len() - 1].to_vec()),
                        span: path[0].span.to(path[path.len() - 2].span),
                    };
                    (cell, last)
                })
            }
            ast::ExprKind::DotGet { target: t, member } if self.name(member.name) == "Value" => {
                Some(((**t).clone(), *member))
            }
            _ => None,
        };
        if let Some((cell_expr, value_label)) = cell_target {
            let cell = self.infer_expr(&cell_expr);
            let cell_ty = self.u.resolve(&self.expr_ty(cell));
            // `r.Value <- v` on a record with a field named `Value`.
            if let Ty::App(TyCon::User(def), _) = cell_ty {
                let index = self.psg.types[def as usize]
                    .record_fields()
                    .and_then(|fs| fs.iter().position(|f| f.name == "Value"));
                if let Some(index) = index {
                    return self.field_set(cell, index as u32, v, span);
                }
            }
            // `fun c -> c.Value <- v` with a record field `Value` in scope: F# infers
            // the record from the label, as for any other field.
            if matches!(cell_ty, Ty::Var(_)) && self.record_fields.contains_key(&value_label.name) {
                let t = self.member_access(cell, value_label);
                return match self.psg.exprs[t.index()].kind {
                    ExprKind::Field { target: r, index } => self.field_set(r, index, v, span),
                    _ => self.error_expr(span),
                };
            }
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
                    self.assign_binding(b, t, v, span)
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
            // `Config.verbose <- true`: a module's `let mutable`, from outside it.
            ast::ExprKind::Path(path) => {
                let t = self.resolve_path(path);
                match self.psg.exprs[t.index()].kind {
                    ExprKind::Local(b) if self.psg.bindings[b.index()].is_mutable => {
                        self.assign_binding(b, t, v, span)
                    }
                    ExprKind::Field { target: r, index } => self.field_set(r, index, v, span),
                    // Already reported (an undefined name).
                    ExprKind::Error => self.error_expr(span),
                    _ => {
                        self.error(
                            Code::NotMutable,
                            target.span,
                            "This value is not mutable: only 'let mutable' values can be assigned with '<-'",
                        );
                        self.error_expr(span)
                    }
                }
            }
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
            ast::ExprKind::DotGet { .. } => {
                let t = self.infer_expr(target);
                match self.psg.exprs[t.index()].kind {
                    ExprKind::Field { target: r, index } => self.field_set(r, index, v, span),
                    ExprKind::Error => self.error_expr(span),
                    _ => {
                        self.error(
                            Code::NotMutable,
                            target.span,
                            "Invalid assignment: the left of '<-' must be a 'let mutable' value, a mutable record field, an array element or a ref cell's 'Value'",
                        );
                        self.error_expr(span)
                    }
                }
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

    /// `record.F <- v` (the field access `record.F` is already checked): the field
    /// must be declared `mutable` (FS0005 otherwise, as in F#).
    fn field_set(&mut self, record: ExprId, index: u32, v: ExprId, span: Span) -> ExprId {
        let record_ty = self.u.resolve(&self.expr_ty(record));
        let field = match &record_ty {
            Ty::App(TyCon::User(def), args) => {
                let d = &self.psg.types[*def as usize];
                d.record_fields()
                    .and_then(|fs| fs.get(index as usize))
                    .map(|f| {
                        (
                            f.is_mutable,
                            f.name.clone(),
                            crate::types::substitute(&f.ty, &d.params, args),
                        )
                    })
            }
            _ => None,
        };
        let Some((is_mutable, name, field_ty)) = field else {
            return self.error_expr(span);
        };
        if !is_mutable {
            self.error(
                Code::FieldNotMutable,
                span,
                format!("This field is not mutable: declare it 'mutable {name}' to assign it with '<-', or make a new record with '{{ r with {name} = ... }}'"),
            );
            return self.error_expr(span);
        }
        self.expect_type(v, &field_ty);
        if self.is_struct_record_ty(&record_ty) {
            return self.struct_field_set(record, index, v, span);
        }
        self.add_expr(
            ExprKind::FieldSet {
                target: record,
                index,
                value: v,
            },
            span,
            Ty::UNIT,
        )
    }

    /// `for pat in source do body` over a list or an array.
    pub(super) fn infer_for_each(
        &mut self,
        pat: &ast::Pat,
        source: &ast::Expr,
        body: &ast::Expr,
        span: Span,
    ) -> ExprId {
        let mut src = self.infer_expr(source);
        let elem = self.u.fresh();
        let mut src_ty = self.u.shallow(&self.expr_ty(src));
        let seq_like = matches!(src_ty, Ty::App(TyCon::Seq, _) | Ty::Prim(Prim::String))
            || matches!(src_ty, Ty::App(TyCon::User(_), _)) && self.seq_view(&src_ty).is_some();
        if seq_like && self.in_async && super::asyncs::awaits(body) {
            // A seq runs its consumer as a function, where an async body cannot
            // suspend: its elements are taken into an array first.
            let seq = Ty::app(TyCon::Seq, vec![self.u.fresh()]);
            let as_seq = self.coerce_to_seq(src, &seq);
            let f = self.lang_path(super::lang::LangItem::ArrayOfSeq, source.span);
            let f = self.infer_expr(&f);
            src = self.apply(f, as_seq, source.span);
            src_ty = self.u.shallow(&self.expr_ty(src));
        }
        if let Ty::App(TyCon::Seq, _) | Ty::Prim(Prim::String) = src_ty {
            return self.for_each_pushed(src, pat, body, span);
        }
        if let Ty::App(TyCon::User(_), _) = src_ty {
            // A library collection (a map, a set): run the seq it is.
            if self.seq_view(&src_ty).is_some() {
                let seq = Ty::app(TyCon::Seq, vec![self.u.fresh()]);
                let src = self.coerce_to_seq(src, &seq);
                return self.for_each_pushed(src, pat, body, span);
            }
        }
        match &src_ty {
            Ty::App(TyCon::Array, _) => {
                self.expect_type(src, &Ty::array(elem.clone()));
            }
            Ty::App(TyCon::List, _) | Ty::Var(_) => {
                self.expect_type(src, &Ty::app(TyCon::List, vec![elem.clone()]));
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
        let binding = self.local_binding("_item", elem.clone(), pat.span);
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
    pub(super) fn infer_for(
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
        let var = self.local_binding(text, ty, var_span);
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

    pub(super) fn infer_let(
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
                let binding = self.local_binding("_let", ty.clone(), b.head.span);
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

    pub(super) fn infer_if(
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

    pub(super) fn infer_match(
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
    /// `use name = value in body` is
    /// `let name = value in let r = body in name.Dispose(); r`: the value is
    /// disposed when the body ends (Clef has no early exit from a block, and a
    /// failure ends the program).
    pub(super) fn infer_use(
        &mut self,
        binding: &ast::Binding,
        body: &ast::Expr,
        span: Span,
    ) -> ExprId {
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
