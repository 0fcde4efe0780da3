//! Every JSON report the tool produces validates against the embedded schema
//! (SPEC §7): the bundled fixture under each option combination, and tiny
//! inputs where many metrics are undefined (null), k exceeds N, one class
//! only, a constant score, losses only, and so on.

use std::io::Cursor;
use std::path::Path;

use assert_cmd::Command;
use gemscan::backtest::{self, BacktestOptions};
use gemscan::periods::SliceBy;
use gemscan::report::json;
use gemscan::score::Weights;
use gemscan::snapshot::{ReadOptions, CHUNK_BYTES};
use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/sp500_sample.csv";

#[derive(Clone, Copy, Debug)]
struct Combo {
    k: usize,
    baselines: bool,
    extended: bool,
    by: Option<SliceBy>,
}

fn combos(ks: &[usize]) -> Vec<Combo> {
    let mut out = Vec::new();
    for &k in ks {
        for by in [
            None,
            Some(SliceBy::Week),
            Some(SliceBy::Month),
            Some(SliceBy::Quarter),
        ] {
            for (baselines, extended) in
                [(false, false), (true, false), (false, true), (true, true)]
            {
                out.push(Combo {
                    k,
                    baselines,
                    extended,
                    by,
                });
            }
        }
    }
    out
}

fn opts(c: Combo, weights: Weights) -> BacktestOptions {
    BacktestOptions {
        data_path: "data.csv".into(),
        top_k: c.k,
        seed: 42,
        compare_baselines: c.baselines,
        extended_metrics: c.extended,
        slice_by: c.by,
        periods_per_year: None,
        risk_free_rate: None,
        weights,
        read: ReadOptions {
            delimiter: b',',
            return_col: "future_return_7d".into(),
            require_return: true,
            strict: false,
            chunk_bytes: CHUNK_BYTES,
            hash: true,
            progress: None,
        },
    }
}

/// Run, serialise, validate; also check that the optional blocks appear
/// exactly when asked for.
fn check(data: &[u8], c: Combo, weights: &Weights, what: &str) -> Value {
    let (r, _) = backtest::run(Cursor::new(data.to_vec()), &opts(c, weights.clone()))
        .unwrap_or_else(|e| panic!("{what} {c:?}: {e}"));
    let v = json::to_value(&r).unwrap();
    if let Err(e) = json::validate(&v, what) {
        panic!("{what} {c:?}: {e}");
    }
    assert_eq!(
        v.get("baseline_results").is_some(),
        c.baselines,
        "{what} {c:?}"
    );
    assert_eq!(
        v.get("extended_metrics").is_some(),
        c.extended,
        "{what} {c:?}"
    );
    assert_eq!(
        v.get("time_slices").is_some(),
        c.by.is_some(),
        "{what} {c:?}"
    );
    // The text form is valid too once parsed back (shortest round-trip floats).
    let back: Value = serde_json::from_str(&json::to_text(&v)).unwrap();
    assert_eq!(back, v, "{what} {c:?}");
    v
}

#[test]
fn fixture_reports_validate_for_every_combination() {
    let data = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)).unwrap();
    let w = Weights::default_table();
    // k = 1, the default 10, and k far larger than N (18,486 rows).
    for c in combos(&[1, 10, 50_000]) {
        let v = check(&data, c, &w, "fixture");
        if c.k == 50_000 && c.by.is_none() {
            // m = min(K, N): everything is selected, so the pick equals
            // random expectation and the p-value is 1.
            assert_eq!(v["selected_rows"], 18_486);
            assert_eq!(v["precision_at_k"], v["random_expectation"]["precision"]);
            assert_eq!(v["precision_p_value"], 1.0);
        }
    }
}

/// Tiny inputs where metrics are undefined. Header: feature A only, so with
/// weights `A: 1` the score is 100 * clamp(A).
const TINY: &[(&str, &str)] = &[
    // One row: n < 2, every IC / volatility / Sharpe null.
    ("one row", "X,2024-01-01,0.5,0.1\n"),
    // Constant score, one class (all positive): AUC null, IC null.
    (
        "constant, all positive",
        "X,2024-01-01,0.5,0.1\nY,2024-01-01,0.5,0.2\nZ,2024-01-02,0.5,0.3\n",
    ),
    // Losses only: profit factor 0, win rate 0, drawdown > 0.
    (
        "losses only",
        "X,2024-01-01,0.9,-0.1\nY,2024-01-01,0.2,-0.2\nZ,2024-01-08,0.4,-0.3\n",
    ),
    // A -100 % return: cumulative product 0, annualized -1, calmar defined.
    (
        "total loss",
        "X,2024-01-01,0.9,-1\nY,2024-02-01,0.2,0.5\nZ,2024-04-01,0.4,0.1\n",
    ),
    // Below -100 %: prod(1 + r) < 0, annualized_return null.
    (
        "below -100%",
        "X,2024-01-01,0.9,-1.5\nY,2024-01-01,0.2,0.5\nZ,2024-01-02,0.1,0.1\n",
    ),
    // Zero returns, duplicates, missing cells, an offset crossing a day, a
    // return missing, values outside [0, 1].
    (
        "messy",
        "X,2024-01-01,1.7,0\nX,2024-01-01,-0.5,0\nY,2024-01-01T23:30:00-02:00,,0\n\
         Z,2024-03-31,0.3,NA\nW,2024-06-30 10:00:00.25,0.8,0.05\n",
    ),
];

#[test]
fn tiny_reports_validate_for_every_combination() {
    let w = Weights::from_yaml("A: 1\n", Path::new("w.yaml")).unwrap();
    for (name, rows) in TINY {
        let data = format!("token,date,f_A,future_return_7d\n{rows}");
        // k = 1, 2 and k > N.
        for c in combos(&[1, 2, 10]) {
            check(data.as_bytes(), c, &w, name);
        }
    }
}

#[test]
fn one_row_metrics_are_null_not_garbage() {
    // One row, score 50 (A = 0.5), return 0.1, pooled, k = 10 > N = 1.
    let w = Weights::from_yaml("A: 1\n", Path::new("w.yaml")).unwrap();
    let c = Combo {
        k: 10,
        baselines: true,
        extended: true,
        by: None,
    };
    let v = check(
        b"token,date,f_A,future_return_7d\nX,2024-01-01,0.5,0.1\n",
        c,
        &w,
        "one row",
    );
    // m = min(10, 1) = 1; precision 1/1; p-value P[X >= 1] with N = 1,
    // one success, one draw = 1.
    assert_eq!(v["selected_rows"], 1);
    assert_eq!(v["precision_at_k"], 1.0);
    assert_eq!(v["precision_p_value"], 1.0);
    let ic = &v["extended_metrics"]["ic"];
    for key in [
        "pearson",
        "spearman",
        "kendall",
        "pearson_p_value",
        "ic_mean",
        "ic_std",
    ] {
        assert!(ic[key].is_null(), "{key}: {}", ic[key]);
    }
    // One class only (all positive): AUCs null; base rate 1.
    let cl = &v["extended_metrics"]["classification"];
    assert!(cl["roc_auc"].is_null() && cl["pr_auc"].is_null());
    assert_eq!(cl["base_rate"], 1.0);
    // Risk of the one-return series [0.1]: volatility and Sharpe need n >= 2;
    // no loss -> profit factor null, drawdown 0 -> calmar null.
    let risk = &v["extended_metrics"]["risk"];
    for key in ["volatility", "sharpe", "profit_factor", "calmar", "sortino"] {
        assert!(risk[key].is_null(), "{key}: {}", risk[key]);
    }
    assert_eq!(risk["total_return"], 0.1);
    assert_eq!(risk["max_drawdown"], 0.0);
    assert_eq!(risk["win_rate"], 1.0);
}

#[test]
fn binary_outputs_validate_with_gemscan_validate() {
    let dir = tempfile::TempDir::new().unwrap();
    let sets: [&[&str]; 5] = [
        &[],
        &["--compare-baselines"],
        &["--extended-metrics", "--top-k", "100000"],
        &[
            "--compare-baselines",
            "--extended-metrics",
            "--slice-by",
            "quarter",
        ],
        &[
            "--compare-baselines",
            "--extended-metrics",
            "--time-sliced",
            "--periods-per-year",
            "250",
            "--risk-free-rate",
            "-0.001",
            "--seed",
            "0",
        ],
    ];
    for (i, extra) in sets.iter().enumerate() {
        let path = dir.path().join(format!("r{i}.json"));
        Command::cargo_bin("gemscan")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["backtest", FIXTURE])
            .args(*extra)
            .arg(format!("--json-output={}", path.display()))
            .assert()
            .success();
        Command::cargo_bin("gemscan")
            .unwrap()
            .arg("validate")
            .arg(&path)
            .assert()
            .success();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        json::validate(&v, "file").unwrap();
    }
}
