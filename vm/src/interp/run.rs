//! Running compiled [`Node`]s: one unit of fuel per node, recursion bounded by the nesting the
//! verifier allowed.
//!
//! It checks no types. A value of an unexpected shape (impossible for a verified program run
//! on well-typed values) still does not panic: it traps like the reference evaluator does.

use super::compile::Node;
use crate::bytecode::Site;
use crate::eval_ref::{distl, ill_typed, split_sum};
use crate::trap::{Trap, TrapKind};
use crate::value::Value;

/// Runs `node` on `input` with the given budget.
pub fn run(node: &Node, input: Value, fuel: &mut u64) -> Result<Value, Trap> {
    Runner { fuel }.run(node, input)
}

struct Runner<'a> {
    fuel: &'a mut u64,
}

impl Runner<'_> {
    fn run(&mut self, node: &Node, input: Value) -> Result<Value, Trap> {
        if *self.fuel == 0 {
            return Err(Trap::new(TrapKind::OutOfFuel, Site::NONE));
        }
        *self.fuel -= 1;
        match node {
            Node::Id => Ok(input),
            Node::Seq(nodes) => nodes.iter().try_fold(input, |value, n| self.run(n, value)),
            Node::Path(path) => follow(&input, path).cloned(),
            Node::Unit => Ok(Value::Unit),
            Node::Fork(nodes) => {
                let items = nodes
                    .iter()
                    .map(|n| self.run(n, input.clone()))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Value::tuple(items))
            }
            Node::ForkPaths(paths) => {
                let items = paths
                    .iter()
                    .map(|path| follow(&input, path).cloned())
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Value::tuple(items))
            }
            Node::Par(nodes) => self.par(nodes, input),
            Node::Inj(tag) => Ok(Value::variant(*tag, input)),
            Node::InjBool(b) => Ok(Value::Bool(*b)),
            Node::Case(arms) => {
                let (tag, payload) = split_sum(input)?;
                let arm = usize::try_from(tag)
                    .ok()
                    .and_then(|t| arms.get(t))
                    .ok_or_else(|| ill_typed("case tag"))?;
                self.run(arm, payload)
            }
            Node::Distl => distl(input),
            Node::Const(value) => Ok(value.clone()),
            Node::Prim(prim, site) => prim.apply(input).map_err(|kind| Trap::new(kind, *site)),
            Node::Call(body) => self.run(body, input),
            Node::BadCall => Err(ill_typed("call target")),
        }
    }

    fn par(&mut self, nodes: &[Node], input: Value) -> Result<Value, Trap> {
        let Value::Tuple(items) = input else {
            return Err(ill_typed("parallel input"));
        };
        if items.len() != nodes.len() {
            return Err(ill_typed("parallel input"));
        }
        let outputs = nodes
            .iter()
            .zip(items.iter())
            .map(|(n, item)| self.run(n, item.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Value::tuple(outputs))
    }
}

/// The component at `path` inside `value`, by reference (the empty path is the value).
fn follow<'v>(value: &'v Value, path: &[u32]) -> Result<&'v Value, Trap> {
    path.iter().try_fold(value, |current, index| match current {
        Value::Tuple(items) => usize::try_from(*index)
            .ok()
            .and_then(|i| items.get(i))
            .ok_or_else(|| ill_typed("projection")),
        _ => Err(ill_typed("projection")),
    })
}
