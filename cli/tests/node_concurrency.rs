//! Several clients send to one counter on a real `quiver node` process while `quiver push` and
//! `quiver rollback` swap it v1 -> v2 -> v3 -> v2 -> v1 -> v2 -> v3 ... : every input is
//! answered exactly once and in order per client, and the final state equals the sequential
//! model.

mod node_support;

use node_support::{NodeProcess, example, example_hash};
use quiver_vm::node::client::Client;
use quiver_vm::node::pki::load_identity;
use quiver_vm::node::report::Outcome;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const CLIENTS: usize = 4;
const BATCHES: usize = 60;
const PAIRS_PER_BATCH: usize = 128;

/// What one client checked: answers received and `Incr(1)`s answered `Ok`.
struct Seen {
    answered: usize,
    increments: usize,
}

/// Sends `BATCHES` pipelined batches of `Incr(1)`, `Get` pairs and checks every answer: each
/// increment `Ok`, each `Get` larger than the client's previous one.
async fn send_and_check(client: Client) -> Seen {
    let batch: Vec<String> = (0..PAIRS_PER_BATCH)
        .flat_map(|_| ["Incr(1)".to_string(), "Get".to_string()])
        .collect();
    let mut seen = Seen {
        answered: 0,
        increments: 0,
    };
    let mut last = -1i64;
    for _ in 0..BATCHES {
        let outcomes = client
            .send_many("c", &batch)
            .await
            .expect("the batch is answered");
        assert_eq!(outcomes.len(), batch.len(), "one answer per input");
        seen.answered += outcomes.len();
        for (input, outcome) in batch.iter().zip(outcomes) {
            let Outcome::Output(output) = outcome else {
                panic!("{input} was answered {outcome:?}");
            };
            if input == "Get" {
                let value: i64 = output
                    .strip_prefix("Value(")
                    .and_then(|s| s.strip_suffix(')'))
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| panic!("Get answered {output}"));
                assert!(
                    value > last,
                    "Get answered {value} after {last}: out of order"
                );
                last = value;
            } else {
                assert_eq!(output, "Ok", "{input}");
                seen.increments += 1;
            }
        }
    }
    client.close().await;
    seen
}

#[test]
fn concurrent_clients_lose_nothing_while_the_counter_is_swapped_v1_v2_v3_and_back() {
    let node = NodeProcess::start();
    node.quiver(&["push", &example("counter.sm"), "--instance", "c"])
        .expect_code(0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let ca = std::fs::read_to_string(node.data().join("ca.pem")).expect("ca.pem");
    let addr = node.addr.parse().expect("a socket address");
    let finished = Arc::new(AtomicUsize::new(0));
    let mut senders = Vec::new();
    for i in 0..CLIENTS {
        let name = format!("client{i}");
        node.quiver(&["cert", "issue", "--role", "client", &name])
            .expect_code(0);
        let identity = load_identity(node.data(), &name).expect("issued");
        let client = runtime
            .block_on(Client::connect(addr, &ca, &identity))
            .expect("the client connects");
        let finished = finished.clone();
        senders.push(runtime.spawn(async move {
            let seen = send_and_check(client).await;
            finished.fetch_add(1, Ordering::SeqCst);
            seen
        }));
    }
    let mut cycles_while_sending = 0;
    loop {
        let sending = finished.load(Ordering::SeqCst) < CLIENTS;
        node.quiver(&["push", &example("counter_v2.sm"), "--instance", "c"])
            .expect_code(0);
        node.quiver(&["push", &example("counter_v3.sm"), "--instance", "c"])
            .expect_code(0);
        if sending {
            cycles_while_sending += 1;
        }
        if finished.load(Ordering::SeqCst) == CLIENTS {
            break;
        }
        node.quiver(&["rollback", "c"]).expect_code(0);
        node.quiver(&["rollback", "c"]).expect_code(0);
    }
    let mut answered = 0;
    let mut increments = 0;
    for sender in senders {
        let seen = runtime.block_on(sender).expect("the client task ends");
        answered += seen.answered;
        increments += seen.increments;
    }
    assert_eq!(answered, CLIENTS * BATCHES * PAIRS_PER_BATCH * 2);
    assert!(
        cycles_while_sending >= 1,
        "no swap happened while the clients were sending"
    );
    eprintln!("{answered} inputs answered; {cycles_while_sending} v2, v3 cycles while sending");
    let model = format!("{{ count: {increments}, resets: 0, peak: {increments} }}");
    let json = node
        .quiver(&["inspect", "c", "--json"])
        .expect_code(0)
        .stdout;
    assert!(json.contains(&format!("\"state\":\"{model}\"")), "{json}");
    let running = format!(
        "\"versions\":[{{\"hash\":\"{}\"",
        example_hash("counter_v3.sm")
    );
    assert!(json.contains(&running), "{json}");
}
