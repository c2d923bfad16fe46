//! Turns and swaps under the bounds beyond fuel: the state a turn, a deploy or a migration
//! leaves must stay within `Limits::state_size_max` collection entries.
//!
//! The live instance ([`super::core`]), the store's replayer and the swap functions all run
//! turns and check states through here, so a recovered or replayed instance makes exactly the
//! decisions the live one made. An excess is a [`Trap`] (`LimitExceeded`), so it is reported
//! and logged like any other trap, and the state from before the turn is kept. This module
//! does not decide what a trap becomes; its callers do.

use super::version::Version;
use crate::bytecode::Site;
use crate::limits::Limits;
use crate::size::state_size;
use crate::trap::{Trap, TrapKind};
use crate::types::Type;
use crate::value::Value;

/// One turn of `version` on `state` under the turn fuel; `(new state, output)` only when the
/// new state is within the size bound. `state` itself is never changed.
pub fn turn(
    version: &Version,
    input: Value,
    state: &Value,
    limits: &Limits,
) -> Result<(Value, Value), Trap> {
    let (next, output) = version.program.step(input, state, limits.fuel_turn)?;
    check_state(&next, &version.program.artifact().state, limits)?;
    Ok((next, output))
}

/// Whether `state` (of type `ty`) is within the state size bound.
pub fn check_state(state: &Value, ty: &Type, limits: &Limits) -> Result<(), Trap> {
    match state_size(state, ty, limits.state_size_max) {
        Some(_) => Ok(()),
        None => Err(Trap::new(
            TrapKind::LimitExceeded(format!(
                "the state would hold more than {} collection entries, the node's \
                 --max-state-size",
                limits.state_size_max
            )),
            Site::NONE,
        )),
    }
}
