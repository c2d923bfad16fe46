//! What one entry typed at the prompt asks for: a `:command`, a declaration, a `let`, an input
//! to an instance, or an expression; and the `:help` text listing them all.
//!
//! This module only classifies text; it runs nothing (see `session`).

/// Every command, for `:help` and tab completion: name, arguments, what it does.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("help", "", "list everything the REPL understands"),
    (
        "type",
        "EXPR",
        "show the type of an expression without running it",
    ),
    (
        "load",
        "FILE",
        "load the declarations and machines of a .sm file",
    ),
    (
        "reload",
        "",
        "re-read the file and hot-swap every instance to its new version",
    ),
    (
        "new",
        "MACHINE [as INSTANCE]",
        "start an instance of a machine in its initial state",
    ),
    (
        "state",
        "[INSTANCE]",
        "show the state of one or every instance",
    ),
    ("comb", "MACHINE", "show a machine's arrow combinators"),
    (
        "bytecode",
        "MACHINE",
        "show a machine's disassembled artifact",
    ),
    (
        "history",
        "[INSTANCE]",
        "list the recorded turns with their outputs",
    ),
    ("back", "[N]", "step back N recorded turns (default 1)"),
    (
        "forward",
        "[N]",
        "step forward N recorded turns (default 1)",
    ),
    (
        "goto",
        "N",
        "move to the state after recorded turn N (0 = start)",
    ),
    (
        "save",
        "FILE",
        "write the session's instances and inputs as a script",
    ),
    (
        "replay",
        "FILE",
        "run a script of REPL lines, as written by :save",
    ),
    (
        "open",
        "DIR|FILE.json [INSTANCE]",
        "walk a stopped node's history, or a `quiver log --json` export",
    ),
    (
        "graph",
        "NAME [machine|arrows] [FILE]",
        "write a machine's picture to FILE (default NAME.dot; .svg needs Graphviz)",
    ),
    (
        "connect",
        "ADDR [--data DIR] [--cert NAME]",
        "drive a live node (default identity: .quiver, admin)",
    ),
    (
        "push",
        "MACHINE as INSTANCE",
        "deploy or upgrade an instance on the node with a session machine",
    ),
    (
        "send",
        "INSTANCE TEXT",
        "send one input to an instance on the node",
    ),
    (
        "inspect",
        "[INSTANCE]",
        "show the node's instances (or one of them)",
    ),
    ("disconnect", "", "forget the node `:connect` reached"),
    ("quit", "", "leave the REPL (also :q or end of input)"),
];

/// What an entry asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry<'a> {
    Empty,
    /// `:name args`
    Command {
        name: &'a str,
        args: &'a str,
    },
    /// `type`, `enum`, `fn` or `machine` declarations.
    Declaration,
    /// `let name = expr`: the name, and where the expression starts in the entry.
    Let {
        name: &'a str,
        expr_at: usize,
    },
    /// `INSTANCE <- input`
    Send {
        instance: &'a str,
        input: &'a str,
    },
    /// Anything else: an expression, or an input to the only instance that takes it.
    Other,
}

const DECLARATION_KEYWORDS: &[&str] = &["type", "enum", "fn", "machine"];

/// Classifies an entry (which may span several lines).
pub fn classify(entry: &str) -> Entry<'_> {
    let trimmed = entry.trim();
    if trimmed.is_empty() || trimmed.starts_with("//") && !trimmed.contains('\n') {
        return Entry::Empty;
    }
    if let Some(command) = trimmed.strip_prefix(':') {
        let (name, args) = command
            .split_once(char::is_whitespace)
            .unwrap_or((command, ""));
        return Entry::Command {
            name,
            args: args.trim(),
        };
    }
    let first = first_word(trimmed);
    if DECLARATION_KEYWORDS.contains(&first) {
        return Entry::Declaration;
    }
    if first == "let" {
        return classify_let(entry);
    }
    if let Some((instance, input)) = trimmed.split_once("<-") {
        let instance = instance.trim();
        if is_identifier(instance) {
            return Entry::Send {
                instance,
                input: input.trim(),
            };
        }
    }
    Entry::Other
}

/// `let name = expr`, with an optional trailing `;`.
fn classify_let(entry: &str) -> Entry<'_> {
    let start = entry.len() - entry.trim_start().len();
    let rest = &entry[start + 3..];
    let Some((name, _)) = rest.split_once('=') else {
        return Entry::Other;
    };
    let name = name.trim();
    if !is_identifier(name) {
        return Entry::Other;
    }
    let expr_at = start + 3 + rest.find('=').map_or(0, |i| i + 1);
    Entry::Let { name, expr_at }
}

fn first_word(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// A name as the language spells one: a letter or `_`, then letters, digits or `_`.
pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// How wide the usage column of `:help` is; a longer usage puts its description below it.
const USAGE_COLUMN: usize = 28;

/// The `:help` text.
pub fn help() -> String {
    let mut out = String::from(
        "Type an expression (`1 + 2`), `let x = e`, or a `type`/`enum`/`fn`/`machine` declaration.\n\
         With instances running, type an input (`Incr(5)`), or `INSTANCE <- Incr(5)` when\n\
         several instances take it. Unclosed braces continue on the next line.\n\nCommands:\n",
    );
    for (name, args, what) in COMMANDS {
        let usage = format!(":{name} {args}");
        let usage = usage.trim_end();
        if usage.len() < USAGE_COLUMN {
            out += &format!("  {usage:<USAGE_COLUMN$}{what}\n");
        } else {
            out += &format!("  {usage}\n  {:USAGE_COLUMN$}{what}\n", "");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_told_apart_by_their_first_word() {
        assert_eq!(
            classify(":new Counter as c"),
            Entry::Command {
                name: "new",
                args: "Counter as c"
            }
        );
        assert_eq!(classify("fn f() -> Int { 1 }"), Entry::Declaration);
        assert_eq!(
            classify("let x = 1 + 2"),
            Entry::Let {
                name: "x",
                expr_at: 7
            }
        );
        assert_eq!(
            classify("c <- Incr(5)"),
            Entry::Send {
                instance: "c",
                input: "Incr(5)"
            }
        );
        assert_eq!(classify("letter + 1"), Entry::Other);
        assert_eq!(classify("   "), Entry::Empty);
    }
}
