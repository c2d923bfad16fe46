//! Human-readable listings of arrows and artifacts: what `quiver compile --emit comb` and
//! `--emit bytecode` print and golden tests snapshot.
//!
//! [`comb`] writes an arrow in combinator notation (`(proj1 &&& const 1) >>> add`), on one
//! line when it fits in [`WIDTH`] columns and broken over indented lines otherwise.
//! [`disassemble`] lists a whole artifact. Both are deterministic and depend on nothing but
//! their arguments. They print unverified artifacts too, so they never assume well-typedness.
//! This module does not parse listings back.

use super::encode::{encode, table_sizes};
use super::{Arrow, Artifact, DebugInfo, FORMAT_VERSION, Site};
use crate::hash::hash;
use crate::text;
use crate::types::{EnumType, Type};
use crate::value::Value;
use std::fmt::Write;

/// The width listings aim to fit in.
pub const WIDTH: usize = 100;

/// Arrows nested deeper than this print as `...` (decoded artifacts are far shallower).
const DEPTH_MAX: usize = 512;

/// An arrow in combinator notation, laid out to fit [`WIDTH`] columns where it can.
pub fn comb(arrow: &Arrow) -> String {
    let mut out = String::new();
    layout(&mut out, arrow, Ctx::Top, 0, 0, 0);
    out
}

/// Where an arrow appears, which decides whether it needs parentheses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// On its own, or as an arm of a `case`.
    Top,
    /// An operand of `>>>`.
    Seq,
    /// An operand of `&&&` or `***`.
    Fork,
}

fn needs_parens(arrow: &Arrow, ctx: Ctx) -> bool {
    match arrow {
        Arrow::Seq(items) if items.len() >= 2 => ctx == Ctx::Fork,
        Arrow::Seq(items) => items.first().is_some_and(|only| needs_parens(only, ctx)),
        Arrow::Fork(items) | Arrow::Par(items) => items.len() >= 2 && ctx != Ctx::Top,
        Arrow::Inj { .. } => ctx == Ctx::Fork,
        _ => false,
    }
}

/// The arrow on one line, or `None` if that would be longer than `room` columns.
fn flat(arrow: &Arrow, ctx: Ctx, room: usize, depth: usize) -> Option<String> {
    let mut out = String::new();
    let parens = needs_parens(arrow, ctx);
    if parens {
        out.push('(');
    }
    if depth > DEPTH_MAX {
        out.push_str("...");
    } else {
        flat_inner(&mut out, arrow, room, depth)?;
    }
    if parens {
        out.push(')');
    }
    (out.chars().count() <= room).then_some(out)
}

fn flat_inner(out: &mut String, arrow: &Arrow, room: usize, depth: usize) -> Option<()> {
    match arrow {
        Arrow::Seq(items) if items.is_empty() => out.push_str("id"),
        Arrow::Seq(items) if items.len() == 1 => flat_join(out, items, "", Ctx::Top, room, depth)?,
        Arrow::Seq(items) => flat_join(out, items, " >>> ", Ctx::Seq, room, depth)?,
        Arrow::Fork(items) if items.len() >= 2 => {
            flat_join(out, items, " &&& ", Ctx::Fork, room, depth)?;
        }
        Arrow::Par(items) if items.len() >= 2 => {
            flat_join(out, items, " *** ", Ctx::Fork, room, depth)?;
        }
        Arrow::Fork(items) | Arrow::Par(items) | Arrow::Case(items) => {
            out.push_str(bracket_name(arrow));
            out.push('[');
            flat_join(out, items, ", ", Ctx::Top, room, depth)?;
            out.push(']');
        }
        leaf => out.push_str(&leaf_text(leaf)),
    }
    Some(())
}

/// The items on one line separated by `sep`, giving up once past `room` columns.
fn flat_join(
    out: &mut String,
    items: &[Arrow],
    sep: &str,
    ctx: Ctx,
    room: usize,
    depth: usize,
) -> Option<()> {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        let left = room.checked_sub(out.chars().count())?;
        out.push_str(&flat(item, ctx, left, depth + 1)?);
    }
    Some(())
}

fn bracket_name(arrow: &Arrow) -> &'static str {
    match arrow {
        Arrow::Fork(_) => "fork",
        Arrow::Par(_) => "par",
        _ => "case",
    }
}

/// An arrow with no arrow children.
fn leaf_text(arrow: &Arrow) -> String {
    match arrow {
        Arrow::Id => "id".into(),
        Arrow::Proj(i) => format!("proj{i}"),
        Arrow::Inj { sum, tag } => format!("inj {tag} : {sum}"),
        Arrow::Distl => "distl".into(),
        Arrow::Const(ty, lit) => format!("const {}", text::print(&Value::from_lit(lit), ty)),
        Arrow::Prim(prim, _) => prim.name().into(),
        Arrow::Call(k) => format!("call {k}"),
        Arrow::Seq(_) | Arrow::Fork(_) | Arrow::Par(_) | Arrow::Case(_) => "...".into(),
    }
}

/// Writes `arrow` starting at column `column` (the cursor is already there), with any further
/// lines indented by `indent` spaces; `depth` counts enclosing arrows, to bound recursion.
fn layout(out: &mut String, arrow: &Arrow, ctx: Ctx, column: usize, indent: usize, depth: usize) {
    let room = WIDTH.saturating_sub(column);
    if let Some(line) = flat(arrow, ctx, room, depth) {
        out.push_str(&line);
        return;
    }
    if depth > DEPTH_MAX {
        out.push_str("...");
        return;
    }
    if needs_parens(arrow, ctx) {
        out.push('(');
        newline(out, indent + 4);
        layout(out, arrow, Ctx::Top, indent + 4, indent + 4, depth);
        newline(out, indent);
        out.push(')');
        return;
    }
    match arrow {
        Arrow::Seq(items) if items.len() >= 2 => {
            broken(out, items, ">>> ", Ctx::Seq, column, indent, depth);
        }
        Arrow::Seq(items) => {
            if let Some(only) = items.first() {
                layout(out, only, ctx, column, indent, depth + 1);
            }
        }
        Arrow::Fork(items) if items.len() >= 2 => {
            broken(out, items, "&&& ", Ctx::Fork, column, indent, depth);
        }
        Arrow::Par(items) if items.len() >= 2 => {
            broken(out, items, "*** ", Ctx::Fork, column, indent, depth);
        }
        Arrow::Fork(items) | Arrow::Par(items) | Arrow::Case(items) => {
            out.push_str(bracket_name(arrow));
            out.push('[');
            for item in items {
                newline(out, indent + 4);
                layout(out, item, Ctx::Top, indent + 4, indent + 4, depth + 1);
                out.push(',');
            }
            newline(out, indent);
            out.push(']');
        }
        leaf => out.push_str(&leaf_text(leaf)),
    }
}

/// `f0` then `op f1`, `op f2`, ... each on its own line at `indent`.
fn broken(
    out: &mut String,
    items: &[Arrow],
    op: &str,
    ctx: Ctx,
    column: usize,
    indent: usize,
    depth: usize,
) {
    for (i, item) in items.iter().enumerate() {
        if i == 0 {
            layout(out, item, ctx, column, indent, depth + 1);
        } else {
            newline(out, indent);
            out.push_str(op);
            // Continuation lines of the operand (a bracket's arms, a parenthesised term)
            // indent from this line's start, not from after the operator.
            layout(out, item, ctx, indent + op.len(), indent, depth + 1);
        }
    }
}

fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A listing of the whole artifact: header, types, table sizes, definitions, step,
/// invariants, migrations and (with a sidecar) the sites table.
pub fn disassemble(artifact: &Artifact, debug: Option<&DebugInfo>) -> String {
    let mut out = String::new();
    write_header(&mut out, artifact, debug);
    for (index, def) in artifact.defs.iter().enumerate() {
        let title = format!("def {index} {} : {} -> {}", def.name, def.input, def.output);
        write_section(&mut out, &title, &def.body);
    }
    let step_type = format!(
        "({}, {}) -> ({}, {})",
        artifact.input, artifact.state, artifact.state, artifact.output
    );
    write_section(&mut out, &format!("step : {step_type}"), &artifact.step);
    for (index, invariant) in artifact.invariants.iter().enumerate() {
        let title = format!(
            "invariant {index} ({})",
            describe_site(invariant.site, debug)
        );
        write_section(&mut out, &title, &invariant.body);
    }
    if let Some(m) = &artifact.migrate_up {
        write_section(&mut out, &format!("migrate up from {}", m.other), &m.body);
    }
    if let Some(m) = &artifact.migrate_down {
        write_section(&mut out, &format!("migrate down to {}", m.other), &m.body);
    }
    if let Some(debug) = debug {
        write_sites(&mut out, debug);
    }
    out
}

fn write_header(out: &mut String, artifact: &Artifact, debug: Option<&DebugInfo>) {
    let sizes = table_sizes(artifact);
    let bytes = encode(artifact, debug).len();
    let init = text::print(&Value::from_lit(&artifact.init), &artifact.state);
    let lines = [
        format!("artifact {}", artifact.name),
        format!("format   version {FORMAT_VERSION}"),
        format!("hash     {}", hash(artifact)),
        format!(
            "encoded  {bytes} bytes; tables: {} types, {} constants, {} arrows",
            sizes.types, sizes.lits, sizes.arrows
        ),
        format!("state    {}", artifact.state),
        format!("input    {}", artifact.input),
        format!("output   {}", artifact.output),
        format!("init     {init}"),
    ];
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
    let roots = [&artifact.state, &artifact.input, &artifact.output];
    for e in enums_in(&roots) {
        out.push_str(&e.definition());
        out.push('\n');
    }
}

/// The enums that the header types mention, each once, in first-occurrence order.
fn enums_in<'a>(roots: &[&'a Type]) -> Vec<&'a EnumType> {
    let mut found: Vec<&EnumType> = Vec::new();
    let mut stack: Vec<&Type> = roots.iter().rev().copied().collect();
    while let Some(ty) = stack.pop() {
        let children: Vec<&Type> = match ty {
            Type::Unit | Type::Bool | Type::Int | Type::String => Vec::new(),
            Type::Tuple(items) | Type::Sum(items) => items.iter().collect(),
            Type::Record(fields) => fields.iter().map(|f| &f.ty).collect(),
            Type::Enum(e) => {
                if !found.iter().any(|seen| seen.name == e.name) {
                    found.push(e);
                }
                e.variants.iter().flat_map(|v| &v.fields).collect()
            }
            Type::Option(inner) | Type::List(inner) => vec![&**inner],
            Type::Map(k, v) => vec![&**k, &**v],
        };
        stack.extend(children.into_iter().rev());
    }
    found
}

fn write_section(out: &mut String, title: &str, body: &Arrow) {
    out.push('\n');
    out.push_str(title);
    out.push_str("\n    ");
    layout(out, body, Ctx::Top, 4, 4, 0);
    out.push('\n');
}

fn describe_site(site: Site, debug: Option<&DebugInfo>) -> String {
    if site == Site::NONE {
        return "no site".into();
    }
    match debug.and_then(|d| d.site(site)) {
        Some(info) => format!(
            "site {}: {} at {}..{}",
            site.0, info.what, info.start, info.end
        ),
        None => format!("site {}", site.0),
    }
}

fn write_sites(out: &mut String, debug: &DebugInfo) {
    write!(out, "\nsites of {}\n", debug.source_name).expect("writing to a String cannot fail");
    for (index, info) in debug.sites.iter().enumerate() {
        let range = format!("{}..{}", info.start, info.end);
        writeln!(out, "    {index:>4}  {range:<12} {}", info.what)
            .expect("writing to a String cannot fail");
    }
}
