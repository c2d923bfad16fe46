//! The crash suite (issue 6): a real `quiver node` process killed with SIGKILL at 100+ seeded
//! moments — during bursts of pipelined inputs from several clients, in the middle of an
//! upgrade or rollback pushed while inputs flow, and just after a snapshot fell due (snapshots
//! every 100 records of a state with a 65,536-entry list, so one is often being encoded or
//! written) — and restarted on the same data dir each time. After every restart the recovered
//! ledger is checked against the model (`crash_support::model`): every acknowledged input is
//! applied, nothing is applied twice or resurrected, and the version is the old or the new one
//! as the swap's acknowledgement allows. A second test damages the store file at seeded
//! offsets: the node must refuse to start with a clear message, or recover exactly.
//!
//! `QUIVER_CRASH_SEED` replays a run (the seed is printed at the start and in every failure),
//! `QUIVER_CRASH_ROUNDS` extends it.

mod crash_support;

use crash_support::ledger::{GROWS, LedgerVersion, compile};
use crash_support::model::{Model, Swap};
use crash_support::{CrashNode, INSTANCE, Plan, Rng, Started, adds, runtime};
use quiver_vm::node::client::Client;
use quiver_vm::node::report::{Outcome, PushOutcome};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// Snapshot every this many records.
const SNAPSHOT_EVERY: usize = 100;

const FLAGS: [&str; 4] = ["--snapshot-every", "100", "--keep-snapshots", "2"];

/// What a round does before the kill.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Several clients pipeline batches; the kill lands at a random moment.
    Burst,
    /// As `Burst`, and an upgrade to v2 (or a rollback to v1) is pushed meanwhile.
    Swap,
    /// One batch that makes a snapshot due; the kill follows its acknowledgement closely.
    Snapshot,
}

/// The ledger instance under test, its node and its model.
struct Suite {
    runtime: Runtime,
    _dir: tempfile::TempDir,
    node: CrashNode,
    model: Arc<Mutex<Model>>,
    v1: LedgerVersion,
    v2: LedgerVersion,
}

impl Suite {
    /// A node with the ledger deployed and its pad grown.
    fn setup() -> Suite {
        let dir = tempfile::tempdir().expect("a temp dir");
        let data = dir.path().join("data");
        let node = CrashNode::expect_start(&data, &FLAGS).expect("a fresh node starts");
        let (v1, v2) = (compile("ledger.sm"), compile("ledger_v2.sm"));
        let runtime = runtime();
        runtime
            .block_on(async {
                let client = node.connect().await?;
                client
                    .push(INSTANCE, v1.bytes.clone(), None)
                    .await
                    .map_err(|e| e.to_string())?;
                let grows = vec!["Grow".to_string(); GROWS as usize];
                client
                    .send_many(INSTANCE, &grows)
                    .await
                    .map_err(|e| e.to_string())?;
                client.close().await;
                Ok::<(), String>(())
            })
            .expect("the ledger deploys and grows");
        let model = Arc::new(Mutex::new(Model::new(&v1.hash)));
        Suite {
            runtime,
            _dir: dir,
            node,
            model,
            v1,
            v2,
        }
    }

    fn model(&self) -> std::sync::MutexGuard<'_, Model> {
        self.model
            .lock()
            .expect("no test thread panicked holding the model")
    }

    /// One kill point: traffic, a kill, a restart and a check against the model.
    fn round(&mut self, kind: Kind, rng: &mut Rng) -> Result<String, String> {
        let mut tasks = Vec::new();
        let clients = match kind {
            Kind::Snapshot => 1,
            _ => rng.range(1, 4),
        };
        let batch = rng.range(8, 65) as usize;
        for _ in 0..clients {
            let client = self.runtime.block_on(self.node.connect())?;
            let model = self.model.clone();
            tasks.push(match kind {
                Kind::Snapshot => self.runtime.spawn(snapshot_batch(client, model)),
                _ => self.runtime.spawn(burst(client, model, batch)),
            });
        }
        let plan = match kind {
            Kind::Burst => format!("{clients} client(s), batches of {batch}"),
            Kind::Swap => self.swap_midway(rng, &mut tasks, clients, batch)?,
            Kind::Snapshot => {
                let done = tasks.pop().expect("one task");
                let _ = self.runtime.block_on(done);
                format!("{SNAPSHOT_EVERY} inputs acknowledged")
            }
        };
        let delay = match kind {
            Kind::Burst => rng.millis(5, 150),
            Kind::Swap => rng.millis(0, 40),
            Kind::Snapshot => rng.millis(0, 12),
        };
        std::thread::sleep(delay);
        self.node.kill();
        // Replies already on the wire may still arrive; none can come after this.
        std::thread::sleep(Duration::from_millis(20));
        for task in tasks {
            task.abort();
            let _ = self.runtime.block_on(task);
        }
        let data = self.node.data.clone();
        self.node = CrashNode::expect_start(&data, &FLAGS)?;
        let report = self.runtime.block_on(self.node.inspect())?;
        let (v1, v2) = (self.v1.hash.clone(), self.v2.hash.clone());
        self.model().check(&report, &v1, &v2)?;
        Ok(format!(
            "{plan}, killed {delay:?} later; {} turns",
            report.turns
        ))
    }

    /// Lets the burst run a little, then pushes v2 (or rolls back to v1) while it flows.
    fn swap_midway(
        &mut self,
        rng: &mut Rng,
        tasks: &mut Vec<JoinHandle<()>>,
        clients: u64,
        batch: usize,
    ) -> Result<String, String> {
        std::thread::sleep(rng.millis(0, 60));
        let client = self.runtime.block_on(self.node.connect())?;
        let upgrade = self.model().running == self.v1.hash;
        let (to, bytes) = if upgrade {
            (self.v2.hash.clone(), Some(self.v2.bytes.clone()))
        } else {
            (self.v1.hash.clone(), None)
        };
        self.model().swap = Swap::Requested { to: to.clone() };
        tasks.push(
            self.runtime
                .spawn(swap(client, self.model.clone(), to, bytes)),
        );
        let what = if upgrade { "upgrade" } else { "rollback" };
        Ok(format!(
            "{clients} client(s), batches of {batch}, {what} midway"
        ))
    }
}

/// Sends batches of fresh ids until the node stops answering, recording acknowledgements.
async fn burst(client: Client, model: Arc<Mutex<Model>>, batch: usize) {
    loop {
        let ids = lock(&model).send(batch);
        let Ok(outcomes) = client.send_many(INSTANCE, &adds(&ids)).await else {
            return;
        };
        let ok = Outcome::Output("Ok".into());
        assert!(outcomes.iter().all(|o| *o == ok), "{outcomes:?}");
        lock(&model).acknowledge(&ids);
    }
}

/// One batch of `SNAPSHOT_EVERY` ids: at least one snapshot falls due while it runs.
async fn snapshot_batch(client: Client, model: Arc<Mutex<Model>>) {
    let ids = lock(&model).send(SNAPSHOT_EVERY);
    if client.send_many(INSTANCE, &adds(&ids)).await.is_ok() {
        lock(&model).acknowledge(&ids);
    }
}

/// Pushes v2 (`bytes`) or rolls back (no bytes), recording an acknowledgement.
async fn swap(client: Client, model: Arc<Mutex<Model>>, to: String, bytes: Option<Vec<u8>>) {
    let acknowledged = match bytes {
        Some(bytes) => matches!(
            client.push(INSTANCE, bytes, None).await,
            Ok(PushOutcome::Upgraded { .. })
        ),
        None => client.rollback(INSTANCE).await.is_ok(),
    };
    if acknowledged {
        lock(&model).swap = Swap::Acknowledged { to };
    }
}

fn lock(model: &Mutex<Model>) -> std::sync::MutexGuard<'_, Model> {
    model
        .lock()
        .expect("no test thread panicked holding the model")
}

#[test]
fn a_node_killed_at_a_hundred_seeded_moments_keeps_exactly_what_it_acknowledged() {
    let plan = Plan::from_env(104);
    eprintln!(
        "crash suite: seed {}, {} kill points ({})",
        plan.seed,
        plan.rounds,
        plan.replay_hint()
    );
    let mut rng = Rng::new(plan.seed);
    let mut suite = Suite::setup();
    let kinds = [Kind::Burst, Kind::Swap, Kind::Burst, Kind::Snapshot];
    for round in 0..plan.rounds {
        let kind = kinds[(round % 4) as usize];
        match suite.round(kind, &mut rng) {
            Ok(summary) => eprintln!("round {round} ({kind:?}): {summary}"),
            Err(e) => panic!(
                "crash suite, seed {}, round {round} ({kind:?}): {e}; {}",
                plan.seed,
                plan.replay_hint()
            ),
        }
    }
}

/// How a copy of the store file is damaged.
#[derive(Debug)]
enum Damage {
    /// Cut at this offset (a write that never finished, or a lost tail).
    Truncate(u64),
    /// These bytes overwritten with garbage.
    Overwrite { at: u64, len: u64 },
}

impl Damage {
    fn pick(rng: &mut Rng, file_len: u64) -> Damage {
        let at = rng.range(0, file_len);
        match rng.range(0, 3) {
            0 => Damage::Truncate(at),
            _ => Damage::Overwrite {
                at,
                len: rng.range(1, 4097).min(file_len - at),
            },
        }
    }

    fn apply(&self, file: &std::path::Path, rng: &mut Rng) {
        let mut bytes = std::fs::read(file).expect("the store file is readable");
        match *self {
            Damage::Truncate(at) => bytes.truncate(at as usize),
            Damage::Overwrite { at, len } => {
                for byte in &mut bytes[at as usize..(at + len) as usize] {
                    *byte = rng.next() as u8;
                }
            }
        }
        std::fs::write(file, bytes).expect("the store file is writable");
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("a copy dir");
    for entry in std::fs::read_dir(from).expect("the data dir lists") {
        let entry = entry.expect("an entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copies");
    }
}

#[test]
fn a_store_cut_or_damaged_at_seeded_offsets_is_refused_with_a_clear_error_or_recovered_exactly() {
    let plan = Plan::from_env(104);
    let damages = (plan.rounds / 6).max(1);
    eprintln!("store damage: seed {}, {damages} damaged copies", plan.seed);
    let mut rng = Rng::new(plan.seed ^ 0xda3a6e);
    let mut suite = Suite::setup();
    for kind in [Kind::Burst, Kind::Swap, Kind::Snapshot, Kind::Burst] {
        suite.round(kind, &mut rng).expect("the history is built");
    }
    suite.node.kill();
    let data = suite.node.data.clone();
    let reference = CrashNode::expect_start(&data, &FLAGS).expect("the intact copy starts");
    let expected = suite
        .runtime
        .block_on(reference.inspect())
        .expect("inspects");
    drop(reference);
    let scratch = tempfile::tempdir().expect("a temp dir");
    let file_len = std::fs::metadata(data.join("store.redb")).map_or(0, |m| m.len());
    let (mut refused, mut recovered) = (0, 0);
    for copy in 0..damages {
        let damaged = scratch.path().join(format!("copy{copy}"));
        copy_dir(&data, &damaged);
        let damage = Damage::pick(&mut rng, file_len);
        damage.apply(&damaged.join("store.redb"), &mut rng);
        let context = format!(
            "seed {}, copy {copy}, {damage:?} of {file_len} bytes; {}",
            plan.seed,
            plan.replay_hint()
        );
        match CrashNode::start(&damaged, &FLAGS) {
            Started::Listening(node) => {
                let report = suite.runtime.block_on(node.inspect());
                let report = report.unwrap_or_else(|e| panic!("{context}: {e}"));
                assert_eq!(report.state, expected.state, "{context}: silently wrong");
                assert_eq!(report.turns, expected.turns, "{context}: silently wrong");
                assert_eq!(report.versions, expected.versions, "{context}");
                recovered += 1;
            }
            Started::Refused { code, stderr } => {
                assert_eq!(code, Some(1), "{context}: {stderr}");
                assert!(
                    stderr.contains("store") && !stderr.contains("panicked"),
                    "{context}: not a clear refusal: {stderr}"
                );
                refused += 1;
            }
        }
    }
    eprintln!("store damage: {refused} refused, {recovered} recovered exactly");
}
