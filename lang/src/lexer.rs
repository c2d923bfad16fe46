//! The logos lexer: source text to tokens with byte spans, plus a diagnostic for every
//! character that starts no token, every unterminated string, bad escape and oversized integer.
//!
//! Lexing never stops at an error: an unknown character is reported and skipped, a broken
//! string still yields a `Str` token, an oversized integer yields `Int(0)`. The lexer knows no
//! grammar: `>` is always a single token (so `List<List<Int>>` and `A >>> B` lex alike and the
//! parser decides), and `down` is an ordinary identifier (only `migrate down(` makes it special).

use crate::diagnostic::Diagnostic;
use crate::span::Span;
use logos::Logos;
use std::fmt;

/// The largest magnitude an integer literal may have: `2^63`, which is only valid negated
/// (`-9223372036854775808`); the parser rejects it elsewhere.
pub const INT_LITERAL_MAX: u64 = 1 << 63;

/// A token of `.sm` source.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(extras = Vec<Diagnostic>)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
pub enum Token {
    // Keywords.
    #[token("machine")]
    Machine,
    #[token("state")]
    State,
    #[token("input")]
    Input,
    #[token("output")]
    Output,
    #[token("invariant")]
    Invariant,
    #[token("on")]
    On,
    #[token("migrate")]
    Migrate,
    #[token("fn")]
    Fn,
    #[token("type")]
    Type,
    #[token("enum")]
    Enum,
    #[token("let")]
    Let,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("match")]
    Match,
    #[token("assert")]
    Assert,
    #[token("true")]
    True,
    #[token("false")]
    False,

    // Literals and names.
    /// A decimal integer literal's magnitude (at most [`INT_LITERAL_MAX`]); the sign is a
    /// separate `-` token.
    #[regex(r"[0-9][0-9_]*", lex_int)]
    Int(u64),
    /// A string literal, escapes decoded.
    #[token("\"", lex_string)]
    Str(String),
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice().to_owned())]
    Ident(String),

    // Delimiters.
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,

    // Punctuation.
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(";")]
    Semi,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("=")]
    Assign,
    #[token("->")]
    Arrow,
    #[token("=>")]
    FatArrow,
    #[token("|")]
    Pipe,

    // Operators.
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    /// Always a single `>`: `>>` closes two type argument lists and `>>>` is three adjacent
    /// `>` tokens, recognised by the parser in machine-composition position.
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("++")]
    PlusPlus,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("!")]
    Bang,
    #[token("***")]
    StarStarStar,
    #[token("&&&")]
    AmpAmpAmp,
    #[token("|||")]
    PipePipePipe,

    /// Never produced by [`lex`] (unknown characters are reported and dropped); kept so that
    /// tools can mark a hole in a token stream.
    Error,
}

impl Token {
    /// The source text of a fixed token, `None` for literals, names and `Error`.
    pub fn fixed_text(&self) -> Option<&'static str> {
        use Token::*;
        Some(match self {
            Machine => "machine",
            State => "state",
            Input => "input",
            Output => "output",
            Invariant => "invariant",
            On => "on",
            Migrate => "migrate",
            Fn => "fn",
            Type => "type",
            Enum => "enum",
            Let => "let",
            If => "if",
            Else => "else",
            Match => "match",
            Assert => "assert",
            True => "true",
            False => "false",
            LBrace => "{",
            RBrace => "}",
            LParen => "(",
            RParen => ")",
            LBracket => "[",
            RBracket => "]",
            Comma => ",",
            Colon => ":",
            Semi => ";",
            Dot => ".",
            DotDot => "..",
            Assign => "=",
            Arrow => "->",
            FatArrow => "=>",
            Pipe => "|",
            EqEq => "==",
            NotEq => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            Percent => "%",
            PlusPlus => "++",
            AndAnd => "&&",
            OrOr => "||",
            Bang => "!",
            StarStarStar => "***",
            AmpAmpAmp => "&&&",
            PipePipePipe => "|||",
            Int(_) | Str(_) | Ident(_) | Error => return None,
        })
    }
}

/// The token as it would be written: `machine`, `;`, `count`, `42`, `"text"`.
impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Int(n) => write!(f, "{n}"),
            Token::Str(s) => write!(f, "{s:?}"),
            Token::Ident(name) => f.write_str(name),
            Token::Error => f.write_str("<error>"),
            fixed => f.write_str(fixed.fixed_text().unwrap_or("<token>")),
        }
    }
}

/// Reads the digits of an integer literal; an oversized one is reported and becomes `0`.
fn lex_int(lex: &mut logos::Lexer<Token>) -> u64 {
    let digits: String = lex.slice().chars().filter(|c| *c != '_').collect();
    match digits.parse::<u64>() {
        Ok(n) if n <= INT_LITERAL_MAX => n,
        _ => {
            let span = lex.span();
            lex.extras.push(
                Diagnostic::new(
                    "E0004",
                    "integer literal out of range",
                    Span::new(span.start, span.end),
                    "does not fit in a 64-bit signed integer",
                )
                .with_help("integers range from -9223372036854775808 to 9223372036854775807"),
            );
            0
        }
    }
}

/// Reads a string literal after its opening quote, decoding escapes. Bad escapes and a missing
/// closing quote are reported; the token is still produced so that parsing goes on.
fn lex_string(lex: &mut logos::Lexer<Token>) -> String {
    let start = lex.span().start;
    let rest = lex.remainder();
    let mut out = String::new();
    let mut chars = rest.char_indices().peekable();
    let mut consumed = rest.len();
    let mut closed = false;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                consumed = i + 1;
                closed = true;
                break;
            }
            '\\' => {
                let escape_start = start + 1 + i;
                match decode_escape(&mut chars) {
                    Ok(decoded) => out.push(decoded),
                    Err(len) => lex.extras.push(bad_escape(escape_start, len)),
                }
            }
            c => out.push(c),
        }
    }
    lex.bump(consumed);
    if !closed {
        let span = lex.span();
        lex.extras.push(
            Diagnostic::new(
                "E0002",
                "unterminated string literal",
                Span::new(span.start, span.start + 1),
                "this string is never closed",
            )
            .with_help("close the string with `\"`"),
        );
    }
    out
}

type CharIndices<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// Decodes the escape after a `\`. On failure returns the byte length of the bad escape
/// (including the backslash) so that it can be pointed at.
fn decode_escape(chars: &mut CharIndices<'_>) -> Result<char, usize> {
    let Some((_, c)) = chars.next() else {
        return Err(1);
    };
    Ok(match c {
        '"' => '"',
        '\\' => '\\',
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        '0' => '\0',
        'u' => return decode_unicode_escape(chars),
        other => return Err(1 + other.len_utf8()),
    })
}

/// Decodes `{XXXX}` after `\u`: one to six hex digits naming a Unicode scalar value.
fn decode_unicode_escape(chars: &mut CharIndices<'_>) -> Result<char, usize> {
    if chars.next_if(|(_, c)| *c == '{').is_none() {
        return Err(2);
    }
    let mut hex = String::new();
    while let Some((_, c)) = chars.next_if(|(_, c)| c.is_ascii_hexdigit()) {
        hex.push(c);
    }
    let len = 3 + hex.len();
    if chars.next_if(|(_, c)| *c == '}').is_none() || hex.is_empty() || hex.len() > 6 {
        return Err(len);
    }
    u32::from_str_radix(&hex, 16)
        .ok()
        .and_then(char::from_u32)
        .ok_or(len + 1)
}

fn bad_escape(start: usize, len: usize) -> Diagnostic {
    Diagnostic::new(
        "E0003",
        "invalid escape in string literal",
        Span::new(start, start + len),
        "unknown escape",
    )
    .with_help(r#"valid escapes are \" \\ \n \t \r \0 and \u{XXXX}"#)
}

fn unknown_character(src: &str, range: std::ops::Range<usize>) -> Diagnostic {
    let text = src.get(range.clone()).unwrap_or("");
    Diagnostic::new(
        "E0001",
        format!("unknown character `{}`", text.escape_debug()),
        Span::new(range.start, range.end),
        "no token starts with this character",
    )
    .with_help("remove it, or put it inside a string literal")
}

/// The tokens of `src` with their spans, and an error for each character that starts no token.
pub fn lex(src: &str) -> (Vec<(Token, Span)>, Vec<Diagnostic>) {
    let mut lexer = Token::lexer(src);
    let mut tokens = Vec::new();
    let mut errors = Vec::new();
    while let Some(result) = lexer.next() {
        let range = lexer.span();
        match result {
            Ok(token) => tokens.push((token, Span::new(range.start, range.end))),
            Err(()) => errors.push(unknown_character(src, range)),
        }
        errors.append(&mut lexer.extras);
    }
    errors.sort_by_key(|d| d.span());
    (tokens, errors)
}

/// One token per line with its byte range (what `--emit tokens` prints), then the lexer's
/// diagnostics, one per line.
pub fn print_tokens(src: &str) -> String {
    let (tokens, errors) = lex(src);
    let mut out = String::new();
    for (token, span) in &tokens {
        out.push_str(&format!("{}..{} {token:?}\n", span.start, span.end));
    }
    for error in &errors {
        let span = error.span();
        out.push_str(&format!(
            "error[{}] {}..{}: {}\n",
            error.code, span.start, span.end, error.message
        ));
    }
    out
}
