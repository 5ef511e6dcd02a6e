//! The runtime's error type: every variant says what failed and where (source, file, row, column).

use std::path::PathBuf;

/// Result alias used across the runtime.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors raised while reading, executing or writing a job.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The state backend failed while spilling or reading back state.
    #[error(transparent)]
    State(#[from] sabot_state::StateError),
    /// A file or directory could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A column the pipeline reads is not in the input.
    #[error("{origin}: column `{column}` is missing (the record `{record}` reads it); found columns: {found}")]
    MissingColumn {
        /// Source name and file.
        origin: String,
        /// The missing column.
        column: String,
        /// The record type that needs it.
        record: String,
        /// The columns the input has.
        found: String,
    },
    /// A column's type cannot be read as the record field's type.
    #[error("{origin}: column `{column}` has type {found}, but field `{record}.{column}` expects {expected}{hint}")]
    TypeMismatch {
        /// Source name and file.
        origin: String,
        /// The column.
        column: String,
        /// The record type.
        record: String,
        /// The Arrow type the field expects.
        expected: String,
        /// The Arrow type found in the input.
        found: String,
        /// How to fix it, when there is a fix.
        hint: String,
    },
    /// A value did not survive a cast the field asked for.
    #[error("{origin}: column `{column}`: cannot cast {found} to {expected}: {message}")]
    Cast {
        /// Source name and file.
        origin: String,
        /// The column.
        column: String,
        /// The target type.
        expected: String,
        /// The input type.
        found: String,
        /// Arrow's message (names the value).
        message: String,
    },
    /// A null in a column read by a non-`Option` field.
    #[error("{origin}: column `{column}` has a null at row {row}; declare field `{record}.{column}` as `Option<_>`")]
    UnexpectedNull {
        /// Source name and file.
        origin: String,
        /// The column.
        column: String,
        /// The record type.
        record: String,
        /// Row number of the first null, counted from the start of the file (0-based).
        row: u64,
    },
    /// A CSV file could not be parsed.
    #[error("{path}:{line}: column {column} (`{field}`): {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// The field name.
        field: String,
        /// What was wrong.
        message: String,
    },
    /// A Parquet file could not be read or written.
    #[error("{path}: {message}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The reader's or writer's message.
        message: String,
    },
    /// Arrow failed on data that passed our checks.
    #[error("{context}: {source}")]
    Arrow {
        /// What was being done.
        context: String,
        /// Arrow's error.
        #[source]
        source: arrow::error::ArrowError,
    },
    /// A `process` function returned an error.
    #[error("process function `{function}` failed on key {key}: {message}")]
    Process {
        /// The function's type name.
        function: String,
        /// The key it was handling (`Debug`).
        key: String,
        /// Which callback failed and the function's error.
        message: String,
    },
    /// The job was configured wrongly (unknown source name, bad CLI value...).
    #[error("{0}")]
    Config(String),
}

impl Error {
    /// Wraps an Arrow error with what was being done.
    pub fn arrow(context: impl Into<String>, source: arrow::error::ArrowError) -> Self {
        Self::Arrow { context: context.into(), source }
    }

    /// Wraps an I/O error with its path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}
