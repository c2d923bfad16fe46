//! Type inference for arrows: given an arrow and its input type, the output type, or a
//! [`VerifyError`] saying where and why the arrow is ill-typed.
//!
//! Types are compared by shape ([`super::shape`]). The checker also bounds the tree depth, the
//! depth of every type it builds, and records how deep evaluation can nest (counting a called
//! definition's body as nested inside the call). It does not look at anything but the one
//! arrow and the declared types of the definitions it calls.

use super::VerifyError;
use super::bounds::{lit_within, type_within};
use super::lit::check_lit;
use super::shape::{same_shape, shape};
use crate::bytecode::{Arrow, Def, Lit};
use crate::limits::Limits;
use crate::prim::Prim;
use crate::types::Type;

/// Infers the output type of `arrow` on `input`, checking every rule of [`crate::verify`] that
/// concerns one arrow. Calls may target any of `defs` (whose declared types are trusted here).
pub fn infer(defs: &[Def], arrow: &Arrow, input: &Type) -> Result<Type, VerifyError> {
    let no_nesting = vec![0; defs.len()];
    let mut checker = Checker {
        defs,
        caller: None,
        depth_max: Limits::default().depth_max,
        def_nesting: &no_nesting,
        context: "in the arrow".into(),
        path: "arrow".into(),
        nesting: 0,
    };
    checker.infer(arrow, input, 0)
}

/// The state of checking one tree: where we are, and what it may call.
pub(super) struct Checker<'a> {
    pub defs: &'a [Def],
    /// The index of the definition being checked, whose calls must go to smaller indices; `None`
    /// for the step, invariants and migrations, which may call every definition.
    pub caller: Option<usize>,
    pub depth_max: usize,
    /// The evaluation nesting of each definition's body, for those already checked.
    pub def_nesting: &'a [usize],
    /// Which part of the artifact this is, e.g. "in def `clamp`".
    pub context: String,
    /// The path from the root to the node being checked, e.g. "step.2.case[1]".
    pub path: String,
    /// The deepest evaluation nesting seen so far.
    pub nesting: usize,
}

impl Checker<'_> {
    fn error(&self, message: String) -> VerifyError {
        VerifyError {
            context: self.context.clone(),
            path: self.path.clone(),
            message,
        }
    }

    /// Infers `arrow` on `input` with `segment` appended to the path for the duration.
    fn infer_at(
        &mut self,
        segment: &str,
        arrow: &Arrow,
        input: &Type,
        depth: usize,
    ) -> Result<Type, VerifyError> {
        let len = self.path.len();
        self.path.push_str(segment);
        let result = self.infer(arrow, input, depth);
        self.path.truncate(len);
        result
    }

    pub fn infer(
        &mut self,
        arrow: &Arrow,
        input: &Type,
        depth: usize,
    ) -> Result<Type, VerifyError> {
        if depth >= self.depth_max {
            let max = self.depth_max;
            return Err(self.error(format!(
                "arrow nested deeper than the limit of {max} levels"
            )));
        }
        self.nesting = self.nesting.max(depth + 1);
        let below = depth + 1;
        match arrow {
            Arrow::Id => Ok(input.clone()),
            Arrow::Seq(arrows) => {
                let mut ty = input.clone();
                for (i, f) in arrows.iter().enumerate() {
                    ty = self.infer_at(&format!(".{i}"), f, &ty, below)?;
                }
                Ok(ty)
            }
            Arrow::Proj(index) => self.proj(*index, input),
            Arrow::Fork(arrows) if arrows.is_empty() => Ok(Type::Unit),
            Arrow::Fork(arrows) => {
                let mut outputs = Vec::with_capacity(arrows.len());
                for (i, f) in arrows.iter().enumerate() {
                    outputs.push(self.infer_at(&format!(".fork[{i}]"), f, input, below)?);
                }
                self.bounded(Type::Tuple(outputs))
            }
            Arrow::Par(arrows) => self.par(arrows, input, below),
            Arrow::Inj { sum, tag } => self.inj(sum, *tag, input),
            Arrow::Case(arms) => self.case(arms, input, below),
            Arrow::Distl => self.distl(input),
            Arrow::Const(ty, lit) => self.constant(ty, lit),
            Arrow::Prim(prim, _) => self.prim(*prim, input),
            Arrow::Call(index) => self.call(*index, input, depth),
        }
    }

    /// Rejects a built type nested deeper than the limit (long `Seq`s of `Fork`s could
    /// otherwise build types deep enough to overflow the stack of whatever walks them).
    fn bounded(&self, ty: Type) -> Result<Type, VerifyError> {
        if type_within(&ty, self.depth_max) {
            Ok(ty)
        } else {
            let max = self.depth_max;
            Err(self.error(format!(
                "the type built here nests deeper than {max} levels"
            )))
        }
    }

    fn proj(&self, index: u32, input: &Type) -> Result<Type, VerifyError> {
        let Some(components) = input.components() else {
            return Err(self.error(format!(
                "projection {index} of {input}, which is not a product"
            )));
        };
        usize::try_from(index)
            .ok()
            .and_then(|i| components.get(i).cloned())
            .ok_or_else(|| {
                self.error(format!(
                    "projection {index} out of range of a {}-component product",
                    components.len()
                ))
            })
    }

    fn par(&mut self, arrows: &[Arrow], input: &Type, below: usize) -> Result<Type, VerifyError> {
        let components = match input.components() {
            Some(components) if components.len() == arrows.len() => components,
            _ => {
                return Err(self.error(format!(
                    "parallel of {} arrows on {input}, which is not a {}-component product",
                    arrows.len(),
                    arrows.len()
                )));
            }
        };
        let mut outputs = Vec::with_capacity(arrows.len());
        for (i, (f, component)) in arrows.iter().zip(&components).enumerate() {
            outputs.push(self.infer_at(&format!(".par[{i}]"), f, component, below)?);
        }
        self.bounded(Type::Tuple(outputs))
    }

    fn inj(&self, sum: &Type, tag: u32, input: &Type) -> Result<Type, VerifyError> {
        if !type_within(sum, self.depth_max) {
            return Err(self.error("injection type nested too deeply".into()));
        }
        let Some(cases) = sum.cases() else {
            return Err(self.error(format!("injection into {sum}, which is not a sum")));
        };
        let Some(case) = usize::try_from(tag).ok().and_then(|t| cases.get(t)) else {
            return Err(self.error(format!(
                "injection tag {tag} out of range of the {} cases of {sum}",
                cases.len()
            )));
        };
        if !same_shape(case, input) {
            return Err(self.error(format!(
                "injection into case {tag} of {sum} expects {case}, found {input}"
            )));
        }
        Ok(sum.clone())
    }

    fn case(&mut self, arms: &[Arrow], input: &Type, below: usize) -> Result<Type, VerifyError> {
        let Some(cases) = input.cases() else {
            return Err(self.error(format!("case on {input}, which is not a sum")));
        };
        if arms.len() != cases.len() {
            return Err(self.error(format!(
                "case has {} arms for a sum of {} cases",
                arms.len(),
                cases.len()
            )));
        }
        if arms.is_empty() {
            return Err(self.error("case has no arms, so its output type is unknown".into()));
        }
        let mut first: Option<Type> = None;
        for (i, (arm, payload)) in arms.iter().zip(&cases).enumerate() {
            let out = self.infer_at(&format!(".case[{i}]"), arm, payload, below)?;
            match &first {
                None => first = Some(out),
                Some(expected) if same_shape(expected, &out) => {}
                Some(expected) => {
                    return Err(self.error(format!(
                        "case arm {i} gives {out}, but arm 0 gives {expected}"
                    )));
                }
            }
        }
        first.ok_or_else(|| self.error("case has no arms".into()))
    }

    fn distl(&self, input: &Type) -> Result<Type, VerifyError> {
        let components = input.components().unwrap_or_default();
        let [env, sum] = &components[..] else {
            return Err(self.error(format!("distl on {input}, which is not a pair")));
        };
        let Some(cases) = sum.cases() else {
            return Err(self.error(format!(
                "distl on a pair whose second component {sum} is not a sum"
            )));
        };
        let distributed = cases
            .into_iter()
            .map(|case| Type::Tuple(vec![env.clone(), case]))
            .collect();
        self.bounded(Type::Sum(distributed))
    }

    fn constant(&self, ty: &Type, lit: &Lit) -> Result<Type, VerifyError> {
        if !type_within(ty, self.depth_max) || !lit_within(lit, self.depth_max) {
            return Err(self.error("constant nested too deeply".into()));
        }
        check_lit(lit, ty).map_err(|message| self.error(message))?;
        Ok(ty.clone())
    }

    fn prim(&self, prim: Prim, input: &Type) -> Result<Type, VerifyError> {
        let arity = prim.arity();
        let args = if arity == 1 {
            vec![shape(input)]
        } else {
            match input.components() {
                Some(components) if components.len() == arity => {
                    components.iter().map(shape).collect()
                }
                _ => {
                    return Err(self.error(format!(
                        "`{}` takes its {arity} arguments as a {arity}-component product, found {input}",
                        prim.name()
                    )));
                }
            }
        };
        prim.instantiate(&args)
            .map_err(|message| self.error(message))
    }

    fn call(&mut self, index: u32, input: &Type, depth: usize) -> Result<Type, VerifyError> {
        let target = usize::try_from(index).unwrap_or(usize::MAX);
        let bound = self.caller.unwrap_or(self.defs.len());
        if target >= bound {
            return Err(self.error(match self.caller {
                Some(caller) => format!(
                    "def {caller} may only call defs with a smaller index, found call {index}"
                ),
                None => format!("call {index} out of range of the {} defs", self.defs.len()),
            }));
        }
        let def = &self.defs[target];
        if !same_shape(&def.input, input) {
            return Err(self.error(format!(
                "call of def `{}` expects {}, found {input}",
                def.name, def.input
            )));
        }
        let callee_nesting = self.def_nesting.get(target).copied().unwrap_or(0);
        self.nesting = self.nesting.max(depth + 1 + callee_nesting);
        Ok(def.output.clone())
    }
}
