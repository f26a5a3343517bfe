//! Lang items: the standard library's functions that the checker's desugarings
//! call (`seq { }` is `Seq.__make …`, `a @ b` is `List.append a b`, `s.[i]` is
//! `StringMembers.Chars_int s i`, a fused pipeline ends in `Seq.sum …`).
//!
//! This table is the one place where the compiler names library code. Each item
//! is resolved once, right after the library is checked, and bound in the global
//! scope under a key no program can write (`"\u{1}lang Seq.__run"`), so a desugaring
//! reaches the library's function even where a program declares its own `Seq`
//! module or an `ignore` value. `every_lang_item_is_in_the_library` (driver tests)
//! checks that every item exists.

use super::{Checker, Item};
use composer_diagnostics::Span;
use composer_syntax::ast::{Expr, ExprKind, Ident};
use composer_syntax::Symbol;

/// Library modules whose members the checker chooses by name at each use (string
/// methods: `s.Trim()` is `StringMembers.Trim s`), bound like the items.
pub(crate) const LANG_MODULES: &[&str] = &["StringMembers"];

macro_rules! lang_items {
    ($($variant:ident = $module:literal . $name:literal,)*) => {
        /// A library function a desugaring calls.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub(crate) enum LangItem {
            $($variant,)*
        }

        impl LangItem {
            pub(crate) const ALL: &'static [LangItem] = &[$(LangItem::$variant,)*];

            /// The module (`""`: the global scope) and the name the library gives it.
            pub(crate) fn path(self) -> (&'static str, &'static str) {
                match self {
                    $(LangItem::$variant => ($module, $name),)*
                }
            }
        }
    };
}

lang_items! {
    Ignore = "" . "ignore",
    Failwith = "" . "failwith",
    GenericZero = "LanguagePrimitives" . "GenericZero",
    GenericOne = "LanguagePrimitives" . "GenericOne",
    SeqMake = "Seq" . "__make",
    SeqRun = "Seq" . "__run",
    SeqRunList = "Seq" . "__runList",
    SeqRunArray = "Seq" . "__runArray",
    SeqRunString = "Seq" . "__runString",
    SeqOfList = "Seq" . "ofList",
    SeqOfArray = "Seq" . "ofArray",
    SeqOfString = "Seq" . "__ofString",
    // What a library collection type is where a seq is expected (`seq_view`).
    MapKeyValues = "Map" . "__keyValues",
    SetToSeq = "Set" . "toSeq",
    SeqMap = "Seq" . "map",
    // What `%A` lists of a library collection (`Psg::collection_displays`).
    MapToList = "Map" . "toList",
    SetToList = "Set" . "toList",
    ListOfSeq = "List" . "ofSeq",
    ArrayOfSeq = "Array" . "ofSeq",
    ListAppend = "List" . "append",
    ListLength = "List" . "length",
    ListHead = "List" . "head",
    ListTail = "List" . "tail",
    ListIsEmpty = "List" . "isEmpty",
    ListItem = "List" . "item",
    OptionIsSome = "Option" . "isSome",
    OptionIsNone = "Option" . "isNone",
    OptionGet = "Option" . "get",
    SliceString = "Slice" . "string",
    SliceArray = "Slice" . "array",
    StringChars = "StringMembers" . "Chars_int",
    LazyCreate = "Lazy" . "__create",
    // The consumers a fused pipeline ends in (`check/fusion.rs`).
    SeqSum = "Seq" . "sum",
    SeqLength = "Seq" . "length",
    SeqSumBy = "Seq" . "sumBy",
    SeqIter = "Seq" . "iter",
    SeqIteri = "Seq" . "iteri",
    SeqExists = "Seq" . "exists",
    SeqForall = "Seq" . "forall",
    SeqContains = "Seq" . "contains",
    SeqFold = "Seq" . "fold",
}

impl LangItem {
    /// The `Seq` consumer a fused pipeline ending in `M.name` calls.
    pub(crate) fn seq_consumer(name: &str) -> Option<LangItem> {
        LangItem::ALL
            .iter()
            .copied()
            .find(|i| i.path() == ("Seq", name) && i.is_consumer())
    }

    fn is_consumer(self) -> bool {
        use LangItem::*;
        matches!(
            self,
            SeqSum
                | SeqLength
                | SeqSumBy
                | SeqIter
                | SeqIteri
                | SeqExists
                | SeqForall
                | SeqContains
                | SeqFold
        )
    }

    /// `List.ofSeq` or `Array.ofSeq`.
    pub(crate) fn of_seq(module: &str) -> LangItem {
        if module == "List" {
            LangItem::ListOfSeq
        } else {
            LangItem::ArrayOfSeq
        }
    }

    pub(crate) fn key(self) -> String {
        let (module, name) = self.path();
        format!("\u{1}lang {module}.{name}")
    }
}

fn module_key(module: &str) -> String {
    format!("\u{1}lang {module}")
}

impl Checker<'_> {
    /// Binds every lang item and lang module the library defines (after checking
    /// the library). A library that lacks one is a compiler bug (FS9999, reported
    /// once per build); without a library at all (the unit tests of this crate)
    /// nothing is bound, and a desugaring names the item as a program would
    /// (`Seq.__run`), which reports it undefined where it is needed.
    pub(crate) fn bind_lang_items(&mut self, have_library: bool) {
        let mut missing = Vec::new();
        for &item in LangItem::ALL {
            let (module, name) = item.path();
            let found = if module.is_empty() {
                self.interner.get(name).and_then(|n| self.lookup(n))
            } else {
                self.library_module(module).and_then(|m| {
                    let n = self.interner.get(name)?;
                    self.modules[m.0 as usize].items.get(&n).copied()
                })
            };
            match found {
                Some(found) => {
                    let key = self.interner.get_or_intern(item.key());
                    self.scopes[0].insert(key, found);
                }
                None => missing.push(format!("{module}.{name}")),
            }
        }
        self.record_collection_displays();
        for module in LANG_MODULES {
            match self.library_module(module) {
                Some(m) => {
                    let key = self.interner.get_or_intern(module_key(module));
                    self.scopes[0].insert(key, Item::Module(m));
                }
                None => missing.push(format!("module {module}")),
            }
        }
        if have_library && !missing.is_empty() {
            self.diags.push(composer_diagnostics::Diagnostic::error(
                composer_diagnostics::Code::InternalError,
                Span::default(),
                format!(
                    "the standard library lacks what the compiler's desugarings call (check/lang.rs): {}",
                    missing.join(", ")
                ),
            ));
        }
    }

    /// Fills `Psg::collection_displays`: `%A` writes a map as `map [...]` and a set as
    /// `set [...]`, with the elements their `toList` gives. The type is the one the
    /// function takes.
    fn record_collection_displays(&mut self) {
        for (item, word) in [(LangItem::MapToList, "map"), (LangItem::SetToList, "set")] {
            let Some(key) = self.interner.get(item.key()) else {
                continue;
            };
            let Some(Item::Function(f)) = self.scopes[0].get(&key).copied() else {
                continue;
            };
            if let crate::types::Ty::Fun(param, _) = &self.fn_schemes[f.index()].ty {
                if let crate::types::Ty::App(crate::types::TyCon::User(def), _) =
                    self.u.shallow(param)
                {
                    self.psg.collection_displays.insert(def, (word, f));
                }
            }
        }
    }

    fn library_module(&self, module: &str) -> Option<super::ModuleId> {
        match self.lookup(self.interner.get(module)?)? {
            Item::Module(m) => Some(m),
            _ => None,
        }
    }

    /// Whether the library defined `item` (`bind_lang_items`).
    pub(crate) fn has_lang_item(&self, item: LangItem) -> bool {
        self.interner
            .get(item.key())
            .is_some_and(|k| self.scopes[0].contains_key(&k))
    }

    /// An expression naming the library's `item`.
    pub(crate) fn lang_path(&mut self, item: LangItem, span: Span) -> Expr {
        let names: Vec<Symbol> = if self.has_lang_item(item) {
            vec![self.interner.get_or_intern(item.key())]
        } else {
            let (module, name) = item.path();
            [module, name]
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| self.interner.get_or_intern(s))
                .collect()
        };
        let idents = names.into_iter().map(|name| Ident { name, span }).collect();
        Expr {
            kind: ExprKind::Path(idents),
            span,
        }
    }

    /// The library module `module` (one of [`LANG_MODULES`]) whatever the program
    /// declares, with the symbol that names it in paths.
    pub(crate) fn lang_module(&mut self, module: &str) -> Option<(Symbol, super::ModuleId)> {
        debug_assert!(
            LANG_MODULES.contains(&module),
            "{module} is not a lang module"
        );
        let key = self.interner.get(module_key(module))?;
        match self.scopes[0].get(&key)? {
            Item::Module(m) => Some((key, *m)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    /// A library without the lang items is reported (FS9999) with what it lacks,
    /// so a renamed library function cannot silently break a desugaring.
    #[test]
    fn a_library_without_lang_items_is_reported() {
        let mut interner = composer_syntax::Interner::new();
        let mut sources = composer_diagnostics::SourceMap::new();
        let lib = "module Seq\nlet __run s k = k s\n";
        let lib_file = sources.add("Seq.clef", lib);
        let (lib_ast, d) = composer_syntax::parse_file(lib_file, lib, &mut interner);
        assert!(d.is_empty(), "{d:?}");
        let main = "printfn \"%d\" 1\n";
        let main_file = sources.add("main.clef", main);
        let (main_ast, d) = composer_syntax::parse_file(main_file, main, &mut interner);
        assert!(d.is_empty(), "{d:?}");
        let (_, diags) = crate::check_program_with_prelude(&[lib_ast], &[main_ast], &mut interner);
        let lacks: Vec<_> = diags
            .iter()
            .filter(|d| d.code == composer_diagnostics::Code::InternalError)
            .collect();
        assert_eq!(lacks.len(), 1, "{diags:?}");
        let message = &lacks[0].message;
        assert!(message.contains("Seq.ofList"), "{message}");
        assert!(!message.contains("Seq.__run,"), "{message}");
        assert!(message.contains("module StringMembers"), "{message}");
    }
}
