//! A group-by with many more groups than its memory budget holds, and a join whose build side
//! is many times the budget, spill to each state backend and still give the unspilled answer.
//! (`bench spill` runs a 10M-key group-by and measures peak RSS; see docs/benchmarks.md.)

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

#[sabot::pipeline]
fn positive_per_user(events: Stream<Event>) -> Stream<PerUser> {
    events.filter(|e| e.amount > 0).group_by(|e| e.user).aggregate(|user, e| PerUser {
        user,
        n: count(),
        total: sum(e.amount),
        first_tag: first(e.tag),
        last_tag: last(e.tag),
        tags: count_distinct(e.tag),
    })
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Account {
    id: u64,
    region: u32,
    credit: i64,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Charge {
    user: u64,
    region: Option<u32>,
    amount: i64,
}

#[sabot::pipeline]
fn charges(events: Stream<Event>, accounts: Stream<Account>) -> Stream<Charge> {
    events.left_join(accounts, |e| e.user, |a| a.id, |e, a| Charge { user: e.user, region: a.map(|a| a.region), amount: e.amount })
}

#[sabot::pipeline]
fn charges_and_all(events: Stream<Event>, accounts: Stream<Account>) -> (Stream<Charge>, Stream<Event>) {
    let all = events.filter(|e| e.amount > 0);
    let joined = events.join(accounts, |e| e.user, |a| a.id, |e, a| Charge { user: e.user, region: Some(a.region), amount: e.amount });
    (joined, all)
}

const USERS: u64 = 100_000;
/// Users in the Tonbo group-by: every append there writes a Parquet file of about 1 MB (its
/// bloom filter), and a 256 KiB budget makes appends of about 1 KiB; with 100K users the test
/// filled the 8 GB left on a disk. With 10K it wrote 1.5 GB.
const TONBO_USERS: u64 = 10_000;

fn events() -> Vec<Event> {
    events_of(USERS)
}

fn events_of(users: u64) -> Vec<Event> {
    // Every user appears three times, far apart, so each spill holds part of most groups.
    (0..3 * users)
        .map(|i| {
            let user = (i * 7_919) % users;
            Event { user, amount: (i % 1000) as i64 - 300, tag: format!("t{}", (i / users) + user % 2) }
        })
        .collect()
}

fn run(state: Option<Arc<dyn StateBackend>>, users: u64) -> (Vec<PerUser>, sabot::RunSummary) {
    let (sink, rows) = sabot::sink::collect();
    let mut job = Job::new(per_user).source("events", memory(events_of(users))).sink("out", sink).batch_rows(10_000).parallelism(2);
    if let Some(state) = state {
        job = job.state(state).memory_limit(256 << 10);
    }
    let summary = job.run().unwrap();
    let mut out: Vec<PerUser> = rows.lock().unwrap().iter().flat_map(|b| PerUser::from_batch(b).unwrap()).collect();
    out.sort_by_key(|r| r.user);
    (out, summary)
}

fn spills_to(spec: &str, users: u64) {
    let dir = tempfile::tempdir().unwrap();
    let spec: StateSpec = spec.replace("DIR", &dir.path().display().to_string()).parse().unwrap();
    let backend = sabot::state::open(&spec).unwrap();
    let (expected, plain) = run(None, users);
    assert_eq!(expected.len(), users as usize);
    assert_eq!(plain.spills, (0, 0));
    let (got, spilled) = run(Some(Arc::clone(&backend)), users);
    assert!(spilled.spills.0 >= 2, "{spec}: a 256 KiB budget must spill, got {:?}", spilled.spills);
    assert_eq!(got, expected, "{spec}");
    // The run removes what it spilled.
    assert!(backend.read("anything").unwrap().is_empty());
}

/// The join's build side: accounts for even users only, so odd users have no match.
fn accounts() -> Vec<Account> {
    accounts_of(USERS)
}

fn accounts_of(users: u64) -> Vec<Account> {
    (0..users / 2).map(|i| Account { id: 2 * i, region: (i % 17) as u32, credit: i as i64 }).collect()
}

/// Runs `job` over the events and accounts, with a 256 KiB budget on `state` when given; the
/// output rows as `T`.
fn run_events_and_accounts<T: Record>(job: Job, state: Option<Arc<dyn StateBackend>>, users: u64) -> (Vec<T>, sabot::RunSummary) {
    let (sink, rows) = sabot::sink::collect();
    let mut job = job
        .source("events", memory(events_of(users)))
        .source("accounts", memory(accounts_of(users)))
        .sink("out", sink)
        .batch_rows(10_000)
        .parallelism(2);
    if let Some(state) = state {
        job = job.state(state).memory_limit(256 << 10);
    }
    let summary = job.run().unwrap();
    let out = rows.lock().unwrap().iter().flat_map(|b| T::from_batch(b).unwrap()).collect();
    (out, summary)
}

fn run_join(state: Option<Arc<dyn StateBackend>>, users: u64) -> (Vec<Charge>, sabot::RunSummary) {
    // With 100K users the build side holds 50K rows (over 2 MB of table): more than 5x the
    // budget.
    let (mut out, summary) = run_events_and_accounts::<Charge>(Job::new(charges), state, users);
    out.sort_by_key(|c| (c.user, c.amount));
    (out, summary)
}

fn join_spills_to(spec: &str, users: u64) {
    let dir = tempfile::tempdir().unwrap();
    let spec: StateSpec = spec.replace("DIR", &dir.path().display().to_string()).parse().unwrap();
    let backend = sabot::state::open(&spec).unwrap();
    let (expected, plain) = run_join(None, users);
    assert_eq!(expected.len(), 3 * users as usize);
    assert_eq!(expected.iter().filter(|c| c.region.is_none()).count(), 3 * users as usize / 2);
    assert_eq!(plain.spills, (0, 0));
    let (got, spilled) = run_join(Some(backend), users);
    assert!(spilled.spills.0 >= 2, "{spec}: the build side must spill, got {:?}", spilled.spills);
    assert_eq!(spilled.rows_in, plain.rows_in, "re-reading the probe side per partition is not new input");
    assert_eq!(got, expected, "{spec}");
}

#[test]
fn join_build_spills_to_rocksdb() {
    join_spills_to("rocksdb:DIR", USERS);
}

#[test]
fn join_build_spills_to_tonbo() {
    // Half the users: with 10K or 20K the build side spilled only once.
    join_spills_to("tonbo:DIR", USERS / 2);
}

/// A build side whose keys each have four rows, far apart in the input (so in different
/// spills), numbered in input order by `region`: every probe row's matches must come out in
/// that order after the build side spilled and was read back.
fn build_rows_keep_input_order(spec: &str, users: u64) {
    let dir = tempfile::tempdir().unwrap();
    let spec: StateSpec = spec.replace("DIR", &dir.path().display().to_string()).parse().unwrap();
    let accounts: Vec<Account> =
        (0..4u32).flat_map(|copy| (0..users).map(move |id| Account { id, region: copy, credit: id as i64 })).collect();
    let (sink, rows) = sabot::sink::collect();
    let job = Job::new(charges)
        .source("events", memory(events_of(users)))
        .source("accounts", memory(accounts))
        .sink("out", sink)
        .batch_rows(10_000)
        .parallelism(2)
        .state(sabot::state::open(&spec).unwrap())
        .memory_limit(256 << 10);
    let summary = job.run().unwrap();
    assert!(summary.spills.0 >= 3, "{spec}: the build side must spill several times, got {:?}", summary.spills);
    let out: Vec<Charge> = rows.lock().unwrap().iter().flat_map(|b| Charge::from_batch(b).unwrap()).collect();
    assert_eq!(out.len(), 4 * 3 * users as usize);
    for (i, matches) in out.chunks(4).enumerate() {
        let regions: Vec<Option<u32>> = matches.iter().map(|c| c.region).collect();
        assert!(
            matches.iter().all(|c| (c.user, c.amount) == (matches[0].user, matches[0].amount)),
            "{spec}: probe row {i} split: {matches:?}"
        );
        assert_eq!(regions, [Some(0), Some(1), Some(2), Some(3)], "{spec}: probe row {i}'s matches out of build order");
    }
}

#[test]
fn spilled_build_rows_keep_input_order_in_rocksdb() {
    build_rows_keep_input_order("rocksdb:DIR", USERS / 4);
}

#[test]
fn spilled_build_rows_keep_input_order_in_tonbo() {
    build_rows_keep_input_order("tonbo:DIR", USERS / 16);
}

#[sabot::pipeline]
fn with_account(events: Stream<Event>, accounts: Stream<Account>) -> Stream<Event> {
    events.semi_join(accounts, |e| e.user, |a| a.id)
}

#[test]
fn semi_join_keys_spill_to_rocksdb() {
    let dir = tempfile::tempdir().unwrap();
    let backend = sabot::state::open(&format!("rocksdb:{}", dir.path().display()).parse().unwrap()).unwrap();
    let run = |state: Option<Arc<dyn StateBackend>>| {
        let (mut out, summary) = run_events_and_accounts::<Event>(Job::new(with_account), state, USERS);
        out.sort_by_key(|e| (e.user, e.amount));
        (out, summary)
    };
    let (expected, plain) = run(None);
    assert_eq!(expected.len(), 3 * USERS as usize / 2);
    assert!(expected.iter().all(|e| e.user % 2 == 0));
    // 50K keys take about 1 MiB of table: four times the budget.
    let (got, spilled) = run(Some(Arc::clone(&backend)));
    assert_eq!(plain.spills, (0, 0));
    assert!(spilled.spills.0 >= 2, "the key set must spill, got {:?}", spilled.spills);
    assert_eq!(got, expected);
}

#[test]
fn spilled_join_with_outputs_around_it_is_refused() {
    let job = Job::new(charges_and_all)
        .source("events", memory(events()))
        .source("accounts", memory(accounts()))
        .sink("out0", sabot::sink::collect().0)
        .sink("out1", sabot::sink::collect().0)
        .memory_limit(1 << 10);
    let err = job.run().unwrap_err().to_string();
    assert!(err.contains("also writes rows that do not pass through that join") && err.contains("--memory-limit"), "{err}");
}

#[test]
fn splits_without_groups_keep_spilled_groups() {
    // The first morsels hold only rows the filter drops: their tables stay empty while later
    // ones spill, and the merge must still read every spilled group back.
    let mut rows: Vec<Event> = (0..50_000).map(|i| Event { user: i, amount: -1, tag: "x".into() }).collect();
    rows.extend((0..50_000).map(|i| Event { user: i % 20_000, amount: 1 + (i % 5) as i64, tag: format!("t{}", i % 3) }));
    let run = |limit: Option<usize>| {
        let mut job = Job::new(positive_per_user).source("events", memory(rows.clone())).batch_rows(5_000).parallelism(2);
        if let Some(l) = limit {
            job = job.memory_limit(l);
        }
        let mut out: Vec<PerUser> = job.collect().unwrap();
        out.sort_by_key(|r| r.user);
        out
    };
    let expected = run(None);
    assert_eq!(expected.len(), 20_000);
    assert_eq!(run(Some(0)), expected);
}

#[test]
fn group_by_spills_to_memory() {
    spills_to("memory", USERS);
}

#[test]
fn group_by_spills_to_rocksdb() {
    spills_to("rocksdb:DIR", USERS);
}

#[test]
fn group_by_spills_to_tonbo() {
    spills_to("tonbo:DIR", TONBO_USERS);
}
