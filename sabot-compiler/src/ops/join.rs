//! Hash joins: `probe.join(build, |p| key, |b| key, |p, b| Out { .. })` and its kinds.
//! The argument stream is the build side: its rows are collected, owned, by key in a stage of
//! their own; the probe side streams through and looks matches up. Keys are `group_by` keys.

use super::{Arg, OpSpec};

/// Inner join: one output per matching pair.
pub const JOIN: OpSpec = OpSpec {
    name: "join",
    arg: Arg::Join,
    stateless: true,
    doc: "one record per probe row and matching build row",
    usage: ".join(customers, |o| o.custkey, |c| c.custkey, |o, c| Out { name: c.name.to_string(), total: o.total })",
};

/// Left outer join: probe rows without a match get `None` for the build row.
pub const LEFT_JOIN: OpSpec = OpSpec {
    name: "left_join",
    arg: Arg::Join,
    stateless: true,
    doc: "like join, and probe rows without a match once with None",
    usage: ".left_join(customers, |o| o.custkey, |c| c.custkey, |o, c| Out { name: c.map(|c| c.name.to_string()), total: o.total })",
};

/// Right outer join: build rows no probe row matched get `None` for the probe row.
pub const RIGHT_JOIN: OpSpec = OpSpec {
    name: "right_join",
    arg: Arg::Join,
    stateless: true,
    doc: "like join, and build rows without a match once with None (after the probe input ends)",
    usage: ".right_join(customers, |o| o.custkey, |c| c.custkey, |o, c| Out { name: c.name.to_string(), total: o.map_or(0, |o| o.total) })",
};

/// Full outer join: unmatched rows of either side get `None` for the other.
pub const FULL_JOIN: OpSpec = OpSpec {
    name: "full_join",
    arg: Arg::Join,
    stateless: true,
    doc: "left_join and right_join together",
    usage: ".full_join(customers, |o| o.custkey, |c| c.custkey, |o, c| Out { id: o.map(|o| o.id), name: c.map(|c| c.name.to_string()) })",
};

/// Interval join: pairs whose build row's event time lies in an interval around the probe
/// row's; both inputs are streams, kept by key until no row can pair with them any more.
pub const INTERVAL_JOIN: OpSpec = OpSpec {
    name: "interval_join",
    arg: Arg::Join,
    stateless: false,
    doc: "one record per pair with equal keys whose build row's event time is in the interval around the probe row's",
    usage: ".interval_join(auctions, |b| b.auction, |a| a.id, Interval::around(Duration::from_secs(60), Duration::ZERO), |b, a| Out { .. })",
};

/// As-of join: each probe row with its key's latest build row at or before its event time;
/// both inputs are streams, kept by key until no row can match them any more.
pub const ASOF_JOIN: OpSpec = OpSpec {
    name: "asof_join",
    arg: Arg::Join,
    stateless: false,
    doc: "one record per probe row and its key's latest build row at or before its event time",
    usage: ".asof_join(quotes, |t| t.symbol, |q| q.symbol, |t, q| Priced { .. })",
};

/// Semi join: probe rows that have a match, once each.
pub const SEMI_JOIN: OpSpec = OpSpec {
    name: "semi_join",
    arg: Arg::KeysOnly,
    stateless: true,
    doc: "probe rows with at least one match",
    usage: ".semi_join(customers, |o| o.custkey, |c| c.custkey)",
};

/// Anti join: probe rows without a match.
pub const ANTI_JOIN: OpSpec = OpSpec {
    name: "anti_join",
    arg: Arg::KeysOnly,
    stateless: true,
    doc: "probe rows without a match",
    usage: ".anti_join(customers, |o| o.custkey, |c| c.custkey)",
};
