//! Pure metric functions over slices of numbers (IC, classification, risk).
//!
//! Every function takes plain slices, allocates only O(n) scratch (never per
//! element), and is deterministic: floating-point sums run in a canonical
//! order (input order, or value-sorted order for the IC and classification
//! metrics) combined in fixed-size chunks, so results are bit-identical for
//! any thread count. Inputs are finite numbers (the CSV reader rejects
//! anything else); functions that could see NaN return `None` for it.

pub mod classification;
pub mod ic;
pub mod risk;
pub mod stats;

pub use classification::{classification_metrics, ClassificationMetrics};
pub use ic::{universe_metrics, Correlation, DailyIc, IcMetrics};
pub use risk::{risk_metrics, RiskMetrics};
