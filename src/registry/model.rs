//! The validated registry and the rules of SPEC §9 that make it valid.
//!
//! [`validate`] turns a parsed [`RegistryFile`] into a [`Registry`] whose
//! numbers are known to be finite, exact and consistent, reporting every
//! problem at once, each named by its YAML path.

use rust_decimal::Decimal;

use super::error::Problem;
use super::yaml::{
    BudgetsFile, Caching, Metadata, Monitoring, RateLimits, RegistryFile, Retry, Timeouts,
    YamlNumber,
};

/// A price above this many USD per 1M tokens is probably a unit mistake
/// (per 1K tokens written as per 1M): a warning.
pub const PRICE_WARNING_USD_PER_1M: u32 = 1000;

/// One model, id `provider/model`.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// `provider/model`.
    pub id: String,
    /// Key under `providers`.
    pub provider: String,
    /// Key under `providers.<provider>.models`.
    pub name: String,
    /// Pinned version string, as written.
    pub version: String,
    /// Input plus output tokens accepted (> 0).
    pub context_window: u64,
    /// Output tokens per request (> 0, <= `context_window`).
    pub max_output: u64,
    /// USD per 1M input tokens (finite, >= 0).
    pub cost_per_1m_input: Decimal,
    /// USD per 1M output tokens (finite, >= 0).
    pub cost_per_1m_output: Decimal,
    /// Provider quotas (shown, not enforced).
    pub rate_limits: RateLimits,
    /// Free-form task labels.
    pub recommended_for: Vec<String>,
    /// `route` skips it unless `--allow-deprecated`.
    pub deprecated: bool,
    /// Free text about the deprecation.
    pub deprecation_note: Option<String>,
}

/// The route of one task: primary, then fallbacks, under a cost cap.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Key under `routing`.
    pub task: String,
    /// Model id tried first.
    pub primary: String,
    /// Model ids tried next, in order.
    pub fallback: Vec<String>,
    /// USD cap for one request of this task (>= 0).
    pub max_cost_per_request: Decimal,
}

impl Route {
    /// Primary then fallbacks.
    pub fn chain(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.primary.as_str()).chain(self.fallback.iter().map(String::as_str))
    }
}

/// Spending limits (USD, > 0, per_request <= daily <= monthly) and alert
/// thresholds (percent, 0 <= warning < critical <= 100).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budgets {
    /// USD per day.
    pub daily_usd_limit: Decimal,
    /// USD per request.
    pub per_request_usd_limit: Decimal,
    /// USD per month.
    pub monthly_usd_limit: Decimal,
    /// Percent of a limit from which the status is `warning`.
    pub warning_threshold_pct: Decimal,
    /// Percent of a limit from which the status is `critical`.
    pub critical_threshold_pct: Decimal,
}

/// A registry that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Registry {
    /// Every model, in file order (providers in file order, then models).
    pub models: Vec<Model>,
    /// Every route, in file order.
    pub routes: Vec<Route>,
    /// Spending limits.
    pub budgets: Budgets,
    /// Shown, not acted on.
    pub retry: Option<Retry>,
    /// Shown, not acted on.
    pub timeouts: Option<Timeouts>,
    /// Shown, not acted on.
    pub caching: Option<Caching>,
    /// Shown, not acted on.
    pub monitoring: Option<Monitoring>,
    /// Shown, not acted on.
    pub metadata: Option<Metadata>,
}

impl Registry {
    /// The model with this `provider/model` id.
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The route of this task.
    pub fn route(&self, task: &str) -> Option<&Route> {
        self.routes.iter().find(|r| r.task == task)
    }

    /// Provider names in file order, each once.
    pub fn providers(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for m in &self.models {
            if !names.contains(&m.provider.as_str()) {
                names.push(&m.provider);
            }
        }
        names
    }

    /// Every model id, in file order.
    pub fn model_ids(&self) -> Vec<String> {
        self.models.iter().map(|m| m.id.clone()).collect()
    }

    /// Every routed task, in file order.
    pub fn tasks(&self) -> Vec<String> {
        self.routes.iter().map(|r| r.task.clone()).collect()
    }
}

/// Result of [`validate`]: the registry when there is no error, and every
/// problem found (errors and warnings, in file order).
#[derive(Debug, Clone)]
pub struct Validation {
    /// `Some` exactly when `problems` holds no error.
    pub registry: Option<Registry>,
    /// Errors and warnings.
    pub problems: Vec<Problem>,
}

/// Checks a finite number; reports `.nan`/`.inf`.
fn finite(n: YamlNumber, path: &str, problems: &mut Vec<Problem>) -> Option<Decimal> {
    match n {
        YamlNumber::Finite(d) => Some(d),
        YamlNumber::NonFinite(v) => {
            let what = if v.is_nan() { "NaN" } else { "infinity" };
            problems.push(Problem::error(
                path,
                format!("{what} is not a finite number"),
            ));
            None
        }
    }
}

/// Checks a finite, non-negative amount.
fn non_negative(n: YamlNumber, path: &str, problems: &mut Vec<Problem>) -> Option<Decimal> {
    let d = finite(n, path, problems)?;
    if d.is_sign_negative() && !d.is_zero() {
        problems.push(Problem::error(path, format!("{d} must not be negative")));
        return None;
    }
    Some(d)
}

/// Checks a finite, positive amount.
fn positive(n: YamlNumber, path: &str, problems: &mut Vec<Problem>) -> Option<Decimal> {
    let d = non_negative(n, path, problems)?;
    if d.is_zero() {
        problems.push(Problem::error(path, "must be greater than 0"));
        return None;
    }
    Some(d)
}

/// Provider and model names make up ids `provider/model`: no `/`, no
/// whitespace, not empty.
fn check_name(name: &str, path: &str, what: &str, problems: &mut Vec<Problem>) -> bool {
    let ok = !name.is_empty() && !name.contains('/') && !name.chars().any(char::is_whitespace);
    if !ok {
        problems.push(Problem::error(
            path,
            format!("{what} name {name:?} must be non-empty, without '/' or whitespace"),
        ));
    }
    ok
}

fn price(n: YamlNumber, path: &str, problems: &mut Vec<Problem>) -> Option<Decimal> {
    let d = non_negative(n, path, problems)?;
    if d > Decimal::from(PRICE_WARNING_USD_PER_1M) {
        problems.push(Problem::warning(
            path,
            format!(
                "{d} USD per 1M tokens is above {PRICE_WARNING_USD_PER_1M}; check the unit (prices are per 1M tokens, not per 1K)"
            ),
        ));
    }
    Some(d)
}

fn validate_budgets(b: &BudgetsFile, problems: &mut Vec<Problem>) -> Option<Budgets> {
    let daily = positive(b.daily_usd_limit, "budgets.daily_usd_limit", problems);
    let per_request = positive(
        b.per_request_usd_limit,
        "budgets.per_request_usd_limit",
        problems,
    );
    let monthly = positive(b.monthly_usd_limit, "budgets.monthly_usd_limit", problems);
    let warning = non_negative(
        b.warning_threshold_pct,
        "budgets.warning_threshold_pct",
        problems,
    );
    let critical = non_negative(
        b.critical_threshold_pct,
        "budgets.critical_threshold_pct",
        problems,
    );

    let mut ok = true;
    if let (Some(per_request), Some(daily)) = (per_request, daily) {
        if per_request > daily {
            problems.push(Problem::error(
                "budgets.per_request_usd_limit",
                format!("{per_request} is above daily_usd_limit {daily}; limits must be ordered per_request <= daily <= monthly"),
            ));
            ok = false;
        }
    }
    if let (Some(daily), Some(monthly)) = (daily, monthly) {
        if daily > monthly {
            problems.push(Problem::error(
                "budgets.daily_usd_limit",
                format!("{daily} is above monthly_usd_limit {monthly}; limits must be ordered per_request <= daily <= monthly"),
            ));
            ok = false;
        }
    }
    if let Some(critical) = critical {
        if critical > Decimal::ONE_HUNDRED {
            problems.push(Problem::error(
                "budgets.critical_threshold_pct",
                format!("{critical} is above 100"),
            ));
            ok = false;
        }
    }
    if let (Some(warning), Some(critical)) = (warning, critical) {
        if warning >= critical {
            problems.push(Problem::error(
                "budgets.warning_threshold_pct",
                format!("{warning} must be below critical_threshold_pct {critical}"),
            ));
            ok = false;
        }
    }
    match (daily, per_request, monthly, warning, critical, ok) {
        (Some(d), Some(p), Some(m), Some(w), Some(c), true) => Some(Budgets {
            daily_usd_limit: d,
            per_request_usd_limit: p,
            monthly_usd_limit: m,
            warning_threshold_pct: w,
            critical_threshold_pct: c,
        }),
        _ => None,
    }
}

/// Checks every rule of SPEC §9 and reports every problem at once.
///
/// Errors: non-finite or negative prices and caps; zero `context_window` or
/// `max_output`; `max_output` above `context_window`; empty versions; bad
/// provider/model names; unknown model ids in routes; non-positive limits;
/// limits not ordered per_request <= daily <= monthly; critical threshold above
/// 100; warning threshold not below critical. Warnings: a price above
/// [`PRICE_WARNING_USD_PER_1M`]; a model repeated within one route.
/// (Duplicate keys, unknown fields and wrong types are parse errors.)
pub fn validate(file: &RegistryFile) -> Validation {
    let mut problems = Vec::new();
    let mut models = Vec::new();

    for (provider, p) in file.providers.iter() {
        let ppath = format!("providers.{provider}");
        let provider_ok = check_name(provider, &ppath, "provider", &mut problems);
        for (name, m) in p.models.iter() {
            let mpath = format!("{ppath}.models.{name}");
            let name_ok = check_name(name, &mpath, "model", &mut problems);
            let mut ok = provider_ok && name_ok;
            if m.version.trim().is_empty() {
                problems.push(Problem::error(
                    format!("{mpath}.version"),
                    "must not be empty",
                ));
                ok = false;
            }
            if m.context_window == 0 {
                problems.push(Problem::error(
                    format!("{mpath}.context_window"),
                    "must be greater than 0",
                ));
                ok = false;
            }
            if m.max_output == 0 {
                problems.push(Problem::error(
                    format!("{mpath}.max_output"),
                    "must be greater than 0",
                ));
                ok = false;
            } else if m.context_window > 0 && m.max_output > m.context_window {
                problems.push(Problem::error(
                    format!("{mpath}.max_output"),
                    format!(
                        "{} is above context_window {}",
                        m.max_output, m.context_window
                    ),
                ));
                ok = false;
            }
            let cost_in = price(
                m.cost_per_1m_input,
                &format!("{mpath}.cost_per_1m_input"),
                &mut problems,
            );
            let cost_out = price(
                m.cost_per_1m_output,
                &format!("{mpath}.cost_per_1m_output"),
                &mut problems,
            );
            if let (Some(cost_in), Some(cost_out), true) = (cost_in, cost_out, ok) {
                models.push(Model {
                    id: format!("{provider}/{name}"),
                    provider: provider.to_string(),
                    name: name.to_string(),
                    version: m.version.clone(),
                    context_window: m.context_window,
                    max_output: m.max_output,
                    cost_per_1m_input: cost_in,
                    cost_per_1m_output: cost_out,
                    rate_limits: m.rate_limits,
                    recommended_for: m.recommended_for.clone(),
                    deprecated: m.deprecated,
                    deprecation_note: m.deprecation_note.clone(),
                });
            }
        }
    }

    // Ids are checked against every declared model, also those with other
    // problems, so one bad price does not make every route "unknown".
    let declared: Vec<String> = file
        .providers
        .iter()
        .flat_map(|(p, pf)| pf.models.iter().map(move |(m, _)| format!("{p}/{m}")))
        .collect();

    let mut routes = Vec::new();
    for (task, r) in file.routing.iter() {
        let rpath = format!("routing.{task}");
        let mut ok = true;
        let mut seen: Vec<&str> = Vec::new();
        let hops = std::iter::once((format!("{rpath}.primary"), r.primary.as_str())).chain(
            r.fallback
                .iter()
                .enumerate()
                .map(|(i, id)| (format!("{rpath}.fallback[{i}]"), id.as_str())),
        );
        for (path, id) in hops {
            if !declared.iter().any(|d| d == id) {
                problems.push(Problem::error(path, format!("unknown model {id:?}")));
                ok = false;
            } else if seen.contains(&id) {
                problems.push(Problem::warning(
                    path,
                    format!("{id:?} already appears earlier in this route"),
                ));
            }
            seen.push(id);
        }
        let cap = non_negative(
            r.max_cost_per_request,
            &format!("{rpath}.max_cost_per_request"),
            &mut problems,
        );
        if let (Some(cap), true) = (cap, ok) {
            routes.push(Route {
                task: task.to_string(),
                primary: r.primary.clone(),
                fallback: r.fallback.clone(),
                max_cost_per_request: cap,
            });
        }
    }

    let budgets = validate_budgets(&file.budgets, &mut problems);

    let has_error = problems
        .iter()
        .any(|p| p.severity == super::error::Severity::Error);
    let registry = match (has_error, budgets) {
        (false, Some(budgets)) => Some(Registry {
            models,
            routes,
            budgets,
            retry: file.retry.clone(),
            timeouts: file.timeouts.clone(),
            caching: file.caching.clone(),
            monitoring: file.monitoring.clone(),
            metadata: file.metadata.clone(),
        }),
        _ => None,
    };
    Validation { registry, problems }
}
