#!/bin/sh
# bench-sweep.sh: somaif-sweep's dispatcher at scale (a benchmark, not a
# test: nothing is asserted).  One run of it measures, on this machine:
#   1. RUNS runs of a few epochs each under mpirun -np RANKS --oversubscribe:
#      rank 0's CPU seconds per run handed out and its share of a core, the
#      workers' idle time, runs a minute;
#   2. the same runs with --jobs 2 and no MPI, runs a minute;
#   3. --check and --summarise of a sweep of COMBOS combinations (the
#      summary over COMBOS finished lean run folders, copies of one).
# Usage: bench-sweep.sh [RANKS [RUNS [COMBOS]]]   (default 32 2000 10000)
# Environment: SOMAIF_RUN (the built somaif-run; somaif-sweep beside it),
# SOMAIF_PLUGIN_PATH, SOMAIF_CONFIGS; BENCH_DIR keeps the folders (default:
# a temporary folder, removed).  `make bench-sweep` in tests/ sets them.

ranks=${1:-32}
runs=${2:-2000}
combos=${3:-10000}
here=$(cd "$(dirname "$0")" && pwd)
run=${SOMAIF_RUN:-$here/../core/somaif-run}
sweep=${SOMAIF_SWEEP:-$(dirname "$run")/somaif-sweep}
configs=${SOMAIF_CONFIGS:-$here/../configs}
export SOMAIF_RUN="$run"
if [ -n "$BENCH_DIR" ]; then tmp=$BENCH_DIR; mkdir -p "$tmp"
else tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-sweep.XXXXXX") || exit 1; trap 'rm -rf "$tmp"' EXIT; fi
root=
[ "$(id -u)" -eq 0 ] && root=--allow-run-as-root

# A run of 5 epochs of quick.cfg, no snapshots: process start, plugin loading,
# a short training, evaluation and a lean folder.
sed -e 's/^\( *epochs *= *\)[0-9]*;/\15;/' "$configs/quick.cfg" >"$tmp/tiny.cfg"
cat >"$tmp/many.cfg" <<EOF
base = "tiny.cfg";
seeds = { from = 1; count = $runs; };
EOF

echo "bench-sweep: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"

# Samples rank 0's CPU ticks (utime + stime of the somaif-sweep with
# OMPI_COMM_WORLD_RANK=0) until it ends; prints the last sample.
rank0_ticks () {
  pid=
  while [ -z "$pid" ] && [ ! -e "$tmp/mpi.done" ]; do
    for p in /proc/[0-9]*; do
      if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=0' &&
         { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q "somaif-sweep.*$tmp/mpi"; then
        pid=${p#/proc/}
      fi
    done
    sleep 0.2
  done
  last=0
  while [ -n "$pid" ] && [ -r "/proc/$pid/stat" ]; do
    t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) && [ -n "$t" ] && last=$t
    sleep 0.2
  done
  echo "$last"
}

# Per rank, the time its slot stood empty: from the sweep's start to its
# first run, between a run's end (run.json written) and its next start (the
# log's header), and from its last run's end to the sweep's end.
idle_report () {
  python3 - "$1" "$2" "$3" <<'EOF'
import glob, os, sys, re, datetime
out, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
per = {}
for log in glob.glob(os.path.join(out, "logs", "*.log")):
    name = os.path.basename(log)[:-4]
    with open(log) as f:
        m = re.match(r"== (\S+) rank (\d+):", f.readline())
    if not m:
        continue
    start = datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00")).timestamp()
    end = os.stat(os.path.join(out, name, "run.json")).st_mtime
    per.setdefault(int(m.group(2)), []).append((start, end))
idle = []
for rank, spans in sorted(per.items()):
    spans.sort()
    gap = spans[0][0] - t0 + max(0.0, t1 - spans[-1][1])
    for (s0, e0), (s1, e1) in zip(spans, spans[1:]):
        gap += max(0.0, s1 - e0)
    idle.append(gap)
wall = t1 - t0
print("  ranks that ran runs: %d; runs per rank %d to %d" % (len(per),
      min(len(s) for s in per.values()), max(len(s) for s in per.values())))
print("  idle per rank: mean %.1f s (%.1f%% of the wall time), most %.1f s" % (
      sum(idle) / len(idle), 100 * sum(idle) / len(idle) / wall, max(idle)))
EOF
}

# ---- 1. mpirun -np RANKS --------------------------------------------------------
tick=$(getconf CLK_TCK)
rank0_ticks >"$tmp/ticks" &
sampler=$!
t0=$(date +%s.%N)
mpirun $root --oversubscribe --bind-to none -np "$ranks" "$sweep" --quiet \
  --output "$tmp/mpi" "$tmp/many.cfg" >"$tmp/mpi.out" 2>&1
status=$?
t1=$(date +%s.%N)
touch "$tmp/mpi.done"  # a job too short for the sampler to find rank 0 in
wait $sampler
done_mpi=$(ls "$tmp"/mpi/*/run.json 2>/dev/null | wc -l)
awk -v r="$ranks" -v n="$runs" -v d="$done_mpi" -v s="$status" -v a="$t0" -v b="$t1" \
    -v k="$(cat "$tmp/ticks")" -v hz="$tick" 'BEGIN {
  w = b - a; c = k / hz
  printf "mpirun -np %d: %d of %d runs finished (exit %d) in %.1f s: %.0f runs a minute\n", r, d, n, s, w, 60 * d / w
  printf "  rank 0: %.2f CPU s in all, %.2f ms a run handed out, %.1f%% of a core\n", c, 1000 * c / n, 100 * c / w
}'
idle_report "$tmp/mpi" "$t0" "$t1"

# ---- 2. --jobs 2, no MPI --------------------------------------------------------------
t0=$(date +%s.%N)
"$sweep" --quiet --jobs 2 --output "$tmp/jobs" "$tmp/many.cfg" >"$tmp/jobs.out" 2>&1
status=$?
t1=$(date +%s.%N)
done_jobs=$(ls "$tmp"/jobs/*/run.json 2>/dev/null | wc -l)
awk -v n="$runs" -v d="$done_jobs" -v s="$status" -v a="$t0" -v b="$t1" 'BEGIN {
  w = b - a
  printf "--jobs 2: %d of %d runs finished (exit %d) in %.1f s: %.0f runs a minute\n", d, n, s, w, 60 * d / w
}'
bytes=$(du -sb "$tmp/jobs" | cut -f1)
files=$(find "$tmp/jobs" -type f | wc -l)
echo "  the --jobs 2 sweep folder: $bytes bytes, $files files ($((bytes / runs)) bytes, $((files / runs)) files a run)"

# ---- 3. --check and --summarise of COMBOS combinations -------------------------------
cat >"$tmp/wide.cfg" <<EOF
base = "tiny.cfg";
vary = ( { key = "experiment.beta"; values = [$(seq -s, 1 "$combos" | sed 's/,/.0,/g').0]; } );
seeds = [1];
EOF
# Wall and CPU seconds of a command ($1: what), from /usr/bin/time when there is one.
timed () {
  what=$1; shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%e %U %S' -o "$tmp/time" "$@" >"$tmp/timed.out" 2>&1
    status=$?
    awk -v w="$what" -v s="$status" '{ printf "%s: %.1f s wall, %.1f s CPU (exit %d)\n", w, $1, $2 + $3, s }' "$tmp/time"
  else
    t0=$(date +%s.%N); "$@" >"$tmp/timed.out" 2>&1; status=$?; t1=$(date +%s.%N)
    awk -v w="$what" -v s="$status" -v a="$t0" -v b="$t1" 'BEGIN { printf "%s: %.1f s wall (exit %d)\n", w, b - a, s }'
  fi
}
timed "--check of $combos combinations" "$sweep" --check --output "$tmp/wide" "$tmp/wide.cfg"
# Every combination finished: copies of one lean run with its beta in
# config.cfg (the summary checks that a run's config.cfg is its combination's,
# and reads final.csv, run.json, curves.csv and model/prototypes.npy).
one=$(ls -d "$tmp"/jobs/*seed=1 | head -1)
mkdir -p "$tmp/wide"
awk '/seed=/ { print ++b, $1 }' "$tmp/timed.out" | while read -r b name; do
  d=$tmp/wide/$name
  mkdir -p "$d/model"
  cp "$one"/final.csv "$one"/run.json "$one"/curves.csv "$d/"
  cp "$one"/model/prototypes.npy "$d/model/"
  sed "s/^\( *beta = \).*;/\1$b.0;/" "$one/config.cfg" >"$d/config.cfg"
done
"$sweep" --check --output "$tmp/wide" "$tmp/wide.cfg" >"$tmp/wide-check.out" 2>&1
echo "  (--check sees $(grep -c ' done$' "$tmp/wide-check.out") of $combos runs done)"
sed -e "s|^base = .*|base = \"$tmp/tiny.cfg\";|" "$tmp/wide.cfg" >"$tmp/wide/sweep.cfg"
timed "--summarise of $combos combinations" "$sweep" --summarise "$tmp/wide"
echo "bench-sweep: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (the machine is shared: other users' work counts in every time above)"
