//! The compilation order of a project that does not list its sources (`[build]
//! sources`): a file comes after the files whose names it uses, as `dotnet` users
//! expect a build to find out by itself. F# needs an order (a file sees only what
//! the files before it define); the project file states it when this cannot.
//!
//! What a file defines: its header modules (`module App.Util`: `App`, `Util`), and its
//! top-level functions, values, types, union cases and modules. What it uses: every
//! identifier token in it. A file depends on another when it uses a name the other
//! defines and it does not define itself. Files that do not depend on each other
//! keep their name order. A cycle is FS9002 with a hint to list `sources`.

use composer_diagnostics::{Code, Diagnostic, FileId, SourceMap};
use composer_syntax::ast::{DeclKind, FileHeader, PatKind, SourceFile, TypeDefnKind};
use composer_syntax::{Interner, TokenKind};
use std::collections::BTreeSet;

/// `files` (in name order) in an order where each comes after those it uses.
pub fn dependency_order(sources: &SourceMap, files: &[FileId]) -> Result<Vec<FileId>, Diagnostic> {
    if files.len() < 2 {
        return Ok(files.to_vec());
    }
    let mut interner = Interner::new();
    let defined: Vec<BTreeSet<String>> = files
        .iter()
        .map(|&f| {
            let (ast, _) = composer_syntax::parse_file(f, sources.text(f), &mut interner);
            defined_names(&ast, &interner)
        })
        .collect();
    let used: Vec<BTreeSet<String>> = files
        .iter()
        .map(|&f| {
            composer_syntax::lex(f, sources.text(f))
                .0
                .into_iter()
                .filter_map(|t| match t.kind {
                    TokenKind::Ident(name) => Some(name),
                    _ => None,
                })
                .collect()
        })
        .collect();
    // needs[i]: the files i uses.
    let needs: Vec<Vec<usize>> = (0..files.len())
        .map(|i| {
            (0..files.len())
                .filter(|&j| {
                    j != i
                        && used[i]
                            .iter()
                            .any(|n| defined[j].contains(n) && !defined[i].contains(n))
                })
                .collect()
        })
        .collect();
    let mut placed = vec![false; files.len()];
    let mut order = Vec::with_capacity(files.len());
    while order.len() < files.len() {
        // The first file (by name) whose dependencies are all placed.
        let next = (0..files.len()).find(|&i| !placed[i] && needs[i].iter().all(|&j| placed[j]));
        match next {
            Some(i) => {
                placed[i] = true;
                order.push(files[i]);
            }
            None => {
                let stuck: Vec<&str> = (0..files.len())
                    .filter(|&i| !placed[i])
                    .map(|i| sources.name(files[i]))
                    .collect();
                return Err(Diagnostic::global(
                    Code::ProjectError,
                    format!(
                        "cannot find a compilation order for {}: they use each other's names; \
                         list the files in `[build] sources = [...]` in the project file, \
                         each after the files it uses",
                        stuck.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(order)
}

/// The names a file makes visible to the files after it.
fn defined_names(ast: &SourceFile, interner: &Interner) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    match &ast.header {
        FileHeader::None => {}
        FileHeader::Module(path) | FileHeader::Namespace(path) => {
            // `module Shapes.Geometry`: used as `Shapes.Geometry.x`, or `Geometry.x`
            // after `open Shapes`.
            for seg in path {
                names.insert(interner.resolve(&seg.name).to_string());
            }
        }
    }
    for decl in &ast.decls {
        match &decl.kind {
            DeclKind::Let { bindings, .. } => {
                for b in bindings {
                    pattern_names(&b.head.kind, interner, &mut names);
                }
            }
            DeclKind::Module { name, .. } => {
                names.insert(interner.resolve(&name.name).to_string());
            }
            DeclKind::Types(types) => {
                for t in types {
                    names.insert(interner.resolve(&t.name.name).to_string());
                    if let TypeDefnKind::Union(cases) = &t.kind {
                        for c in cases {
                            names.insert(interner.resolve(&c.name.name).to_string());
                        }
                    }
                }
            }
            DeclKind::Do(_) | DeclKind::Open(_) | DeclKind::Error => {}
        }
    }
    names
}

fn pattern_names(p: &PatKind, interner: &Interner, names: &mut BTreeSet<String>) {
    match p {
        PatKind::Named(id) => {
            names.insert(interner.resolve(&id.name).to_string());
        }
        PatKind::Tuple(items) => {
            for item in items {
                pattern_names(&item.kind, interner, names);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(files: &[(&str, &str)]) -> Result<Vec<String>, String> {
        let mut sources = SourceMap::new();
        let ids: Vec<FileId> = files.iter().map(|(n, t)| sources.add(*n, *t)).collect();
        dependency_order(&sources, &ids)
            .map(|o| o.iter().map(|f| sources.name(*f).to_string()).collect())
            .map_err(|d| d.message)
    }

    #[test]
    fn a_file_comes_after_the_files_it_uses() {
        let got = order(&[
            (
                "src/Main.clef",
                "printfn \"%s\" (Util.greet (shout \"x\"))\n",
            ),
            ("src/Shout.clef", "let shout (s: string) = s + \"!\"\n"),
            ("src/Util.clef", "module Util\nlet greet s = \"hi \" + s\n"),
        ]);
        assert_eq!(
            got,
            Ok(vec![
                "src/Shout.clef".to_string(),
                "src/Util.clef".to_string(),
                "src/Main.clef".to_string()
            ])
        );
    }

    #[test]
    fn independent_files_keep_name_order_and_own_names_are_not_uses() {
        let got = order(&[
            (
                "a.clef",
                "let helper x = x + 1\nprintfn \"%d\" (helper 1)\n",
            ),
            (
                "b.clef",
                "let helper x = x * 2\nprintfn \"%d\" (helper 2)\n",
            ),
        ]);
        assert_eq!(got, Ok(vec!["a.clef".to_string(), "b.clef".to_string()]));
    }

    #[test]
    fn a_cycle_asks_for_sources() {
        let got = order(&[("a.clef", "let f x = g x\n"), ("b.clef", "let g x = f x\n")]);
        let message = got.expect_err("a cycle");
        assert!(message.contains("a.clef, b.clef"), "{message}");
        assert!(message.contains("[build] sources"), "{message}");
    }
}
