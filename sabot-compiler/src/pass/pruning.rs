//! Row-group pruning: the `&&` terms of a filter right after a source that compare a field
//! with a row-independent value (`l.l_shipdate >= FROM`) become the source's bounds. Parquet
//! sources skip row groups whose min/max statistics rule a bound out; the filter still runs on
//! the rows read, so pruning only ever skips rows the filter would drop.
//!
//! Pre: field usage ran. Post: `Op::Source::prune` holds the bounds of the source's only
//! consumer when that is a filter (with several consumers, a row group is needed if any of
//! them needs it, so nothing is pruned).

use crate::plan::{Op, Plan};

/// Sets each source's bounds from the filter that alone reads it.
pub fn run(plan: &mut Plan) {
    for id in 0..plan.nodes.len() {
        if !matches!(plan.nodes[id].op, Op::Source { .. }) {
            continue;
        }
        let bounds = match plan.consumers(id).as_slice() {
            [only] => match &plan.nodes[*only].op {
                Op::Filter(c) => c.bounds.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        if let Op::Source { prune, .. } = &mut plan.nodes[id].op {
            *prune = bounds;
        }
    }
}
