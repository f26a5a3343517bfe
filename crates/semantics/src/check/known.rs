//! Names the checker recognises, interned once so that resolution compares symbols,
//! never strings (STYLE 5).

use crate::psg::FormatKind;
use crate::types::{Prim, TyCon};
use composer_syntax::ast::{Interner, Symbol};
use rustc_hash::FxHashMap;

/// What a type name means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KnownType {
    Prim(Prim),
    Con(TyCon),
    /// A type F# programmers use that Composer does not support yet.
    NotYet,
}

pub(crate) struct Known {
    pub entry_point: Symbol,
    pub length: Symbol,
    pub format_functions: FxHashMap<Symbol, FormatKind>,
    pub types: FxHashMap<Symbol, KnownType>,
}

impl Known {
    pub(crate) fn new(interner: &mut Interner) -> Known {
        let mut format_functions = FxHashMap::default();
        for (name, kind) in [
            ("printf", FormatKind::Printf),
            ("printfn", FormatKind::Printfn),
            ("eprintf", FormatKind::Eprintf),
            ("eprintfn", FormatKind::Eprintfn),
            ("sprintf", FormatKind::Sprintf),
            ("failwithf", FormatKind::Failwithf),
        ] {
            format_functions.insert(interner.get_or_intern_static(name), kind);
        }
        let mut types = FxHashMap::default();
        let prims = [
            ("int", Prim::Int),
            ("int8", Prim::Int8),
            ("sbyte", Prim::Int8),
            ("int16", Prim::Int16),
            ("int32", Prim::Int32),
            ("int64", Prim::Int64),
            ("nativeint", Prim::NativeInt),
            ("uint", Prim::UInt),
            ("uint8", Prim::UInt8),
            ("byte", Prim::UInt8),
            ("uint16", Prim::UInt16),
            ("uint32", Prim::UInt32),
            ("uint64", Prim::UInt64),
            ("unativeint", Prim::UNativeInt),
            ("float", Prim::Float),
            ("double", Prim::Float),
            ("float32", Prim::Float32),
            ("single", Prim::Float32),
            ("bool", Prim::Bool),
            ("char", Prim::Char),
            ("string", Prim::String),
            ("unit", Prim::Unit),
        ];
        for (name, p) in prims {
            types.insert(interner.get_or_intern_static(name), KnownType::Prim(p));
        }
        types.insert(
            interner.get_or_intern_static("option"),
            KnownType::Con(TyCon::Option),
        );
        types.insert(
            interner.get_or_intern_static("array"),
            KnownType::Con(TyCon::Array),
        );
        for name in ["Map", "Set", "voption", "Result", "ref"] {
            types.insert(interner.get_or_intern_static(name), KnownType::NotYet);
        }
        types.insert(
            interner.get_or_intern_static("seq"),
            KnownType::Con(TyCon::Seq),
        );
        types.insert(
            interner.get_or_intern_static("Async"),
            KnownType::Con(TyCon::Async),
        );
        // A hot `task { }` is an async that waits for a started task.
        types.insert(
            interner.get_or_intern_static("Task"),
            KnownType::Con(TyCon::Async),
        );
        types.insert(
            interner.get_or_intern_static("Arena"),
            KnownType::Con(TyCon::Arena),
        );
        types.insert(
            interner.get_or_intern_static("list"),
            KnownType::Con(TyCon::List),
        );
        types.insert(
            interner.get_or_intern_static("ref"),
            KnownType::Con(TyCon::Ref),
        );
        Known {
            entry_point: interner.get_or_intern_static("EntryPoint"),
            length: interner.get_or_intern_static("Length"),
            format_functions,
            types,
        }
    }
}
