//! Expressions: atoms, postfix field access, prefix operators and the binary operator levels.
//!
//! Precedence, lowest first: `||`, `&&`, comparisons (`== != < <= > >=`, non-associative),
//! `+ - ++`, `* / %`, prefix `-` and `!`, postfix `.field` / `.0`. Dotted identifier chains
//! are one `Path`; a path followed by `(args)` is a `Call`. `-` directly before an integer
//! literal makes a negative literal (so `-9223372036854775808` is `Int(i64::MIN)`).
//! Braces, blocks, `if` and `match` live in [`super::blocks`].

use super::blocks;
use super::errors::Custom;
use super::{P, ParseError, comma_list, ident, optional, path, span};
use crate::ast::{BinOp, Expr, ExprKind, Ident, UnOp};
use crate::lexer::{INT_LITERAL_MAX, Token};
use crate::span::Span;
use chumsky::prelude::*;

/// An expression.
pub(super) fn expr<'t, E: ParseError<'t>>() -> impl P<'t, Expr, E> {
    recursive(|expr| {
        let atom = atom(expr.boxed());
        let postfix = postfix(atom);
        let unary = unary(postfix);
        binary(unary).labelled("expression")
    })
}

/// The value of an integer literal of `magnitude`, negated or not; `None` if out of range.
pub(super) fn int_value(negated: bool, magnitude: u64) -> Option<i64> {
    if negated {
        if magnitude == INT_LITERAL_MAX {
            Some(i64::MIN)
        } else {
            i64::try_from(magnitude).ok().map(|n| -n)
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

pub(super) fn int_too_large(at: Span) -> Custom {
    Custom::new(
        "E0104",
        at,
        "integer literal out of range",
        "larger than 9223372036854775807",
        "integers range from -9223372036854775808 to 9223372036854775807",
    )
}

fn node(kind: ExprKind, at: SimpleSpan) -> Expr {
    Expr {
        kind,
        span: span(at),
    }
}

fn int_literal<'t, E: ParseError<'t>>() -> impl P<'t, Expr, E> {
    just(Token::Minus)
        .or_not()
        .then(select! { Token::Int(n) => n })
        .validate(
            |(minus, magnitude), e, emitter| match int_value(minus.is_some(), magnitude) {
                Some(value) => node(ExprKind::Int(value), e.span()),
                None => {
                    emitter.emit(E::custom(int_too_large(span(e.span()))));
                    node(ExprKind::Error, e.span())
                }
            },
        )
}

fn atom<'t, E: ParseError<'t>>(expr: impl P<'t, Expr, E> + 't) -> impl P<'t, Expr, E> {
    let literal = select! {
        Token::Str(s) => ExprKind::Str(s),
        Token::True => ExprKind::Bool(true),
        Token::False => ExprKind::Bool(false),
    }
    .map_with(|kind, e| node(kind, e.span()));
    let args = comma_list(expr.clone())
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .map(|(args, _)| args);
    let path_or_call = path()
        .then(optional(Token::LParen, args))
        .map_with(|(path, args), e| {
            let kind = match args {
                Some(args) => ExprKind::Call { callee: path, args },
                None => ExprKind::Path(path),
            };
            node(kind, e.span())
        });
    let parenthesised = comma_list(expr.clone())
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .map_with(|(mut items, trailing_comma), e| match items.len() {
            0 => node(ExprKind::Unit, e.span()),
            1 if !trailing_comma => items.remove(0),
            _ => node(ExprKind::Tuple(items), e.span()),
        })
        .recover_with(via_parser(nested_delimiters(
            Token::LParen,
            Token::RParen,
            [
                (Token::LBracket, Token::RBracket),
                (Token::LBrace, Token::RBrace),
            ],
            |at| node(ExprKind::Error, at),
        )));
    let list = comma_list(expr.clone())
        .delimited_by(just(Token::LBracket), just(Token::RBracket))
        .map_with(|(items, _), e| node(ExprKind::List(items), e.span()))
        .recover_with(via_parser(nested_delimiters(
            Token::LBracket,
            Token::RBracket,
            [
                (Token::LParen, Token::RParen),
                (Token::LBrace, Token::RBrace),
            ],
            |at| node(ExprKind::Error, at),
        )));
    choice((
        int_literal(),
        literal,
        path_or_call,
        parenthesised,
        list,
        blocks::brace_expr(expr.clone()),
        blocks::if_expr(expr.clone()),
        blocks::match_expr(expr),
    ))
    .labelled("expression")
    .boxed()
}

/// `.name` or `.0` after an atom: field access on a value that is not a plain path.
fn postfix<'t, E: ParseError<'t>>(atom: impl P<'t, Expr, E> + 't) -> impl P<'t, Expr, E> {
    let field_name = ident().or(select! {
        Token::Int(n) = e => Ident { name: n.to_string(), span: span(e.span()) },
    });
    atom.foldl_with(
        just(Token::Dot).ignore_then(field_name).repeated(),
        |base, field, e| {
            node(
                ExprKind::Field {
                    base: Box::new(base),
                    field,
                },
                e.span(),
            )
        },
    )
    .boxed()
}

/// Prefix `-` and `!`; a `-` right before an integer literal is part of the literal instead.
fn unary<'t, E: ParseError<'t>>(operand: impl P<'t, Expr, E> + 't) -> impl P<'t, Expr, E> {
    let minus = just(Token::Minus)
        .then_ignore(select! { Token::Int(_) => () }.not())
        .to(UnOp::Neg);
    let op = minus.or(just(Token::Bang).to(UnOp::Not));
    op.map_with(|op, e| (op, e.span()))
        .repeated()
        .foldr_with(operand, |(op, op_span), operand, e| {
            let _ = op_span;
            node(
                ExprKind::Unary {
                    op,
                    operand: Box::new(operand),
                },
                e.span(),
            )
        })
        .labelled("expression")
        .boxed()
}

fn binary_op<'t, E: ParseError<'t>>(
    table: &'static [(Token, BinOp)],
) -> impl P<'t, (BinOp, Span), E> {
    let tokens: Vec<Token> = table.iter().map(|(token, _)| token.clone()).collect();
    one_of(tokens).map_with(move |token: Token, e| {
        let op = table
            .iter()
            .find(|(t, _)| *t == token)
            .map(|(_, op)| *op)
            .expect("one_of yields only tokens listed in the operator table");
        (op, span(e.span()))
    })
}

fn make_binary(left: Expr, (op, op_span): (BinOp, Span), right: Expr, at: SimpleSpan) -> Expr {
    node(
        ExprKind::Binary {
            op,
            op_span,
            left: Box::new(left),
            right: Box::new(right),
        },
        at,
    )
}

/// One left-associative precedence level.
fn left_assoc<'t, E: ParseError<'t>>(
    operand: impl P<'t, Expr, E> + 't,
    table: &'static [(Token, BinOp)],
) -> impl P<'t, Expr, E> {
    operand
        .clone()
        .foldl_with(
            binary_op(table).then(operand).repeated(),
            |left, (op, right), e| make_binary(left, op, right, e.span()),
        )
        .boxed()
}

const OR: &[(Token, BinOp)] = &[(Token::OrOr, BinOp::Or)];
const AND: &[(Token, BinOp)] = &[(Token::AndAnd, BinOp::And)];
const COMPARISON: &[(Token, BinOp)] = &[
    (Token::EqEq, BinOp::Eq),
    (Token::NotEq, BinOp::Ne),
    (Token::Lt, BinOp::Lt),
    (Token::Le, BinOp::Le),
    (Token::Gt, BinOp::Gt),
    (Token::Ge, BinOp::Ge),
];
const SUM: &[(Token, BinOp)] = &[
    (Token::Plus, BinOp::Add),
    (Token::Minus, BinOp::Sub),
    (Token::PlusPlus, BinOp::Concat),
];
const PRODUCT: &[(Token, BinOp)] = &[
    (Token::Star, BinOp::Mul),
    (Token::Slash, BinOp::Div),
    (Token::Percent, BinOp::Rem),
];

fn binary<'t, E: ParseError<'t>>(unary: impl P<'t, Expr, E> + 't) -> impl P<'t, Expr, E> {
    let product = left_assoc(unary, PRODUCT);
    let sum = left_assoc(product, SUM);
    let comparison = comparison(sum);
    let and = left_assoc(comparison, AND);
    left_assoc(and, OR)
}

/// Comparisons do not associate: `a < b < c` is reported (and still parsed, leftwards).
fn comparison<'t, E: ParseError<'t>>(sum: impl P<'t, Expr, E> + 't) -> impl P<'t, Expr, E> {
    sum.clone()
        .then(
            binary_op(COMPARISON)
                .then(sum)
                .repeated()
                .collect::<Vec<_>>(),
        )
        .validate(|(first, rest), e, emitter| {
            if let Some(((_, second_op), _)) = rest.get(1) {
                emitter.emit(E::custom(Custom::new(
                    "E0102",
                    *second_op,
                    "comparison operators cannot be chained",
                    "second comparison in a row",
                    "compare twice and join with `&&`: `a < b && b < c`",
                )));
            }
            let start = e.span().start;
            rest.into_iter().fold(first, |left, (op, right)| {
                let at = SimpleSpan::from(start..right.span.end as usize);
                make_binary(left, op, right, at)
            })
        })
        .boxed()
}
