//! The paths through one handler: for each, the outputs it can end in and, for every
//! enum-valued state field, the state it starts from (learned from `match field { ... }` arms)
//! and the state it leaves (from assignments of constructors).
//!
//! The walk follows `if` and `match` arms, statements in order and tail expressions; an output
//! is a constructor of the output type in tail position, and a tail it cannot read (a function
//! call, a variable) may be any output. It does not evaluate conditions, so a path that can
//! never run may still be counted; it does prune `match` arms that contradict what the path
//! already knows of a field. Past [`PATH_MAX`] paths it keeps the first ones and says so.

use super::effects::EXPR_DEPTH_MAX;
use super::messages::bound_names;
use super::{FieldSketch, PATH_MAX, Transition};
use crate::ast::{Block, Expr, ExprKind, Handler, MatchArm, Pattern, Stmt};
use std::collections::{BTreeMap, BTreeSet};

/// What the walk found in one handler.
pub struct HandlerWalk {
    pub outputs: Vec<String>,
    pub transitions: Vec<Transition>,
    pub approximate: bool,
}

/// Walks `handler`, given the machine's state fields and output variant names.
pub fn walk_handler(handler: &Handler, fields: &[FieldSketch], outputs: &[String]) -> HandlerWalk {
    let mut walker = Walker {
        enums: fields
            .iter()
            .filter_map(|f| Some((f.name.as_str(), f.states.as_deref()?)))
            .collect(),
        outputs,
        approximate: false,
    };
    let mut start = Path::default();
    bound_names(&handler.pattern, &mut start.locals);
    let ends = walker.block(&handler.body, start, 0);
    let mut produced: BTreeSet<&str> = BTreeSet::new();
    let mut moves: BTreeMap<(String, String, Option<String>), BTreeSet<&str>> = BTreeMap::new();
    for (path, tail) in &ends {
        let outs: Vec<&str> = match tail {
            Tail::Output(name) => vec![name.as_str()],
            Tail::Unknown => outputs.iter().map(String::as_str).collect(),
        };
        produced.extend(outs.iter().copied());
        for field in fields {
            for (from, to) in walker.moves_of(path, field) {
                let key = (field.name.clone(), from, to);
                moves.entry(key).or_default().extend(outs.iter().copied());
            }
        }
    }
    let in_order = |set: &BTreeSet<&str>| -> Vec<String> {
        outputs
            .iter()
            .filter(|o| set.contains(o.as_str()))
            .cloned()
            .collect()
    };
    HandlerWalk {
        outputs: in_order(&produced),
        transitions: moves
            .into_iter()
            .map(|((field, from, to), outs)| Transition {
                field,
                from,
                to,
                outputs: in_order(&outs),
            })
            .collect(),
        approximate: walker.approximate,
    }
}

/// What one path knows.
#[derive(Clone, Debug, Default)]
struct Path {
    /// Enum field -> the variant it held when the handler started.
    entry: BTreeMap<String, String>,
    /// Enum field -> the constructor assigned last (`None`: something else was assigned).
    assigned: BTreeMap<String, Option<String>>,
    /// Locals in scope, innermost last.
    locals: Vec<String>,
}

/// The value a path ends in, as far as outputs go.
#[derive(Clone, Debug)]
enum Tail {
    Output(String),
    Unknown,
}

struct Walker<'a> {
    /// Enum-valued field -> its variants.
    enums: BTreeMap<&'a str, &'a [String]>,
    outputs: &'a [String],
    approximate: bool,
}

impl Walker<'_> {
    /// The `(from, to)` moves of `field` along a finished path.
    fn moves_of(&self, path: &Path, field: &FieldSketch) -> Vec<(String, Option<String>)> {
        let Some(states) = &field.states else {
            return Vec::new();
        };
        let from: Vec<String> = match path.entry.get(&field.name) {
            Some(known) => vec![known.clone()],
            None => states.clone(),
        };
        match path.assigned.get(&field.name) {
            Some(to) => from.into_iter().map(|f| (f, to.clone())).collect(),
            None if path.entry.contains_key(&field.name) => {
                from.into_iter().map(|f| (f.clone(), Some(f))).collect()
            }
            None => Vec::new(),
        }
    }

    /// The enum field a name refers to on this path, with its variants.
    fn enum_field(&self, name: &str, path: &Path) -> Option<(String, Vec<String>)> {
        if path.locals.iter().any(|l| l == name) {
            return None;
        }
        let states = self.enums.get(name)?;
        Some((name.to_string(), states.to_vec()))
    }

    /// Continues every path with `step`, keeping at most [`PATH_MAX`] results.
    fn each(
        &mut self,
        paths: Vec<Path>,
        mut step: impl FnMut(&mut Self, Path) -> Vec<(Path, Tail)>,
    ) -> Vec<(Path, Tail)> {
        let mut out = Vec::new();
        for path in paths {
            out.extend(step(self, path));
            if out.len() > PATH_MAX {
                out.truncate(PATH_MAX);
                self.approximate = true;
                break;
            }
        }
        out
    }

    fn block(&mut self, block: &Block, start: Path, depth: usize) -> Vec<(Path, Tail)> {
        let mark = start.locals.len();
        let mut paths = vec![start];
        for stmt in &block.stmts {
            let ends = self.each(paths, |w, p| w.stmt(stmt, p, depth + 1));
            paths = ends.into_iter().map(|(p, _)| p).collect();
        }
        let mut ends = match &block.result {
            Some(result) => self.each(paths, |w, p| w.expr(result, p, depth + 1)),
            None => paths.into_iter().map(|p| (p, Tail::Unknown)).collect(),
        };
        for (path, _) in &mut ends {
            path.locals.truncate(mark);
        }
        ends
    }

    fn stmt(&mut self, stmt: &Stmt, path: Path, depth: usize) -> Vec<(Path, Tail)> {
        match stmt {
            Stmt::Let { name, value, .. } => {
                let mut ends = self.expr(value, path, depth + 1);
                for (p, _) in &mut ends {
                    p.locals.push(name.name.clone());
                }
                ends
            }
            Stmt::Assign { target, value, .. } => {
                let mut ends = self.expr(value, path, depth + 1);
                for (p, _) in &mut ends {
                    if let Some((field, states)) = self.enum_field(&target.name, p) {
                        let constant = ctor_name(value, &p.locals)
                            .filter(|name| states.iter().any(|s| s == name));
                        p.assigned.insert(field, constant);
                    }
                }
                ends
            }
            Stmt::Assert { cond: e, .. } | Stmt::Expr(e) => self.expr(e, path, depth + 1),
        }
    }

    fn expr(&mut self, expr: &Expr, path: Path, depth: usize) -> Vec<(Path, Tail)> {
        if depth > EXPR_DEPTH_MAX {
            self.approximate = true;
            return vec![(path, Tail::Unknown)];
        }
        match &expr.kind {
            ExprKind::If {
                cond,
                then_block,
                else_block,
            } => {
                let after_cond = self.expr(cond, path, depth + 1);
                let paths = after_cond.into_iter().map(|(p, _)| p).collect();
                self.each(paths, |w, p| {
                    let mut ends = match else_block {
                        Some(else_block) => w.block(else_block, p.clone(), depth + 1),
                        None => vec![(p.clone(), Tail::Unknown)],
                    };
                    ends.splice(0..0, w.block(then_block, p, depth + 1));
                    ends
                })
            }
            ExprKind::Match { scrutinee, arms } => {
                let after = self.expr(scrutinee, path, depth + 1);
                let paths = after.into_iter().map(|(p, _)| p).collect();
                self.each(paths, |w, p| {
                    let field = scrutinee_name(scrutinee).and_then(|n| w.enum_field(n, &p));
                    w.arms(arms, field, p, depth + 1)
                })
            }
            ExprKind::Block(block) => self.block(block, path, depth + 1),
            _ => {
                let tail = match ctor_name(expr, &path.locals) {
                    Some(name) if self.outputs.contains(&name) => Tail::Output(name),
                    _ => Tail::Unknown,
                };
                vec![(path, tail)]
            }
        }
    }

    /// The arms of a `match`; on an enum field, each arm runs once per variant it covers.
    fn arms(
        &mut self,
        arms: &[MatchArm],
        field: Option<(String, Vec<String>)>,
        path: Path,
        depth: usize,
    ) -> Vec<(Path, Tail)> {
        let mut covered: Vec<String> = Vec::new();
        let mut starts: Vec<(Path, &MatchArm)> = Vec::new();
        for arm in arms {
            let Some((name, states)) = &field else {
                starts.push((path.clone(), arm));
                continue;
            };
            let named = match &arm.pattern {
                Pattern::Ctor { path: ctor, .. } => ctor
                    .segments
                    .last()
                    .map(|s| s.name.clone())
                    .filter(|n| states.contains(n)),
                _ => None,
            };
            let variants: Vec<String> = match named {
                Some(variant) => vec![variant],
                None => states
                    .iter()
                    .filter(|s| !covered.contains(s))
                    .cloned()
                    .collect(),
            };
            for variant in &variants {
                if let Some(p) = restrict(&path, name, variant) {
                    starts.push((p, arm));
                }
            }
            covered.extend(variants);
        }
        let mut ends = Vec::new();
        for (mut p, arm) in starts {
            let mark = p.locals.len();
            bound_names(&arm.pattern, &mut p.locals);
            for (mut end, tail) in self.expr(&arm.body, p, depth + 1) {
                end.locals.truncate(mark);
                ends.push((end, tail));
            }
            if ends.len() > PATH_MAX {
                ends.truncate(PATH_MAX);
                self.approximate = true;
                break;
            }
        }
        ends
    }
}

/// `path` knowing that `field` holds `variant` now, or `None` if it knows otherwise.
fn restrict(path: &Path, field: &str, variant: &str) -> Option<Path> {
    match path.assigned.get(field) {
        Some(Some(current)) if current != variant => None,
        Some(_) => Some(path.clone()),
        None => match path.entry.get(field) {
            Some(known) if known != variant => None,
            _ => {
                let mut p = path.clone();
                p.entry.insert(field.to_string(), variant.to_string());
                Some(p)
            }
        },
    }
}

/// The name a `match` scrutinee is, when it is a plain name.
fn scrutinee_name(expr: &Expr) -> Option<&str> {
    match &expr.kind {
        ExprKind::Path(path) => match path.segments.as_slice() {
            [one] => Some(one.name.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// The constructor an expression is (`Open`, `Value(n)`, `Counter.Output.Ok`), if it is one.
fn ctor_name(expr: &Expr, locals: &[String]) -> Option<String> {
    let path = match &expr.kind {
        ExprKind::Path(path) => path,
        ExprKind::Call { callee, .. } => callee,
        _ => return None,
    };
    let last = path.segments.last()?;
    let shadowed = path.segments.len() == 1 && locals.contains(&last.name);
    let upper = last.name.starts_with(|c: char| c.is_ascii_uppercase());
    (upper && !shadowed).then(|| last.name.clone())
}
