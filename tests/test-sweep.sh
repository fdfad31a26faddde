#!/bin/sh
# test-sweep.sh: somaif-sweep end to end, in TAP: a sweep of 2 betas x 2 seeds
# on a short quick.cfg (run folders, summary.csv, sweep.png), re-running skips
# what is done, an invalid combination is refused before any run, Ctrl-C
# checkpoints the runs and the next sweep resumes them byte for byte, a hangup
# too, a sweep killed by SIGKILL leaves no run behind, a sweep folder held
# by another process (flock) is refused, a link planted in the folder is not
# written through, the man page agrees
# with --help, built without MPI it refuses to run under an MPI launcher,
# and (when built with MPI) the same sweep under mpirun -np 2 with 8 runs.
#
# Environment (set by tests/Makefile.am): SOMAIF_RUN (the built somaif-run;
# somaif-sweep is beside it unless SOMAIF_SWEEP says), SOMAIF_PLUGIN_PATH,
# SOMAIF_CONFIGS (configs/), G_TEST_SRCDIR (this folder in the source tree).

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${G_TEST_SRCDIR:-$here}
run=${SOMAIF_RUN:-$here/../core/somaif-run}
sweep=${SOMAIF_SWEEP:-$(dirname "$run")/somaif-sweep}
configs=${SOMAIF_CONFIGS:-$srcdir/../configs}
manpage=$srcdir/../core/somaif-sweep.1
export SOMAIF_RUN="$run"
unset SOMAIF_CONFIGS_DIR

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-sweep.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# Under LeakSanitizer: fontconfig (cairo's) keeps its configuration for the
# process' life by design; that is not a leak of ours.
printf 'leak:libfontconfig.so\n' >"$tmp/lsan.supp"
LSAN_OPTIONS="suppressions=$tmp/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

echo "1..35"
. "$srcdir/tap.sh"
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# A missing plugin, config or MPI: a skip here, a failure in CI (CI=true).
skip_or_fail () { if [ "${CI:-}" = true ]; then not_ok "$1 (CI=true: $2)"; else skip "$1" "$2"; fi; }
check () { what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else not_ok "$what"; fi; }
# The lines of a file, less its header.
rows () { echo $(($(wc -l <"$1") - 1)); }
# The value of column $2 (by header name) in row $3 (1: the first after the header).
field () {
  awk -F, -v col="$2" -v row="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i }
    NR == row + 1 { print $c }' "$1"
}

# A short base config: quick.cfg with 200 epochs.
sed 's/^\( *epochs *= *\)[0-9]*;/\1200;/' "$configs/quick.cfg" >"$tmp/small.cfg"
cat >"$tmp/betas.cfg" <<'EOF'
base = "small.cfg";
vary = ( { key = "experiment.beta"; values = [4.0, 8.0]; } );
seeds = { from = 1; count = 2; };
output = "full";
EOF

# ---- a sweep on one machine ----------------------------------------------------
"$sweep" --jobs 2 --output "$tmp/out" "$tmp/betas.cfg" >"$tmp/first.out" 2>&1
status=$?
if [ $status -eq 0 ]; then ok "2 betas x 2 seeds with --jobs 2 exits 0"
else not_ok "2 betas x 2 seeds with --jobs 2 exits 0 (exit $status)"; sed 's/^/# /' "$tmp/first.out"; fi

complete=0
for d in beta=4-seed=1 beta=4-seed=2 beta=8-seed=1 beta=8-seed=2; do
  [ -s "$tmp/out/$d/final.csv" ] && [ -s "$tmp/out/$d/run.json" ] && complete=$((complete + 1))
done
folders=$(find "$tmp/out" -mindepth 1 -maxdepth 1 -type d -name '*seed=*' | wc -l)
check "4 finished run folders named by their values ($complete of 4, $folders folders)" \
  test "$complete" -eq 4 -a "$folders" -eq 4
check "each run used its combination's beta and seed" sh -c "
  grep -q '^  beta = 4.0;' '$tmp/out/beta=4-seed=2/config.cfg' &&
  grep -q '^  seed = 2;' '$tmp/out/beta=4-seed=2/config.cfg' &&
  grep -q '^  beta = 8.0;' '$tmp/out/beta=8-seed=1/config.cfg' &&
  grep -q '^  seed = 1;' '$tmp/out/beta=8-seed=1/config.cfg' &&
  grep -q '^  epochs = 200;' '$tmp/out/beta=8-seed=1/config.cfg'"
"$run" --quiet --threads 1 --seed 2 --set experiment.beta=8.0 --output "$tmp/ref" \
  "$tmp/small.cfg" >/dev/null 2>&1
check "a sweep's run is byte-identical to the same somaif-run" sh -c "
  cmp '$tmp/ref/metrics.csv' '$tmp/out/beta=8-seed=2/metrics.csv' &&
  cmp '$tmp/ref/final.csv' '$tmp/out/beta=8-seed=2/final.csv'"

s=$tmp/out/summary.csv
check "summary.csv: a header and 2 rows" test "$(rows "$s")" -eq 2
check "summary.csv's columns" test "$(head -n 1 "$s")" = \
  "experiment.beta,runs,accuracy_mean,accuracy_ci95,complexity_mean,complexity_ci95,wall_seconds_mean,wall_seconds_ci95,distance_mean,distance_ci95,recognised_mean,recognised_ci95"
check "summary.csv: beta 4 then 8, 2 runs each" test \
  "$(field "$s" experiment.beta 1) $(field "$s" runs 1) $(field "$s" experiment.beta 2) $(field "$s" runs 2)" = "4 2 8 2"
# The mean accuracy of beta = 4 from the runs' own final.csv.
want=$(cat "$tmp/out/beta=4-seed=1/final.csv" "$tmp/out/beta=4-seed=2/final.csv" |
       awk -F, '$1 != "goal" { s += $4; k++ } END { printf "%.6f", s / k }')
got=$(field "$s" accuracy_mean 1)
check "summary.csv's mean accuracy is the runs' ($got, want $want)" \
  awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; exit !(d < 1e-5 && d > -1e-5) }'
check "the 95% half-widths are finite and >= 0" awk -F, 'NR > 1 {
  for (i = 4; i <= 12; i += 2) if ($i !~ /^[0-9.e+-]+$/ || $i < 0) bad = 1 } END { exit bad }' "$s"
check "sweep.png is a PNG" sh -c "head -c 8 '$tmp/out/sweep.png' | od -An -c | grep -q 'P   N   G'"

# ---- going on -------------------------------------------------------------------
ls -l --time-style=+%s.%N "$tmp"/out/*/run.json >"$tmp/before"
"$sweep" --jobs 2 --output "$tmp/out" "$tmp/betas.cfg" >"$tmp/again.out" 2>&1
status=$?
ls -l --time-style=+%s.%N "$tmp"/out/*/run.json >"$tmp/after"
check "running it again skips all 4 runs (exit $status)" sh -c "
  test $status -eq 0 && grep -q '4 skipped as done' '$tmp/again.out' && cmp '$tmp/before' '$tmp/after' &&
  test \$(grep -c '^== ' '$tmp/out/logs/beta=4-seed=1.log') -eq 1"
cp "$s" "$tmp/summary.before"
rm -f "$s" "$tmp/out/sweep.png"
"$sweep" --quiet --summarise "$tmp/out" >/dev/null 2>&1
check "--summarise writes the same summary.csv and sweep.png again" sh -c "
  cmp '$s' '$tmp/summary.before' && test -s '$tmp/out/sweep.png'"
# A run folder of another config (here another seed) is not summarised as this one.
cp "$tmp/out/beta=4-seed=2/config.cfg" "$tmp/config.keep"
cp "$tmp/out/beta=4-seed=1/config.cfg" "$tmp/out/beta=4-seed=2/config.cfg"
"$sweep" --quiet --summarise "$tmp/out" >"$tmp/foreign.out" 2>&1
status=$?
cp "$tmp/config.keep" "$tmp/out/beta=4-seed=2/config.cfg"
check "--summarise refuses a run folder of another config, saying so (exit $status)" sh -c "
  test $status -ne 0 && grep -q \"not this sweep's run beta=4-seed=2\" '$tmp/foreign.out'"
# Another base with the same vary into the same folder: no run is the old one.
sed 's/^\( *epochs *= *\)[0-9]*;/\1150;/' "$configs/quick.cfg" >"$tmp/small2.cfg"
sed 's/small.cfg/small2.cfg/' "$tmp/betas.cfg" >"$tmp/betas2.cfg"
"$sweep" --jobs 2 --output "$tmp/out" "$tmp/betas2.cfg" >"$tmp/other.out" 2>&1
status=$?
check "another base with the same vary runs all 4 again (exit $status)" sh -c "
  test $status -eq 0 && grep -q '(0 skipped as done' '$tmp/other.out' &&
  grep -q '^  epochs = 150;' '$tmp/out/beta=8-seed=2/config.cfg'"

# ---- refusals ---------------------------------------------------------------------
cat >"$tmp/bad.cfg" <<'EOF'
base = "small.cfg";
vary = ( { key = "perceiver.units"; values = [10, -1]; } );
seeds = { from = 1; count = 2; };
EOF
"$sweep" --output "$tmp/bad" "$tmp/bad.cfg" >"$tmp/bad.out" 2>&1
status=$?
check "an invalid combination exits 2 (exit $status)" test $status -eq 2
check "... naming the combination and the config's message, before any run" sh -c "
  grep -q 'units=-1' '$tmp/bad.out' && grep -q 'perceiver.units' '$tmp/bad.out' &&
  grep -q 'outside its range' '$tmp/bad.out' && ! grep -q 'units=10 ' '$tmp/bad.out' &&
  test ! -e '$tmp/bad'"
printf 'base = "small.cfg";\nseed = 3;\n' >"$tmp/typo.cfg"
"$sweep" --output "$tmp/typo" "$tmp/typo.cfg" >"$tmp/typo.out" 2>&1
status=$?
check "a sweep file with an unknown key exits 2 with a suggestion" sh -c "
  test $status -eq 2 && grep -q \"did you mean 'seeds'\" '$tmp/typo.out'"

# A run that fails: reported with its log's last line; the sweep exits 1.
printf '#!/bin/sh\necho "somaif-run: something broke" >&2\nexit 3\n' >"$tmp/broken-run"
chmod +x "$tmp/broken-run"
SOMAIF_RUN="$tmp/broken-run" "$sweep" --jobs 2 --output "$tmp/broken" "$tmp/betas.cfg" \
  >"$tmp/broken.out" 2>&1
status=$?
check "failed runs are reported with their message, and the sweep exits 1 (exit $status)" sh -c "
  test $status -eq 1 && test \$(grep -c 'failed (exit 3): somaif-run: something broke' '$tmp/broken.out') -eq 4 &&
  grep -q '^4,0,nan' '$tmp/broken/summary.csv'"

# ---- one sweep a folder, no writing through links ----------------------------------
if command -v flock >/dev/null 2>&1; then
  mkdir -p "$tmp/held"
  flock "$tmp/held/somaif.lock" sh -c "printf 'host elsewhere pid 4242\n' >'$tmp/held/somaif.lock'
    '$sweep' --output '$tmp/held' '$tmp/betas.cfg' >'$tmp/held.out' 2>&1; echo \$? >'$tmp/held.status'"
  status=$(cat "$tmp/held.status")
  check "a sweep folder locked by another process is refused: exit 2 ($status), naming the holder, runs nothing" \
    sh -c "test '$status' = 2 && grep -q 'host elsewhere pid 4242' '$tmp/held.out' &&
           test ! -e '$tmp/held/sweep.cfg' && test -z \"\$(find '$tmp/held' -name '*seed=*')\""
else
  skip "a sweep folder locked by another process is refused" "no flock(1)"
fi
# Links planted as the sweep's files: the targets stay as they were.
mkdir -p "$tmp/planted/logs"
for f in victim-log victim-summary victim-cfg victim-png; do echo untouched >"$tmp/$f"; done
ln -s "$tmp/victim-log" "$tmp/planted/logs/beta=4-seed=1.log"
ln -s "$tmp/victim-summary" "$tmp/planted/summary.csv"
ln -s "$tmp/victim-cfg" "$tmp/planted/sweep.cfg"
ln -s "$tmp/victim-png" "$tmp/planted/sweep.png"
SOMAIF_RUN="$tmp/broken-run" "$sweep" --jobs 2 --output "$tmp/planted" "$tmp/betas.cfg" \
  >"$tmp/planted.out" 2>&1
status=$?
check "a link planted as a run's log is not written through; that run fails, saying so (exit $status)" sh -c "
  test $status -eq 1 && test \"\$(cat '$tmp/victim-log')\" = untouched &&
  grep -q 'beta=4-seed=1.log.*symbolic link' '$tmp/planted.out'"
check "links planted as summary.csv and sweep.cfg are replaced, as sweep.png refused, none written through" sh -c "
  test \"\$(cat '$tmp/victim-summary' '$tmp/victim-cfg' '$tmp/victim-png')\" = \"untouched
untouched
untouched\" && test ! -L '$tmp/planted/summary.csv' && grep -q '^4,' '$tmp/planted/summary.csv' &&
  test ! -L '$tmp/planted/sweep.cfg' && grep -q 'sweep.png: a symbolic link' '$tmp/planted.out' &&
  ! grep -q 'untouched' '$tmp/planted.out'"

# ---- Ctrl-C, then going on ------------------------------------------------------
cat >"$tmp/long.cfg" <<EOF
base = "$configs/quick.cfg";
seeds = { from = 3; count = 2; };
output = "full";
EOF
"$sweep" --jobs 2 --output "$tmp/long" "$tmp/long.cfg" >"$tmp/long.out" 2>&1 &
pid=$!
# Once both runs are training, interrupt the sweep (not its runs).
i=0
while [ $i -lt 600 ]; do
  a=$(cat "$tmp/long/base-seed=3/metrics.csv" 2>/dev/null | wc -l)
  b=$(cat "$tmp/long/base-seed=4/metrics.csv" 2>/dev/null | wc -l)
  [ "$a" -gt 50 ] && [ "$b" -gt 50 ] && break
  sleep 0.05
  i=$((i + 1))
done
# While it runs, the sweep holds its folder's lock.
if command -v flock >/dev/null 2>&1; then
  check "a running sweep holds its folder's lock (flock -n fails)" sh -c "
    ! flock -n '$tmp/long/somaif.lock' true && grep -q 'pid $pid' '$tmp/long/somaif.lock'"
else
  skip "a running sweep holds its folder's lock" "no flock(1)"
fi
kill -INT $pid
wait $pid
status=$?
check "SIGINT stops the sweep with exit 130 (exit $status)" test $status -eq 130
interrupted=0
for d in base-seed=3 base-seed=4; do
  [ -f "$tmp/long/$d/checkpoint.bin" ] && [ ! -f "$tmp/long/$d/run.json" ] &&
    grep -q 'interrupted after epoch' "$tmp/long/logs/$d.log" && interrupted=$((interrupted + 1))
done
check "... and each run wrote a checkpoint ($interrupted of 2)" test $interrupted -eq 2
"$sweep" --quiet --jobs 2 --output "$tmp/long" "$tmp/long.cfg" >"$tmp/long2.out" 2>&1
status=$?
"$run" --quiet --seed 4 --output "$tmp/ref4" "$configs/quick.cfg" >/dev/null 2>&1
summary_rows=$(rows "$tmp/long/summary.csv" 2>/dev/null)
check "the sweep run again resumes them; the result is byte-identical (exit $status)" sh -c "
  test $status -eq 0 && grep -q -- '--resume' '$tmp/long/logs/base-seed=4.log' &&
  cmp '$tmp/ref4/metrics.csv' '$tmp/long/base-seed=4/metrics.csv' &&
  cmp '$tmp/ref4/final.csv' '$tmp/long/base-seed=4/final.csv' &&
  test '$summary_rows' = 1"

# ---- the man page -------------------------------------------------------------------
if [ -f "$manpage" ]; then
  "$sweep" --help | sed -n 's/^  *\(-[A-Za-z], \)\{0,1\}--\([a-z][a-z-]*\).*/\2/p' | sort -u \
    >"$tmp/help.opts"
  awk '/^\.SH /{ sect = $2 } sect == "OPTIONS" && prev == ".TP" { print } { prev = $0 }' \
    "$manpage" | grep -o '\\-\\-[a-z][a-z\\-]*' | sed 's/\\-/-/g; s/^--//' | sort -u \
    >"$tmp/man.opts"
  if [ -s "$tmp/help.opts" ] && cmp -s "$tmp/help.opts" "$tmp/man.opts"; then
    ok "the man page lists exactly the long options of --help ($(wc -l <"$tmp/help.opts"))"
  else
    not_ok "the man page lists exactly the long options of --help"
    diff "$tmp/help.opts" "$tmp/man.opts" | sed 's/^/# /'
  fi
else
  skip "the man page lists exactly the long options of --help" "no $manpage"
fi

# ---- a hangup, and a sweep killed outright --------------------------------------------
# The processes whose command line writes into folder $1 (its runs).
runs_in () {
  for f in /proc/[0-9]*/cmdline; do
    if tr '\0' ' ' <"$f" 2>/dev/null | grep -qF -- "--output $1/"; then
      p=${f#/proc/}; echo "${p%/cmdline}"
    fi
  done
}
# Starts the two long runs' sweep into $1 (more environment in $2) and waits
# until both train; the sweep's pid in $pid.
start_long () {
  env $2 "$sweep" --jobs 2 --output "$1" "$tmp/long.cfg" >"$1.out" 2>&1 &
  pid=$!
  i=0
  while [ $i -lt 600 ]; do
    a=$(cat "$1/base-seed=3/metrics.csv" 2>/dev/null | wc -l)
    b=$(cat "$1/base-seed=4/metrics.csv" 2>/dev/null | wc -l)
    [ "$a" -gt 20 ] && [ "$b" -gt 20 ] && break
    sleep 0.05
    i=$((i + 1))
  done
}
# Both runs stopped at a signal and wrote a checkpoint.
checkpointed () {
  for d in base-seed=3 base-seed=4; do
    [ -f "$1/$d/checkpoint.bin" ] && [ ! -f "$1/$d/run.json" ] &&
      grep -q 'interrupted after epoch' "$1/logs/$d.log" || return 1
  done
}

# A hangup reaches the runs as SIGTERM: they checkpoint, the sweep exits 129.
start_long "$tmp/hup" ""
kill -HUP $pid
wait $pid
status=$?
check "SIGHUP stops the sweep with exit 129 and its runs checkpoint (exit $status)" sh -c "
  test $status -eq 129 && grep -q 'stopped after' '$tmp/hup.out' &&
  $(checkpointed "$tmp/hup" && echo true || echo false)"

if [ -d /proc/self ]; then
  # SIGKILL leaves the sweep no time: the kernel (PR_SET_PDEATHSIG), or the
  # watcher process of systems without it, stops the runs with SIGTERM.
  for how in kernel watcher; do
    extra=""; [ $how = watcher ] && extra=SOMAIF_SWEEP_WATCHER=1
    start_long "$tmp/kill-$how" "$extra"
    before=$(runs_in "$tmp/kill-$how" | wc -l)
    kill -KILL $pid
    wait $pid 2>/dev/null
    i=0
    while [ $i -lt 600 ] && [ -n "$(runs_in "$tmp/kill-$how")" ]; do sleep 0.1; i=$((i + 1)); done
    left=$(runs_in "$tmp/kill-$how")
    check "SIGKILL to the sweep ($how): its $before runs stop, none is left ($left), each checkpointed" \
      sh -c "test $before -eq 2 && test -z '$left' && $(checkpointed "$tmp/kill-$how" && echo true || echo false)"
    [ -z "$left" ] || kill -KILL $left 2>/dev/null
  done
else
  skip "SIGKILL to the sweep (kernel): its runs stop" "no /proc to find them"
  skip "SIGKILL to the sweep (watcher): its runs stop" "no /proc to find them"
fi

# ---- built without MPI, started by an MPI launcher ------------------------------------
single=$(dirname "$run")/somaif-sweep-single
"$sweep" --version | grep -q 'without MPI' && single=$sweep
for var in OMPI_COMM_WORLD_SIZE PMI_SIZE; do
  env "$var=2" "$single" --output "$tmp/launched-$var" "$tmp/betas.cfg" >"$tmp/launched.out" 2>&1
  status=$?
  check "without MPI, $var=2 is refused: exit 2 ($status), says to configure with MPI, runs nothing" \
    sh -c "test $status -eq 2 && grep -q 'built without MPI' '$tmp/launched.out' &&
           grep -q 'Configure somaif with MPI' '$tmp/launched.out' && test ! -e '$tmp/launched-$var'"
done
OMPI_COMM_WORLD_SIZE=1 "$single" --check --output "$tmp/launched-1" "$tmp/betas.cfg" >"$tmp/launched.out" 2>&1
status=$?
check "without MPI, a launcher's single process goes on (exit $status)" test $status -eq 0

# ---- MPI ----------------------------------------------------------------------------
if "$sweep" --version | grep -q 'with MPI' && command -v mpirun >/dev/null 2>&1; then
  cat >"$tmp/mpi.cfg" <<'EOF'
base = "small.cfg";
vary = ( { key = "experiment.beta"; values = [4.0, 8.0]; } );
seeds = { from = 1; count = 4; };
EOF
  # Under LeakSanitizer, Open MPI's own allocations are suppressed by library
  # (.ci/run); its fast unwinder stops in components already unloaded.
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0" \
    mpirun --allow-run-as-root --oversubscribe -np 2 \
    "$sweep" --output "$tmp/mpi" "$tmp/mpi.cfg" >"$tmp/mpi.out" 2>&1
  status=$?
  done_runs=0
  for d in "$tmp"/mpi/*seed=*; do
    [ -s "$d/final.csv" ] && [ -s "$d/run.json" ] && done_runs=$((done_runs + 1))
  done
  if [ $status -eq 0 ] && [ $done_runs -eq 8 ]; then ok "mpirun -np 2: 8 runs finished"
  else not_ok "mpirun -np 2: 8 runs finished ($done_runs, exit $status)"; sed 's/^/# /' "$tmp/mpi.out"; fi
  s=$tmp/mpi/summary.csv
  check "mpirun -np 2: summary.csv has beta 4 and 8 with 4 runs each" test \
    "$(rows "$s") $(field "$s" experiment.beta 1) $(field "$s" runs 1) $(field "$s" experiment.beta 2) $(field "$s" runs 2)" = "2 4 4 8 4"
  r0=$(cat "$tmp"/mpi/logs/*.log | grep -c '^== .* rank 0:')
  r1=$(cat "$tmp"/mpi/logs/*.log | grep -c '^== .* rank 1:')
  check "both ranks ran runs (rank 0: $r0, rank 1: $r1)" test "$r0" -ge 1 -a "$r1" -ge 1 -a $((r0 + r1)) -eq 8
else
  skip_or_fail "mpirun -np 2: 8 runs finished" "somaif-sweep built without MPI (configure found no Open MPI)"
  skip_or_fail "mpirun -np 2: summary.csv has beta 4 and 8 with 4 runs each" "no MPI"
  skip_or_fail "both ranks ran runs" "no MPI"
fi
exit $failed
