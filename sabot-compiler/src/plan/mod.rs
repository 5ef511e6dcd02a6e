//! The logical plan: a DAG of operator nodes from sources to sinks. Closures are kept by id
//! (their tokens live with the front end); the plan records only what passes need to know:
//! which fields each closure reads and which fields each node's output must carry.

mod display;
mod fields;

pub use fields::FieldSet;

/// Index of a node in `Plan::nodes`.
pub type NodeId = usize;

/// A user closure as the plan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    /// Index into the front end's closure table.
    pub id: usize,
    /// The closure as written, shortened, for `explain`.
    pub text: String,
    /// Fields of the input row it reads.
    pub reads: FieldSet,
    /// When the body is a struct literal `T { a: .., b: .. }`: the type name and, per output
    /// field, the input fields its expression reads.
    pub literal: Option<StructLiteral>,
    /// Output fields a pass found unused downstream: codegen fills them with defaults.
    pub dead: Vec<String>,
    /// For a boolean body: its top-level `&&` terms that compare a field with a value that does
    /// not read the row (`row.price >= MIN`), candidates for row-group pruning.
    pub bounds: Vec<Bound>,
}

/// A comparison of a field with a row-independent value, as written: `field op value`, with
/// the field on the left (`MIN <= row.f` is stored as `f >= MIN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    /// The field compared.
    pub field: String,
    /// One of `<`, `<=`, `>`, `>=`, `==`.
    pub op: &'static str,
    /// The value's expression text (a constant, literal or path).
    pub value: String,
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.field, self.op, self.value)
    }
}

/// A closure body of the form `Type { field: expr, ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructLiteral {
    /// The struct's path as written.
    pub type_name: String,
    /// Output field name and the input fields its expression reads.
    pub fields: Vec<(String, FieldSet)>,
}

impl Closure {
    /// Input fields read when only the output fields in `live` are needed.
    pub fn reads_for(&self, live: &FieldSet) -> FieldSet {
        match (&self.literal, live) {
            (Some(lit), FieldSet::Some(live)) => {
                let mut reads = FieldSet::none();
                for (name, r) in &lit.fields {
                    if live.contains(name) {
                        reads.extend(r);
                    }
                }
                reads
            }
            _ => self.reads.clone(),
        }
    }
}

/// A grouped (or global) aggregation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregate {
    /// The `group_by` closure; `None` for one group of all rows.
    pub key: Option<Closure>,
    /// The `aggregate` closure; its `reads` are what its aggregate calls read.
    pub body: Closure,
    /// The aggregate calls in the body, in order: function name and the fields its argument reads.
    pub calls: Vec<(String, FieldSet)>,
    /// The output record type (the body's struct literal).
    pub output: String,
    /// For `.window(assigner)` before it: the assigner expression's index in the closure
    /// table and its text. Groups are then per window, by the rows' event time.
    pub window: Option<(usize, String)>,
    /// For `.window(w).trigger(t)`: the trigger expression's index in the closure table and its
    /// text. The stage then keeps its input rows, and one table runs them row by row so the
    /// trigger fires exactly where it says.
    pub trigger: Option<(usize, String)>,
}

/// The pseudo-field a windowed aggregation reads: the input record's `#[sabot(event_time)]`
/// field, whatever its name (codegen adds its bit to source masks).
pub const EVENT_TIME: &str = "@event_time";

impl Aggregate {
    /// Input fields the aggregation reads: the key's and every call's (every field with a
    /// trigger, whose table keeps the input records whole).
    pub fn reads(&self) -> FieldSet {
        if self.trigger.is_some() {
            return FieldSet::All;
        }
        let mut r = self.body.reads.clone();
        if let Some(k) = &self.key {
            r.extend(&k.reads);
        }
        if self.window.is_some() {
            r.insert(EVENT_TIME);
        }
        r
    }
}

/// The kinds of hash join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// Matching pairs.
    Inner,
    /// Matching pairs, and unmatched probe rows with `None`.
    Left,
    /// Probe rows with a match.
    Semi,
    /// Probe rows without a match.
    Anti,
    /// Matching pairs, and build rows no probe row matched with `None` for the probe row.
    Right,
    /// Left and right together: unmatched rows of either side with `None` for the other.
    Full,
}

impl JoinKind {
    /// Whether the join emits probe rows only (semi, anti): its build side keeps keys alone.
    pub fn keys_only(self) -> bool {
        matches!(self, JoinKind::Semi | JoinKind::Anti)
    }
}

/// A hash join: `inputs[0]` is the probe side, `inputs[1]` the build side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Join {
    /// Which rows come out.
    pub kind: JoinKind,
    /// The probe side's key closure.
    pub probe_key: Closure,
    /// The build side's key closure.
    pub build_key: Closure,
    /// The closure building the output from a pair (inner and left joins).
    pub body: Option<Closure>,
    /// For `.window(assigner)` before it: the assigner's index in the closure table and its
    /// text. Rows then pair only within the same event-time window, and both sides end their
    /// stages in one table that emits each window's pairs once it closes.
    pub window: Option<(usize, String)>,
    /// For `interval_join`: the interval expression's index in the closure table and its text.
    /// A pair matches when the build row's event time lies in the interval around the probe
    /// row's; both sides end their stages in one table, as for a windowed join.
    pub interval: Option<(usize, String)>,
    /// For `asof_join`: a probe row pairs with its key's build row of the latest event time at
    /// or before its own; both sides end their stages in one table, as for an interval join.
    pub asof: bool,
    /// Fields of the probe row and of the build row the pair closure reads (none without one).
    pub pair_reads: (FieldSet, FieldSet),
    /// The planner put the written build side on the probe side (input 0) and the written
    /// probe side on the build side (`pass::build_side`); the pair closure still gets its
    /// arguments in written order.
    pub swapped: bool,
}

impl Join {
    /// Fields of input `side` (0 probe, 1 build) the join reads, given what its own output
    /// must carry (`live`): the key, the pair closure's reads, and the event time when
    /// windowed. Semi and anti joins pass probe rows on, so those need `live` too.
    pub fn reads(&self, side: usize, live: &FieldSet) -> FieldSet {
        let (key, pair) = if side == 0 { (&self.probe_key, &self.pair_reads.0) } else { (&self.build_key, &self.pair_reads.1) };
        let mut r = key.reads.union(pair);
        if side == 0 && self.body.is_none() {
            r.extend(live);
        }
        if self.two_sided() {
            r.insert(EVENT_TIME);
        }
        r
    }

    /// Whether both inputs end their stages in the join's table (a windowed or interval join)
    /// instead of the build side being read whole first.
    pub fn two_sided(&self) -> bool {
        self.window.is_some() || self.interval.is_some() || self.asof
    }
}

/// What a node does.
// A plan has tens of nodes, built once per compile: boxing the large variants saves nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Reads the pipeline's `index`-th parameter.
    Source {
        /// Parameter position.
        index: usize,
        /// Parameter name.
        name: String,
        /// Record type as written.
        record: String,
        /// Columns decoded, set by projection pushdown (`None`: all).
        columns: Option<FieldSet>,
        /// Bounds every row read must meet, set by row-group pruning: a Parquet row group whose
        /// column statistics rule one out is skipped.
        prune: Vec<Bound>,
    },
    /// Keeps rows for which the closure is true.
    Filter(Closure),
    /// One output row per input row.
    Map(Closure),
    /// Zero or more output rows per input row.
    FlatMap(Closure),
    /// All rows of all inputs.
    Union,
    /// Groups rows and folds each group into one record: ends a stage.
    Aggregate(Aggregate),
    /// Looks probe rows up in a table of the build side's rows.
    Join(Join),
    /// Folds each key's records pairwise into one (`reduce`), or keeps each key's first record
    /// (`distinct`): ends a stage.
    Reduce {
        /// The `key_by` (or `distinct`) closure.
        key: Closure,
        /// The `reduce` closure `|a, b| T { .. }`; `None` for `distinct`.
        body: Option<Closure>,
    },
    /// Runs a user function with per-key state and timers over each key's records
    /// (`key_by(..).process(f)`): ends a stage.
    Process {
        /// The `key_by` closure.
        key: Closure,
        /// The function value's index in the closure table.
        func: usize,
        /// The function's type, as the argument names it (`Type { .. }`, `Type::new(..)`, `Type`).
        ty: String,
    },
    /// Orders all rows by a key, keeping the first `limit` (`top_n`): ends a stage.
    Sort {
        /// The key closure.
        key: Closure,
        /// Index of the row-count expression in the closure table (`top_n`), if any.
        limit: Option<usize>,
    },
    /// Writes the pipeline's `index`-th result.
    Sink {
        /// Result position.
        index: usize,
        /// Output name.
        name: String,
        /// Record type as written.
        record: String,
    },
}

impl Op {
    /// The operator's name as users write it.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Source { .. } => "source",
            Op::Filter(_) => "filter",
            Op::Map(_) => "map",
            Op::FlatMap(_) => "flat_map",
            Op::Union => "union",
            Op::Aggregate(_) => "aggregate",
            Op::Join(j) => match j.kind {
                JoinKind::Inner if j.interval.is_some() => "interval_join",
                JoinKind::Inner if j.asof => "asof_join",
                JoinKind::Inner => "join",
                JoinKind::Left => "left_join",
                JoinKind::Semi => "semi_join",
                JoinKind::Anti => "anti_join",
                JoinKind::Right => "right_join",
                JoinKind::Full => "full_join",
            },
            Op::Reduce { body: Some(_), .. } => "reduce",
            Op::Reduce { body: None, .. } => "distinct",
            Op::Process { .. } => "process",
            Op::Sort { limit: None, .. } => "sort_by",
            Op::Sort { limit: Some(_), .. } => "top_n",
            Op::Sink { .. } => "sink",
        }
    }

    /// The closure, for operators that take one.
    pub fn closure(&self) -> Option<&Closure> {
        match self {
            Op::Filter(c) | Op::Map(c) | Op::FlatMap(c) => Some(c),
            Op::Aggregate(a) => Some(&a.body),
            Op::Sort { key, .. } => Some(key),
            Op::Reduce { key, body } => Some(body.as_ref().unwrap_or(key)),
            Op::Process { key, .. } => Some(key),
            Op::Join(j) => Some(j.body.as_ref().unwrap_or(&j.probe_key)),
            _ => None,
        }
    }

    /// Whether the operator keeps no state between rows (and so can be fused).
    pub fn is_stateless(&self) -> bool {
        match self {
            Op::Aggregate(_) | Op::Sort { .. } | Op::Reduce { .. } | Op::Process { .. } => false,
            Op::Join(j) => !j.two_sided(),
            _ => true,
        }
    }
}

/// One node of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The operator.
    pub op: Op,
    /// Upstream nodes.
    pub inputs: Vec<NodeId>,
    /// Fields of this node's output used downstream (set by field-usage analysis).
    pub live: FieldSet,
}

/// A group of fused nodes run as one generated function per morsel of its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The node it reads: a source, or an aggregation whose groups it reads.
    pub source: NodeId,
    /// The aggregation, sort or join build side that ends it, if any.
    pub breaker: Option<NodeId>,
    /// Further breakers it reaches, or a join it feeds from both sides: shapes the backend
    /// cannot run yet (codegen reports them).
    pub extra: Vec<NodeId>,
    /// Every node the stage runs, in topological order (source first).
    pub nodes: Vec<NodeId>,
    /// Sink indices the stage writes.
    pub sinks: Vec<usize>,
}

/// A pipeline's logical plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// The pipeline fn's name.
    pub name: String,
    /// Nodes in topological order (inputs before consumers).
    pub nodes: Vec<Node>,
    /// Fused stages (set by the fusion pass).
    pub stages: Vec<Stage>,
}

impl Plan {
    /// Adds a node and returns its id.
    pub fn add(&mut self, op: Op, inputs: Vec<NodeId>) -> NodeId {
        self.nodes.push(Node { op, inputs, live: FieldSet::All });
        self.nodes.len() - 1
    }

    /// The nodes that read `id`'s output, in id order.
    pub fn consumers(&self, id: NodeId) -> Vec<NodeId> {
        (0..self.nodes.len()).filter(|&n| self.nodes[n].inputs.contains(&id)).collect()
    }

    /// Source nodes in parameter order.
    pub fn sources(&self) -> Vec<NodeId> {
        let mut v: Vec<_> = (0..self.nodes.len()).filter(|&n| matches!(self.nodes[n].op, Op::Source { .. })).collect();
        v.sort_by_key(|&n| match self.nodes[n].op {
            Op::Source { index, .. } => index,
            _ => usize::MAX,
        });
        v
    }
}
