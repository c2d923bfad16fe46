//! Reading an instance's log through [`Client`]: `Log` requests, one bounded page at a time,
//! until the asked range is done, so a long history never needs one huge frame.

use super::client::{Client, ClientError, answer, unexpected};
use super::protocol::{LogEntry, Request, Response};

/// An instance's log over a range of positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogListing {
    /// The records, in position order.
    pub entries: Vec<LogEntry>,
    /// The first position still in the log (older records were compacted away).
    pub first: u64,
}

impl Client {
    /// The records of `instance` from `from` through `to` (inclusive; `u64::MAX` for the end
    /// of the log), paging as the node answers.
    pub async fn log(&self, instance: &str, from: u64, to: u64) -> Result<LogListing, ClientError> {
        let mut listing = LogListing {
            entries: Vec::new(),
            first: 0,
        };
        let mut next = Some(from);
        while let Some(from) = next {
            let request = Request::Log {
                instance: instance.to_string(),
                from,
                to,
            };
            let page = match answer(self.request(&request).await?)? {
                Response::Logged(page) => page,
                other => return Err(unexpected(&other)),
            };
            if page.next.is_some_and(|n| n <= from) {
                // Each page must move forward, or this loop would never end.
                return Err(ClientError::Unexpected(
                    "a log page that does not advance".into(),
                ));
            }
            listing.first = page.first;
            listing.entries.extend(page.entries);
            next = page.next;
        }
        Ok(listing)
    }
}
