//! The lexer: tokens and spans, keywords, literals, comments and lexical errors.

use quiver_lang::lexer::{Token, lex, print_tokens};

fn tokens(src: &str) -> Vec<Token> {
    let (tokens, diagnostics) = lex(src);
    assert_eq!(diagnostics, Vec::new(), "diagnostics for {src:?}");
    tokens.into_iter().map(|(t, _)| t).collect()
}

fn errors(src: &str) -> Vec<(&'static str, std::ops::Range<usize>, String)> {
    lex(src)
        .1
        .into_iter()
        .map(|d| (d.code, d.span().range(), d.message))
        .collect()
}

#[test]
fn keywords_are_tokens_but_down_is_an_identifier() {
    use Token::*;
    assert_eq!(
        tokens(
            "machine state input output invariant on migrate fn type enum let if else match assert true false down"
        ),
        [
            Machine,
            State,
            Input,
            Output,
            Invariant,
            On,
            Migrate,
            Fn,
            Type,
            Enum,
            Let,
            If,
            Else,
            Match,
            Assert,
            True,
            False,
            Ident("down".into())
        ]
    );
}

#[test]
fn closing_angle_brackets_are_always_single_tokens() {
    use Token::*;
    assert_eq!(tokens(">>>"), [Gt, Gt, Gt]);
    assert_eq!(tokens(">>"), [Gt, Gt]);
    assert_eq!(tokens(">= ->  =>"), [Ge, Arrow, FatArrow]);
}

#[test]
fn multi_character_operators_take_the_longest_match() {
    use Token::*;
    assert_eq!(
        tokens("*** &&& ||| ** && || | ++ + .. . == = != ! <= <"),
        [
            StarStarStar,
            AmpAmpAmp,
            PipePipePipe,
            Star,
            Star,
            AndAnd,
            OrOr,
            Pipe,
            PlusPlus,
            Plus,
            DotDot,
            Dot,
            EqEq,
            Assign,
            NotEq,
            Bang,
            Le,
            Lt
        ]
    );
}

#[test]
fn integers_allow_underscores_and_stop_at_two_to_the_sixty_third() {
    assert_eq!(
        tokens("1_000 9223372036854775808"),
        [Token::Int(1000), Token::Int(1 << 63)]
    );
    assert_eq!(
        errors("9223372036854775809"),
        [("E0004", 0..19, "integer literal out of range".to_owned())]
    );
}

#[test]
fn strings_decode_every_escape() {
    assert_eq!(
        tokens(r#""q\"b\\n\nt\tr\rz\0u\u{1F600}""#),
        [Token::Str("q\"b\\n\nt\tr\rz\0u\u{1F600}".into())]
    );
}

#[test]
fn bad_escapes_and_unterminated_strings_are_reported_and_lexing_goes_on() {
    assert_eq!(
        errors(r#""a\qb" "\u{110000}" "\u{}""#),
        [
            ("E0003", 2..4, "invalid escape in string literal".to_owned()),
            (
                "E0003",
                8..18,
                "invalid escape in string literal".to_owned()
            ),
            (
                "E0003",
                21..25,
                "invalid escape in string literal".to_owned()
            ),
        ]
    );
    let (tokens, diagnostics) = lex("x \"never closed");
    assert_eq!(diagnostics[0].code, "E0002");
    assert_eq!(diagnostics[0].span().range(), 2..3);
    assert_eq!(tokens[1].0, Token::Str("never closed".into()));
}

#[test]
fn unknown_characters_are_reported_with_their_span_and_skipped() {
    let (tokens, diagnostics) = lex("a @ b § c");
    let names: Vec<Token> = tokens.into_iter().map(|(t, _)| t).collect();
    assert_eq!(
        names,
        [
            Token::Ident("a".into()),
            Token::Ident("b".into()),
            Token::Ident("c".into())
        ]
    );
    let found: Vec<_> = diagnostics
        .iter()
        .map(|d| (d.code, d.span().range()))
        .collect();
    assert_eq!(found, [("E0001", 2..3), ("E0001", 6..8)]);
    assert_eq!(diagnostics[1].message, "unknown character `§`");
}

#[test]
fn comments_run_to_the_end_of_the_line() {
    assert_eq!(
        tokens("a // b c\nd // e"),
        [Token::Ident("a".into()), Token::Ident("d".into())]
    );
}

#[test]
fn tokens_display_as_written() {
    let shown: Vec<String> = tokens(r#"machine ; >= x 42 "s""#)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(shown, ["machine", ";", ">=", "x", "42", "\"s\""]);
}

#[test]
fn printed_tokens_show_one_token_per_line_with_its_byte_range() {
    insta::assert_snapshot!(print_tokens("on Incr(n) { count = count + n; Ok } @"));
}
