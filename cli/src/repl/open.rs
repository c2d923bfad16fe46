//! `:open DIR [INSTANCE]`: a node's recorded history as an instance of the session, so the
//! time-travel commands (`:history`, `:goto`, `:back`, `:forward`) walk its real turns.
//! `:open FILE.json [INSTANCE]` does the same for a `quiver log --json` export (`export`).
//!
//! The store in `DIR` is opened like `quiver replay` opens it: nothing is ever appended, and a
//! node that is running holds the store's lock, so opening it is refused with a message saying
//! so rather than reading a file that is being written. Every record becomes one event of the
//! line, trapped and rejected inputs included (as `error: ...`), so turn N of the line is the
//! instance after log position `start + N`. The history is rebuilt through the VM and checked
//! against the recorded outputs ([`Store::history`]); this module only converts it.

use super::history::{Event, Point, Timeline};
use super::session::{Running, Session};
use super::version::Version;
use quiver_lang::driver::Compiled;
use quiver_vm::hash::Hash;
use quiver_vm::machine::Instance;
use quiver_vm::node::report::Outcome;
use quiver_vm::node::store::{Durability, History, Moment, Record, STORE_FILE, Store};
use quiver_vm::node::version::Version as NodeVersion;
use quiver_vm::text;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The most records `:open` loads (each one keeps a state, which shares structure).
const RECORDS_MAX: usize = 1_000_000;

impl Session {
    /// `:open DIR [INSTANCE]`
    pub(super) fn open(&mut self, args: &str) -> Result<String, String> {
        let words: Vec<&str> = args.split_whitespace().collect();
        let (dir, wanted) = match words.as_slice() {
            [dir] => (*dir, None),
            [dir, instance] => (*dir, Some(*instance)),
            _ => {
                return Err(
                    "error: write `:open DIR [INSTANCE]` (DIR: a node's data dir) or `:open \
                     FILE.json [INSTANCE]` (a `quiver log --json` export)\n"
                        .to_string(),
                );
            }
        };
        let history = if Path::new(dir).is_file() {
            self.export_history(Path::new(dir), wanted)?
        } else {
            read_history(Path::new(dir), wanted, &self.limits)?
        };
        let name = history.instance.clone();
        if self.instances.contains_key(&name) {
            return Err(format!(
                "error: there is already an instance `{name}` in this session\n  help: open \
                 the store in a new session, or start the REPL without it\n"
            ));
        }
        let timeline = timeline(&history, &self.limits);
        let end = timeline.now();
        let artifact = &end.version.compiled.artifact;
        let out = format!(
            "{name}: opened from {dir}: {} record(s) after position {}, running {} {}, state {}\n  \
             (turn N of its line is log position {} + N; `:history`, `:goto N`, `:back` walk it)\n",
            history.steps.len(),
            history.start.position,
            artifact.name,
            end.version.short(),
            text::print(end.instance.state(), &artifact.state),
            history.start.position,
        );
        self.started += 1;
        let running = Running {
            timeline,
            started: self.started,
        };
        self.instances.insert(name.clone(), running);
        self.current = Some(name);
        Ok(out)
    }
}

/// The history of one instance in the store of `dir`.
fn read_history(
    dir: &Path,
    wanted: Option<&str>,
    limits: &quiver_vm::limits::Limits,
) -> Result<History, String> {
    let file = dir.join(STORE_FILE);
    if !file.is_file() {
        return Err(format!(
            "error: {} has no {STORE_FILE}\n  help: give the data dir of a node (`quiver node \
             --data DIR`) or a `quiver log --json` export file\n",
            dir.display()
        ));
    }
    let store = Store::open(dir, Durability::Sync).map_err(|e| {
        format!(
            "error: cannot open the store in {}: {e}\n  help: a running node holds its store; \
             stop the node (or copy its data dir) and open it again\n",
            dir.display()
        )
    })?;
    let names = store
        .instances()
        .map_err(|e| format!("error: cannot list the instances: {e}\n"))?;
    let name = match (wanted, names.as_slice()) {
        (Some(name), _) if names.iter().any(|n| n == name) => name.to_string(),
        (None, [only]) => only.clone(),
        (_, []) => {
            return Err(format!(
                "error: the store in {} holds no instance\n",
                dir.display()
            ));
        }
        (Some(name), _) => {
            return Err(format!(
                "error: the store holds no instance `{name}`\n  help: it holds {}\n",
                names.join(", ")
            ));
        }
        (None, _) => {
            return Err(format!(
                "error: the store holds several instances: {}\n  help: name one, as in `:open \
                 {} {}`\n",
                names.join(", "),
                dir.display(),
                names[0]
            ));
        }
    };
    store
        .history(&name, limits, RECORDS_MAX)
        .map_err(|e| format!("error: cannot rebuild `{name}` from its log: {e}\n"))
}

/// The line of the history: one event per record, ending at the last one.
fn timeline(history: &History, limits: &quiver_vm::limits::Limits) -> Timeline {
    let mut versions = Versions::default();
    let mut timeline = Timeline::new(versions.point(&history.start, limits));
    let mut before = history.start.version.hash.short();
    for step in &history.steps {
        let now = step.after.version.hash.short();
        let event = match &step.record {
            Record::Input { text, outcome, .. } => Event::Turn {
                input: text.clone(),
                output: match outcome {
                    Outcome::Output(output) => output.clone(),
                    Outcome::Trapped(trap) => format!("error: {trap}"),
                    Outcome::Rejected(why) => format!("error: {why}"),
                },
            },
            Record::Rollback { .. } => Event::Rollback {
                from: before.clone(),
                to: now.clone(),
            },
            Record::Upgrade { .. } | Record::Deploy { .. } => Event::Upgrade {
                from: before.clone(),
                to: now.clone(),
            },
        };
        timeline.record(event, versions.point(&step.after, limits));
        before = now;
    }
    timeline
}

/// The REPL's versions of the node's, made once per hash.
#[derive(Default)]
struct Versions(BTreeMap<Hash, Arc<Version>>);

impl Versions {
    /// The REPL's point for a moment of the history.
    fn point(&mut self, moment: &Moment, limits: &quiver_vm::limits::Limits) -> Point {
        let version = self
            .0
            .entry(moment.version.hash)
            .or_insert_with(|| repl_version(&moment.version))
            .clone();
        let instance = Instance::restored(
            moment.version.program.clone(),
            moment.state.clone(),
            moment.turns,
            limits,
        );
        Point { instance, version }
    }
}

/// A node's version as the REPL runs one (no source: the node never had it).
fn repl_version(version: &NodeVersion) -> Arc<Version> {
    Arc::new(Version {
        compiled: Compiled {
            artifact: version.program.artifact().clone(),
            debug: version.debug.as_deref().cloned().unwrap_or_default(),
            hash: version.hash,
        },
        loaded: version.program.clone(),
        source: String::new(),
    })
}
