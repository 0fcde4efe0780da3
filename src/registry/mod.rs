//! The LLM model registry (SPEC §9).
//!
//! A YAML file (`configs/llm_models.yaml`, compiled in as the default) lists
//! models with pinned versions, prices, context windows and rate limits,
//! routes per task with fallbacks and a cost cap, and spending budgets.
//! This module loads it strictly ([`yaml`]), validates it ([`model`]) and
//! answers cost, route and budget questions ([`lookup`]) in exact decimal
//! arithmetic ([`money`]). [`cli`] holds the `gemscan models` subcommands.
//!
//! ```
//! use gemscan::registry::{load, lookup, Source};
//! let loaded = load(&Source::Builtin, false).unwrap();
//! let d = lookup::route(&loaded.registry, "rare_gem_report", 150_000, 2_000, false).unwrap();
//! assert_eq!(d.chosen().unwrap().id, "anthropic/claude-3-5-sonnet");
//! ```

pub mod cli;
pub mod error;
pub mod json;
pub mod lookup;
pub mod model;
pub mod money;
mod render;
pub mod yaml;

use std::path::PathBuf;

pub use cli::{run, ModelsArgs};
pub use error::{Problem, RegistryError, Severity};
pub use model::{Budgets, Model, Registry, Route, Validation};

/// The default registry, compiled into the binary.
pub const BUILTIN_REGISTRY_YAML: &str = include_str!("../../configs/llm_models.yaml");

/// Where a registry comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// [`BUILTIN_REGISTRY_YAML`].
    Builtin,
    /// A file (`--registry FILE`, `GEMSCAN_REGISTRY`, `models validate FILE`).
    File(PathBuf),
}

impl Source {
    /// Names the source in messages and output: `built-in registry` or the
    /// path as given (never made absolute).
    pub fn origin(&self) -> String {
        match self {
            Source::Builtin => "built-in registry".to_string(),
            Source::File(path) => path.display().to_string(),
        }
    }

    /// The YAML text.
    pub fn read(&self) -> Result<String, RegistryError> {
        match self {
            Source::Builtin => Ok(BUILTIN_REGISTRY_YAML.to_string()),
            Source::File(path) => {
                std::fs::read_to_string(path).map_err(|source| RegistryError::Read {
                    path: path.clone(),
                    source,
                })
            }
        }
    }
}

/// Parses and validates registry YAML, collecting every problem: the first
/// parse error (parsing stops there) or every semantic error and warning.
pub fn check(text: &str) -> Validation {
    match yaml::parse(text) {
        Ok(file) => model::validate(&file),
        Err(problem) => Validation {
            registry: None,
            problems: vec![problem],
        },
    }
}

/// A registry ready for look-ups, with the warnings found while loading.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated registry.
    pub registry: Registry,
    /// Warnings (e.g. a price above 1000 USD per 1M tokens).
    pub warnings: Vec<Problem>,
}

/// Loads, parses and validates a registry. With `strict`, warnings are errors.
pub fn load_str(text: &str, origin: &str, strict: bool) -> Result<Loaded, RegistryError> {
    let file = yaml::parse(text).map_err(|problem| RegistryError::Parse {
        origin: origin.to_string(),
        problem,
    })?;
    let Validation { registry, problems } = model::validate(&file);
    let (errors, warnings): (Vec<Problem>, Vec<Problem>) = problems
        .into_iter()
        .partition(|p| p.severity == Severity::Error);
    match registry {
        Some(registry) if errors.is_empty() && (!strict || warnings.is_empty()) => {
            Ok(Loaded { registry, warnings })
        }
        _ => {
            let mut problems = errors;
            if strict {
                problems.extend(warnings);
            }
            Err(RegistryError::Invalid {
                origin: origin.to_string(),
                problems,
            })
        }
    }
}

/// [`load_str`] on a [`Source`].
pub fn load(source: &Source, strict: bool) -> Result<Loaded, RegistryError> {
    load_str(&source.read()?, &source.origin(), strict)
}
