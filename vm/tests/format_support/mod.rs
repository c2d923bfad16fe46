//! Shared test material for the format and text tests: proptest strategies for types, values,
//! constants, arrows and artifacts; a hand-written Counter artifact; and a byte writer for
//! crafting encodings by hand (as `spec/bytecode.md` describes them).
//!
//! The strategies generate shapes, not well-typed programs: the format does not check types.
#![allow(dead_code)]

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::Union;
use quiver_vm::bytecode::{
    Arrow, Artifact, DebugInfo, Def, FORMAT_VERSION, Invariant, Lit, MAGIC, Migration, Site,
    SiteInfo,
};
use quiver_vm::prim::Prim;
use quiver_vm::types::{EnumType, Field, Type, Variant};
use quiver_vm::value::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

const FIELD_NAMES: &[&str] = &["count", "resets", "a", "b_2", "total", "x", "y"];
const VARIANT_NAMES: &[&str] = &["Incr", "Decr", "Reset", "Get", "Ok", "Value", "Info"];
const ENUM_NAMES: &[&str] = &["Counter.Input", "Counter.Output", "Light", "E"];

/// Types of every kind; `allow_empty_sums` permits enums and sums with no cases (no values).
pub fn arb_type_with(allow_empty_sums: bool) -> BoxedStrategy<Type> {
    let min_cases = usize::from(!allow_empty_sums);
    let leaf = prop_oneof![
        Just(Type::Unit),
        Just(Type::Bool),
        Just(Type::Int),
        Just(Type::String),
    ];
    leaf.prop_recursive(4, 32, 4, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Type::Tuple),
            vec(inner.clone(), 0..4).prop_map(|types| Type::Record(
                types
                    .into_iter()
                    .enumerate()
                    .map(|(i, ty)| Field {
                        name: FIELD_NAMES[i].to_string(),
                        ty,
                    })
                    .collect()
            )),
            (
                prop::sample::select(ENUM_NAMES),
                vec(vec(inner.clone(), 0..3), min_cases..4)
            )
                .prop_map(|(name, variants)| Type::Enum(EnumType {
                    name: name.to_string(),
                    variants: variants
                        .into_iter()
                        .enumerate()
                        .map(|(i, fields)| Variant {
                            name: VARIANT_NAMES[i].to_string(),
                            fields,
                        })
                        .collect(),
                })),
            inner.clone().prop_map(|t| Type::Option(Box::new(t))),
            inner.clone().prop_map(|t| Type::List(Box::new(t))),
            (inner.clone(), inner.clone()).prop_map(|(k, v)| Type::Map(Box::new(k), Box::new(v))),
            vec(inner, min_cases..4).prop_map(Type::Sum),
        ]
    })
    .boxed()
}

pub fn arb_type() -> BoxedStrategy<Type> {
    arb_type_with(true)
}

/// A value of type `ty` (which must have values: no empty enums or sums).
pub fn arb_value(ty: &Type) -> BoxedStrategy<Value> {
    match ty {
        Type::Unit => Just(Value::Unit).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Int => any::<i64>().prop_map(Value::Int).boxed(),
        Type::String => any::<String>().prop_map(|s| Value::str(&s)).boxed(),
        Type::Tuple(items) => product(items),
        Type::Record(fields) => {
            let types: Vec<Type> = fields.iter().map(|f| f.ty.clone()).collect();
            product(&types)
        }
        Type::Enum(e) => {
            let cases: Vec<Type> = e.variants.iter().map(Variant::payload).collect();
            sum(&cases)
        }
        Type::Option(inner) => sum(&[Type::Unit, (**inner).clone()]),
        Type::Sum(cases) => sum(cases),
        Type::List(inner) => vec(arb_value(inner), 0..3)
            .prop_map(|items| Value::List(Arc::new(items.into_iter().collect())))
            .boxed(),
        Type::Map(k, v) => vec((arb_value(k), arb_value(v)), 0..3)
            .prop_map(|entries| Value::Map(Arc::new(entries.into_iter().collect())))
            .boxed(),
    }
}

fn product(types: &[Type]) -> BoxedStrategy<Value> {
    let parts: Vec<BoxedStrategy<Value>> = types.iter().map(arb_value).collect();
    parts.prop_map(Value::tuple).boxed()
}

fn sum(cases: &[Type]) -> BoxedStrategy<Value> {
    let arms = cases.iter().enumerate().map(|(tag, case)| {
        let tag = u32::try_from(tag).expect("few cases");
        arb_value(case)
            .prop_map(move |payload| Value::variant(tag, payload))
            .boxed()
    });
    Union::new(arms).boxed()
}

/// A type together with a value of it.
pub fn arb_typed_value() -> BoxedStrategy<(Type, Value)> {
    arb_type_with(false)
        .prop_flat_map(|ty| {
            let value = arb_value(&ty);
            (Just(ty), value)
        })
        .boxed()
}

/// Constants of every shape; maps are stored in strictly ascending key order, as required.
pub fn arb_lit() -> BoxedStrategy<Lit> {
    let leaf = prop_oneof![
        Just(Lit::Unit),
        any::<bool>().prop_map(Lit::Bool),
        any::<i64>().prop_map(Lit::Int),
        "[a-z\"\\\\ ]{0,6}".prop_map(Lit::Str),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Lit::Tuple),
            (0u32..4, inner.clone()).prop_map(|(tag, p)| Lit::Variant(tag, Box::new(p))),
            vec(inner.clone(), 0..4).prop_map(Lit::List),
            vec((inner.clone(), inner), 0..4).prop_map(|entries| {
                let sorted: BTreeMap<Value, (Lit, Lit)> = entries
                    .into_iter()
                    .map(|(k, v)| (Value::from_lit(&k), (k, v)))
                    .collect();
                Lit::Map(sorted.into_values().collect())
            }),
        ]
    })
    .boxed()
}

fn arb_site() -> impl Strategy<Value = Site> {
    prop_oneof![Just(Site::NONE), (0u32..1000).prop_map(Site)]
}

pub fn arb_arrow() -> BoxedStrategy<Arrow> {
    let leaf = prop_oneof![
        Just(Arrow::Id),
        (0u32..5).prop_map(Arrow::Proj),
        Just(Arrow::Distl),
        (arb_type(), 0u32..4).prop_map(|(sum, tag)| Arrow::Inj { sum, tag }),
        (arb_type(), arb_lit()).prop_map(|(ty, lit)| Arrow::Const(ty, lit)),
        (prop::sample::select(Prim::ALL), arb_site()).prop_map(|(p, s)| Arrow::Prim(p, s)),
        (0u32..4).prop_map(Arrow::Call),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Arrow::Seq),
            vec(inner.clone(), 0..4).prop_map(Arrow::Fork),
            vec(inner.clone(), 0..4).prop_map(Arrow::Par),
            vec(inner, 0..4).prop_map(Arrow::Case),
        ]
    })
    .boxed()
}

fn arb_migration() -> impl Strategy<Value = Option<Migration>> {
    prop::option::of((arb_type(), arb_arrow()).prop_map(|(other, body)| Migration { other, body }))
}

pub fn arb_artifact() -> BoxedStrategy<Artifact> {
    let def = ("[a-z_]{1,8}", arb_type(), arb_type(), arb_arrow()).prop_map(
        |(name, input, output, body)| Def {
            name,
            input,
            output,
            body,
        },
    );
    let invariant = (arb_arrow(), arb_site()).prop_map(|(body, site)| Invariant { body, site });
    let types = (arb_type(), arb_type(), arb_type());
    let code = (vec(def, 0..3), arb_arrow(), vec(invariant, 0..3));
    (
        "[A-Za-z]{1,10}",
        types,
        arb_lit(),
        code,
        arb_migration(),
        arb_migration(),
    )
        .prop_map(
            |(name, (state, input, output), init, (defs, step, invariants), up, down)| Artifact {
                name,
                state,
                input,
                output,
                init,
                defs,
                step,
                invariants,
                migrate_up: up,
                migrate_down: down,
            },
        )
        .boxed()
}

pub fn arb_debug_info() -> impl Strategy<Value = DebugInfo> {
    let site = (any::<u32>(), any::<u32>(), "[a-z >=]{0,20}")
        .prop_map(|(start, end, what)| SiteInfo { start, end, what });
    ("[a-z/]{1,12}\\.sm", vec(site, 0..4))
        .prop_map(|(source_name, sites)| DebugInfo { source_name, sites })
}

// ---------------------------------------------------------------------------------------------
// A hand-written Counter (the first machine of the language sketch).

pub fn counter_input() -> Type {
    enum_type(
        "Counter.Input",
        &[
            ("Incr", vec![Type::Int]),
            ("Decr", vec![Type::Int]),
            ("Reset", vec![]),
            ("Get", vec![]),
        ],
    )
}

pub fn counter_output() -> Type {
    enum_type(
        "Counter.Output",
        &[
            ("Ok", vec![]),
            ("Value", vec![Type::Int]),
            ("Rejected", vec![Type::String]),
        ],
    )
}

pub fn counter_state() -> Type {
    Type::Record(vec![Field {
        name: "count".into(),
        ty: Type::Int,
    }])
}

pub fn enum_type(name: &str, variants: &[(&str, Vec<Type>)]) -> Type {
    Type::Enum(EnumType {
        name: name.into(),
        variants: variants
            .iter()
            .map(|(n, fields)| Variant {
                name: (*n).into(),
                fields: fields.clone(),
            })
            .collect(),
    })
}

fn seq(items: Vec<Arrow>) -> Arrow {
    Arrow::Seq(items)
}

fn fork(items: Vec<Arrow>) -> Arrow {
    Arrow::Fork(items)
}

/// `proj0 >>> proj0`: the count out of `(state, payload)`.
fn count_of_env() -> Arrow {
    seq(vec![Arrow::Proj(0), Arrow::Proj(0)])
}

fn ok() -> Arrow {
    Arrow::Const(counter_output(), Lit::Variant(0, Box::new(Lit::Unit)))
}

/// The step `(input, state) -> (state, output)`; each handler sees `(state, payload)`.
pub fn counter_step() -> Arrow {
    let add = seq(vec![
        fork(vec![count_of_env(), Arrow::Proj(1)]),
        Arrow::Prim(Prim::Add, Site(0)),
    ]);
    let incr = fork(vec![fork(vec![add]), ok()]);
    let sub = seq(vec![
        fork(vec![count_of_env(), Arrow::Proj(1)]),
        Arrow::Prim(Prim::Sub, Site(1)),
    ]);
    let too_many = seq(vec![
        fork(vec![Arrow::Proj(1), count_of_env()]),
        Arrow::Prim(Prim::Gt, Site::NONE),
    ]);
    let rejected = Arrow::Const(
        counter_output(),
        Lit::Variant(2, Box::new(Lit::Str("would go negative".into()))),
    );
    let decr = seq(vec![
        fork(vec![Arrow::Id, too_many]),
        Arrow::Distl,
        Arrow::Case(vec![
            fork(vec![seq(vec![Arrow::Proj(0), fork(vec![sub])]), ok()]),
            fork(vec![seq(vec![Arrow::Proj(0), Arrow::Proj(0)]), rejected]),
        ]),
    ]);
    let reset = fork(vec![fork(vec![Arrow::Const(Type::Int, Lit::Int(0))]), ok()]);
    let get = fork(vec![
        Arrow::Proj(0),
        seq(vec![
            count_of_env(),
            Arrow::Inj {
                sum: counter_output(),
                tag: 1,
            },
        ]),
    ]);
    seq(vec![
        fork(vec![Arrow::Proj(1), Arrow::Proj(0)]),
        Arrow::Distl,
        Arrow::Case(vec![incr, decr, reset, get]),
    ])
}

pub fn counter() -> Artifact {
    Artifact {
        name: "Counter".into(),
        state: counter_state(),
        input: counter_input(),
        output: counter_output(),
        init: Lit::Tuple(vec![Lit::Int(0)]),
        defs: vec![],
        step: counter_step(),
        invariants: vec![Invariant {
            body: seq(vec![
                fork(vec![Arrow::Proj(0), Arrow::Const(Type::Int, Lit::Int(0))]),
                Arrow::Prim(Prim::Ge, Site(2)),
            ]),
            site: Site(2),
        }],
        migrate_up: None,
        migrate_down: None,
    }
}

pub fn counter_debug() -> DebugInfo {
    let site = |start, end, what: &str| SiteInfo {
        start,
        end,
        what: what.into(),
    };
    DebugInfo {
        source_name: "examples/counter.sm".into(),
        sites: vec![
            site(260, 269, "integer addition"),
            site(420, 429, "integer subtraction"),
            site(180, 204, "invariant count >= 0"),
        ],
    }
}

// ---------------------------------------------------------------------------------------------
// Crafting bytes by hand.

/// A byte buffer written in postcard's encoding.
#[derive(Default)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    /// Magic and version.
    pub fn prelude() -> Bytes {
        let mut bytes = Bytes(MAGIC.to_vec());
        bytes.0.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes
    }

    /// An unsigned LEB128 varint (postcard's encoding of lengths, u32 and enum tags).
    pub fn varint(mut self, mut n: u64) -> Bytes {
        loop {
            let low = u8::try_from(n & 0x7f).expect("seven bits");
            n >>= 7;
            if n == 0 {
                self.0.push(low);
                return self;
            }
            self.0.push(low | 0x80);
        }
    }

    pub fn str(self, text: &str) -> Bytes {
        let mut bytes = self.varint(text.len() as u64);
        bytes.0.extend_from_slice(text.as_bytes());
        bytes
    }

    /// A header with the given state/input/output/init/step references, no defs, invariants
    /// or migrations, followed by an absent sidecar.
    pub fn minimal_header(self, ty: u64, init: u64, step: u64) -> Bytes {
        self.str("M")
            .varint(ty)
            .varint(ty)
            .varint(ty)
            .varint(init)
            .varint(0) // defs
            .varint(step)
            .varint(0) // invariants
            .varint(0) // migrate_up: None
            .varint(0) // migrate_down: None
            .varint(0) // sidecar: None
    }
}
