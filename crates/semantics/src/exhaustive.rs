//! Pattern-match exhaustiveness (FS0025) and redundancy (FS0026) checking.
//!
//! The algorithm is the usefulness predicate `U(P, q)` of Luc Maranget, "Warnings for
//! pattern matching", Journal of Functional Programming 17(3):387–421, 2007, together
//! with its witness-producing variant (the paper's algorithm `I`, §3.1 and §5):
//!
//! * a rule is **redundant** when its pattern row is not useful with respect to the
//!   unguarded rules above it;
//! * a match is **exhaustive** when the wildcard row `_` is not useful with respect to
//!   all unguarded rules; otherwise the search for usefulness produces a value the
//!   rules miss, which becomes the example in the warning.
//!
//! Both questions are answered by one recursive function, [`Checker::witness`], which
//! returns a vector of values matched by the query row and by no row of the matrix.
//! It uses the paper's matrix operations: specialisation `S(c, P)` by a constructor or
//! literal, and the default matrix `D(P)` when the head constructors of the first
//! column do not form a complete signature (the paper's key efficiency device: one
//! recursive call instead of one per constructor).
//!
//! The module is independent of the PSG. It works over its own small pattern language
//! ([`Pat`]) whose constructors ([`CtorId`]) name a position in a *signature*, supplied
//! by the caller through [`Signatures`]: union cases, `bool` (`false`, `true`), unit,
//! tuples and records (one constructor each), lists (`[]`, `::`) and options.
//! Literals ([`Lit`]) stand for values of types treated as infinite (integers of every
//! width, strings, chars, floats), so a literal column is never complete without a
//! wildcard.
//!
//! Simplifications, deliberate:
//! * a guarded rule never counts towards coverage (its guard may fail), but is itself
//!   reported redundant when no value can reach it;
//! * an or-pattern rule is redundant only when every alternative is; redundant
//!   alternatives inside a useful or-pattern are not reported;
//! * integer literals are checked as if the type were unbounded, so a `byte` match
//!   listing all 256 values still needs a wildcard (F# behaves the same way).
//!
//! Output is deterministic: constructors are tried in signature order, literal sets
//! are ordered, and no hash-map order is observable.

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A constructor of a type with a finite signature: a union case, `false`/`true`,
/// unit, the single constructor of a tuple or record, list `[]`/`::`, option
/// `None`/`Some`. `index` is the constructor's position in
/// [`Signatures::constructors`]`(sig)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CtorId {
    pub sig: u32,
    pub index: u32,
}

/// Describes the type signatures the patterns use: for each `sig`, its constructors in
/// order with name and arity.
///
/// Names steer only [`display_witness`]: `""` is a tuple (`(a, b)`, and `()` at arity
/// 0), `"{}"` a record, `"::"` of arity 2 list cons and `"[]"` the empty list; any
/// other name is printed as a union case.
pub trait Signatures {
    fn constructors(&self, sig: u32) -> &[CtorInfo];
}

/// One constructor of a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtorInfo {
    pub name: String,
    pub arity: usize,
}

impl CtorInfo {
    pub fn new(name: impl Into<String>, arity: usize) -> Self {
        Self {
            name: name.into(),
            arity,
        }
    }
}

/// A pattern of the checker's own language.
#[derive(Debug, Clone, PartialEq)]
pub enum Pat {
    /// `_` or a variable.
    Wild,
    /// A constructor applied to sub-patterns; their number must equal the
    /// constructor's [`CtorInfo::arity`] (tuples: one per component).
    Ctor(CtorId, Vec<Pat>),
    /// A literal of an infinite type (integers, strings, chars, floats).
    Lit(Lit),
    /// `p1 | p2 | ...`.
    Or(Vec<Pat>),
}

/// A literal value. Floats are compared by their bits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lit {
    Int(i128),
    Str(String),
    Char(char),
    Float(u64),
}

/// The result of [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Indices of rules that can never match (FS0026), in order.
    pub redundant: Vec<usize>,
    /// An example value not covered by any rule (FS0025), or `None` if exhaustive.
    pub missing: Option<Witness>,
}

/// A value, possibly partial, that a match does not cover. Every value that is an
/// instance of it (any value in place of each [`Witness::Wild`]) is uncovered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Witness {
    /// Any value.
    Wild,
    Ctor(CtorId, Vec<Witness>),
    /// A literal; in a `missing` witness, one that differs from every literal the
    /// column's patterns list (integers: the smallest non-negative one; strings `"a"`,
    /// `"b"`, ...; chars `'a'`, `'b'`, ...; floats `0.0`, `1.0`, ...).
    Lit(Lit),
}

/// Checks one match: `rules` are its patterns in order, each with whether it has a
/// `when` guard.
pub fn check(rules: &[(Pat, bool)], sigs: &dyn Signatures) -> Report {
    let checker = Checker { sigs };
    // The unguarded, non-redundant rules seen so far, as one-column rows.
    let mut covering: Vec<Row<'_>> = Vec::new();
    let mut redundant = Vec::new();
    for (index, (pattern, has_guard)) in rules.iter().enumerate() {
        if checker.witness(&covering, vec![pattern]).is_none() {
            redundant.push(index);
        } else if !has_guard {
            covering.push(vec![pattern]);
        }
    }
    let missing = checker
        .witness(&covering, vec![&WILD])
        .map(|mut values| values.pop().expect("a one-column query yields one value"));
    Report { redundant, missing }
}

/// Prints a witness the way F# writes values in FS0025: `Blue`, `Some (_)`,
/// `Rect (_, _)`, `(_, false)`, `[]`, `[_; _]` (a cons chain ending in `[]`),
/// `_ :: _ :: _` (an open one), `{ _; false }` (record fields in declaration order,
/// without names, which signatures do not carry), `0`, `"a"`, `'a'`, `0.0`.
pub fn display_witness(witness: &Witness, sigs: &dyn Signatures) -> String {
    let mut out = String::new();
    write_witness(&mut out, witness, sigs, Position::Free);
    out
}

/// A row of a pattern matrix, stored as a stack: the first column is the *last*
/// element, so that taking the head and pushing sub-patterns are cheap. All rows of
/// a matrix and its query have the same length.
type Row<'p> = Vec<&'p Pat>;

static WILD: Pat = Pat::Wild;

struct Checker<'s> {
    sigs: &'s dyn Signatures,
}

/// The head constructors of a matrix's first column (the paper's `Σ`).
enum HeadSet<'p> {
    /// Only wildcards: the column's type is not even known.
    Empty,
    Ctors {
        sig: u32,
        present: Vec<bool>,
    },
    Lits(BTreeSet<&'p Lit>),
}

impl Checker<'_> {
    /// Maranget's `U(matrix, query)` with witnesses: a stack of values (in [`Row`]
    /// order) matched by `query` and by no row of `matrix`, or `None` if there is none,
    /// i.e. if `query` is not useful.
    fn witness<'p>(&self, matrix: &[Row<'p>], mut query: Row<'p>) -> Option<Vec<Witness>> {
        // A row of wildcards matches everything (with no columns left, any row does).
        // Checking this first also cuts most branches of the complete-signature case.
        if matrix
            .iter()
            .any(|row| row.iter().all(|pattern| matches!(pattern, Pat::Wild)))
        {
            return None;
        }
        let Some(head) = query.pop() else {
            // No columns, and (by the check above) no rows: the empty vector is missed.
            return Some(Vec::new());
        };
        match head {
            Pat::Or(alternatives) => alternatives.iter().find_map(|alternative| {
                let mut query = query.clone();
                query.push(alternative);
                self.witness(matrix, query)
            }),
            Pat::Ctor(ctor, args) => {
                let arity = self.arity(*ctor, args.len());
                let specialized = self.specialize_ctor(matrix, *ctor, arity);
                push_args(&mut query, args, arity);
                let values = self.witness(&specialized, query)?;
                Some(rebuild_ctor(values, *ctor, arity))
            }
            Pat::Lit(lit) => {
                let specialized = specialize_lit(matrix, lit);
                let mut values = self.witness(&specialized, query)?;
                values.push(Witness::Lit(lit.clone()));
                Some(values)
            }
            Pat::Wild => match self.head_set(matrix) {
                HeadSet::Ctors { sig, present } if present.iter().all(|&p| p) => {
                    // Complete signature: the query is useful iff it is useful for
                    // one of the constructors.
                    let ctors = self.sigs.constructors(sig);
                    ctors.iter().enumerate().find_map(|(index, info)| {
                        let ctor = CtorId {
                            sig,
                            index: index as u32,
                        };
                        let specialized = self.specialize_ctor(matrix, ctor, info.arity);
                        let mut query = query.clone();
                        query.extend(std::iter::repeat_n(&WILD, info.arity));
                        let values = self.witness(&specialized, query)?;
                        Some(rebuild_ctor(values, ctor, info.arity))
                    })
                }
                incomplete => {
                    // Incomplete signature: only the rows with a wildcard head can
                    // match a value built with a missing constructor.
                    let mut values = self.witness(&default_matrix(matrix), query)?;
                    values.push(self.missing_head(&incomplete));
                    Some(values)
                }
            },
        }
    }

    /// The arity the signature gives `ctor`; `given` (the number of sub-patterns) if
    /// the constructor is unknown, which is a caller bug.
    fn arity(&self, ctor: CtorId, given: usize) -> usize {
        match self.sigs.constructors(ctor.sig).get(ctor.index as usize) {
            Some(info) => {
                debug_assert_eq!(info.arity, given, "arity mismatch for {ctor:?}");
                info.arity
            }
            None => {
                debug_assert!(false, "{ctor:?} is not in its signature");
                given
            }
        }
    }

    /// `S(ctor, matrix)`: the rows that can match a value built with `ctor`, with the
    /// head replaced by its `arity` sub-patterns.
    fn specialize_ctor<'p>(&self, matrix: &[Row<'p>], ctor: CtorId, arity: usize) -> Vec<Row<'p>> {
        let mut specialized = Vec::new();
        for row in matrix {
            let Some((&head, tail)) = row.split_last() else {
                continue;
            };
            for_each_alternative(head, &mut |alternative| match alternative {
                Pat::Wild => {
                    let mut row = tail.to_vec();
                    row.extend(std::iter::repeat_n(&WILD, arity));
                    specialized.push(row);
                }
                Pat::Ctor(row_ctor, args) if *row_ctor == ctor => {
                    let mut row = tail.to_vec();
                    push_args(&mut row, args, arity);
                    specialized.push(row);
                }
                _ => {}
            });
        }
        specialized
    }

    /// The paper's `Σ` for the first column of `matrix`.
    ///
    /// A column normally holds constructors of one signature or literals. The
    /// cases of a total active pattern (`Even`/`Odd`) form a signature of their own,
    /// so a column may also mix them with the constructors or literals of the
    /// matched type. Then a complete signature is chosen if there is one, else the
    /// kind of the first head. The heads of the other kinds are left out of `Σ`,
    /// and specialisation and the default matrix drop their rows. Dropping rows
    /// only makes a query more useful, so the answer errs towards "incomplete" and
    /// "reachable", never the other way.
    fn head_set<'p>(&self, matrix: &[Row<'p>]) -> HeadSet<'p> {
        let mut signatures: Vec<(u32, Vec<bool>)> = Vec::new();
        let mut lits: BTreeSet<&'p Lit> = BTreeSet::new();
        let mut first_is_lit: Option<bool> = None;
        for row in matrix {
            let Some(&head) = row.last() else {
                continue;
            };
            for_each_alternative(head, &mut |alternative| match alternative {
                Pat::Wild => {}
                Pat::Ctor(ctor, _) => {
                    first_is_lit.get_or_insert(false);
                    let at = match signatures.iter().position(|(sig, _)| *sig == ctor.sig) {
                        Some(at) => at,
                        None => {
                            let n = self.sigs.constructors(ctor.sig).len();
                            signatures.push((ctor.sig, vec![false; n]));
                            signatures.len() - 1
                        }
                    };
                    mark_present(&mut signatures[at].1, *ctor);
                }
                Pat::Lit(lit) => {
                    first_is_lit.get_or_insert(true);
                    lits.insert(lit);
                }
                Pat::Or(_) => unreachable!("for_each_alternative flattens or-patterns"),
            });
        }
        let complete = signatures
            .iter()
            .position(|(_, present)| present.iter().all(|&p| p));
        match (complete, first_is_lit) {
            (Some(at), _) => {
                let (sig, present) = signatures.swap_remove(at);
                HeadSet::Ctors { sig, present }
            }
            (None, Some(false)) => {
                let (sig, present) = signatures.swap_remove(0);
                HeadSet::Ctors { sig, present }
            }
            (None, Some(true)) => HeadSet::Lits(lits),
            (None, None) => HeadSet::Empty,
        }
    }

    /// A head value that none of an incomplete `Σ` matches.
    fn missing_head(&self, heads: &HeadSet<'_>) -> Witness {
        match heads {
            HeadSet::Empty => Witness::Wild,
            HeadSet::Ctors { sig, present } => {
                let ctors = self.sigs.constructors(*sig);
                match present.iter().position(|&p| !p) {
                    Some(index) => Witness::Ctor(
                        CtorId {
                            sig: *sig,
                            index: index as u32,
                        },
                        vec![Witness::Wild; ctors[index].arity],
                    ),
                    None => Witness::Wild,
                }
            }
            HeadSet::Lits(lits) => fresh_literal(lits).map_or(Witness::Wild, Witness::Lit),
        }
    }
}

fn mark_present(present: &mut [bool], ctor: CtorId) {
    match present.get_mut(ctor.index as usize) {
        Some(slot) => *slot = true,
        None => debug_assert!(false, "{ctor:?} is not in its signature"),
    }
}

/// Calls `visit` on each alternative of `pattern`, flattening nested or-patterns.
fn for_each_alternative<'p>(pattern: &'p Pat, visit: &mut impl FnMut(&'p Pat)) {
    match pattern {
        Pat::Or(alternatives) => {
            for alternative in alternatives {
                for_each_alternative(alternative, visit);
            }
        }
        _ => visit(pattern),
    }
}

/// Pushes a constructor's sub-patterns so that the first ends on top. A wrong number
/// of sub-patterns (a caller bug) is padded with wildcards or truncated, so that all
/// rows keep the same length.
fn push_args<'p>(row: &mut Row<'p>, args: &'p [Pat], arity: usize) {
    row.extend((0..arity).rev().map(|i| args.get(i).unwrap_or(&WILD)));
}

/// Pops the `arity` argument values of `ctor` and pushes the constructed value.
fn rebuild_ctor(mut values: Vec<Witness>, ctor: CtorId, arity: usize) -> Vec<Witness> {
    let args = (0..arity)
        .map(|_| {
            values
                .pop()
                .expect("the specialised query has `arity` more columns")
        })
        .collect();
    values.push(Witness::Ctor(ctor, args));
    values
}

/// `S(lit, matrix)`.
fn specialize_lit<'p>(matrix: &[Row<'p>], lit: &Lit) -> Vec<Row<'p>> {
    let mut specialized = Vec::new();
    for row in matrix {
        let Some((&head, tail)) = row.split_last() else {
            continue;
        };
        for_each_alternative(head, &mut |alternative| match alternative {
            Pat::Wild => specialized.push(tail.to_vec()),
            Pat::Lit(row_lit) if row_lit == lit => specialized.push(tail.to_vec()),
            _ => {}
        });
    }
    specialized
}

/// `D(matrix)`: the rows whose head is a wildcard, without it.
fn default_matrix<'p>(matrix: &[Row<'p>]) -> Vec<Row<'p>> {
    let mut default = Vec::new();
    for row in matrix {
        let Some((&head, tail)) = row.split_last() else {
            continue;
        };
        let mut has_wildcard = false;
        for_each_alternative(head, &mut |alternative| {
            has_wildcard |= matches!(alternative, Pat::Wild);
        });
        if has_wildcard {
            default.push(tail.to_vec());
        }
    }
    default
}

/// A literal of the same kind as those in `lits` but equal to none of them.
fn fresh_literal(lits: &BTreeSet<&Lit>) -> Option<Lit> {
    let absent = |lit: &Lit| !lits.contains(lit);
    // There are finitely many literals, so each search below ends after at most
    // `lits.len() + 1` candidates (chars: unless every char is listed).
    match lits.first()? {
        Lit::Int(_) => (0..).map(Lit::Int).find(absent),
        Lit::Str(_) => (0..).map(|n| Lit::Str(letters(n))).find(absent),
        Lit::Char(_) => ('a'..='z')
            .chain('A'..='Z')
            .chain('0'..='9')
            .chain((0..=u32::from(char::MAX)).filter_map(char::from_u32))
            .map(Lit::Char)
            .find(absent),
        Lit::Float(_) => (0..)
            .map(|n| Lit::Float(f64::from(n).to_bits()))
            .find(absent),
    }
}

/// The `n`-th string of `a`, `b`, ..., `z`, `aa`, `ab`, ... (bijective base 26).
fn letters(mut n: u32) -> String {
    let mut reversed = Vec::new();
    loop {
        reversed.push(char::from(b'a' + (n % 26) as u8));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    reversed.iter().rev().collect()
}

/// Where a witness is printed, for parenthesisation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    Free,
    /// The left operand of `::`, which binds to the right.
    ConsHead,
}

fn write_witness(out: &mut String, witness: &Witness, sigs: &dyn Signatures, position: Position) {
    match witness {
        Witness::Wild => out.push('_'),
        Witness::Lit(lit) => write_lit(out, lit),
        Witness::Ctor(ctor, args) => {
            let name = sigs
                .constructors(ctor.sig)
                .get(ctor.index as usize)
                .map_or("?", |info| info.name.as_str());
            match (name, args.as_slice()) {
                ("", _) => {
                    out.push('(');
                    write_separated(out, args, ", ", sigs);
                    out.push(')');
                }
                ("{}", []) => out.push_str("{}"),
                ("{}", _) => {
                    out.push_str("{ ");
                    write_separated(out, args, "; ", sigs);
                    out.push_str(" }");
                }
                ("::", [head, tail]) => write_cons(out, head, tail, sigs, position),
                (_, []) => out.push_str(name),
                (_, [single]) if is_tuple(single, sigs) => {
                    // `Some (a, b)`, as F# source writes it, rather than `Some ((a, b))`.
                    out.push_str(name);
                    out.push(' ');
                    write_witness(out, single, sigs, Position::Free);
                }
                (_, _) => {
                    out.push_str(name);
                    out.push_str(" (");
                    write_separated(out, args, ", ", sigs);
                    out.push(')');
                }
            }
        }
    }
}

fn write_separated(out: &mut String, items: &[Witness], separator: &str, sigs: &dyn Signatures) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        write_witness(out, item, sigs, Position::Free);
    }
}

fn ctor_name<'s>(witness: &Witness, sigs: &'s dyn Signatures) -> Option<&'s str> {
    match witness {
        Witness::Ctor(ctor, _) => sigs
            .constructors(ctor.sig)
            .get(ctor.index as usize)
            .map(|info| info.name.as_str()),
        _ => None,
    }
}

fn is_tuple(witness: &Witness, sigs: &dyn Signatures) -> bool {
    matches!(witness, Witness::Ctor(_, args) if !args.is_empty())
        && ctor_name(witness, sigs) == Some("")
}

/// A cons chain: `[a; b]` when it ends in `[]`, `a :: b :: rest` otherwise.
fn write_cons(
    out: &mut String,
    head: &Witness,
    tail: &Witness,
    sigs: &dyn Signatures,
    position: Position,
) {
    let mut elements = vec![head];
    let mut rest = tail;
    while let Witness::Ctor(_, args) = rest {
        match (ctor_name(rest, sigs), args.as_slice()) {
            (Some("::"), [element, next]) => {
                elements.push(element);
                rest = next;
            }
            _ => break,
        }
    }
    let closed = matches!(rest, Witness::Ctor(_, args) if args.is_empty())
        && ctor_name(rest, sigs) == Some("[]");
    if closed {
        out.push('[');
        for (i, element) in elements.iter().enumerate() {
            if i > 0 {
                out.push_str("; ");
            }
            write_witness(out, element, sigs, Position::Free);
        }
        out.push(']');
        return;
    }
    let parenthesize = position == Position::ConsHead;
    if parenthesize {
        out.push('(');
    }
    for element in elements {
        write_witness(out, element, sigs, Position::ConsHead);
        out.push_str(" :: ");
    }
    write_witness(out, rest, sigs, Position::Free);
    if parenthesize {
        out.push(')');
    }
}

fn write_lit(out: &mut String, lit: &Lit) {
    match lit {
        Lit::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Lit::Str(s) => {
            out.push('"');
            for c in s.chars() {
                write_escaped_char(out, c, '"');
            }
            out.push('"');
        }
        Lit::Char(c) => {
            out.push('\'');
            write_escaped_char(out, *c, '\'');
            out.push('\'');
        }
        Lit::Float(bits) => {
            let x = f64::from_bits(*bits);
            if x.is_nan() {
                out.push_str("nan");
            } else if x.is_infinite() {
                out.push_str(if x > 0.0 { "infinity" } else { "-infinity" });
            } else {
                let _ = write!(out, "{x:?}");
            }
        }
    }
}

/// F# escapes, inside a literal delimited by `quote`.
fn write_escaped_char(out: &mut String, c: char, quote: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_control() => {
            let _ = write!(out, "\\u{:04X}", u32::from(c));
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Signature numbers of the test table.
    const BOOL: u32 = 0;
    const UNIT: u32 = 1;
    const OPTION: u32 = 2;
    const LIST: u32 = 3;
    const COLOR: u32 = 4;
    const PAIR: u32 = 5;
    const TRIPLE: u32 = 6;
    const SHAPE: u32 = 7;
    const RECORD: u32 = 8;
    const QUAD: u32 = 9;

    struct Table(Vec<Vec<CtorInfo>>);

    impl Signatures for Table {
        fn constructors(&self, sig: u32) -> &[CtorInfo] {
            self.0.get(sig as usize).map_or(&[], Vec::as_slice)
        }
    }

    fn table() -> Table {
        let sig = |ctors: &[(&str, usize)]| {
            ctors
                .iter()
                .map(|&(name, arity)| CtorInfo::new(name, arity))
                .collect::<Vec<_>>()
        };
        Table(vec![
            sig(&[("false", 0), ("true", 0)]),
            sig(&[("()", 0)]),
            sig(&[("None", 0), ("Some", 1)]),
            sig(&[("[]", 0), ("::", 2)]),
            sig(&[("Red", 0), ("Green", 0), ("Blue", 0)]),
            sig(&[("", 2)]),
            sig(&[("", 3)]),
            sig(&[("Circle", 1), ("Rect", 2), ("Dot", 0)]),
            sig(&[("{}", 2)]),
            sig(&[("", 4)]),
        ])
    }

    fn ctor(sig: u32, index: u32, args: Vec<Pat>) -> Pat {
        Pat::Ctor(CtorId { sig, index }, args)
    }
    fn w() -> Pat {
        Pat::Wild
    }
    fn f() -> Pat {
        ctor(BOOL, 0, vec![])
    }
    fn t() -> Pat {
        ctor(BOOL, 1, vec![])
    }
    fn unit() -> Pat {
        ctor(UNIT, 0, vec![])
    }
    fn none() -> Pat {
        ctor(OPTION, 0, vec![])
    }
    fn some(p: Pat) -> Pat {
        ctor(OPTION, 1, vec![p])
    }
    fn nil() -> Pat {
        ctor(LIST, 0, vec![])
    }
    fn cons(head: Pat, tail: Pat) -> Pat {
        ctor(LIST, 1, vec![head, tail])
    }
    fn red() -> Pat {
        ctor(COLOR, 0, vec![])
    }
    fn green() -> Pat {
        ctor(COLOR, 1, vec![])
    }
    fn blue() -> Pat {
        ctor(COLOR, 2, vec![])
    }
    fn pair(a: Pat, b: Pat) -> Pat {
        ctor(PAIR, 0, vec![a, b])
    }
    fn triple(a: Pat, b: Pat, c: Pat) -> Pat {
        ctor(TRIPLE, 0, vec![a, b, c])
    }
    fn int(n: i128) -> Pat {
        Pat::Lit(Lit::Int(n))
    }
    fn string(s: &str) -> Pat {
        Pat::Lit(Lit::Str(s.to_string()))
    }
    fn character(c: char) -> Pat {
        Pat::Lit(Lit::Char(c))
    }
    fn float(x: f64) -> Pat {
        Pat::Lit(Lit::Float(x.to_bits()))
    }
    fn or(alternatives: Vec<Pat>) -> Pat {
        Pat::Or(alternatives)
    }

    /// Unguarded rules.
    fn plain(patterns: Vec<Pat>) -> Vec<(Pat, bool)> {
        patterns.into_iter().map(|p| (p, false)).collect()
    }

    /// The report as text: `missing '<witness>'` or `exhaustive`, then the redundant
    /// rule indices if any.
    fn summary(rules: &[(Pat, bool)]) -> String {
        let sigs = table();
        let report = check(rules, &sigs);
        let mut text = match &report.missing {
            Some(witness) => format!("missing '{}'", display_witness(witness, &sigs)),
            None => "exhaustive".to_string(),
        };
        if !report.redundant.is_empty() {
            let _ = write!(text, "; redundant {:?}", report.redundant);
        }
        text
    }

    #[test]
    fn bool_exhaustive_and_not() {
        assert_eq!(summary(&plain(vec![t(), f()])), "exhaustive");
        assert_eq!(summary(&plain(vec![t()])), "missing 'false'");
        assert_eq!(summary(&plain(vec![f()])), "missing 'true'");
        assert_eq!(summary(&plain(vec![])), "missing '_'");
        assert_eq!(summary(&plain(vec![unit()])), "exhaustive");
    }

    #[test]
    fn option() {
        assert_eq!(summary(&plain(vec![none(), some(w())])), "exhaustive");
        assert_eq!(summary(&plain(vec![none()])), "missing 'Some (_)'");
        assert_eq!(summary(&plain(vec![some(w())])), "missing 'None'");
    }

    #[test]
    fn nested_option_of_bool() {
        assert_eq!(
            summary(&plain(vec![some(t()), none()])),
            "missing 'Some (false)'"
        );
        assert_eq!(
            summary(&plain(vec![some(t()), some(f()), none()])),
            "exhaustive"
        );
        assert_eq!(
            summary(&plain(vec![some(some(t())), some(none()), none()])),
            "missing 'Some (Some (false))'"
        );
        assert_eq!(
            summary(&plain(vec![
                some(some(w())),
                some(none()),
                none(),
                some(w())
            ])),
            "exhaustive; redundant [3]"
        );
    }

    #[test]
    fn tuples_of_bools() {
        assert_eq!(
            summary(&plain(vec![pair(t(), w()), pair(f(), f())])),
            "missing '(false, true)'"
        );
        assert_eq!(
            summary(&plain(vec![pair(t(), t()), pair(f(), f())])),
            "missing '(false, true)'"
        );
        assert_eq!(
            summary(&plain(vec![pair(w(), t()), pair(w(), f())])),
            "exhaustive"
        );
        assert_eq!(
            summary(&plain(vec![pair(w(), t())])),
            "missing '(_, false)'"
        );
        assert_eq!(
            summary(&plain(vec![
                triple(t(), t(), w()),
                triple(w(), f(), t()),
                triple(f(), w(), f()),
            ])),
            "missing '(false, true, true)'"
        );
    }

    #[test]
    fn list_patterns() {
        let x = w;
        // [] | [x] | x :: y :: rest
        assert_eq!(
            summary(&plain(vec![
                nil(),
                cons(x(), nil()),
                cons(x(), cons(x(), x()))
            ])),
            "exhaustive"
        );
        assert_eq!(
            summary(&plain(vec![nil(), cons(x(), nil())])),
            "missing '_ :: _ :: _'"
        );
        assert_eq!(
            summary(&plain(vec![cons(x(), nil()), cons(x(), cons(x(), x()))])),
            "missing '[]'"
        );
        assert_eq!(
            summary(&plain(vec![nil(), cons(x(), cons(x(), x()))])),
            "missing '[_]'"
        );
        assert_eq!(summary(&plain(vec![cons(x(), x())])), "missing '[]'");
        assert_eq!(
            summary(&plain(vec![nil(), cons(t(), x()), cons(f(), nil())])),
            "missing 'false :: _ :: _'"
        );
        assert_eq!(
            summary(&plain(vec![nil(), cons(x(), x()), cons(x(), nil())])),
            "exhaustive; redundant [2]"
        );
    }

    #[test]
    fn union_missing_one_case() {
        assert_eq!(summary(&plain(vec![red(), green()])), "missing 'Blue'");
        assert_eq!(summary(&plain(vec![red(), blue()])), "missing 'Green'");
        assert_eq!(summary(&plain(vec![red(), green(), blue()])), "exhaustive");
        let circle = |p| ctor(SHAPE, 0, vec![p]);
        let rect = |a, b| ctor(SHAPE, 1, vec![a, b]);
        let dot = || ctor(SHAPE, 2, vec![]);
        assert_eq!(
            summary(&plain(vec![rect(w(), w()), dot()])),
            "missing 'Circle (_)'"
        );
        assert_eq!(
            summary(&plain(vec![circle(w()), dot()])),
            "missing 'Rect (_, _)'"
        );
        assert_eq!(
            summary(&plain(vec![
                some(circle(w())),
                some(rect(w(), w())),
                none()
            ])),
            "missing 'Some (Dot)'"
        );
        assert_eq!(
            summary(&plain(vec![some(dot()), some(rect(w(), w())), none()])),
            "missing 'Some (Circle (_))'"
        );
    }

    #[test]
    fn literals() {
        assert_eq!(summary(&plain(vec![int(1), int(2), w()])), "exhaustive");
        assert_eq!(summary(&plain(vec![int(1), int(2)])), "missing '0'");
        assert_eq!(summary(&plain(vec![int(0), int(1), int(3)])), "missing '2'");
        assert_eq!(summary(&plain(vec![int(-5), int(0)])), "missing '1'");
        assert_eq!(
            summary(&plain(vec![string("a"), string("c")])),
            "missing '\"b\"'"
        );
        assert_eq!(summary(&plain(vec![string("")])), "missing '\"a\"'");
        assert_eq!(summary(&plain(vec![character('a')])), "missing ''b''");
        assert_eq!(
            summary(&plain(vec![float(0.0), float(2.0)])),
            "missing '1.0'"
        );
        assert_eq!(
            summary(&plain(vec![some(int(0)), some(int(1)), none()])),
            "missing 'Some (2)'"
        );
        assert_eq!(
            summary(&plain(vec![pair(int(0), t()), pair(w(), f())])),
            "missing '(1, true)'"
        );
        assert_eq!(
            summary(&plain(vec![int(1), int(1), w(), int(2)])),
            "exhaustive; redundant [1, 3]"
        );
    }

    #[test]
    fn fresh_strings_skip_listed_ones() {
        let listed: Vec<Pat> = (0..27).map(|n| string(&letters(n))).collect();
        assert_eq!(letters(25), "z");
        assert_eq!(letters(26), "aa");
        assert_eq!(letters(27), "ab");
        assert_eq!(summary(&plain(listed)), "missing '\"ab\"'");
    }

    #[test]
    fn or_patterns() {
        assert_eq!(
            summary(&plain(vec![or(vec![red(), green()]), blue()])),
            "exhaustive"
        );
        assert_eq!(
            summary(&plain(vec![or(vec![red(), blue()])])),
            "missing 'Green'"
        );
        // Covered by an earlier or-pattern.
        assert_eq!(
            summary(&plain(vec![or(vec![red(), green()]), green(), blue()])),
            "exhaustive; redundant [1]"
        );
        // Redundant only when every alternative is; partially redundant is fine.
        assert_eq!(
            summary(&plain(vec![
                red(),
                or(vec![red(), green()]),
                or(vec![green(), red()]),
                blue()
            ])),
            "exhaustive; redundant [2]"
        );
        // Nested or-patterns inside a constructor and inside an or.
        assert_eq!(
            summary(&plain(vec![some(or(vec![t(), or(vec![f()])])), none()])),
            "exhaustive"
        );
        assert_eq!(
            summary(&plain(vec![pair(or(vec![t(), f()]), t()), pair(t(), f())])),
            "missing '(false, false)'"
        );
        // An empty or-pattern matches nothing.
        assert_eq!(
            summary(&plain(vec![or(vec![]), w()])),
            "exhaustive; redundant [0]"
        );
    }

    #[test]
    fn guards() {
        // A guarded wildcard may fail.
        assert_eq!(summary(&[(w(), true)]), "missing '_'");
        assert_eq!(summary(&[(t(), false), (f(), true)]), "missing 'false'");
        assert_eq!(summary(&[(w(), true), (w(), false)]), "exhaustive");
        // A guarded rule after a complete match is unreachable.
        assert_eq!(
            summary(&[(w(), false), (t(), true)]),
            "exhaustive; redundant [1]"
        );
        // A guarded rule does not make a later rule redundant.
        assert_eq!(
            summary(&[(t(), true), (t(), false), (f(), false)]),
            "exhaustive"
        );
        assert_eq!(
            summary(&[(some(w()), true), (none(), false)]),
            "missing 'Some (_)'"
        );
    }

    #[test]
    fn redundancy() {
        assert_eq!(summary(&plain(vec![w(), t()])), "exhaustive; redundant [1]");
        assert_eq!(
            summary(&plain(vec![w(), w(), w()])),
            "exhaustive; redundant [1, 2]"
        );
        assert_eq!(
            summary(&plain(vec![int(3), int(3)])),
            "missing '0'; redundant [1]"
        );
        assert_eq!(
            summary(&plain(vec![pair(t(), w()), pair(w(), t()), pair(t(), t())])),
            "missing '(false, false)'; redundant [2]"
        );
        assert_eq!(
            summary(&plain(vec![none(), some(w()), some(t())])),
            "exhaustive; redundant [2]"
        );
    }

    #[test]
    fn display_forms() {
        let sigs = table();
        let wild = || Witness::Wild;
        let c = |sig, index, args| Witness::Ctor(CtorId { sig, index }, args);
        let show = |witness: Witness| display_witness(&witness, &sigs);
        let nil = || c(LIST, 0, vec![]);
        let cons = |head, tail| c(LIST, 1, vec![head, tail]);
        assert_eq!(show(c(UNIT, 0, vec![])), "()");
        assert_eq!(
            show(c(PAIR, 0, vec![wild(), c(BOOL, 0, vec![])])),
            "(_, false)"
        );
        assert_eq!(
            show(c(RECORD, 0, vec![wild(), c(BOOL, 1, vec![])])),
            "{ _; true }"
        );
        assert_eq!(
            show(c(OPTION, 1, vec![c(PAIR, 0, vec![wild(), wild()])])),
            "Some (_, _)"
        );
        assert_eq!(show(nil()), "[]");
        assert_eq!(show(cons(wild(), nil())), "[_]");
        assert_eq!(
            show(cons(wild(), cons(c(BOOL, 1, vec![]), nil()))),
            "[_; true]"
        );
        assert_eq!(show(cons(wild(), cons(wild(), wild()))), "_ :: _ :: _");
        assert_eq!(show(cons(cons(wild(), wild()), wild())), "(_ :: _) :: _");
        assert_eq!(show(cons(cons(wild(), nil()), wild())), "[_] :: _");
        assert_eq!(
            show(c(OPTION, 1, vec![cons(wild(), wild())])),
            "Some (_ :: _)"
        );
        assert_eq!(show(Witness::Lit(Lit::Str("a\"b\n".into()))), r#""a\"b\n""#);
        assert_eq!(show(Witness::Lit(Lit::Char('\''))), r"'\''");
        assert_eq!(show(Witness::Lit(Lit::Int(-7))), "-7");
        assert_eq!(show(Witness::Lit(Lit::Float(f64::NAN.to_bits()))), "nan");
        assert_eq!(show(Witness::Lit(Lit::Float(2.5f64.to_bits()))), "2.5");
    }

    #[test]
    fn typical_match_is_fast_and_exact() {
        // 20 rules over (Color, Option<bool>, bool, int): a typical large match.
        let colors = [red, green, blue];
        let options = [|| none(), || some(t()), || some(f()), || w()];
        let mut rules = Vec::new();
        for i in 0..20 {
            let column_int = if i % 5 == 4 { w() } else { int(i as i128 % 3) };
            let pattern = ctor(
                QUAD,
                0,
                vec![
                    colors[i % 3](),
                    options[i % 4](),
                    if i % 2 == 0 { t() } else { w() },
                    column_int,
                ],
            );
            rules.push((pattern, i % 7 == 6));
        }
        let started = std::time::Instant::now();
        let sigs = table();
        let report = check(&rules, &sigs);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        let witness = report
            .missing
            .expect("the int column has no catch-all per color");
        for (pattern, guarded) in &rules {
            assert!(
                *guarded || !may_match(pattern, &witness),
                "{}",
                display_witness(&witness, &sigs)
            );
        }
    }

    #[test]
    fn many_columns_with_complete_signatures() {
        // 16 bool columns; rule i is `false` in column i, the last rule all `true`.
        // Every column has a complete signature, so this exercises the branching
        // case; the all-wildcard-row cut-off keeps it linear.
        let columns = 16;
        let big = Table(vec![
            vec![CtorInfo::new("false", 0), CtorInfo::new("true", 0)],
            vec![CtorInfo::new("", columns)],
        ]);
        let b = |value: u32| {
            Pat::Ctor(
                CtorId {
                    sig: 0,
                    index: value,
                },
                vec![],
            )
        };
        let tuple = |row: Vec<Pat>| Pat::Ctor(CtorId { sig: 1, index: 0 }, row);
        let mut rules: Vec<(Pat, bool)> = (0..columns)
            .map(|column| {
                let mut row = vec![Pat::Wild; columns];
                row[column] = b(0);
                (tuple(row), false)
            })
            .collect();
        rules.push((tuple(vec![b(1); columns]), false));
        let report = check(&rules, &big);
        assert_eq!(
            report,
            Report {
                redundant: vec![],
                missing: None
            }
        );

        // Without the last rule, the witness is all `true`; a duplicate of rule 3 is
        // redundant.
        rules.pop();
        rules.push(rules[3].clone());
        let report = check(&rules, &big);
        assert_eq!(report.redundant, vec![columns]);
        let witness = report.missing.expect("all-true is missing");
        let expected = format!("({})", vec!["true"; columns].join(", "));
        assert_eq!(display_witness(&witness, &big), expected);
    }

    // ---- Cross-check against brute force over small finite (or bounded) types ----

    /// Test types; lists are bounded to length `MAX_LIST`, which is exact for patterns
    /// of cons depth below it, and ints take the values 0..=3 with patterns using
    /// 0..=2, so 3 stands for "any other".
    #[derive(Clone)]
    enum Ty {
        Bool,
        Color,
        Int,
        Option(Box<Ty>),
        List(Box<Ty>),
        Triple(Box<[Ty; 3]>),
    }

    const MAX_LIST: usize = 3;

    fn values(ty: &Ty) -> Vec<Witness> {
        let c = |sig, index, args| Witness::Ctor(CtorId { sig, index }, args);
        match ty {
            Ty::Bool => (0..2).map(|i| c(BOOL, i, vec![])).collect(),
            Ty::Color => (0..3).map(|i| c(COLOR, i, vec![])).collect(),
            Ty::Int => (0..4).map(|n| Witness::Lit(Lit::Int(n))).collect(),
            Ty::Option(inner) => std::iter::once(c(OPTION, 0, vec![]))
                .chain(values(inner).into_iter().map(|v| c(OPTION, 1, vec![v])))
                .collect(),
            Ty::List(element) => {
                let elements = values(element);
                let mut by_length = vec![vec![c(LIST, 0, vec![])]];
                for length in 1..=MAX_LIST {
                    let shorter = &by_length[length - 1];
                    let longer = elements
                        .iter()
                        .flat_map(|e| {
                            shorter
                                .iter()
                                .map(move |tail| c(LIST, 1, vec![e.clone(), tail.clone()]))
                        })
                        .collect();
                    by_length.push(longer);
                }
                by_length.concat()
            }
            Ty::Triple(parts) => {
                let mut all = Vec::new();
                for a in values(&parts[0]) {
                    for b in values(&parts[1]) {
                        for v in values(&parts[2]) {
                            all.push(c(TRIPLE, 0, vec![a.clone(), b.clone(), v]));
                        }
                    }
                }
                all
            }
        }
    }

    /// Whether `pattern` matches some instance of `witness`.
    fn may_match(pattern: &Pat, witness: &Witness) -> bool {
        match (pattern, witness) {
            (Pat::Or(alternatives), _) => alternatives.iter().any(|p| may_match(p, witness)),
            (Pat::Wild, _) => true,
            (_, Witness::Wild) => satisfiable(pattern),
            (Pat::Ctor(c, args), Witness::Ctor(d, values)) => {
                c == d && args.iter().zip(values).all(|(p, v)| may_match(p, v))
            }
            (Pat::Lit(l), Witness::Lit(m)) => l == m,
            _ => false,
        }
    }

    /// Whether `pattern` matches any value (an empty or-pattern matches none).
    fn satisfiable(pattern: &Pat) -> bool {
        match pattern {
            Pat::Wild | Pat::Lit(_) => true,
            Pat::Ctor(_, args) => args.iter().all(satisfiable),
            Pat::Or(alternatives) => alternatives.iter().any(satisfiable),
        }
    }

    /// A xorshift generator, for reproducible random patterns.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    fn random_pattern(ty: &Ty, rng: &mut Rng, list_depth: usize) -> Pat {
        let roll = rng.below(10);
        if roll < 3 {
            return Pat::Wild;
        }
        if roll == 3 {
            let count = rng.below(3) as usize;
            return Pat::Or(
                (0..count)
                    .map(|_| random_pattern(ty, rng, list_depth))
                    .collect(),
            );
        }
        match ty {
            Ty::Bool => ctor(BOOL, rng.below(2) as u32, vec![]),
            Ty::Color => ctor(COLOR, rng.below(3) as u32, vec![]),
            Ty::Int => int(rng.below(3) as i128),
            Ty::Option(inner) => {
                if rng.below(3) == 0 {
                    none()
                } else {
                    some(random_pattern(inner, rng, list_depth))
                }
            }
            Ty::List(element) => {
                // Cons depth stays below MAX_LIST so bounded values are exact.
                if list_depth + 1 >= MAX_LIST || rng.below(3) == 0 {
                    if rng.below(2) == 0 {
                        nil()
                    } else {
                        Pat::Wild
                    }
                } else {
                    cons(
                        random_pattern(element, rng, 0),
                        random_pattern(ty, rng, list_depth + 1),
                    )
                }
            }
            Ty::Triple(parts) => triple(
                random_pattern(&parts[0], rng, 0),
                random_pattern(&parts[1], rng, 0),
                random_pattern(&parts[2], rng, 0),
            ),
        }
    }

    fn matches_value(pattern: &Pat, value: &Witness) -> bool {
        may_match(pattern, value)
    }

    #[test]
    fn agrees_with_brute_force() {
        let types = [
            Ty::Triple(Box::new([
                Ty::Option(Box::new(Ty::Bool)),
                Ty::Color,
                Ty::Bool,
            ])),
            Ty::Triple(Box::new([Ty::Int, Ty::Bool, Ty::Option(Box::new(Ty::Int))])),
            Ty::List(Box::new(Ty::Bool)),
            Ty::Option(Box::new(Ty::List(Box::new(Ty::Option(Box::new(Ty::Bool)))))),
            Ty::Triple(Box::new([Ty::List(Box::new(Ty::Bool)), Ty::Color, Ty::Int])),
        ];
        let sigs = table();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut exhaustive_cases = 0;
        let mut redundant_rules = 0;
        for ty in &types {
            let all_values = values(ty);
            for _ in 0..400 {
                let rule_count = 1 + rng.below(8) as usize;
                let rules: Vec<(Pat, bool)> = (0..rule_count)
                    .map(|_| (random_pattern(ty, &mut rng, 0), rng.below(5) == 0))
                    .collect();
                let report = check(&rules, &sigs);

                let mut expected_redundant = Vec::new();
                for (i, (pattern, _)) in rules.iter().enumerate() {
                    let reachable = all_values.iter().any(|v| {
                        matches_value(pattern, v)
                            && !rules[..i]
                                .iter()
                                .any(|(p, guarded)| !guarded && matches_value(p, v))
                    });
                    if !reachable {
                        expected_redundant.push(i);
                    }
                }
                assert_eq!(report.redundant, expected_redundant, "{rules:?}");
                redundant_rules += expected_redundant.len();

                let exhaustive = all_values.iter().all(|v| {
                    rules
                        .iter()
                        .any(|(p, guarded)| !guarded && matches_value(p, v))
                });
                assert_eq!(report.missing.is_none(), exhaustive, "{rules:?}");
                match &report.missing {
                    Some(witness) => {
                        assert!(
                            all_values
                                .iter()
                                .any(|v| may_match(&pattern_of(witness), v)),
                            "witness of the wrong type: {witness:?}"
                        );
                        for (pattern, guarded) in &rules {
                            assert!(
                                *guarded || !may_match(pattern, witness),
                                "{rules:?} {witness:?}"
                            );
                        }
                    }
                    None => exhaustive_cases += 1,
                }
            }
        }
        // The generator must exercise both outcomes.
        assert!(
            exhaustive_cases > 100 && redundant_rules > 100,
            "{exhaustive_cases} {redundant_rules}"
        );
    }

    /// A witness read back as a pattern (to test it against values).
    fn pattern_of(witness: &Witness) -> Pat {
        match witness {
            Witness::Wild => Pat::Wild,
            Witness::Ctor(c, args) => Pat::Ctor(*c, args.iter().map(pattern_of).collect()),
            Witness::Lit(lit) => Pat::Lit(lit.clone()),
        }
    }
}
