//! Writes the seed corpora in `fuzz/seeds/<target>/` from the examples; run once with
//! `cargo run --manifest-path fuzz/Cargo.toml -p quiver-fuzz-seedgen` and commit the output.
//!
//! Each seed is in the input format of its target (see `quiver_fuzz_support`): sources as
//! text and as token soups, compiled artifacts behind a value-seed prefix, the `// run:` and
//! `// state:` values of the examples behind the byte that picks their type, and one frame of
//! each request and response kind.

use quiver_fuzz_support::{examples, tokens};
use quiver_vm::bytecode::encode::encode;
use quiver_vm::hash::Hash;
use quiver_vm::node::protocol::{Request, Response, encode as frame};
use quiver_vm::node::report::{
    InstanceReport, Outcome, PushOutcome, Refusal, SwapKind, SwapReport, VersionReport,
};
use quiver_vm::text::print;
use quiver_vm::types::Type;
use std::fs;
use std::path::{Path, PathBuf};

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds");
    let mut seeds = Seeds { root, written: 0 };
    sources(&mut seeds)?;
    artifacts(&mut seeds)?;
    texts(&mut seeds)?;
    frames(&mut seeds)?;
    println!("wrote {} seeds under fuzz/seeds/", seeds.written);
    Ok(())
}

struct Seeds {
    root: PathBuf,
    written: usize,
}

impl Seeds {
    fn write(&mut self, target: &str, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let dir = self.root.join(target);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join(name), bytes)?;
        self.written += 1;
        Ok(())
    }
}

/// Every example, and every example that must fail, as text and as a token soup.
fn sources(seeds: &mut Seeds) -> std::io::Result<()> {
    let errors_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/errors");
    let mut files: Vec<(String, String)> = examples::SOURCES
        .iter()
        .map(|(name, src)| ((*name).to_string(), (*src).to_string()))
        .collect();
    for entry in fs::read_dir(errors_dir)? {
        let path = entry?.path();
        let name = format!(
            "error_{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        files.push((name, fs::read_to_string(&path)?));
    }
    files.sort();
    for (name, src) in &files {
        seeds.write("source", name, src.as_bytes())?;
        seeds.write("source_tokens", name, &tokens::from_source(src))?;
    }
    Ok(())
}

/// Every compiled example, with no value bytes and with a few; and a mutation seed of each.
fn artifacts(seeds: &mut Seeds) -> std::io::Result<()> {
    for (name, compiled) in examples::compiled() {
        let smb = encode(&compiled.artifact, Some(&compiled.debug));
        let mut plain = vec![0u8];
        plain.extend_from_slice(&smb);
        seeds.write("artifact", &format!("{name}.smb"), &plain)?;
        let values: Vec<u8> = (0u8..24).map(|i| i.wrapping_mul(37)).collect();
        let mut with_values = vec![24u8];
        with_values.extend_from_slice(&values);
        with_values.extend_from_slice(&smb);
        seeds.write("artifact", &format!("{name}.values.smb"), &with_values)?;
    }
    for index in 0..examples::compiled().len() {
        let index = u8::try_from(index).unwrap_or(u8::MAX);
        let bytes: Vec<u8> = std::iter::once(index)
            .chain((0u8..48).map(|i| i.wrapping_mul(53).wrapping_add(index)))
            .collect();
        seeds.write("artifact_mutate", &format!("example{index}"), &bytes)?;
    }
    Ok(())
}

/// The values the examples write in `// run:` and `// state:` lines, each against its type,
/// and each example's initial state.
fn texts(seeds: &mut Seeds) -> std::io::Result<()> {
    let types = examples::types();
    let selector = |ty: &Type| {
        types
            .iter()
            .position(|t| t == ty)
            .and_then(|i| u8::try_from(i).ok())
    };
    for (name, compiled) in examples::compiled() {
        let artifact = &compiled.artifact;
        let src = examples::SOURCES
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, s)| *s);
        let mut values: Vec<(&Type, String)> = Vec::new();
        let init = quiver_vm::value::Value::from_lit(&artifact.init);
        values.push((&artifact.state, print(&init, &artifact.state)));
        for line in src.lines() {
            if let Some(run) = line.strip_prefix("// run: ") {
                let (input, output) = run.split_once(" => ").unwrap_or((run, "error:"));
                values.push((&artifact.input, input.to_string()));
                if !output.starts_with("error:") {
                    values.push((&artifact.output, output.to_string()));
                }
            } else if let Some(state) = line.strip_prefix("// state: ") {
                values.push((&artifact.state, state.to_string()));
            }
        }
        for (i, (ty, text)) in values.iter().enumerate() {
            let Some(index) = selector(ty) else { continue };
            let mut bytes = vec![index];
            bytes.extend_from_slice(text.as_bytes());
            seeds.write("text_parse", &format!("{name}.{i}"), &bytes)?;
        }
    }
    for index in 0..types.len() {
        let index = u8::try_from(index).unwrap_or(u8::MAX);
        let bytes: Vec<u8> = std::iter::once(index)
            .chain((0u8..32).map(|i| i.wrapping_mul(91).wrapping_add(index)))
            .collect();
        seeds.write("text_roundtrip", &format!("type{index}"), &bytes)?;
    }
    Ok(())
}

/// One frame of each request and response kind, and a stream of several.
fn frames(seeds: &mut Seeds) -> std::io::Result<()> {
    let hash = Hash([7; 32]);
    let swap = SwapReport {
        kind: SwapKind::Upgrade,
        from: hash,
        to: Hash([9; 32]),
        swap_us: 120,
        pause_us: Some(300),
    };
    let requests = [
        Request::Push {
            instance: "c".into(),
            artifact: b"QVRB\x01\x00".to_vec(),
            expect: Some(hash),
        },
        Request::Send {
            instance: "c".into(),
            inputs: vec!["Incr(5)".into(), "Get".into()],
        },
        Request::Inspect { instance: None },
        Request::Rollback {
            instance: "c".into(),
        },
    ];
    let responses = [
        Response::Pushed(PushOutcome::Upgraded { swap: swap.clone() }),
        Response::Outputs(vec![
            Outcome::Output("Ok".into()),
            Outcome::Rejected("no".into()),
        ]),
        Response::Inspected(vec![InstanceReport {
            instance: "c".into(),
            versions: vec![VersionReport {
                hash,
                name: "Counter".into(),
            }],
            state: "{ count: 2 }".into(),
            turns: 3,
            mailbox: 0,
            last_swap: Some(swap.clone()),
        }]),
        Response::RolledBack(swap),
        Response::Refused(Refusal::UnknownInstance("d".into())),
        Response::ProtocolError("malformed message".into()),
    ];
    let mut stream = Vec::new();
    for (i, request) in requests.iter().enumerate() {
        let bytes = frame(i as u64 + 1, request);
        seeds.write("frame", &format!("request{i}"), &bytes)?;
        stream.extend_from_slice(&bytes);
    }
    seeds.write("frame", "requests", &stream)?;
    for (i, response) in responses.iter().enumerate() {
        seeds.write(
            "frame",
            &format!("response{i}"),
            &frame(i as u64 + 1, response),
        )?;
    }
    Ok(())
}
