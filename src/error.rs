//! Typed errors of the library. `main.rs` prints them as one line
//! (`error: ...`) and maps them to exit codes (SPEC §7).

use std::path::PathBuf;

/// Everything that can go wrong in a backtest, a score run or a JSON check.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A cell that is not what its column needs.
    #[error("{file}:{line}: column {column}: \"{value}\" {reason}")]
    Cell {
        file: String,
        line: u64,
        column: String,
        value: String,
        reason: String,
    },

    /// A record with the wrong number of fields.
    #[error("{file}:{line}: expected {expected} fields (as in the header), found {found}")]
    FieldCount {
        file: String,
        line: u64,
        expected: usize,
        found: usize,
    },

    /// A problem with the header row (missing or duplicate column).
    #[error("{file}:1: {message}")]
    Header { file: String, message: String },

    /// Malformed CSV (for example an unterminated quote).
    #[error("{file}:{line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },

    /// The file holds no header at all.
    #[error("{file}: empty input: no header row")]
    Empty { file: String },

    /// No row has a usable return value.
    #[error("{file}: no evaluable rows ({rows_read} data rows read, {missing_return} without a value in column {return_col})")]
    NoEvaluableRows {
        file: String,
        rows_read: u64,
        missing_return: u64,
        return_col: String,
    },

    /// A warning turned into an error by `--strict`.
    #[error("{file}: {message} (--strict)")]
    Strict { file: String, message: String },

    /// A `--strict` finding about one row (a duplicate).
    #[error("{file}:{line}: {message} (--strict)")]
    StrictRow {
        file: String,
        line: u64,
        message: String,
    },

    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },

    /// A weights file that cannot be used.
    #[error("{path}: {message}")]
    Weights { path: PathBuf, message: String },

    /// A JSON document does not match the published schema.
    #[error("{file}: JSON does not match the gemscan schema at {pointer}: {message}")]
    Schema {
        file: String,
        pointer: String,
        message: String,
    },

    /// A figure of the report overflowed (returns near `1e308` sum to
    /// infinity): named by its JSON pointer rather than printed as `inf`.
    #[error("{file}: cannot report {pointer}: it is not a finite number (the input's values are too large for double-precision arithmetic)")]
    NonFinite { file: String, pointer: String },

    /// Options that cannot be combined or a bad option value found after parsing.
    #[error("{0}")]
    Usage(String),

    /// A bug in gemscan (a report that cannot be serialised, a broken
    /// shipped schema): exit 1, never 2.
    #[error("internal error: {0} (please report this)")]
    Internal(String),

    /// A `gemscan models` failure (registry loading, look-up or output).
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),
}

impl Error {
    /// Exit status of SPEC §7: 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            Error::Registry(e) => e.exit_code(),
            _ => 1,
        }
    }

    /// Whether this error is a closed pipe on output (a clean exit, not a failure).
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Error::Io { source, .. } => source.kind() == std::io::ErrorKind::BrokenPipe,
            Error::Registry(crate::registry::RegistryError::Io(e)) => {
                e.kind() == std::io::ErrorKind::BrokenPipe
            }
            _ => false,
        }
    }
}

/// Result with the library's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
