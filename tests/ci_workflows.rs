//! CI policy check for `.github/` and `.ci/run` (issue 5).
//!
//! Fails when a workflow
//! - has a `uses:` not pinned to a full 40-character commit SHA, without the
//!   tag as a trailing comment, or with a SHA/tag that is not one of the
//!   verified pins below (copied from shared/ci-pins.md; never invent one);
//! - lacks a top-level `concurrency` block (with `group` and
//!   `cancel-in-progress`) or a top-level `permissions` block, or grants
//!   write access at the top level;
//! - sets a coverage threshold (`--fail-under-lines`) below 80, or one that
//!   is not a literal number, or runs the coverage gate with
//!   `continue-on-error`;
//! - checks out without `persist-credentials: false`.
//!
//! The `checker_*` tests at the bottom feed inline bad YAML to the checker to
//! prove that each failure case is caught.
//!
//! Updating a pin (e.g. a Dependabot PR): verify the SHA in the action's own
//! repository, add it to shared/ci-pins.md and to `VERIFIED_PINS`.

use serde_yaml::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// Lowest accepted line-coverage threshold, in percent.
const MIN_COVERAGE_LINES: f64 = 80.0;

/// (action, commit SHA, tag) — the verified pins of shared/ci-pins.md.
const VERIFIED_PINS: &[(&str, &str, &str)] = &[
    (
        "actions/checkout",
        "34e114876b0b11c390a56381ad16ebd13914f8d5",
        "v4.3.1",
    ),
    (
        "actions/checkout",
        "fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09",
        "v5.1.0",
    ),
    (
        "actions/checkout",
        "d23441a48e516b6c34aea4fa41551a30e30af803",
        "v6.1.0",
    ),
    (
        "actions/checkout",
        "3d3c42e5aac5ba805825da76410c181273ba90b1",
        "v7.0.1",
    ),
    (
        "dtolnay/rust-toolchain",
        "29eef336d9b2848a0b548edc03f92a220660cdb8",
        "stable",
    ),
    (
        "dtolnay/rust-toolchain",
        "3c5f7ea28cd621ae0bf5283f0e981fb97b8a7af9",
        "master",
    ),
    (
        "Swatinem/rust-cache",
        "6323deb102c322ba6fcbdcafc7e3dddab59af2b6",
        "v2.9.2",
    ),
    (
        "taiki-e/install-action",
        "ba47c86ac325773530516bb756137ac718732518",
        "v2.86.5",
    ),
    (
        "taiki-e/install-action",
        "d88826bbe7e4a8c2cb8e6d0b2a078681e681afe5",
        "cargo-llvm-cov",
    ),
    (
        "taiki-e/install-action",
        "b5f481f16e786705c7dde1397a33ca4a65131d62",
        "cargo-deny",
    ),
    (
        "EmbarkStudios/cargo-deny-action",
        "91bf2b620e09e18d6eb78b92e7861937469acedb",
        "v2.0.17",
    ),
];

// ---------------------------------------------------------------------------
// The checker
// ---------------------------------------------------------------------------

/// All policy violations of one workflow file; empty means it passes.
fn check_workflow(name: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let doc: Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => return vec![format!("{name}: not valid YAML: {e}")],
    };
    if !doc.is_mapping() {
        return vec![format!("{name}: top level is not a mapping")];
    }

    // permissions: required at the top level, never write at the top level.
    match doc.get("permissions") {
        None | Some(Value::Null) => {
            problems.push(format!("{name}: no top-level `permissions` block"))
        }
        Some(Value::String(s)) if s == "write-all" => problems.push(format!(
            "{name}: top-level `permissions: write-all` (grant write per job, if ever)"
        )),
        Some(Value::Mapping(m)) => {
            for (k, v) in m {
                if v.as_str() == Some("write") {
                    problems.push(format!(
                        "{name}: top-level permission `{}: write` (grant write per job, if ever)",
                        k.as_str().unwrap_or("?")
                    ));
                }
            }
        }
        Some(_) => {}
    }

    // concurrency: required, with a group and an explicit cancel rule.
    match doc.get("concurrency") {
        None | Some(Value::Null) => {
            problems.push(format!("{name}: no top-level `concurrency` block"))
        }
        Some(Value::Mapping(m)) => {
            let group = m.get("group").and_then(Value::as_str).unwrap_or("");
            if group.trim().is_empty() {
                problems.push(format!("{name}: `concurrency` has no `group`"));
            }
            if m.get("cancel-in-progress").is_none() {
                problems.push(format!(
                    "{name}: `concurrency` has no `cancel-in-progress` rule"
                ));
            }
        }
        Some(_) => problems.push(format!(
            "{name}: `concurrency` must be a mapping with `group` and `cancel-in-progress`"
        )),
    }

    // uses: pinned to a verified full SHA, tag as trailing comment.
    let mut uses = Vec::new();
    collect_key(&doc, "uses", &mut uses);
    let comments = uses_comments(text);
    for u in uses {
        let Some(u) = u.as_str() else {
            problems.push(format!("{name}: `uses:` that is not a string"));
            continue;
        };
        if let Err(e) = check_pin(u, comments.iter().find(|(v, _)| v == u).map(|(_, c)| c)) {
            problems.push(format!("{name}: uses `{u}`: {e}"));
        }
    }

    // checkout must not leave the token in .git/config.
    for step in steps(&doc) {
        let uses = step.get("uses").and_then(Value::as_str).unwrap_or("");
        if uses.starts_with("actions/checkout@") {
            let persist = step.get("with").and_then(|w| w.get("persist-credentials"));
            if persist != Some(&Value::Bool(false)) {
                problems.push(format!(
                    "{name}: `{uses}` without `with: persist-credentials: false`"
                ));
            }
        }
    }

    // coverage thresholds: literal, >= 80, and the gate must be able to fail.
    for (job_name, job) in jobs(&doc) {
        let job_soft = is_truthy(job.get("continue-on-error"));
        for step in job
            .get("steps")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            let run = step.get("run").and_then(Value::as_str).unwrap_or("");
            let mut tool_with = String::new();
            if let Some(w) = step.get("with").and_then(Value::as_mapping) {
                for v in w.values() {
                    if let Some(s) = v.as_str() {
                        tool_with.push_str(s);
                        tool_with.push('\n');
                    }
                }
            }
            for text in [run, tool_with.as_str()] {
                let found = coverage_thresholds(text);
                for t in &found {
                    if let Err(e) = t {
                        problems.push(format!("{name}: job `{job_name}`: {e}"));
                    }
                }
                if !found.is_empty() && (job_soft || is_truthy(step.get("continue-on-error"))) {
                    problems.push(format!(
                        "{name}: job `{job_name}`: the coverage gate runs with `continue-on-error`, so it cannot fail the workflow"
                    ));
                }
            }
        }
    }
    problems
}

/// Checks one `uses:` value and its trailing comment.
fn check_pin(uses: &str, comment: Option<&String>) -> Result<(), String> {
    if uses.starts_with("./") {
        return Ok(()); // local action or reusable workflow in this repository
    }
    if let Some(image) = uses.strip_prefix("docker://") {
        return if image.contains("@sha256:") {
            Ok(())
        } else {
            Err("docker image not pinned by @sha256 digest".into())
        };
    }
    let Some((action, reference)) = uses.rsplit_once('@') else {
        return Err("no `@ref`: not pinned to a commit SHA".into());
    };
    if reference.len() != 40 || !reference.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "`@{reference}` is not pinned to a full 40-character commit SHA"
        ));
    }
    if reference.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err("commit SHA must be lowercase".into());
    }
    let Some(tag) = comment.map(|c| c.trim()).filter(|c| !c.is_empty()) else {
        return Err("no trailing `# <tag>` comment naming the pinned version".into());
    };
    // `owner/repo/path@sha` pins the repository `owner/repo`.
    let repo: String = action.split('/').take(2).collect::<Vec<_>>().join("/");
    match VERIFIED_PINS
        .iter()
        .find(|(a, sha, _)| a.eq_ignore_ascii_case(&repo) && *sha == reference)
    {
        None => Err(format!(
            "SHA {reference} is not a verified pin of {repo} (shared/ci-pins.md); never invent a SHA"
        )),
        Some((_, _, t)) if tag.split_whitespace().next() != Some(*t) => Err(format!(
            "trailing comment `# {tag}` does not match the pinned tag `{t}`"
        )),
        Some(_) => Ok(()),
    }
}

/// Every `--fail-under-lines` value in a shell snippet: Ok(percent) when it
/// is a literal >= 80, Err(explanation) otherwise.
fn coverage_thresholds(text: &str) -> Vec<Result<f64, String>> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        let value = if *tok == "--fail-under-lines" {
            tokens.get(i + 1).copied().unwrap_or("")
        } else if let Some(v) = tok.strip_prefix("--fail-under-lines=") {
            v
        } else {
            continue;
        };
        let clean = value.trim_matches(|c| c == '"' || c == '\'');
        out.push(match clean.parse::<f64>() {
            Ok(p) if p.is_finite() && p >= MIN_COVERAGE_LINES => Ok(p),
            Ok(p) => Err(format!(
                "coverage threshold --fail-under-lines {p} is below {MIN_COVERAGE_LINES}"
            )),
            Err(_) => Err(format!(
                "coverage threshold --fail-under-lines `{value}` is not a literal number (>= {MIN_COVERAGE_LINES} required)"
            )),
        });
    }
    out
}

/// `(uses value, trailing comment)` for each line of the form `uses: X # c`.
fn uses_comments(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        let line = line.strip_prefix("- ").unwrap_or(line).trim_start();
        let Some(rest) = line.strip_prefix("uses:") else {
            continue;
        };
        let (value, comment) = match rest.find(" #") {
            Some(i) => (&rest[..i], rest[i + 2..].trim()),
            None => (rest, ""),
        };
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        out.push((value.to_string(), comment.to_string()));
    }
    out
}

fn collect_key<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Mapping(m) => {
            for (k, val) in m {
                if k.as_str() == Some(key) {
                    out.push(val);
                }
                collect_key(val, key, out);
            }
        }
        Value::Sequence(s) => s.iter().for_each(|x| collect_key(x, key, out)),
        Value::Tagged(t) => collect_key(&t.value, key, out),
        _ => {}
    }
}

fn jobs(doc: &Value) -> Vec<(String, &Value)> {
    doc.get("jobs")
        .and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.as_str().unwrap_or("?").to_string(), v))
                .collect()
        })
        .unwrap_or_default()
}

fn steps(doc: &Value) -> Vec<&Value> {
    jobs(doc)
        .into_iter()
        .flat_map(|(_, j)| {
            j.get("steps")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
        })
        .collect()
}

fn is_truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.trim().is_empty() && s.trim() != "false",
        Some(_) => true,
    }
}

/// All `run:` scripts of a job, joined.
fn job_runs(job: &Value) -> String {
    let mut out = String::new();
    for step in job
        .get("steps")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        if let Some(r) = step.get("run").and_then(Value::as_str) {
            out.push_str(r);
            out.push('\n');
        }
    }
    out
}

fn job_uses(job: &Value) -> Vec<String> {
    job.get("steps")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("uses").and_then(Value::as_str).map(str::to_string))
        .collect()
}

// ---------------------------------------------------------------------------
// The repository's own files
// ---------------------------------------------------------------------------

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    let p = root().join(rel);
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

fn load(rel: &str) -> Value {
    serde_yaml::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn workflow_files() -> Vec<PathBuf> {
    let dir = root().join(".github/workflows");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")))
        .collect();
    files.sort();
    files
}

#[test]
fn every_workflow_follows_the_pinning_concurrency_permissions_coverage_policy() {
    let files = workflow_files();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in ["tests-and-coverage.yml", "security-scan.yml"] {
        assert!(
            names.iter().any(|n| n == expected),
            "missing workflow {expected}"
        );
    }
    let mut problems = Vec::new();
    for p in &files {
        let rel = p.strip_prefix(root()).unwrap_or(p).display().to_string();
        problems.extend(check_workflow(&rel, &fs::read_to_string(p).unwrap()));
    }
    assert!(
        problems.is_empty(),
        "CI policy violations:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn tests_and_coverage_has_the_required_jobs() {
    let wf = load(".github/workflows/tests-and-coverage.yml");
    let on = wf.get("on").expect("no `on:`");
    assert!(on.get("push").is_some() && on.get("pull_request").is_some());
    let c = wf.get("concurrency").unwrap();
    assert_eq!(
        c.get("group").and_then(Value::as_str),
        Some("${{ github.workflow }}-${{ github.ref }}")
    );
    assert_eq!(c.get("cancel-in-progress"), Some(&Value::Bool(true)));
    assert_eq!(
        wf.get("permissions")
            .and_then(|p| p.get("contents"))
            .and_then(Value::as_str),
        Some("read")
    );

    let jobs = jobs(&wf);
    let runs_of = |pred: &dyn Fn(&str) -> bool| jobs.iter().any(|(_, j)| pred(&job_runs(j)));
    assert!(
        runs_of(&|r| r.contains("cargo fmt") && r.contains("--check")),
        "no fmt job"
    );
    assert!(
        runs_of(&|r| r.contains("cargo clippy") && r.contains("-D warnings")),
        "no clippy -D warnings"
    );
    assert!(
        runs_of(&|r| r.contains("cargo bench") && r.contains("--no-run")),
        "no bench job"
    );
    assert!(
        runs_of(&|r| r.contains(".ci/determinism.sh")),
        "no determinism job"
    );

    // Tests on stable and MSRV x ubuntu/macos.
    let (_, test) = jobs
        .iter()
        .find(|(_, j)| job_runs(j).contains("cargo test"))
        .expect("no test job");
    let matrix = test
        .get("strategy")
        .and_then(|s| s.get("matrix"))
        .expect("test job has no matrix");
    let list = |k: &str| -> Vec<String> {
        matrix
            .get(k)
            .and_then(Value::as_sequence)
            .map(|s| {
                s.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    for os in ["ubuntu-latest", "macos-latest"] {
        assert!(
            list("os").contains(&os.to_string()),
            "test matrix lacks {os}"
        );
    }
    for tc in ["stable", "msrv"] {
        assert!(
            list("toolchain").contains(&tc.to_string()),
            "test matrix lacks {tc}"
        );
    }
    let msrv_job = jobs.iter().find(|(n, _)| n == "msrv").expect("no msrv job");
    assert!(
        job_runs(msrv_job.1).contains("rust-version"),
        "msrv job must read Cargo.toml's rust-version"
    );

    // Coverage: cargo-llvm-cov installed by install-action, gate >= 80.
    let (_, cov) = jobs
        .iter()
        .find(|(_, j)| job_runs(j).contains("cargo llvm-cov"))
        .expect("no coverage job");
    assert!(job_uses(cov)
        .iter()
        .any(|u| u.starts_with("taiki-e/install-action@")));
    let gates = coverage_thresholds(&job_runs(cov));
    assert!(
        !gates.is_empty(),
        "coverage job has no --fail-under-lines gate"
    );
    assert!(gates.iter().all(|g| g.is_ok()), "{gates:?}");
}

#[test]
fn security_scan_runs_cargo_deny_on_push_pr_and_weekly() {
    let wf = load(".github/workflows/security-scan.yml");
    let on = wf.get("on").expect("no `on:`");
    for trigger in ["push", "pull_request", "schedule"] {
        assert!(on.get(trigger).is_some(), "security-scan lacks `{trigger}`");
    }
    assert_eq!(
        wf.get("concurrency")
            .and_then(|c| c.get("cancel-in-progress"))
            .and_then(Value::as_str),
        Some("${{ github.event_name == 'pull_request' }}"),
        "security-scan must cancel in-progress runs only for pull requests"
    );
    let step = steps(&wf)
        .into_iter()
        .find(|s| {
            s.get("uses")
                .and_then(Value::as_str)
                .is_some_and(|u| u.starts_with("EmbarkStudios/cargo-deny-action@"))
        })
        .expect("no cargo-deny-action step");
    let args = step
        .get("with")
        .and_then(|w| w.get("command-arguments"))
        .and_then(Value::as_str)
        .unwrap_or("");
    for check in ["advisories", "bans", "licenses", "sources"] {
        assert!(
            args.split_whitespace().any(|a| a == check),
            "cargo-deny does not check {check}"
        );
    }
}

#[test]
fn dependabot_updates_cargo_and_actions_weekly_with_cooldown() {
    let cfg = load(".github/dependabot.yml");
    let updates = cfg
        .get("updates")
        .and_then(Value::as_sequence)
        .expect("no updates");
    for eco in ["cargo", "github-actions"] {
        let u = updates
            .iter()
            .find(|u| u.get("package-ecosystem").and_then(Value::as_str) == Some(eco))
            .unwrap_or_else(|| panic!("dependabot lacks {eco}"));
        assert_eq!(
            u.get("schedule")
                .and_then(|s| s.get("interval"))
                .and_then(Value::as_str),
            Some("weekly")
        );
        assert!(u.get("cooldown").is_some(), "{eco} update has no cooldown");
    }
}

#[test]
fn ci_run_keeps_the_coverage_gate_at_80_or_more() {
    let script = read(".ci/run");
    let gates = coverage_thresholds(&script);
    assert!(!gates.is_empty(), ".ci/run has no --fail-under-lines gate");
    let bad: Vec<&String> = gates.iter().filter_map(|g| g.as_ref().err()).collect();
    assert!(bad.is_empty(), ".ci/run: {bad:?}");
}

#[test]
fn deny_toml_denies_foreign_sources_and_warns_on_duplicates() {
    let deny = read("deny.toml");
    let has = |needle: &str| {
        deny.lines()
            .any(|l| l.split('#').next().unwrap().replace(' ', "") == needle)
    };
    assert!(
        has("unknown-registry=\"deny\""),
        "deny.toml must deny unknown registries"
    );
    assert!(
        has("unknown-git=\"deny\""),
        "deny.toml must deny git sources"
    );
    assert!(
        has("multiple-versions=\"warn\""),
        "deny.toml must warn on duplicate versions"
    );
}

/// When shared/ci-pins.md sits beside the clone (as on the project's
/// machines), every verified pin above must appear in it verbatim.
#[test]
fn verified_pins_match_shared_ci_pins() {
    let Some(pins) = ["../shared/ci-pins.md", "../../shared/ci-pins.md"]
        .iter()
        .map(|p| root().join(p))
        .find(|p| Path::new(p).is_file())
    else {
        eprintln!("shared/ci-pins.md not found beside the clone; skipping the cross-check");
        return;
    };
    let text = fs::read_to_string(pins).unwrap();
    for (action, sha, tag) in VERIFIED_PINS {
        let row = text.lines().find(|l| l.contains(sha));
        let row = row.unwrap_or_else(|| panic!("{action}@{sha} ({tag}) not in shared/ci-pins.md"));
        assert!(
            row.contains(action) && row.contains(tag),
            "{action}@{sha}: row is `{row}`"
        );
    }
}

// ---------------------------------------------------------------------------
// The checker, proven on inline bad YAML
// ---------------------------------------------------------------------------

const GOOD: &str = r#"
name: good
on: [push]
permissions:
  contents: read
concurrency:
  group: ${{ github.workflow }}-${{ github.ref }}
  cancel-in-progress: true
jobs:
  coverage:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@34e114876b0b11c390a56381ad16ebd13914f8d5 # v4.3.1
        with:
          persist-credentials: false
      - uses: taiki-e/install-action@ba47c86ac325773530516bb756137ac718732518 # v2.86.5
        with:
          tool: cargo-llvm-cov
      - run: cargo llvm-cov --locked --fail-under-lines 80
"#;

fn problems_of(yaml: &str) -> Vec<String> {
    check_workflow("inline.yml", yaml)
}

fn assert_flags(yaml: &str, needle: &str) {
    let p = problems_of(yaml);
    assert!(
        p.iter().any(|m| m.contains(needle)),
        "expected a problem containing {needle:?}, got {p:#?}"
    );
}

#[test]
fn checker_accepts_a_good_workflow() {
    assert_eq!(problems_of(GOOD), Vec::<String>::new());
}

#[test]
fn checker_rejects_a_tag_instead_of_a_sha() {
    let bad = GOOD.replace(
        "actions/checkout@34e114876b0b11c390a56381ad16ebd13914f8d5 # v4.3.1",
        "actions/checkout@v4",
    );
    assert_flags(
        &bad,
        "uses `actions/checkout@v4`: `@v4` is not pinned to a full 40-character commit SHA",
    );
}

#[test]
fn checker_rejects_a_short_sha_and_a_missing_ref() {
    let short = GOOD.replace("34e114876b0b11c390a56381ad16ebd13914f8d5", "34e1148");
    assert_flags(&short, "not pinned to a full 40-character commit SHA");
    let none = GOOD.replace(
        "actions/checkout@34e114876b0b11c390a56381ad16ebd13914f8d5",
        "actions/checkout",
    );
    assert_flags(&none, "no `@ref`");
}

#[test]
fn checker_rejects_a_job_level_reusable_workflow_on_a_branch() {
    let bad = format!("{GOOD}  reuse:\n    uses: octo/wf/.github/workflows/x.yml@main\n");
    assert_flags(&bad, "`@main` is not pinned");
}

#[test]
fn checker_rejects_a_pin_without_tag_comment() {
    let bad = GOOD.replace(" # v4.3.1", "");
    assert_flags(&bad, "no trailing `# <tag>` comment");
}

#[test]
fn checker_rejects_an_invented_sha_and_a_wrong_tag_comment() {
    let invented = GOOD.replace(
        "34e114876b0b11c390a56381ad16ebd13914f8d5",
        "0123456789abcdef0123456789abcdef01234567",
    );
    assert_flags(&invented, "is not a verified pin of actions/checkout");
    let wrong_tag = GOOD.replace("# v4.3.1", "# v5.1.0");
    assert_flags(&wrong_tag, "does not match the pinned tag `v4.3.1`");
}

#[test]
fn checker_rejects_a_missing_concurrency_block() {
    let bad = GOOD.replace(
        "concurrency:\n  group: ${{ github.workflow }}-${{ github.ref }}\n  cancel-in-progress: true\n",
        "",
    );
    assert_flags(&bad, "no top-level `concurrency` block");
    let no_cancel = GOOD.replace("  cancel-in-progress: true\n", "");
    assert_flags(&no_cancel, "no `cancel-in-progress` rule");
}

#[test]
fn checker_rejects_a_missing_or_write_permissions_block() {
    let missing = GOOD.replace("permissions:\n  contents: read\n", "");
    assert_flags(&missing, "no top-level `permissions` block");
    let write_all = GOOD.replace(
        "permissions:\n  contents: read\n",
        "permissions: write-all\n",
    );
    assert_flags(&write_all, "write-all");
    let write = GOOD.replace("contents: read", "contents: write");
    assert_flags(&write, "`contents: write`");
}

#[test]
fn checker_rejects_a_coverage_threshold_below_80() {
    let bad = GOOD.replace("--fail-under-lines 80", "--fail-under-lines 79");
    assert_flags(&bad, "coverage threshold --fail-under-lines 79 is below 80");
    let eq = GOOD.replace("--fail-under-lines 80", "--fail-under-lines=50");
    assert_flags(&eq, "--fail-under-lines 50 is below 80");
    let expr = GOOD.replace("--fail-under-lines 80", "--fail-under-lines ${{ env.MIN }}");
    assert_flags(&expr, "is not a literal number");
    assert!(coverage_thresholds("cargo llvm-cov --fail-under-lines 80.5")[0].is_ok());
}

#[test]
fn checker_rejects_a_coverage_gate_that_cannot_fail() {
    let bad = GOOD.replace(
        "      - run: cargo llvm-cov",
        "      - continue-on-error: true\n        run: cargo llvm-cov",
    );
    assert_flags(&bad, "continue-on-error");
}

#[test]
fn checker_rejects_checkout_that_persists_credentials() {
    let bad = GOOD.replace("        with:\n          persist-credentials: false\n", "");
    assert_flags(&bad, "without `with: persist-credentials: false`");
}

#[test]
fn checker_rejects_invalid_yaml() {
    assert_flags("jobs: [unclosed", "not valid YAML");
}
