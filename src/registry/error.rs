//! Error and problem types of the registry.

use std::fmt;
use std::path::PathBuf;

/// How serious a validation finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Loading fails (`models validate` exits 1).
    Error,
    /// Printed; loading goes on (exit 0), unless `--strict`.
    Warning,
}

impl Severity {
    /// `error` or `warning`, as printed and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding of registry validation, located by its YAML path
/// (e.g. `routing.contract_safety.fallback[1]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// Dotted YAML path; `[i]` indexes a list. Empty for the document itself.
    pub path: String,
    /// What is wrong, in words.
    pub message: String,
    /// 1-based line and column, when known (parse errors).
    pub location: Option<(usize, usize)>,
}

impl Problem {
    pub(crate) fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            path: path.into(),
            message: message.into(),
            location: None,
        }
    }

    pub(crate) fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            path: path.into(),
            message: message.into(),
            location: None,
        }
    }
}

impl fmt::Display for Problem {
    /// `path: message (line L, column C)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some((line, column)) = self.location {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

/// `a, b, c`, or `(none)`.
fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        "(none)".to_string()
    } else {
        known.join(", ")
    }
}

/// Formats problems one per line, for error messages.
fn problem_lines(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("\n  {}: {p}", p.severity.as_str()))
        .collect()
}

/// Errors of the registry library. Every variant maps to exit status 1
/// (SPEC §7); usage errors are clap's and exit 2.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The registry file could not be read.
    #[error("cannot read registry {}: {source}", path.display())]
    Read {
        /// The path as given.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The YAML could not be parsed into the registry layout (syntax, wrong
    /// type, unknown field, duplicate key...). Parsing stops at the first one.
    #[error("{origin}: {problem}")]
    Parse {
        /// `built-in registry` or the file path as given.
        origin: String,
        /// The parse error, with its YAML path and location.
        problem: Problem,
    },
    /// The registry parsed but breaks the rules of SPEC §9 (all problems listed).
    #[error(
        "{origin}: invalid registry, run `gemscan models validate` for details:{}",
        problem_lines(problems)
    )]
    Invalid {
        /// `built-in registry` or the file path as given.
        origin: String,
        /// Every error (and, under `--strict`, every warning) found.
        problems: Vec<Problem>,
    },
    /// `show`/`cost` named a model id that the registry does not hold.
    #[error("unknown model {id:?}; known models: {}", known_list(known))]
    UnknownModel {
        /// The id asked for.
        id: String,
        /// Every model id of the registry, in file order.
        known: Vec<String>,
    },
    /// `route` named a task that the registry has no route for.
    #[error("unknown task {task:?}; known tasks: {}", known_list(known))]
    UnknownTask {
        /// The task asked for.
        task: String,
        /// Every routed task of the registry, in file order.
        known: Vec<String>,
    },
    /// `list --provider` named a provider that the registry does not hold.
    #[error(
        "unknown provider {provider:?}; known providers: {}",
        known_list(known)
    )]
    UnknownProvider {
        /// The provider asked for.
        provider: String,
        /// Every provider of the registry, in file order.
        known: Vec<String>,
    },
    /// An amount is too large or too precise to be computed exactly in
    /// 96-bit decimal arithmetic; we refuse rather than round.
    #[error("{what} is too large or too precise to compute exactly")]
    Inexact {
        /// What was being computed.
        what: String,
    },
    /// Writing the report failed (e.g. a closed pipe).
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
}

impl RegistryError {
    /// The process exit status for this error (SPEC §7): always 1.
    pub fn exit_code(&self) -> i32 {
        1
    }
}
