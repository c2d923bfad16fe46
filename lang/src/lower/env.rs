//! Where each variable of an expression's environment lives in the value its arrow receives.
//!
//! An environment of `base` variables arrives packed by the calling convention: nothing
//! (`Unit`) for none, the value itself for one, an n-tuple for more. Every variable bound
//! after that (by `let` or by a `match` arm) wraps the environment in a pair:
//! `E' = (E, new)`. So `let` is `(id &&& value) >>> body`, a `match` arm receives exactly what
//! `distl` produces, and a variable is a flat path of projections. This module only computes
//! those paths; it does not know types or emit anything else.

use quiver_vm::bytecode::Arrow;

/// The layout of an environment: the variables packed at the root, then one pair per
/// variable bound after them (innermost last).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Env {
    base: u32,
    pushed: u32,
}

impl Env {
    /// An environment of `base` variables packed by the calling convention.
    pub(crate) fn packed(base: u32) -> Env {
        Env { base, pushed: 0 }
    }

    /// The environment with one more variable, at the next level.
    pub(crate) fn push(self) -> Env {
        Env {
            base: self.base,
            pushed: self.pushed.saturating_add(1),
        }
    }

    /// The number of variables in scope.
    pub(crate) fn len(self) -> u32 {
        self.base.saturating_add(self.pushed)
    }

    /// The projections, in order, that take the environment's value to the variable at
    /// `level`; `None` when no variable has that level.
    pub(crate) fn access(self, level: u32) -> Option<Vec<Arrow>> {
        if level >= self.len() {
            return None;
        }
        let mut path = Vec::new();
        if level < self.base {
            path.extend(outer(self.pushed));
            if self.base >= 2 {
                path.push(Arrow::Proj(level));
            }
        } else {
            let pushed_index = level - self.base;
            path.extend(outer(self.pushed - 1 - pushed_index));
            path.push(Arrow::Proj(1));
        }
        Some(path)
    }
}

/// `count` steps outwards through the pairs of pushed variables.
fn outer(count: u32) -> impl Iterator<Item = Arrow> {
    (0..count).map(|_| Arrow::Proj(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_packed_variable_is_the_whole_value() {
        assert_eq!(Env::packed(1).access(0), Some(vec![]));
    }

    #[test]
    fn packed_variables_are_components_of_the_root_tuple() {
        let env = Env::packed(2).push();
        assert_eq!(env.access(1), Some(vec![Arrow::Proj(0), Arrow::Proj(1)]));
        assert_eq!(env.access(2), Some(vec![Arrow::Proj(1)]));
    }

    #[test]
    fn pushed_variables_walk_out_through_the_pairs() {
        let env = Env::packed(0).push().push().push();
        assert_eq!(
            env.access(0),
            Some(vec![Arrow::Proj(0), Arrow::Proj(0), Arrow::Proj(1)])
        );
        assert_eq!(env.access(3), None);
    }
}
