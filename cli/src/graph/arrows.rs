//! The `arrows` picture: a compiled step (`Artifact::step`) as a string diagram.
//!
//! Composition runs left to right; a fork is a black dot that copies its wire to each branch
//! and a tuple box that collects the results (`.0`, `.1`, ... on the wires in); `par` splits a
//! tuple into lanes the same way; a `case` is a switch box with one lane per arm, named by the
//! variant, whose lanes merge again at a small circle; projections, injections, constants,
//! primitives and calls are labelled boxes.
//! Wires carry the type of the value on them as a tooltip (in SVG), inferred with the
//! verifier's rules; a run of pure data plumbing (projections, forks, constants, injections) is
//! one grey box in tuple notation, `⟨.0.count, 1⟩`.
//!
//! Pictures of big programs are capped: past `node_max` boxes, what is left of a sequence or
//! of a fork's branches becomes one "… N combinators not drawn" box, and the title says that
//! the picture is truncated. It does not draw the bodies of called definitions, invariants or
//! migrations.

use super::dot::{Dot, Port, html};
use quiver_vm::bytecode::{Arrow, Artifact, Def};
use quiver_vm::types::{EnumType, Type, Variant};
use quiver_vm::value::Value;

/// How many boxes a picture has at most unless told otherwise.
pub const NODE_MAX_DEFAULT: usize = 300;

/// Nesting past which the picture stops descending (far deeper than compiled programs).
const DEPTH_MAX: usize = 200;

/// Labels longer than this many characters are cut with `…`.
const LABEL_CHARS_MAX: usize = 36;

/// The DOT of `artifact`'s step, with at most `node_max` boxes.
pub fn arrows_dot(artifact: &Artifact, node_max: usize) -> String {
    let mut pic = Picture {
        dot: Dot::digraph(&format!("{} step", artifact.name)),
        defs: &artifact.defs,
        next_id: 0,
        boxes: 0,
        node_max,
        hidden: 0,
    };
    pic.preamble();
    let input = Type::Tuple(vec![artifact.input.clone(), artifact.state.clone()]);
    let in_label = format!(
        "(input, state)\n{}\n{}",
        cut(&artifact.input.to_string()),
        cut(&artifact.state.to_string())
    );
    let out_label = format!(
        "(state, output)\n{}\n{}",
        cut(&artifact.state.to_string()),
        cut(&artifact.output.to_string())
    );
    pic.dot.node(
        "in",
        &[
            ("label", &in_label),
            ("shape", "cds"),
            ("style", "filled"),
            ("fillcolor", "#dce9f7"),
        ],
    );
    pic.dot.node(
        "out",
        &[
            ("label", &out_label),
            ("shape", "cds"),
            ("style", "filled"),
            ("fillcolor", "#dff2dc"),
        ],
    );
    let (piece, output) = pic.arrow(&artifact.step, Some(input.clone()), 0);
    pic.attach(
        Port::node("in"),
        piece,
        Port::node("out"),
        Some(&input),
        output.as_ref(),
    );
    let title = if pic.hidden > 0 {
        format!(
            "{}: the step, TRUNCATED: {} boxes drawn, {} combinators not drawn",
            artifact.name, pic.boxes, pic.hidden
        )
    } else {
        format!(
            "{}: the step (input, state) → (state, output)",
            artifact.name
        )
    };
    pic.dot.set("label", &title);
    pic.dot.finish()
}

/// What one arrow became: a plain wire (`id`), or a block entered and left at two ports.
enum Piece {
    Wire,
    Block { entry: Port, exit: Port },
}

struct Picture<'a> {
    dot: Dot,
    defs: &'a [Def],
    next_id: usize,
    /// Boxes drawn so far (the cap counts these).
    boxes: usize,
    node_max: usize,
    /// Combinators left out because of the cap.
    hidden: usize,
}

impl Picture<'_> {
    fn preamble(&mut self) {
        let graph = [
            ("rankdir", "LR"),
            ("fontname", "Helvetica"),
            ("labelloc", "t"),
            ("nodesep", "0.15"),
            ("ranksep", "0.3"),
        ];
        self.dot.defaults("graph", &graph);
        let node = [
            ("fontname", "Helvetica"),
            ("fontsize", "10"),
            ("shape", "box"),
            ("height", "0.3"),
        ];
        self.dot.defaults("node", &node);
        let edge = [
            ("fontname", "Helvetica"),
            ("fontsize", "8"),
            ("fontcolor", "#666666"),
            ("arrowsize", "0.6"),
        ];
        self.dot.defaults("edge", &edge);
    }

    fn id(&mut self, kind: &str) -> String {
        self.next_id += 1;
        format!("{kind}{}", self.next_id)
    }

    fn full(&self) -> bool {
        self.boxes >= self.node_max
    }

    /// A box (counted against the cap); returns its id.
    fn boxed(&mut self, kind: &str, attrs: &[(&str, &str)]) -> String {
        let id = self.id(kind);
        self.boxes += 1;
        self.dot.node(&id, attrs);
        id
    }

    fn block(id: String) -> Piece {
        Piece::Block {
            entry: Port::node(id.clone()),
            exit: Port::node(id),
        }
    }

    /// Wires `from` through `piece` to `to`, with the wires' types as tooltips.
    fn attach(
        &mut self,
        from: Port,
        piece: Piece,
        to: Port,
        ty_in: Option<&Type>,
        ty_out: Option<&Type>,
    ) {
        match piece {
            Piece::Wire => self.quiet_wire(&from, &to, ty_in, ""),
            Piece::Block { entry, exit } => {
                self.quiet_wire(&from, &entry, ty_in, "");
                self.quiet_wire(&exit, &to, ty_out, "");
            }
        }
    }

    /// A wire whose type shows only as a tooltip (most wires: labels everywhere crowd the
    /// picture), with an optional short label.
    fn quiet_wire(&mut self, from: &Port, to: &Port, ty: Option<&Type>, label: &str) {
        let tooltip = ty.map(ToString::to_string).unwrap_or_default();
        self.dot
            .edge(from, to, &[("label", label), ("tooltip", &tooltip)]);
    }

    /// Draws `arrow` on a wire of type `ty` (when known); returns the piece and output type.
    fn arrow(&mut self, arrow: &Arrow, ty: Option<Type>, depth: usize) -> (Piece, Option<Type>) {
        if self.full() || depth > DEPTH_MAX {
            return (self.elided(std::slice::from_ref(arrow)), None);
        }
        match arrow {
            Arrow::Id => (Piece::Wire, ty),
            Arrow::Seq(items) => self.seq(items, ty, depth),
            wiring if is_wiring(wiring, 0) => self.wiring(std::slice::from_ref(wiring), ty),
            Arrow::Fork(items) if items.is_empty() => {
                let id = self.boxed("drop", &[("label", "drop"), ("shape", "invtriangle")]);
                (Self::block(id), Some(Type::Unit))
            }
            Arrow::Fork(items) => self.fan(items, ty, depth, Fan::Fork),
            Arrow::Par(items) => self.fan(items, ty, depth, Fan::Par),
            Arrow::Case(arms) => self.case(arms, ty, depth),
            leaf => self.leaf(leaf, ty),
        }
    }

    /// One box for `arrows`, which the cap leaves out.
    fn elided(&mut self, arrows: &[Arrow]) -> Piece {
        let count: usize = arrows.iter().map(|a| count_arrows(a, 0)).sum();
        self.hidden += count;
        let id = self.id("more");
        let label = format!("… {count} combinators\nnot drawn");
        self.dot.node(
            &id,
            &[("label", &label), ("style", "dashed"), ("color", "#aa0000")],
        );
        Self::block(id)
    }

    fn seq(&mut self, items: &[Arrow], ty: Option<Type>, depth: usize) -> (Piece, Option<Type>) {
        let mut first: Option<Port> = None;
        let mut last: Option<(Port, Option<Type>)> = None;
        let mut ty = ty;
        let mut i = 0;
        while i < items.len() {
            let run = items[i..].iter().take_while(|a| is_wiring(a, 0)).count();
            let (piece, out) = if self.full() {
                let piece = self.elided(&items[i..]);
                i = items.len();
                (piece, None)
            } else if run >= 1 {
                let wiring = &items[i..i + run];
                i += run;
                self.wiring(wiring, ty.clone())
            } else {
                i += 1;
                self.arrow(&items[i - 1], ty.clone(), depth + 1)
            };
            if let Piece::Block { entry, exit } = piece {
                match &last {
                    Some((port, wire_ty)) => {
                        let wire_ty = wire_ty.clone();
                        self.quiet_wire(port, &entry, wire_ty.as_ref(), "");
                    }
                    None => first = Some(entry),
                }
                last = Some((exit, out.clone()));
            }
            ty = out;
        }
        match (first, last) {
            (Some(entry), Some((exit, _))) => (Piece::Block { entry, exit }, ty),
            _ => (Piece::Wire, ty),
        }
    }

    /// A fork (one input copied to each branch) or a par (a tuple split into lanes), whose
    /// results a tuple box collects.
    fn fan(
        &mut self,
        items: &[Arrow],
        ty: Option<Type>,
        depth: usize,
        fan: Fan,
    ) -> (Piece, Option<Type>) {
        let split = match fan {
            Fan::Fork => self.boxed(
                "copy",
                &[("label", ""), ("shape", "point"), ("width", "0.08")],
            ),
            Fan::Par => self.boxed(
                "split",
                &[("label", "split"), ("shape", "invhouse"), ("fontsize", "8")],
            ),
        };
        let join = self.boxed(
            "tuple",
            &[("label", "( )"), ("shape", "house"), ("fontsize", "8")],
        );
        let lanes = match (&fan, ty.as_ref().and_then(Type::components)) {
            (Fan::Par, Some(components)) => components.into_iter().map(Some).collect(),
            (Fan::Par, None) => vec![None; items.len()],
            (Fan::Fork, _) => vec![ty.clone(); items.len()],
        };
        let mut outputs = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            if self.full() {
                let piece = self.elided(&items[index..]);
                self.attach(
                    Port::node(split.clone()),
                    piece,
                    Port::node(join.clone()),
                    None,
                    None,
                );
                outputs.clear();
                break;
            }
            let lane_ty = lanes.get(index).cloned().flatten();
            let (piece, out) = self.arrow(item, lane_ty.clone(), depth + 1);
            let lane = format!(".{index}");
            self.lane(
                &split,
                piece,
                &join,
                &lane,
                (lane_ty.as_ref(), out.as_ref()),
                matches!(fan, Fan::Par),
            );
            outputs.push(out);
        }
        let ty_out = if outputs.len() == items.len() {
            outputs
                .into_iter()
                .collect::<Option<Vec<Type>>>()
                .map(Type::Tuple)
        } else {
            None
        };
        (
            Piece::Block {
                entry: Port::node(split),
                exit: Port::node(join),
            },
            ty_out,
        )
    }

    /// One lane of a fan: split -> piece -> join, numbered where it enters the tuple (and,
    /// for a par, where it leaves the split).
    fn lane(
        &mut self,
        split: &str,
        piece: Piece,
        join: &str,
        lane: &str,
        types: (Option<&Type>, Option<&Type>),
        numbered_out: bool,
    ) {
        let (ty_in, ty_out) = types;
        let (split, join) = (Port::node(split), Port::node(join));
        match piece {
            Piece::Wire => self.quiet_wire(&split, &join, ty_in, lane),
            Piece::Block { entry, exit } => {
                let first = if numbered_out { lane } else { "" };
                self.quiet_wire(&split, &entry, ty_in, first);
                self.quiet_wire(&exit, &join, ty_out, lane);
            }
        }
    }

    /// A switch box with one lane per arm, merging at a small circle.
    fn case(&mut self, arms: &[Arrow], ty: Option<Type>, depth: usize) -> (Piece, Option<Type>) {
        let cases = ty.as_ref().and_then(Type::cases);
        let names = ty.as_ref().map(case_names).unwrap_or_default();
        let switch = self.id("case");
        self.boxes += 1;
        let mut rows = String::new();
        for index in 0..arms.len() {
            let name = names
                .get(index)
                .cloned()
                .unwrap_or_else(|| index.to_string());
            rows += &format!(
                "<TR><TD PORT=\"a{index}\" BGCOLOR=\"#f3e3f5\">{}</TD></TR>",
                html(&name)
            );
        }
        let markup = format!(
            "<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\"><TR><TD BGCOLOR=\"#b07cc6\"><B>case</B></TD></TR>{rows}</TABLE>"
        );
        self.dot
            .html_node(&switch, &markup, &[("shape", "plaintext")]);
        let merge = self.boxed(
            "merge",
            &[("label", ""), ("shape", "circle"), ("width", "0.12")],
        );
        let mut out_ty = None;
        for (index, arm) in arms.iter().enumerate() {
            let port = Port::at(switch.clone(), format!("a{index}"));
            if self.full() {
                let piece = self.elided(&arms[index..]);
                self.attach(port, piece, Port::node(merge.clone()), None, None);
                break;
            }
            let arm_ty = cases.as_ref().and_then(|c| c.get(index).cloned());
            let (piece, out) = self.arrow(arm, arm_ty.clone(), depth + 1);
            self.attach(
                port,
                piece,
                Port::node(merge.clone()),
                arm_ty.as_ref(),
                out.as_ref(),
            );
            out_ty = out_ty.or(out);
        }
        let entry = Port::node(switch);
        (
            Piece::Block {
                entry,
                exit: Port::node(merge),
            },
            out_ty,
        )
    }

    /// Arrows that only move, copy and build data (projections, forks, pars, constants,
    /// injections) as one box labelled in tuple notation, `⟨.0.count, 1⟩`; the full text is
    /// its tooltip.
    fn wiring(&mut self, items: &[Arrow], ty: Option<Type>) -> (Piece, Option<Type>) {
        let mut texts = Vec::new();
        let mut ty = ty;
        for item in items {
            let (text, out) = wiring_text(item, ty.as_ref(), self.defs, 0);
            if text != "id" {
                texts.push(text);
            }
            ty = out;
        }
        if texts.is_empty() {
            return (Piece::Wire, ty);
        }
        let full = texts.join(" >>> ").replace(" >>> .", ".");
        let attrs = [
            ("label", cut(&full)),
            ("tooltip", full.clone()),
            ("style", "rounded".into()),
            ("color", "#888888".into()),
            ("fontsize", "9".into()),
        ];
        let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let id = self.boxed("wiring", &attrs);
        (Self::block(id), ty)
    }

    fn leaf(&mut self, arrow: &Arrow, ty: Option<Type>) -> (Piece, Option<Type>) {
        let out = match arrow {
            Arrow::Distl => ty.as_ref().and_then(named_distl),
            _ => ty
                .as_ref()
                .and_then(|t| quiver_vm::verify::infer(self.defs, arrow, t).ok()),
        };
        let label = leaf_label(arrow, ty.as_ref(), self.defs);
        let style: &[(&str, &str)] = match arrow {
            Arrow::Prim(..) => &[("style", "filled,bold"), ("fillcolor", "#fff4c2")],
            Arrow::Call(_) => &[
                ("peripheries", "2"),
                ("style", "filled"),
                ("fillcolor", "#dce9f7"),
            ],
            Arrow::Const(..) => &[("style", "filled"), ("fillcolor", "#eeeeee")],
            Arrow::Inj { .. } => &[
                ("shape", "cds"),
                ("style", "filled"),
                ("fillcolor", "#dff2dc"),
            ],
            Arrow::Distl => &[
                ("shape", "trapezium"),
                ("style", "filled"),
                ("fillcolor", "#f3e3f5"),
            ],
            _ => &[("style", "rounded")],
        };
        let mut attrs: Vec<(&str, &str)> = vec![("label", &label)];
        attrs.extend_from_slice(style);
        let id = self.boxed("op", &attrs);
        (Self::block(id), out)
    }
}

enum Fan {
    Fork,
    Par,
}

fn leaf_label(arrow: &Arrow, ty: Option<&Type>, defs: &[Def]) -> String {
    match arrow {
        Arrow::Proj(index) => proj_label(*index, ty),
        Arrow::Inj { sum, tag } => {
            let names = case_names(sum);
            let tag_index = usize::try_from(*tag).unwrap_or(usize::MAX);
            names
                .get(tag_index)
                .cloned()
                .unwrap_or_else(|| format!("inj {tag}"))
        }
        Arrow::Const(ty, lit) => cut(&quiver_vm::text::print(&Value::from_lit(lit), ty)),
        Arrow::Prim(prim, _) => prim.name().to_string(),
        Arrow::Call(index) => {
            let def = usize::try_from(*index).ok().and_then(|i| defs.get(i));
            match def {
                Some(def) => format!("call {}", def.name),
                None => format!("call {index}"),
            }
        }
        Arrow::Distl => "distl".into(),
        Arrow::Id => "id".into(),
        Arrow::Seq(_) | Arrow::Fork(_) | Arrow::Par(_) | Arrow::Case(_) => "…".into(),
    }
}

/// Whether an arrow only moves, copies and builds data: no case, distl, primitive or call.
fn is_wiring(arrow: &Arrow, depth: usize) -> bool {
    if depth > DEPTH_MAX {
        return false;
    }
    match arrow {
        Arrow::Id | Arrow::Proj(_) | Arrow::Const(..) | Arrow::Inj { .. } => true,
        Arrow::Seq(items) | Arrow::Fork(items) | Arrow::Par(items) => {
            items.iter().all(|a| is_wiring(a, depth + 1))
        }
        Arrow::Case(_) | Arrow::Distl | Arrow::Prim(..) | Arrow::Call(_) => false,
    }
}

/// A wiring arrow in tuple notation, with its output type when known.
fn wiring_text(
    arrow: &Arrow,
    ty: Option<&Type>,
    defs: &[Def],
    depth: usize,
) -> (String, Option<Type>) {
    let infer = |a: &Arrow| ty.and_then(|t| quiver_vm::verify::infer(defs, a, t).ok());
    if depth > DEPTH_MAX {
        return ("…".into(), infer(arrow));
    }
    match arrow {
        Arrow::Seq(items) => {
            let mut ty = ty.cloned();
            let mut texts = Vec::new();
            for item in items {
                let (text, out) = wiring_text(item, ty.as_ref(), defs, depth + 1);
                if text != "id" {
                    texts.push(text);
                }
                ty = out;
            }
            let text = if texts.is_empty() {
                "id".to_string()
            } else {
                texts.join(" >>> ").replace(" >>> .", ".")
            };
            (text, ty)
        }
        Arrow::Fork(items) => {
            let parts: Vec<(String, Option<Type>)> = items
                .iter()
                .map(|a| wiring_text(a, ty, defs, depth + 1))
                .collect();
            let texts: Vec<&str> = parts.iter().map(|(t, _)| t.as_str()).collect();
            let out = parts
                .iter()
                .map(|(_, t)| t.clone())
                .collect::<Option<Vec<Type>>>();
            let out = if items.is_empty() {
                Some(Type::Unit)
            } else {
                out.map(Type::Tuple)
            };
            (format!("⟨{}⟩", texts.join(", ")), out)
        }
        Arrow::Par(items) => {
            let lanes = ty.and_then(Type::components).unwrap_or_default();
            let parts: Vec<(String, Option<Type>)> = items
                .iter()
                .enumerate()
                .map(|(i, a)| wiring_text(a, lanes.get(i), defs, depth + 1))
                .collect();
            let texts: Vec<&str> = parts.iter().map(|(t, _)| t.as_str()).collect();
            let out = parts
                .iter()
                .map(|(_, t)| t.clone())
                .collect::<Option<Vec<Type>>>();
            (format!("({})", texts.join(" *** ")), out.map(Type::Tuple))
        }
        leaf => (leaf_label(leaf, ty, defs), infer(leaf)),
    }
}

/// `.name` for a record field, `.index` otherwise.
fn proj_label(index: u32, ty: Option<&Type>) -> String {
    if let Some(Type::Record(fields)) = ty
        && let Some(field) = usize::try_from(index).ok().and_then(|i| fields.get(i))
    {
        return format!(".{}", field.name);
    }
    format!(".{index}")
}

/// The names of a sum's cases, in tag order.
fn case_names(ty: &Type) -> Vec<String> {
    match ty {
        Type::Bool => vec!["false".into(), "true".into()],
        Type::Option(_) => vec!["None".into(), "Some".into()],
        Type::Enum(e) => e.variants.iter().map(|v| v.name.clone()).collect(),
        Type::Sum(cases) => (0..cases.len()).map(|i| i.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// The type `distl` gives on `(env, sum)`, as an enum that keeps the sum's case names (so the
/// `case` after it can name its lanes). It has the same shape as the verifier's anonymous sum,
/// which is all the verifier compares.
fn named_distl(ty: &Type) -> Option<Type> {
    let components = ty.components()?;
    let [env, sum] = components.as_slice() else {
        return None;
    };
    let cases = sum.cases()?;
    let names = case_names(sum);
    let variants = cases
        .into_iter()
        .zip(names)
        .map(|(payload, name)| Variant {
            name,
            fields: vec![env.clone(), payload],
        })
        .collect();
    Some(Type::Enum(EnumType {
        name: format!("(env, {sum})"),
        variants,
    }))
}

/// The number of combinators in an arrow (bounded by [`DEPTH_MAX`] levels).
fn count_arrows(arrow: &Arrow, depth: usize) -> usize {
    if depth > DEPTH_MAX {
        return 1;
    }
    1 + match arrow {
        Arrow::Seq(items) | Arrow::Fork(items) | Arrow::Par(items) | Arrow::Case(items) => {
            items.iter().map(|a| count_arrows(a, depth + 1)).sum()
        }
        _ => 0,
    }
}

/// `text` cut to [`LABEL_CHARS_MAX`] characters.
fn cut(text: &str) -> String {
    if text.chars().count() <= LABEL_CHARS_MAX {
        return text.to_string();
    }
    let mut out: String = text.chars().take(LABEL_CHARS_MAX - 1).collect();
    out.push('…');
    out
}
