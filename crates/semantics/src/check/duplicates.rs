//! FS0037, "Duplicate definition of ...": a name that F# allows once per scope, written
//! twice. Syntactic, before the declarations are checked:
//!
//! * in one module (a file, or a nested `module X =`): two values or functions (`let`,
//!   also the names of a destructuring `let (a, b) = ...`), two types (records, unions,
//!   abbreviations, units of measure; `type T with` only adds members), two modules.
//!   F# rejects these in compiled files and scripts alike; shadowing is only for local
//!   `let`s. A type and a module may share a name (F# gives the module a suffix);
//! * in one union: two cases of the same name, and two named fields of one case;
//! * in one record: two fields of the same name.
//!
//! The first definition stays in force; the second is reported where it is named.

use super::Checker;
use composer_diagnostics::Code;
use composer_syntax::ast::{self, Symbol};
use rustc_hash::FxHashSet;

impl Checker<'_> {
    /// Reports the duplicates of one module's declarations (not those of the modules
    /// nested in it: each is checked when its declarations are).
    pub(crate) fn check_duplicate_definitions(&mut self, decls: &[ast::Decl]) {
        let mut values = FxHashSet::default();
        let mut types = FxHashSet::default();
        let mut modules = FxHashSet::default();
        for decl in decls {
            match &decl.kind {
                ast::DeclKind::Let { bindings, .. } => {
                    for b in bindings {
                        let mut names = Vec::new();
                        pattern_names(&b.head, &mut names);
                        // A name twice in one pattern is F#'s FS0038, not a second
                        // definition.
                        let mut in_pattern = FxHashSet::default();
                        names.retain(|n| in_pattern.insert(n.name));
                        for name in names {
                            self.note_definition(&mut values, name, "value");
                        }
                    }
                }
                ast::DeclKind::Types(defs) => {
                    for d in defs {
                        if !matches!(d.kind, ast::TypeDefnKind::Augmentation) {
                            self.note_definition(&mut types, d.name, "type, exception or module");
                        }
                        self.check_duplicate_parts(d);
                    }
                }
                ast::DeclKind::Module { name, .. } => {
                    self.note_definition(&mut modules, *name, "type, exception or module");
                }
                ast::DeclKind::Do(_) | ast::DeclKind::Open(_) | ast::DeclKind::Error => {}
            }
        }
    }

    /// Union cases, the named fields of each case, record fields.
    fn check_duplicate_parts(&mut self, def: &ast::TypeDefn) {
        match &def.kind {
            ast::TypeDefnKind::Union(cases) => {
                let mut case_names = FxHashSet::default();
                for case in cases {
                    self.note_definition(&mut case_names, case.name, "union case");
                    let mut field_names = FxHashSet::default();
                    for name in case.fields.iter().filter_map(|(name, _)| *name) {
                        self.note_definition(&mut field_names, name, "field");
                    }
                }
            }
            ast::TypeDefnKind::Enum(cases) => {
                // F# compiles enum cases to fields of the enum type.
                let mut case_names = FxHashSet::default();
                for case in cases {
                    self.note_definition(&mut case_names, case.name, "field");
                }
            }
            ast::TypeDefnKind::Record(fields) => {
                let mut field_names = FxHashSet::default();
                for field in fields {
                    self.note_definition(&mut field_names, field.name, "field");
                }
            }
            _ => {}
        }
    }

    /// Records `name` in `seen`, or reports it when it is there already.
    fn note_definition(&mut self, seen: &mut FxHashSet<Symbol>, name: ast::Ident, kind: &str) {
        if !seen.insert(name.name) {
            let text = self.name(name.name).to_string();
            self.error(
                Code::DuplicateDefinition,
                name.span,
                format!("Duplicate definition of {kind} '{text}'"),
            );
        }
    }
}

/// The names a module-level `let` pattern binds (its head: a function's or a value's
/// name, or the variables of a destructuring pattern).
fn pattern_names(pat: &ast::Pat, out: &mut Vec<ast::Ident>) {
    match &pat.kind {
        ast::PatKind::Named(id) => out.push(*id),
        ast::PatKind::Tuple(items) | ast::PatKind::List(items) | ast::PatKind::Array(items) => {
            items.iter().for_each(|p| pattern_names(p, out))
        }
        ast::PatKind::Typed { pat, .. } => pattern_names(pat, out),
        ast::PatKind::As { pat, name } => {
            pattern_names(pat, out);
            out.push(*name);
        }
        ast::PatKind::Cons { head, tail } => {
            pattern_names(head, out);
            pattern_names(tail, out);
        }
        ast::PatKind::Ctor { arg, .. } => pattern_names(arg, out),
        // `DivisibleBy 3 x`: the arguments are expressions, the last one may bind.
        ast::PatKind::CtorArgs { args, .. } => {
            if let Some(last) = args.last() {
                pattern_names(last, out)
            }
        }
        ast::PatKind::Record(fields) => fields.iter().for_each(|(_, p)| pattern_names(p, out)),
        ast::PatKind::NamedFields(fields) => fields.iter().for_each(|(_, p)| pattern_names(p, out)),
        // Both sides of an or-pattern bind the same names.
        ast::PatKind::Or(left, _) => pattern_names(left, out),
        ast::PatKind::Wild
        | ast::PatKind::Lit(_)
        | ast::PatKind::Path(_)
        | ast::PatKind::NegLit(_)
        | ast::PatKind::Error => {}
    }
}
