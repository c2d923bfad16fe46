//! Differential test: random well-typed arrows (over Int, Bool, Unit, tuples and small sums,
//! with every combinator, primitives that trap, and calls of shared definitions) must
//! (a) verify with the type they were generated for, and (b) give exactly the same values and
//! traps in the fast interpreter as in the reference evaluator.
//!
//! The generator is type-directed: `to(input, target, depth)` builds an arrow `input -> target`
//! from a seeded random stream, so every generated program is well-typed by construction.

use proptest::prelude::*;
use quiver_vm::bytecode::{Arrow, Artifact, Def, Invariant, Lit, Site};
use quiver_vm::eval_ref;
use quiver_vm::interp::load;
use quiver_vm::limits::Limits;
use quiver_vm::machine::Instance;
use quiver_vm::prim::Prim;
use quiver_vm::types::Type;
use quiver_vm::value::Value;
use quiver_vm::verify::{infer, verify};
use std::sync::Arc;

/// A small deterministic random stream (splitmix64).
struct Gen {
    state: u64,
    defs: Vec<Def>,
    sites: u32,
}

impl Gen {
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn site(&mut self) -> Site {
        self.sites += 1;
        Site(self.sites)
    }

    fn ty(&mut self, depth: usize) -> Type {
        match (depth, self.below(10)) {
            (_, 0..=3) | (0, _) => Type::Int,
            (_, 4 | 5) => Type::Bool,
            (_, 6) => Type::Unit,
            (_, 7 | 8) => {
                let n = 2 + self.below(2);
                Type::Tuple((0..n).map(|_| self.ty(depth - 1)).collect())
            }
            _ => self.sum(depth - 1),
        }
    }

    fn sum(&mut self, depth: usize) -> Type {
        let n = 1 + self.below(3);
        Type::Sum((0..n).map(|_| self.ty(depth)).collect())
    }

    fn lit(&mut self, ty: &Type) -> Lit {
        match ty {
            Type::Int => Lit::Int(match self.below(12) {
                0 => i64::MAX,
                1 => i64::MIN,
                2 => -1,
                n => n as i64 - 5,
            }),
            Type::Bool => Lit::Bool(self.below(2) == 1),
            Type::Tuple(items) => Lit::Tuple(items.iter().map(|t| self.lit(t)).collect()),
            Type::Sum(cases) => {
                let tag = self.below(cases.len());
                Lit::Variant(tag as u32, Box::new(self.lit(&cases[tag])))
            }
            _ => Lit::Unit,
        }
    }

    /// An arrow `input -> target`.
    fn to(&mut self, input: &Type, target: &Type, depth: usize) -> Arrow {
        if depth == 0 {
            return self.leaf(input, target);
        }
        let d = depth - 1;
        match self.below(9) {
            0 => self.leaf(input, target),
            1 | 2 => self.build(input, target, d),
            3 => self.matching(input, target, d),
            4 => match input.components() {
                Some(parts) => {
                    let i = self.below(parts.len());
                    Arrow::Seq(vec![Arrow::Proj(i as u32), self.to(&parts[i], target, d)])
                }
                None => self.build(input, target, d),
            },
            5 => match (input.components(), target) {
                (Some(parts), Type::Tuple(outs)) if parts.len() == outs.len() => Arrow::Par(
                    parts
                        .iter()
                        .zip(outs)
                        .map(|(p, o)| self.to(p, o, d))
                        .collect(),
                ),
                _ => self.build(input, target, d),
            },
            6 => self.call(input, target, d),
            _ => {
                let middle = self.ty(2);
                Arrow::Seq(vec![
                    self.to(input, &middle, d),
                    self.to(&middle, target, d),
                ])
            }
        }
    }

    fn leaf(&mut self, input: &Type, target: &Type) -> Arrow {
        if input == target && self.below(2) == 0 {
            return Arrow::Id;
        }
        if let Some(parts) = input.components()
            && let Some(i) = parts.iter().position(|p| p == target)
        {
            return Arrow::Proj(i as u32);
        }
        Arrow::Const(target.clone(), self.lit(target))
    }

    /// An arrow that builds a `target` from parts: primitives, forks, injections.
    fn build(&mut self, input: &Type, target: &Type, d: usize) -> Arrow {
        match target {
            Type::Int => {
                let prims = [
                    Prim::Add,
                    Prim::Sub,
                    Prim::Mul,
                    Prim::Div,
                    Prim::Rem,
                    Prim::Min,
                    Prim::Max,
                ];
                if self.below(4) == 0 {
                    let prim = [Prim::Neg, Prim::Abs][self.below(2)];
                    return Arrow::Seq(vec![
                        self.to(input, &Type::Int, d),
                        Arrow::Prim(prim, self.site()),
                    ]);
                }
                let prim = prims[self.below(prims.len())];
                self.binary(input, &Type::Int, prim, d)
            }
            Type::Bool => match self.below(4) {
                0 => Arrow::Seq(vec![
                    self.to(input, &Type::Bool, d),
                    Arrow::Prim(Prim::Not, self.site()),
                ]),
                1 => {
                    let ty = self.ty(2);
                    let prim = [Prim::Eq, Prim::Ne][self.below(2)];
                    self.binary(input, &ty, prim, d)
                }
                2 => Arrow::Seq(vec![
                    self.to(input, &Type::Unit, d),
                    Arrow::Inj {
                        sum: Type::Bool,
                        tag: self.below(2) as u32,
                    },
                ]),
                _ => {
                    let cmps = [Prim::Lt, Prim::Le, Prim::Gt, Prim::Ge];
                    let prim = cmps[self.below(4)];
                    self.binary(input, &Type::Int, prim, d)
                }
            },
            Type::Unit => match self.below(2) {
                0 => Arrow::Fork(vec![]),
                _ => Arrow::Seq(vec![
                    self.to(input, &Type::Bool, d),
                    Arrow::Prim(Prim::Assert, self.site()),
                ]),
            },
            Type::Tuple(items) => Arrow::Fork(items.iter().map(|t| self.to(input, t, d)).collect()),
            Type::Sum(cases) => {
                let tag = self.below(cases.len());
                Arrow::Seq(vec![
                    self.to(input, &cases[tag], d),
                    Arrow::Inj {
                        sum: target.clone(),
                        tag: tag as u32,
                    },
                ])
            }
            _ => self.leaf(input, target),
        }
    }

    fn binary(&mut self, input: &Type, operand: &Type, prim: Prim, d: usize) -> Arrow {
        Arrow::Seq(vec![
            Arrow::Fork(vec![self.to(input, operand, d), self.to(input, operand, d)]),
            Arrow::Prim(prim, self.site()),
        ])
    }

    /// `match`: `(id &&& scrutinee) >>> distl >>> case[arms]`.
    fn matching(&mut self, input: &Type, target: &Type, d: usize) -> Arrow {
        let sum = self.sum(1);
        let Type::Sum(cases) = &sum else {
            return self.leaf(input, target);
        };
        let arms = cases
            .iter()
            .map(|case| self.to(&Type::Tuple(vec![input.clone(), case.clone()]), target, d))
            .collect();
        Arrow::Seq(vec![
            Arrow::Fork(vec![Arrow::Id, self.to(input, &sum, d)]),
            Arrow::Distl,
            Arrow::Case(arms),
        ])
    }

    fn call(&mut self, input: &Type, target: &Type, d: usize) -> Arrow {
        let candidates: Vec<usize> = (0..self.defs.len())
            .filter(|k| self.defs[*k].output == *target)
            .collect();
        if candidates.is_empty() {
            return self.build(input, target, d);
        }
        let k = candidates[self.below(candidates.len())];
        let def_input = self.defs[k].input.clone();
        Arrow::Seq(vec![self.to(input, &def_input, d), Arrow::Call(k as u32)])
    }

    fn add_def(&mut self) {
        let input = self.ty(2);
        let output = self.ty(2);
        let body = self.to(&input, &output, 3);
        let name = format!("f{}", self.defs.len());
        self.defs.push(Def {
            name,
            input,
            output,
            body,
        });
    }
}

/// A program `input -> output` as a stateless artifact: `(input, ()) -> ((), output)`.
fn artifact(defs: Vec<Def>, arrow: Arrow, input: Type, output: Type) -> Artifact {
    Artifact {
        name: "Random".into(),
        state: Type::Unit,
        input,
        output,
        init: Lit::Unit,
        defs,
        step: Arrow::Fork(vec![
            Arrow::Proj(1),
            Arrow::Seq(vec![Arrow::Proj(0), arrow]),
        ]),
        invariants: vec![],
        migrate_up: None,
        migrate_down: None,
    }
}

fn check_seed(seed: u64) -> Result<(), TestCaseError> {
    let mut g = Gen {
        state: seed,
        defs: vec![],
        sites: 0,
    };
    for _ in 0..g.below(4) {
        g.add_def();
    }
    let input = g.ty(2);
    let output = g.ty(2);
    let arrow = g.to(&input, &output, 5);
    prop_assert_eq!(infer(&g.defs, &arrow, &input), Ok(output.clone()));
    let inputs: Vec<Value> = (0..4).map(|_| Value::from_lit(&g.lit(&input))).collect();
    let art = artifact(g.defs, arrow, input, output);
    let program = verify(art.clone(), &Limits::default());
    prop_assert!(program.is_ok(), "{:?}", program.err());
    let Ok(program) = program else {
        return Ok(());
    };
    let loaded = load(program);
    for value in inputs {
        let reference = eval_ref::step(&art, value.clone(), Value::Unit, 1_000_000);
        let fast = loaded.step(value, &Value::Unit, 1_000_000);
        prop_assert_eq!(fast, reference);
    }
    Ok(())
}

/// A random machine with a random state type and invariant, run as an [`Instance`] (its state
/// held in registers between turns) against the reference evaluator turn by turn: the same
/// outputs and traps, and the packed state equal to the reference state after every turn (a
/// trapped turn leaves it as it was).
fn check_held_state_seed(seed: u64) -> Result<(), TestCaseError> {
    let mut g = Gen {
        state: seed,
        defs: vec![],
        sites: 0,
    };
    for _ in 0..g.below(3) {
        g.add_def();
    }
    let (input, state, output) = (g.ty(2), g.ty(2), g.ty(2));
    let env = Type::Tuple(vec![input.clone(), state.clone()]);
    let step = Arrow::Fork(vec![g.to(&env, &state, 4), g.to(&env, &output, 4)]);
    let invariants = (0..g.below(2))
        .map(|_| Invariant {
            body: g.to(&state, &Type::Bool, 3),
            site: Site(900),
        })
        .collect();
    let init = g.lit(&state);
    let inputs: Vec<Value> = (0..6).map(|_| Value::from_lit(&g.lit(&input))).collect();
    let art = Artifact {
        name: "Held".into(),
        state,
        input,
        output,
        init: init.clone(),
        defs: g.defs,
        step,
        invariants,
        migrate_up: None,
        migrate_down: None,
    };
    let limits = Limits {
        fuel_turn: 1_000_000,
        ..Limits::default()
    };
    let program = verify(art.clone(), &limits);
    prop_assert!(program.is_ok(), "{:?}", program.err());
    let Ok(program) = program else {
        return Ok(());
    };
    let mut instance = Instance::with_limits(Arc::new(load(program)), &limits);
    let mut reference = Value::from_lit(&init);
    for value in inputs {
        let expected = eval_ref::step(&art, value.clone(), reference.clone(), 1_000_000);
        let got = instance.turn(value);
        match expected {
            Ok((state, out)) => {
                prop_assert_eq!(got, Ok(out));
                reference = state;
            }
            Err(trap) => prop_assert_eq!(got, Err(trap)),
        }
        prop_assert_eq!(instance.state(), &reference);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_held_state_gives_the_reference_outputs_traps_and_states(seed in any::<u64>()) {
        check_held_state_seed(seed)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_well_typed_arrows_verify_and_both_evaluators_agree(seed in any::<u64>()) {
        check_seed(seed)?;
    }
}

#[test]
fn the_generator_produces_both_values_and_traps() {
    let (mut values, mut traps) = (0, 0);
    for seed in 0..300 {
        let mut g = Gen {
            state: seed,
            defs: vec![],
            sites: 0,
        };
        let input = g.ty(2);
        let output = g.ty(2);
        let arrow = g.to(&input, &output, 5);
        let art = artifact(vec![], arrow, input.clone(), output);
        let value = Value::from_lit(&g.lit(&input));
        match eval_ref::step(&art, value, Value::Unit, 1_000_000) {
            Ok(_) => values += 1,
            Err(_) => traps += 1,
        }
    }
    assert!(values > 50 && traps > 10, "{values} values, {traps} traps");
}
