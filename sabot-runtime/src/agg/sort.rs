//! `sort_by` and `top_n`: rows collected per split, concatenated in split order (so the sort
//! is stable with respect to input order), sorted by the generated comparator, cut to `n`.

use super::table::AggPartial;
use crate::error::{Error, Result};
use crate::record::{Record, RecordBuilder};
use std::any::Any;
use std::cmp::Ordering;

/// Rows of one split waiting to be sorted.
pub struct Sorted<T, C> {
    rows: Vec<T>,
    limit: Option<usize>,
    cmp: C,
}

impl<T: Record, C: Fn(&T, &T) -> Ordering + Send + 'static> Sorted<T, C> {
    /// Erases the types behind `AggPartial`; `limit` keeps only the first `n` rows (`top_n`).
    pub fn boxed(rows: Vec<T>, limit: Option<usize>, cmp: C) -> Box<dyn AggPartial> {
        let mut s = Sorted { rows, limit, cmp };
        s.trim();
        Box::new(s)
    }

    /// With a limit, keeps memory at about twice the limit by sorting and cutting early.
    fn trim(&mut self) {
        if let Some(n) = self.limit
            && self.rows.len() > n.saturating_mul(2).max(1024)
        {
            self.rows.sort_by(&self.cmp);
            self.rows.truncate(n);
        }
    }
}

impl<T: Record, C: Fn(&T, &T) -> Ordering + Send + 'static> AggPartial for Sorted<T, C> {
    fn merge(&mut self, other: Box<dyn AggPartial>) -> Result<()> {
        let other = other.into_any().downcast::<Self>().map_err(|_| Error::Config("merging rows of different sorts".into()))?;
        self.rows.extend(other.rows);
        self.trim();
        Ok(())
    }

    fn finish(self: Box<Self>, rows_per_batch: usize) -> Result<super::Finished> {
        let Sorted { mut rows, limit, cmp } = *self;
        // `sort_by` is stable: rows with equal keys keep their input order.
        rows.sort_by(&cmp);
        if let Some(n) = limit {
            rows.truncate(n);
        }
        let mut out = Vec::new();
        for chunk in rows.chunks(rows_per_batch.max(1)) {
            let mut b = T::builder(chunk.len());
            for r in chunk {
                b.append(r.as_row());
            }
            out.push(b.finish());
        }
        Ok(super::Finished::Batches(out))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// A float that sorts with `f64::total_cmp` (NaN after +inf), so it can be a sort key.
#[derive(Debug, Clone, Copy)]
pub struct TotalOrd(pub f64);

impl PartialEq for TotalOrd {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for TotalOrd {}
impl PartialOrd for TotalOrd {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for TotalOrd {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// A sort key part that puts `None` after every value (plain `Option` puts it first).
pub fn nulls_last<T>(v: Option<T>) -> (bool, Option<T>) {
    (v.is_none(), v)
}
