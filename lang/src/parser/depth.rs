//! The nesting bound, checked on the token stream before parsing.
//!
//! The parser, the AST's `Drop`, its `Debug` printer and every later pass recurse once per
//! level of nesting, so an input like `((((...` or `- - - ... x` 100,000 deep would overflow
//! the stack. This pass computes a conservative upper bound of the AST depth in one linear
//! scan and rejects the input when it exceeds [`MAX_NESTING_DEPTH`].
//!
//! The measure: every open bracket (`(`, `[`, `{`) starts a level; within a level, every
//! operator, `.`, `<` (type arguments nest) and `else` (an `else if` chain nests) adds one,
//! until a separator (`,`, `;`, `=>`) or a keyword that starts a statement, member or item
//! resets the count. The depth at a token is the sum over the open levels. It deliberately
//! does not parse: it over-approximates, which only matters for absurdly long expressions.

use crate::diagnostic::Diagnostic;
use crate::lexer::Token;
use crate::span::Span;
use chumsky::prelude::SimpleSpan;

/// The deepest nesting the parser accepts, by the measure in the module doc.
pub const MAX_NESTING_DEPTH: usize = 128;

/// `Err` with a diagnostic at the first token that nests deeper than [`MAX_NESTING_DEPTH`].
pub(super) fn check(tokens: &[(Token, SimpleSpan)]) -> Result<(), Diagnostic> {
    // One counter of nesting operators per open bracket, the file level first.
    let mut levels: Vec<usize> = vec![0];
    for (token, at) in tokens {
        match token {
            Token::LParen | Token::LBracket | Token::LBrace => levels.push(0),
            Token::RParen | Token::RBracket | Token::RBrace if levels.len() > 1 => {
                levels.pop();
            }
            t if resets_level(t) => {
                if let Some(current) = levels.last_mut() {
                    *current = 0;
                }
            }
            t if nests(t) => {
                if let Some(current) = levels.last_mut() {
                    *current += 1;
                }
            }
            _ => {}
        }
        let depth: usize = levels.iter().map(|ops| ops + 1).sum::<usize>() - 1;
        if depth > MAX_NESTING_DEPTH {
            return Err(too_deep(Span::new(at.start, at.end)));
        }
    }
    Ok(())
}

fn resets_level(token: &Token) -> bool {
    use Token::*;
    matches!(
        token,
        Comma
            | Semi
            | FatArrow
            | Let
            | Assert
            | Invariant
            | On
            | Migrate
            | State
            | Input
            | Output
            | Machine
            | Fn
            | Type
            | Enum
    )
}

fn nests(token: &Token) -> bool {
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
            | Bang
            | Dot
            | Else
            | StarStarStar
            | AmpAmpAmp
            | PipePipePipe
    )
}

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::new(
        "E0103",
        "nesting too deep",
        span,
        format!("nested more than {MAX_NESTING_DEPTH} levels deep here"),
    )
    .with_help(format!(
        "brackets, operators and `else if` chains may nest at most {MAX_NESTING_DEPTH} \
         levels: split the expression with `let` bindings or functions"
    ))
}
