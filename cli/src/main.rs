//! `quiver`: the one command-line tool for Quiver (see `quiver --help`).

use clap::Parser;
use quiver_cli::args::{Cli, Command, Exit};
use quiver_cli::commands;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check(a) => commands::check::run(&a),
        Command::Compile(a) => commands::compile::run(&a),
        Command::Run(a) => commands::run::run(&a),
        Command::Demo(a) => commands::demo::run(&a),
        Command::Repl(a) => commands::repl::run(&a),
        Command::Node(a) => commands::node::run(&a),
        Command::Push(a) => commands::push::run(&a),
        Command::Send(a) => commands::send::run(&a),
        Command::Inspect(a) => commands::inspect::run(&a),
        Command::Log(a) => commands::log::run(&a),
        Command::Rollback(a) => commands::rollback::run(&a),
        Command::Cert(a) => commands::cert::run(&a),
        Command::Keys(a) => commands::keys::run(&a),
        Command::Replay(a) => commands::replay::run(&a),
        Command::Graph(a) => commands::graph::run(&a),
    };
    match outcome {
        Ok(exit) => exit.into(),
        Err(error) => {
            eprintln!("error: {error:#}");
            Exit::Failed.into()
        }
    }
}
