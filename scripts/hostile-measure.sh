#!/usr/bin/env bash
# Runs every hostile case of tests/hostile.rs (the 100,000-workflow one included) against the
# release binary and prints the wall time and peak memory of each scan, to show that each
# finishes within 10 s and under 200 MB. A measurement that prints figures: it fails only if
# a case itself fails.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/time ]; then
  apt-get install -y time >/dev/null
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
CIPROOF_MEASURE=1 cargo test --release --test hostile -- --include-ignored --nocapture \
  --test-threads=1 >"$log" 2>&1 || { cat "$log"; exit 1; }

printf '%-58s %-26s %9s %9s\n' case flags seconds "peak MB"
grep -o 'measure .*' "$log" | while read -r _ name rest; do
  flags=${rest%%:*}
  figures=${rest##*: }
  seconds=$(echo "$figures" | awk '{print $1}')
  kb=$(echo "$figures" | awk '{print $3}')
  case "$kb" in (*[!0-9]*|"") kb=0 ;; esac
  mb=$((kb / 1024))
  over=""
  if awk -v s="$seconds" 'BEGIN { exit !(s > 10) }' || [ "$mb" -ge 200 ]; then over="  OVER"; fi
  printf '%-58s %-26s %9s %9s%s\n' "$name" "${flags:--}" "$seconds" "$mb" "$over"
done
grep -E '^test result' "$log"
