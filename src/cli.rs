//! Command-line definitions (clap derive): every subcommand, its help and
//! examples, in one place. `main.rs` turns these into library calls.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Examples:
  gemscan backtest data.csv --top-k 10
  gemscan backtest data.csv --top-k 10 --compare-baselines --json-output out.json
  gemscan backtest data.csv --json-output          # JSON on stdout, nothing else
  cat data.csv | gemscan backtest - --format json
  gemscan score data.csv --limit 20
  gemscan schema > backtest.schema.json
  gemscan validate out.json

Exit status: 0 success, 1 bad input / unreadable or unwritable file / schema
failure, 2 usage error.";

/// Backtest a crypto gem score on CSV market snapshots.
#[derive(Debug, Parser)]
#[command(name = "gemscan", version, about, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score, rank and backtest snapshot rows: precision@k, return@k, p-value, baselines.
    #[command(after_help = BACKTEST_HELP)]
    Backtest(BacktestArgs),
    /// Score and rank every row (rows without a return too); CSV or JSON on stdout.
    Score(ScoreArgs),
    /// Print the JSON Schema (Draft 2020-12) of backtest reports.
    Schema,
    /// Check a backtest JSON file against the schema; names the failing JSON pointer.
    Validate {
        /// The JSON file to check (`-` for standard input).
        file: PathBuf,
    },
    /// Look up the LLM model registry: models, costs, routes and budgets.
    Models(crate::registry::ModelsArgs),
}

const BACKTEST_HELP: &str = "\
Input: CSV with a header; columns `token`, `date` (YYYY-MM-DD, YYYY-MM-DD HH:MM:SS
or RFC 3339), numeric features `f_<Name>` and the return column
(`future_return_7d` unless --return-col). Empty, NaN, nan, NA and null cells
are missing: a missing feature counts as 0, a missing return skips the row.

Output: the text report on stdout. `--json-output PATH` also writes the JSON
report to PATH (atomically; `wrote PATH` on stderr); `--json-output` alone or
`--json-output -` prints only the JSON on stdout. Put DATA before a bare
`--json-output`, or write `--json-output=PATH`.

Time slicing: --time-sliced [--slice-by week|month|quarter] evaluates each
period (UTC dates; weeks run Monday to Sunday) on its own rows; the headline
precision and return are means over periods, the p-value is exact over the
sum of the per-period hits.

Examples:
  gemscan backtest data.csv --top-k 10 --compare-baselines
  gemscan backtest data.csv --extended-metrics --time-sliced --slice-by week
  gemscan backtest data.csv --json-output=report.json --seed 7
  gemscan backtest data.csv --weights my_weights.yaml --strict";

/// Options shared by commands that read snapshot CSV.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Snapshot CSV file, or `-` for standard input.
    #[arg(value_name = "DATA")]
    pub data: String,
    /// Gem-score weights file (YAML mapping `Name: weight`) replacing the default table.
    #[arg(long, value_name = "FILE.yaml")]
    pub weights: Option<PathBuf>,
    /// Turn every data warning (missing cells, skipped rows, duplicates, absent features) into an error.
    #[arg(long)]
    pub strict: bool,
    /// Name of the return column.
    #[arg(long, value_name = "NAME", default_value = "future_return_7d")]
    pub return_col: String,
    /// Field delimiter: one ASCII character, or `\t` / `tab`. Not a letter,
    /// digit, `"`, `.`, `-`, `+` or `:` (they occur inside values).
    #[arg(long, value_name = "CHAR", default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
    /// Bytes per parallel parsing chunk (testing aid: results never depend on it).
    #[arg(long, hide = true, default_value_t = crate::snapshot::CHUNK_BYTES)]
    pub chunk_bytes: usize,
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    let b = match s {
        "\\t" | "tab" | "\t" => b'\t',
        _ if s.len() == 1 && s.is_ascii() => s.as_bytes()[0],
        _ => return Err(format!("{s:?} is not a single ASCII character")),
    };
    if matches!(b, b'"' | b'\n' | b'\r') || b.is_ascii_alphanumeric() {
        return Err(format!("{s:?} cannot be a delimiter"));
    }
    // These appear inside numbers and dates (`-0.5`, `1.5e+3`, `12:00:00`).
    if matches!(b, b'.' | b'-' | b'+' | b':') {
        return Err(format!(
            "{s:?} cannot be a delimiter: it appears inside numbers or dates"
        ));
    }
    Ok(b)
}

fn parse_finite(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("{s:?} is not a finite number")),
    }
}

fn parse_positive(s: &str) -> Result<f64, String> {
    match parse_finite(s)? {
        v if v > 0.0 => Ok(v),
        _ => Err(format!("{s:?} must be greater than 0")),
    }
}

/// What stdout carries when `--json-output` does not redirect it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// Arguments of `gemscan backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Number of top-ranked rows to select (K >= 1).
    #[arg(short = 'k', long, value_name = "K", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub top_k: u64,
    /// Also evaluate the random, cap-weighted and momentum baselines.
    #[arg(long)]
    pub compare_baselines: bool,
    /// Seed of the random baseline.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Add information coefficients (Pearson, Spearman, Kendall, per-date IC),
    /// classification (ROC AUC, PR AUC) and risk metrics (Sharpe, drawdown...).
    #[arg(long)]
    pub extended_metrics: bool,
    /// Evaluate each calendar period on its own rows and average over periods.
    #[arg(long)]
    pub time_sliced: bool,
    /// Period length of --time-sliced (implies it): Monday-Sunday weeks,
    /// calendar months or quarters, by UTC date [default: month].
    #[arg(long, value_name = "PERIOD", value_parser = ["week", "month", "quarter"])]
    pub slice_by: Option<String>,
    /// Periods per year of the risk series (needs --extended-metrics)
    /// [default: 52 pooled or weekly, 12 monthly, 4 quarterly].
    #[arg(long, value_name = "P", requires = "extended_metrics", value_parser = parse_positive)]
    pub periods_per_year: Option<f64>,
    /// Risk-free return per period for Sharpe and Sortino, as a fraction
    /// (needs --extended-metrics) [default: 0].
    #[arg(long, value_name = "R", requires = "extended_metrics", value_parser = parse_finite, allow_hyphen_values = true)]
    pub risk_free_rate: Option<f64>,
    /// Write the JSON report to PATH; with no PATH (or `-`) print only JSON on stdout.
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "-")]
    pub json_output: Option<String>,
    /// What stdout carries when --json-output does not redirect it.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Output format of `gemscan score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScoreFormatArg {
    Csv,
    Json,
}

/// Arguments of `gemscan score`.
#[derive(Debug, Args)]
#[command(
    after_help = "Columns: rank,token,date,score,confidence,flag,driver,driver_value,<one per weighted feature>,return\n(`return` only when the input has the return column; empty when missing).\n\nExample:\n  gemscan score data.csv --limit 20 --format json"
)]
pub struct ScoreArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScoreFormatArg::Csv)]
    pub format: ScoreFormatArg,
    /// Keep only the first N ranked rows.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn delimiters() {
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert_eq!(parse_delimiter("\\t"), Ok(b'\t'));
        assert!(parse_delimiter("ab").is_err());
        assert!(parse_delimiter("\"").is_err());
    }
}
