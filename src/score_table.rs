//! `gemscan score` (SPEC §12): score and rank every row.
//!
//! Rows without a return are scored too (live data has no future return).
//! Output: one row per input row in rank order (§3), CSV or JSON.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use serde::Serialize;

use crate::date::{format_stamp, Stamp};
use crate::error::{Error, Result};
use crate::rank::{sort_entries, Desc, Entry, TieBreak};
use crate::score::{Scored, Scorer, Weights};
use crate::snapshot::{self, Header, ReadOptions, RowRef, RowSink};

/// Output format of `gemscan score`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScoreFormat {
    Csv,
    Json,
}

/// Options of a score run.
#[derive(Clone, Debug)]
pub struct ScoreOptions {
    pub data_path: String,
    pub weights: Weights,
    pub read: ReadOptions,
    pub limit: Option<usize>,
    pub format: ScoreFormat,
}

struct Row {
    scored: Scored,
    contributions: Vec<f64>,
    ret: Option<f64>,
    date_only: bool,
}

struct Collect {
    scorer: Scorer,
    rows: Vec<Entry<Desc, Row>>,
}

impl RowSink for Collect {
    fn push(&mut self, row: &RowRef<'_>) {
        let scored = self.scorer.evaluate(row.features);
        self.rows.push(Entry {
            primary: Desc(scored.score),
            tie: TieBreak {
                token: row.token.into(),
                nanos: row.stamp.nanos,
                line: row.line,
            },
            item: Row {
                contributions: self.scorer.contributions(row.features),
                scored,
                ret: row.ret,
                date_only: row.stamp.date_only,
            },
        });
    }
    fn merge(&mut self, later: Self) {
        self.rows.extend(later.rows);
    }
}

#[derive(Serialize)]
struct JsonRow<'a> {
    rank: usize,
    token: &'a str,
    date: String,
    score: f64,
    confidence: f64,
    flag: bool,
    driver: &'a str,
    driver_value: f64,
    contributions: BTreeMap<&'a str, f64>,
    #[serde(rename = "return", skip_serializing_if = "Option::is_none")]
    ret: Option<Option<f64>>,
}

/// Shortest round-trip text of a float (same form as the JSON output).
pub fn float_text(x: f64) -> String {
    serde_json::Number::from_f64(x).map_or_else(|| "null".to_string(), |n| n.to_string())
}

/// Score every row of `input` and write the ranked table to `out`.
/// Returns the warnings to print.
pub fn run<R: Read + Send>(
    input: R,
    opts: &ScoreOptions,
    out: &mut dyn Write,
) -> Result<Vec<String>> {
    let file = if opts.data_path == "-" {
        "<stdin>".to_string()
    } else {
        opts.data_path.clone()
    };
    let make = |h: &Header| Collect {
        scorer: Scorer::new(&opts.weights, &h.features),
        rows: Vec::new(),
    };
    let read = snapshot::read(input, &file, &opts.read, 0, make)?;
    let mut warnings = read.warnings;
    if let Some(w) = Scorer::absent_warning(&opts.weights, &read.header.features) {
        warnings.insert(0, w);
    }
    if opts.read.strict {
        if let Some(w) = warnings.first() {
            return Err(Error::Strict {
                file,
                message: w.clone(),
            });
        }
    }
    let has_return = read.header.has_return;
    let mut rows = read.sink.rows;
    sort_entries(&mut rows);
    let rows = &rows[..opts.limit.map_or(rows.len(), |l| l.min(rows.len()))];
    let names: Vec<&str> = opts.weights.names().collect();
    let io = |e: std::io::Error| Error::Io {
        path: "<stdout>".into(),
        source: e,
    };
    match opts.format {
        ScoreFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            let mut head: Vec<String> = [
                "rank",
                "token",
                "date",
                "score",
                "confidence",
                "flag",
                "driver",
                "driver_value",
            ]
            .map(String::from)
            .to_vec();
            head.extend(names.iter().map(|n| n.to_string()));
            if has_return {
                head.push("return".into());
            }
            w.write_record(&head).map_err(csv_io)?;
            for (i, e) in rows.iter().enumerate() {
                let r = &e.item;
                let mut rec: Vec<String> = vec![
                    (i + 1).to_string(),
                    e.tie.token.to_string(),
                    format_stamp(Stamp {
                        nanos: e.tie.nanos,
                        date_only: r.date_only,
                    }),
                    float_text(r.scored.score),
                    float_text(r.scored.confidence),
                    r.scored.flag.to_string(),
                    names
                        .get(r.scored.driver)
                        .copied()
                        .unwrap_or("")
                        .to_string(),
                    float_text(r.contributions.get(r.scored.driver).copied().unwrap_or(0.0)),
                ];
                rec.extend(r.contributions.iter().map(|&c| float_text(c)));
                if has_return {
                    rec.push(r.ret.map(float_text).unwrap_or_default());
                }
                w.write_record(&rec).map_err(csv_io)?;
            }
            w.flush().map_err(io)?;
        }
        ScoreFormat::Json => {
            let items: Vec<JsonRow<'_>> = rows
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let r = &e.item;
                    JsonRow {
                        rank: i + 1,
                        token: &e.tie.token,
                        date: format_stamp(Stamp {
                            nanos: e.tie.nanos,
                            date_only: r.date_only,
                        }),
                        score: r.scored.score,
                        confidence: r.scored.confidence,
                        flag: r.scored.flag,
                        driver: names.get(r.scored.driver).copied().unwrap_or(""),
                        driver_value: r.contributions.get(r.scored.driver).copied().unwrap_or(0.0),
                        contributions: names
                            .iter()
                            .copied()
                            .zip(r.contributions.iter().copied())
                            .collect(),
                        ret: has_return.then_some(r.ret),
                    }
                })
                .collect();
            let value = serde_json::to_value(&items)
                .map_err(|e| Error::Internal(format!("cannot serialise scores: {e}")))?;
            out.write_all(crate::report::json::to_text(&value).as_bytes())
                .map_err(io)?;
        }
    }
    Ok(warnings)
}

fn csv_io(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(err) => Error::Io {
            path: "<stdout>".into(),
            source: err,
        },
        other => Error::Internal(format!("writing CSV: {other:?}")),
    }
}
