//! The REPL's entry point into the checker: one expression typed at the prompt, checked
//! against a file of declarations and a list of variables the session has bound with `let`.
//!
//! The variables are levels `0..env.len()` (the order given), so the expression lowers with
//! [`crate::lower::lower_expr`] against the same types and runs on the session's values packed
//! by the calling convention. Calls keep the program's function indices; [`fn_defs`] gives the
//! definitions they refer to, in the same order.
//!
//! This module does not parse, evaluate or render anything, and does not check the file's
//! machines (the REPL checks the whole file when a declaration is added).

use super::{BodyCtx, Checker};
use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::lower::{Env, Lowerer};
use crate::tir;
use quiver_vm::bytecode::Def;
use quiver_vm::types::Type;

/// An expression checked in a session: the program's functions and the typed expression.
#[derive(Clone, Debug)]
pub struct CheckedExpr {
    pub program: tir::Program,
    pub expr: tir::Expr,
}

/// Checks `expr` with the declarations of `file` and the variables `env` in scope; every
/// error found in the functions or the expression is reported.
pub fn check_expr(
    file: &ast::File,
    env: &[(String, Type)],
    expr: &ast::Expr,
) -> Result<CheckedExpr, Vec<Diagnostic>> {
    let mut checker = Checker::new(file);
    let fns = checker.check_fns();
    checker.ctx = BodyCtx::default();
    let mark = checker.scope.mark();
    for (name, ty) in env {
        checker.scope.bind(Some(name), ty);
    }
    let mut typed = checker.check_expr(expr, None);
    checker.scope.reset(mark);
    let diagnostics = super::dedup(checker.diags);
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    super::fns::renumber_calls(&mut typed, &checker.fn_renumber);
    Ok(CheckedExpr {
        program: tir::Program {
            fns,
            machines: Vec::new(),
        },
        expr: typed,
    })
}

/// Every function of `program` as a definition, in the program's order (so a `Call(i)` of a
/// lowered expression refers to `defs[i]`).
pub fn fn_defs(program: &tir::Program) -> Result<Vec<Def>, Vec<Diagnostic>> {
    let mut lowerer = Lowerer::new(None);
    let defs = program
        .fns
        .iter()
        .map(|function| {
            let params: Vec<Type> = function.params.iter().map(|(_, ty)| ty.clone()).collect();
            let arity = u32::try_from(params.len()).unwrap_or(u32::MAX);
            Def {
                name: function.name.clone(),
                input: match params.as_slice() {
                    [] => Type::Unit,
                    [one] => one.clone(),
                    many => Type::Tuple(many.to_vec()),
                },
                output: function.ret.clone(),
                body: lowerer.arrow(&function.body, Env::packed(arity)),
            }
        })
        .collect();
    lowerer.finish().map(|_| defs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::lower_expr;
    use crate::parser::{parse, parse_expr};
    use quiver_vm::eval_ref;
    use quiver_vm::value::Value;

    /// Checks and evaluates `expr` against `decls`, with `x: Int = 10` in scope.
    fn check(decls: &str, expr: &str, expected: Value, expected_ty: &str) {
        let file = parse(decls).0.expect("the declarations parse");
        let expr = parse_expr(expr).0.expect("the expression parses");
        let env = vec![("x".to_string(), Type::Int)];
        let checked = check_expr(&file, &env, &expr).expect("the expression checks");
        assert_eq!(checked.expr.ty.to_string(), expected_ty);
        let defs = fn_defs(&checked.program).expect("the functions lower");
        let arrow = lower_expr(&checked.expr, &[Type::Int]);
        let mut fuel = 10_000;
        let value = eval_ref::eval(&defs, &arrow, Value::Int(10), &mut fuel);
        assert_eq!(value, Ok(expected));
    }

    #[test]
    fn an_expression_sees_session_variables_and_functions() {
        check(
            "fn double(n: Int) -> Int { n * 2 }\nfn quad(n: Int) -> Int { double(double(n)) }",
            "quad(x) + 1",
            Value::Int(41),
            "Int",
        );
    }

    #[test]
    fn an_unknown_name_is_reported_against_the_expression() {
        let file = parse("").0.expect("the empty file parses");
        let expr = parse_expr("1 + y").0.expect("the expression parses");
        let errors = check_expr(&file, &[], &expr).expect_err("y is unknown");
        assert_eq!(errors[0].span().start, 4);
    }
}
