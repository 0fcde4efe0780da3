//! insta snapshots of the full reports with extended metrics and time
//! slicing on the bundled real data (tests/fixtures/sp500_sample.csv).
//! The numbers in them are checked against an independent reference in
//! tests/extended_numbers.rs; these snapshots pin the layout.

use assert_cmd::Command;

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
    String::from_utf8(out.stdout).unwrap()
}

const BASE: [&str; 6] = [
    "backtest",
    "tests/fixtures/sp500_sample.csv",
    "--extended-metrics",
    "--compare-baselines",
    "--time-sliced",
    "--slice-by",
];

#[test]
fn text_report_extended_monthly() {
    let mut a = BASE.to_vec();
    a.push("month");
    insta::assert_snapshot!(run(&a));
}

#[test]
fn json_report_extended_monthly() {
    let mut a = BASE.to_vec();
    a.extend(["month", "--json-output"]);
    insta::assert_snapshot!(run(&a));
}

#[test]
fn text_report_extended_pooled() {
    insta::assert_snapshot!(run(&[
        "backtest",
        "tests/fixtures/sp500_sample.csv",
        "--extended-metrics",
        "--compare-baselines",
    ]));
}

#[test]
fn json_report_extended_weekly() {
    let mut a = BASE.to_vec();
    a.extend(["week", "--json-output"]);
    insta::assert_snapshot!(run(&a));
}
