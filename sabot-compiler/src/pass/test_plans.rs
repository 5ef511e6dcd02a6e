//! Small hand-built plans shared by the pass tests (no syn needed).

use crate::plan::{Closure, FieldSet, Join, JoinKind, Op, Plan, StructLiteral};

fn closure(id: usize, text: &str, reads: FieldSet, literal: Option<StructLiteral>) -> Closure {
    Closure { id, text: text.into(), reads, literal, dead: Vec::new(), bounds: Vec::new() }
}

fn source(index: usize, name: &str, record: &str) -> Op {
    Op::Source { index, name: name.into(), record: record.into(), columns: None, prune: Vec::new() }
}

fn sink(index: usize, name: &str, record: &str) -> Op {
    Op::Sink { index, name: name.into(), record: record.into() }
}

/// Nexmark q1+q2 shape: bids (7 columns) -> filter(auction) -> map(auction, price) -> sink.
pub fn filter_map() -> Plan {
    let mut p = Plan { name: "converted".into(), ..Default::default() };
    let s = p.add(source(0, "bids", "Bid"), vec![]);
    let f = p.add(Op::Filter(closure(0, "|b| b.auction % 123 == 0", FieldSet::of(["auction"]), None)), vec![s]);
    let lit = StructLiteral {
        type_name: "Converted".into(),
        fields: vec![("auction".into(), FieldSet::of(["auction"])), ("price_eur".into(), FieldSet::of(["price"]))],
    };
    let m = p.add(Op::Map(closure(1, "|b| Converted { .. }", FieldSet::of(["auction", "price"]), Some(lit))), vec![f]);
    p.add(sink(0, "out", "Converted"), vec![m]);
    p
}

/// src(a, b, c) -> map { x: a, y: b + c, z: a } -> filter(x) -> map { out: z } -> sink:
/// `y` is never used, so `b` and `c` need not be read.
pub fn map_filter_map() -> Plan {
    let mut p = Plan { name: "dead".into(), ..Default::default() };
    let s = p.add(source(0, "input", "Abc"), vec![]);
    let lit = StructLiteral {
        type_name: "Xyz".into(),
        fields: vec![("x".into(), FieldSet::of(["a"])), ("y".into(), FieldSet::of(["b", "c"])), ("z".into(), FieldSet::of(["a"]))],
    };
    let m1 = p.add(Op::Map(closure(0, "|r| Xyz { .. }", FieldSet::of(["a", "b", "c"]), Some(lit))), vec![s]);
    let f = p.add(Op::Filter(closure(1, "|r| r.x > 0", FieldSet::of(["x"]), None)), vec![m1]);
    let lit2 = StructLiteral { type_name: "Out".into(), fields: vec![("out".into(), FieldSet::of(["z"]))] };
    let m2 = p.add(Op::Map(closure(2, "|r| Out { out: r.z }", FieldSet::of(["z"]), Some(lit2))), vec![f]);
    p.add(sink(0, "out", "Out"), vec![m2]);
    p
}

/// a.filter(..).union(b.map(..)) -> sink.
pub fn union_two_sources() -> Plan {
    let mut p = Plan { name: "both".into(), ..Default::default() };
    let a = p.add(source(0, "a", "Ev"), vec![]);
    let b = p.add(source(1, "b", "Other"), vec![]);
    let f = p.add(Op::Filter(closure(0, "|e| e.v > 1", FieldSet::of(["v"]), None)), vec![a]);
    let m = p.add(Op::Map(closure(1, "|o| Ev { v: o.w }", FieldSet::of(["w"]), None)), vec![b]);
    let u = p.add(Op::Union, vec![f, m]);
    p.add(sink(0, "out", "Ev"), vec![u]);
    p
}

/// small.filter(x > 1).join(big, |s| s.k, |b| b.k, |s, b| Out { x: s.x, y: b.y }) -> sink.
pub fn join_two_sources() -> Plan {
    let mut p = Plan { name: "joined".into(), ..Default::default() };
    let small = p.add(source(0, "small", "S"), vec![]);
    let big = p.add(source(1, "big", "B"), vec![]);
    let f = p.add(Op::Filter(closure(0, "|s| s.x > 1", FieldSet::of(["x"]), None)), vec![small]);
    let lit = StructLiteral { type_name: "Out".into(), fields: vec![("x".into(), FieldSet::All), ("y".into(), FieldSet::All)] };
    let join = Join {
        kind: JoinKind::Inner,
        probe_key: closure(1, "|s| s.k", FieldSet::of(["k"]), None),
        build_key: closure(2, "|b| b.k", FieldSet::of(["k"]), None),
        body: Some(closure(3, "|s, b| Out { x: s.x, y: b.y }", FieldSet::All, Some(lit))),
        window: None,
        interval: None,
        asof: false,
        pair_reads: (FieldSet::of(["x"]), FieldSet::of(["y"])),
        swapped: false,
    };
    let j = p.add(Op::Join(join), vec![f, big]);
    p.add(sink(0, "out", "Out"), vec![j]);
    p
}

/// `plan` with its join's kind set to `kind`.
pub fn with_join_kind(mut plan: Plan, kind: JoinKind) -> Plan {
    for node in &mut plan.nodes {
        if let Op::Join(j) = &mut node.op {
            j.kind = kind;
        }
    }
    plan
}
