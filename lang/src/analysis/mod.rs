//! Sketches of machines for pictures: per handler, which state fields it reads and writes,
//! which outputs it can produce and, for every enum-valued state field, the transitions
//! between that field's states (`Locked --Coin/Unlocked--> Open`).
//!
//! The analysis works on the surface AST of a file that has already been checked: it reads
//! the handlers as written (matches on a field, assignments of constructors, constructors in
//! tail position), so the result is what a person would sketch, not what lowering produces.
//! It is an approximation in both directions where the source hides things: an output built
//! by a function call counts as "any output", a condition on an `if` is not used to prune
//! paths, and a handler with more than [`PATH_MAX`] paths is marked approximate. It does no
//! type checking and reports no errors: on a file that does not check it still answers, but
//! the answer means little.

mod effects;
mod messages;
mod paths;

use crate::ast::{self, ComposeOp};

/// Paths through one handler beyond which the path walk stops (and marks the handler
/// approximate): a handler of many sequential `if`s would otherwise explode.
pub const PATH_MAX: usize = 64;

/// How deep composites may nest inside one another (and expressions inside a handler) before
/// the sketch stops descending; the parser bounds nesting far below this already.
pub const DEPTH_MAX: usize = 64;

/// How many machines one sketch draws at most: a composite may use a part twice, so sketches
/// of composites of composites could otherwise grow exponentially with the file.
pub const PARTS_MAX: usize = 64;

/// A machine as a person would sketch it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MachineSketch {
    Defined(DefinedSketch),
    Composed(ComposedSketch),
}

impl MachineSketch {
    pub fn name(&self) -> &str {
        match self {
            MachineSketch::Defined(d) => &d.name,
            MachineSketch::Composed(c) => &c.name,
        }
    }
}

/// A machine written with `machine Name { ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefinedSketch {
    pub name: String,
    pub inputs: Vec<MessageSketch>,
    pub outputs: Vec<MessageSketch>,
    pub fields: Vec<FieldSketch>,
    pub handlers: Vec<HandlerSketch>,
}

/// One input or output variant, `Incr(Int)`; a message type that is not an enum is one
/// message named by its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageSketch {
    pub name: String,
    /// The payload's field types as written.
    pub fields: Vec<String>,
}

impl MessageSketch {
    /// `Name` or `Name(T1, T2)`.
    pub fn signature(&self) -> String {
        if self.fields.is_empty() {
            self.name.clone()
        } else {
            format!("{}({})", self.name, self.fields.join(", "))
        }
    }
}

/// One state field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSketch {
    pub name: String,
    /// The type as written.
    pub ty: String,
    /// For a field whose type is an enum declared in the file: its variants' names.
    pub states: Option<Vec<String>>,
    /// For such a field initialised with a constructor: the initial variant.
    pub initial: Option<String>,
}

/// One `on Pattern { ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandlerSketch {
    /// The pattern as written, `Incr(n)`.
    pub pattern: String,
    /// State fields read (in declaration order).
    pub reads: Vec<String>,
    /// State fields assigned (in declaration order).
    pub writes: Vec<String>,
    /// Output variants it can produce (in declaration order).
    pub outputs: Vec<String>,
    /// Transitions of enum-valued fields, sorted and without duplicates.
    pub transitions: Vec<Transition>,
    /// Whether the path walk gave up early, so outputs and transitions may be incomplete.
    pub approximate: bool,
}

/// `field: from --handler / outputs--> to`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Transition {
    pub field: String,
    pub from: String,
    /// The new state; `None` when it is assigned something that is not a constructor.
    pub to: Option<String>,
    /// The outputs produced on the way (in declaration order).
    pub outputs: Vec<String>,
}

/// `machine Name = A >>> B`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComposedSketch {
    pub name: String,
    pub expr: PartExpr,
}

/// The parts of a composite and the operators joining them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartExpr {
    Part(Box<MachineSketch>),
    /// A part whose declaration could not be found, or that the sketch leaves out because it
    /// nests too deeply or the sketch has [`PARTS_MAX`] machines already, by name.
    Missing(String),
    Binary {
        op: ComposeOp,
        left: Box<PartExpr>,
        right: Box<PartExpr>,
    },
}

/// The sketch of the machine called `name` in `file`, or `None` if the file declares none.
pub fn sketch(file: &ast::File, name: &str) -> Option<MachineSketch> {
    let mut budget = PARTS_MAX;
    sketch_at(file, name, 0, &mut budget)
}

/// The names of the machines a file declares, in order.
pub fn machine_names(file: &ast::File) -> Vec<String> {
    file.items
        .iter()
        .filter_map(|item| match item {
            ast::Item::Machine(m) => Some(m.name.name.clone()),
            ast::Item::Compose(c) => Some(c.name.name.clone()),
            _ => None,
        })
        .collect()
}

fn sketch_at(
    file: &ast::File,
    name: &str,
    depth: usize,
    budget: &mut usize,
) -> Option<MachineSketch> {
    if depth > DEPTH_MAX || *budget == 0 {
        return None;
    }
    *budget -= 1;
    file.items.iter().rev().find_map(|item| match item {
        ast::Item::Machine(m) if m.name.name == name => {
            Some(MachineSketch::Defined(sketch_defined(file, m)))
        }
        ast::Item::Compose(c) if c.name.name == name => {
            Some(MachineSketch::Composed(ComposedSketch {
                name: name.to_string(),
                expr: sketch_parts(file, &c.expr, depth + 1, budget),
            }))
        }
        _ => None,
    })
}

fn sketch_parts(
    file: &ast::File,
    expr: &ast::MachineExpr,
    depth: usize,
    budget: &mut usize,
) -> PartExpr {
    match expr {
        ast::MachineExpr::Name(ident) => match sketch_at(file, &ident.name, depth + 1, budget) {
            Some(part) => PartExpr::Part(Box::new(part)),
            None => PartExpr::Missing(ident.name.clone()),
        },
        ast::MachineExpr::Binary {
            op, left, right, ..
        } if depth <= DEPTH_MAX => PartExpr::Binary {
            op: *op,
            left: Box::new(sketch_parts(file, left, depth + 1, budget)),
            right: Box::new(sketch_parts(file, right, depth + 1, budget)),
        },
        ast::MachineExpr::Binary { .. } => PartExpr::Missing("…".into()),
    }
}

fn sketch_defined(file: &ast::File, m: &ast::MachineDecl) -> DefinedSketch {
    let inputs = messages::resolve(file, &m.input, 0);
    let outputs = messages::resolve(file, &m.output, 0);
    let fields: Vec<FieldSketch> = m.state.iter().map(|f| messages::field(file, f)).collect();
    let output_names: Vec<String> = outputs.iter().map(|o| o.name.clone()).collect();
    let handlers = m
        .handlers
        .iter()
        .map(|h| {
            let (reads, writes) = effects::reads_and_writes(h, &fields);
            let walk = paths::walk_handler(h, &fields, &output_names);
            HandlerSketch {
                pattern: messages::pattern_text(&h.pattern),
                reads,
                writes,
                outputs: walk.outputs,
                transitions: walk.transitions,
                approximate: walk.approximate,
            }
        })
        .collect();
    DefinedSketch {
        name: m.name.name.clone(),
        inputs,
        outputs,
        fields,
        handlers,
    }
}

#[cfg(test)]
mod tests;
