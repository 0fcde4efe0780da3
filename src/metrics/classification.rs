//! Classification metrics of the score as a predictor of `return > 0`
//! (SPEC §6 "Classification"). O(n log n): one sort of (score, label).

use super::ic::{analyze, pair_key, Key, Need};
use serde::Serialize;

/// Every key of `extended_metrics.classification` (SPEC §11).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ClassificationMetrics {
    /// See [`roc_auc`]; null when U has one class only.
    pub roc_auc: Option<f64>,
    /// See [`pr_auc`]; null when U has one class only.
    pub pr_auc: Option<f64>,
    /// Share of positive rows `P / n`; null when U is empty.
    pub base_rate: Option<f64>,
    /// `max(base_rate, 1 - base_rate)`: accuracy of always predicting the
    /// majority class; null when U is empty.
    pub baseline_accuracy: Option<f64>,
}

impl ClassificationMetrics {
    /// Assemble from the positive count, the row count and the two AUCs.
    pub(crate) fn from_counts(
        positives: u64,
        n: u64,
        roc_auc: Option<f64>,
        pr_auc: Option<f64>,
    ) -> Self {
        let base = base_rate_of(positives, n);
        ClassificationMetrics {
            roc_auc,
            pr_auc,
            base_rate: base,
            baseline_accuracy: base.map(|b| b.max(1.0 - b)),
        }
    }
}

fn base_rate_of(positives: u64, n: u64) -> Option<f64> {
    (n > 0).then(|| positives as f64 / n as f64)
}

/// Keys of (score, 1.0 for positive / 0.0 for negative); `None` on a length
/// mismatch or a non-finite score.
fn labelled_pairs(score: &[f64], positive: &[bool]) -> Option<Vec<Key>> {
    if score.len() != positive.len() || !score.iter().all(|v| v.is_finite()) {
        return None;
    }
    Some(
        score
            .iter()
            .zip(positive)
            .map(|(&s, &p)| pair_key(s, if p { 1.0 } else { 0.0 }))
            .collect(),
    )
}

/// All four classification metrics in one sort.
/// Label `positive[i]`, predictor `score[i]`. Lengths must match and scores
/// be finite, else all null.
pub fn classification_metrics(score: &[f64], positive: &[bool]) -> ClassificationMetrics {
    match labelled_pairs(score, positive) {
        Some(mut pairs) => {
            let n = pairs.len() as u64;
            let mut buf = Vec::new();
            let st = analyze(&mut pairs, &mut buf, Need::All);
            ClassificationMetrics::from_counts(st.positives, n, st.roc_auc, st.pr_auc)
        }
        None => ClassificationMetrics::default(),
    }
}

/// ROC AUC = P[score of a random positive > score of a random negative] +
/// 1/2 P[tie] = `(sum of the average ranks of the positives - P(P+1)/2) /
/// (P * N)` (Mann-Whitney U), exact in integer arithmetic. Equals sklearn
/// `roc_auc_score`; a constant score gives 0.5.
/// `None` when there is only one class (or no rows, or bad input).
pub fn roc_auc(score: &[f64], positive: &[bool]) -> Option<f64> {
    classification_metrics(score, positive).roc_auc
}

/// Average precision, sklearn `average_precision_score`: thresholds at each
/// distinct score in descending order (tied scores form one threshold),
/// `AP = sum_k (R_k - R_{k-1}) * P_k` with precision `P_k = TP_k / (TP_k +
/// FP_k)` and recall `R_k = TP_k / P` at threshold k.
/// `None` when there is only one class.
pub fn pr_auc(score: &[f64], positive: &[bool]) -> Option<f64> {
    classification_metrics(score, positive).pr_auc
}

/// Share of positive labels; `None` when empty.
pub fn base_rate(positive: &[bool]) -> Option<f64> {
    base_rate_of(
        positive.iter().filter(|&&p| p).count() as u64,
        positive.len() as u64,
    )
}

/// `max(base_rate, 1 - base_rate)`; `None` when empty.
pub fn baseline_accuracy(positive: &[bool]) -> Option<f64> {
    base_rate(positive).map(|b| b.max(1.0 - b))
}
