//! The lexer: source text to raw tokens (before the offside rule is applied).
//!
//! Guarantees: every byte of the input is either inside a token, whitespace, or a
//! comment; literal values are decoded here (escapes resolved, numbers parsed to their
//! magnitude and suffix), and malformed literals are reported as FS1156 while still
//! producing a token so the parser can continue. The token list always ends with
//! `Eof`. Follows the lexical rules of the F# 4.1 specification, chapter 3, simplified.

use composer_diagnostics::{Code, Diagnostic, FileId, Span};

use crate::ast::IntSuffix;

/// One raw token.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// A piece of an interpolated string as the lexer sees it: hole expressions are kept
/// as a byte range of the source so the parser can lex and parse them in place.
#[derive(Debug, Clone, PartialEq)]
pub enum InterpolatedPiece {
    Text(String),
    /// `{expr}` / `{expr:format}`: `start..end` is the byte range of `expr`.
    Hole {
        start: u32,
        end: u32,
        format: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    Ident(String),
    /// `'a` (the name without the quote).
    TypeVar(String),
    Int {
        value: u128,
        suffix: IntSuffix,
        /// Written in hex, octal or binary: may denote a signed value by its bits.
        bit_pattern: bool,
    },
    Float {
        value: f64,
        is_single: bool,
    },
    Char(char),
    String(String),
    Interpolated(Vec<InterpolatedPiece>),
    Keyword(Keyword),
    /// A symbolic operator without a dedicated token (`+`, `|>`, `<`, `>>`, ...).
    Op(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    /// `[|`
    LBracketBar,
    /// `|]`
    BarRBracket,
    /// `[<`
    LBracketLess,
    /// `>]`
    GreaterRBracket,
    LBrace,
    RBrace,
    Comma,
    Semi,
    SemiSemi,
    Colon,
    ColonColon,
    Dot,
    DotDot,
    Equals,
    Bar,
    /// `->`
    Arrow,
    /// `<-`
    LArrow,
    Underscore,
    Hash,
    /// A character that cannot start any token (already reported).
    Error,
    /// Virtual: a new item of the current offside block (only from the layout layer).
    BlockSep,
    /// Virtual: the current offside block ends here (only from the layout layer).
    BlockEnd,
    Eof,
}

macro_rules! keywords {
    ($($variant:ident = $text:literal,)*) => {
        /// Reserved words of Clef (F# keywords; `not` is an ordinary function).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Keyword { $($variant,)* }

        impl Keyword {
            pub fn lookup(text: &str) -> Option<Keyword> {
                match text { $($text => Some(Keyword::$variant),)* _ => None }
            }
            pub fn as_str(self) -> &'static str {
                match self { $(Keyword::$variant => $text,)* }
            }
        }
    };
}

keywords! {
    Abstract = "abstract", And = "and", As = "as", Assert = "assert", Base = "base",
    Begin = "begin", Class = "class", Default = "default", Delegate = "delegate",
    Do = "do", DoBang = "do!", Done = "done", Downcast = "downcast", Downto = "downto",
    Elif = "elif", Else = "else", End = "end", Exception = "exception", Extern = "extern",
    False = "false", Finally = "finally", Fixed = "fixed", For = "for", Fun = "fun",
    Function = "function", Global = "global", If = "if", In = "in", Inherit = "inherit",
    Inline = "inline", Interface = "interface", Internal = "internal", Lazy = "lazy",
    Let = "let", LetBang = "let!", Match = "match", MatchBang = "match!", Member = "member",
    Module = "module", Mutable = "mutable", Namespace = "namespace", New = "new",
    Null = "null", Of = "of", Open = "open", Or = "or", Override = "override",
    Private = "private", Public = "public", Rec = "rec", Return = "return",
    ReturnBang = "return!", Sig = "sig", Static = "static", Struct = "struct",
    Then = "then", To = "to", True = "true", Try = "try", Type = "type",
    Upcast = "upcast", Use = "use", UseBang = "use!", Val = "val", Void = "void",
    When = "when", While = "while", With = "with", Yield = "yield",
    YieldBang = "yield!",
}

/// Lexes a whole file.
pub fn lex(file: FileId, text: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    lex_range(file, text, 0, text.len())
}

/// Lexes `text[start..end]` with spans relative to the whole `text` (used for the
/// holes of interpolated strings). Out-of-range or non-boundary bounds give no tokens.
pub fn lex_range(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
) -> (Vec<Token>, Vec<Diagnostic>) {
    let end = end.min(text.len());
    let start = start.min(end);
    let mut lexer = Lexer {
        file,
        src: text.get(..end).unwrap_or(""),
        pos: if text.is_char_boundary(start) {
            start
        } else {
            end
        },
        tokens: Vec::new(),
        diagnostics: Vec::new(),
    };
    lexer.run();
    let eof = Span::new(file, end as u32, end as u32);
    lexer.tokens.push(Token {
        kind: TokenKind::Eof,
        span: eof,
    });
    (lexer.tokens, lexer.diagnostics)
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c == '\'' || c.is_alphanumeric()
}

/// Characters that make up symbolic operators (F# `op_char`, minus `.` and `:`,
/// which are lexed on their own).
fn is_op_char(c: char) -> bool {
    matches!(
        c,
        '!' | '$'
            | '%'
            | '&'
            | '*'
            | '+'
            | '-'
            | '/'
            | '<'
            | '='
            | '>'
            | '?'
            | '@'
            | '^'
            | '|'
            | '~'
    )
}

struct Lexer<'a> {
    file: FileId,
    /// The source up to the end of the lexed range.
    src: &'a str,
    pos: usize,
    tokens: Vec<Token>,
    diagnostics: Vec<Diagnostic>,
}

impl Lexer<'_> {
    fn peek_char(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek_nth(&self, n: usize) -> Option<char> {
        self.src[self.pos..].chars().nth(n)
    }

    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start as u32, self.pos as u32)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        let span = self.span(start);
        self.tokens.push(Token { kind, span });
    }

    fn error(&mut self, code: Code, start: usize, end: usize, message: impl Into<String>) {
        let span = Span::new(self.file, start as u32, end as u32);
        self.diagnostics
            .push(Diagnostic::error(code, span, message));
    }

    fn run(&mut self) {
        // A UTF-8 byte-order mark at the start of a file (editors on Windows write one).
        if self.pos == 0 && self.src.starts_with('\u{feff}') {
            self.pos = '\u{feff}'.len_utf8();
        }
        let mut tab_line = None;
        while let Some(c) = self.peek_char() {
            let start = self.pos;
            match c {
                ' ' | '\r' | '\n' => {
                    self.bump();
                }
                '\t' => {
                    // One error per line, at its first tab, as F# reports them.
                    let line = self.src[..start].rfind('\n');
                    if tab_line != Some(line) {
                        tab_line = Some(line);
                        self.error(
                            Code::TabsNotAllowed,
                            start,
                            start + 1,
                            "Tabs are not allowed in F# code: indent with spaces",
                        );
                    }
                    self.bump();
                }
                '/' if self.rest().starts_with("//") => self.skip_line_comment(),
                '(' if self.rest().starts_with("(*)") => {
                    self.bump();
                    self.push(TokenKind::LParen, start);
                    let star = self.pos;
                    self.bump();
                    self.push(TokenKind::Op("*".into()), star);
                    let close = self.pos;
                    self.bump();
                    self.push(TokenKind::RParen, close);
                }
                '(' if self.rest().starts_with("(*") => self.skip_block_comment(),
                '"' => self.lex_string(start),
                '@' if self.rest().starts_with("@\"") => {
                    self.bump();
                    self.lex_verbatim_string(start);
                }
                '$' if self.rest().starts_with("$\"") || self.rest().starts_with("$@\"") => {
                    self.lex_interpolated(start)
                }
                '@' if self.rest().starts_with("@$\"") => self.lex_interpolated(start),
                '\'' => self.lex_quote(start),
                '`' if self.rest().starts_with("``") => self.lex_backtick_ident(start),
                c if c.is_ascii_digit() => self.lex_number(start),
                c if is_ident_start(c) => self.lex_ident(start),
                _ => self.lex_symbol(start, c),
            }
        }
    }

    fn skip_line_comment(&mut self) {
        while let Some(c) = self.peek_char() {
            if c == '\n' {
                break;
            }
            self.bump();
        }
    }

    fn skip_block_comment(&mut self) {
        let start = self.pos;
        let mut depth = 0u32;
        loop {
            if self.rest().starts_with("(*") {
                depth += 1;
                self.pos += 2;
            } else if self.rest().starts_with("*)") {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return;
                }
            } else if self.bump().is_none() {
                self.error(
                    Code::UnexpectedSyntax,
                    start,
                    start + 2,
                    "unterminated comment: this `(*` has no matching `*)`",
                );
                return;
            }
        }
    }

    fn lex_ident(&mut self, start: usize) {
        while let Some(c) = self.peek_char() {
            if !is_ident_char(c) {
                break;
            }
            self.bump();
        }
        let text = &self.src[start..self.pos];
        let text = text.to_string();
        let text = text.as_str();
        if text == "_" {
            self.push(TokenKind::Underscore, start);
            return;
        }
        let keyword = match Keyword::lookup(text) {
            Some(
                k @ (Keyword::Yield
                | Keyword::Return
                | Keyword::Let
                | Keyword::Use
                | Keyword::Do
                | Keyword::Match),
            ) if self.peek_char() == Some('!') => {
                self.bump();
                Some(Keyword::lookup(&self.src[start..self.pos]).unwrap_or(k))
            }
            other => other,
        };
        let kind = match keyword {
            Some(k) => TokenKind::Keyword(k),
            None => TokenKind::Ident(text.to_string()),
        };
        self.push(kind, start);
    }

    fn lex_backtick_ident(&mut self, start: usize) {
        self.pos += 2;
        let name_start = self.pos;
        match self.rest().find("``") {
            Some(len) if !self.rest()[..len].contains('\n') => {
                let name = self.src[name_start..name_start + len].to_string();
                self.pos = name_start + len + 2;
                self.push(TokenKind::Ident(name), start);
            }
            _ => {
                self.skip_line_comment();
                self.error(
                    Code::UnexpectedSyntax,
                    start,
                    self.pos,
                    "unterminated ``identifier``",
                );
                self.push(TokenKind::Error, start);
            }
        }
    }

    fn lex_symbol(&mut self, start: usize, c: char) {
        let single = |kind| Some((kind, 1usize));
        let fixed = match c {
            '(' => single(TokenKind::LParen),
            ')' => single(TokenKind::RParen),
            '[' if self.rest().starts_with("[|") => Some((TokenKind::LBracketBar, 2)),
            '[' if self.rest().starts_with("[<") => Some((TokenKind::LBracketLess, 2)),
            '[' => single(TokenKind::LBracket),
            ']' => single(TokenKind::RBracket),
            '{' => single(TokenKind::LBrace),
            '}' => single(TokenKind::RBrace),
            ',' => single(TokenKind::Comma),
            ';' if self.rest().starts_with(";;") => Some((TokenKind::SemiSemi, 2)),
            ';' => single(TokenKind::Semi),
            ':' if self.rest().starts_with("::") => Some((TokenKind::ColonColon, 2)),
            ':' if self.rest().starts_with(":?>") => Some((TokenKind::Op(":?>".into()), 3)),
            ':' if self.rest().starts_with(":?") => Some((TokenKind::Op(":?".into()), 2)),
            ':' if self.rest().starts_with(":>") => Some((TokenKind::Op(":>".into()), 2)),
            ':' if self.rest().starts_with(":=") => Some((TokenKind::Op(":=".into()), 2)),
            ':' => single(TokenKind::Colon),
            '.' if self.rest().starts_with("..") => Some((TokenKind::DotDot, 2)),
            // `.>>.`, `.*`: an operator may start with dots (F# ignores them for
            // precedence); `.` before anything else is member access.
            '.' if self.rest()[1..].chars().next().is_some_and(is_op_char) => None,
            '.' => single(TokenKind::Dot),
            '#' => single(TokenKind::Hash),
            _ => None,
        };
        if let Some((kind, len)) = fixed {
            self.pos += len;
            self.push(kind, start);
            return;
        }
        if !is_op_char(c) && c != '.' {
            self.bump();
            self.error(
                Code::UnexpectedSyntax,
                start,
                self.pos,
                format!("unexpected character `{}`", c.escape_debug()),
            );
            self.push(TokenKind::Error, start);
            return;
        }
        while let Some(next) = self.peek_char() {
            // After its first character an operator may contain `.` (`+.`, `**.`),
            // as in F#; `..` stays a range.
            let dot = next == '.' && !self.rest()[1..].starts_with('.');
            if !is_op_char(next) && !dot {
                break;
            }
            self.bump();
        }
        let text = &self.src[start..self.pos];
        let next = self.peek_char();
        let kind = match text {
            "=" => TokenKind::Equals,
            "|" if next == Some(']') => {
                self.bump();
                TokenKind::BarRBracket
            }
            ">" if next == Some(']') => {
                self.bump();
                TokenKind::GreaterRBracket
            }
            "|" => TokenKind::Bar,
            "->" => TokenKind::Arrow,
            "<-" => TokenKind::LArrow,
            _ => TokenKind::Op(text.to_string()),
        };
        self.push(kind, start);
    }

    // ---------------------------------------------------------------- numbers

    fn lex_number(&mut self, start: usize) {
        let rest = self.rest();
        let radix = match rest.get(..2) {
            Some("0x" | "0X") => 16,
            Some("0o" | "0O") => 8,
            Some("0b" | "0B") => 2,
            _ => 10,
        };
        if radix != 10 {
            self.pos += 2;
            let digits_start = self.pos;
            while let Some(c) = self.peek_char() {
                if c.is_ascii_hexdigit() && (radix == 16 || c.is_ascii_digit()) || c == '_' {
                    self.bump();
                } else {
                    break;
                }
            }
            let digits = self.src[digits_start..self.pos].to_string();
            let suffix = self.lex_suffix();
            self.finish_int(start, &digits, radix, &suffix);
            return;
        }
        self.eat_digits();
        let mut is_float = false;
        if self.peek_char() == Some('.') {
            match self.peek_nth(1) {
                Some(c) if c.is_ascii_digit() => {
                    is_float = true;
                    self.bump();
                    self.eat_digits();
                }
                Some(c) if c == '.' || is_ident_start(c) => {}
                _ => {
                    is_float = true;
                    self.bump();
                }
            }
        }
        if matches!(self.peek_char(), Some('e' | 'E')) {
            let signed = matches!(self.peek_nth(1), Some('+' | '-'));
            let digit_at = if signed { 2 } else { 1 };
            if self.peek_nth(digit_at).is_some_and(|c| c.is_ascii_digit()) {
                is_float = true;
                self.pos += digit_at;
                self.eat_digits();
            }
        }
        let number = self.src[start..self.pos].to_string();
        let suffix = self.lex_suffix();
        if is_float || matches!(suffix.as_str(), "f" | "F") {
            self.finish_float(start, &number, &suffix);
        } else {
            self.finish_int(start, &number, 10, &suffix);
        }
    }

    fn eat_digits(&mut self) {
        while let Some(c) = self.peek_char() {
            if c.is_ascii_digit() || c == '_' {
                self.bump();
            } else {
                break;
            }
        }
    }

    fn lex_suffix(&mut self) -> String {
        let start = self.pos;
        while let Some(c) = self.peek_char() {
            if c.is_ascii_alphanumeric() || c == '_' {
                self.bump();
            } else {
                break;
            }
        }
        self.src[start..self.pos].to_string()
    }

    /// Checks `_` placement (not first, not last, not doubled is allowed by F#; only
    /// leading/trailing are errors) and returns the digits without separators.
    fn clean_digits(&mut self, start: usize, digits: &str) -> Option<String> {
        if digits.is_empty() || digits.ends_with('_') || digits.starts_with('_') {
            self.error(
                Code::BadLiteral,
                start,
                self.pos,
                "This is not a valid numeric literal",
            );
            return None;
        }
        Some(digits.chars().filter(|&c| c != '_').collect())
    }

    fn finish_int(&mut self, start: usize, digits: &str, radix: u32, suffix: &str) {
        let suffix = match suffix {
            "" => Some(IntSuffix::None),
            "y" => Some(IntSuffix::Y),
            "uy" => Some(IntSuffix::UY),
            "s" => Some(IntSuffix::S),
            "us" => Some(IntSuffix::US),
            "l" => Some(IntSuffix::L),
            "u" | "ul" => Some(IntSuffix::U),
            "L" => Some(IntSuffix::LL),
            "UL" | "uL" => Some(IntSuffix::ULL),
            "n" => Some(IntSuffix::N),
            "un" => Some(IntSuffix::UN),
            "m" | "M" | "I" | "Q" | "R" | "Z" | "N" | "G" | "LF" | "lf" => {
                self.error(
                    Code::Unsupported,
                    start,
                    self.pos,
                    format!("numeric literals with suffix `{suffix}` are not supported"),
                );
                None
            }
            _ => {
                self.error(
                    Code::BadLiteral,
                    start,
                    self.pos,
                    format!("This is not a valid numeric literal: unknown suffix `{suffix}`"),
                );
                None
            }
        };
        let value = match self.clean_digits(start, digits) {
            Some(clean) => self.parse_magnitude(start, &clean, radix),
            None => 0,
        };
        let suffix = suffix.unwrap_or(IntSuffix::None);
        self.push(
            TokenKind::Int {
                value,
                suffix,
                bit_pattern: radix != 10,
            },
            start,
        );
    }

    fn parse_magnitude(&mut self, start: usize, digits: &str, radix: u32) -> u128 {
        let mut value: u128 = 0;
        for c in digits.chars() {
            let Some(digit) = c.to_digit(radix) else {
                self.error(
                    Code::BadLiteral,
                    start,
                    self.pos,
                    format!(
                        "This is not a valid numeric literal: `{c}` is not a base-{radix} digit"
                    ),
                );
                return 0;
            };
            match value
                .checked_mul(u128::from(radix))
                .and_then(|v| v.checked_add(u128::from(digit)))
            {
                Some(v) => value = v,
                None => {
                    self.error(
                        Code::BadLiteral,
                        start,
                        self.pos,
                        "This integer literal is too large",
                    );
                    return 0;
                }
            }
        }
        value
    }

    fn finish_float(&mut self, start: usize, number: &str, suffix: &str) {
        let is_single = match suffix {
            "" => false,
            "f" | "F" => true,
            "m" | "M" => {
                self.error(
                    Code::Unsupported,
                    start,
                    self.pos,
                    "decimal literals are not supported",
                );
                false
            }
            _ => {
                self.error(
                    Code::BadLiteral,
                    start,
                    self.pos,
                    format!("This is not a valid numeric literal: unknown suffix `{suffix}`"),
                );
                false
            }
        };
        let bad_underscore = number.ends_with('_')
            || number.contains("_.")
            || number.contains("._")
            || number.contains("_e")
            || number.contains("_E");
        let clean: String = number.chars().filter(|&c| c != '_').collect();
        let value = match clean.parse::<f64>() {
            Ok(v) if !bad_underscore => v,
            _ => {
                self.error(
                    Code::BadLiteral,
                    start,
                    self.pos,
                    "This is not a valid numeric literal",
                );
                0.0
            }
        };
        self.push(TokenKind::Float { value, is_single }, start);
    }

    // ---------------------------------------------------------------- chars and strings

    /// `'a'`, `'\n'` (a char literal) or `'a` (a type variable).
    fn lex_quote(&mut self, start: usize) {
        self.bump();
        let save = self.pos;
        match self.peek_char() {
            Some('\\') => {
                let errors_before = self.diagnostics.len();
                let c = self.lex_escape(start, false);
                if self.peek_char() == Some('\'') {
                    self.bump();
                    self.push(TokenKind::Char(c.unwrap_or('\0')), start);
                    return;
                }
                if self.diagnostics.len() > errors_before {
                    // Already reported: skip to the closing quote on this line.
                    self.skip_to_closing_quote();
                    self.push(TokenKind::Char('\0'), start);
                    return;
                }
                self.pos = save;
            }
            Some(c) if c != '\'' && c != '\n' && self.peek_nth(1) == Some('\'') => {
                self.bump();
                self.bump();
                self.push(TokenKind::Char(c), start);
                return;
            }
            _ => {}
        }
        if self.peek_char().is_some_and(is_ident_start) {
            let name_start = self.pos;
            while self
                .peek_char()
                .is_some_and(|c| c == '_' || c.is_alphanumeric())
            {
                self.bump();
            }
            if self.peek_char() == Some('\'') {
                // `'ab'`: a character literal with too many characters.
                self.bump();
                self.error(
                    Code::BadLiteral,
                    start,
                    self.pos,
                    "This is not a valid character literal: it has more than one character",
                );
                self.push(TokenKind::Char('\0'), start);
                return;
            }
            let name = self.src[name_start..self.pos].to_string();
            self.push(TokenKind::TypeVar(name), start);
            return;
        }
        // Consume to the next quote on this line so one mistake gives one error.
        self.skip_to_closing_quote();
        self.error(
            Code::BadLiteral,
            start,
            self.pos,
            "This is not a valid character literal",
        );
        self.push(TokenKind::Char('\0'), start);
    }

    /// Moves past the next `'` on this line, if there is one.
    fn skip_to_closing_quote(&mut self) {
        let line_rest = &self.src[self.pos..];
        let stop = line_rest.find(['\'', '\n']).unwrap_or(line_rest.len());
        if line_rest[stop..].starts_with('\'') {
            self.pos += stop + 1;
        }
    }

    /// Reads one escape sequence at `\`. `None` when it was bad (already reported).
    /// In strings an unknown escape is kept verbatim (as F# does); `in_string` says so.
    fn lex_escape(&mut self, literal_start: usize, in_string: bool) -> Option<char> {
        let esc_start = self.pos;
        self.bump();
        let Some(c) = self.bump() else {
            self.error(
                Code::BadLiteral,
                literal_start,
                self.pos,
                "unterminated escape sequence",
            );
            return None;
        };
        let simple = match c {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'b' => Some('\u{8}'),
            'a' => Some('\u{7}'),
            'f' => Some('\u{c}'),
            'v' => Some('\u{b}'),
            '\\' => Some('\\'),
            '"' => Some('"'),
            '\'' => Some('\''),
            _ => None,
        };
        if simple.is_some() {
            return simple;
        }
        let hex = |lexer: &mut Self, count: usize| -> Option<char> {
            let digits = lexer.src[lexer.pos..]
                .get(..count)
                .filter(|d| d.chars().all(|c| c.is_ascii_hexdigit()));
            let Some(digits) = digits else {
                lexer.error(
                    Code::BadLiteral,
                    esc_start,
                    lexer.pos,
                    "This is not a valid escape sequence: expected hexadecimal digits",
                );
                return None;
            };
            lexer.pos += count;
            let code = u32::from_str_radix(digits, 16).unwrap_or(u32::MAX);
            let ch = char::from_u32(code);
            if ch.is_none() {
                lexer.error(
                    Code::BadLiteral,
                    esc_start,
                    lexer.pos,
                    format!(
                        "`{}` is not a valid Unicode scalar value",
                        &lexer.src[esc_start..lexer.pos]
                    ),
                );
            }
            ch
        };
        match c {
            'u' => hex(self, 4),
            'U' => hex(self, 8),
            'x' => hex(self, 2),
            d if d.is_ascii_digit() => {
                let trigraph = self.src[esc_start + 1..]
                    .get(..3)
                    .filter(|t| t.chars().all(|c| c.is_ascii_digit()));
                if let Some(trigraph) = trigraph {
                    self.pos = esc_start + 4;
                    let code: u32 = trigraph.parse().unwrap_or(u32::MAX);
                    if code > 255 {
                        self.error(
                            Code::BadLiteral,
                            esc_start,
                            self.pos,
                            "trigraph escape must be at most \\255",
                        );
                        return None;
                    }
                    char::from_u32(code)
                } else if d == '0' {
                    Some('\0')
                } else if in_string {
                    self.pos = esc_start + 1;
                    Some('\\')
                } else {
                    self.error(
                        Code::BadLiteral,
                        esc_start,
                        self.pos,
                        "This is not a valid escape sequence",
                    );
                    None
                }
            }
            _ if in_string => {
                // F# keeps unknown escapes as written: the backslash is an ordinary char.
                self.pos = esc_start + 1;
                Some('\\')
            }
            _ => {
                self.error(
                    Code::BadLiteral,
                    esc_start,
                    self.pos,
                    "This is not a valid escape sequence",
                );
                None
            }
        }
    }

    fn unterminated(&mut self, start: usize) {
        self.error(
            Code::BadLiteral,
            start,
            self.pos,
            "unterminated string literal",
        );
    }

    fn lex_string(&mut self, start: usize) {
        if self.rest().starts_with("\"\"\"") {
            self.pos += 3;
            let value = match self.rest().find("\"\"\"") {
                Some(len) => {
                    let value = self.rest()[..len].to_string();
                    self.pos += len + 3;
                    value
                }
                None => {
                    let value = self.rest().to_string();
                    self.pos = self.src.len();
                    self.unterminated(start);
                    value
                }
            };
            self.push(TokenKind::String(value), start);
            return;
        }
        self.bump();
        let mut value = String::new();
        loop {
            match self.peek_char() {
                None => {
                    self.unterminated(start);
                    break;
                }
                Some('"') => {
                    self.bump();
                    break;
                }
                Some('\\') if matches!(self.peek_nth(1), Some('\n' | '\r')) => {
                    // A backslash at the end of a line skips the newline and indentation.
                    self.bump();
                    while self.peek_char().is_some_and(char::is_whitespace) {
                        self.bump();
                    }
                }
                Some('\\') => {
                    if let Some(c) = self.lex_escape(start, true) {
                        value.push(c);
                    }
                }
                Some(c) => {
                    self.bump();
                    value.push(c);
                }
            }
        }
        if self.peek_char() == Some('B') {
            self.bump();
            self.error(
                Code::Unsupported,
                start,
                self.pos,
                "byte-array string literals (`\"...\"B`) are not supported",
            );
        }
        self.push(TokenKind::String(value), start);
    }

    /// After the `@`, at the opening quote.
    fn lex_verbatim_string(&mut self, start: usize) {
        self.bump();
        let mut value = String::new();
        loop {
            match self.bump() {
                None => {
                    self.unterminated(start);
                    break;
                }
                Some('"') if self.peek_char() == Some('"') => {
                    self.bump();
                    value.push('"');
                }
                Some('"') => break,
                Some(c) => value.push(c),
            }
        }
        self.push(TokenKind::String(value), start);
    }

    /// `$"..."`, `$@"..."`, `@$"..."`, `$"""..."""`.
    fn lex_interpolated(&mut self, start: usize) {
        let mut verbatim = false;
        while let Some(c @ ('$' | '@')) = self.peek_char() {
            verbatim |= c == '@';
            self.bump();
        }
        let triple = self.rest().starts_with("\"\"\"");
        self.pos += if triple { 3 } else { 1 };
        let mut pieces = Vec::new();
        let mut text = String::new();
        loop {
            let Some(c) = self.peek_char() else {
                self.unterminated(start);
                break;
            };
            if triple && self.rest().starts_with("\"\"\"") {
                self.pos += 3;
                break;
            }
            match c {
                '"' if !triple => {
                    self.bump();
                    if verbatim && self.peek_char() == Some('"') {
                        self.bump();
                        text.push('"');
                    } else {
                        break;
                    }
                }
                '{' if self.peek_nth(1) == Some('{') => {
                    self.pos += 2;
                    text.push('{');
                }
                '}' if self.peek_nth(1) == Some('}') => {
                    self.pos += 2;
                    text.push('}');
                }
                '}' => {
                    self.bump();
                    self.error(
                        Code::BadLiteral,
                        self.pos - 1,
                        self.pos,
                        "a single `}` in an interpolated string must be doubled (`}}`)",
                    );
                }
                '{' => {
                    if !text.is_empty() {
                        pieces.push(InterpolatedPiece::Text(std::mem::take(&mut text)));
                    }
                    match self.lex_hole(triple) {
                        Some(hole) => pieces.push(hole),
                        None => {
                            self.unterminated(start);
                            break;
                        }
                    }
                }
                '\\' if !verbatim && !triple => {
                    if let Some(c) = self.lex_escape(start, true) {
                        text.push(c);
                    }
                }
                _ => {
                    self.bump();
                    text.push(c);
                }
            }
        }
        if !text.is_empty() {
            pieces.push(InterpolatedPiece::Text(text));
        }
        self.push(TokenKind::Interpolated(pieces), start);
    }

    fn at_nested_string(&self) -> bool {
        let rest = self.rest();
        rest.starts_with('"')
            || rest.starts_with("$\"")
            || rest.starts_with("@\"")
            || rest.starts_with("$@\"")
            || rest.starts_with("@$\"")
    }

    /// Skips a string literal inside an interpolation hole (its holes too). `false`
    /// when the input ends first, or the line ends first in a `single_line` context
    /// (holes of `$"..."`, where a runaway nested string would swallow the file).
    fn skip_nested_string(&mut self, single_line: bool) -> bool {
        let mut interpolated = false;
        let mut verbatim = false;
        while let Some(c @ ('$' | '@')) = self.peek_char() {
            interpolated |= c == '$';
            verbatim |= c == '@';
            self.bump();
        }
        let triple = self.rest().starts_with("\"\"\"");
        self.pos += if triple { 3 } else { 1 };
        loop {
            let Some(c) = self.peek_char() else {
                return false;
            };
            if triple && self.rest().starts_with("\"\"\"") {
                self.pos += 3;
                return true;
            }
            match c {
                '\n' if single_line => return false,
                '"' if !triple => {
                    self.bump();
                    if verbatim && self.peek_char() == Some('"') {
                        self.bump();
                        continue;
                    }
                    return true;
                }
                '\\' if !verbatim && !triple => {
                    self.pos += 1;
                    self.bump();
                }
                '{' if interpolated && self.peek_nth(1) == Some('{') => self.pos += 2,
                '{' if interpolated => {
                    if self.lex_hole(triple).is_none() {
                        return false;
                    }
                }
                _ => {
                    self.bump();
                }
            }
        }
    }

    /// At `{`: scans to the matching `}` and returns the hole's range and format.
    /// `None` when the string ends first.
    fn lex_hole(&mut self, triple: bool) -> Option<InterpolatedPiece> {
        self.bump();
        let expr_start = self.pos;
        let mut expr_end = None;
        let mut format_start = None;
        let mut depth = 0u32;
        loop {
            let c = self.peek_char()?;
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' => depth = depth.saturating_sub(1),
                '}' if depth == 0 => {
                    let end = self.pos;
                    self.bump();
                    let expr_end = expr_end.unwrap_or(end);
                    let format = format_start.map(|f| self.src[f..end].to_string());
                    return Some(InterpolatedPiece::Hole {
                        start: expr_start as u32,
                        end: expr_end as u32,
                        format,
                    });
                }
                '}' => depth -= 1,
                ':' if depth == 0 && format_start.is_none() => {
                    if self.peek_nth(1) == Some(':') {
                        self.pos += 2;
                        continue;
                    }
                    expr_end = Some(self.pos);
                    format_start = Some(self.pos + 1);
                }
                '"' | '$' | '@' if format_start.is_none() && self.at_nested_string() => {
                    if !self.skip_nested_string(!triple) {
                        return None;
                    }
                    continue;
                }
                '"' => {
                    self.bump();
                    return None;
                }
                _ => {}
            }
            self.bump();
        }
    }
}
