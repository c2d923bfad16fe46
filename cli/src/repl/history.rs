//! Time travel for one instance: the line of recorded events (turns and upgrades), a snapshot
//! of the instance after each, and a cursor saying which of them is the present.
//!
//! Snapshots are cheap (an `Instance` clone shares its state's structure), so every point is
//! kept and moving is exact and deterministic: no turn is re-run. Recording an event while the
//! cursor is behind the end forks a new line: the later events are set aside (and counted, so
//! the caller can say so). Trapped turns change nothing and are not recorded.
//!
//! This module does no IO and prints nothing but the one-line summary of an event.

use super::version::Version;
use quiver_vm::machine::Instance;
use std::sync::Arc;

/// What moved an instance from one point to the next.
#[derive(Clone, Debug)]
pub enum Event {
    /// An input, as typed, with its printed output.
    Turn { input: String, output: String },
    /// A hot swap between versions (short hashes).
    Upgrade { from: String, to: String },
    /// A rollback to the previous version (short hashes), from a node's log (`:open`).
    Rollback { from: String, to: String },
}

impl Event {
    pub fn summary(&self) -> String {
        match self {
            Event::Turn { input, output } => format!("{input} => {output}"),
            Event::Upgrade { from, to } => format!("upgrade {from} -> {to}"),
            Event::Rollback { from, to } => format!("rollback {from} -> {to}"),
        }
    }
}

/// An instance as it was at a point of its line, with the version that was running.
#[derive(Clone, Debug)]
pub struct Point {
    pub instance: Instance,
    pub version: Arc<Version>,
}

/// The recorded line of one instance.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// Point 0 is the start; point `i > 0` follows `events[i - 1]`.
    points: Vec<Point>,
    events: Vec<Event>,
    cursor: usize,
}

impl Timeline {
    pub fn new(start: Point) -> Timeline {
        Timeline {
            points: vec![start],
            events: Vec::new(),
            cursor: 0,
        }
    }

    /// The present point.
    pub fn now(&self) -> &Point {
        self.points
            .get(self.cursor)
            .expect("the cursor always indexes a recorded point")
    }

    /// The point the line starts from.
    pub fn start(&self) -> &Point {
        self.points
            .first()
            .expect("a line always has its start point")
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The index of the last recorded point.
    pub fn last(&self) -> usize {
        self.events.len()
    }

    /// The events of the line, the first being event 1.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Records an event that led from the present point to `point`; returns how many later
    /// events were set aside because the present was not the end (a fork when non-zero).
    pub fn record(&mut self, event: Event, point: Point) -> usize {
        let dropped = self.events.len() - self.cursor;
        self.events.truncate(self.cursor);
        self.points.truncate(self.cursor + 1);
        self.events.push(event);
        self.points.push(point);
        self.cursor += 1;
        dropped
    }

    /// Moves the present to point `index`, or says why it cannot.
    pub fn goto(&mut self, index: usize) -> Result<(), String> {
        if index > self.last() {
            return Err(format!(
                "there is no turn {index}: this line has turns 0 to {}",
                self.last()
            ));
        }
        self.cursor = index;
        Ok(())
    }

    /// Moves back `n` points (not past the start).
    pub fn back(&mut self, n: usize) -> Result<(), String> {
        if self.cursor == 0 {
            return Err("already at the start of the line".to_string());
        }
        self.cursor = self.cursor.saturating_sub(n);
        Ok(())
    }

    /// Moves forward `n` points (not past the end).
    pub fn forward(&mut self, n: usize) -> Result<(), String> {
        if self.cursor == self.last() {
            return Err("already at the end of the line".to_string());
        }
        self.cursor = (self.cursor + n).min(self.last());
        Ok(())
    }
}
