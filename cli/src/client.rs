//! How the CLI reaches nodes: the tokio runtime the node commands run on, the client identity
//! read from the data dir (`--data`, `--cert`), address resolution, a bounded connect, and the
//! one-line explanation of every client error with the exit code it maps to.
//!
//! It prints only the `error:` line of a failed call ([`Credentials::fail`]); commands print
//! everything else. Nothing here knows about requests beyond connecting: the requests are
//! `vm::node::client`'s.

use crate::args::Exit;
use crate::args_node::IdentityArgs;
use anyhow::{Context, Result, anyhow};
use quiver_vm::node::client::{Client, ClientError};
use quiver_vm::node::pki::{Identity, Paths, load_identity};
use quiver_vm::node::transport::TransportError;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

/// How long a handshake may take before the node counts as unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A multi-threaded runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The CA a client trusts and the certificate it presents.
#[derive(Clone)]
pub struct Credentials {
    pub ca_pem: String,
    pub identity: Identity,
    /// Where they came from, for messages.
    pub data: PathBuf,
    pub cert: String,
}

impl Credentials {
    /// Reads `ca.pem` and `NAME.pem`/`NAME.key` from the data dir.
    pub fn load(args: &IdentityArgs) -> Result<Credentials> {
        let dir = &args.data;
        let ca_path = Paths::ca(dir);
        let ca_pem = std::fs::read_to_string(&ca_path).with_context(|| {
            format!(
                "cannot read the node's CA `{}`; start `quiver node --data {}` once to create \
                 it, or pass the --data DIR of the node",
                ca_path.display(),
                dir.display()
            )
        })?;
        let identity = load_identity(dir, &args.cert).map_err(|error| {
            anyhow!(
                "{error}; `quiver cert issue --role client|admin {}` mints it, or pick another \
                 with --cert NAME",
                args.cert
            )
        })?;
        Ok(Credentials {
            ca_pem,
            identity,
            data: dir.clone(),
            cert: args.cert.clone(),
        })
    }

    /// Connects to a node, giving up after [`CONNECT_TIMEOUT`].
    pub async fn connect(&self, addr: SocketAddr) -> Result<Client, ClientError> {
        let connecting = Client::connect(addr, &self.ca_pem, &self.identity);
        match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
            Ok(result) => result,
            Err(_) => Err(ClientError::Connect {
                addr,
                message: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            }),
        }
    }

    /// What to check when a connection fails.
    pub fn help(&self) -> String {
        format!(
            "check that `quiver node` is running at that address, and that `{}` holds that \
             node's CA and a certificate `{}` it issued (--data DIR, --cert NAME)",
            self.data.display(),
            self.cert
        )
    }

    /// One line explaining `error` with the exit code it deserves.
    pub fn explain(&self, addr: SocketAddr, error: &ClientError) -> (String, Exit) {
        match error {
            ClientError::Refused(refusal) => (format!("refused: {refusal}"), Exit::Refused),
            ClientError::Connect { .. } => (
                format!("{error}\n  help: {}", self.help()),
                Exit::Unreachable,
            ),
            ClientError::Transport(TransportError::Stream(message)) => (
                format!(
                    "the connection to {addr} failed: {message}\n  help: {}",
                    self.help()
                ),
                Exit::Unreachable,
            ),
            other => (format!("{other} (node {addr})"), Exit::Failed),
        }
    }
}

impl Credentials {
    /// Prints `error: ...` for a failed call to stderr and gives its exit code.
    pub fn fail(&self, addr: SocketAddr, error: &ClientError) -> Exit {
        let (message, exit) = self.explain(addr, error);
        eprintln!("error: {message}");
        exit
    }
}

/// Resolves `host:port` (e.g. `127.0.0.1:4433` or `localhost:4433`) to one address.
pub fn resolve(addr: &str) -> Result<SocketAddr> {
    let mut found = addr
        .to_socket_addrs()
        .with_context(|| format!("`{addr}` is not a node address; write HOST:PORT"))?;
    found
        .next()
        .ok_or_else(|| anyhow!("`{addr}` resolves to no address; write HOST:PORT"))
}
