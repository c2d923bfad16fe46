//! Resolving types: `ast::TypeExpr`s and the type declarations of a file (`type` aliases,
//! `enum`s, and the `Name.Input` / `Name.Output` enums of machines' inline message lists).
//!
//! Declarations are order-independent: every named type is resolved on first use, and a name
//! met again while it is being resolved is a cycle (an alias of itself, or a type containing
//! itself: types are finite trees). Resolved types keep their names (`Type::Enum` is
//! nominal); aliases disappear. This module does not check expressions.

use super::{error_type, path_text};
use crate::ast;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::span::Span;
use quiver_vm::types::{EnumType, Field, Type, Variant};
use std::collections::BTreeMap;

/// A named type as declared, before resolution.
#[derive(Clone, Debug)]
enum Decl {
    Alias(ast::TypeExpr),
    Enum(Vec<ast::VariantDecl>),
}

/// Every named type of a file, resolved on demand.
#[derive(Debug, Default)]
pub(crate) struct TypeTable {
    decls: BTreeMap<String, (Decl, Span)>,
    resolved: BTreeMap<String, Type>,
    /// Names being resolved, outermost first.
    in_progress: Vec<String>,
    /// Names already reported as part of a cycle.
    in_cycle: Vec<String>,
    /// Declared enums in declaration order (for constructor lookup).
    pub declared_enums: Vec<String>,
    /// Machine names with their inline message enums (`Name.Input`, `Name.Output`).
    pub machines: Vec<String>,
    depth: u32,
}

/// The most nodes a named type may have once aliases and enums are expanded: expansion can
/// grow exponentially (`type A = (B, B)`, `type B = (C, C)`, ...).
const TYPE_SIZE_MAX: usize = 10_000;

const BUILTINS: &[&str] = &["Int", "Bool", "String", "Unit", "List", "Map", "Option"];

impl TypeTable {
    /// Collects the declarations of a file, reporting duplicate type names, and resolves them.
    pub(crate) fn build(file: &ast::File, diags: &mut Vec<Diagnostic>) -> TypeTable {
        let mut table = TypeTable::default();
        for item in &file.items {
            match item {
                ast::Item::Type(decl) => {
                    table.declare(&decl.name, Decl::Alias(decl.ty.clone()), diags);
                }
                ast::Item::Enum(decl) => {
                    if table.declare(&decl.name, Decl::Enum(decl.variants.clone()), diags) {
                        table.declared_enums.push(decl.name.name.clone());
                    }
                }
                ast::Item::Machine(_) | ast::Item::Fn(_) | ast::Item::Compose(_) => {}
            }
        }
        for item in &file.items {
            if let ast::Item::Machine(m) = item {
                table.declare_machine(m, diags);
            }
        }
        let names: Vec<String> = table.decls.keys().cloned().collect();
        for name in names {
            let span = table.decls.get(&name).map(|d| d.1).unwrap_or_default();
            table.resolve_named(&name, span, diags);
        }
        table
    }

    fn declare_machine(&mut self, m: &ast::MachineDecl, diags: &mut Vec<Diagnostic>) {
        self.machines.push(m.name.name.clone());
        for (suffix, message) in [("Input", &m.input), ("Output", &m.output)] {
            if let Some((variants, span)) = self.inline_variants(message) {
                let ident = ast::Ident {
                    name: format!("{}.{suffix}", m.name.name),
                    span,
                };
                self.declare(&ident, Decl::Enum(variants), diags);
            }
        }
    }

    /// The variants of an inline message list. A lone name that is no type (`input Go`) is a
    /// list of one constant variant; a lone name that is a type is that type.
    pub(crate) fn inline_variants(
        &self,
        message: &ast::MessageDecl,
    ) -> Option<(Vec<ast::VariantDecl>, Span)> {
        match message {
            ast::MessageDecl::Variants(variants, span) => Some((variants.clone(), *span)),
            ast::MessageDecl::Type(ast::TypeExpr::Named { path, args, span }) => {
                let [only] = path.segments.as_slice() else {
                    return None;
                };
                let is_type =
                    BUILTINS.contains(&only.name.as_str()) || self.decls.contains_key(&only.name);
                if is_type || !args.is_empty() {
                    return None;
                }
                let variant = ast::VariantDecl {
                    name: only.clone(),
                    fields: Vec::new(),
                    span: *span,
                };
                Some((vec![variant], *span))
            }
            ast::MessageDecl::Type(_) => None,
        }
    }

    fn declare(&mut self, name: &ast::Ident, decl: Decl, diags: &mut Vec<Diagnostic>) -> bool {
        if BUILTINS.contains(&name.name.as_str()) {
            diags.push(
                Diagnostic::new(
                    "E0203",
                    format!("`{}` is a built-in type and cannot be redefined", name.name),
                    name.span,
                    "declared here",
                )
                .with_help("choose another name for this type"),
            );
            return false;
        }
        if let Some((_, first)) = self.decls.get(&name.name) {
            diags.push(
                Diagnostic::new(
                    "E0203",
                    format!("the type `{}` is defined twice", name.name),
                    name.span,
                    "defined again here",
                )
                .with_label(*first, "first defined here")
                .with_help("rename or remove one of the definitions"),
            );
            return false;
        }
        self.decls.insert(name.name.clone(), (decl, name.span));
        true
    }

    /// The resolved enum named `name` (`Light`, `Counter.Output`), if there is one.
    pub(crate) fn enum_named(&self, name: &str) -> Option<&EnumType> {
        match self.resolved.get(name) {
            Some(Type::Enum(e)) if e.name == name => Some(e),
            _ => None,
        }
    }

    /// The names of every enum, for "did you mean".
    pub(crate) fn enum_names(&self) -> Vec<String> {
        self.decls
            .iter()
            .filter(|(_, (d, _))| matches!(d, Decl::Enum(_)))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Resolves a type expression.
    pub(crate) fn resolve(&mut self, ty: &ast::TypeExpr, diags: &mut Vec<Diagnostic>) -> Type {
        if self.depth >= super::NESTING_MAX {
            diags.push(
                Diagnostic::new("E0320", "this type nests too deeply", span_of(ty), "here")
                    .with_help("name parts of it with `type` declarations"),
            );
            return error_type();
        }
        self.depth += 1;
        let result = self.resolve_inner(ty, diags);
        self.depth -= 1;
        result
    }

    fn resolve_inner(&mut self, ty: &ast::TypeExpr, diags: &mut Vec<Diagnostic>) -> Type {
        match ty {
            ast::TypeExpr::Named { path, args, span } => {
                self.resolve_path(path, args, *span, diags)
            }
            ast::TypeExpr::Tuple(items, _) => match items.as_slice() {
                [] => Type::Unit,
                [one] => self.resolve(one, diags),
                many => Type::Tuple(many.iter().map(|t| self.resolve(t, diags)).collect()),
            },
            ast::TypeExpr::Record(fields, _) => {
                let mut out: Vec<Field> = Vec::new();
                for (name, field_ty) in fields {
                    let ty = self.resolve(field_ty, diags);
                    if out.iter().any(|f| f.name == name.name) {
                        diags.push(duplicate_field(name));
                        continue;
                    }
                    out.push(Field {
                        name: name.name.clone(),
                        ty,
                    });
                }
                Type::Record(out)
            }
            ast::TypeExpr::Error(_) => error_type(),
        }
    }

    fn resolve_path(
        &mut self,
        path: &ast::Path,
        args: &[ast::TypeExpr],
        span: Span,
        diags: &mut Vec<Diagnostic>,
    ) -> Type {
        let name = path_text(path);
        let resolved: Vec<Type> = args.iter().map(|a| self.resolve(a, diags)).collect();
        let arity = match name.as_str() {
            "Int" | "Bool" | "String" | "Unit" => 0,
            "List" | "Option" => 1,
            "Map" => 2,
            _ if self.decls.contains_key(&name) => 0,
            _ => {
                diags.push(self.unknown_type(&name, path.span));
                return error_type();
            }
        };
        if resolved.len() != arity {
            diags.push(
                Diagnostic::new(
                    "E0303",
                    format!(
                        "`{name}` takes {arity} type argument{}, found {}",
                        if arity == 1 { "" } else { "s" },
                        resolved.len()
                    ),
                    span,
                    "wrong number of type arguments",
                )
                .with_help(match name.as_str() {
                    "List" => "write `List<T>`".to_string(),
                    "Option" => "write `Option<T>`".to_string(),
                    "Map" => "write `Map<K, V>`".to_string(),
                    _ => format!("write `{name}` without `<...>`"),
                }),
            );
            return error_type();
        }
        let mut it = resolved.into_iter();
        let mut next = || Box::new(it.next().unwrap_or_else(error_type));
        match name.as_str() {
            "Int" => Type::Int,
            "Bool" => Type::Bool,
            "String" => Type::String,
            "Unit" => Type::Unit,
            "List" => Type::List(next()),
            "Option" => Type::Option(next()),
            "Map" => {
                let k = next();
                Type::Map(k, next())
            }
            _ => self.resolve_named(&name, path.span, diags),
        }
    }

    fn unknown_type(&self, name: &str, span: Span) -> Diagnostic {
        let candidates = BUILTINS
            .iter()
            .copied()
            .chain(self.decls.keys().map(String::as_str));
        let help = did_you_mean(name, candidates).unwrap_or_else(|| {
            "declare it with `type Name = ...` or `enum Name { ... }`".to_string()
        });
        Diagnostic::new(
            "E0202",
            format!("unknown type `{name}`"),
            span,
            "not a type in scope",
        )
        .with_help(help)
    }

    /// Resolves a declared name, detecting cycles through it.
    fn resolve_named(&mut self, name: &str, use_span: Span, diags: &mut Vec<Diagnostic>) -> Type {
        if let Some(ty) = self.resolved.get(name) {
            return ty.clone();
        }
        if let Some(start) = self.in_progress.iter().position(|n| n == name) {
            let cycle: Vec<String> = self.in_progress[start..].to_vec();
            if !cycle.iter().any(|n| self.in_cycle.contains(n)) {
                diags.push(cycle_error(&cycle, name, use_span));
            }
            self.in_cycle.extend(cycle);
            return error_type();
        }
        let Some((decl, _)) = self.decls.get(name).cloned() else {
            return error_type();
        };
        self.in_progress.push(name.to_string());
        let ty = match decl {
            Decl::Alias(ty) => self.resolve(&ty, diags),
            Decl::Enum(variants) => self.resolve_enum(name, &variants, diags),
        };
        self.in_progress.pop();
        let ty = if self.in_cycle.iter().any(|n| n == name) {
            error_type()
        } else if ty.size() > TYPE_SIZE_MAX {
            diags.push(
                Diagnostic::new(
                    "E0322",
                    format!("the type `{name}` is too large"),
                    use_span,
                    format!("it has more than {TYPE_SIZE_MAX} parts once its names are expanded"),
                )
                .with_help("use fewer nested copies of the same types"),
            );
            error_type()
        } else {
            ty
        };
        self.resolved.insert(name.to_string(), ty.clone());
        ty
    }

    fn resolve_enum(
        &mut self,
        name: &str,
        variants: &[ast::VariantDecl],
        diags: &mut Vec<Diagnostic>,
    ) -> Type {
        let mut out: Vec<Variant> = Vec::new();
        let mut spans: Vec<Span> = Vec::new();
        for v in variants {
            let fields = v.fields.iter().map(|f| self.resolve(f, diags)).collect();
            if let Some(i) = out.iter().position(|o| o.name == v.name.name) {
                diags.push(
                    Diagnostic::new(
                        "E0203",
                        format!("the variant `{}` is defined twice in `{name}`", v.name.name),
                        v.name.span,
                        "defined again here",
                    )
                    .with_label(spans[i], "first defined here")
                    .with_help("rename or remove one of the variants"),
                );
                continue;
            }
            spans.push(v.name.span);
            out.push(Variant {
                name: v.name.name.clone(),
                fields,
            });
        }
        Type::Enum(EnumType {
            name: name.to_string(),
            variants: out,
        })
    }
}

fn cycle_error(cycle: &[String], back_to: &str, span: Span) -> Diagnostic {
    let mut names: Vec<String> = cycle.iter().map(|n| format!("`{n}`")).collect();
    names.push(format!("`{back_to}`"));
    Diagnostic::new(
        "E0302",
        format!("the type `{back_to}` contains itself"),
        span,
        format!("`{back_to}` is used inside its own definition"),
    )
    .with_help(format!(
        "types are finite trees: break the cycle {}",
        names.join(" → ")
    ))
}

pub(crate) fn duplicate_field(name: &ast::Ident) -> Diagnostic {
    Diagnostic::new(
        "E0203",
        format!("the field `{}` is listed twice", name.name),
        name.span,
        "listed again here",
    )
    .with_help("remove one of them")
}

fn span_of(ty: &ast::TypeExpr) -> Span {
    match ty {
        ast::TypeExpr::Named { span, .. }
        | ast::TypeExpr::Tuple(_, span)
        | ast::TypeExpr::Record(_, span)
        | ast::TypeExpr::Error(span) => *span,
    }
}
