//! Machine expressions after `machine Name =`: names, parentheses and the arrow operators.
//!
//! Precedence as in Haskell's `Control.Arrow`: `***` and `&&&` bind tightest, then `|||`,
//! then `>>>`; all associate to the right. `>>>` is three ADJACENT `>` tokens (the lexer
//! never joins `>`s, because `List<List<List<Int>>>` ends in the same three characters).

use super::errors::Custom;
use super::{P, ParseError, ident, span};
use crate::ast::{ComposeOp, MachineExpr};
use crate::lexer::Token;
use crate::span::Span;
use chumsky::prelude::*;

/// A machine expression.
pub(super) fn machine_expr<'t, E: ParseError<'t>>() -> impl P<'t, MachineExpr, E> {
    recursive(|mexpr| {
        let primary = ident()
            .map(MachineExpr::Name)
            .or(mexpr.delimited_by(just(Token::LParen), just(Token::RParen)))
            .labelled("machine name")
            .boxed();
        let tight_op = just(Token::StarStarStar)
            .to(ComposeOp::Par)
            .or(just(Token::AmpAmpAmp).to(ComposeOp::Fanout))
            .map_with(|op, e| (op, span(e.span())));
        let choice_op =
            just(Token::PipePipePipe).map_with(|_, e| (ComposeOp::Choice, span(e.span())));
        let tight = right_assoc(primary, tight_op);
        let choice = right_assoc(tight, choice_op);
        right_assoc(choice, then_op())
    })
}

/// `>>>` as three `>` tokens with no space between them.
fn then_op<'t, E: ParseError<'t>>() -> impl P<'t, (ComposeOp, Span), E> {
    just(Token::Gt)
        .map_with(|_, e| e.span())
        .repeated()
        .exactly(3)
        .collect::<Vec<SimpleSpan>>()
        .validate(|spans, e, emitter| {
            let adjacent = spans.windows(2).all(|pair| pair[0].end == pair[1].start);
            let at = span(e.span());
            if !adjacent {
                emitter.emit(E::custom(Custom::new(
                    "E0101",
                    at,
                    "expected `>>>`, found `>` separated by spaces",
                    "spaces inside the operator",
                    "write `>>>` without spaces",
                )));
            }
            (ComposeOp::Then, at)
        })
}

/// `operand (op operand)*`, folded to the right without re-parsing any operand.
fn right_assoc<'t, E: ParseError<'t>>(
    operand: impl P<'t, MachineExpr, E> + 't,
    op: impl P<'t, (ComposeOp, Span), E> + 't,
) -> impl P<'t, MachineExpr, E> {
    operand
        .clone()
        .then(op.then(operand).repeated().collect::<Vec<_>>())
        .map(|(first, rest)| fold_right(first, rest))
        .boxed()
}

fn fold_right(first: MachineExpr, rest: Vec<((ComposeOp, Span), MachineExpr)>) -> MachineExpr {
    // first op1 x1 op2 x2 ... opn xn  ==>  first op1 (x1 op2 (... opn xn))
    let mut operands = vec![first];
    let mut ops = Vec::new();
    for (op, operand) in rest {
        ops.push(op);
        operands.push(operand);
    }
    let mut acc = operands
        .pop()
        .expect("operands start with `first`, so never empty");
    while let (Some((op, op_span)), Some(left)) = (ops.pop(), operands.pop()) {
        acc = MachineExpr::Binary {
            op,
            op_span,
            left: Box::new(left),
            right: Box::new(acc),
        };
    }
    acc
}
