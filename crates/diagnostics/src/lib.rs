//! Source positions and diagnostics shared by every stage of Composer.
//!
//! Every pass reports problems as [`Diagnostic`] values (data, never text); the one
//! place that turns them into text is [`render`]. Each diagnostic carries a stable
//! [`Code`] from the registry in [`codes`], documented in `docs/diagnostics.md`.
//!
//! Architecture invariant: this crate knows nothing about the language; it only
//! knows files, byte spans and messages.

pub mod codes;
mod render;
mod source;

pub use codes::Code;
pub use render::{render, MessageFormat};
pub use source::{FileId, LineCol, SourceMap, Span};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// A secondary location with its own short message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem found in the user's program (or, with `Code::ICE`, in the compiler).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The primary location. `None` only for problems that have no place in a
    /// source file (a missing project file, an internal error with no span).
    pub span: Option<Span>,
    /// What the primary label under the span says (short); empty means "use nothing".
    pub label: String,
    pub secondary: Vec<Label>,
    /// Free-form notes printed after the snippet ("help: did you mean `x`?").
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            label: String::new(),
            secondary: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// A diagnostic with no source location.
    pub fn global(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            span: None,
            label: String::new(),
            secondary: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by position (file, offset), then by code, so output is stable.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| d.span.map(|s| (s.file.0, s.start, s.end));
        key(a)
            .cmp(&key(b))
            .then(a.code.number().cmp(&b.code.number()))
            .then(a.message.cmp(&b.message))
    });
}

/// Sorts diagnostics (`sort_diagnostics`) and drops repeats: the same code, place
/// and message said twice. Desugared code checks one piece of source in several
/// places (a range's start, end and step each meet the same constraint), and a
/// reader needs each problem once.
pub fn sort_and_dedup_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    sort_diagnostics(diagnostics);
    diagnostics.dedup_by(|a, b| {
        a.code == b.code && a.span == b.span && a.severity == b.severity && a.message == b.message
    });
}

/// Collects diagnostics during a pass.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, more: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(more);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// All diagnostics sorted by position.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        sort_diagnostics(&mut self.items);
        self.items
    }
}
