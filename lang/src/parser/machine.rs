//! `machine Name { ... }`: members in any order, then assembled into one `MachineDecl`.
//!
//! Members: `state { f: T = e, ... }`, `input`/`output` (a type or an inline variant list),
//! `invariant e`, `on Pattern { ... }`, `migrate(old: T) { ... }` and `migrate down(new: T)
//! { ... }` (`down` is recognised only here). A broken member is skipped up to the next member
//! keyword. Duplicate `state`/`input`/`output`/migrations and a missing `input`/`output` are
//! reported here, because the AST has room for exactly one of each.

use super::blocks::block;
use super::errors::Custom;
use super::exprs::expr;
use super::items::variant;
use super::patterns::pattern;
use super::types::type_expr;
use super::{P, ParseError, ident, recovery, span};
use crate::ast::{
    Expr, Handler, Ident, MachineDecl, MessageDecl, MigrateDecl, StateField, TypeExpr, VariantDecl,
};
use crate::lexer::Token;
use crate::span::Span;
use chumsky::prelude::*;

type Emitter<E> = chumsky::input::Emitter<E>;

/// One member as parsed, with the span of its keyword for duplicate reports.
#[derive(Clone, Debug)]
pub(super) enum Member {
    State(Vec<StateField>, Span),
    Input(MessageDecl, Span),
    Output(MessageDecl, Span),
    Invariant(Expr),
    Handler(Handler),
    MigrateUp(MigrateDecl),
    MigrateDown(MigrateDecl),
    /// A broken member, already reported.
    Error,
}

/// The `{ members }` body of `machine Name`; `name` and the span start come from the caller.
pub(super) fn machine_body<'t, E: ParseError<'t>>() -> impl P<'t, Vec<Member>, E> {
    member()
        .recover_with(via_parser(recovery::member().to(Member::Error)))
        .repeated()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LBrace), just(Token::RBrace))
}

fn member<'t, E: ParseError<'t>>() -> impl P<'t, Member, E> {
    let keyword_span = |token: Token| just(token).map_with(|_, e| span(e.span()));
    let state_field = ident()
        .then_ignore(just(Token::Colon))
        .then(type_expr())
        .then_ignore(just(Token::Assign))
        .then(expr())
        .map_with(|((name, ty), init), e| StateField {
            name,
            ty,
            init,
            span: span(e.span()),
        });
    let state = just(Token::State)
        .ignore_then(
            state_field
                .separated_by(just(Token::Comma))
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map_with(|fields, e| Member::State(fields, span(e.span())));
    let input = keyword_span(Token::Input)
        .then(message())
        .map(|(at, message)| Member::Input(message, at));
    let output = keyword_span(Token::Output)
        .then(message())
        .map(|(at, message)| Member::Output(message, at));
    let invariant = just(Token::Invariant)
        .ignore_then(expr())
        .map(Member::Invariant);
    let handler = just(Token::On)
        .ignore_then(pattern())
        .then(block(expr()))
        .map_with(|(pattern, body), e| {
            Member::Handler(Handler {
                pattern,
                body,
                span: span(e.span()),
            })
        });
    choice((state, input, output, invariant, handler, migrate()))
        .labelled("machine member")
        .boxed()
}

/// `migrate(old: T) { ... }` or `migrate down(new: T) { ... }`.
fn migrate<'t, E: ParseError<'t>>() -> impl P<'t, Member, E> {
    let down = select! { Token::Ident(word) if word == "down" => () };
    let param = ident()
        .then_ignore(just(Token::Colon))
        .then(type_expr())
        .delimited_by(just(Token::LParen), just(Token::RParen));
    just(Token::Migrate)
        .ignore_then(down.or_not())
        .then(param)
        .then(block(expr()))
        .map_with(|((down, (param, ty)), body), e| {
            let decl = MigrateDecl {
                param,
                ty,
                body,
                span: span(e.span()),
            };
            match down {
                Some(()) => Member::MigrateDown(decl),
                None => Member::MigrateUp(decl),
            }
        })
}

/// What follows `input`/`output`: an inline variant list, or a type. A single bare name
/// (`input Ping`) is a type name; a one-variant list is written `input Ping()` or
/// `input | Ping`.
fn message<'t, E: ParseError<'t>>() -> impl P<'t, MessageDecl, E> {
    let variants = just(Token::Pipe)
        .or_not()
        .then(
            variant()
                .separated_by(just(Token::Pipe))
                .at_least(1)
                .collect::<Vec<_>>(),
        )
        .try_map(|(leading_pipe, variants), at| {
            let single_bare_name = matches!(variants.as_slice(), [(_, false)]);
            if leading_pipe.is_none() && single_bare_name {
                return Err(E::message(at, "a single bare name is a type"));
            }
            let variants: Vec<VariantDecl> = variants.into_iter().map(|(v, _)| v).collect();
            Ok(MessageDecl::Variants(variants, span(at)))
        });
    variants.or(type_expr().map(MessageDecl::Type))
}

/// Builds the declaration from its members, reporting duplicates and missing ones.
pub(super) fn assemble<'t, E: ParseError<'t>>(
    name: Ident,
    members: Vec<Member>,
    at: Span,
    emitter: &mut Emitter<E>,
) -> MachineDecl {
    let mut state: Option<(Vec<StateField>, Span)> = None;
    let mut input: Option<(MessageDecl, Span)> = None;
    let mut output: Option<(MessageDecl, Span)> = None;
    let mut decl = MachineDecl {
        name: name.clone(),
        state: Vec::new(),
        state_span: name.span,
        input: MessageDecl::Type(TypeExpr::Error(name.span)),
        output: MessageDecl::Type(TypeExpr::Error(name.span)),
        invariants: Vec::new(),
        handlers: Vec::new(),
        migrate_up: None,
        migrate_down: None,
        span: at,
    };
    for member in members {
        match member {
            Member::State(fields, s) => set_once(&mut state, (fields, s), s, "state", emitter),
            Member::Input(m, s) => set_once(&mut input, (m, s), s, "input", emitter),
            Member::Output(m, s) => set_once(&mut output, (m, s), s, "output", emitter),
            Member::Invariant(e) => decl.invariants.push(e),
            Member::Handler(h) => decl.handlers.push(h),
            Member::MigrateUp(m) => {
                let s = m.span;
                set_once(&mut decl.migrate_up, m, s, "migrate", emitter)
            }
            Member::MigrateDown(m) => {
                let s = m.span;
                set_once(&mut decl.migrate_down, m, s, "migrate down", emitter)
            }
            Member::Error => {}
        }
    }
    if let Some((fields, s)) = state {
        decl.state = fields;
        decl.state_span = s;
    }
    match input {
        Some((m, _)) => decl.input = m,
        None => emitter.emit(E::custom(missing_member(&name, "input"))),
    }
    match output {
        Some((m, _)) => decl.output = m,
        None => emitter.emit(E::custom(missing_member(&name, "output"))),
    }
    decl
}

fn set_once<'t, T, E: ParseError<'t>>(
    slot: &mut Option<T>,
    value: T,
    at: Span,
    what: &str,
    emitter: &mut Emitter<E>,
) {
    if slot.is_some() {
        emitter.emit(E::custom(Custom::new(
            "E0106",
            at,
            format!("`{what}` is declared twice in one machine"),
            "second declaration",
            format!("a machine has at most one `{what}`: remove or merge one of them"),
        )));
    } else {
        *slot = Some(value);
    }
}

fn missing_member(name: &Ident, what: &str) -> Custom {
    Custom::new(
        "E0105",
        name.span,
        format!("machine `{}` has no `{what}`", name.name),
        format!("no `{what}` declared"),
        format!("declare it, e.g. `{what} A | B(Int)`"),
    )
}
