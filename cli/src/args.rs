//! The command line: every subcommand, flag and exit code, with the help text users see.

use crate::args_keys::KeysArgs;
use crate::args_node::{
    CertArgs, INSPECT_HELP, InspectArgs, LOG_HELP, LogArgs, NODE_EXIT_CODES, NODE_HELP, NodeArgs,
    PUSH_HELP, PushArgs, REPLAY_HELP, ROLLBACK_HELP, ReplayArgs, RollbackArgs, SEND_HELP, SendArgs,
};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the source or artifact has errors (diagnostics on stderr), or a file could not be read
  2  the command line is wrong
  3  `run`, `send`: at least one input was rejected (a trap, or input text that does not parse)
  4  a node refused the request (`push`: at least one node refused)
  5  a node could not be reached (or refused the certificate)";

/// Quiver: state machines that compile to arrow combinators and run on a verified VM.
#[derive(Parser, Debug)]
#[command(name = "quiver", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check .sm files for errors without producing anything.
    #[command(
        after_help = "Examples:\n  quiver check examples/*.sm\n  quiver check examples/counter.sm --emit typed"
    )]
    Check(CheckArgs),
    /// Compile a machine to a bytecode artifact (.smb) and print its hash.
    #[command(
        after_help = "Examples:\n  quiver compile examples/counter.sm             # writes examples/counter.smb\n  quiver compile examples/pipeline.sm --machine Tally -o tally.smb\n  quiver compile examples/counter.sm --emit comb # prints the combinators instead"
    )]
    Compile(CompileArgs),
    /// Run inputs through a machine from its initial state, printing one output per input.
    #[command(
        after_help = "Each output is printed on its own line, in the text form of values, so line N answers\ninput N. A rejected input (a trap such as integer overflow, a failed assert or a violated\ninvariant) prints `error: <reason>` on its line, leaves the state as it was, and the run\ngoes on.\n\nExamples:\n  quiver run examples/counter.sm --input 'Incr(5)' --input Get --state\n  printf 'Put(\"a\", 1)\\nSize\\n' | quiver run examples/kv.sm --inputs -\n  quiver run examples/counter.smb --inputs inputs.txt"
    )]
    Run(RunArgs),
    /// Run the main job: a live node, clients sending over QUIC, a hot swap while they send.
    #[command(
        after_help = "With no arguments the demo starts a node in this process on 127.0.0.1:0 with a\ntemporary data dir, deploys the embedded examples/counter.sm, keeps 4 clients sending\nover QUIC, hot-swaps the counter to examples/counter_v2.sm while they send, shows an\nupgrade with a broken migration being refused, and prints per client the inputs sent,\nanswered and lost, the swap pause, the migrated state and the final state against a\nsequential model. It exits 1 if anything was lost, wrong or out of order.\n\nExamples:\n  quiver demo\n  quiver demo --old examples/counter.sm --new examples/counter_v2.sm"
    )]
    Demo(DemoArgs),
    /// Experiment with machines: expressions, declarations, instances, hot swaps, time travel.
    #[command(
        after_help = "Type `:help` in the REPL for its commands. When stdin is not a terminal it reads\nplain lines with no prompt and no colour (also with NO_COLOR), so scripts can drive it.\n\nExamples:\n  quiver repl examples/counter.sm\n  printf ':new Counter\\nIncr(5)\\n' | quiver repl examples/counter.sm --echo"
    )]
    Repl(ReplArgs),
    /// Run a node: host machine instances that clients reach over QUIC with mutual TLS.
    #[command(after_help = format!("{NODE_HELP}\n\n{NODE_EXIT_CODES}"))]
    Node(NodeArgs),
    /// Deploy or upgrade an instance on one or more nodes (compiled here, artifact sent).
    #[command(after_help = format!("{PUSH_HELP}\n\n{NODE_EXIT_CODES}"))]
    Push(PushArgs),
    /// Send inputs to an instance on a node and print its outputs.
    #[command(after_help = format!("{SEND_HELP}\n\n{NODE_EXIT_CODES}"))]
    Send(SendArgs),
    /// Show a node's instances: versions, state, turns, mailbox and last swap.
    #[command(after_help = format!("{INSPECT_HELP}\n\n{NODE_EXIT_CODES}"))]
    Inspect(InspectArgs),
    /// List an instance's turns from a node's log: inputs, outputs, versions, upgrades.
    #[command(after_help = format!("{LOG_HELP}\n\n{NODE_EXIT_CODES}"))]
    Log(LogArgs),
    /// Roll an instance back to its previous version.
    #[command(after_help = format!("{ROLLBACK_HELP}\n\n{NODE_EXIT_CODES}"))]
    Rollback(RollbackArgs),
    /// Manage the development certificates of a node's data dir.
    Cert(CertArgs),
    /// Make signing keys for signed deploys, upgrades and rollbacks (`--trusted-keys`, `--sign`).
    Keys(KeysArgs),
    /// Rebuild an instance offline from a node's store, checking every recorded output.
    #[command(after_help = REPLAY_HELP)]
    Replay(ReplayArgs),
    /// Draw a machine: its handlers, state and outputs, or its compiled combinators.
    #[command(
        after_help = "Without -o the picture goes to stdout. SVG needs Graphviz's `dot` on PATH.\n\nExamples:\n  quiver graph examples/turnstile.sm > turnstile.dot\n  quiver graph examples/turnstile.sm --format svg -o turnstile.svg\n  quiver graph examples/pipeline.sm --machine Limiter --what arrows --format svg -o limiter.svg"
    )]
    Graph(GraphArgs),
}

/// Which compiler stage `--emit` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EmitStage {
    /// The tokens, one per line with their byte ranges.
    Tokens,
    /// The syntax tree.
    Ast,
    /// The typed intermediate representation.
    Typed,
    /// The arrow combinators of the compiled machine.
    Comb,
    /// The disassembled artifact: header, tables, code and debug sites.
    Bytecode,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The .sm files to check.
    #[arg(required = true, value_name = "FILE.sm")]
    pub files: Vec<PathBuf>,
    /// Print a compiler stage's output instead of only checking.
    #[arg(long, value_name = "STAGE")]
    pub emit: Option<EmitStage>,
    /// The machine `--emit comb|bytecode` shows (default: the last one declared).
    #[arg(long, value_name = "NAME")]
    pub machine: Option<String>,
}

#[derive(Args, Debug)]
pub struct CompileArgs {
    /// The .sm file holding the machine.
    #[arg(value_name = "FILE.sm")]
    pub file: PathBuf,
    /// Where to write the artifact (default: FILE with the extension .smb).
    #[arg(short, long, value_name = "OUT.smb")]
    pub output: Option<PathBuf>,
    /// The machine to compile (default: the last one declared in the file).
    #[arg(long, value_name = "NAME")]
    pub machine: Option<String>,
    /// Print a compiler stage's output instead of writing the artifact.
    #[arg(long, value_name = "STAGE")]
    pub emit: Option<EmitStage>,
    /// Leave the debug sidecar (source locations of traps) out of the artifact.
    #[arg(long)]
    pub strip: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// A .sm source file or a compiled .smb artifact.
    #[arg(value_name = "FILE.sm|FILE.smb")]
    pub file: PathBuf,
    /// The machine to run, for a .sm file (default: the last one declared).
    #[arg(long, value_name = "NAME")]
    pub machine: Option<String>,
    /// An input, in the text form of values (e.g. 'Incr(5)'); may be given many times.
    #[arg(long = "input", value_name = "TEXT")]
    pub inputs: Vec<String>,
    /// A file with one input per line (`-` reads stdin); blank lines and `//` comments are skipped.
    #[arg(long = "inputs", value_name = "FILE")]
    pub inputs_file: Option<PathBuf>,
    /// Print the final state after the outputs, as `state: <value>`.
    #[arg(long)]
    pub state: bool,
    /// The evaluator: the VM, or the reference evaluator of the combinators (the test oracle).
    #[arg(long, value_enum, default_value_t = Engine::Vm)]
    pub engine: Engine,
    /// Evaluation steps one turn may take before it traps.
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// The running version (default: the embedded examples/counter.sm).
    #[arg(long, value_name = "FILE.sm", requires = "new")]
    pub old: Option<PathBuf>,
    /// The version swapped in (default: the embedded examples/counter_v2.sm).
    #[arg(long, value_name = "FILE.sm", requires = "old")]
    pub new: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ReplArgs {
    /// A .sm file to load first (`:reload` re-reads it).
    #[arg(value_name = "FILE.sm")]
    pub file: Option<PathBuf>,
    /// When stdin is not a terminal, print each entry after `> ` (a readable transcript).
    #[arg(long)]
    pub echo: bool,
}

#[derive(Args, Debug)]
pub struct GraphArgs {
    /// The .sm file holding the machine.
    #[arg(value_name = "FILE.sm")]
    pub file: PathBuf,
    /// The machine to draw (default: the last one declared in the file).
    #[arg(long, value_name = "NAME")]
    pub machine: Option<String>,
    /// What to draw.
    #[arg(long, value_enum, default_value_t = GraphWhat::Machine)]
    pub what: GraphWhat,
    /// The picture's format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// Where to write the picture (default: stdout).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

/// What `quiver graph` draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphWhat {
    /// The state machine as people sketch it: inputs, state fields read and written, outputs,
    /// and the transitions of enum-valued state.
    Machine,
    /// The compiled step as a string diagram of combinator boxes and wires.
    Arrows,
}

/// The format `quiver graph` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT text.
    Dot,
    /// SVG, rendered by Graphviz's `dot`.
    Svg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    Vm,
    Reference,
}

/// How a command ended (see `EXIT_CODES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Failed = 1,
    Rejected = 3,
    Refused = 4,
    Unreachable = 5,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}
