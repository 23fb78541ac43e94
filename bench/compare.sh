#!/usr/bin/env bash
# Two builds or two sets of settings side by side, in one sitting: `./sluice bench pipeline` run for each side in
# turn, the order alternating round by round, then one table per scenario with every run and each side's median.
# On a shared machine the same command moves by a quarter between runs, so only pairs taken this way compare.
#   bench/compare.sh "topics.partitions=6" ""                   settings against the defaults, on this tree
#   bench/compare.sh @HEAD~1 @HEAD                               the build before the last commit against it
#   bench/compare.sh "@main streams.num.threads=1" @main         a revision with a setting
#   ROUNDS=5 BENCH="--scenarios closed --warmup 150000" bench/compare.sh "" "streams.commit.interval.ms=200"
# A side is an optional @REVISION (any git revision: built from a copy of it) and KEY=VALUE settings, each passed as
# --set; a side without a revision is this working tree as it is now, uncommitted changes included, copied first so
# that editing it during the runs does not rebuild what is measured. ROUNDS (default 3) pairs; BENCH the bench's
# arguments (default: --scenarios closed,light --warmup 40000 -n 30000); WORK (default $TMPDIR/sluice-compare) holds the
# copies and each run's output. The start-up cache is off (SLUICE_AOT=off): a cache belongs to one build.
# Values cannot hold spaces. Needs git, GNU tar and python3. Exits 2 on misuse; 1 if a build failed, a run printed
# no figures or failed (a bench run exits 1 when its warm-up or a scenario lost or repeated an outcome), or a
# scenario's figures show a lost or repeated outcome.
set -euo pipefail
shopt -s inherit_errexit
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${WORK:-${TMPDIR:-/tmp}/sluice-compare}"
mkdir -p "$WORK" && WORK="$(cd "$WORK" && pwd)" # absolute: the build runs in another directory
ROUNDS="${ROUNDS:-3}"
BENCH="${BENCH:---scenarios closed,light --warmup 40000 -n 30000}"
usage() {
  echo "usage: bench/compare.sh SIDE_A SIDE_B   (a side: [@REVISION] [KEY=VALUE ...]; \"\" is this tree's defaults)" >&2
  echo "  e.g. bench/compare.sh \"topics.partitions=6\" \"\"   or   bench/compare.sh @HEAD~1 @HEAD" >&2
  exit 2
}
[ $# -eq 2 ] || usage
case "$ROUNDS" in ''|*[!0-9]*|0) echo "bench/compare.sh: ROUNDS must be a whole number of at least 1" >&2; exit 2;; esac
for tool in git python3; do
  command -v "$tool" >/dev/null || { echo "bench/compare.sh: needs $tool" >&2; exit 1; }
done

# The tree a side runs: SLUICE_LAUNCHER (tests) for every side, else a copy of a revision or of the working tree.
revision_of() {
  local - word; set -f # words, not file names
  for word in $1; do case "$word" in @*) echo "${word#@}"; return;; esac; done
}
settings_of() { # fills SET_ARGS with "--set KEY=VALUE" for each setting of side $1; misuse exits 2
  local - word; set -f
  SET_ARGS=()
  for word in $1; do
    case "$word" in
      @*) ;;
      *=*) SET_ARGS+=(--set "$word");;
      *) echo "bench/compare.sh: '$word' is neither @REVISION nor KEY=VALUE" >&2; exit 2;;
    esac
  done
}
launcher_for() { # $1 side index, $2 side: prints the launcher to run, building the copy first
  if [ -n "${SLUICE_LAUNCHER:-}" ]; then
    [ -z "$(revision_of "$2")" ] || { echo "bench/compare.sh: SLUICE_LAUNCHER cannot run a revision" >&2; exit 2; }
    echo "$SLUICE_LAUNCHER"; return
  fi
  local rev tree
  rev="$(revision_of "$2")"
  tree="$WORK/tree-$1"
  rm -rf "$tree" && mkdir -p "$tree"
  if [ -n "$rev" ]; then
    git -C "$ROOT" rev-parse --verify --quiet "$rev^{commit}" >/dev/null \
      || { echo "bench/compare.sh: '$rev' is not a revision of $ROOT" >&2; exit 2; }
    git -C "$ROOT" archive "$rev" | tar -x -C "$tree"
  else
    # tracked and untracked files as they are now; a tracked file deleted but not committed is left out
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
      | while IFS= read -r -d '' f; do if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi; done \
      | tar --null -T - -cf -) | tar -x -C "$tree"
  fi
  echo "side $1: building ${rev:-the working tree} in $tree..." >&2
  # `sluice test` is Maven's verify with the launcher's JDK; tests skipped, nothing installed into ~/.m2
  (cd "$tree" && ./sluice test -q -DskipTests >"$WORK/build-$1.log" 2>&1) \
    || { echo "bench/compare.sh: the build of side $1 failed; see $WORK/build-$1.log" >&2; exit 1; }
  echo "$tree/sluice"
}

rm -f "$WORK"/run-*.txt
FAILED=()
SIDES=("$1" "$2")
LAUNCHERS=()
for i in 0 1; do
  settings_of "${SIDES[$i]}"
  if [ "$i" = 1 ] && [ "$(revision_of "${SIDES[1]}")" = "$(revision_of "${SIDES[0]}")" ]; then
    LAUNCHERS[1]="${LAUNCHERS[0]}" # the same tree: built once
  else
    LAUNCHERS[$i]="$(launcher_for "$((i + 1))" "${SIDES[$i]}")"
  fi
done
run() { # run ROUND SIDE_INDEX
  local side=$(($2 + 1)) out="$WORK/run-$1-$(($2 + 1)).txt" rc=0
  settings_of "${SIDES[$2]}"
  echo "round $1, side $side (${SIDES[$2]:-defaults})..." >&2
  # shellcheck disable=SC2086 # BENCH is a list of arguments
  SLUICE_AOT=off "${LAUNCHERS[$2]}" bench pipeline $BENCH --work-dir "$WORK/bench" \
    ${SET_ARGS[@]+"${SET_ARGS[@]}"} > "$out" 2>&1 || rc=$?
  grep -q '^{"scenario"' "$out" || { echo "bench/compare.sh: side $side printed no figures; see $out" >&2; exit 1; }
  if [ "$rc" != 0 ]; then FAILED+=("round $1, side $side (exit $rc; see $out)"); fi
}
for r in $(seq 1 "$ROUNDS"); do # the order alternates too: A B, B A, ...
  if [ $((r % 2)) = 1 ]; then run "$r" 0; run "$r" 1; else run "$r" 1; run "$r" 0; fi
done
rm -rf "$WORK/bench"
status=0
if python3 - "$WORK" "$ROUNDS" "${SIDES[0]:-defaults}" "${SIDES[1]:-defaults}" <<'PY'
import json, statistics, sys
work, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:5]
runs = {}  # (scenario, side) -> figures of each run, in round order
bad = 0
for r in range(1, rounds + 1):
    for side in (1, 2):
        for line in open(f"{work}/run-{r}-{side}.txt"):
            if not line.startswith('{"scenario"'):
                continue
            d = json.loads(line)
            cpu, ovh = d["cpu"], d.get("overheadMs", {})
            bad += d["unaccounted"] + d["duplicates"]
            runs.setdefault((d["scenario"], side), []).append({
                "outcomes/s": d["outcomesPerSec"], "p50 ms": d["latencyMs"]["p50"], "p99 ms": d["latencyMs"]["p99"],
                "overhead p50": ovh.get("p50"), "overhead p99": ovh.get("p99"),
                "CPU µs/req": cpu["usPerRequest"]["total"], "stream µs/req": cpu["usPerRequest"]["streamThreads"],
                "records/req": d["recordsPerRequest"], "KiB/req": cpu["allocatedKiBPerRequest"]["total"],
                "unaccounted+dup": d["unaccounted"] + d["duplicates"]})
def show(v):
    return "-" if v is None else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}".rstrip("0").rstrip("."))
for scenario in dict.fromkeys(s for s, _ in runs):
    print(f"\n{scenario} ({rounds} round{'s' if rounds != 1 else ''}; each run, then the median)")
    print(f"| figure | A: {names[0]} | B: {names[1]} |\n|---|---|---|")
    figures = next(runs[(scenario, side)][0] for side in (1, 2) if (scenario, side) in runs)
    for figure in figures:
        cells = []
        for side in (1, 2):
            values = [run[figure] for run in runs.get((scenario, side), [])]
            known = [v for v in values if v is not None]
            median = statistics.median(known) if known else None
            cells.append("; ".join(show(v) for v in values) + f" (**{show(median)}**)")
        print(f"| {figure} | {cells[0]} | {cells[1]} |")
print(f"\nruns: {work}/run-ROUND-SIDE.txt")
sys.exit(1 if bad else 0)
PY
then :; else status=1; fi
if [ ${#FAILED[@]} -gt 0 ]; then
  printf 'bench/compare.sh: a run failed (lost or repeated outcomes in its warm-up or a scenario, or an error): %s\n' \
    "${FAILED[@]}" >&2
  status=1
fi
exit "$status"
