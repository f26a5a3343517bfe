//! The offside rule: a token cursor that turns indentation into virtual tokens.
//!
//! F# light syntax (F# 4.1 spec §15.1, the compiler's `LexFilter.fs`) is implemented
//! here in a simplified, parser-driven form. Instead of guessing contexts from
//! keywords as `LexFilter` does, the parser tells the cursor where an offside block
//! starts (after `=`, `then`, `else`, `->`, `do`, `in`, `(`, `[`, `{`, `with`,
//! `module X =`, ...): the block's column is the column of its first token. While a
//! block is open, a token that starts a line
//!
//! * left of the block's column closes it: [`TokenKind::BlockEnd`];
//! * at the block's column starts a new item of it: [`TokenKind::BlockSep`] (the
//!   parser's `;`), which is also what supplies the implicit `in` after a `let`;
//! * right of it continues the current item.
//!
//! Exceptions, as in F#: closing tokens and continuation keywords (`)`, `]`, `}`,
//! `end`, `else`, `elif`, `then`, `with`, `|`, `in`, `and`, ...) never start an item;
//! an infix operator starting a line continues the previous line and may be offside
//! by its length + 1 ("undentation" of `|>` pipelines); a line after a line ending in
//! an infix operator or `,` continues it. A block whose first token is on a new line
//! must be indented more than the line that started the enclosing block, otherwise it
//! is empty (the parser reports FS0588/FS0010). Brackets open blocks too, but place no
//! limit on how far a block inside them may undent (`f (fun x ->` + newline + body).
//!
//! Architecture invariant: the cursor never consumes virtual tokens on its own; the
//! parser decides what a `BlockSep` means in its context.

use composer_diagnostics::Span;

use crate::lexer::{Keyword, Token, TokenKind};

/// Where a token sits in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    /// 0-based column in characters.
    pub col: u32,
    /// Whether this token is the first one on its line.
    pub first_on_line: bool,
    /// The column of the first token of this token's line.
    pub line_indent: u32,
    /// Set by the parser for a `>` that closes type arguments: not an infix operator.
    pub closes_type_args: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    /// A sequence block after `=`, `->`, `then`, ... or the file/module body.
    Seq,
    /// The contents of `(`, `[`, `[|`, `{`, `begin`: separators as usual, but no limit
    /// on the undentation of blocks opened inside.
    Bracket,
}

#[derive(Debug, Clone, Copy)]
struct Block {
    col: u32,
    /// The indentation of the line the block starts on.
    indent: u32,
    /// Index of the block's first token.
    start: usize,
    kind: BlockKind,
}

static BLOCK_SEP: TokenKind = TokenKind::BlockSep;
static BLOCK_END: TokenKind = TokenKind::BlockEnd;

/// The parser's view of the token stream.
pub(crate) struct Cursor {
    tokens: Vec<Token>,
    positions: Vec<Position>,
    blocks: Vec<Block>,
    pos: usize,
}

/// Computes line/column facts for every token. `text` is the whole file.
pub(crate) fn positions(text: &str, tokens: &[Token]) -> Vec<Position> {
    let mut line_starts = vec![0usize];
    line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let line_of = |offset: usize| {
        line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    };
    let mut out = Vec::with_capacity(tokens.len());
    let mut prev_end_line: Option<usize> = None;
    let mut line_indent = 0u32;
    for token in tokens {
        let start = (token.span.start as usize).min(text.len());
        let line = line_of(start);
        let line_start = line_starts[line];
        // A tab is FS1161 (the lexer reports it); it is read as a move to the next
        // multiple of four columns, what most editors show, so the rest of the file
        // parses as it looks instead of cascading into offside errors.
        let col = text.get(line_start..start).map_or(0, |s| {
            s.chars().fold(0, |col, c| {
                if c == '\t' {
                    (col / 4 + 1) * 4
                } else {
                    col + 1
                }
            })
        }) as u32;
        let first_on_line = !matches!(prev_end_line, Some(l) if line <= l);
        if first_on_line {
            line_indent = col;
        }
        out.push(Position {
            col,
            first_on_line,
            line_indent,
            closes_type_args: false,
        });
        prev_end_line = Some(line_of((token.span.end as usize).min(text.len())));
    }
    out
}

/// Closing tokens and continuation keywords: at a block's column they continue the
/// enclosing construct instead of starting a new item.
fn is_exempt_from_separator(kind: &TokenKind) -> bool {
    use Keyword as K;
    matches!(
        kind,
        TokenKind::RParen
            | TokenKind::RBracket
            | TokenKind::RBrace
            | TokenKind::BarRBracket
            | TokenKind::GreaterRBracket
            | TokenKind::Bar
            | TokenKind::Arrow
            | TokenKind::Keyword(
                K::End
                    | K::Else
                    | K::Elif
                    | K::Then
                    | K::With
                    | K::In
                    | K::And
                    | K::Done
                    | K::To
                    | K::Downto
                    | K::Finally
                    | K::When
            )
    )
}

/// Tokens that only start declarations: never the continuation of a previous line.
fn starts_declaration(kind: &TokenKind) -> bool {
    use Keyword as K;
    matches!(
        kind,
        TokenKind::LBracketLess
            | TokenKind::Keyword(
                K::Let | K::Type | K::Module | K::Open | K::Namespace | K::Exception
            )
    )
}

impl Cursor {
    pub(crate) fn new(text: &str, tokens: Vec<Token>) -> Cursor {
        let positions = positions(text, &tokens);
        Cursor {
            tokens,
            positions,
            blocks: Vec::new(),
            pos: 0,
        }
    }

    /// Index of the next raw token.
    pub(crate) fn index(&self) -> usize {
        self.pos
    }

    fn last(&self) -> usize {
        self.tokens.len() - 1
    }

    /// The next raw token, ignoring layout.
    pub(crate) fn raw(&self) -> &Token {
        &self.tokens[self.pos.min(self.last())]
    }

    /// The raw token `n` places ahead.
    pub(crate) fn raw_nth(&self, n: usize) -> &Token {
        &self.tokens[(self.pos + n).min(self.last())]
    }

    /// The token before the next one (the last consumed), if any.
    pub(crate) fn previous(&self) -> Option<&Token> {
        self.pos.checked_sub(1).map(|i| &self.tokens[i])
    }

    /// Whether the raw token `n` ahead starts right where the one before it ends.
    pub(crate) fn is_adjacent_nth(&self, n: usize) -> bool {
        let i = (self.pos + n).min(self.last());
        i > 0 && self.tokens[i - 1].span.end == self.tokens[i].span.start
    }

    /// An operator used prefix: whitespace before it, none after it (`f -1`).
    fn is_adjacent_prefix_at(&self, i: usize) -> bool {
        let adjacent_after =
            i + 1 < self.tokens.len() && self.tokens[i].span.end == self.tokens[i + 1].span.start;
        let space_before = i == 0 || self.tokens[i - 1].span.end != self.tokens[i].span.start;
        adjacent_after && space_before
    }

    fn is_infix_at(&self, i: usize) -> bool {
        if self.positions[i].closes_type_args {
            return false;
        }
        match &self.tokens[i].kind {
            TokenKind::Op(op) => {
                let prefix_only = op.starts_with('!') || op.starts_with('~');
                let written_prefix =
                    matches!(op.as_str(), "-" | "+") && self.is_adjacent_prefix_at(i);
                !(prefix_only || written_prefix)
            }
            TokenKind::ColonColon
            | TokenKind::Equals
            | TokenKind::Comma
            | TokenKind::Keyword(Keyword::Or) => true,
            _ => false,
        }
    }

    /// The next token as the parser sees it: raw, or a virtual `BlockSep`/`BlockEnd`.
    pub(crate) fn peek(&self) -> &TokenKind {
        let i = self.pos.min(self.last());
        let kind = &self.tokens[i].kind;
        if *kind == TokenKind::Eof {
            return kind;
        }
        let position = self.positions[i];
        let Some(top) = self.blocks.last() else {
            return kind;
        };
        if !position.first_on_line || i == top.start {
            return kind;
        }
        let infix = self.is_infix_at(i);
        if position.col < top.col {
            let len = (self.tokens[i].span.end - self.tokens[i].span.start) + 1;
            if infix && position.col + len >= top.col {
                return kind;
            }
            if i > 0
                && self.is_infix_at(i - 1)
                && position.col > top.indent
                && !starts_declaration(kind)
            {
                return kind;
            }
            return &BLOCK_END;
        }
        if position.col == top.col {
            if is_exempt_from_separator(kind)
                || infix
                || (i > 0 && self.is_infix_at(i - 1) && !starts_declaration(kind))
            {
                return kind;
            }
            return &BLOCK_SEP;
        }
        kind
    }

    /// Consumes the next raw token (virtual tokens are not consumed: the parser moves
    /// past a `BlockSep` with [`Cursor::bump`] too, as it stands for the raw token).
    pub(crate) fn bump(&mut self) -> Token {
        let token = self.raw().clone();
        if self.pos < self.last() {
            self.pos += 1;
        }
        token
    }

    /// Marks the next raw token as no longer starting a new item: used after the
    /// parser accepted a `BlockSep`, so the token itself is seen next.
    pub(crate) fn accept_separator(&mut self) {
        if let Some(top) = self.blocks.last_mut() {
            top.start = self.pos;
        }
    }

    pub(crate) fn is_eof(&self) -> bool {
        self.raw().kind == TokenKind::Eof
    }

    /// Opens an offside block at the next raw token. Returns `false` (and opens
    /// nothing) when that token is on a new line but not indented past the limit of
    /// the enclosing blocks: the block is empty. `allow_at_limit` accepts a token
    /// exactly at the limit (match rules: `|` under `match`).
    pub(crate) fn open_block(&mut self, kind: BlockKind, allow_at_limit: bool) -> bool {
        let i = self.pos.min(self.last());
        let position = self.positions[i];
        if self.tokens[i].kind == TokenKind::Eof {
            return false;
        }
        if position.first_on_line {
            // The limit is the indentation of the line that started the nearest
            // enclosing sequence block (brackets place no limit of their own).
            let limit = self
                .blocks
                .iter()
                .rev()
                .find(|b| b.kind == BlockKind::Seq)
                .map(|b| b.indent);
            let offside = match limit {
                Some(limit) if allow_at_limit => position.col < limit,
                Some(limit) => position.col <= limit,
                None => false,
            };
            if offside {
                return false;
            }
        }
        self.blocks.push(Block {
            col: position.col,
            indent: position.line_indent,
            start: i,
            kind,
        });
        true
    }

    /// Splits a leading `>` off an operator token such as `>>` or `>=`, so nested
    /// type arguments (`list<list<int>>`) can close one at a time.
    pub(crate) fn split_leading_greater(&mut self) -> bool {
        let i = self.pos.min(self.last());
        let TokenKind::Op(op) = &self.tokens[i].kind else {
            return false;
        };
        if op.len() < 2 || !op.starts_with('>') {
            return false;
        }
        let rest = match &op[1..] {
            "=" => TokenKind::Equals,
            rest => TokenKind::Op(rest.to_string()),
        };
        let span = self.tokens[i].span;
        let first = Span::new(span.file, span.start, span.start + 1);
        self.tokens[i].kind = rest;
        self.tokens[i].span.start += 1;
        self.tokens.insert(
            i,
            Token {
                kind: TokenKind::Op(">".into()),
                span: first,
            },
        );
        let position = self.positions[i];
        self.positions.insert(i, position);
        self.positions[i + 1] = Position {
            col: position.col + 1,
            first_on_line: false,
            ..position
        };
        self.positions[i].closes_type_args = false;
        for block in &mut self.blocks {
            if block.start > i {
                block.start += 1;
            }
        }
        true
    }

    /// Marks the next token as the `>` closing type arguments (so a line after it
    /// does not count as the continuation of an infix expression).
    pub(crate) fn mark_closes_type_args(&mut self) {
        let i = self.pos.min(self.last());
        self.positions[i].closes_type_args = true;
    }

    pub(crate) fn close_block(&mut self) {
        self.blocks.pop();
    }

    pub(crate) fn depth(&self) -> usize {
        self.blocks.len()
    }

    /// Closes blocks until `depth` remain (after error recovery).
    pub(crate) fn truncate_blocks(&mut self, depth: usize) {
        self.blocks.truncate(depth);
    }
}
