//! Projection pushdown: each source decodes only the columns its stage reads.
//!
//! Pre: field-usage (and dead-columns) ran. Post: `Op::Source::columns` is the source node's
//! `live` set, which codegen turns into the field mask handed to the reader.

use crate::plan::{Op, Plan};

/// Copies each source's live fields into its column list.
pub fn run(plan: &mut Plan) {
    for node in &mut plan.nodes {
        let live = node.live.clone();
        if let Op::Source { columns, .. } = &mut node.op {
            *columns = Some(live);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pass::test_plans::filter_map;

    #[test]
    fn source_decodes_two_columns() {
        let mut plan = filter_map();
        crate::pass::run_all(&mut plan);
        insta::assert_snapshot!(plan.to_string());
    }
}
