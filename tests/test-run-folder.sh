#!/bin/sh
# test-run-folder.sh: somaif-run and its run folder, in TAP: one writer at a
# time (the lock held from here with flock(1), so nothing races), unique
# default folders, no writing through symbolic links, and --force replacing a
# run and nothing else.
#
# Environment (set by tests/Makefile.am): SOMAIF_RUN, SOMAIF_PLUGIN_PATH,
# G_TEST_BUILDDIR (this folder in the build tree).

here=$(cd "$(dirname "$0")" && pwd)
builddir=${G_TEST_BUILDDIR:-$here}
run=${SOMAIF_RUN:-$builddir/../core/somaif-run}
real_path=${SOMAIF_PLUGIN_PATH:-}
SOMAIF_PLUGIN_PATH=$builddir/.libs${real_path:+:$real_path}
export SOMAIF_PLUGIN_PATH
unset SOMAIF_CONFIGS_DIR

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-run-folder.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
printf 'leak:libfontconfig.so\n' >"$tmp/lsan.supp"
LSAN_OPTIONS="suppressions=$tmp/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

if [ ! -x "$run" ]; then
  echo "Bail out! no somaif-run at $run"
  exit 99
fi
if ! command -v flock >/dev/null 2>&1; then
  echo "1..0 # SKIP flock(1) not found (util-linux)"
  exit 0
fi

echo "1..21"
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; }
srun () {
  "$run" "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
}
show () { sed 's/^/# /' "$tmp/out" "$tmp/err" | head -20; }
# check DESCRIPTION 'SHELL CONDITION': ok when the condition holds.
check () {
  if eval "$2"; then ok "$1"; else not_ok "$1 (exit $status)"; show; fi
}
holds () { grep -F -q -e "$2" "$1"; }
# A run under a held lock: flock(1) locks DIR/somaif.lock and runs somaif-run.
locked_run () {
  dir=$1
  shift
  flock "$dir/somaif.lock" "$run" "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
}

cat >"$tmp/tiny.cfg" <<'EOF'
experiment = { epochs = 12; seed = 3; steps = 8; snapshots = 3; };
generator = { plugin = "good-gen"; units = 4; };
plant = { plugin = "good-plant"; };
renderer = { plugin = "good-renderer"; width = 8; height = 6; };
perceiver = { plugin = "good-perceiver"; units = 4; };
optimiser = { plugin = "good-optimiser"; candidates = 2; };
EOF

# ---- the lock --------------------------------------------------------------------
srun -q -o "$tmp/a" "$tmp/tiny.cfg"
check "a run records its host and pid in somaif.lock" '[ "$status" -eq 0 ] && grep -q "^host $(hostname) pid [0-9][0-9]*\$" "$tmp/a/somaif.lock"'

cp -R "$tmp/a" "$tmp/a.before"
printf 'host elsewhere pid 4242\n' >"$tmp/a/somaif.lock"
cp "$tmp/a/somaif.lock" "$tmp/a.before/somaif.lock"
locked_run "$tmp/a" -q --force -o "$tmp/a" "$tmp/tiny.cfg"
if [ "$status" -eq 2 ] && holds "$tmp/err" "elsewhere" && holds "$tmp/err" "4242"; then
  ok "--force into a folder another run holds exits 2, naming the holder"
else
  not_ok "--force into a folder another run holds exits 2, naming the holder (exit $status)"; show
fi
check "... and leaves the folder as it was" 'diff -r "$tmp/a" "$tmp/a.before"'

locked_run "$tmp/a" -q -o "$tmp/a" "$tmp/tiny.cfg"
check "a second writer with the same --output exits 2" '[ "$status" -eq 2 ]'

# A finished run keeps its last checkpoint: --resume goes on from it (to the end).
srun -q -o "$tmp/b" "$tmp/tiny.cfg"
cp "$tmp/b/run.json" "$tmp/b1.json"
locked_run "$tmp/b" -q --resume "$tmp/b"
check "--resume of a run still going (its lock held) exits 2" '[ "$status" -eq 2 ]'
srun -q --resume "$tmp/b"
check "... and goes on once the lock is free" '[ "$status" -eq 0 ] && [ -s "$tmp/b/run.json" ]'
first_start () { grep -m 1 '"started"' "$1"; }
walls () { sed -n 's/.*"wall_seconds" *: *\([0-9.e+-]*\).*/\1/p' "$1" | tr '\n' ' '; }
sum_ok=$(walls "$tmp/b/run.json" | awk '{ d = $1 - ($2 + $3); print (NF == 3 && d < 0.002 && d > -0.002) ? "yes" : "no" }')
check "a resumed run.json keeps the first start and sums the segments' wall time" '[ "$(first_start "$tmp/b/run.json")" = "$(first_start "$tmp/b1.json")" ] && [ "$(grep -c "\"started\"" "$tmp/b/run.json")" -eq 3 ] && [ "$sum_ok" = yes ]'

locked_run "$tmp/a" -q --replay "$tmp/a"
check "--replay of a folder another run holds exits 2" '[ "$status" -eq 2 ]'

# ---- --replay checks as --resume does, and says why in words ----------------------
replay_refused () {
  what=$1 text=$2 dir=$3
  cp "$dir/final.csv" "$tmp/final.before"
  srun -q --replay "$dir"
  if [ "$status" -eq 2 ] && holds "$tmp/err" "$text" && cmp -s "$dir/final.csv" "$tmp/final.before"; then
    ok "$what"
  else
    not_ok "$what (exit $status)"; show
  fi
}
cp -R "$tmp/b" "$tmp/r-cfg"
sed 's/seed = 3;/seed = 4;/' "$tmp/b/config.cfg" >"$tmp/r-cfg/config.cfg"
replay_refused "--replay of a folder whose config.cfg is not its checkpoint's exits 2" \
  "written for another config" "$tmp/r-cfg"
cp -R "$tmp/b" "$tmp/r-open"
rm "$tmp/r-open/run.json"
replay_refused "--replay of an unfinished run says so" "the run did not finish" "$tmp/r-open"
# The good optimiser built without save_state (tests/stateless/), found first.
path_before=$SOMAIF_PLUGIN_PATH
SOMAIF_PLUGIN_PATH=$builddir/stateless/.libs:$SOMAIF_PLUGIN_PATH
srun -q -o "$tmp/r-stateless" "$tmp/tiny.cfg"
replay_refused "--replay of a run whose optimiser saves no state says why" \
  "'good-optimiser' has no save_state" "$tmp/r-stateless"
SOMAIF_PLUGIN_PATH=$path_before

# ---- default folder names ----------------------------------------------------------
mkdir -p "$tmp/cwd/runs"
# Every name the next three minutes could give is taken (a few processes, not
# one a name, so that a loaded machine does not outrun the list): the run must
# add a suffix.
seq 0 180 | sed 's/^/now + /; s/$/ seconds/' | date -f - +tiny-%Y%m%d-%H%M%S |
  (cd "$tmp/cwd/runs" && xargs mkdir -p)
(cd "$tmp/cwd" && "$run" -q "$tmp/tiny.cfg") >"$tmp/out" 2>"$tmp/err"
status=$?
taken=$(find "$tmp/cwd/runs" -name metrics.csv | wc -l)
fresh=$(find "$tmp/cwd/runs" -path '*-2/metrics.csv' | wc -l)
check "a default folder already taken gets a new name, the taken one left alone" '[ "$status" -eq 0 ] && [ "$taken" -eq 1 ] && [ "$fresh" -eq 1 ]'

# ---- symbolic links ----------------------------------------------------------------
echo precious >"$tmp/target"
rm -f "$tmp/a/metrics.csv"
ln -s "$tmp/target" "$tmp/a/metrics.csv"
mkdir -p "$tmp/elsewhere"
echo precious >"$tmp/elsewhere/prototypes.npy"
rm -rf "$tmp/a/model"
ln -s "$tmp/elsewhere" "$tmp/a/model"
srun -q --force -o "$tmp/a" "$tmp/tiny.cfg"
check "--force over planted links writes a run" '[ "$status" -eq 0 ]'
check "... without writing through them" '[ "$(cat "$tmp/target")" = precious ] && [ "$(cat "$tmp/elsewhere/prototypes.npy")" = precious ]'
check "... and the run's files are its own" '[ ! -L "$tmp/a/metrics.csv" ] && [ ! -L "$tmp/a/model" ] && [ -s "$tmp/a/model/prototypes.npy" ]'

mkdir -p "$tmp/real"
ln -s "$tmp/real" "$tmp/linked"
srun -q -o "$tmp/linked/" "$tmp/tiny.cfg"
if [ "$status" -eq 2 ] && holds "$tmp/err" "symbolic link" && [ -z "$(ls "$tmp/real")" ]; then
  ok "an output folder that is a link is refused (exit 2) and nothing written"
else
  not_ok "an output folder that is a link is refused (exit $status)"; show
fi

# ---- --force replaces a run and nothing else ------------------------------------------
srun -q --force --set experiment.snapshots=0 -o "$tmp/a" "$tmp/tiny.cfg"
check "--force removes the old run's snapshots" '[ "$status" -eq 0 ] && [ ! -e "$tmp/a/snapshots" ]'

mkdir -p "$tmp/home"
echo mine >"$tmp/home/notes.txt"
srun -q --force -o "$tmp/home" "$tmp/tiny.cfg"
if [ "$status" -eq 2 ] && holds "$tmp/err" "no run" && [ "$(ls "$tmp/home")" = notes.txt ]; then
  ok "--force into a folder that holds no run is refused (exit 2), the folder left alone"
else
  not_ok "--force into a folder that holds no run is refused (exit $status)"; show
fi

echo mine >"$tmp/a/notes.txt"
srun -q --force -o "$tmp/a" "$tmp/tiny.cfg"
check "--force keeps files that are not the run's" '[ "$status" -eq 0 ] && [ -s "$tmp/a/notes.txt" ]'

# ---- a run folder's own files are read bounded ------------------------------------------
# A pipe planted where a run keeps a saved state is refused at once (a plain
# read would block on it forever); timeout(1) only bounds the test.
srun -q -o "$tmp/fifo" "$tmp/tiny.cfg"
state=$(ls "$tmp/fifo/model/"*.state | head -n 1)
rm -f "$state" && mkfifo "$state"
status=0
timeout 60 "$run" -q --replay "$tmp/fifo" >"$tmp/out" 2>"$tmp/err" || status=$?
check "--replay with a pipe as a saved state: exit 2, not a regular file" \
  '[ "$status" -eq 2 ] && holds "$tmp/err" "not a regular file"'

# ---- snapshots fall at every tenth (here third) of the run, the last one the final map ----
srun -q -o "$tmp/snaps" "$tmp/tiny.cfg"
check "snapshots after epochs 4, 8 and 12 of 12, the last equal to model/prototypes.npy" \
  '[ "$status" -eq 0 ] && [ "$(ls "$tmp/snaps/snapshots" | grep "npy\$" | tr "\n" " ")" = "prototypes-000004.npy prototypes-000008.npy prototypes-000012.npy " ] && cmp -s "$tmp/snaps/snapshots/prototypes-000012.npy" "$tmp/snaps/model/prototypes.npy"'

if [ $n -ne 21 ]; then
  echo "not ok - the plan said 21 tests but $n ran"
  exit 1
fi
