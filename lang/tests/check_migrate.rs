//! Migrations up and down: their scope, their parameter types and their result types.

mod check_support;
use check_support::codes;

const MACHINE_HEAD: &str = r#"
machine Counter {
    state { count: Int = 0, resets: Int = 0 }
    input Get
    output Value(Int)
    on Get { Value(count) }
"#;

fn machine_with(migrations: &str) -> String {
    format!("{MACHINE_HEAD}{migrations}\n}}\n")
}

#[test]
fn up_and_down_migrations_check_and_print() {
    check!(&machine_with(
        r#"
    migrate(old: { count: Int }) { { resets: 0, count: old.count } }
    migrate down(new: { count: Int, resets: Int }) { { count: new.count } }
"#
    ));
}

#[test]
fn an_up_migration_must_produce_the_state() {
    check!(&machine_with(
        r#"    migrate(old: { count: Int }) { { count: old.count } }"#
    ));
}

#[test]
fn migrations_cannot_see_state_fields() {
    assert_eq!(
        codes(&machine_with(
            r#"    migrate(old: { count: Int }) { { count: count, resets: 0 } }"#
        )),
        vec!["E0201"]
    );
}

#[test]
fn a_down_migration_takes_this_machines_state() {
    check!(&machine_with(
        r#"    migrate down(new: { count: Int }) { { count: new.count } }"#
    ));
}

#[test]
fn a_down_migration_must_return_the_up_migrations_old_type() {
    assert_eq!(
        codes(&machine_with(
            r#"
    migrate(old: { count: Int }) { { count: old.count, resets: 0 } }
    migrate down(new: { count: Int, resets: Int }) { { total: new.count } }
"#
        )),
        vec!["E0311", "E0311"]
    );
}

#[test]
fn a_down_migration_alone_returns_its_own_type() {
    let src =
        machine_with(r#"    migrate down(new: { count: Int, resets: Int }) { (new.count, true) }"#);
    let (file, _) = quiver_lang::parser::parse(&src);
    let (program, diagnostics) = quiver_lang::check::check(&file.expect("parses"));
    assert_eq!(diagnostics, Vec::new());
    let program = program.expect("checks");
    let quiver_lang::tir::MachineBody::Defined(d) = &program.machines[0].body else {
        panic!("a plain machine is defined");
    };
    let down = d.migrate_down.as_ref().expect("the down migration is kept");
    assert_eq!(
        down.other,
        quiver_vm::types::Type::Tuple(vec![
            quiver_vm::types::Type::Int,
            quiver_vm::types::Type::Bool
        ])
    );
}
