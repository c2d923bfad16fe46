//! The design sketch's machines and composition check, and their typed IR is as recorded.

mod check_support;

const COUNTER: &str = r#"
machine Counter {
    state {
        count: Int = 0,
    }

    input  Incr(Int) | Decr(Int) | Reset | Get
    output Ok | Value(Int) | Rejected(String)

    invariant count >= 0

    on Incr(n) {
        count = count + n;
        Ok
    }
    on Decr(n) {
        if n > count {
            Rejected("would go negative")
        } else {
            count = count - n;
            Ok
        }
    }
    on Reset { count = 0; Ok }
    on Get   { Value(count) }
}
"#;

const COUNTER_V2: &str = r#"
machine Counter {
    state {
        count: Int = 0,
        resets: Int = 0,
    }
    input  Incr(Int) | Decr(Int) | Reset | Get | Stats
    output Ok | Value(Int) | Rejected(String) | Info(Int, Int)

    invariant count >= 0
    invariant resets >= 0

    on Incr(n) { count = count + n; Ok }
    on Decr(n) {
        if n > count { Rejected("would go negative") } else { count = count - n; Ok }
    }
    on Reset { count = 0; resets = resets + 1; Ok }
    on Get   { Value(count) }
    on Stats { Info(count, resets) }

    // The old state's shape is written here; the node checks it against the running version.
    migrate(old: { count: Int }) {
        { count: old.count, resets: 0 }
    }
}
"#;

const KV: &str = r#"
machine Store {
    state { data: Map<String, Int> = {}, writes: Int = 0 }
    input  Put(String, Int) | Get(String) | Delete(String) | Size
    output Ok | Found(Int) | Missing | Count(Int)

    on Put(k, v)  { data = Map.insert(data, k, v); writes = writes + 1; Ok }
    on Get(k)     { match Map.get(data, k) { Some(v) => Found(v), None => Missing } }
    on Delete(k)  { data = Map.remove(data, k); Ok }
    on Size       { Count(Map.len(data)) }
}
"#;

#[test]
fn the_first_counter_checks() {
    check!(COUNTER);
}

#[test]
fn the_counter_with_a_migration_checks() {
    check!(COUNTER_V2);
}

#[test]
fn the_map_store_checks() {
    check!(KV);
}

#[test]
fn the_sketch_composition_checks_when_the_parts_fit() {
    let src = r#"
enum Cmd { Incr(Int), Reset }
enum Reply { Done(Int) }

machine Parser {
    state { seen: Int = 0 }
    input Line(String) | Blank
    output Cmd
    on Line(s) { seen = seen + 1; Incr(String.len(s)) }
    on Blank { Reset }
}

machine Counter {
    state { count: Int = 0 }
    input Cmd
    output Reply
    on Incr(n) { count = count + n; Done(count) }
    on Reset { count = 0; Done(0) }
}

machine Audit {
    state { events: Int = 0 }
    input Cmd
    output Reply
    on _ { events = events + 1; Done(events) }
}

machine Left = Counter
machine Right = Audit
machine Pipeline = Parser >>> Counter
machine Both     = Left *** Right
machine Fanout   = Audit &&& Counter
machine Either   = Left ||| Right
"#;
    check!(src);
}
