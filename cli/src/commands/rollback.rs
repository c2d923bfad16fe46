//! `quiver rollback`: an instance back to its previous version, through the running version's
//! `migrate down`. The node decides whether that is possible; this prints its answer.

use crate::args::Exit;
use crate::args_node::RollbackArgs;
use crate::client::{Credentials, resolve, runtime};
use anyhow::Result;
use quiver_vm::node::signing::KeyPair;

pub fn run(args: &RollbackArgs) -> Result<Exit> {
    let credentials = Credentials::load(&args.identity)?;
    let key = args.sign.as_deref().map(KeyPair::read).transpose()?;
    let addr = resolve(&args.node)?;
    runtime()?.block_on(async {
        let client = match credentials.connect(addr).await {
            Ok(client) => client,
            Err(error) => return Ok(credentials.fail(addr, &error)),
        };
        let answer = match &key {
            Some(key) => client.rollback_signed(&args.instance, key).await,
            None => client.rollback(&args.instance).await,
        };
        client.close().await;
        match answer {
            Ok(swap) => {
                println!(
                    "rolled `{}` back from {} to {} in {} µs",
                    args.instance,
                    swap.from.short(),
                    swap.to.short(),
                    swap.swap_us
                );
                println!("  now running {}", swap.to);
                Ok(Exit::Success)
            }
            Err(error) => Ok(credentials.fail(addr, &error)),
        }
    })
}
