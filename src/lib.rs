//! gemscan: backtest a crypto "gem score" on CSV market snapshots.
//!
//! Data flows one way: CSV ([`snapshot`]) -> rows -> scores ([`score`]) ->
//! rankings ([`rank`]) -> metrics ([`backtest`], [`metrics`]) -> report
//! ([`report`]). `main.rs` only parses arguments ([`cli`]), calls
//! [`app::run`] and maps errors ([`error`]) to exit codes.
#![forbid(unsafe_code)]

pub mod app;
pub mod backtest;
pub mod cli;
pub mod date;
pub mod error;
pub mod exact;
pub mod metrics;
pub mod periods;
pub mod progress;
pub mod rank;
pub mod registry;
pub mod report;
pub mod score;
pub mod score_table;
pub mod snapshot;
pub mod synth;
