//! Where each variable of an expression's environment lives in the value its arrow receives.
//!
//! An environment of `base` variables arrives packed by the calling convention: nothing
//! (`Unit`) for none, the value itself for one, an n-tuple for more. Every variable bound
//! after that (by `let` or by a `match` arm) wraps the environment in a pair:
//! `E' = (E, new)`. So `let` is `(id &&& value) >>> body`, a `match` arm receives exactly what
//! `distl` produces, and a variable is a flat path of projections.
//!
//! Pairs nest, and the verifier bounds the nesting of types, so once [`PUSHED_MAX`] variables
//! have been pushed the environment is *re-packed*: one fork of every variable's path makes a
//! flat tuple that becomes the new root. A chain of `n` lets thus costs `O(n^2 / PUSHED_MAX)`
//! nodes and nests at most `PUSHED_MAX` pairs deep. This module only computes paths and
//! re-packings; it does not know types.

/// How many pairs may wrap the root before the environment is re-packed.
pub(crate) const PUSHED_MAX: u32 = 32;

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

    /// When the environment nests too deep: the arrow that re-packs it into a flat tuple of
    /// all its variables, and the environment after it.
    pub(crate) fn repack(self) -> Option<(Arrow, Env)> {
        if self.pushed < PUSHED_MAX {
            return None;
        }
        // First `(root, pushed 0, ..., pushed k-1)`, so that each variable of the root then
        // costs two projections rather than a path through every pair.
        let mut staged = vec![crate::lower::seq((0..self.pushed).map(|_| Arrow::Proj(0)))];
        staged.extend(
            (self.base..self.len()).filter_map(|level| self.access(level).map(crate::lower::seq)),
        );
        let root = match self.base {
            0 => Vec::new(),
            1 => vec![Arrow::Proj(0)],
            n => (0..n)
                .map(|i| crate::lower::seq([Arrow::Proj(0), Arrow::Proj(i)]))
                .collect(),
        };
        let pushed = (1..=self.pushed).map(Arrow::Proj);
        let flat = Arrow::Fork(root.into_iter().chain(pushed).collect());
        let fork = crate::lower::seq([Arrow::Fork(staged), flat]);
        Some((fork, Env::packed(self.len())))
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
    fn a_deep_environment_repacks_into_a_flat_tuple() {
        let mut env = Env::packed(1);
        for _ in 0..PUSHED_MAX {
            env = env.push();
        }
        let (arrow, flat) = env.repack().expect("PUSHED_MAX pushes call for a repack");
        assert_eq!(flat, Env::packed(PUSHED_MAX + 1));
        let Arrow::Seq(stages) = arrow else {
            panic!("a repack is two forks")
        };
        let Arrow::Fork(items) = &stages[1] else {
            panic!("a repack ends with a fork")
        };
        assert_eq!(items.len(), PUSHED_MAX as usize + 1);
        assert_eq!(items[0], Arrow::Proj(0));
        assert_eq!(items[PUSHED_MAX as usize], Arrow::Proj(PUSHED_MAX));
        assert_eq!(Env::packed(1).push().repack(), None);
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
