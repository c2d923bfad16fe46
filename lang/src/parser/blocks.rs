//! Braces and everything inside them: blocks and statements, record, update and map
//! literals, `if` and `match`.
//!
//! A `{` in expression position is decided by its first one or two tokens, never by
//! backtracking: `{}` is `EmptyBraces`; `{ ..e, ... }` an update; `{ ident: ...` a record;
//! otherwise the contents are block items, and a first expression followed by `:` makes the
//! whole thing a map literal. A block is a list of statements and an optional final
//! expression (its value); a statement-position `if`, `match` or block needs no `;`.

use super::errors::Custom;
use super::patterns::pattern;
use super::types::type_expr;
use super::{P, ParseError, ident, optional, recovery, span};
use crate::ast::{Block, Expr, ExprKind, MatchArm, Pattern, Stmt};
use crate::lexer::Token;
use crate::span::Span;
use chumsky::prelude::*;

type Emitter<E> = chumsky::input::Emitter<E>;

/// One entry of a block before it is sorted into statements and a result.
#[derive(Clone, Debug)]
enum BlockItem {
    /// `let`, `assert`, or a skipped broken statement.
    Stmt(Stmt),
    /// `target = value;`; the target is checked to be a plain name later.
    Assign { target: Expr, value: Expr, at: Span },
    /// An expression, with whether a `;` followed it.
    Expr { expr: Expr, semicolon: bool },
    /// `key: value, ...`: the start of a map literal (only valid as the sole item).
    Map(Vec<(Expr, Expr)>),
}

/// What may follow an expression at the start of a block item.
#[derive(Clone, Debug)]
enum Tail {
    Assign(Expr),
    Semicolon,
    Map(Expr, Vec<(Expr, Expr)>),
    Nothing,
}

fn let_statement<'t, E: ParseError<'t>>(
    expr: impl P<'t, Expr, E> + 't,
) -> impl P<'t, BlockItem, E> {
    just(Token::Let)
        .ignore_then(ident())
        .then(optional(
            Token::Colon,
            just(Token::Colon).ignore_then(type_expr()),
        ))
        .then_ignore(just(Token::Assign))
        .then(expr)
        .then_ignore(just(Token::Semi))
        .map_with(|((name, ty), value), e| {
            BlockItem::Stmt(Stmt::Let {
                name,
                ty,
                value,
                span: span(e.span()),
            })
        })
}

fn assert_statement<'t, E: ParseError<'t>>(
    expr: impl P<'t, Expr, E> + 't,
) -> impl P<'t, BlockItem, E> {
    just(Token::Assert)
        .ignore_then(expr)
        .then_ignore(just(Token::Semi))
        .map_with(|cond, e| {
            BlockItem::Stmt(Stmt::Assert {
                cond,
                span: span(e.span()),
            })
        })
}

/// What may follow the expression that starts a block item.
fn tail<'t, E: ParseError<'t>>(expr: impl P<'t, Expr, E> + 't) -> impl P<'t, Tail, E> {
    let entry = expr
        .clone()
        .then_ignore(just(Token::Colon))
        .then(expr.clone());
    let map_tail = just(Token::Colon)
        .ignore_then(expr.clone())
        .then(
            just(Token::Comma)
                .ignore_then(entry)
                .repeated()
                .collect::<Vec<_>>(),
        )
        .then_ignore(just(Token::Comma).or_not())
        .map(|(value, rest)| Tail::Map(value, rest));
    choice((
        just(Token::Assign)
            .ignore_then(expr)
            .then_ignore(just(Token::Semi))
            .map(Tail::Assign),
        just(Token::Semi).to(Tail::Semicolon),
        map_tail,
        // Nothing follows: the block's value before `}`, or a statement-position `if`,
        // `match` or block (checked in `to_block`). Never before `=` or `:`, so that a broken
        // assignment or map entry fails as a whole and is skipped by statement recovery.
        one_of([Token::Assign, Token::Colon])
            .not()
            .to(Tail::Nothing),
    ))
}

fn block_item<'t, E: ParseError<'t>>(expr: impl P<'t, Expr, E> + 't) -> impl P<'t, BlockItem, E> {
    let expr_item = expr
        .clone()
        .then(tail(expr.clone()))
        .map_with(|(expr, tail), e| match tail {
            Tail::Assign(value) => BlockItem::Assign {
                target: expr,
                value,
                at: span(e.span()),
            },
            Tail::Semicolon => BlockItem::Expr {
                expr,
                semicolon: true,
            },
            Tail::Nothing => BlockItem::Expr {
                expr,
                semicolon: false,
            },
            Tail::Map(value, rest) => {
                let mut entries = vec![(expr, value)];
                entries.extend(rest);
                BlockItem::Map(entries)
            }
        });
    choice((
        let_statement(expr.clone()),
        assert_statement(expr),
        expr_item,
    ))
    .recover_with(via_parser(recovery::statement().map_with(|(), e| {
        BlockItem::Stmt(Stmt::Expr(Expr {
            kind: ExprKind::Error,
            span: span(e.span()),
        }))
    })))
    .boxed()
}

fn block_items<'t, E: ParseError<'t>>(
    expr: impl P<'t, Expr, E> + 't,
) -> impl P<'t, Vec<BlockItem>, E> {
    block_item(expr).repeated().collect::<Vec<_>>()
}

fn is_block_like(expr: &Expr) -> bool {
    matches!(
        expr.kind,
        ExprKind::If { .. } | ExprKind::Match { .. } | ExprKind::Block(_)
    )
}

/// Sorts block items into statements and a final expression, reporting what is misplaced.
fn to_block<'t, E: ParseError<'t>>(
    items: Vec<BlockItem>,
    at: Span,
    emitter: &mut Emitter<E>,
) -> Block {
    let count = items.len();
    let mut stmts = Vec::new();
    let mut result = None;
    for (index, item) in items.into_iter().enumerate() {
        let is_last = index + 1 == count;
        match item {
            BlockItem::Stmt(stmt) => stmts.push(stmt),
            BlockItem::Assign { target, value, at } => {
                stmts.push(assignment(target, value, at, emitter))
            }
            BlockItem::Expr {
                expr,
                semicolon: false,
            } if is_last => result = Some(Box::new(expr)),
            BlockItem::Expr { expr, semicolon } => {
                if !semicolon && !is_block_like(&expr) {
                    emitter.emit(E::custom(missing_semicolon(expr.span)));
                }
                stmts.push(Stmt::Expr(expr));
            }
            BlockItem::Map(entries) => {
                let key_span = entries.first().map_or(at, |(key, _)| key.span);
                emitter.emit(E::custom(misplaced_map(key_span)));
            }
        }
    }
    Block {
        stmts,
        result,
        span: at,
    }
}

fn assignment<'t, E: ParseError<'t>>(
    target: Expr,
    value: Expr,
    at: Span,
    emitter: &mut Emitter<E>,
) -> Stmt {
    if let ExprKind::Path(path) = &target.kind
        && let [name] = path.segments.as_slice()
    {
        return Stmt::Assign {
            target: name.clone(),
            value,
            span: at,
        };
    }
    emitter.emit(E::custom(Custom::new(
        "E0107",
        target.span,
        "cannot assign to this expression",
        "not a state field name",
        "only state fields can be assigned, by name: `field = value;`",
    )));
    Stmt::Expr(value)
}

fn missing_semicolon(after: Span) -> Custom {
    Custom::new(
        "E0101",
        Span::new(after.end as usize, after.end as usize),
        "expected `;` after expression",
        "missing `;`",
        "add `;` after the statement",
    )
}

fn misplaced_map(at: Span) -> Custom {
    Custom::new(
        "E0109",
        at,
        "a map literal needs braces of its own",
        "`key: value` is only valid directly inside map braces",
        "write the map as the block's value: `{ {key: value} }`",
    )
}

/// `{ stmt* expr? }`
pub(super) fn block<'t, E: ParseError<'t>>(expr: impl P<'t, Expr, E> + 't) -> impl P<'t, Block, E> {
    block_items(expr)
        .delimited_by(just(Token::LBrace), just(Token::RBrace))
        .validate(|items, e, emitter| to_block(items, span(e.span()), emitter))
        .recover_with(via_parser(nested_delimiters(
            Token::LBrace,
            Token::RBrace,
            [],
            |at| Block {
                stmts: Vec::new(),
                result: Some(Box::new(Expr {
                    kind: ExprKind::Error,
                    span: span(at),
                })),
                span: span(at),
            },
        )))
        .labelled("block")
        .boxed()
}

/// `{}`, `{ ..base, f: x }`, `{ f: x }`, `{ key: value }` or a block, in expression position.
pub(super) fn brace_expr<'t, E: ParseError<'t>>(
    expr: impl P<'t, Expr, E> + 't,
) -> impl P<'t, Expr, E> {
    let field = ident().then_ignore(just(Token::Colon)).then(expr.clone());
    let fields = field
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>();
    let empty_braces = just(Token::RBrace).rewind().to(ExprKind::EmptyBraces);
    let update = just(Token::DotDot)
        .ignore_then(expr.clone())
        .then(optional(
            Token::Comma,
            just(Token::Comma).ignore_then(fields.clone()),
        ))
        .map(|(base, fields)| ExprKind::Update {
            base: Box::new(base),
            fields: fields.unwrap_or_default(),
        });
    let record_start = ident().then(just(Token::Colon)).rewind();
    let record = record_start
        .clone()
        .ignore_then(fields)
        .map(ExprKind::Record);
    let block_or_map = record_start
        .not()
        .ignore_then(block_items(expr))
        .map_with(|items, e| (items, span(e.span())));
    let contents = choice((
        empty_braces.map(|kind| (kind, None)),
        update.map(|kind| (kind, None)),
        record.map(|kind| (kind, None)),
        block_or_map.map(|items| (ExprKind::Error, Some(items))),
    ));
    contents
        .delimited_by(just(Token::LBrace), just(Token::RBrace))
        .validate(|(kind, items), e, emitter| {
            let at = span(e.span());
            let kind = match items {
                None => kind,
                Some((items, _)) => block_or_map_kind(items, at, emitter),
            };
            Expr { kind, span: at }
        })
        .boxed()
}

fn block_or_map_kind<'t, E: ParseError<'t>>(
    items: Vec<BlockItem>,
    at: Span,
    emitter: &mut Emitter<E>,
) -> ExprKind {
    if let [BlockItem::Map(_)] = items.as_slice() {
        if let Some(BlockItem::Map(entries)) = items.into_iter().next() {
            return ExprKind::Map(entries);
        }
        return ExprKind::Error;
    }
    ExprKind::Block(to_block(items, at, emitter))
}

/// `if c { } else { }`, with `else if` chains nesting an `If` as the else block's result.
pub(super) fn if_expr<'t, E: ParseError<'t>>(
    expr: impl P<'t, Expr, E> + 't,
) -> impl P<'t, Expr, E> {
    recursive(|if_expr| {
        let else_if = if_expr.map(|nested: Expr| Block {
            span: nested.span,
            stmts: Vec::new(),
            result: Some(Box::new(nested)),
        });
        let else_branch = just(Token::Else).ignore_then(else_if.or(block(expr.clone())));
        just(Token::If)
            .ignore_then(expr.clone())
            .then(block(expr.clone()))
            .then(optional(Token::Else, else_branch))
            .map_with(|((cond, then_block), else_block), e| Expr {
                kind: ExprKind::If {
                    cond: Box::new(cond),
                    then_block,
                    else_block,
                },
                span: span(e.span()),
            })
            .boxed()
    })
}

/// `match e { Pat => expr, ... }`; the `,` after an arm whose body is a block is optional.
pub(super) fn match_expr<'t, E: ParseError<'t>>(
    expr: impl P<'t, Expr, E> + 't,
) -> impl P<'t, Expr, E> {
    let arm = pattern()
        .then_ignore(just(Token::FatArrow))
        .then(expr.clone())
        .map_with(|(pattern, body), e| MatchArm {
            pattern,
            body,
            span: span(e.span()),
        })
        .recover_with(via_parser(recovery::match_arm().map_with(|(), e| {
            let at = span(e.span());
            MatchArm {
                pattern: Pattern::Error(at),
                body: Expr {
                    kind: ExprKind::Error,
                    span: at,
                },
                span: at,
            }
        })));
    let arms = arm
        .then(just(Token::Comma).or_not().map(|c| c.is_some()))
        .repeated()
        .collect::<Vec<_>>()
        .validate(|arms, _, emitter| check_arm_commas(arms, emitter));
    just(Token::Match)
        .ignore_then(expr)
        .then(arms.delimited_by(just(Token::LBrace), just(Token::RBrace)))
        .map_with(|(scrutinee, arms), e| Expr {
            kind: ExprKind::Match {
                scrutinee: Box::new(scrutinee),
                arms,
            },
            span: span(e.span()),
        })
        .boxed()
}

fn check_arm_commas<'t, E: ParseError<'t>>(
    arms: Vec<(MatchArm, bool)>,
    emitter: &mut Emitter<E>,
) -> Vec<MatchArm> {
    let count = arms.len();
    for (arm, comma) in arms.iter().take(count.saturating_sub(1)) {
        if !comma && !matches!(arm.body.kind, ExprKind::Block(_)) {
            let end = arm.span.end as usize;
            emitter.emit(E::custom(Custom::missing_comma(Span::new(end, end))));
        }
    }
    arms.into_iter().map(|(arm, _)| arm).collect()
}
