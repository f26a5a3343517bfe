//! `printf`-style format strings, parsed and checked at compile time (F# semantics:
//! `%d %i %u %x %X %o %B` integers, `%e %E %f %F %g %G` floats, `%s` strings, `%c` chars,
//! `%b` bools, `%%`; flags `- 0 + space`, width and `.precision`).

use crate::types::Constraint;

/// One argument slot of a format string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FormatArg {
    pub flags: u32,
    pub width: Option<u32>,
    pub precision: Option<u32>,
    pub conv: char,
}

pub const FLAG_LEFT: u32 = 1;
pub const FLAG_ZERO: u32 = 2;
pub const FLAG_PLUS: u32 = 4;
pub const FLAG_SPACE: u32 = 8;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FormatPiece {
    Literal(String),
    Arg(FormatArg),
}

/// A parsed format string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FormatSpec {
    pub text: String,
    pub pieces: Vec<FormatPiece>,
}

impl FormatSpec {
    pub fn args(&self) -> impl Iterator<Item = &FormatArg> {
        self.pieces.iter().filter_map(|p| match p {
            FormatPiece::Arg(a) => Some(a),
            FormatPiece::Literal(_) => None,
        })
    }
}

/// What type an argument slot accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// `%A`: any type.
    Any,
    Constrained(Constraint),
    String,
    Char,
    Bool,
}

impl FormatArg {
    pub fn kind(&self) -> ArgKind {
        match self.conv {
            'd' | 'i' | 'u' | 'x' | 'X' | 'o' | 'B' => ArgKind::Constrained(Constraint::Integer),
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => ArgKind::Constrained(Constraint::Floating),
            's' => ArgKind::String,
            'A' => ArgKind::Any,
            'c' => ArgKind::Char,
            _ => ArgKind::Bool,
        }
    }
}

/// Why a format string is rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// Not valid at all (message says why).
    Invalid(String),
    /// Valid F# but not supported by Composer yet (`%A`, `%O`, `*` widths).
    Unsupported(String),
}

pub fn parse_format(text: &str) -> Result<FormatSpec, FormatError> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            lit.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            lit.push('%');
            continue;
        }
        let mut flags = 0;
        while let Some(&f) = chars.peek() {
            let bit = match f {
                '-' => FLAG_LEFT,
                '0' => FLAG_ZERO,
                '+' => FLAG_PLUS,
                ' ' => FLAG_SPACE,
                _ => break,
            };
            flags |= bit;
            chars.next();
        }
        let mut width = None;
        if chars.peek() == Some(&'*') {
            return Err(FormatError::Unsupported(
                "'*' widths in format strings are not supported yet".into(),
            ));
        }
        while let Some(&d) = chars.peek() {
            if let Some(v) = d.to_digit(10) {
                width = Some(width.unwrap_or(0u32).saturating_mul(10).saturating_add(v));
                chars.next();
            } else {
                break;
            }
        }
        let mut precision = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = 0u32;
            while let Some(&d) = chars.peek() {
                if let Some(v) = d.to_digit(10) {
                    p = p.saturating_mul(10).saturating_add(v);
                    chars.next();
                } else {
                    break;
                }
            }
            precision = Some(p);
        }
        let conv = match chars.next() {
            Some(c) => c,
            None => {
                return Err(FormatError::Invalid(
                    "missing format specifier after '%'".into(),
                ))
            }
        };
        match conv {
            'd' | 'i' | 'u' | 'x' | 'X' | 'o' | 'B' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 's' | 'c'
            | 'b' => {}
            'A' => {}
            'O' | 'a' | 't' | 'M' => {
                return Err(FormatError::Unsupported(format!(
                    "the '%{conv}' format is not supported yet"
                )))
            }
            other => {
                return Err(FormatError::Invalid(format!(
                "bad format specifier '%{other}' (expected one of d i u x X o B e E f F g G s c b %)"
            )))
            }
        }
        if !lit.is_empty() {
            pieces.push(FormatPiece::Literal(std::mem::take(&mut lit)));
        }
        pieces.push(FormatPiece::Arg(FormatArg {
            flags,
            width,
            precision,
            conv,
        }));
    }
    if !lit.is_empty() {
        pieces.push(FormatPiece::Literal(lit));
    }
    Ok(FormatSpec {
        text: text.to_string(),
        pieces,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_flags_width_precision() {
        let spec = parse_format("x=%-08.3f%%y").unwrap();
        assert_eq!(
            spec.pieces,
            vec![
                FormatPiece::Literal("x=".into()),
                FormatPiece::Arg(FormatArg {
                    flags: FLAG_LEFT | FLAG_ZERO,
                    width: Some(8),
                    precision: Some(3),
                    conv: 'f'
                }),
                FormatPiece::Literal("%y".into()),
            ]
        );
    }

    #[test]
    fn rejects_bad_specifiers() {
        assert!(matches!(parse_format("%q"), Err(FormatError::Invalid(_))));
        assert!(matches!(
            parse_format("abc %"),
            Err(FormatError::Invalid(_))
        ));
        assert!(matches!(
            parse_format("%O"),
            Err(FormatError::Unsupported(_))
        ));
    }
}
