//! Migrations: `migrate(old: T) { ... }` turns the previous version's state (of the written
//! type `T`) into this machine's state; `migrate down(new: S) { ... }` turns this machine's
//! state (`S` must be its state type) back into the previous version's, whose type is the up
//! migration's `T` when there is one. Both bodies are closed: only the parameter is in scope,
//! never the state fields. Deriving a migration when none is written is not done here: it
//! needs the running version's artifact, which the node has and the checker does not.

use super::machine::Shape;
use super::{Checker, compatible};
use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::tir;
use quiver_vm::types::Type;

impl Checker {
    pub(crate) fn check_migrations(
        &mut self,
        m: &ast::MachineDecl,
        shape: &Shape,
    ) -> (Option<tir::Migration>, Option<tir::Migration>) {
        self.ctx.hidden_fields = shape.fields.iter().map(|f| f.name.clone()).collect();
        let up = m.migrate_up.as_ref().map(|decl| {
            let old = self.resolve_type(&decl.ty);
            let body = self.migration_body(decl, &old, Some(&shape.state), "the migrated state");
            tir::Migration {
                other: old,
                body,
                span: decl.span,
            }
        });
        let down = m.migrate_down.as_ref().map(|decl| {
            let param = self.resolve_type(&decl.ty);
            if !compatible(&shape.state, &param) {
                self.report(
                    Diagnostic::new(
                        "E0405",
                        format!(
                            "`migrate down` takes this machine's state, {}, found {param}",
                            shape.state
                        ),
                        decl.param.span.to(decl.span),
                        format!("this should be {}", shape.state),
                    )
                    .with_help(format!(
                        "write `migrate down({}: {})`",
                        decl.param.name, shape.state
                    )),
                );
            }
            let target = up.as_ref().map(|u| u.other.clone());
            let body = self.migration_body(
                decl,
                &shape.state,
                target.as_ref(),
                "the state migrated down",
            );
            tir::Migration {
                other: target.unwrap_or_else(|| body.ty.clone()),
                body,
                span: decl.span,
            }
        });
        self.ctx.hidden_fields.clear();
        (up, down)
    }

    fn migration_body(
        &mut self,
        decl: &ast::MigrateDecl,
        param: &Type,
        result: Option<&Type>,
        what: &str,
    ) -> tir::Expr {
        let mark = self.scope.mark();
        self.scope.bind(Some(&decl.param.name), param);
        let body = self.check_block(&decl.body, result);
        if let Some(result) = result {
            self.expect_type(result, &body, what);
        }
        self.scope.reset(mark);
        body
    }
}
