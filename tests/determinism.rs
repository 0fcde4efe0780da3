//! Determinism (SPEC §3, §7): the same input and options give the same bytes
//! whatever the run, the thread count or the parsing chunk size; shuffling
//! the data rows (distinct (token, date)) changes nothing but
//! `config.data_sha256`; the `score` ranking is the total order of §3.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use assert_cmd::Command;
use gemscan::backtest::{self, BacktestOptions};
use gemscan::periods::SliceBy;
use gemscan::report::{json, text};
use gemscan::score::Weights;
use gemscan::score_table::{self, ScoreFormat, ScoreOptions};
use gemscan::snapshot::{ReadOptions, CHUNK_BYTES};
use proptest::prelude::*;
use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/sp500_sample.csv";

// ------------------------------------------------- (a) the binary, fixture

fn run_bin(extra: &[&str], threads: Option<&str>) -> Vec<u8> {
    let mut c = Command::cargo_bin("gemscan").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "backtest",
            FIXTURE,
            "--compare-baselines",
            "--extended-metrics",
            "--time-sliced",
            "--slice-by",
            "week",
        ])
        .args(extra);
    match threads {
        Some(t) => c.env("RAYON_NUM_THREADS", t),
        None => c.env_remove("RAYON_NUM_THREADS"),
    };
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn json_report_is_byte_identical_across_runs_threads_and_chunks() {
    let json = ["--json-output"];
    let first = run_bin(&json, None);
    let v: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(v["config"]["slice_by"], "week");
    assert!(v["time_slices"].as_array().unwrap().len() > 40);
    let same = |label: &str, got: Vec<u8>| {
        assert!(
            got == first,
            "{label}: JSON report differs from the first run"
        );
    };
    same("second run", run_bin(&json, None));
    same("RAYON_NUM_THREADS=1", run_bin(&json, Some("1")));
    same("RAYON_NUM_THREADS=2", run_bin(&json, Some("2")));
    same(
        "--chunk-bytes 4096",
        run_bin(&["--json-output", "--chunk-bytes", "4096"], None),
    );
    same(
        "--chunk-bytes 4096, 1 thread",
        run_bin(&["--json-output", "--chunk-bytes", "4096"], Some("1")),
    );
}

#[test]
fn text_report_is_identical_across_threads_and_chunks() {
    let first = run_bin(&[], Some("2"));
    assert!(first == run_bin(&[], Some("1")));
    assert!(first == run_bin(&["--chunk-bytes", "4096"], Some("2")));
}

// ------------------------------------------- generated inputs (b) and (c)

/// Dates: (input spelling, how `score` prints it, UTC order). Distinct
/// instants across week (2023-12-31 is a Sunday, 2024-01-01 a Monday),
/// month, quarter and year boundaries, with offsets that move a row to
/// another UTC day.
const DATES: [(&str, &str, u32); 12] = [
    ("2023-12-31", "2023-12-31", 0),
    ("2024-01-01", "2024-01-01", 1),
    // 2024-01-02 01:00 at +02:00 = 2024-01-01 23:00 UTC.
    ("2024-01-02T01:00:00+02:00", "2024-01-01T23:00:00Z", 2),
    ("2024-01-02 12:30:00", "2024-01-02T12:30:00Z", 3),
    ("2024-01-07", "2024-01-07", 4),
    ("2024-01-08", "2024-01-08", 5),
    // 2024-01-31 22:00 at -03:00 = 2024-02-01 01:00 UTC (February).
    ("2024-01-31T22:00:00-03:00", "2024-02-01T01:00:00Z", 6),
    ("2024-02-15", "2024-02-15", 7),
    ("2024-03-31", "2024-03-31", 8),
    ("2024-04-01", "2024-04-01", 9),
    ("2024-04-02T00:00:00.5Z", "2024-04-02T00:00:00.5Z", 10),
    ("2024-06-30", "2024-06-30", 11),
];

/// Byte order, not case-insensitive: "B" < "BB" < "Z" < "a" < "b".
const TOKENS: [&str; 6] = ["A", "B", "BB", "Z", "a", "b"];

const HEADER: &str = "token,date,f_SentimentScore,f_AccumulationScore,f_OnchainActivity,\
f_ContractSafety,f_NarrativeMomentum,f_MarketCap,f_PriceChange7d,f_Recency,\
f_DataCompleteness,future_return_7d";
const N_FEATURES: usize = 9;

#[derive(Clone, Debug)]
struct Row {
    token: usize,
    date: usize,
    /// Thousandths; `None` = missing cell.
    features: Vec<Option<i32>>,
    ret: Option<i32>,
}

fn milli(v: Option<i32>) -> String {
    match v {
        None => String::new(),
        Some(v) => {
            let sign = if v < 0 { "-" } else { "" };
            format!("{sign}{}.{:03}", v.abs() / 1000, v.abs() % 1000)
        }
    }
}

fn line(r: &Row) -> String {
    let mut s = format!("{},{}", TOKENS[r.token], DATES[r.date].0);
    for f in &r.features {
        s.push(',');
        s.push_str(&milli(*f));
    }
    s.push(',');
    s.push_str(&milli(r.ret));
    s
}

fn csv(rows: &[Row]) -> Vec<u8> {
    let mut s = format!("{HEADER}\n");
    for r in rows {
        s.push_str(&line(r));
        s.push('\n');
    }
    s.into_bytes()
}

/// A feature cell: often one of a few values (so scores tie), sometimes
/// outside [0, 1] (clamped), sometimes missing.
fn cell() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![
        3 => prop::sample::select(vec![0, 500, 700, 900, 1000]).prop_map(Some),
        3 => (0..=1000i32).prop_map(Some),
        1 => (-200..=1500i32).prop_map(Some),
        1 => Just(None),
    ]
}

fn ret() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![
        2 => prop::sample::select(vec![-50, 0, 20, 50]).prop_map(Some),
        6 => (-200..=200i32).prop_map(Some),
        1 => Just(None),
    ]
}

/// 20..=60 rows with distinct (token, date) pairs, in generated order.
fn rows() -> impl Strategy<Value = Vec<Row>> {
    let pairs: Vec<(usize, usize)> = (0..TOKENS.len())
        .flat_map(|t| (0..DATES.len()).map(move |d| (t, d)))
        .collect();
    prop::sample::subsequence(pairs, 20..=60)
        .prop_shuffle()
        .prop_flat_map(|pairs| {
            let n = pairs.len();
            (
                Just(pairs),
                prop::collection::vec(prop::collection::vec(cell(), N_FEATURES), n),
                prop::collection::vec(ret(), n),
            )
        })
        .prop_map(|(pairs, feats, rets)| {
            pairs
                .into_iter()
                .zip(feats)
                .zip(rets)
                .map(|(((token, date), features), ret)| Row {
                    token,
                    date,
                    features,
                    ret,
                })
                .collect()
        })
}

/// The default table, or one feature only (score = 100 * clamp(Sentiment),
/// so ties are everywhere).
fn weights(single: bool) -> Weights {
    if single {
        Weights::from_yaml("SentimentScore: 1\n", Path::new("w.yaml")).unwrap()
    } else {
        Weights::default_table()
    }
}

fn read_opts(require_return: bool, chunk_bytes: usize) -> ReadOptions {
    ReadOptions {
        delimiter: b',',
        return_col: "future_return_7d".into(),
        require_return,
        strict: false,
        chunk_bytes,
        hash: true,
        progress: None,
    }
}

fn backtest_opts(k: usize, by: SliceBy, single: bool, chunk: usize) -> BacktestOptions {
    BacktestOptions {
        data_path: "gen.csv".into(),
        top_k: k,
        seed: 7,
        compare_baselines: true,
        extended_metrics: true,
        slice_by: Some(by),
        periods_per_year: None,
        risk_free_rate: None,
        weights: weights(single),
        read: read_opts(true, chunk),
    }
}

/// JSON text and text report of a run, or the error message.
fn backtest_out(data: Vec<u8>, o: &BacktestOptions) -> Result<(String, String), String> {
    match backtest::run(Cursor::new(data), o) {
        Err(e) => Err(e.to_string()),
        Ok((report, _warnings)) => {
            let mut v = json::to_value(&report).unwrap();
            json::validate(&v, "<gen>").map_err(|e| format!("schema: {e}"))?;
            let sha = v["config"]["data_sha256"].take();
            assert!(sha.as_str().is_some_and(|s| s.len() == 64));
            Ok((json::to_text(&v), text::render(&report)))
        }
    }
}

fn score_json(data: Vec<u8>, single: bool, chunk: usize) -> String {
    let o = ScoreOptions {
        data_path: "gen.csv".into(),
        weights: weights(single),
        read: read_opts(false, chunk),
        limit: None,
        format: ScoreFormat::Json,
    };
    let mut out = Vec::new();
    score_table::run(Cursor::new(data), &o, &mut out).expect("score runs");
    String::from_utf8(out).unwrap()
}

fn slice_by() -> impl Strategy<Value = SliceBy> {
    prop::sample::select(vec![SliceBy::Week, SliceBy::Month, SliceBy::Quarter])
}

fn chunk() -> impl Strategy<Value = usize> {
    prop_oneof![Just(CHUNK_BYTES), 16..400usize]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// (b) Shuffling the rows changes nothing but `data_sha256`: same JSON
    /// bytes (all metrics on), same text report, or the same error.
    #[test]
    fn shuffled_rows_give_the_same_report(
        (rows, perm) in rows().prop_flat_map(|r| {
            let idx: Vec<usize> = (0..r.len()).collect();
            (Just(r), Just(idx).prop_shuffle())
        }),
        k in 1..=12usize,
        by in slice_by(),
        single in any::<bool>(),
        chunk_a in chunk(),
        chunk_b in chunk(),
    ) {
        let shuffled: Vec<Row> = perm.iter().map(|&i| rows[i].clone()).collect();
        let a = backtest_out(csv(&rows), &backtest_opts(k, by, single, chunk_a));
        let b = backtest_out(csv(&shuffled), &backtest_opts(k, by, single, chunk_b));
        if let Err(e) = &a {
            // Only "all returns missing" may fail, and then both fail alike.
            prop_assert!(e.contains("no evaluable rows"), "{}", e);
            prop_assert!(rows.iter().all(|r| r.ret.is_none()));
        }
        prop_assert_eq!(a, b);
    }

    /// (c) `gemscan score` output is the total order of SPEC §3: every
    /// adjacent pair is (score desc, token asc byte-wise, date asc by UTC
    /// instant), strictly (no two rows share a (token, date)); and the
    /// output does not depend on the input order.
    #[test]
    fn score_ranking_is_a_total_order(
        (rows, perm) in rows().prop_flat_map(|r| {
            let idx: Vec<usize> = (0..r.len()).collect();
            (Just(r), Just(idx).prop_shuffle())
        }),
        single in any::<bool>(),
        chunk_a in chunk(),
        chunk_b in chunk(),
    ) {
        let out = score_json(csv(&rows), single, chunk_a);
        let shuffled: Vec<Row> = perm.iter().map(|&i| rows[i].clone()).collect();
        prop_assert_eq!(&out, &score_json(csv(&shuffled), single, chunk_b));

        let order: HashMap<&str, u32> = DATES.iter().map(|d| (d.1, d.2)).collect();
        let v: Value = serde_json::from_str(&out).unwrap();
        let ranked = v.as_array().unwrap();
        prop_assert_eq!(ranked.len(), rows.len());
        let key = |r: &Value| {
            (
                r["score"].as_f64().unwrap(),
                r["token"].as_str().unwrap().to_string(),
                order[r["date"].as_str().unwrap()],
            )
        };
        for (i, r) in ranked.iter().enumerate() {
            prop_assert_eq!(r["rank"].as_u64(), Some(i as u64 + 1));
        }
        for w in ranked.windows(2) {
            let (s0, t0, d0) = key(&w[0]);
            let (s1, t1, d1) = key(&w[1]);
            let ok = s0 > s1
                || (s0 == s1 && t0.as_bytes() < t1.as_bytes())
                || (s0 == s1 && t0 == t1 && d0 < d1);
            prop_assert!(ok, "out of order: {} then {}", w[0], w[1]);
        }
        if single {
            // score = 100 * clamp(SentimentScore, 0, 1), missing = 0.
            let by_row: HashMap<(String, u32), f64> = rows
                .iter()
                .map(|r| {
                    let x = r.features[0].map_or(0.0, |m| m as f64 / 1000.0);
                    ((TOKENS[r.token].to_string(), DATES[r.date].2), x.clamp(0.0, 1.0) * 100.0)
                })
                .collect();
            for r in ranked {
                let (s, t, d) = key(r);
                prop_assert_eq!(s, by_row[&(t, d)]);
            }
        }
    }
}

/// A fixed case of (c) with ties, by hand: with weights `SentimentScore: 1`,
/// scores are a=50, B=50, BB=50, A=90 (two dates), Z=missing -> 0.
#[test]
fn score_ties_by_hand() {
    let data = "token,date,f_SentimentScore,future_return_7d\n\
                a,2024-01-01,0.5,0.1\n\
                BB,2024-01-01,0.5,\n\
                A,2024-01-02,0.9,0.1\n\
                Z,2024-01-01,,0.1\n\
                B,2024-01-01,0.5,0.1\n\
                A,2024-01-01T12:00:00+13:00,0.9,0.1\n";
    let out = score_json(data.as_bytes().to_vec(), true, CHUNK_BYTES);
    let v: Value = serde_json::from_str(&out).unwrap();
    let got: Vec<(String, String, f64)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["token"].as_str().unwrap().into(),
                r["date"].as_str().unwrap().into(),
                r["score"].as_f64().unwrap(),
            )
        })
        .collect();
    // 90: A 2023-12-31T23:00Z (12:00 at +13:00) before A 2024-01-02;
    // 50: B < BB < a byte-wise; then Z (0).
    let want = [
        ("A", "2023-12-31T23:00:00Z", 90.0),
        ("A", "2024-01-02", 90.0),
        ("B", "2024-01-01", 50.0),
        ("BB", "2024-01-01", 50.0),
        ("a", "2024-01-01", 50.0),
        ("Z", "2024-01-01", 0.0),
    ];
    let want: Vec<(String, String, f64)> = want
        .iter()
        .map(|(t, d, s)| (t.to_string(), d.to_string(), *s))
        .collect();
    assert_eq!(got, want);
}
