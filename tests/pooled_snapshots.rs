//! insta snapshots of the pooled (default-mode) reports and of `gemscan
//! score` on the bundled real data (tests/fixtures/sp500_sample.csv). The
//! extended / time-sliced reports are pinned in tests/extended_snapshots.rs;
//! these pin the default layout. Nothing is redacted: every value is stable
//! (the data path is the relative one, the sha256 is the fixture's).

use assert_cmd::Command;

const FIXTURE: &str = "tests/fixtures/sp500_sample.csv";

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("gemscan")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The fixture is complete: no warnings either.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn text_report_pooled_baselines() {
    insta::assert_snapshot!(run(&[
        "backtest",
        FIXTURE,
        "--top-k",
        "10",
        "--compare-baselines",
    ]));
}

#[test]
fn json_report_pooled_baselines() {
    let text = run(&[
        "backtest",
        FIXTURE,
        "--top-k",
        "10",
        "--compare-baselines",
        "--json-output",
    ]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["config"]["data_path"], FIXTURE);
    insta::assert_snapshot!(text);
}

#[test]
fn score_csv_limit_15() {
    let text = run(&["score", FIXTURE, "--limit", "15"]);
    // Header + 15 rows.
    assert_eq!(text.lines().count(), 16);
    insta::assert_snapshot!(text);
}

#[test]
fn score_json_limit_5() {
    let text = run(&["score", FIXTURE, "--format", "json", "--limit", "5"]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 5);
    insta::assert_snapshot!(text);
}
