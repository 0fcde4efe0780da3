//! Cost, route and budget look-ups over a validated [`Registry`] (SPEC §9).
//! Pure functions: they compute results; rendering is elsewhere.

use rust_decimal::Decimal;

use super::error::RegistryError;
use super::model::{Budgets, Model, Registry};
use super::money::{exact_add, exact_mul, token_cost};

/// The exact cost of one request on one model.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestCost {
    /// `input_tokens × cost_per_1m_input / 10^6`.
    pub input_cost: Decimal,
    /// `output_tokens × cost_per_1m_output / 10^6`.
    pub output_cost: Decimal,
    /// `input_cost + output_cost`.
    pub total: Decimal,
}

/// `cost = I × cost_in / 10^6 + O × cost_out / 10^6`, exactly.
pub fn request_cost(
    model: &Model,
    input_tokens: u64,
    output_tokens: u64,
) -> Result<RequestCost, RegistryError> {
    let what = format!(
        "the cost of {} on {}",
        token_pair(input_tokens, output_tokens),
        model.id
    );
    let input_cost = token_cost(input_tokens, model.cost_per_1m_input, &what)?;
    let output_cost = token_cost(output_tokens, model.cost_per_1m_output, &what)?;
    let total = exact_add(input_cost, output_cost, &what)?;
    Ok(RequestCost {
        input_cost,
        output_cost,
        total,
    })
}

fn token_pair(input_tokens: u64, output_tokens: u64) -> String {
    format!("{input_tokens} input + {output_tokens} output tokens")
}

/// Answer of `models cost`.
#[derive(Debug, Clone, PartialEq)]
pub struct CostReport {
    /// The model priced.
    pub model: Model,
    /// Input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// The exact cost.
    pub cost: RequestCost,
    /// `budgets.per_request_usd_limit`.
    pub per_request_usd_limit: Decimal,
    /// `cost.total <= per_request_usd_limit` (equal fits).
    pub within_per_request_limit: bool,
}

/// Looks a model up by id, or lists the known ids.
pub fn find_model<'r>(registry: &'r Registry, id: &str) -> Result<&'r Model, RegistryError> {
    registry
        .model(id)
        .ok_or_else(|| RegistryError::UnknownModel {
            id: id.to_string(),
            known: registry.model_ids(),
        })
}

/// `models cost ID --input-tokens I --output-tokens O`.
pub fn cost(
    registry: &Registry,
    id: &str,
    input_tokens: u64,
    output_tokens: u64,
) -> Result<CostReport, RegistryError> {
    let model = find_model(registry, id)?;
    let cost = request_cost(model, input_tokens, output_tokens)?;
    let limit = registry.budgets.per_request_usd_limit;
    Ok(CostReport {
        model: model.clone(),
        input_tokens,
        output_tokens,
        within_per_request_limit: cost.total <= limit,
        cost,
        per_request_usd_limit: limit,
    })
}

/// Why a model of a route was passed over.
#[derive(Debug, Clone, PartialEq)]
pub enum SkipReason {
    /// Marked `deprecated` and `--allow-deprecated` not given.
    Deprecated {
        /// The registry's note, if any.
        note: Option<String>,
    },
    /// `input + output > context_window`.
    ContextWindow {
        /// `input + output` tokens.
        needed: u128,
        /// The model's window.
        context_window: u64,
    },
    /// `output > max_output`.
    MaxOutput {
        /// Output tokens asked for.
        output_tokens: u64,
        /// The model's limit.
        max_output: u64,
    },
    /// `cost > cap`.
    OverCap {
        /// The request's cost on this model.
        cost: Decimal,
        /// `min(max_cost_per_request, per_request_usd_limit)`.
        cap: Decimal,
    },
}

impl SkipReason {
    /// Stable machine name (JSON `reasons[].kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            SkipReason::Deprecated { .. } => "deprecated",
            SkipReason::ContextWindow { .. } => "context_window",
            SkipReason::MaxOutput { .. } => "max_output",
            SkipReason::OverCap { .. } => "cost_cap",
        }
    }

    /// One sentence for people.
    pub fn message(&self) -> String {
        use super::money::usd;
        match self {
            SkipReason::Deprecated { note } => match note {
                Some(n) => format!("deprecated ({n}); pass --allow-deprecated to use it"),
                None => "deprecated; pass --allow-deprecated to use it".to_string(),
            },
            SkipReason::ContextWindow {
                needed,
                context_window,
            } => format!(
                "needs {needed} tokens (input + output), above its {context_window}-token context window"
            ),
            SkipReason::MaxOutput {
                output_tokens,
                max_output,
            } => format!("{output_tokens} output tokens are above its max_output of {max_output}"),
            SkipReason::OverCap { cost, cap } => {
                format!("costs {}, over the {} cap", usd(*cost), usd(*cap))
            }
        }
    }
}

/// Where a model sits in its route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `primary`.
    Primary,
    /// `fallback[i]`.
    Fallback(usize),
}

impl Role {
    /// `primary` or `fallback[i]`, as in the YAML path.
    pub fn label(self) -> String {
        match self {
            Role::Primary => "primary".to_string(),
            Role::Fallback(i) => format!("fallback[{i}]"),
        }
    }
}

/// One model tried by `route`.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    /// Model id.
    pub id: String,
    /// Its place in the route.
    pub role: Role,
    /// The request's exact cost on it.
    pub cost: Decimal,
    /// Empty for the chosen model; every failed check otherwise.
    pub reasons: Vec<SkipReason>,
}

/// Answer of `models route`.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteDecision {
    /// The task routed.
    pub task: String,
    /// Input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// `routing.<task>.max_cost_per_request`.
    pub max_cost_per_request: Decimal,
    /// `budgets.per_request_usd_limit`.
    pub per_request_usd_limit: Decimal,
    /// `min` of the two: the cap every hop is checked against.
    pub cap: Decimal,
    /// Models tried, in route order, up to and including the chosen one.
    pub hops: Vec<Hop>,
    /// Whether deprecated models were allowed.
    pub allow_deprecated: bool,
}

impl RouteDecision {
    /// The chosen hop: the last one, when it has no reason against it.
    pub fn chosen(&self) -> Option<&Hop> {
        self.hops.last().filter(|h| h.reasons.is_empty())
    }

    /// The hops passed over.
    pub fn skipped(&self) -> &[Hop] {
        match self.chosen() {
            Some(_) => &self.hops[..self.hops.len() - 1],
            None => &self.hops,
        }
    }
}

/// Every reason why `model` does not qualify (empty = it qualifies): the
/// same checks for the primary and each fallback.
fn check_model(
    model: &Model,
    input_tokens: u64,
    output_tokens: u64,
    cost: Decimal,
    cap: Decimal,
    allow_deprecated: bool,
) -> Vec<SkipReason> {
    let mut reasons = Vec::new();
    if model.deprecated && !allow_deprecated {
        reasons.push(SkipReason::Deprecated {
            note: model.deprecation_note.clone(),
        });
    }
    let needed = u128::from(input_tokens) + u128::from(output_tokens);
    if needed > u128::from(model.context_window) {
        reasons.push(SkipReason::ContextWindow {
            needed,
            context_window: model.context_window,
        });
    }
    if output_tokens > model.max_output {
        reasons.push(SkipReason::MaxOutput {
            output_tokens,
            max_output: model.max_output,
        });
    }
    if cost > cap {
        reasons.push(SkipReason::OverCap { cost, cap });
    }
    reasons
}

/// `models route TASK --input-tokens I --output-tokens O`: walks primary then
/// fallbacks and picks the first model with `I + O <= context_window`,
/// `O <= max_output`, cost `<= min(max_cost_per_request,
/// per_request_usd_limit)` (equal qualifies) and, unless `allow_deprecated`,
/// not deprecated. No model qualifying is not an error here:
/// [`RouteDecision::chosen`] is `None`.
pub fn route(
    registry: &Registry,
    task: &str,
    input_tokens: u64,
    output_tokens: u64,
    allow_deprecated: bool,
) -> Result<RouteDecision, RegistryError> {
    let route = registry
        .route(task)
        .ok_or_else(|| RegistryError::UnknownTask {
            task: task.to_string(),
            known: registry.tasks(),
        })?;
    let per_request = registry.budgets.per_request_usd_limit;
    let cap = route.max_cost_per_request.min(per_request);
    let mut hops = Vec::new();
    for (i, id) in route.chain().enumerate() {
        let model = find_model(registry, id)?;
        let cost = request_cost(model, input_tokens, output_tokens)?.total;
        let reasons = check_model(
            model,
            input_tokens,
            output_tokens,
            cost,
            cap,
            allow_deprecated,
        );
        let done = reasons.is_empty();
        hops.push(Hop {
            id: id.to_string(),
            role: if i == 0 {
                Role::Primary
            } else {
                Role::Fallback(i - 1)
            },
            cost,
            reasons,
        });
        if done {
            break;
        }
    }
    Ok(RouteDecision {
        task: task.to_string(),
        input_tokens,
        output_tokens,
        max_cost_per_request: route.max_cost_per_request,
        per_request_usd_limit: per_request,
        cap,
        hops,
        allow_deprecated,
    })
}

/// Budget status of a window, worst last (so `max` is the overall status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BudgetStatus {
    /// Below the warning threshold.
    Ok,
    /// pct >= warning threshold.
    Warning,
    /// pct >= critical threshold (exactly 100 % included).
    Critical,
    /// spent > limit.
    Exceeded,
}

impl BudgetStatus {
    /// `ok`, `warning`, `critical`, `exceeded`.
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetStatus::Ok => "ok",
            BudgetStatus::Warning => "warning",
            BudgetStatus::Critical => "critical",
            BudgetStatus::Exceeded => "exceeded",
        }
    }
}

/// One budget window: daily, monthly or request.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetWindow {
    /// `daily`, `monthly` or `request`.
    pub name: &'static str,
    /// Spent in the window, the request included.
    pub spent: Decimal,
    /// The window's limit.
    pub limit: Decimal,
    /// `100 × spent / limit`, to 28 significant digits (display cuts it).
    pub pct: Decimal,
    /// Decided on exact values.
    pub status: BudgetStatus,
}

/// Answer of `models budget`.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetReport {
    /// daily, monthly, then request (when a request cost was given).
    pub windows: Vec<BudgetWindow>,
    /// The worst window status.
    pub status: BudgetStatus,
    /// `budgets.warning_threshold_pct`.
    pub warning_threshold_pct: Decimal,
    /// `budgets.critical_threshold_pct`.
    pub critical_threshold_pct: Decimal,
}

/// Status of `spent` against `limit`, compared exactly:
/// `exceeded` if spent > limit; else `critical` if 100 × spent >=
/// critical × limit; else `warning` if 100 × spent >= warning × limit; else `ok`.
fn window(
    name: &'static str,
    spent: Decimal,
    limit: Decimal,
    budgets: &Budgets,
) -> Result<BudgetWindow, RegistryError> {
    let what = format!("the {name} budget percentage");
    let scaled = exact_mul(spent, Decimal::ONE_HUNDRED, &what)?;
    let status = if spent > limit {
        BudgetStatus::Exceeded
    } else if scaled >= exact_mul(budgets.critical_threshold_pct, limit, &what)? {
        BudgetStatus::Critical
    } else if scaled >= exact_mul(budgets.warning_threshold_pct, limit, &what)? {
        BudgetStatus::Warning
    } else {
        BudgetStatus::Ok
    };
    // Validation guarantees limit > 0.
    let pct = scaled
        .checked_div(limit)
        .ok_or(RegistryError::Inexact { what })?;
    Ok(BudgetWindow {
        name,
        spent,
        limit,
        pct,
        status,
    })
}

/// `models budget --spent-today D --spent-month M [--request-cost C]`:
/// daily D + C against `daily_usd_limit`, monthly M + C against
/// `monthly_usd_limit`, and C against `per_request_usd_limit` (same
/// thresholds). The overall status is the worst.
pub fn budget(
    budgets: &Budgets,
    spent_today: Decimal,
    spent_month: Decimal,
    request_cost: Option<Decimal>,
) -> Result<BudgetReport, RegistryError> {
    let c = request_cost.unwrap_or(Decimal::ZERO);
    let daily = exact_add(spent_today, c, "the daily spend")?;
    let monthly = exact_add(spent_month, c, "the monthly spend")?;
    let mut windows = vec![
        window("daily", daily, budgets.daily_usd_limit, budgets)?,
        window("monthly", monthly, budgets.monthly_usd_limit, budgets)?,
    ];
    if let Some(c) = request_cost {
        windows.push(window(
            "request",
            c,
            budgets.per_request_usd_limit,
            budgets,
        )?);
    }
    let status = windows
        .iter()
        .map(|w| w.status)
        .max()
        .unwrap_or(BudgetStatus::Ok);
    Ok(BudgetReport {
        windows,
        status,
        warning_threshold_pct: budgets.warning_threshold_pct,
        critical_threshold_pct: budgets.critical_threshold_pct,
    })
}
