//! A group-by with many more groups than its memory budget holds spills to each state backend
//! and still gives the unspilled answer. (`bench spill` runs the 10M-key version and measures
//! peak RSS; see docs/benchmarks.md.)

use sabot::prelude::*;
use sabot::source::memory;
use sabot::state::{StateBackend, StateSpec};
use std::sync::Arc;

#[derive(Record, Debug, Clone, PartialEq)]
struct Event {
    user: u64,
    amount: i64,
    tag: String,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct PerUser {
    user: u64,
    n: u64,
    total: i64,
    first_tag: String,
    last_tag: String,
    tags: u64,
}

#[sabot::pipeline]
fn per_user(events: Stream<Event>) -> Stream<PerUser> {
    events.group_by(|e| e.user).aggregate(|user, e| PerUser {
        user,
        n: count(),
        total: sum(e.amount),
        first_tag: first(e.tag),
        last_tag: last(e.tag),
        tags: count_distinct(e.tag),
    })
}

const USERS: u64 = 100_000;

fn events() -> Vec<Event> {
    // Every user appears three times, far apart, so each spill holds part of most groups.
    (0..3 * USERS)
        .map(|i| {
            let user = (i * 7_919) % USERS;
            Event { user, amount: (i % 1000) as i64 - 300, tag: format!("t{}", (i / USERS) + user % 2) }
        })
        .collect()
}

fn run(state: Option<Arc<dyn StateBackend>>) -> (Vec<PerUser>, sabot::RunSummary) {
    let (sink, rows) = sabot::sink::collect();
    let mut job = Job::new(per_user).source("events", memory(events())).sink("out", sink).batch_rows(10_000).parallelism(2);
    if let Some(state) = state {
        job = job.state(state).memory_limit(256 << 10);
    }
    let summary = job.run().unwrap();
    let mut out: Vec<PerUser> = rows.lock().unwrap().iter().flat_map(|b| PerUser::from_batch(b).unwrap()).collect();
    out.sort_by_key(|r| r.user);
    (out, summary)
}

fn spills_to(spec: &str) {
    let dir = tempfile::tempdir().unwrap();
    let spec: StateSpec = spec.replace("DIR", &dir.path().display().to_string()).parse().unwrap();
    let backend = sabot::state::open(&spec).unwrap();
    let (expected, plain) = run(None);
    assert_eq!(expected.len(), USERS as usize);
    assert_eq!(plain.spills, (0, 0));
    let (got, spilled) = run(Some(Arc::clone(&backend)));
    assert!(spilled.spills.0 >= 2, "{spec}: a 256 KiB budget must spill, got {:?}", spilled.spills);
    assert_eq!(got, expected, "{spec}");
    // The run removes what it spilled.
    assert!(backend.read("anything").unwrap().is_empty());
}

#[test]
fn group_by_spills_to_memory() {
    spills_to("memory");
}

#[test]
fn group_by_spills_to_rocksdb() {
    spills_to("rocksdb:DIR");
}

#[test]
fn group_by_spills_to_tonbo() {
    spills_to("tonbo:DIR");
}
