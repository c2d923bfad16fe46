//! `quiver log`: an instance's durable log from a node, one line per record for people, or
//! `--json` for scripts.
//!
//! The client library pages through the range, so long histories stream in bounded frames.
//! Text lines are `POSITION  VERSION  WHAT` with the running version's short hash; upgrades
//! and rollbacks are marked `===`. The JSON is one array of objects, keys in a fixed order:
//! `position`, `version` (full hash), `kind` (`deploy`, `input`, `upgrade`, `rollback`),
//! `input`, `outcome` (`output`, `trap`, `rejected`), `text` (the output, trap or reason),
//! `client`, `seq` (the idempotency key), each `null` when it does not apply.

use crate::args::Exit;
use crate::args_node::LogArgs;
use crate::client::{Credentials, resolve, runtime};
use crate::commands::inspect::string;
use anyhow::Result;
use quiver_vm::node::client_log::LogListing;
use quiver_vm::node::protocol::LogEntry;
use quiver_vm::node::report::Outcome;
use quiver_vm::node::store::Record;
use std::fmt::Write;

pub fn run(args: &LogArgs) -> Result<Exit> {
    let to = args.to.unwrap_or(u64::MAX);
    if args.from > to {
        clap::Error::raw(
            clap::error::ErrorKind::ValueValidation,
            format!(
                "--from {} is after --to {to}; give a range that starts before it ends\n",
                args.from
            ),
        )
        .exit();
    }
    let credentials = Credentials::load(&args.identity)?;
    let addr = resolve(&args.node)?;
    runtime()?.block_on(async {
        let client = match credentials.connect(addr).await {
            Ok(client) => client,
            Err(error) => return Ok(credentials.fail(addr, &error)),
        };
        let answer = client.log(&args.instance, args.from, to).await;
        client.close().await;
        match answer {
            Ok(listing) if args.json => {
                println!("{}", json(&listing.entries));
                Ok(Exit::Success)
            }
            Ok(listing) => {
                print!("{}", text(&args.instance, args.from, &listing));
                Ok(Exit::Success)
            }
            Err(error) => Ok(credentials.fail(addr, &error)),
        }
    })
}

/// The listing for people.
pub fn text(instance: &str, from: u64, listing: &LogListing) -> String {
    let mut out = String::new();
    if listing.first > from {
        let _ = writeln!(
            out,
            "(positions {from}..{} of `{instance}` were compacted away)",
            listing.first - 1
        );
    }
    if listing.entries.is_empty() {
        let _ = writeln!(out, "no records of `{instance}` in that range");
        return out;
    }
    let width = listing
        .entries
        .last()
        .map_or(1, |last| last.position.to_string().len());
    let mut before: Option<&LogEntry> = None;
    for entry in &listing.entries {
        let what = describe(entry, before.map(|b| b.version.short()));
        let _ = writeln!(
            out,
            "{:>width$}  {}  {what}",
            entry.position,
            entry.version.short()
        );
        before = Some(entry);
    }
    out
}

/// What one record was, in words.
fn describe(entry: &LogEntry, previous: Option<String>) -> String {
    let from = previous.map_or(String::new(), |hash| format!(" from {hash}"));
    match &entry.record {
        Record::Deploy { .. } => "=== deploy".into(),
        Record::Upgrade { to } => format!("=== upgrade{from} to {}", to.short()),
        Record::Rollback { to } => format!("=== rollback{from} to {}", to.short()),
        Record::Input { text, outcome, .. } => match outcome {
            Outcome::Output(output) => format!("{text} -> {output}"),
            Outcome::Trapped(trap) => format!("{text} -> trap: {trap}"),
            Outcome::Rejected(why) => format!("{text} -> rejected: {why}"),
        },
    }
}

/// The records as one JSON array.
pub fn json(entries: &[LogEntry]) -> String {
    let items: Vec<String> = entries.iter().map(entry_json).collect();
    format!("[{}]", items.join(","))
}

fn entry_json(entry: &LogEntry) -> String {
    let null = || "null".to_string();
    let (kind, input, outcome, text, client, seq) = match &entry.record {
        Record::Deploy { .. } => ("deploy", null(), null(), null(), null(), null()),
        Record::Upgrade { .. } => ("upgrade", null(), null(), null(), null(), null()),
        Record::Rollback { .. } => ("rollback", null(), null(), null(), null(), null()),
        Record::Input { text, outcome, key } => {
            let (name, said) = match outcome {
                Outcome::Output(output) => ("output", output.clone()),
                Outcome::Trapped(trap) => ("trap", trap.to_string()),
                Outcome::Rejected(why) => ("rejected", why.clone()),
            };
            let (client, seq) = match key {
                Some(key) => (string(&key.client), key.seq.to_string()),
                None => (null(), null()),
            };
            (
                "input",
                string(text),
                string(name),
                string(&said),
                client,
                seq,
            )
        }
    };
    format!(
        "{{\"position\":{},\"version\":{},\"kind\":{},\"input\":{input},\"outcome\":{outcome},\
         \"text\":{text},\"client\":{client},\"seq\":{seq}}}",
        entry.position,
        string(&entry.version.to_string()),
        string(kind),
    )
}
