//! Patterns: `_`, bindings, constructors with argument patterns, literals (negative integers
//! included) and tuples.
//!
//! An identifier that starts with an upper-case letter (or any dotted path) is a constructor;
//! a single identifier starting with a lower-case letter or `_` binds a variable; `_` alone is
//! the wildcard. `(p)` is just `p`; `()` is the empty tuple. Whether a constructor exists is
//! for the checker to say.

use super::errors::Custom;
use super::{P, ParseError, comma_list, optional, path, span};
use crate::ast::{Path, Pattern};
use crate::lexer::Token;
use chumsky::prelude::*;

/// A pattern.
pub(super) fn pattern<'t, E: ParseError<'t>>() -> impl P<'t, Pattern, E> {
    recursive(|pat| {
        let literal = select! {
            Token::Str(s) = e => Pattern::Str(s, span(e.span())),
            Token::True = e => Pattern::Bool(true, span(e.span())),
            Token::False = e => Pattern::Bool(false, span(e.span())),
        };
        let int = just(Token::Minus)
            .or_not()
            .then(select! { Token::Int(n) => n })
            .validate(|(minus, magnitude), e, emitter| {
                let at = span(e.span());
                match super::exprs::int_value(minus.is_some(), magnitude) {
                    Some(value) => Pattern::Int(value, at),
                    None => {
                        emitter.emit(E::custom(super::exprs::int_too_large(at)));
                        Pattern::Error(at)
                    }
                }
            });
        let args = comma_list(pat.clone())
            .delimited_by(just(Token::LParen), just(Token::RParen))
            .map(|(items, _)| items);
        let named =
            path()
                .then(optional(Token::LParen, args))
                .validate(|(path, args), e, emitter| {
                    named_pattern(path, args, span(e.span()), emitter)
                });
        let parenthesised = comma_list(pat)
            .delimited_by(just(Token::LParen), just(Token::RParen))
            .map_with(|(mut items, trailing_comma), e| {
                if items.len() == 1 && !trailing_comma {
                    items.remove(0)
                } else {
                    Pattern::Tuple(items, span(e.span()))
                }
            });
        choice((int, literal, named, parenthesised))
            .labelled("pattern")
            .boxed()
    })
}

type Emitter<E> = chumsky::input::Emitter<E>;

/// Classifies a path pattern: wildcard, binding or constructor.
fn named_pattern<'t, E: ParseError<'t>>(
    path: Path,
    args: Option<Vec<Pattern>>,
    at: crate::span::Span,
    emitter: &mut Emitter<E>,
) -> Pattern {
    let is_binding = match path.segments.as_slice() {
        [only] => only
            .name
            .starts_with(|c: char| c.is_ascii_lowercase() || c == '_'),
        _ => false,
    };
    if !is_binding {
        return Pattern::Ctor {
            path,
            args: args.unwrap_or_default(),
            span: at,
        };
    }
    if args.is_some() {
        emitter.emit(E::custom(Custom::new(
            "E0108",
            at,
            "a variable pattern cannot take arguments",
            "lower-case names bind variables",
            "constructors start with an upper-case letter: write `Name(...)`",
        )));
        return Pattern::Error(at);
    }
    let mut segments = path.segments;
    let ident = segments.remove(0);
    if ident.name == "_" {
        Pattern::Wildcard(ident.span)
    } else {
        Pattern::Bind(ident)
    }
}
