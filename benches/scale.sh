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
#   4. for each file runs, RUNS times each, interleaved: `xsv count`,
#      `gemscan backtest --compare-baselines` and with every metric on
#      (`--compare-baselines --extended-metrics`), and, when the team's real
#      file is present (../shared/data), the same on it;
#   5. prints a markdown table: rows, command, wall median (min..max), ratio
#      of the medians to xsv, peak RSS (max over the runs) and RSS per row
#      (peak minus the binary's RSS on a 1-row file, over rows).
# Wall times and peak RSS come from /usr/bin/time -f '%e %M' (GNU time).
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

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

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

echo "| file | rows | command | wall median (min..max) | vs xsv count | peak RSS | RSS/row |"
echo "|---|---:|---|---:|---:|---:|---:|"
for entry in "${files[@]}"; do
  f="${entry%:*}"
  n="${entry##*:}"
  declare -A walls=() rss=()
  names=("xsv count" "gemscan --compare-baselines" "gemscan --compare-baselines --extended-metrics")
  # Warm the page cache so every command reads from memory.
  cat "$f" >/dev/null
  for ((r = 0; r < RUNS; r++)); do
    for name in "${names[@]}"; do
      case "$name" in
        "xsv count") cmd=("$XSV" count "$f") ;;
        "gemscan --compare-baselines") cmd=("$BIN" backtest "$f" --compare-baselines --json-output) ;;
        *) cmd=("$BIN" backtest "$f" --compare-baselines --extended-metrics --json-output) ;;
      esac
      read -r s kb < <(measure "${cmd[@]}")
      walls[$name]+="$s "
      if [[ -z "${rss[$name]:-}" || "$kb" -gt "${rss[$name]}" ]]; then rss[$name]="$kb"; fi
    done
  done
  xsv_med="$(tr ' ' '\n' <<<"${walls[xsv count]}" | grep . | median)"
  for name in "${names[@]}"; do
    vals="$(tr ' ' '\n' <<<"${walls[$name]}" | grep .)"
    med="$(median <<<"$vals")"
    lo="$(sort -n <<<"$vals" | head -n 1)"
    hi="$(sort -n <<<"$vals" | tail -n 1)"
    ratio="$(awk -v a="$med" -v b="$xsv_med" 'BEGIN { printf "%.2f", a / b }')"
    kb="${rss[$name]}"
    per_row="-"
    if [[ "$name" != "xsv count" ]]; then
      per_row="$(awk -v kb="$kb" -v base="$BASE_KB" -v n="$n" 'BEGIN { printf "%.1f B", (kb - base) * 1024 / n }')"
    fi
    printf '| %s | %s | %s | %ss (%s..%s) | %s | %s MB | %s |\n' \
      "$(basename "$f")" "$n" "$name" "$med" "$lo" "$hi" "$ratio" "$(awk -v kb="$kb" 'BEGIN { printf "%.1f", kb / 1024 }')" "$per_row"
  done
  unset walls rss
done
echo
echo "constant part (1-row file, every metric on): $(awk -v kb="$BASE_KB" 'BEGIN { printf "%.1f", kb / 1024 }') MB; $(nproc) cores; RUNS=$RUNS"
