//! Properties: no input makes the lexer or parser panic, and diagnostics always point inside
//! the source.

use proptest::prelude::*;

const TOKEN_TEXTS: &[&str] = &[
    "machine",
    "state",
    "input",
    "output",
    "invariant",
    "on",
    "migrate",
    "down",
    "fn",
    "type",
    "enum",
    "let",
    "if",
    "else",
    "match",
    "assert",
    "true",
    "false",
    "x",
    "Count",
    "_",
    "0",
    "42",
    "9223372036854775808",
    "\"s\"",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    ";",
    ".",
    "..",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "++",
    "&&",
    "||",
    "!",
    "->",
    "=>",
    "|",
    "***",
    "&&&",
    "|||",
];

fn token_soup() -> impl Strategy<Value = String> {
    let token = prop::sample::select(TOKEN_TEXTS);
    let separator = prop::sample::select(&[" ", "", "\n"][..]);
    prop::collection::vec((token, separator), 0..120).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(t, s)| format!("{t}{s}"))
            .collect::<String>()
    })
}

/// Runs every entry point; checks every diagnostic span lies within the source.
fn parse_everything(src: &str) {
    let (_, lex_errors) = quiver_lang::lexer::lex(src);
    let (_, file_errors) = quiver_lang::parser::parse(src);
    let (_, expr_errors) = quiver_lang::parser::parse_expr(src);
    let (_, type_errors) = quiver_lang::parser::parse_type(src);
    let _ = quiver_lang::lexer::print_tokens(src);
    for d in lex_errors
        .iter()
        .chain(&file_errors)
        .chain(&expr_errors)
        .chain(&type_errors)
    {
        let span = d.span();
        assert!(
            span.start <= span.end && span.end as usize <= src.len(),
            "{d:?} in {src:?}"
        );
        assert!(!d.message.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_strings_never_make_the_parser_panic(src in "\\PC{0,200}") {
        parse_everything(&src);
    }

    #[test]
    fn token_soups_never_make_the_parser_panic(src in token_soup()) {
        parse_everything(&src);
    }

    #[test]
    fn a_machine_with_a_token_soup_handler_never_panics(body in token_soup()) {
        let src = format!("machine M {{ input A output O on A {{ {body} }} on B {{ Ok }} }}");
        parse_everything(&src);
    }
}

/// Found by `token_soups_never_make_the_parser_panic`: a missing comma after a list item
/// followed by whitespace gave a span whose start lay after its end.
#[test]
fn a_missing_comma_points_just_after_the_item_before_it() {
    let src = "[ x x {}\n] ++enum|\n* true \"s\"-* trueif\n| | else}\n== .Countinput(enum\n_|\n++\n0-> } }";
    parse_everything(src);
    let (_, errors) = quiver_lang::parser::parse_expr("[ x  x ]");
    let comma = errors
        .iter()
        .find(|d| d.message == "expected `,` between items")
        .expect("the missing comma is reported");
    assert_eq!(comma.span().range(), 3..3);
}
