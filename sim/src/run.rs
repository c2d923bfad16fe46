//! One run of one seed: the faulty phase (every kind of event, picked by weight), then the
//! healing phase (no faults: clients reconnect and drain), then a last crash and recovery.
//! Every step ends with the checks; the clients check each reply they get against the model.
//!
//! The same seed and [`Config`] give the same run, step for step (the digest in [`Stats`]).

use crate::world::{ADMIN_INDEX, Config, Failure, Stats, World};
use quiver_vm::node::protocol::{self, FRAME_BYTES_MAX, Request, Response};
use quiver_vm::node::report::{Outcome, Refusal};

/// Steps the healing phase may take before the run counts as stuck.
const DRAIN_STEPS_MAX: u64 = 50_000;

#[derive(Clone, Copy, Debug)]
enum Event {
    Send,
    ToNode,
    ToClient,
    Reconnect,
    Break,
    Admin,
    Crash,
    DiskFault,
    Flush,
    Compact,
}

/// Events and their weights in the faulty phase.
const FAULTY: [(Event, u64); 10] = [
    (Event::Compact, 1),
    (Event::Flush, 12),
    (Event::Send, 22),
    (Event::ToNode, 30),
    (Event::ToClient, 26),
    (Event::Reconnect, 10),
    (Event::Break, 3),
    (Event::Admin, 4),
    (Event::Crash, 1),
    (Event::DiskFault, 1),
];

/// Events and their weights once the world has healed.
const HEALED: [(Event, u64); 6] = [
    (Event::Flush, 12),
    (Event::Send, 20),
    (Event::Admin, 4),
    (Event::ToNode, 35),
    (Event::ToClient, 35),
    (Event::Reconnect, 10),
];

/// Runs `seed`; a violated check comes back as a [`Failure`].
pub fn run(seed: u64, config: &Config) -> Result<Stats, Failure> {
    let mut world = World::new(seed, config).map_err(|message| Failure {
        step: 0,
        message,
        trace: Vec::new(),
    })?;
    for _ in 0..config.steps {
        let event = pick(&mut world, &FAULTY);
        step(&mut world, event).map_err(|m| world.fail(m))?;
    }
    let mut drained = 0;
    while !world.clients.iter().all(|c| c.done()) || world.waiting() {
        drained += 1;
        if drained > DRAIN_STEPS_MAX {
            return Err(world.fail("the clients never finished after the faults stopped".into()));
        }
        let event = pick(&mut world, &HEALED);
        step(&mut world, event).map_err(|m| world.fail(m))?;
    }
    world.begin_step();
    world
        .crash()
        .map_err(|m| world.fail(format!("after the final restart: {m}")))?;
    Ok(world.stats.clone())
}

fn pick(world: &mut World, events: &[(Event, u64)]) -> Event {
    let total = events.iter().map(|(_, w)| w).sum();
    let mut draw = world.rng.below(total);
    for (event, weight) in events {
        if draw < *weight {
            return *event;
        }
        draw -= weight;
    }
    events[0].0
}

fn step(world: &mut World, event: Event) -> Result<(), String> {
    world.begin_step();
    match event {
        Event::Send => send(world, false),
        Event::Admin => send(world, true),
        Event::ToNode => {
            let ids = world.net.towards_node();
            let pick = ids.get(world.rng.index(ids.len())).copied();
            pick.map_or(Ok(()), |id| world.deliver_to_node(id))
        }
        Event::ToClient => to_client(world),
        Event::Reconnect => {
            reconnect(world);
            Ok(())
        }
        Event::Break => {
            let ids = world.net.alive();
            if let Some(&id) = ids.get(world.rng.index(ids.len())) {
                let client = world.net.conns[&id].client;
                world.net.break_conn(id, &mut world.rng, true);
                world.clients[client].conn = None;
                world.stats.breaks += 1;
                world.note(format!("conn {id} breaks"));
            }
            Ok(())
        }
        Event::Crash => world.crash(),
        Event::Flush => world.flush(),
        Event::Compact => world.compact(),
        Event::DiskFault => {
            world.arm_fault();
            Ok(())
        }
    }?;
    world.check_all()
}

/// A ready client (or the admin) sends its next request.
fn send(world: &mut World, admin: bool) -> Result<(), String> {
    let ready: Vec<usize> = (0..world.clients.len())
        .filter(|&i| (i == ADMIN_INDEX) == admin && world.clients[i].ready())
        .collect();
    let Some(&index) = ready.get(world.rng.index(ready.len())) else {
        return Ok(());
    };
    let outstanding = if admin {
        admin_request(world)
    } else {
        let mut rng = world.rng.fork();
        world.clients[index].next_inputs(&mut rng)
    };
    let frame = protocol::encode(outstanding.id, &outstanding.request);
    let conn = world.clients[index]
        .conn
        .ok_or("a ready client has no connection")?;
    world.note(format!(
        "{} sends {}",
        world.clients[index].name, outstanding.id
    ));
    if let Some(conn) = world.net.conns.get_mut(&conn) {
        conn.to_node.push_back(frame);
    }
    Ok(())
}

/// A push of a random version to a random instance, or a rollback.
fn admin_request(world: &mut World) -> crate::client::Outstanding {
    let instances: Vec<String> = world
        .clients
        .iter()
        .map(|c| c.instance.clone())
        .filter(|i| !i.is_empty())
        .collect();
    let instance = instances[world.rng.index(instances.len())].clone();
    let request = if world.rng.chance(1, 3) {
        Request::Rollback { instance }
    } else {
        let choice = world.rng.index(world.catalog().len());
        let artifact = world.catalog()[choice].bytes.clone();
        Request::Push {
            instance,
            artifact,
            expect: None,
        }
    };
    let admin = &mut world.clients[ADMIN_INDEX];
    let id = admin.next_seq;
    admin.next_seq += 1;
    admin.issue(request, id)
}

/// A client takes the next reply on a random live connection and checks it.
fn to_client(world: &mut World) -> Result<(), String> {
    let ids = world.net.towards_clients();
    let Some(&id) = ids.get(world.rng.index(ids.len())) else {
        return Ok(());
    };
    let conn = world
        .net
        .conns
        .get_mut(&id)
        .ok_or("a connection vanished")?;
    let client = conn.client;
    let frame = conn
        .to_client
        .pop_front()
        .ok_or("an empty connection was picked")?;
    let ((reply_id, response), _) = match protocol::split::<Response>(&frame, FRAME_BYTES_MAX) {
        Ok(Some(decoded)) => decoded,
        other => return Err(format!("a reply frame does not decode: {other:?}")),
    };
    let outstanding = world.clients[client]
        .outstanding
        .pop_front()
        .ok_or_else(|| format!("reply {reply_id} to a client that asked nothing"))?;
    if outstanding.id != reply_id {
        return Err(format!(
            "reply {reply_id} came for request {}",
            outstanding.id
        ));
    }
    if must_retry(&response) {
        // Not an answer: the client closes the connection and retries everything unanswered.
        world.clients[client].outstanding.push_front(outstanding);
        world.stats.told_to_retry += 1;
        world.clients[client].conn = None;
        world.net.break_conn(id, &mut world.rng, true);
        world.note(format!(
            "{} is told to retry {reply_id}",
            world.clients[client].name
        ));
        return Ok(());
    }
    world.clients[client].acknowledged += 1;
    if let Request::Send { instance, inputs }
    | Request::SendKeyed {
        instance, inputs, ..
    } = &outstanding.request
    {
        let name = world.clients[client].name.clone();
        check_outputs(
            world,
            &instance.clone(),
            &name,
            reply_id,
            &inputs.clone(),
            &response,
        )?;
    } else if let Response::ProtocolError(e) = &response {
        return Err(format!("the admin's request was malformed: {e}"));
    }
    world.note(format!(
        "{} takes reply {reply_id}",
        world.clients[client].name
    ));
    Ok(())
}

/// A reply that answers nothing: the store failed while the node answered (a refusal, or a key
/// the node could not check), so the client retries the whole request under the same keys.
fn must_retry(response: &Response) -> bool {
    match response {
        Response::Refused(Refusal::Unstored(_) | Refusal::ShuttingDown) => true,
        Response::Outputs(outcomes) => outcomes.iter().any(|outcome| {
            matches!(outcome, Outcome::Rejected(why) if why.starts_with("cannot check the idempotency key"))
        }),
        _ => false,
    }
}

/// Every acknowledged input is in the model, with this text and this outcome.
fn check_outputs(
    world: &mut World,
    instance: &str,
    client: &str,
    first: u64,
    inputs: &[String],
    response: &Response,
) -> Result<(), String> {
    let Response::Outputs(outcomes) = response else {
        return Err(format!("{client}'s send {first} was answered {response:?}"));
    };
    if outcomes.len() != inputs.len() {
        return Err(format!(
            "{client}'s send {first}: {} outcomes for {} inputs",
            outcomes.len(),
            inputs.len()
        ));
    }
    let model = world.model(instance).ok_or("no model for the instance")?;
    for ((seq, text), outcome) in (first..).zip(inputs).zip(outcomes) {
        let Some(applied) = model.applied.get(&(client.to_string(), seq)) else {
            return Err(format!(
                "input ({client}, {seq}) {text} was acknowledged but is not in the durable history"
            ));
        };
        // A retry of an input compaction dropped is recognised but its outcome is gone.
        let compacted = matches!(outcome, Outcome::Rejected(why) if why.contains("compacted away"));
        if &applied.text != text || (&applied.outcome != outcome && !compacted) {
            return Err(format!(
                "input ({client}, {seq}) {text} was answered {outcome:?}; the history has {} -> {:?}",
                applied.text, applied.outcome
            ));
        }
    }
    world.stats.inputs_acknowledged += u64::try_from(outcomes.len()).unwrap_or(0);
    Ok(())
}

/// A client without a connection opens one and resends everything unanswered, in order.
fn reconnect(world: &mut World) {
    let waiting: Vec<usize> = (0..world.clients.len())
        .filter(|&i| world.clients[i].conn.is_none())
        .collect();
    let Some(&index) = waiting.get(world.rng.index(waiting.len())) else {
        return;
    };
    let abandoned = world.clients[index].drop_unsafe_retries();
    world.stats.rollbacks_abandoned += u64::try_from(abandoned).unwrap_or(0);
    let id = world.net.connect(index);
    world.clients[index].conn = Some(id);
    let frames: Vec<Vec<u8>> = world.clients[index]
        .outstanding
        .iter()
        .map(|o| protocol::encode(o.id, &o.request))
        .collect();
    world.note(format!(
        "{} reconnects on conn {id}, resending {}",
        world.clients[index].name,
        frames.len()
    ));
    if let Some(conn) = world.net.conns.get_mut(&id) {
        conn.to_node.extend(frames);
    }
}
