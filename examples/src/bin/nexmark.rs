//! Nexmark queries as job binaries: `nexmark q7 run --source bids=nexmark:bids:10000000 --stream`
//! (`q0` to `q5`, `q7`, `q8`, `q11` to `q14`, `q17` to `q20`; everything after the query name is the job CLI). Each reads
//! a `bids` source (q3, q8: `persons` and `auctions`; q4, q20: `bids` and `auctions`): the generator (`nexmark:bids:EVENTS`) or files
//! written by `nexmark_gen`.

#[global_allocator]
static ALLOC: sabot::Allocator = sabot::Allocator;

use sabot_examples::nexmark::{q0, q1, q2, q3, q4, q5, q7, q8, q11, q13, q14, q17, q18, q20};
use sabot_examples::nexmark_keyed::{q12, q19};

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().collect();
    let query = if args.len() > 1 { args.remove(1) } else { String::new() };
    // The job CLI reads the process arguments; it sees them without the query name.
    match query.as_str() {
        "q0" => Ok(sabot::main_with_args(q0, args)?),
        "q1" => Ok(sabot::main_with_args(q1, args)?),
        "q2" => Ok(sabot::main_with_args(q2, args)?),
        "q3" => Ok(sabot::main_with_args(q3, args)?),
        "q4" => Ok(sabot::main_with_args(q4, args)?),
        "q5" => Ok(sabot::main_with_args(q5, args)?),
        "q7" => Ok(sabot::main_with_args(q7, args)?),
        "q8" => Ok(sabot::main_with_args(q8, args)?),
        "q11" => Ok(sabot::main_with_args(q11, args)?),
        "q12" => Ok(sabot::main_with_args(q12, args)?),
        "q13" => Ok(sabot::main_with_args(q13, args)?),
        "q14" => Ok(sabot::main_with_args(q14, args)?),
        "q17" => Ok(sabot::main_with_args(q17, args)?),
        "q18" => Ok(sabot::main_with_args(q18, args)?),
        "q19" => Ok(sabot::main_with_args(q19, args)?),
        "q20" => Ok(sabot::main_with_args(q20, args)?),
        other => {
            anyhow::bail!(
                "usage: nexmark q0|q1|q2|q3|q4|q5|q7|q8|q11|q12|q13|q14|q17|q18|q19|q20 run --source bids=nexmark:bids:EVENTS [--stream] ... (got `{other}`)"
            )
        }
    }
}
