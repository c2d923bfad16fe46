//! The command-line arguments of the node commands: `node`, `push`, `send`, `inspect`,
//! `log`, `rollback` and `cert`, with their help text. `args.rs` only names them as subcommands; this
//! module does not run anything.

use clap::{Args, Subcommand, ValueEnum};
use quiver_vm::node::store::Durability;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The address `quiver node` listens on and clients connect to by default.
pub const DEFAULT_NODE: &str = "127.0.0.1:4433";

/// The data dir holding the node's PKI by default.
pub const DEFAULT_DATA: &str = ".quiver";

pub const NODE_EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  a file could not be read or written, or the source has errors
  2  the command line is wrong
  3  `send`: at least one input was answered with an error (a trap, or text that does not parse)
  4  the node refused the request (`push`: at least one node refused)
  5  a node could not be reached (or refused the certificate)";

pub const NODE_HELP: &str = "\
On first start the node creates, in its data dir, a development CA (ca.pem, ca.key), its own
certificate (node.pem, node.key) and an admin client certificate (admin.pem, admin.key), and
prints where they are. Clients started in the same directory find them there by default.
It prints `listening on ADDR` once it serves; Ctrl-C or SIGTERM stops it. Every instance's
history (its inputs, upgrades and rollbacks) is kept in store.redb in the data dir, and an input
is answered only once it is durable: a node restarted on the same data dir, even after a crash,
brings back every instance at its version and state. With --trusted-keys DIR it accepts a
deploy, upgrade or rollback only when it is signed (`--sign`) by a key whose .pub file is in
DIR, over exactly that artifact, instance and running version, with a sequence number above the
last one it accepted for the instance (spec/security.md); without it, it says at start that
swaps are not signature-checked.

Examples:
  quiver node
  quiver node --listen 0.0.0.0:4433 --data /var/lib/quiver
  quiver node --listen 127.0.0.1:0      # any free port; read it from the `listening on` line
  quiver node --durability sync --keep-snapshots 3
  quiver node --trusted-keys trusted    # trusted/*.pub may sign swaps
  quiver node --max-mailbox 4096 --max-connections-per-client 4 --max-state-size 1000000

Every resource is bounded (the flags below, each with its default) and the node prints the
limits in force when it starts. A client past a limit is refused with the limit's name while
everyone else keeps being served: an input finding a full mailbox is answered busy at once
(`quiver send` and the client library resend it after a short backoff), a connection past
--max-connections-per-client is closed with that reason, a deploy past --max-instances is
refused, and a turn that would grow the state past --max-state-size traps and changes nothing.";

pub const PUSH_HELP: &str = "\
The file is compiled here (a .sm source) or decoded (a .smb artifact); only the artifact is sent.
A new instance name deploys the machine in its initial state; an existing one is upgraded in
place between two inputs, its state migrated; pushing the version that already runs changes
nothing. Every node gets the push in parallel, with one progress line each and a summary.
With --sign NAME.key each node is first asked for the instance's next sequence number and
running version, and the push is signed for exactly those (nodes with --trusted-keys require it).

Examples:
  quiver push examples/counter.sm --instance c1
  quiver push examples/counter_v2.sm --instance c1 --expect <hash printed by the first push>
  quiver push counter.smb --instance c1 --node 10.0.0.1:4433 --node 10.0.0.2:4433
  quiver push examples/counter_v2.sm --instance c1 --nodes nodes.txt
  quiver push examples/counter_v2.sm --instance c1 --sign release.key";

pub const SEND_HELP: &str = "\
Prints one line per input: the output in the text form of values, or `error: <reason>` when the
input was rejected (a trap such as a violated invariant, or text that is not an input of the
running version). Inputs from --inputs are pipelined on one stream and answered in order.
Inputs a busy instance (a full mailbox) refused are resent, in order, after a short backoff;
with --no-retry the outputs of the inputs applied are printed and the command stops with exit
code 4, the rest not applied.
Every input carries an idempotency key (a client id and a sequence number); when the connection
is lost the unanswered inputs are sent again with the same keys, and the node applies each key
once. With --client-id ID (and --first-seq N) running the same command again is answered from
the node's log: nothing is applied twice.

Examples:
  quiver send c1 'Incr(5)'
  quiver send --node 127.0.0.1:4433 c1 Get
  printf 'Incr(1)\\nGet\\n' | quiver send c1 --inputs -
  quiver send c1 --inputs batch.txt --client-id job-42   # safe to run again";

pub const LOG_HELP: &str = "\
Lists an instance's durable log: one line per record with its position, the version running
after it (short hash) and what it was: the deploy, an input and its output (or `trap: ...`,
`rejected: ...`), or an upgrade or rollback, marked `===`. Records the node compacted away are
gone; the listing says where it starts. The `client` role may read logs.

`--json` of the whole log is an export: `quiver log c1 --json > c1.json`, then in `quiver repl`
`:load` the source of each version it ran and `:open c1.json` to walk its turns.

Examples:
  quiver log c1
  quiver log c1 --from 100 --to 120
  quiver log --node 127.0.0.1:4433 c1 --json";

pub const INSPECT_HELP: &str = "\
Shows, per instance: the running version and the ones rollback returns to (hash and name), the
state, the turns processed, the mailbox length and the last swap with its pause.

Examples:
  quiver inspect
  quiver inspect c1 --json";

pub const ROLLBACK_HELP: &str = "\
Goes back to the previous version through the `migrate down` the running version declares; the
node refuses, with the reason, when there is none.

With --sign NAME.key the rollback is signed for the running and the previous version and the
instance's next sequence number, as nodes with --trusted-keys require.

Examples:
  quiver rollback c1
  quiver rollback c1 --sign release.key";

pub const REPLAY_HELP: &str = "\
Reads a stopped node's data dir (the store is locked while a node runs on it) and rebuilds an
instance from its recorded history, crossing upgrades and rollbacks through their migrations,
and checks that every output it recomputes equals the recorded one: a determinism check that
reports the first divergence. With --with it re-runs the recorded inputs against a candidate
version instead (its migration applied at the start) and reports traps, invariant violations,
rejected inputs and output differences: a dry run of an upgrade against real traffic.

Exit codes for replay: 0 everything matched, 1 a divergence, a wrong snapshot or a store that
cannot be read, 3 the candidate (--with) differs from the recorded history.

Examples:
  quiver replay --data .quiver c1
  quiver replay --data .quiver c1 --to 120 --state
  quiver replay --data .quiver c1 --with examples/counter_v2.sm";

pub const CERT_HELP: &str = "\
Mints a client certificate from the CA in the data dir, written as NAME.pem and NAME.key there.
`client` may send and inspect; `admin` may also push and roll back. Use it with `--cert NAME`.

Examples:
  quiver cert issue --role client alice
  quiver send --cert alice c1 Get";

/// Which certificate a client presents, and where the CA it trusts is.
#[derive(Args, Clone, Debug)]
pub struct IdentityArgs {
    /// The data dir with the node's CA and the client certificates.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    /// The client certificate to present: NAME.pem and NAME.key in the data dir.
    #[arg(long, value_name = "NAME", default_value = "admin")]
    pub cert: String,
}

#[derive(Args, Debug)]
pub struct NodeArgs {
    /// The UDP address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_NODE)]
    pub listen: SocketAddr,
    /// Where the CA, the certificates and the durable store are kept (created on first start).
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    /// When an input is durable enough to acknowledge: `sync` (fsync each), `group` (one fsync
    /// every few milliseconds) or `none` (no fsync; benchmarks only).
    #[arg(long, value_name = "MODE", default_value = "group")]
    pub durability: Durability,
    /// Keep only the newest N snapshots of each instance and drop the log before them.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub keep_snapshots: Option<u64>,
    /// Accept deploys, upgrades and rollbacks only when signed by a key whose .pub file is in
    /// DIR (`quiver keys generate`); without it the admin certificate suffices.
    #[arg(long, value_name = "DIR")]
    pub trusted_keys: Option<PathBuf>,
    #[command(flatten)]
    pub limits: crate::args_limits::NodeLimitArgs,
    /// Snapshot each instance every N log records (default 10000; also every 4 MiB of log).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub snapshot_every: Option<u64>,
}

#[derive(Args, Debug)]
pub struct PushArgs {
    /// A .sm source (compiled here) or a compiled .smb artifact.
    #[arg(value_name = "FILE.sm|FILE.smb")]
    pub file: PathBuf,
    /// The instance to deploy or upgrade.
    #[arg(long, value_name = "NAME")]
    pub instance: String,
    /// A node to push to; may be given many times (default: 127.0.0.1:4433).
    #[arg(long = "node", value_name = "ADDR")]
    pub nodes: Vec<String>,
    /// A file with one node address per line (blank lines and `//` comments are skipped).
    #[arg(long = "nodes", value_name = "FILE")]
    pub nodes_file: Option<PathBuf>,
    /// Upgrade only if this version (64 hex digits) is the one running.
    #[arg(long, value_name = "HASH")]
    pub expect: Option<String>,
    /// The machine to push, for a .sm file (default: the last one declared).
    #[arg(long, value_name = "NAME")]
    pub machine: Option<String>,
    /// Sign the push with this secret key (NAME.key from `quiver keys generate`); required by
    /// nodes started with --trusted-keys.
    #[arg(long, value_name = "NAME.key")]
    pub sign: Option<PathBuf>,
    #[command(flatten)]
    pub identity: IdentityArgs,
}

#[derive(Args, Debug)]
pub struct SendArgs {
    /// The instance to send to.
    #[arg(value_name = "INSTANCE")]
    pub instance: String,
    /// One input, in the text form of values (e.g. 'Incr(5)').
    #[arg(
        value_name = "TEXT",
        required_unless_present = "inputs_file",
        conflicts_with = "inputs_file"
    )]
    pub text: Option<String>,
    /// A file with one input per line (`-` reads stdin); blank lines and `//` comments are skipped.
    #[arg(long = "inputs", value_name = "FILE")]
    pub inputs_file: Option<PathBuf>,
    /// The node to talk to.
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_NODE)]
    pub node: String,
    /// Do not resend inputs a full mailbox answered busy: print the outputs of the inputs
    /// applied and stop with exit code 4 (by default they are resent after a short backoff).
    #[arg(long)]
    pub no_retry: bool,
    /// Key the inputs with this client id (default: a random one per run), so running the
    /// same command again is answered from the node's log instead of applied twice.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The sequence number of the first input under --client-id (the next ones follow).
    #[arg(long, value_name = "N", default_value_t = 1, requires = "client_id")]
    pub first_seq: u64,
    #[command(flatten)]
    pub identity: IdentityArgs,
}

#[derive(Args, Debug)]
pub struct LogArgs {
    /// The instance whose log to list.
    #[arg(value_name = "INSTANCE")]
    pub instance: String,
    /// The first log position to list.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub from: u64,
    /// The last log position to list (default: the end of the log).
    #[arg(long, value_name = "M")]
    pub to: Option<u64>,
    /// Print JSON (one array of record objects) for scripts.
    #[arg(long)]
    pub json: bool,
    /// The node to talk to.
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_NODE)]
    pub node: String,
    #[command(flatten)]
    pub identity: IdentityArgs,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The instance to show (default: every instance).
    #[arg(value_name = "INSTANCE")]
    pub instance: Option<String>,
    /// Print JSON (one array of instance objects) for scripts.
    #[arg(long)]
    pub json: bool,
    /// The node to talk to.
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_NODE)]
    pub node: String,
    #[command(flatten)]
    pub identity: IdentityArgs,
}

#[derive(Args, Debug)]
pub struct RollbackArgs {
    /// The instance to roll back.
    #[arg(value_name = "INSTANCE")]
    pub instance: String,
    /// The node to talk to.
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_NODE)]
    pub node: String,
    /// Sign the rollback with this secret key; required by nodes started with --trusted-keys.
    #[arg(long, value_name = "NAME.key")]
    pub sign: Option<PathBuf>,
    #[command(flatten)]
    pub identity: IdentityArgs,
}

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The instance to replay.
    #[arg(value_name = "INSTANCE")]
    pub instance: String,
    /// The data dir of a stopped node.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    /// Stop after the record at this log position (default: the end of the log).
    #[arg(long, value_name = "N", conflicts_with = "with")]
    pub to: Option<u64>,
    /// Print the state reached, as `state: <value>`.
    #[arg(long, conflicts_with = "with")]
    pub state: bool,
    /// Re-run the recorded inputs against this candidate (.sm source or .smb artifact).
    #[arg(long, value_name = "FILE.sm|FILE.smb")]
    pub with: Option<PathBuf>,
    /// The machine of a --with .sm file (default: the last one declared).
    #[arg(long, value_name = "NAME", requires = "with")]
    pub machine: Option<String>,
}

#[derive(Args, Debug)]
pub struct CertArgs {
    #[command(subcommand)]
    pub command: CertCommand,
}

#[derive(Subcommand, Debug)]
pub enum CertCommand {
    /// Mint a client certificate from the CA in the data dir.
    #[command(after_help = CERT_HELP)]
    Issue(CertIssueArgs),
}

#[derive(Args, Debug)]
pub struct CertIssueArgs {
    /// What the certificate allows.
    #[arg(long, value_enum)]
    pub role: CertRole,
    /// The certificate's name: NAME.pem and NAME.key (letters, digits, `-`, `_`).
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The data dir holding the CA.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DATA)]
    pub data: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CertRole {
    /// May send inputs and inspect.
    Client,
    /// May also push and roll back.
    Admin,
}
