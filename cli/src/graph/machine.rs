//! The `machine` picture: a state machine drawn as people sketch it.
//!
//! Left to right: one box per handler (the inputs), the state fields as cylinders (a dashed
//! blue wire when a handler reads a field, a solid orange one when it writes it), and the
//! outputs each handler can produce. Every enum-valued state field also gets its own diagram
//! of states and transitions (`Locked --Coin / Unlocked--> Open`) with an arrow into the
//! initial state. A composite draws each part as a cluster, wired by its operator.
//!
//! What is drawn comes from [`quiver_lang::analysis`]; this module only lays it out as DOT.
//! It does not look at the compiled program (that is the `arrows` picture).

use super::dot::{Dot, Port};
use quiver_lang::analysis::{ComposedSketch, DefinedSketch, MachineSketch, PartExpr};
use quiver_lang::ast::ComposeOp;

const READ_COLOR: &str = "#2f6fbf";
const WRITE_COLOR: &str = "#d9731a";
/// Read and written: one purple wire with an arrowhead at each end.
const BOTH_COLOR: &str = "#7a4fa0";
const HANDLER_FILL: &str = "#dce9f7";
const FIELD_FILL: &str = "#fff4c2";
const OUTPUT_FILL: &str = "#dff2dc";
const STATE_FILL: &str = "#f3e3f5";

/// The DOT of a machine's sketch.
pub fn machine_dot(sketch: &MachineSketch) -> String {
    let mut dot = Dot::digraph(sketch.name());
    dot.defaults(
        "graph",
        &[
            ("rankdir", "LR"),
            ("fontname", "Helvetica"),
            ("nodesep", "0.3"),
            ("ranksep", "0.6"),
            ("labelloc", "t"),
        ],
    );
    dot.defaults("node", &[("fontname", "Helvetica"), ("fontsize", "11")]);
    dot.defaults(
        "edge",
        &[
            ("fontname", "Helvetica"),
            ("fontsize", "10"),
            ("color", "#555555"),
        ],
    );
    let title = match sketch {
        MachineSketch::Defined(_) => format!(
            "machine {}: inputs → handlers → outputs; dashed blue: reads a state \
             field; orange: writes it; purple: both",
            sketch.name()
        ),
        MachineSketch::Composed(_) => format!("machine {}: its parts, wired", sketch.name()),
    };
    dot.set("label", &title);
    let mut ids = Ids::default();
    draw(&mut dot, sketch, &mut ids, 0);
    dot.finish()
}

/// Gives every drawn machine (a composite may use one part twice) its own id prefix.
#[derive(Default)]
struct Ids {
    next: usize,
}

impl Ids {
    fn prefix(&mut self) -> String {
        self.next += 1;
        format!("m{}_", self.next)
    }
}

/// The nodes messages enter and leave a drawn machine by, named by their variant.
struct Ends {
    entries: Vec<(String, String)>,
    exits: Vec<(String, String)>,
}

fn draw(dot: &mut Dot, sketch: &MachineSketch, ids: &mut Ids, depth: usize) -> Ends {
    match sketch {
        MachineSketch::Defined(d) => draw_defined(dot, d, &ids.prefix(), depth > 0),
        MachineSketch::Composed(c) => draw_composed(dot, c, ids, depth),
    }
}

fn draw_defined(dot: &mut Dot, d: &DefinedSketch, prefix: &str, boxed: bool) -> Ends {
    if boxed {
        dot.open_cluster(&format!("{prefix}part"), &format!("machine {}", d.name));
        dot.set("style", "rounded");
        dot.set("color", "#999999");
    }
    let entries = draw_handlers(dot, d, prefix);
    draw_fields(dot, d, prefix);
    let exits = draw_outputs(dot, d, prefix);
    draw_wires(dot, d, prefix);
    if boxed {
        dot.close();
    }
    for (index, field) in d.fields.iter().enumerate() {
        if field.states.is_some() {
            draw_states(dot, d, index, prefix);
        }
    }
    Ends { entries, exits }
}

/// One box per handler; returns `(input variant, node)` per handler.
fn draw_handlers(dot: &mut Dot, d: &DefinedSketch, prefix: &str) -> Vec<(String, String)> {
    let mut entries = Vec::new();
    for (i, handler) in d.handlers.iter().enumerate() {
        let id = format!("{prefix}h{i}");
        let mut label = format!("on {}", handler.pattern);
        if handler.approximate {
            label.push_str("\n(approximate)");
        }
        dot.node(
            &id,
            &[
                ("label", &label),
                ("shape", "box"),
                ("style", "rounded,filled"),
                ("fillcolor", HANDLER_FILL),
            ],
        );
        entries.push((pattern_head(&handler.pattern), id));
    }
    keep_in_order(dot, entries.iter().map(|(_, id)| id.as_str()));
    entries
}

fn draw_fields(dot: &mut Dot, d: &DefinedSketch, prefix: &str) {
    for (i, field) in d.fields.iter().enumerate() {
        let label = format!("{}: {}", field.name, field.ty);
        dot.node(
            &format!("{prefix}f{i}"),
            &[
                ("label", &label),
                ("shape", "cylinder"),
                ("style", "filled"),
                ("fillcolor", FIELD_FILL),
            ],
        );
    }
}

/// One oval per output; returns `(output variant, node)` per output.
fn draw_outputs(dot: &mut Dot, d: &DefinedSketch, prefix: &str) -> Vec<(String, String)> {
    let mut exits = Vec::new();
    for (i, output) in d.outputs.iter().enumerate() {
        let id = format!("{prefix}o{i}");
        dot.node(
            &id,
            &[
                ("label", &output.signature()),
                ("shape", "ellipse"),
                ("style", "filled"),
                ("fillcolor", OUTPUT_FILL),
            ],
        );
        exits.push((output.name.clone(), id));
    }
    keep_in_order(dot, exits.iter().map(|(_, id)| id.as_str()));
    exits
}

/// Holds nodes in one column, top to bottom in the order given (declaration order), with
/// invisible edges inside a same-rank group.
fn keep_in_order<'a>(dot: &mut Dot, ids: impl Iterator<Item = &'a str>) {
    let ids: Vec<&str> = ids.collect();
    if ids.len() < 2 {
        return;
    }
    dot.open_group();
    dot.set("rank", "same");
    for pair in ids.windows(2) {
        dot.edge(
            &Port::node(pair[0]),
            &Port::node(pair[1]),
            &[("style", "invis")],
        );
    }
    dot.close();
}

/// Handler -> field (reads point back at the handler), handler -> output. Outputs sit one
/// rank further right than fields so the three columns stay apart.
fn draw_wires(dot: &mut Dot, d: &DefinedSketch, prefix: &str) {
    let position = |names: &[String], name: &str| names.iter().position(|n| n == name);
    let outputs: Vec<String> = d.outputs.iter().map(|o| o.name.clone()).collect();
    for (i, handler) in d.handlers.iter().enumerate() {
        let from = Port::node(format!("{prefix}h{i}"));
        for (f, field) in d.fields.iter().enumerate() {
            let reads = handler.reads.contains(&field.name);
            let writes = handler.writes.contains(&field.name);
            let attrs: &[(&str, &str)] = match (reads, writes) {
                (true, true) => &[("dir", "both"), ("color", BOTH_COLOR), ("penwidth", "1.4")],
                (true, false) => &[("dir", "back"), ("style", "dashed"), ("color", READ_COLOR)],
                (false, true) => &[("color", WRITE_COLOR), ("penwidth", "1.6")],
                (false, false) => continue,
            };
            dot.edge(&from, &Port::node(format!("{prefix}f{f}")), attrs);
        }
        for output in &handler.outputs {
            if let Some(o) = position(&outputs, output) {
                let to = Port::node(format!("{prefix}o{o}"));
                dot.edge(&from, &to, &[("minlen", "2")]);
            }
        }
    }
}

/// The state diagram of enum field `index`: its variants as states, the handlers' moves as
/// transitions labelled `Input / Output`, and an arrow into the initial state.
fn draw_states(dot: &mut Dot, d: &DefinedSketch, index: usize, prefix: &str) {
    let field = &d.fields[index];
    let Some(states) = &field.states else {
        return;
    };
    let cluster = format!("{prefix}states{index}");
    dot.open_cluster(&cluster, &format!("{}: {} (states)", field.name, field.ty));
    dot.set("style", "rounded");
    dot.set("color", "#b07cc6");
    let state_id = |name: &str| {
        let j = states
            .iter()
            .position(|s| s == name)
            .unwrap_or(states.len());
        format!("{prefix}s{index}_{j}")
    };
    for state in states {
        let attrs = [
            ("label", state.as_str()),
            ("shape", "box"),
            ("style", "rounded,filled"),
            ("fillcolor", STATE_FILL),
        ];
        dot.node(&state_id(state), &attrs);
    }
    if let Some(initial) = &field.initial {
        let start = format!("{prefix}s{index}_start");
        dot.node(
            &start,
            &[("shape", "point"), ("width", "0.12"), ("label", "")],
        );
        let attrs = [("label", "start")];
        dot.edge(&Port::node(start), &Port::node(state_id(initial)), &attrs);
    }
    let mut unknown_drawn = false;
    for handler in &d.handlers {
        for t in handler.transitions.iter().filter(|t| t.field == field.name) {
            let to = match &t.to {
                Some(to) => state_id(to),
                None => {
                    let id = format!("{prefix}s{index}_unknown");
                    if !unknown_drawn {
                        dot.node(&id, &[("label", "?"), ("shape", "circle")]);
                        unknown_drawn = true;
                    }
                    id
                }
            };
            let label = format!(
                "{} / {}",
                pattern_head(&handler.pattern),
                t.outputs.join(" | ")
            );
            let from = Port::node(state_id(&t.from));
            dot.edge(&from, &Port::node(to), &[("label", &label)]);
        }
    }
    dot.close();
}

/// The constructor a handler pattern starts with (`Incr` for `Incr(n)`), or the pattern.
fn pattern_head(pattern: &str) -> String {
    pattern
        .split('(')
        .next()
        .unwrap_or(pattern)
        .rsplit('.')
        .next()
        .unwrap_or(pattern)
        .to_string()
}

fn draw_composed(dot: &mut Dot, c: &ComposedSketch, ids: &mut Ids, depth: usize) -> Ends {
    let prefix = ids.prefix();
    dot.open_cluster(
        &format!("{prefix}composite"),
        &format!("machine {}", c.name),
    );
    dot.set("style", "dashed");
    let ends = draw_parts(dot, &c.expr, ids, depth + 1);
    dot.close();
    ends
}

fn draw_parts(dot: &mut Dot, expr: &PartExpr, ids: &mut Ids, depth: usize) -> Ends {
    match expr {
        PartExpr::Part(sketch) => draw(dot, sketch, ids, depth + 1),
        PartExpr::Missing(name) => {
            let id = format!("{}missing", ids.prefix());
            let label = format!("{name}\n(not found)");
            dot.node(
                &id,
                &[("label", &label), ("shape", "box"), ("style", "dashed")],
            );
            Ends {
                entries: vec![(name.clone(), id.clone())],
                exits: vec![(name.clone(), id)],
            }
        }
        PartExpr::Binary { op, left, right } => {
            let left = draw_parts(dot, left, ids, depth + 1);
            let right = draw_parts(dot, right, ids, depth + 1);
            match op {
                ComposeOp::Then => wire_then(dot, left, right),
                _ => wire_beside(dot, *op, left, right, &ids.prefix()),
            }
        }
    }
}

/// `left >>> right`: each output of `left` goes to the handler of `right` for the same
/// variant (or to every handler of `right` when none is named like it).
fn wire_then(dot: &mut Dot, left: Ends, right: Ends) -> Ends {
    for (name, exit) in &left.exits {
        let matching: Vec<&String> = right
            .entries
            .iter()
            .filter(|(entry, _)| entry == name)
            .map(|(_, id)| id)
            .collect();
        let targets: Vec<&String> = if matching.is_empty() {
            right.entries.iter().map(|(_, id)| id).collect()
        } else {
            matching
        };
        for target in targets {
            let attrs = [("label", ">>>"), ("style", "bold"), ("color", "#333333")];
            dot.edge(
                &Port::node(exit.clone()),
                &Port::node(target.clone()),
                &attrs,
            );
        }
    }
    Ends {
        entries: left.entries,
        exits: right.exits,
    }
}

/// `***`, `&&&` and `|||`: a node splits the input between the parts and one joins their
/// outputs.
fn wire_beside(dot: &mut Dot, op: ComposeOp, left: Ends, right: Ends, prefix: &str) -> Ends {
    let (split_label, join_label, lanes) = match op {
        ComposeOp::Par => ("split (a, b)", "pair (a', b')", [".0", ".1"]),
        ComposeOp::Fanout => ("copy", "pair (a', b')", ["", ""]),
        _ => ("choose", "merge", ["Left", "Right"]),
    };
    let split = format!("{prefix}split");
    let join = format!("{prefix}join");
    let shape = [
        ("shape", "diamond"),
        ("style", "filled"),
        ("fillcolor", "#eeeeee"),
    ];
    dot.node(&split, &[&[("label", split_label)], &shape[..]].concat());
    dot.node(&join, &[&[("label", join_label)], &shape[..]].concat());
    for (ends, lane) in [(&left, lanes[0]), (&right, lanes[1])] {
        for (_, entry) in &ends.entries {
            let attrs = [("label", lane), ("style", "bold")];
            dot.edge(
                &Port::node(split.clone()),
                &Port::node(entry.clone()),
                &attrs,
            );
        }
        for (_, exit) in &ends.exits {
            let attrs = [("style", "bold")];
            dot.edge(&Port::node(exit.clone()), &Port::node(join.clone()), &attrs);
        }
    }
    Ends {
        entries: vec![(split_label.to_string(), split)],
        exits: vec![(join_label.to_string(), join)],
    }
}
