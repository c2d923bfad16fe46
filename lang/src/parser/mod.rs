//! The chumsky parser: tokens from [`crate::lexer`] to the surface AST of [`crate::ast`].
//!
//! One file per construct: `types`, `patterns`, `exprs` (operators and atoms), `blocks`
//! (braces, statements, `if`, `match`), `machine`, `compose`, `items`; `recovery` holds the
//! skip-ahead strategies, `depth` the nesting bound checked before parsing, and `errors` the
//! conversion of chumsky errors into [`Diagnostic`]s (no chumsky type leaves this module).
//!
//! Parsing never panics and never recurses without bound: [`depth::check`] rejects inputs
//! nested deeper than [`depth::MAX_NESTING_DEPTH`] before the parser runs. The grammar is
//! written so that no alternative re-parses a nested construct (choices are decided by their
//! first one or two tokens), which keeps parsing linear even on broken input.
//!
//! What this module does not do: resolve names or check types (the AST keeps dotted paths as
//! written; the checker decides what they mean).

mod blocks;
mod compose;
mod depth;
mod errors;
mod exprs;
mod items;
mod machine;
mod patterns;
mod recovery;
mod types;

#[cfg(test)]
mod tests;

use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::lexer::{self, Token};
use crate::span::Span;
use chumsky::error::{EmptyErr, LabelError};
use chumsky::input::MappedInput;
use chumsky::prelude::*;

pub use depth::MAX_NESTING_DEPTH;

/// A token with its chumsky span.
type Spanned = (Token, SimpleSpan);

/// The parser input: lexed tokens with their spans.
type Tokens<'t> = MappedInput<'t, Token, SimpleSpan, &'t [(Token, SimpleSpan)]>;
/// The error type of one parser pass. The grammar is written once, generic over it, and run
/// in two passes: first with [`EmptyErr`], which builds no error values at all (most input
/// is valid, and building `Rich` errors for every alternative tried is most of a parse's
/// cost), then, only when that pass fails, with `Rich` errors and recovery for the
/// diagnostics. Both passes run the same grammar, so the fast pass fails exactly when the
/// rich pass reports an error, and on success both produce the same AST.
trait ParseError<'t>:
    chumsky::error::Error<'t, Tokens<'t>> + LabelError<'t, Tokens<'t>, &'static str> + 't
{
    /// One of the parser's own checks failed (see [`errors::Custom`]).
    fn custom(error: errors::Custom) -> Self;
    /// A `try_map` rejected its input; the message is never shown (the alternative that
    /// follows is tried instead).
    fn message(at: SimpleSpan, message: &str) -> Self;
}

impl<'t> ParseError<'t> for Rich<'t, Token, SimpleSpan> {
    fn custom(error: errors::Custom) -> Self {
        errors::custom(error)
    }

    fn message(at: SimpleSpan, message: &str) -> Self {
        Rich::custom(at, message)
    }
}

impl<'t> ParseError<'t> for EmptyErr {
    fn custom(_: errors::Custom) -> Self {
        EmptyErr::default()
    }

    fn message(_: SimpleSpan, _: &str) -> Self {
        EmptyErr::default()
    }
}

/// Shorthand for the parser trait at our input, output and error types.
trait P<'t, O, E: ParseError<'t>>: Parser<'t, Tokens<'t>, O, extra::Err<E>> + Clone {}
impl<'t, O, E: ParseError<'t>, T: Parser<'t, Tokens<'t>, O, extra::Err<E>> + Clone> P<'t, O, E>
    for T
{
}

/// Parses a whole file; with recovery, so one run reports several errors. The file is `None`
/// only when nothing could be recovered.
pub fn parse(src: &str) -> (Option<ast::File>, Vec<Diagnostic>) {
    run!(src, items::file)
}

/// Parses one expression (the REPL's and the value reader's entry point).
pub fn parse_expr(src: &str) -> (Option<ast::Expr>, Vec<Diagnostic>) {
    run!(src, exprs::expr)
}

/// Parses one type.
pub fn parse_type(src: &str) -> (Option<ast::TypeExpr>, Vec<Diagnostic>) {
    run!(src, types::type_expr)
}

/// Lexes the source, checks nesting, then runs the parser to the end of input: the fast pass,
/// and the rich pass only if the fast one failed (see [`ParseError`]). Lexer diagnostics come
/// first, then parser diagnostics in source order. A macro rather than a function because
/// the parser's type depends on the token slice's lifetime.
macro_rules! run {
    ($src:expr, $($parser:ident)::+) => {{
        let src: &str = $src;
        let (tokens, mut diagnostics) = match tokens(src) {
            Ok(lexed) => lexed,
            Err(diagnostics) => return (None, diagnostics),
        };
        let eoi = SimpleSpan::from(src.len()..src.len());
        let fast = pass!(&tokens, eoi, EmptyErr, $($parser)::+);
        if !fast.has_errors()
            && let Some(output) = fast.into_output()
        {
            return (Some(output), diagnostics);
        }
        let rich = pass!(&tokens, eoi, Rich<Token, SimpleSpan>, $($parser)::+);
        let (output, errors) = rich.into_output_errors();
        diagnostics.extend(errors::convert(errors));
        (output, diagnostics)
    }};
}
use run;

/// One pass of a parser (a generic function of this module) to the end of the tokens, with
/// the given error type.
macro_rules! pass {
    ($tokens:expr, $eoi:expr, $error:ty, $($parser:ident)::+) => {
        $($parser)::+::<$error>()
            .then_ignore(end())
            .parse($tokens.as_slice().split_token_span($eoi))
    };
}
use pass;

/// The tokens of `src` with chumsky spans, and the lexer's diagnostics; only the diagnostics
/// when the tokens nest too deeply to parse.
fn tokens(src: &str) -> Result<(Vec<Spanned>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (tokens, mut diagnostics) = lexer::lex(src);
    let tokens: Vec<Spanned> = tokens
        .into_iter()
        .map(|(token, s)| (token, SimpleSpan::from(s.range())))
        .collect();
    match depth::check(&tokens) {
        Ok(()) => Ok((tokens, diagnostics)),
        Err(too_deep) => {
            diagnostics.push(too_deep);
            Err(diagnostics)
        }
    }
}

/// Converts a chumsky span to ours. A parser that matched nothing (an `or_not` that found no
/// comma, say) has an inverted span in chumsky, from the next token's start back to the
/// previous token's end; ours is then the empty span just after the previous token, which is
/// where the missing thing belongs.
fn span(s: SimpleSpan) -> Span {
    if s.start > s.end {
        Span::new(s.end, s.end)
    } else {
        Span::new(s.start, s.end)
    }
}

/// An identifier with its span.
fn ident<'t, E: ParseError<'t>>() -> impl P<'t, ast::Ident, E> {
    select! { Token::Ident(name) = e => ast::Ident { name, span: span(e.span()) } }
        .labelled("identifier")
}

/// `a.b.c`: one or more identifiers joined by `.`.
fn path<'t, E: ParseError<'t>>() -> impl P<'t, ast::Path, E> {
    ident()
        .then(
            just(Token::Dot)
                .ignore_then(ident())
                .repeated()
                .collect::<Vec<_>>(),
        )
        .map_with(|(first, rest), e| {
            let mut segments = vec![first];
            segments.extend(rest);
            ast::Path {
                segments,
                span: span(e.span()),
            }
        })
}

/// `parser` if the next token is `start`, else nothing. Unlike `or_not`, a `parser` that
/// fails after its first token fails the whole, instead of silently parsing nothing and
/// leaving a confusing stray token for the next construct to trip over.
fn optional<'t, T: Clone + 't, E: ParseError<'t>>(
    start: Token,
    parser: impl P<'t, T, E> + 't,
) -> impl P<'t, Option<T>, E> {
    parser.map(Some).or(just(start).not().to(None))
}

/// Items separated by commas, each with whether a comma followed it: lets `(a)` and `(a,)`
/// differ without parsing `a` twice. A missing comma between items is reported.
fn comma_list<'t, T: Clone + 't, E: ParseError<'t>>(
    item: impl P<'t, T, E> + 't,
) -> impl P<'t, (Vec<T>, bool), E> {
    item.then(
        just(Token::Comma)
            .or_not()
            .map_with(|c, e| (c.is_some(), e.span())),
    )
    .repeated()
    .collect::<Vec<_>>()
    .validate(|items, _, emitter| {
        let count = items.len();
        let trailing = items.last().is_some_and(|(_, (comma, _))| *comma);
        for (_, (comma, s)) in items.iter().take(count.saturating_sub(1)) {
            if !comma {
                emitter.emit(E::custom(errors::Custom::missing_comma(span(*s))));
            }
        }
        (items.into_iter().map(|(item, _)| item).collect(), trailing)
    })
}
