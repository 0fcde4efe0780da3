//! `gemscan models ...`: clap definitions and the command runner.
//!
//! The top-level binary adds `Models(ModelsArgs)` to its subcommands and
//! calls [`run`], which returns the exit status (SPEC §7).

use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Subcommand, ValueEnum};
use rust_decimal::Decimal;

use super::error::RegistryError;
use super::json::write_pretty;
use super::lookup::{self, BudgetStatus};
use super::render;
use super::{check, load, Source};

/// Output format of the `models` commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ModelsFormat {
    /// Aligned text for people.
    #[default]
    Text,
    /// JSON, keys sorted, money as exact decimal numbers.
    Json,
}

/// `gemscan models`: look up the LLM model registry (SPEC §9).
#[derive(Debug, Clone, Args)]
#[command(
    about = "Look up the LLM model registry: models, costs, routes and budgets",
    after_help = "Examples:\n  gemscan models list --provider openai\n  gemscan models cost anthropic/claude-3-5-sonnet --input-tokens 1000 --output-tokens 500\n  gemscan models route rare_gem_report --input-tokens 150000 --output-tokens 2000\n  gemscan models budget --spent-today 41 --spent-month 700 --request-cost 0.5\n  gemscan models validate my_registry.yaml"
)]
pub struct ModelsArgs {
    /// Registry YAML to use instead of the built-in one.
    #[arg(long, value_name = "FILE", env = "GEMSCAN_REGISTRY", global = true)]
    pub registry: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ModelsFormat::Text, global = true)]
    pub format: ModelsFormat,

    /// Treat registry warnings (e.g. a price above 1000 USD per 1M tokens) as errors.
    #[arg(long, global = true)]
    pub strict: bool,

    /// The look-up to run.
    #[command(subcommand)]
    pub command: ModelsCommand,
}

/// The `models` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum ModelsCommand {
    /// List the models (id, version, window, prices, deprecation).
    List(ListArgs),
    /// Show every field of one model and the routes that use it.
    Show(ShowArgs),
    /// Exact cost of one request on one model.
    Cost(CostArgs),
    /// Pick the model for a task: primary, then fallbacks, under the cost cap.
    Route(RouteArgs),
    /// Compare spending with the daily, monthly and per-request limits.
    Budget(BudgetArgs),
    /// Check a registry file and report every problem (exit 1 if any).
    Validate(ValidateArgs),
}

/// `models list`.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Only this provider's models (e.g. `openai`).
    #[arg(long, value_name = "P")]
    pub provider: Option<String>,
}

/// `models show`.
#[derive(Debug, Clone, Args)]
pub struct ShowArgs {
    /// Model id, `provider/model` (e.g. `openai/gpt-4o`).
    pub id: String,
}

/// `models cost`.
#[derive(Debug, Clone, Args)]
pub struct CostArgs {
    /// Model id, `provider/model`.
    pub id: String,
    /// Input (prompt) tokens.
    #[arg(long, value_name = "I")]
    pub input_tokens: u64,
    /// Output (completion) tokens.
    #[arg(long, value_name = "O")]
    pub output_tokens: u64,
}

/// `models route`.
#[derive(Debug, Clone, Args)]
pub struct RouteArgs {
    /// Task name, a key of `routing` (e.g. `rare_gem_report`).
    pub task: String,
    /// Input (prompt) tokens.
    #[arg(long, value_name = "I")]
    pub input_tokens: u64,
    /// Output (completion) tokens.
    #[arg(long, value_name = "O")]
    pub output_tokens: u64,
    /// Consider models marked `deprecated` too.
    #[arg(long)]
    pub allow_deprecated: bool,
}

/// `models budget`.
#[derive(Debug, Clone, Args)]
pub struct BudgetArgs {
    /// USD spent today so far.
    #[arg(long, value_name = "D", value_parser = parse_usd)]
    pub spent_today: Decimal,
    /// USD spent this month so far.
    #[arg(long, value_name = "M", value_parser = parse_usd)]
    pub spent_month: Decimal,
    /// USD cost of the request about to be made (added to both windows).
    #[arg(long, value_name = "C", value_parser = parse_usd)]
    pub request_cost: Option<Decimal>,
}

/// `models validate`.
#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// Registry file to check (default: `--registry`, `GEMSCAN_REGISTRY`, or the built-in one).
    pub file: Option<PathBuf>,
}

/// Parses a non-negative USD amount exactly (`41`, `0.0105`). Amounts with
/// more than 28 significant digits would be rounded by the decimal type, so
/// they are refused.
fn parse_usd(s: &str) -> Result<Decimal, String> {
    let t = s.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let fraction_zeros = match t.split_once('.') {
        Some((_, frac)) => frac.len() - frac.trim_end_matches('0').len(),
        None => 0,
    };
    let significant = digits
        .trim_start_matches('0')
        .len()
        .saturating_sub(fraction_zeros);
    if significant > 28 {
        return Err(format!("{s:?} has more than 28 significant digits"));
    }
    let d = Decimal::from_str(t).map_err(|_| format!("{s:?} is not a decimal amount of USD"))?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(format!("{s:?} must not be negative"));
    }
    Ok(d)
}

fn source(path: Option<&PathBuf>) -> Source {
    path.map_or(Source::Builtin, |p| Source::File(p.clone()))
}

/// Runs a `models` command, writing the report to `out` and warnings and
/// error notes to `err`. Returns the exit status: 0 on success (budget `ok`,
/// `warning` or `critical` included), 1 when `route` finds no model, the
/// budget is `exceeded` or `validate` finds problems. Errors (unreadable or
/// invalid registry, unknown model/task/provider, write failure) are
/// returned; they all mean exit status 1.
pub fn run(
    args: &ModelsArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, RegistryError> {
    if let ModelsCommand::Validate(v) = &args.command {
        return run_validate(args, v, out);
    }
    let source = source(args.registry.as_ref());
    let loaded = load(&source, args.strict)?;
    for w in &loaded.warnings {
        writeln!(err, "warning: {}: {w}", source.origin())?;
    }
    let registry = &loaded.registry;
    let json = args.format == ModelsFormat::Json;

    match &args.command {
        ModelsCommand::List(a) => {
            if let Some(p) = &a.provider {
                if !registry.providers().contains(&p.as_str()) {
                    return Err(RegistryError::UnknownProvider {
                        provider: p.clone(),
                        known: registry.providers().iter().map(|s| s.to_string()).collect(),
                    });
                }
            }
            let models: Vec<_> = registry
                .models
                .iter()
                .filter(|m| a.provider.as_ref().is_none_or(|p| *p == m.provider))
                .collect();
            if json {
                write_pretty(out, &render::list_json(&source.origin(), &models))?;
            } else {
                render::list_text(out, &source.origin(), &models)?;
            }
            Ok(0)
        }
        ModelsCommand::Show(a) => {
            let model = lookup::find_model(registry, &a.id)?;
            if json {
                write_pretty(out, &render::show_json(registry, model))?;
            } else {
                render::show_text(out, registry, model)?;
            }
            Ok(0)
        }
        ModelsCommand::Cost(a) => {
            let report = lookup::cost(registry, &a.id, a.input_tokens, a.output_tokens)?;
            if json {
                write_pretty(out, &render::cost_json(&report))?;
            } else {
                render::cost_text(out, &report)?;
            }
            Ok(0)
        }
        ModelsCommand::Route(a) => {
            let decision = lookup::route(
                registry,
                &a.task,
                a.input_tokens,
                a.output_tokens,
                a.allow_deprecated,
            )?;
            if json {
                write_pretty(out, &render::route_json(&decision))?;
            } else {
                render::route_text(out, &decision)?;
            }
            if decision.chosen().is_some() {
                Ok(0)
            } else {
                writeln!(
                    err,
                    "error: no model qualifies for task {} ({} input + {} output tokens)",
                    a.task, a.input_tokens, a.output_tokens
                )?;
                Ok(1)
            }
        }
        ModelsCommand::Budget(a) => {
            let report = lookup::budget(
                &registry.budgets,
                a.spent_today,
                a.spent_month,
                a.request_cost,
            )?;
            if json {
                write_pretty(out, &render::budget_json(&report))?;
            } else {
                render::budget_text(out, &report)?;
            }
            if report.status == BudgetStatus::Exceeded {
                let over: Vec<&str> = report
                    .windows
                    .iter()
                    .filter(|w| w.status == BudgetStatus::Exceeded)
                    .map(|w| w.name)
                    .collect();
                writeln!(err, "error: budget exceeded: {}", over.join(", "))?;
                Ok(1)
            } else {
                Ok(0)
            }
        }
        ModelsCommand::Validate(_) => Ok(0), // handled above
    }
}

/// `models validate [FILE]`: every problem at once; exit 1 if any error (or,
/// with `--strict`, any warning). The report goes to `out`.
fn run_validate(
    args: &ModelsArgs,
    v: &ValidateArgs,
    out: &mut dyn Write,
) -> Result<i32, RegistryError> {
    let source = source(v.file.as_ref().or(args.registry.as_ref()));
    let text = source.read()?;
    let checked = check(&text);
    let has_error = checked
        .problems
        .iter()
        .any(|p| p.severity == super::Severity::Error);
    let valid = !has_error && (!args.strict || checked.problems.is_empty());
    let origin = source.origin();
    if args.format == ModelsFormat::Json {
        write_pretty(
            out,
            &render::validate_json(&origin, checked.registry.as_ref(), &checked.problems, valid),
        )?;
    } else {
        render::validate_text(
            out,
            &origin,
            checked.registry.as_ref(),
            &checked.problems,
            valid,
        )?;
    }
    Ok(if valid { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::parse_usd;
    use rust_decimal::Decimal;

    #[test]
    fn usd_amounts_parse_exactly_or_not_at_all() {
        assert_eq!(parse_usd("41").unwrap().to_string(), "41");
        assert_eq!(parse_usd(" 0.0105 ").unwrap().to_string(), "0.0105");
        assert_eq!(parse_usd("1.50000").unwrap().to_string(), "1.50000");
        assert!(parse_usd("-1").is_err());
        assert_eq!(parse_usd("1e3").unwrap(), Decimal::from(1000));
        assert!(parse_usd("abc").is_err());
        // 29 significant digits would be rounded: refused
        assert!(parse_usd("1.0000000000000000000000000001").is_err());
        // trailing zeros are not significant
        assert!(parse_usd("1.000000000000000000000000000000").is_ok());
    }
}
