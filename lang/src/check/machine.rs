//! Machines written `machine Name { ... }`: the state record and its initial value, the
//! message types, invariants, and (through `handlers` and `migrate`) the step and the
//! migrations. Then composites (`compose`), and the file's machines in declaration order.
//!
//! This module does not type handler bodies itself and knows nothing of lowering.

use super::expr::product;
use super::fns::renumber_calls;
use super::scope::var;
use super::source::expr_text;
use super::{BodyCtx, Checker, error_type};
use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::tir;
use quiver_vm::types::{Field, Type};
use std::collections::BTreeMap;

/// The parts of a machine's signature every later check needs.
pub(crate) struct Shape {
    pub name: String,
    pub fields: Vec<Field>,
    pub state: Type,
    pub input: Type,
    pub output: Type,
}

impl Checker {
    /// Checks every machine and composite; returns them in declaration order.
    pub(crate) fn check_machines(&mut self, file: &ast::File) -> Vec<tir::Machine> {
        self.report_duplicate_machines(file);
        let mut defined: BTreeMap<String, tir::Machine> = BTreeMap::new();
        for item in &file.items {
            if let ast::Item::Machine(m) = item {
                let machine = self.check_defined(m);
                defined.entry(m.name.name.clone()).or_insert(machine);
            }
        }
        let mut composed = self.check_composites(file, &defined);
        let mut out = Vec::new();
        let mut emitted: Vec<&str> = Vec::new();
        for item in &file.items {
            let name = match item {
                ast::Item::Machine(m) => &m.name.name,
                ast::Item::Compose(c) => &c.name.name,
                _ => continue,
            };
            if emitted.contains(&name.as_str()) {
                continue;
            }
            emitted.push(name);
            if let Some(mut m) = defined.remove(name).or_else(|| composed.remove(name)) {
                self.renumber_machine(&mut m);
                out.push(m);
            }
        }
        out
    }

    fn renumber_machine(&self, m: &mut tir::Machine) {
        match &mut m.body {
            tir::MachineBody::Defined(d) => {
                let renumber = &self.fn_renumber;
                renumber_calls(&mut d.init, renumber);
                renumber_calls(&mut d.step, renumber);
                for inv in &mut d.invariants {
                    renumber_calls(&mut inv.body, renumber);
                }
                for mig in [&mut d.migrate_up, &mut d.migrate_down]
                    .into_iter()
                    .flatten()
                {
                    renumber_calls(&mut mig.body, renumber);
                }
            }
            tir::MachineBody::Composed { left, right, .. } => {
                self.renumber_machine(left);
                self.renumber_machine(right);
            }
        }
    }

    fn report_duplicate_machines(&mut self, file: &ast::File) {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for item in &file.items {
            let name = match item {
                ast::Item::Machine(m) => &m.name,
                ast::Item::Compose(c) => &c.name,
                _ => continue,
            };
            if let Some(first) = seen.get(name.name.as_str()) {
                self.report(
                    Diagnostic::new(
                        "E0203",
                        format!("the machine `{}` is defined twice", name.name),
                        name.span,
                        "defined again here",
                    )
                    .with_label(*first, "first defined here")
                    .with_help("rename or remove one of the definitions"),
                );
            } else {
                seen.insert(&name.name, name.span);
            }
        }
    }

    fn check_defined(&mut self, m: &ast::MachineDecl) -> tir::Machine {
        let shape = self.machine_shape(m);
        self.ctx = BodyCtx {
            machine: Some(shape.name.clone()),
            state_type: Some(shape.state.clone()),
            ..BodyCtx::default()
        };
        let init = self.check_init(m, &shape);
        let invariants = m
            .invariants
            .iter()
            .map(|e| self.check_invariant(e, &shape))
            .collect();
        let step = self.check_step(m, &shape);
        let (migrate_up, migrate_down) = self.check_migrations(m, &shape);
        self.ctx = BodyCtx::default();
        tir::Machine {
            name: shape.name,
            state: shape.state,
            input: shape.input,
            output: shape.output,
            body: tir::MachineBody::Defined(tir::Defined {
                init,
                step,
                invariants,
                migrate_up,
                migrate_down,
            }),
            span: m.span,
        }
    }

    fn machine_shape(&mut self, m: &ast::MachineDecl) -> Shape {
        let mut fields: Vec<Field> = Vec::new();
        for f in &m.state {
            let ty = self.resolve_type(&f.ty);
            if fields.iter().any(|g| g.name == f.name.name) {
                self.report(super::types::duplicate_field(&f.name));
                continue;
            }
            fields.push(Field {
                name: f.name.name.clone(),
                ty,
            });
        }
        let name = m.name.name.clone();
        let input = self.message_type(&name, "Input", &m.input);
        let output = self.message_type(&name, "Output", &m.output);
        Shape {
            name,
            state: Type::Record(fields.clone()),
            fields,
            input,
            output,
        }
    }

    fn message_type(&mut self, machine: &str, suffix: &str, message: &ast::MessageDecl) -> Type {
        match message {
            ast::MessageDecl::Type(t) if self.types.inline_variants(message).is_none() => {
                self.resolve_type(t)
            }
            _ => self
                .types
                .enum_named(&format!("{machine}.{suffix}"))
                .cloned()
                .map_or_else(error_type, Type::Enum),
        }
    }

    /// The initial state: each field's closed initial value, as the state record.
    fn check_init(&mut self, m: &ast::MachineDecl, shape: &Shape) -> tir::Expr {
        self.ctx.hidden_fields = shape.fields.iter().map(|f| f.name.clone()).collect();
        let mut values = Vec::new();
        for field in &shape.fields {
            let Some(decl) = m.state.iter().find(|f| f.name.name == field.name) else {
                continue;
            };
            let what = format!("the initial value of `{}`", field.name);
            values.push(self.check_against(&decl.init, &field.ty, &what));
        }
        self.ctx.hidden_fields.clear();
        product(values, shape.state.clone(), m.state_span)
    }

    /// Binds the state at the next level and makes each field's name read its component.
    pub(crate) fn bind_state_fields(&mut self, shape: &Shape, span: Span) {
        let level = self.scope.bind(None, &shape.state);
        for (i, field) in shape.fields.iter().enumerate() {
            let access = super::scope::proj(var(level, &shape.state, span), i, &field.ty).kind;
            self.scope.alias(&field.name, &field.ty, access);
        }
    }

    fn check_invariant(&mut self, e: &ast::Expr, shape: &Shape) -> tir::Invariant {
        let mark = self.scope.mark();
        self.bind_state_fields(shape, e.span);
        let body = self.check_against(e, &Type::Bool, "an invariant");
        self.scope.reset(mark);
        tir::Invariant {
            body,
            text: expr_text(e),
            span: e.span,
        }
    }
}
