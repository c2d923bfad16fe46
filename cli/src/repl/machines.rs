//! Instances in a session: `:new`, inputs (one turn each, printing the output and what changed
//! in the state), `:state`, `:comb`/`:bytecode`, and `:reload`, which hot-swaps every instance
//! to the new version of its machine through its migration.
//!
//! Time travel over the recorded turns is `travel`; this module only records events.

use super::history::{Event, Point, Timeline};
use super::render;
use super::session::{Running, Session};
use super::version::Version;
use quiver_lang::driver;
use quiver_vm::bytecode::disasm;
use quiver_vm::machine::{Instance, UpgradeError};
use quiver_vm::text;
use std::sync::Arc;

impl Session {
    /// Compiles machine `name` of the session's file.
    pub(super) fn compile(&self, name: &str) -> Result<Version, String> {
        let src = self.source();
        let source_name = self.source_name();
        let compiled = driver::compile(&src, &source_name, Some(name))
            .map_err(|d| render::diagnostics(&source_name, &src, &d, self.color))?;
        Version::load(compiled, &src, &self.limits).map_err(|e| format!("error: {e}\n"))
    }

    /// `:new MACHINE [as INSTANCE]`
    pub(super) fn start(&mut self, args: &str) -> Result<String, String> {
        let words: Vec<&str> = args.split_whitespace().collect();
        let (machine, wanted) = match words.as_slice() {
            [machine] => (*machine, None),
            [machine, "as", instance] => (*machine, Some(*instance)),
            _ => {
                return Err(
                    "error: write `:new MACHINE` or `:new MACHINE as INSTANCE`\n".to_string(),
                );
            }
        };
        let name = match wanted {
            Some(name) if !super::commands::is_identifier(name) => {
                return Err(format!(
                    "error: `{name}` cannot name an instance\n  help: use letters, digits and `_`\n"
                ));
            }
            Some(name) if self.instances.contains_key(name) => {
                return Err(format!(
                    "error: there is already an instance `{name}`\n  help: choose another name with `as`\n"
                ));
            }
            Some(name) => name.to_string(),
            None => self.fresh_instance_name(machine),
        };
        let version = Arc::new(self.compile(machine)?);
        let instance = Instance::with_limits(version.loaded.clone(), &self.limits);
        let state = text::print(instance.state(), &version.compiled.artifact.state);
        let out = format!(
            "{name}: new {} {}, state {state}\n",
            version.machine(),
            version.short()
        );
        self.started += 1;
        let running = Running {
            timeline: Timeline::new(Point { instance, version }),
            started: self.started,
        };
        self.instances.insert(name.clone(), running);
        self.current = Some(name);
        Ok(out)
    }

    fn fresh_instance_name(&self, machine: &str) -> String {
        let base = machine.to_lowercase();
        if !self.instances.contains_key(&base) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}{n}"))
            .find(|name| !self.instances.contains_key(name))
            .expect("some numbered name is free")
    }

    /// `INSTANCE <- input`
    pub(super) fn send(&mut self, instance: &str, input: &str) -> Result<String, String> {
        if !self.instances.contains_key(instance) {
            return Err(self.no_instance(instance));
        }
        self.current = Some(instance.to_string());
        self.turn(instance, input)
    }

    fn no_instance(&self, name: &str) -> String {
        let names = self.names_of_instances();
        if names.is_empty() {
            return format!(
                "error: there is no instance `{name}`\n  help: start one with `:new MACHINE as {name}`\n"
            );
        }
        format!(
            "error: there is no instance `{name}`\n  help: the instances are {}\n",
            names.join(", ")
        )
    }

    /// An entry that is neither a command nor a declaration: an input to the one instance
    /// that reads it (the current one first), or else an expression.
    pub(super) fn input_or_expression(&mut self, entry: &str) -> Result<String, String> {
        let entry = entry.trim();
        let reads = |running: &Running| {
            let input = &running.timeline.now().version.compiled.artifact.input;
            text::parse(entry, input).is_ok()
        };
        if let Some(current) = self.current.clone()
            && self.instances.get(&current).is_some_and(reads)
        {
            let others: Vec<&String> = self
                .instances
                .iter()
                .filter(|(n, r)| **n != current && reads(r))
                .map(|(n, _)| n)
                .collect();
            if others.is_empty() {
                return self.turn(&current, entry);
            }
            return Err(format!(
                "error: several instances read `{entry}`: {current}, {}\n  help: write `INSTANCE <- {entry}`\n",
                others
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let takers: Vec<String> = self
            .instances
            .iter()
            .filter(|(_, r)| reads(r))
            .map(|(n, _)| n.clone())
            .collect();
        match takers.as_slice() {
            [one] => {
                let one = one.clone();
                self.current = Some(one.clone());
                self.turn(&one, entry)
            }
            [] => self.expression(entry),
            many => Err(format!(
                "error: several instances read `{entry}`: {}\n  help: write `INSTANCE <- {entry}`\n",
                many.join(", ")
            )),
        }
    }

    /// Runs one turn of `name` and records it.
    fn turn(&mut self, name: &str, input_text: &str) -> Result<String, String> {
        let running = self
            .instances
            .get_mut(name)
            .ok_or_else(|| format!("error: no instance `{name}`\n"))?;
        let now = running.timeline.now().clone();
        let artifact = &now.version.compiled.artifact;
        let input = text::parse(input_text, &artifact.input).map_err(|e| {
            format!(
                "error: `{input_text}` is not an input of {}: {e}\n",
                artifact.name
            )
        })?;
        let mut instance = now.instance.clone();
        let output = instance.turn(input).map_err(|trap| {
            let version = &now.version;
            let why = crate::render::trap_line(
                &trap,
                Some(&version.compiled.debug),
                Some(&version.source),
            );
            format!("error: {why}\n  (the state is unchanged)\n")
        })?;
        let output = text::print(&output, &artifact.output);
        let change = render::state_change(now.instance.state(), instance.state(), &artifact.state);
        let at = running.timeline.cursor();
        let event = Event::Turn {
            input: input_text.to_string(),
            output: output.clone(),
        };
        let dropped = running.timeline.record(
            event,
            Point {
                instance,
                version: now.version.clone(),
            },
        );
        let mut out = format!("{output}\n{change}");
        if dropped > 0 {
            out += &format!(
                "  (forked a new line at turn {at} of {name}; the old line's {dropped} later turn{} are set aside)\n",
                if dropped == 1 { "" } else { "s" }
            );
        }
        Ok(out)
    }

    /// `:state [INSTANCE]`
    pub(super) fn show_state(&self, args: &str) -> Result<String, String> {
        if self.instances.is_empty() {
            return Err(
                "error: no instances are running\n  help: start one with `:new MACHINE`\n"
                    .to_string(),
            );
        }
        let mut out = String::new();
        for (name, running) in &self.instances {
            if !args.is_empty() && name != args {
                continue;
            }
            let point = running.timeline.now();
            let artifact = &point.version.compiled.artifact;
            out += &format!(
                "{name}: {} {} at turn {} of {}, state {}\n",
                artifact.name,
                point.version.short(),
                running.timeline.cursor(),
                running.timeline.last(),
                text::print(point.instance.state(), &artifact.state)
            );
        }
        if out.is_empty() {
            return Err(self.no_instance(args));
        }
        Ok(out)
    }

    /// `:comb MACHINE` and `:bytecode MACHINE` (an instance's name stands for its machine).
    pub(super) fn listing(&self, args: &str, bytecode: bool) -> Result<String, String> {
        if args.is_empty() {
            return Err("error: name a machine, as in `:comb Counter`\n".to_string());
        }
        let machine = match self.instances.get(args) {
            Some(running) => running.timeline.now().version.machine().to_string(),
            None => args.to_string(),
        };
        let version = self.compile(&machine)?;
        let compiled = &version.compiled;
        Ok(if bytecode {
            disasm::disassemble(&compiled.artifact, Some(&compiled.debug))
        } else {
            driver::comb_listing(&compiled.artifact)
        })
    }

    /// `:reload`: re-reads the file, then swaps every instance to the new version of its
    /// machine; an instance whose upgrade fails keeps its version and state.
    pub(super) fn reload(&mut self) -> Result<String, String> {
        let Some(path) = self.file.clone() else {
            return Err(
                "error: no file is loaded\n  help: load one with `:load FILE`\n".to_string(),
            );
        };
        let mut out = self.load(&path.display().to_string())?;
        let names = self.names_of_instances();
        for name in names {
            out += &self.upgrade(&name);
        }
        Ok(out)
    }

    /// Hot-swaps one instance to the newly compiled version of its machine.
    fn upgrade(&mut self, name: &str) -> String {
        let Some(running) = self.instances.get(name) else {
            return String::new();
        };
        let now = running.timeline.now().clone();
        let old_short = now.version.short();
        let next = match self.compile(now.version.machine()) {
            Ok(next) => Arc::new(next),
            Err(why) => {
                return format!(
                    "{name}: kept {old_short}; the new version does not compile:\n{why}"
                );
            }
        };
        if next.compiled.hash == now.version.compiled.hash {
            return format!("{name}: {} unchanged ({old_short})\n", next.machine());
        }
        let mut instance = now.instance.clone();
        if let Err(error) = instance.upgrade(next.loaded.clone(), &self.limits) {
            let why = match error {
                UpgradeError::Trapped(trap) => format!(
                    "the migration trapped: {}",
                    crate::render::trap_line(&trap, Some(&next.compiled.debug), Some(&next.source))
                ),
                other => other.to_string(),
            };
            return format!(
                "{name}: upgrade {old_short} -> {} refused: {why}\n  still running {old_short}, state {}\n",
                next.short(),
                text::print(now.instance.state(), &now.version.compiled.artifact.state)
            );
        }
        let state = text::print(instance.state(), &next.compiled.artifact.state);
        let event = Event::Upgrade {
            from: old_short.clone(),
            to: next.short(),
        };
        let out = format!(
            "{name}: upgraded {old_short} -> {}, state {state}\n",
            next.short()
        );
        if let Some(running) = self.instances.get_mut(name) {
            running.timeline.record(
                event,
                Point {
                    instance,
                    version: next,
                },
            );
        }
        out
    }
}
