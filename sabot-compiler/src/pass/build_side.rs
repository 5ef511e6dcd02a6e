//! Build-side choice: a hash join builds its table from the side written second and streams
//! the other. For an inner join whose two sides each read one source through stateless
//! operators only, the code generator also compiles the plan with the sides swapped, and the
//! runtime runs that variant when the sources' statistics (Parquet footers, in-memory batches)
//! say the written build side has more rows. Other joins keep the written order.
//!
//! Pre: the parsed plan (before field usage and fusion). Post: `swapped` returns a copy whose
//! join has its inputs, key closures and pair-closure reads exchanged and `swapped` set.

use crate::plan::{JoinKind, NodeId, Op, Plan};

/// A join whose sides can be exchanged, and the source parameters feeding its written sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swap {
    /// The join node.
    pub join: NodeId,
    /// Index (in parameter order) of the source feeding the written probe side.
    pub probe_source: usize,
    /// Index of the source feeding the written build side.
    pub build_source: usize,
}

/// The first join of `plan` whose sides can be swapped.
pub fn swappable(plan: &Plan) -> Option<Swap> {
    plan.nodes.iter().enumerate().find_map(|(id, node)| {
        let Op::Join(j) = &node.op else { return None };
        let plain_inner = j.kind == JoinKind::Inner && j.body.is_some() && j.window.is_none() && j.interval.is_none() && !j.asof;
        if !plain_inner || node.inputs.len() != 2 {
            return None;
        }
        let probe_source = source_through_stateless(plan, node.inputs[0])?;
        let build_source = source_through_stateless(plan, node.inputs[1])?;
        (probe_source != build_source).then_some(Swap { join: id, probe_source, build_source })
    })
}

/// The source parameter `node` reads through filters and maps only, each feeding nothing else.
fn source_through_stateless(plan: &Plan, mut node: NodeId) -> Option<usize> {
    loop {
        if plan.consumers(node).len() != 1 {
            return None;
        }
        match &plan.nodes[node].op {
            Op::Source { index, .. } => return Some(*index),
            Op::Filter(_) | Op::Map(_) if plan.nodes[node].inputs.len() == 1 => node = plan.nodes[node].inputs[0],
            _ => return None,
        }
    }
}

/// A copy of `plan` with the sides of `swap.join` exchanged.
pub fn swapped(plan: &Plan, swap: Swap) -> Plan {
    let mut plan = plan.clone();
    let node = &mut plan.nodes[swap.join];
    node.inputs.swap(0, 1);
    if let Op::Join(j) = &mut node.op {
        std::mem::swap(&mut j.probe_key, &mut j.build_key);
        j.pair_reads = (j.pair_reads.1.clone(), j.pair_reads.0.clone());
        j.swapped = !j.swapped;
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pass::test_plans::{join_two_sources, with_join_kind};

    #[test]
    fn an_inner_join_of_two_source_chains_can_be_swapped() {
        let plan = join_two_sources();
        let swap = swappable(&plan).expect("swappable");
        assert_eq!((swap.probe_source, swap.build_source), (0, 1));
        let swapped = swapped(&plan, swap);
        let Op::Join(j) = &swapped.nodes[swap.join].op else { panic!("a join") };
        assert!(j.swapped);
        assert_eq!((j.probe_key.text.as_str(), j.build_key.text.as_str()), ("|b| b.k", "|s| s.k"));
        assert_eq!(swapped.nodes[swap.join].inputs, vec![plan.nodes[swap.join].inputs[1], plan.nodes[swap.join].inputs[0]]);
        insta::assert_snapshot!(swapped.to_string());
    }

    #[test]
    fn other_joins_keep_their_sides() {
        for kind in [JoinKind::Semi, JoinKind::Anti, JoinKind::Left, JoinKind::Right, JoinKind::Full] {
            assert_eq!(swappable(&with_join_kind(join_two_sources(), kind)), None, "{kind:?}");
        }
        // A side that is not a plain source chain (here: the source also feeds a sink).
        let mut shared = join_two_sources();
        let source = shared.sources()[1];
        shared.add(Op::Sink { index: 1, name: "raw".into(), record: "B".into() }, vec![source]);
        assert_eq!(swappable(&shared), None);
    }
}
