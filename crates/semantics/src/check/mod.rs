//! CCS: name resolution and type inference over the AST, building the PSG.
//!
//! One walk over each declaration resolves names through a scope stack, infers types
//! with the level-based Hindley–Milner unifier of [`crate::types`], and allocates PSG
//! nodes. Errors never stop the walk: an erroneous expression becomes an `Error`
//! node of type `Ty::Error`, which unifies with everything.

mod app;
mod arena_safety;
mod asyncs;
mod closure_escape;
mod completeness;
mod control;
mod duplicates;
mod enums;
mod expr;
mod fusion;
mod known;
mod lang;
mod names;
mod pattern;
mod requirements;
mod seq;
mod struct_assign;
mod typedefs;

use crate::analysis::Analysis;
use crate::builtins::Builtin;
use crate::psg::*;
use crate::types::{Scheme, Ty, Unifier, UnifyError};
use crate::{CheckOptions, MemoryModel};
use composer_diagnostics::{Code, Diagnostic, Span};
use composer_syntax::ast::{self, Interner, Symbol};
use rustc_hash::FxHashMap;

/// What a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    Value(BindingId),
    Function(FunctionId),
    Builtin(Builtin),
    Module(ModuleId),
    /// A record or union type (index into `psg.types`).
    Type(u32),
    /// A union case: (type, case index).
    UnionCase(u32, u32),
    /// A case of an active pattern (`Even` of `(|Even|Odd|)`), usable in patterns.
    ActivePattern(ActiveCase),
    /// Inside the body of a multi-case active pattern, one of its cases as a result
    /// (`Even`, `Positive n`): the case `case` of the `Choice` union `def`.
    ActiveResult(u32, u32),
}

/// A case of an active pattern: its function, which case, of how many, and whether
/// it is partial (`(|Int|_|)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ActiveCase {
    pub function: FunctionId,
    pub case: u32,
    pub cases: u32,
    pub partial: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ModuleId(u32);

#[derive(Debug, Default)]
pub(crate) struct ModuleScope {
    pub name: String,
    pub items: FxHashMap<Symbol, Item>,
    /// The module of the same name this one hides (`module String = …` over the
    /// library's `String`): names it lacks are looked up there, as F# searches every
    /// module of a name ([`Checker::module_item`]).
    pub shadows: Option<ModuleId>,
    /// Its `let private` names: visible inside the module only, so they are not in
    /// `items` (which `open` and `M.x` read); kept here for FS1092.
    pub private: FxHashMap<Symbol, Item>,
}

pub(crate) struct Checker<'a> {
    pub interner: &'a mut Interner,
    pub u: Unifier,
    pub psg: Psg,
    pub diags: Vec<Diagnostic>,
    pub scopes: Vec<FxHashMap<Symbol, Item>>,
    pub modules: Vec<ModuleScope>,
    /// Modules whose declarations are being checked, with the scope depth at which
    /// their items are defined (items defined at that depth are added to the module).
    pub module_stack: Vec<(ModuleId, usize)>,
    pub current_fn: Option<FunctionId>,
    /// Generalised type of every function (index = FunctionId).
    pub fn_schemes: Vec<Scheme>,
    /// Named type variables (`'a`) of the binding being checked.
    pub type_var_names: FxHashMap<Symbol, Ty>,
    /// The declared type parameters of `let f<'a, 'b> ...`, in order.
    pub explicit_type_params: FxHashMap<FunctionId, Vec<Ty>>,
    /// Module-level values with type parameters (`let empty<'T> : 'T list = []`),
    /// F#'s type functions: each is checked as a function of `()`, and each use
    /// calls it, so that every use has its own instance of the type parameters.
    pub type_functions: rustc_hash::FxHashSet<FunctionId>,
    pub known: known::Known,
    /// Set while checking a module-level destructuring `let (a, b) = ...`.
    pub patterns_bind_globals: bool,
    /// Counter for [`Checker::fresh_ident`].
    pub fresh_names: u32,
    /// While checking the right side of an or-pattern: the left side's bindings
    /// not yet matched by name.
    pub or_pattern_bindings: Option<Vec<(String, BindingId)>>,
    /// Record field labels: every (record type, field index) that has the label.
    pub record_fields: FxHashMap<Symbol, Vec<(u32, u32)>>,
    /// `type Id = int`
    pub abbreviations: FxHashMap<Symbol, Ty>,
    /// `[<Measure>] type m`: units of measure (erased; see `resolve_type`), each
    /// name with what it stands for: a base unit, or the expansion of an
    /// abbreviation (`[<Measure>] type N = kg m/s^2`), so `float<N>` is
    /// `float<kg m/s^2>`.
    pub measures: FxHashMap<Symbol, crate::types::Measure>,
    /// Members of records and unions: (type, name) → the member's function.
    pub members: FxHashMap<(u32, Symbol), MemberInfo>,
    /// Each `let mutable` a closure uses: (variable, the closure, first use).
    pub mutable_captures: Vec<(BindingId, FunctionId, Span)>,
    /// How many functions the standard library defines (their IDs come first):
    /// fusion only rewrites calls of the library's own `List`/`Array`/`Seq`.
    pub library_functions: usize,
    /// The type a lambda about to be checked is expected to have.
    pub lambda_expected: Option<Ty>,
    /// The body being checked is an `async { }`'s: `let!` and friends bind there.
    pub in_async: bool,
    /// The next function body checked is an `async { }`'s (set by `infer_async`).
    pub async_body_next: bool,
    /// The `return`s of the async body being checked that end it (`asyncs.rs`).
    pub tail_returns: Vec<Span>,
    /// The names of the functions a non-recursive `let` is defining while their
    /// bodies are checked: a use of one is FS0039 with a hint to write `let rec`.
    pub defining_non_rec: Vec<Symbol>,
    /// Set just before a group of member functions is declared (see `typedefs`).
    pub members_being_declared: Option<Vec<PendingMember>>,
    /// Modules hidden by a union case or type of the same name defined after them
    /// (`type Shape = Map | …`): in a dotted path the module still wins, as in F#,
    /// where only a value hides a module (`resolve_path`).
    pub hidden_modules: FxHashMap<Symbol, ModuleId>,
    /// The type a module was declared next to (`type Map<…>` then `module Map`): its
    /// static members (`Map.empty`) are reached through the module's name even where
    /// a later type of that name hides the type's own name.
    pub module_companions: FxHashMap<ModuleId, u32>,
}

/// A member of a record or union: a function whose first parameter is the value
/// (instance members) or a function of the type (static members).
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemberInfo {
    pub function: FunctionId,
    pub is_static: bool,
    /// `member this.P = e` / `static member P = e`: read without arguments.
    pub is_property: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct PendingMember {
    pub def: u32,
    pub name: Symbol,
    pub info: MemberInfo,
}

/// Resolves and type-checks a program (files in compilation order).
pub fn check_program(files: &[ast::SourceFile], interner: &mut Interner) -> (Psg, Vec<Diagnostic>) {
    check_program_with_prelude(&[], files, interner)
}

/// Like [`check_program`], after the standard library's files (`lib/`). The
/// prelude's `Core` module is opened for every program (as FSharp.Core's are).
pub fn check_program_with_prelude(
    prelude: &[ast::SourceFile],
    files: &[ast::SourceFile],
    interner: &mut Interner,
) -> (Psg, Vec<Diagnostic>) {
    check_program_for(CheckOptions::default(), prelude, files, interner)
}

/// Like [`check_program_with_prelude`], for a target (the width of `int` follows its
/// word) and a memory model (`stack_only` adds FS8004); the PSG records both for the
/// stages after it.
pub fn check_program_for(
    options: CheckOptions,
    prelude: &[ast::SourceFile],
    files: &[ast::SourceFile],
    interner: &mut Interner,
) -> (Psg, Vec<Diagnostic>) {
    let mut checker = Checker::new(interner, options);
    let core = checker.interner.get_or_intern_static("Core");
    for file in prelude {
        let module = checker.check_file(file, false);
        if let (Some(m), ast::FileHeader::Module(path)) = (module, &file.header) {
            if path.len() == 1 && path[0].name == core {
                checker.open_module_id(m);
            }
        }
    }
    checker.bind_lang_items(!prelude.is_empty());
    checker.library_functions = checker.psg.functions.len();
    checker.psg.library_functions = checker.psg.functions.len();
    checker.psg.library_top_level = checker.psg.top_level.len();
    let total = files.len();
    for (i, file) in files.iter().enumerate() {
        checker.check_file(file, i + 1 == total);
    }
    checker.finish()
}

impl<'a> Checker<'a> {
    fn new(interner: &'a mut Interner, options: CheckOptions) -> Self {
        let known = known::Known::new(interner);
        let mut checker = Checker {
            interner,
            u: Unifier::new(),
            psg: Psg {
                target: options.target,
                memory_model: options.memory_model,
                ..Psg::default()
            },
            diags: Vec::new(),
            scopes: vec![FxHashMap::default()],
            modules: Vec::new(),
            module_stack: Vec::new(),
            current_fn: None,
            fn_schemes: Vec::new(),
            type_var_names: FxHashMap::default(),
            explicit_type_params: FxHashMap::default(),
            type_functions: Default::default(),
            known,
            patterns_bind_globals: false,
            fresh_names: 0,
            or_pattern_bindings: None,
            record_fields: FxHashMap::default(),
            abbreviations: FxHashMap::default(),
            measures: Default::default(),
            members: FxHashMap::default(),
            members_being_declared: None,
            hidden_modules: FxHashMap::default(),
            module_companions: FxHashMap::default(),
            lambda_expected: None,
            in_async: false,
            async_body_next: false,
            tail_returns: Vec::new(),
            defining_non_rec: Vec::new(),
            mutable_captures: Vec::new(),
            library_functions: 0,
        };
        checker.install_builtins();
        checker
    }

    fn install_builtins(&mut self) {
        for (name, b) in Builtin::global_names() {
            let sym = self.interner.get_or_intern_static(name);
            self.scopes[0].insert(sym, Item::Builtin(b));
        }
        for (module, members) in Builtin::module_members() {
            let id = self.new_module(module);
            for (name, b) in members {
                let sym = self.interner.get_or_intern_static(name);
                self.modules[id.0 as usize]
                    .items
                    .insert(sym, Item::Builtin(b));
            }
            let sym = self.interner.get_or_intern_static(module);
            self.scopes[0].insert(sym, Item::Module(id));
        }
    }

    pub(crate) fn new_module(&mut self, name: &str) -> ModuleId {
        self.modules.push(ModuleScope {
            name: name.to_string(),
            items: FxHashMap::default(),
            shadows: None,
            private: FxHashMap::default(),
        });
        ModuleId(self.modules.len() as u32 - 1)
    }

    fn finish(mut self) -> (Psg, Vec<Diagnostic>) {
        self.u.apply_defaults();
        self.check_operator_member_shapes();
        if !self.diags.iter().any(Diagnostic::is_error) {
            self.check_match_completeness();
        }
        // One resolver for every table: the substitution is final, and its memo keeps
        // the types the tables share shared.
        let mut resolver = self.u.resolver();
        let psg = &mut self.psg;
        for t in psg.expr_types.iter_mut() {
            *t = resolver.resolve(t);
        }
        for t in psg.pat_types.iter_mut() {
            *t = resolver.resolve(t);
        }
        for b in psg.bindings.iter_mut() {
            b.ty = resolver.resolve(&b.ty);
        }
        for f in psg.functions.iter_mut() {
            f.ty = resolver.resolve(&f.ty);
            f.return_ty = resolver.resolve(&f.return_ty);
        }
        drop(resolver);
        if !self.diags.iter().any(Diagnostic::is_error) {
            self.analyse_memory();
        }
        let mut diags = self.diags;
        composer_diagnostics::sort_and_dedup_diagnostics(&mut diags);
        (self.psg, diags)
    }

    /// The analysis layer (`analysis/`), built once per build, and the decisions
    /// it answers: stack closures, FS8003 for closures and arenas, region
    /// inference, bounds checks, then FS8004 under `stack_only`.
    fn analyse_memory(&mut self) {
        let analysis = Analysis::new(&self.psg);
        let mut diags = closure_escape::mutable_capture_errors(&analysis, &self.mutable_captures);
        diags.extend(arena_safety::arena_safety(&analysis));
        let regions = diags
            .is_empty()
            .then(|| crate::analysis::regions::analyse(&analysis));
        let self_tail_calls = analysis.self_tail_calls();
        let closures = analysis.into_closures();
        self.psg.closure_sites = closures.sites;
        self.psg.stack_closures = closures.stack;
        let (stepping_closures, stepping_calls) = crate::analysis::alloc::stepping(&self.psg);
        self.psg.stepping_closures = stepping_closures;
        self.psg.stepping_calls = stepping_calls;
        self.psg.self_tail_calls = self_tail_calls;
        let failed = !diags.is_empty();
        self.diags.extend(diags);
        if failed {
            return;
        }
        crate::bounds::analyse(&mut self.psg);
        if let Some(r) = regions {
            self.psg.loop_regions = r.loop_regions;
            self.psg.tail_regions = r.tail_regions;
            self.psg.loop_compactions = r.loop_compactions;
            self.psg.tail_compactions = r.tail_compactions;
            self.psg.arena_scopes = r.arena_scopes;
            self.psg.region_notes = r.notes;
        }
        if self.psg.memory_model == MemoryModel::StackOnly {
            self.diags
                .extend(crate::analysis::stack_only::violations(&self.psg));
        }
    }

    // ---- small helpers --------------------------------------------------------

    pub(crate) fn name(&self, sym: Symbol) -> &str {
        self.interner.resolve(&sym)
    }

    pub(crate) fn error(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(code, span, message));
    }

    pub(crate) fn unsupported(&mut self, span: Span, what: &str) {
        self.error(
            Code::Unsupported,
            span,
            format!("{what} is not supported by Composer yet"),
        );
    }

    /// A name no program can write (desugaring introduces these).
    pub(crate) fn fresh_ident(&mut self, span: Span) -> ast::Ident {
        self.fresh_names += 1;
        let name = self
            .interner
            .get_or_intern(format!("__x{}", self.fresh_names));
        ast::Ident { name, span }
    }

    pub(crate) fn add_expr(&mut self, kind: ExprKind, span: Span, ty: Ty) -> ExprId {
        self.psg.exprs.push(Expr { kind, span });
        self.psg.expr_types.push(ty);
        ExprId(self.psg.exprs.len() as u32 - 1)
    }

    pub(crate) fn error_expr(&mut self, span: Span) -> ExprId {
        self.add_expr(ExprKind::Error, span, Ty::Error)
    }

    pub(crate) fn add_binding(&mut self, binding: Binding) -> BindingId {
        self.psg.bindings.push(binding);
        BindingId(self.psg.bindings.len() as u32 - 1)
    }

    /// A new immutable local of the function being checked (not yet in scope).
    pub(crate) fn local_binding(
        &mut self,
        name: impl Into<String>,
        ty: Ty,
        span: Span,
    ) -> BindingId {
        self.add_binding(Binding {
            name: name.into(),
            ty,
            is_mutable: false,
            kind: BindingKind::Local,
            owner: self.current_fn,
            span,
            captured_mutable: false,
        })
    }

    pub(crate) fn expr_ty(&self, id: ExprId) -> Ty {
        self.psg.expr_types[id.index()].clone()
    }

    /// Unifies the type of `expr` with `expected`, reporting a mismatch at `expr`;
    /// answers whether they unified.
    pub(crate) fn expect_type(&mut self, expr: ExprId, expected: &Ty) -> bool {
        let actual = self.expr_ty(expr);
        let span = self.psg.exprs[expr.index()].span;
        self.unify_at(span, expected, &actual)
    }

    /// Unifies `expected` with `actual`; reports a mismatch at `span`.
    pub(crate) fn unify_at(&mut self, span: Span, expected: &Ty, actual: &Ty) -> bool {
        match self.u.unify(expected, actual) {
            Ok(()) => true,
            Err(err) => {
                self.report_unify_error(span, expected, actual, &err);
                false
            }
        }
    }

    /// Reports a failed unification at `span`: FS0001, or FS9001 for a requirement
    /// F# meets and Composer does not yet (`=` on arrays).
    pub(crate) fn report_unify_error(
        &mut self,
        span: Span,
        expected: &Ty,
        actual: &Ty,
        err: &UnifyError,
    ) {
        let code = match err {
            UnifyError::Requirement(_, bad) if !self.lacks_structure_in_fsharp(bad) => {
                Code::Unsupported
            }
            _ => Code::TypeMismatch,
        };
        let message = self.mismatch_message(expected, actual, err);
        self.error(code, span, message);
    }

    /// Whether F# too refuses equality and comparison on `bad` (a function, or a
    /// record or union holding one); arrays and seqs have them in F#.
    fn lacks_structure_in_fsharp(&self, bad: &Ty) -> bool {
        match self.u.shallow(bad) {
            Ty::Fun(..) => true,
            Ty::App(crate::types::TyCon::User(d), _) => self.unstructured_because_of_function(d),
            _ => false,
        }
    }

    pub(crate) fn mismatch_message(&self, expected: &Ty, actual: &Ty, err: &UnifyError) -> String {
        match err {
            UnifyError::Constraint(c, p) => format!(
                "The type '{}' does not match the constraint: expected {}",
                p.name(),
                c.describe()
            ),
            UnifyError::ConstraintOn(c, t) => format!(
                "The type '{}' does not match the constraint: expected {}",
                self.u.display(t),
                c.describe()
            ),
            UnifyError::Requirement(r, bad) => {
                let shown = match self.u.shallow(bad) {
                    Ty::Fun(..) => format!("({})", self.u.display(bad)),
                    _ => self.u.display(bad),
                };
                let name = r.name();
                match self.u.shallow(bad) {
                    Ty::Fun(..) => match r {
                        crate::types::Requirement::Equality => format!("The type '{shown}' does not support the 'equality' constraint because it is a function type"),
                        crate::types::Requirement::Comparison => format!("The type '{shown}' does not support the 'comparison' constraint because it is a function type"),
                    },
                    Ty::App(crate::types::TyCon::User(_), _) if self.lacks_structure_in_fsharp(bad) => format!(
                        "The type '{shown}' does not support the '{name}' constraint because it is a record or union with a field whose type does not support it (a function)"
                    ),
                    _ => format!(
                        "'{name}' on values of type '{shown}' is not supported by Composer yet (F# compares arrays element by element); compare their elements, e.g. with 'Array.forall2' or 'List.ofArray'"
                    ),
                }
            }
            UnifyError::Occurs => {
                let [e, a] = self.displayed_pair(expected, actual);
                format!("Type mismatch: the types '{e}' and '{a}' cannot be unified because the result would be infinite")
            }
            UnifyError::Mismatch => {
                let [e, a] = self.displayed_pair(expected, actual);
                format!("This expression was expected to have type '{e}' but here has type '{a}'")
            }
        }
    }

    /// Two types of one message, their type variables named alike.
    fn displayed_pair(&self, a: &Ty, b: &Ty) -> [String; 2] {
        let mut both = self.u.display_all(&[a, b]);
        let second = both.pop().unwrap_or_default();
        [both.pop().unwrap_or_default(), second]
    }

    pub(crate) fn push_scope(&mut self) {
        self.scopes.push(FxHashMap::default());
    }

    pub(crate) fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// Adds a name to the innermost scope (and, at module level, to the module).
    pub(crate) fn define(&mut self, sym: Symbol, item: Item) {
        match (item, self.lookup(sym)) {
            (Item::Module(_), _) => {
                self.hidden_modules.remove(&sym);
            }
            (Item::UnionCase(..) | Item::Type(_), Some(Item::Module(m))) => {
                self.hidden_modules.insert(sym, m);
            }
            _ => {}
        }
        if let Some(&(m, depth)) = self.module_stack.last() {
            if self.scopes.len() == depth {
                self.modules[m.0 as usize].items.insert(sym, item);
            }
        }
        self.scopes
            .last_mut()
            .expect("there is always a global scope")
            .insert(sym, item);
    }

    // ---- declarations ---------------------------------------------------------

    /// Checks one file. A file with a `module`/`namespace` header defines its names
    /// in that module (reached qualified or through `open`), not globally.
    fn check_file(&mut self, file: &ast::SourceFile, is_last_file: bool) -> Option<ModuleId> {
        let module = match &file.header {
            ast::FileHeader::Module(path) | ast::FileHeader::Namespace(path)
                if !path.is_empty() =>
            {
                Some(self.file_module_chain(path))
            }
            // `module` without a name is the parser's error (FS0010): no module.
            _ => None,
        };
        if let Some(chain) = &module {
            // The file's own names, and those of the namespaces around it (`module
            // A.B` sees `A`'s modules), are visible in the file; its definitions
            // are recorded in the module.
            self.push_scope();
            for m in chain {
                for (k, v) in self.module_items(*m) {
                    self.scopes.last_mut().expect("just pushed").insert(k, v);
                }
            }
            let own = *chain.last().expect("a header names a module");
            self.module_stack.push((own, self.scopes.len()));
        }
        self.check_duplicate_definitions(&file.decls);
        let count = file.decls.len();
        for (i, decl) in file.decls.iter().enumerate() {
            self.check_decl(decl, is_last_file && i + 1 == count);
        }
        if module.is_some() {
            self.module_stack.pop();
            self.scopes.truncate(1);
        }
        module.and_then(|chain| chain.last().copied())
    }

    /// The modules a file header `module A.B.C` names, outermost first, made where
    /// missing: `A` is bound globally, `B` inside `A`, `C` inside `B` (so `A.B.C.x`,
    /// `open A.B.C` and, after `open A`, `B.C.x` resolve as in F#). A module of the
    /// same name that exists already (the built-in `String`, or `A` from another
    /// file) is extended.
    fn file_module_chain(&mut self, path: &[ast::Ident]) -> Vec<ModuleId> {
        let mut chain: Vec<ModuleId> = Vec::new();
        for (i, seg) in path.iter().enumerate() {
            let existing = match chain.last() {
                None => match self.scopes[0].get(&seg.name) {
                    Some(Item::Module(m)) => Some(*m),
                    _ => None,
                },
                Some(parent) => match self.modules[parent.0 as usize].items.get(&seg.name) {
                    Some(Item::Module(m)) => Some(*m),
                    _ => None,
                },
            };
            let id = existing.unwrap_or_else(|| {
                let name = path[..=i]
                    .iter()
                    .map(|p| self.name(p.name).to_string())
                    .collect::<Vec<_>>()
                    .join(".");
                let id = self.new_module(&name);
                match chain.last() {
                    None => {
                        self.scopes[0].insert(seg.name, Item::Module(id));
                    }
                    Some(parent) => {
                        self.modules[parent.0 as usize]
                            .items
                            .insert(seg.name, Item::Module(id));
                    }
                }
                id
            });
            chain.push(id);
        }
        chain
    }

    /// `open M` at the outermost scope.
    pub(crate) fn open_module_id(&mut self, m: ModuleId) {
        for (k, v) in self.module_items(m) {
            self.scopes[0].insert(k, v);
        }
    }

    fn check_decl(&mut self, decl: &ast::Decl, is_last: bool) {
        match &decl.kind {
            ast::DeclKind::Let { is_rec, bindings } => {
                let entry = decl
                    .attributes
                    .iter()
                    .chain(bindings.iter().flat_map(|b| b.attributes.iter()))
                    .find(|a| {
                        a.name
                            .last()
                            .is_some_and(|n| n.name == self.known.entry_point)
                    })
                    .map(|a| a.span);
                self.check_module_let(*is_rec, bindings, entry, is_last);
                self.hide_private_bindings(bindings);
            }
            ast::DeclKind::Do(e) => {
                let id = self.infer_expr(e);
                self.warn_if_not_unit(id);
                self.u.default_deeper_than_current();
                self.psg.top_level.push(TopItem::Do(id));
            }
            ast::DeclKind::Module { name, decls } => {
                let full = self.name(name.name).to_string();
                // A module of a name already in scope extends it (`module String =`
                // keeps `String.concat`): its names are looked up after the new ones.
                let shadows = self.lookup_module(name.name);
                let id = self.new_module(&full);
                self.modules[id.0 as usize].shadows = shadows;
                if let Some(companion) = self.lookup_type(name.name) {
                    self.module_companions.insert(id, companion);
                }
                self.define(name.name, Item::Module(id));
                // Items of a nested module are reached through the module (or `open`).
                let saved_scope_len = self.scopes.len();
                self.push_scope();
                self.module_stack.push((id, self.scopes.len()));
                self.check_duplicate_definitions(decls);
                let count = decls.len();
                for (i, d) in decls.iter().enumerate() {
                    self.check_decl(d, is_last && i + 1 == count);
                }
                self.module_stack.pop();
                self.scopes.truncate(saved_scope_len);
            }
            ast::DeclKind::Open(path) => self.open_module(path),
            ast::DeclKind::Types(defs) => self.check_type_group(defs),
            ast::DeclKind::Error => {}
        }
    }

    fn open_module(&mut self, path: &[ast::Ident]) {
        let Some(first) = path.first() else { return };
        let span = path
            .last()
            .map(|l| first.span.to(l.span))
            .unwrap_or(first.span);
        let text = path
            .iter()
            .map(|i| self.name(i.name).to_string())
            .collect::<Vec<_>>()
            .join(".");
        let found = self.lookup_module_path(path);
        // .NET namespaces that F# programs habitually open carry nothing for Clef,
        // unless the library defines them (lib/System.clef: `Math`, `Int32`, …).
        if found.is_none()
            && matches!(
                text.as_str(),
                "System" | "System.IO" | "Microsoft.FSharp.Core" | "FSharp.Core"
            )
        {
            return;
        }
        match found {
            Some(id) => {
                for (k, v) in self.module_items(id) {
                    self.scopes
                        .last_mut()
                        .expect("there is always a global scope")
                        .insert(k, v);
                }
            }
            None => self.error(
                Code::UndefinedName,
                span,
                format!("The namespace or module '{text}' is not defined."),
            ),
        }
    }

    fn lookup_module_path(&self, path: &[ast::Ident]) -> Option<ModuleId> {
        let mut current = self.lookup_module(path[0].name)?;
        for seg in &path[1..] {
            current = match self.module_item(current, seg.name)? {
                Item::Module(m) => m,
                _ => return None,
            };
        }
        Some(current)
    }

    /// Takes the module's `let private` names out of what other code sees of it: the
    /// module's own code keeps them through its scope.
    fn hide_private_bindings(&mut self, bindings: &[ast::Binding]) {
        let Some(&(m, depth)) = self.module_stack.last() else {
            return;
        };
        if self.scopes.len() != depth {
            return;
        }
        for b in bindings.iter().filter(|b| b.is_private) {
            let name = match &b.head.kind {
                ast::PatKind::Named(n) => Some(n.name),
                _ => self.value_pattern_name(&b.head).and_then(|(n, _, _)| n),
            };
            if let Some(name) = name {
                let module = &mut self.modules[m.0 as usize];
                if let Some(item) = module.items.remove(&name) {
                    module.private.insert(name, item);
                }
            }
        }
    }

    /// Whether `sym` is a `let private` name of module `m` (or of one it extends).
    pub(crate) fn is_private_item(&self, m: ModuleId, sym: Symbol) -> bool {
        let mut current = Some(m);
        while let Some(id) = current {
            if self.modules[id.0 as usize].private.contains_key(&sym) {
                return true;
            }
            current = self.modules[id.0 as usize].shadows;
        }
        false
    }

    /// The module a name refers to at the head of a dotted path: the module in
    /// scope, or one a later union case or type of the same name hid. A value hides
    /// a module (F#'s rule), so `let List = 5` makes `List.map` an error.
    pub(crate) fn lookup_module(&self, sym: Symbol) -> Option<ModuleId> {
        match self.lookup(sym)? {
            Item::Module(m) => Some(m),
            Item::UnionCase(..) | Item::Type(_) => self.hidden_modules.get(&sym).copied(),
            _ => None,
        }
    }

    /// A name of module `m`, or of the modules of the same name it shadows.
    pub(crate) fn module_item(&self, m: ModuleId, sym: Symbol) -> Option<Item> {
        let mut current = Some(m);
        while let Some(id) = current {
            let scope = &self.modules[id.0 as usize];
            if let Some(item) = scope.items.get(&sym) {
                return Some(*item);
            }
            current = scope.shadows;
        }
        None
    }

    /// Every name `module_item` finds in `m`: those of shadowed modules first, so
    /// that inserting them in order leaves the newest definition of each name.
    pub(crate) fn module_items(&self, m: ModuleId) -> Vec<(Symbol, Item)> {
        let mut chain = vec![m];
        while let Some(older) = self.modules[chain[chain.len() - 1].0 as usize].shadows {
            chain.push(older);
        }
        chain
            .iter()
            .rev()
            .flat_map(|id| {
                self.modules[id.0 as usize]
                    .items
                    .iter()
                    .map(|(k, v)| (*k, *v))
            })
            .collect()
    }

    /// Types live in their own namespace (a type and a module may share a name, like
    /// `Result`): their scope keys are the name behind a prefix no program can write.
    pub(crate) fn type_key(&mut self, name: Symbol) -> Symbol {
        let text = format!("\u{1}type {}", self.name(name));
        self.interner.get_or_intern(text)
    }

    /// The type definition a name refers to, if any.
    pub(crate) fn lookup_type(&self, name: Symbol) -> Option<u32> {
        let key = self
            .interner
            .get(format!("\u{1}type {}", self.name(name)))?;
        match self.lookup(key)? {
            Item::Type(d) => Some(d),
            _ => None,
        }
    }

    /// True while checking module-level declarations (not inside any expression).
    pub(crate) fn at_module_level(&self) -> bool {
        match self.module_stack.last() {
            Some(&(_, depth)) => self.scopes.len() == depth,
            None => self.scopes.len() == 1,
        }
    }

    pub(crate) fn lookup(&self, sym: Symbol) -> Option<Item> {
        self.scopes.iter().rev().find_map(|s| s.get(&sym).copied())
    }

    pub(crate) fn warn_if_not_unit(&mut self, id: ExprId) {
        let ty = self.u.shallow(&self.expr_ty(id));
        match ty {
            Ty::Var(_) => {
                // Unknown yet: F# would infer unit here.
                let _ = self.u.unify(&ty, &Ty::UNIT);
            }
            Ty::Prim(crate::types::Prim::Unit) | Ty::Error => {}
            other => {
                let span = self.psg.exprs[id.index()].span;
                let shown = self.u.display(&other);
                self.diags.push(Diagnostic::warning(
                    Code::ImplicitlyIgnored,
                    span,
                    format!(
                        "The result of this expression has type '{shown}' and is implicitly ignored. Consider using 'ignore' to discard this value explicitly, e.g. 'expr |> ignore', or 'let' to bind the result to a name, e.g. 'let result = expr'."
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::types::{tree_size, tree_size_memo};

    /// `p >> p >> ... >> p` with `let p x = (x, x)`: the type has 2^40 leaves written
    /// out. Checking it finishes only because types are shared (a tree walk would not);
    /// the unifier's own test (`types::tests`) bounds the work deterministically.
    #[test]
    fn a_long_composition_chain_checks_with_shared_types() {
        let steps = 40;
        let src = format!("let p x = (x, x)\nlet a = p{}\n", " >> p".repeat(steps - 1));
        let psg = crate::test_support::check(&src);
        let a = psg
            .bindings
            .iter()
            .find(|b| b.name == "a")
            .expect("a is bound");
        assert_eq!(tree_size(&a.ty, 1 << 40), None);
        let mut nodes = rustc_hash::FxHashMap::default();
        tree_size_memo(&a.ty, &mut nodes);
        assert!(nodes.len() <= 2 * steps, "{} distinct nodes", nodes.len());
    }
}
