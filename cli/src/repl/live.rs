//! Driving a live node from the REPL: `:connect ADDR [--data DIR] [--cert NAME]`, then
//! `:push MACHINE as INSTANCE` (the session's machine, compiled here, deployed or upgraded
//! there), `:send INSTANCE TEXT`, `:inspect [INSTANCE]` and `:disconnect`.
//!
//! The REPL is synchronous, so the session owns a small current-thread tokio runtime and
//! blocks on each call. `:connect` checks that the node answers and remembers where it is and
//! who to be; each later command opens its own connection (one handshake) and closes it, so
//! a session left idle never holds a connection the node has timed out. Every failure comes
//! back as `error: ...` text from [`Credentials::explain`]; nothing here ends the session.
//! Identity, addresses and the printed answers are the CLI's (`crate::client`,
//! `crate::commands`); this module only parses the REPL's arguments.

use super::session::Session;
use crate::args_node::{DEFAULT_DATA, IdentityArgs};
use crate::client::{Credentials, resolve};
use crate::commands::{inspect, push, send};
use quiver_vm::bytecode::encode::encode;
use quiver_vm::node::client::{Client, ClientError};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The node a session is connected to.
pub(super) struct Live {
    runtime: tokio::runtime::Runtime,
    credentials: Credentials,
    addr: SocketAddr,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("addr", &self.addr)
            .field("data", &self.credentials.data)
            .field("cert", &self.credentials.cert)
            .finish_non_exhaustive()
    }
}

/// The client certificate `:connect` presents unless told otherwise.
const DEFAULT_CERT: &str = "admin";

const CONNECT_USAGE: &str = "error: write `:connect ADDR [--data DIR] [--cert NAME]`\n  \
     help: e.g. `:connect 127.0.0.1:4433`\n";

const NOT_CONNECTED: &str =
    "error: not connected to a node\n  help: connect with `:connect ADDR` first\n";

impl Session {
    /// `:connect ADDR [--data DIR] [--cert NAME]`
    pub(super) fn connect(&mut self, args: &str) -> Result<String, String> {
        let (addr_text, identity) = parse_connect(args)?;
        let credentials =
            Credentials::load(&identity).map_err(|error| format!("error: {error:#}\n"))?;
        let addr = resolve(addr_text).map_err(|error| format!("error: {error:#}\n"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| format!("error: cannot start the async runtime: {error}\n"))?;
        let live = Live {
            runtime,
            credentials,
            addr,
        };
        live.call(async |_: &Client| Ok(()))?;
        let out = format!(
            "connected to {addr} as `{}` (data dir {})\n",
            live.credentials.cert,
            live.credentials.data.display()
        );
        self.live = Some(live);
        Ok(out)
    }

    /// `:disconnect`
    pub(super) fn disconnect(&mut self) -> Result<String, String> {
        let live = self.live.take().ok_or_else(|| NOT_CONNECTED.to_string())?;
        Ok(format!("disconnected from {}\n", live.addr))
    }

    /// `:push MACHINE as INSTANCE`
    pub(super) fn push(&self, args: &str) -> Result<String, String> {
        let live = self
            .live
            .as_ref()
            .ok_or_else(|| NOT_CONNECTED.to_string())?;
        let [machine, "as", instance] = args.split_whitespace().collect::<Vec<_>>()[..] else {
            return Err("error: write `:push MACHINE as INSTANCE`\n".to_string());
        };
        let version = self.compile(machine)?;
        let compiled = &version.compiled;
        let bytes = encode(&compiled.artifact, Some(&compiled.debug));
        let outcome =
            live.call(async |client: &Client| client.push(instance, bytes, None).await)?;
        Ok(format!(
            "{instance} on {}: {}\n",
            live.addr,
            push::outcome_text(&outcome)
        ))
    }

    /// `:send INSTANCE TEXT`
    pub(super) fn send_live(&self, args: &str) -> Result<String, String> {
        let live = self
            .live
            .as_ref()
            .ok_or_else(|| NOT_CONNECTED.to_string())?;
        let Some((instance, text)) = args.split_once(char::is_whitespace) else {
            return Err("error: write `:send INSTANCE TEXT`, as in `:send c1 Incr(5)`\n".into());
        };
        let text = text.trim();
        let outcome = live.call(async |client: &Client| client.send(instance, text).await)?;
        Ok(match send::outcome_line(&outcome) {
            Ok(output) => format!("{output}\n"),
            Err(reason) => format!("error: {reason}\n"),
        })
    }

    /// `:inspect [INSTANCE]`
    pub(super) fn inspect(&self, args: &str) -> Result<String, String> {
        let live = self
            .live
            .as_ref()
            .ok_or_else(|| NOT_CONNECTED.to_string())?;
        let instance = Some(args).filter(|a| !a.is_empty());
        let reports = live.call(async |client: &Client| client.inspect(instance).await)?;
        Ok(inspect::text(&reports))
    }
}

impl Live {
    /// Connects, makes one call, closes; a failure as `error: ...` text.
    fn call<T>(
        &self,
        request: impl AsyncFnOnce(&Client) -> Result<T, ClientError>,
    ) -> Result<T, String> {
        let answer = self.runtime.block_on(async {
            let client = self.credentials.connect(self.addr).await?;
            let answer = request(&client).await;
            client.close().await;
            answer
        });
        answer
            .map_err(|error| format!("error: {}\n", self.credentials.explain(self.addr, &error).0))
    }
}

/// The address and the identity flags of `:connect`.
fn parse_connect(args: &str) -> Result<(&str, IdentityArgs), String> {
    let mut words = args.split_whitespace();
    let addr = words.next().ok_or_else(|| CONNECT_USAGE.to_string())?;
    let mut identity = IdentityArgs {
        data: PathBuf::from(DEFAULT_DATA),
        cert: DEFAULT_CERT.to_string(),
    };
    while let Some(flag) = words.next() {
        let value = words.next().ok_or_else(|| CONNECT_USAGE.to_string())?;
        match flag {
            "--data" => identity.data = PathBuf::from(value),
            "--cert" => identity.cert = value.to_string(),
            _ => return Err(CONNECT_USAGE.to_string()),
        }
    }
    Ok((addr, identity))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_takes_an_address_then_optional_data_and_cert_flags() {
        let (addr, identity) =
            parse_connect("127.0.0.1:9 --cert ops --data /tmp/q").expect("the arguments parse");
        assert_eq!(addr, "127.0.0.1:9");
        assert_eq!(identity.data, PathBuf::from("/tmp/q"));
        assert_eq!(identity.cert, "ops");
        let (_, defaults) = parse_connect("node:4433").expect("the address alone parses");
        assert_eq!(defaults.data, PathBuf::from(".quiver"));
        assert_eq!(defaults.cert, "admin");
        assert_eq!(parse_connect("").err().as_deref(), Some(CONNECT_USAGE));
        assert_eq!(
            parse_connect("a:1 --data").err().as_deref(),
            Some(CONNECT_USAGE)
        );
        assert_eq!(
            parse_connect("a:1 --port 3").err().as_deref(),
            Some(CONNECT_USAGE)
        );
    }

    #[test]
    fn node_commands_without_a_connection_say_to_connect_first() {
        let mut session = Session::new(false);
        assert_eq!(session.inspect("").err().as_deref(), Some(NOT_CONNECTED));
        assert_eq!(
            session.send_live("c Get").err().as_deref(),
            Some(NOT_CONNECTED)
        );
        assert_eq!(session.push("C as c").err().as_deref(), Some(NOT_CONNECTED));
        assert_eq!(session.disconnect().err().as_deref(), Some(NOT_CONNECTED));
    }

    #[test]
    fn connect_without_the_node_ca_explains_where_it_looked() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut session = Session::new(false);
        let error = session
            .connect(&format!("127.0.0.1:9 --data {}", dir.path().display()))
            .expect_err("there is no CA in an empty dir");
        assert!(
            error.starts_with("error: cannot read the node's CA"),
            "{error}"
        );
        assert!(session.live.is_none());
    }
}
