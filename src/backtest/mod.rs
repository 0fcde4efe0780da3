//! The backtest (SPEC §4, §5): stream rows into selections, then evaluate.

pub mod selection;

use std::collections::BTreeMap;
use std::io::Read;

use serde::Serialize;

use crate::date::{format_day, format_stamp, Stamp};
use crate::error::{Error, Result};
use crate::metrics::stats::{hypergeom_sum_sf_ge, HypergeomDraw};
use crate::metrics::{risk_metrics, ClassificationMetrics, IcMetrics, RiskMetrics};
use crate::periods::{period_key, period_of, SliceBy};
use crate::rank::{Desc, Entry};
use crate::score::{Scorer, Weights};
use crate::snapshot::{self, Header, ReadOptions, RowRef, RowSink};
use selection::{BaselineKeys, GemPick, Ranked, Realised, Selection, UnitEval};

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
    /// `Some` for a time-sliced run (SPEC §4.2).
    pub slice_by: Option<SliceBy>,
    /// `--periods-per-year` as given (None = the mode's default).
    pub periods_per_year: Option<f64>,
    /// `--risk-free-rate` as given (None = 0).
    pub risk_free_rate: Option<f64>,
    pub weights: Weights,
    pub read: ReadOptions,
}

impl BacktestOptions {
    /// The periods per year of the risk series: as given, else 52 for a
    /// pooled run and 52 / 12 / 4 per week / month / quarter slice.
    pub fn resolved_periods_per_year(&self) -> f64 {
        self.periods_per_year
            .unwrap_or_else(|| self.slice_by.map_or(52.0, SliceBy::periods_per_year))
    }
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
    /// `None` unless the read was asked to hash ([`ReadOptions::hash`]):
    /// only the JSON report shows it, and the schema requires it there.
    pub data_sha256: Option<String>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_metrics: Option<ExtendedMetrics>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_slices: Option<Vec<SliceRecord>>,
    /// Spread of the per-period figures (time-sliced runs only).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub slice_stats: Option<SliceStats>,
}

/// `extended_metrics` block (SPEC §6).
#[derive(Clone, Debug, Serialize)]
pub struct ExtendedMetrics {
    pub ic: IcMetrics,
    pub classification: ClassificationMetrics,
    pub risk: RiskMetrics,
}

/// One entry of `time_slices` (SPEC §4.2).
#[derive(Clone, Debug, Serialize)]
pub struct SliceRecord {
    pub period_id: usize,
    pub label: String,
    /// First and last UTC calendar day with a row in the slice.
    pub start_date: String,
    pub end_date: String,
    /// Evaluable rows in the slice.
    pub rows: u64,
    pub precision: f64,
    pub avg_return: f64,
    pub flagged_assets: Vec<String>,
}

/// Population std (ddof 0), min and max of the per-period precision and
/// return (SPEC §10).
#[derive(Clone, Debug, Serialize)]
pub struct SliceStats {
    pub precision_std: f64,
    pub precision_min: f64,
    pub precision_max: f64,
    pub return_std: f64,
    pub return_min: f64,
    pub return_max: f64,
}

/// The evaluation units a run streams rows into.
enum Units {
    /// One unit: the whole universe.
    Pooled(Box<Selection>),
    /// One unit per non-empty period, keyed by [`period_key`].
    Sliced {
        by: SliceBy,
        periods: BTreeMap<i64, PeriodUnit>,
        /// Last (day, period key) looked up: rows often share a date.
        last: Option<(i64, i64)>,
    },
}

/// One period's unit and the range of its row dates.
struct PeriodUnit {
    sel: Selection,
    first_day: i64,
    last_day: i64,
}

/// (score, return) as one IC key ([`crate::metrics::ic::pair_key`]: the
/// same 16 bytes as two f64 columns) and the UTC day of every evaluable
/// row, for the universe metrics (SPEC §6): 24 bytes per row. The universe
/// pass sorts the keys in place, so they are never copied. Each chunk fills
/// its own small columns; merging (in file order) appends them to the first
/// chunk's, which become the run's contiguous columns. Those grow by
/// reallocation, which for large buffers remaps pages instead of copying
/// them, and capacity not yet written is not resident: the cost stays 24
/// bytes per row, with no second copy at the end.
#[derive(Default)]
struct Columns {
    keys: Vec<crate::metrics::ic::Key>,
    day: Vec<i64>,
}

impl Columns {
    /// `score` and `ret` are finite (scores are clamped; the reader admits
    /// finite returns only).
    #[inline]
    fn push(&mut self, score: f64, ret: f64, day: i64) {
        self.keys.push(crate::metrics::ic::pair_key(score, ret));
        self.day.push(day);
    }

    fn merge(&mut self, later: Columns) {
        self.keys.extend_from_slice(&later.keys);
        self.day.extend_from_slice(&later.day);
    }
}

/// Per-chunk state of a backtest.
pub struct BacktestSink {
    scorer: Scorer,
    keys: BaselineKeys,
    top_k: usize,
    baselines: bool,
    units: Units,
    columns: Option<Columns>,
}

impl BacktestSink {
    fn new(opts: &BacktestOptions, h: &Header) -> Self {
        BacktestSink {
            scorer: Scorer::new(&opts.weights, &h.features),
            keys: BaselineKeys::resolve(&h.features),
            top_k: opts.top_k,
            baselines: opts.compare_baselines,
            units: match opts.slice_by {
                None => Units::Pooled(Box::new(Selection::new(opts.top_k, opts.compare_baselines))),
                Some(by) => Units::Sliced {
                    by,
                    periods: BTreeMap::new(),
                    last: None,
                },
            },
            columns: opts.extended_metrics.then(Columns::default),
        }
    }
}

impl RowSink for BacktestSink {
    #[inline]
    fn push(&mut self, row: &RowRef<'_>) {
        let Some(ret) = row.ret else { return };
        let score = self.scorer.score(row.features);
        if let Some(c) = self.columns.as_mut() {
            c.push(score, ret, row.stamp.day());
        }
        match &mut self.units {
            Units::Pooled(sel) => sel.push(row, ret, score, &self.scorer, &self.keys),
            Units::Sliced { by, periods, last } => {
                let day = row.stamp.day();
                let key = match *last {
                    Some((d, k)) if d == day => k,
                    _ => {
                        let k = period_key(day, *by);
                        *last = Some((day, k));
                        k
                    }
                };
                let (k, b) = (self.top_k, self.baselines);
                let unit = periods.entry(key).or_insert_with(|| PeriodUnit {
                    sel: Selection::new(k, b),
                    first_day: day,
                    last_day: day,
                });
                unit.first_day = unit.first_day.min(day);
                unit.last_day = unit.last_day.max(day);
                unit.sel.push(row, ret, score, &self.scorer, &self.keys);
            }
        }
    }

    fn merge(&mut self, later: Self) {
        match (&mut self.units, later.units) {
            (Units::Pooled(a), Units::Pooled(b)) => a.merge(*b),
            (Units::Sliced { periods: a, .. }, Units::Sliced { periods: b, .. }) => {
                for (key, unit) in b {
                    match a.get_mut(&key) {
                        Some(u) => {
                            u.first_day = u.first_day.min(unit.first_day);
                            u.last_day = u.last_day.max(unit.last_day);
                            u.sel.merge(unit.sel);
                        }
                        None => {
                            a.insert(key, unit);
                        }
                    }
                }
            }
            _ => unreachable!("every sink of a run has the same mode"),
        }
        if let (Some(a), Some(b)) = (self.columns.as_mut(), later.columns) {
            a.merge(b);
        }
    }
}

/// P[X >= hits] for X ~ Hypergeometric(population, successes, draws): the
/// pooled `precision_p_value` (SPEC §4.1), computed by the same exact pmf
/// as the time-sliced convolution ([`crate::metrics::stats::hypergeom_sf_ge`]).
pub fn precision_p_value(population: u64, successes: u64, draws: u64, hits: u64) -> f64 {
    crate::metrics::stats::hypergeom_sf_ge(population, successes, draws, hits)
}

/// Improvement relative to the baseline value, in percent; `None` when the
/// baseline value is <= 0 (SPEC §5) or so close to 0 that the ratio is not
/// a finite double (a subnormal baseline return).
fn pct(improvement: f64, base: f64) -> Option<f64> {
    (base > 0.0)
        .then(|| improvement / base * 100.0)
        .filter(|v| v.is_finite())
}

fn comparison(
    precision: f64,
    avg_return: f64,
    selected_assets: Vec<String>,
    gem_p: f64,
    gem_r: f64,
) -> BaselineResult {
    let (pi, ri) = (gem_p - precision, gem_r - avg_return);
    BaselineResult {
        precision,
        avg_return,
        selected_assets,
        precision_improvement: pi,
        return_improvement: ri,
        precision_pct: pct(pi, precision),
        return_pct: pct(ri, avg_return),
        outperforms: pi > 0.0 && ri > 0.0,
    }
}

fn tokens<P, T>(entries: &[&Entry<P, T>]) -> Vec<String> {
    entries.iter().map(|e| e.tie.token.to_string()).collect()
}

fn detail(rank: usize, e: &Entry<Desc, GemPick>, weights: &Weights) -> FlaggedDetail {
    let p = &e.item;
    let names: Vec<&str> = weights.names().collect();
    FlaggedDetail {
        rank,
        token: e.tie.token.to_string(),
        date: format_stamp(Stamp {
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

/// The tokens selected in the most periods (SPEC §4.2, §10): a token counts
/// once per period; order = period count desc, then the token's best
/// selected row in the strategy's own rank order (best key, then token);
/// at most `k`. Returns each token's best selected row.
pub fn most_flagged<'a, P: Ord + 'a, T: 'a>(
    periods: impl Iterator<Item = &'a [Entry<P, T>]>,
    k: usize,
) -> Vec<&'a Entry<P, T>> {
    let mut by_token: BTreeMap<&'a str, (u64, &'a Entry<P, T>)> = BTreeMap::new();
    for entries in periods {
        // Entries are in rank order: a token's first entry is its best in
        // the period, and it counts once.
        let mut seen: Vec<&str> = Vec::new();
        for e in entries {
            let t: &str = &e.tie.token;
            if seen.contains(&t) {
                continue;
            }
            seen.push(t);
            by_token
                .entry(t)
                .and_modify(|(count, best)| {
                    *count += 1;
                    if e.cmp_rank(best) == std::cmp::Ordering::Less {
                        *best = e;
                    }
                })
                .or_insert((1, e));
        }
    }
    let mut ranked: Vec<(u64, &Entry<P, T>)> = by_token.into_values().collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp_rank(b.1)));
    ranked.into_iter().take(k).map(|(_, e)| e).collect()
}

/// Mean of `xs` summed in the given order; 0 for none.
fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let mut s = 0.0;
    for x in xs {
        s += x;
    }
    s / xs.len() as f64
}

/// Population std (ddof 0), min, max.
fn spread(xs: &[f64]) -> (f64, f64, f64) {
    let m = mean(xs);
    let mut ss = 0.0;
    for x in xs {
        ss += (x - m) * (x - m);
    }
    let std = if xs.is_empty() {
        0.0
    } else {
        (ss / xs.len() as f64).sqrt()
    };
    let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (std, min, max)
}

/// What the report needs of the gem score's evaluation, in either mode.
struct Headline {
    selected_rows: u64,
    precision: f64,
    avg_return: f64,
    p_value: f64,
    expectation: Expectation,
    flagged: Vec<FlaggedDetail>,
    baselines: Option<BTreeMap<String, BaselineResult>>,
    risk_series: Vec<f64>,
    slices: Option<(Vec<SliceRecord>, SliceStats)>,
}

fn pooled(unit: UnitEval, opts: &BacktestOptions) -> Headline {
    let gem = &unit.gem;
    let baselines = unit.baselines.as_ref().map(|b| {
        let one = |p: f64, r: f64, assets: Vec<String>| {
            comparison(p, r, assets, gem.precision, gem.avg_return)
        };
        fn assets<P, T>(r: &Ranked<P, T>) -> Vec<String> {
            r.entries.iter().map(|e| e.tie.token.to_string()).collect()
        }
        let mut m = BTreeMap::new();
        m.insert(
            "random".to_string(),
            one(b.random.precision, b.random.avg_return, assets(&b.random)),
        );
        m.insert(
            "cap_weighted".to_string(),
            one(
                b.cap_weighted.precision,
                b.cap_weighted.avg_return,
                assets(&b.cap_weighted),
            ),
        );
        m.insert(
            "simple_momentum".to_string(),
            one(
                b.simple_momentum.precision,
                b.simple_momentum.avg_return,
                assets(&b.simple_momentum),
            ),
        );
        m
    });
    // Risk series: the selected rows' returns by (date asc, rank).
    let mut order: Vec<(i64, usize)> = gem
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.tie.nanos, i))
        .collect();
    order.sort_unstable();
    let risk_series = order
        .iter()
        .map(|&(_, i)| gem.entries[i].item.ret())
        .collect();
    Headline {
        selected_rows: unit.selected(),
        precision: gem.precision,
        avg_return: gem.avg_return,
        p_value: precision_p_value(unit.n, unit.positives, unit.selected(), gem.hits),
        expectation: Expectation {
            precision: unit.base_rate(),
            avg_return: unit.mean_return,
        },
        flagged: gem
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| detail(i + 1, e, &opts.weights))
            .collect(),
        baselines,
        risk_series,
        slices: None,
    }
}

/// A finished period: its label, row-date range and evaluation.
struct PeriodEval {
    label: String,
    first_day: i64,
    last_day: i64,
    unit: UnitEval,
}

fn sliced(periods: Vec<PeriodEval>, opts: &BacktestOptions) -> Headline {
    let k = opts.top_k;
    let precisions: Vec<f64> = periods.iter().map(|p| p.unit.gem.precision).collect();
    let returns: Vec<f64> = periods.iter().map(|p| p.unit.gem.avg_return).collect();
    let (gem_p, gem_r) = (mean(&precisions), mean(&returns));
    let draws: Vec<HypergeomDraw> = periods
        .iter()
        .map(|p| HypergeomDraw {
            population: p.unit.n,
            successes: p.unit.positives,
            draws: p.unit.selected(),
        })
        .collect();
    let hits: u64 = periods.iter().map(|p| p.unit.gem.hits).sum();
    let expectation = Expectation {
        precision: mean(
            &periods
                .iter()
                .map(|p| p.unit.base_rate())
                .collect::<Vec<_>>(),
        ),
        avg_return: mean(
            &periods
                .iter()
                .map(|p| p.unit.mean_return)
                .collect::<Vec<_>>(),
        ),
    };
    let flagged = most_flagged(periods.iter().map(|p| &p.unit.gem.entries[..]), k)
        .into_iter()
        .enumerate()
        .map(|(i, e)| detail(i + 1, e, &opts.weights))
        .collect();
    let baselines = if opts.compare_baselines {
        let mut m = BTreeMap::new();
        macro_rules! baseline {
            ($name:literal, $field:ident) => {{
                let units: Vec<_> = periods
                    .iter()
                    .filter_map(|p| p.unit.baselines.as_ref().map(|b| &b.$field))
                    .collect();
                let ps: Vec<f64> = units.iter().map(|r| r.precision).collect();
                let rs: Vec<f64> = units.iter().map(|r| r.avg_return).collect();
                let assets = tokens(&most_flagged(units.iter().map(|r| &r.entries[..]), k));
                m.insert(
                    $name.to_string(),
                    comparison(mean(&ps), mean(&rs), assets, gem_p, gem_r),
                );
            }};
        }
        baseline!("random", random);
        baseline!("cap_weighted", cap_weighted);
        baseline!("simple_momentum", simple_momentum);
        Some(m)
    } else {
        None
    };
    let records = periods
        .iter()
        .enumerate()
        .map(|(i, p)| SliceRecord {
            period_id: i,
            label: p.label.clone(),
            start_date: format_day(p.first_day),
            end_date: format_day(p.last_day),
            rows: p.unit.n,
            precision: p.unit.gem.precision,
            avg_return: p.unit.gem.avg_return,
            flagged_assets: p
                .unit
                .gem
                .entries
                .iter()
                .map(|e| e.tie.token.to_string())
                .collect(),
        })
        .collect();
    let (precision_std, precision_min, precision_max) = spread(&precisions);
    let (return_std, return_min, return_max) = spread(&returns);
    Headline {
        selected_rows: periods.iter().map(|p| p.unit.selected()).sum(),
        precision: gem_p,
        avg_return: gem_r,
        p_value: hypergeom_sum_sf_ge(&draws, hits),
        expectation,
        flagged,
        baselines,
        risk_series: returns.clone(),
        slices: Some((
            records,
            SliceStats {
                precision_std,
                precision_min,
                precision_max,
                return_std,
                return_min,
                return_max,
            },
        )),
    }
}

/// Run a backtest over a snapshot stream.
pub fn run<R: Read + Send>(input: R, opts: &BacktestOptions) -> Result<(Report, Vec<String>)> {
    let file = if opts.data_path == "-" {
        "<stdin>".to_string()
    } else {
        opts.data_path.clone()
    };
    let make = |h: &Header| BacktestSink::new(opts, h);
    let out = snapshot::read(input, &file, &opts.read, opts.seed, make)?;
    let mut warnings = out.warnings;
    if let Some(msg) = Scorer::absent_warning(&opts.weights, &out.header.features) {
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
    let sink = out.sink;
    let head = match sink.units {
        Units::Pooled(sel) => pooled(sel.finish(), opts),
        Units::Sliced { by, periods, .. } => {
            let evals = periods
                .into_values()
                .map(|u| PeriodEval {
                    label: period_of(u.first_day, by).label,
                    first_day: u.first_day,
                    last_day: u.last_day,
                    unit: u.sel.finish(),
                })
                .collect();
            sliced(evals, opts)
        }
    };
    let periods_per_year = opts.resolved_periods_per_year();
    let risk_free_rate = opts.risk_free_rate.unwrap_or(0.0);
    let extended_metrics = sink.columns.map(|c| {
        let (ic, classification) = crate::metrics::ic::universe_metrics_of_keys(c.keys, &c.day);
        drop(c.day);
        ExtendedMetrics {
            ic,
            classification,
            risk: risk_metrics(&head.risk_series, periods_per_year, risk_free_rate),
        }
    });
    let (time_slices, slice_stats) = match head.slices {
        Some((r, s)) => (Some(r), Some(s)),
        None => (None, None),
    };
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
            time_sliced: opts.slice_by.is_some(),
            slice_by: opts.slice_by.map(|s| s.as_str().to_string()),
            return_col: opts.read.return_col.clone(),
            delimiter: (opts.read.delimiter as char).to_string(),
            strict: opts.read.strict,
            weights: opts.weights.entries().iter().cloned().collect(),
            periods_per_year: opts.extended_metrics.then_some(periods_per_year),
            risk_free_rate: opts.extended_metrics.then_some(risk_free_rate),
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
        selected_rows: head.selected_rows,
        precision_at_k: head.precision,
        average_return_at_k: head.avg_return,
        precision_p_value: head.p_value,
        flagged_assets: head.flagged.iter().map(|d| d.token.clone()).collect(),
        flagged_details: head.flagged,
        random_expectation: head.expectation,
        baseline_results: head.baselines,
        extended_metrics,
        time_slices,
        slice_stats,
    };
    match crate::report::finite::first_non_finite(&report) {
        Ok(None) => {}
        Ok(Some(pointer)) => return Err(Error::NonFinite { file, pointer }),
        Err(m) => return Err(Error::Internal(format!("cannot check the report: {m}"))),
    }
    Ok((report, warnings))
}
