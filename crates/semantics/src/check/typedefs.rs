//! Type definitions: records and discriminated unions, and the expressions and
//! patterns that build and take apart their values.

use super::{Checker, Item};
use crate::psg::*;
use crate::types::{substitute, Ty, TyCon, TyVar};
use composer_diagnostics::{Code, Span};
use composer_syntax::ast;

impl Checker<'_> {
    /// `type A = ... and B = ...`: all names are defined first, so the group may
    /// refer to itself and to each other.
    pub(crate) fn check_type_group(&mut self, defs: &[ast::TypeDefn]) {
        let mut ids = Vec::new();
        for d in defs {
            if let ast::TypeDefnKind::Augmentation = d.kind {
                // `type T with ...`: members for a type defined earlier.
                match self.lookup_type(d.name.name) {
                    Some(id) => ids.push(id),
                    None => {
                        let name = self.name(d.name.name).to_string();
                        self.error(
                            Code::UndefinedName,
                            d.name.span,
                            format!("The type '{name}' is not defined."),
                        );
                        ids.push(u32::MAX);
                    }
                }
                continue;
            }
            let params: Vec<TyVar> = d
                .type_params
                .iter()
                .map(|_| match self.u.fresh() {
                    Ty::Var(v) => v,
                    _ => unreachable!("fresh gives a variable"),
                })
                .collect();
            let name = self.name(d.name.name).to_string();
            let id = self.psg.types.len() as u32;
            self.psg.types.push(TypeDef {
                name: name.clone(),
                params,
                kind: TypeDefKind::Record {
                    fields: Vec::new(),
                    is_struct: false,
                },
                span: d.span,
            });
            self.u.type_names.push(name.clone());
            match &d.kind {
                ast::TypeDefnKind::Measure(None) => {
                    // A unit of measure: erased, nothing to record (see `resolve_type`).
                    let unit = self.u.measure_names.len() as u32;
                    self.u.measure_names.push(name.clone());
                    let atom = crate::types::Measure::atom(crate::types::MeasureAtom::Unit(unit));
                    self.measures.insert(d.name.name, atom);
                }
                ast::TypeDefnKind::Measure(Some(definition)) => {
                    // An abbreviation stands for its definition wherever it is used.
                    let m = self.resolve_measure_expr(definition);
                    self.measures.insert(d.name.name, m);
                }
                ast::TypeDefnKind::Abbreviation(_) => {}
                _ => {
                    let key = self.type_key(d.name.name);
                    self.define(key, Item::Type(id));
                }
            }
            ids.push(id);
        }
        for (d, &id) in defs.iter().zip(&ids) {
            if matches!(d.kind, ast::TypeDefnKind::Augmentation) {
                continue;
            }
            let saved = std::mem::take(&mut self.type_var_names);
            for (p, v) in d
                .type_params
                .iter()
                .zip(self.psg.types[id as usize].params.clone())
            {
                self.type_var_names.insert(p.name, Ty::Var(v));
            }
            let is_struct = d
                .attributes
                .iter()
                .any(|a| a.name.last().is_some_and(|n| self.name(n.name) == "Struct"));
            match &d.kind {
                ast::TypeDefnKind::Record(fields) => {
                    let mut out = Vec::new();
                    for (i, f) in fields.iter().enumerate() {
                        let ty = self.resolve_type(&f.ty);
                        out.push(FieldDef {
                            name: self.name(f.name.name).to_string(),
                            ty,
                            is_mutable: f.is_mutable,
                        });
                        self.record_fields
                            .entry(f.name.name)
                            .or_default()
                            .push((id, i as u32));
                    }
                    self.psg.types[id as usize].kind = TypeDefKind::Record {
                        fields: out,
                        is_struct,
                    };
                }
                ast::TypeDefnKind::Union(cases) => {
                    let mut out = Vec::new();
                    for (ci, c) in cases.iter().enumerate() {
                        let n = c.fields.len();
                        let mut fields = Vec::new();
                        for (fi, (fname, fty)) in c.fields.iter().enumerate() {
                            let ty = self.resolve_type(fty);
                            let name = match fname {
                                Some(n) => self.name(n.name).to_string(),
                                None if n == 1 => "Item".to_string(),
                                None => format!("Item{}", fi + 1),
                            };
                            fields.push(FieldDef {
                                name,
                                ty,
                                is_mutable: false,
                            });
                        }
                        out.push(CaseDef {
                            name: self.name(c.name.name).to_string(),
                            fields,
                        });
                        self.define(c.name.name, Item::UnionCase(id, ci as u32));
                    }
                    self.psg.types[id as usize].kind = TypeDefKind::Union { cases: out };
                }
                ast::TypeDefnKind::Enum(cases) => self.check_enum_defn(id, d, cases),
                ast::TypeDefnKind::Abbreviation(t) => {
                    let ty = self.resolve_type(t);
                    if d.type_params.is_empty() {
                        self.abbreviations.insert(d.name.name, ty);
                    } else {
                        self.unsupported(d.span, "a generic type abbreviation");
                    }
                }
                ast::TypeDefnKind::Measure(_) | ast::TypeDefnKind::Augmentation => {}
            }
            self.type_var_names = saved;
        }
        self.check_regular_group(defs, &ids);
        self.note_structural_types(&ids);
        self.check_members(defs, &ids);
    }

    /// Rejects a group whose types refer to themselves at larger type arguments
    /// (`Nest<'a> = Cons of 'a * Nest<'a * 'a>`, polymorphic recursion): a use
    /// of such a type has infinitely many instances, and Clef gives every instance
    /// its own layout (monomorphisation), so lowering, union boxing and the `%A`,
    /// equality and hash derivations would unfold them forever.
    ///
    /// A graph over (type, parameter): a field of `D` that mentions `E<.., t_j, ..>`
    /// gives an edge from each parameter of `D` in `t_j` to `E`'s `j`-th one,
    /// growing when `t_j` is not the parameter itself. Only the group's own types can
    /// close a cycle (earlier types cannot mention them); a cycle through a growing
    /// edge makes instances without end.
    fn check_regular_group(&mut self, defs: &[ast::TypeDefn], ids: &[u32]) {
        let group: Vec<(usize, u32)> = defs
            .iter()
            .zip(ids)
            .enumerate()
            .filter(|(_, (d, &id))| {
                id != u32::MAX
                    && matches!(
                        d.kind,
                        ast::TypeDefnKind::Record(_) | ast::TypeDefnKind::Union(_)
                    )
            })
            .map(|(i, (_, &id))| (i, id))
            .collect();
        // A node is (type, parameter index); an edge is (from, to, growing).
        type Node = (u32, usize);
        let node = |def: u32, param: usize| -> Node { (def, param) };
        let mut edges: Vec<(Node, Node, bool)> = Vec::new();
        for &(_, id) in &group {
            let d = &self.psg.types[id as usize];
            let fields: Vec<&Ty> = d
                .record_fields()
                .unwrap_or_default()
                .iter()
                .map(|f| &f.ty)
                .chain(
                    d.union_cases()
                        .unwrap_or_default()
                        .iter()
                        .flat_map(|c| c.fields.iter().map(|f| &f.ty)),
                )
                .collect();
            for field in fields {
                field.any_node(&mut |t| {
                    if let Ty::App(TyCon::User(e), args) = t {
                        if group.iter().any(|&(_, g)| g == *e) {
                            for (j, arg) in args.iter().enumerate() {
                                for (i, p) in d.params.iter().enumerate() {
                                    let here = Ty::Var(*p);
                                    if arg.any_node(&mut |n| *n == here) {
                                        edges.push((node(id, i), node(*e, j), *arg != here));
                                    }
                                }
                            }
                        }
                    }
                    false
                });
            }
        }
        let reaches = |from: Node, to: Node| {
            let mut seen = vec![from];
            let mut work = vec![from];
            while let Some(n) = work.pop() {
                if n == to {
                    return true;
                }
                for &(a, b, _) in &edges {
                    if a == n && !seen.contains(&b) {
                        seen.push(b);
                        work.push(b);
                    }
                }
            }
            false
        };
        let mut reported = Vec::new();
        for &(from, to, growing) in &edges {
            if growing && reaches(to, from) && !reported.contains(&from.0) {
                reported.push(from.0);
                let (i, _) = group
                    .iter()
                    .find(|&&(_, g)| g == from.0)
                    .copied()
                    .unwrap_or_default();
                let name = self.psg.types[from.0 as usize].name.clone();
                self.unsupported(
                    defs[i].name.span,
                    &format!(
                        "a type that refers to itself at larger type arguments ('{name}', polymorphic recursion: each instance gets its own layout, and there would be infinitely many)"
                    ),
                );
            }
        }
    }

    /// The members of a type group, checked as one recursive group of functions:
    /// `member this.M args = body` is a function of `this` and `args`,
    /// `static member M args = body` a function of `args`; a property (no
    /// arguments) is read by applying it to the value (or to `()` when static).
    fn check_members(&mut self, defs: &[ast::TypeDefn], ids: &[u32]) {
        let mut bindings = Vec::new();
        let mut pending = Vec::new();
        for (d, &id) in defs.iter().zip(ids) {
            if id == u32::MAX {
                continue;
            }
            for m in &d.members {
                let ast::PatKind::Named(member_name) = m.binding.head.kind else {
                    self.error(Code::UnexpectedSyntax, m.span, "A member needs a name");
                    continue;
                };
                let is_property = m.binding.params.is_empty();
                let mut params = Vec::new();
                if !m.is_static {
                    // The self identifier, typed as the type itself.
                    let self_ident = m.self_ident.unwrap_or(ast::Ident {
                        name: self.interner.get_or_intern_static("_"),
                        span: m.span,
                    });
                    let self_ty = ast::TypeExpr {
                        kind: ast::TypeExprKind::Named {
                            path: vec![d.name],
                            args: d
                                .type_params
                                .iter()
                                .map(|tp| ast::TypeExpr {
                                    kind: ast::TypeExprKind::Var(*tp),
                                    span: tp.span,
                                })
                                .collect(),
                        },
                        span: d.name.span,
                    };
                    params.push(ast::Pat {
                        kind: ast::PatKind::Typed {
                            pat: Box::new(ast::Pat {
                                kind: ast::PatKind::Named(self_ident),
                                span: self_ident.span,
                            }),
                            ty: self_ty,
                        },
                        span: self_ident.span,
                    });
                } else if is_property {
                    params.push(ast::Pat {
                        kind: ast::PatKind::Lit(ast::Literal::Unit),
                        span: m.span,
                    });
                }
                params.extend(m.binding.params.iter().cloned());
                let type_name = self.psg.types[id as usize].name.clone();
                let display = self
                    .interner
                    .get_or_intern(format!("{type_name}.{}", self.name(member_name.name)));
                bindings.push(ast::Binding {
                    head: ast::Pat {
                        kind: ast::PatKind::Named(ast::Ident {
                            name: display,
                            span: member_name.span,
                        }),
                        span: member_name.span,
                    },
                    params,
                    ..m.binding.clone()
                });
                pending.push(super::PendingMember {
                    def: id,
                    name: member_name.name,
                    info: super::MemberInfo {
                        function: FunctionId(u32::MAX),
                        is_static: m.is_static,
                        is_property,
                    },
                });
            }
        }
        if bindings.is_empty() {
            return;
        }
        self.members_being_declared = Some(pending);
        let refs: Vec<&ast::Binding> = bindings.iter().collect();
        self.check_functions(true, &refs, false, false);
    }

    /// `static member (+)` (named `op_Addition`): the type now satisfies the
    /// operator's constraint, and lowering calls the member for the operator.
    pub(crate) fn note_operator_member(
        &mut self,
        def: u32,
        name: composer_syntax::Symbol,
        fid: FunctionId,
    ) {
        use crate::psg::BinaryOp as B;
        use crate::types::Constraint;
        let (op, constraint) = match self.name(name) {
            "op_Addition" => (B::Add, Constraint::Addable),
            "op_Subtraction" => (B::Sub, Constraint::Numeric),
            "op_Multiply" => (B::Mul, Constraint::Numeric),
            "op_Division" => (B::Div, Constraint::Numeric),
            "op_Modulus" => (B::Mod, Constraint::Numeric),
            _ => return,
        };
        self.u.user_operators.insert((def, constraint));
        self.psg.operator_members.insert((def, op), fid);
    }

    /// Operator members take two values of their type and give one
    /// (`static member (+) (a: T, b: T) : T`), the form operators resolve to; any
    /// other shape is FS0001 at the member (mixed operands are not supported yet).
    pub(crate) fn check_operator_member_shapes(&mut self) {
        let mut members: Vec<((u32, crate::psg::BinaryOp), FunctionId)> = self
            .psg
            .operator_members
            .iter()
            .map(|(k, f)| (*k, *f))
            .collect();
        members.sort_by_key(|(_, f)| f.0);
        for ((def, _), fid) in members {
            let f = &self.psg.functions[fid.index()];
            let ty = self.u.resolve(&f.ty);
            let is_self = |t: &Ty| matches!(t, Ty::App(TyCon::User(d), _) if *d == def);
            let ok = match &ty {
                Ty::Fun(arg, ret) => {
                    matches!(&**arg, Ty::Tuple(ts) if ts.len() == 2 && ts.iter().all(is_self))
                        && is_self(ret)
                }
                _ => false,
            };
            if !ok {
                let type_name = self.psg.types[def as usize].name.clone();
                let shown = self.u.display(&ty);
                let span = f.span;
                self.error(
                    Code::TypeMismatch,
                    span,
                    format!("This operator member has type '{shown}', but Composer resolves operators on '{type_name}' only to members of the form 'static member (op) (a: {type_name}, b: {type_name}) : {type_name}'"),
                );
            }
        }
    }

    /// `x.M` for a member of `x`'s record or union type: the member applied to `x`.
    pub(crate) fn instance_member(
        &mut self,
        target: ExprId,
        def: u32,
        member: ast::Ident,
        span: Span,
    ) -> Option<ExprId> {
        let info = *self.members.get(&(def, member.name))?;
        if info.is_static {
            return None;
        }
        let f = self.item_expr(Item::Function(info.function), member.span);
        Some(self.apply(f, target, span))
    }

    /// `T.M` for a static member.
    pub(crate) fn static_member(
        &mut self,
        def: u32,
        member: ast::Ident,
        span: Span,
    ) -> Option<ExprId> {
        let info = *self.members.get(&(def, member.name))?;
        if !info.is_static {
            return None;
        }
        let f = self.item_expr(Item::Function(info.function), span);
        if info.is_property {
            let unit = self.add_expr(ExprKind::Const(Const::Unit), span, Ty::UNIT);
            return Some(self.apply(f, unit, span));
        }
        Some(f)
    }

    /// Fresh type arguments for a definition, and the definition's type with them.
    pub(crate) fn instantiate_def(&mut self, def: u32) -> (Vec<Ty>, Ty) {
        let n = self.psg.types[def as usize].params.len();
        let args: Vec<Ty> = (0..n).map(|_| self.u.fresh()).collect();
        let ty = Ty::app(TyCon::User(def), args.clone());
        (args, ty)
    }

    /// The field types of a union case, with the definition's parameters replaced
    /// by `args`.
    pub(crate) fn case_field_tys(&self, def: u32, case: u32, args: &[Ty]) -> Vec<Ty> {
        self.psg.types[def as usize]
            .union_cases()
            .map(|c| {
                c[case as usize]
                    .fields
                    .iter()
                    .map(|f| self.field_ty(def, &f.ty, args))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A field or case-field type with the definition's parameters replaced.
    pub(crate) fn field_ty(&self, def: u32, ty: &Ty, args: &[Ty]) -> Ty {
        substitute(ty, &self.psg.types[def as usize].params, args)
    }

    /// The type of a union case used as a value: `T` without fields, `f -> T` with
    /// one, `f1 * f2 -> T` with several.
    pub(crate) fn union_case_expr(&mut self, def: u32, case: u32, span: Span) -> ExprId {
        let (args, ty) = self.instantiate_def(def);
        let fields = self.case_field_tys(def, case, &args);
        let value_ty = match fields.len() {
            0 => ty,
            1 => Ty::fun(fields[0].clone(), ty),
            _ => Ty::fun(Ty::tuple(fields), ty),
        };
        self.add_expr(ExprKind::UnionCase { def, case }, span, value_ty)
    }

    /// `{ F = e; ... }` (with `copy` for `{ r with F = e }`).
    pub(crate) fn infer_record(
        &mut self,
        copy: Option<&ast::Expr>,
        fields: &[(Vec<ast::Ident>, ast::Expr)],
        span: Span,
    ) -> ExprId {
        let base = copy.map(|c| self.infer_expr(c));
        // The record type: from the base's type, or from the first field's name.
        let def = match base.map(|b| self.u.shallow(&self.expr_ty(b))) {
            Some(Ty::App(TyCon::User(d), _))
                if self.psg.types[d as usize].record_fields().is_some() =>
            {
                Some(d)
            }
            _ => fields
                .first()
                .and_then(|(path, _)| path.last())
                .and_then(|f| self.record_fields.get(&f.name))
                .and_then(|defs| defs.last())
                .map(|(d, _)| *d),
        };
        let Some(def) = def else {
            let name = fields
                .first()
                .and_then(|(p, _)| p.last())
                .map(|f| self.name(f.name).to_string())
                .unwrap_or_default();
            self.error(
                Code::UndefinedName,
                span,
                format!("The record label '{name}' is not defined."),
            );
            for (_, e) in fields {
                self.infer_expr(e);
            }
            return self.error_expr(span);
        };
        let (args, ty) = self.instantiate_def(def);
        if let Some(b) = base {
            self.expect_type(b, &ty);
        }
        let defs = self.psg.types[def as usize]
            .record_fields()
            .expect("a record")
            .to_vec();
        let mut out = Vec::new();
        for (path, e) in fields {
            let Some(label) = path.last() else { continue };
            let label_name = self.name(label.name).to_string();
            let value = self.infer_expr(e);
            match defs.iter().position(|f| f.name == label_name) {
                Some(i) => {
                    if out.iter().any(|(j, _)| *j == i as u32) {
                        self.error(
                            Code::DuplicateDefinition,
                            label.span,
                            format!(
                                "The field '{label_name}' appears twice in this record expression"
                            ),
                        );
                    }
                    let fty = self.field_ty(def, &defs[i].ty, &args);
                    self.expect_type(value, &fty);
                    out.push((i as u32, value));
                }
                None => self.error(
                    Code::UndefinedName,
                    label.span,
                    format!(
                        "The record type '{}' does not contain a field '{label_name}'",
                        self.psg.types[def as usize].name
                    ),
                ),
            }
        }
        match base {
            Some(base) => self.add_expr(ExprKind::RecordUpdate { base, fields: out }, span, ty),
            None => {
                let missing: Vec<&str> = defs
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !out.iter().any(|(j, _)| *j == *i as u32))
                    .map(|(_, f)| f.name.as_str())
                    .collect();
                if !missing.is_empty() {
                    self.error(
                        Code::TypeMismatch,
                        span,
                        format!(
                            "No assignment given for field '{}' of type '{}'",
                            missing[0], self.psg.types[def as usize].name
                        ),
                    );
                }
                self.add_expr(ExprKind::Record { def, fields: out }, span, ty)
            }
        }
    }

    /// `target.Name` on a record: the field, if the record has it.
    pub(crate) fn record_field_access(
        &mut self,
        target: ExprId,
        def: u32,
        args: &[Ty],
        member: ast::Ident,
        span: Span,
    ) -> Option<ExprId> {
        let name = self.name(member.name).to_string();
        let fields = self.psg.types[def as usize].record_fields()?.to_vec();
        let index = fields.iter().position(|f| f.name == name)?;
        let ty = self.field_ty(def, &fields[index].ty, args);
        Some(self.add_expr(
            ExprKind::Field {
                target,
                index: index as u32,
            },
            span,
            ty,
        ))
    }

    /// A union case pattern: `Case`, `Case p`, `Case (p1, p2)`.
    pub(crate) fn check_case_pattern(
        &mut self,
        def: u32,
        case: u32,
        arg: Option<&ast::Pat>,
        expected: &Ty,
        span: Span,
    ) -> PatId {
        let (args, ty) = self.instantiate_def(def);
        self.unify_at(span, expected, &ty);
        let fields = self.case_field_tys(def, case, &args);
        let case_name = self.psg.types[def as usize]
            .union_cases()
            .map(|c| c[case as usize].name.clone())
            .unwrap_or_default();
        let pats: Vec<PatId> = match (arg, fields.len()) {
            (None, 0) => Vec::new(),
            (None, n) => {
                self.error(
                    Code::TypeMismatch,
                    span,
                    format!("This union case expects {n} arguments in tupled form, but was given 0. The missing field arguments may be any of: {}", case_name),
                );
                Vec::new()
            }
            (Some(p), 0) => {
                if !matches!(p.kind, ast::PatKind::Wild) {
                    self.error(
                        Code::TypeMismatch,
                        p.span,
                        format!("This union case does not take arguments: '{case_name}'"),
                    );
                }
                Vec::new()
            }
            (
                Some(ast::Pat {
                    kind: ast::PatKind::NamedFields(named),
                    ..
                }),
                _,
            ) => self.check_named_case_fields(def, case, named, &fields, span),
            (Some(p), 1) => vec![self.check_pattern(p, &fields[0])],
            (Some(p), n) => {
                match &p.kind {
                    ast::PatKind::Tuple(items) if items.len() == n => items
                        .iter()
                        .zip(&fields)
                        .map(|(item, f)| self.check_pattern(item, f))
                        .collect(),
                    ast::PatKind::Wild => fields
                        .iter()
                        .map(|f| self.add_pat(PatKind::Wild, p.span, f.clone()))
                        .collect(),
                    _ => {
                        self.error(
                        Code::TypeMismatch,
                        p.span,
                        format!("This union case expects {n} arguments in tupled form: '{case_name}'"),
                    );
                        Vec::new()
                    }
                }
            }
        };
        if pats.len() != fields.len() {
            return self.add_pat(PatKind::Error, span, expected.clone());
        }
        self.add_pat(
            PatKind::Case {
                def,
                case,
                fields: pats,
            },
            span,
            expected.clone(),
        )
    }

    /// `Rectangle (width = w; height = h)`: the named fields get their patterns,
    /// the others are wildcards.
    fn check_named_case_fields(
        &mut self,
        def: u32,
        case: u32,
        named: &[(ast::Ident, ast::Pat)],
        field_tys: &[Ty],
        span: Span,
    ) -> Vec<PatId> {
        let names: Vec<String> = self.psg.types[def as usize]
            .union_cases()
            .map(|c| {
                c[case as usize]
                    .fields
                    .iter()
                    .map(|f| f.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        let mut pats: Vec<Option<PatId>> = vec![None; field_tys.len()];
        for (name, pat) in named {
            let text = self.name(name.name).to_string();
            match names.iter().position(|n| *n == text) {
                Some(i) if pats[i].is_none() => {
                    pats[i] = Some(self.check_pattern(pat, &field_tys[i]))
                }
                Some(_) => {
                    self.error(
                        Code::TypeMismatch,
                        name.span,
                        format!("The union case field '{text}' is matched more than once"),
                    );
                }
                None => {
                    self.unknown_case_field(name.span, &text, &names);
                    // Still bind the names inside, so uses of them do not cascade.
                    self.check_pattern(pat, &Ty::Error);
                }
            }
        }
        pats.into_iter()
            .zip(field_tys)
            .map(|(p, ty)| p.unwrap_or_else(|| self.add_pat(PatKind::Wild, span, ty.clone())))
            .collect()
    }

    /// FS0039 for `Case (name = ...)` where the case has no field `name`.
    pub(crate) fn unknown_case_field(&mut self, span: Span, name: &str, fields: &[String]) {
        let hint = match super::names::best_match(name, fields.iter().map(String::as_str)) {
            Some(close) => format!("Did you mean '{close}'?"),
            None => format!("Its fields are: {}.", fields.join(", ")),
        };
        self.error(
            Code::UndefinedName,
            span,
            format!("The union case does not have a field named '{name}'. {hint}"),
        );
    }

    /// `{ X = p; ... }`
    pub(crate) fn check_record_pattern(
        &mut self,
        fields: &[(Vec<ast::Ident>, ast::Pat)],
        expected: &Ty,
        span: Span,
    ) -> PatId {
        let def = fields
            .first()
            .and_then(|(path, _)| path.last())
            .and_then(|f| self.record_fields.get(&f.name))
            .and_then(|defs| defs.last())
            .map(|(d, _)| *d);
        let Some(def) = def else {
            self.error(
                Code::UndefinedName,
                span,
                "The record label in this pattern is not defined.",
            );
            return self.add_pat(PatKind::Error, span, expected.clone());
        };
        let (args, ty) = self.instantiate_def(def);
        self.unify_at(span, expected, &ty);
        let defs = self.psg.types[def as usize]
            .record_fields()
            .expect("a record")
            .to_vec();
        let mut out = Vec::new();
        for (path, p) in fields {
            let Some(label) = path.last() else { continue };
            let label_name = self.name(label.name).to_string();
            match defs.iter().position(|f| f.name == label_name) {
                Some(i) => {
                    let fty = self.field_ty(def, &defs[i].ty, &args);
                    let pat = self.check_pattern(p, &fty);
                    out.push((i as u32, pat));
                }
                None => self.error(
                    Code::UndefinedName,
                    label.span,
                    format!(
                        "The record type '{}' does not contain a field '{label_name}'",
                        self.psg.types[def as usize].name
                    ),
                ),
            }
        }
        self.add_pat(PatKind::Record { def, fields: out }, span, expected.clone())
    }
}
