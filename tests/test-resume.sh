#!/bin/sh
# test-resume.sh: resuming a run whose schedules change only at phase
# boundaries.  quick.cfg's tanh schedule changes every epoch, so a resumed run
# that forgot the values in force would set them again at once; here a stale
# value would hold until the next boundary, and schedules.csv has a row only
# where a value changes.  Interrupted mid-phase, then resumed: every output is
# byte-identical to the uninterrupted run's.
set -u
run=${SOMAIF_RUN:?}
here=$(cd "$(dirname "$0")" && pwd)
builddir=${G_TEST_BUILDDIR:-$here}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/somaif-resume.XXXXXX")
bg_pid=
trap '[ -n "$bg_pid" ] && kill $bg_pid 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
. "${G_TEST_SRCDIR:-$(dirname "$0")}/tap.sh"
skip_or_fail () {
  n=$((n + 1))
  if [ "${CI:-}" = true ]; then failed=1; echo "not ok $n - $1 (CI=true: $2)"
  else echo "ok $n - $1 # SKIP $2"; fi
}

cat >"$tmp/phases.cfg" <<'EOF'
experiment = { epochs = 2000; seed = 4; steps = 100; beta = 8.0; snapshots = 4;
               checkpoint_every = 30; };
generator = { plugin = "esn"; units = 100; };
plant = { plugin = "arm2"; };
renderer = { plugin = "canvas"; width = 64; height = 64; };
perceiver = { plugin = "ringsom"; units = 10;
  spread = { phases = ( { until_epoch = 1; value = 100.0; },
                        { until_fraction = 0.4; value = 3.0; },
                        { until_fraction = 0.6; value = 1.5; },
                        { value = 0.7; } ); };
  rate = { phases = ( { until_epoch = 1; value = 1.0; },
                      { until_fraction = 0.7; value = 0.02; },
                      { value = 0.0; } ); }; };
optimiser = { plugin = "randsearch"; directions = 5;
  sigma = { phases = ( { until_fraction = 0.5; value = 1.0; },
                       { until_fraction = 0.85; value = 0.3; },
                       { value = 0.05; } ); };
  step = { phases = ( { until_fraction = 0.7; value = 1e-5; }, { value = 1e-3; } ); }; };
EOF
# The same with the test optimiser, whose saved state leaves out its scheduled
# sigma (a plugin may keep such values anywhere): a resumed run must set the
# value in force itself, or sigma would stay at its phase-1 value until the
# end.  sigma is 1.0 for 100 epochs, then 0.05.
sed -e '/^optimiser = /,$d' "$tmp/phases.cfg" >"$tmp/foreign.cfg"
cat >>"$tmp/foreign.cfg" <<'EOF'
optimiser = { plugin = "good-optimiser"; candidates = 4;
  sigma = { phases = ( { until_epoch = 100; value = 1.0; }, { value = 0.05; } ); }; };
EOF
# Epochs where a value changes: 0, 1, 800 (0.4), 1000 (0.5), 1200 (0.6), 1400 (0.7), 1700 (0.85).
# With more threads the loop begins an epoch during the one before, but not
# before a checkpoint: every 30 epochs, so that 1000 (the optimiser's sigma
# alone) is begun early, and a checkpoint falls after epochs so begun.
changes="0 1 800 1000 1200 1400 1700"

u32 () {
  od -An -t u1 -j "$2" -N 4 "$1" 2>/dev/null |
    awk 'NF == 4 { print $1 + 256 * $2 + 65536 * $3 + 16777216 * $4; exit } END { if (NF != 4) print -1 }'
}
# The checkpoint's next epoch (checkpoint.bin: magic, version, hash, then i64 next_epoch).
next_epoch () { u32 "$1/checkpoint.bin" 28; }

. "$here/same-runs.sh"

echo "1..12"
if ! "$run" --check -q "$tmp/phases.cfg" >"$tmp/err" 2>&1; then
  skip_or_fail "an uninterrupted run" "the real plugins are not all built: $(head -n 1 "$tmp/err")"
  for w in "schedules.csv" "SIGINT at 300" "resume 300" "SIGTERM at 1450" "resume 1450" "twice" \
           "SIGKILL at 600" "resume 600" \
           "foreign: uninterrupted" "foreign: SIGINT at 300" "foreign: resume 300"; do
    skip_or_fail "$w" "no plugins"
  done
  exit $failed
fi

if "$run" -q -j 2 -o "$tmp/ref" "$tmp/phases.cfg" >/dev/null 2>"$tmp/err"; then
  ok "an uninterrupted run"
else
  not_ok "an uninterrupted run ($(cat "$tmp/err"))"
fi
rows=$(awk -F, 'NR > 1 { printf "%s%s", sep, $1; sep = " " }' "$tmp/ref/schedules.csv")
if [ "$rows" = "$changes" ]; then
  ok "schedules.csv has a row exactly where a value changes ($rows)"
else
  not_ok "schedules.csv has a row exactly where a value changes: epochs '$rows', wanted '$changes'"
fi

# interrupt SIGNAL EPOCH NAME [CONFIG REF]: a run of CONFIG (phases) into NAME
# stopped by SIGNAL once its checkpoint reached EPOCH, then resumed; the
# outputs against the reference REF (ref).
interrupt () {
  ("$run" -q -j 2 -o "$tmp/$3" "$tmp/${4:-phases}.cfg" >/dev/null 2>"$tmp/$3.err") &
  bg_pid=$!
  polls=0
  while kill -0 $bg_pid 2>/dev/null && [ $polls -lt 30000 ]; do
    [ -f "$tmp/$3/checkpoint.bin" ] && [ "$(next_epoch "$tmp/$3")" -ge "$2" ] && break
    sleep 0.01
    polls=$((polls + 1))
  done
  kill "-$1" $bg_pid 2>/dev/null
  wait $bg_pid
  status=$?
  bg_pid=
  at=$(next_epoch "$tmp/$3")
  if [ $status -ne 0 ] && [ "$at" -ge "$2" ] && [ "$at" -lt 2000 ]; then
    ok "SIG$1 once the checkpoint reached epoch $2: stopped at epoch $at (exit $status)"
  else
    not_ok "SIG$1 once the checkpoint reached epoch $2: exit $status, checkpoint at $at (the run may have ended first)"
  fi
  if "$run" -q -j 1 --resume "$tmp/$3" >/dev/null 2>>"$tmp/$3.err" && same "$tmp/${5:-ref}" "$tmp/$3"; then
    ok "resumed from epoch $at (mid-phase): every output byte-identical to the uninterrupted run"
  else
    not_ok "resumed from epoch $at (mid-phase): every output byte-identical to the uninterrupted run ($(tail -n 1 "$tmp/$3.err"))"
  fi
}
# In the second phase of spread and sigma, and in the last phase of rate and step.
interrupt INT 300 early
interrupt TERM 1450 late
# Killed: no checkpoint of its own; the resumed run goes on from the last
# periodic one, written after an epoch during which the next had begun.
interrupt KILL 600 killed
# Stopped twice: each resume starts from a restored value, never from a default.
rm -rf "$tmp/twice"
("$run" -q -j 2 -o "$tmp/twice" "$tmp/phases.cfg" >/dev/null 2>&1) &
bg_pid=$!
while kill -0 $bg_pid 2>/dev/null; do
  [ -f "$tmp/twice/checkpoint.bin" ] && [ "$(next_epoch "$tmp/twice")" -ge 650 ] && break
  sleep 0.01
done
kill -INT $bg_pid 2>/dev/null; wait $bg_pid; bg_pid=
("$run" -q -j 2 --resume "$tmp/twice" >/dev/null 2>&1) &
bg_pid=$!
while kill -0 $bg_pid 2>/dev/null; do
  [ "$(next_epoch "$tmp/twice")" -ge 1100 ] && break
  sleep 0.01
done
kill -INT $bg_pid 2>/dev/null; wait $bg_pid; bg_pid=
first=$(next_epoch "$tmp/twice")
if "$run" -q -j 2 --resume "$tmp/twice" >/dev/null 2>&1 && same "$tmp/ref" "$tmp/twice"; then
  ok "stopped twice (the second time at epoch $first) and resumed: byte-identical"
else
  not_ok "stopped twice (the second time at epoch $first) and resumed: byte-identical"
fi

SOMAIF_PLUGIN_PATH=$builddir/.libs${SOMAIF_PLUGIN_PATH:+:$SOMAIF_PLUGIN_PATH}
export SOMAIF_PLUGIN_PATH
if "$run" -q -j 2 -o "$tmp/fref" "$tmp/foreign.cfg" >/dev/null 2>"$tmp/err"; then
  ok "foreign: an uninterrupted run with an optimiser that does not save its sigma"
else
  not_ok "foreign: an uninterrupted run with an optimiser that does not save its sigma ($(tail -n 1 "$tmp/err"))"
fi
interrupt INT 300 foreign foreign fref
exit $failed
