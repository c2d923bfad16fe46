//! `quiver repl`: the read-eval-print loop.
//!
//! - `session`: the session's state and the dispatch of one entry; `commands` classifies
//!   entries and holds `:help`; `eval` runs expressions, `let`s and declarations; `machines`
//!   runs instances, turns and `:reload`; `history` and `travel` are time travel and scripts;
//!   `open` loads a node's recorded history into a line (`:open`);
//!   `version` is one loaded version of a machine; `picture` is `:graph`; `live` drives a node
//!   (`:connect`, `:push`, `:send`, `:inspect`); `render` turns diagnostics and state
//!   changes into text; `input` finds where a multi-line entry ends; `helper` is the terminal
//!   editor's completion, highlighting and validation.
//!
//! On a terminal the loop uses rustyline with a history file (`~/.quiver_history`, skipped
//! when `HOME` is unset). When stdin is not a terminal it reads plain lines, prints no prompt
//! (unless `echo` asks for each entry to be shown after `> `) and no colour, so scripts and
//! tests can drive it. Everything, errors included, is printed to stdout in entry order.

mod commands;
mod eval;
mod export;
mod helper;
mod history;
mod input;
mod live;
mod machines;
mod open;
mod picture;
mod render;
mod session;
mod travel;
mod version;

pub use helper::{ReplHelper, Words, highlight};
pub use session::{Reply, Session};

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Config, Editor};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// How the loop talks to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode {
    /// Read through the line editor (stdin is a terminal).
    pub terminal: bool,
    /// Colour diagnostics and highlight input.
    pub color: bool,
    /// Print each entry read after `> ` (plain mode), so output reads as a transcript.
    pub echo: bool,
}

impl Mode {
    /// The mode for this process: a terminal when stdin is one, colour unless `NO_COLOR` is
    /// set or stdin or stdout is not a terminal.
    pub fn detect(echo: bool) -> Mode {
        let terminal = std::io::stdin().is_terminal();
        let color =
            terminal && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Mode {
            terminal,
            color,
            echo,
        }
    }
}

const BANNER: &str = "quiver repl: `:help` lists the commands, `:quit` leaves";

/// Runs the REPL, first loading `file` when given.
pub fn run(file: Option<&Path>, mode: Mode) -> anyhow::Result<()> {
    let mut session = Session::new(mode.color);
    let mut out = std::io::stdout();
    if let Some(file) = file {
        let reply = session.handle(&format!(":load {}", file.display()));
        write!(out, "{}", reply.text)?;
    }
    if mode.terminal {
        writeln!(out, "{BANNER}")?;
        terminal_loop(&mut session)
    } else {
        plain_loop(&mut session, std::io::stdin().lock(), &mut out, mode.echo)
    }
}

/// Reads entries from `input` (no prompt, no editor) until `:quit` or the end of input.
pub fn plain_loop(
    session: &mut Session,
    input: impl BufRead,
    out: &mut impl Write,
    echo: bool,
) -> anyhow::Result<()> {
    let mut pending = String::new();
    for line in input.lines() {
        let line = line?;
        if pending.is_empty() && line.trim().is_empty() {
            continue;
        }
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending += &line;
        if input::incomplete(&pending) {
            continue;
        }
        let entry = std::mem::take(&mut pending);
        if handle_and_print(session, &entry, out, echo)? {
            return Ok(());
        }
    }
    if !pending.is_empty() {
        handle_and_print(session, &pending, out, echo)?;
    }
    Ok(())
}

/// Handles one entry and prints its reply; whether the session asked to quit.
fn handle_and_print(
    session: &mut Session,
    entry: &str,
    out: &mut impl Write,
    echo: bool,
) -> anyhow::Result<bool> {
    if echo {
        writeln!(out, "> {}", entry.replace('\n', "\n. "))?;
    }
    let reply = session.handle(entry);
    write!(out, "{}", reply.text)?;
    out.flush()?;
    Ok(reply.quit)
}

/// The line editor's loop, with history, completion, highlighting and multi-line entries.
fn terminal_loop(session: &mut Session) -> anyhow::Result<()> {
    let config = Config::builder().auto_add_history(true).build();
    let mut editor: Editor<ReplHelper, DefaultHistory> = Editor::with_config(config)?;
    editor.set_helper(Some(ReplHelper {
        words: session.words(),
    }));
    let history = history_file();
    if let Some(path) = &history {
        // A missing history file is the normal first run.
        let _ = editor.load_history(path);
    }
    let mut out = std::io::stdout();
    loop {
        let entry = match editor.readline("quiver> ") {
            Ok(entry) => entry,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(error) => return Err(error.into()),
        };
        if handle_and_print(session, &entry, &mut out, false)? {
            break;
        }
        if let Some(helper) = editor.helper_mut() {
            helper.words = session.words();
        }
    }
    if let Some(path) = &history
        && let Err(error) = editor.save_history(path)
    {
        eprintln!(
            "warning: cannot save the history to {}: {error}",
            path.display()
        );
    }
    Ok(())
}

/// `~/.quiver_history`, or none when `HOME` is unset.
fn history_file() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".quiver_history"))
}
