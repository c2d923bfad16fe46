//! The REPL session: the loaded file, the declarations and `let`s typed so far, the running
//! instances, and the dispatch of one entry to the code that handles it.
//!
//! Every handler returns the text to print; nothing here reads input or writes to a terminal,
//! so tests can drive a session directly. A failing entry changes nothing.

use super::commands::{self, Entry};
use super::history::Timeline;
use super::live::Live;
use super::version::Version;
use quiver_vm::hash::Hash;
use quiver_vm::limits::Limits;
use quiver_vm::types::Type;
use quiver_vm::value::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// A name bound with `let` at the prompt.
#[derive(Clone, Debug)]
pub struct Binding {
    pub name: String,
    pub ty: Type,
    pub value: Value,
}

/// A declaration typed at the prompt: the names it declares and its text.
#[derive(Clone, Debug)]
pub struct TypedDecl {
    pub names: Vec<String>,
    pub text: String,
}

/// A running instance of a machine, with its recorded line.
#[derive(Clone, Debug)]
pub struct Running {
    pub timeline: Timeline,
    /// The order instances were started in (for `:save`).
    pub started: usize,
}

/// What handling an entry gives back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    pub quit: bool,
}

impl Reply {
    pub fn text(text: impl Into<String>) -> Reply {
        Reply {
            text: text.into(),
            quit: false,
        }
    }
}

/// How deeply `:replay` may nest scripts that replay scripts.
pub(super) const REPLAY_DEPTH_MAX: usize = 8;

/// The whole state of one REPL.
#[derive(Debug)]
pub struct Session {
    pub(super) file: Option<PathBuf>,
    /// The loaded file's text (empty without one).
    pub(super) file_src: String,
    pub(super) typed: Vec<TypedDecl>,
    pub(super) lets: Vec<Binding>,
    pub(super) instances: BTreeMap<String, Running>,
    /// The instance an unprefixed input goes to first.
    pub(super) current: Option<String>,
    pub(super) limits: Limits,
    pub(super) color: bool,
    pub(super) replay_depth: usize,
    pub(super) started: usize,
    /// The node `:connect` reached, when connected.
    pub(super) live: Option<Live>,
    /// Every version compiled from a `:load`ed file, by hash (what `:open FILE.json` runs on).
    pub(super) known: BTreeMap<Hash, Arc<Version>>,
}

impl Session {
    /// An empty session; `color` chooses coloured diagnostics.
    pub fn new(color: bool) -> Session {
        Session {
            file: None,
            file_src: String::new(),
            typed: Vec::new(),
            lets: Vec::new(),
            instances: BTreeMap::new(),
            current: None,
            limits: Limits::default(),
            color,
            replay_depth: 0,
            started: 0,
            live: None,
            known: BTreeMap::new(),
        }
    }

    /// The session's file: the loaded file's text, then every declaration typed.
    pub fn source(&self) -> String {
        Session::source_of(&self.file_src, &self.typed)
    }

    /// The name the session's file is shown by.
    pub(super) fn source_name(&self) -> String {
        self.file
            .as_ref()
            .map_or_else(|| "<session>".to_string(), |p| p.display().to_string())
    }

    /// Handles one entry (which may span several lines).
    pub fn handle(&mut self, entry: &str) -> Reply {
        let reply = match commands::classify(entry) {
            Entry::Empty => Ok(String::new()),
            Entry::Command { name, args } => return self.command(name, args),
            Entry::Declaration => self.declare(entry),
            Entry::Let { name, expr_at } => self.bind(entry, name, expr_at),
            Entry::Send { instance, input } => self.send(instance, input),
            Entry::Other => self.input_or_expression(entry),
        };
        Reply::text(reply.unwrap_or_else(|error| error))
    }

    fn command(&mut self, name: &str, args: &str) -> Reply {
        let result = match name {
            "help" | "h" | "?" => Ok(commands::help()),
            "quit" | "q" => {
                return Reply {
                    text: String::new(),
                    quit: true,
                };
            }
            "type" | "t" => self.type_of(args),
            "load" | "l" => self.load(args),
            "reload" | "r" => self.reload(),
            "new" => self.start(args),
            "state" => self.show_state(args),
            "comb" => self.listing(args, false),
            "bytecode" => self.listing(args, true),
            "history" => self.history(args),
            "back" => self.travel(args, Travel::Back),
            "forward" => self.travel(args, Travel::Forward),
            "goto" => self.travel(args, Travel::Goto),
            "save" => self.save(args),
            "replay" => self.replay(args),
            "open" => self.open(args),
            "graph" => self.graph(args),
            "connect" => self.connect(args),
            "disconnect" => self.disconnect(),
            "push" => self.push(args),
            "send" => self.send_live(args),
            "inspect" => self.inspect(args),
            other => Err(unknown_command(other)),
        };
        Reply::text(result.unwrap_or_else(|error| error))
    }

    /// The instance an input goes to when it names none, or why there is none.
    pub(super) fn names_of_instances(&self) -> Vec<String> {
        self.instances.keys().cloned().collect()
    }
}

/// Which way `:back`, `:forward` and `:goto` move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Travel {
    Back,
    Forward,
    Goto,
}

fn unknown_command(name: &str) -> String {
    let names = commands::COMMANDS.iter().map(|(n, _, _)| *n);
    let suggestion = quiver_lang::diagnostic::did_you_mean(name, names)
        .map(|s| format!("{s}; "))
        .unwrap_or_default();
    format!(
        "error: there is no command `:{name}`\n  help: {suggestion}`:help` lists every command\n"
    )
}
