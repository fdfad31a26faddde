#!/bin/sh
# test-cluster.sh: sweeps at scale, in TAP: the output levels (full, compact,
# lean) keep what docs/run-folder.md says and read back alike (a lean run
# resumes, a compact one replays, metrics.csv.gz holds metrics.csv), a lean
# sweep's summary equals the full sweep's, --slice I/N splits a sweep into
# disjoint tasks, and (when built with MPI) a rank killed midway loses no
# finished run: the sweep run again resumes only the unfinished.
#
# Environment (set by tests/Makefile.am): SOMAIF_RUN, SOMAIF_PLUGIN_PATH,
# SOMAIF_CONFIGS, G_TEST_SRCDIR.

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${G_TEST_SRCDIR:-$here}
run=${SOMAIF_RUN:-$here/../core/somaif-run}
sweep=${SOMAIF_SWEEP:-$(dirname "$run")/somaif-sweep}
configs=${SOMAIF_CONFIGS:-$srcdir/../configs}
export SOMAIF_RUN="$run"
unset SOMAIF_CONFIGS_DIR

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-cluster.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
printf 'leak:libfontconfig.so\n' >"$tmp/lsan.supp"
LSAN_OPTIONS="suppressions=$tmp/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

echo "1..17"
. "$srcdir/tap.sh"
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check () { what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else not_ok "$what"; fi; }
# A folder's files, sorted, one line.
files () { (cd "$1" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' '); }

sed 's/^\( *epochs *= *\)[0-9]*;/\1200;/' "$configs/quick.cfg" >"$tmp/small.cfg"

# ---- output levels -------------------------------------------------------------
for level in full compact lean; do
  "$run" --quiet --threads 1 --set "experiment.output=\"$level\"" --output "$tmp/$level" \
    "$tmp/small.cfg" >"$tmp/$level.out" 2>&1 || sed 's/^/# /' "$tmp/$level.out"
done
lean_files="config.cfg config.json curves.csv final.csv model/b_o.npy model/b_r.npy model/initial_states.npy model/prototypes.npy model/w_o.npy model/w_r.npy quality.csv run.json segments.json somaif.lock "
got=$(files "$tmp/lean")
check "lean keeps the results alone (got: $got)" test "$got" = "$lean_files"
check "compact: no snapshots nor checkpoint, metrics.csv.gz, the states and figures" sh -c "
  test ! -e '$tmp/compact/snapshots' && test ! -e '$tmp/compact/checkpoint.bin' &&
  test ! -e '$tmp/compact/metrics.csv' && test -s '$tmp/compact/model/perceiver.state' &&
  test -s '$tmp/compact/curves.png' && test -s '$tmp/compact/model/drawings.npy'"
check "full keeps everything: snapshots, checkpoint, metrics.csv" sh -c "
  test -d '$tmp/full/snapshots' && test -s '$tmp/full/checkpoint.bin' &&
  test -s '$tmp/full/metrics.csv' && test -s '$tmp/full/schedules.csv'"
check "metrics.csv.gz is gzip holding full's metrics.csv byte for byte" sh -c "
  gzip -dc '$tmp/compact/metrics.csv.gz' | cmp - '$tmp/full/metrics.csv'"
check "final.csv, quality.csv and curves.csv are the same at every level" sh -c "
  for f in final.csv quality.csv curves.csv model/prototypes.npy; do
    cmp '$tmp/full/'\$f '$tmp/lean/'\$f && cmp '$tmp/full/'\$f '$tmp/compact/'\$f || exit 1
  done"
cp "$tmp/compact/final.csv" "$tmp/compact-final.csv"
rm "$tmp/compact/final.csv" "$tmp/compact/curves.csv"
"$run" --quiet --replay "$tmp/compact" >"$tmp/replay.out" 2>&1
status=$?
check "--replay of a compact run reads metrics.csv.gz: the same final.csv, curves.csv redrawn (exit $status)" \
  sh -c "test $status -eq 0 && cmp '$tmp/compact-final.csv' '$tmp/compact/final.csv' &&
         test \$(wc -l <'$tmp/full/curves.csv') -eq \$(wc -l <'$tmp/compact/curves.csv')"
"$run" --quiet --replay "$tmp/lean" >"$tmp/replay-lean.out" 2>&1
status=$?
check "--replay of a lean run is refused with the reason (exit $status)" sh -c "
  test $status -ne 0 && grep -q 'output level lean' '$tmp/replay-lean.out'"
"$run" --quiet --set 'experiment.output="tiny"' --output "$tmp/bad" "$tmp/small.cfg" \
  >"$tmp/bad.out" 2>&1
status=$?
check "an unknown level is refused, naming the key (exit $status)" sh -c "
  test $status -eq 2 && grep -q 'experiment.output' '$tmp/bad.out' && test ! -e '$tmp/bad/run.json'"

# A lean run keeps its checkpoint and metrics.csv until it ends: stopped, it resumes.
sed 's/^\( *epochs *= *\)[0-9]*;/\1600;/' "$configs/quick.cfg" >"$tmp/mid.cfg"
"$run" --quiet --threads 1 --set 'experiment.output="lean"' --set experiment.checkpoint_every=50 \
  --output "$tmp/lean-ref" "$tmp/mid.cfg" >/dev/null 2>&1
"$run" --quiet --threads 1 --set 'experiment.output="lean"' --set experiment.checkpoint_every=50 \
  --output "$tmp/lean-cut" "$tmp/mid.cfg" >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 1200 ] && [ "$( (wc -l <"$tmp/lean-cut/metrics.csv") 2>/dev/null || echo 0)" -lt 300 ]; do
  sleep 0.05; i=$((i + 1))
done
kill -TERM $pid
wait $pid
"$run" --quiet --resume "$tmp/lean-cut" >"$tmp/resume.out" 2>&1
status=$?
check "a lean run stopped midway resumes to the same results, then drops its checkpoint (exit $status)" sh -c "
  test $status -eq 0 && cmp '$tmp/lean-ref/final.csv' '$tmp/lean-cut/final.csv' &&
  cmp '$tmp/lean-ref/model/prototypes.npy' '$tmp/lean-cut/model/prototypes.npy' &&
  test ! -e '$tmp/lean-cut/checkpoint.bin' && test ! -e '$tmp/lean-cut/metrics.csv'"

# ---- a lean sweep summarises as a full one ----------------------------------------
cat >"$tmp/betas.cfg" <<'EOF'
base = "small.cfg";
vary = ( { key = "experiment.beta"; values = [4.0, 8.0]; } );
seeds = { from = 1; count = 2; };
EOF
sed 's/^seeds/output = "full";\nseeds/' "$tmp/betas.cfg" >"$tmp/betas-full.cfg"
"$sweep" --quiet --jobs 2 --output "$tmp/sw-lean" "$tmp/betas.cfg" >"$tmp/sw-lean.out" 2>&1
s1=$?
"$sweep" --quiet --jobs 2 --output "$tmp/sw-full" "$tmp/betas-full.cfg" >"$tmp/sw-full.out" 2>&1
s2=$?
# wall_seconds differs from sweep to sweep: compare the rest.
nowall () { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /wall/) w[i] = 1 }
  { o = ""; for (i = 1; i <= NF; i++) if (!w[i]) o = o $i ","; print o }' "$1"; }
nowall "$tmp/sw-lean/summary.csv" >"$tmp/lean.sum"
nowall "$tmp/sw-full/summary.csv" >"$tmp/full.sum"
lean_sizes=$(du -sb "$tmp"/sw-lean/*seed=* | awk '{ print $1 }' | sort -n | tail -1)
check "a sweep's runs are lean by default ($lean_sizes bytes at most), full when asked (exits $s1 $s2)" sh -c "
  test $s1 -eq 0 && test $s2 -eq 0 && test ! -e '$tmp/sw-lean/beta=4-seed=1/metrics.csv' &&
  test -s '$tmp/sw-full/beta=4-seed=1/metrics.csv' &&
  grep -q 'experiment.output=\"lean\"' '$tmp/sw-lean/logs/beta=4-seed=1.log'"
check "the lean sweep's summary.csv equals the full sweep's (but for the wall time)" \
  cmp "$tmp/lean.sum" "$tmp/full.sum"
# The full runs cut down to what lean keeps summarise byte for byte the same.
cp -r "$tmp/sw-full" "$tmp/sw-cut"
for d in "$tmp"/sw-cut/*seed=*; do
  (cd "$d" && rm -rf snapshots metrics.csv schedules.csv checkpoint.bin ./*.png model/*.state \
    model/drawings.npy model/trajectories.npy)
done
"$sweep" --quiet --summarise "$tmp/sw-full" >/dev/null 2>&1
"$sweep" --quiet --summarise "$tmp/sw-cut" >/dev/null 2>&1
check "--summarise of the full runs cut to lean: the same summary.csv and sweep.png" sh -c "
  cmp '$tmp/sw-full/summary.csv' '$tmp/sw-cut/summary.csv' &&
  cmp '$tmp/sw-full/sweep.png' '$tmp/sw-cut/sweep.png'"

# ---- --slice I/N ------------------------------------------------------------------
cat >"$tmp/six.cfg" <<'EOF'
base = "small.cfg";
vary = ( { key = "experiment.beta"; values = [4.0, 8.0]; } );
seeds = { from = 1; count = 3; };
EOF
"$sweep" --check --slice 1/2 --output "$tmp/sl" "$tmp/six.cfg" | grep seed= | awk '{ print $1 }' >"$tmp/s1"
"$sweep" --check --slice 2/2 --output "$tmp/sl" "$tmp/six.cfg" | grep seed= | awk '{ print $1 }' >"$tmp/s2"
"$sweep" --check --output "$tmp/sl" "$tmp/six.cfg" | grep seed= | awk '{ print $1 }' | sort >"$tmp/all"
sort "$tmp/s1" "$tmp/s2" >"$tmp/union"
check "--slice 1/2 and 2/2 list disjoint halves whose union is the sweep ($(wc -l <"$tmp/s1") + $(wc -l <"$tmp/s2"))" sh -c "
  test \$(wc -l <'$tmp/s1') -eq 3 && test \$(wc -l <'$tmp/s2') -eq 3 && cmp '$tmp/union' '$tmp/all'"
"$sweep" --quiet --jobs 1 --slice 2/2 --output "$tmp/sl" "$tmp/six.cfg" >"$tmp/sl2.out" 2>&1
s2=$?
ran=$(cd "$tmp/sl" && ls -d *seed=* 2>/dev/null | sort | tr '\n' ' ')
check "a slice runs its runs alone and writes no summary (exit $s2; ran $ran)" sh -c "
  test $s2 -eq 0 && test '$ran' = '$(sort "$tmp/s2" | tr '\n' ' ')' && test ! -e '$tmp/sl/summary.csv'"
"$sweep" --quiet --jobs 1 --slice 1/2 --output "$tmp/sl" "$tmp/six.cfg" >"$tmp/sl1.out" 2>&1
s1=$?
"$sweep" --quiet --summarise "$tmp/sl" >/dev/null 2>&1
starts=$(cat "$tmp"/sl/logs/*.log | grep -c '^== ')
check "both slices then --summarise: 6 runs, each started once (exit $s1, $starts starts)" sh -c "
  test $s1 -eq 0 && test $starts -eq 6 &&
  awk -F, 'NR > 1 { r += \$2 } END { exit r != 6 }' '$tmp/sl/summary.csv'"
bad=0
for spec in 0/2 3/2 2 a/b 1/0; do
  "$sweep" --check --slice "$spec" "$tmp/six.cfg" >/dev/null 2>&1
  [ $? -eq 2 ] || bad=$((bad + 1))
done
check "--slice refuses 0/2, 3/2, 2, a/b and 1/0 with exit 2 ($bad accepted)" test $bad -eq 0

# ---- a rank that dies ----------------------------------------------------------------
if "$sweep" --version | grep -q 'with MPI' && command -v mpirun >/dev/null 2>&1; then
  cat >"$tmp/nine.cfg" <<'EOF'
base = "mid.cfg";
vary = ( { key = "experiment.beta"; values = [2.0, 4.0, 8.0]; } );
seeds = { from = 1; count = 3; };
EOF
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    mpirun --allow-run-as-root --oversubscribe -np 3 \
    "$sweep" --output "$tmp/rk" "$tmp/nine.cfg" >"$tmp/rk.out" 2>&1 &
  # Once two runs are done, kill rank 1's somaif-sweep (its runs die with it).
  i=0
  while [ $i -lt 2400 ] && [ "$(ls "$tmp"/rk/*/run.json 2>/dev/null | wc -l)" -lt 2 ]; do
    sleep 0.05; i=$((i + 1))
  done
  victim=
  for p in /proc/[0-9]*; do
    if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' &&
       { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q "somaif-sweep.*$tmp/rk"; then
      victim=${p#/proc/}
    fi
  done
  [ -n "$victim" ] && kill -KILL "$victim"
  wait
  before=$(cd "$tmp/rk" && ls -d */run.json 2>/dev/null | sed 's|/run.json||' | sort)
  "$sweep" --jobs 2 --output "$tmp/rk" "$tmp/nine.cfg" >"$tmp/rk2.out" 2>&1
  status=$?
  after=$(ls "$tmp"/rk/*/run.json 2>/dev/null | wc -l)
  rerun=0
  for d in $before; do
    [ "$(grep -c '^== ' "$tmp/rk/logs/$d.log")" -eq 1 ] || rerun=$((rerun + 1))
  done
  nb=$(echo $before | wc -w)
  check "rank 1 killed midway ($victim) with $nb runs done: the sweep run again finishes all 9 ($after, exit $status), starting none of the $nb again ($rerun did)" \
    sh -c "test -n '$victim' && test $nb -ge 2 && test $status -eq 0 && test $after -eq 9 &&
           test $rerun -eq 0 && grep -q '$nb done' '$tmp/rk2.out'"
else
  skip "a rank killed midway loses no finished run" "somaif-sweep built without MPI"
fi
exit $failed
