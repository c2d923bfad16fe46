//! `quiver cert issue`: mints a client certificate from the development CA of a data dir.
//!
//! It writes `NAME.pem` and `NAME.key` next to the CA and never overwrites; it does not
//! revoke, renew or list certificates.

use crate::args::Exit;
use crate::args_node::{CertArgs, CertCommand, CertIssueArgs, CertRole};
use anyhow::{Context, Result};
use quiver_vm::node::pki::{Pki, Role};

pub fn run(args: &CertArgs) -> Result<Exit> {
    match &args.command {
        CertCommand::Issue(issue) => run_issue(issue),
    }
}

fn run_issue(args: &CertIssueArgs) -> Result<Exit> {
    let pki = Pki::open(&args.data).with_context(|| {
        format!(
            "no CA in {}; start `quiver node --data {}` once to create it",
            args.data.display(),
            args.data.display()
        )
    })?;
    let role = match args.role {
        CertRole::Client => Role::Client,
        CertRole::Admin => Role::Admin,
    };
    let (cert, key) = pki.issue_to_files(role, &args.name)?;
    println!("issued a `{role}` certificate `{}`", args.name);
    println!("  certificate: {}", cert.display());
    println!("  key:         {}", key.display());
    println!(
        "  use it with --cert {} (and --data {})",
        args.name,
        args.data.display()
    );
    Ok(Exit::Success)
}
