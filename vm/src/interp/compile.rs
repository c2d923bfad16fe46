//! Loading: a verified arrow tree becomes a tree of pre-resolved [`Node`]s.
//!
//! What loading does once so that running does not: nested `Seq`s are flattened, chains of
//! `Proj` are fused into one path, a `Fork` whose arms are all projection paths becomes one
//! node that copies components, constants become `Value`s, an `Inj` knows whether it builds a
//! `Bool`, and a `Call` holds the compiled body of its definition behind an `Arc`.
//!
//! It trusts the verifier: it checks no types, and only ever sees arrows that passed `verify`.
//! Every transformation keeps the evaluation order of anything that can trap.

use crate::bytecode::{Arrow, Site};
use crate::prim::Prim;
use crate::types::Type;
use crate::value::Value;
use std::sync::Arc;

/// A compiled arrow.
#[derive(Debug)]
pub enum Node {
    Id,
    /// Run each node on the previous one's output; never empty, never nested in another `Seq`.
    Seq(Box<[Node]>),
    /// A chain of projections, outermost first; never empty.
    Path(Box<[u32]>),
    /// `Fork([])`: anything to `Unit`.
    Unit,
    Fork(Box<[Node]>),
    /// A fork whose every arm is a projection path (or `Id`, the empty path).
    ForkPaths(Box<[Box<[u32]>]>),
    Par(Box<[Node]>),
    /// Injection into a sum represented as `Value::Variant`.
    Inj(u32),
    /// Injection into `Bool`: tag 1 is `true`.
    InjBool(bool),
    Case(Box<[Node]>),
    Distl,
    Const(Value),
    Prim(Prim, Site),
    Call(Arc<Node>),
    /// A call whose target was not compiled before it, which `verify` rules out; it traps as
    /// ill-typed rather than panicking.
    BadCall,
}

/// Compiles `arrow`, resolving `Call(k)` to `defs[k]` (the compiled definitions so far).
pub fn compile(arrow: &Arrow, defs: &[Arc<Node>]) -> Node {
    match arrow {
        Arrow::Id => Node::Id,
        Arrow::Seq(arrows) => compile_seq(arrows, defs),
        Arrow::Proj(index) => Node::Path(Box::new([*index])),
        Arrow::Fork(arrows) if arrows.is_empty() => Node::Unit,
        Arrow::Fork(arrows) => compile_fork(arrows, defs),
        Arrow::Par(arrows) => Node::Par(compile_all(arrows, defs)),
        Arrow::Inj {
            sum: Type::Bool,
            tag,
        } => Node::InjBool(*tag == 1),
        Arrow::Inj { tag, .. } => Node::Inj(*tag),
        Arrow::Case(arms) => Node::Case(compile_all(arms, defs)),
        Arrow::Distl => Node::Distl,
        Arrow::Const(_, lit) => Node::Const(Value::from_lit(lit)),
        Arrow::Prim(prim, site) => Node::Prim(*prim, *site),
        Arrow::Call(index) => match usize::try_from(*index).ok().and_then(|i| defs.get(i)) {
            Some(body) => Node::Call(Arc::clone(body)),
            None => Node::BadCall,
        },
    }
}

fn compile_all(arrows: &[Arrow], defs: &[Arc<Node>]) -> Box<[Node]> {
    arrows.iter().map(|a| compile(a, defs)).collect()
}

/// Flattens nested sequences, drops `Id`s and fuses adjacent projections.
fn compile_seq(arrows: &[Arrow], defs: &[Arc<Node>]) -> Node {
    let mut nodes: Vec<Node> = Vec::with_capacity(arrows.len());
    for arrow in arrows {
        match compile(arrow, defs) {
            Node::Id => {}
            Node::Seq(inner) => {
                for node in inner.into_vec() {
                    push_fused(&mut nodes, node);
                }
            }
            node => push_fused(&mut nodes, node),
        }
    }
    match (nodes.pop(), nodes.is_empty()) {
        (None, _) => Node::Id,
        (Some(only), true) => only,
        (Some(last), false) => {
            nodes.push(last);
            Node::Seq(nodes.into_boxed_slice())
        }
    }
}

fn push_fused(nodes: &mut Vec<Node>, node: Node) {
    if let (Some(Node::Path(front)), Node::Path(back)) = (nodes.last_mut(), &node) {
        let joined: Vec<u32> = front.iter().chain(back.iter()).copied().collect();
        *front = joined.into_boxed_slice();
        return;
    }
    nodes.push(node);
}

fn compile_fork(arrows: &[Arrow], defs: &[Arc<Node>]) -> Node {
    let nodes = compile_all(arrows, defs);
    let paths: Option<Vec<Box<[u32]>>> = nodes
        .iter()
        .map(|node| match node {
            Node::Path(path) => Some(path.clone()),
            Node::Id => Some(Box::default()),
            _ => None,
        })
        .collect();
    match paths {
        Some(paths) => Node::ForkPaths(paths.into_boxed_slice()),
        None => Node::Fork(nodes),
    }
}
