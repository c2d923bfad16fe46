//! The verdict of a soak run: what the clients say they sent and had acknowledged, against what
//! the machine says it applied, and the swaps and kills the controller did; printed as the
//! summary `quiver soak` ends with, and turned into its exit code.

use super::client::ClientTally;
use super::machine::Seen;
use crate::args::Exit;
use std::time::Duration;

/// What the controller did to the node.
#[derive(Clone, Debug, Default)]
pub struct Torture {
    /// Swap times (barrier to commit, microseconds) of the upgrades that committed.
    pub swap_us: Vec<u64>,
    /// Upgrades refused (busy) or interrupted.
    pub upgrades_failed: u64,
    pub first_upgrade_failure: Option<String>,
    pub kills: u64,
    /// Kill to listening again, per kill (microseconds; recovery from the store included).
    pub restart_us: Vec<u64>,
}

/// One client: its own tally (or why it has none) and what the machine saw of it.
pub struct ClientResult {
    pub tally: Result<ClientTally, String>,
    pub seen: Seen,
}

impl ClientResult {
    /// Acknowledged inputs the machine never applied: a client's inputs are applied in order,
    /// so everything acknowledged must be at or below the last applied.
    fn lost(&self) -> u64 {
        let acked = self.tally.as_ref().map_or(0, |t| t.acked);
        acked.saturating_sub(self.seen.last)
    }
}

/// The whole run.
pub struct Summary {
    pub clients: Vec<ClientResult>,
    pub torture: Torture,
    pub sending_for: Duration,
    /// Node-wide counts from the machine.
    pub duplicates: u64,
    pub skipped: u64,
}

impl Summary {
    fn sum(&self, field: impl Fn(&ClientTally) -> u64) -> u64 {
        self.clients
            .iter()
            .filter_map(|c| c.tally.as_ref().ok())
            .map(field)
            .sum()
    }

    pub fn lost(&self) -> u64 {
        self.clients.iter().map(ClientResult::lost).sum::<u64>() + self.skipped
    }

    /// Client processes that failed or reported errors.
    fn failed_clients(&self) -> usize {
        self.clients
            .iter()
            .filter(|c| c.tally.as_ref().map_or(true, |t| t.errors > 0))
            .count()
    }

    pub fn exit(&self) -> Exit {
        if self.lost() == 0 && self.duplicates == 0 && self.failed_clients() == 0 {
            Exit::Success
        } else {
            Exit::Failed
        }
    }

    pub fn print(&self) {
        let acked = self.sum(|t| t.acked);
        let seconds = self.sending_for.as_secs_f64().max(f64::EPSILON);
        println!("inputs sent:     {}", self.sum(|t| t.sent));
        println!("acknowledged:    {acked}");
        println!(
            "lost:            {}  (acknowledged but not applied; must be 0)",
            self.lost()
        );
        println!(
            "duplicated:      {}  (applied more than once; must be 0)",
            self.duplicates
        );
        println!(
            "upgrades done:   {}  ({} refused or interrupted)",
            self.torture.swap_us.len(),
            self.torture.upgrades_failed
        );
        println!(
            "kills:           {}  (SIGKILL, restart on the same data dir and port)",
            self.torture.kills
        );
        println!(
            "restart:         {}",
            spread_text(&self.torture.restart_us, "SIGKILL to listening again")
        );
        println!("swap pause:      {}", pause_text(&self.torture.swap_us));
        println!(
            "throughput:      {:.0} inputs/s acknowledged over {seconds:.1} s ({} by version A, {} by B)",
            acked as f64 / seconds,
            self.sum(|t| t.by_a),
            self.sum(|t| t.by_b)
        );
        self.print_problems();
        let verdict = match self.exit() {
            Exit::Success => "ok: nothing acknowledged was lost, nothing applied twice",
            _ => "FAILED",
        };
        println!("result:          {verdict}");
    }

    fn print_problems(&self) {
        if let Some(failure) = &self.torture.first_upgrade_failure {
            println!("first upgrade failure: {failure}");
        }
        for (index, client) in self.clients.iter().enumerate() {
            match &client.tally {
                Err(why) => println!("client {index}: no report: {why}"),
                Ok(tally) if tally.errors > 0 || client.lost() > 0 => println!(
                    "client {index}: sent {}, acked {}, applied up to {}, lost {}, {} errors (first: {})",
                    tally.sent,
                    tally.acked,
                    client.seen.last,
                    client.lost(),
                    tally.errors,
                    tally.first_error.as_deref().unwrap_or("-")
                ),
                Ok(_) => {}
            }
        }
        if self.skipped > 0 {
            println!("the machine saw {} sequence numbers skipped", self.skipped);
        }
    }
}

/// "worst W ms, median M ms  (barrier to commit, ...)", from swap times in microseconds.
pub fn pause_text(swap_us: &[u64]) -> String {
    if swap_us.is_empty() {
        return "no upgrade committed".into();
    }
    spread_text(swap_us, "barrier to commit, from the push reports")
}

/// "worst W ms, median M ms  (WHAT)", from times in microseconds.
fn spread_text(micros: &[u64], what: &str) -> String {
    let mut sorted = micros.to_vec();
    sorted.sort_unstable();
    match (sorted.last(), sorted.get(sorted.len() / 2)) {
        (Some(worst), Some(median)) => format!(
            "worst {:.3} ms, median {:.3} ms  ({what})",
            *worst as f64 / 1000.0,
            *median as f64 / 1000.0
        ),
        _ => "none".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(acked: u64, last: u64) -> ClientResult {
        ClientResult {
            tally: Ok(ClientTally {
                sent: acked,
                acked,
                ..ClientTally::default()
            }),
            seen: Seen {
                last,
                count: last,
                ..Seen::default()
            },
        }
    }

    fn summary(clients: Vec<ClientResult>, duplicates: u64) -> Summary {
        Summary {
            clients,
            torture: Torture::default(),
            sending_for: Duration::from_secs(1),
            duplicates,
            skipped: 0,
        }
    }

    #[test]
    fn an_acknowledged_input_missing_from_the_state_is_lost_and_fails_the_run() {
        let run = summary(vec![client(10, 10), client(10, 7)], 0);
        assert_eq!(run.lost(), 3);
        assert_eq!(run.exit(), Exit::Failed);
    }

    #[test]
    fn applied_but_unacknowledged_inputs_are_not_lost() {
        let run = summary(vec![client(10, 12)], 0);
        assert_eq!(run.lost(), 0);
        assert_eq!(run.exit(), Exit::Success);
    }

    #[test]
    fn a_duplicate_fails_the_run() {
        assert_eq!(summary(vec![client(5, 5)], 1).exit(), Exit::Failed);
    }

    #[test]
    fn pauses_report_the_worst_and_the_median() {
        assert_eq!(
            pause_text(&[3000, 1000, 2000]),
            "worst 3.000 ms, median 2.000 ms  (barrier to commit, from the push reports)"
        );
        assert_eq!(pause_text(&[]), "no upgrade committed");
    }
}
