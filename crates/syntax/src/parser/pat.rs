//! Patterns, lowest to highest precedence: `p as x` < `p | q` < `p, q` <
//! `p : type` < `h :: t` (right) < constructor application `Some x` < atoms.

use composer_diagnostics::{Code, Span};

use super::Parser;
use crate::ast::{Literal, Pat, PatKind};
use crate::layout::BlockKind;
use crate::lexer::{Keyword, TokenKind};

fn boxed(p: Pat) -> Box<Pat> {
    Box::new(p)
}

impl Parser<'_> {
    fn mk_pat(&self, kind: PatKind, start: Span) -> Pat {
        Pat {
            kind,
            span: self.since(start),
        }
    }

    /// A full pattern (as in a match rule).
    pub(super) fn parse_pat(&mut self) -> Pat {
        if !self.enter() {
            let span = self.span();
            self.too_deep();
            return Pat {
                kind: PatKind::Error,
                span,
            };
        }
        let start = self.span();
        let mut pat = self.parse_or_pat();
        while self.eat_kw(Keyword::As) {
            match self.expect_ident("a name after `as`") {
                Some(name) => {
                    pat = self.mk_pat(
                        PatKind::As {
                            pat: boxed(pat),
                            name,
                        },
                        start,
                    )
                }
                None => break,
            }
        }
        self.leave();
        pat
    }

    fn parse_or_pat(&mut self) -> Pat {
        let start = self.span();
        let mut pat = self.parse_tuple_pat();
        while self.eat(&TokenKind::Bar) {
            let rhs = self.parse_tuple_pat();
            pat = self.mk_pat(PatKind::Or(boxed(pat), boxed(rhs)), start);
        }
        pat
    }

    fn parse_tuple_pat(&mut self) -> Pat {
        let start = self.span();
        let first = self.parse_typed_pat();
        if !self.at(&TokenKind::Comma) {
            return first;
        }
        let mut items = vec![first];
        while self.eat(&TokenKind::Comma) {
            items.push(self.parse_typed_pat());
        }
        self.mk_pat(PatKind::Tuple(items), start)
    }

    fn parse_typed_pat(&mut self) -> Pat {
        let start = self.span();
        let pat = self.parse_cons_pat();
        if self.eat(&TokenKind::Colon) {
            let ty = self.parse_type();
            if self.eat_kw(Keyword::When) {
                let mut constraints = self.parse_type_constraints();
                self.annotation_constraints.append(&mut constraints);
            }
            return self.mk_pat(
                PatKind::Typed {
                    pat: boxed(pat),
                    ty,
                },
                start,
            );
        }
        pat
    }

    fn parse_cons_pat(&mut self) -> Pat {
        let start = self.span();
        let head = self.parse_ctor_pat();
        if !self.eat(&TokenKind::ColonColon) {
            return head;
        }
        if !self.enter() {
            self.too_deep();
            return self.mk_pat(PatKind::Error, start);
        }
        let tail = self.parse_cons_pat();
        self.leave();
        self.mk_pat(
            PatKind::Cons {
                head: boxed(head),
                tail: boxed(tail),
            },
            start,
        )
    }

    /// `Some x`, `Node(l, v, r)`, `Shape.Circle r`, or an atomic pattern.
    fn parse_ctor_pat(&mut self) -> Pat {
        let start = self.span();
        if !matches!(self.peek(), TokenKind::Ident(_)) {
            return self.parse_atomic_pat();
        }
        let path = self.expect_long_ident("a pattern");
        // `Rectangle (width = w; height = h)`: union fields matched by name.
        if self.at(&TokenKind::LParen)
            && matches!(self.nth(1), TokenKind::Ident(_))
            && matches!(self.nth(2), TokenKind::Equals)
        {
            let open = self.bump().span;
            let mut fields = Vec::new();
            while let Some(name) = self.expect_ident("a field name") {
                if !self.eat(&TokenKind::Equals) {
                    self.error_expected("`=` after the field name");
                    break;
                }
                let pat = self.parse_pat();
                fields.push((name, pat));
                if !(self.eat(&TokenKind::Semi) || self.eat(&TokenKind::Comma)) {
                    break;
                }
            }
            self.expect_closing(&TokenKind::RParen, "`)`", open);
            let arg = self.mk_pat(PatKind::NamedFields(fields), start);
            return self.mk_pat(
                PatKind::Ctor {
                    path,
                    arg: boxed(arg),
                },
                start,
            );
        }
        if self.can_start_atomic_pat() {
            let arg = self.parse_atomic_pat();
            if self.can_start_atomic_pat() {
                let mut args = vec![arg];
                while self.can_start_atomic_pat() {
                    args.push(self.parse_atomic_pat());
                }
                return self.mk_pat(PatKind::CtorArgs { path, args }, start);
            }
            return self.mk_pat(
                PatKind::Ctor {
                    path,
                    arg: boxed(arg),
                },
                start,
            );
        }
        self.path_pat(path, start)
    }

    fn path_pat(&self, mut path: Vec<crate::ast::Ident>, start: Span) -> Pat {
        let kind = if path.len() == 1 {
            PatKind::Named(path.remove(0))
        } else {
            PatKind::Path(path)
        };
        self.mk_pat(kind, start)
    }

    pub(super) fn can_start_atomic_pat(&self) -> bool {
        match self.peek() {
            TokenKind::Ident(_)
            | TokenKind::Underscore
            | TokenKind::Int { .. }
            | TokenKind::Float { .. }
            | TokenKind::Char(_)
            | TokenKind::String(_)
            | TokenKind::LParen
            | TokenKind::LBracket
            | TokenKind::LBracketBar
            | TokenKind::LBrace
            | TokenKind::Keyword(Keyword::True | Keyword::False | Keyword::Null) => true,
            TokenKind::Op(op) => {
                op == "-" && matches!(self.nth(1), TokenKind::Int { .. } | TokenKind::Float { .. })
            }
            _ => false,
        }
    }

    /// `_`, a name or `A.B`, a literal, `-1`, `()`, `(p)`, `[p; q]`, `[| p |]`,
    /// `{ X = p }`.
    pub(super) fn parse_atomic_pat(&mut self) -> Pat {
        let start = self.span();
        let literal = match self.peek() {
            TokenKind::Int {
                value,
                suffix,
                bit_pattern,
            } => Some(Literal::Int {
                value: *value,
                suffix: *suffix,
                bit_pattern: *bit_pattern,
            }),
            TokenKind::Float { value, is_single } => Some(Literal::Float {
                value: *value,
                is_single: *is_single,
            }),
            TokenKind::Char(c) => Some(Literal::Char(*c)),
            TokenKind::String(s) => Some(Literal::String(s.clone())),
            TokenKind::Keyword(Keyword::True) => Some(Literal::Bool(true)),
            TokenKind::Keyword(Keyword::False) => Some(Literal::Bool(false)),
            _ => None,
        };
        if let Some(literal) = literal {
            self.bump();
            return self.mk_pat(PatKind::Lit(literal), start);
        }
        match self.peek() {
            TokenKind::Underscore => {
                self.bump();
                self.mk_pat(PatKind::Wild, start)
            }
            TokenKind::Ident(_) => {
                let path = self.expect_long_ident("a pattern");
                self.path_pat(path, start)
            }
            TokenKind::Op(op) if op == "-" => {
                self.bump();
                let literal = match self.peek() {
                    TokenKind::Int {
                        value,
                        suffix,
                        bit_pattern,
                    } => Literal::Int {
                        value: *value,
                        suffix: *suffix,
                        bit_pattern: *bit_pattern,
                    },
                    TokenKind::Float { value, is_single } => Literal::Float {
                        value: *value,
                        is_single: *is_single,
                    },
                    _ => {
                        self.error_expected("a number after `-` in a pattern");
                        return self.mk_pat(PatKind::Error, start);
                    }
                };
                self.bump();
                self.mk_pat(PatKind::NegLit(literal), start)
            }
            TokenKind::LParen => {
                let open = self.bump().span;
                if self.cursor.raw().kind == TokenKind::RParen {
                    self.bump();
                    return self.mk_pat(PatKind::Lit(Literal::Unit), start);
                }
                let inner = self.in_block(BlockKind::Bracket, false, |p| p.parse_pat());
                let inner = inner.unwrap_or_else(|| {
                    self.error_expected("a pattern");
                    Pat {
                        kind: PatKind::Error,
                        span: self.here(),
                    }
                });
                self.expect_closing(&TokenKind::RParen, "`)`", open);
                inner
            }
            TokenKind::LBracket | TokenKind::LBracketBar => {
                let open = self.bump();
                let is_array = open.kind == TokenKind::LBracketBar;
                let (close, close_text) = if is_array {
                    (TokenKind::BarRBracket, "`|]`")
                } else {
                    (TokenKind::RBracket, "`]`")
                };
                let items = if self.cursor.raw().kind == close {
                    Vec::new()
                } else {
                    self.in_block(BlockKind::Bracket, false, |p| p.parse_pat_items())
                        .unwrap_or_default()
                };
                self.expect_closing(&close, close_text, open.span);
                self.mk_pat(
                    if is_array {
                        PatKind::Array(items)
                    } else {
                        PatKind::List(items)
                    },
                    start,
                )
            }
            TokenKind::LBrace => {
                let open = self.bump().span;
                let fields = self
                    .in_block(BlockKind::Bracket, false, |p| p.parse_record_pat_fields())
                    .unwrap_or_default();
                self.expect_closing(&TokenKind::RBrace, "`}`", open);
                self.mk_pat(PatKind::Record(fields), start)
            }
            TokenKind::Keyword(Keyword::Null) => {
                self.bump();
                self.unsupported(start, "the `null` pattern");
                self.mk_pat(PatKind::Error, start)
            }
            _ => {
                self.error_expected("a pattern");
                if !super::expr::ends_item(self.peek()) {
                    self.bump();
                }
                Pat {
                    kind: PatKind::Error,
                    span: start.shrink_to_start(),
                }
            }
        }
    }

    /// Elements of a list or array pattern, separated by `;` or new lines.
    fn parse_pat_items(&mut self) -> Vec<Pat> {
        let mut items = Vec::new();
        loop {
            self.accept_separator();
            let before = self.cursor.index();
            items.push(self.parse_pat());
            if self.cursor.index() == before || !(self.eat(&TokenKind::Semi) || self.at_separator())
            {
                break;
            }
        }
        items
    }

    fn parse_record_pat_fields(&mut self) -> Vec<(Vec<crate::ast::Ident>, Pat)> {
        let mut fields = Vec::new();
        loop {
            self.accept_separator();
            if !matches!(self.peek(), TokenKind::Ident(_)) {
                self.error_expected("a field name");
                break;
            }
            let path = self.expect_long_ident("a field name");
            let pat = if self.expect(&TokenKind::Equals, "`=`") {
                self.parse_pat()
            } else {
                Pat {
                    kind: PatKind::Error,
                    span: self.here(),
                }
            };
            fields.push((path, pat));
            if !(self.eat(&TokenKind::Semi) || self.at_separator()) {
                break;
            }
            if matches!(self.peek(), TokenKind::RBrace) {
                break;
            }
        }
        if fields.is_empty() {
            let span = self.span();
            self.error(
                Code::UnexpectedSyntax,
                span,
                "a record pattern needs at least one field",
            );
        }
        fields
    }
}
