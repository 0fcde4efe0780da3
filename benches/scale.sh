#!/usr/bin/env bash
# Whole-binary timings of gemscan at scale, against `xsv count` on the same
# files (the parse floor of a single-threaded csv-crate reader).
#
#   bash benches/scale.sh              # 10^6 and 10^7 rows, 5 runs each
#   RUNS=9 ROWS="1000000" bash benches/scale.sh
#
# What it does:
#   1. builds the release binary and the generator example;
#   2. installs xsv 0.13.0 from crates.io into $TOOLS (outside the project's
#      dependency tree) unless it is already there;
#   3. generates the files (examples/gen_snapshots: seeded, ties and missing
#      cells included) into $WORK, once;
#   4. for each file (and the team's real file, when ../shared/data is
#      there) times `xsv count`, `gemscan backtest --compare-baselines` and
#      the same with `--extended-metrics`, JSON to /dev/null (the JSON report
#      also hashes the input and is schema-checked); then the last one with
#      the text report (no hash, no schema check);
#   5. prints a markdown table: rows, command, wall median (min..max), ratio
#      of the medians to xsv, peak RSS and RSS per row above the binary's
#      own constant (its RSS on a 1-row file), then the 10^7 / 10^6 growth.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS="${RUNS:-5}"
ROWS="${ROWS:-1000000 10000000}"
WORK="${GEMSCAN_SCALE_DIR:-/tmp/gemscan-scale}"
TOOLS="${GEMSCAN_BENCH_TOOLS:-$HOME/.cache/gemscan-bench}"
REAL="${GEMSCAN_REAL_DATA:-../shared/data/sp500_2009_2010_snapshots.csv}"
XSV_VERSION=0.13.0
TIME=/usr/bin/time

[[ -x "$TIME" ]] || { echo "scale.sh: needs GNU time at $TIME (apt-get install time)" >&2; exit 1; }
mkdir -p "$WORK" "$TOOLS"

cargo build --locked --release --bin gemscan --example gen_snapshots >&2
BIN="$PWD/target/release/gemscan"
GEN="$PWD/target/release/examples/gen_snapshots"

XSV="$TOOLS/bin/xsv"
if ! [[ -x "$XSV" ]] || ! "$XSV" --version 2>/dev/null | grep -qx "$XSV_VERSION"; then
  echo "installing xsv $XSV_VERSION into $TOOLS" >&2
  cargo install --locked --root "$TOOLS" "xsv@$XSV_VERSION" >&2
fi

# One run: prints "seconds max_rss_kb"; stdout of the command is discarded.
measure() {
  local out
  out="$("$TIME" -f '%e %M' "$@" 2>&1 >/dev/null | tail -n 1)"
  echo "$out"
}


# Baseline RSS of the binary itself (constant part), on a 1-row file.
printf 'token,date,f_SentimentScore,future_return_7d\nA,2024-01-01,0.5,0.01\n' >"$WORK/one.csv"
BASE_KB="$(measure "$BIN" backtest "$WORK/one.csv" --compare-baselines --extended-metrics --json-output | cut -d' ' -f2)"

files=()
for n in $ROWS; do
  f="$WORK/gen_${n}.csv"
  if ! [[ -s "$f" ]]; then
    echo "generating $f" >&2
    "$GEN" --rows "$n" --seed 1 >"$f.part" && mv "$f.part" "$f"
  fi
  files+=("$f:$n")
done
if [[ -f "$REAL" ]]; then
  files=("$REAL:97830" "${files[@]}")
fi

# Wall times: hyperfine (-N, no shell; RUNS runs after one warm-up) when it
# is installed, else RUNS runs of GNU time. Peak RSS: GNU time, max of 3 runs.
have_hyperfine=0
command -v hyperfine >/dev/null 2>&1 && have_hyperfine=1

# walls NAME CMD...: prints "median min max" in seconds.
walls() {
  if [[ $have_hyperfine -eq 1 ]]; then
    local json
    json="$(mktemp)"
    hyperfine -N -w 1 -r "$RUNS" --export-json "$json" "$(printf '%q ' "$@")" >/dev/null 2>&1
    python3 - "$json" <<'PY'
import json, sys, statistics
t = json.load(open(sys.argv[1]))["results"][0]["times"]
print(f"{statistics.median(t):.3f} {min(t):.3f} {max(t):.3f}")
PY
    rm -f "$json"
  else
    local all=()
    for ((r = 0; r < RUNS; r++)); do all+=("$(measure "$@" | cut -d' ' -f1)"); done
    printf '%s\n' "${all[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.3f %.3f %.3f\n", m, a[1], a[NR]}'
  fi
}

peak_kb() {
  local best=0 kb
  for _ in 1 2 3; do
    kb="$(measure "$@" | cut -d' ' -f2)"
    ((kb > best)) && best=$kb
  done
  echo "$best"
}

echo "| file | rows | command | wall median (min..max) | vs xsv count | peak RSS | RSS/row above constant |"
echo "|---|---:|---|---:|---:|---:|---:|"
declare -A med_by=()
for entry in "${files[@]}"; do
  f="${entry%:*}"
  n="${entry##*:}"
  cat "$f" >/dev/null # page cache: every command reads from memory
  xsv_med=""
  for name in "xsv count" "gemscan --compare-baselines" "gemscan --compare-baselines --extended-metrics" "same, text report"; do
    case "$name" in
      "xsv count") cmd=("$XSV" count "$f") ;;
      "gemscan --compare-baselines") cmd=("$BIN" backtest "$f" --compare-baselines --json-output) ;;
      "same, text report") cmd=("$BIN" backtest "$f" --compare-baselines --extended-metrics) ;;
      *) cmd=("$BIN" backtest "$f" --compare-baselines --extended-metrics --json-output) ;;
    esac
    read -r med lo hi < <(walls "${cmd[@]}")
    kb="$(peak_kb "${cmd[@]}")"
    [[ -z "$xsv_med" ]] && xsv_med="$med"
    med_by["$name:$n"]="$med"
    ratio="$(awk -v a="$med" -v b="$xsv_med" 'BEGIN { printf "%.2f", a / b }')"
    per_row="-"
    if [[ "$name" != "xsv count" ]]; then
      per_row="$(awk -v kb="$kb" -v base="$BASE_KB" -v n="$n" 'BEGIN { printf "%.1f B", (kb - base) * 1024 / n }')"
    fi
    printf '| %s | %s | %s | %ss (%s..%s) | %s | %s MB | %s |\n' \
      "$(basename "$f")" "$n" "$name" "$med" "$lo" "$hi" "$ratio" \
      "$(awk -v kb="$kb" 'BEGIN { printf "%.1f", kb / 1024 }')" "$per_row"
  done
done
echo
for name in "gemscan --compare-baselines" "gemscan --compare-baselines --extended-metrics"; do
  a="${med_by["$name:1000000"]:-}"
  b="${med_by["$name:10000000"]:-}"
  if [[ -n "$a" && -n "$b" ]]; then
    echo "growth t(10^7)/t(10^6), $name: $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b / a }')"
  fi
done
echo "constant part (1-row file, every metric on): $(awk -v kb="$BASE_KB" 'BEGIN { printf "%.1f", kb / 1024 }') MB; $(nproc) cores; RUNS=$RUNS; timer: $([[ $have_hyperfine -eq 1 ]] && echo hyperfine || echo 'GNU time')"
