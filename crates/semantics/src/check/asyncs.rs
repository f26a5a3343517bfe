//! `async { }` and `task { }`: the body is checked as a lambda of `unit` (its
//! captures are the async's), with `let!`, `use!`, `match!`, `do!` and `return!`
//! made [`ExprKind::Await`]s and `return e` made `e`. Nothing is desugared into
//! continuations here: the PSG keeps `ExprKind::Async` with its body, and the
//! middle end makes it a state machine (`docs/async.md`).
//!
//! `return` ends an async, as in F# (where the builder's `Return` is the value of
//! the computation): it may stand only where the body's value is made, the last
//! expression of a branch. Anywhere else it is FS0001, as F#'s types make it.

use super::Checker;
use crate::psg::{ExprId, ExprKind};
use crate::types::{Ty, TyCon};
use composer_diagnostics::{Code, Span};
use composer_syntax::ast;

/// The async builders: `Some(hot)` for `async` (cold), `task` (hot) and the seeds'
/// `frosty` (cold, an alias of `async`).
pub(crate) fn builder_kind(name: &str) -> Option<bool> {
    match name {
        "async" | "frosty" => Some(false),
        "task" => Some(true),
        _ => None,
    }
}

impl Checker<'_> {
    /// `async { body }`: an `Async<'T>` whose body gives `'T`. `task { body }` is hot,
    /// as F#'s: the same async started at once as a task that runs until its first
    /// suspension (`Async.__startNow`, without a cancellation token), and the value
    /// is the async that waits for it (`Async.__awaitTask`): `let!` of it, any number
    /// of times, gives the task's result. (`Task<'T>` is another name of
    /// `Async<'T>`.)
    pub(crate) fn infer_async(&mut self, body: &ast::Expr, span: Span, hot: bool) -> ExprId {
        if hot {
            let ident = |c: &mut Self, name: &'static str| ast::Ident {
                name: c.interner.get_or_intern_static(name),
                span,
            };
            let path = |c: &mut Self, names: [&'static str; 2]| ast::Expr {
                kind: ast::ExprKind::Path(names.iter().map(|n| ident(c, n)).collect()),
                span,
            };
            let app = |func: ast::Expr, arg: ast::Expr| ast::Expr {
                kind: ast::ExprKind::App {
                    func: Box::new(func),
                    arg: Box::new(arg),
                },
                span,
            };
            let cold = ast::Expr {
                kind: ast::ExprKind::Computation {
                    builder: ident(self, "async"),
                    body: Box::new(body.clone()),
                },
                span,
            };
            let no_token = ast::Expr {
                kind: ast::ExprKind::Lit(ast::Literal::Int {
                    value: 1,
                    suffix: ast::IntSuffix::N,
                    bit_pattern: false,
                }),
                span,
            };
            let start = app(app(path(self, ["Async", "__startNow"]), cold), no_token);
            let awaited = app(path(self, ["Async", "__awaitTask"]), start);
            let first = self.psg.exprs.len();
            let id = self.infer_expr(&awaited);
            // The task's handle is untyped: the waiting async gives what the started
            // one does (the first async made here, at this span, is the started one).
            let started = (first..self.psg.exprs.len()).find(|&i| {
                matches!(self.psg.exprs[i].kind, ExprKind::Async { .. })
                    && self.psg.exprs[i].span == span
            });
            if let Some(started) = started {
                let t = self.psg.expr_types[started].clone();
                self.expect_type(id, &t);
            }
            return id;
        }
        let mut tail = Vec::new();
        tail_returns(body, true, &mut tail);
        let saved = std::mem::replace(&mut self.tail_returns, tail);
        let unit = ast::Pat {
            kind: ast::PatKind::Lit(ast::Literal::Unit),
            span,
        };
        self.async_body_next = true;
        let lambda = self.check_lambda(std::slice::from_ref(&unit), body, span);
        self.async_body_next = false;
        let returns = !self.tail_returns.is_empty();
        self.tail_returns = saved;
        let ExprKind::Function(func) = self.psg.exprs[lambda.index()].kind else {
            // `check_lambda` makes a function value (a lambda is never a type function).
            return self.error_expr(span);
        };
        if !returns {
            // Without `return`, an async gives `unit` (F#'s builder `Zero`): a last
            // expression of another type is a mistake (a forgotten `do!` or
            // `return`), FS0001 as in F#.
            let last = self.tail_expr(self.psg.functions[func.index()].body);
            self.expect_type(last, &Ty::UNIT);
        }
        let result = match self.u.shallow(&self.expr_ty(lambda)) {
            Ty::Fun(_, r) => (*r).clone(),
            _ => self.u.fresh(),
        };
        for &c in &self.psg.functions[func.index()].captures.clone() {
            let binding = &self.psg.bindings[c.index()];
            if binding.is_mutable {
                let name = binding.name.clone();
                self.error(
                    Code::MutableCaptured,
                    span,
                    format!(
                        "The mutable variable '{name}' is used in an invalid way. Mutable variables \
                         cannot be captured by an async, which may run after the frame that \
                         declares them returns. Consider a 'ref' cell ('let {name} = ref ...')."
                    ),
                );
            }
        }
        // The lambda expression stays in the PSG (its captures were noted for the
        // enclosing functions), but it is not a value of the program: the async is.
        self.add_expr(ExprKind::Async { func, hot }, span, Ty::async_of(result))
    }

    /// The expression whose value a block gives (the last of a sequence, the body of
    /// a `let`).
    fn tail_expr(&self, e: ExprId) -> ExprId {
        match &self.psg.exprs[e.index()].kind {
            ExprKind::Sequential(items) => items.last().map_or(e, |&l| self.tail_expr(l)),
            ExprKind::Let { body, .. } | ExprKind::LetFunctions { body, .. } => {
                self.tail_expr(*body)
            }
            _ => e,
        }
    }

    /// `let!`, `use!`, `match!` and `do!` inside an async: the plain form with the
    /// value awaited.
    pub(crate) fn infer_bang(
        &mut self,
        kind: ast::BangKind,
        expr: &ast::Expr,
        span: Span,
    ) -> ExprId {
        let awaited = |value: &ast::Expr| ast::Expr {
            span: value.span,
            kind: ast::ExprKind::Await(Box::new(value.clone())),
        };
        let rewritten = match (kind, &expr.kind) {
            (ast::BangKind::Do, _) => {
                let id = self.infer_await(expr, false, span);
                self.expect_type(id, &Ty::UNIT);
                return id;
            }
            (
                ast::BangKind::Let,
                ast::ExprKind::Let {
                    is_rec,
                    bindings,
                    body,
                },
            ) => {
                let mut bindings = bindings.clone();
                for b in &mut bindings {
                    b.body = awaited(&b.body);
                }
                ast::ExprKind::Let {
                    is_rec: *is_rec,
                    bindings,
                    body: body.clone(),
                }
            }
            (ast::BangKind::Use, ast::ExprKind::Use { binding, body }) => {
                let mut binding = binding.clone();
                binding.body = awaited(&binding.body);
                ast::ExprKind::Use {
                    binding,
                    body: body.clone(),
                }
            }
            (ast::BangKind::Match, ast::ExprKind::Match { scrutinee, rules }) => {
                ast::ExprKind::Match {
                    scrutinee: Box::new(awaited(scrutinee)),
                    rules: rules.clone(),
                }
            }
            // The parser makes each form with its plain counterpart.
            _ => return self.infer_expr(expr),
        };
        self.infer_expr(&ast::Expr {
            kind: rewritten,
            span,
        })
    }

    /// Waits for `value` (an `Async<'T>`): the result is `'T`.
    pub(crate) fn infer_await(&mut self, value: &ast::Expr, tail: bool, span: Span) -> ExprId {
        let v = self.infer_expr(value);
        let result = self.u.fresh();
        let expected = Ty::async_of(result.clone());
        let actual = self.expr_ty(v);
        if let Ty::App(TyCon::Async, _) | Ty::Var(_) | Ty::Error = self.u.shallow(&actual) {
            self.expect_type(v, &expected);
        } else if self.u.try_unify(&actual, &expected).is_err() {
            let shown = self.u.display(&actual);
            self.error(
                Code::TypeMismatch,
                value.span,
                format!(
                    "This expression was expected to have type 'Async<'a>' but here has type \
                     '{shown}': only an async can be awaited with 'let!', 'do!', 'use!', \
                     'match!' or 'return!'"
                ),
            );
        }
        self.add_expr(ExprKind::Await { value: v, tail }, span, result)
    }

    /// `return e` (`e`) and `return! e` (awaited, the body's result) in an async.
    pub(crate) fn infer_return(&mut self, is_bang: bool, expr: &ast::Expr, span: Span) -> ExprId {
        if !self.tail_returns.contains(&span) {
            let keyword = Span {
                end: (span.start + if is_bang { 7 } else { 6 }).min(span.end),
                ..span
            };
            self.error(
                Code::TypeMismatch,
                keyword,
                "'return' ends an async: it must be the last expression of its branch, and \
                 here code follows it or uses its value. Move the code before the 'return', \
                 or use 'if ... then ... else' so that each branch ends with its own 'return'",
            );
        }
        if is_bang {
            self.infer_await(expr, true, span)
        } else {
            self.infer_expr(expr)
        }
    }
}

/// Whether `e` waits for an async in its own code (`let!`, `do!`, `match!`,
/// `use!`, `return!`; not in the functions and computations it makes).
pub(crate) fn awaits(e: &ast::Expr) -> bool {
    match &e.kind {
        ast::ExprKind::Bang { .. } | ast::ExprKind::Await(_) => true,
        ast::ExprKind::Return { is_bang, expr } => *is_bang || awaits(expr),
        ast::ExprKind::Lambda { .. }
        | ast::ExprKind::Function(_)
        | ast::ExprKind::Computation { .. } => false,
        ast::ExprKind::Sequential(items) => items.iter().any(awaits),
        ast::ExprKind::Let { bindings, body, .. } => {
            awaits(body)
                || bindings
                    .iter()
                    .any(|b| b.params.is_empty() && awaits(&b.body))
        }
        ast::ExprKind::Use { binding, body } => awaits(&binding.body) || awaits(body),
        ast::ExprKind::If {
            cond,
            then_branch,
            else_branch,
        } => awaits(cond) || awaits(then_branch) || else_branch.as_deref().is_some_and(awaits),
        ast::ExprKind::Match { scrutinee, rules } => {
            awaits(scrutinee) || rules.iter().any(|r| awaits(&r.body))
        }
        ast::ExprKind::While { cond, body } => awaits(cond) || awaits(body),
        ast::ExprKind::ForIn { source, body, .. } => awaits(source) || awaits(body),
        ast::ExprKind::ForTo {
            start, end, body, ..
        } => awaits(start) || awaits(end) || awaits(body),
        ast::ExprKind::Typed { expr, .. } => awaits(expr),
        _ => false,
    }
}

/// The spans of the `return`s and `return!`s of an async body that stand where the
/// body's value is made (`tail`): the last expression of a block or branch.
fn tail_returns(e: &ast::Expr, tail: bool, out: &mut Vec<Span>) {
    match &e.kind {
        ast::ExprKind::Return { .. } if tail => out.push(e.span),
        ast::ExprKind::Sequential(items) => {
            if let Some(last) = items.last() {
                tail_returns(last, tail, out);
            }
        }
        ast::ExprKind::Let { body, .. } | ast::ExprKind::Use { body, .. } => {
            tail_returns(body, tail, out)
        }
        ast::ExprKind::If {
            then_branch,
            else_branch,
            ..
        } => {
            tail_returns(then_branch, tail, out);
            if let Some(e) = else_branch {
                tail_returns(e, tail, out);
            }
        }
        ast::ExprKind::Match { rules, .. } => {
            for r in rules {
                tail_returns(&r.body, tail, out);
            }
        }
        ast::ExprKind::Bang { kind, expr } if *kind != ast::BangKind::Do => {
            tail_returns(expr, tail, out)
        }
        ast::ExprKind::Typed { expr, .. } => tail_returns(expr, tail, out),
        _ => {}
    }
}
