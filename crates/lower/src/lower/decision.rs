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

use super::{i32c, Builder, Lowerer};
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
    /// Lowers the rules of a match as a decision tree. With `Some((result, join))`
    /// each body stores its value and jumps to `join`; with `None` each body is in
    /// tail position.
    pub(super) fn lower_decision_tree(
        &mut self,
        b: &mut Builder,
        scrutinee: ExprId,
        rules: &[psg::MatchRule],
        target: Option<(mir::LocalId, mir::BlockId)>,
    ) {
        let s_ty = self.expr_mir_ty(b, scrutinee);
        let s = self.lower_expr(b, scrutinee);
        let s = match s {
            Operand::Local(_) => b.temp(Rvalue::Use(s), s_ty.clone()),
            other => other,
        };
        let mut occurrences = vec![Occurrence { value: s, ty: s_ty }];
        let mut rows = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            for (cell, bindings) in self.cells_of(r.pat, 0) {
                rows.push(Row {
                    cells: vec![cell],
                    bindings,
                    rule: i,
                });
            }
        }
        let bodies: Vec<mir::BlockId> = rules.iter().map(|_| b.new_block()).collect();
        let mut reached = vec![false; rules.len()];
        let columns: Vec<usize> = vec![0];
        self.compile_rows(
            b,
            rows,
            &columns,
            &mut occurrences,
            rules,
            &bodies,
            &mut reached,
        );
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
        rules: &[psg::MatchRule],
        bodies: &[mir::BlockId],
        reached: &mut [bool],
    ) {
        // Resolve pattern references at every column first (binds variables and
        // splits or-patterns), so cells are only Wild or constructors.
        let rows = self.normalise(rows, columns);
        let Some(first) = rows.first() else {
            let m = self.str_const("The match cases were incomplete");
            b.call_rt(RtFn::Panic, vec![m], mir::Ty::Unit);
            return;
        };
        let Some(col) = first.cells.iter().position(|c| matches!(c, Cell::Ctor(..))) else {
            // The first row matches: bind, test the guard, run the body.
            let first = first.clone();
            for (id, occ) in &first.bindings {
                let o = occs[*occ].clone();
                self.bind_pattern_variable(b, *id, o.value, &o.ty);
            }
            reached[first.rule] = true;
            match rules[first.rule].guard {
                Some(g) => {
                    let c = self.lower_expr(b, g);
                    let rest = b.new_block();
                    b.terminate(Terminator::Branch {
                        cond: c,
                        then_block: bodies[first.rule],
                        else_block: rest,
                    });
                    b.switch_to(rest);
                    self.compile_rows(b, rows[1..].to_vec(), columns, occs, rules, bodies, reached);
                }
                None => b.terminate(Terminator::Goto(bodies[first.rule])),
            }
            return;
        };
        let occ_index = columns[col];
        let occ = occs[occ_index].clone();
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
                        Cell::Wild | Cell::Pat(_) => vec![Cell::Wild; head.arity()],
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
            self.compile_rows(b, specialised, &new_columns, occs, rules, bodies, reached);
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
        self.compile_rows(b, default, &rest_columns, occs, rules, bodies, reached);
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
                let fty = match &occ.ty {
                    mir::Ty::Tuple(fs) => fs.get(i).cloned().unwrap_or(mir::Ty::Unit),
                    _ => mir::Ty::Unit,
                };
                (
                    b.temp(Rvalue::TupleGet(occ.value.clone(), i as u32), fty.clone()),
                    fty,
                )
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
        self.lower_match_arms(b, scrutinee, rules, e, Some((result, join)));
        b.switch_to(join);
        self.local_operand(b, result)
    }

    /// The rules of a match, tried in order. With `Some((result, join))` each arm
    /// stores its value and jumps to `join`; with `None` each arm is in tail position.
    pub(super) fn lower_match_arms(
        &mut self,
        b: &mut Builder,
        scrutinee: ExprId,
        rules: &[psg::MatchRule],
        _e: ExprId,
        target: Option<(LocalId, mir::BlockId)>,
    ) {
        self.lower_decision_tree(b, scrutinee, rules, target);
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

    /// The variables a pattern binds, in order.
    pub(super) fn pattern_bindings(&self, pat: psg::PatId, out: &mut Vec<BindingId>) {
        match &self.psg.pat(pat).kind {
            psg::PatKind::Bind(b) => out.push(*b),
            psg::PatKind::As(inner, b) => {
                out.push(*b);
                self.pattern_bindings(*inner, out);
            }
            psg::PatKind::Tuple(items) => {
                for i in items {
                    self.pattern_bindings(*i, out);
                }
            }
            psg::PatKind::OptionSome(inner) => self.pattern_bindings(*inner, out),
            psg::PatKind::Case { fields, .. } => {
                for f in fields {
                    self.pattern_bindings(*f, out);
                }
            }
            psg::PatKind::Record { fields, .. } => {
                for (_, f) in fields {
                    self.pattern_bindings(*f, out);
                }
            }
            psg::PatKind::ListCons(h, t) => {
                self.pattern_bindings(*h, out);
                self.pattern_bindings(*t, out);
            }
            psg::PatKind::Or(a, b) => {
                self.pattern_bindings(*a, out);
                self.pattern_bindings(*b, out);
            }
            psg::PatKind::Wild
            | psg::PatKind::Const(_)
            | psg::PatKind::OptionNone
            | psg::PatKind::ListNil
            | psg::PatKind::Error => {}
        }
    }

    /// Emits the tests of a pattern; on failure jumps to `fail`, on success continues
    /// in the current block with the pattern's variables bound.
    pub(super) fn test_pattern(
        &mut self,
        b: &mut Builder,
        pat: psg::PatId,
        v: Operand,
        ty: &mir::Ty,
        fail: mir::BlockId,
    ) {
        let p = self.psg.pat(pat).clone();
        match &p.kind {
            psg::PatKind::Wild | psg::PatKind::Error => {}
            psg::PatKind::Bind(id) => self.bind_pattern_variable(b, *id, v, ty),
            psg::PatKind::As(inner, id) => {
                self.bind_pattern_variable(b, *id, v.clone(), ty);
                self.test_pattern(b, *inner, v, ty, fail);
            }
            psg::PatKind::Case { case, fields, .. } => {
                let (case, fields) = (*case, fields.clone());
                let tag = b.temp(Rvalue::UnionTag(v.clone()), mir::Ty::I32);
                let is_case = b.temp(
                    Rvalue::Binary(BinOp::Eq, tag, i32c(case as i32)),
                    mir::Ty::Bool,
                );
                let ok = b.new_block();
                b.terminate(Terminator::Branch {
                    cond: is_case,
                    then_block: ok,
                    else_block: fail,
                });
                b.switch_to(ok);
                for (i, p) in fields.iter().enumerate() {
                    let (field, fty) = self.union_field(b, v.clone(), ty, case, i as u32);
                    self.test_pattern(b, *p, field, &fty, fail);
                }
            }
            psg::PatKind::ListNil | psg::PatKind::ListCons(..) => {
                let is_cons = matches!(p.kind, psg::PatKind::ListCons(..));
                let tag = b.temp(Rvalue::UnionTag(v.clone()), mir::Ty::I32);
                let matches = b.temp(
                    Rvalue::Binary(BinOp::Eq, tag, i32c(i32::from(is_cons))),
                    mir::Ty::Bool,
                );
                let ok = b.new_block();
                b.terminate(Terminator::Branch {
                    cond: matches,
                    then_block: ok,
                    else_block: fail,
                });
                b.switch_to(ok);
                if let psg::PatKind::ListCons(h, t) = p.kind {
                    let (head, hty) = self.union_field(b, v.clone(), ty, 1, 0);
                    self.test_pattern(b, h, head, &hty, fail);
                    let (tail, tty) = self.union_field(b, v, ty, 1, 1);
                    self.test_pattern(b, t, tail, &tty, fail);
                }
            }
            psg::PatKind::Record { fields, .. } => {
                let field_tys = match ty {
                    mir::Ty::Tuple(fs) => fs.clone(),
                    _ => Vec::new(),
                };
                for (i, p) in fields.clone() {
                    let fty = field_tys.get(i as usize).cloned().unwrap_or(mir::Ty::Unit);
                    let field = b.temp(Rvalue::TupleGet(v.clone(), i), fty.clone());
                    self.test_pattern(b, p, field, &fty, fail);
                }
            }
            psg::PatKind::Tuple(items) => {
                let fields = match ty {
                    mir::Ty::Tuple(fs) => fs.clone(),
                    _ => vec![mir::Ty::Unit; items.len()],
                };
                for (i, (item, fty)) in items.iter().zip(&fields).enumerate() {
                    let field = b.temp(Rvalue::TupleGet(v.clone(), i as u32), fty.clone());
                    self.test_pattern(b, *item, field, fty, fail);
                }
            }
            psg::PatKind::Const(c) => {
                let k = self.lower_const(c);
                let eq = self.compare(b, BinOp::Eq, v, k, ty, p.span);
                let ok = b.new_block();
                b.terminate(Terminator::Branch {
                    cond: eq,
                    then_block: ok,
                    else_block: fail,
                });
                b.switch_to(ok);
            }
            psg::PatKind::Or(left, right) => {
                let ok = b.new_block();
                let try_right = b.new_block();
                self.test_pattern(b, *left, v.clone(), ty, try_right);
                b.terminate(Terminator::Goto(ok));
                b.switch_to(try_right);
                self.test_pattern(b, *right, v, ty, fail);
                b.terminate(Terminator::Goto(ok));
                b.switch_to(ok);
            }
            psg::PatKind::OptionNone | psg::PatKind::OptionSome(_) => {
                let is_some = b.temp(Rvalue::OptionIsSome(v.clone()), mir::Ty::Bool);
                let ok = b.new_block();
                let want_some = matches!(p.kind, psg::PatKind::OptionSome(_));
                b.terminate(Terminator::Branch {
                    cond: is_some,
                    then_block: if want_some { ok } else { fail },
                    else_block: if want_some { fail } else { ok },
                });
                b.switch_to(ok);
                if let psg::PatKind::OptionSome(inner) = p.kind {
                    let payload_ty = match ty {
                        mir::Ty::Option(t) => (**t).clone(),
                        _ => mir::Ty::Unit,
                    };
                    let payload = b.temp(Rvalue::OptionPayload(v), payload_ty.clone());
                    self.test_pattern(b, inner, payload, &payload_ty, fail);
                }
            }
        }
    }
}
