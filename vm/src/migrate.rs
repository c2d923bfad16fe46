//! Deriving a state migration when a new version does not write one.
//!
//! A migration is derived only in the obvious case: both states are records, every old field
//! survives under the same name with the same type, and every new field takes its value from
//! the new version's initial state. The result is an arrow of projections and constants.
//! Anything else (a field dropped, renamed or retyped; a state that is not a record) is
//! refused with a message naming the field that blocks it and asking for a `migrate` block.
//!
//! This module builds the arrow only; the caller verifies and runs it like any other.

use crate::bytecode::{Arrow, Lit};
use crate::types::{Field, Type};

/// The `old -> new` migration arrow, or why there is none.
pub fn derive(old: &Type, new: &Type, new_init: &Lit) -> Result<Arrow, String> {
    if old == new {
        return Ok(Arrow::Id);
    }
    let (Type::Record(old_fields), Type::Record(new_fields)) = (old, new) else {
        return Err(format!(
            "cannot derive a migration from state {old} to state {new}: only records migrate \
             by field; {}",
            ask_for_block(old)
        ));
    };
    for field in old_fields {
        if new.field(&field.name).is_none() {
            return Err(format!(
                "cannot derive a migration: field `{}` of the old state is not in the new \
                 state; {}",
                field.name,
                ask_for_block(old)
            ));
        }
    }
    let initial = match new_init {
        Lit::Tuple(items) if items.len() == new_fields.len() => items,
        _ => return Err("the new initial state is not a record of the new state".into()),
    };
    let arrows = new_fields
        .iter()
        .zip(initial)
        .map(|(field, init)| field_arrow(old, field, init))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Arrow::Fork(arrows))
}

/// Where new field `field` comes from: the old field of that name, or its initial value.
fn field_arrow(old: &Type, field: &Field, init: &Lit) -> Result<Arrow, String> {
    match old.field(&field.name) {
        None => Ok(Arrow::Const(field.ty.clone(), init.clone())),
        Some((_, old_ty)) if *old_ty != field.ty => Err(format!(
            "cannot derive a migration: field `{}` changed type from {old_ty} to {}; {}",
            field.name,
            field.ty,
            ask_for_block(old)
        )),
        Some((index, _)) => {
            let index = u32::try_from(index).map_err(|_| "too many fields".to_string())?;
            Ok(Arrow::Proj(index))
        }
    }
}

fn ask_for_block(old: &Type) -> String {
    format!("write `migrate(old: {old}) {{ ... }}` to say how the old state becomes the new one")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[(&str, Type)]) -> Type {
        Type::Record(
            fields
                .iter()
                .map(|(name, ty)| Field {
                    name: (*name).into(),
                    ty: ty.clone(),
                })
                .collect(),
        )
    }

    #[test]
    fn identical_states_migrate_by_identity() {
        let state = record(&[("count", Type::Int)]);
        assert_eq!(derive(&state, &state, &Lit::Unit), Ok(Arrow::Id));
    }

    #[test]
    fn a_new_field_takes_its_initial_value_and_old_fields_are_projected() {
        let old = record(&[("count", Type::Int)]);
        let new = record(&[("resets", Type::Int), ("count", Type::Int)]);
        let init = Lit::Tuple(vec![Lit::Int(7), Lit::Int(0)]);
        let expected = Arrow::Fork(vec![Arrow::Const(Type::Int, Lit::Int(7)), Arrow::Proj(0)]);
        assert_eq!(derive(&old, &new, &init), Ok(expected));
    }

    #[test]
    fn a_dropped_field_blocks_the_derivation_and_is_named() {
        let old = record(&[("count", Type::Int), ("gone", Type::Bool)]);
        let new = record(&[("count", Type::Int)]);
        let err = derive(&old, &new, &Lit::Tuple(vec![Lit::Int(0)]));
        assert_eq!(
            err,
            Err(
                "cannot derive a migration: field `gone` of the old state is not in the new \
                 state; write `migrate(old: { count: Int, gone: Bool }) { ... }` to say how the \
                 old state becomes the new one"
                    .into()
            )
        );
    }

    #[test]
    fn a_retyped_field_blocks_the_derivation_and_is_named() {
        let old = record(&[("count", Type::Int)]);
        let new = record(&[("count", Type::String)]);
        let err = derive(&old, &new, &Lit::Tuple(vec![Lit::Str(String::new())]));
        let message = err.err().unwrap_or_default();
        assert!(
            message.starts_with(
                "cannot derive a migration: field `count` changed type from Int to String"
            ),
            "{message}"
        );
    }

    #[test]
    fn a_state_that_is_not_a_record_cannot_be_derived() {
        let err = derive(&Type::Int, &Type::Bool, &Lit::Bool(false));
        let message = err.err().unwrap_or_default();
        assert!(
            message.contains("only records migrate by field"),
            "{message}"
        );
    }
}
