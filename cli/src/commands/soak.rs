//! `quiver soak`: sustained load on a real node while it is upgraded and SIGKILLed, checking
//! that nothing acknowledged is lost and nothing is applied twice (issue 7, "Soak").
//!
//! The controller (this module) starts a `quiver node` child process on a fixed port, deploys
//! the checking machine ([`machine`]), starts client processes ([`client_processes`], each
//! running [`client`]), and then, until the time is up, pushes the other version every
//! `--upgrade-every` and SIGKILLs and restarts the node every `--kill-every`. At the end it
//! asks the machine what it applied per client and prints the verdict ([`report`]).
//! It is documented in the README and not run in CI beyond a short smoke test.

pub mod client;
mod client_processes;
mod machine;
mod node_process;
mod report;

use crate::args::Exit;
use crate::args_node::IdentityArgs;
use crate::args_soak::SoakArgs;
use crate::client::{Credentials, runtime};
use anyhow::{Context, Result, anyhow, bail};
use client_processes::{ClientPlan, ClientProcesses};
use machine::{Seen, Versions, check_input, parse_seen};
use node_process::{NodeProcess, free_port};
use quiver_vm::hash::Hash;
use quiver_vm::node::client::Client;
use quiver_vm::node::report::{Outcome, PushOutcome};
use report::{ClientResult, Summary, Torture};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

/// The longest a push or a query may take before it counts as failed.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

pub fn run(args: &SoakArgs) -> Result<Exit> {
    let (duration, kill_every) = checked_times(args)?;
    let versions = Versions::compile()?;
    let temp = tempfile::tempdir().context("cannot create a temporary data dir")?;
    let data = match &args.data {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the data dir {}", dir.display()))?;
            dir.clone()
        }
        None => temp.path().to_path_buf(),
    };
    let addr = free_port()?;
    let mut node = NodeProcess::start(addr, &data)?;
    let rt = runtime()?;
    let run_id = run_id();
    let instance = format!("soak-{run_id}");
    let mut admin = Admin::connect(&rt, addr, &data)?;
    let deployed = rt.block_on(admin.client.push(&instance, versions.a.bytes.clone(), None));
    deployed.map_err(|e| anyhow!("deploying the soak machine failed: {e}"))?;
    println!(
        "soak: {} client processes for {:.1} s, an upgrade every {} ms, a SIGKILL every {} \
         (node {addr}, data {})",
        args.clients,
        duration.as_secs_f64(),
        args.upgrade_every,
        kill_every.map_or("never".into(), |d| format!("{:.1} s", d.as_secs_f64())),
        data.display()
    );
    let plan = ClientPlan {
        node: addr,
        data: &data,
        instance: &instance,
        run_id: &run_id,
        duration,
        batch: args.batch,
    };
    let mut clients = ClientProcesses::spawn(&plan, args.clients)?;
    let started = Instant::now();
    let schedule = Schedule {
        end: started + duration,
        upgrade_every: (args.upgrade_every > 0).then(|| Duration::from_millis(args.upgrade_every)),
        kill_every,
    };
    let mut soak = Soak {
        rt: &rt,
        node: &mut node,
        admin: &mut admin,
        versions: &versions,
        instance: &instance,
        clients: &mut clients,
        torture: Torture::default(),
        running: versions.a.hash,
    };
    soak.drive(&schedule)?;
    let torture = soak.torture;
    let tallies = clients.wait();
    let sending_for = started.elapsed();
    let seen = read_seen(&rt, &admin.client, &instance, args.clients)?;
    node.kill();
    let summary = summarise(tallies, seen, torture, sending_for);
    summary.print();
    Ok(summary.exit())
}

fn checked_times(args: &SoakArgs) -> Result<(Duration, Option<Duration>)> {
    let seconds = |value: f64, flag: &str| {
        Duration::try_from_secs_f64(value)
            .map_err(|_| anyhow!("{flag} must be a number of seconds, 0 or more"))
    };
    let duration = seconds(args.duration, "--duration")?;
    if duration.is_zero() {
        bail!("--duration must be more than 0 seconds");
    }
    let kill_every = seconds(args.kill_every, "--kill-every")?;
    Ok((duration, (!kill_every.is_zero()).then_some(kill_every)))
}

/// Short and unique enough on one machine: the clock's milliseconds in hex.
fn run_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{:x}", now.as_millis() & 0xffff_ffff_ffff)
}

/// The controller's own connection, with the admin certificate; made again after a kill.
struct Admin {
    credentials: Credentials,
    addr: std::net::SocketAddr,
    client: Client,
}

impl Admin {
    fn connect(rt: &Runtime, addr: std::net::SocketAddr, data: &Path) -> Result<Admin> {
        let credentials = Credentials::load(&IdentityArgs {
            data: data.to_path_buf(),
            cert: "admin".into(),
        })?;
        let client = connect_patiently(rt, &credentials, addr)?;
        Ok(Admin {
            credentials,
            addr,
            client,
        })
    }

    fn reconnect(&mut self, rt: &Runtime) -> Result<()> {
        self.client = connect_patiently(rt, &self.credentials, self.addr)?;
        Ok(())
    }
}

fn connect_patiently(
    rt: &Runtime,
    credentials: &Credentials,
    addr: std::net::SocketAddr,
) -> Result<Client> {
    let mut tries = 0;
    loop {
        match rt.block_on(credentials.connect(addr)) {
            Ok(client) => return Ok(client),
            Err(error) if tries >= 5 => bail!("cannot reach the soak node: {error}"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
        tries += 1;
    }
}

/// When to upgrade and kill.
struct Schedule {
    end: Instant,
    upgrade_every: Option<Duration>,
    kill_every: Option<Duration>,
}

/// The controller's state while the clients send.
struct Soak<'a> {
    rt: &'a Runtime,
    node: &'a mut NodeProcess,
    admin: &'a mut Admin,
    versions: &'a Versions,
    instance: &'a str,
    clients: &'a mut ClientProcesses,
    torture: Torture,
    /// The version believed to run.
    running: Hash,
}

impl Soak<'_> {
    /// Upgrades and kills on schedule until the end.
    fn drive(&mut self, schedule: &Schedule) -> Result<()> {
        let now = Instant::now();
        let mut next_upgrade = schedule.upgrade_every.map(|every| now + every);
        let mut next_kill = schedule.kill_every.map(|every| now + every);
        loop {
            let next = [Some(schedule.end), next_upgrade, next_kill]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(schedule.end);
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
            if Instant::now() >= schedule.end {
                return Ok(());
            }
            if let (Some(at), Some(every)) = (next_kill, schedule.kill_every)
                && Instant::now() >= at
            {
                self.kill_and_restart()?;
                next_kill = Some(at + every);
                continue;
            }
            if let (Some(_), Some(every)) = (next_upgrade, schedule.upgrade_every) {
                self.upgrade();
                next_upgrade = Some(Instant::now() + every);
            }
        }
    }

    fn kill_and_restart(&mut self) -> Result<()> {
        let killed = Instant::now();
        self.node.kill_and_restart()?;
        self.torture.kills += 1;
        self.torture.restart_us.push(micros(killed.elapsed()));
        self.clients.tell_restarted();
        self.admin.reconnect(self.rt)?;
        let reports = self.call(self.admin.client.inspect(Some(self.instance)))?;
        if let Some(version) = reports.first().and_then(|r| r.versions.first()) {
            self.running = version.hash;
        }
        Ok(())
    }

    fn upgrade(&mut self) {
        let next = self.versions.other(&self.running);
        let pushed = self.call(self.admin.client.push(
            self.instance,
            next.bytes.clone(),
            Some(self.running),
        ));
        match pushed {
            Ok(PushOutcome::Upgraded { swap }) => {
                self.torture.swap_us.push(swap.swap_us);
                self.running = swap.to;
            }
            Ok(PushOutcome::Unchanged { hash } | PushOutcome::Deployed { hash }) => {
                self.running = hash;
            }
            Err(error) => {
                self.torture.upgrades_failed += 1;
                self.torture
                    .first_upgrade_failure
                    .get_or_insert(format!("{error:#}"));
            }
        }
    }

    /// One call to the node, bounded by [`CALL_TIMEOUT`].
    fn call<T, E: std::fmt::Display>(
        &self,
        call: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T> {
        let bounded = async { tokio::time::timeout(CALL_TIMEOUT, call).await };
        match self.rt.block_on(bounded) {
            Ok(result) => result.map_err(|e| anyhow!("{e}")),
            Err(_) => bail!("no answer within {} s", CALL_TIMEOUT.as_secs()),
        }
    }
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// What the machine saw of clients `0..count`.
fn read_seen(rt: &Runtime, admin: &Client, instance: &str, count: u32) -> Result<Vec<Seen>> {
    let checks: Vec<String> = (0..count).map(check_input).collect();
    let outcomes = rt
        .block_on(admin.send_many(instance, &checks))
        .map_err(|e| anyhow!("cannot read the soak machine's counts: {e}"))?;
    outcomes
        .iter()
        .map(|outcome| match outcome {
            Outcome::Output(text) => {
                parse_seen(text).ok_or_else(|| anyhow!("unexpected answer to Check: {text}"))
            }
            other => Err(anyhow!("Check was not answered: {other:?}")),
        })
        .collect()
}

fn summarise(
    tallies: Vec<Result<client::ClientTally, String>>,
    seen: Vec<Seen>,
    torture: Torture,
    sending_for: Duration,
) -> Summary {
    let first = seen.first().copied().unwrap_or_default();
    Summary {
        clients: tallies
            .into_iter()
            .zip(seen)
            .map(|(tally, seen)| ClientResult { tally, seen })
            .collect(),
        torture,
        sending_for,
        duplicates: first.duplicates,
        skipped: first.skipped,
    }
}
