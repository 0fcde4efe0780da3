//! gemscan: backtest a crypto "gem score" on CSV market snapshots.
//!
//! Data flows one way: CSV -> rows -> scores -> rankings -> metrics -> report.
//! `main.rs` only parses arguments, calls into this library and maps errors
//! to exit codes.
#![forbid(unsafe_code)]

pub mod metrics;
pub mod periods;
pub mod registry;
