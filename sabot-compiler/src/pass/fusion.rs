//! Fusion: consecutive stateless operators run as one stage, one stage per source.
//!
//! Pre: every operator is stateless (the only kind so far). Post: `plan.stages` has one stage
//! per source node holding every node reachable from it, in topological order; code after a
//! `union` is in the stage of each of its inputs, so no rows cross threads between operators.

use crate::plan::{Op, Plan, Stage};
use std::collections::BTreeSet;

/// Groups nodes into stages.
pub fn run(plan: &mut Plan) {
    let mut stages = Vec::new();
    for source in plan.sources() {
        let mut reach = BTreeSet::from([source]);
        // Topological order means a single forward sweep finds everything downstream.
        for id in source + 1..plan.nodes.len() {
            if plan.nodes[id].op.is_stateless() && plan.nodes[id].inputs.iter().any(|i| reach.contains(i)) {
                reach.insert(id);
            }
        }
        let sinks = reach
            .iter()
            .filter_map(|&n| match plan.nodes[n].op {
                Op::Sink { index, .. } => Some(index),
                _ => None,
            })
            .collect();
        stages.push(Stage { source, nodes: reach.into_iter().collect(), sinks });
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
