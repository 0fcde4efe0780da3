//! Gem score, confidence, strongest driver and flag (SPEC §2, §10).
//!
//! `v(x) = clamp(x, 0, 1)`, a missing feature counts as 0;
//! `contribution[name] = weight * v(feature)`, summed left to right in table
//! order; `score = clamp(sum, 0, 1) * 100`;
//! `confidence = (0.5 * v(Recency) + 0.5 * v(DataCompleteness)) * 100`;
//! `flag = score >= 70 && ContractSafety >= 0.7 && AccumulationScore,
//! NarrativeMomentum, OnchainActivity >= 0.6` (raw values, missing = 0).

use std::fmt;
use std::path::Path;

use serde::de::{Deserializer, MapAccess, Visitor};

use crate::error::{Error, Result};

/// The default weights file, compiled into the binary.
pub const DEFAULT_WEIGHTS_YAML: &str = include_str!("../configs/weights.yaml");

/// The feature names of the default table, in table order.
pub const DEFAULT_ORDER: [&str; 8] = [
    "SentimentScore",
    "AccumulationScore",
    "OnchainActivity",
    "LiquidityDepth",
    "TokenomicsRisk",
    "ContractSafety",
    "NarrativeMomentum",
    "CommunityGrowth",
];

/// Features the confidence is made of.
pub const CONFIDENCE_FEATURES: [&str; 2] = ["Recency", "DataCompleteness"];

/// An ordered weight table: `(feature name, weight)` in summation order.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    entries: Vec<(String, f64)>,
}

/// A YAML mapping read in file order, rejecting duplicate keys.
struct OrderedWeights(Vec<(String, f64)>);

impl<'de> serde::Deserialize<'de> for OrderedWeights {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedWeights;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of feature name to weight, e.g. `SentimentScore: 0.15`")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out: Vec<(String, f64)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, f64>()? {
                    if out.iter().any(|(name, _)| *name == k) {
                        return Err(serde::de::Error::custom(format!("duplicate feature {k:?}")));
                    }
                    out.push((k, v));
                }
                Ok(OrderedWeights(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl Weights {
    /// The compiled-in default table.
    pub fn default_table() -> Weights {
        // The compiled-in file is checked by a unit test; fall back to the
        // table itself so this can never fail at run time.
        Weights::from_yaml(DEFAULT_WEIGHTS_YAML, Path::new("configs/weights.yaml")).unwrap_or_else(
            |_| Weights {
                entries: DEFAULT_ORDER
                    .iter()
                    .zip([0.15, 0.20, 0.15, 0.10, 0.12, 0.12, 0.08, 0.08])
                    .map(|(n, w)| (n.to_string(), w))
                    .collect(),
            },
        )
    }

    /// Read a weights file (`Name: weight` mapping).
    pub fn from_file(path: &Path) -> Result<Weights> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Weights {
            path: path.to_owned(),
            message: format!("cannot read weights file: {e}"),
        })?;
        Weights::from_yaml(&text, path)
    }

    /// Parse and check a weights mapping. Order: default names in default
    /// order, then the file's other names in file order.
    pub fn from_yaml(text: &str, path: &Path) -> Result<Weights> {
        let err = |message: String| Error::Weights {
            path: path.to_owned(),
            message,
        };
        let OrderedWeights(raw) =
            serde_yaml::from_str(text).map_err(|e| err(format!("invalid weights file: {e}")))?;
        if raw.is_empty() {
            return Err(err(
                "weights file is empty: give at least one `Name: weight`".into(),
            ));
        }
        for (name, w) in &raw {
            if name.trim().is_empty() || name.trim() != name {
                return Err(err(format!(
                    "feature name {name:?} is empty or has surrounding whitespace"
                )));
            }
            if !w.is_finite() || *w < 0.0 {
                return Err(err(format!(
                    "weight of {name} is {w}: weights must be finite and >= 0"
                )));
            }
        }
        if raw.iter().all(|(_, w)| *w == 0.0) {
            return Err(err("all weights are 0: at least one must be > 0".into()));
        }
        let mut entries: Vec<(String, f64)> = DEFAULT_ORDER
            .iter()
            .filter_map(|d| raw.iter().find(|(n, _)| n == d).cloned())
            .collect();
        entries.extend(
            raw.iter()
                .filter(|(n, _)| !DEFAULT_ORDER.contains(&n.as_str()))
                .cloned(),
        );
        Ok(Weights { entries })
    }

    /// `(name, weight)` in summation order.
    pub fn entries(&self) -> &[(String, f64)] {
        &self.entries
    }

    /// Feature names in summation order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// Number of weighted features.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty (never, once loaded).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// `clamp(x, 0, 1)` with missing (NaN) as 0; -0 becomes +0.
#[inline]
pub fn v(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, 1.0) + 0.0
    }
}

/// Raw value with missing (NaN) as 0.
#[inline]
fn raw(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x
    }
}

/// Where each scoring input sits in a row's feature vector (`None` = column absent).
#[derive(Clone, Debug)]
pub struct Scorer {
    weights: Vec<f64>,
    weight_idx: Vec<Option<usize>>,
    recency: Option<usize>,
    completeness: Option<usize>,
    contract_safety: Option<usize>,
    flag_min: [Option<usize>; 3],
}

/// The score of one row with everything the report shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub score: f64,
    pub confidence: f64,
    pub flag: bool,
    /// Index (in table order) of the largest contribution.
    pub driver: usize,
}

impl Scorer {
    /// Bind a weight table to the feature columns of a file (`features[i]` is
    /// the name of feature column `i`, prefix `f_` stripped).
    pub fn new(weights: &Weights, features: &[String]) -> Scorer {
        let find = |name: &str| features.iter().position(|f| f == name);
        Scorer {
            weights: weights.entries().iter().map(|(_, w)| *w).collect(),
            weight_idx: weights.names().map(find).collect(),
            recency: find("Recency"),
            completeness: find("DataCompleteness"),
            contract_safety: find("ContractSafety"),
            flag_min: [
                find("AccumulationScore"),
                find("NarrativeMomentum"),
                find("OnchainActivity"),
            ],
        }
    }

    #[inline]
    fn get(values: &[f64], idx: Option<usize>) -> f64 {
        idx.map_or(f64::NAN, |i| values[i])
    }

    /// The score alone (the hot path: no allocation).
    #[inline]
    pub fn score(&self, values: &[f64]) -> f64 {
        let mut sum = 0.0;
        for (w, idx) in self.weights.iter().zip(&self.weight_idx) {
            sum += w * v(Self::get(values, *idx));
        }
        sum.clamp(0.0, 1.0) * 100.0 + 0.0
    }

    /// Score, confidence, flag and driver of a row.
    pub fn evaluate(&self, values: &[f64]) -> Scored {
        let mut sum = 0.0;
        let mut driver = 0;
        let mut best = f64::NEG_INFINITY;
        for (i, (w, idx)) in self.weights.iter().zip(&self.weight_idx).enumerate() {
            let c = w * v(Self::get(values, *idx));
            if c > best {
                best = c;
                driver = i;
            }
            sum += c;
        }
        let score = sum.clamp(0.0, 1.0) * 100.0 + 0.0;
        let confidence = (0.5 * v(Self::get(values, self.recency))
            + 0.5 * v(Self::get(values, self.completeness)))
            * 100.0;
        let flag = score >= 70.0
            && raw(Self::get(values, self.contract_safety)) >= 0.7
            && self
                .flag_min
                .iter()
                .all(|&i| raw(Self::get(values, i)) >= 0.6);
        Scored {
            score,
            confidence,
            flag,
            driver,
        }
    }

    /// Contributions in table order.
    pub fn contributions(&self, values: &[f64]) -> Vec<f64> {
        self.weights
            .iter()
            .zip(&self.weight_idx)
            .map(|(w, idx)| w * v(Self::get(values, *idx)))
            .collect()
    }

    /// Names of weighted features (and confidence inputs) absent from the header.
    pub fn absent(weights: &Weights, features: &[String]) -> Vec<String> {
        weights
            .names()
            .chain(CONFIDENCE_FEATURES)
            .filter(|n| !features.iter().any(|f| f == n))
            .map(str::to_string)
            .collect()
    }

    /// The warning about [`Self::absent`] features, if any. A weights key
    /// written with the column prefix (`f_SentimentScore`) while the header
    /// has that feature gets a hint: weights name features without `f_`.
    pub fn absent_warning(weights: &Weights, features: &[String]) -> Option<String> {
        let absent = Self::absent(weights, features);
        if absent.is_empty() {
            return None;
        }
        let mut msg = format!(
            "features absent from the header (counted as 0): {}",
            absent.join(", ")
        );
        let prefixed: Vec<&str> = absent
            .iter()
            .filter_map(|n| n.strip_prefix("f_"))
            .filter(|n| features.iter().any(|f| f == n))
            .filter(|n| !weights.names().any(|w| w == *n))
            .collect();
        if !prefixed.is_empty() {
            msg.push_str(&format!(
                "; weights name features without the f_ of their column: write {} instead",
                prefixed.join(", ")
            ));
        }
        Some(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        DEFAULT_ORDER
            .iter()
            .chain(CONFIDENCE_FEATURES.iter())
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn compiled_default_matches_spec_table() {
        let w = Weights::from_yaml(DEFAULT_WEIGHTS_YAML, Path::new("x")).unwrap();
        let expect = [0.15, 0.20, 0.15, 0.10, 0.12, 0.12, 0.08, 0.08];
        assert_eq!(w.names().collect::<Vec<_>>(), DEFAULT_ORDER.to_vec());
        assert_eq!(
            w.entries().iter().map(|e| e.1).collect::<Vec<_>>(),
            expect.to_vec()
        );
        assert_eq!(Weights::default_table(), w);
    }

    #[test]
    fn eight_halves_sum_below_fifty() {
        // SPEC §10: eight features of 0.5 sum to 49.99999999999999 left to right.
        let s = Scorer::new(&Weights::default_table(), &names());
        let mut vals = vec![0.5; 8];
        vals.extend([1.0, 1.0]);
        let r = s.evaluate(&vals);
        assert_eq!(r.score, 49.99999999999999);
        assert_eq!(r.confidence, 100.0);
        assert!(!r.flag);
        // Largest contribution is AccumulationScore (0.2 * 0.5 = 0.1).
        assert_eq!(r.driver, 1);
    }

    #[test]
    fn hand_computed_row() {
        // Sentiment 0.9, Accumulation 1.4 (clamped to 1), Onchain 0.8, Liquidity missing,
        // Tokenomics -0.2 (clamped to 0), Contract 0.75, Narrative 0.6, Community 0.5.
        // sum = 0.135 + 0.2 + 0.12 + 0 + 0 + 0.09 + 0.048 + 0.04 = 0.633 -> score 63.3 (f64: see below).
        let s = Scorer::new(&Weights::default_table(), &names());
        let vals = [0.9, 1.4, 0.8, f64::NAN, -0.2, 0.75, 0.6, 0.5, 0.5, f64::NAN];
        let r = s.evaluate(&vals);
        let expect = (((((((0.15 * 0.9) + 0.2 * 1.0) + 0.15 * 0.8) + 0.0) + 0.0) + 0.12 * 0.75)
            + 0.08 * 0.6)
            + 0.08 * 0.5;
        assert_eq!(r.score, expect * 100.0);
        assert!((r.score - 63.3).abs() < 1e-12);
        assert_eq!(r.confidence, 25.0);
        assert_eq!(r.driver, 1);
        assert!(!r.flag, "score below 70");
        assert_eq!(s.score(&vals), r.score);
    }

    #[test]
    fn flag_uses_raw_values() {
        let s = Scorer::new(&Weights::default_table(), &names());
        let mut vals = [1.0; 10];
        assert!(s.evaluate(&vals).flag);
        vals[5] = 0.69; // ContractSafety below 0.7
        assert!(!s.evaluate(&vals).flag);
        vals[5] = 0.7;
        vals[6] = 0.59; // NarrativeMomentum below 0.6
        assert!(!s.evaluate(&vals).flag);
    }

    #[test]
    fn weights_file_order_and_checks() {
        let w = Weights::from_yaml(
            "Mine: 1\nContractSafety: 0.5\nOther: 0\n",
            Path::new("w.yaml"),
        )
        .unwrap();
        assert_eq!(
            w.names().collect::<Vec<_>>(),
            ["ContractSafety", "Mine", "Other"]
        );
        for bad in [
            "A: -1",
            "A: .nan",
            "A: .inf",
            "A: 0\nB: 0",
            "A: x",
            "{}",
            "- 1",
            "A: 1\nA: 2",
        ] {
            assert!(
                Weights::from_yaml(bad, Path::new("w.yaml")).is_err(),
                "{bad}"
            );
        }
    }
}
