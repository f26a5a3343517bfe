//! The registry of diagnostic codes.
//!
//! F#'s own number is used wherever F# reports the same problem, so a user can search
//! for it; Composer's own problems use `FS8xxx` (the Fidelity memory codes of the seeds)
//! and `FS9xxx` (everything else Composer-specific). Every code here must be described
//! in `docs/diagnostics.md`; a test checks that.

use crate::Severity;

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $name:ident = $num:literal, $sev:ident; )*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[doc = $doc])* $name, )*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[ $( Code::$name, )* ];

            /// The number after `FS`.
            pub fn number(self) -> u32 {
                match self { $( Code::$name => $num, )* }
            }

            /// Severity the code has unless a pass decides otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $( Code::$name => Severity::$sev, )* }
            }

            /// The first line of the code's documentation.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$name => first_line(&[$($doc),*]), )* }
            }
        }
    };
}

const fn first_line(lines: &[&'static str]) -> &'static str {
    if lines.is_empty() {
        ""
    } else {
        lines[0]
    }
}

codes! {
    /// Type mismatch: an expression has a different type from the one its context needs.
    TypeMismatch = 1, Error;
    /// A value that is not a function is applied to an argument.
    NotAFunction = 3, Error;
    /// Assignment with `<-` to a record field that is not declared `mutable`.
    FieldNotMutable = 5, Error;
    /// Unexpected syntax: the parser found a token it cannot use here.
    UnexpectedSyntax = 10, Error;
    /// `let!`, `use!`, `do!` or `match!` outside a computation expression whose builder binds.
    BangOutsideComputation = 750, Error;
    /// The result of an expression that is not `unit` is implicitly ignored.
    ImplicitlyIgnored = 20, Warning;
    /// Incomplete pattern match: some values are not covered by any rule.
    IncompleteMatch = 25, Warning;
    /// A match rule can never be reached because earlier rules cover it.
    RuleNeverMatched = 26, Warning;
    /// Assignment with `<-` to a value that is not `let mutable`.
    NotMutable = 27, Error;
    /// The value restriction: a value cannot be generalised.
    ValueRestriction = 30, Error;
    /// A field of a struct value is assigned where the value is not mutable (not a
    /// `let mutable`, an array element or a mutable field).
    StructNotMutable = 256, Error;
    /// A `let mutable` local is captured by a closure or local function.
    MutableCaptured = 407, Error;
    /// A name is defined twice in the same scope where F# forbids it.
    DuplicateDefinition = 37, Error;
    /// A name, member, field or module is not defined.
    UndefinedName = 39, Error;
    /// An active pattern of a shape F# forbids (arguments on a multi-case one, …).
    ActivePatternShape = 722, Error;
    /// An active pattern used with the wrong number of arguments.
    ActivePatternArguments = 3868, Error;
    /// Offside rule: possible incorrect indentation.
    Offside = 58, Warning;
    /// A member lookup (`x.M`) on a value whose type is not known at that point.
    IndeterminateLookup = 72, Error;
    /// `[<EntryPoint>]` must be on the last declaration of the last file.
    EntryPointNotLast = 433, Error;
    /// A block (such as the body of a `let`) is unfinished: it has no result expression.
    UnfinishedBlock = 588, Error;
    /// Enums may take values outside known cases: a match on an enum covers every named
    /// case but has no wildcard.
    EnumMatchIncomplete = 104, Warning;
    /// An enum case without a value, among cases with values (`A = 0 | B`).
    EnumCaseWithoutValue = 568, Error;
    /// An enum case's value is not a constant literal.
    BadEnumValue = 886, Error;
    /// An enum's values are not all of one integer or char type.
    EnumLiteralType = 951, Error;
    /// A `printf`-style format string is not valid.
    BadFormatString = 741, Error;
    /// A numeric literal is outside the range of its type.
    LiteralOutOfRange = 1155, Error;
    /// A numeric, character or string literal is malformed.
    BadLiteral = 1156, Error;
    /// A tab character outside strings and comments: indentation is spaces only.
    TabsNotAllowed = 1161, Error;
    /// A `let private` value used from outside its module.
    NotAccessible = 1092, Error;
    /// Reading through a write-only pointer (Fidelity).
    ReadThroughWriteOnly = 8001, Error;
    /// Writing through a read-only pointer (Fidelity).
    WriteThroughReadOnly = 8002, Error;
    /// A value escapes its region, or two regions do not match (Fidelity).
    RegionEscape = 8003, Error;
    /// `memory_model = "stack_only"`: a value would need an implicit region.
    StackOnlyAllocation = 8004, Error;
    /// A language construct that Composer does not support yet.
    Unsupported = 9001, Error;
    /// The project file or the command line is not valid.
    ProjectError = 9002, Error;
    /// A source file cannot be read.
    SourceNotReadable = 9003, Error;
    /// A type is too large to lay out: written out as a tree it has too many parts.
    TypeTooLarge = 9004, Error;
    /// An internal compiler error: a bug in Composer, not in the program.
    InternalError = 9999, Error;
}

impl Code {
    /// `FS0001`-style text.
    pub fn as_string(self) -> String {
        format!("FS{:04}", self.number())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FS{:04}", self.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.number()), "duplicate number {code}");
        }
    }

    #[test]
    fn every_code_is_documented_in_the_registry() {
        let doc = include_str!("../../../docs/diagnostics.md");
        for code in Code::ALL {
            assert!(
                doc.contains(&format!("### {code}")),
                "docs/diagnostics.md has no `### {code}` section"
            );
        }
    }
}
