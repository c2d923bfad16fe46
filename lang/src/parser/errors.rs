//! Converts chumsky's `Rich` errors into [`Diagnostic`]s: "expected X, found Y" with the
//! token names in backticks, a label at the span, and help that says what to do next.
//!
//! The parser's own checks (chained comparisons, missing commas, duplicate members...) travel
//! through chumsky as `Rich::custom` errors carrying an encoded [`Custom`]; this module is the
//! only place that encodes and decodes them, so chumsky types never leave `parser/`.

use super::span;
use crate::diagnostic::Diagnostic;
use crate::lexer::Token;
use crate::span::Span;
use chumsky::error::{Rich, RichPattern, RichReason};
use chumsky::prelude::SimpleSpan;

/// Code of an "expected X, found Y" syntax error.
const UNEXPECTED_TOKEN: &str = "E0101";

/// Every code a [`Custom`] error may carry (decoding maps the text back to the static str).
const CUSTOM_CODES: &[&str] = &[
    "E0102", "E0103", "E0104", "E0105", "E0106", "E0107", "E0108", "E0109", "E0110",
];

/// Separates the fields of an encoded [`Custom`] error; it cannot occur in any message.
const FIELD_SEPARATOR: char = '\u{1f}';

/// A parser-specific error with its own code, message, label and help.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Custom {
    pub code: &'static str,
    pub span: Span,
    pub message: String,
    pub label: String,
    pub help: String,
}

impl Custom {
    pub fn new(
        code: &'static str,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) -> Custom {
        Custom {
            code,
            span,
            message: message.into(),
            label: label.into(),
            help: help.into(),
        }
    }

    pub fn missing_comma(span: Span) -> Custom {
        Custom::new(
            UNEXPECTED_TOKEN,
            span,
            "expected `,` between items",
            "missing `,`",
            "separate the items with `,`",
        )
    }

    fn into_diagnostic(self) -> Diagnostic {
        Diagnostic::new(self.code, self.message, self.span, self.label).with_help(self.help)
    }
}

/// Wraps a [`Custom`] error as a chumsky error (for `validate` and `try_map`).
pub(super) fn custom<'t>(error: Custom) -> Rich<'t, Token, SimpleSpan> {
    let span = SimpleSpan::from(error.span.range());
    let encoded =
        [error.code, &error.message, &error.label, &error.help].join(&FIELD_SEPARATOR.to_string());
    Rich::custom(span, encoded)
}

fn decode_custom(span: Span, encoded: &str) -> Diagnostic {
    let mut fields = encoded.split(FIELD_SEPARATOR);
    let code_text = fields.next().unwrap_or_default();
    let code = CUSTOM_CODES
        .iter()
        .chain(std::iter::once(&UNEXPECTED_TOKEN))
        .find(|c| **c == code_text)
        .copied()
        .unwrap_or(UNEXPECTED_TOKEN);
    let message = fields.next().unwrap_or_default();
    let label = fields.next().unwrap_or_default();
    let help = fields.next().unwrap_or_default();
    Custom::new(code, span, message, label, help).into_diagnostic()
}

/// Every chumsky error as a diagnostic, in source order, at most one per start position:
/// recovery at two levels can report the same failure twice, and the first (innermost) one
/// is the most precise.
pub(super) fn convert(errors: Vec<Rich<'_, Token, SimpleSpan>>) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = errors.into_iter().map(convert_one).collect();
    diagnostics.sort_by_key(|d| d.span().start);
    diagnostics.dedup_by_key(|d| d.span().start);
    diagnostics
}

fn convert_one(error: Rich<'_, Token, SimpleSpan>) -> Diagnostic {
    let at = span(*error.span());
    match error.into_reason() {
        RichReason::Custom(encoded) => decode_custom(at, &encoded),
        RichReason::ExpectedFound { expected, found } => {
            let found = found.map(|t| (*t).clone());
            expected_found(at, &expected, found.as_ref())
        }
    }
}

fn expected_found(
    at: Span,
    expected: &[RichPattern<'_, Token>],
    found: Option<&Token>,
) -> Diagnostic {
    let wanted = expected_names(expected);
    let found_text = found.map_or_else(|| "end of input".to_owned(), describe);
    let message = if wanted.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!(
            "expected {}, found {found_text}",
            join_alternatives(&wanted)
        )
    };
    Diagnostic::new(
        UNEXPECTED_TOKEN,
        message,
        at,
        format!("unexpected {found_text}"),
    )
    .with_help(help_for(expected, found))
}

/// How a found token is named in messages: "`;`", "identifier `count`", "integer `3`".
pub(super) fn describe(token: &Token) -> String {
    match token {
        Token::Ident(name) => format!("identifier `{name}`"),
        Token::Int(n) => format!("integer `{n}`"),
        Token::Str(_) => "string literal".to_owned(),
        other => format!("`{other}`"),
    }
}

fn is_operator(token: &Token) -> bool {
    use Token::*;
    matches!(
        token,
        EqEq | NotEq
            | Lt
            | Le
            | Gt
            | Ge
            | Plus
            | Minus
            | Star
            | Slash
            | Percent
            | PlusPlus
            | AndAnd
            | OrOr
            | Dot
            | LParen
    )
}

/// The expected things as message text. Operators are left out when something else was also
/// expected: after a complete expression "expected `;`" helps, a list of every operator does not.
fn expected_names(expected: &[RichPattern<'_, Token>]) -> Vec<String> {
    let only_operators = expected
        .iter()
        .all(|p| matches!(p, RichPattern::Token(t) if is_operator(t)));
    let mut names: Vec<String> = expected
        .iter()
        .filter_map(|pattern| match pattern {
            RichPattern::Token(t) if only_operators || !is_operator(t) => {
                Some(format!("`{}`", **t))
            }
            RichPattern::Token(_) => None,
            RichPattern::Label(label) => Some(label.to_string()),
            RichPattern::Identifier(word) => Some(format!("`{word}`")),
            RichPattern::EndOfInput => Some("end of input".to_owned()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// "`a`", "`a` or `b`", "`a`, `b` or `c`".
fn join_alternatives(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Help for an expected label, when the label is what was missing.
const LABEL_HELP: &[(&str, &str)] = &[
    ("expression", "write an expression here"),
    (
        "pattern",
        "write a pattern here, e.g. `Name(x)`, `x` or `_`",
    ),
    ("type", "write a type here, e.g. `Int` or `List<String>`"),
    (
        "machine member",
        "a machine holds `state`, `input`, `output`, `invariant`, `on` and `migrate` members",
    ),
    (
        "item (`machine`, `fn`, `type` or `enum`)",
        "a file holds `machine`, `fn`, `type` and `enum` items",
    ),
    ("identifier", "write a name here"),
];

/// What to do next, from what was expected: a missing `;` first, then the most specific
/// closing token, then what a missing label means.
fn help_for(expected: &[RichPattern<'_, Token>], found: Option<&Token>) -> String {
    let wants = |token: Token| {
        expected
            .iter()
            .any(|p| matches!(p, RichPattern::Token(t) if **t == token))
    };
    if wants(Token::Semi) && found != Some(&Token::RBrace) {
        return "add `;` after the statement".to_owned();
    }
    let starts_an_item = matches!(found, Some(Token::Ident(_) | Token::Int(_) | Token::Str(_)));
    if wants(Token::Comma) && starts_an_item {
        return "separate the items with `,`".to_owned();
    }
    let closers = [
        (Token::RParen, "close the parenthesis with `)`"),
        (Token::RBracket, "close the list with `]`"),
        (Token::Gt, "close the type arguments with `>`"),
        (Token::RBrace, "close the block with `}`"),
        (
            Token::FatArrow,
            "write `=>` between a pattern and its result",
        ),
        (Token::Assign, "write `=` before the value"),
        (Token::Colon, "write `:` before the type"),
        (Token::Comma, "separate the items with `,`"),
    ];
    for (token, help) in closers {
        if wants(token) {
            return help.to_owned();
        }
    }
    let label_help = expected.iter().find_map(|p| match p {
        RichPattern::Label(label) => LABEL_HELP
            .iter()
            .find(|(l, _)| *l == label.as_ref())
            .map(|(_, help)| (*help).to_owned()),
        _ => None,
    });
    if let Some(help) = label_help {
        return help;
    }
    match found {
        None => "the file ended early: finish the construct before the end".to_owned(),
        Some(token) => format!(
            "remove {} or check the syntax in spec/language.md",
            describe(token)
        ),
    }
}
