//! The map store the swap benches swap: built by hand from arrows, so that the swap figures
//! depend on the node and the VM only, not on what the compiler emits. `Store` v1 has
//! state `{ m: Map<Int, Int> }`; v2 adds `n: Int` (a derived migration up) and declares a
//! migration down that drops it, so a swap and its rollback are O(1) migrations.

use quiver_vm::bytecode::{Arrow, Artifact, Lit, Migration, Site};
use quiver_vm::prim::Prim;
use quiver_vm::types::{EnumType, Field, Type, Variant};

fn map_type() -> Type {
    Type::Map(Box::new(Type::Int), Box::new(Type::Int))
}

fn field(name: &str, ty: Type) -> Field {
    Field {
        name: name.into(),
        ty,
    }
}

/// `Store`: `Put(k)` inserts `k -> k` and answers 0; `Len` answers the map's size.
pub fn store() -> Artifact {
    let input = Type::Enum(EnumType {
        name: "Store.Input".into(),
        variants: vec![
            Variant {
                name: "Put".into(),
                fields: vec![Type::Int],
            },
            Variant {
                name: "Len".into(),
                fields: vec![],
            },
        ],
    });
    let map = Arrow::Seq(vec![Arrow::Proj(0), Arrow::Proj(0)]);
    let inserted = Arrow::Seq(vec![
        Arrow::Fork(vec![map.clone(), Arrow::Proj(1), Arrow::Proj(1)]),
        Arrow::Prim(Prim::MapInsert, Site::NONE),
    ]);
    let put = Arrow::Fork(vec![
        Arrow::Fork(vec![inserted]),
        Arrow::Const(Type::Int, Lit::Int(0)),
    ]);
    let len = Arrow::Fork(vec![
        Arrow::Proj(0),
        Arrow::Seq(vec![map, Arrow::Prim(Prim::MapLen, Site::NONE)]),
    ]);
    Artifact {
        name: "Store".into(),
        state: Type::Record(vec![field("m", map_type())]),
        input,
        output: Type::Int,
        init: Lit::Tuple(vec![Lit::Map(vec![])]),
        defs: vec![],
        step: Arrow::Seq(vec![
            Arrow::Fork(vec![Arrow::Proj(1), Arrow::Proj(0)]),
            Arrow::Distl,
            Arrow::Case(vec![put, len]),
        ]),
        invariants: vec![],
        migrate_up: None,
        migrate_down: None,
    }
}

/// `Store` v2: state `{ m, n }` (derived migration up), `migrate down` drops `n`; its step is
/// v1's on `m` with `n` carried along.
pub fn store_v2() -> Artifact {
    let v1 = store();
    let state = Type::Record(vec![field("m", map_type()), field("n", Type::Int)]);
    let to_v1 = Arrow::Fork(vec![
        Arrow::Proj(0),
        Arrow::Seq(vec![Arrow::Proj(1), Arrow::Fork(vec![Arrow::Proj(0)])]),
    ]);
    let step = Arrow::Seq(vec![
        Arrow::Fork(vec![
            Arrow::Seq(vec![to_v1, v1.step.clone()]),
            Arrow::Seq(vec![Arrow::Proj(1), Arrow::Proj(1)]),
        ]),
        Arrow::Fork(vec![
            Arrow::Fork(vec![
                Arrow::Seq(vec![Arrow::Proj(0), Arrow::Proj(0), Arrow::Proj(0)]),
                Arrow::Proj(1),
            ]),
            Arrow::Seq(vec![Arrow::Proj(0), Arrow::Proj(1)]),
        ]),
    ]);
    Artifact {
        name: "Store".into(),
        init: Lit::Tuple(vec![Lit::Map(vec![]), Lit::Int(0)]),
        migrate_down: Some(Migration {
            other: v1.state.clone(),
            body: Arrow::Fork(vec![Arrow::Proj(0)]),
        }),
        state,
        step,
        ..v1
    }
}
