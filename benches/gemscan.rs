//! Criterion benchmarks of the hot parts (issue: performance at scale).
//!
//! `cargo bench --bench gemscan` runs them all; `cargo bench --bench gemscan
//! -- kendall` one group. Inputs are generated deterministically
//! (`gemscan::synth` for CSV, SplitMix-style integers for vectors), so runs
//! are comparable across machines and commits. Whole-binary timings against
//! `xsv count` on 10^6 / 10^7-row files are `benches/scale.sh`.

use std::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use gemscan::backtest::{self, BacktestOptions};
use gemscan::metrics::classification::roc_auc;
use gemscan::metrics::ic::kendall_tau_b;
use gemscan::periods::SliceBy;
use gemscan::rank::{Desc, Entry, TieBreak, TopK};
use gemscan::score::{Scorer, Weights, CONFIDENCE_FEATURES, DEFAULT_ORDER};
use gemscan::snapshot::{self, Header, ReadOptions, RowRef, RowSink, CHUNK_BYTES};

/// Deterministic pseudo-random numbers in [0, 1) (the generator's SplitMix64).
fn uniform(n: usize, seed: u64) -> Vec<f64> {
    let mut g = gemscan::synth::SplitMix64(seed);
    (0..n).map(|_| g.unit()).collect()
}

/// Scores on a 0.01 grid (ties, like gem scores) and returns related to them.
fn score_return(n: usize) -> (Vec<f64>, Vec<f64>) {
    let u = uniform(2 * n, 7);
    let x: Vec<f64> = u[..n]
        .iter()
        .map(|v| (v * 10_000.0).round() / 100.0)
        .collect();
    let y = u[n..]
        .iter()
        .zip(&x)
        .map(|(v, s)| (v - 0.5 + s / 1000.0) * 0.3)
        .collect();
    (x, y)
}

fn read_opts() -> ReadOptions {
    ReadOptions {
        delimiter: b',',
        return_col: "future_return_7d".into(),
        require_return: true,
        strict: false,
        chunk_bytes: CHUNK_BYTES,
        hash: true,
        progress: None,
    }
}

/// Counts rows: the reader's own cost, nothing downstream.
struct Count(u64);

impl RowSink for Count {
    fn push(&mut self, row: &RowRef<'_>) {
        self.0 += u64::from(row.ret.is_some());
    }
    fn merge(&mut self, later: Self) {
        self.0 += later.0;
    }
}

fn parse(c: &mut Criterion) {
    let rows = 200_000;
    let data = gemscan::synth::generate_vec(rows, 1, 2000);
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(20);
    g.bench_function("read_200k_rows", |b| {
        b.iter(|| {
            let out = snapshot::read(
                Cursor::new(&data[..]),
                "bench.csv",
                &read_opts(),
                42,
                |_: &Header| Count(0),
            )
            .expect("generated data parses");
            black_box(out.sink.0)
        })
    });
    g.finish();
}

/// One numeric cell at a time: the real file's shapes (`0.0149142`,
/// `-0.0130529`, `7.85923e+07`, `35.1579`, `1`) and the generator's (`0.746`).
fn numbers(c: &mut Criterion) {
    let u = uniform(1_000_000, 11);
    let cells: Vec<String> = u
        .iter()
        .enumerate()
        .map(|(i, v)| match i % 5 {
            0 => format!("{:.7}", v * 0.05),
            1 => format!("-{:.7}", v * 0.05),
            2 => format!("{:.5e}", v * 1e8).replace('e', "e+0"),
            3 => format!("{:.4}", v * 100.0),
            _ => format!("{:.3}", v),
        })
        .collect();
    let mut g = c.benchmark_group("number");
    g.throughput(Throughput::Elements(cells.len() as u64));
    g.bench_function("parse_number_1m_cells", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for s in &cells {
                if let Ok(Some(x)) = snapshot::parse_number(black_box(s.as_bytes())) {
                    acc += x;
                }
            }
            acc
        })
    });
    g.bench_function("std_parse_1m_cells", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for s in &cells {
                if let Ok(x) = black_box(s.as_str()).parse::<f64>() {
                    acc += x;
                }
            }
            acc
        })
    });
    g.finish();
}

fn scoring(c: &mut Criterion) {
    let names: Vec<String> = DEFAULT_ORDER
        .iter()
        .chain(&CONFIDENCE_FEATURES)
        .map(|s| s.to_string())
        .collect();
    let scorer = Scorer::new(&Weights::default_table(), &names);
    let n = 1_000_000;
    let values = uniform(n * names.len(), 3);
    let mut g = c.benchmark_group("score");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("gem_score_1m_rows", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for row in values.chunks_exact(names.len()) {
                acc += scorer.score(black_box(row));
            }
            acc
        })
    });
    g.finish();
}

fn top_k(c: &mut Criterion) {
    let n = 1_000_000;
    let (x, _) = score_return(n);
    let tokens: Vec<String> = (0..2000).map(|i| format!("TK{i:05}")).collect();
    let mut g = c.benchmark_group("top_k");
    g.throughput(Throughput::Elements(n as u64));
    for k in [10usize, 1000] {
        g.bench_with_input(BenchmarkId::new("stream_1m_rows", k), &k, |b, &k| {
            b.iter(|| {
                let mut t: TopK<Desc, ()> = TopK::new(k);
                for (i, &s) in x.iter().enumerate() {
                    let token = &tokens[i % tokens.len()];
                    let (p, nanos, line) = (Desc(s), (i / 2000) as i64, i as u64);
                    if t.admits(&p, token.as_bytes(), nanos, line) {
                        t.push(Entry {
                            primary: p,
                            tie: TieBreak {
                                token: token.as_str().into(),
                                nanos,
                                line,
                            },
                            item: (),
                        });
                    }
                }
                t.len()
            })
        });
    }
    g.finish();
}

fn kendall(c: &mut Criterion) {
    let mut g = c.benchmark_group("kendall_tau_b");
    g.sample_size(10);
    for n in [100_000usize, 1_000_000, 10_000_000] {
        let (x, y) = score_return(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| kendall_tau_b(black_box(&x), black_box(&y)))
        });
    }
    g.finish();
}

fn auc(c: &mut Criterion) {
    let n = 1_000_000;
    let (x, y) = score_return(n);
    let positive: Vec<bool> = y.iter().map(|r| *r > 0.0).collect();
    let mut g = c.benchmark_group("roc_auc");
    g.sample_size(20);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("1m_rows", |b| b.iter(|| roc_auc(black_box(&x), &positive)));
    g.finish();
}

fn end_to_end(c: &mut Criterion) {
    let rows = 100_000;
    let data = gemscan::synth::generate_vec(rows, 2, 500);
    let opts = |extended: bool| BacktestOptions {
        data_path: "bench.csv".into(),
        top_k: 10,
        seed: 42,
        compare_baselines: true,
        extended_metrics: extended,
        slice_by: extended.then_some(SliceBy::Month),
        periods_per_year: None,
        risk_free_rate: None,
        weights: Weights::default_table(),
        read: read_opts(),
    };
    let mut g = c.benchmark_group("backtest_100k_rows");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(data.len() as u64));
    for (name, extended) in [("baselines", false), ("all_metrics", true)] {
        let o = opts(extended);
        g.bench_function(name, |b| {
            b.iter(|| {
                backtest::run(Cursor::new(&data[..]), &o)
                    .expect("runs")
                    .0
                    .precision_at_k
            })
        });
    }
    g.finish();
}

criterion_group!(benches, numbers, parse, scoring, top_k, kendall, auc, end_to_end);
criterion_main!(benches);
