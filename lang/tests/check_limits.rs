//! Hostile input is rejected with a diagnostic, never a panic or a blow-up; and a property:
//! on any small generated program the checker answers with a program or with diagnostics,
//! never both and never neither, and every diagnostic points into the source and says what
//! to do next.

mod check_support;
use check_support::codes;
use proptest::prelude::*;

#[test]
fn exponentially_large_types_are_rejected() {
    let mut src = String::from("type T0 = (Int, Int, Int, Int)\n");
    for i in 1..12 {
        src.push_str(&format!(
            "type T{i} = (T{p}, T{p}, T{p}, T{p})\n",
            p = i - 1
        ));
    }
    src.push_str("fn f(x: T11) -> Int { 0 }\n");
    assert!(codes(&src).contains(&"E0322"));
}

#[test]
fn a_very_wide_literal_tuple_pattern_is_rejected_not_overflowed() {
    let n = 400;
    let ty: Vec<&str> = vec!["Int"; n];
    let pat: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    let src = format!(
        "fn f(t: ({})) -> Int {{ match t {{ ({}) => 1, _ => 0 }} }}",
        ty.join(", "),
        pat.join(", ")
    );
    assert!(codes(&src).contains(&"E0320"));
}

#[test]
fn a_match_with_too_many_cases_is_rejected() {
    // Every combination of 13 Bools written out: 8192 leaves, over the limit of 4096.
    let cols = 13;
    let ty = vec!["Bool"; cols].join(", ");
    let arms: Vec<String> = (0..1u32 << cols)
        .map(|bits| {
            let row: Vec<&str> = (0..cols)
                .map(|i| if bits >> i & 1 == 1 { "true" } else { "false" })
                .collect();
            format!("({}) => 1", row.join(", "))
        })
        .collect();
    let src = format!(
        "fn f(t: ({ty})) -> Int {{ match t {{ {} }} }}",
        arms.join(", ")
    );
    assert_eq!(codes(&src), vec!["E0321"]);
}

/// Small expressions over `a: Int`, `b: Bool`, `s: String`, `o: Option<Int>`.
fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (-3i64..40).prop_map(|n| n.to_string()),
        Just("a".to_string()),
        Just("b".to_string()),
        Just("s".to_string()),
        Just("o".to_string()),
        Just("true".to_string()),
        Just("\"x\"".to_string()),
        Just("None".to_string()),
        Just("[]".to_string()),
        Just("nope".to_string()),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        let op = prop_oneof![
            Just("+"),
            Just("-"),
            Just("*"),
            Just("/"),
            Just("=="),
            Just("<"),
            Just("&&"),
            Just("||"),
            Just("++")
        ];
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(l, o, r)| format!("({l} {o} {r})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, t, e)| format!("if {c} {{ {t} }} else {{ {e} }}")),
            (inner.clone(), inner.clone())
                .prop_map(|(x, y)| format!("match o {{ Some(v) => {x}, None => {y} }}")),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("{{ let v = {x}; {y} }}")),
            inner.clone().prop_map(|x| format!("Some({x})")),
            inner.clone().prop_map(|x| format!("String.len({x})")),
            (inner.clone(), inner).prop_map(|(x, y)| format!("({x}, {y})")),
        ]
    })
}

fn ret_type() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("Int"),
        Just("Bool"),
        Just("String"),
        Just("Option<Int>")
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_checker_answers_with_a_program_or_with_diagnostics(body in expr(), ret in ret_type()) {
        let src = format!("fn f(a: Int, b: Bool, s: String, o: Option<Int>) -> {ret} {{ {body} }}");
        let (file, parse_errors) = quiver_lang::parser::parse(&src);
        prop_assume!(parse_errors.is_empty());
        let Some(file) = file else { return Ok(()) };
        let (program, diagnostics) = quiver_lang::check::check(&file);
        prop_assert_eq!(program.is_some(), diagnostics.is_empty());
        for d in &diagnostics {
            prop_assert!(d.span().end as usize <= src.len(), "{d:?}");
            prop_assert!(d.help.is_some(), "{d:?}");
            prop_assert!(d.message.starts_with(|c: char| !c.is_uppercase()), "{d:?}");
            prop_assert!(!d.message.ends_with('.'), "{d:?}");
        }
        if let Some(program) = program {
            prop_assert_eq!(program.fns[0].body.ty.to_string(), ret);
        }
    }
}
