//! Top-level items: `type`, `enum`, `fn`, `machine Name { ... }` and `machine Name = ...`.
//!
//! A broken item is skipped up to the next item keyword, so one run reports errors in
//! several items. Machine bodies are in [`super::machine`], machine expressions in
//! [`super::compose`].

use super::blocks::block;
use super::compose::machine_expr;
use super::exprs::expr;
use super::machine::{assemble, machine_body};
use super::types::type_expr;
use super::{P, ParseError, comma_list, ident, optional, recovery, span};
use crate::ast::{ComposeDecl, EnumDecl, File, FnDecl, Item, Param, TypeDecl, VariantDecl};
use crate::lexer::Token;
use chumsky::prelude::*;

/// A whole file: items until the end of input.
pub(super) fn file<'t, E: ParseError<'t>>() -> impl P<'t, File, E> {
    item()
        .map(Some)
        .recover_with(via_parser(recovery::item().to(None)))
        .repeated()
        .collect::<Vec<_>>()
        .map(|items| File {
            items: items.into_iter().flatten().collect(),
        })
}

fn item<'t, E: ParseError<'t>>() -> impl P<'t, Item, E> {
    choice((type_decl(), enum_decl(), fn_decl(), machine()))
        .labelled("item (`machine`, `fn`, `type` or `enum`)")
        .boxed()
}

/// `Name` or `Name(T, ...)`, with whether parentheses were written.
pub(super) fn variant<'t, E: ParseError<'t>>() -> impl P<'t, (VariantDecl, bool), E> {
    let fields = comma_list(type_expr())
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .map(|(fields, _)| fields);
    ident()
        .then(optional(Token::LParen, fields))
        .map_with(|(name, fields), e| {
            let had_parens = fields.is_some();
            let decl = VariantDecl {
                name,
                fields: fields.unwrap_or_default(),
                span: span(e.span()),
            };
            (decl, had_parens)
        })
}

fn type_decl<'t, E: ParseError<'t>>() -> impl P<'t, Item, E> {
    just(Token::Type)
        .ignore_then(ident())
        .then_ignore(just(Token::Assign))
        .then(type_expr())
        .map_with(|(name, ty), e| {
            Item::Type(TypeDecl {
                name,
                ty,
                span: span(e.span()),
            })
        })
}

fn enum_decl<'t, E: ParseError<'t>>() -> impl P<'t, Item, E> {
    just(Token::Enum)
        .ignore_then(ident())
        .then(
            variant()
                .map(|(decl, _)| decl)
                .separated_by(just(Token::Comma))
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map_with(|(name, variants), e| {
            Item::Enum(EnumDecl {
                name,
                variants,
                span: span(e.span()),
            })
        })
}

fn fn_decl<'t, E: ParseError<'t>>() -> impl P<'t, Item, E> {
    let param = ident()
        .then_ignore(just(Token::Colon))
        .then(type_expr())
        .map(|(name, ty)| Param { name, ty });
    let params = comma_list(param)
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .map(|(params, _)| params);
    just(Token::Fn)
        .ignore_then(ident())
        .then(params)
        .then_ignore(just(Token::Arrow))
        .then(type_expr())
        .then(block(expr()))
        .map_with(|(((name, params), ret), body), e| {
            Item::Fn(FnDecl {
                name,
                params,
                ret,
                body,
                span: span(e.span()),
            })
        })
}

/// `machine Name { ... }` or `machine Name = <machine expression>`.
fn machine<'t, E: ParseError<'t>>() -> impl P<'t, Item, E> {
    let compose = just(Token::Assign).ignore_then(machine_expr()).map(Ok);
    let body = machine_body().map(Err);
    just(Token::Machine)
        .ignore_then(ident())
        .then(compose.or(body))
        .validate(|(name, rest), e, emitter| {
            let at = span(e.span());
            match rest {
                Ok(expr) => Item::Compose(ComposeDecl {
                    name,
                    expr,
                    span: at,
                }),
                Err(members) => Item::Machine(assemble(name, members, at, emitter)),
            }
        })
}
