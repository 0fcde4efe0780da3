//! Text and JSON renderings of the registry look-ups. Each report has one
//! `*_json` function building a [`Json`] tree and one `*_text` function
//! writing aligned text; both carry the same content.

use std::io::{self, Write};

use super::error::{Problem, Severity};
use super::json::{object, Json};
use super::lookup::{BudgetReport, CostReport, Hop, RouteDecision};
use super::model::{Model, Registry};
use super::money::{pct_digits, plain_digits, usd};

/// Formats rows as a table: columns two spaces apart, numbers right-aligned
/// (`right[i]`), no trailing spaces.
pub(crate) fn table(headers: &[&str], right: &[bool], rows: &[Vec<String>]) -> String {
    let columns = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let header_row: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header_row).chain(rows.iter()) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate().take(columns) {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = widths[i].saturating_sub(cell.chars().count());
            if right.get(i).copied().unwrap_or(false) {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// Key/value lines with the values aligned.
fn key_values(pairs: &[(&str, String)]) -> String {
    let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    pairs
        .iter()
        .map(|(k, v)| format!("{k:width$}  {v}\n").replace(" \n", "\n"))
        .collect()
}

// ---------------------------------------------------------------- models

/// A model as JSON (every field of the registry, plus `id`).
pub(crate) fn model_json(m: &Model) -> Json {
    object([
        ("id", Json::str(&m.id)),
        ("provider", Json::str(&m.provider)),
        ("model", Json::str(&m.name)),
        ("version", Json::str(&m.version)),
        ("context_window", Json::UInt(m.context_window.into())),
        ("max_output", Json::UInt(m.max_output.into())),
        ("cost_per_1m_input", Json::money(m.cost_per_1m_input)),
        ("cost_per_1m_output", Json::money(m.cost_per_1m_output)),
        (
            "rate_limits",
            object([
                (
                    "requests_per_minute",
                    Json::UInt(m.rate_limits.requests_per_minute.into()),
                ),
                (
                    "tokens_per_minute",
                    Json::UInt(m.rate_limits.tokens_per_minute.into()),
                ),
                (
                    "tokens_per_day",
                    Json::UInt(m.rate_limits.tokens_per_day.into()),
                ),
            ]),
        ),
        ("recommended_for", Json::strs(&m.recommended_for)),
        ("deprecated", Json::Bool(m.deprecated)),
        (
            "deprecation_note",
            Json::opt_str(m.deprecation_note.as_deref()),
        ),
    ])
}

fn status_word(m: &Model) -> &'static str {
    if m.deprecated {
        "deprecated"
    } else {
        "active"
    }
}

/// `models list` as JSON.
pub(crate) fn list_json(origin: &str, models: &[&Model]) -> Json {
    object([
        ("registry", Json::str(origin)),
        (
            "models",
            Json::Array(models.iter().map(|m| model_json(m)).collect()),
        ),
    ])
}

/// `models list` as an aligned table.
pub(crate) fn list_text(out: &mut dyn Write, origin: &str, models: &[&Model]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = models
        .iter()
        .map(|m| {
            vec![
                m.id.clone(),
                m.version.clone(),
                m.context_window.to_string(),
                m.max_output.to_string(),
                usd(m.cost_per_1m_input),
                usd(m.cost_per_1m_output),
                status_word(m).to_string(),
            ]
        })
        .collect();
    out.write_all(
        table(
            &[
                "MODEL",
                "VERSION",
                "CONTEXT",
                "MAX OUTPUT",
                "$/1M IN",
                "$/1M OUT",
                "STATUS",
            ],
            &[false, false, true, true, true, true, false],
            &rows,
        )
        .as_bytes(),
    )?;
    for m in models.iter().filter(|m| m.deprecated) {
        match &m.deprecation_note {
            Some(note) => writeln!(out, "note: {} is deprecated: {note}", m.id)?,
            None => writeln!(out, "note: {} is deprecated", m.id)?,
        }
    }
    let mut providers: Vec<&str> = models.iter().map(|m| m.provider.as_str()).collect();
    providers.dedup();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    writeln!(
        out,
        "{} from {} ({origin}); prices in USD per 1M tokens",
        plural(models.len(), "model"),
        plural(providers.len(), "provider")
    )
}

/// Routes that use a model: `(task, role)`.
fn routes_using<'r>(registry: &'r Registry, id: &str) -> Vec<(&'r str, String)> {
    let mut uses = Vec::new();
    for r in &registry.routes {
        for (i, hop) in r.chain().enumerate() {
            if hop == id {
                let role = if i == 0 {
                    "primary".to_string()
                } else {
                    format!("fallback[{}]", i - 1)
                };
                uses.push((r.task.as_str(), role));
            }
        }
    }
    uses
}

/// `models show` as JSON: the model plus the routes using it.
pub(crate) fn show_json(registry: &Registry, m: &Model) -> Json {
    let routes = routes_using(registry, &m.id)
        .into_iter()
        .map(|(task, role)| object([("task", Json::str(task)), ("role", Json::str(role))]))
        .collect();
    let mut value = model_json(m);
    if let Json::Object(map) = &mut value {
        map.insert("routes".to_string(), Json::Array(routes));
    }
    value
}

/// `models show` as key/value lines.
pub(crate) fn show_text(out: &mut dyn Write, registry: &Registry, m: &Model) -> io::Result<()> {
    let routes: Vec<String> = routes_using(registry, &m.id)
        .into_iter()
        .map(|(task, role)| format!("{task} ({role})"))
        .collect();
    let deprecated = match (&m.deprecated, &m.deprecation_note) {
        (true, Some(note)) => format!("yes: {note}"),
        (true, None) => "yes".to_string(),
        (false, _) => "no".to_string(),
    };
    let pairs = [
        ("id", m.id.clone()),
        ("provider", m.provider.clone()),
        ("model", m.name.clone()),
        ("version", m.version.clone()),
        ("context_window", format!("{} tokens", m.context_window)),
        ("max_output", format!("{} tokens", m.max_output)),
        ("cost_per_1m_input", usd(m.cost_per_1m_input)),
        ("cost_per_1m_output", usd(m.cost_per_1m_output)),
        (
            "rate_limits",
            format!(
                "{} requests/min, {} tokens/min, {} tokens/day",
                m.rate_limits.requests_per_minute,
                m.rate_limits.tokens_per_minute,
                m.rate_limits.tokens_per_day
            ),
        ),
        ("recommended_for", m.recommended_for.join(", ")),
        ("deprecated", deprecated),
        (
            "routes",
            if routes.is_empty() {
                "none".to_string()
            } else {
                routes.join(", ")
            },
        ),
    ];
    out.write_all(key_values(&pairs).as_bytes())
}

// ---------------------------------------------------------------- cost

/// `models cost` as JSON.
pub(crate) fn cost_json(r: &CostReport) -> Json {
    object([
        ("model", Json::str(&r.model.id)),
        ("version", Json::str(&r.model.version)),
        ("input_tokens", Json::UInt(r.input_tokens.into())),
        ("output_tokens", Json::UInt(r.output_tokens.into())),
        ("cost_per_1m_input", Json::money(r.model.cost_per_1m_input)),
        (
            "cost_per_1m_output",
            Json::money(r.model.cost_per_1m_output),
        ),
        ("input_cost", Json::money(r.cost.input_cost)),
        ("output_cost", Json::money(r.cost.output_cost)),
        ("cost", Json::money(r.cost.total)),
        (
            "per_request_usd_limit",
            Json::money(r.per_request_usd_limit),
        ),
        (
            "within_per_request_limit",
            Json::Bool(r.within_per_request_limit),
        ),
    ])
}

/// `models cost` as key/value lines.
pub(crate) fn cost_text(out: &mut dyn Write, r: &CostReport) -> io::Result<()> {
    let fits = if r.within_per_request_limit {
        "within"
    } else {
        "over"
    };
    let pairs = [
        ("model", format!("{} ({})", r.model.id, r.model.version)),
        (
            "input",
            format!(
                "{} tokens x {} / 1M = {}",
                r.input_tokens,
                usd(r.model.cost_per_1m_input),
                usd(r.cost.input_cost)
            ),
        ),
        (
            "output",
            format!(
                "{} tokens x {} / 1M = {}",
                r.output_tokens,
                usd(r.model.cost_per_1m_output),
                usd(r.cost.output_cost)
            ),
        ),
        ("cost", usd(r.cost.total)),
        (
            "per-request limit",
            format!("{} ({fits})", usd(r.per_request_usd_limit)),
        ),
    ];
    out.write_all(key_values(&pairs).as_bytes())
}

// ---------------------------------------------------------------- route

fn hop_json(h: &Hop) -> Json {
    object([
        ("model", Json::str(&h.id)),
        ("role", Json::str(h.role.label())),
        ("cost", Json::money(h.cost)),
        (
            "reasons",
            Json::Array(
                h.reasons
                    .iter()
                    .map(|r| {
                        object([
                            ("kind", Json::str(r.kind())),
                            ("message", Json::str(r.message())),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

/// `models route` as JSON: `chosen` (null when none qualifies) and every
/// skipped model with its reasons.
pub(crate) fn route_json(d: &RouteDecision) -> Json {
    object([
        ("task", Json::str(&d.task)),
        ("input_tokens", Json::UInt(d.input_tokens.into())),
        ("output_tokens", Json::UInt(d.output_tokens.into())),
        ("max_cost_per_request", Json::money(d.max_cost_per_request)),
        (
            "per_request_usd_limit",
            Json::money(d.per_request_usd_limit),
        ),
        ("cap", Json::money(d.cap)),
        ("allow_deprecated", Json::Bool(d.allow_deprecated)),
        ("chosen", d.chosen().map_or(Json::Null, hop_json)),
        (
            "skipped",
            Json::Array(d.skipped().iter().map(hop_json).collect()),
        ),
    ])
}

/// `models route` as text: the hops tried, then the decision.
pub(crate) fn route_text(out: &mut dyn Write, d: &RouteDecision) -> io::Result<()> {
    writeln!(
        out,
        "task {}: {} input + {} output tokens; cap {} = min(max_cost_per_request {}, per_request_usd_limit {})",
        d.task,
        d.input_tokens,
        d.output_tokens,
        usd(d.cap),
        usd(d.max_cost_per_request),
        usd(d.per_request_usd_limit)
    )?;
    let rows: Vec<Vec<String>> = d
        .hops
        .iter()
        .map(|h| {
            let result = if h.reasons.is_empty() {
                "chosen".to_string()
            } else {
                let reasons: Vec<String> = h.reasons.iter().map(|r| r.message()).collect();
                format!("skipped: {}", reasons.join("; "))
            };
            vec![h.role.label(), h.id.clone(), usd(h.cost), result]
        })
        .collect();
    out.write_all(
        table(
            &["ROLE", "MODEL", "COST", "RESULT"],
            &[false, false, true, false],
            &rows,
        )
        .as_bytes(),
    )?;
    match d.chosen() {
        Some(h) => writeln!(out, "chosen: {} ({})", h.id, usd(h.cost)),
        None => writeln!(out, "no model qualifies for task {}", d.task),
    }
}

// ---------------------------------------------------------------- budget

/// `models budget` as JSON.
pub(crate) fn budget_json(r: &BudgetReport) -> Json {
    let windows = r
        .windows
        .iter()
        .map(|w| {
            (
                w.name.to_string(),
                object([
                    ("spent", Json::money(w.spent)),
                    ("limit", Json::money(w.limit)),
                    ("pct", Json::pct(w.pct)),
                    ("status", Json::str(w.status.as_str())),
                ]),
            )
        })
        .collect();
    object([
        ("status", Json::str(r.status.as_str())),
        (
            "warning_threshold_pct",
            Json::decimal(r.warning_threshold_pct),
        ),
        (
            "critical_threshold_pct",
            Json::decimal(r.critical_threshold_pct),
        ),
        ("windows", Json::Object(windows)),
    ])
}

/// `models budget` as an aligned table plus the overall status.
pub(crate) fn budget_text(out: &mut dyn Write, r: &BudgetReport) -> io::Result<()> {
    let rows: Vec<Vec<String>> = r
        .windows
        .iter()
        .map(|w| {
            vec![
                w.name.to_string(),
                usd(w.spent),
                usd(w.limit),
                format!("{}%", pct_digits(w.pct)),
                w.status.as_str().to_string(),
            ]
        })
        .collect();
    out.write_all(
        table(
            &["WINDOW", "SPENT", "LIMIT", "USED", "STATUS"],
            &[false, true, true, true, false],
            &rows,
        )
        .as_bytes(),
    )?;
    writeln!(
        out,
        "status: {} (warning at {}%, critical at {}%)",
        r.status.as_str(),
        plain_digits(r.warning_threshold_pct),
        plain_digits(r.critical_threshold_pct)
    )
}

// ---------------------------------------------------------------- validate

fn problem_json(p: &Problem) -> Json {
    let (line, column) = match p.location {
        Some((l, c)) => (Json::UInt(l as u128), Json::UInt(c as u128)),
        None => (Json::Null, Json::Null),
    };
    object([
        ("severity", Json::str(p.severity.as_str())),
        ("path", Json::str(&p.path)),
        ("message", Json::str(&p.message)),
        ("line", line),
        ("column", column),
    ])
}

/// The sections loaded and shown but not acted on, as JSON (`null` when
/// absent from the file).
pub(crate) fn settings_json(registry: &Registry) -> Json {
    fn section<T: serde::Serialize>(s: &Option<T>) -> Json {
        match s.as_ref().map(serde_json::to_value) {
            Some(Ok(v)) => Json::from_value(&v),
            _ => Json::Null,
        }
    }
    object([
        ("retry", section(&registry.retry)),
        ("timeouts", section(&registry.timeouts)),
        ("caching", section(&registry.caching)),
        ("monitoring", section(&registry.monitoring)),
        ("metadata", section(&registry.metadata)),
    ])
}

fn counts(problems: &[Problem]) -> (usize, usize) {
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    (errors, problems.len() - errors)
}

/// `models validate` as JSON.
pub(crate) fn validate_json(
    origin: &str,
    registry: Option<&Registry>,
    problems: &[Problem],
    valid: bool,
) -> Json {
    let (errors, warnings) = counts(problems);
    let summary = registry.map_or(Json::Null, |r| {
        object([
            ("providers", Json::UInt(r.providers().len() as u128)),
            ("models", Json::UInt(r.models.len() as u128)),
            ("routes", Json::UInt(r.routes.len() as u128)),
        ])
    });
    object([
        ("registry", Json::str(origin)),
        ("valid", Json::Bool(valid)),
        ("errors", Json::UInt(errors as u128)),
        ("warnings", Json::UInt(warnings as u128)),
        (
            "problems",
            Json::Array(problems.iter().map(problem_json).collect()),
        ),
        ("summary", summary),
        ("settings", registry.map_or(Json::Null, settings_json)),
    ])
}

/// Flattens a JSON value into `key value` text for the settings block.
fn flat_text(v: &Json) -> String {
    match v {
        Json::Null => "null".to_string(),
        Json::Bool(b) => b.to_string(),
        Json::UInt(u) => u.to_string(),
        Json::Float(f) => serde_json::to_string(f).unwrap_or_else(|_| "null".to_string()),
        Json::Decimal(d) => d.clone(),
        Json::Str(s) => s.clone(),
        Json::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|item| match item {
                    Json::Str(s) => serde_json::to_string(s).unwrap_or_else(|_| s.clone()),
                    other => flat_text(other),
                })
                .collect();
            format!("[{}]", items.join(", "))
        }
        Json::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}={}", flat_text(v)))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// `models validate` as text: every problem, a verdict, and (when valid) a
/// summary with the sections that are shown but not acted on.
pub(crate) fn validate_text(
    out: &mut dyn Write,
    origin: &str,
    registry: Option<&Registry>,
    problems: &[Problem],
    valid: bool,
) -> io::Result<()> {
    for p in problems {
        writeln!(out, "{}: {p}", p.severity.as_str())?;
    }
    let (errors, warnings) = counts(problems);
    let verdict = if valid { "OK" } else { "INVALID" };
    write!(
        out,
        "{origin}: {verdict} ({errors} error{}, {warnings} warning{}",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" }
    )?;
    if let Some(r) = registry {
        write!(
            out,
            "; {} providers, {} models, {} routes",
            r.providers().len(),
            r.models.len(),
            r.routes.len()
        )?;
    }
    writeln!(out, ")")?;
    if let Some(r) = registry {
        writeln!(out, "settings (loaded, not acted on):")?;
        if let Json::Object(sections) = settings_json(r) {
            for (name, value) in sections {
                writeln!(out, "  {name}: {}", flat_text(&value))?;
            }
        }
    }
    Ok(())
}
