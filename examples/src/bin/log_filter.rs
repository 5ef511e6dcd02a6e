//! Job CLI for the log-filter example:
//! `log_filter run --source logs=csv:logs.csv --sink out=parquet:incidents/`.
//! `log_filter generate FILE [ROWS]` writes sample logs.

#[global_allocator]
static ALLOC: sabot::Allocator = sabot::Allocator;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("generate") {
        let path = args.get(2).ok_or_else(|| anyhow::anyhow!("usage: log_filter generate FILE [ROWS]"))?;
        let rows = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(100_000);
        std::fs::write(path, sabot_examples::log_filter::generate_csv(rows))?;
        return Ok(());
    }
    Ok(sabot::main(sabot_examples::log_filter::incidents)?)
}
