//! A stable text form of plans and stages, for `explain` and snapshot tests.

use super::{Op, Plan};
use std::fmt;

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "pipeline {}", self.name)?;
        for (id, node) in self.nodes.iter().enumerate() {
            let inputs: Vec<String> = node.inputs.iter().map(|i| format!("n{i}")).collect();
            let from = if inputs.is_empty() { String::new() } else { format!(" <- {}", inputs.join(", ")) };
            write!(f, "  n{id}: ")?;
            match &node.op {
                Op::Source { name, record, columns, prune, .. } => {
                    write!(f, "source {name}: {record}")?;
                    if let Some(c) = columns {
                        write!(f, " columns={c}")?;
                    }
                    if !prune.is_empty() {
                        let bounds: Vec<String> = prune.iter().map(ToString::to_string).collect();
                        write!(f, " prune=[{}]", bounds.join(", "))?;
                    }
                }
                Op::Sink { name, record, .. } => write!(f, "sink {name}: {record}{from}")?,
                Op::Union => write!(f, "union{from}")?,
                Op::Join(j) => {
                    write!(f, "{}{from}", node.op.name())?;
                    if let Some((_, w)) = &j.window {
                        write!(f, " window={w}")?;
                    }
                    if let Some((_, i)) = &j.interval {
                        write!(f, " interval={i}")?;
                    }
                    write!(f, " on {} = {}", j.probe_key.text, j.build_key.text)?;
                    if j.swapped {
                        write!(f, " (sides swapped: builds on its written probe side)")?;
                    }
                }
                Op::Reduce { key, body: Some(body) } => write!(f, "reduce{from} key={} {}", key.text, body.text)?,
                Op::Reduce { key, body: None } => write!(f, "distinct{from} key={}", key.text)?,
                Op::Process { key, ty, .. } => write!(f, "process{from} key={} fn={ty}", key.text)?,
                Op::Sort { key, .. } => write!(f, "{}{from} key={} reads={}", node.op.name(), key.text, key.reads)?,
                Op::Aggregate(a) => {
                    write!(f, "aggregate{from}")?;
                    if let Some((_, w)) = &a.window {
                        write!(f, " window={w}")?;
                    }
                    if let Some((_, t)) = &a.trigger {
                        write!(f, " trigger={t}")?;
                    }
                    if let Some(k) = &a.key {
                        write!(f, " key={} reads={}", k.text, k.reads)?;
                    }
                    let calls: Vec<String> = a.calls.iter().map(|(n, r)| format!("{n}{r}")).collect();
                    write!(f, " calls=[{}] -> {}", calls.join(", "), a.output)?;
                }
                op => {
                    let c = op.closure().expect("filter, map and flat_map carry a closure");
                    write!(f, "{}{from} {} reads={}", op.name(), c.text, c.reads)?;
                    if !c.dead.is_empty() {
                        write!(f, " dead=[{}]", c.dead.join(", "))?;
                    }
                }
            }
            if !matches!(node.op, Op::Sink { .. }) {
                write!(f, " live={}", node.live)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

impl Plan {
    /// The fused stages as text.
    pub fn stages_text(&self) -> String {
        let mut out = String::new();
        for (i, stage) in self.stages.iter().enumerate() {
            let ops: Vec<String> = stage
                .nodes
                .iter()
                .map(|&n| {
                    if n == stage.source && matches!(self.nodes[n].op, Op::Aggregate(_)) {
                        format!("groups(n{n})")
                    } else if n == stage.source && matches!(self.nodes[n].op, Op::Reduce { .. }) {
                        format!("reduced(n{n})")
                    } else if n == stage.source && matches!(self.nodes[n].op, Op::Process { .. }) {
                        format!("processed(n{n})")
                    } else if n == stage.source && matches!(self.nodes[n].op, Op::Sort { .. }) {
                        format!("sorted(n{n})")
                    } else {
                        format!("{}(n{n})", self.nodes[n].op.name())
                    }
                })
                .collect();
            out.push_str(&format!("stage {i}: {}\n", ops.join(" -> ")));
        }
        out
    }
}
