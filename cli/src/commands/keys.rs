//! `quiver keys generate`: writes a new ed25519 signing key pair, `NAME.key` (secret, mode
//! 0600 on unix) and `NAME.pub`, in the chosen dir.
//!
//! It refuses to replace existing files unless `--force`; a forced replacement removes the old
//! file first, so the new secret key is created with owner-only permissions. It does not list,
//! rotate or revoke keys: trust is the set of `.pub` files in a node's `--trusted-keys` dir.

use crate::args::Exit;
use crate::args_keys::{KeysArgs, KeysCommand, KeysGenerateArgs};
use anyhow::{Context, Result, bail};
use quiver_vm::node::signing::KeyPair;
use std::io::Write;
use std::path::Path;

pub fn run(args: &KeysArgs) -> Result<Exit> {
    match &args.command {
        KeysCommand::Generate(generate) => run_generate(generate),
    }
}

fn run_generate(args: &KeysGenerateArgs) -> Result<Exit> {
    check_name(&args.name)?;
    let secret = args.dir.join(format!("{}.key", args.name));
    let public = args.dir.join(format!("{}.pub", args.name));
    for path in [&secret, &public] {
        if path.exists() && !args.force {
            bail!(
                "`{}` already exists; pick another NAME, or pass --force to replace the key pair",
                path.display()
            );
        }
    }
    let key = KeyPair::generate()?;
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create the dir `{}`", args.dir.display()))?;
    write_new(&secret, &key.secret_text(), true)?;
    write_new(&public, &key.public().to_text(), false)?;
    println!(
        "generated signing key `{}` (fingerprint {})",
        args.name,
        key.public().fingerprint()
    );
    println!("  secret key: {} (keep it off the nodes)", secret.display());
    println!("  public key: {}", public.display());
    println!(
        "  trust it with `quiver node --trusted-keys DIR` (DIR holding {}.pub); sign with --sign {}",
        args.name,
        secret.display()
    );
    Ok(Exit::Success)
}

/// Letters, digits, `-` and `_`: a name that is one plain file in the dir.
fn check_name(name: &str) -> Result<()> {
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if name.is_empty() || !name.chars().all(plain) {
        bail!("`{name}` is not a key name; use letters, digits, `-` and `_` only");
    }
    Ok(())
}

/// Creates `path` afresh (removing an old one) with `contents`; `private` files are readable
/// by their owner only on unix.
fn write_new(path: &Path, contents: &str, private: bool) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot replace `{}`", path.display())),
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create `{}`", path.display()))?;
    file.write_all(contents.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))
}
