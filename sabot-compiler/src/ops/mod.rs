//! Operators as data: one spec per file, registered in `OPERATORS`. The front end looks method
//! names up here, so an unknown one is reported with the full list of supported operators.

mod aggregate;
mod filter;
mod flat_map;
mod group_by;
mod join;
mod map;
mod process;
mod reduce;
mod sort_by;
mod top_n;
mod union;
mod window;

/// What an operator takes as its argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// A closure (or fn path) over one row.
    RowFn,
    /// Another stream.
    Stream,
    /// A row count, then a closure over the row.
    LimitAndRowFn,
    /// The build stream, its two key closures and a closure over the matched pair.
    Join,
    /// The build stream and its two key closures.
    KeysOnly,
}

/// The declaration of one operator of the pipeline language.
#[derive(Debug, Clone, Copy)]
pub struct OpSpec {
    /// Method name users write.
    pub name: &'static str,
    /// Its single argument.
    pub arg: Arg,
    /// Whether rows can pass it without state (fusable).
    pub stateless: bool,
    /// One-line description, for errors and docs.
    pub doc: &'static str,
    /// The form users write, for errors.
    pub usage: &'static str,
}

/// Every operator the compiler knows.
pub const OPERATORS: &[OpSpec] = &[
    filter::SPEC,
    map::SPEC,
    flat_map::SPEC,
    union::SPEC,
    window::SPEC,
    window::TRIGGER,
    group_by::SPEC,
    aggregate::SPEC,
    sort_by::SPEC,
    top_n::SPEC,
    join::JOIN,
    join::LEFT_JOIN,
    join::SEMI_JOIN,
    join::ANTI_JOIN,
    join::RIGHT_JOIN,
    join::FULL_JOIN,
    join::INTERVAL_JOIN,
    join::ASOF_JOIN,
    reduce::KEY_BY,
    reduce::REDUCE,
    reduce::DISTINCT,
    process::SPEC,
];

pub use aggregate::FUNCTIONS as AGGREGATE_FUNCTIONS;

/// The operator called `name`.
pub fn lookup(name: &str) -> Option<&'static OpSpec> {
    OPERATORS.iter().find(|o| o.name == name)
}

/// "`filter`, `map`, ..." for error messages.
pub fn names() -> String {
    OPERATORS.iter().map(|o| format!("`{}`", o.name)).collect::<Vec<_>>().join(", ")
}
