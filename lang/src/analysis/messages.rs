//! Names as a sketch shows them: a machine's input and output variants (inline, or through a
//! named enum, or through another machine's `M.Input`/`M.Output`), the variants of an
//! enum-valued state field, and types and patterns printed back as written.
//!
//! It resolves only names declared in the same file; anything else (a record type, `Int`) is
//! one message named by its type. It reports nothing: the checker already has.

use super::{DEPTH_MAX, FieldSketch, MessageSketch};
use crate::ast::{self, MessageDecl, Pattern, TypeExpr};

/// The messages of an `input` or `output` declaration.
pub fn resolve(file: &ast::File, decl: &MessageDecl, depth: usize) -> Vec<MessageSketch> {
    match decl {
        MessageDecl::Variants(variants, _) => variants.iter().map(variant).collect(),
        MessageDecl::Type(ty) => enum_variants(file, ty, depth).unwrap_or_else(|| {
            vec![MessageSketch {
                name: type_text(ty),
                fields: Vec::new(),
            }]
        }),
    }
}

/// A state field with, when its type is an enum of this file, the enum's variants.
pub fn field(file: &ast::File, decl: &ast::StateField) -> FieldSketch {
    let states: Option<Vec<String>> = enum_variants(file, &decl.ty, 0)
        .map(|variants| variants.into_iter().map(|v| v.name).collect());
    let initial = states.as_ref().and_then(|names| {
        let written = match &decl.init.kind {
            ast::ExprKind::Path(path) => path.segments.last(),
            ast::ExprKind::Call { callee, .. } => callee.segments.last(),
            _ => None,
        }?;
        names.iter().find(|n| **n == written.name).cloned()
    });
    FieldSketch {
        name: decl.name.name.clone(),
        ty: type_text(&decl.ty),
        states,
        initial,
    }
}

/// The variants of `ty` when it names an enum of this file or a machine's message type.
fn enum_variants(file: &ast::File, ty: &TypeExpr, depth: usize) -> Option<Vec<MessageSketch>> {
    let TypeExpr::Named { path, args, .. } = ty else {
        return None;
    };
    if !args.is_empty() || depth > DEPTH_MAX {
        return None;
    }
    match path.segments.as_slice() {
        [name] => file.items.iter().find_map(|item| match item {
            ast::Item::Enum(e) if e.name.name == name.name => {
                Some(e.variants.iter().map(variant).collect())
            }
            _ => None,
        }),
        [machine, which] => file.items.iter().find_map(|item| match item {
            ast::Item::Machine(m) if m.name.name == machine.name => match which.name.as_str() {
                "Input" => Some(resolve(file, &m.input, depth + 1)),
                "Output" => Some(resolve(file, &m.output, depth + 1)),
                _ => None,
            },
            _ => None,
        }),
        _ => None,
    }
}

fn variant(decl: &ast::VariantDecl) -> MessageSketch {
    MessageSketch {
        name: decl.name.name.clone(),
        fields: decl.fields.iter().map(type_text).collect(),
    }
}

/// A path as written, `Map.insert`.
pub fn path_text(path: &ast::Path) -> String {
    let names: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
    names.join(".")
}

/// A type as written (normalised spacing).
pub fn type_text(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Named { path, args, .. } if args.is_empty() => path_text(path),
        TypeExpr::Named { path, args, .. } => {
            let args: Vec<String> = args.iter().map(type_text).collect();
            format!("{}<{}>", path_text(path), args.join(", "))
        }
        TypeExpr::Tuple(items, _) if items.is_empty() => "()".into(),
        TypeExpr::Tuple(items, _) => {
            let items: Vec<String> = items.iter().map(type_text).collect();
            format!("({})", items.join(", "))
        }
        TypeExpr::Record(fields, _) if fields.is_empty() => "{}".into(),
        TypeExpr::Record(fields, _) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(name, ty)| format!("{}: {}", name.name, type_text(ty)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        TypeExpr::Error(_) => "?".into(),
    }
}

/// A pattern as written (normalised spacing).
pub fn pattern_text(pattern: &Pattern) -> String {
    match pattern {
        Pattern::Wildcard(_) => "_".into(),
        Pattern::Bind(ident) => ident.name.clone(),
        Pattern::Ctor { path, args, .. } if args.is_empty() => path_text(path),
        Pattern::Ctor { path, args, .. } => {
            let args: Vec<String> = args.iter().map(pattern_text).collect();
            format!("{}({})", path_text(path), args.join(", "))
        }
        Pattern::Int(n, _) => n.to_string(),
        Pattern::Str(s, _) => format!("{s:?}"),
        Pattern::Bool(b, _) => b.to_string(),
        Pattern::Tuple(items, _) => {
            let items: Vec<String> = items.iter().map(pattern_text).collect();
            format!("({})", items.join(", "))
        }
        Pattern::Error(_) => "?".into(),
    }
}

/// The variables a pattern binds.
pub fn bound_names(pattern: &Pattern, out: &mut Vec<String>) {
    match pattern {
        Pattern::Bind(ident) => out.push(ident.name.clone()),
        Pattern::Ctor { args: items, .. } | Pattern::Tuple(items, _) => {
            for item in items {
                bound_names(item, out);
            }
        }
        _ => {}
    }
}
