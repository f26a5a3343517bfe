//! Which `Abi` class of the compiler's table a Rust type in the runtime belongs to.
//! The rules, for 64-bit targets (the only ones):
//!
//! | class | parameter | result |
//! | --- | --- | --- |
//! | `I8` | `ByteArg` (a transparent `u32`: generated code passes an `i8` without zero-extension, so a Rust `u8`, `i8` or `bool` parameter would read garbage upper bits) | `u8`, `i8`, `bool` |
//! | `I32` | `i32`, `u32` | `i32`, `u32` |
//! | `I64` | `i64`, `u64`, `isize`, `usize` | the same |
//! | `F32`, `F64` | `f32`, `f64` | the same |
//! | `Ptr` | `*const T`, `*mut T`, a transparent struct of one pointer (`Global<*mut T>`) | the same |
//! | `Str` | two parameters: a `Ptr` and an `I64` | a `#[repr(C)]` struct of a pointer and an `I64` field (`Str`) |
//!
//! A `char` is of no class: generated code may pass any 32-bit value, and a Rust
//! `char` outside the Unicode scalars is undefined behaviour, so the runtime takes
//! `u32`.

use composer_lower::mir::Abi;
use syn::{Fields, GenericArgument, ItemStruct, PathArguments, Type};

use crate::source::RuntimeSource;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Abi(Abi),
    /// `!`: the function never returns.
    Never,
}

/// The class of a parameter's type, or why it has none.
pub fn param_class(ty: &Type, source: &RuntimeSource) -> Result<Class, String> {
    match scalar(ty) {
        Some("u8" | "i8" | "bool") => Err(format!(
            "the runtime's type `{}` is one byte, but generated code passes an i8 without \
             zero-extending it: declare the parameter `ByteArg` (runtime/src/abi.rs)",
            type_text(ty)
        )),
        Some("ByteArg") => byte_arg(source).map(|()| Class::Abi(Abi::I8)),
        _ => common_class(ty, source),
    }
}

/// The class of a result type, or why it has none.
pub fn result_class(ty: &Type, source: &RuntimeSource) -> Result<Class, String> {
    match (ty, scalar(ty)) {
        (Type::Never(_), _) => Ok(Class::Never),
        (_, Some("u8" | "i8" | "bool")) => Ok(Class::Abi(Abi::I8)),
        (_, Some("ByteArg")) => Err("`ByteArg` is for parameters; return a `u8`".to_string()),
        _ => match named_struct(ty, source) {
            Some(structure) if !is_transparent(structure) => {
                string_struct(structure, source).map(|()| Class::Abi(Abi::Str))
            }
            _ => common_class(ty, source),
        },
    }
}

/// The classes that are the same for parameters and results.
fn common_class(ty: &Type, source: &RuntimeSource) -> Result<Class, String> {
    let abi = match (ty, scalar(ty)) {
        (Type::Ptr(_), _) => Abi::Ptr,
        (_, Some("i32" | "u32")) => Abi::I32,
        (_, Some("i64" | "u64" | "isize" | "usize")) => Abi::I64,
        (_, Some("f32")) => Abi::F32,
        (_, Some("f64")) => Abi::F64,
        (_, Some("char")) => {
            return Err(
                "the runtime's type is `char`, which not every 32-bit value generated code \
                 may pass is: take a `u32`"
                    .to_string(),
            )
        }
        _ => return transparent_pointer(ty, source),
    };
    Ok(Class::Abi(abi))
}

/// `Global<*mut T>` and the like: a `#[repr(transparent)]` struct whose one field
/// is its type argument, here a pointer.
fn transparent_pointer(ty: &Type, source: &RuntimeSource) -> Result<Class, String> {
    let no_class = || {
        Err(format!(
            "the runtime's type `{}` is of no ABI class",
            type_text(ty)
        ))
    };
    let Some(structure) = named_struct(ty, source) else {
        return no_class();
    };
    let argument = match last_segment_arguments(ty) {
        Some(PathArguments::AngleBracketed(arguments)) => match arguments.args.first() {
            Some(GenericArgument::Type(argument)) if arguments.args.len() == 1 => argument,
            _ => return no_class(),
        },
        _ => return no_class(),
    };
    if is_transparent(structure) && structure.fields.len() == 1 && matches!(argument, Type::Ptr(_))
    {
        Ok(Class::Abi(Abi::Ptr))
    } else {
        no_class()
    }
}

/// Checks that `ByteArg` is what its class promises: a transparent `u32`.
fn byte_arg(source: &RuntimeSource) -> Result<(), String> {
    let Some(structure) = source.structs.get("ByteArg") else {
        return Err("`ByteArg` is not defined in runtime/src".to_string());
    };
    let fields: Vec<&Type> = structure.fields.iter().map(|field| &field.ty).collect();
    match fields.as_slice() {
        [only] if is_transparent(structure) && scalar(only) == Some("u32") => Ok(()),
        _ => Err("`ByteArg` must be `#[repr(transparent)] struct ByteArg(u32)`".to_string()),
    }
}

/// Checks that a struct returned for a string is `#[repr(C)] { ptr, len: i64 }`.
fn string_struct(structure: &ItemStruct, source: &RuntimeSource) -> Result<(), String> {
    let name = &structure.ident;
    if !has_repr(structure, "C") {
        return Err(format!(
            "the runtime returns struct `{name}`, which is not #[repr(C)], so its layout is not {{ptr, i64}}"
        ));
    }
    let fields: Vec<&Type> = match &structure.fields {
        Fields::Named(named) => named.named.iter().map(|field| &field.ty).collect(),
        Fields::Unnamed(unnamed) => unnamed.unnamed.iter().map(|field| &field.ty).collect(),
        Fields::Unit => Vec::new(),
    };
    match fields.as_slice() {
        [address, length]
            if matches!(address, Type::Ptr(_))
                && common_class(length, source) == Ok(Class::Abi(Abi::I64)) =>
        {
            Ok(())
        }
        _ => Err(format!(
            "the runtime returns struct `{name}`, whose fields are not a pointer and a 64-bit \
             length"
        )),
    }
}

/// The name of a one-segment path type without arguments (`u32`, `Str`).
fn scalar(ty: &Type) -> Option<&'static str> {
    let Type::Path(path) = ty else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let segment = path.path.segments.last()?;
    if !segment.arguments.is_none() {
        return None;
    }
    const KNOWN: &[&str] = &[
        "u8", "i8", "bool", "u32", "i32", "u64", "i64", "usize", "isize", "f32", "f64", "char",
        "ByteArg",
    ];
    KNOWN.iter().copied().find(|known| segment.ident == known)
}

fn last_segment_arguments(ty: &Type) -> Option<&PathArguments> {
    match ty {
        Type::Path(path) => path.path.segments.last().map(|segment| &segment.arguments),
        _ => None,
    }
}

/// The runtime struct a path type names (by its last segment).
fn named_struct<'a>(ty: &Type, source: &'a RuntimeSource) -> Option<&'a ItemStruct> {
    match ty {
        Type::Path(path) => {
            let segment = path.path.segments.last()?;
            source.structs.get(&segment.ident.to_string())
        }
        _ => None,
    }
}

fn is_transparent(structure: &ItemStruct) -> bool {
    has_repr(structure, "transparent")
}

fn has_repr(structure: &ItemStruct, representation: &str) -> bool {
    structure.attrs.iter().any(|attr| match &attr.meta {
        syn::Meta::List(list) => {
            list.path.is_ident("repr")
                && list
                    .tokens
                    .to_string()
                    .split(',')
                    .any(|part| part.trim() == representation)
        }
        _ => false,
    })
}

/// A type as the messages show it.
pub fn type_text(ty: &Type) -> String {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .iter()
            .map(|segment| {
                let arguments = match &segment.arguments {
                    PathArguments::AngleBracketed(arguments) => {
                        let each: Vec<String> = arguments
                            .args
                            .iter()
                            .map(|argument| match argument {
                                GenericArgument::Type(ty) => type_text(ty),
                                _ => "_".to_string(),
                            })
                            .collect();
                        format!("<{}>", each.join(", "))
                    }
                    _ => String::new(),
                };
                format!("{}{arguments}", segment.ident)
            })
            .collect::<Vec<_>>()
            .join("::"),
        Type::Ptr(pointer) => {
            let mutability = match pointer.mutability {
                syn::PointerMutability::Const(_) => "const",
                syn::PointerMutability::Mut(_) => "mut",
            };
            format!("*{mutability} {}", type_text(&pointer.elem))
        }
        Type::Never(_) => "!".to_string(),
        Type::Tuple(tuple) if tuple.elems.is_empty() => "()".to_string(),
        Type::Reference(reference) => format!("&{}", type_text(&reference.elem)),
        _ => "(a type this test does not print)".to_string(),
    }
}
