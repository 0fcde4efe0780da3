#!/usr/bin/env bash
# Determinism check (SPEC §7): the backtest on the bundled data must print
# identical bytes on every run, whatever the thread count. Runs the release
# binary three times (1 thread, 2 threads, 2 threads again) and fails on any
# byte difference; then the same for a run with every metric on
# (--extended-metrics, time-sliced by week). Expects `cargo build --release`
# to have been run.
set -euo pipefail

bin="${GEMSCAN_BIN:-target/release/gemscan}"
data="${GEMSCAN_DETERMINISM_DATA:-tests/fixtures/sp500_sample.csv}"
args=(backtest "$data" --top-k 10 --compare-baselines --json-output)
if [[ "${1:-}" == "--all-metrics" ]]; then
  args=(backtest "$data" --top-k 10 --compare-baselines --extended-metrics --time-sliced --slice-by week --json-output)
fi

fail() { echo "determinism: FAIL: $*" >&2; exit 1; }

[[ -x "$bin" ]] || fail "$bin not found or not executable (run: cargo build --release --locked)"
[[ -f "$data" ]] || fail "bundled data $data not found"
if ! "$bin" backtest --help >/dev/null 2>&1; then
  fail "$bin has no working 'backtest' subcommand ('$bin backtest --help' failed)"
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

run() { # run NAME THREADS
  local name="$1" threads="$2" status=0
  RAYON_NUM_THREADS="$threads" "$bin" "${args[@]}" >"$out/$name.json" 2>"$out/$name.err" || status=$?
  if [[ $status -ne 0 ]]; then
    cat "$out/$name.err" >&2
    fail "'$bin ${args[*]}' with RAYON_NUM_THREADS=$threads exited $status"
  fi
  [[ -s "$out/$name.json" ]] || fail "run $name (RAYON_NUM_THREADS=$threads) printed nothing on stdout"
  python3 - "$out/$name.json" <<'PY' ||
import json, sys
try:
    json.load(open(sys.argv[1], encoding="utf-8"))
except ValueError as e:
    sys.exit(f"not JSON: {e}")
PY
    fail "run $name (RAYON_NUM_THREADS=$threads): stdout is not one JSON document"
}

run t1 1
run t2 2
run t2-again 2

status=0
for other in t2 t2-again; do
  if ! cmp "$out/t1.json" "$out/$other.json"; then
    echo "--- first differences (t1 vs $other) ---" >&2
    diff -u "$out/t1.json" "$out/$other.json" | head -n 40 >&2 || true
    status=1
  fi
done
[[ $status -eq 0 ]] || fail "backtest output differs between runs / thread counts"
echo "determinism: OK: 3 runs (RAYON_NUM_THREADS=1,2,2) gave identical bytes ($(wc -c <"$out/t1.json") bytes, sha256 $(sha256sum "$out/t1.json" | cut -c1-16)…)"
