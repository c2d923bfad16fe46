//! `quiver inspect`: a node's instances as text for people, or `--json` for scripts.
//!
//! The JSON is written by hand (a few fixed fields; strings escaped per RFC 8259) so the CLI
//! needs no JSON dependency; it is one array of objects, keys in a fixed order:
//! `instance`, `versions` (`hash`, `name`; running first), `state`, `turns`, `mailbox`,
//! `last_swap` (`kind`, `from`, `to`, `swap_us`, `pause_us`, or `null`).

use crate::args::Exit;
use crate::args_node::InspectArgs;
use crate::client::{Credentials, resolve, runtime};
use anyhow::Result;
use quiver_vm::node::report::{InstanceReport, SwapKind, SwapReport};
use std::fmt::Write;

pub fn run(args: &InspectArgs) -> Result<Exit> {
    let credentials = Credentials::load(&args.identity)?;
    let addr = resolve(&args.node)?;
    runtime()?.block_on(async {
        let client = match credentials.connect(addr).await {
            Ok(client) => client,
            Err(error) => return Ok(credentials.fail(addr, &error)),
        };
        let answer = client.inspect(args.instance.as_deref()).await;
        client.close().await;
        match answer {
            Ok(reports) if args.json => {
                println!("{}", json(&reports));
                Ok(Exit::Success)
            }
            Ok(reports) => {
                print!("{}", text(&reports));
                Ok(Exit::Success)
            }
            Err(error) => Ok(credentials.fail(addr, &error)),
        }
    })
}

/// The reports for people.
pub fn text(reports: &[InstanceReport]) -> String {
    if reports.is_empty() {
        return "no instances; `quiver push FILE.sm --instance NAME` deploys one\n".into();
    }
    let mut out = String::new();
    for report in reports {
        let _ = writeln!(out, "instance {}", report.instance);
        for (i, version) in report.versions.iter().enumerate() {
            let label = if i == 0 { "running" } else { "previous" };
            let _ = writeln!(out, "  {label:<9} {} {}", version.hash, version.name);
        }
        let _ = writeln!(out, "  state     {}", report.state);
        let _ = writeln!(out, "  turns     {}", report.turns);
        let _ = writeln!(out, "  mailbox   {}", report.mailbox);
        match &report.last_swap {
            Some(swap) => {
                let _ = writeln!(out, "  last swap {}", swap_text(swap));
            }
            None => out.push_str("  last swap none\n"),
        }
    }
    out
}

/// `upgrade 1a2b3c4d5e6f -> ...: swap 35 µs, pause 40 µs`.
pub fn swap_text(swap: &SwapReport) -> String {
    let pause = match swap.pause_us {
        Some(us) => format!("{us} µs"),
        None => "not measured yet".into(),
    };
    format!(
        "{} {} -> {}: swap {} µs, pause {pause}",
        kind_name(swap.kind),
        swap.from.short(),
        swap.to.short(),
        swap.swap_us
    )
}

fn kind_name(kind: SwapKind) -> &'static str {
    match kind {
        SwapKind::Upgrade => "upgrade",
        SwapKind::Rollback => "rollback",
    }
}

/// The reports as one JSON array.
pub fn json(reports: &[InstanceReport]) -> String {
    let items: Vec<String> = reports.iter().map(instance_json).collect();
    format!("[{}]", items.join(","))
}

fn instance_json(report: &InstanceReport) -> String {
    let versions: Vec<String> = report
        .versions
        .iter()
        .map(|v| {
            format!(
                "{{\"hash\":{},\"name\":{}}}",
                string(&v.hash.to_string()),
                string(&v.name)
            )
        })
        .collect();
    let last_swap = match &report.last_swap {
        Some(swap) => format!(
            "{{\"kind\":{},\"from\":{},\"to\":{},\"swap_us\":{},\"pause_us\":{}}}",
            string(kind_name(swap.kind)),
            string(&swap.from.to_string()),
            string(&swap.to.to_string()),
            swap.swap_us,
            swap.pause_us.map_or("null".into(), |us| us.to_string())
        ),
        None => "null".into(),
    };
    format!(
        "{{\"instance\":{},\"versions\":[{}],\"state\":{},\"turns\":{},\"mailbox\":{},\"last_swap\":{}}}",
        string(&report.instance),
        versions.join(","),
        string(&report.state),
        report.turns,
        report.mailbox,
        last_swap
    )
}

/// A JSON string literal.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::string;

    #[test]
    fn json_strings_escape_quotes_backslashes_and_control_characters() {
        assert_eq!(string("a\"b\\c\nd\u{1}é"), "\"a\\\"b\\\\c\\nd\\u0001é\"");
    }
}
