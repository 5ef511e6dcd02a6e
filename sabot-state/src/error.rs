//! Errors of the state backends, each naming the backend and where it keeps its data.

use std::path::PathBuf;

/// What went wrong in a state backend.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The store itself failed (I/O, corruption, a closed database).
    #[error("{backend} state at {}: {message}", path.display())]
    Store {
        /// `rocksdb` or `tonbo`.
        backend: &'static str,
        /// The directory the backend was opened on.
        path: PathBuf,
        /// The store's own message.
        message: String,
    },
    /// A `--state` value that is not `memory`, `rocksdb:DIR` or `tonbo:DIR`.
    #[error("invalid state spec `{spec}`: {reason} (expected memory, rocksdb:DIR or tonbo:DIR)")]
    Spec {
        /// The text given.
        spec: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The backend's cargo feature was not enabled when this binary was built.
    #[error("state backend `{0}` is not compiled into this binary (build with the cargo feature `{0}`)")]
    NotCompiled(&'static str),
    /// A namespace or table name with characters other than `[A-Za-z0-9_./-]`.
    #[error("invalid state name `{0}`: use letters, digits and `_./-`")]
    Name(String),
    /// Appending a batch whose schema differs from the table's.
    #[error("state table `{table}`: batch schema {found} differs from the table's {expected}")]
    Schema {
        /// The table appended to.
        table: String,
        /// The table's schema.
        expected: String,
        /// The batch's schema.
        found: String,
    },
    /// Stored bytes that do not decode as the expected type.
    #[error("state `{what}`: cannot decode stored bytes: {message}")]
    Decode {
        /// The namespace or table read.
        what: String,
        /// What the decoder said.
        message: String,
    },
}
