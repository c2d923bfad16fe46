//! Skip-ahead recovery: after a syntax error, skip to a token where parsing can resume.
//!
//! Each skipper consumes at least one token, treats a `{ ... }` group as one unit (so that a
//! broken statement does not end its enclosing block early), and stops before the tokens that
//! let its level resume: `;` or `}` for statements, `,` or `}` for match arms, a member
//! keyword for machine members, an item keyword at file level. They produce nothing; the
//! caller supplies the placeholder node.

use super::{P, ParseError};
use crate::lexer::Token;
use chumsky::prelude::*;

/// A balanced `{ ... }` group, however deeply nested.
fn brace_group<'t, E: ParseError<'t>>() -> impl P<'t, (), E> {
    recursive(|group| {
        group
            .or(none_of([Token::LBrace, Token::RBrace]).ignored())
            .repeated()
            .delimited_by(just(Token::LBrace), just(Token::RBrace))
            .ignored()
    })
}

/// The token where the error was, or its brace group, then more tokens or brace groups up to
/// (not including) any of `stops` or a `}` closing the enclosing group. The first token is
/// skipped even when it is a stop: recovery restarts where the broken construct began, which
/// is usually at its own keyword.
fn skip_from_here_until<'t, const N: usize, E: ParseError<'t>>(
    stops: [Token; N],
) -> impl P<'t, (), E> {
    // An unclosed `{` is skipped as a plain token: stopping there would make the parser
    // retry the same unclosed nest at every level, which takes exponential time.
    let mut not_plain: Vec<Token> = stops.to_vec();
    not_plain.push(Token::RBrace);
    let first = brace_group().or(none_of([Token::RBrace, Token::Semi]).ignored());
    let rest = brace_group().or(none_of(not_plain).ignored()).repeated();
    first.then(rest).ignored()
}

/// Skips a broken statement, and its `;` when there is one (a lone `;` is skipped alone).
pub(super) fn statement<'t, E: ParseError<'t>>() -> impl P<'t, (), E> {
    let to_semicolon = skip_from_here_until([Token::Semi]).then(just(Token::Semi).or_not());
    just(Token::Semi).ignored().or(to_semicolon.ignored())
}

/// Skips a broken match arm up to its `,` (left for the arm list to consume).
pub(super) fn match_arm<'t, E: ParseError<'t>>() -> impl P<'t, (), E> {
    skip_from_here_until([Token::Comma])
}

/// Skips a broken machine member up to the next member keyword.
pub(super) fn member<'t, E: ParseError<'t>>() -> impl P<'t, (), E> {
    skip_from_here_until([
        Token::State,
        Token::Input,
        Token::Output,
        Token::Invariant,
        Token::On,
        Token::Migrate,
    ])
}

/// Skips a broken item up to the next item keyword; stray `}` are skipped too.
pub(super) fn item<'t, E: ParseError<'t>>() -> impl P<'t, (), E> {
    let stops = [Token::Machine, Token::Fn, Token::Type, Token::Enum];
    brace_group()
        .or(any().ignored())
        .then(brace_group().or(none_of(stops).ignored()).repeated())
        .ignored()
}
