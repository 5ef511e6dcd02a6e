//! Field-usage analysis: which fields of each node's output are used downstream.
//!
//! Pre: nodes in topological order. Post: `node.live` holds, for every node, the fields its
//! consumers need (sinks need every field; a filter needs what it reads plus what its own
//! consumers need; a map needs what its closure reads).

use crate::plan::{FieldSet, Op, Plan};

/// Sets `live` on every node, walking from sinks back to sources.
pub fn run(plan: &mut Plan) {
    liveness(plan);
}

/// Recomputes `live` for every node, honouring dead output fields marked on maps.
pub fn liveness(plan: &mut Plan) {
    for id in (0..plan.nodes.len()).rev() {
        let mut live = FieldSet::none();
        let mut consumed = false;
        for c in plan.consumers(id) {
            consumed = true;
            let node = &plan.nodes[c];
            let need = match &node.op {
                Op::Sink { .. } => FieldSet::All,
                Op::Filter(cl) => cl.reads.union(&node.live),
                Op::Map(cl) | Op::FlatMap(cl) => {
                    if cl.dead.is_empty() {
                        cl.reads.clone()
                    } else {
                        cl.reads_for(&node.live)
                    }
                }
                Op::Union => node.live.clone(),
                Op::Aggregate(a) => a.reads(),
                // A join reads its keys and what the pair closure reads of each side; stored
                // rows keep only those fields (the others are never decoded).
                Op::Join(j) => j.reads(usize::from(node.inputs[0] != id), &node.live),
                // Sorting, reducing and process functions keep and see whole records.
                Op::Sort { .. } | Op::Reduce { .. } | Op::Process { .. } => FieldSet::All,
                Op::Source { .. } => FieldSet::none(),
            };
            live.extend(&need);
        }
        if !consumed && matches!(plan.nodes[id].op, Op::Sink { .. }) {
            live = FieldSet::All;
        }
        plan.nodes[id].live = live;
    }
}

#[cfg(test)]
mod tests {
    use crate::pass::test_plans::filter_map;
    use crate::plan::FieldSet;

    #[test]
    fn source_needs_only_what_closures_read() {
        let mut plan = filter_map();
        super::run(&mut plan);
        assert_eq!(plan.nodes[0].live, FieldSet::of(["auction", "price"]));
        insta::assert_snapshot!(plan.to_string());
    }
}
