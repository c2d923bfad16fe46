//! Hand-written Rust versions of the example machines: each a plain
//! `fn step(&mut State, &Input) -> Output`, the baseline a user would write instead of Quiver.
//! They follow the `.sm` sources exactly (checked arithmetic traps, the state is kept on a
//! trap), and they do nothing else.

use std::collections::BTreeMap;

/// A trapped turn (overflow, a failed assertion or invariant).
#[derive(Debug, PartialEq, Eq)]
pub struct Trap;

pub enum CounterIn {
    Incr(i64),
    Decr(i64),
    Get,
}

pub enum CounterOut {
    Ok,
    Value(i64),
    Rejected(&'static str),
}

/// `examples/counter.sm`.
pub fn counter(count: &mut i64, input: &CounterIn) -> Result<CounterOut, Trap> {
    match *input {
        CounterIn::Incr(n) => {
            let next = count.checked_add(n).ok_or(Trap)?;
            if next < 0 {
                return Err(Trap);
            }
            *count = next;
            Ok(CounterOut::Ok)
        }
        CounterIn::Decr(n) if n > *count => Ok(CounterOut::Rejected("would go negative")),
        CounterIn::Decr(n) => {
            *count = count.checked_sub(n).ok_or(Trap)?;
            Ok(CounterOut::Ok)
        }
        CounterIn::Get => Ok(CounterOut::Value(*count)),
    }
}

pub struct Kv {
    pub data: BTreeMap<String, i64>,
    pub writes: i64,
}

pub enum KvIn {
    Put(String, i64),
    Get(String),
}

pub enum KvOut {
    Ok,
    Found(i64),
    Missing,
}

/// `examples/kv.sm` (the inputs the bench sends). The input owns its key, as the VM's does.
pub fn kv(state: &mut Kv, input: &KvIn) -> Result<KvOut, Trap> {
    match input {
        KvIn::Put(key, value) => {
            let writes = state.writes.checked_add(1).ok_or(Trap)?;
            state.data.insert(key.clone(), *value);
            state.writes = writes;
            Ok(KvOut::Ok)
        }
        KvIn::Get(key) => Ok(state
            .data
            .get(key)
            .map_or(KvOut::Missing, |v| KvOut::Found(*v))),
    }
}

pub struct Account {
    pub balance: i64,
    pub overdraft: i64,
    pub history: Vec<i64>,
}

pub enum BankIn {
    Deposit(i64),
    Withdraw(i64),
}

pub enum BankOut {
    Balance(i64),
    Refused(&'static str),
}

/// `examples/bank.sm` (without `Statement`, whose output is the whole history).
pub fn bank(account: &mut Account, input: &BankIn) -> Result<BankOut, Trap> {
    let (amount, sign) = match *input {
        BankIn::Deposit(amount) => (amount, 1),
        BankIn::Withdraw(amount) => (amount, -1),
    };
    if amount <= 0 {
        return Err(Trap);
    }
    let limit = account.balance.checked_add(account.overdraft).ok_or(Trap)?;
    if sign < 0 && amount > limit {
        return Ok(BankOut::Refused("insufficient funds"));
    }
    let balance = account.balance.checked_add(sign * amount).ok_or(Trap)?;
    if balance.checked_add(account.overdraft).ok_or(Trap)? < 0 {
        return Err(Trap);
    }
    account.balance = balance;
    account.history.push(sign * amount);
    Ok(BankOut::Balance(balance))
}

pub enum Cmd {
    Add(i64),
    Sub(i64),
    Tick,
}

/// `examples/pipeline.sm`: `Limiter >>> Tally`, state `(used, total)`.
pub fn pipeline(state: &mut (i64, i64), input: &Cmd) -> Result<i64, Trap> {
    let (used, total) = *state;
    let (used, applied) = match *input {
        Cmd::Tick => (0, None),
        Cmd::Add(n) if used < 3 => (used + 1, Some(n)),
        Cmd::Sub(n) if used < 3 => (used + 1, Some(n.checked_neg().ok_or(Trap)?)),
        Cmd::Add(_) | Cmd::Sub(_) => (used, None),
    };
    if !(0..=3).contains(&used) {
        return Err(Trap);
    }
    let total = match applied {
        Some(n) => total.checked_add(n).ok_or(Trap)?,
        None => total,
    };
    *state = (used, total);
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_native_counter_refuses_to_go_negative() {
        let mut count = 2;
        assert!(matches!(
            counter(&mut count, &CounterIn::Decr(3)),
            Ok(CounterOut::Rejected(_))
        ));
        assert!(matches!(
            counter(&mut count, &CounterIn::Get),
            Ok(CounterOut::Value(2))
        ));
    }

    #[test]
    fn the_native_pipeline_skips_the_fourth_command_in_a_window() {
        let mut state = (0, 0);
        let totals: Vec<i64> = [
            Cmd::Add(5),
            Cmd::Add(7),
            Cmd::Sub(2),
            Cmd::Add(1),
            Cmd::Tick,
            Cmd::Add(1),
        ]
        .iter()
        .map(|c| pipeline(&mut state, c).unwrap_or(-1))
        .collect();
        assert_eq!(totals, [5, 12, 10, 10, 10, 11]);
    }

    #[test]
    fn the_native_bank_refuses_beyond_the_overdraft() {
        let mut account = Account {
            balance: 0,
            overdraft: 50,
            history: Vec::new(),
        };
        assert!(matches!(
            bank(&mut account, &BankIn::Withdraw(60)),
            Ok(BankOut::Refused(_))
        ));
        assert_eq!(bank(&mut account, &BankIn::Withdraw(0)).err(), Some(Trap));
        assert!(matches!(
            bank(&mut account, &BankIn::Withdraw(50)),
            Ok(BankOut::Balance(-50))
        ));
    }
}
