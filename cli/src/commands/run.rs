//! `quiver run`: feed inputs to a machine from its initial state, one output line per input.

use crate::args::{Engine, Exit, RunArgs};
use crate::load::{LoadError, Unit, load, read_inputs};
use crate::render;
use anyhow::{Context, Result};
use quiver_vm::interp;
use quiver_vm::limits::Limits;
use quiver_vm::machine::Instance;
use quiver_vm::trap::Trap;
use quiver_vm::value::Value;
use quiver_vm::{eval_ref, text, verify};
use std::sync::Arc;

pub fn run(args: &RunArgs) -> Result<Exit> {
    let mut limits = Limits::default();
    if let Some(fuel) = args.fuel {
        limits.fuel_turn = fuel;
    }
    let unit = match load(&args.file, args.machine.as_deref(), &limits) {
        Ok(unit) => unit,
        Err(LoadError::Reported) => return Ok(Exit::Failed),
        Err(LoadError::Other(error)) => return Err(error),
    };
    let inputs = gather_inputs(args)?;
    if inputs.is_empty() && !args.state {
        eprintln!(
            "note: no inputs given, so no turns run; pass `--input 'TEXT'` (repeatable) or \
             `--inputs FILE` (`-` for stdin), and `--state` to see the state"
        );
    }
    let mut engine = Runner::new(&unit, args.engine, &limits)?;
    let mut exit = Exit::Success;
    for line in &inputs {
        let answer = match text::parse(line, &unit.artifact.input) {
            Err(error) => Err(format!("cannot read input `{line}`: {error}")),
            Ok(input) => engine.turn(input).map_err(|trap| {
                render::trap_line(&trap, unit.debug.as_ref(), unit.source.as_deref())
            }),
        };
        match answer {
            Ok(output) => println!("{}", text::print(&output, &unit.artifact.output)),
            Err(reason) => {
                println!("error: {reason}");
                exit = Exit::Rejected;
            }
        }
    }
    if args.state {
        println!(
            "state: {}",
            text::print(engine.state(), &unit.artifact.state)
        );
    }
    Ok(exit)
}

/// The inputs from `--input` flags, then from `--inputs FILE` (or stdin), in that order.
fn gather_inputs(args: &RunArgs) -> Result<Vec<String>> {
    let mut inputs = args.inputs.clone();
    if let Some(path) = &args.inputs_file {
        inputs.extend(read_inputs(path)?);
    }
    Ok(inputs)
}

/// A machine instance on either evaluator.
enum Runner<'a> {
    Vm(Instance),
    Reference {
        unit: &'a Unit,
        state: Value,
        fuel: u64,
    },
}

impl<'a> Runner<'a> {
    fn new(unit: &'a Unit, engine: Engine, limits: &Limits) -> Result<Runner<'a>> {
        let verified = verify::verify(unit.artifact.clone(), limits)
            .context("the artifact does not verify")?;
        Ok(match engine {
            Engine::Vm => Runner::Vm(Instance::with_limits(
                Arc::new(interp::load(verified)),
                limits,
            )),
            Engine::Reference => Runner::Reference {
                unit,
                state: Value::from_lit(&unit.artifact.init),
                fuel: limits.fuel_turn,
            },
        })
    }

    fn turn(&mut self, input: Value) -> Result<Value, Trap> {
        match self {
            Runner::Vm(instance) => instance.turn(input),
            Runner::Reference { unit, state, fuel } => {
                let (next, output) = eval_ref::step(&unit.artifact, input, state.clone(), *fuel)?;
                *state = next;
                Ok(output)
            }
        }
    }

    fn state(&self) -> &Value {
        match self {
            Runner::Vm(instance) => instance.state(),
            Runner::Reference { state, .. } => state,
        }
    }
}
