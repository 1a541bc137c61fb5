#!/usr/bin/env bash
# Times `ciproof scan` on a synthetic monorepo against the bare file-walk floor and peers.
#
# A shell script, not a Rust bench: it times whole processes (ours and other tools) side by
# side with one stopwatch, /usr/bin/time, which also gives peak memory; and the tree comes
# from benches/gen_monorepo.py, deterministic for given sizes, so any machine rebuilds it.
#
# Usage: benches/monorepo.sh            (RUNS=5 by default; every figure a median)
# Needs: cargo, python3, git, rg (apt-get install ripgrep), /usr/bin/time (apt-get install
# time). Peers are timed when installed: zizmor and checkov (pip install zizmor checkov).
# Environment: RUNS, CIPROOF_BIN (skip the build), CHECKOV_TIMEOUT (seconds, default 300),
# SCALING=0 to skip the scaling table, FILES and WORKFLOWS for the main tree (100000, 300).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
runs=${RUNS:-5}
checkov_timeout=${CHECKOV_TIMEOUT:-300}

for tool in python3 git rg /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "monorepo.sh: $tool is missing" >&2; exit 2; }
done
if [[ -z "${CIPROOF_BIN:-}" ]]; then
    (cd "$repo" && cargo build --release --quiet)
    CIPROOF_BIN="$repo/target/release/ciproof"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# tree FILES WORKFLOWS -> prints the folder of a generated tree (made once).
make_tree() {
    local dir="$work/tree-$1-$2"
    if [[ ! -d "$dir" ]]; then
        python3 "$here/gen_monorepo.py" "$dir" --files "$1" --workflows "$2" >&2
    fi
    echo "$dir"
}

# measure NAME RUNS CMD... -> one line: name, median wall s, median CPU s, peak RSS MB.
# One untimed warm-up first (unless a single run), so every tool reads a warm page cache.
measure() {
    local name=$1 n=$2
    shift 2
    if ((n > 1)); then "$@" >/dev/null 2>&1 || true; fi
    local samples="$work/samples"
    : >"$samples"
    for ((i = 0; i < n; i++)); do
        /usr/bin/time -f "%e %U %S %M" -o "$work/one" "$@" >/dev/null 2>&1 || true
        tail -n 1 "$work/one" >>"$samples"
    done
    awk -v name="$name" '
        { wall[NR] = $1; cpu[NR] = $2 + $3; if ($4 > rss) rss = $4 }
        function median(a, n,   i, j, t) {
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
                if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        END { printf "%s %.3f %.3f %.1f\n", name, median(wall, NR), median(cpu, NR), rss / 1024 }
    ' "$samples"
}

# What is timed: /usr/bin/time runs programs, so these are argument lists, not functions.
scan=("$CIPROOF_BIN" scan --format json --output /dev/null)
# The floor lists what ciproof looks at: hidden files too, not .git, not node_modules
# (the tree's .gitignore names it, and ciproof prunes it by name).
walk=(rg --files --hidden --glob '!.git')

echo "# machine: $(nproc) cores; $(uptime)"
echo "# ciproof: $CIPROOF_BIN; runs per figure: $runs (median)"
files=${FILES:-100000} workflows=${WORKFLOWS:-300}
big=$(make_tree "$files" "$workflows")
git -C "$big" init --quiet && git -C "$big" add -A
echo "# tree: $(find "$big" -type f -not -path '*/.git/*' | wc -l) files," \
    "$(find "$big/.github/workflows" -type f | wc -l) workflows," \
    "$(find "$big/node_modules" -name package.json | wc -l) package.json under node_modules"

results="$work/results"
{
    measure "rg --files" "$runs" "${walk[@]}" "$big"
    measure "git ls-files" "$runs" git -C "$big" ls-files
    measure "ciproof scan" "$runs" "${scan[@]}" "$big"
    if command -v zizmor >/dev/null; then
        measure "zizmor --offline" "$runs" zizmor --offline "$big"
    else
        echo "zizmor --offline - - -"
    fi
    if command -v checkov >/dev/null; then
        # Slow: one run, bounded; a time-out shows as the bound itself.
        measure "checkov github_actions" 1 timeout "$checkov_timeout" checkov -d "$big" \
            --framework github_actions --quiet --compact --skip-download
    else
        echo "checkov github_actions - - -"
    fi
} >"$results"

echo
echo "$files files, $workflows workflows (wall and CPU = user+sys, medians; ratio to rg --files wall)"
awk -v bound="$checkov_timeout" '
    NR == 1 { floor = $(NF - 2) }
    {
        rss = $NF; cpu = $(NF - 1); wall = $(NF - 2); name = $1
        for (i = 2; i <= NF - 3; i++) name = name " " $i
        if (wall == "-") { printf "  %-24s not installed\n", name; next }
        printf "  %-24s %8.3f s wall %8.3f s CPU %7.2fx floor %7.1f MB peak\n",
            name, wall, cpu, wall / floor, rss
        walls[name] = wall
    }
    END {
        ours = walls["ciproof scan"]
        for (peer in walls) if (peer ~ /zizmor|checkov/ && ours > 0)
            printf "  ciproof is %s%.1fx faster than %s\n",
                (walls[peer] >= bound ? "at least " : ""), walls[peer] / ours, peer
    }
' "$results"
echo "  (checkov runs once and is cut off at ${checkov_timeout} s: a figure at the bound did not finish)"

if [[ "${SCALING:-1}" != 0 ]]; then
    echo
    echo "ciproof scan as the repository grows (medians of $runs)"
    printf "  %-10s %-10s %10s %10s %10s %10s\n" files workflows "scan s" "rg s" ratio "MB peak"
    for size in "10000 300" "30000 300" "100000 300" "100000 30" "100000 100"; do
        set -- $size
        dir=$(make_tree "$1" "$2")
        read -r _ _ wall _ rss < <(measure "ciproof scan" "$runs" "${scan[@]}" "$dir")
        read -r _ _ floor _ _ < <(measure "rg --files" "$runs" "${walk[@]}" "$dir")
        printf "  %-10s %-10s %10.3f %10.3f %9.2fx %10.1f\n" "$1" "$2" "$wall" "$floor" \
            "$(awk -v a="$wall" -v b="$floor" 'BEGIN { print a / b }')" "$rss"
    done
fi
echo
echo "# done: $(uptime)"
