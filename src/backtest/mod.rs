//! The backtest (SPEC §4, §5): stream rows into selections, then evaluate.

pub mod selection;

use std::collections::BTreeMap;
use std::io::Read;

use serde::Serialize;

use crate::date::format_stamp;
use crate::error::{Error, Result};
use crate::rank::Entry;
use crate::score::{Scorer, Weights};
use crate::snapshot::{self, Header, ReadOptions, RowRef, RowSink};
use selection::{BasePick, BaselineKeys, GemPick, Selection};

/// Version of the JSON layout (SPEC §7).
pub const SCHEMA_VERSION: &str = "1.0.0";

/// Every option of a backtest run.
#[derive(Clone, Debug)]
pub struct BacktestOptions {
    /// The data path as given (`-` for stdin).
    pub data_path: String,
    pub top_k: usize,
    pub seed: u64,
    pub compare_baselines: bool,
    pub extended_metrics: bool,
    pub weights: Weights,
    pub read: ReadOptions,
}

/// `tool` block of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// `config` block: every option that changes a number.
#[derive(Clone, Debug, Serialize)]
pub struct ConfigOut {
    pub data_path: String,
    pub data_sha256: String,
    pub top_k: usize,
    pub seed: u64,
    pub compare_baselines: bool,
    pub extended_metrics: bool,
    pub time_sliced: bool,
    pub slice_by: Option<String>,
    pub return_col: String,
    pub delimiter: String,
    pub strict: bool,
    pub weights: BTreeMap<String, f64>,
    pub periods_per_year: Option<f64>,
    pub risk_free_rate: Option<f64>,
}

/// `data_quality` block.
#[derive(Clone, Debug, Serialize)]
pub struct DataQuality {
    pub rows_read: u64,
    pub rows_evaluated: u64,
    pub rows_missing_return: u64,
    pub duplicate_rows: u64,
    pub missing_feature_cells: BTreeMap<String, u64>,
}

/// `driver` of a flagged row.
#[derive(Clone, Debug, Serialize)]
pub struct Driver {
    pub name: String,
    pub value: f64,
}

/// One selected row in `flagged_details`.
#[derive(Clone, Debug, Serialize)]
pub struct FlaggedDetail {
    pub rank: usize,
    pub token: String,
    pub date: String,
    pub score: f64,
    pub confidence: f64,
    pub flag: bool,
    pub driver: Driver,
    pub contributions: BTreeMap<String, f64>,
    #[serde(rename = "return")]
    pub ret: f64,
}

/// `random_expectation` block.
#[derive(Clone, Debug, Serialize)]
pub struct Expectation {
    pub precision: f64,
    pub avg_return: f64,
}

/// One entry of `baseline_results`.
#[derive(Clone, Debug, Serialize)]
pub struct BaselineResult {
    pub precision: f64,
    pub avg_return: f64,
    pub selected_assets: Vec<String>,
    pub precision_improvement: f64,
    pub return_improvement: f64,
    pub precision_pct: Option<f64>,
    pub return_pct: Option<f64>,
    pub outperforms: bool,
}

/// The whole result of a backtest: what every exporter prints.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub schema_version: &'static str,
    pub tool: Tool,
    pub config: ConfigOut,
    pub data_quality: DataQuality,
    /// Number of rows selected (m = min(K, N)).
    pub selected_rows: u64,
    pub precision_at_k: f64,
    pub average_return_at_k: f64,
    pub precision_p_value: f64,
    pub flagged_assets: Vec<String>,
    pub flagged_details: Vec<FlaggedDetail>,
    pub random_expectation: Expectation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_results: Option<BTreeMap<String, BaselineResult>>,
}

/// Per-chunk state of a backtest.
pub struct BacktestSink {
    scorer: Scorer,
    keys: BaselineKeys,
    pooled: Selection,
}

impl RowSink for BacktestSink {
    #[inline]
    fn push(&mut self, row: &RowRef<'_>) {
        let Some(ret) = row.ret else { return };
        let score = self.scorer.score(row.features);
        self.pooled.push(row, ret, score, &self.scorer, &self.keys);
    }

    fn merge(&mut self, later: Self) {
        self.pooled.merge(later.pooled);
    }
}

/// Mean in the given (rank) order.
fn mean_in_order(xs: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut n) = (0.0, 0u64);
    for x in xs {
        s += x;
        n += 1;
    }
    if n == 0 {
        0.0
    } else {
        s / n as f64
    }
}

/// P[X >= hits] for X ~ Hypergeometric(population, successes, draws).
pub fn precision_p_value(population: u64, successes: u64, draws: u64, hits: u64) -> f64 {
    use statrs::distribution::{DiscreteCDF, Hypergeometric};
    if hits == 0 {
        return 1.0;
    }
    match Hypergeometric::new(population, successes, draws) {
        Ok(h) => h.sf(hits - 1).clamp(0.0, 1.0),
        Err(_) => f64::NAN,
    }
}

fn precision_and_return<T>(sel: &[Entry<impl Ord, T>], ret: impl Fn(&T) -> f64) -> (u64, f64, f64) {
    let m = sel.len() as u64;
    let hits = sel.iter().filter(|e| ret(&e.item) > 0.0).count() as u64;
    let precision = if m == 0 { 0.0 } else { hits as f64 / m as f64 };
    (
        hits,
        precision,
        mean_in_order(sel.iter().map(|e| ret(&e.item))),
    )
}

fn pct(improvement: f64, base: f64) -> Option<f64> {
    (base > 0.0).then(|| improvement / base * 100.0)
}

fn baseline_result<P: Ord>(sel: Vec<Entry<P, BasePick>>, gem_p: f64, gem_r: f64) -> BaselineResult {
    let (_, precision, avg_return) = precision_and_return(&sel, |b: &BasePick| b.ret);
    let (pi, ri) = (gem_p - precision, gem_r - avg_return);
    BaselineResult {
        precision,
        avg_return,
        selected_assets: sel.iter().map(|e| e.tie.token.to_string()).collect(),
        precision_improvement: pi,
        return_improvement: ri,
        precision_pct: pct(pi, precision),
        return_pct: pct(ri, avg_return),
        outperforms: pi > 0.0 && ri > 0.0,
    }
}

fn detail(rank: usize, e: &Entry<crate::rank::Desc, GemPick>, weights: &Weights) -> FlaggedDetail {
    let p = &e.item;
    let names: Vec<&str> = weights.names().collect();
    FlaggedDetail {
        rank,
        token: e.tie.token.to_string(),
        date: format_stamp(crate::date::Stamp {
            nanos: e.tie.nanos,
            date_only: p.date_only,
        }),
        score: p.scored.score,
        confidence: p.scored.confidence,
        flag: p.scored.flag,
        driver: Driver {
            name: names
                .get(p.scored.driver)
                .map_or_else(String::new, |s| s.to_string()),
            value: p.contributions.get(p.scored.driver).copied().unwrap_or(0.0),
        },
        contributions: names
            .iter()
            .map(|n| n.to_string())
            .zip(p.contributions.iter().copied())
            .collect(),
        ret: p.ret,
    }
}

/// Run a backtest over a snapshot stream.
pub fn run<R: Read>(input: R, opts: &BacktestOptions) -> Result<(Report, Vec<String>)> {
    let file = if opts.data_path == "-" {
        "<stdin>".to_string()
    } else {
        opts.data_path.clone()
    };
    let make = |h: &Header| BacktestSink {
        scorer: Scorer::new(&opts.weights, &h.features),
        keys: BaselineKeys::resolve(&h.features),
        pooled: Selection::new(opts.top_k, opts.compare_baselines),
    };
    let out = snapshot::read(input, &file, &opts.read, opts.seed, make)?;
    let mut warnings = out.warnings;
    let absent = Scorer::absent(&opts.weights, &out.header.features);
    if !absent.is_empty() {
        let msg = format!(
            "features absent from the header (counted as 0): {}",
            absent.join(", ")
        );
        if opts.read.strict {
            return Err(Error::Strict { file, message: msg });
        }
        warnings.insert(0, msg);
    }
    if opts.read.strict {
        if let Some(w) = warnings.first() {
            return Err(Error::Strict {
                file,
                message: w.clone(),
            });
        }
    }
    let q = &out.quality;
    if q.rows_evaluated() == 0 {
        return Err(Error::NoEvaluableRows {
            file,
            rows_read: q.rows_read,
            missing_return: q.rows_missing_return,
            return_col: opts.read.return_col.clone(),
        });
    }
    let sel = out.sink.pooled;
    let gem = sel.gem.into_sorted();
    let (hits, precision_at_k, average_return_at_k) =
        precision_and_return(&gem, |g: &GemPick| g.ret);
    let m = gem.len() as u64;
    let baseline_results = sel.baselines.map(|b| {
        let mut r = BTreeMap::new();
        r.insert(
            "random".to_string(),
            baseline_result(b.random.into_sorted(), precision_at_k, average_return_at_k),
        );
        r.insert(
            "cap_weighted".to_string(),
            baseline_result(
                b.cap_weighted.into_sorted(),
                precision_at_k,
                average_return_at_k,
            ),
        );
        r.insert(
            "simple_momentum".to_string(),
            baseline_result(
                b.simple_momentum.into_sorted(),
                precision_at_k,
                average_return_at_k,
            ),
        );
        r
    });
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "gemscan",
            version: env!("CARGO_PKG_VERSION"),
        },
        config: ConfigOut {
            data_path: opts.data_path.clone(),
            data_sha256: out.sha256,
            top_k: opts.top_k,
            seed: opts.seed,
            compare_baselines: opts.compare_baselines,
            extended_metrics: opts.extended_metrics,
            time_sliced: false,
            slice_by: None,
            return_col: opts.read.return_col.clone(),
            delimiter: (opts.read.delimiter as char).to_string(),
            strict: opts.read.strict,
            weights: opts.weights.entries().iter().cloned().collect(),
            periods_per_year: None,
            risk_free_rate: None,
        },
        data_quality: DataQuality {
            rows_read: q.rows_read,
            rows_evaluated: q.rows_evaluated(),
            rows_missing_return: q.rows_missing_return,
            duplicate_rows: q.duplicate_rows,
            missing_feature_cells: out
                .header
                .features
                .iter()
                .cloned()
                .zip(q.missing_feature_cells.iter().copied())
                .collect(),
        },
        selected_rows: m,
        precision_at_k,
        average_return_at_k,
        precision_p_value: precision_p_value(sel.n, sel.positives, m, hits),
        flagged_assets: gem.iter().map(|e| e.tie.token.to_string()).collect(),
        flagged_details: gem
            .iter()
            .enumerate()
            .map(|(i, e)| detail(i + 1, e, &opts.weights))
            .collect(),
        random_expectation: Expectation {
            precision: sel.positives as f64 / sel.n as f64,
            avg_return: sel.ret_sum.value() / sel.n as f64,
        },
        baseline_results,
    };
    Ok((report, warnings))
}
