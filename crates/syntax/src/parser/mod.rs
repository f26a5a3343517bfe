//! The recursive-descent parser: tokens (seen through the offside rule) to the AST.
//!
//! Guarantees: operators are grouped by F# precedence (precedence climbing in
//! `expr.rs`), every node has a span, and the parser never panics or loops forever on
//! any input. Errors are reported once (one diagnostic per token position) and leave
//! `Error` nodes; recovery skips to the next item of the enclosing offside block, so a
//! mistake in one declaration does not hide the next ones.
//!
//! Naming: `parse_x` may find nothing or produce an `Error` node, `expect_x` reports
//! when `x` is missing.
//!
//! Files: `decl.rs` (file, modules, `let`, `type`), `expr.rs` (expressions and
//! blocks), `pat.rs` (patterns), `types.rs` (type expressions and measures).

mod decl;
mod expr;
mod pat;
mod types;

use composer_diagnostics::{Code, Diagnostic, FileId, Span};

use crate::ast::{Ident, Interner};
use crate::layout::{BlockKind, Cursor};
use crate::lexer::{Keyword, Token, TokenKind};

/// How deeply expressions, patterns and types may nest before the parser gives up
/// on the construct (protects the stack from adversarial input).
const MAX_DEPTH: u32 = 64;

pub(crate) struct Parser<'a> {
    file: FileId,
    /// The whole file (interpolated-string holes are parsed from it in place).
    text: &'a str,
    cursor: Cursor,
    interner: &'a mut Interner,
    diagnostics: Vec<Diagnostic>,
    /// Start offset of the last reported error: one error per position.
    last_error_at: Option<u32>,
    depth: u32,
    /// Nesting of interpolated-string holes (each gets its own parser).
    hole_depth: u32,
    /// The `#nowarn` directives seen so far (`SourceFile::nowarn`).
    nowarn: Vec<crate::ast::NoWarn>,
    /// `when 'T : equality` written inside a parameter's annotation
    /// (`(x: 'T when 'T : equality)`), waiting for the binding the parameter belongs to.
    annotation_constraints: Vec<(crate::ast::Ident, crate::ast::Ident)>,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(
        file: FileId,
        text: &'a str,
        tokens: Vec<Token>,
        interner: &'a mut Interner,
    ) -> Self {
        Parser {
            file,
            text,
            cursor: Cursor::new(text, tokens),
            nowarn: Vec::new(),
            annotation_constraints: Vec::new(),
            interner,
            diagnostics: Vec::new(),
            last_error_at: None,
            depth: 0,
            hole_depth: 0,
        }
    }

    pub(crate) fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    // ------------------------------------------------------------------ tokens

    /// The next token through the offside rule (may be `BlockSep`/`BlockEnd`).
    fn peek(&self) -> &TokenKind {
        self.cursor.peek()
    }

    fn at(&self, kind: &TokenKind) -> bool {
        self.peek() == kind
    }

    fn at_kw(&self, keyword: Keyword) -> bool {
        *self.peek() == TokenKind::Keyword(keyword)
    }

    fn at_op(&self, op: &str) -> bool {
        matches!(self.peek(), TokenKind::Op(o) if o == op)
    }

    /// The raw token `n` ahead (no offside rule).
    fn nth(&self, n: usize) -> &TokenKind {
        &self.cursor.raw_nth(n).kind
    }

    /// The span of the next raw token.
    fn span(&self) -> Span {
        self.cursor.raw().span
    }

    /// The span of the last consumed token (an empty span at the start of the file).
    fn prev_span(&self) -> Span {
        self.cursor
            .previous()
            .map_or(Span::new(self.file, 0, 0), |t| t.span)
    }

    /// The span from `start` to the end of the last consumed token.
    fn since(&self, start: Span) -> Span {
        let end = self.prev_span();
        if end.end < start.start {
            start.shrink_to_start()
        } else {
            Span::new(self.file, start.start, end.end)
        }
    }

    fn bump(&mut self) -> Token {
        self.cursor.bump()
    }

    /// Consumes the next token if the offside rule shows it and it is `kind`.
    fn eat(&mut self, kind: &TokenKind) -> bool {
        if self.at(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn eat_kw(&mut self, keyword: Keyword) -> bool {
        self.eat(&TokenKind::Keyword(keyword))
    }

    /// Consumes `kind` or reports that it is missing.
    fn expect(&mut self, kind: &TokenKind, what: &str) -> bool {
        if self.eat(kind) {
            return true;
        }
        self.error_expected(what);
        false
    }

    fn expect_kw(&mut self, keyword: Keyword) -> bool {
        self.expect(
            &TokenKind::Keyword(keyword),
            &format!("`{}`", keyword.as_str()),
        )
    }

    /// Consumes a closing token (`)`, `]`, `}`, `|]`, `end`, `>]`) even if it is
    /// offside: closing tokens may undent to the construct's own column.
    fn expect_closing(&mut self, kind: &TokenKind, what: &str, opener: Span) -> bool {
        if self.cursor.raw().kind == *kind {
            self.bump();
            return true;
        }
        let span = self.span();
        let found = describe(&self.cursor.raw().kind);
        let diagnostic = Diagnostic::error(
            Code::UnexpectedSyntax,
            span,
            format!("Unexpected {found}: expected {what}"),
        )
        .with_secondary(opener, "unmatched opening here");
        self.report(diagnostic);
        false
    }

    /// Whether the next token is the start of a new item of the current block.
    fn at_separator(&self) -> bool {
        matches!(self.peek(), TokenKind::BlockSep)
    }

    /// Accepts a virtual separator: the token behind it is seen next.
    fn accept_separator(&mut self) {
        if self.at_separator() {
            self.cursor.accept_separator();
        }
    }

    /// Runs `f` inside an offside block opened at the next token. `None` when the
    /// block would be empty (nothing indented enough follows).
    fn in_block<T>(
        &mut self,
        kind: BlockKind,
        allow_at_limit: bool,
        f: impl FnOnce(&mut Self) -> T,
    ) -> Option<T> {
        if !self.cursor.open_block(kind, allow_at_limit) {
            return None;
        }
        let depth = self.cursor.depth();
        let result = f(self);
        self.cursor.truncate_blocks(depth);
        self.cursor.close_block();
        Some(result)
    }

    // ------------------------------------------------------------------ names

    fn ident(&mut self, name: &str, span: Span) -> Ident {
        Ident {
            name: self.interner.get_or_intern(name),
            span,
        }
    }

    /// `Ident` or reports; on failure returns a placeholder `?` identifier.
    fn expect_ident(&mut self, what: &str) -> Option<Ident> {
        if let TokenKind::Ident(name) = self.peek() {
            let name = name.clone();
            let token = self.bump();
            return Some(self.ident(&name, token.span));
        }
        self.error_expected(what);
        None
    }

    /// `A.B.C` (the first part must be next).
    fn expect_long_ident(&mut self, what: &str) -> Vec<Ident> {
        let mut parts = Vec::new();
        match self.expect_ident(what) {
            Some(first) => parts.push(first),
            None => return parts,
        }
        while self.at(&TokenKind::Dot) && matches!(self.nth(1), TokenKind::Ident(_)) {
            self.bump();
            if let Some(part) = self.expect_ident("a name after `.`") {
                parts.push(part);
            }
        }
        parts
    }

    // ------------------------------------------------------------------ errors

    fn report(&mut self, diagnostic: Diagnostic) {
        let at = diagnostic.span.map(|s| s.start);
        if diagnostic.is_error() {
            if at.is_some() && at == self.last_error_at {
                return;
            }
            self.last_error_at = at;
        }
        self.diagnostics.push(diagnostic);
    }

    fn error(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.report(Diagnostic::error(code, span, message));
    }

    fn unsupported(&mut self, span: Span, what: &str) {
        self.error(
            Code::Unsupported,
            span,
            format!("not supported by Composer yet: {what}"),
        );
    }

    /// FS0010 at the next token: "Unexpected X: expected Y".
    fn error_expected(&mut self, what: &str) {
        let (span, found) = self.found();
        self.error(
            Code::UnexpectedSyntax,
            span,
            format!("Unexpected {found}: expected {what}"),
        );
    }

    /// The next token's span and description, naming virtual tokens by what they mean.
    fn found(&self) -> (Span, String) {
        let raw = self.cursor.raw();
        let found = match self.peek() {
            TokenKind::BlockSep | TokenKind::BlockEnd => format!(
                "{} (start of a new line at this indentation)",
                describe(&raw.kind)
            ),
            kind => describe(kind),
        };
        (raw.span, found)
    }

    /// Skips tokens to the next item or the end of the current block.
    fn skip_to_item_boundary(&mut self) {
        while !matches!(
            self.peek(),
            TokenKind::BlockSep | TokenKind::BlockEnd | TokenKind::Eof
        ) {
            self.bump();
        }
    }

    /// Guards recursion depth. Returns `false` (after reporting) when too deep.
    fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            let span = self.span();
            self.error(
                Code::UnexpectedSyntax,
                span,
                "this construct is nested too deeply",
            );
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// A token kind as users see it in messages.
pub(crate) fn describe(kind: &TokenKind) -> String {
    match kind {
        TokenKind::Ident(name) => format!("identifier `{name}`"),
        TokenKind::TypeVar(name) => format!("type variable `'{name}`"),
        TokenKind::Int { .. } | TokenKind::Float { .. } => "number".into(),
        TokenKind::Char(_) => "character literal".into(),
        TokenKind::String(_) => "string literal".into(),
        TokenKind::Interpolated(_) => "interpolated string".into(),
        TokenKind::Keyword(k) => format!("keyword `{}`", k.as_str()),
        TokenKind::Op(op) => format!("operator `{op}`"),
        TokenKind::Eof => "end of input".into(),
        TokenKind::BlockSep => "new line".into(),
        TokenKind::BlockEnd => "end of block".into(),
        TokenKind::Error => "invalid character".into(),
        other => format!("symbol `{}`", crate::print::punctuation(other)),
    }
}
