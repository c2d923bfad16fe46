//! Types as written: `Int`, `Counter.Input`, `Map<K, V>`, `(A, B)`, `()`, `{ a: A }`.
//!
//! `(A)` is just `A`; `(A,)` is a one-component tuple. Type arguments close with single `>`
//! tokens (the lexer never produces `>>`). Names are not resolved here.

use super::{P, ParseError, comma_list, ident, optional, path, span};
use crate::ast::TypeExpr;
use crate::lexer::Token;
use chumsky::prelude::*;

/// A type expression.
pub(super) fn type_expr<'t, E: ParseError<'t>>() -> impl P<'t, TypeExpr, E> {
    recursive(|ty| {
        let args = ty
            .clone()
            .separated_by(just(Token::Comma))
            .allow_trailing()
            .collect::<Vec<_>>()
            .delimited_by(just(Token::Lt), just(Token::Gt));
        let named = path()
            .then(optional(Token::Lt, args))
            .map_with(|(path, args), e| TypeExpr::Named {
                path,
                args: args.unwrap_or_default(),
                span: span(e.span()),
            });
        let parenthesised = comma_list(ty.clone())
            .delimited_by(just(Token::LParen), just(Token::RParen))
            .map_with(|(mut items, trailing_comma), e| {
                if items.len() == 1 && !trailing_comma {
                    items.remove(0)
                } else {
                    TypeExpr::Tuple(items, span(e.span()))
                }
            });
        let field = ident().then_ignore(just(Token::Colon)).then(ty);
        let record = field
            .separated_by(just(Token::Comma))
            .allow_trailing()
            .collect::<Vec<_>>()
            .delimited_by(just(Token::LBrace), just(Token::RBrace))
            .map_with(|fields, e| TypeExpr::Record(fields, span(e.span())));
        choice((named, parenthesised, record))
            .labelled("type")
            .boxed()
    })
}
