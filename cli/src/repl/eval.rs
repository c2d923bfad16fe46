//! Expressions, `let`s, declarations and `:load` in a session: checked against the session's
//! file and variables by `quiver_lang::check::session`, lowered to an arrow and run by the
//! reference evaluator.
//!
//! Errors come back as rendered text against the entry typed. Nothing here touches the
//! instances (see `machines`).

use super::render;
use super::session::{Binding, Session, TypedDecl};
use quiver_lang::check::session::{CheckedExpr, check_expr, fn_defs};
use quiver_lang::diagnostic::Diagnostic;
use quiver_lang::lower::lower_expr;
use quiver_lang::{ast, driver, parser};
use quiver_vm::eval_ref;
use quiver_vm::text;
use quiver_vm::types::Type;
use quiver_vm::value::Value;
use std::path::PathBuf;

impl Session {
    /// `:type EXPR`
    pub(super) fn type_of(&self, expr: &str) -> Result<String, String> {
        if expr.is_empty() {
            return Err("error: `:type` needs an expression, as in `:type 1 + 2`\n".to_string());
        }
        let checked = self.check(expr)?;
        Ok(format!("{} : {}\n", expr.trim(), checked.expr.ty))
    }

    /// An expression: its value and type.
    pub(super) fn expression(&self, entry: &str) -> Result<String, String> {
        let (value, ty) = self.evaluate(entry)?;
        Ok(format!("{} : {ty}\n", text::print(&value, &ty)))
    }

    /// `let name = expr`: the expression is checked against the entry with the `let` blanked
    /// out, so that errors point into the line as typed.
    pub(super) fn bind(
        &mut self,
        entry: &str,
        name: &str,
        expr_at: usize,
    ) -> Result<String, String> {
        let mut padded = " ".repeat(expr_at) + entry.get(expr_at..).unwrap_or("");
        if padded.trim_end().ends_with(';') {
            padded = padded.trim_end().trim_end_matches(';').to_string();
        }
        let (value, ty) = self.evaluate(&padded)?;
        let shown = format!("{name} = {} : {ty}\n", text::print(&value, &ty));
        self.lets.retain(|b| b.name != name);
        self.lets.push(Binding {
            name: name.to_string(),
            ty,
            value,
        });
        Ok(shown)
    }

    /// `type`, `enum`, `fn` and `machine` declarations, added to the session's file when the
    /// whole file still checks; a declaration typed again replaces the earlier one.
    pub(super) fn declare(&mut self, entry: &str) -> Result<String, String> {
        let names = declared_names(entry)
            .map_err(|d| render::diagnostics("<repl>", entry, &d, self.color))?;
        let mut next = self.typed.clone();
        next.retain(|decl| !decl.names.iter().any(|n| names.contains(n)));
        let before = Session::source_of(&self.file_src, &next);
        let whole = format!("{before}{entry}\n");
        if let Err(found) = driver::check(&whole) {
            return Err(render::against_entry(
                &self.source_name(),
                &whole,
                entry,
                before.len(),
                &found,
                self.color,
            ));
        }
        next.push(TypedDecl {
            names: names.clone(),
            text: entry.to_string(),
        });
        self.typed = next;
        Ok(format!("defined {}\n", names.join(", ")))
    }

    /// `:load FILE`: the file's declarations replace the loaded file's; the declarations typed
    /// at the prompt stay when they still check with it.
    pub(super) fn load(&mut self, path: &str) -> Result<String, String> {
        if path.is_empty() {
            return Err(
                "error: `:load` needs a file, as in `:load examples/counter.sm`\n".to_string(),
            );
        }
        let path = PathBuf::from(path);
        let src = crate::load::read_source(&path).map_err(|e| format!("error: {e:#}\n"))?;
        let name = path.display().to_string();
        let mut whole = src.clone();
        for decl in &self.typed {
            whole = format!("{whole}\n{}", decl.text);
        }
        if let Err(found) = driver::check(&whole) {
            return Err(render::diagnostics(&name, &whole, &found, self.color));
        }
        let machines = match driver::check(&src) {
            Ok(program) => program
                .machines
                .iter()
                .map(|m| m.name.clone())
                .collect::<Vec<_>>(),
            Err(_) => Vec::new(),
        };
        self.file = Some(path);
        self.file_src = src;
        self.remember_versions(&machines);
        Ok(format!("loaded {name}: {}\n", describe(&machines)))
    }

    /// The session's file with the given declarations typed.
    pub(super) fn source_of(file_src: &str, typed: &[TypedDecl]) -> String {
        let mut src = file_src.to_string();
        for decl in typed {
            if !src.is_empty() && !src.ends_with('\n') {
                src.push('\n');
            }
            src += &decl.text;
            src.push('\n');
        }
        src
    }

    /// Checks an expression against the session; errors rendered against it.
    fn check(&self, expr_src: &str) -> Result<CheckedExpr, String> {
        let whole = self.source();
        let file = parse_file(&whole)
            .map_err(|d| render::diagnostics(&self.source_name(), &whole, &d, self.color))?;
        let render_entry =
            |d: Vec<Diagnostic>| render::diagnostics("<repl>", expr_src, &d, self.color);
        let (expr, found) = parser::parse_expr(expr_src);
        let expr = match expr {
            Some(expr) if found.is_empty() => expr,
            _ => return Err(render_entry(found)),
        };
        let env: Vec<(String, Type)> = self
            .lets
            .iter()
            .map(|b| (b.name.clone(), b.ty.clone()))
            .collect();
        check_expr(&file, &env, &expr).map_err(render_entry)
    }

    /// Checks and runs an expression.
    pub(super) fn evaluate(&self, expr_src: &str) -> Result<(Value, Type), String> {
        let checked = self.check(expr_src)?;
        let defs = fn_defs(&checked.program)
            .map_err(|d| render::diagnostics("<repl>", expr_src, &d, self.color))?;
        let types: Vec<Type> = self.lets.iter().map(|b| b.ty.clone()).collect();
        let arrow = lower_expr(&checked.expr, &types);
        let mut values: Vec<Value> = self.lets.iter().map(|b| b.value.clone()).collect();
        let env = match values.len() {
            0 => Value::Unit,
            1 => values.remove(0),
            _ => Value::tuple(values),
        };
        let mut fuel = self.limits.fuel_turn;
        let value = eval_ref::eval(&defs, &arrow, env, &mut fuel)
            .map_err(|trap| format!("error: {}\n", trap.kind))?;
        Ok((value, checked.expr.ty))
    }
}

/// Parses the session's file.
fn parse_file(src: &str) -> Result<ast::File, Vec<Diagnostic>> {
    driver::parse(src)
}

/// The names a declaration entry declares, or its parse errors.
fn declared_names(entry: &str) -> Result<Vec<String>, Vec<Diagnostic>> {
    let file = driver::parse(entry)?;
    Ok(file.items.iter().map(item_name).collect())
}

/// The name an item declares.
pub(super) fn item_name(item: &ast::Item) -> String {
    match item {
        ast::Item::Type(d) => d.name.name.clone(),
        ast::Item::Enum(d) => d.name.name.clone(),
        ast::Item::Fn(d) => d.name.name.clone(),
        ast::Item::Machine(d) => d.name.name.clone(),
        ast::Item::Compose(d) => d.name.name.clone(),
    }
}

fn describe(machines: &[String]) -> String {
    match machines {
        [] => "no machines".to_string(),
        [one] => format!("machine {one}"),
        many => format!("machines {}", many.join(", ")),
    }
}
