//! Extended metrics and time slicing (SPEC §4.2, §6, §10), end to end.
//!
//! Expected values on the bundled fixture come from
//! `tests/reference/extended_reference.py`, an independent implementation
//! with scipy.stats (pearsonr, spearmanr, kendalltau(method="asymptotic")),
//! sklearn (roc_auc_score, average_precision_score), numpy (risk formulas
//! of SPEC §6) and pandas (grouping, sorting), run once in a throw-away venv
//! (numpy 2.4.6, scipy 1.17.1, pandas 3.1.1, scikit-learn 1.9.1):
//!
//!     python3 tests/reference/extended_reference.py tests/fixtures/sp500_sample.csv 10 42 [week|month|quarter]
//!
//! The small cases are computed by hand in the comments.

use std::io::Cursor;

use assert_cmd::Command;
use gemscan::backtest::{self, BacktestOptions};
use gemscan::periods::SliceBy;
use gemscan::report::json;
use gemscan::score::Weights;
use gemscan::snapshot::{ReadOptions, CHUNK_BYTES};
use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/sp500_sample.csv";

fn opts(k: usize, slice_by: Option<SliceBy>) -> BacktestOptions {
    BacktestOptions {
        data_path: "mem.csv".into(),
        top_k: k,
        seed: 42,
        compare_baselines: true,
        extended_metrics: true,
        slice_by,
        periods_per_year: None,
        risk_free_rate: None,
        weights: Weights::default_table(),
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

fn report(data: &[u8], o: &BacktestOptions) -> Value {
    let (r, _) = backtest::run(Cursor::new(data.to_vec()), o).expect("backtest runs");
    let v = json::to_value(&r).expect("serialises");
    json::validate(&v, "<test>").expect("schema-valid");
    v
}

fn fixture(slice_by: Option<SliceBy>) -> Value {
    report(&std::fs::read(FIXTURE).unwrap(), &opts(10, slice_by))
}

fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(v, |v, k| {
        v.get(k).unwrap_or_else(|| panic!("no key {path}"))
    })
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    let err = (got - want).abs() / want.abs().max(1e-300);
    assert!(
        err <= tol || (got - want).abs() <= 1e-15,
        "{what}: got {got:e}, want {want:e} (relative error {err:e})"
    );
}

fn check_block(v: &Value, block: &str, want: &[(&str, Option<f64>)]) {
    for (key, w) in want {
        let path = format!("extended_metrics.{block}.{key}");
        let got = at(v, &path);
        match w {
            None => assert!(got.is_null(), "{path}: want null, got {got}"),
            Some(w) => {
                let tol = if key.ends_with("p_value") { 1e-6 } else { 1e-9 };
                close(got.as_f64().unwrap_or(f64::NAN), *w, tol, &path)
            }
        }
    }
}

fn check_head(v: &Value, want: &[(&str, f64)]) {
    for (path, w) in want {
        let tol = if path.ends_with("p_value") {
            1e-6
        } else {
            1e-9
        };
        close(at(v, path).as_f64().unwrap(), *w, tol, path);
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn check_sliced(v: &Value, head: &[(&str, f64)], flagged: &[&str], assets: [&[&str]; 3]) {
    check_head(v, head);
    assert_eq!(strings(&v["flagged_assets"]), flagged);
    for (name, want) in ["random", "cap_weighted", "simple_momentum"]
        .iter()
        .zip(assets)
    {
        assert_eq!(
            strings(&v["baseline_results"][name]["selected_assets"]),
            want,
            "{name}"
        );
    }
}

fn check_slice(got: &Value, want: &str) {
    let want: Value = serde_json::from_str(want).unwrap();
    for (k, w) in want.as_object().unwrap() {
        match w.as_f64() {
            Some(x) if !w.is_u64() => close(got[k].as_f64().unwrap(), x, 1e-9, k),
            _ => assert_eq!(&got[k], w, "slice key {k}"),
        }
    }
}

// ---- pooled
const POOLED_IC: &[(&str, Option<f64>)] = &[
    ("pearson", Some(-0.002162492604288312)),
    ("pearson_p_value", Some(0.7687579477676718)),
    ("spearman", Some(-0.013077537749115273)),
    ("spearman_p_value", Some(0.0754005591466708)),
    ("kendall", Some(-0.009092753402045978)),
    ("kendall_p_value", Some(0.06370761615412118)),
    ("ic_mean", Some(-0.005366380389065751)),
    ("ic_std", Some(0.18082964911219895)),
    ("ic_ir", Some(-0.02967644086803534)),
    ("rank_ic_mean", Some(-0.004922032216674634)),
    ("rank_ic_std", Some(0.1706783057699392)),
    ("rank_ic_ir", Some(-0.028838065824892487)),
    ("periods", Some(208.0)),
    ("hit_rate", Some(0.5)),
];
const POOLED_CLASSIFICATION: &[(&str, Option<f64>)] = &[
    ("roc_auc", Some(0.5032226403459368)),
    ("pr_auc", Some(0.5446360510718392)),
    ("base_rate", Some(0.540084388185654)),
    ("baseline_accuracy", Some(0.540084388185654)),
];
const POOLED_RISK: &[(&str, Option<f64>)] = &[
    ("total_return", Some(0.04945959)),
    ("cumulative_return", Some(0.049492243139722)),
    ("annualized_return", Some(0.2855589959747846)),
    ("mean_return", Some(0.004945959)),
    ("median_return", Some(0.003008425)),
    ("volatility", Some(0.015220307967273673)),
    ("annualized_volatility", Some(0.10975520160871662)),
    ("downside_deviation", Some(0.007776468983826144)),
    ("max_drawdown", Some(0.028568677559381975)),
    ("sharpe", Some(2.3433045926779497)),
    ("sortino", Some(4.586376880800861)),
    ("calmar", Some(9.995527282676298)),
    ("win_rate", Some(0.8)),
    ("profit_factor", Some(2.724682163828031)),
];
// ---- week
const WEEK_IC: &[(&str, Option<f64>)] = &[
    ("pearson", Some(-0.002162492604288312)),
    ("pearson_p_value", Some(0.7687579477676718)),
    ("spearman", Some(-0.013077537749115273)),
    ("spearman_p_value", Some(0.0754005591466708)),
    ("kendall", Some(-0.009092753402045978)),
    ("kendall_p_value", Some(0.06370761615412118)),
    ("ic_mean", Some(-0.005366380389065751)),
    ("ic_std", Some(0.18082964911219895)),
    ("ic_ir", Some(-0.02967644086803534)),
    ("rank_ic_mean", Some(-0.004922032216674634)),
    ("rank_ic_std", Some(0.1706783057699392)),
    ("rank_ic_ir", Some(-0.028838065824892487)),
    ("periods", Some(208.0)),
    ("hit_rate", Some(0.5)),
];
const WEEK_CLASSIFICATION: &[(&str, Option<f64>)] = &[
    ("roc_auc", Some(0.5032226403459368)),
    ("pr_auc", Some(0.5446360510718392)),
    ("base_rate", Some(0.540084388185654)),
    ("baseline_accuracy", Some(0.540084388185654)),
];
const WEEK_RISK: &[(&str, Option<f64>)] = &[
    ("total_return", Some(-0.01025388709999999)),
    ("cumulative_return", Some(-0.02690509669583685)),
    ("annualized_return", Some(-0.031024774819889633)),
    ("mean_return", Some(-0.00022786415777777756)),
    ("median_return", Some(0.0035628269999999997)),
    ("volatility", Some(0.02768155135299154)),
    ("annualized_volatility", Some(0.19961450557520113)),
    ("downside_deviation", Some(0.020879818743361225)),
    ("max_drawdown", Some(0.18941350558188966)),
    ("sharpe", Some(-0.05935909402125368)),
    ("sortino", Some(-0.07869569317687827)),
    ("calmar", Some(-0.16379388958870522)),
    ("win_rate", Some(0.5555555555555556)),
    ("profit_factor", Some(0.9796313171475803)),
];
const WEEK_HEAD: &[(&str, f64)] = &[
    ("precision_at_k", 0.5422222222222223),
    ("average_return_at_k", -0.00022786415777777756),
    ("precision_std", 0.2955137815089652),
    ("precision_min", 0.0),
    ("precision_max", 1.0),
    ("return_std", 0.027372250568602235),
    ("return_min", -0.059389080999999996),
    ("return_max", 0.054194381),
    ("precision_p_value", 0.5812588266519502),
    ("random_expectation.precision", 0.5452276636139451),
    ("random_expectation.avg_return", 0.0027704974708880996),
    ("baseline_results.random.precision", 0.5511111111111112),
    ("baseline_results.random.avg_return", 0.004694088655555555),
    (
        "baseline_results.cap_weighted.precision",
        0.5266666666666666,
    ),
    (
        "baseline_results.cap_weighted.avg_return",
        0.00186998808888889,
    ),
    (
        "baseline_results.simple_momentum.precision",
        0.5244444444444444,
    ),
    (
        "baseline_results.simple_momentum.avg_return",
        -0.003130472442222222,
    ),
];
const WEEK_FLAGGED: &[&str] = &[
    "PEP", "JNJ", "UPS", "HD", "MSFT", "K", "BNI", "F", "TGT", "CVS",
];
const WEEK_RANDOM_ASSETS: &[&str] = &[
    "DTE", "AXP", "CMA", "AIZ", "AET", "CRM", "JNJ", "NSM", "EQT", "HAS",
];
const WEEK_CAP_WEIGHTED_ASSETS: &[&str] = &[
    "GS", "MSFT", "F", "INTC", "AMZN", "JNJ", "SLB", "CVS", "MON", "PEP",
];
const WEEK_SIMPLE_MOMENTUM_ASSETS: &[&str] = &[
    "F", "GNW", "JBL", "CRM", "AMZN", "AET", "SHLD", "BIG", "CF", "SLB",
];
const WEEK_SLICES: usize = 45;
const WEEK_FIRST_SLICE: &str = r#"{"avg_return":0.025381597,"end_date":"2009-10-09","flagged_assets":["PEP","WAG","WAG","GS","GS","APA","APA","PEP","PEP","APA"],"label":"2009-10-05/2009-10-11","period_id":0,"precision":0.9,"rows":380,"start_date":"2009-10-06"}"#;
const WEEK_LAST_SLICE: &str = r#"{"avg_return":-0.02947569,"end_date":"2010-08-10","flagged_assets":["PEP","CTL","UPS","PCLN","BAX","DVN","PEP","TGT","SRE","SWY"],"label":"2010-08-09/2010-08-15","period_id":44,"precision":0.1,"rows":164,"start_date":"2010-08-09"}"#;
// ---- month
const MONTH_IC: &[(&str, Option<f64>)] = &[
    ("pearson", Some(-0.002162492604288312)),
    ("pearson_p_value", Some(0.7687579477676718)),
    ("spearman", Some(-0.013077537749115273)),
    ("spearman_p_value", Some(0.0754005591466708)),
    ("kendall", Some(-0.009092753402045978)),
    ("kendall_p_value", Some(0.06370761615412118)),
    ("ic_mean", Some(-0.005366380389065751)),
    ("ic_std", Some(0.18082964911219895)),
    ("ic_ir", Some(-0.02967644086803534)),
    ("rank_ic_mean", Some(-0.004922032216674634)),
    ("rank_ic_std", Some(0.1706783057699392)),
    ("rank_ic_ir", Some(-0.028838065824892487)),
    ("periods", Some(208.0)),
    ("hit_rate", Some(0.5)),
];
const MONTH_CLASSIFICATION: &[(&str, Option<f64>)] = &[
    ("roc_auc", Some(0.5032226403459368)),
    ("pr_auc", Some(0.5446360510718392)),
    ("base_rate", Some(0.540084388185654)),
    ("baseline_accuracy", Some(0.540084388185654)),
];
const MONTH_RISK: &[(&str, Option<f64>)] = &[
    ("total_return", Some(-0.032900992399999995)),
    ("cumulative_return", Some(-0.03445670244061172)),
    ("annualized_return", Some(-0.03752963229275019)),
    ("mean_return", Some(-0.0029909993090909085)),
    ("median_return", Some(-0.0003993903999999993)),
    ("volatility", Some(0.020400052671337966)),
    ("annualized_volatility", Some(0.07066785540767712)),
    ("downside_deviation", Some(0.016731880061163763)),
    ("max_drawdown", Some(0.06642415995208296)),
    ("sharpe", Some(-0.507896999308001)),
    ("sortino", Some(-0.6192445499024855)),
    ("calmar", Some(-0.5649997278072211)),
    ("win_rate", Some(0.45454545454545453)),
    ("profit_factor", Some(0.6751431480010068)),
];
const MONTH_HEAD: &[(&str, f64)] = &[
    ("precision_at_k", 0.5363636363636363),
    ("average_return_at_k", -0.0029909993090909085),
    ("precision_std", 0.24962782214083604),
    ("precision_min", 0.0),
    ("precision_max", 0.8),
    ("return_std", 0.019450687040760358),
    ("return_min", -0.04696173299999999),
    ("return_max", 0.026011620000000003),
    ("precision_p_value", 0.3528803113235258),
    ("random_expectation.precision", 0.5151309354177434),
    ("random_expectation.avg_return", -0.00019933663556060676),
    ("baseline_results.random.precision", 0.6272727272727273),
    ("baseline_results.random.avg_return", 0.008089818254545455),
    ("baseline_results.cap_weighted.precision", 0.5),
    (
        "baseline_results.cap_weighted.avg_return",
        -0.003697521409090909,
    ),
    (
        "baseline_results.simple_momentum.precision",
        0.5272727272727272,
    ),
    (
        "baseline_results.simple_momentum.avg_return",
        -0.005658683127272726,
    ),
];
const MONTH_FLAGGED: &[&str] = &[
    "PEP", "JNJ", "MSFT", "HD", "GS", "INTC", "BNI", "BRK.B", "UPS", "F",
];
const MONTH_RANDOM_ASSETS: &[&str] = &[
    "AXP", "FO", "NSM", "CMA", "DELL", "AIZ", "SHLD", "HRL", "CTL", "FITB",
];
const MONTH_CAP_WEIGHTED_ASSETS: &[&str] = &[
    "GS", "MSFT", "AMZN", "F", "INTC", "SLB", "JNJ", "BRK.B", "CVS", "ACE",
];
const MONTH_SIMPLE_MOMENTUM_ASSETS: &[&str] = &[
    "JBL", "GNW", "F", "AMZN", "GENZ", "BDK", "PCLN", "SHLD", "BIG", "CF",
];
const MONTH_SLICES: usize = 11;
const MONTH_FIRST_SLICE: &str = r#"{"avg_return":0.00751733,"end_date":"2009-10-28","flagged_assets":["MSFT","MSFT","AMZN","AMZN","PEP","WAG","SLB","INTC","JNJ","GS"],"label":"2009-10","period_id":0,"precision":0.6,"rows":1597,"start_date":"2009-10-06"}"#;
const MONTH_LAST_SLICE: &str = r#"{"avg_return":-0.013966225000000002,"end_date":"2010-08-10","flagged_assets":["PEP","CTL","PCLN","GENZ","PCLN","KR","UPS","UPS","GS","PCLN"],"label":"2010-08","period_id":10,"precision":0.3,"rows":576,"start_date":"2010-08-02"}"#;
// ---- quarter
const QUARTER_IC: &[(&str, Option<f64>)] = &[
    ("pearson", Some(-0.002162492604288312)),
    ("pearson_p_value", Some(0.7687579477676718)),
    ("spearman", Some(-0.013077537749115273)),
    ("spearman_p_value", Some(0.0754005591466708)),
    ("kendall", Some(-0.009092753402045978)),
    ("kendall_p_value", Some(0.06370761615412118)),
    ("ic_mean", Some(-0.005366380389065751)),
    ("ic_std", Some(0.18082964911219895)),
    ("ic_ir", Some(-0.02967644086803534)),
    ("rank_ic_mean", Some(-0.004922032216674634)),
    ("rank_ic_std", Some(0.1706783057699392)),
    ("rank_ic_ir", Some(-0.028838065824892487)),
    ("periods", Some(208.0)),
    ("hit_rate", Some(0.5)),
];
const QUARTER_CLASSIFICATION: &[(&str, Option<f64>)] = &[
    ("roc_auc", Some(0.5032226403459368)),
    ("pr_auc", Some(0.5446360510718392)),
    ("base_rate", Some(0.540084388185654)),
    ("baseline_accuracy", Some(0.540084388185654)),
];
const QUARTER_RISK: &[(&str, Option<f64>)] = &[
    ("total_return", Some(0.03306524059999999)),
    ("cumulative_return", Some(0.03320259427229644)),
    ("annualized_return", Some(0.03320259427229644)),
    ("mean_return", Some(0.008266310149999997)),
    ("median_return", Some(0.010634935999999998)),
    ("volatility", Some(0.013400382780746239)),
    ("annualized_volatility", Some(0.026800765561492478)),
    ("downside_deviation", Some(0.0048267452)),
    ("max_drawdown", Some(0.009653490400000053)),
    ("sharpe", Some(1.2337423915796029)),
    ("sortino", Some(3.425210906098792)),
    ("calmar", Some(3.439439300866374)),
    ("win_rate", Some(0.75)),
    ("profit_factor", Some(4.425210906098792)),
];
const QUARTER_HEAD: &[(&str, f64)] = &[
    ("precision_at_k", 0.7),
    ("average_return_at_k", 0.008266310149999997),
    ("precision_std", 0.2345207879911715),
    ("precision_min", 0.3),
    ("precision_max", 0.9),
    ("return_std", 0.0116050719085618),
    ("return_min", -0.0096534904),
    ("return_max", 0.021448858999999997),
    ("precision_p_value", 0.03550558594659766),
    ("random_expectation.precision", 0.5492575145645147),
    ("random_expectation.avg_return", 0.0032023453298515754),
    ("baseline_results.random.precision", 0.625),
    ("baseline_results.random.avg_return", 0.009972965249999998),
    ("baseline_results.cap_weighted.precision", 0.5),
    ("baseline_results.cap_weighted.avg_return", -0.00604177875),
    ("baseline_results.simple_momentum.precision", 0.65),
    (
        "baseline_results.simple_momentum.avg_return",
        0.0036079277500000004,
    ),
];
const QUARTER_FLAGGED: &[&str] = &[
    "PEP", "BRK.B", "HD", "BAX", "BNI", "MSFT", "UPS", "GS", "JNJ", "ACE",
];
const QUARTER_RANDOM_ASSETS: &[&str] = &[
    "CTL", "BDK", "RTN", "WAG", "AXP", "AMAT", "FITB", "FO", "NSM", "CNP",
];
const QUARTER_CAP_WEIGHTED_ASSETS: &[&str] = &[
    "GS", "MSFT", "AMZN", "F", "INTC", "BRK.B", "SLB", "CVS", "ACE", "APA",
];
const QUARTER_SIMPLE_MOMENTUM_ASSETS: &[&str] = &[
    "GNW", "SHLD", "ARG", "AMZN", "GENZ", "BDK", "PCLN", "BNI", "MON", "F",
];
const QUARTER_SLICES: usize = 4;
const QUARTER_FIRST_SLICE: &str = r#"{"avg_return":0.021448858999999997,"end_date":"2009-12-31","flagged_assets":["MSFT","MSFT","JNJ","JNJ","BAX","AMZN","AMZN","JNJ","PEP","PEP"],"label":"2009Q4","period_id":0,"precision":0.8,"rows":4753,"start_date":"2009-10-06"}"#;
const QUARTER_LAST_SLICE: &str = r#"{"avg_return":0.014671713999999997,"end_date":"2010-08-10","flagged_assets":["GS","ACE","GS","MON","PEP","BRK.B","MON","MON","BAX","ACE"],"label":"2010Q3","period_id":3,"precision":0.8,"rows":2335,"start_date":"2010-07-01"}"#;

#[test]
fn pooled_extended_metrics_match_scipy_sklearn_numpy() {
    let v = fixture(None);
    check_block(&v, "ic", POOLED_IC);
    check_block(&v, "classification", POOLED_CLASSIFICATION);
    check_block(&v, "risk", POOLED_RISK);
    assert_eq!(v["config"]["periods_per_year"], 52.0);
    assert_eq!(v["config"]["risk_free_rate"], 0.0);
    assert!(v.get("time_slices").is_none());
}

#[test]
fn weekly_slices_match_pandas_reference() {
    let v = fixture(Some(SliceBy::Week));
    check_block(&v, "ic", WEEK_IC);
    check_block(&v, "classification", WEEK_CLASSIFICATION);
    check_block(&v, "risk", WEEK_RISK);
    check_sliced(
        &v,
        WEEK_HEAD,
        WEEK_FLAGGED,
        [
            WEEK_RANDOM_ASSETS,
            WEEK_CAP_WEIGHTED_ASSETS,
            WEEK_SIMPLE_MOMENTUM_ASSETS,
        ],
    );
    let s = v["time_slices"].as_array().unwrap();
    assert_eq!(s.len(), WEEK_SLICES);
    check_slice(&s[0], WEEK_FIRST_SLICE);
    check_slice(&s[s.len() - 1], WEEK_LAST_SLICE);
    assert_eq!(v["config"]["periods_per_year"], 52.0);
}

#[test]
fn monthly_slices_match_pandas_reference() {
    let v = fixture(Some(SliceBy::Month));
    check_block(&v, "ic", MONTH_IC);
    check_block(&v, "classification", MONTH_CLASSIFICATION);
    check_block(&v, "risk", MONTH_RISK);
    check_sliced(
        &v,
        MONTH_HEAD,
        MONTH_FLAGGED,
        [
            MONTH_RANDOM_ASSETS,
            MONTH_CAP_WEIGHTED_ASSETS,
            MONTH_SIMPLE_MOMENTUM_ASSETS,
        ],
    );
    let s = v["time_slices"].as_array().unwrap();
    assert_eq!(s.len(), MONTH_SLICES);
    check_slice(&s[0], MONTH_FIRST_SLICE);
    check_slice(&s[s.len() - 1], MONTH_LAST_SLICE);
    assert_eq!(v["config"]["slice_by"], "month");
    assert_eq!(v["config"]["periods_per_year"], 12.0);
}

#[test]
fn quarterly_slices_match_pandas_reference() {
    let v = fixture(Some(SliceBy::Quarter));
    // IC and classification use all of U in every mode (SPEC §10).
    check_block(&v, "ic", QUARTER_IC);
    check_block(&v, "classification", QUARTER_CLASSIFICATION);
    check_block(&v, "risk", QUARTER_RISK);
    check_sliced(
        &v,
        QUARTER_HEAD,
        QUARTER_FLAGGED,
        [
            QUARTER_RANDOM_ASSETS,
            QUARTER_CAP_WEIGHTED_ASSETS,
            QUARTER_SIMPLE_MOMENTUM_ASSETS,
        ],
    );
    let s = v["time_slices"].as_array().unwrap();
    assert_eq!(s.len(), QUARTER_SLICES);
    check_slice(&s[0], QUARTER_FIRST_SLICE);
    check_slice(&s[s.len() - 1], QUARTER_LAST_SLICE);
    assert_eq!(v["config"]["periods_per_year"], 4.0);
}

// Two weeks around the year end, K = 1. Score = 0.2 * AccumulationScore * 100:
// A 18, B 2, C 10.
//   week 2024-12-23/2024-12-29: A(+0.1), B(-0.1)          -> picks A, hit
//   week 2024-12-30/2025-01-05: A(-0.2), B(+0.3), C(+0.05) -> picks A, miss
// precision per period [1, 0]: mean 0.5, std 0.5; returns [0.1, -0.2]:
// mean -0.05, std 0.15. p-value: X1 ~ H(2, 1, 1), X2 ~ H(3, 2, 1);
// P[X1 + X2 >= 1] = 1 - (1/2)(1/3) = 5/6. Random expectation: precision
// mean(1/2, 2/3) = 7/12, return mean(0, 0.05) = 0.025.
const YEAR_END: &str = "token,date,f_AccumulationScore,future_return_7d
A,2024-12-29,0.9,0.1
B,2024-12-29,0.1,-0.1
A,2024-12-30,0.9,-0.2
B,2024-12-30,0.1,0.3
C,2025-01-05,0.5,0.05
";

#[test]
fn weeks_straddle_the_year_end_by_hand() {
    let v = report(YEAR_END.as_bytes(), &opts(1, Some(SliceBy::Week)));
    let s = v["time_slices"].as_array().unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s[0]["label"], "2024-12-23/2024-12-29");
    assert_eq!(s[0]["start_date"], "2024-12-29");
    assert_eq!(s[0]["end_date"], "2024-12-29");
    assert_eq!(s[0]["rows"], 2);
    assert_eq!(s[1]["label"], "2024-12-30/2025-01-05");
    assert_eq!(s[1]["period_id"], 1);
    assert_eq!(s[1]["start_date"], "2024-12-30");
    assert_eq!(s[1]["end_date"], "2025-01-05");
    assert_eq!(s[1]["rows"], 3);
    check_head(
        &v,
        &[
            ("precision_at_k", 0.5),
            ("precision_std", 0.5),
            ("precision_min", 0.0),
            ("precision_max", 1.0),
            ("average_return_at_k", -0.05),
            ("return_std", 0.15),
            ("return_min", -0.2),
            ("return_max", 0.1),
            ("precision_p_value", 5.0 / 6.0),
            ("random_expectation.precision", 7.0 / 12.0),
            ("random_expectation.avg_return", 0.025),
        ],
    );
    // A flagged in both periods; its best row on equal scores is the earlier.
    assert_eq!(strings(&v["flagged_assets"]), ["A"]);
    assert_eq!(v["flagged_details"][0]["date"], "2024-12-29");
    assert_eq!(v["selected_rows"], 2);
    // Risk series = per-period returns [0.1, -0.2]: equity 1.1 then 0.88,
    // drawdown (1.1 - 0.88) / 1.1 = 0.2; win rate 1/2; profit factor 0.5.
    close(
        at(&v, "extended_metrics.risk.max_drawdown")
            .as_f64()
            .unwrap(),
        0.2,
        1e-12,
        "mdd",
    );
    close(
        at(&v, "extended_metrics.risk.profit_factor")
            .as_f64()
            .unwrap(),
        0.5,
        1e-12,
        "pf",
    );
    assert_eq!(at(&v, "extended_metrics.risk.win_rate"), 0.5);
}

#[test]
fn months_and_quarters_by_hand() {
    let v = report(YEAR_END.as_bytes(), &opts(1, Some(SliceBy::Month)));
    let labels: Vec<&str> = v["time_slices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2024-12", "2025-01"]);
    let v = report(YEAR_END.as_bytes(), &opts(1, Some(SliceBy::Quarter)));
    let s = v["time_slices"].as_array().unwrap();
    assert_eq!(s[0]["label"], "2024Q4");
    assert_eq!(s[0]["rows"], 4);
    assert_eq!(s[1]["label"], "2025Q1");
    assert_eq!(s[1]["flagged_assets"], serde_json::json!(["C"]));
    assert_eq!(v["config"]["periods_per_year"], 4.0);
}

// An offset that changes the UTC date: 2025-01-01T00:30:00+01:00 is
// 2024-12-31T23:30:00Z, so it belongs to December, 2024Q4 and the week
// 2024-12-30/2025-01-05; its date prints in UTC.
#[test]
fn offsets_bucket_by_utc_date() {
    let csv = "token,date,f_AccumulationScore,future_return_7d
A,2025-01-01T00:30:00+01:00,0.9,0.1
B,2025-01-01,0.1,0.2
";
    let v = report(csv.as_bytes(), &opts(1, Some(SliceBy::Month)));
    let s = v["time_slices"].as_array().unwrap();
    assert_eq!(s[0]["label"], "2024-12");
    assert_eq!(s[0]["flagged_assets"], serde_json::json!(["A"]));
    assert_eq!(s[0]["end_date"], "2024-12-31");
    assert_eq!(s[1]["label"], "2025-01");
    assert_eq!(v["flagged_details"][0]["date"], "2024-12-31T23:30:00Z");
    let v = report(csv.as_bytes(), &opts(1, Some(SliceBy::Week)));
    assert_eq!(v["time_slices"].as_array().unwrap().len(), 1);
}

// Flagged rule: count of periods desc, then best score desc, then token asc.
// K = 2, three months. Scores (0.2 * x * 100): A 18, B 16, C 16 (ties B),
// D 10. Month 1 picks A, B; month 2 picks C, B (C and B tie at 16: token
// order puts B first); month 3 picks D, C.
// Counts: B 2, C 2, A 1, D 1. B and C tie on count and best score (16):
// token order -> B, C. A (1 period, 18) would come next but K = 2.
#[test]
fn most_flagged_order_by_hand() {
    let csv = "token,date,f_AccumulationScore,future_return_7d
A,2024-01-05,0.9,0.1
B,2024-01-05,0.8,0.1
D,2024-01-05,0.5,0.1
C,2024-02-05,0.8,0.1
B,2024-02-06,0.8,-0.1
D,2024-03-05,0.5,0.1
C,2024-03-05,0.8,0.1
";
    let v = report(csv.as_bytes(), &opts(2, Some(SliceBy::Month)));
    let per: Vec<Vec<String>> = v["time_slices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| strings(&s["flagged_assets"]))
        .collect();
    assert_eq!(per, [vec!["A", "B"], vec!["B", "C"], vec!["C", "D"]]);
    assert_eq!(strings(&v["flagged_assets"]), ["B", "C"]);
    // B's best row: the two B rows tie on score; the earlier date wins.
    assert_eq!(v["flagged_details"][0]["date"], "2024-01-05");
    assert_eq!(v["flagged_details"][1]["rank"], 2);
}

// Pooled risk series = selected rows by (date asc, rank), not rank order.
// K = 3; ranks 1..3 have dates 01-03, 01-01, 01-02 and returns -0.5, +1.0,
// -0.5. By date: [+1.0, -0.5, -0.5] -> equity 2, 1, 0.5: drawdown 0.75
// (rank order would give 0.5). Cumulative 2 * 0.5 * 0.5 - 1 = -0.5.
#[test]
fn pooled_risk_series_is_in_date_order() {
    let csv = "token,date,f_AccumulationScore,future_return_7d
A,2024-01-03,0.9,-0.5
B,2024-01-01,0.8,1.0
C,2024-01-02,0.7,-0.5
D,2024-01-02,0.1,0.3
";
    let v = report(csv.as_bytes(), &opts(3, None));
    close(
        at(&v, "extended_metrics.risk.max_drawdown")
            .as_f64()
            .unwrap(),
        0.75,
        1e-12,
        "mdd",
    );
    close(
        at(&v, "extended_metrics.risk.cumulative_return")
            .as_f64()
            .unwrap(),
        -0.5,
        1e-12,
        "cum",
    );
    assert_eq!(at(&v, "extended_metrics.risk.median_return"), -0.5);
}

// One evaluable row: every correlation, volatility and ratio is undefined.
#[test]
fn one_row_gives_nulls_not_numbers() {
    let csv = "token,date,f_AccumulationScore,future_return_7d\nA,2024-01-03,0.9,0.1\n";
    let v = report(csv.as_bytes(), &opts(10, None));
    for p in [
        "ic.pearson",
        "ic.pearson_p_value",
        "ic.spearman",
        "ic.kendall",
        "ic.ic_mean",
        "ic.ic_std",
        "classification.roc_auc",
        "classification.pr_auc",
        "risk.volatility",
        "risk.sharpe",
        "risk.sortino",
        "risk.calmar",
        "risk.profit_factor",
    ] {
        assert!(at(&v, &format!("extended_metrics.{p}")).is_null(), "{p}");
    }
    assert_eq!(at(&v, "extended_metrics.risk.max_drawdown"), 0.0);
    assert_eq!(at(&v, "extended_metrics.classification.base_rate"), 1.0);
}

fn gemscan() -> Command {
    Command::cargo_bin("gemscan").unwrap()
}

#[test]
fn risk_options_need_extended_metrics() {
    for flag in ["--periods-per-year=12", "--risk-free-rate=0.001"] {
        let out = gemscan()
            .args(["backtest", FIXTURE, flag])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--extended-metrics"), "{err}");
    }
    for bad in [
        "--periods-per-year=0",
        "--periods-per-year=inf",
        "--slice-by=day",
    ] {
        let out = gemscan()
            .args(["backtest", FIXTURE, "--extended-metrics", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
}

#[test]
fn risk_options_change_the_risk_block_and_config() {
    let out = gemscan()
        .args([
            "backtest",
            FIXTURE,
            "--extended-metrics",
            "--slice-by",
            "week",
            "--periods-per-year",
            "50",
            "--risk-free-rate",
            "-0.001",
            "--json-output",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["config"]["time_sliced"], true);
    assert_eq!(v["config"]["slice_by"], "week");
    assert_eq!(v["config"]["periods_per_year"], 50.0);
    assert_eq!(v["config"]["risk_free_rate"], -0.001);
    // Sharpe is mean(r - rf) / std(r - rf) * sqrt(P): recompute from the
    // reported per-period returns.
    let r: Vec<f64> = v["time_slices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["avg_return"].as_f64().unwrap() + 0.001)
        .collect();
    let n = r.len() as f64;
    let m = r.iter().sum::<f64>() / n;
    let sd = (r.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)).sqrt();
    close(
        at(&v, "extended_metrics.risk.sharpe").as_f64().unwrap(),
        m / sd * 50f64.sqrt(),
        1e-9,
        "sharpe",
    );
}
