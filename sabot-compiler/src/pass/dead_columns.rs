//! Dead-column elimination: map outputs that nothing downstream reads are not computed.
//!
//! Pre: field-usage ran. Post: for each `map` whose body is a struct literal, output fields
//! outside the map's `live` set are listed in `closure.dead` (codegen fills them with
//! `Default::default()` instead of evaluating their expressions), and `live` is recomputed
//! so the inputs those expressions read are no longer needed upstream.

use crate::plan::{FieldSet, Op, Plan};

/// Marks dead map outputs and recomputes liveness.
pub fn run(plan: &mut Plan) {
    for node in &mut plan.nodes {
        let live = node.live.clone();
        // A window downstream reads the event-time field, whose name only the record knows.
        if let (Op::Map(c), FieldSet::Some(live)) = (&mut node.op, &live)
            && let Some(lit) = &c.literal
            && !live.contains(crate::plan::EVENT_TIME)
        {
            c.dead = lit.fields.iter().filter(|(name, _)| !live.contains(name)).map(|(name, _)| name.clone()).collect();
        }
    }
    super::liveness(plan);
}

#[cfg(test)]
mod tests {
    use crate::pass::test_plans::map_filter_map;
    use crate::plan::{FieldSet, Op};

    #[test]
    fn unused_map_outputs_stop_their_inputs_being_read() {
        let mut plan = map_filter_map();
        super::super::field_usage::run(&mut plan);
        assert_eq!(plan.nodes[0].live, FieldSet::of(["a", "b", "c"]));
        super::run(&mut plan);
        let Op::Map(c) = &plan.nodes[1].op else { panic!("n1 is the first map") };
        assert_eq!(c.dead, vec!["y".to_string()]);
        assert_eq!(plan.nodes[0].live, FieldSet::of(["a"]));
        insta::assert_snapshot!(plan.to_string());
    }
}
