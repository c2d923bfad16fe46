//! Codegen: one machine of a checked program to a bytecode `Artifact` and its debug sidecar.
//!
//! It chooses what goes into the artifact (the functions the machine reaches, renumbered
//! callee-first; the steps of a composite's parts), drives lowering (`lower/`), simplifies
//! every arrow, checks the depth bound the verifier will enforce, and evaluates the initial
//! state at compile time with the VM's reference evaluator (a trap there, or an initial state
//! that breaks an invariant, is a diagnostic). It does not verify the artifact: the VM does
//! that on load, trusting nothing the compiler says.

use crate::diagnostic::Diagnostic;
use crate::lower::compose::InitCode;
use crate::lower::measure::{depth, may_trap};
use crate::lower::simplify::simplify;
use crate::lower::{Env, Lowerer, PartSteps, lower_machine};
use crate::span::Span;
use crate::tir::{self, Expr, ExprKind, Machine, MachineBody};
use quiver_vm::bytecode::{Arrow, Artifact, DebugInfo, Def, Lit};
use quiver_vm::eval_ref;
use quiver_vm::limits::Limits;
use quiver_vm::trap::Trap;
use quiver_vm::types::Type;
use quiver_vm::value::Value;

/// Compiles `program.machines[machine]` (defined or composite) to an artifact and the debug
/// sidecar naming `source_name`, or reports every reason it cannot.
pub fn codegen(
    program: &tir::Program,
    machine: usize,
    source_name: &str,
) -> Result<(Artifact, DebugInfo), Vec<Diagnostic>> {
    let Some(target) = program.machines.get(machine) else {
        let message = format!("there is no machine number {machine} to compile");
        return Err(vec![
            Diagnostic::new("E0500", message, Span::default(), "")
                .with_help("choose one of the machines declared in the file"),
        ]);
    };
    let fn_to_def = number_reached_fns(program, target);
    let mut lowerer = Lowerer::new(Some(fn_to_def.clone()));
    let mut defs = lower_fns(&mut lowerer, program, &fn_to_def);
    let mut parts = PartSteps::new(u32::try_from(defs.len()).unwrap_or(u32::MAX));
    let code = lower_machine(&mut lowerer, target, &mut parts);
    defs.extend(parts.into_defs());
    let init_code = code.init.clone();
    let init_arrow_sites = lowerer.finish()?;
    let mut artifact = Artifact {
        name: target.name.clone(),
        state: target.state.clone(),
        input: target.input.clone(),
        output: target.output.clone(),
        init: Lit::Unit,
        defs,
        step: code.step,
        invariants: code.invariants,
        migrate_up: code.migrate_up,
        migrate_down: code.migrate_down,
    };
    simplify_all(&mut artifact);
    check_depth(&artifact, target.span)?;
    let debug = DebugInfo {
        source_name: source_name.to_string(),
        sites: init_arrow_sites,
    };
    artifact.init = evaluate_init(&artifact.defs, &init_code, &debug)?;
    check_init_invariants(&artifact, &debug, target.span)?;
    Ok((artifact, debug))
}

/// Maps each `tir` function the machine reaches (directly or through other functions) to its
/// definition index; the order of `program.fns` is kept, so callees come first.
fn number_reached_fns(program: &tir::Program, machine: &Machine) -> Vec<Option<u32>> {
    let mut reached = vec![false; program.fns.len()];
    let mut roots = Vec::new();
    machine_exprs(machine, &mut roots);
    for expr in roots {
        mark_calls(expr, &mut reached);
    }
    // A function calls only functions with smaller indices, so one descending pass closes.
    for index in (0..program.fns.len()).rev() {
        if reached[index] {
            mark_calls(&program.fns[index].body, &mut reached);
        }
    }
    let mut next = 0u32;
    reached
        .into_iter()
        .map(|is_reached| {
            is_reached.then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// Every expression of a machine and of its parts.
fn machine_exprs<'a>(machine: &'a Machine, out: &mut Vec<&'a Expr>) {
    let mut machines = vec![machine];
    while let Some(machine) = machines.pop() {
        match &machine.body {
            MachineBody::Defined(d) => {
                out.extend([&d.init, &d.step]);
                out.extend(d.invariants.iter().map(|i| &i.body));
                out.extend(d.migrate_up.iter().chain(&d.migrate_down).map(|m| &m.body));
            }
            MachineBody::Composed { left, right, .. } => machines.extend([&**left, &**right]),
        }
    }
}

/// Marks every function `expr` calls, walking it with an explicit stack.
fn mark_calls(expr: &Expr, reached: &mut [bool]) {
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        match &expr.kind {
            ExprKind::Lit(_) | ExprKind::Var(_) => {}
            ExprKind::Let(value, body) => stack.extend([&**value, &**body]),
            ExprKind::Proj(inner, _) | ExprKind::Inj(_, inner) => stack.push(inner),
            ExprKind::Tuple(items) | ExprKind::Prim(_, items) => stack.extend(items),
            ExprKind::Match(scrutinee, arms) => {
                stack.push(scrutinee);
                stack.extend(arms);
            }
            ExprKind::Call(index, args) => {
                if let Some(slot) = reached.get_mut(*index as usize) {
                    *slot = true;
                }
                stack.extend(args);
            }
        }
    }
}

/// The reached functions as definitions, in definition order.
fn lower_fns(lowerer: &mut Lowerer, program: &tir::Program, fn_to_def: &[Option<u32>]) -> Vec<Def> {
    program
        .fns
        .iter()
        .zip(fn_to_def)
        .filter(|(_, def)| def.is_some())
        .map(|(function, _)| {
            let params: Vec<Type> = function.params.iter().map(|(_, ty)| ty.clone()).collect();
            let arity = u32::try_from(params.len()).unwrap_or(u32::MAX);
            Def {
                name: function.name.clone(),
                input: packed_type(&params),
                output: function.ret.clone(),
                body: lowerer.arrow(&function.body, Env::packed(arity)),
            }
        })
        .collect()
}

/// The type of values packed by the calling convention: `Unit`, the value, or a tuple.
fn packed_type(types: &[Type]) -> Type {
    match types {
        [] => Type::Unit,
        [one] => one.clone(),
        many => Type::Tuple(many.to_vec()),
    }
}

/// Simplifies every arrow, definitions first so that calls know whether their target may trap.
fn simplify_all(artifact: &mut Artifact) {
    let mut def_may_trap = Vec::with_capacity(artifact.defs.len());
    for def in &mut artifact.defs {
        def.body = simplify(std::mem::replace(&mut def.body, Arrow::Id), &def_may_trap);
        def_may_trap.push(may_trap(&def.body, &def_may_trap));
    }
    let take = |arrow: &mut Arrow| simplify(std::mem::replace(arrow, Arrow::Id), &def_may_trap);
    artifact.step = take(&mut artifact.step);
    for invariant in &mut artifact.invariants {
        invariant.body = take(&mut invariant.body);
    }
    for migration in artifact
        .migrate_up
        .iter_mut()
        .chain(&mut artifact.migrate_down)
    {
        migration.body = take(&mut migration.body);
    }
}

/// Rejects an artifact whose arrows nest deeper than the verifier accepts.
fn check_depth(artifact: &Artifact, span: Span) -> Result<(), Vec<Diagnostic>> {
    let depth_max = Limits::default().depth_max;
    let mut arrows: Vec<(String, &Arrow)> = artifact
        .defs
        .iter()
        .map(|def| (format!("definition `{}`", def.name), &def.body))
        .collect();
    arrows.push(("the step".to_string(), &artifact.step));
    arrows.extend(
        artifact
            .invariants
            .iter()
            .map(|i| ("an invariant".to_string(), &i.body)),
    );
    arrows.extend(
        artifact
            .migrate_up
            .iter()
            .chain(&artifact.migrate_down)
            .map(|m| ("a migration".to_string(), &m.body)),
    );
    let errors: Vec<Diagnostic> = arrows
        .into_iter()
        .filter(|(_, arrow)| depth(arrow) > depth_max)
        .map(|(what, _)| {
            Diagnostic::new(
                "E0502",
                format!(
                    "{what} of `{}` nests deeper than {depth_max} combinators",
                    artifact.name
                ),
                span,
                "too deeply nested to run",
            )
            .with_help("move nested expressions into `let` bindings or functions")
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Evaluates the initial state; a trap is reported at the `state` block it came from.
fn evaluate_init(defs: &[Def], init: &InitCode, debug: &DebugInfo) -> Result<Lit, Vec<Diagnostic>> {
    match init {
        InitCode::Defined(arrow, span) => {
            let mut fuel = Limits::default().fuel_migration;
            match eval_ref::eval(defs, arrow, Value::Unit, &mut fuel) {
                Ok(value) => Ok(value.to_lit()),
                Err(trap) => Err(vec![
                    trap_diagnostic(
                        "E0504",
                        format!("computing the initial state traps: {}", trap.kind),
                        *span,
                        &trap,
                        debug,
                    )
                    .with_help("change the initial values so that computing them cannot trap"),
                ]),
            }
        }
        InitCode::Pair(left, right) => {
            let left = evaluate_init(defs, left, debug);
            let right = evaluate_init(defs, right, debug);
            match (left, right) {
                (Ok(l), Ok(r)) => Ok(Lit::Tuple(vec![l, r])),
                (l, r) => Err(l.err().into_iter().chain(r.err()).flatten().collect()),
            }
        }
    }
}

/// Rejects an initial state that breaks an invariant: no turn could ever succeed from it.
fn check_init_invariants(
    artifact: &Artifact,
    debug: &DebugInfo,
    span: Span,
) -> Result<(), Vec<Diagnostic>> {
    let mut fuel = Limits::default().fuel_migration;
    let state = Value::from_lit(&artifact.init);
    match eval_ref::check_invariants(artifact, &state, &mut fuel) {
        Ok(()) => Ok(()),
        Err(trap) => Err(vec![
            trap_diagnostic(
                "E0505",
                format!(
                    "the initial state of `{}` breaks an invariant: {}",
                    artifact.name, trap.kind
                ),
                span,
                &trap,
                debug,
            )
            .with_help(
                "change the initial values or the invariant so that the initial state satisfies it",
            ),
        ]),
    }
}

/// A diagnostic at `span`, with a second label where the trap happened when that is known.
fn trap_diagnostic(
    code: &'static str,
    message: String,
    span: Span,
    trap: &Trap,
    debug: &DebugInfo,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(code, message, span, "evaluated at compile time");
    match debug.site(trap.site) {
        Some(site) => diagnostic.with_label(
            Span {
                start: site.start,
                end: site.end,
            },
            site.what.clone(),
        ),
        None => diagnostic,
    }
}
