//! Exporters over one [`crate::backtest::Report`]: text and JSON.

pub mod finite;
pub mod json;
pub mod text;
