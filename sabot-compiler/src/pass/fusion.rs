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
        // `through`: nodes whose rows flow on in this stage; `reach`: every node it runs.
        let mut through = BTreeSet::from([source]);
        let mut reach = BTreeSet::from([source]);
        let mut breakers: Vec<NodeId> = Vec::new();
        // Topological order means a single forward sweep finds everything downstream.
        for id in source + 1..plan.nodes.len() {
            let node = &plan.nodes[id];
            let is_join = matches!(node.op, Op::Join(_));
            // A join streams its probe side (input 0) and collects its build side (input 1).
            let probe_fed = node.inputs.iter().enumerate().any(|(pos, i)| through.contains(i) && !(is_join && pos == 1));
            let build_fed = is_join && node.inputs.get(1).is_some_and(|i| through.contains(i));
            if probe_fed {
                reach.insert(id);
                if node.op.is_stateless() {
                    through.insert(id);
                } else {
                    breakers.push(id);
                }
            }
            if build_fed {
                // Fed from both sides by this stage: a stream joined with itself.
                reach.insert(id);
                breakers.push(id);
            }
        }
        let sinks = reach
            .iter()
            .filter_map(|&n| match plan.nodes[n].op {
                Op::Sink { index, .. } => Some(index),
                _ => None,
            })
            .collect();
        let breaker = breakers.first().copied();
        let extra = breakers.iter().skip(1).copied().chain(breaker.filter(|b| through.contains(b))).collect();
        stages.push(Stage { source, breaker, extra, nodes: reach.into_iter().collect(), sinks });
    }
    plan.stages = in_dependency_order(plan, stages);
}

/// Orders stages so each runs after the stages it reads: the one whose aggregation or sort
/// produced its input, and the build stages of the joins it probes. Ties keep root order.
fn in_dependency_order(plan: &Plan, stages: Vec<Stage>) -> Vec<Stage> {
    let needs = |s: &Stage| -> Vec<NodeId> {
        let mut v: Vec<NodeId> =
            s.nodes.iter().copied().filter(|&n| matches!(plan.nodes[n].op, Op::Join(_)) && s.breaker != Some(n)).collect();
        if !matches!(plan.nodes[s.source].op, Op::Source { .. }) {
            v.push(s.source);
        }
        v
    };
    // A windowed join is built by the stages of both its inputs: it is ready once all are done.
    let builders = |n: NodeId, of: &[Stage]| of.iter().filter(|s| s.breaker == Some(n)).count();
    let total: Vec<usize> = (0..plan.nodes.len()).map(|n| builders(n, &stages)).collect();
    let mut pending = stages;
    let mut done: Vec<Stage> = Vec::new();
    while !pending.is_empty() {
        let built: BTreeSet<NodeId> = (0..plan.nodes.len()).filter(|&n| total[n] > 0 && builders(n, &done) == total[n]).collect();
        let next = pending.iter().position(|s| needs(s).iter().all(|n| built.contains(n))).unwrap_or(0);
        done.push(pending.remove(next));
    }
    done
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
