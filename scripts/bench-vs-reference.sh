#!/usr/bin/env bash
# Side-by-side timing of one CogVideoX training step: the Python reference (shared/reference/bench_reference.py,
# diffusers v0.32.2 on Debian's torch) and `cogforge bench train`, alternated ROUNDS times with the same options.
# Both sides are timed in wall time and in the stepping thread's CPU time (the reference through a wrapper that
# swaps time.perf_counter for time.thread_time), because wall time on a shared machine mostly measures the load.
#
# usage: scripts/bench-vs-reference.sh ROUNDS [bench options, e.g. --layers 4 --heads 4 --threads 1 --rotary]
# env:   REFERENCE (path to bench_reference.py, default /work/shared/reference/bench_reference.py),
#        PYTHON (default /usr/bin/python3). Set-up of the reference: shared/reference/README.md.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
rounds="${1:?usage: $0 ROUNDS [bench options]}"
shift
reference="${REFERENCE:-/work/shared/reference/bench_reference.py}"
python="${PYTHON:-/usr/bin/python3}"
[ -f "$reference" ] || { echo "reference benchmark not found: $reference (set REFERENCE)" >&2; exit 1; }
work="$(mktemp -d -t cogforge-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cat >"$work/thread_time.py" <<'EOF'
import runpy, sys, time
time.perf_counter = time.thread_time
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
EOF
"$root/cogforge" --version >/dev/null # build once, outside the timed runs
for i in $(seq 1 "$rounds"); do
  echo "round $i: $(uptime | sed 's/.*load/load/')" >&2
  "$python" "$reference" "$@" --json "$work/ref-wall-$i.json" >/dev/null
  "$python" "$work/thread_time.py" "$reference" "$@" --json "$work/ref-cpu-$i.json" >/dev/null
  "$root/cogforge" bench train "$@" --json "$work/java-$i.json" >/dev/null
done
"$python" - "$work" "$rounds" <<'EOF'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
rows = []
for i in range(1, rounds + 1):
    rw = json.load(open(f"{work}/ref-wall-{i}.json"))
    rc = json.load(open(f"{work}/ref-cpu-{i}.json"))
    j = json.load(open(f"{work}/java-{i}.json"))
    rows.append((rw["median_s_per_step"], rc["median_s_per_step"], j["median_s_per_step"], j["median_cpu_s_per_step"],
                 max(rw["peak_rss_mib"], rc["peak_rss_mib"]), j["peak_rss_mib"]))
print(f"{'round':>5} {'ref_wall_s':>10} {'java_wall_s':>11} {'wall_ratio':>10} {'ref_cpu_s':>9} {'java_cpu_s':>10} "
      f"{'cpu_ratio':>9} {'ref_rss':>8} {'java_rss':>8}")
for i, (rw, rc, jw, jc, rr, jr) in enumerate(rows, 1):
    print(f"{i:>5} {rw:>10.4f} {jw:>11.4f} {rw / jw:>10.2f} {rc:>9.4f} {jc:>10.4f} {rc / jc:>9.2f} {rr:>8.1f} {jr:>8.1f}")
wr = [r[0] / r[2] for r in rows]
cr = [r[1] / r[3] for r in rows]
print(f"reference/java wall ratio: median {statistics.median(wr):.2f} (min {min(wr):.2f}, max {max(wr):.2f}); "
      f"thread-CPU ratio: median {statistics.median(cr):.2f} (min {min(cr):.2f}, max {max(cr):.2f})")
EOF
