//! One evaluation unit: the universe of a pooled run or of one period.
//!
//! Streams rows into bounded top-K selections (gem score and each
//! baseline) plus the counters the random expectation needs; O(K) memory.

use crate::date::Stamp;
use crate::exact::ExactSum;
use crate::rank::{Desc, Entry, TieBreak, TopK};
use crate::score::{Scored, Scorer};
use crate::snapshot::RowRef;

/// What the report keeps of a row selected by the gem score.
#[derive(Clone, Debug)]
pub struct GemPick {
    pub ret: f64,
    pub date_only: bool,
    pub scored: Scored,
    pub contributions: Vec<f64>,
}

/// What the report keeps of a row selected by a baseline.
#[derive(Clone, Debug)]
pub struct BasePick {
    pub ret: f64,
    pub date_only: bool,
}

/// Baseline selections of one unit.
pub struct BaselineSel {
    pub random: TopK<u64, BasePick>,
    pub cap_weighted: TopK<Desc, BasePick>,
    pub simple_momentum: TopK<Desc, BasePick>,
}

/// Where the baseline keys come from (SPEC §5, §10): feature indices.
#[derive(Clone, Debug, Default)]
pub struct BaselineKeys {
    pub cap: Option<usize>,
    pub momentum: Momentum,
}

/// The momentum key's source.
#[derive(Clone, Debug, Default)]
pub enum Momentum {
    /// A momentum column.
    Column(usize),
    /// `(price_usd - price_usd_7d_ago) / price_usd_7d_ago` when the latter > 0.
    Price { now: usize, ago: usize },
    /// No source: every row has 0.
    #[default]
    Zero,
}

/// Cap-weighted key columns, first present wins.
pub const CAP_COLUMNS: [&str; 7] = [
    "MarketCap",
    "market_cap_usd",
    "MarketCapUSD",
    "marketcap",
    "volume_24h_usd",
    "Volume24h",
    "volume",
];
/// Momentum key columns, first present wins.
pub const MOMENTUM_COLUMNS: [&str; 6] = [
    "PriceChange7d",
    "price_change_7d",
    "momentum_7d",
    "PriceChange24h",
    "price_change_24h",
    "return_7d",
];

impl BaselineKeys {
    /// Resolve the key columns from the header's feature names.
    pub fn resolve(features: &[String]) -> BaselineKeys {
        let find = |name: &str| features.iter().position(|f| f == name);
        let cap = CAP_COLUMNS.iter().find_map(|c| find(c));
        let momentum = match MOMENTUM_COLUMNS.iter().find_map(|c| find(c)) {
            Some(i) => Momentum::Column(i),
            None => match (find("price_usd"), find("price_usd_7d_ago")) {
                (Some(now), Some(ago)) => Momentum::Price { now, ago },
                _ => Momentum::Zero,
            },
        };
        BaselineKeys { cap, momentum }
    }

    /// Name of the cap column used (`f_` stripped), if any.
    pub fn cap_name<'a>(&self, features: &'a [String]) -> Option<&'a str> {
        self.cap.map(|i| features[i].as_str())
    }

    #[inline]
    fn raw(values: &[f64], i: usize) -> f64 {
        let x = values[i];
        if x.is_nan() {
            0.0
        } else {
            x
        }
    }

    /// Market-cap key of a row (raw, missing = 0).
    #[inline]
    pub fn cap_key(&self, values: &[f64]) -> f64 {
        self.cap.map_or(0.0, |i| Self::raw(values, i))
    }

    /// Momentum key of a row (raw, missing = 0).
    #[inline]
    pub fn momentum_key(&self, values: &[f64]) -> f64 {
        match self.momentum {
            Momentum::Column(i) => Self::raw(values, i),
            Momentum::Price { now, ago } => {
                let a = Self::raw(values, ago);
                if a > 0.0 {
                    (Self::raw(values, now) - a) / a
                } else {
                    0.0
                }
            }
            Momentum::Zero => 0.0,
        }
    }
}

/// The streaming state of one evaluation unit.
pub struct Selection {
    pub gem: TopK<Desc, GemPick>,
    pub baselines: Option<BaselineSel>,
    /// |U|.
    pub n: u64,
    /// Rows of U with r > 0.
    pub positives: u64,
    /// Exact sum of r over U.
    pub ret_sum: ExactSum,
}

fn tie(row: &RowRef<'_>) -> TieBreak {
    TieBreak {
        token: row.token.into(),
        nanos: row.stamp.nanos,
        line: row.line,
    }
}

fn base_pick(ret: f64, stamp: Stamp) -> BasePick {
    BasePick {
        ret,
        date_only: stamp.date_only,
    }
}

impl Selection {
    /// An empty unit selecting `k` rows.
    pub fn new(k: usize, baselines: bool) -> Selection {
        Selection {
            gem: TopK::new(k),
            baselines: baselines.then(|| BaselineSel {
                random: TopK::new(k),
                cap_weighted: TopK::new(k),
                simple_momentum: TopK::new(k),
            }),
            n: 0,
            positives: 0,
            ret_sum: ExactSum::new(),
        }
    }

    /// Take an evaluable row (`ret` present) with its score.
    #[inline]
    pub fn push(
        &mut self,
        row: &RowRef<'_>,
        ret: f64,
        score: f64,
        scorer: &Scorer,
        keys: &BaselineKeys,
    ) {
        self.n += 1;
        self.positives += u64::from(ret > 0.0);
        self.ret_sum.add(ret);
        let (t, nanos, line) = (row.token.as_bytes(), row.stamp.nanos, row.line);
        let p = Desc(score);
        if self.gem.admits(&p, t, nanos, line) {
            let pick = GemPick {
                ret,
                date_only: row.stamp.date_only,
                scored: scorer.evaluate(row.features),
                contributions: scorer.contributions(row.features),
            };
            self.gem.push(Entry {
                primary: p,
                tie: tie(row),
                item: pick,
            });
        }
        if let Some(b) = self.baselines.as_mut() {
            if b.random.admits(&row.key, t, nanos, line) {
                b.random.push(Entry {
                    primary: row.key,
                    tie: tie(row),
                    item: base_pick(ret, row.stamp),
                });
            }
            let cap = Desc(keys.cap_key(row.features));
            if b.cap_weighted.admits(&cap, t, nanos, line) {
                b.cap_weighted.push(Entry {
                    primary: cap,
                    tie: tie(row),
                    item: base_pick(ret, row.stamp),
                });
            }
            let mom = Desc(keys.momentum_key(row.features));
            if b.simple_momentum.admits(&mom, t, nanos, line) {
                b.simple_momentum.push(Entry {
                    primary: mom,
                    tie: tie(row),
                    item: base_pick(ret, row.stamp),
                });
            }
        }
    }

    /// Absorb another unit's state.
    pub fn merge(&mut self, other: Selection) {
        self.n += other.n;
        self.positives += other.positives;
        self.ret_sum.merge(&other.ret_sum);
        self.gem.merge(other.gem);
        if let (Some(a), Some(b)) = (self.baselines.as_mut(), other.baselines) {
            a.random.merge(b.random);
            a.cap_weighted.merge(b.cap_weighted);
            a.simple_momentum.merge(b.simple_momentum);
        }
    }
}

/// A selected row's realised return.
pub trait Realised {
    /// The row's return.
    fn ret(&self) -> f64;
}

impl Realised for GemPick {
    fn ret(&self) -> f64 {
        self.ret
    }
}

impl Realised for BasePick {
    fn ret(&self) -> f64 {
        self.ret
    }
}

/// One strategy's finished pick in one unit: the selected rows in rank
/// order, the number of positive returns among them, precision and mean
/// return (summed in rank order).
pub struct Ranked<P, T> {
    pub entries: Vec<Entry<P, T>>,
    pub hits: u64,
    pub precision: f64,
    pub avg_return: f64,
}

impl<P: Ord, T: Realised> Ranked<P, T> {
    fn from_top(top: TopK<P, T>) -> Self {
        let entries = top.into_sorted();
        let m = entries.len();
        let hits = entries.iter().filter(|e| e.item.ret() > 0.0).count() as u64;
        let mut sum = 0.0;
        for e in &entries {
            sum += e.item.ret();
        }
        let (precision, avg_return) = if m == 0 {
            (0.0, 0.0)
        } else {
            (hits as f64 / m as f64, sum / m as f64)
        };
        Ranked {
            entries,
            hits,
            precision,
            avg_return,
        }
    }
}

/// The baselines' finished picks in one unit.
pub struct BaselineEval {
    pub random: Ranked<u64, BasePick>,
    pub cap_weighted: Ranked<Desc, BasePick>,
    pub simple_momentum: Ranked<Desc, BasePick>,
}

/// A finished evaluation unit (SPEC §4.1 on the unit's own rows).
pub struct UnitEval {
    /// |U| of the unit.
    pub n: u64,
    /// Rows of the unit with r > 0.
    pub positives: u64,
    /// Mean return over the unit (exact sum / n).
    pub mean_return: f64,
    pub gem: Ranked<Desc, GemPick>,
    pub baselines: Option<BaselineEval>,
}

impl UnitEval {
    /// Number of rows selected (m = min(K, n)).
    pub fn selected(&self) -> u64 {
        self.gem.entries.len() as u64
    }

    /// Share of the unit's rows with r > 0 (what a random pick gets on average).
    pub fn base_rate(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.positives as f64 / self.n as f64
        }
    }
}

impl Selection {
    /// Sort the selections and compute the unit's figures.
    pub fn finish(self) -> UnitEval {
        let mean_return = if self.n == 0 {
            0.0
        } else {
            self.ret_sum.value() / self.n as f64
        };
        UnitEval {
            n: self.n,
            positives: self.positives,
            mean_return,
            gem: Ranked::from_top(self.gem),
            baselines: self.baselines.map(|b| BaselineEval {
                random: Ranked::from_top(b.random),
                cap_weighted: Ranked::from_top(b.cap_weighted),
                simple_momentum: Ranked::from_top(b.simple_momentum),
            }),
        }
    }
}
