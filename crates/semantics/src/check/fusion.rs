//! Pipeline fusion (DESIGN §6, codata): a chain of collection stages ending in a
//! consumer, `xs |> Array.map f |> Array.filter g |> Array.sum`, becomes one loop
//! with no intermediate collection:
//!
//! ```text
//! Seq.sum (seq { for x in xs do let y = f x in if g y then yield y })
//! ```
//!
//! The generator and its consumer live on the stack (`check/seq.rs`), so the
//! fused pipeline allocates nothing of its own. A range source (`[1 .. n]`,
//! `seq { 1 .. n }`) becomes the loop's counter instead of a collection. Lambdas
//! are substituted into the loop (`let p = x in body`); other function arguments
//! and the source are evaluated once, first, in the order F# evaluates them.
//!
//! Fusing changes when an eager stage's function runs (element by element instead
//! of all elements per stage). That is unobservable unless two of the functions
//! have effects, so an eager chain (List/Array) with more than one impure function
//! is left alone; seq stages are lazy and interleave anyway. Every decision, fused
//! or refused with its reason, goes to the ledger (`Psg::fusions`).

use super::expr::{binding, let_expr, named_pat, path_expr as path};
use super::lang::LangItem;
use super::seq::{app, binary, mk};
use super::{Checker, Item};
use crate::builtins::Builtin;
use crate::psg::{ExprId, ExprKind as P, FormatKind, FunctionId, FusionNote};
use composer_diagnostics::Span;
use composer_syntax::ast::{BinaryOp, Expr, ExprKind, Ident, Pat};
use rustc_hash::FxHashMap;

/// What a recognised library function does in a pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Map,
    Mapi,
    Filter,
    Choose,
    Collect,
    /// Consumes the elements; the `Seq` function of the same name does the work.
    Consume,
    /// `toList` / `toArray` / `ofSeq`: the result as a collection.
    Materialise,
}

/// One recognised step: `Module.name args`, the source given last.
struct Step<'e> {
    module: &'static str,
    name: String,
    role: Role,
    args: Vec<&'e Expr>,
}

fn role(name: &str) -> Option<(Role, usize)> {
    Some(match name {
        "map" => (Role::Map, 2),
        "mapi" => (Role::Mapi, 2),
        "filter" | "where" => (Role::Filter, 2),
        "choose" => (Role::Choose, 2),
        "collect" => (Role::Collect, 2),
        "sum" | "length" => (Role::Consume, 1),
        "sumBy" | "iter" | "iteri" | "exists" | "forall" | "contains" => (Role::Consume, 2),
        "fold" => (Role::Consume, 3),
        "toList" | "toArray" => (Role::Materialise, 1),
        _ => return None,
    })
}

impl Checker<'_> {
    /// Fuses the pipeline `e` when it is one (see the module documentation);
    /// `None` leaves `e` to ordinary inference.
    pub(crate) fn try_fuse(&mut self, e: &Expr) -> Option<ExprId> {
        let mut steps = Vec::new();
        let mut current = e;
        while let Some((step, input)) = self.split_step(current) {
            let is_stage = !matches!(step.role, Role::Consume | Role::Materialise);
            if !steps.is_empty() && !is_stage {
                break;
            }
            steps.push(step);
            current = input;
        }
        let stages = steps
            .iter()
            .filter(|s| !matches!(s.role, Role::Consume | Role::Materialise))
            .count();
        if steps.len() < 2 || stages == 0 {
            return None;
        }
        steps.reverse();
        let source = current;
        let chain = steps
            .iter()
            .map(|s| format!("{}.{}", s.module, s.name))
            .collect::<Vec<_>>()
            .join(" → ");
        let last = steps.last().expect("two steps");
        let ends_lazy =
            last.module == "Seq" && !matches!(last.role, Role::Consume | Role::Materialise);
        let eager = steps.iter().any(|s| s.module != "Seq");
        if eager && ends_lazy {
            self.psg.fusions.push(FusionNote {
                span: e.span,
                chain,
                fused: false,
                reason: "the result is a lazy seq over an eager stage: fusing would run the eager stage's function again on every enumeration".into(),
            });
            return None;
        }
        if eager {
            let impure: Vec<String> = steps
                .iter()
                .flat_map(|s| s.args.iter().enumerate().map(move |(k, a)| (s, k, *a)))
                // `fold`'s second argument is its initial state, not a function.
                .filter(|(s, k, _)| !(s.name == "fold" && *k == 1))
                .filter(|(_, _, a)| !self.is_pure_function(a))
                .map(|(s, _, _)| format!("{}.{}", s.module, s.name))
                .collect();
            if impure.len() > 1 {
                self.psg.fusions.push(FusionNote {
                    span: e.span,
                    chain,
                    fused: false,
                    reason: format!(
                        "the functions given to {} may have effects, and fusing would interleave them",
                        impure.join(" and ")
                    ),
                });
                return None;
            }
        }
        self.psg.fusions.push(FusionNote {
            span: e.span,
            chain,
            fused: true,
            reason: "one loop, no intermediate collection".into(),
        });
        Some(self.fused(e.span, source, &steps))
    }

    /// `input |> M.f args` or `M.f args input` for a recognised library `f`.
    fn split_step<'e>(&self, e: &'e Expr) -> Option<(Step<'e>, &'e Expr)> {
        let (call, input): (&Expr, Option<&Expr>) = match &e.kind {
            ExprKind::Binary {
                op: BinaryOp::PipeRight,
                lhs,
                rhs,
            } => (rhs, Some(lhs)),
            ExprKind::App { .. } => (e, None),
            _ => return None,
        };
        let (head, mut args) = call.spine();
        let ExprKind::Path(path) = &head.kind else {
            return None;
        };
        let [m, f] = &path[..] else { return None };
        let module = match self.name(m.name) {
            "Seq" => "Seq",
            "List" => "List",
            "Array" => "Array",
            _ => return None,
        };
        let name = self.name(f.name).to_string();
        let (role, arity) = role(&name)?;
        if !self.is_library_function(m.name, f.name) {
            return None;
        }
        let input = match input {
            Some(i) if args.len() + 1 == arity => i,
            None if args.len() == arity => args.pop().expect("arity >= 1"),
            _ => return None,
        };
        Some((
            Step {
                module,
                name,
                role,
                args,
            },
            input,
        ))
    }

    /// True when `Module.name` resolves to the standard library's function (not a
    /// user's module or value of the same name).
    fn is_library_function(
        &self,
        module: composer_syntax::Symbol,
        name: composer_syntax::Symbol,
    ) -> bool {
        let Some(m) = self.lookup_module(module) else {
            return false;
        };
        match self.module_item(m, name) {
            Some(Item::Function(f)) => (f.index()) < self.library_functions,
            Some(Item::Builtin(_)) => true,
            _ => false,
        }
    }

    /// The fused form: bindings for the source and the function arguments, then
    /// the consumer applied to one generator.
    fn fused(&mut self, span: Span, source: &Expr, steps: &[Step]) -> ExprId {
        let mut lets: Vec<(Ident, Expr)> = Vec::new();
        let range = range_of(source);
        let source_expr = match range {
            Some(r) => r.clone(),
            None => {
                let s = self.fresh_ident(span);
                lets.push((s, source.clone()));
                path(s)
            }
        };
        // Function arguments: lambdas are substituted, names used as they are,
        // anything else evaluated once up front.
        let mut args: Vec<Vec<Expr>> = Vec::new();
        for step in steps {
            let mut these = Vec::new();
            for a in &step.args {
                if matches!(
                    a.kind,
                    ExprKind::Lambda { .. } | ExprKind::Path(_) | ExprKind::Lit(_)
                ) {
                    these.push((*a).clone());
                } else {
                    let n = self.fresh_ident(span);
                    lets.push((n, (*a).clone()));
                    these.push(path(n));
                }
            }
            args.push(these);
        }
        let (last, stages) = match steps.last().map(|s| s.role) {
            Some(Role::Consume | Role::Materialise) => (steps.last(), &steps[..steps.len() - 1]),
            _ => (None, steps),
        };
        let x = self.fresh_ident(span);
        let counters: Vec<Option<Ident>> = stages
            .iter()
            .map(|s| (s.role == Role::Mapi).then(|| self.fresh_ident(span)))
            .collect();
        let body = self.stage_body(stages, &args, &counters, 0, x, span);
        let mut generator = mk(
            ExprKind::ForIn {
                pat: named_pat(x),
                source: Box::new(source_expr),
                body: Box::new(body),
            },
            span,
        );
        for c in counters.iter().flatten().rev() {
            generator = mk(
                ExprKind::Let {
                    is_rec: false,
                    bindings: vec![binding(named_pat(*c), true, int_lit(0, span), span)],
                    body: Box::new(generator),
                },
                span,
            );
        }
        let builder = Ident {
            name: self.interner.get_or_intern_static("seq"),
            span,
        };
        let generated = mk(
            ExprKind::Computation {
                builder,
                body: Box::new(generator),
            },
            span,
        );
        let result_module = steps
            .iter()
            .rev()
            .find(|s| !matches!(s.role, Role::Consume | Role::Materialise))
            .map_or("Seq", |s| s.module);
        let mut result = match last {
            Some(step) if step.role == Role::Consume => {
                let consumer =
                    LangItem::seq_consumer(&step.name).expect("every consumer role is a lang item");
                let mut call = self.lang_path(consumer, span);
                for a in &args[args.len() - 1] {
                    call = app(call, a.clone(), span);
                }
                app(call, generated, span)
            }
            Some(step) => {
                let module = if step.name == "toList" {
                    "List"
                } else {
                    "Array"
                };
                let f = self.lang_path(LangItem::of_seq(module), span);
                app(f, generated, span)
            }
            None if result_module == "Seq" => generated,
            None => {
                let f = self.lang_path(LangItem::of_seq(result_module), span);
                app(f, generated, span)
            }
        };
        for (n, value) in lets.into_iter().rev() {
            result = let_expr(named_pat(n), value, result, span);
        }
        self.infer_expr(&result)
    }

    /// The loop body for stages `i..` with the element in `x`.
    fn stage_body(
        &mut self,
        stages: &[Step],
        args: &[Vec<Expr>],
        counters: &[Option<Ident>],
        i: usize,
        x: Ident,
        span: Span,
    ) -> Expr {
        let Some(stage) = stages.get(i) else {
            return mk(
                ExprKind::Yield {
                    is_bang: false,
                    expr: Box::new(path(x)),
                },
                span,
            );
        };
        let f = &args[i][0];
        let y = self.fresh_ident(span);
        match stage.role {
            Role::Map => {
                let rest = self.stage_body(stages, args, counters, i + 1, y, span);
                let value = call(f, vec![path(x)], span);
                let_expr(named_pat(y), value, rest, span)
            }
            Role::Mapi => {
                let c = counters[i].expect("mapi has a counter");
                let idx = self.fresh_ident(span);
                let rest = self.stage_body(stages, args, counters, i + 1, y, span);
                let value = call(f, vec![path(idx), path(x)], span);
                let bump = mk(
                    ExprKind::Assign {
                        target: Box::new(path(c)),
                        value: Box::new(binary(BinaryOp::Add, path(c), int_lit(1, span), span)),
                    },
                    span,
                );
                let inner = let_expr(named_pat(y), value, rest, span);
                let_expr(
                    named_pat(idx),
                    path(c),
                    mk(ExprKind::Sequential(vec![bump, inner]), span),
                    span,
                )
            }
            Role::Filter => {
                let rest = self.stage_body(stages, args, counters, i + 1, x, span);
                mk(
                    ExprKind::If {
                        cond: Box::new(call(f, vec![path(x)], span)),
                        then_branch: Box::new(rest),
                        else_branch: None,
                    },
                    span,
                )
            }
            Role::Choose => {
                let rest = self.stage_body(stages, args, counters, i + 1, y, span);
                let some = Ident {
                    name: self.interner.get_or_intern_static("Some"),
                    span,
                };
                let none = Ident {
                    name: self.interner.get_or_intern_static("None"),
                    span,
                };
                mk(
                    ExprKind::Match {
                        scrutinee: Box::new(call(f, vec![path(x)], span)),
                        rules: vec![
                            composer_syntax::ast::MatchRule {
                                pat: Pat {
                                    kind: composer_syntax::ast::PatKind::Ctor {
                                        path: vec![some],
                                        arg: Box::new(named_pat(y)),
                                    },
                                    span,
                                },
                                guard: None,
                                body: rest,
                                span,
                            },
                            composer_syntax::ast::MatchRule {
                                pat: Pat {
                                    kind: composer_syntax::ast::PatKind::Named(none),
                                    span,
                                },
                                guard: None,
                                body: mk(ExprKind::Lit(composer_syntax::ast::Literal::Unit), span),
                                span,
                            },
                        ],
                    },
                    span,
                )
            }
            _ => {
                // Collect: every element of `f x`.
                let rest = self.stage_body(stages, args, counters, i + 1, y, span);
                mk(
                    ExprKind::ForIn {
                        pat: named_pat(y),
                        source: Box::new(call(f, vec![path(x)], span)),
                        body: Box::new(rest),
                    },
                    span,
                )
            }
        }
    }

    /// True when calling `f` has no effect that fusing could reorder: a lambda or
    /// a known function whose body only computes (no output, no writes outside
    /// its own frame, no `failwith`, no call of an unknown function value).
    fn is_pure_function(&mut self, f: &Expr) -> bool {
        let mut memo = FxHashMap::default();
        match &f.kind {
            ExprKind::Path(_) => self.pure_head(f, &mut memo),
            _ => self.pure_ast(f, &mut memo),
        }
    }

    /// Whether calling the function a path names is pure: a library or program
    /// function with a pure body, a pure builtin, a union case; not a function value
    /// (its code is unknown) or a name bound inside the expression being judged.
    fn pure_head(&mut self, head: &Expr, memo: &mut FxHashMap<FunctionId, bool>) -> bool {
        let ExprKind::Path(p) = &head.kind else {
            return false;
        };
        if p.len() == 1 && self.name(p[0].name) == "sprintf" {
            return true;
        }
        let item = match (self.lookup(p[0].name), p.len()) {
            (Some(item), 1) => Some(item),
            (Some(Item::Module(m)), 2) => self.module_item(m, p[1].name),
            (Some(Item::Type(_)), 2) => return true,
            _ => None,
        };
        match item {
            Some(Item::Function(fid)) => self.pure_function(fid, memo),
            Some(Item::Builtin(b)) => pure_builtin(b),
            Some(Item::UnionCase(..)) => true,
            _ => false,
        }
    }

    /// Whether matching a pattern is pure: it is, unless an active pattern in it
    /// calls a function that is not.
    fn pure_pattern(
        &mut self,
        p: &composer_syntax::ast::Pat,
        memo: &mut FxHashMap<FunctionId, bool>,
    ) -> bool {
        use composer_syntax::ast::PatKind as P;
        let active = |this: &Self, path: &[composer_syntax::ast::Ident]| match path {
            [single] => match this.lookup(single.name) {
                Some(Item::ActivePattern(a)) => Some(a.function),
                _ => None,
            },
            _ => None,
        };
        let head_pure = match &p.kind {
            P::Named(id) => match active(self, std::slice::from_ref(id)) {
                Some(f) => self.pure_function(f, memo),
                None => true,
            },
            P::Ctor { path, .. } | P::CtorArgs { path, .. } => match active(self, path) {
                Some(f) => self.pure_function(f, memo),
                None => true,
            },
            _ => true,
        };
        if !head_pure {
            return false;
        }
        match &p.kind {
            P::Ctor { arg, .. } => self.pure_pattern(arg, memo),
            P::CtorArgs { args, .. } => args.iter().all(|a| self.pure_pattern(a, memo)),
            P::Tuple(items) | P::List(items) | P::Array(items) => {
                items.iter().all(|a| self.pure_pattern(a, memo))
            }
            P::Cons { head, tail } | P::Or(head, tail) => {
                self.pure_pattern(head, memo) && self.pure_pattern(tail, memo)
            }
            P::As { pat, .. } | P::Typed { pat, .. } => self.pure_pattern(pat, memo),
            P::Record(fields) => fields.iter().all(|(_, a)| self.pure_pattern(a, memo)),
            P::NamedFields(fields) => fields.iter().all(|(_, a)| self.pure_pattern(a, memo)),
            P::Wild | P::Named(_) | P::Lit(_) | P::Path(_) | P::NegLit(_) | P::Error => true,
        }
    }

    fn pure_ast(&mut self, e: &Expr, memo: &mut FxHashMap<FunctionId, bool>) -> bool {
        match &e.kind {
            ExprKind::Lit(_) | ExprKind::OperatorValue(_) => true,
            // Reading a value has no effect; calls are judged at `App`.
            ExprKind::Path(_) => true,
            ExprKind::Lambda { params, body } => {
                params.iter().all(|p| self.pure_pattern(p, memo)) && self.pure_ast(body, memo)
            }
            ExprKind::App { .. } => {
                let (head, args) = e.spine();
                let head_pure = match &head.kind {
                    ExprKind::Path(_) => self.pure_head(head, memo),
                    ExprKind::Lambda { .. } => self.pure_ast(head, memo),
                    _ => false,
                };
                head_pure && args.iter().all(|a| self.pure_ast(a, memo))
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                self.pure_ast(lhs, memo) && self.pure_ast(rhs, memo)
            }
            ExprKind::Unary { operand, .. } => self.pure_ast(operand, memo),
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                self.pure_ast(cond, memo)
                    && self.pure_ast(then_branch, memo)
                    && else_branch
                        .as_deref()
                        .is_none_or(|b| self.pure_ast(b, memo))
            }
            ExprKind::Match { scrutinee, rules } => {
                self.pure_ast(scrutinee, memo)
                    && rules.iter().all(|r| {
                        self.pure_pattern(&r.pat, memo)
                            && r.guard.as_ref().is_none_or(|g| self.pure_ast(g, memo))
                            && self.pure_ast(&r.body, memo)
                    })
            }
            ExprKind::Let { bindings, body, .. } => {
                bindings.iter().all(|b| {
                    !b.is_mutable
                        && self.pure_pattern(&b.head, memo)
                        && b.params.iter().all(|p| self.pure_pattern(p, memo))
                        && self.pure_ast(&b.body, memo)
                }) && self.pure_ast(body, memo)
            }
            ExprKind::Tuple(items)
            | ExprKind::List(items)
            | ExprKind::Array(items)
            | ExprKind::Sequential(items) => items.iter().all(|i| self.pure_ast(i, memo)),
            ExprKind::DotGet { target, .. } => self.pure_ast(target, memo),
            ExprKind::Index { target, index } => {
                self.pure_ast(target, memo) && self.pure_ast(index, memo)
            }
            ExprKind::Typed { expr, .. } => self.pure_ast(expr, memo),
            ExprKind::Record { copy_from, fields } => {
                copy_from.as_deref().is_none_or(|c| self.pure_ast(c, memo))
                    && fields.iter().all(|(_, v)| self.pure_ast(v, memo))
            }
            _ => false,
        }
    }

    /// The same question for a function already checked, on its PSG body. A function
    /// whose body is still being checked (the pipeline is inside it, or inside another
    /// function of its recursive group) has no PSG body to judge yet: it counts as
    /// having effects, which can only keep a chain from fusing.
    fn pure_function(&mut self, f: FunctionId, memo: &mut FxHashMap<FunctionId, bool>) -> bool {
        if let Some(&known) = memo.get(&f) {
            return known;
        }
        if !self.psg.functions[f.index()].body_is_checked() {
            memo.insert(f, false);
            return false;
        }
        // Recursion is assumed pure until an effect is found elsewhere.
        memo.insert(f, true);
        let body = self.psg.functions[f.index()].body;
        let pure = self.pure_psg(body, f, memo);
        memo.insert(f, pure);
        pure
    }

    fn pure_psg(
        &mut self,
        e: ExprId,
        owner: FunctionId,
        memo: &mut FxHashMap<FunctionId, bool>,
    ) -> bool {
        let kind = self.psg.exprs[e.index()].kind.clone();
        let all = |this: &mut Self, ids: &[ExprId], memo: &mut FxHashMap<FunctionId, bool>| {
            ids.iter().all(|i| this.pure_psg(*i, owner, memo))
        };
        match kind {
            P::Const(_) | P::Local(_) | P::ListNil | P::UnionCase { .. } | P::Function(_) => true,
            P::Builtin(b) => pure_builtin(b),
            P::Format { kind, .. } => kind == FormatKind::Sprintf,
            P::App { func, arg } => {
                let mut head = func;
                while let P::App { func, .. } = self.psg.exprs[head.index()].kind {
                    head = func;
                }
                let head_pure = match self.psg.exprs[head.index()].kind.clone() {
                    P::Function(g) => self.pure_function(g, memo),
                    P::Builtin(b) => pure_builtin(b),
                    P::Format { kind, .. } => kind == FormatKind::Sprintf,
                    P::UnionCase { .. } => true,
                    _ => false,
                };
                head_pure && self.pure_psg(func, owner, memo) && self.pure_psg(arg, owner, memo)
            }
            P::Assign { binding, value } => {
                self.psg.bindings[binding.index()].owner == Some(owner)
                    && self.pure_psg(value, owner, memo)
            }
            P::Unary { operand, .. } => self.pure_psg(operand, owner, memo),
            P::Binary { lhs, rhs, .. } => all(self, &[lhs, rhs], memo),
            P::If {
                cond,
                then_branch,
                else_branch,
            } => {
                all(self, &[cond, then_branch], memo)
                    && else_branch.is_none_or(|b| self.pure_psg(b, owner, memo))
            }
            P::While { cond, body } => all(self, &[cond, body], memo),
            P::For {
                start,
                end,
                step,
                body,
                ..
            } => {
                all(self, &[start, end, body], memo)
                    && step.is_none_or(|s| self.pure_psg(s, owner, memo))
            }
            P::Let { value, body, .. } => all(self, &[value, body], memo),
            P::LetFunctions { body, .. } => self.pure_psg(body, owner, memo),
            P::Sequential(items) | P::Tuple(items) | P::ArrayLit(items) => all(self, &items, memo),
            P::Member { target, .. } | P::Field { target, .. } | P::RefGet(target) => {
                self.pure_psg(target, owner, memo)
            }
            P::Index { target, index } => all(self, &[target, index], memo),
            P::Match { scrutinee, rules } => {
                self.pure_psg(scrutinee, owner, memo)
                    && rules.iter().all(|r| {
                        let mut views = Vec::new();
                        self.psg.pattern_views(r.pat, &mut views);
                        all(self, &views, memo)
                            && r.guard.is_none_or(|g| self.pure_psg(g, owner, memo))
                            && self.pure_psg(r.body, owner, memo)
                    })
            }
            P::Record { fields, .. } => fields.iter().all(|(_, v)| self.pure_psg(*v, owner, memo)),
            P::RecordUpdate { base, fields } => {
                self.pure_psg(base, owner, memo)
                    && fields.iter().all(|(_, v)| self.pure_psg(*v, owner, memo))
            }
            P::ListCons { head, tail } => all(self, &[head, tail], memo),
            P::Interpolated(_) => true,
            _ => false,
        }
    }
}

/// Builtins whose call has no effect (output, input, exit, panic, writes).
fn pure_builtin(b: Builtin) -> bool {
    !matches!(
        b,
        Builtin::Failwith
            | Builtin::Exit
            | Builtin::ConsoleWrite
            | Builtin::ConsoleWriteBytes
            | Builtin::ConsoleWriteln
            | Builtin::ConsoleReadln
            | Builtin::ConsoleTryReadln
            | Builtin::Incr
            | Builtin::Decr
            | Builtin::SeqRun
    )
}

/// The range of `[a .. b]`, `[| a .. b |]` or `seq { a .. b }`.
fn range_of(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::List(items) | ExprKind::Array(items) => match &items[..] {
            [r @ Expr {
                kind: ExprKind::Range { .. },
                ..
            }] => Some(r),
            _ => None,
        },
        ExprKind::Computation { body, .. } if matches!(body.kind, ExprKind::Range { .. }) => {
            Some(body)
        }
        _ => None,
    }
}

/// `f a b`, substituting a lambda's parameters (`let p = a in body`).
fn call(f: &Expr, args: Vec<Expr>, span: Span) -> Expr {
    if let ExprKind::Lambda { params, body } = &f.kind {
        if params.len() == args.len() {
            let mut out = (**body).clone();
            for (p, a) in params.iter().zip(args).rev() {
                out = let_expr(p.clone(), a, out, span);
            }
            return out;
        }
    }
    args.into_iter()
        .fold(f.clone(), |func, a| app(func, a, span))
}

fn int_lit(value: u128, span: Span) -> Expr {
    mk(
        ExprKind::Lit(composer_syntax::ast::Literal::Int {
            value,
            suffix: composer_syntax::ast::IntSuffix::None,
            bit_pattern: false,
        }),
        span,
    )
}
