//! The variable environment of the body being checked.
//!
//! Variables are de Bruijn *levels*: a binding made when `depth` bindings enclose it is
//! `Var(depth)`, and stays so however many bindings follow, so an expression checked once can
//! be placed under further `Let`s unchanged. A name may also stand for an *alias*, a pure
//! access path such as `Proj(Var(1), 0)` (a state field read straight out of the state), which
//! uses no level. This module knows nothing about types beyond storing them.

use crate::span::Span;
use crate::tir;
use quiver_vm::types::Type;

/// A name in scope and how to read it.
#[derive(Clone, Debug)]
pub(crate) struct Local {
    pub name: String,
    pub ty: Type,
    /// The expression that reads it: a `Var`, or a projection path out of one.
    pub access: tir::ExprKind,
}

/// A point to return to when a scope ends.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mark {
    locals: usize,
    depth: u32,
}

#[derive(Debug, Default)]
pub(crate) struct Scope {
    locals: Vec<Local>,
    depth: u32,
}

impl Scope {
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            locals: self.locals.len(),
            depth: self.depth,
        }
    }

    pub(crate) fn reset(&mut self, mark: Mark) {
        self.locals.truncate(mark.locals);
        self.depth = mark.depth;
    }

    /// Binds the next level, under `name` when given; returns the level.
    pub(crate) fn bind(&mut self, name: Option<&str>, ty: &Type) -> u32 {
        let level = self.depth;
        self.depth += 1;
        if let Some(name) = name {
            self.locals.push(Local {
                name: name.to_string(),
                ty: ty.clone(),
                access: tir::ExprKind::Var(level),
            });
        }
        level
    }

    /// Makes `name` read `access` without using a level.
    pub(crate) fn alias(&mut self, name: &str, ty: &Type, access: tir::ExprKind) {
        self.locals.push(Local {
            name: name.to_string(),
            ty: ty.clone(),
            access,
        });
    }

    /// The innermost binding of `name`.
    pub(crate) fn lookup(&self, name: &str) -> Option<&Local> {
        self.locals.iter().rev().find(|l| l.name == name)
    }

    /// An expression reading `local`, located at `span`.
    pub(crate) fn read(local: &Local, span: Span) -> tir::Expr {
        tir::Expr::new(local.access.clone(), local.ty.clone(), span)
    }

    /// Every name in scope (for "did you mean").
    pub(crate) fn names(&self) -> Vec<String> {
        self.locals.iter().map(|l| l.name.clone()).collect()
    }
}

/// `Var(level)` of type `ty`.
pub(crate) fn var(level: u32, ty: &Type, span: Span) -> tir::Expr {
    tir::Expr::new(tir::ExprKind::Var(level), ty.clone(), span)
}

/// Component `index` of `base`, of type `ty`.
pub(crate) fn proj(base: tir::Expr, index: usize, ty: &Type) -> tir::Expr {
    let span = base.span;
    let index = u32::try_from(index).expect("products have fewer than 2^32 components");
    tir::Expr::new(tir::ExprKind::Proj(Box::new(base), index), ty.clone(), span)
}

/// `let <next level> = value; body`, typed as the body.
pub(crate) fn let_in(value: tir::Expr, body: tir::Expr) -> tir::Expr {
    let ty = body.ty.clone();
    let span = value.span.to(body.span);
    tir::Expr::new(
        tir::ExprKind::Let(Box::new(value), Box::new(body)),
        ty,
        span,
    )
}
