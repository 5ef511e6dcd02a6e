//! Optimisation passes, one per file, run in `PASSES` order. Each states its pre- and
//! postconditions; `run_all` records the plan after each pass for `explain --passes`.

pub mod build_side;
mod dead_columns;
mod field_usage;
mod fusion;
mod projection;
mod pruning;

use crate::plan::Plan;

/// A named plan rewrite.
#[derive(Debug, Clone, Copy)]
pub struct Pass {
    /// Name shown by `explain --passes`.
    pub name: &'static str,
    /// The rewrite.
    pub run: fn(&mut Plan),
}

/// The passes in the order they run.
pub const PASSES: &[Pass] = &[
    Pass { name: "field-usage", run: field_usage::run },
    Pass { name: "dead-columns", run: dead_columns::run },
    Pass { name: "projection-pushdown", run: projection::run },
    Pass { name: "row-group-pruning", run: pruning::run },
    Pass { name: "fusion", run: fusion::run },
];

/// Runs every pass; returns the plan text before the first and after each pass.
pub fn run_all(plan: &mut Plan) -> Vec<(&'static str, String)> {
    let mut trace = vec![("parsed", plan.to_string())];
    for pass in PASSES {
        (pass.run)(plan);
        trace.push((pass.name, plan.to_string()));
    }
    trace
}

pub use field_usage::liveness;

#[cfg(test)]
pub(crate) mod test_plans;
