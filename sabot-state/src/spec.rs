//! The `--state memory|rocksdb:DIR|tonbo:DIR` option.

use std::{fmt, path::PathBuf, str::FromStr};

use crate::StateError;

/// Which backend keeps a job's state, parsed from `--state`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StateSpec {
    /// Hash tables and batches in memory; nothing survives the process.
    #[default]
    Memory,
    /// RocksDB in the directory.
    RocksDb(PathBuf),
    /// Tonbo (Arrow/Parquet LSM) in the directory.
    Tonbo(PathBuf),
}

impl FromStr for StateSpec {
    type Err = StateError;

    fn from_str(s: &str) -> Result<Self, StateError> {
        let err = |reason| StateError::Spec { spec: s.to_string(), reason };
        let (kind, dir) = match s.split_once(':') {
            Some((kind, dir)) => (kind, Some(dir)),
            None => (s, None),
        };
        match (kind, dir) {
            ("memory", None) => Ok(StateSpec::Memory),
            ("memory", Some(_)) => Err(err("memory takes no directory")),
            ("rocksdb" | "tonbo", None | Some("")) => Err(err("a directory is required")),
            ("rocksdb", Some(dir)) => Ok(StateSpec::RocksDb(dir.into())),
            ("tonbo", Some(dir)) => Ok(StateSpec::Tonbo(dir.into())),
            _ => Err(err("unknown backend")),
        }
    }
}

impl fmt::Display for StateSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateSpec::Memory => f.write_str("memory"),
            StateSpec::RocksDb(dir) => write!(f, "rocksdb:{}", dir.display()),
            StateSpec::Tonbo(dir) => write!(f, "tonbo:{}", dir.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_backend() {
        assert_eq!("memory".parse::<StateSpec>().unwrap(), StateSpec::Memory);
        assert_eq!("rocksdb:/tmp/x".parse::<StateSpec>().unwrap(), StateSpec::RocksDb("/tmp/x".into()));
        assert_eq!("tonbo:d".parse::<StateSpec>().unwrap(), StateSpec::Tonbo("d".into()));
        assert_eq!(StateSpec::Tonbo("d".into()).to_string(), "tonbo:d");
    }

    #[test]
    fn refuses_bad_specs() {
        for bad in ["", "rocksdb", "tonbo:", "redis:/x", "memory:/x"] {
            let err = bad.parse::<StateSpec>().unwrap_err().to_string();
            assert!(err.contains("expected memory, rocksdb:DIR or tonbo:DIR"), "{bad}: {err}");
        }
    }
}
