//! The soak's client processes, seen from the controller: each is this same binary in its
//! hidden `soak-client` mode with its own certificate and client id. The controller tells them
//! when the node restarted (a line on their stdin) and at the end reads each one's report line.

use super::client::{ClientTally, REPORT_PREFIX};
use anyhow::{Context, Result};
use quiver_vm::node::pki::{Paths, Pki, Role};
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// What every client is told.
pub struct ClientPlan<'a> {
    pub node: SocketAddr,
    pub data: &'a Path,
    pub instance: &'a str,
    /// Client ids are `RUN-INDEX`, so a second run on the same data dir has fresh keys.
    pub run_id: &'a str,
    pub duration: Duration,
    pub batch: u32,
}

/// The running client processes.
pub struct ClientProcesses {
    children: Vec<Child>,
}

impl ClientProcesses {
    /// Issues a client certificate per client (unless it exists) and starts the processes.
    pub fn spawn(plan: &ClientPlan, count: u32) -> Result<ClientProcesses> {
        let exe = std::env::current_exe().context("cannot find the quiver binary")?;
        let pki = Pki::open(plan.data).context("cannot open the node's PKI")?;
        let mut children = Vec::new();
        for index in 0..count {
            let cert = format!("soak-{index}");
            if !Paths::identity(plan.data, &cert).0.exists() {
                pki.issue_to_files(Role::Client, &cert)
                    .with_context(|| format!("cannot issue the certificate {cert}"))?;
            }
            let child = Command::new(&exe)
                .arg("soak-client")
                .args(["--node", &plan.node.to_string()])
                .arg("--data")
                .arg(plan.data)
                .args(["--cert", &cert, "--instance", plan.instance])
                .args(["--client-id", &format!("{}-{index}", plan.run_id)])
                .args(["--index", &index.to_string()])
                .args(["--duration-ms", &plan.duration.as_millis().to_string()])
                .args(["--batch", &plan.batch.to_string()])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .context("cannot start a soak client process")?;
            children.push(child);
        }
        Ok(ClientProcesses { children })
    }

    /// Tells every client the node restarted, so they drop their dead connections now.
    pub fn tell_restarted(&mut self) {
        for child in &mut self.children {
            if let Some(stdin) = child.stdin.as_mut() {
                // A client that already finished cannot read it, and needs not.
                let _ = writeln!(stdin, "restarted").and_then(|()| stdin.flush());
            }
        }
    }

    /// Waits for every client and reads its report (or says why there is none).
    pub fn wait(self) -> Vec<Result<ClientTally, String>> {
        self.children.into_iter().map(report_of).collect()
    }
}

fn report_of(child: Child) -> Result<ClientTally, String> {
    let output = child
        .wait_with_output()
        .map_err(|e| format!("cannot wait for the client: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .rev()
        .find(|line| line.starts_with(REPORT_PREFIX))
        .and_then(ClientTally::parse)
        .ok_or_else(|| format!("the client exited ({}) without a report", output.status))
}
