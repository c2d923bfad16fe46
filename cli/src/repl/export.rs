//! `:open FILE.json [INSTANCE]`: a `quiver log --json` export as an instance of the session.
//!
//! An export has no artifacts, only version hashes, so the history is rebuilt through the
//! versions this session compiled (every machine of every `:load`ed file, and those of the
//! session's source when `:open` runs, is remembered by its hash). Every hash of the export must be one of them, or the open is refused with the missing
//! hashes. The export must start at the deploy (a compacted or `--from` export cannot be
//! rebuilt); each record is then re-run through the node's own [`Replayer`] (inputs parsed by
//! the running version, upgrades and rollbacks through their migrations), and every recomputed
//! outcome is checked against the recorded one, the first divergence being an error, as
//! `quiver replay` does. The result is a [`History`] that `open` turns into a line like any
//! data dir's.

use super::session::Session;
use super::version::Version;
use quiver_vm::hash::Hash;
use quiver_vm::node::report::Outcome;
use quiver_vm::node::store::{History, Moment, Record, Replayer, Step, StoreError, Versions};
use quiver_vm::node::version::Version as NodeVersion;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

/// The most records an export may hold (each one keeps a state, which shares structure).
const RECORDS_MAX: usize = 1_000_000;

/// One object of a `quiver log --json` array (`client` and `seq` are not needed).
#[derive(Debug, Deserialize)]
struct Entry {
    position: u64,
    /// The version running once the record was applied (full hash).
    version: String,
    kind: String,
    input: Option<String>,
    outcome: Option<String>,
    text: Option<String>,
}

impl Session {
    /// Remembers every machine of the session's file by its hash, for exports to run on.
    pub(super) fn remember_versions(&mut self, machines: &[String]) {
        for machine in machines {
            if let Ok(version) = self.compile(machine) {
                self.known.insert(version.compiled.hash, Arc::new(version));
            }
        }
    }

    /// The history recorded in the export at `path`, rebuilt through the session's versions.
    pub(super) fn export_history(
        &mut self,
        path: &Path,
        wanted: Option<&str>,
    ) -> Result<History, String> {
        let name = instance_name(path, wanted)?;
        // Machines declared at the prompt since the last `:load` count too.
        if let Ok(program) = quiver_lang::driver::check(&self.source()) {
            let machines: Vec<String> = program.machines.iter().map(|m| m.name.clone()).collect();
            self.remember_versions(&machines);
        }
        let entries = read_entries(path)?;
        let hashes = hashes(&entries)?;
        let missing: Vec<String> = hashes
            .iter()
            .filter(|hash| !self.known.contains_key(hash))
            .map(|hash| hash.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "error: the export runs version(s) this session has not compiled: {}\n  help: \
                 `:load` the source of each of those versions first, then `:open` again\n",
                missing.join(", ")
            ));
        }
        let mut versions = Known(&self.known);
        rebuild(&name, &entries, &mut versions, &self.limits)
            .map_err(|e| format!("error: cannot rebuild `{name}` from the export: {e}\n"))
    }
}

/// The instance's name: the one given, or the file's stem when it names one.
fn instance_name(path: &Path, wanted: Option<&str>) -> Result<String, String> {
    let name = match wanted {
        Some(name) => name.to_string(),
        None => path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    if super::commands::is_identifier(&name) {
        return Ok(name);
    }
    Err(format!(
        "error: `{name}` cannot name an instance\n  help: name it, as in `:open {} c1`\n",
        path.display()
    ))
}

/// The records of the export, which must be non-empty and start with the deploy.
fn read_entries(path: &Path) -> Result<Vec<Entry>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("error: cannot read {}: {e}\n", path.display()))?;
    let entries: Vec<Entry> = serde_json::from_str(&text).map_err(|e| {
        format!(
            "error: {} is not a `quiver log --json` export: {e}\n  help: write one with \
             `quiver log INSTANCE --json > FILE.json`\n",
            path.display()
        )
    })?;
    if entries.len() > RECORDS_MAX {
        return Err(format!(
            "error: the export holds {} records, more than the {RECORDS_MAX} `:open` loads\n",
            entries.len()
        ));
    }
    match entries.first() {
        Some(first) if first.kind == "deploy" && first.position == 0 => Ok(entries),
        Some(first) => Err(format!(
            "error: the export starts at position {} ({}), not at the deploy\n  help: an export \
             is rebuilt from the deploy; export the whole log (no `--from`) of a node that has \
             not compacted it\n",
            first.position, first.kind
        )),
        None => Err(format!(
            "error: {} holds no records\n  help: export a deployed instance's log with `quiver \
             log INSTANCE --json > FILE.json`\n",
            path.display()
        )),
    }
}

/// Every version hash the export names, once each.
fn hashes(entries: &[Entry]) -> Result<BTreeSet<Hash>, String> {
    entries.iter().map(parse_hash).collect()
}

fn parse_hash(entry: &Entry) -> Result<Hash, String> {
    entry.version.parse().map_err(|_| {
        format!(
            "error: record {} names version `{}`, which is not a full hash\n",
            entry.position, entry.version
        )
    })
}

/// The session's versions as the node's replayer takes them.
struct Known<'a>(&'a BTreeMap<Hash, Arc<Version>>);

impl Versions for Known<'_> {
    fn version(&mut self, hash: Hash) -> Result<NodeVersion, StoreError> {
        self.0
            .get(&hash)
            .map(|version| node_version(version))
            .ok_or_else(|| StoreError::Corrupt {
                what: format!("no version {} is loaded", hash.short()),
            })
    }
}

/// A REPL version as the node runs one.
fn node_version(version: &Version) -> NodeVersion {
    NodeVersion {
        program: version.loaded.clone(),
        hash: version.compiled.hash,
        debug: Some(Arc::new(version.compiled.debug.clone())),
    }
}

/// Re-runs the export's records from its deploy, checking each recomputed outcome.
fn rebuild(
    instance: &str,
    entries: &[Entry],
    versions: &mut Known<'_>,
    limits: &quiver_vm::limits::Limits,
) -> Result<History, String> {
    let (deploy, rest) = entries
        .split_first()
        .ok_or_else(|| "the export holds no records".to_string())?;
    let first = versions
        .version(parse_hash(deploy)?)
        .map_err(|e| e.to_string())?;
    let mut replayer =
        Replayer::deployed(instance, first, limits.clone()).map_err(|e| e.to_string())?;
    let start = moment(&replayer);
    let mut steps = Vec::with_capacity(rest.len());
    for entry in rest {
        let record = replay_one(&mut replayer, entry, versions)?;
        steps.push(Step {
            record,
            after: moment(&replayer),
        });
    }
    Ok(History {
        instance: instance.to_string(),
        start,
        steps,
    })
}

/// Applies one record and checks it; gives back the record with its recomputed outcome.
fn replay_one(
    replayer: &mut Replayer,
    entry: &Entry,
    versions: &mut Known<'_>,
) -> Result<Record, String> {
    let hash = parse_hash(entry)?;
    let record = match (entry.kind.as_str(), &entry.input) {
        // `apply` recomputes an input's outcome; the outcome given here is never read.
        ("input", Some(text)) => Record::Input {
            text: text.clone(),
            outcome: Outcome::Rejected(String::new()),
            key: None,
        },
        ("upgrade", _) => Record::Upgrade { to: hash },
        ("rollback", _) => Record::Rollback { to: hash },
        (kind, _) => {
            return Err(format!(
                "record {} is a `{kind}` record without what it needs (a second deploy, or an \
                 input without its text)",
                entry.position
            ));
        }
    };
    let recomputed = replayer
        .apply(entry.position, &record, versions)
        .map_err(|e| e.to_string())?;
    if replayer.running().hash != hash {
        return Err(format!(
            "at position {}: the export says {} runs, but the replay runs {}",
            entry.position,
            hash.short(),
            replayer.running().hash.short()
        ));
    }
    match (record, recomputed) {
        (Record::Input { text, key, .. }, Some(outcome)) => {
            check(entry, &outcome)?;
            Ok(Record::Input { text, outcome, key })
        }
        (record, _) => Ok(record),
    }
}

/// A recomputed outcome must be the recorded one (kind and text).
fn check(entry: &Entry, again: &Outcome) -> Result<(), String> {
    let (kind, text) = match again {
        Outcome::Output(output) => ("output", output.clone()),
        Outcome::Trapped(trap) => ("trap", trap.to_string()),
        Outcome::Rejected(why) => ("rejected", why.clone()),
    };
    let recorded = (entry.outcome.as_deref(), entry.text.as_deref());
    if recorded == (Some(kind), Some(text.as_str())) {
        return Ok(());
    }
    Err(format!(
        "instance diverges at position {}: the input was recorded as {} `{}` but replays as \
         {kind} `{text}`",
        entry.position,
        recorded.0.unwrap_or("nothing"),
        recorded.1.unwrap_or(""),
    ))
}

fn moment(replayer: &Replayer) -> Moment {
    Moment {
        position: replayer.position(),
        version: replayer.running().clone(),
        state: replayer.state().clone(),
        turns: replayer.turns(),
    }
}
