//! The terminal editor's helper: tab completion (commands, names, fields of `let`-bound
//! records, input constructors, standard library functions), syntax highlighting with ANSI
//! colours, and multi-line input while a bracket is open.
//!
//! The helper sees the session only through [`Words`], refreshed by the loop after every
//! entry; it never runs anything.

use super::commands::COMMANDS;
use super::input::incomplete;
use super::session::Session;
use quiver_lang::driver;
use quiver_vm::types::Type;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// What completion offers, taken from a session.
#[derive(Clone, Debug, Default)]
pub struct Words {
    /// Every name: variables, functions, types, machines, instances, constructors, and
    /// standard library functions as `Module.name`.
    pub names: BTreeSet<String>,
    /// The fields of each `let`-bound record, for `name.`.
    pub fields: BTreeMap<String, Vec<String>>,
}

impl Session {
    /// The words tab completion offers now.
    pub fn words(&self) -> Words {
        let mut words = Words::default();
        for binding in &self.lets {
            words.names.insert(binding.name.clone());
            if let Type::Record(fields) = &binding.ty {
                let names = fields.iter().map(|f| f.name.clone()).collect();
                words.fields.insert(binding.name.clone(), names);
            }
        }
        if let Ok(file) = driver::parse(&self.source()) {
            for item in &file.items {
                words.names.insert(super::eval::item_name(item));
            }
        }
        for (name, running) in &self.instances {
            words.names.insert(name.clone());
            if let Type::Enum(input) = &running.timeline.now().version.compiled.artifact.input {
                words
                    .names
                    .extend(input.variants.iter().map(|v| v.name.clone()));
            }
        }
        for function in quiver_stdlib::FUNCTIONS {
            words
                .names
                .insert(format!("{}.{}", function.module, function.name));
        }
        words
    }
}

/// The rustyline helper.
#[derive(Default)]
pub struct ReplHelper {
    pub words: Words,
}

impl ReplHelper {
    /// The completions of the word that ends at `pos`, and where that word starts.
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = line.get(..pos).unwrap_or(line);
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == ':'))
            .map_or(0, |i| i + 1);
        let word = &before[start..];
        if let Some(command) = word.strip_prefix(':').filter(|_| start == 0) {
            let found = COMMANDS
                .iter()
                .filter(|(name, _, _)| name.starts_with(command))
                .map(|(name, _, _)| format!(":{name}"))
                .collect();
            return (start, found);
        }
        if let Some((base, field)) = word.rsplit_once('.')
            && let Some(fields) = self.words.fields.get(base)
        {
            let found = fields
                .iter()
                .filter(|f| f.starts_with(field))
                .map(|f| format!("{base}.{f}"))
                .collect();
            return (start, found);
        }
        let found = self
            .words
            .names
            .iter()
            .filter(|name| !word.is_empty() && name.starts_with(word))
            .cloned()
            .collect();
        (start, found)
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, found) = self.candidates(line, pos);
        let pairs = found
            .into_iter()
            .map(|word| Pair {
                display: word.clone(),
                replacement: word,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if incomplete(ctx.input()) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Owned(highlight(line))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        true
    }
}

impl Helper for ReplHelper {}

const KEYWORDS: &[&str] = &[
    "let",
    "if",
    "else",
    "match",
    "fn",
    "type",
    "enum",
    "machine",
    "state",
    "input",
    "output",
    "on",
    "invariant",
    "migrate",
    "down",
    "assert",
    "true",
    "false",
    "as",
];

const KEYWORD: &str = "\x1b[35m";
const CONSTRUCTOR: &str = "\x1b[36m";
const NUMBER: &str = "\x1b[33m";
const STRING: &str = "\x1b[32m";
const COMMENT: &str = "\x1b[90m";
const COMMAND: &str = "\x1b[1;34m";
const RESET: &str = "\x1b[0m";

/// The line with ANSI colours around keywords, constructors and types, numbers, strings,
/// comments and a leading `:command`; the visible text is unchanged.
pub fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut i = 0;
    while let Some(&(at, c)) = chars.get(i) {
        let end_of = |j: usize| chars.get(j).map_or(line.len(), |&(b, _)| b);
        let mut j = i + 1;
        let colour = if c == ':' && line[..at].trim().is_empty() {
            j = scan(&chars, j, |c| c.is_alphanumeric());
            Some(COMMAND)
        } else if c == '/' && chars.get(j).is_some_and(|&(_, n)| n == '/') {
            j = chars.len();
            Some(COMMENT)
        } else if c == '"' {
            j = scan_string(&chars, j);
            Some(STRING)
        } else if c.is_ascii_digit() {
            j = scan(&chars, j, |c| c.is_ascii_digit());
            Some(NUMBER)
        } else if c.is_alphabetic() || c == '_' {
            j = scan(&chars, j, |c| c.is_alphanumeric() || c == '_');
            let word = &line[at..end_of(j)];
            if KEYWORDS.contains(&word) {
                Some(KEYWORD)
            } else if c.is_uppercase() {
                Some(CONSTRUCTOR)
            } else {
                None
            }
        } else {
            None
        };
        let text = &line[at..end_of(j)];
        match colour {
            Some(colour) => out += &format!("{colour}{text}{RESET}"),
            None => out += text,
        }
        i = j;
    }
    out
}

fn scan(chars: &[(usize, char)], mut j: usize, keep: impl Fn(char) -> bool) -> usize {
    while chars.get(j).is_some_and(|&(_, c)| keep(c)) {
        j += 1;
    }
    j
}

/// The index after the string starting before `j` (its closing quote, or the end).
fn scan_string(chars: &[(usize, char)], mut j: usize) -> usize {
    while let Some(&(_, c)) = chars.get(j) {
        j += 1;
        match c {
            '\\' => j += 1,
            '"' => return j,
            _ => {}
        }
    }
    j.min(chars.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> ReplHelper {
        let mut words = Words::default();
        words
            .names
            .extend(["Incr", "Increase", "counter", "Map.insert", "Map.len"].map(String::from));
        words.fields.insert(
            "r".to_string(),
            vec!["count".to_string(), "resets".to_string()],
        );
        ReplHelper { words }
    }

    #[test]
    fn completion_offers_commands_names_fields_and_library_functions() {
        let h = helper();
        assert_eq!(
            h.candidates(":re", 3),
            (0, vec![":reload".into(), ":replay".into()])
        );
        assert_eq!(
            h.candidates("c <- Inc", 8),
            (5, vec!["Incr".into(), "Increase".into()])
        );
        assert_eq!(h.candidates("r.c", 3), (0, vec!["r.count".into()]));
        assert_eq!(h.candidates("Map.l", 5), (0, vec!["Map.len".into()]));
    }

    #[test]
    fn highlighting_keeps_the_visible_text() {
        let line = "let x = Incr(5) // \"note\"";
        let coloured = highlight(line);
        let mut plain = coloured.clone();
        for code in [
            KEYWORD,
            CONSTRUCTOR,
            NUMBER,
            STRING,
            COMMENT,
            COMMAND,
            RESET,
        ] {
            plain = plain.replace(code, "");
        }
        assert_eq!(plain, line);
        assert!(coloured.starts_with(&format!("{KEYWORD}let{RESET}")));
    }
}
