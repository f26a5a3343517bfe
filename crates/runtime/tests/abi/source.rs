//! The runtime's definitions as its sources spell them, read with `syn`: every
//! function and static that is exported (or named like one), the `.globl` labels
//! of its assembly, the functions its own `macro_rules!` macros export (the C math
//! names of `math.rs`), and its structs, for the checks in `main.rs`.

use std::collections::BTreeMap;
use std::path::Path;

use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{
    Attribute, Expr, FnArg, Ident, Item, ItemStruct, Lit, Meta, Pat, ReturnType, Token, Type,
};

/// A function, static or assembly label that a runtime file defines.
pub struct Definition {
    /// The file, relative to `runtime/src`.
    pub file: String,
    /// The linker symbol: the `#[export_name]`, else the Rust name.
    pub symbol: String,
    /// `#[no_mangle]` or `#[export_name]`: the symbol is global and unmangled.
    pub unmangled: bool,
    pub kind: DefinitionKind,
}

pub enum DefinitionKind {
    Function(FunctionDefinition),
    Static(Type),
    /// A `.globl` label of a `global_asm!`.
    Assembly,
}

pub struct FunctionDefinition {
    /// `extern "C"`, spelled out.
    pub extern_c: bool,
    /// Each parameter's name (`_` for a pattern) and type.
    pub params: Vec<(String, Type)>,
    pub result: ReturnType,
}

/// Every definition of the runtime's sources, and its structs by name.
pub struct RuntimeSource {
    pub definitions: Vec<Definition>,
    pub structs: BTreeMap<String, ItemStruct>,
}

impl RuntimeSource {
    /// Reads every `.rs` file under `dir`.
    pub fn read(dir: &Path) -> RuntimeSource {
        let mut files = Vec::new();
        collect_rust_files(dir, dir, &mut files);
        files.sort();
        let texts: Vec<(String, String)> = files
            .into_iter()
            .map(|(relative, path)| {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|error| panic!("read {}: {error}", path.display()));
                (relative, text)
            })
            .collect();
        let borrowed: Vec<(&str, &str)> = texts
            .iter()
            .map(|(file, text)| (file.as_str(), text.as_str()))
            .collect();
        RuntimeSource::parse(&borrowed).unwrap_or_else(|error| panic!("{error}"))
    }

    /// The definitions in these `(file, text)` sources.
    pub fn parse(files: &[(&str, &str)]) -> Result<RuntimeSource, String> {
        let mut source = RuntimeSource {
            definitions: Vec::new(),
            structs: BTreeMap::new(),
        };
        let mut reader = Reader::default();
        for &(file, text) in files {
            let parsed =
                syn::parse_file(text).map_err(|error| format!("runtime/src/{file}: {error}"))?;
            reader.items(file, parsed.items, &mut source);
        }
        reader.expand_exporting_macros(&mut source)?;
        Ok(source)
    }

    /// The definitions whose symbol is `symbol`.
    pub fn defining(&self, symbol: &str) -> Vec<&Definition> {
        self.definitions
            .iter()
            .filter(|definition| definition.symbol == symbol)
            .collect()
    }
}

fn collect_rust_files(root: &Path, dir: &Path, out: &mut Vec<(String, std::path::PathBuf)>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|error| panic!("read {}: {error}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect_rust_files(root, &path, out);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            let relative = path.strip_prefix(root).expect("under the root");
            out.push((relative.display().to_string(), path));
        }
    }
}

/// What the walk over the items remembers until every file has been read: a
/// macro may be used in one file and defined in another.
#[derive(Default)]
struct Reader {
    /// `macro_rules!` bodies by macro name, without whitespace.
    macro_bodies: BTreeMap<String, String>,
    /// Macro invocations at item level: file and macro.
    invocations: Vec<(String, syn::Macro)>,
}

impl Reader {
    fn items(&mut self, file: &str, items: Vec<Item>, source: &mut RuntimeSource) {
        for item in items {
            match item {
                Item::Fn(function) => source.definitions.push(Definition {
                    file: file.to_string(),
                    symbol: symbol_of(&function.attrs, &function.sig.ident),
                    unmangled: is_unmangled(&function.attrs),
                    kind: DefinitionKind::Function(FunctionDefinition {
                        extern_c: function
                            .sig
                            .abi
                            .as_ref()
                            .and_then(|abi| abi.name.as_ref())
                            .is_some_and(|name| name.value() == "C"),
                        params: function.sig.inputs.iter().map(param).collect(),
                        result: function.sig.output,
                    }),
                }),
                Item::Static(variable) => source.definitions.push(Definition {
                    file: file.to_string(),
                    symbol: symbol_of(&variable.attrs, &variable.ident),
                    unmangled: is_unmangled(&variable.attrs),
                    kind: DefinitionKind::Static(*variable.ty),
                }),
                Item::Struct(structure) => {
                    source
                        .structs
                        .insert(structure.ident.to_string(), structure);
                }
                Item::Mod(module) => {
                    if let Some((_, items)) = module.content {
                        self.items(file, items, source);
                    }
                }
                Item::Macro(item) => {
                    let body = without_whitespace(&item.mac.tokens.to_string());
                    if let Some(name) = item.ident {
                        self.macro_bodies.insert(name.to_string(), body);
                    } else if item
                        .mac
                        .path
                        .segments
                        .last()
                        .is_some_and(|segment| segment.ident == "global_asm")
                    {
                        for label in globl_labels(&item.mac.tokens.to_string()) {
                            source.definitions.push(Definition {
                                file: file.to_string(),
                                symbol: label,
                                unmangled: true,
                                kind: DefinitionKind::Assembly,
                            });
                        }
                    } else {
                        self.invocations.push((file.to_string(), item.mac));
                    }
                }
                _ => {}
            }
        }
    }

    /// The functions that invocations of the runtime's own exporting macros
    /// define. Such a macro (`c_math!`) takes entries `name(params) -> result;`
    /// and expands each to `#[no_mangle] ... fn $name`; one this reader cannot
    /// follow is an error, not a silent gap in the checks.
    fn expand_exporting_macros(&self, source: &mut RuntimeSource) -> Result<(), String> {
        for (file, invocation) in &self.invocations {
            let Some(name) = invocation.path.get_ident().map(Ident::to_string) else {
                continue;
            };
            let Some(body) = self.macro_bodies.get(&name) else {
                continue;
            };
            if !body.contains("#[no_mangle]") && !body.contains("#[unsafe(no_mangle)]") {
                continue;
            }
            if !body.contains("fn$name(") {
                return Err(format!(
                    "runtime/src/{file}: `{name}!` exports functions in a form this test cannot \
                     read (expected `fn $name(...)` in its body); teach \
                     crates/runtime/tests/abi/source.rs its grammar"
                ));
            }
            let extern_c = body.contains("extern\"C\"fn$name(");
            let entries = invocation
                .parse_body_with(parse_signature_entries)
                .map_err(|error| format!("runtime/src/{file}: `{name}!` entries: {error}"))?;
            for (symbol, params, result) in entries {
                source.definitions.push(Definition {
                    file: file.clone(),
                    symbol,
                    unmangled: true,
                    kind: DefinitionKind::Function(FunctionDefinition {
                        extern_c,
                        params,
                        result,
                    }),
                });
            }
        }
        Ok(())
    }
}

type SignatureEntry = (String, Vec<(String, Type)>, ReturnType);

/// `name(a: T, ...) -> R;` repeated: the entries of an exporting macro.
fn parse_signature_entries(input: ParseStream) -> syn::Result<Vec<SignatureEntry>> {
    let mut entries = Vec::new();
    while !input.is_empty() {
        let name: Ident = input.parse()?;
        let content;
        syn::parenthesized!(content in input);
        let params = Punctuated::<FnArg, Token![,]>::parse_terminated(&content)?;
        let result: ReturnType = input.parse()?;
        input.parse::<Token![;]>()?;
        entries.push((name.to_string(), params.iter().map(param).collect(), result));
    }
    Ok(entries)
}

fn param(arg: &FnArg) -> (String, Type) {
    match arg {
        FnArg::Typed(typed) => {
            let name = match &*typed.pat {
                Pat::Ident(ident) => ident.ident.to_string(),
                _ => "_".to_string(),
            };
            (name, (*typed.ty).clone())
        }
        FnArg::Receiver(_) => panic!("an exported function with a `self` parameter"),
    }
}

/// `#[export_name = "..."]`'s symbol, else the Rust name.
fn symbol_of(attrs: &[Attribute], ident: &Ident) -> String {
    attrs
        .iter()
        .find_map(|attr| match &attr.meta {
            Meta::NameValue(pair) if pair.path.is_ident("export_name") => match &pair.value {
                Expr::Lit(literal) => match &literal.lit {
                    Lit::Str(text) => Some(text.value()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .unwrap_or_else(|| ident.to_string())
}

/// `#[no_mangle]`, `#[unsafe(no_mangle)]` or `#[export_name = ...]`.
fn is_unmangled(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| match &attr.meta {
        Meta::Path(path) => path.is_ident("no_mangle"),
        Meta::List(list) => {
            list.path.is_ident("unsafe")
                && without_whitespace(&list.tokens.to_string()) == "no_mangle"
        }
        Meta::NameValue(pair) => pair.path.is_ident("export_name"),
    })
}

/// The labels a `global_asm!` makes global (`.globl name`).
fn globl_labels(assembly: &str) -> Vec<String> {
    assembly
        .split(".globl")
        .skip(1)
        .filter_map(|rest| {
            let label: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (!label.is_empty()).then_some(label)
        })
        .collect()
}

fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
