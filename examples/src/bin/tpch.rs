//! TPC-H queries as job binaries: `tpch q1 run --source lineitem=parquet:tpch/lineitem.parquet`
//! (`q1`, `q3` or `q6`; everything after the query name is the job CLI; Q3 also reads
//! `customer` and `orders`).

#[global_allocator]
static ALLOC: sabot::Allocator = sabot::Allocator;

use sabot_examples::tpch::{q1, q3, q6};

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().collect();
    let query = if args.len() > 1 { args.remove(1) } else { String::new() };
    // The job CLI reads the process arguments; it sees them without the query name.
    let rest: Vec<String> = args;
    match query.as_str() {
        "q1" => Ok(sabot::main_with_args(q1, rest)?),
        "q3" => Ok(sabot::main_with_args(q3, rest)?),
        "q6" => Ok(sabot::main_with_args(q6, rest)?),
        other => anyhow::bail!("usage: tpch q1|q3|q6 run --source lineitem=parquet:PATH (got `{other}`)"),
    }
}
