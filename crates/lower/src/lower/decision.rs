//! Pattern matching compiled to decision trees, after Maranget, "Compiling Pattern
//! Matching to Good Decision Trees" (ML Workshop 2008).
//!
//! The rules form a clause matrix: one row per rule (or-patterns split into several
//! rows), one column per *occurrence* (a part of the scrutinee, extracted once). A
//! row whose patterns are all wildcards matches: its variables are bound, its guard
//! (if any) tested, and control jumps to its body. Otherwise a column that the first
//! row tests is chosen, the scrutinee part there is tested once per constructor the
//! column mentions (a union tag, `Some`/`None`, `[]`/`::`, a literal), and each
//! branch continues with the *specialised* matrix; what no constructor takes goes to
//! the *default* matrix. Every occurrence is tested at most once on any path, and
//! each body is emitted once (its variables live in one slot each, assigned by
//! whichever leaf reaches it).
//!
//! This is the only pattern compiler: `match` in and out of tail position, and a
//! module-level `let pattern = value` (a match with one rule whose variables are
//! globals), all go through [`Lowerer::decide`].

use super::{Builder, Lowerer};
use crate::mir::{self, BinOp, LocalId, Operand, RtFn, Rvalue, Stmt, Terminator};
use composer_semantics::psg::{self, BindingId, ExprId, PatId, PatKind};

/// A constructor a column can test.
#[derive(Debug, Clone, PartialEq)]
enum Ctor {
    /// Tuples and records: one constructor, nothing to test.
    Product(usize),
    /// Union case (index), with its arity.
    Case(u32, usize),
    OptionNone,
    OptionSome,
    /// A literal (ints, floats, chars, strings, bools, unit).
    Lit(psg::Const),
}

impl Ctor {
    fn arity(&self) -> usize {
        match self {
            Ctor::Product(n) | Ctor::Case(_, n) => *n,
            Ctor::OptionSome => 1,
            Ctor::OptionNone | Ctor::Lit(_) => 0,
        }
    }
}

/// A pattern cell of the matrix.
#[derive(Debug, Clone)]
enum Cell {
    Wild,
    Ctor(Ctor, Vec<Cell>),
    /// A sub-pattern not expanded yet: its occurrence is known only once the
    /// enclosing constructor's column is specialised.
    Pat(PatId),
    /// An active pattern (`PatKind::View`): not a test of the occurrence but a
    /// computation on it, whose result its own pattern then matches.
    View(PatId),
}

#[derive(Debug, Clone)]
struct Row {
    cells: Vec<Cell>,
    /// Variables bound so far, to the occurrence they name.
    bindings: Vec<(BindingId, usize)>,
    rule: usize,
}

/// A part of the scrutinee: its value (a stable operand) and type.
#[derive(Debug, Clone)]
struct Occurrence {
    value: Operand,
    ty: mir::Ty,
}

impl Lowerer<'_> {
    /// `match scrutinee with rules` outside tail position: each body stores its value
    /// into one result local and jumps to a join block, where the value is read.
    pub(super) fn lower_match(
        &mut self,
        b: &mut Builder,
        scrutinee: ExprId,
        rules: &[psg::MatchRule],
        e: ExprId,
    ) -> Operand {
        let ty = self.expr_mir_ty(b, e);
        let result = b.new_local(ty, "match");
        let join = b.new_block();
        self.lower_decision_tree(b, scrutinee, rules, Some((result, join)));
        b.switch_to(join);
        self.local_operand(b, result)
    }

    /// Lowers the rules of a match as a decision tree. With `Some((result, join))`
    /// each body stores its value and jumps to `join`; with `None` each body is in
    /// tail position.
    pub(super) fn lower_decision_tree(
        &mut self,
        b: &mut Builder,
        scrutinee: ExprId,
        rules: &[psg::MatchRule],
        target: Option<(LocalId, mir::BlockId)>,
    ) {
        let arms: Vec<(PatId, Option<ExprId>)> = rules.iter().map(|r| (r.pat, r.guard)).collect();
        let (bodies, reached) = self.decide(b, scrutinee, &arms);
        // Each reachable body once.
        for (i, rule) in rules.iter().enumerate() {
            if !reached[i] {
                continue;
            }
            b.switch_to(bodies[i]);
            match target {
                Some((result, join)) => {
                    let v = self.lower_expr(b, rule.body);
                    b.assign(result, Rvalue::Use(v));
                    b.terminate(Terminator::Goto(join));
                }
                None => self.lower_tail(b, rule.body),
            }
        }
    }

    /// `let pattern = value` at module level: a match with one rule whose variables
    /// are globals. Lowering continues after the pattern has matched; a value it does
    /// not match panics as an incomplete match does.
    pub(super) fn lower_destructure(&mut self, b: &mut Builder, pat: PatId, value: ExprId) {
        let (bodies, _) = self.decide(b, value, &[(pat, None)]);
        b.switch_to(bodies[0]);
    }

    /// Evaluates the scrutinee once and emits the decision tree that selects the
    /// first arm (pattern, guard) matching it, binding that arm's variables. Returns
    /// one empty block per arm, where the tree jumps when that arm is selected, and
    /// whether the tree can reach it at all.
    fn decide(
        &mut self,
        b: &mut Builder,
        scrutinee: ExprId,
        arms: &[(PatId, Option<ExprId>)],
    ) -> (Vec<mir::BlockId>, Vec<bool>) {
        let s_ty = self.expr_mir_ty(b, scrutinee);
        let s = self.lower_expr(b, scrutinee);
        let s = match s {
            Operand::Local(_) => b.temp(Rvalue::Use(s), s_ty.clone()),
            other => other,
        };
        let mut occurrences = vec![Occurrence { value: s, ty: s_ty }];
        let mut rows = Vec::new();
        for (i, (pat, _)) in arms.iter().enumerate() {
            for (cell, bindings) in self.cells_of(*pat, 0) {
                rows.push(Row {
                    cells: vec![cell],
                    bindings,
                    rule: i,
                });
            }
        }
        let bodies: Vec<mir::BlockId> = arms.iter().map(|_| b.new_block()).collect();
        let mut reached = vec![false; arms.len()];
        let guards: Vec<Option<ExprId>> = arms.iter().map(|(_, guard)| *guard).collect();
        let columns: Vec<usize> = vec![0];
        self.compile_rows(
            b,
            rows,
            &columns,
            &mut occurrences,
            &guards,
            &bodies,
            &mut reached,
            None,
        );
        (bodies, reached)
    }

    /// Binds a pattern variable: a local, or a global for module-level patterns.
    fn bind_pattern_variable(&mut self, b: &mut Builder, id: BindingId, v: Operand, ty: &mir::Ty) {
        if let Some(g) = self.globals.get(&id).copied() {
            if !ty.is_unit() {
                b.emit(Stmt::StoreGlobal(g, v));
            }
            return;
        }
        // Both sides of an or-pattern bind the same variable: one slot for both.
        if let Some(l) = b.locals.get(&id).copied() {
            b.assign(l, Rvalue::Use(v));
            return;
        }
        let bnd = self.psg.binding(id);
        let l = b.new_local(ty.clone(), &bnd.name);
        b.assign(l, Rvalue::Use(v));
        b.locals.insert(id, l);
    }

    /// The cell for a pattern at an occurrence, with the variables it binds there.
    /// An or-pattern gives one alternative per entry.
    fn cells_of(&self, pat: PatId, occ: usize) -> Vec<(Cell, Vec<(BindingId, usize)>)> {
        match &self.psg.pat(pat).kind {
            PatKind::Wild | PatKind::Error => vec![(Cell::Wild, Vec::new())],
            PatKind::Bind(b) => vec![(Cell::Wild, vec![(*b, occ)])],
            PatKind::As(inner, b) => self
                .cells_of(*inner, occ)
                .into_iter()
                .map(|(c, mut bs)| {
                    bs.insert(0, (*b, occ));
                    (c, bs)
                })
                .collect(),
            PatKind::Or(a, c) => {
                let mut out = self.cells_of(*a, occ);
                out.extend(self.cells_of(*c, occ));
                out
            }
            PatKind::View { .. } => vec![(Cell::View(pat), Vec::new())],
            _ => vec![(self.ctor_cell(pat), Vec::new())],
        }
    }

    /// A constructor pattern as a cell whose arguments are unexpanded patterns.
    fn ctor_cell(&self, pat: PatId) -> Cell {
        let pat_ref = Cell::Pat;
        match &self.psg.pat(pat).kind {
            PatKind::Const(c) => Cell::Ctor(Ctor::Lit(c.clone()), Vec::new()),
            PatKind::OptionNone => Cell::Ctor(Ctor::OptionNone, Vec::new()),
            PatKind::OptionSome(p) => Cell::Ctor(Ctor::OptionSome, vec![pat_ref(*p)]),
            PatKind::Tuple(ps) => Cell::Ctor(
                Ctor::Product(ps.len()),
                ps.iter().map(|p| pat_ref(*p)).collect(),
            ),
            PatKind::Record { def, fields } => {
                let n = self.psg.types[*def as usize]
                    .record_fields()
                    .map(|f| f.len())
                    .unwrap_or(0);
                let mut cells = vec![Cell::Wild; n];
                for (i, p) in fields {
                    if let Some(slot) = cells.get_mut(*i as usize) {
                        *slot = pat_ref(*p);
                    }
                }
                Cell::Ctor(Ctor::Product(n), cells)
            }
            PatKind::Case { case, fields, .. } => Cell::Ctor(
                Ctor::Case(*case, fields.len()),
                fields.iter().map(|p| pat_ref(*p)).collect(),
            ),
            PatKind::ListNil => Cell::Ctor(Ctor::Case(0, 0), Vec::new()),
            PatKind::ListCons(h, t) => Cell::Ctor(Ctor::Case(1, 2), vec![pat_ref(*h), pat_ref(*t)]),
            _ => Cell::Wild,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn compile_rows(
        &mut self,
        b: &mut Builder,
        rows: Vec<Row>,
        columns: &[usize],
        occs: &mut Vec<Occurrence>,
        guards: &[Option<ExprId>],
        bodies: &[mir::BlockId],
        reached: &mut [bool],
        fail: Option<mir::BlockId>,
    ) {
        // Resolve pattern references at every column first (binds variables and
        // splits or-patterns), so cells are only Wild or constructors.
        let rows = self.normalise(rows, columns);
        let Some(first) = rows.first() else {
            match fail {
                // The rows after an active pattern that split the matrix.
                Some(rest) => b.terminate(Terminator::Goto(rest)),
                None => {
                    let m = self.str_const("The match cases were incomplete");
                    b.call_rt(RtFn::Panic, vec![m], mir::Ty::Unit);
                }
            }
            return;
        };
        let Some(col) = first
            .cells
            .iter()
            .position(|c| matches!(c, Cell::Ctor(..) | Cell::View(_)))
        else {
            // The first row matches: bind, test the guard, run the body.
            let first = first.clone();
            for (id, occ) in &first.bindings {
                let o = occs[*occ].clone();
                self.bind_pattern_variable(b, *id, o.value, &o.ty);
            }
            reached[first.rule] = true;
            match guards[first.rule] {
                Some(g) => {
                    let c = self.lower_expr(b, g);
                    let rest = b.new_block();
                    b.terminate(Terminator::Branch {
                        cond: c,
                        then_block: bodies[first.rule],
                        else_block: rest,
                    });
                    b.switch_to(rest);
                    self.compile_rows(
                        b,
                        rows[1..].to_vec(),
                        columns,
                        occs,
                        guards,
                        bodies,
                        reached,
                        fail,
                    );
                }
                None => b.terminate(Terminator::Goto(bodies[first.rule])),
            }
            return;
        };
        let occ_index = columns[col];
        let occ = occs[occ_index].clone();
        if let Cell::View(view) = first.cells[col] {
            let (rows, columns) = self.expand_view(b, rows, columns, col, view, occs);
            self.compile_rows(b, rows, &columns, occs, guards, bodies, reached, fail);
            return;
        }
        // An active pattern in this column below the first row is a computation,
        // not a constructor: the rows above it are compiled first, and what they do
        // not match continues with the rest (so it runs only when reached).
        if let Some(split) = rows
            .iter()
            .position(|r| matches!(r.cells[col], Cell::View(_)))
        {
            let rest = b.new_block();
            self.compile_rows(
                b,
                rows[..split].to_vec(),
                columns,
                occs,
                guards,
                bodies,
                reached,
                Some(rest),
            );
            b.switch_to(rest);
            self.compile_rows(
                b,
                rows[split..].to_vec(),
                columns,
                occs,
                guards,
                bodies,
                reached,
                fail,
            );
            return;
        }
        // The constructors this column tests, in order of appearance.
        let mut heads: Vec<Ctor> = Vec::new();
        for r in &rows {
            if let Cell::Ctor(c, _) = &r.cells[col] {
                if !heads.contains(c) {
                    heads.push(c.clone());
                }
            }
        }
        let complete = self.signature_complete(&heads, &occ.ty);
        for (k, head) in heads.iter().enumerate() {
            let last_of_complete = complete && k + 1 == heads.len();
            let no = if last_of_complete || matches!(head, Ctor::Product(_)) {
                None
            } else {
                let test = self.ctor_test(b, &occ, head);
                let (yes, no) = b.branch(test);
                b.switch_to(yes);
                Some(no)
            };
            // The fields of this constructor become new occurrences.
            let mut sub_columns: Vec<usize> = Vec::new();
            for i in 0..head.arity() {
                let (value, ty) = self.ctor_field(b, &occ, head, i);
                occs.push(Occurrence { value, ty });
                sub_columns.push(occs.len() - 1);
            }
            let mut new_columns = sub_columns.clone();
            new_columns.extend(
                columns
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != col)
                    .map(|(_, c)| *c),
            );
            let specialised: Vec<Row> = rows
                .iter()
                .filter_map(|r| {
                    let rest: Vec<Cell> = r
                        .cells
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != col)
                        .map(|(_, c)| c.clone())
                        .collect();
                    let args = match &r.cells[col] {
                        Cell::Ctor(c, args) if c == head => args.clone(),
                        Cell::Ctor(..) => return None,
                        Cell::Wild | Cell::Pat(_) | Cell::View(_) => {
                            vec![Cell::Wild; head.arity()]
                        }
                    };
                    let mut cells = args;
                    cells.extend(rest);
                    Some(Row {
                        cells,
                        bindings: r.bindings.clone(),
                        rule: r.rule,
                    })
                })
                .collect();
            self.compile_rows(
                b,
                specialised,
                &new_columns,
                occs,
                guards,
                bodies,
                reached,
                fail,
            );
            match no {
                Some(no) => b.switch_to(no),
                None => return,
            }
        }
        // What no listed constructor matched: the default matrix.
        let rest_columns: Vec<usize> = columns
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != col)
            .map(|(_, c)| *c)
            .collect();
        let default: Vec<Row> = rows
            .iter()
            .filter(|r| matches!(r.cells[col], Cell::Wild))
            .map(|r| Row {
                cells: r
                    .cells
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != col)
                    .map(|(_, c)| c.clone())
                    .collect(),
                bindings: r.bindings.clone(),
                rule: r.rule,
            })
            .collect();
        self.compile_rows(
            b,
            default,
            &rest_columns,
            occs,
            guards,
            bodies,
            reached,
            fail,
        );
    }

    /// Runs the active pattern `view` of column `col` on that column's occurrence:
    /// its result becomes a new occurrence, matched by the result pattern of every
    /// row that uses the same active pattern there (the call is made once, as F#
    /// does for an active pattern without arguments); the other rows see a wildcard
    /// there and keep their cell in `col`.
    fn expand_view(
        &mut self,
        b: &mut Builder,
        rows: Vec<Row>,
        columns: &[usize],
        col: usize,
        view: PatId,
        occs: &mut Vec<Occurrence>,
    ) -> (Vec<Row>, Vec<usize>) {
        let PatKind::View {
            input,
            apply,
            shape,
            ..
        } = self.psg.pat(view).kind.clone()
        else {
            unreachable!("Cell::View holds a view pattern");
        };
        let occ = occs[columns[col]].clone();
        self.bind_pattern_variable(b, input, occ.value, &occ.ty);
        let ty = self.expr_mir_ty(b, apply);
        let value = self.lower_expr(b, apply);
        let value = match value {
            Operand::Local(_) => b.temp(Rvalue::Use(value), ty.clone()),
            other => other,
        };
        occs.push(Occurrence { value, ty });
        let mut new_columns = vec![occs.len() - 1];
        new_columns.extend_from_slice(columns);
        let same = |other: PatId| -> Option<PatId> {
            match &self.psg.pat(other).kind {
                PatKind::View {
                    result,
                    shape: other_shape,
                    ..
                } if other == view
                    || (shape.shared_key().is_some()
                        && other_shape.shared_key() == shape.shared_key()) =>
                {
                    Some(*result)
                }
                _ => None,
            }
        };
        let rows = rows
            .into_iter()
            .map(|mut r| {
                let result = match r.cells[col] {
                    Cell::View(other) => same(other),
                    _ => None,
                };
                let head = match result {
                    Some(result) => {
                        r.cells[col] = Cell::Wild;
                        Cell::Pat(result)
                    }
                    None => Cell::Wild,
                };
                r.cells.insert(0, head);
                r
            })
            .collect();
        (rows, new_columns)
    }

    /// Replaces pattern references by cells (binding variables to the column's
    /// occurrence and splitting or-patterns into rows).
    fn normalise(&self, rows: Vec<Row>, columns: &[usize]) -> Vec<Row> {
        let mut out = Vec::new();
        for r in rows {
            let mut partial = vec![Row {
                cells: Vec::new(),
                bindings: r.bindings.clone(),
                rule: r.rule,
            }];
            for (j, cell) in r.cells.iter().enumerate() {
                let alternatives: Vec<(Cell, Vec<(BindingId, usize)>)> = match cell {
                    Cell::Pat(p) => self.cells_of(*p, columns[j]),
                    other => vec![(other.clone(), Vec::new())],
                };
                let mut next = Vec::new();
                for p in &partial {
                    for (c, bs) in &alternatives {
                        let mut row = p.clone();
                        row.cells.push(c.clone());
                        row.bindings.extend(bs.iter().copied());
                        next.push(row);
                    }
                }
                partial = next;
            }
            out.extend(partial);
        }
        out
    }

    /// Whether the constructors cover every value of the type (so the last one
    /// needs no test).
    fn signature_complete(&self, heads: &[Ctor], ty: &mir::Ty) -> bool {
        match ty {
            mir::Ty::Union(u) => {
                let n = self.program.unions[u.index()].cases.len();
                (0..n as u32).all(|k| {
                    heads
                        .iter()
                        .any(|h| matches!(h, Ctor::Case(c, _) if *c == k))
                })
            }
            mir::Ty::Option(_) => {
                heads.contains(&Ctor::OptionNone) && heads.contains(&Ctor::OptionSome)
            }
            mir::Ty::Bool => {
                heads.contains(&Ctor::Lit(psg::Const::Bool(true)))
                    && heads.contains(&Ctor::Lit(psg::Const::Bool(false)))
            }
            mir::Ty::Unit => true,
            _ => false,
        }
    }

    /// Whether the occurrence is built by `head`.
    fn ctor_test(&mut self, b: &mut Builder, occ: &Occurrence, head: &Ctor) -> Operand {
        match head {
            Ctor::Case(k, _) => b.temp(
                Rvalue::IsCase {
                    value: occ.value.clone(),
                    case: *k,
                },
                mir::Ty::Bool,
            ),
            Ctor::OptionSome | Ctor::OptionNone => {
                let some = b.temp(Rvalue::OptionIsSome(occ.value.clone()), mir::Ty::Bool);
                if *head == Ctor::OptionSome {
                    some
                } else {
                    b.temp(Rvalue::Unary(mir::UnOp::Not, some), mir::Ty::Bool)
                }
            }
            Ctor::Lit(c) => {
                let k = self.lower_const(c);
                self.compare(
                    b,
                    BinOp::Eq,
                    occ.value.clone(),
                    k,
                    &occ.ty,
                    Default::default(),
                )
            }
            Ctor::Product(_) => Operand::Const(mir::Const::Bool(true)),
        }
    }

    /// Field `i` of the occurrence, seen as built by `head`.
    fn ctor_field(
        &mut self,
        b: &mut Builder,
        occ: &Occurrence,
        head: &Ctor,
        i: usize,
    ) -> (Operand, mir::Ty) {
        match head {
            Ctor::Product(_) => {
                let (fields, tuple_ty) = self.record_fields_value(b, occ.value.clone(), &occ.ty);
                let fty = match &tuple_ty {
                    mir::Ty::Tuple(fs) => fs.get(i).cloned().unwrap_or(mir::Ty::Unit),
                    _ => mir::Ty::Unit,
                };
                (b.temp(Rvalue::TupleGet(fields, i as u32), fty.clone()), fty)
            }
            Ctor::Case(k, _) => self.union_field(b, occ.value.clone(), &occ.ty, *k, i as u32),
            Ctor::OptionSome => {
                let pty = match &occ.ty {
                    mir::Ty::Option(t) => (**t).clone(),
                    _ => mir::Ty::Unit,
                };
                (
                    b.temp(Rvalue::OptionPayload(occ.value.clone()), pty.clone()),
                    pty,
                )
            }
            Ctor::OptionNone | Ctor::Lit(_) => (Operand::Const(mir::Const::Unit), mir::Ty::Unit),
        }
    }
}
