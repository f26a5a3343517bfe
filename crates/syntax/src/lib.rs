//! Clef syntax: lexer, offside (layout) rule, recursive-descent parser, AST.
//!
//! Pipeline of this crate, one file per step:
//!
//! 1. `lexer.rs`: text to raw [`Token`]s, literals decoded ([`lex`]).
//! 2. `layout.rs`: the offside rule, a token cursor that shows the parser virtual
//!    block separators and block ends derived from indentation.
//! 3. `parser/`: recursive descent with precedence climbing to [`ast`] ([`parse_file`]).
//! 4. `print.rs`: text forms of tokens and AST ([`print_tokens`], [`print_ast`]).
//!
//! Architecture invariant: this crate is pure (no IO) and never panics on user
//! input. It never stops at the first error: it reports diagnostics (FS0010 syntax,
//! FS1156 bad literal, FS0588 unfinished block, FS9001 unsupported) and leaves
//! `Error` nodes in the tree.

pub mod ast;
mod layout;
mod lexer;
mod parser;
mod print;

pub use ast::{Interner, Symbol};
pub use lexer::{lex, InterpolatedPiece, Keyword, Token, TokenKind};
pub use print::{print_ast, print_tokens};

use composer_diagnostics::{Diagnostic, FileId};

/// Parses one source file. Names are interned into `interner`. Diagnostics are in
/// source order.
pub fn parse_file(
    file: FileId,
    text: &str,
    interner: &mut Interner,
) -> (ast::SourceFile, Vec<Diagnostic>) {
    let (tokens, mut diagnostics) = lexer::lex(file, text);
    let mut parser = parser::Parser::new(file, text, tokens, interner);
    let source_file = parser.parse_file();
    diagnostics.extend(parser.into_diagnostics());
    composer_diagnostics::sort_diagnostics(&mut diagnostics);
    (source_file, diagnostics)
}

#[cfg(test)]
mod tests;
