//! FS0025 (incomplete matches, with an example of a value no rule covers) and FS0026
//! (rules that can never match), by translating PSG patterns to the pattern language
//! of [`crate::exhaustive`] (Maranget's usefulness algorithm).

use super::Checker;
use crate::exhaustive::{self, CtorId, CtorInfo, Lit, Pat, Signatures};
use crate::psg::{Const, ExprKind, FunctionId, PatId, PatKind};
use composer_diagnostics::{Code, Diagnostic};
use rustc_hash::FxHashMap;

/// Signatures: one per finite type the patterns use.
#[derive(Default)]
struct Sigs {
    table: Vec<Vec<CtorInfo>>,
    by_key: FxHashMap<SigKey, u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SigKey {
    Bool,
    Unit,
    Option,
    List,
    Tuple(usize),
    Record(u32),
    Union(u32),
    /// The cases of a total active pattern without arguments.
    Active(FunctionId),
}

impl Signatures for Sigs {
    fn constructors(&self, sig: u32) -> &[CtorInfo] {
        &self.table[sig as usize]
    }
}

impl Sigs {
    fn sig(&mut self, key: SigKey, make: impl FnOnce() -> Vec<CtorInfo>) -> u32 {
        if let Some(s) = self.by_key.get(&key) {
            return *s;
        }
        let id = self.table.len() as u32;
        self.table.push(make());
        self.by_key.insert(key, id);
        id
    }
}

impl Checker<'_> {
    /// Checks every `match` of the program (including those that `function`,
    /// destructuring `let`s and parameters turn into).
    pub(crate) fn check_match_completeness(&mut self) {
        let mut sigs = Sigs::default();
        let mut found = Vec::new();
        for e in &self.psg.exprs {
            if let ExprKind::Match { scrutinee, rules } = &e.kind {
                // A rule with a partial or parameterised active pattern may fail
                // where its pattern says nothing: it counts as guarded.
                let pats: Vec<(Pat, bool)> = rules
                    .iter()
                    .map(|r| {
                        let mut may_fail = false;
                        let pat = self.translate(r.pat, &mut sigs, &mut may_fail);
                        (pat, r.guard.is_some() || may_fail)
                    })
                    .collect();
                let report = exhaustive::check(&pats, &sigs);
                let scrutinee_span = self.psg.exprs[scrutinee.index()].span;
                if let Some(w) = &report.missing {
                    let example = exhaustive::display_witness(w, &sigs);
                    let scrutinee_ty = self.u.shallow(&self.expr_ty(*scrutinee));
                    found.push(match self.enum_incomplete(&pats, &sigs, &scrutinee_ty) {
                        // Every named case is covered, but an enum may hold any value.
                        Some((name, None)) => Diagnostic::warning(
                            Code::EnumMatchIncomplete,
                            scrutinee_span,
                            format!("Enums may take values outside known cases. For example, the value 'enum<{name}> ({example})' may indicate a case not covered by the pattern(s)."),
                        ),
                        Some((name, Some(case))) => Diagnostic::warning(
                            Code::IncompleteMatch,
                            scrutinee_span,
                            format!("Incomplete pattern matches on this expression. For example, the value '{name}.{case}' may indicate a case not covered by the pattern(s)."),
                        ),
                        None => Diagnostic::warning(
                            Code::IncompleteMatch,
                            scrutinee_span,
                            format!("Incomplete pattern matches on this expression. For example, the value '{example}' may indicate a case not covered by the pattern(s)."),
                        ),
                    });
                }
                for i in report.redundant {
                    let span = self.psg.pats[rules[i].pat.index()].span;
                    found.push(Diagnostic::warning(
                        Code::RuleNeverMatched,
                        span,
                        "This rule will never be matched",
                    ));
                }
            }
        }
        self.diags.extend(found);
    }

    /// For an incomplete match on an enum: the enum's name and the first case (in
    /// declaration order) no rule covers, or `None` when every case is covered (F#
    /// then warns FS0104 rather than FS0025). `None` overall for other types.
    fn enum_incomplete(
        &self,
        rules: &[(Pat, bool)],
        sigs: &Sigs,
        ty: &crate::types::Ty,
    ) -> Option<(String, Option<String>)> {
        let e = self.psg.enum_of(ty)?;
        let name = match ty {
            crate::types::Ty::App(crate::types::TyCon::User(def), _) => {
                self.psg.types[*def as usize].name.clone()
            }
            _ => return None,
        };
        let missing = e.cases.iter().find(|(_, value)| {
            // The case is missing when a rule for it alone would still be useful.
            let lit = match e.underlying {
                crate::types::Prim::Char => {
                    Lit::Char(char::from_u32(*value as u32).unwrap_or('\0'))
                }
                _ => Lit::Int(*value),
            };
            let mut probe = rules.to_vec();
            probe.push((Pat::Lit(lit), false));
            exhaustive::check(&probe, sigs)
                .redundant
                .last()
                .is_none_or(|&i| i != rules.len())
        });
        Some((name, missing.map(|(case, _)| case.clone())))
    }

    fn translate(&self, id: PatId, sigs: &mut Sigs, may_fail: &mut bool) -> Pat {
        let p = &self.psg.pats[id.index()];
        match &p.kind {
            PatKind::Wild | PatKind::Bind(_) | PatKind::Error => Pat::Wild,
            PatKind::As(inner, _) => self.translate(*inner, sigs, may_fail),
            PatKind::Const(c) => match c {
                Const::Int(v, _) => Pat::Lit(Lit::Int(*v)),
                Const::Float(v, _) => Pat::Lit(Lit::Float(v.to_bits())),
                Const::Char(c) => Pat::Lit(Lit::Char(*c)),
                Const::String(s) => Pat::Lit(Lit::Str(s.clone())),
                Const::Bool(b) => {
                    let sig = sigs.sig(SigKey::Bool, || {
                        vec![CtorInfo::new("false", 0), CtorInfo::new("true", 0)]
                    });
                    Pat::Ctor(
                        CtorId {
                            sig,
                            index: u32::from(*b),
                        },
                        Vec::new(),
                    )
                }
                Const::Unit => {
                    let sig = sigs.sig(SigKey::Unit, || vec![CtorInfo::new("()", 0)]);
                    Pat::Ctor(CtorId { sig, index: 0 }, Vec::new())
                }
            },
            PatKind::OptionNone | PatKind::OptionSome(_) => {
                let sig = sigs.sig(SigKey::Option, || {
                    vec![CtorInfo::new("None", 0), CtorInfo::new("Some", 1)]
                });
                match &p.kind {
                    PatKind::OptionSome(inner) => Pat::Ctor(
                        CtorId { sig, index: 1 },
                        vec![self.translate(*inner, sigs, may_fail)],
                    ),
                    _ => Pat::Ctor(CtorId { sig, index: 0 }, Vec::new()),
                }
            }
            PatKind::ListNil | PatKind::ListCons(..) => {
                let sig = sigs.sig(SigKey::List, || {
                    vec![CtorInfo::new("[]", 0), CtorInfo::new("::", 2)]
                });
                match &p.kind {
                    PatKind::ListCons(h, t) => Pat::Ctor(
                        CtorId { sig, index: 1 },
                        vec![
                            self.translate(*h, sigs, may_fail),
                            self.translate(*t, sigs, may_fail),
                        ],
                    ),
                    _ => Pat::Ctor(CtorId { sig, index: 0 }, Vec::new()),
                }
            }
            PatKind::Tuple(items) => {
                let n = items.len();
                let sig = sigs.sig(SigKey::Tuple(n), || vec![CtorInfo::new("", n)]);
                let args = items
                    .iter()
                    .map(|i| self.translate(*i, sigs, may_fail))
                    .collect();
                Pat::Ctor(CtorId { sig, index: 0 }, args)
            }
            PatKind::Record { def, fields } => {
                let count = self.psg.types[*def as usize]
                    .record_fields()
                    .map(|f| f.len())
                    .unwrap_or(0);
                let sig = sigs.sig(SigKey::Record(*def), || vec![CtorInfo::new("{}", count)]);
                let mut args = vec![Pat::Wild; count];
                for (i, f) in fields {
                    if let Some(slot) = args.get_mut(*i as usize) {
                        *slot = self.translate(*f, sigs, may_fail);
                    }
                }
                Pat::Ctor(CtorId { sig, index: 0 }, args)
            }
            PatKind::Case { def, case, fields } => {
                let cases: Vec<CtorInfo> = self.psg.types[*def as usize]
                    .union_cases()
                    .unwrap_or_default()
                    .iter()
                    .map(|c| CtorInfo::new(c.name.clone(), c.fields.len()))
                    .collect();
                let sig = sigs.sig(SigKey::Union(*def), || cases);
                let args = fields
                    .iter()
                    .map(|f| self.translate(*f, sigs, may_fail))
                    .collect();
                Pat::Ctor(CtorId { sig, index: *case }, args)
            }
            PatKind::View { result, shape, .. } => {
                if !shape.partial && shape.cases == 1 && shape.has_arguments {
                    // A total single-case active pattern always matches; with
                    // arguments its results are not comparable between rules, so only
                    // an irrefutable result pattern is known to match.
                    let inner = self.translate(*result, sigs, may_fail);
                    if inner != Pat::Wild {
                        *may_fail = true;
                    }
                    return Pat::Wild;
                }
                if shape.partial || shape.has_arguments {
                    *may_fail = true;
                    return Pat::Wild;
                }
                let name = &self.psg.functions[shape.function.index()].name;
                let names: Vec<CtorInfo> = active_case_names(name)
                    .into_iter()
                    .map(|n| CtorInfo::new(n, 1))
                    .collect();
                let sig = sigs.sig(SigKey::Active(shape.function), || names);
                // The payload: the field of `ChoiceKOfN p`, or the result itself.
                let payload = match &self.psg.pats[result.index()].kind {
                    PatKind::Case { fields, .. } if shape.cases > 1 => fields.first().copied(),
                    _ if shape.cases > 1 => None,
                    _ => Some(*result),
                };
                let arg = payload.map_or(Pat::Wild, |p| self.translate(p, sigs, may_fail));
                Pat::Ctor(
                    CtorId {
                        sig,
                        index: shape.case,
                    },
                    vec![arg],
                )
            }
            PatKind::Or(a, b) => Pat::Or(vec![
                self.translate(*a, sigs, may_fail),
                self.translate(*b, sigs, may_fail),
            ]),
        }
    }
}

/// The case names of an active pattern's function name: `|Even|Odd|` gives `Even`
/// and `Odd`, `|Int|_|` gives `Int` and `_`.
pub(crate) fn active_case_names(name: &str) -> Vec<String> {
    name.trim_matches('|')
        .split('|')
        .map(str::to_string)
        .collect()
}
