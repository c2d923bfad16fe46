//! Token soups: source text built from a vocabulary, one byte per token, for the
//! `source_tokens` target.
//!
//! Raw bytes mostly stop at the lexer; a soup of real tokens (keywords, punctuation, the
//! names the examples use, edge literals) gets deep into the parser, the checker and
//! lowering instead. [`from_source`] turns a real file into the bytes of its soup, so the
//! examples seed this target too.

use quiver_lang::lexer::{Token, lex};

/// The vocabulary: byte `b` is `VOCABULARY[b % len]`.
#[rustfmt::skip] // one line per kind of token, not one per token
pub const VOCABULARY: &[&str] = &[
    // Keywords.
    "machine", "state", "input", "output", "invariant", "on", "migrate", "fn", "type", "enum",
    "let", "if", "else", "match", "assert", "true", "false",
    // Delimiters and punctuation.
    "{", "}", "(", ")", "[", "]", ",", ":", ";", ".", "..", "=", "->", "=>", "|",
    // Operators, and the composition arrows written as one word.
    "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "++", "&&", "||", "!", "***",
    "&&&", "|||", ">>>", ">>",
    // Types and constructors the language predefines.
    "Int", "Bool", "String", "Unit", "Map", "List", "Option", "Some", "None",
    // Library functions and methods.
    "insert", "get", "remove", "len", "push", "contains", "unwrap_or", "is_some", "concat",
    // Names from the examples.
    "count", "n", "x", "k", "v", "old", "new", "total", "Counter", "Incr", "Decr", "Reset",
    "Get", "Ok", "Value", "Rejected", "Tally", "Limiter", "Store", "Put", "Light", "Red",
    "Green", "A", "B", "data", "history", "self", "up", "down", "from",
    // Literals, small and at the edges.
    "0", "1", "2", "100", "9223372036854775807", "9223372036854775808",
    "99999999999999999999", "1_000", "\"\"", "\"s\"", "\"\\n\\\"\"", "\"\\u{1F600}\"",
];

/// The name a soup uses for an identifier that is not in the vocabulary.
const OTHER_NAME: &str = "x";
/// The literals a soup uses for integers and strings not in the vocabulary.
const OTHER_INT: &str = "1";
const OTHER_STR: &str = "\"s\"";

/// The source text of a soup: each byte's token, separated by spaces (a newline now and then,
/// so that diagnostics span lines).
pub fn to_source(bytes: &[u8]) -> String {
    let mut src = String::with_capacity(bytes.len() * 4);
    for (i, byte) in bytes.iter().enumerate() {
        src.push_str(VOCABULARY[usize::from(*byte) % VOCABULARY.len()]);
        src.push(if i % 12 == 11 { '\n' } else { ' ' });
    }
    src
}

/// The soup bytes of a source file (tokens outside the vocabulary become a stand-in name or
/// literal), so that `to_source(from_source(src))` lexes like `src`, give or take names.
pub fn from_source(src: &str) -> Vec<u8> {
    let (tokens, _) = lex(src);
    let mut bytes = Vec::new();
    let mut previous: Option<(Token, u32)> = None;
    for (token, span) in tokens {
        // `>>>` and `>>` are adjacent `>` tokens; the vocabulary writes them as one word.
        if token == Token::Gt
            && let Some((Token::Gt, end)) = &previous
            && *end == span.start
            && let Some(last) = bytes.last_mut()
        {
            *last = if index_of(">") == Some(*last) {
                index_of(">>")
            } else {
                index_of(">>>")
            }
            .unwrap_or(*last);
            previous = Some((token, span.end));
            continue;
        }
        let text = match &token {
            Token::Ident(name) => name.clone(),
            Token::Int(n) => n.to_string(),
            Token::Str(_) => src.get(span.range()).unwrap_or(OTHER_STR).to_string(),
            other => other.fixed_text().unwrap_or(OTHER_NAME).to_string(),
        };
        let fallback = match &token {
            Token::Int(_) => OTHER_INT,
            Token::Str(_) => OTHER_STR,
            _ => OTHER_NAME,
        };
        if let Some(index) = index_of(&text).or_else(|| index_of(fallback)) {
            bytes.push(index);
        }
        previous = Some((token, span.end));
    }
    bytes
}

fn index_of(text: &str) -> Option<u8> {
    let index = VOCABULARY.iter().position(|word| *word == text)?;
    u8::try_from(index).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_fits_in_a_byte_and_has_no_repeats() {
        assert!(VOCABULARY.len() <= 256);
        for (i, word) in VOCABULARY.iter().enumerate() {
            assert_eq!(index_of(word), u8::try_from(i).ok(), "{word} repeats");
        }
    }

    #[test]
    fn a_soup_of_a_composition_keeps_its_arrows() {
        let src = "machine P = A >>> B";
        assert_eq!(
            to_source(&from_source(src)).trim_end(),
            "machine x = A >>> B"
        );
    }

    #[test]
    fn a_soup_of_the_counter_example_still_compiles() {
        let src = crate::examples::SOURCES
            .iter()
            .find(|(name, _)| *name == "counter.sm")
            .map(|(_, src)| *src)
            .expect("the counter example is listed");
        let soup = to_source(&from_source(src));
        assert!(
            quiver_lang::driver::compile(&soup, "soup.sm", None).is_ok(),
            "{soup}"
        );
    }
}
