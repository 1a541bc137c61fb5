#!/usr/bin/env bash
# Checks ciproof's SARIF the way GitHub code scanning will judge it.
#
#   scripts/validate-sarif.sh [--bin BIN] FILE.sarif...   validate these files
#   scripts/validate-sarif.sh [--bin BIN] --all           scan every fixture, every labelled
#                                                         corpus entry and every case, validate all
#
# Two layers:
# 1. The shared validator (shared/tools/validate-sarif): the SARIF 2.1.0 JSON schema through
#    check-jsonschema, then Microsoft's SARIF multitool with GitHub's ingestion rules
#    (`validate --rule-kind "Gh;Sarif"`, whose exit status is always 0, so it reads the log and
#    fails on error-level results). It installs both tools on first use (npm, pip) into
#    $SARIF_TOOLS, by default ~/.cache/sarif-tools; we call it rather than repeat it.
# 2. ciproof's own promises, which no validator knows: one run for one scanned root, the
#    `ciproof/` category, every result located in a file that exists in the scanned checkout,
#    ruleIndex pointing at its rule, start lines of at least 1, and a fingerprint on each result.
#
# Exit status: 0 all pass; 1 a file fails; 2 usage error or the validators are unavailable.
set -euo pipefail
here=$PWD
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$here/$1" ;; esac; }
cd "$(dirname "$0")/.."

bin=$PWD/target/debug/ciproof
all=false
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$(absolute "$2"); shift 2 ;;
    --all) all=true; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) files+=("$(absolute "$1")"); shift ;;
  esac
done

shared=${CIPROOF_SHARED:-../shared}
[ -d "$shared" ] || shared=/work/shared
validator=$shared/tools/validate-sarif
if [ ! -x "$validator" ]; then
  echo "validate-sarif.sh: $validator not found (set CIPROOF_SHARED to the shared folder)" >&2
  exit 2
fi
export SARIF_TOOLS=${SARIF_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/sarif-tools}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each line of $work/roots: SARIF file, tab, the checkout it was made from.
: >"$work/roots"

scan() { # scan ROOT NAME [EXTRA-ARGS...]: writes $work/NAME.sarif and records its root
  local root=$1 name=$2
  shift 2
  local out=$work/$name.sarif
  local status=0
  "$bin" scan "$root" --format sarif --output "$out" "$@" >/dev/null 2>"$work/$name.stderr" ||
    status=$?
  if [ "$status" -gt 1 ]; then
    echo "FAIL $root: ciproof exited $status" >&2
    sed 's/^/  /' "$work/$name.stderr" >&2
    exit 1
  fi
  printf '%s\t%s\n' "$out" "$root" >>"$work/roots"
}

if $all; then
  [ -x "$bin" ] || { echo "validate-sarif.sh: build $bin first (cargo build)" >&2; exit 2; }
  for dir in fixtures/*/; do
    name=fixture-$(basename "$dir")
    scan "$dir" "$name"
    scan "$dir" "$name-all" --sarif-all
  done
  for collection in corpus cases; do
    for entry in "$shared/$collection"/*/; do
      [ -d "$entry/tree" ] || continue
      scan "$entry/tree" "$collection-$(basename "$entry")"
    done
  done
fi
for file in "${files[@]+"${files[@]}"}"; do
  printf '%s\t\n' "$file" >>"$work/roots"
done
if [ ! -s "$work/roots" ]; then
  echo "usage: scripts/validate-sarif.sh [--bin BIN] (--all | FILE.sarif...)" >&2
  exit 2
fi

# The first file alone: it installs the tools when they are missing (never two installs at
# once), and tells whether they can be had at all.
status=0
cut -f1 "$work/roots" >"$work/files"
head -n 1 "$work/files" | xargs -d '\n' "$validator" >"$work/validator.log" 2>&1 || status=$?
if [ "$status" -eq 2 ]; then
  cat "$work/validator.log" >&2
  exit 2
fi
# The rest in parallel batches: each file costs two tool start-ups (about 2 s of CPU).
tail -n +2 "$work/files" |
  xargs -d '\n' -r -n 8 -P "$(nproc 2>/dev/null || echo 2)" "$validator" \
    >>"$work/validator.log" 2>&1 || status=1
grep -v '^ok ' "$work/validator.log" || true

python3 - "$work/roots" "$work/validator.log" <<'PY' || status=1
import json, os, sys, urllib.parse

# The shared validator prints "ok   FILE" for each file that passes both of its checks.
validated = {l[5:].rstrip("\n") for l in open(sys.argv[2], encoding="utf-8") if l.startswith("ok ")}
failures = 0
count = 0
for line in open(sys.argv[1], encoding="utf-8"):
    path, _, root = line.rstrip("\n").partition("\t")
    count += 1
    problems = []
    if path not in validated:
        problems.append("rejected by the schema or the multitool (see above)")
    try:
        log = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"FAIL {path}: {error}")
        failures += 1
        continue
    runs = log.get("runs", [])
    if len(runs) != 1 and root:
        problems.append(f"{len(runs)} runs, expected 1 per scanned root")
    for run in runs:
        rules = run["tool"]["driver"].get("rules", [])
        if not run.get("automationDetails", {}).get("id", "").startswith("ciproof/"):
            problems.append("automationDetails.id is not in the ciproof/ category")
        for result in run.get("results", []):
            rule = result.get("ruleId")
            index = result.get("ruleIndex", -1)
            if not (0 <= index < len(rules)) or rules[index]["id"] != rule:
                problems.append(f"{rule}: ruleIndex {index} does not point at its rule")
            if not result.get("partialFingerprints", {}).get("primaryLocationLineHash"):
                problems.append(f"{rule}: no primaryLocationLineHash")
            locations = result.get("locations") or []
            if not locations:
                problems.append(f"{rule}: no location")
            for location in locations:
                physical = location.get("physicalLocation", {})
                uri = physical.get("artifactLocation", {}).get("uri", "")
                line_no = physical.get("region", {}).get("startLine", 0)
                if not uri or "://" in uri or uri.startswith("/"):
                    problems.append(f"{rule}: URI {uri!r} is not repository-relative")
                if line_no < 1:
                    problems.append(f"{rule}: startLine {line_no}")
                if root and not os.path.exists(os.path.join(root, urllib.parse.unquote(uri))):
                    problems.append(f"{rule}: {uri} is not a file of {root}")
    for problem in problems:
        print(f"  {problem}")
    if problems:
        print(f"FAIL {path}: {len(problems)} problem(s)")
        failures += 1
print(f"sarif-check: {count - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
PY
exit $status
