//! The time-travel commands (`:history`, `:back`, `:forward`, `:goto`) and session scripts
//! (`:save`, `:replay`).
//!
//! Travel moves the present of one instance (the one named, or the current one) along its
//! recorded line (see `history`). A script is REPL lines: `:new` per instance, then its inputs
//! as `INSTANCE <- input` in the order of the line up to the present; `:replay` runs any such
//! file line by line, echoing each.

use super::history::Event;
use super::session::{REPLAY_DEPTH_MAX, Session, Travel};
use quiver_vm::text;

impl Session {
    /// The instance a travel command acts on: the one named, or the current one.
    fn target(&self, named: Option<&str>) -> Result<String, String> {
        match named {
            Some(name) if self.instances.contains_key(name) => Ok(name.to_string()),
            Some(name) => Err(format!("error: there is no instance `{name}`\n")),
            None => self.current.clone().ok_or_else(|| {
                "error: no instances are running\n  help: start one with `:new MACHINE`\n"
                    .to_string()
            }),
        }
    }

    /// `:history [INSTANCE]`
    pub(super) fn history(&self, args: &str) -> Result<String, String> {
        let name = self.target((!args.is_empty()).then_some(args))?;
        let Some(running) = self.instances.get(&name) else {
            return Err(format!("error: there is no instance `{name}`\n"));
        };
        let timeline = &running.timeline;
        let marker = |index: usize| if index == timeline.cursor() { "*" } else { " " };
        let mut out = format!("{} 0  (start)\n", marker(0));
        for (index, event) in timeline.events().iter().enumerate() {
            out += &format!("{} {}  {}\n", marker(index + 1), index + 1, event.summary());
        }
        Ok(out)
    }

    /// `:back [N] [INSTANCE]`, `:forward [N] [INSTANCE]`, `:goto N [INSTANCE]`
    pub(super) fn travel(&mut self, args: &str, way: Travel) -> Result<String, String> {
        let words: Vec<&str> = args.split_whitespace().collect();
        let (count, named) = match words.as_slice() {
            [] => (None, None),
            [one] => match one.parse::<usize>() {
                Ok(n) => (Some(n), None),
                Err(_) => (None, Some(*one)),
            },
            [n, name] => (n.parse::<usize>().ok(), Some(*name)),
            _ => return Err("error: too many arguments\n  help: see `:help`\n".to_string()),
        };
        let name = self.target(named)?;
        let running = self
            .instances
            .get_mut(&name)
            .ok_or_else(|| format!("error: there is no instance `{name}`\n"))?;
        let timeline = &mut running.timeline;
        let moved = match (way, count) {
            (Travel::Goto, None) => Err("`:goto` needs a turn number, as in `:goto 2`".to_string()),
            (Travel::Goto, Some(n)) => timeline.goto(n),
            (Travel::Back, n) => timeline.back(n.unwrap_or(1)),
            (Travel::Forward, n) => timeline.forward(n.unwrap_or(1)),
        };
        moved.map_err(|why| format!("error: {why}\n"))?;
        let point = timeline.now();
        let artifact = &point.version.compiled.artifact;
        Ok(format!(
            "{name}: at turn {} of {}, state {}\n",
            timeline.cursor(),
            timeline.last(),
            text::print(point.instance.state(), &artifact.state)
        ))
    }

    /// `:save FILE`
    pub(super) fn save(&self, path: &str) -> Result<String, String> {
        if path.is_empty() {
            return Err("error: `:save` needs a file, as in `:save session.repl`\n".to_string());
        }
        let mut instances: Vec<(&String, &super::session::Running)> =
            self.instances.iter().collect();
        instances.sort_by_key(|(_, running)| running.started);
        let mut script = String::from("// a quiver repl session: replay it with `:replay FILE`\n");
        if let Some(file) = &self.file {
            script += &format!(":load {}\n", file.display());
        }
        for decl in &self.typed {
            script += &decl.text;
            script.push('\n');
        }
        for binding in &self.lets {
            script += &format!(
                "let {} = {}\n",
                binding.name,
                text::print(&binding.value, &binding.ty)
            );
        }
        let mut inputs = 0;
        for (name, running) in instances {
            let timeline = &running.timeline;
            let machine = timeline.start().version.machine();
            script += &format!(":new {machine} as {name}\n");
            for event in timeline.events().iter().take(timeline.cursor()) {
                match event {
                    Event::Turn { input, .. } => {
                        inputs += 1;
                        script += &format!("{name} <- {input}\n");
                    }
                    Event::Upgrade { from, to } => {
                        script += &format!("// upgraded {from} -> {to} here\n")
                    }
                    Event::Rollback { from, to } => {
                        script += &format!("// rolled back {from} -> {to} here\n")
                    }
                }
            }
        }
        std::fs::write(path, script).map_err(|e| format!("error: cannot write {path}: {e}\n"))?;
        Ok(format!(
            "saved {} instance{} and {inputs} input{} to {path}\n",
            self.instances.len(),
            if self.instances.len() == 1 { "" } else { "s" },
            if inputs == 1 { "" } else { "s" }
        ))
    }

    /// `:replay FILE`: each line run as if typed, echoed after `> `.
    pub(super) fn replay(&mut self, path: &str) -> Result<String, String> {
        if path.is_empty() {
            return Err(
                "error: `:replay` needs a file, as in `:replay session.repl`\n".to_string(),
            );
        }
        if self.replay_depth >= REPLAY_DEPTH_MAX {
            return Err(format!(
                "error: scripts replay each other more than {REPLAY_DEPTH_MAX} deep\n"
            ));
        }
        let script = std::fs::read_to_string(path)
            .map_err(|e| format!("error: cannot read {path}: {e}\n"))?;
        self.replay_depth += 1;
        let mut out = String::new();
        for entry in super::input::entries(&script) {
            if entry.trim().starts_with("//") {
                continue;
            }
            out += &format!("> {}\n", entry.trim_end());
            let reply = self.handle(&entry);
            out += &reply.text;
            if reply.quit {
                break;
            }
        }
        self.replay_depth -= 1;
        Ok(out)
    }
}
