//! Files and declarations: the `module`/`namespace` header, `let` (module-level and
//! the shared binding syntax), nested `module X =`, `open`, `do`, attributes, and
//! `type` definitions (records, unions, abbreviations, measures, members).

use composer_diagnostics::{Code, Span};

use super::Parser;
use crate::ast::{
    Attribute, Binding, Decl, DeclKind, EnumCase, ExprKind, FieldDefn, FileHeader, Ident,
    MemberDefn, Pat, PatKind, SourceFile, TypeDefn, TypeDefnKind, TypeExpr, TypeExprKind,
    UnionCase,
};
use crate::layout::BlockKind;
use crate::lexer::{Keyword, TokenKind};

fn starts_member(kind: &TokenKind) -> bool {
    use Keyword as K;
    matches!(
        kind,
        TokenKind::Keyword(
            K::Member
                | K::Static
                | K::Override
                | K::Default
                | K::Abstract
                | K::New
                | K::Val
                | K::Interface
                | K::Inherit
        )
    )
}

impl Parser<'_> {
    pub(crate) fn parse_file(&mut self) -> SourceFile {
        let start = self.span();
        let mut header = FileHeader::None;
        let mut decls = Vec::new();
        let mut first = true;
        while !self.cursor.is_eof() {
            if !self.cursor.open_block(BlockKind::Seq, true) {
                break;
            }
            if !first {
                let span = self.span();
                self.error(Code::UnexpectedSyntax, span, "possible incorrect indentation: this declaration is offside of the declarations before it");
            }
            if first {
                header = self.parse_header();
            }
            first = false;
            decls.extend(self.parse_decls());
            self.cursor.truncate_blocks(0);
        }
        let end = self.cursor.raw().span;
        SourceFile {
            header,
            decls,
            span: Span::new(self.file, start.start.min(end.end), end.end),
            nowarn: std::mem::take(&mut self.nowarn),
        }
    }

    /// The arguments of `#nowarn`: warning numbers as strings (`"25"`, `"FS0025"`)
    /// or bare numbers (`#nowarn 25`), as F# takes them.
    fn nowarn_arguments(&mut self, at: Span) {
        loop {
            let span = self.span();
            let text = match self.peek() {
                TokenKind::String(s) => s.clone(),
                TokenKind::Int { value, .. } => value.to_string(),
                _ => break,
            };
            self.bump();
            let digits = text
                .trim()
                .trim_start_matches("FS")
                .trim_start_matches("fs");
            match digits.parse::<u32>() {
                Ok(code) => self.nowarn.push(crate::ast::NoWarn { at, code }),
                Err(_) => self.error(
                    Code::UnexpectedSyntax,
                    span,
                    format!("`#nowarn` takes warning numbers such as \"25\" or \"FS0025\", not `{text}`"),
                ),
            }
        }
    }

    /// `module A.B` or `namespace A.B` as the first declaration (not `module X =`).
    fn parse_header(&mut self) -> FileHeader {
        let is_namespace = self.at_kw(Keyword::Namespace);
        if !is_namespace && !self.at_kw(Keyword::Module) {
            return FileHeader::None;
        }
        let mut n = 1;
        while matches!(
            self.nth(n),
            TokenKind::Keyword(
                Keyword::Private | Keyword::Internal | Keyword::Public | Keyword::Rec
            )
        ) {
            n += 1;
        }
        if !is_namespace
            && matches!(self.nth(n), TokenKind::Ident(_))
            && *self.nth(n + 1) == TokenKind::Equals
        {
            return FileHeader::None;
        }
        self.bump();
        let _ = self.skip_access_modifiers();
        if self.eat_kw(Keyword::Rec) {
            let span = self.prev_span();
            self.unsupported(span, "`rec` modules and namespaces");
        }
        let path = self.expect_long_ident("a module or namespace name");
        if is_namespace {
            FileHeader::Namespace(path)
        } else {
            FileHeader::Module(path)
        }
    }

    /// Skips `private`/`internal`/`public`; whether `private` was among them.
    fn skip_access_modifiers(&mut self) -> bool {
        let mut private = false;
        while matches!(
            self.peek(),
            TokenKind::Keyword(Keyword::Private | Keyword::Internal | Keyword::Public)
        ) {
            private |= matches!(self.peek(), TokenKind::Keyword(Keyword::Private));
            self.bump();
        }
        private
    }

    /// The declarations of the current block (file or `module X =` body).
    fn parse_decls(&mut self) -> Vec<Decl> {
        let mut decls = Vec::new();
        loop {
            self.accept_separator();
            match self.peek() {
                TokenKind::Eof | TokenKind::BlockEnd => break,
                TokenKind::SemiSemi => {
                    self.bump();
                    continue;
                }
                _ => {}
            }
            let before = self.cursor.index();
            let depth = self.cursor.depth();
            if let Some(decl) = self.parse_decl() {
                decls.push(decl);
            }
            self.cursor.truncate_blocks(depth);
            if !matches!(
                self.peek(),
                TokenKind::BlockSep | TokenKind::BlockEnd | TokenKind::Eof | TokenKind::SemiSemi
            ) {
                let (span, found) = self.found();
                self.error(
                    Code::UnexpectedSyntax,
                    span,
                    format!("Unexpected {found} in definition"),
                );
                self.skip_to_item_boundary();
            }
            if self.cursor.index() == before {
                self.bump();
            }
        }
        decls
    }

    fn parse_attributes(&mut self) -> Vec<Attribute> {
        let mut attributes = Vec::new();
        while self.at(&TokenKind::LBracketLess) {
            let open = self.bump().span;
            loop {
                let start = self.span();
                if matches!(self.nth(1), TokenKind::Colon)
                    && matches!(self.peek(), TokenKind::Ident(_) | TokenKind::Keyword(_))
                {
                    self.unsupported(start, "attribute targets such as `assembly:`");
                    self.bump();
                    self.bump();
                }
                let name = self.expect_long_ident("an attribute name");
                if name.is_empty() {
                    break;
                }
                let arg = if self.at(&TokenKind::LParen) {
                    Some(self.parse_paren())
                } else {
                    None
                };
                attributes.push(Attribute {
                    name,
                    arg,
                    span: self.since(start),
                });
                if !self.eat(&TokenKind::Semi) {
                    break;
                }
            }
            if !self.expect_closing(&TokenKind::GreaterRBracket, "`>]`", open) {
                // Skip the rest of a broken attribute list on this line.
                while !matches!(
                    self.peek(),
                    TokenKind::BlockSep
                        | TokenKind::BlockEnd
                        | TokenKind::Eof
                        | TokenKind::GreaterRBracket
                ) {
                    self.bump();
                }
                self.eat(&TokenKind::GreaterRBracket);
            }
            // Attributes may stand on their own line above the declaration.
            self.accept_separator();
        }
        attributes
    }

    fn parse_decl(&mut self) -> Option<Decl> {
        let start = self.span();
        let mut attributes = self.parse_attributes();
        use Keyword as K;
        let kind = match self.peek().clone() {
            TokenKind::Keyword(K::Let | K::Use) => {
                let keyword = self.bump();
                if keyword.kind == TokenKind::Keyword(K::Use) {
                    self.unsupported(keyword.span, "`use` at module level");
                }
                let (is_rec, bindings) = self.parse_bindings();
                if self.eat_kw(K::In) {
                    // `let x = 1 in expr` at module level is an expression.
                    let body = self.parse_seq_expr();
                    let expr = self.mk(
                        ExprKind::Let {
                            is_rec,
                            bindings,
                            body: Box::new(body),
                        },
                        start,
                    );
                    DeclKind::Do(expr)
                } else {
                    DeclKind::Let { is_rec, bindings }
                }
            }
            TokenKind::Keyword(K::Do) => {
                self.bump();
                DeclKind::Do(self.parse_block("`do`"))
            }
            TokenKind::Keyword(K::Type) => {
                self.bump();
                DeclKind::Types(self.parse_type_defns(std::mem::take(&mut attributes)))
            }
            TokenKind::Keyword(K::Module) => self.parse_nested_module(),
            TokenKind::Keyword(K::Open) => {
                self.bump();
                if self.at_kw(K::Type) {
                    self.unsupported(start, "`open type`");
                    self.bump();
                }
                DeclKind::Open(self.expect_long_ident("a module or namespace name"))
            }
            TokenKind::Keyword(K::Namespace) => {
                self.unsupported(start, "a `namespace` after the first declaration");
                self.skip_to_item_boundary();
                DeclKind::Error
            }
            TokenKind::Hash => {
                self.bump();
                let directive = self.peek().clone();
                match &directive {
                    TokenKind::Ident(name) if name == "nowarn" => {
                        self.bump();
                        self.nowarn_arguments(start);
                    }
                    TokenKind::Ident(name) if name == "light" => {}
                    _ => self.unsupported(start, "this `#` directive"),
                }
                self.skip_to_item_boundary();
                return None;
            }
            TokenKind::Keyword(k @ (K::Exception | K::Extern)) => {
                let what = if k == K::Exception {
                    "`exception` declarations (Clef has no exceptions: make the errors a union and return a `Result`)".to_string()
                } else {
                    format!("`{}` declarations", k.as_str())
                };
                self.unsupported(start, &what);
                self.skip_to_item_boundary();
                DeclKind::Error
            }
            TokenKind::Eof | TokenKind::BlockEnd | TokenKind::BlockSep
                if !attributes.is_empty() =>
            {
                self.error_expected("a declaration after the attributes");
                DeclKind::Error
            }
            kind if super::expr::ends_item(&kind) || kind == TokenKind::Semi => {
                self.error_expected("a declaration");
                return None;
            }
            _ => {
                // `a; b` on one line at top level is one sequential expression.
                let mut items = vec![self.parse_expr_or_range()];
                while self.at(&TokenKind::Semi) && !super::expr::ends_item(self.nth(1)) {
                    self.bump();
                    items.push(self.parse_expr_or_range());
                }
                self.eat(&TokenKind::Semi);
                DeclKind::Do(self.sequence(items))
            }
        };
        Some(Decl {
            attributes,
            kind,
            span: self.since(start),
        })
    }

    fn parse_nested_module(&mut self) -> DeclKind {
        let keyword = self.bump();
        let _ = self.skip_access_modifiers();
        if self.eat_kw(Keyword::Rec) {
            self.unsupported(self.prev_span(), "`module rec`");
        }
        let path = self.expect_long_ident("a module name");
        let Some(name) = path.first().copied() else {
            return DeclKind::Error;
        };
        if path.len() > 1 || !self.at(&TokenKind::Equals) {
            self.error(
                Code::UnexpectedSyntax,
                keyword.span.to(self.prev_span()),
                "a `module A.B` header must be the first declaration of the file; nested modules are written `module X =`",
            );
            return DeclKind::Error;
        }
        self.bump();
        if self.at_kw(Keyword::Begin) || self.at_kw(Keyword::Struct) {
            self.unsupported(self.span(), "`module X = begin ... end`");
        }
        let decls = self.in_block(BlockKind::Seq, false, |p| p.parse_decls());
        let decls = decls.unwrap_or_else(|| {
            self.error_expected("the indented declarations of the module");
            Vec::new()
        });
        DeclKind::Module { name, decls }
    }

    /// After `let`: `[rec] binding [and binding]*`.
    pub(super) fn parse_bindings(&mut self) -> (bool, Vec<Binding>) {
        let is_rec = self.eat_kw(Keyword::Rec);
        let mut bindings = vec![self.parse_binding()];
        while self.eat_kw(Keyword::And) {
            bindings.push(self.parse_binding());
        }
        (is_rec, bindings)
    }

    /// `[attrs] [mutable] [inline] [access] head params [: type] = body`.
    fn parse_binding(&mut self) -> Binding {
        let start = self.span();
        let attributes = self.parse_attributes();
        let is_mutable = self.eat_kw(Keyword::Mutable);
        let is_inline = self.eat_kw(Keyword::Inline);
        let is_private = self.skip_access_modifiers();
        let head_start = self.span();
        let is_function_head = matches!(self.peek(), TokenKind::Ident(_))
            && (matches!(self.nth(1), TokenKind::Colon | TokenKind::Equals) || {
                // A name followed by parameters (not `x, y` or `h :: t`).
                let next = self.nth(1);
                !matches!(
                    next,
                    TokenKind::Comma
                        | TokenKind::ColonColon
                        | TokenKind::Bar
                        | TokenKind::Keyword(Keyword::As)
                )
            });
        let head = if is_function_head {
            let name = self
                .expect_ident("a name")
                .expect("checked: an identifier is next");
            Pat {
                kind: PatKind::Named(name),
                span: name.span,
            }
        } else if self.at(&TokenKind::LParen) && *self.nth(1) == TokenKind::Bar {
            self.expect_active_pattern_name(head_start)
        } else if self.at(&TokenKind::LParen)
            && binary_or_custom_op(self.nth(1))
            && *self.nth(2) == TokenKind::RParen
        {
            self.bump();
            let op = self.bump();
            self.bump();
            let text = crate::print::token_text(&op.kind);
            if !super::expr::is_custom_operator(&text) {
                self.unsupported(
                    self.since(head_start),
                    &format!("redefining the built-in operator `{text}`"),
                );
            }
            let name = self.ident(&text, op.span);
            Pat {
                kind: PatKind::Named(name),
                span: self.since(head_start),
            }
        } else {
            self.parse_pat()
        };
        let mut type_params = Vec::new();
        let mut type_constraints = Vec::new();
        if is_function_head
            && matches!(self.peek(), TokenKind::Op(op) if op == "<")
            && self.cursor.is_adjacent_nth(0)
        {
            // `let f<'a, 'b> ...`
            self.bump();
            while let TokenKind::TypeVar(name) = self.peek().clone() {
                let token = self.bump();
                type_params.push(self.ident(&name, token.span));
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            // `when 'a : equality and 'b : comparison`
            if self.eat_kw(Keyword::When) {
                type_constraints = self.parse_type_constraints();
            }
            self.expect_greater();
        }
        let mut params = Vec::new();
        if is_function_head || matches!(head.kind, PatKind::Named(_)) {
            while self.can_start_atomic_pat() {
                params.push(self.parse_atomic_pat());
            }
        }
        type_constraints.append(&mut self.annotation_constraints);
        let mut binding =
            self.finish_binding(start, attributes, is_mutable, is_inline, head, params);
        binding.type_params = type_params;
        // Those in the annotations of lambdas inside the body belong to this binding too
        // (F# scopes a type variable to the binding that generalises it).
        type_constraints.append(&mut self.annotation_constraints);
        binding.type_constraints = type_constraints;
        binding.is_private = is_private;
        binding
    }

    /// The constraints after `when` (`'a : equality and 'b : comparison`). Which
    /// constraints exist (`'a : struct`, ...) is judged by the checker.
    pub(super) fn parse_type_constraints(&mut self) -> Vec<(Ident, Ident)> {
        let mut constraints = Vec::new();
        loop {
            let TokenKind::TypeVar(name) = self.peek().clone() else {
                self.error_expected("a type variable");
                break;
            };
            let token = self.bump();
            let var = self.ident(&name, token.span);
            if matches!(self.peek(), TokenKind::Op(op) if op == ":>") {
                // `'T :> seq<int>`: parsed, so that the rest of the file is checked.
                let at = self.bump().span;
                let ty = self.parse_type();
                self.unsupported(
                    at.to(ty.span),
                    "subtype constraints ('T :> ...): Clef has no subtyping; use the \
                     type itself (a parameter of type 'seq<'T>' also takes lists and arrays)",
                );
                if !self.eat_kw(Keyword::And) {
                    break;
                }
                continue;
            }
            self.expect(&TokenKind::Colon, "`:`");
            let what = match self.peek().clone() {
                TokenKind::Ident(what) => what,
                TokenKind::Keyword(k) => k.as_str().to_string(),
                _ => {
                    self.error_expected("'equality' or 'comparison'");
                    break;
                }
            };
            let token = self.bump();
            let what = self.ident(&what, token.span);
            constraints.push((var, what));
            if !self.eat_kw(Keyword::And) {
                break;
            }
        }
        constraints
    }

    /// `(|Even|Odd|)`, `(|Int|_|)`, `(|Trimmed|)`: the name of an active pattern, kept
    /// as one identifier with its bars (`|Even|Odd|`), as F# names the function.
    fn expect_active_pattern_name(&mut self, head_start: Span) -> Pat {
        let open = self.bump().span;
        let mut text = String::from("|");
        self.bump();
        loop {
            match self.peek().clone() {
                TokenKind::Ident(name) => {
                    self.bump();
                    text.push_str(&name);
                }
                TokenKind::Underscore => {
                    self.bump();
                    text.push('_');
                }
                _ => {
                    self.error_expected("a case name of the active pattern");
                    break;
                }
            }
            if !self.eat(&TokenKind::Bar) {
                self.error_expected("`|` after the case name");
                break;
            }
            text.push('|');
            if self.at(&TokenKind::RParen) {
                break;
            }
        }
        self.expect_closing(&TokenKind::RParen, "`)`", open);
        let span = self.since(head_start);
        let name = self.ident(&text, span);
        Pat {
            kind: PatKind::Named(name),
            span,
        }
    }

    /// `[: type] = body` after a binding's head and parameters.
    fn finish_binding(
        &mut self,
        start: Span,
        attributes: Vec<Attribute>,
        is_mutable: bool,
        is_inline: bool,
        head: Pat,
        params: Vec<Pat>,
    ) -> Binding {
        let return_type = if self.eat(&TokenKind::Colon) {
            Some(self.parse_type())
        } else {
            None
        };
        let body = if self.expect(&TokenKind::Equals, "`=`") {
            self.parse_block("`=`")
        } else {
            self.error_expr(self.here())
        };
        Binding {
            attributes,
            is_private: false,
            is_mutable,
            is_inline,
            head,
            type_params: Vec::new(),
            type_constraints: Vec::new(),
            params,
            return_type,
            body,
            span: self.since(start),
        }
    }

    /// After `type`: `defn [and defn]*`.
    fn parse_type_defns(&mut self, attributes: Vec<Attribute>) -> Vec<TypeDefn> {
        let mut defns = vec![self.parse_type_defn(attributes)];
        while self.eat_kw(Keyword::And) {
            let attributes = self.parse_attributes();
            defns.push(self.parse_type_defn(attributes));
        }
        defns
    }

    fn parse_type_defn(&mut self, attributes: Vec<Attribute>) -> TypeDefn {
        let start = self.span();
        let _ = self.skip_access_modifiers();
        let name = self.expect_ident("a type name").unwrap_or_else(|| {
            let span = self.here();
            self.ident("?", span)
        });
        let mut type_params = Vec::new();
        if self.at_op("<") {
            self.bump();
            loop {
                match self.peek().clone() {
                    TokenKind::TypeVar(var) => {
                        let span = self.bump().span;
                        type_params.push(self.ident(&var, span));
                    }
                    _ => {
                        self.error_expected("a type parameter such as `'T`");
                        break;
                    }
                }
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect_greater();
        }
        let is_measure = attributes.iter().any(|a| {
            a.name.last().is_some_and(|n| {
                matches!(
                    self.interner.resolve(&n.name),
                    "Measure" | "MeasureAttribute"
                )
            })
        });
        let mut members = Vec::new();
        let kind = if self.at_kw(Keyword::With) {
            // `type T with member ...`: members added to a type defined earlier.
            self.parse_members(&mut members);
            TypeDefnKind::Augmentation
        } else if self.at(&TokenKind::LParen) {
            self.unsupported(
                self.span(),
                "classes with primary constructors (use a record for the data and a module of functions, or members on the record)",
            );
            self.skip_to_item_boundary();
            TypeDefnKind::Abbreviation(TypeExpr {
                kind: TypeExprKind::Error,
                span: self.since(start),
            })
        } else if !self.at(&TokenKind::Equals) {
            if !is_measure {
                self.error_expected("`=` and the type's definition");
            }
            TypeDefnKind::Measure(None)
        } else if is_measure {
            // `[<Measure>] type N = kg m / s^2`: an abbreviation for a unit.
            self.bump();
            TypeDefnKind::Measure(Some(self.parse_measure()))
        } else {
            self.bump();
            let body = self.in_block(BlockKind::Seq, false, |p| {
                let kind = p.parse_type_body();
                p.parse_members(&mut members);
                kind
            });
            body.unwrap_or_else(|| {
                self.error_expected("the type's definition");
                TypeDefnKind::Abbreviation(TypeExpr {
                    kind: TypeExprKind::Error,
                    span: self.here(),
                })
            })
        };
        // Members indented under a one-line definition: `type P = { X: int }` + newline.
        self.parse_members(&mut members);
        TypeDefn {
            attributes,
            name,
            type_params,
            kind,
            members,
            span: self.since(start),
        }
    }

    fn parse_type_body(&mut self) -> TypeDefnKind {
        use Keyword as K;
        match self.peek() {
            TokenKind::LBrace => {
                let open = self.bump().span;
                let fields = self
                    .in_block(BlockKind::Bracket, false, |p| p.parse_field_defns())
                    .unwrap_or_default();
                self.expect_closing(&TokenKind::RBrace, "`}`", open);
                TypeDefnKind::Record(fields)
            }
            TokenKind::Bar => self.parse_union_cases(),
            TokenKind::Ident(_)
                if matches!(
                    self.nth(1),
                    TokenKind::Bar | TokenKind::Keyword(K::Of) | TokenKind::Equals
                ) =>
            {
                self.parse_union_cases()
            }
            TokenKind::Keyword(
                K::Class
                | K::Struct
                | K::Interface
                | K::Abstract
                | K::Member
                | K::New
                | K::Val
                | K::Inherit
                | K::Static
                | K::Delegate,
            ) => {
                let span = self.span();
                self.unsupported(
                    span,
                    "classes, structs, interfaces and delegates (use records and unions with members, and records of functions for interfaces)",
                );
                while !matches!(self.peek(), TokenKind::BlockEnd | TokenKind::Eof) {
                    self.bump();
                }
                TypeDefnKind::Abbreviation(TypeExpr {
                    kind: TypeExprKind::Error,
                    span,
                })
            }
            _ => TypeDefnKind::Abbreviation(self.parse_type()),
        }
    }

    fn parse_field_defns(&mut self) -> Vec<FieldDefn> {
        let mut fields = Vec::new();
        loop {
            self.accept_separator();
            if matches!(
                self.peek(),
                TokenKind::RBrace | TokenKind::BlockEnd | TokenKind::Eof
            ) && !fields.is_empty()
            {
                break;
            }
            let start = self.span();
            let is_mutable = self.eat_kw(Keyword::Mutable);
            let _ = self.skip_access_modifiers();
            let Some(name) = self.expect_ident("a field name") else {
                break;
            };
            let ty = if self.expect(&TokenKind::Colon, "`:`") {
                self.parse_type()
            } else {
                TypeExpr {
                    kind: TypeExprKind::Error,
                    span: self.here(),
                }
            };
            fields.push(FieldDefn {
                is_mutable,
                name,
                ty,
                span: self.since(start),
            });
            if !(self.eat(&TokenKind::Semi) || self.at_separator()) {
                break;
            }
        }
        fields
    }

    /// `[|] Case [of fields] | ...` (fields: `[name:] type` separated by `*`).
    /// The cases of a union, or of an enum when any case has a value
    /// (`| Red = 0 | Green = 1`); then every case must have one (FS0568, as F#).
    fn parse_union_cases(&mut self) -> TypeDefnKind {
        let mut cases = Vec::new();
        let mut enum_cases = Vec::new();
        self.eat(&TokenKind::Bar);
        loop {
            let start = self.span();
            let _ = self.skip_access_modifiers();
            let Some(name) = self.expect_ident("a union case name") else {
                break;
            };
            if self.eat(&TokenKind::Equals) {
                let value = self.parse_unary();
                enum_cases.push(EnumCase {
                    name,
                    value,
                    span: self.since(start),
                });
                if !self.eat(&TokenKind::Bar) {
                    break;
                }
                continue;
            }
            let mut fields = Vec::new();
            if self.eat_kw(Keyword::Of) {
                loop {
                    let field_name = match (self.peek().clone(), self.nth(1)) {
                        (TokenKind::Ident(field), TokenKind::Colon) => {
                            let span = self.bump().span;
                            self.bump();
                            Some(self.ident(&field, span))
                        }
                        _ => None,
                    };
                    let ty = self.parse_postfix_type();
                    fields.push((field_name, ty));
                    if !self.at_op("*") {
                        break;
                    }
                    self.bump();
                }
            }
            cases.push(UnionCase {
                name,
                fields,
                span: self.since(start),
            });
            if !self.eat(&TokenKind::Bar) {
                break;
            }
        }
        if enum_cases.is_empty() {
            return TypeDefnKind::Union(cases);
        }
        for case in &cases {
            self.error(
                Code::EnumCaseWithoutValue,
                case.span,
                "All enum fields must be given values",
            );
        }
        TypeDefnKind::Enum(enum_cases)
    }

    /// Members after a type's body, one per line, optionally in `with ... end`.
    fn parse_members(&mut self, members: &mut Vec<MemberDefn>) {
        loop {
            if self.at_separator() && starts_member(&self.cursor.raw().kind) {
                self.accept_separator();
            }
            if self.at_kw(Keyword::With) {
                self.bump();
                let inner = self.in_block(BlockKind::Seq, false, |p| {
                    let mut inner = Vec::new();
                    p.parse_members(&mut inner);
                    inner
                });
                members.extend(inner.unwrap_or_default());
                self.eat_kw(Keyword::End);
                continue;
            }
            if !starts_member(self.peek()) {
                return;
            }
            let before = self.cursor.index();
            if let Some(member) = self.parse_member() {
                members.push(member);
            }
            if self.cursor.index() == before {
                return;
            }
        }
    }

    fn parse_member(&mut self) -> Option<MemberDefn> {
        use Keyword as K;
        let start = self.span();
        let is_static = self.eat_kw(K::Static);
        let keyword = self.bump();
        match keyword.kind {
            TokenKind::Keyword(K::Member) => {}
            TokenKind::Keyword(K::Override | K::Default) => {
                self.unsupported(keyword.span, "`override` and `default` members")
            }
            _ => {
                self.unsupported(
                    keyword.span,
                    &format!(
                        "`{}` in a type definition",
                        crate::print::token_text(&keyword.kind)
                    ),
                );
                self.skip_member_rest();
                return None;
            }
        }
        let is_inline = self.eat_kw(K::Inline);
        let _ = self.skip_access_modifiers();
        let self_ident = if !is_static
            && matches!(self.peek(), TokenKind::Ident(_) | TokenKind::Underscore)
            && *self.nth(1) == TokenKind::Dot
        {
            let token = self.bump();
            self.bump();
            let name = match &token.kind {
                TokenKind::Ident(name) => name.clone(),
                _ => "_".to_string(),
            };
            Some(self.ident(&name, token.span))
        } else {
            if !is_static {
                self.error_expected("a self identifier such as `this.` before the member name");
            }
            None
        };
        let name: Ident = if self.at(&TokenKind::LParen) {
            // `static member (+) (a: T, b: T) = ...`: named as F# compiles it.
            let text = crate::print::token_text(self.nth(1));
            match (operator_member_name(&text), self.nth(2)) {
                (Some(name), TokenKind::RParen) if is_static => {
                    let start = self.bump().span;
                    self.bump();
                    let end = self.bump().span;
                    self.ident(name, start.to(end))
                }
                _ => {
                    let what = if is_static {
                        format!("the operator member `({text})`")
                    } else {
                        "operator members that are not `static`".to_string()
                    };
                    self.unsupported(self.span(), &what);
                    self.skip_member_rest();
                    return None;
                }
            }
        } else {
            self.expect_ident("a member name")?
        };
        if self.at_kw(K::With) {
            self.unsupported(self.span(), "property accessors (`with get`/`set`)");
            self.skip_member_rest();
            return None;
        }
        let mut params = Vec::new();
        while self.can_start_atomic_pat() {
            params.push(self.parse_atomic_pat());
        }
        let head = Pat {
            kind: PatKind::Named(name),
            span: name.span,
        };
        let binding = self.finish_binding(name.span, Vec::new(), false, is_inline, head, params);
        Some(MemberDefn {
            is_static,
            self_ident,
            binding,
            span: self.since(start),
        })
    }

    /// Skips an unsupported member up to the next member or the end of the block.
    fn skip_member_rest(&mut self) {
        while !matches!(
            self.peek(),
            TokenKind::BlockSep | TokenKind::BlockEnd | TokenKind::Eof
        ) && !starts_member(self.peek())
        {
            self.bump();
        }
    }
}

fn binary_or_custom_op(kind: &TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Op(_) | TokenKind::Equals | TokenKind::ColonColon
    )
}

/// The compiled name F# gives an operator member, for the operators Clef resolves
/// on user types (`+ - * / %` between two values of the type).
pub(crate) fn operator_member_name(op: &str) -> Option<&'static str> {
    Some(match op {
        "+" => "op_Addition",
        "-" => "op_Subtraction",
        "*" => "op_Multiply",
        "/" => "op_Division",
        "%" => "op_Modulus",
        _ => return None,
    })
}
