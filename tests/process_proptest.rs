//! `key_by(..).process(f)`: value, list and map state per key equal a naive fold of each key's
//! records in input order (across splits and workers); event-time timers fire per key and
//! window as a tumbling count would, in batch and as streams; processing-time timers fire and
//! lose nothing; every state backend gives the same answer and starts each run empty.

use proptest::prelude::*;
use sabot::StreamOptions;
use sabot::prelude::*;
use sabot::source::memory;
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Record, Debug, Clone, PartialEq)]
struct Event {
    user: String,
    amount: i64,
    tag: String,
    #[sabot(event_time)]
    ts: Timestamp,
}

/// Per record: how many records and how much its user had so far, their last three amounts
/// and how often the user had this tag.
#[derive(Record, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Running {
    user: String,
    n: i64,
    total: i64,
    recent: String,
    tag_seen: i64,
}

struct RunningTotals;

impl KeyedProcess for RunningTotals {
    type Key = String;
    type In = Event;
    type Out = Running;

    fn process(&mut self, e: Event, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        let n = ctx.value::<i64>("n")?;
        let count = n.get()?.unwrap_or(0) + 1;
        n.set(&count)?;
        let total = ctx.value::<i64>("total")?;
        let sum = total.get()?.unwrap_or(0) + e.amount;
        total.set(&sum)?;
        let recent = ctx.list::<i64>("recent")?;
        let mut last = recent.get()?;
        last.push(e.amount);
        if last.len() > 3 {
            last.remove(0);
        }
        recent.set(&last)?;
        let tags = ctx.map::<String, i64>("tags")?;
        let seen = tags.get(&e.tag)?.unwrap_or(0) + 1;
        tags.insert(&e.tag, &seen)?;
        let recent = last.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(",");
        ctx.emit(Running { user: ctx.key().clone(), n: count, total: sum, recent, tag_seen: seen });
        Ok(())
    }
}

#[sabot::pipeline]
fn running(events: Stream<Event>) -> Stream<Running> {
    events.filter(|e| e.amount >= 0).key_by(|e| e.user).process(RunningTotals)
}

/// A user's count, total, last amounts and tag counts.
type UserState = (i64, i64, Vec<i64>, BTreeMap<String, i64>);

fn naive_running(rows: &[Event]) -> Vec<Running> {
    let mut per: BTreeMap<String, UserState> = BTreeMap::new();
    let mut out = Vec::new();
    for e in rows.iter().filter(|e| e.amount >= 0) {
        let s = per.entry(e.user.clone()).or_default();
        s.0 += 1;
        s.1 += e.amount;
        s.2.push(e.amount);
        if s.2.len() > 3 {
            s.2.remove(0);
        }
        let seen = s.3.entry(e.tag.clone()).or_default();
        *seen += 1;
        let recent = s.2.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(",");
        out.push(Running { user: e.user.clone(), n: s.0, total: s.1, recent, tag_seen: *seen });
    }
    out.sort();
    out
}

/// Records per user and tumbling window of `size`, emitted by an event-time timer at the
/// window's end.
#[derive(Record, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct WindowCount {
    user: String,
    end: Timestamp,
    count: i64,
}

struct CountPerWindow {
    size: i64,
}

impl CountPerWindow {
    fn new(size: Duration) -> Self {
        CountPerWindow { size: size.as_nanos() as i64 }
    }
}

impl KeyedProcess for CountPerWindow {
    type Key = String;
    type In = Event;
    type Out = WindowCount;

    fn process(&mut self, e: Event, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        let end = e.ts.0.div_euclid(self.size) * self.size + self.size;
        let counts = ctx.map::<i64, i64>("counts")?;
        counts.insert(&end, &(counts.get(&end)?.unwrap_or(0) + 1))?;
        ctx.register_event_time_timer(Timestamp(end));
        Ok(())
    }

    fn on_timer(&mut self, timer: Timer, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        assert_eq!(timer.domain, TimeDomain::EventTime);
        let watermark = ctx.watermark().expect("timers fire at a watermark");
        assert!(watermark >= timer.time, "a timer fired before the watermark reached it");
        let counts = ctx.map::<i64, i64>("counts")?;
        let count = counts.get(&timer.time.0)?.ok_or("a timer without a count")?;
        counts.remove(&timer.time.0)?;
        ctx.emit(WindowCount { user: ctx.key().clone(), end: timer.time, count });
        Ok(())
    }
}

#[sabot::pipeline]
fn per_window(events: Stream<Event>) -> Stream<WindowCount> {
    events.key_by(|e| e.user).process(CountPerWindow::new(Duration::from_secs(10)))
}

fn naive_windows(rows: &[Event]) -> Vec<WindowCount> {
    let size = 10_000_000_000i64;
    let mut per: BTreeMap<(String, i64), i64> = BTreeMap::new();
    for e in rows {
        *per.entry((e.user.clone(), e.ts.0.div_euclid(size) * size + size)).or_default() += 1;
    }
    let mut out: Vec<WindowCount> = per.into_iter().map(|((user, end), count)| WindowCount { user, end: Timestamp(end), count }).collect();
    out.sort();
    out
}

/// Counts records per user until a processing-time timer a millisecond on emits the count.
#[derive(Record, Debug, Clone, PartialEq)]
struct Flushed {
    user: String,
    count: i64,
}

struct FlushEveryMilli;

impl KeyedProcess for FlushEveryMilli {
    type Key = String;
    type In = Event;
    type Out = Flushed;

    fn process(&mut self, _: Event, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        let n = ctx.value::<i64>("n")?;
        n.set(&(n.get()?.unwrap_or(0) + 1))?;
        let now = ctx.processing_time().0;
        ctx.register_processing_time_timer(Timestamp(now - now % 1_000_000 + 1_000_000));
        Ok(())
    }

    fn on_timer(&mut self, timer: Timer, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        assert_eq!(timer.domain, TimeDomain::ProcessingTime);
        let n = ctx.value::<i64>("n")?;
        if let Some(count) = n.get()? {
            n.clear()?;
            ctx.emit(Flushed { user: ctx.key().clone(), count });
        }
        Ok(())
    }
}

#[sabot::pipeline]
fn flushed(events: Stream<Event>) -> Stream<Flushed> {
    events.key_by(|e| e.user).process(FlushEveryMilli)
}

/// Fails on a negative amount.
struct Picky;

impl KeyedProcess for Picky {
    type Key = String;
    type In = Event;
    type Out = Running;

    fn process(&mut self, e: Event, _: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        if e.amount < 0 {
            return Err(format!("negative amount {}", e.amount).into());
        }
        Ok(())
    }
}

#[sabot::pipeline]
fn picky(events: Stream<Event>) -> Stream<Running> {
    events.key_by(|e| e.user).process(Picky)
}

fn events(raw: Vec<(String, i64, String, i64)>) -> Vec<Event> {
    raw.into_iter()
        .enumerate()
        .map(|(i, (user, amount, tag, jitter))| Event {
            // One user holds about 90% of the rows.
            user: if amount % 10 != 0 { "hot".into() } else { user },
            amount,
            tag,
            // About a second apart, disordered by up to 2 s.
            ts: Timestamp((i as i64 * 1_000 + jitter) * 1_000_000),
        })
        .collect()
}

fn stream(disorder: Duration) -> StreamOptions {
    StreamOptions { out_of_orderness: disorder, ..StreamOptions::default() }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn keyed_state_folds_each_key_in_input_order(
        raw in proptest::collection::vec(("[a-c]", -2i64..40, "[x-z]", 0i64..1), 0..300),
        split in 1usize..40,
        workers in 1usize..4,
    ) {
        let rows = events(raw);
        let mut got: Vec<Running> = Job::new(running).source("events", memory(rows.clone())).batch_rows(split).parallelism(workers).collect().unwrap();
        got.sort();
        prop_assert_eq!(got, naive_running(&rows));
        // One reader keeps input order as a stream too.
        let mut got: Vec<Running> =
            Job::new(running).source("events", memory(rows.clone())).batch_rows(split).parallelism(1).streaming(stream(Duration::ZERO)).collect().unwrap();
        got.sort();
        prop_assert_eq!(got, naive_running(&rows));
    }

    #[test]
    fn event_time_timers_fire_per_key_and_window(
        raw in proptest::collection::vec(("[a-d]", 0i64..40, "[x]", -2000i64..2000), 0..300),
        split in 1usize..40,
        workers in 1usize..3,
    ) {
        let rows = events(raw);
        let want = naive_windows(&rows);
        let mut got: Vec<WindowCount> = Job::new(per_window).source("events", memory(rows.clone())).batch_rows(split).parallelism(workers).collect().unwrap();
        got.sort();
        prop_assert_eq!(&got, &want);
        // Disorder within the allowed 2 s: every record is counted before its window's timer fires.
        let mut got: Vec<WindowCount> = Job::new(per_window)
            .source("events", memory(rows.clone()))
            .batch_rows(split)
            .parallelism(workers)
            .streaming(stream(Duration::from_millis(2000)))
            .collect()
            .unwrap();
        got.sort();
        prop_assert_eq!(&got, &want);
    }
}

fn sample(n: usize) -> Vec<Event> {
    events((0..n).map(|i| (format!("u{}", i % 7), (i % 37) as i64, format!("t{}", i % 3), 0)).collect())
}

#[test]
fn timers_fire_before_the_end_of_a_stream() {
    // Windows of 10 s over 2 000 s of events: most timers fire at watermarks during the run,
    // and the results still equal the naive count.
    let rows = sample(2_000);
    let summary_rows: Vec<WindowCount> = Job::new(per_window)
        .source("events", memory(rows.clone()))
        .batch_rows(50)
        .parallelism(1)
        .streaming(stream(Duration::ZERO))
        .collect()
        .unwrap();
    let mut got = summary_rows;
    got.sort();
    assert_eq!(got, naive_windows(&rows));
}

#[test]
fn processing_time_timers_lose_nothing() {
    let rows = sample(20_000);
    for streaming in [false, true] {
        let mut job = Job::new(flushed).source("events", memory(rows.clone())).batch_rows(100).parallelism(2);
        if streaming {
            job = job.streaming(stream(Duration::ZERO));
        }
        let got: Vec<Flushed> = job.collect().unwrap();
        let mut per: BTreeMap<String, i64> = BTreeMap::new();
        for f in &got {
            assert!(f.count > 0);
            *per.entry(f.user.clone()).or_default() += f.count;
        }
        let mut want: BTreeMap<String, i64> = BTreeMap::new();
        for e in &rows {
            *want.entry(e.user.clone()).or_default() += 1;
        }
        assert_eq!(per, want, "streaming: {streaming}");
    }
}

#[test]
fn a_failing_function_names_itself_and_the_key() {
    let mut rows = sample(100);
    rows[42].amount = -5;
    let err = Job::new(picky).source("events", memory(rows.clone())).collect::<Running>().unwrap_err().to_string();
    assert!(err.contains("`Picky`") && err.contains(&format!("{:?}", rows[42].user)) && err.contains("negative amount -5"), "{err}");
}

/// `rows` records, twice on one backend. Each Tonbo write is a commit of its own (about 8 ms
/// on the CI machine), so its run is kept small.
fn on_backend(spec: &str, rows: usize) {
    let dir = tempfile::tempdir().unwrap();
    let spec: sabot::state::StateSpec = spec.replace("DIR", &dir.path().display().to_string()).parse().unwrap();
    let backend = sabot::state::open(&spec).unwrap();
    let rows = sample(rows);
    let want = naive_running(&rows);
    // Twice on one backend: each run starts from empty state.
    for _ in 0..2 {
        let mut got: Vec<Running> = Job::new(running)
            .source("events", memory(rows.clone()))
            .batch_rows(256)
            .parallelism(2)
            .state(backend.clone())
            .collect()
            .unwrap();
        got.sort();
        assert_eq!(got, want, "{spec}");
    }
}

#[test]
fn keyed_state_on_memory() {
    on_backend("memory", 3_000);
}

#[test]
fn keyed_state_on_rocksdb() {
    on_backend("rocksdb:DIR", 3_000);
}

#[test]
fn keyed_state_on_tonbo() {
    on_backend("tonbo:DIR", 120);
}

/// Counts each key's records at one event time; a timer at that time emits the count.
struct CountAtTime;

impl KeyedProcess for CountAtTime {
    type Key = String;
    type In = Event;
    type Out = WindowCount;

    fn process(&mut self, e: Event, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        let counts = ctx.map::<i64, i64>("counts")?;
        counts.insert(&e.ts.0, &(counts.get(&e.ts.0)?.unwrap_or(0) + 1))?;
        ctx.register_event_time_timer(e.ts);
        Ok(())
    }

    fn on_timer(&mut self, timer: Timer, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        let counts = ctx.map::<i64, i64>("counts")?;
        let count = counts.get(&timer.time.0)?.unwrap_or(0);
        counts.remove(&timer.time.0)?;
        ctx.emit(WindowCount { user: ctx.key().clone(), end: timer.time, count });
        // A timer that re-arms itself, in both clocks: the end of input must still end.
        ctx.register_event_time_timer(Timestamp(timer.time.0 + 1_000_000_000));
        let now = ctx.processing_time();
        ctx.register_processing_time_timer(Timestamp(now.0 + 10_000_000_000));
        Ok(())
    }
}

#[sabot::pipeline]
fn count_at_time(events: Stream<Event>) -> Stream<WindowCount> {
    events.key_by(|e| e.user).process(CountAtTime)
}

#[test]
fn rows_at_the_watermark_are_counted_before_its_timers_fire_and_rearming_timers_end() {
    // Two rows at the same time in two morsels, then a later one: with no allowed disorder the
    // watermark reaches 10 s after the first morsel, and the second row is still on time.
    let at = |s: i64| Event { user: "u".into(), amount: 1, tag: "t".into(), ts: Timestamp(s * 1_000_000_000) };
    let rows = vec![at(10), at(10), at(20)];
    let want = vec![
        WindowCount { user: "u".into(), end: Timestamp(10_000_000_000), count: 2 },
        WindowCount { user: "u".into(), end: Timestamp(20_000_000_000), count: 1 },
    ];
    for streaming in [false, true] {
        let job = Job::new(count_at_time).source("events", memory(Event::to_batches(&rows, 1))).parallelism(1);
        let job = if streaming { job.streaming(stream(Duration::ZERO)) } else { job };
        let mut got: Vec<WindowCount> = job.collect().unwrap();
        got.sort();
        // The re-armed timers of the first firing (11 s, 21 s) fire too; those of the last
        // firings are dropped at the end of input.
        got.retain(|c| c.count > 0);
        assert_eq!(got, want, "streaming: {streaming}");
    }
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Account {
    user: String,
    credit: i64,
}

#[sabot::pipeline]
fn after_join(events: Stream<Event>, accounts: Stream<Account>) -> Stream<Running> {
    events
        .join(
            accounts,
            |e| e.user,
            |a| a.user,
            |e, _a| Event { user: e.user.to_string(), amount: e.amount, tag: e.tag.to_string(), ts: e.ts },
        )
        .key_by(|e| e.user)
        .process(RunningTotals)
}

#[test]
fn a_process_function_after_a_spilled_join_is_refused() {
    let rows = sample(5_000);
    let accounts: Vec<Account> = (0..2_000).map(|i| Account { user: format!("u{}", i % 7), credit: i }).collect();
    let err = Job::new(after_join)
        .source("events", memory(Event::to_batches(&rows, 500)))
        .source("accounts", memory(Account::to_batches(&accounts, 100)))
        .parallelism(2)
        .memory_limit(1 << 10)
        .collect::<Running>()
        .unwrap_err()
        .to_string();
    assert!(err.contains("raise --memory-limit"), "{err}");
}
