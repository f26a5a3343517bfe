//! The one place where diagnostics become text.

use crate::{Diagnostic, Severity, SourceMap};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term;
use codespan_reporting::term::termcolor::{Ansi, NoColor, WriteColor};

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessageFormat {
    /// Rich text with the source snippet underlined (the default).
    #[default]
    Human,
    /// One line each: `file:line:col: error[FS0001]: message`.
    Short,
}

/// Renders diagnostics to a string (with ANSI colour when `colour` is true).
pub fn render(
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    format: MessageFormat,
    colour: bool,
) -> String {
    match format {
        MessageFormat::Short => diagnostics
            .iter()
            .map(|d| render_short(sources, d) + "\n")
            .collect(),
        MessageFormat::Human => {
            let mut out = Vec::new();
            if colour {
                let mut writer = Ansi::new(&mut out);
                render_human(sources, diagnostics, &mut writer);
            } else {
                let mut writer = NoColor::new(&mut out);
                render_human(sources, diagnostics, &mut writer);
            }
            String::from_utf8_lossy(&out).into_owned()
        }
    }
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn render_short(sources: &SourceMap, d: &Diagnostic) -> String {
    let place = match d.span {
        Some(span) => {
            let lc = sources.line_col(span.file, span.start);
            format!("{}:{}:{}: ", sources.name(span.file), lc.line, lc.col)
        }
        None => String::new(),
    };
    format!(
        "{place}{}[{}]: {}",
        severity_word(d.severity),
        d.code,
        d.message
    )
}

fn render_human(sources: &SourceMap, diagnostics: &[Diagnostic], writer: &mut dyn WriteColor) {
    let config = term::Config::default();
    let files = FilesAdapter(sources);
    for d in diagnostics {
        let mut out = match d.severity {
            Severity::Error => cs::Diagnostic::error(),
            Severity::Warning => cs::Diagnostic::warning(),
            Severity::Note => cs::Diagnostic::note(),
        }
        .with_code(d.code.to_string())
        .with_message(&d.message);
        let mut labels = Vec::new();
        if let Some(span) = d.span {
            labels.push(
                cs::Label::primary(span.file.0 as usize, span.start as usize..span.end as usize)
                    .with_message(&d.label),
            );
        }
        for l in &d.secondary {
            labels.push(
                cs::Label::secondary(
                    l.span.file.0 as usize,
                    l.span.start as usize..l.span.end as usize,
                )
                .with_message(&l.message),
            );
        }
        out = out.with_labels(labels).with_notes(d.notes.clone());
        // Writing into a Vec cannot fail; a failure here would only lose text.
        let _ = term::emit(writer, &config, &files, &out);
    }
}

/// Lets codespan-reporting read our [`SourceMap`].
struct FilesAdapter<'a>(&'a SourceMap);

impl<'a> Files<'a> for FilesAdapter<'a> {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, FilesError> {
        Ok(self.0.name(crate::FileId(id as u32)))
    }

    fn source(&'a self, id: usize) -> Result<&'a str, FilesError> {
        Ok(self.0.text(crate::FileId(id as u32)))
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, FilesError> {
        let starts = self.0.line_starts(crate::FileId(id as u32));
        Ok(match starts.binary_search(&(byte_index as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        })
    }

    fn line_range(
        &'a self,
        id: usize,
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, FilesError> {
        let file = crate::FileId(id as u32);
        let starts = self.0.line_starts(file);
        let len = self.0.text(file).len();
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len() - 1,
        })? as usize;
        let end = starts
            .get(line_index + 1)
            .map(|&e| e as usize)
            .unwrap_or(len);
        Ok(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Code, Span};

    #[test]
    fn short_format_is_one_line_per_diagnostic() {
        let mut map = SourceMap::new();
        let f = map.add("main.clef", "let x = y\n");
        let d = Diagnostic::error(
            Code::UndefinedName,
            Span::new(f, 8, 9),
            "The value or constructor 'y' is not defined.",
        );
        let text = render(&map, &[d], MessageFormat::Short, false);
        assert_eq!(
            text,
            "main.clef:1:9: error[FS0039]: The value or constructor 'y' is not defined.\n"
        );
    }
}
