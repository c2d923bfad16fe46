//! The `Log` request: one bounded page of an instance's durable log, read from the store in a
//! read transaction of its own, never through the instance's mailbox, so listing a long
//! history does not hold up the instance.
//!
//! A page holds at most [`PAGE_ENTRIES`] records and stops early once it holds about
//! [`PAGE_BYTES`] of input and output text, so every answer fits well inside a frame; the
//! client asks again from [`LogPage::next`]. Only durable records are listed: an input whose
//! record is still on its way to disk shows up on a later read.

use super::protocol::{LogEntry, LogPage};
use super::report::{Outcome, Refusal};
use super::store::{Record, Store, StoreError};
use std::sync::Arc;

/// The most records one page holds.
pub const PAGE_ENTRIES: u64 = 512;

/// About the most bytes of text one page holds (one record may take it over).
pub const PAGE_BYTES: usize = 1 << 20;

/// The page of `instance`'s log that starts at `from` and ends at `to` or earlier.
pub async fn serve(
    store: Option<Arc<Store>>,
    instance: String,
    from: u64,
    to: u64,
) -> Result<LogPage, Refusal> {
    let store = store.ok_or(Refusal::ShuttingDown)?;
    tokio::task::spawn_blocking(move || page(&store, &instance, from, to))
        .await
        .map_err(|_| Refusal::ShuttingDown)?
}

/// The page, read synchronously (the store blocks).
pub fn page(store: &Store, instance: &str, from: u64, to: u64) -> Result<LogPage, Refusal> {
    let unreadable = |error: StoreError| Refusal::Unreadable(error.to_string());
    let first = store
        .first_position(instance)
        .map_err(unreadable)?
        .ok_or_else(|| Refusal::UnknownInstance(instance.to_string()))?;
    let start = from.max(first);
    if start > to {
        return Ok(LogPage {
            entries: Vec::new(),
            next: None,
            first,
        });
    }
    let end = to.min(start.saturating_add(PAGE_ENTRIES - 1));
    let lines = store.listing(instance, start, end).map_err(unreadable)?;
    let full = u64::try_from(lines.len()).unwrap_or(u64::MAX) == end - start + 1;
    let mut entries = Vec::with_capacity(lines.len());
    let mut bytes = 0;
    let mut trimmed = false;
    for line in lines {
        if bytes >= PAGE_BYTES {
            trimmed = true;
            break;
        }
        bytes += text_bytes(&line.record);
        entries.push(LogEntry {
            position: line.position,
            record: line.record,
            version: line.version,
        });
    }
    let next = match entries.last() {
        Some(last) if trimmed => Some(last.position + 1),
        _ if full && end < to => Some(end + 1),
        _ => None,
    };
    Ok(LogPage {
        entries,
        next,
        first,
    })
}

/// The text a record carries, roughly its size on the wire.
fn text_bytes(record: &Record) -> usize {
    match record {
        Record::Input { text, outcome, .. } => {
            text.len()
                + match outcome {
                    Outcome::Output(output) => output.len(),
                    Outcome::Rejected(why) => why.len(),
                    Outcome::Trapped(_) => 64,
                }
        }
        _ => 40,
    }
}
