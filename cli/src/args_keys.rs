//! The command-line arguments of `quiver keys`: signing keys for signed deploys, upgrades and
//! rollbacks (`spec/security.md`). This module does not run anything.

use clap::{Args, Subcommand};
use std::path::PathBuf;

pub const KEYS_GENERATE_HELP: &str = "\
Writes an ed25519 key pair: NAME.key, the secret key (readable by its owner only), and NAME.pub,
the public key. Put NAME.pub in the dir a node is started with (`quiver node --trusted-keys
DIR`) and sign with NAME.key (`quiver push ... --sign NAME.key`, `quiver rollback ... --sign
NAME.key`). Existing files are never replaced unless --force is given. Keep NAME.key off the
nodes: whoever holds it can change what the nodes run (see spec/security.md).

Examples:
  quiver keys generate release
  quiver keys generate release --dir ~/.quiver-keys
  mkdir trusted && cp release.pub trusted/ && quiver node --trusted-keys trusted";

#[derive(Args, Debug)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Write a new signing key pair NAME.key and NAME.pub.
    #[command(after_help = KEYS_GENERATE_HELP)]
    Generate(KeysGenerateArgs),
}

#[derive(Args, Debug)]
pub struct KeysGenerateArgs {
    /// The key's name: NAME.key and NAME.pub (letters, digits, `-`, `_`).
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The directory to write them in.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Replace NAME.key and NAME.pub if they exist (signatures by the old key stop being
    /// accepted once its .pub leaves the nodes' trusted dir).
    #[arg(long)]
    pub force: bool,
}
