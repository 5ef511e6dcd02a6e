//! Sets of field names, with "all fields" for rows used whole.

use std::collections::BTreeSet;
use std::fmt;

/// Which fields of a row are used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldSet {
    /// Every field (the row is used whole, or the set is unknown).
    All,
    /// Exactly these fields.
    Some(BTreeSet<String>),
}

impl FieldSet {
    /// No field.
    pub fn none() -> Self {
        FieldSet::Some(BTreeSet::new())
    }

    /// A set of the given names.
    pub fn of<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        FieldSet::Some(names.into_iter().map(String::from).collect())
    }

    /// Adds one field.
    pub fn insert(&mut self, name: &str) {
        if let FieldSet::Some(s) = self {
            s.insert(name.to_owned());
        }
    }

    /// Adds every field of `other`.
    pub fn extend(&mut self, other: &FieldSet) {
        match (self as &mut FieldSet, other) {
            (FieldSet::All, _) => {}
            (me, FieldSet::All) => *me = FieldSet::All,
            (FieldSet::Some(a), FieldSet::Some(b)) => a.extend(b.iter().cloned()),
        }
    }

    /// The union of two sets.
    pub fn union(&self, other: &FieldSet) -> FieldSet {
        let mut s = self.clone();
        s.extend(other);
        s
    }

    /// Whether `name` is in the set.
    pub fn contains(&self, name: &str) -> bool {
        match self {
            FieldSet::All => true,
            FieldSet::Some(s) => s.contains(name),
        }
    }

    /// The names, or `None` for all.
    pub fn names(&self) -> Option<Vec<&str>> {
        match self {
            FieldSet::All => None,
            FieldSet::Some(s) => Some(s.iter().map(String::as_str).collect()),
        }
    }
}

impl fmt::Display for FieldSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldSet::All => write!(f, "*"),
            FieldSet::Some(s) => write!(f, "[{}]", s.iter().cloned().collect::<Vec<_>>().join(", ")),
        }
    }
}
