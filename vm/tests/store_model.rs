//! Recovery equals a sequential model over random histories: inputs (including traps and
//! rejections), upgrades, refused upgrades, rollbacks, snapshots at random intervals,
//! compactions and reopens of the store.
#![cfg(feature = "node")]

mod common;
mod store_support;

use proptest::prelude::*;
use quiver_vm::limits::Limits;
use quiver_vm::node::report::Outcome;
use quiver_vm::node::store::Durability;
use store_support::{Expected, Live, NAME, every, open, v1, v2};

#[derive(Clone, Debug)]
enum Op {
    Incr(i64),
    Decr(i64),
    Reset,
    Get,
    Bogus,
    Upgrade,
    Rollback,
    Compact(usize),
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0i64..20).prop_map(Op::Incr),
        3 => (0i64..20).prop_map(Op::Decr),
        1 => Just(Op::Reset),
        2 => Just(Op::Get),
        1 => Just(Op::Bogus),
        1 => Just(Op::Upgrade),
        1 => Just(Op::Rollback),
        1 => (1usize..3).prop_map(Op::Compact),
        1 => Just(Op::Reopen),
    ]
}

/// The counter as a plain program: its count and how many versions are stacked (1 = v1).
#[derive(Debug, Default)]
struct Model {
    count: i64,
    stacked: usize,
}

impl Model {
    fn state(&self) -> String {
        if self.stacked % 2 == 1 {
            format!("{{ count: {} }}", self.count)
        } else {
            format!("{{ count: {}, resets: 0 }}", self.count)
        }
    }

    /// The model's answer to one input, or `None` for a trap or a rejection.
    fn input(&mut self, op: &Op) -> Option<String> {
        match op {
            Op::Incr(n) => self.count += n,
            Op::Decr(n) if self.count - n < 0 => return None,
            Op::Decr(n) => self.count -= n,
            Op::Reset => self.count = 0,
            Op::Get => return Some(format!("Value({})", self.count)),
            _ => return None,
        }
        Some("Ok".into())
    }
}

fn text(op: &Op) -> String {
    match op {
        Op::Incr(n) => format!("Incr({n})"),
        Op::Decr(n) => format!("Decr({n})"),
        Op::Reset => "Reset".into(),
        Op::Get => "Get".into(),
        _ => "Bogus".into(),
    }
}

fn run(ops: &[Op], snapshot_every: u64) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = every(snapshot_every);
    let mut store = open(dir.path(), Durability::None);
    let mut live = Live::deploy(&store, &v1(), policy);
    let mut model = Model {
        count: 0,
        stacked: 1,
    };
    for op in ops {
        match op {
            Op::Upgrade => {
                // v1 -> v2 migrates; v2 -> v1 is refused (the derived migration drops a field).
                let expected = model.stacked % 2 == 1;
                let next = if expected { v2() } else { v1() };
                prop_assert_eq!(live.upgrade(&next), expected);
                model.stacked += usize::from(expected);
            }
            Op::Rollback => {
                let expected = model.stacked > 1;
                prop_assert_eq!(live.rollback(), expected);
                model.stacked -= usize::from(expected);
            }
            Op::Compact(keep) => {
                store.compact(NAME, *keep).expect("compacts");
            }
            Op::Reopen => (live, store) = live.reopen(store, dir.path(), policy),
            input => {
                let outcome = live.send(&text(input), None);
                match model.input(input) {
                    Some(output) => prop_assert_eq!(outcome, Outcome::Output(output)),
                    None => prop_assert!(!matches!(outcome, Outcome::Output(_)), "{outcome:?}"),
                }
            }
        }
    }
    prop_assert_eq!(live.core.inspect(0).state, model.state());
    let expected = live.expected();
    drop(live);
    drop(store);
    let store = open(dir.path(), Durability::Sync);
    let recovered = store.recover(NAME, &Limits::default()).expect("recovers");
    prop_assert_eq!(Expected::of(&recovered), expected.clone());
    let replayed = store
        .replay(NAME, None, &Limits::default())
        .expect("replays");
    prop_assert_eq!(replayed.divergence, None);
    prop_assert_eq!(replayed.bad_snapshot, None);
    prop_assert_eq!(replayed.state, expected.state);
    prop_assert_eq!(replayed.reached, expected.position);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn recovery_equals_the_model_over_random_histories(
        ops in prop::collection::vec(op(), 0..60),
        snapshot_every in 1u64..8,
    ) {
        run(&ops, snapshot_every)?;
    }
}
