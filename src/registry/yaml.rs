//! The registry file as written in YAML: serde types, strict parsing.
//!
//! Parsing is strict: unknown fields, duplicate keys (at every level, maps
//! included) and wrong types are errors that name their YAML path. Money is
//! read exactly (see [`YamlNumber`]). Semantic rules (SPEC §9) are checked
//! afterwards by [`super::model::validate`].

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::error::Problem;

/// A YAML mapping that keeps file order and rejects duplicate keys.
///
/// serde's `BTreeMap`/`HashMap` impls silently keep the last of two equal
/// keys; a registry with two `gpt-4o` entries must be an error instead.
#[derive(Debug, Clone, PartialEq)]
pub struct UniqueMap<V>(pub Vec<(String, V)>);

impl<V> UniqueMap<V> {
    /// Entries in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<V> Default for UniqueMap<V> {
    fn default() -> Self {
        UniqueMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(std::marker::PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = UniqueMap<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(String, V)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if entries.iter().any(|(k, _)| *k == key) {
                        return Err(de::Error::custom(format!("duplicate key {key:?}")));
                    }
                    let value = map.next_value()?;
                    entries.push((key, value));
                }
                Ok(UniqueMap(entries))
            }
        }

        deserializer.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}

/// A number read exactly from YAML, for money and percentages.
///
/// serde_yaml hands floats over as `f64`. A literal with at most 15
/// significant digits survives the trip through `f64` exactly: its shortest
/// round-trip form has the same digits, which we parse as a decimal. So
/// `0.59` is exactly 0.59, never 0.58999999999999996891. Literals with more
/// digits are rejected rather than silently rounded. `.nan` and `.inf` are
/// kept as [`YamlNumber::NonFinite`] so that validation reports them with the
/// other semantic problems. Quoted strings are a type error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum YamlNumber {
    /// A finite number, exact.
    Finite(Decimal),
    /// `.nan`, `.inf` or `-.inf`.
    NonFinite(f64),
}

/// Significant digits of a plain decimal literal (`-0.00120` has 2).
fn significant_digits(literal: &str) -> usize {
    let digits: String = literal.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').trim_end_matches('0').len()
}

impl<'de> Deserialize<'de> for YamlNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;

        impl Visitor<'_> for NumberVisitor {
            type Value = YamlNumber;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<YamlNumber, E> {
                Ok(YamlNumber::Finite(Decimal::from(v)))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<YamlNumber, E> {
                Ok(YamlNumber::Finite(Decimal::from(v)))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<YamlNumber, E> {
                if !v.is_finite() {
                    return Ok(YamlNumber::NonFinite(v));
                }
                // Rust's `Display` for f64 is the shortest round-trip form,
                // without exponent.
                let literal = v.to_string();
                if significant_digits(&literal) > 15 {
                    return Err(E::custom(format!(
                        "{literal} has more than 15 significant digits and cannot be read exactly"
                    )));
                }
                literal
                    .parse::<Decimal>()
                    .map(YamlNumber::Finite)
                    .map_err(|_| E::custom(format!("{literal} is out of the supported range")))
            }
        }

        deserializer.deserialize_any(NumberVisitor)
    }
}

/// The whole registry file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryFile {
    /// `providers.<provider>`.
    pub providers: UniqueMap<ProviderFile>,
    /// `routing.<task>`; may be absent (no routes).
    #[serde(default)]
    pub routing: UniqueMap<RouteFile>,
    /// `budgets`.
    pub budgets: BudgetsFile,
    /// Loaded and shown, not acted on.
    pub retry: Option<Retry>,
    /// Loaded and shown, not acted on.
    pub timeouts: Option<Timeouts>,
    /// Loaded and shown, not acted on.
    pub caching: Option<Caching>,
    /// Loaded and shown, not acted on.
    pub monitoring: Option<Monitoring>,
    /// Loaded and shown, not acted on.
    pub metadata: Option<Metadata>,
}

/// `providers.<provider>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderFile {
    /// `providers.<provider>.models.<model>`.
    pub models: UniqueMap<ModelFile>,
}

/// `providers.<provider>.models.<model>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// Pinned version, always a string (`1.10` stays `1.10`).
    pub version: String,
    /// Tokens of input plus output the model accepts.
    pub context_window: u64,
    /// Most output tokens per request.
    pub max_output: u64,
    /// USD per 1M input tokens.
    pub cost_per_1m_input: YamlNumber,
    /// USD per 1M output tokens.
    pub cost_per_1m_output: YamlNumber,
    /// Provider quotas (shown, not enforced).
    pub rate_limits: RateLimits,
    /// Free-form task labels.
    #[serde(default)]
    pub recommended_for: Vec<String>,
    /// Retired or retiring: `route` skips it unless `--allow-deprecated`.
    #[serde(default)]
    pub deprecated: bool,
    /// Free text, e.g. what to use instead.
    pub deprecation_note: Option<String>,
}

/// `rate_limits` of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimits {
    /// Requests per minute.
    pub requests_per_minute: u64,
    /// Tokens per minute.
    pub tokens_per_minute: u64,
    /// Tokens per day.
    pub tokens_per_day: u64,
}

/// `routing.<task>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteFile {
    /// First model id to try.
    pub primary: String,
    /// Model ids tried next, in order.
    #[serde(default)]
    pub fallback: Vec<String>,
    /// Cost cap in USD for one request of this task.
    pub max_cost_per_request: YamlNumber,
}

/// `budgets`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetsFile {
    /// USD per UTC day.
    pub daily_usd_limit: YamlNumber,
    /// USD per request.
    pub per_request_usd_limit: YamlNumber,
    /// USD per month.
    pub monthly_usd_limit: YamlNumber,
    /// Percent of a limit from which the status is `warning`.
    pub warning_threshold_pct: YamlNumber,
    /// Percent of a limit from which the status is `critical`.
    pub critical_threshold_pct: YamlNumber,
}

/// `retry` (shown, not acted on).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Attempts in all.
    pub max_attempts: u64,
    /// First back-off delay.
    pub initial_delay_seconds: f64,
    /// Whether the delay doubles.
    pub exponential_backoff: bool,
    /// Longest delay.
    pub max_delay_seconds: f64,
    /// Error kinds that are retried.
    #[serde(default)]
    pub retry_on: Vec<String>,
    /// Error kinds that are not retried.
    #[serde(default)]
    pub no_retry_on: Vec<String>,
}

/// `timeouts` (shown, not acted on).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Timeouts {
    /// Connect timeout.
    pub connection_seconds: f64,
    /// Read timeout.
    pub read_seconds: f64,
    /// Whole-request timeout.
    pub total_seconds: f64,
}

/// `caching` (shown, not acted on).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Caching {
    /// Whether responses are cached.
    pub enabled: bool,
    /// Time to live.
    pub ttl_seconds: u64,
    /// Similarity from which a cached answer is reused.
    pub semantic_similarity_threshold: f64,
    /// Cache size cap.
    pub max_cache_size_mb: u64,
}

/// `monitoring` (shown, not acted on).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    /// Log every request.
    pub log_all_requests: bool,
    /// Log token counts.
    pub log_token_usage: bool,
    /// Log costs.
    pub log_costs: bool,
    /// Track latency.
    pub track_latency: bool,
    /// Alert on costly requests.
    pub alert_on_high_cost: bool,
    /// Alert when a quota runs out.
    pub alert_on_quota_exceeded: bool,
    /// Alert on repeated failures.
    pub alert_on_repeated_failures: bool,
}

/// `metadata` (shown, not acted on).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Version of the registry's content.
    pub config_version: String,
    /// Date of the last review, as written.
    pub last_updated: String,
    /// Who reviewed it.
    pub reviewed_by: String,
    /// Free-text notes.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Parses registry YAML strictly. The first parse error stops parsing and is
/// returned as a [`Problem`] naming its YAML path and line/column.
pub fn parse(text: &str) -> Result<RegistryFile, Problem> {
    let deserializer = serde_yaml::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let inner = e.into_inner();
        let location = inner.location().map(|l| (l.line(), l.column()));
        let message = strip_yaml_decorations(&inner.to_string(), &path, location);
        Problem {
            location,
            ..Problem::error(path, message)
        }
    })
}

/// serde_yaml's message reads `<its path>: <message> at line L column C`;
/// keep only `<message>` (we print our own, more precise, path and location).
fn strip_yaml_decorations(text: &str, path: &str, location: Option<(usize, usize)>) -> String {
    let mut message = text;
    if let Some((line, column)) = location {
        let suffix = format!(" at line {line} column {column}");
        message = message.strip_suffix(suffix.as_str()).unwrap_or(message);
    }
    // serde_yaml's own path is our path or one of its ancestors.
    let mut prefixes: Vec<&str> = vec![path];
    for (i, c) in path.char_indices() {
        if c == '.' || c == '[' {
            prefixes.push(&path[..i]);
        }
    }
    for prefix in prefixes.into_iter().filter(|p| !p.is_empty()) {
        if let Some(rest) = message
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix(": "))
        {
            return rest.to_string();
        }
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits_ignore_sign_point_and_outer_zeros() {
        assert_eq!(significant_digits("-0.00120"), 2);
        assert_eq!(significant_digits("1000"), 1);
        assert_eq!(significant_digits("0.1234567890123456"), 16);
        assert_eq!(significant_digits("0"), 0);
    }

    #[test]
    fn strips_yaml_path_and_location() {
        assert_eq!(
            strip_yaml_decorations(
                "models.a: unknown field `x` at line 5 column 5",
                "models.a.x",
                Some((5, 5))
            ),
            "unknown field `x`"
        );
        assert_eq!(
            strip_yaml_decorations("missing field `providers`", "", None),
            "missing field `providers`"
        );
    }
}
