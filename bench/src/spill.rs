//! `bench spill`: a group-by with many distinct keys (10M by default) from Parquet under a
//! memory limit, on each state backend, each run in a child process so its peak RSS is its own.
//! Every run's output is checked against the known answer after its RSS is read.

use anyhow::{Context, bail};
use arrow::array::{Int64Array, RecordBatch, UInt64Array};
use sabot::prelude::*;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

/// One input row: every user appears exactly twice.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Event {
    /// The grouping key.
    pub user: u64,
    /// Summed per user.
    pub amount: i64,
}

/// One output row per user.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct PerUser {
    /// The key.
    pub user: u64,
    /// Rows of the user (2).
    pub n: u64,
    /// Sum of the user's amounts.
    pub total: i64,
}

/// The join's build side: one account per even user.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Account {
    /// The join key.
    pub id: u64,
    /// Carried to the output.
    pub credit: i64,
}

/// One output row per event.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Charge {
    /// The event's user.
    pub user: u64,
    /// The event's amount.
    pub amount: i64,
    /// The account's credit, when the user has one.
    pub credit: Option<i64>,
}

#[sabot::pipeline]
fn charges(events: Stream<Event>, accounts: Stream<Account>) -> Stream<Charge> {
    events.left_join(accounts, |e| e.user, |a| a.id, |e, a| Charge { user: e.user, amount: e.amount, credit: a.map(|a| a.credit) })
}

#[sabot::pipeline]
fn per_user(events: Stream<Event>) -> Stream<PerUser> {
    events.group_by(|e| e.user).aggregate(|user, e| PerUser { user, n: count(), total: sum(e.amount) })
}

/// The i-th input row: a full-period permutation of users, so a user's two rows are far apart.
fn event(i: u64, keys: u64) -> (u64, i64) {
    ((i.wrapping_mul(7_919)) % keys, (i % 1000) as i64 - 250)
}

/// Parent: generates the input once, then runs each backend in a child and prints the table.
pub fn run(keys: u64, join_keys: u64, limit: &str, states: &[String], data: &str, threads: usize) -> anyhow::Result<()> {
    if keys.is_multiple_of(7_919) || join_keys.is_multiple_of(7_919) {
        bail!("--keys and --join-keys must not be multiples of 7919");
    }
    std::fs::create_dir_all(data)?;
    let events = |keys: u64| -> anyhow::Result<std::path::PathBuf> {
        let path = Path::new(data).join(format!("events-{keys}.parquet"));
        if !path.exists() {
            generate(&path, keys)?;
        }
        Ok(path)
    };
    let accounts = Path::new(data).join(format!("accounts-{join_keys}.parquet"));
    if !accounts.exists() {
        generate_accounts(&accounts, join_keys)?;
    }
    let inputs = [("group-by", keys, events(keys)?), ("join", join_keys, events(join_keys)?)];
    let exe = std::env::current_exe()?;
    println!("{:<10} {:<32} {:>10} {:>9} {:>8} {:>14} {:>13}", "query", "state", "limit", "seconds", "spills", "peak RSS MiB", "answer");
    for ((query, keys, input), state) in inputs.iter().flat_map(|q| states.iter().map(move |s| (q, s))) {
        let mut cmd = Command::new(&exe);
        cmd.args(["spill-child", "--query", query, "--keys", &keys.to_string(), "--input"]).arg(input).arg("--accounts").arg(&accounts);
        cmd.args(["--state", state, "--threads", &threads.to_string(), "--out"]).arg(Path::new(data).join("out.parquet"));
        let limit_shown = if state == "memory" { "none".to_string() } else { limit.to_string() };
        if state != "memory" {
            cmd.args(["--limit", limit]);
        }
        let out = cmd.output().context("running the child")?;
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            println!("{query:<10} {state:<32} {limit_shown:>10} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
            continue;
        }
        println!("{query:<10} {state:<32} {limit_shown:>10} {}", text.trim());
    }
    println!(
        "group-by: {} rows, {keys} distinct keys; join: {} probe rows against {} build rows; {threads} threads",
        2 * keys,
        2 * join_keys,
        join_keys / 2
    );
    Ok(())
}

fn generate_accounts(path: &Path, keys: u64) -> anyhow::Result<()> {
    let rows: Vec<Account> = (0..keys / 2).map(|i| Account { id: 2 * i, credit: i as i64 }).collect();
    let tmp = path.with_extension("tmp");
    let mut w = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&tmp)?, Account::schema(), None)?;
    for batch in Account::to_batches(&rows, 1 << 20) {
        w.write(&batch)?;
    }
    w.close()?;
    std::fs::rename(tmp, path)?;
    Ok(())
}

fn generate(path: &Path, keys: u64) -> anyhow::Result<()> {
    let schema = Event::schema();
    let tmp = path.with_extension("tmp");
    let mut w = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&tmp)?, schema.clone(), None)?;
    let step = 1u64 << 20;
    let mut i = 0;
    while i < 2 * keys {
        let end = (i + step).min(2 * keys);
        let (users, amounts): (Vec<u64>, Vec<i64>) = (i..end).map(|i| event(i, keys)).unzip();
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(UInt64Array::from(users)), Arc::new(Int64Array::from(amounts))])?;
        w.write(&batch)?;
        i = end;
    }
    w.close()?;
    std::fs::rename(tmp, path)?;
    Ok(())
}

/// Child: one run; prints seconds, spills, peak RSS and whether the answer is right.
#[allow(clippy::too_many_arguments)]
pub fn child(
    query: &str,
    keys: u64,
    input: &str,
    accounts: &str,
    out: &str,
    state: &str,
    limit: Option<usize>,
    threads: usize,
) -> anyhow::Result<()> {
    let spec: sabot::state::StateSpec = state.parse()?;
    let dir = match &spec {
        sabot::state::StateSpec::RocksDb(d) | sabot::state::StateSpec::Tonbo(d) => Some(d.clone()),
        sabot::state::StateSpec::Memory => None,
    };
    if let Some(d) = &dir {
        let _ = std::fs::remove_dir_all(d);
    }
    let mut job = match query {
        "join" => Job::new(charges).source("accounts", sabot::source::parquet(accounts)),
        _ => Job::new(per_user),
    };
    job = job
        .source("events", sabot::source::parquet(input))
        .sink("out", sabot::sink::parquet(out))
        .parallelism(threads)
        .state(sabot::state::open(&spec)?);
    if let Some(l) = limit {
        job = job.memory_limit(l);
    }
    let summary = job.run()?;
    let rss = peak_rss_mib()?;
    let ok = if query == "join" { check_join(out, keys)? } else { check(out, keys)? };
    print!("{:>9.2} {:>8} {:>14.0} {:>13}", summary.elapsed.as_secs_f64(), summary.spills.0, rss, if ok { "correct" } else { "WRONG" });
    if let Some(d) = &dir {
        let _ = std::fs::remove_dir_all(d);
    }
    Ok(())
}

/// Whether the output holds every user once with its two rows' sum.
fn check(out: &str, keys: u64) -> anyhow::Result<bool> {
    let mut expected = vec![0i64; keys as usize];
    for i in 0..2 * keys {
        let (u, a) = event(i, keys);
        expected[u as usize] += a;
    }
    let mut seen = vec![false; keys as usize];
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(out)?)?.build()?;
    for batch in reader {
        for row in PerUser::from_batch(&batch?)? {
            let u = row.user as usize;
            if u >= seen.len() || seen[u] || row.n != 2 || row.total != expected[u] {
                return Ok(false);
            }
            seen[u] = true;
        }
    }
    Ok(seen.iter().all(|&s| s))
}

/// Whether the join output holds every event once, with the credit of even users' accounts.
fn check_join(out: &str, keys: u64) -> anyhow::Result<bool> {
    let mut seen = vec![0u8; keys as usize];
    let mut rows = 0u64;
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(out)?)?.build()?;
    for batch in reader {
        for c in Charge::from_batch(&batch?)? {
            let u = c.user as usize;
            // Accounts are the even users below `keys / 2 * 2` (with an odd `keys`, the last
            // even user has none).
            let want = (c.user % 2 == 0 && c.user / 2 < keys / 2).then_some((c.user / 2) as i64);
            if u >= seen.len() || c.credit != want {
                return Ok(false);
            }
            seen[u] += 1;
            rows += 1;
        }
    }
    Ok(rows == 2 * keys && seen.iter().all(|&n| n == 2))
}

/// The process's peak resident set (VmHWM), in MiB.
fn peak_rss_mib() -> anyhow::Result<f64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).context("no VmHWM in /proc/self/status")?;
    let kb: f64 = line.split_whitespace().nth(1).context("VmHWM without a value")?.parse()?;
    Ok(kb / 1024.0)
}
