//! Job CLI for the TPC-H Q6 filter+map example:
//! `tpch_filter run --source lineitem=parquet:tpch/lineitem.parquet --sink out=stdout`.

#[global_allocator]
static ALLOC: sabot::Allocator = sabot::Allocator;

fn main() -> sabot::Result<()> {
    sabot::main(sabot_examples::tpch_filter::q6_lines)
}
