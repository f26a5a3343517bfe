//! Sequence expressions: `seq { ... }`, list and array comprehensions, and
//! `for ... in` over a seq or a string.
//!
//! A `seq<'T>` is a push generator (`TyCon::Seq`): a function that gives each element
//! to a consumer (`'T -> bool`, answering false to stop early) and answers whether it
//! ran to its end. `seq { body }` becomes `Seq.__make (fun k -> T(body))`, where
//! `T` turns the body into an expression that answers "keep going?":
//!
//! * `yield e` is `k e`; `yield! s` is `Seq.__run s k`;
//! * `a; b` is `T(a) && T(b)` when `a` yields, `a; T(b)` when it does not;
//! * `if`, `match` and `let` keep their shape with `T` in each branch/body;
//! * `for x in a .. b`, `for x = a to b` and `while` become loops with a
//!   keep-going flag; `for pat in s` over anything else is
//!   `Seq.__run s (fun pat -> T(body))`.
//!
//! The generator's body is the state machine of DESIGN §6 with the consumer inlined
//! into it: control stays inside the generator, so no frame outlives an element and
//! nothing is allocated per element. Running the generator again restarts it (F#
//! semantics). The closures involved do not escape the frame that runs them, so
//! the escape analysis keeps their environments on the stack.

use super::expr::{binding, let_expr, named_pat, path_expr as path};
use super::lang::LangItem;
use super::{Checker, Item};
use crate::psg::ExprId;
use crate::types::{Prim, Ty, TyCon};
use composer_diagnostics::Span;
use composer_syntax::ast::{self, BinaryOp, Expr, ExprKind, Ident, Literal};

impl Checker<'_> {
    /// `seq { body }`
    pub(crate) fn infer_seq(&mut self, body: &Expr, span: Span) -> ExprId {
        let e = self.seq_of(body, span);
        self.infer_expr(&e)
    }

    /// `[ comprehension ]` / `[| comprehension |]`: `List.ofSeq (seq { ... })`.
    pub(crate) fn infer_comprehension(
        &mut self,
        items: &[Expr],
        module: &str,
        span: Span,
    ) -> ExprId {
        let body = match items {
            [one] => one.clone(),
            _ => mk(ExprKind::Sequential(items.to_vec()), span),
        };
        let s = self.seq_of(&body, span);
        let convert = self.lang_path(LangItem::of_seq(module), span);
        self.infer_expr(&app(convert, s, span))
    }

    /// True when the items of a list or array expression make a comprehension
    /// rather than a list of values.
    pub(crate) fn is_comprehension(items: &[Expr]) -> bool {
        items.iter().any(|i| {
            matches!(
                i.kind,
                ExprKind::Range { .. }
                    | ExprKind::ForIn { .. }
                    | ExprKind::ForTo { .. }
                    | ExprKind::While { .. }
                    | ExprKind::If {
                        else_branch: None,
                        ..
                    }
            ) || yields(i)
        })
    }

    /// `Seq.__make (fun k -> T(body))`
    fn seq_of(&mut self, body: &Expr, span: Span) -> Expr {
        let k = self.fresh_ident(span);
        let body = match &body.kind {
            // `seq { 1 .. 10 }`: every number of the range.
            ExprKind::Range { .. } => {
                let x = self.fresh_ident(span);
                mk(
                    ExprKind::ForIn {
                        pat: named_pat(x),
                        source: Box::new(body.clone()),
                        body: Box::new(mk(
                            ExprKind::Yield {
                                is_bang: false,
                                expr: Box::new(path(x)),
                            },
                            span,
                        )),
                    },
                    span,
                )
            }
            _ if !yields(body) => implicit_yields(body),
            _ => body.clone(),
        };
        let producer = self.generator(&body, k);
        let lambda = mk(
            ExprKind::Lambda {
                params: vec![named_pat(k)],
                body: Box::new(producer),
            },
            span,
        );
        let make = self.lang_path(LangItem::SeqMake, span);
        app(make, lambda, span)
    }

    /// `T(e)`: the generator body `e` as an expression answering "keep going?".
    fn generator(&mut self, e: &Expr, k: Ident) -> Expr {
        let span = e.span;
        if !yields(e) {
            // A statement: run it, then keep going.
            return mk(
                ExprKind::Sequential(vec![e.clone(), bool_lit(true, span)]),
                span,
            );
        }
        match &e.kind {
            ExprKind::Bang { kind, expr } => {
                // A seq does not bind: reported, then read without the `!`.
                self.bang_outside_computation(*kind, span);
                self.generator(expr, k)
            }
            ExprKind::Yield {
                is_bang: false,
                expr,
            } => app(path(k), (**expr).clone(), span),
            ExprKind::ImplicitYield { expr, .. } => mk(
                ExprKind::ImplicitYield {
                    expr: expr.clone(),
                    consumer: Some(Box::new(path(k))),
                },
                span,
            ),
            ExprKind::Yield {
                is_bang: true,
                expr,
            } => {
                let run = self.lang_path(LangItem::SeqRun, span);
                app(app(run, (**expr).clone(), span), path(k), span)
            }
            ExprKind::Sequential(items) => {
                let (last, init) = items.split_last().expect("a sequence has items");
                let mut out = self.generator(last, k);
                for item in init.iter().rev() {
                    out = if yields(item) {
                        let first = self.generator(item, k);
                        binary(BinaryOp::And, first, out, span)
                    } else {
                        mk(ExprKind::Sequential(vec![item.clone(), out]), span)
                    };
                }
                out
            }
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                let then_branch = self.generator(then_branch, k);
                let else_branch = match else_branch {
                    Some(e) => self.generator(e, k),
                    None => bool_lit(true, span),
                };
                mk(
                    ExprKind::If {
                        cond: cond.clone(),
                        then_branch: Box::new(then_branch),
                        else_branch: Some(Box::new(else_branch)),
                    },
                    span,
                )
            }
            ExprKind::Let {
                is_rec,
                bindings,
                body,
            } => mk(
                ExprKind::Let {
                    is_rec: *is_rec,
                    bindings: bindings.clone(),
                    body: Box::new(self.generator(body, k)),
                },
                span,
            ),
            ExprKind::Match { scrutinee, rules } => {
                let rules = rules
                    .iter()
                    .map(|r| ast::MatchRule {
                        pat: r.pat.clone(),
                        guard: r.guard.clone(),
                        body: self.generator(&r.body, k),
                        span: r.span,
                    })
                    .collect();
                mk(
                    ExprKind::Match {
                        scrutinee: scrutinee.clone(),
                        rules,
                    },
                    span,
                )
            }
            ExprKind::ForIn { pat, source, body } => match &source.kind {
                ExprKind::Range { start, step, end } => {
                    self.range_loop(pat, start, step.as_deref(), end, false, body, k, span)
                }
                _ => {
                    let run = self.lang_path(LangItem::SeqRun, span);
                    let consumer = mk(
                        ExprKind::Lambda {
                            params: vec![pat.clone()],
                            body: Box::new(self.generator(body, k)),
                        },
                        span,
                    );
                    app(app(run, (**source).clone(), span), consumer, span)
                }
            },
            ExprKind::ForTo {
                var,
                start,
                end,
                downward,
                body,
            } => self.range_loop(&named_pat(*var), start, None, end, *downward, body, k, span),
            ExprKind::While { cond, body } => {
                // let mutable go = true in while go && cond do go <- T(body); go
                let go = self.fresh_ident(span);
                let step = self.generator(body, k);
                let lp = mk(
                    ExprKind::While {
                        cond: Box::new(binary(BinaryOp::And, path(go), (**cond).clone(), span)),
                        body: Box::new(assign(go, step, span)),
                    },
                    span,
                );
                let_mutable(
                    go,
                    bool_lit(true, span),
                    mk(ExprKind::Sequential(vec![lp, path(go)]), span),
                    span,
                )
            }
            // `yields` found a yield in a form that cannot hold one.
            _ => app(path(k), e.clone(), span),
        }
    }

    /// A counting loop in a generator: `for pat in start .. step .. end` (or `for
    /// var = start to/downto end`) that stops as soon as the consumer does.
    #[allow(clippy::too_many_arguments)]
    fn range_loop(
        &mut self,
        pat: &ast::Pat,
        start: &Expr,
        step: Option<&Expr>,
        end: &Expr,
        downward: bool,
        body: &Expr,
        k: Ident,
        span: Span,
    ) -> Expr {
        let (i, last, by, go) = (
            self.fresh_ident(span),
            self.fresh_ident(span),
            self.fresh_ident(span),
            self.fresh_ident(span),
        );
        let zero = self.lang_path(LangItem::GenericZero, span);
        let one = self.lang_path(LangItem::GenericOne, span);
        let step_value = match (step, downward) {
            (Some(s), _) => s.clone(),
            (None, false) => one,
            (None, true) => mk(
                ExprKind::Unary {
                    op: ast::UnaryOp::Neg,
                    operand: Box::new(one),
                },
                span,
            ),
        };
        // (by > 0 && i <= last) || (by < 0 && i >= last)
        let in_range = match (step, downward) {
            (None, false) => binary(BinaryOp::Le, path(i), path(last), span),
            (None, true) => binary(BinaryOp::Ge, path(i), path(last), span),
            (Some(_), _) => binary(
                BinaryOp::Or,
                binary(
                    BinaryOp::And,
                    binary(BinaryOp::Gt, path(by), zero.clone(), span),
                    binary(BinaryOp::Le, path(i), path(last), span),
                    span,
                ),
                binary(
                    BinaryOp::And,
                    binary(BinaryOp::Lt, path(by), zero, span),
                    binary(BinaryOp::Ge, path(i), path(last), span),
                    span,
                ),
                span,
            ),
        };
        let element = let_expr(pat.clone(), path(i), self.generator(body, k), span);
        // let next = i + by in if (by > 0 && next < i) || (by < 0 && next > i) then
        // go <- false else i <- next: a range that ends at its type's last value
        // (`[ 250uy .. 255uy ]`) or a step over the end would wrap around.
        let next = self.fresh_ident(span);
        let wrapped = match (step, downward) {
            // A step of one (`'a' .. 'z'` too, where there is no zero to compare with).
            (None, false) => binary(BinaryOp::Lt, path(next), path(i), span),
            (None, true) => binary(BinaryOp::Gt, path(next), path(i), span),
            (Some(_), _) => self.wrapped_step(by, next, i, span),
        };
        let advance = let_expr(
            named_pat(next),
            binary(BinaryOp::Add, path(i), path(by), span),
            mk(
                ExprKind::If {
                    cond: Box::new(wrapped),
                    then_branch: Box::new(assign(go, bool_lit(false, span), span)),
                    else_branch: Some(Box::new(assign(i, path(next), span))),
                },
                span,
            ),
            span,
        );
        let lp = mk(
            ExprKind::While {
                cond: Box::new(binary(BinaryOp::And, path(go), in_range, span)),
                body: Box::new(mk(
                    ExprKind::Sequential(vec![assign(go, element, span), advance]),
                    span,
                )),
            },
            span,
        );
        let inner = let_mutable(
            go,
            bool_lit(true, span),
            mk(ExprKind::Sequential(vec![lp, path(go)]), span),
            span,
        );
        // A step of zero fails before the first element, as FSharp.Core's ranges do.
        let inner = match step {
            Some(_) => {
                let failwith = self.lang_path(LangItem::Failwith, span);
                let message = mk(
                    ExprKind::Lit(Literal::String(
                        "The step of a range cannot be zero.".to_string(),
                    )),
                    span,
                );
                let zero = self.lang_path(LangItem::GenericZero, span);
                let check = mk(
                    ExprKind::If {
                        cond: Box::new(binary(BinaryOp::Eq, path(by), zero, span)),
                        then_branch: Box::new(app(failwith, message, span)),
                        else_branch: None,
                    },
                    span,
                );
                mk(ExprKind::Sequential(vec![check, inner]), span)
            }
            None => inner,
        };
        let with_by = let_expr(named_pat(by), step_value, inner, span);
        let with_last = let_expr(named_pat(last), end.clone(), with_by, span);
        let_mutable(i, start.clone(), with_last, span)
    }

    /// `(by > 0 && next < i) || (by < 0 && next > i)`: the step went past the type's
    /// last value and wrapped around.
    fn wrapped_step(&mut self, by: Ident, next: Ident, i: Ident, span: Span) -> Expr {
        binary(
            BinaryOp::Or,
            binary(
                BinaryOp::And,
                binary(
                    BinaryOp::Gt,
                    path(by),
                    self.lang_path(LangItem::GenericZero, span),
                    span,
                ),
                binary(BinaryOp::Lt, path(next), path(i), span),
                span,
            ),
            binary(
                BinaryOp::And,
                binary(
                    BinaryOp::Lt,
                    path(by),
                    self.lang_path(LangItem::GenericZero, span),
                    span,
                ),
                binary(BinaryOp::Gt, path(next), path(i), span),
                span,
            ),
            span,
        )
    }

    /// What a value of type `ty` is where a seq is expected: the library function that
    /// makes the seq (`Seq.ofList`, `Seq.ofArray`, `Seq.__ofString`, `Map.__keyValues`,
    /// `Set.toSeq`) and the element type (`KeyValuePair<'K, 'V>` for a map, as in
    /// F#). `None` for a seq itself or a type that is not a collection. This is the
    /// one place that knows which types are collections; arguments, lambda results,
    /// `yield!` and `for` loops all ask it.
    pub(crate) fn seq_view(&mut self, ty: &Ty) -> Option<(LangItem, Ty)> {
        let ty = self.u.shallow(ty);
        match &ty {
            Ty::App(TyCon::List, elem) => Some((LangItem::SeqOfList, elem[0].clone())),
            Ty::App(TyCon::Array, elem) => Some((LangItem::SeqOfArray, elem[0].clone())),
            Ty::Prim(Prim::String) => Some((LangItem::SeqOfString, Ty::CHAR)),
            Ty::App(TyCon::User(def), _) => {
                // A library collection: the converter whose parameter is this type.
                for item in [LangItem::MapKeyValues, LangItem::SetToSeq] {
                    let Some(scheme) = self.lang_function_scheme(item) else {
                        continue;
                    };
                    let (fty, _) = self.u.instantiate(&scheme);
                    let Ty::Fun(param, result) = fty else {
                        continue;
                    };
                    if !matches!(self.u.shallow(&param), Ty::App(TyCon::User(d), _) if d == *def)
                        || self.u.try_unify(&param, &ty).is_err()
                    {
                        continue;
                    }
                    if let Ty::App(TyCon::Seq, elem) = self.u.shallow(&result) {
                        return Some((item, elem[0].clone()));
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// The type scheme of the library function `item`, if the library defines it.
    fn lang_function_scheme(&self, item: LangItem) -> Option<crate::types::Scheme> {
        let key = self.interner.get(item.key())?;
        match self.scopes[0].get(&key)? {
            Item::Function(f) => Some(self.fn_schemes[f.index()].clone()),
            _ => None,
        }
    }

    /// A collection (`seq_view`) given where a seq is expected becomes one
    /// (`Seq.ofList xs`, `Map.__keyValues m`): F# inserts this flexibility at
    /// applications and function results (`Seq.collect (fun x -> [x; x])`).
    pub(crate) fn coerce_to_seq(&mut self, a: ExprId, param: &Ty) -> ExprId {
        let param = self.u.shallow(param);
        if let Ty::Tuple(params) = &param {
            // A method-style call `String.Join(", ", names)`: F# applies the
            // flexibility to each argument. The tuple node keeps its place in the
            // tree and gets the converted items.
            if let crate::psg::ExprKind::Tuple(items) = &self.psg.exprs[a.index()].kind {
                if items.len() == params.len() {
                    let items = items.clone();
                    let converted: Vec<ExprId> = items
                        .iter()
                        .zip(params.iter())
                        .map(|(item, p)| self.coerce_to_seq(*item, p))
                        .collect();
                    if converted != items {
                        let tys = converted.iter().map(|i| self.expr_ty(*i)).collect();
                        self.psg.exprs[a.index()].kind = crate::psg::ExprKind::Tuple(converted);
                        self.psg.expr_types[a.index()] = Ty::tuple(tys);
                    }
                }
            }
            return a;
        }
        if let Ty::Fun(..) = param {
            return self.coerce_result_to_seq(a, &param);
        }
        let Ty::App(TyCon::Seq, expected_elem) = param else {
            return a;
        };
        let a_ty = self.u.shallow(&self.expr_ty(a));
        let span = self.psg.exprs[a.index()].span;
        let (converted, elem) = match (self.seq_view(&a_ty), a_ty) {
            (Some((convert, elem)), _) => {
                let f = self.lang_path(convert, span);
                let f = self.infer_expr(&f);
                (self.apply(f, a, span), elem)
            }
            (None, Ty::App(TyCon::Seq, elem)) => (a, elem[0].clone()),
            _ => return a,
        };
        // Collections of collections where seqs of seqs are expected
        // (`Seq.concat [[1; 2]; [3]]`): each inner one is converted as it is read.
        let inner_expected = self.u.shallow(&expected_elem[0]);
        let (Ty::App(TyCon::Seq, _), Some((inner, _))) = (inner_expected, self.seq_view(&elem))
        else {
            return converted;
        };
        let map = self.lang_path(LangItem::SeqMap, span);
        let inner = self.lang_path(inner, span);
        let map = self.infer_expr(&app(map, inner, span));
        self.apply(map, converted, span)
    }

    /// A function given where a function returning a seq is expected, whose result is
    /// a collection (`Seq.collect digitsOf numbers` with `digitsOf: int -> int list`;
    /// F#'s `'Collection :> seq<'U>`): `let f = a in fun x1 .. xn -> f x1 .. xn`,
    /// whose result the lambda's check converts (`check_function_body`). A lambda
    /// written in place is checked against the expected type and converted there.
    fn coerce_result_to_seq(&mut self, a: ExprId, param: &Ty) -> ExprId {
        let mut expected = param.clone();
        let mut actual = self.expr_ty(a);
        let mut arity = 0;
        loop {
            match (self.u.shallow(&expected), self.u.shallow(&actual)) {
                (Ty::Fun(_, e), Ty::Fun(_, r)) => {
                    expected = (*e).clone();
                    actual = (*r).clone();
                    arity += 1;
                }
                (Ty::App(TyCon::Seq, _), result)
                    if arity > 0 && self.seq_view(&result).is_some() =>
                {
                    break
                }
                _ => return a,
            }
        }
        let span = self.psg.exprs[a.index()].span;
        let function = self.fresh_ident(span);
        let ty = self.expr_ty(a);
        self.push_scope();
        let binding = self.local_binding(self.name(function.name).to_string(), ty, span);
        self.define(function.name, Item::Value(binding));
        let params: Vec<Ident> = (0..arity).map(|_| self.fresh_ident(span)).collect();
        let mut call = path(function);
        for p in &params {
            call = app(call, path(*p), span);
        }
        let lambda = mk(
            ExprKind::Lambda {
                params: params.iter().map(|p| named_pat(*p)).collect(),
                body: Box::new(call),
            },
            span,
        );
        let wrapped = self.infer_expr_with(&lambda, Some(param.clone()));
        self.pop_scope();
        let wrapped_ty = self.expr_ty(wrapped);
        self.add_expr(
            crate::psg::ExprKind::Let {
                binding,
                value: a,
                body: wrapped,
            },
            span,
            wrapped_ty,
        )
    }

    /// `Seq.__run xs` on a list, array or string runs the library's loop over it
    /// directly (`Seq.__runArray xs`), so no seq value is made for it: a generator's
    /// `for x in array` and `yield! list` cost what a hand-written loop costs.
    pub(crate) fn run_collection(&mut self, f: ExprId, a: ExprId, span: Span) -> Option<ExprId> {
        if !matches!(
            self.psg.exprs[f.index()].kind,
            crate::psg::ExprKind::Builtin(crate::builtins::Builtin::SeqRun)
        ) {
            return None;
        }
        let runner = match self.u.shallow(&self.expr_ty(a)) {
            Ty::App(TyCon::List, _) => LangItem::SeqRunList,
            Ty::App(TyCon::Array, _) => LangItem::SeqRunArray,
            Ty::Prim(Prim::String) => LangItem::SeqRunString,
            _ => return None,
        };
        let fspan = self.psg.exprs[f.index()].span;
        let runner = self.lang_path(runner, fspan);
        let runner = self.infer_expr(&runner);
        Some(self.apply(runner, a, span))
    }

    /// `for pat in source do body` over a seq or a string:
    /// `Seq.__run source (fun pat -> body; true) |> ignore`.
    pub(crate) fn for_each_pushed(
        &mut self,
        source: ExprId,
        pat: &ast::Pat,
        body: &Expr,
        span: Span,
    ) -> ExprId {
        let name = self.fresh_ident(span);
        let ty = self.expr_ty(source);
        self.push_scope();
        let binding = self.local_binding(self.name(name.name).to_string(), ty, span);
        self.define(name.name, Item::Value(binding));
        let consumer = mk(
            ExprKind::Lambda {
                params: vec![pat.clone()],
                body: Box::new(mk(
                    ExprKind::Sequential(vec![body.clone(), bool_lit(true, span)]),
                    span,
                )),
            },
            span,
        );
        let run = self.lang_path(LangItem::SeqRun, span);
        let ignore = self.lang_path(LangItem::Ignore, span);
        let call = app(
            ignore,
            app(app(run, path(name), span), consumer, span),
            span,
        );
        let inner = self.infer_expr(&call);
        self.pop_scope();
        self.add_expr(
            crate::psg::ExprKind::Let {
                binding,
                value: source,
                body: inner,
            },
            span,
            Ty::UNIT,
        )
    }

    /// `a.[i..j]`, `a.[..j]`, `a.[i..]` on an array or a string: a view sharing its
    /// memory, with F#'s tolerant bounds (`Slice.array a i j` clamps to the
    /// elements that exist).
    pub(crate) fn infer_slice(
        &mut self,
        target: &Expr,
        start: Option<&Expr>,
        end: Option<&Expr>,
        span: Span,
    ) -> ExprId {
        let t = self.infer_expr(target);
        let function = match self.u.shallow(&self.expr_ty(t)) {
            Ty::Prim(Prim::String) => LangItem::SliceString,
            _ => LangItem::SliceArray,
        };
        let f = self.lang_path(function, span);
        let f = self.infer_expr(&f);
        let bound = |this: &mut Self, b: Option<&Expr>, default: i64| match b {
            Some(e) => this.infer_expr(e),
            None => this.add_expr(
                crate::psg::ExprKind::Const(crate::psg::Const::Int(i128::from(default), Prim::Int)),
                span,
                Ty::INT,
            ),
        };
        let from = bound(self, start, 0);
        let to = bound(self, end, i64::MAX);
        let f = self.apply(f, t, span);
        let f = self.apply(f, from, span);
        self.apply(f, to, span)
    }

    /// `s.Method(args)` on a string: the library's `StringMembers` function named
    /// after the method and the argument types (`s.Substring(1, 2)` is
    /// `StringMembers.Substring_int_int s 1 2`, `s.Trim()` is
    /// `StringMembers.Trim s`), which is how .NET's overloads are told apart.
    /// `None` when `func` is not a method of a string.
    pub(crate) fn method_call(&mut self, func: &Expr, arg: &Expr, span: Span) -> Option<ExprId> {
        let (target, method) = match &func.kind {
            // `s.Trim()`, `p.Name.ToUpper()`, `Config.name.Trim()`: a method of what
            // the path without its last name denotes, when that is a value.
            ExprKind::Path(p) if p.len() >= 2 && self.path_is_value_member(p) => {
                (self.resolve_path(&p[..p.len() - 1]), p[p.len() - 1])
            }
            ExprKind::DotGet { target, member } => (self.infer_expr(target), *member),
            _ => return None,
        };
        let target_ty = self.u.shallow(&self.expr_ty(target));
        if let (Ty::App(TyCon::List, _), "Item") = (&target_ty, self.name(method.name)) {
            let index = self.infer_expr(arg);
            return Some(self.list_item(target, index, span));
        }
        if target_ty != Ty::STRING {
            let f = self.member_access(target, method);
            let expected = match self.u.shallow(&self.expr_ty(f)) {
                Ty::Fun(p, _) => Some((*p).clone()),
                _ => None,
            };
            let a = self.infer_expr_with(arg, expected);
            return Some(self.apply(f, a, span));
        }
        let args: Vec<ExprId> = match &arg.kind {
            ExprKind::Tuple(items) => items.iter().map(|i| self.infer_expr(i)).collect(),
            ExprKind::Lit(Literal::Unit) => Vec::new(),
            _ => vec![self.infer_expr(arg)],
        };
        let mut name = self.name(method.name).to_string();
        let mut shown = Vec::new();
        for a in &args {
            let ty = self.u.shallow(&self.expr_ty(*a));
            let tag = match &ty {
                Ty::Prim(Prim::String) => "string",
                Ty::Prim(Prim::Char) => "char",
                Ty::Prim(Prim::Int) => "int",
                Ty::Prim(Prim::Bool) => "bool",
                Ty::App(TyCon::Array, e) if self.u.shallow(&e[0]) == Ty::Prim(Prim::Char) => {
                    "chars"
                }
                Ty::App(TyCon::Array, e) if self.u.shallow(&e[0]) == Ty::STRING => "strings",
                _ => "other",
            };
            name.push('_');
            name.push_str(tag);
            shown.push(self.u.display(&ty));
        }
        let function = self.interner.get_or_intern(&name);
        let module = self
            .lang_module("StringMembers")
            .filter(|(_, m)| self.modules[m.0 as usize].items.contains_key(&function));
        let Some((module, _)) = module else {
            let method_name = self.name(method.name).to_string();
            let taking = if shown.is_empty() {
                "no arguments".to_string()
            } else {
                format!("arguments of type '{}'", shown.join(" * "))
            };
            self.error(
                composer_diagnostics::Code::UndefinedName,
                method.span,
                format!(
                    "The type 'string' does not define a method '{method_name}' taking {taking}."
                ),
            );
            return Some(self.error_expr(span));
        };
        let f = self.resolve_path(&[
            Ident {
                name: module,
                span: method.span,
            },
            Ident {
                name: function,
                span: method.span,
            },
        ]);
        let mut call = self.apply(f, target, span);
        for a in args {
            call = self.apply(call, a, span);
        }
        Some(call)
    }

    /// Whether `path` names a member of a value: its first name is a value, or a
    /// module whose members lead to a value before the last name (`p.Name.ToUpper`,
    /// `Config.name.Trim`), not a module function (`List.map`).
    fn path_is_value_member(&self, path: &[Ident]) -> bool {
        let mut item = self.lookup(path[0].name);
        for seg in &path[1..path.len() - 1] {
            match item {
                Some(Item::Module(m)) => {
                    item = self.module_item(m, seg.name);
                }
                _ => break,
            }
        }
        matches!(item, Some(Item::Value(_)))
    }

    /// `lazy e`: `Lazy.__create (fun () -> e)` (`lib/Lazy.clef`), computed on first
    /// `.Force()` and remembered.
    pub(crate) fn infer_lazy(&mut self, value: &Expr, span: Span) -> ExprId {
        let unit = ast::Pat {
            kind: ast::PatKind::Lit(Literal::Unit),
            span,
        };
        let thunk = mk(
            ExprKind::Lambda {
                params: vec![unit],
                body: Box::new(value.clone()),
            },
            span,
        );
        let create = self.lang_path(LangItem::LazyCreate, span);
        self.infer_expr(&app(create, thunk, span))
    }
}

/// The body of a list, array or seq expression without `yield`, with each
/// expression in a yielding position marked as an implicit yield (F#: it yields
/// its value unless that is `unit`; `Checker::infer_implicit_yield` decides).
fn implicit_yields(e: &Expr) -> Expr {
    let span = e.span;
    let boxed = |e: &Expr| Box::new(implicit_yields(e));
    let kind = match &e.kind {
        ExprKind::Sequential(items) => {
            ExprKind::Sequential(items.iter().map(implicit_yields).collect())
        }
        ExprKind::If {
            cond,
            then_branch,
            else_branch,
        } => ExprKind::If {
            cond: cond.clone(),
            then_branch: boxed(then_branch),
            else_branch: else_branch.as_deref().map(boxed),
        },
        ExprKind::Let {
            is_rec,
            bindings,
            body,
        } => ExprKind::Let {
            is_rec: *is_rec,
            bindings: bindings.clone(),
            body: boxed(body),
        },
        ExprKind::Match { scrutinee, rules } => ExprKind::Match {
            scrutinee: scrutinee.clone(),
            rules: rules
                .iter()
                .map(|r| ast::MatchRule {
                    body: implicit_yields(&r.body),
                    ..r.clone()
                })
                .collect(),
        },
        ExprKind::ForIn { pat, source, body } => ExprKind::ForIn {
            pat: pat.clone(),
            source: source.clone(),
            body: boxed(body),
        },
        ExprKind::ForTo {
            var,
            start,
            end,
            downward,
            body,
        } => ExprKind::ForTo {
            var: *var,
            start: start.clone(),
            end: end.clone(),
            downward: *downward,
            body: boxed(body),
        },
        ExprKind::While { cond, body } => ExprKind::While {
            cond: cond.clone(),
            body: boxed(body),
        },
        // Never a value to yield.
        ExprKind::Lit(Literal::Unit) | ExprKind::Assign { .. } => return e.clone(),
        _ => ExprKind::ImplicitYield {
            expr: Box::new(e.clone()),
            consumer: None,
        },
    };
    mk(kind, span)
}

impl Checker<'_> {
    /// An implicit yield in a generator: `consumer expr` (keep going if the consumer
    /// wants more) when `expr` has a value, `expr; true` when it is `unit`.
    pub(crate) fn infer_implicit_yield(
        &mut self,
        expr: &Expr,
        consumer: Option<&Expr>,
        span: Span,
    ) -> ExprId {
        let value = self.infer_expr(expr);
        let Some(consumer) = consumer else {
            self.unsupported(
                span,
                "an implicit yield outside a list, array or seq expression",
            );
            return self.error_expr(span);
        };
        if self.u.shallow(&self.expr_ty(value)) == Ty::UNIT {
            let keep_going = self.infer_expr(&bool_lit(true, span));
            return self.add_expr(
                crate::psg::ExprKind::Sequential(vec![value, keep_going]),
                span,
                Ty::BOOL,
            );
        }
        let consumer = self.infer_expr(consumer);
        self.apply(consumer, value, span)
    }
}

/// True when `e` yields (outside nested lambdas and computation expressions).
pub(crate) fn yields(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Yield { .. } | ExprKind::ImplicitYield { .. } => true,
        ExprKind::Sequential(items) => items.iter().any(yields),
        ExprKind::If {
            then_branch,
            else_branch,
            ..
        } => yields(then_branch) || else_branch.as_deref().is_some_and(yields),
        ExprKind::Let { body, .. } => yields(body),
        ExprKind::Bang { expr, .. } => yields(expr),
        ExprKind::Match { rules, .. } => rules.iter().any(|r| yields(&r.body)),
        ExprKind::ForIn { body, .. }
        | ExprKind::ForTo { body, .. }
        | ExprKind::While { body, .. } => yields(body),
        _ => false,
    }
}

pub(super) fn mk(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span }
}

pub(super) fn app(func: Expr, arg: Expr, span: Span) -> Expr {
    mk(
        ExprKind::App {
            func: Box::new(func),
            arg: Box::new(arg),
        },
        span,
    )
}

pub(super) fn binary(op: BinaryOp, lhs: Expr, rhs: Expr, span: Span) -> Expr {
    mk(
        ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        span,
    )
}

fn bool_lit(value: bool, span: Span) -> Expr {
    mk(ExprKind::Lit(Literal::Bool(value)), span)
}

fn assign(target: Ident, value: Expr, span: Span) -> Expr {
    mk(
        ExprKind::Assign {
            target: Box::new(path(target)),
            value: Box::new(value),
        },
        span,
    )
}

fn let_mutable(name: Ident, value: Expr, body: Expr, span: Span) -> Expr {
    mk(
        ExprKind::Let {
            is_rec: false,
            bindings: vec![binding(named_pat(name), true, value, span)],
            body: Box::new(body),
        },
        span,
    )
}
