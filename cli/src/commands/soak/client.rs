//! One soak client process (`quiver soak-client`, hidden; started by `quiver soak`).
//!
//! It sends `Apply(INDEX, seq)` for seq = 1, 2, 3, ... in pipelined batches, one batch in
//! flight, keyed `(CLIENT_ID, seq)`, until its time is up, and then prints one line
//! [`REPORT_PREFIX`]`sent S acked A a A1 b B1 errors E first-error ...` that the controller
//! parses. A batch that fails because the node died is sent again, whole, with the same keys,
//! until it is answered: the node applies each key once and answers a repeated one with what
//! it recorded, so nothing is applied twice and nothing acknowledged is missing.
//!
//! A SIGKILLed node closes nothing, so a connection to it would wait for QUIC's idle timeout;
//! instead the controller writes a line on this process's stdin when the node is back, and the
//! client closes its connection at once, which makes the send in flight fail and retry.

use super::machine::{apply_input, done_version};
use crate::args::Exit;
use crate::args_soak::SoakClientArgs;
use crate::client::runtime;
use anyhow::{Result, anyhow};
use quiver_vm::node::client::{Client, ClientError};
use quiver_vm::node::client_keys::RetryPolicy;
use quiver_vm::node::pki::load_identity;
use quiver_vm::node::report::{Outcome, Refusal};
use std::io::BufRead;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The start of the line a client prints at the end.
pub const REPORT_PREFIX: &str = "soak-client ";
/// How long a client keeps resending one batch before it gives up.
const BATCH_PATIENCE: Duration = Duration::from_secs(120);

/// What one client did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientTally {
    /// Distinct inputs sent (a resend of the same key counts once).
    pub sent: u64,
    /// Inputs answered.
    pub acked: u64,
    /// Answers from version A and from version B.
    pub by_a: u64,
    pub by_b: u64,
    /// Answers other than `Done(1)`/`Done(2)`, and batches given up.
    pub errors: u64,
    pub first_error: Option<String>,
}

impl ClientTally {
    fn error(&mut self, what: String) {
        self.errors += 1;
        self.first_error.get_or_insert(what);
    }

    /// The report line.
    pub fn line(&self) -> String {
        format!(
            "{REPORT_PREFIX}sent {} acked {} a {} b {} errors {} first-error {}",
            self.sent,
            self.acked,
            self.by_a,
            self.by_b,
            self.errors,
            self.first_error.as_deref().unwrap_or("-")
        )
    }

    /// Parses [`ClientTally::line`].
    pub fn parse(line: &str) -> Option<ClientTally> {
        let rest = line.strip_prefix(REPORT_PREFIX)?;
        let (counts, first_error) = rest.split_once(" first-error ")?;
        let words: Vec<&str> = counts.split(' ').collect();
        let number = |name: &str| -> Option<u64> {
            let at = words.iter().position(|w| *w == name)?;
            words.get(at + 1)?.parse().ok()
        };
        Some(ClientTally {
            sent: number("sent")?,
            acked: number("acked")?,
            by_a: number("a")?,
            by_b: number("b")?,
            errors: number("errors")?,
            first_error: (first_error != "-").then(|| first_error.to_string()),
        })
    }
}

pub fn run(args: &SoakClientArgs) -> Result<Exit> {
    let tally = runtime()?.block_on(send_for(args))?;
    println!("{}", tally.line());
    Ok(if tally.errors == 0 {
        Exit::Success
    } else {
        Exit::Failed
    })
}

async fn send_for(args: &SoakClientArgs) -> Result<ClientTally> {
    let ca_pem = std::fs::read_to_string(quiver_vm::node::pki::Paths::ca(&args.data))?;
    let identity = load_identity(&args.data, &args.cert)?;
    let client = Client::connect(args.node, &ca_pem, &identity)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .with_client_id(&args.client_id, 1)
        .with_retry(RetryPolicy {
            attempts: 12,
            backoff: Duration::from_millis(20),
        });
    let client = Arc::new(client);
    close_on_stdin_lines(Arc::clone(&client));
    let started = Instant::now();
    let duration = Duration::from_millis(args.duration_ms);
    let mut tally = ClientTally::default();
    let mut seq: u64 = 1;
    while started.elapsed() < duration {
        let inputs: Vec<String> = (0..u64::from(args.batch))
            .map(|i| apply_input(args.index, seq + i))
            .collect();
        tally.sent += inputs.len() as u64;
        match send_batch(&client, &args.instance, seq, &inputs).await {
            Ok(outcomes) => count(&mut tally, &outcomes),
            Err(error) => {
                tally.error(format!("gave up on the batch from {seq}: {error}"));
                break;
            }
        }
        seq += inputs.len() as u64;
    }
    Ok(tally)
}

/// Sends one batch with its keys until it is answered in full, or [`BATCH_PATIENCE`] passes.
async fn send_batch(
    client: &Client,
    instance: &str,
    first_seq: u64,
    inputs: &[String],
) -> Result<Vec<Outcome>, ClientError> {
    let started = Instant::now();
    loop {
        match client.send_keyed(instance, first_seq, inputs).await {
            Ok(outcomes) => return Ok(outcomes),
            Err(ClientError::Refused(refusal)) if !worth_resending(&refusal) => {
                return Err(ClientError::Refused(refusal));
            }
            Err(error) if started.elapsed() > BATCH_PATIENCE => return Err(error),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Refusals that end when the node catches up or is back: a full mailbox, a node going down,
/// too many connections while the node still counts ones a kill left behind.
fn worth_resending(refusal: &Refusal) -> bool {
    matches!(
        refusal,
        Refusal::Busy { .. } | Refusal::ShuttingDown | Refusal::TooManyConnections { .. }
    )
}

fn count(tally: &mut ClientTally, outcomes: &[Outcome]) {
    tally.acked += outcomes.len() as u64;
    for outcome in outcomes {
        match outcome {
            Outcome::Output(text) => match done_version(text) {
                Some(1) => tally.by_a += 1,
                Some(_) => tally.by_b += 1,
                None => tally.error(format!("an input answered {text}")),
            },
            Outcome::Trapped(trap) => tally.error(format!("an input trapped: {trap}")),
            Outcome::Rejected(reason) => tally.error(format!("an input was rejected: {reason}")),
        }
    }
}

/// Closes the client's current connection whenever a line arrives on stdin (the controller
/// restarted the node), so a send waiting on the dead node fails and retries at once.
fn close_on_stdin_lines(client: Arc<Client>) {
    std::thread::spawn(move || {
        for _ in std::io::stdin().lock().lines().map_while(Result::ok) {
            client
                .connection()
                .close(0u32.into(), b"the node restarted");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_line_parses_back_to_the_same_tally() {
        let tally = ClientTally {
            sent: 10,
            acked: 9,
            by_a: 4,
            by_b: 5,
            errors: 1,
            first_error: Some("gave up on the batch from 9: no answer".into()),
        };
        assert_eq!(ClientTally::parse(&tally.line()), Some(tally));
        let clean = ClientTally::default();
        assert_eq!(ClientTally::parse(&clean.line()), Some(clean));
        assert_eq!(ClientTally::parse("something else"), None);
    }
}
