//! `quiver send`: inputs to an instance on a node, one printed answer per input.
//!
//! Inputs from `--inputs` go pipelined on one stream (the client library batches them), so the
//! answers come back in input order. Each answer is printed on its own line: the output, or
//! `error: <reason>`. Every input is keyed (a random client id per run, or `--client-id`), so
//! the client library retries a lost connection with the same keys and the node applies each
//! input once; with `--client-id` running the command again is safe too. Inputs a full mailbox
//! answered busy were not applied, so they are resent in order after a backoff (the client
//! library's [`BusyRetry`]); with `--no-retry` the outputs of the inputs applied are printed and
//! the busy refusal ends the command (exit 4).

use crate::args::Exit;
use crate::args_node::SendArgs;
use crate::client::{Credentials, resolve, runtime};
use crate::load::read_inputs;
use anyhow::Result;
use quiver_vm::node::client::BusyRetry;
use quiver_vm::node::report::Outcome;

pub fn run(args: &SendArgs) -> Result<Exit> {
    let inputs = match (&args.text, &args.inputs_file) {
        (Some(text), _) => vec![text.clone()],
        (None, Some(path)) => read_inputs(path)?,
        (None, None) => Vec::new(),
    };
    let credentials = Credentials::load(&args.identity)?;
    let addr = resolve(&args.node)?;
    runtime()?.block_on(async {
        let mut client = match credentials.connect(addr).await {
            Ok(client) => client,
            Err(error) => return Ok(credentials.fail(addr, &error)),
        };
        if args.no_retry {
            client.set_busy_retry(BusyRetry::none());
        }
        let client = match &args.client_id {
            Some(id) => client.with_client_id(id, args.first_seq),
            None => client,
        };
        let answers = client.send_many_with(&args.instance, &inputs).await;
        client.close().await;
        let sent = match answers {
            Ok(sent) => sent,
            Err(error) => return Ok(credentials.fail(addr, &error)),
        };
        let outcomes = sent.outcomes;
        let mut exit = Exit::Success;
        for outcome in &outcomes {
            match outcome_line(outcome) {
                Ok(output) => println!("{output}"),
                Err(reason) => {
                    println!("error: {reason}");
                    exit = Exit::Rejected;
                }
            }
        }
        if let Some(busy) = sent.busy {
            let left = inputs.len().saturating_sub(outcomes.len());
            let help = if args.no_retry {
                "send them again later, or drop --no-retry to have them resent"
            } else {
                "the instance stayed busy past the retry window; send them again later"
            };
            eprintln!(
                "error: refused: {busy}\n  {left} of {} input(s) were not applied; {help}",
                inputs.len()
            );
            return Ok(Exit::Refused);
        }
        Ok(exit)
    })
}

/// The output text, or why the input was rejected.
pub fn outcome_line(outcome: &Outcome) -> Result<&str, String> {
    match outcome {
        Outcome::Output(text) => Ok(text),
        Outcome::Trapped(trap) => Err(trap.to_string()),
        Outcome::Rejected(reason) => Err(reason.clone()),
    }
}
