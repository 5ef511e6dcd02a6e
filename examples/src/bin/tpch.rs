//! TPC-H queries as job binaries: `tpch q1 run --source lineitem=parquet:tpch/lineitem.parquet`
//! (`q1`, `q3`, `q5`, `q6`, `q10` or `q18`; everything after the query name is the job CLI).
//! Each query reads a `--source` per table it names: `lineitem` (all), `orders` and `customer`
//! (Q3, Q5, Q10, Q18), `nation` (Q5, Q10), `supplier` and `region` (Q5).

#[global_allocator]
static ALLOC: sabot::Allocator = sabot::Allocator;

use sabot_examples::tpch::{q1, q3, q5, q6, q10, q18};

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().collect();
    let query = if args.len() > 1 { args.remove(1) } else { String::new() };
    // The job CLI reads the process arguments; it sees them without the query name.
    let rest: Vec<String> = args;
    match query.as_str() {
        "q1" => Ok(sabot::main_with_args(q1, rest)?),
        "q3" => Ok(sabot::main_with_args(q3, rest)?),
        "q5" => Ok(sabot::main_with_args(q5, rest)?),
        "q6" => Ok(sabot::main_with_args(q6, rest)?),
        "q10" => Ok(sabot::main_with_args(q10, rest)?),
        "q18" => Ok(sabot::main_with_args(q18, rest)?),
        other => anyhow::bail!(
            "usage: tpch q1|q3|q5|q6|q10|q18 run --source TABLE=parquet:PATH ... \
             (lineitem; orders, customer for q3|q5|q10|q18; nation for q5|q10; supplier, region for q5) (got `{other}`)"
        ),
    }
}
