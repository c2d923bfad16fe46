//! Names in expressions: variables, dotted paths, constructors and calls.
//!
//! A path whose first segment is a variable in scope is that variable followed by field
//! accesses (`old.count`); otherwise it is a qualified name (`Counter.Output.Ok`,
//! `Map.insert`). A constructor written without qualification resolves by the expected type
//! when that type has the variant, else to the one enum in scope that has it (declared enums,
//! the current machine's `Input`/`Output`, `Option`); several candidates are an error asking
//! for a qualified name. This module does not type operators or blocks.

use super::expr::{lit, plural, prim};
use super::scope::Scope;
use super::{Checker, error_expr, error_type, is_poisoned, path_text};
use crate::ast;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::span::Span;
use crate::tir::{Expr, ExprKind};
use quiver_vm::bytecode::Lit;
use quiver_vm::types::{EnumType, Type, Variant, payload_of};

/// A constructor a name resolved to: the sum type it builds (without its type argument for
/// `Option`), its tag and its fields.
#[derive(Clone, Debug)]
pub(crate) enum Ctor {
    Enum(EnumType, u32),
    Some,
    None,
}

impl Checker {
    /// The enums whose constructors are in scope unqualified.
    pub(crate) fn enums_in_scope(&self) -> Vec<EnumType> {
        let mut names: Vec<String> = self.types.declared_enums.clone();
        if let Some(machine) = &self.ctx.machine {
            names.push(format!("{machine}.Input"));
            names.push(format!("{machine}.Output"));
        }
        names
            .iter()
            .filter_map(|n| self.types.enum_named(n).cloned())
            .collect()
    }

    /// Every constructor name in scope, for "did you mean".
    fn ctor_names(&self) -> Vec<String> {
        let mut names: Vec<String> = vec!["Some".into(), "None".into()];
        for e in self.enums_in_scope() {
            names.extend(e.variants.iter().map(|v| v.name.clone()));
        }
        names
    }

    /// Resolves an unqualified or qualified constructor name, or reports why not.
    pub(crate) fn resolve_ctor(
        &mut self,
        path: &ast::Path,
        expected: Option<&Type>,
    ) -> Option<Ctor> {
        let (last, prefix) = path.segments.split_last()?;
        let name = last.name.as_str();
        if prefix.is_empty() {
            return self.resolve_unqualified(last, expected);
        }
        let enum_name: Vec<&str> = prefix.iter().map(|s| s.name.as_str()).collect();
        let enum_name = enum_name.join(".");
        if enum_name == "Option" {
            return match name {
                "Some" => Some(Ctor::Some),
                "None" => Some(Ctor::None),
                _ => {
                    self.unknown_variant("Option", &["None", "Some"], last);
                    None
                }
            };
        }
        let Some(e) = self.types.enum_named(&enum_name).cloned() else {
            let all = self.types.enum_names();
            let help = did_you_mean(&enum_name, all.iter().map(String::as_str))
                .unwrap_or_else(|| "declare the enum, or check the spelling".to_string());
            self.report(
                Diagnostic::new(
                    "E0201",
                    format!("unknown name `{}`", path_text(path)),
                    path.span,
                    format!("there is no enum `{enum_name}`"),
                )
                .with_help(help),
            );
            return None;
        };
        match e.tag_of(name) {
            Some(tag) => Some(Ctor::Enum(e, tag)),
            None => {
                let names: Vec<&str> = e.variants.iter().map(|v| v.name.as_str()).collect();
                self.unknown_variant(&e.name, &names, last);
                None
            }
        }
    }

    fn unknown_variant(&mut self, enum_name: &str, names: &[&str], last: &ast::Ident) {
        let help = did_you_mean(&last.name, names.iter().copied())
            .unwrap_or_else(|| format!("its variants are: {}", names.join(", ")));
        self.report(
            Diagnostic::new(
                "E0201",
                format!("`{enum_name}` has no variant `{}`", last.name),
                last.span,
                "unknown variant",
            )
            .with_help(help),
        );
    }

    fn resolve_unqualified(&mut self, ident: &ast::Ident, expected: Option<&Type>) -> Option<Ctor> {
        let name = ident.name.as_str();
        match expected {
            Some(Type::Enum(e)) => {
                if let Some(tag) = e.tag_of(name) {
                    return Some(Ctor::Enum(e.clone(), tag));
                }
            }
            Some(Type::Option(_)) if name == "Some" => return Some(Ctor::Some),
            Some(Type::Option(_)) if name == "None" => return Some(Ctor::None),
            _ => {}
        }
        let mut found: Vec<Ctor> = Vec::new();
        for e in self.enums_in_scope() {
            if let Some(tag) = e.tag_of(name) {
                found.push(Ctor::Enum(e, tag));
            }
        }
        match name {
            "Some" => found.push(Ctor::Some),
            "None" => found.push(Ctor::None),
            _ => {}
        }
        match found.len() {
            0 => {
                self.unknown_name(ident.name.as_str(), ident.span);
                None
            }
            1 => found.pop(),
            _ => {
                let options: Vec<String> = found.iter().map(|c| qualified(c, name)).collect();
                self.report(
                    Diagnostic::new(
                        "E0204",
                        format!("the constructor `{name}` is ambiguous"),
                        ident.span,
                        format!("`{name}` is a variant of {} enums", found.len()),
                    )
                    .with_help(format!("write a qualified name: {}", options.join(" or "))),
                );
                None
            }
        }
    }

    /// Reports an unknown name with a suggestion among every name in scope.
    pub(crate) fn unknown_name(&mut self, name: &str, span: Span) {
        if self.ctx.hidden_fields.iter().any(|f| f == name) {
            self.report(
                Diagnostic::new(
                    "E0201",
                    format!("the state field `{name}` is not in scope here"),
                    span,
                    "state fields are not visible here",
                )
                .with_help(
                    "initial values and migrations are closed: compute this from literals, \
                     functions and the migration's parameter",
                ),
            );
            return;
        }
        let mut candidates: Vec<String> = self.scope.names();
        candidates.extend(self.fns.iter().map(|f| f.name.clone()));
        candidates.extend(self.ctor_names());
        for f in quiver_stdlib::FUNCTIONS {
            candidates.push(format!("{}.{}", f.module, f.name));
        }
        let help = did_you_mean(name, candidates.iter().map(String::as_str))
            .unwrap_or_else(|| "declare it, or check the spelling".to_string());
        self.report(
            Diagnostic::new(
                "E0201",
                format!("unknown name `{name}`"),
                span,
                "not in scope",
            )
            .with_help(help),
        );
    }

    /// A path used as a value: variable (with field accesses) or constant constructor.
    pub(crate) fn check_path(&mut self, path: &ast::Path, expected: Option<&Type>) -> Expr {
        let Some(first) = path.segments.first() else {
            return error_expr(path.span);
        };
        if let Some(local) = self.scope.lookup(&first.name) {
            let mut value = Scope::read(local, first.span);
            for field in &path.segments[1..] {
                value = self.field_of(value, field);
            }
            return value;
        }
        let starts_upper = first.name.starts_with(|c: char| c.is_ascii_uppercase());
        if path.segments.len() == 1 && !starts_upper {
            if self.fns.iter().any(|f| f.name == first.name) {
                self.not_a_value(&first.name, path.span, "function");
            } else {
                self.unknown_name(&first.name, first.span);
            }
            return error_expr(path.span);
        }
        if self.stdlib_function(path).is_some() {
            self.not_a_value(&path_text(path), path.span, "library function");
            return error_expr(path.span);
        }
        if !starts_upper {
            self.unknown_name(&first.name, first.span);
            return error_expr(path.span);
        }
        match self.resolve_ctor(path, expected) {
            Some(ctor) => self.build_ctor(ctor, path, &[], expected, path.span),
            None => error_expr(path.span),
        }
    }

    fn not_a_value(&mut self, name: &str, span: Span, what: &str) {
        self.report(
            Diagnostic::new(
                "E0312",
                format!("the {what} `{name}` is not a value"),
                span,
                format!("a {what}"),
            )
            .with_help(format!("call it: `{name}(...)`")),
        );
    }

    fn stdlib_function(&self, path: &ast::Path) -> Option<&'static quiver_stdlib::Function> {
        match path.segments.as_slice() {
            [module, name] => quiver_stdlib::lookup(&module.name, &name.name),
            _ => None,
        }
    }

    /// `f(args)`, `Module.f(args)` or `C(args)`.
    pub(crate) fn check_call(
        &mut self,
        callee: &ast::Path,
        args: &[ast::Expr],
        expected: Option<&Type>,
        span: Span,
    ) -> Expr {
        let Some(first) = callee.segments.first() else {
            return error_expr(span);
        };
        if self.scope.lookup(&first.name).is_some() {
            self.report(
                Diagnostic::new(
                    "E0312",
                    format!("`{}` is not a function", path_text(callee)),
                    callee.span,
                    "a value, not a function",
                )
                .with_help("only functions, library functions and constructors can be called"),
            );
            return error_expr(span);
        }
        let fn_index = self.fns.iter().position(|f| f.name == first.name);
        if let (1, Some(index)) = (callee.segments.len(), fn_index) {
            return self.check_fn_call(index, callee, args, span);
        }
        if let Some(function) = self.stdlib_function(callee) {
            return self.check_library_call(function, callee, args, span);
        }
        let is_module =
            callee.segments.len() == 2 && quiver_stdlib::modules().contains(&first.name.as_str());
        if is_module {
            let module = first.name.as_str();
            let wanted = callee.segments[1].name.as_str();
            let help = did_you_mean(wanted, quiver_stdlib::names_in(module)).unwrap_or_else(|| {
                let names: Vec<&str> = quiver_stdlib::names_in(module).collect();
                format!("`{module}` has: {}", names.join(", "))
            });
            self.report(
                Diagnostic::new(
                    "E0205",
                    format!("unknown library function `{}`", path_text(callee)),
                    callee.span,
                    "not in the standard library",
                )
                .with_help(help),
            );
            return error_expr(span);
        }
        if callee.segments.len() == 1 && !first.name.starts_with(|c: char| c.is_ascii_uppercase()) {
            self.unknown_name(&first.name, first.span);
            for a in args {
                self.check_expr(a, None);
            }
            return error_expr(span);
        }
        match self.resolve_ctor(callee, expected) {
            Some(ctor) => self.build_ctor(ctor, callee, args, expected, span),
            None => {
                for a in args {
                    self.check_expr(a, None);
                }
                error_expr(span)
            }
        }
    }

    fn check_fn_call(
        &mut self,
        index: usize,
        callee: &ast::Path,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        let sig = self.fns[index].clone();
        if let Some(caller) = self.ctx.current_fn {
            self.calls.push((caller, index, callee.span));
        }
        if args.len() != sig.params.len() {
            self.wrong_arity(&sig.name, sig.params.len(), args.len(), span);
        }
        let values: Vec<Expr> = args
            .iter()
            .enumerate()
            .map(|(i, a)| match sig.params.get(i) {
                Some((name, ty)) => {
                    self.check_against(a, ty, &format!("the argument `{name}` of `{}`", sig.name))
                }
                None => self.check_expr(a, None),
            })
            .collect();
        let index = u32::try_from(index).expect("fewer than 2^32 functions");
        Expr::new(ExprKind::Call(index, values), sig.ret, span)
    }

    fn wrong_arity(&mut self, name: &str, wanted: usize, found: usize, span: Span) {
        self.report(
            Diagnostic::new(
                "E0305",
                format!(
                    "`{name}` takes {wanted} argument{}, found {found}",
                    plural(wanted)
                ),
                span,
                format!("{found} argument{} given", plural(found)),
            )
            .with_help(format!("pass exactly {wanted}")),
        );
    }

    fn check_library_call(
        &mut self,
        function: &quiver_stdlib::Function,
        callee: &ast::Path,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        let values: Vec<Expr> = args.iter().map(|a| self.check_expr(a, None)).collect();
        let types: Vec<Type> = values.iter().map(|v| v.ty.clone()).collect();
        if types.iter().any(is_poisoned) {
            return error_expr(span);
        }
        match function.prim.instantiate(&types) {
            Ok(ty) => prim(function.prim, values, ty, span),
            Err(message) => {
                let name = path_text(callee);
                let message =
                    message.replace(&format!("`{}`", function.prim.name()), &format!("`{name}`"));
                self.report(
                    Diagnostic::new("E0301", message, span, "in this call")
                        .with_help(format!("`{name}` is {}", function.doc)),
                );
                error_expr(span)
            }
        }
    }

    /// A constructor applied to its arguments: `Inj(tag, payload)`.
    fn build_ctor(
        &mut self,
        ctor: Ctor,
        path: &ast::Path,
        args: &[ast::Expr],
        expected: Option<&Type>,
        span: Span,
    ) -> Expr {
        let (ty, tag, fields) = match ctor {
            Ctor::Enum(e, tag) => {
                let fields = e.variants[tag as usize].fields.clone();
                (Type::Enum(e), tag, fields)
            }
            Ctor::None => match expected {
                Some(t @ Type::Option(_)) => (t.clone(), 0, vec![]),
                _ => {
                    for a in args {
                        self.check_expr(a, None);
                    }
                    return self.cannot_infer("`None`", "Option<Int>", span);
                }
            },
            Ctor::Some => match expected {
                Some(t @ Type::Option(inner)) => (t.clone(), 1, vec![(**inner).clone()]),
                _ if args.len() == 1 => {
                    let value = self.check_expr(&args[0], None);
                    let ty = Type::Option(Box::new(value.ty.clone()));
                    return inject(ty, 1, value, span);
                }
                _ => (Type::Option(Box::new(error_type())), 1, vec![error_type()]),
            },
        };
        let name = path_text(path);
        if args.len() != fields.len() {
            self.wrong_ctor_arity(&name, &fields, args.len(), span);
        }
        let values: Vec<Expr> = args
            .iter()
            .enumerate()
            .map(|(i, a)| match fields.get(i) {
                Some(t) => self.check_against(a, t, &format!("argument {} of `{name}`", i + 1)),
                None => self.check_expr(a, None),
            })
            .collect();
        let payload = match values.len() {
            0 => lit(Lit::Unit, Type::Unit, span),
            1 => values
                .into_iter()
                .next()
                .unwrap_or_else(|| error_expr(span)),
            _ => Expr::new(ExprKind::Tuple(values), payload_of(&fields), span),
        };
        inject(ty, tag, payload, span)
    }
}

fn inject(ty: Type, tag: u32, payload: Expr, span: Span) -> Expr {
    Expr::new(ExprKind::Inj(tag, Box::new(payload)), ty, span)
}

fn qualified(ctor: &Ctor, name: &str) -> String {
    match ctor {
        Ctor::Enum(e, _) => format!("`{}.{name}`", e.name),
        Ctor::Some | Ctor::None => format!("`Option.{name}`"),
    }
}

impl Checker {
    fn wrong_ctor_arity(&mut self, name: &str, fields: &[Type], found: usize, span: Span) {
        let variant = Variant {
            name: name.to_string(),
            fields: fields.to_vec(),
        };
        self.report(
            Diagnostic::new(
                "E0305",
                format!(
                    "`{name}` takes {} argument{}, found {found}",
                    fields.len(),
                    plural(fields.len()),
                ),
                span,
                "wrong number of arguments",
            )
            .with_help(format!("write it as {}", shape(&variant))),
        );
    }
}

/// `Name(T1, T2)` or `Name`, as written.
pub(crate) fn shape(variant: &Variant) -> String {
    if variant.fields.is_empty() {
        return format!("`{}`", variant.name);
    }
    let fields: Vec<String> = variant.fields.iter().map(Type::to_string).collect();
    format!("`{}({})`", variant.name, fields.join(", "))
}
