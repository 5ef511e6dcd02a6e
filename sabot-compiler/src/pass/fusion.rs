//! Fusion: consecutive stateless operators run as one stage.
//!
//! Pre: nodes in topological order. Post: `plan.stages` has one stage per source and one per
//! aggregation, in topological order. A stage holds every node reachable from its root without
//! passing an aggregation; an aggregation it reaches ends it (`breaker`) and roots the stage
//! that reads its groups. Code after a `union` is in the stage of each of its inputs, so no
//! rows cross threads between stateless operators.

use crate::plan::{NodeId, Op, Plan, Stage};
use std::collections::BTreeSet;

/// Groups nodes into stages.
pub fn run(plan: &mut Plan) {
    let mut stages = Vec::new();
    let aggregates = (0..plan.nodes.len()).filter(|&n| !plan.nodes[n].op.is_stateless());
    let mut roots: Vec<NodeId> = plan.sources().into_iter().chain(aggregates).collect();
    roots.sort_unstable();
    for source in roots {
        let mut reach = BTreeSet::from([source]);
        // Topological order means a single forward sweep finds everything downstream; rows
        // do not flow through an aggregation other than the root.
        for id in source + 1..plan.nodes.len() {
            let fed = plan.nodes[id].inputs.iter().any(|&i| reach.contains(&i) && (i == source || plan.nodes[i].op.is_stateless()));
            if fed {
                reach.insert(id);
            }
        }
        let breaker = reach.iter().copied().find(|&n| n != source && !plan.nodes[n].op.is_stateless());
        let sinks = reach
            .iter()
            .filter_map(|&n| match plan.nodes[n].op {
                Op::Sink { index, .. } => Some(index),
                _ => None,
            })
            .collect();
        stages.push(Stage { source, breaker, nodes: reach.into_iter().collect(), sinks });
    }
    plan.stages = stages;
}

#[cfg(test)]
mod tests {
    use crate::pass::test_plans::union_two_sources;

    #[test]
    fn union_is_fused_into_each_input_stage() {
        let mut plan = union_two_sources();
        super::run(&mut plan);
        assert_eq!(plan.stages.len(), 2);
        insta::assert_snapshot!(plan.stages_text());
    }
}
