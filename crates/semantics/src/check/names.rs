//! `let` bindings (values and function groups), path resolution, type annotations.

use super::known::KnownType;
use super::{Checker, Item};
use crate::builtins::Builtin;
use crate::psg::*;
use crate::types::{Prim, Requirement, Scheme, Ty};
use composer_diagnostics::{Code, Diagnostic, Span};
use composer_syntax::ast;

impl Checker<'_> {
    /// A module-level `let` (values become globals, functions become top-level
    /// functions).
    pub(crate) fn check_module_let(
        &mut self,
        is_rec: bool,
        bindings: &[ast::Binding],
        entry: Option<Span>,
        is_last: bool,
    ) {
        let bindings: Vec<ast::Binding> = bindings
            .iter()
            .map(|b| self.lambda_as_function(b))
            .collect();
        // `let empty<'T> : 'T list = []`: a type function, `let empty<'T> () = ...`
        // called at each use.
        let is_type_function = |b: &ast::Binding| {
            b.params.is_empty()
                && !b.type_params.is_empty()
                && !b.is_mutable
                && matches!(b.head.kind, ast::PatKind::Named(_))
        };
        let type_function_flags: Vec<bool> = bindings.iter().map(is_type_function).collect();
        let bindings: Vec<ast::Binding> = bindings
            .into_iter()
            .zip(&type_function_flags)
            .map(|(b, &flag)| {
                if !flag {
                    return b;
                }
                let unit = ast::Pat {
                    kind: ast::PatKind::Lit(ast::Literal::Unit),
                    span: b.head.span,
                };
                ast::Binding {
                    params: vec![unit],
                    ..b
                }
            })
            .collect();
        let (functions, values): (Vec<&ast::Binding>, Vec<&ast::Binding>) =
            bindings.iter().partition(|b| !b.params.is_empty());
        if !functions.is_empty() {
            let fids = self.check_function_group(is_rec, &functions, entry.is_some());
            let function_flags = bindings
                .iter()
                .zip(&type_function_flags)
                .filter(|(b, _)| !b.params.is_empty())
                .map(|(_, flag)| *flag);
            for (&fid, flag) in fids.iter().zip(function_flags) {
                if flag {
                    self.type_functions.insert(fid);
                }
            }
            if let Some(span) = entry {
                self.mark_entry_point(&fids, span, is_last);
            }
        } else if let Some(span) = entry {
            self.error(
                Code::TypeMismatch,
                span,
                "The [<EntryPoint>] attribute must be on a function taking the command-line arguments, e.g. 'let main argv = ... 0'",
            );
        }
        for b in values {
            if is_rec {
                self.unsupported(b.span, "'let rec' on a value");
            }
            if !is_simple_pattern(&b.head) {
                // `let (a, b) = ...` at module level: the variables become globals.
                let value = self.infer_expr(&b.body);
                let ty = self.expr_ty(value);
                self.u.default_deeper_than_current();
                self.patterns_bind_globals = true;
                let pat = self.check_pattern(&b.head, &ty);
                self.patterns_bind_globals = false;
                let mut views = Vec::new();
                self.psg.pattern_views(pat, &mut views);
                if !views.is_empty() {
                    self.unsupported(b.head.span, "an active pattern in a module-level 'let'");
                }
                self.psg.top_level.push(TopItem::Destructure { pat, value });
                continue;
            }
            self.u.level += 1;
            let value = self.infer_expr(&b.body);
            self.u.level -= 1;
            let mut ty = self.expr_ty(value);
            if let Some(t) = &b.return_type {
                let ann = self.resolve_type(t);
                self.expect_type(value, &ann);
                ty = ann;
            }
            self.u.default_deeper_than_current();
            // A module-level value is not generalised either: a later function
            // that mentions its remaining variables must not quantify them.
            self.u.keep_monomorphic(&ty);
            match self.value_pattern_name(&b.head) {
                Some((name, span, annotated)) => {
                    if let Some(t) = annotated {
                        let ann = self.resolve_type(t);
                        self.expect_type(value, &ann);
                        // The annotation wins, so a wrong value is reported once.
                        ty = ann;
                    }
                    let text = name
                        .map(|n| self.name(n).to_string())
                        .unwrap_or_else(|| "_".into());
                    let binding = self.add_binding(Binding {
                        name: text,
                        ty,
                        is_mutable: b.is_mutable,
                        kind: BindingKind::Global,
                        owner: None,
                        span,
                        captured_mutable: false,
                    });
                    if let Some(n) = name {
                        self.define(n, Item::Value(binding));
                    }
                    self.psg.top_level.push(TopItem::Global { binding, value });
                }
                None => {
                    self.psg.top_level.push(TopItem::Do(value));
                }
            }
        }
    }

    fn mark_entry_point(&mut self, fids: &[FunctionId], span: Span, is_last: bool) {
        let Some(&fid) = fids.first() else { return };
        if !is_last {
            self.error(
                Code::EntryPointNotLast,
                span,
                "A function labeled with the 'EntryPointAttribute' attribute must be the last declaration in the last file in the compilation sequence.",
            );
        }
        let func = &self.psg.functions[fid.index()];
        let fspan = func.span;
        if func.params.len() != 1 {
            self.error(
                Code::TypeMismatch,
                fspan,
                "The entry point function must take exactly one argument, the command-line arguments (string[])",
            );
            return;
        }
        let expected = Ty::fun(Ty::array(Ty::STRING), Ty::INT);
        let actual = func.ty.clone();
        if self.u.unify(&expected, &actual).is_err() {
            let shown = self.u.display(&actual);
            self.error(
                Code::TypeMismatch,
                fspan,
                format!("The entry point function must have type 'string[] -> int' but here has type '{shown}'"),
            );
        }
        self.psg.functions[fid.index()].is_entry_point = true;
        if self.psg.entry_point.is_some() {
            self.error(
                Code::DuplicateDefinition,
                span,
                "A program can have only one [<EntryPoint>]",
            );
        }
        self.psg.entry_point = Some(fid);
    }

    /// `let f = fun x -> ...` and `let f = function ...` define functions (so they
    /// generalise and may be `rec`), exactly like `let f x = ...`.
    pub(crate) fn lambda_as_function(&mut self, b: &ast::Binding) -> ast::Binding {
        if !b.params.is_empty()
            || b.is_mutable
            || b.return_type.is_some()
            || !matches!(b.head.kind, ast::PatKind::Named(_))
        {
            return b.clone();
        }
        match &b.body.kind {
            ast::ExprKind::Lambda { params, body } => ast::Binding {
                params: params.clone(),
                body: (**body).clone(),
                ..b.clone()
            },
            ast::ExprKind::Function(rules) => {
                let x = self.fresh_ident(b.body.span);
                let scrutinee = ast::Expr {
                    kind: ast::ExprKind::Path(vec![x]),
                    span: x.span,
                };
                ast::Binding {
                    params: vec![ast::Pat {
                        kind: ast::PatKind::Named(x),
                        span: x.span,
                    }],
                    body: ast::Expr {
                        kind: ast::ExprKind::Match {
                            scrutinee: Box::new(scrutinee),
                            rules: rules.clone(),
                        },
                        span: b.body.span,
                    },
                    ..b.clone()
                }
            }
            _ => b.clone(),
        }
    }

    /// `x`, `_`, `(x: t)`, `()`: the name (if any), its span and annotation.
    pub(crate) fn value_pattern_name<'p>(
        &mut self,
        pat: &'p ast::Pat,
    ) -> Option<(Option<ast::Symbol>, Span, Option<&'p ast::TypeExpr>)> {
        match &pat.kind {
            ast::PatKind::Named(id) => Some((Some(id.name), id.span, None)),
            ast::PatKind::Wild => Some((None, pat.span, None)),
            ast::PatKind::Lit(ast::Literal::Unit) => Some((None, pat.span, None)),
            ast::PatKind::Typed { pat: inner, ty } => {
                let (n, s, _) = self.value_pattern_name(inner)?;
                Some((n, s, Some(ty)))
            }
            ast::PatKind::Error => Some((None, pat.span, None)),
            _ => {
                self.unsupported(pat.span, "this pattern in a 'let' binding");
                Some((None, pat.span, None))
            }
        }
    }

    /// A group of function bindings (`let f x = ...` or `let rec f ... and g ...`).
    /// Returns their IDs; the names are defined in the current scope.
    pub(crate) fn check_function_group(
        &mut self,
        is_rec: bool,
        bindings: &[&ast::Binding],
        is_entry_point: bool,
    ) -> Vec<FunctionId> {
        self.check_functions(is_rec, bindings, is_entry_point, true)
    }

    /// A lambda `fun p1 p2 -> body`: an anonymous local function, used as a value.
    pub(crate) fn check_lambda(
        &mut self,
        params: &[ast::Pat],
        body: &ast::Expr,
        span: Span,
    ) -> ExprId {
        let name = self.interner.get_or_intern_static("lambda");
        let binding = ast::Binding {
            attributes: Vec::new(),
            is_private: false,
            is_mutable: false,
            is_inline: false,
            type_params: Vec::new(),
            type_constraints: Vec::new(),
            head: ast::Pat {
                kind: ast::PatKind::Named(ast::Ident { name, span }),
                span,
            },
            params: params.to_vec(),
            return_type: None,
            body: body.clone(),
            span,
        };
        let fids = self.check_functions(false, &[&binding], false, false);
        self.item_expr(Item::Function(fids[0]), span)
    }

    pub(crate) fn check_functions(
        &mut self,
        is_rec: bool,
        bindings: &[&ast::Binding],
        is_entry_point: bool,
        define_names: bool,
    ) -> Vec<FunctionId> {
        self.u.level += 1;
        let mut fids = Vec::new();
        let mut names = Vec::new();
        for b in bindings {
            let (name, span) = match &b.head.kind {
                ast::PatKind::Named(id) => (Some(id.name), id.span),
                _ => {
                    self.error(
                        Code::UnexpectedSyntax,
                        b.head.span,
                        "A function definition needs a name before its parameters",
                    );
                    (None, b.head.span)
                }
            };
            let param_tys: Vec<Ty> = b.params.iter().map(|_| self.u.fresh()).collect();
            let ret = self.u.fresh();
            if is_entry_point && param_tys.len() == 1 {
                // `[<EntryPoint>]` fixes `argv: string[]` and the `int` result up front,
                // so `argv.Length` resolves inside the body.
                let _ = self.u.unify(&param_tys[0], &Ty::array(Ty::STRING));
            }
            let ty = Ty::curried(param_tys, ret.clone());
            let text = name
                .map(|n| self.name(n).to_string())
                .unwrap_or_else(|| "_".into());
            self.psg.functions.push(Function {
                name: text,
                params: Vec::new(),
                ty: ty.clone(),
                return_ty: ret,
                body: ExprId::PENDING_BODY,
                parent: self.current_fn,
                captures: Vec::new(),
                is_entry_point: false,
                span,
            });
            self.fn_schemes.push(Scheme::mono(ty));
            let fid = FunctionId(self.psg.functions.len() as u32 - 1);
            fids.push(fid);
            names.push(name);
        }
        if is_rec && define_names {
            for (name, fid) in names.iter().zip(&fids) {
                if let Some(n) = name {
                    self.define(*n, Item::Function(*fid));
                }
            }
        }
        // A lambda in a typed context gets its parameter types before its body.
        if let (Some(expected), [fid]) = (self.lambda_expected.take(), fids.as_slice()) {
            let ty = self.psg.functions[fid.index()].ty.clone();
            let _ = self.u.try_unify(&ty, &expected);
        }
        // Members are known (for `this.M` and `T.M`) before any member body is checked.
        if let Some(members) = self.members_being_declared.take() {
            for (m, &fid) in members.into_iter().zip(&fids) {
                if m.info.is_static {
                    self.note_operator_member(m.def, m.name, fid);
                }
                self.members.insert(
                    (m.def, m.name),
                    super::MemberInfo {
                        function: fid,
                        ..m.info
                    },
                );
            }
        }
        let defining = self.defining_non_rec.len();
        if !is_rec {
            self.defining_non_rec.extend(names.iter().flatten());
        }
        // Active patterns: their result types, and their cases as results in bodies.
        let mut active_cases: Vec<(ast::Symbol, super::ActiveCase)> = Vec::new();
        if define_names {
            for (name, &fid) in names.iter().zip(&fids) {
                if let Some(n) = name {
                    active_cases.extend(self.declare_active_pattern(*n, fid));
                }
            }
        }
        for (b, &fid) in bindings.iter().zip(&fids) {
            self.check_function_body(b, fid);
        }
        self.defining_non_rec.truncate(defining);
        for (symbol, case) in active_cases {
            self.define(symbol, Item::ActivePattern(case));
        }
        if fids.len() > 1 {
            // Members of a recursive group call each other: each needs what any of
            // them captures (a member checked early cannot see later members' needs).
            let mut all: Vec<BindingId> = Vec::new();
            for &fid in &fids {
                for c in &self.psg.functions[fid.index()].captures {
                    if !all.contains(c) {
                        all.push(*c);
                    }
                }
            }
            for &fid in &fids {
                self.psg.functions[fid.index()].captures = all.clone();
            }
        }
        self.u.level -= 1;
        let inline = bindings.iter().all(|b| b.is_inline);
        for &fid in &fids {
            let ty = self.psg.functions[fid.index()].ty.clone();
            self.fn_schemes[fid.index()] = self.u.generalize_with(&ty, inline);
        }
        if !is_rec && define_names {
            for (name, fid) in names.iter().zip(&fids) {
                if let Some(n) = name {
                    self.define(*n, Item::Function(*fid));
                }
            }
        }
        // A named module-level function fixes its operator types now (F#'s defaulting
        // to `int`); a lambda's are decided by the expression it is in.
        if define_names && self.at_module_level() {
            self.u.default_deeper_than_current();
        }
        fids
    }

    /// `let (|Even|Odd|) n = …`, `let (|Int|_|) s = …`, `let (|Trimmed|) s = …`: fixes
    /// the result type (`Choice<…>` of the `Choice` union with as many cases, an option,
    /// or anything) and, for a multi-case pattern, makes its cases results in its
    /// body. Returns the cases to define as patterns once the body is checked (none
    /// if `name` is not an active pattern's).
    fn declare_active_pattern(
        &mut self,
        name: ast::Symbol,
        fid: FunctionId,
    ) -> Vec<(ast::Symbol, super::ActiveCase)> {
        let text = self.name(name).to_string();
        if !(text.len() > 2 && text.starts_with('|') && text.ends_with('|')) {
            return Vec::new();
        }
        let names = super::completeness::active_case_names(&text);
        // `(|>|)` is an operator, not an active pattern: cases are identifiers.
        if !names.iter().all(|n| {
            n.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        }) {
            return Vec::new();
        }
        let span = self.psg.functions[fid.index()].span;
        let partial = names.last().is_some_and(|n| n == "_");
        let case_names: Vec<&String> = names.iter().filter(|n| *n != "_").collect();
        let arity = {
            let mut n = 0;
            let mut t = self.psg.functions[fid.index()].ty.clone();
            while let Ty::Fun(_, r) = t {
                n += 1;
                t = (*r).clone();
            }
            n
        };
        let cases = case_names.len() as u32;
        let shape_error = if names[..names.len() - usize::from(partial)]
            .iter()
            .any(|n| n == "_")
            || (partial && cases != 1)
        {
            Some(
                "A partial active pattern has exactly one case and ends with '_': '(|Int|_|)'"
                    .to_string(),
            )
        } else if cases > 7 {
            Some(format!(
                "Active patterns cannot return more than 7 possibilities; this one has {cases}"
            ))
        } else {
            None
        };
        if let Some(message) = shape_error {
            self.error(Code::ActivePatternShape, span, message);
            return Vec::new();
        }
        if cases > 1 && arity > 1 {
            // Reported, but its cases stay defined so their uses do not cascade.
            self.error(
                Code::ActivePatternShape,
                span,
                "Only active patterns returning exactly one result may accept arguments; this multi-case active pattern can take only the value to match",
            );
        }
        let ret = self.psg.functions[fid.index()].return_ty.clone();
        if partial {
            let payload = self.u.fresh();
            self.unify_at(span, &ret, &Ty::option(payload));
        } else if cases > 1 {
            let first = self.interner.get_or_intern(format!("Choice1Of{cases}"));
            let Some(Item::UnionCase(def, _)) = self.lookup(first) else {
                self.error(
                    Code::Unsupported,
                    span,
                    format!("multi-case active patterns need the standard library's 'Choice' types ('Choice1Of{cases}' is not defined)"),
                );
                return Vec::new();
            };
            let (_, choice) = self.instantiate_def(def);
            self.unify_at(span, &ret, &choice);
            for (k, case_name) in case_names.iter().enumerate() {
                let symbol = self.interner.get_or_intern(case_name.as_str());
                self.define(symbol, Item::ActiveResult(def, k as u32));
            }
        }
        case_names
            .iter()
            .enumerate()
            .map(|(k, case_name)| {
                let symbol = self.interner.get_or_intern(case_name.as_str());
                (
                    symbol,
                    super::ActiveCase {
                        function: fid,
                        case: k as u32,
                        cases,
                        partial,
                    },
                )
            })
            .collect()
    }

    fn check_function_body(&mut self, b: &ast::Binding, fid: FunctionId) {
        let saved_fn = self.current_fn.replace(fid);
        // `let!` binds in an async's own body, not in the functions made inside it.
        let in_async = std::mem::take(&mut self.async_body_next);
        let saved_async = std::mem::replace(&mut self.in_async, in_async);
        let saved_tvars = std::mem::take(&mut self.type_var_names);
        if !b.type_params.is_empty() {
            // `let f<'a, 'b> ...`: the names are the function's type variables, in
            // the order explicit type arguments `f<int, string>` give them.
            let declared: Vec<Ty> = b
                .type_params
                .iter()
                .map(|tp| {
                    let v = self.u.fresh();
                    self.type_var_names.insert(tp.name, v.clone());
                    v
                })
                .collect();
            self.explicit_type_params.insert(fid, declared);
        }
        self.push_scope();
        let mut param_tys = Vec::new();
        let mut t = self.psg.functions[fid.index()].ty.clone();
        for _ in &b.params {
            match t {
                Ty::Fun(a, r) => {
                    param_tys.push((*a).clone());
                    t = (*r).clone();
                }
                _ => unreachable!("function types are built curried above"),
            }
        }
        let mut params = Vec::new();
        let mut destructure = Vec::new();
        for (p, ty) in b.params.iter().zip(param_tys) {
            if is_simple_pattern(p) {
                let binding = self.bind_param(p, ty, fid);
                params.push(binding);
            } else {
                // `f (a, b) = ...`: a hidden parameter, matched against the pattern.
                let binding = self.add_binding(Binding {
                    name: "_arg".into(),
                    ty: ty.clone(),
                    is_mutable: false,
                    kind: BindingKind::Param,
                    owner: Some(fid),
                    span: p.span,
                    captured_mutable: false,
                });
                params.push(binding);
                let pat = self.check_pattern(p, &ty);
                destructure.push((binding, pat, p.span));
            }
        }
        let ret = self.psg.functions[fid.index()].return_ty.clone();
        if let Some(rt) = &b.return_type {
            let ann = self.resolve_type(rt);
            self.unify_at(rt.span, &ann, &ret);
        }
        // After the parameters, whose annotations name the variables too.
        self.require_type_constraints(b);
        // A function known to return a seq before its body is checked (a lambda whose
        // context wants one, `Seq.collect (fun x -> [x; x])`, F#'s `'Collection :>
        // seq<'U>`; an annotation) may return any collection. A result type that only
        // becomes a seq while the body is checked does not convert, as in F#.
        let returns_seq = matches!(self.u.shallow(&ret), Ty::App(crate::types::TyCon::Seq, _));
        let mut body = self.infer_expr_with(&b.body, Some(ret.clone()));
        if returns_seq {
            body = self.coerce_to_seq(body, &ret);
        }
        self.expect_type(body, &ret);
        for (binding, pat, span) in destructure.into_iter().rev() {
            body = self.destructure(binding, pat, body, span);
        }
        self.pop_scope();
        let f = &mut self.psg.functions[fid.index()];
        f.params = params;
        f.body = body;
        self.type_var_names = saved_tvars;
        self.current_fn = saved_fn;
        self.in_async = saved_async;
    }

    /// `when 'a : equality and 'b : comparison` (after `let f<...>` or in an
    /// annotation): the variable must support it, so a call that gives it a function
    /// is FS0001 there, as in F#.
    fn require_type_constraints(&mut self, b: &ast::Binding) {
        for (var, what) in &b.type_constraints {
            let requirement = match self.name(what.name) {
                "equality" => Requirement::Equality,
                "comparison" => Requirement::Comparison,
                other => {
                    let text = format!("the type constraint '{other}'");
                    self.unsupported(what.span, &text);
                    continue;
                }
            };
            match self.type_var_names.get(&var.name).cloned() {
                Some(ty) => {
                    if let Err(err) = self.u.require(&ty, requirement) {
                        self.report_unify_error(var.span, &ty, &ty, &err);
                    }
                }
                None if b.type_params.is_empty() => {
                    // Named first by a lambda's annotation in the body: the same variable.
                    let v = self.u.fresh();
                    self.u
                        .require(&v, requirement)
                        .expect("a fresh type variable has structure");
                    self.type_var_names.insert(var.name, v);
                }
                None => {
                    let name = self.name(var.name).to_string();
                    self.error(
                        Code::UndefinedName,
                        var.span,
                        format!("The type parameter '{name}' is not defined."),
                    );
                }
            }
        }
    }

    /// `match binding with pat -> body` (one rule): how a pattern in a parameter or
    /// a `let` takes its value apart.
    pub(crate) fn destructure(
        &mut self,
        binding: BindingId,
        pat: PatId,
        body: ExprId,
        span: Span,
    ) -> ExprId {
        let ty = self.psg.bindings[binding.index()].ty.clone();
        let scrutinee = self.add_expr(ExprKind::Local(binding), span, ty);
        let body_ty = self.expr_ty(body);
        self.add_expr(
            ExprKind::Match {
                scrutinee,
                rules: vec![MatchRule {
                    pat,
                    guard: None,
                    body,
                }],
            },
            span,
            body_ty,
        )
    }

    fn bind_param(&mut self, p: &ast::Pat, ty: Ty, fid: FunctionId) -> BindingId {
        let (name, span, annotation) = match self.value_pattern_name(p) {
            Some(x) => x,
            None => (None, p.span, None),
        };
        if let ast::PatKind::Lit(ast::Literal::Unit) = &p.kind {
            self.unify_at(p.span, &Ty::UNIT, &ty);
        }
        if let Some(t) = annotation {
            let ann = self.resolve_type(t);
            self.unify_at(t.span, &ann, &ty);
        }
        let text = name
            .map(|n| self.name(n).to_string())
            .unwrap_or_else(|| "_".into());
        let binding = self.add_binding(Binding {
            name: text,
            ty,
            is_mutable: false,
            kind: BindingKind::Param,
            owner: Some(fid),
            span,
            captured_mutable: false,
        });
        if let Some(n) = name {
            self.define(n, Item::Value(binding));
        }
        binding
    }

    // ---- paths ----------------------------------------------------------------

    /// Resolves `a.b.c`: modules first, then a value, then members of the value.
    /// The companion type of module `m` (or of a module it extends) that has a
    /// member named `member`.
    fn companion_with_member(&self, m: super::ModuleId, member: ast::Symbol) -> Option<u32> {
        let mut current = Some(m);
        while let Some(id) = current {
            if let Some(&def) = self.module_companions.get(&id) {
                if self.members.contains_key(&(def, member)) {
                    return Some(def);
                }
            }
            current = self.modules[id.0 as usize].shadows;
        }
        None
    }

    pub(crate) fn resolve_path(&mut self, path: &[ast::Ident]) -> ExprId {
        let first = path[0];
        // `Shape.Circle`: a type name qualifies a union case.
        let mut value = self.lookup(first.name);
        // `Map.add` after `type Shape = Map | …`: a union case or type hides a
        // module of its name only where the module lacks the member.
        if let (Some(Item::UnionCase(..) | Item::Type(_)), Some(next)) = (value, path.get(1)) {
            if let Some(m) = self.lookup_module(first.name) {
                if self.module_item(m, next.name).is_some() {
                    value = Some(Item::Module(m));
                }
            }
        }
        let as_type = match (&value, path.len()) {
            (None | Some(Item::Module(_) | Item::UnionCase(..)), 2..) => {
                self.lookup_type(first.name).map(Item::Type)
            }
            _ => None,
        };
        let as_type = as_type.filter(|item| {
            // Prefer the module when it has the member (`List.map`), the type when it
            // has the case (`Result.Ok`).
            let Item::Type(d) = item else { return false };
            let name = self.name(path[1].name);
            let has_case = self.psg.types[*d as usize]
                .union_cases()
                .is_some_and(|cs| cs.iter().any(|c| c.name == name))
                || self.enum_case_index(*d, path[1].name).is_some()
                || self.members.contains_key(&(*d, path[1].name));
            let module_has = match value {
                Some(Item::Module(m)) => self.module_item(m, path[1].name).is_some(),
                _ => false,
            };
            // A type no value shadows still names its cases (`Color.Purple` is then
            // "does not define 'Purple'", not "'Color' is not defined").
            has_case && !module_has || value.is_none()
        });
        let mut item = match as_type.or(value) {
            Some(item) => item,
            None => {
                let name = self.name(first.name).to_string();
                let message = if self.defining_non_rec.contains(&first.name) {
                    format!("The value or constructor '{name}' is not defined. A function that calls itself is defined with 'let rec {name} …'.")
                } else {
                    match self.suggest(&name) {
                        Some(s) => format!(
                            "The value or constructor '{name}' is not defined. Did you mean '{s}'?"
                        ),
                        None => format!("The value or constructor '{name}' is not defined."),
                    }
                };
                self.diags
                    .push(Diagnostic::error(Code::UndefinedName, first.span, message));
                let span = path
                    .last()
                    .map(|l| first.span.to(l.span))
                    .unwrap_or(first.span);
                return self.error_expr(span);
            }
        };
        let mut index = 1;
        let mut span = first.span;
        while let Item::Module(m) = item {
            let Some(seg) = path.get(index) else {
                self.error(
                    Code::UndefinedName,
                    span,
                    format!(
                        "'{}' is a module, not a value; use one of its members",
                        self.modules[m.0 as usize].name
                    ),
                );
                return self.error_expr(span);
            };
            if self.module_item(m, seg.name).is_none() {
                if let Some(def) = self.companion_with_member(m, seg.name) {
                    // `Map.empty`: a static member of the module's companion type.
                    item = Item::Type(def);
                    break;
                }
            }
            span = span.to(seg.span);
            match self.module_item(m, seg.name) {
                Some(next) => item = next,
                None if self.is_private_item(m, seg.name) => {
                    let name = self.name(seg.name).to_string();
                    let module = self.modules[m.0 as usize].name.clone();
                    self.diags.push(Diagnostic::error(
                        Code::NotAccessible,
                        seg.span,
                        format!("The value '{name}' is not accessible from this code location: it is 'private' to module '{module}'."),
                    ));
                    return self.error_expr(span);
                }
                None => {
                    let name = self.name(seg.name).to_string();
                    let module = self.modules[m.0 as usize].name.clone();
                    let candidates: Vec<String> = self
                        .module_items(m)
                        .iter()
                        .map(|(k, _)| self.name(*k).to_string())
                        .collect();
                    let message = match best_match(&name, candidates.iter().map(String::as_str)) {
                        Some(s) => format!("The value, constructor, namespace or type '{name}' is not defined in '{module}'. Did you mean '{module}.{s}'?"),
                        None => format!("The value, constructor, namespace or type '{name}' is not defined in '{module}'."),
                    };
                    self.diags
                        .push(Diagnostic::error(Code::UndefinedName, seg.span, message));
                    return self.error_expr(span);
                }
            }
            index += 1;
        }
        // `T.Create`: a static member of a record or union type.
        if let Item::Type(def) = item {
            if let Some(seg) = path.get(index) {
                let seg = *seg;
                if let Some(mut expr) = self.static_member(def, seg, span.to(seg.span)) {
                    for member in &path[index + 1..] {
                        expr = self.member_access(expr, *member);
                    }
                    return expr;
                }
            }
        }
        // `Shape.Circle`: a union case qualified by its type.
        if let Item::Type(def) = item {
            let Some(seg) = path.get(index) else {
                let name = self.psg.types[def as usize].name.clone();
                self.error(
                    Code::UndefinedName,
                    span,
                    format!("'{name}' is a type, not a value"),
                );
                return self.error_expr(span);
            };
            if let Some(case) = self.enum_case_index(def, seg.name) {
                // `Color.Red`: a constant of the enum type.
                let span = span.to(seg.span);
                let mut expr = self.enum_case_expr(def, case, span);
                for member in &path[index + 1..] {
                    expr = self.member_access(expr, *member);
                }
                return expr;
            }
            let case_name = self.name(seg.name).to_string();
            let case = self.psg.types[def as usize]
                .union_cases()
                .and_then(|cs| cs.iter().position(|c| c.name == case_name));
            match case {
                Some(c) => item = Item::UnionCase(def, c as u32),
                None => {
                    let name = self.psg.types[def as usize].name.clone();
                    self.error(
                        Code::UndefinedName,
                        seg.span,
                        format!("The type '{name}' does not define the field, constructor or member '{case_name}'."),
                    );
                    return self.error_expr(span);
                }
            }
            span = span.to(seg.span);
            index += 1;
        }
        let mut expr = self.item_expr(item, span);
        for member in &path[index..] {
            expr = self.member_access(expr, *member);
        }
        expr
    }

    /// The expression for a resolved value-like item.
    pub(crate) fn item_expr(&mut self, item: Item, span: Span) -> ExprId {
        match item {
            Item::Value(b) => {
                self.note_capture(b, span);
                let ty = self.psg.bindings[b.index()].ty.clone();
                self.add_expr(ExprKind::Local(b), span, ty)
            }
            Item::Function(f) => {
                let scheme = self.fn_schemes[f.index()].clone();
                let (ty, _) = self.u.instantiate(&scheme);
                // Calling a local function implies using what it captures.
                let captures = self.psg.functions[f.index()].captures.clone();
                for c in captures {
                    self.note_capture(c, span);
                }
                let function = self.add_expr(ExprKind::Function(f), span, ty);
                if !self.type_functions.contains(&f) {
                    return function;
                }
                let unit = self.add_expr(ExprKind::Const(Const::Unit), span, Ty::UNIT);
                self.apply(function, unit, span)
            }
            Item::Builtin(b) => {
                let ty = b.ty(&mut self.u);
                self.add_expr(ExprKind::Builtin(b), span, ty)
            }
            Item::UnionCase(def, case) => self.union_case_expr(def, case, span),
            Item::ActiveResult(def, case) => {
                // `Even` alone in `(|Even|Odd|)`'s body: the case with a `unit` result.
                let case = self.union_case_expr(def, case, span);
                let unit = self.add_expr(ExprKind::Const(Const::Unit), span, Ty::UNIT);
                self.apply(case, unit, span)
            }
            Item::ActivePattern(active) => {
                let name = self.psg.functions[active.function.index()].name.clone();
                let case = super::completeness::active_case_names(&name)
                    .get(active.case as usize)
                    .cloned()
                    .unwrap_or_default();
                self.error(
                    Code::UndefinedName,
                    span,
                    format!("'{case}' is a case of the active pattern '({name})': it can be used only in patterns"),
                );
                self.error_expr(span)
            }
            Item::Module(_) | Item::Type(_) => self.error_expr(span),
        }
    }

    /// Records that the current function uses a local of an enclosing function.
    fn note_capture(&mut self, b: BindingId, span: Span) {
        let binding = &self.psg.bindings[b.index()];
        if binding.kind == BindingKind::Global || binding.owner == self.current_fn {
            return;
        }
        let owner = binding.owner;
        if binding.is_mutable {
            // Allowed while the closure stays in the frame (checked once the program
            // is known: see `closure_escape`); the variable is then used by address.
            self.psg.bindings[b.index()].captured_mutable = true;
            if let Some(f) = self.current_fn {
                self.mutable_captures.push((b, f, span));
            }
        }
        let mut f = self.current_fn;
        while let Some(fid) = f {
            if Some(fid) == owner {
                break;
            }
            let func = &mut self.psg.functions[fid.index()];
            if !func.captures.contains(&b) {
                func.captures.push(b);
            }
            f = func.parent;
        }
    }

    pub(crate) fn member_access(&mut self, target: ExprId, member: ast::Ident) -> ExprId {
        let ty = self.u.shallow(&self.expr_ty(target));
        let span = self.psg.exprs[target.index()].span.to(member.span);
        let name = self.name(member.name).to_string();
        let is_length = member.name == self.known.length;
        if let Ty::App(crate::types::TyCon::Arena, _) = &ty {
            // `arena.Mark()`, `arena.Release m`, `arena.Alloc()`, `arena.AllocArray n`,
            // `arena.Dispose()` (and the seeds' lower-case spellings).
            let method = match name.as_str() {
                "Mark" | "mark" => Some(Builtin::ArenaMarkMethod),
                "Release" | "release" => Some(Builtin::ArenaRelease),
                "Alloc" | "alloc" => Some(Builtin::ArenaAllocMethod),
                "AllocArray" | "allocArray" => Some(Builtin::ArenaAllocArray),
                "Dispose" => Some(Builtin::ArenaDisposeMethod),
                _ => None,
            };
            if let Some(b) = method {
                let fty = b.ty(&mut self.u);
                let f = self.add_expr(ExprKind::Builtin(b), span, fty);
                return self.apply(f, target, span);
            }
        }
        if let (Ty::App(crate::types::TyCon::User(def), _), "HasFlag") = (&ty, name.as_str()) {
            if self.psg.types[*def as usize].enum_def().is_some() {
                let b = Builtin::EnumHasFlag;
                let fty = b.ty(&mut self.u);
                let f = self.add_expr(ExprKind::Builtin(b), span, fty);
                return self.apply(f, target, span);
            }
        }
        if let Ty::App(crate::types::TyCon::User(def), args) = &ty {
            if let Some(e) = self.record_field_access(target, *def, args, member, span) {
                return e;
            }
            if let Some(e) = self.instance_member(target, *def, member, span) {
                return e;
            }
        }
        if let (Ty::App(crate::types::TyCon::Ref, args), "Value" | "contents") =
            (&ty, self.name(member.name))
        {
            let elem = args[0].clone();
            return self.add_expr(ExprKind::RefGet(target), span, elem);
        }
        if let Ty::App(crate::types::TyCon::Option, _) = &ty {
            // `opt.IsSome`, `opt.IsNone`, `opt.Value`: the `Option` module's functions.
            use super::lang::LangItem;
            let function = match self.name(member.name) {
                "IsSome" => Some(LangItem::OptionIsSome),
                "IsNone" => Some(LangItem::OptionIsNone),
                "Value" => Some(LangItem::OptionGet),
                _ => None,
            };
            if let Some(function) = function {
                let f = self.lang_path(function, member.span);
                let f = self.infer_expr(&f);
                return self.apply(f, target, span);
            }
        }
        if let Ty::App(crate::types::TyCon::List, _) = &ty {
            // `xs.Head`, `xs.Tail`, `xs.IsEmpty`: the `List` module's functions.
            use super::lang::LangItem;
            let function = match self.name(member.name) {
                "Head" => Some(LangItem::ListHead),
                "Tail" => Some(LangItem::ListTail),
                "IsEmpty" => Some(LangItem::ListIsEmpty),
                _ => None,
            };
            if let Some(function) = function {
                let f = self.lang_path(function, member.span);
                let f = self.infer_expr(&f);
                return self.apply(f, target, span);
            }
        }
        // `fun p -> p.Name`: F# infers the record type from the field label.
        if let Ty::Var(_) = ty {
            if let Some(&(def, _)) = self.record_fields.get(&member.name).and_then(|d| d.last()) {
                let (args, record_ty) = self.instantiate_def(def);
                self.expect_type(target, &record_ty);
                if let Some(e) = self.record_field_access(target, def, &args, member, span) {
                    return e;
                }
            }
        }
        match (&ty, is_length) {
            (Ty::Error, _) => self.error_expr(span),
            (Ty::Prim(Prim::String), true) => self.add_expr(
                ExprKind::Member {
                    target,
                    member: Member::StringLength,
                },
                span,
                Ty::INT,
            ),
            (Ty::App(crate::types::TyCon::Array, _), true) => self.add_expr(
                ExprKind::Member {
                    target,
                    member: Member::ArrayLength,
                },
                span,
                Ty::INT,
            ),
            (Ty::App(crate::types::TyCon::List, _), true) => {
                // `xs.Length` is `List.length xs`.
                let f = self.lang_path(super::lang::LangItem::ListLength, span);
                let f = self.infer_expr(&f);
                self.apply(f, target, span)
            }
            (Ty::Var(_), _) => {
                self.error(
                    Code::IndeterminateLookup,
                    span,
                    "Lookup on object of indeterminate type based on information prior to this program point. A type annotation may be needed prior to this program point to constrain the type of the object.",
                );
                self.error_expr(span)
            }
            _ => {
                let shown = self.u.display(&ty);
                self.error(
                    Code::UndefinedName,
                    member.span,
                    format!("The type '{shown}' does not define the field, constructor or member '{name}'."),
                );
                self.error_expr(span)
            }
        }
    }

    fn suggest(&self, name: &str) -> Option<String> {
        let mut names: Vec<&str> = Vec::new();
        for scope in &self.scopes {
            for k in scope.keys() {
                let text = self.interner.resolve(k);
                // Type-namespace keys and desugaring temporaries are not suggestions.
                if !text.starts_with('\u{1}') && !text.starts_with("__x") {
                    names.push(text);
                }
            }
        }
        best_match(name, names.into_iter()).map(str::to_string)
    }

    // ---- types ----------------------------------------------------------------

    /// `m/s^2`, `'u`: a unit of measure.
    pub(crate) fn resolve_measure_expr(&mut self, m: &ast::MeasureExpr) -> crate::types::Measure {
        use crate::types::{Measure, MeasureAtom};
        match m {
            ast::MeasureExpr::Named(id) => match self.measures.get(&id.name) {
                Some(m) => m.clone(),
                None => {
                    let name = self.name(id.name).to_string();
                    self.error(
                        Code::UndefinedName,
                        id.span,
                        format!("The unit of measure '{name}' is not defined."),
                    );
                    Measure::one()
                }
            },
            ast::MeasureExpr::Var(id) => {
                let v = match self.type_var_names.get(&id.name) {
                    Some(Ty::Var(v)) => *v,
                    _ => {
                        let fresh = self.u.fresh();
                        self.type_var_names.insert(id.name, fresh.clone());
                        match fresh {
                            Ty::Var(v) => v,
                            _ => unreachable!("fresh gives a variable"),
                        }
                    }
                };
                Measure::atom(MeasureAtom::Var(v))
            }
            ast::MeasureExpr::Power(b, n) => self.resolve_measure_expr(b).pow(*n),
            ast::MeasureExpr::Product(a, b) => {
                let a = self.resolve_measure_expr(a);
                a.mul(&self.resolve_measure_expr(b))
            }
            ast::MeasureExpr::Quotient(a, b) => {
                let a = self.resolve_measure_expr(a);
                a.mul(&self.resolve_measure_expr(b).inv())
            }
            ast::MeasureExpr::One => Measure::one(),
        }
    }

    pub(crate) fn resolve_type(&mut self, t: &ast::TypeExpr) -> Ty {
        match &t.kind {
            ast::TypeExprKind::Named { path, args } => {
                let arg_tys: Vec<Ty> = args.iter().map(|a| self.resolve_type(a)).collect();
                if let [single] = path.as_slice() {
                    if let Some(def) = self.lookup_type(single.name) {
                        let expected = self.psg.types[def as usize].params.len();
                        if expected != arg_tys.len() {
                            let name = self.psg.types[def as usize].name.clone();
                            self.error(
                                Code::TypeMismatch,
                                t.span,
                                format!("The type '{name}' expects {expected} type argument(s) but is given {}", arg_tys.len()),
                            );
                            return Ty::Error;
                        }
                        return Ty::app(crate::types::TyCon::User(def), arg_tys);
                    }
                    if let Some(ty) = self.abbreviations.get(&single.name) {
                        return ty.clone();
                    }
                }
                let known = match path.as_slice() {
                    [single] => self.known.types.get(&single.name).copied(),
                    _ => None,
                };
                let name = || {
                    path.iter()
                        .map(|i| self.name(i.name).to_string())
                        .collect::<Vec<_>>()
                        .join(".")
                };
                match (known, arg_tys.len()) {
                    (Some(KnownType::Prim(p)), 0) => Ty::Prim(p),
                    // `float<'u>`: a number type with a unit variable.
                    (Some(KnownType::Prim(p)), 1)
                        if p.is_numeric() && matches!(args[0].kind, ast::TypeExprKind::Var(_)) =>
                    {
                        match &arg_tys[0] {
                            Ty::Var(v) => crate::types::measured(
                                Ty::Prim(p),
                                crate::types::Measure::atom(crate::types::MeasureAtom::Var(*v)),
                            ),
                            _ => Ty::Prim(p),
                        }
                    }
                    (Some(KnownType::Prim(p)), _) => {
                        let message =
                            format!("The type '{}' does not expect any type arguments", name());
                        self.error(Code::TypeMismatch, t.span, message);
                        Ty::Prim(p)
                    }
                    (Some(KnownType::Con(crate::types::TyCon::Arena)), 0) => Ty::arena(),
                    (Some(KnownType::Con(c)), 1) if c != crate::types::TyCon::Arena => {
                        Ty::app(c, arg_tys)
                    }
                    (Some(KnownType::Con(crate::types::TyCon::Arena)), n) => {
                        let message = format!(
                            "The type 'Arena' does not expect any type arguments (given {n})"
                        );
                        self.error(Code::TypeMismatch, t.span, message);
                        Ty::Error
                    }
                    (Some(KnownType::Con(_)), n) => {
                        let message = format!(
                            "The type '{}' expects 1 type argument but is given {n}",
                            name()
                        );
                        self.error(Code::TypeMismatch, t.span, message);
                        Ty::Error
                    }
                    (Some(KnownType::NotYet), _) => {
                        let what = format!("the type '{}'", name());
                        self.unsupported(t.span, &what);
                        Ty::Error
                    }
                    (None, _) => {
                        let message = format!("The type '{}' is not defined.", name());
                        self.error(Code::UndefinedName, t.span, message);
                        Ty::Error
                    }
                }
            }
            ast::TypeExprKind::Var(id) => {
                if let Some(t) = self.type_var_names.get(&id.name) {
                    return t.clone();
                }
                let v = self.u.fresh();
                self.type_var_names.insert(id.name, v.clone());
                v
            }
            ast::TypeExprKind::Fun(a, b) => {
                let a = self.resolve_type(a);
                let b = self.resolve_type(b);
                Ty::fun(a, b)
            }
            ast::TypeExprKind::Tuple(ts) => {
                let tys = ts.iter().map(|t| self.resolve_type(t)).collect();
                Ty::Tuple(tys)
            }
            ast::TypeExprKind::Array(e) => {
                let e = self.resolve_type(e);
                Ty::array(e)
            }
            // Units of measure are erased: `float<m>` is `float` (not yet checked).
            ast::TypeExprKind::Measure { base, measure } => {
                let b = self.resolve_type(base);
                let m = self.resolve_measure_expr(measure);
                crate::types::measured(b, m)
            }
            ast::TypeExprKind::Error => Ty::Error,
        }
    }
}

/// The closest name by edit distance (at most a third of the name's length).
pub(crate) fn best_match<'n>(
    name: &str,
    candidates: impl Iterator<Item = &'n str>,
) -> Option<&'n str> {
    // Short names need a close match: `fact` is one edit from `fatc` (a swap) but
    // two from `fst`, which is no suggestion.
    let len = name.chars().count();
    let limit = if len <= 4 { 1 } else { (len / 3).max(2) };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let d = strsim::damerau_levenshtein(name, c);
        if d <= limit && best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Patterns a parameter or `let` binds directly (no match needed).
pub(crate) fn is_simple_pattern(p: &ast::Pat) -> bool {
    match &p.kind {
        ast::PatKind::Named(_)
        | ast::PatKind::Wild
        | ast::PatKind::Lit(ast::Literal::Unit)
        | ast::PatKind::Error => true,
        ast::PatKind::Typed { pat, .. } => is_simple_pattern(pat),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_match_finds_close_names() {
        let names = ["printfn", "printf", "prime", "List"];
        assert_eq!(
            best_match("pritnfn", names.iter().copied()),
            Some("printfn")
        );
        assert_eq!(best_match("zzz", names.iter().copied()), None);
        let names = ["fst", "fatc", "snd"];
        assert_eq!(best_match("fact", names.iter().copied()), Some("fatc"));
        assert_eq!(best_match("fact", ["fst", "snd"].into_iter()), None);
    }
}
