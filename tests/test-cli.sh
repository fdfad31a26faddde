#!/bin/sh
# test-cli.sh: somaif-run end to end, in TAP: options, exit statuses, messages,
# a tiny run with the test plugins (tests/plugins/) and its outputs, runs that
# repeat byte for byte, and the man page agreeing with --help.
#
# Environment (set by tests/Makefile.am): SOMAIF_RUN (the built somaif-run),
# SOMAIF_PLUGIN_PATH (the real plugins' folders), SOMAIF_CONFIGS (configs/),
# G_TEST_SRCDIR and G_TEST_BUILDDIR (this folder in the source and build trees).

here=$(cd "$(dirname "$0")" && pwd)
builddir=${G_TEST_BUILDDIR:-$here}
srcdir=${G_TEST_SRCDIR:-$here}
run=${SOMAIF_RUN:-$builddir/../core/somaif-run}
configs=${SOMAIF_CONFIGS:-$srcdir/../configs}
manpage=$srcdir/../core/somaif-run.1
real_path=${SOMAIF_PLUGIN_PATH:-}
# The test plugins first; the real ones after them.
SOMAIF_PLUGIN_PATH=$builddir/.libs${real_path:+:$real_path}
export SOMAIF_PLUGIN_PATH
unset SOMAIF_CONFIGS_DIR

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-cli.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# Under LeakSanitizer: fontconfig (cairo's dependency) keeps its configuration
# for the process' life by design; that is not a leak of ours.
printf 'leak:libfontconfig.so\n' >"$tmp/lsan.supp"
LSAN_OPTIONS="suppressions=$tmp/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

echo "1..53"
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# A missing plugin, config or MPI: a skip here, a failure in CI (CI=true).
skip_or_fail () { if [ "${CI:-}" = true ]; then not_ok "$1 (CI=true: $2)"; else skip "$1" "$2"; fi; }
# result yes|no DESCRIPTION
result () { if [ "$1" = yes ]; then ok "$2"; else not_ok "$2"; fi; }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check () {
  what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# Runs somaif-run with its output in $tmp/out and $tmp/err; sets $status.
srun () {
  "$run" "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
}
show () {
  # Diagnostics for a failure, as TAP comments.
  sed 's/^/# /' "$tmp/out" "$tmp/err" | head -20
}
expect () {
  # expect STATUS DESCRIPTION: ok when the last srun exited with STATUS.
  if [ "$status" -eq "$1" ]; then ok "$2"; else not_ok "$2 (exit $status, wanted $1)"; show; fi
}
holds () {
  # holds FILE TEXT: FILE contains TEXT (fixed string).
  grep -F -q -e "$2" "$1"
}

if [ ! -x "$run" ]; then
  echo "Bail out! no somaif-run at $run"
  exit 99
fi

# ---- configs of test plugins ------------------------------------------------
cat >"$tmp/tiny.cfg" <<'EOF'
# A tiny experiment of the test plugins.
experiment = { epochs = 30; seed = 7; steps = 12; snapshots = 3; };
generator = { plugin = "good-gen"; units = 4; gain = { linear = { from = 1.0; to = 2.0; }; }; };
plant = { plugin = "good-plant"; scale = 1.5; };
renderer = { plugin = "good-renderer"; width = 10; height = 8; };
perceiver = { plugin = "good-perceiver"; units = 5;
  rate = { phases = ( { until_epoch = 1; value = 1.0; },
                      { until_fraction = 0.5; value = 0.5; },
                      { value = 0.1; } ); }; };
optimiser = { plugin = "good-optimiser"; candidates = 3;
  sigma = { exp = { scale = 0.8; rate = -2.0; }; }; };
EOF
# Line 3 misspells a key.
sed 's/units = 4;/unitz = 4;/' "$tmp/tiny.cfg" >"$tmp/bad.cfg"

# ---- options ----------------------------------------------------------------
srun --help
expect 0 "--help exits 0"
missing=
for opt in --set --seed --output --threads --force --check --replay --list-plugins \
           --quiet --version --help; do
  holds "$tmp/out" "$opt" || missing="$missing $opt"
done
if [ -z "$missing" ]; then ok "--help lists every option"; else not_ok "--help lacks$missing"; fi

srun --version
expect 0 "--version exits 0"
if grep -q '^somaif-run [0-9][0-9.]* (plugin ABI [0-9]*\.[0-9]*)' "$tmp/out"; then
  ok "--version prints the version and the plugin ABI"
else
  not_ok "--version prints the version and the plugin ABI"; show
fi

srun --no-such-option "$tmp/tiny.cfg"
expect 2 "an unknown option exits 2"
check "an unknown option is named" holds "$tmp/err" "--no-such-option"

srun
expect 2 "no config exits 2"
check "no config: says which config?" holds "$tmp/err" "config"

srun "$tmp/tiny.cfg" "$tmp/tiny.cfg"
expect 2 "two configs exit 2"

srun --check "$tmp/bad.cfg"
expect 2 "a bad config exits 2"
if holds "$tmp/err" "bad.cfg:3: generator.unitz: unknown key; did you mean 'units'?"; then
  ok "a bad config is reported with file:line, key path and suggestion"
else
  not_ok "a bad config is reported with file:line, key path and suggestion"; show
fi

srun --check "$tmp/nosuch.cfg"
expect 2 "a missing config file exits 2"

srun --check "$tmp/tiny.cfg"
expect 0 "--check on a good config exits 0"
ok_check=yes
for p in good-gen good-plant good-renderer good-perceiver good-optimiser; do
  holds "$tmp/out" "$p" || ok_check=no
done
if [ $ok_check = yes ] && holds "$tmp/out" "valid"; then
  ok "--check names the five plugins"
else
  not_ok "--check names the five plugins"; show
fi

srun --check --quiet "$tmp/tiny.cfg"
if [ "$status" -eq 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then
  ok "--check --quiet prints nothing"
else
  not_ok "--check --quiet prints nothing"; show
fi

# A config named without a path is found in SOMAIF_CONFIGS_DIR.
(cd "$tmp" && mkdir -p elsewhere && cd elsewhere &&
 SOMAIF_CONFIGS_DIR=$tmp "$run" --check --quiet tiny) >"$tmp/out" 2>"$tmp/err"
status=$?
expect 0 "a config name is found in SOMAIF_CONFIGS_DIR"

srun --list-plugins
expect 0 "--list-plugins exits 0"
listed=yes
for p in "generator good-gen" "plant good-plant" "renderer good-renderer" \
         "perceiver good-perceiver" "optimiser good-optimiser"; do
  holds "$tmp/out" "$p" || listed=no
done
result $listed "--list-plugins shows the good test plugins"
if grep -q '^ *units  *int  *default 3  *range \[1, 64\]' "$tmp/out" &&
   grep -q '^ *gain  *float  *default 1.0 .*schedulable' "$tmp/out" &&
   grep -q '^ *offset  *floats  *default \[0.0, 0.0\]' "$tmp/out" &&
   holds "$tmp/out" "size of an initial state" &&
   grep -q '^ *epochs  *int' "$tmp/out"; then
  ok "--list-plugins shows the parameters with type, default, range and doc"
else
  not_ok "--list-plugins shows the parameters with type, default, range and doc"; show
fi
if holds "$tmp/err" "bad-abi.so" && holds "$tmp/err" "wrong-name.so" &&
   ! holds "$tmp/out" "bad-abi"; then
  ok "--list-plugins reports the broken test plugins on stderr only"
else
  not_ok "--list-plugins reports the broken test plugins on stderr only"; show
fi

srun --check --quiet --set generator.units=6 --set 'generator.label="x"' \
  -s perceiver.rate=0.25 --seed 12 "$tmp/tiny.cfg"
expect 0 "--set and --seed are accepted"

srun --check --set generator.unitz=6 "$tmp/tiny.cfg"
expect 2 "a bad --set exits 2"
check "a bad --set says (from --set) and suggests" \
  holds "$tmp/err" "generator.unitz (from --set): unknown key; did you mean 'units'?"

srun --check --seed=-3 "$tmp/tiny.cfg"
expect 2 "a negative --seed exits 2"

srun --check --threads 2000 "$tmp/tiny.cfg"
expect 2 "--threads 2000 exits 2"

# ---- a tiny run ----------------------------------------------------------------
srun -q -j 2 -o "$tmp/run1" "$tmp/tiny.cfg"
expect 0 "a tiny run of the test plugins exits 0"
missing=
for f in metrics.csv final.csv schedules.csv config.cfg run.json curves.png repertoire.png \
         prototypes.png model/prototypes.npy model/initial_states.npy model/perceiver.state; do
  [ -s "$tmp/run1/$f" ] || missing="$missing $f"
done
[ -d "$tmp/run1/model" ] || missing="$missing model/"
if [ -z "$missing" ]; then ok "the run wrote every output"; else not_ok "the run lacks$missing"; fi

if [ "$(head -n 1 "$tmp/run1/metrics.csv")" = "epoch,goal,candidate,winner,accuracy,complexity,free_energy" ] &&
   [ "$(wc -l <"$tmp/run1/metrics.csv")" -eq $((30 * 3 + 1)) ]; then
  ok "metrics.csv: its header and a row per rollout"
else
  not_ok "metrics.csv: its header and a row per rollout"; head -3 "$tmp/run1/metrics.csv" | sed 's/^/# /'
fi
if [ "$(head -n 1 "$tmp/run1/final.csv")" = "goal,winner,distance,accuracy,complexity" ] &&
   [ "$(wc -l <"$tmp/run1/final.csv")" -eq 6 ]; then
  ok "final.csv: its header and a row per goal"
else
  not_ok "final.csv: its header and a row per goal"; head -3 "$tmp/run1/final.csv" | sed 's/^/# /'
fi
if [ "$(head -n 1 "$tmp/run1/schedules.csv")" = "epoch,generator.gain,perceiver.rate,optimiser.sigma" ] &&
   grep -q '^0,1,1,0\.8' "$tmp/run1/schedules.csv"; then
  ok "schedules.csv: the scheduled parameters and their values"
else
  not_ok "schedules.csv: the scheduled parameters and their values"; head -3 "$tmp/run1/schedules.csv" | sed 's/^/# /'
fi
pngs=yes
for f in curves.png repertoire.png; do
  [ "$(head -c 8 "$tmp/run1/$f" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || pngs=no
done
result $pngs "curves.png and repertoire.png are PNG files"
tr -d ' \n' <"$tmp/run1/run.json" >"$tmp/run.flat"
if holds "$tmp/run.flat" '"generator":{"name":"good-gen"' &&
   holds "$tmp/run.flat" '"threads":2' && holds "$tmp/run.flat" '"schema":1'; then
  ok "run.json names the plugins and the threads"
else
  not_ok "run.json names the plugins and the threads"
fi

if [ -s "$tmp/run1/config.json" ] && [ -s "$tmp/run1/curves.csv" ] &&
   tr -d ' \n' <"$tmp/run1/config.json" | grep -q '"optimiser":{"plugin":"good-optimiser","candidates":3'; then
  ok "config.json holds the resolved config; curves.csv is written"
else
  not_ok "config.json holds the resolved config; curves.csv is written"; head -5 "$tmp/run1/config.json" | sed 's/^/# /'
fi

# An optimiser proposing 1 to 3 candidates an epoch: a curve point is the mean
# across goals of each goal's visit (one epoch, however many rollouts).
srun -q -o "$tmp/vary" --set optimiser.varying=true --set experiment.epochs=60 "$tmp/tiny.cfg"
awk -F, 'function visit() { v[g]++; if (v[g] == 1) first[g] = s / c; sizes[c] = 1 }
  NR > 1 { if (NR == 2 || $1 != e) { if (NR > 2) visit(); e = $1; g = $2; s = 0; c = 0 } s += $5; c++ }
  END { visit(); min = -1; for (k in v) { n++; t += first[k]; if (min < 0 || v[k] < min) min = v[k] }
        for (k in sizes) m++; printf "%d %d %.10g\n", m, min, t / n }' \
  "$tmp/vary/metrics.csv" >"$tmp/vary.want"
read sizes visits mean0 <"$tmp/vary.want"
got=$(awk -F, -v want="$mean0" 'NR == 2 { d = $3 - want; if (d < 0) d = -d; print (d <= 1e-8 * (want < 0 ? -want : want)) ? "same" : "differs" }' "$tmp/vary/curves.csv")
if [ "$status" -eq 0 ] && [ "$sizes" -gt 1 ] && [ "$(($(wc -l <"$tmp/vary/curves.csv") - 1))" -eq "$visits" ] &&
   [ "$got" = same ]; then
  ok "curves.csv groups rollouts by epoch when the candidates an epoch vary"
else
  not_ok "curves.csv groups rollouts by epoch when the candidates an epoch vary (exit $status, $sizes sizes, $visits visits, first point $got)"; show
fi

# ---- output folders ------------------------------------------------------------
cp "$tmp/run1/metrics.csv" "$tmp/metrics.before"
srun -q -o "$tmp/run1" "$tmp/tiny.cfg"
expect 2 "--output into a folder holding files exits 2"
if holds "$tmp/err" "already holds files" && holds "$tmp/err" "--force" &&
   cmp -s "$tmp/run1/metrics.csv" "$tmp/metrics.before"; then
  ok "the refusal names --force and leaves the folder alone"
else
  not_ok "the refusal names --force and leaves the folder alone"; show
fi
srun -q --force --seed 8 -o "$tmp/run1" "$tmp/tiny.cfg"
expect 0 "--force writes into it"
if ! cmp -s "$tmp/run1/metrics.csv" "$tmp/metrics.before"; then
  ok "another --seed gives other metrics"
else
  not_ok "another --seed gives other metrics"
fi
mkdir -p "$tmp/empty"
srun -q -o "$tmp/empty" "$tmp/tiny.cfg"
expect 0 "an existing empty folder is accepted without --force"
: >"$tmp/plainfile"
srun -q -o "$tmp/plainfile/sub" "$tmp/tiny.cfg"
expect 1 "an output folder that cannot be made exits 1"

# ---- runs repeat -----------------------------------------------------------------
srun -q -o "$tmp/again" "$tmp/empty/config.cfg"
# config.cfg's comment names the file it came from; the rest must agree.
grep -v '^#' "$tmp/empty/config.cfg" >"$tmp/resolved1"
grep -v '^#' "$tmp/again/config.cfg" >"$tmp/resolved2"
if [ "$status" -eq 0 ] && cmp -s "$tmp/empty/metrics.csv" "$tmp/again/metrics.csv" &&
   cmp -s "$tmp/empty/final.csv" "$tmp/again/final.csv" &&
   cmp -s "$tmp/empty/schedules.csv" "$tmp/again/schedules.csv" &&
   cmp -s "$tmp/resolved1" "$tmp/resolved2"; then
  ok "re-running config.cfg gives byte-identical metrics.csv, final.csv, schedules.csv and config"
else
  not_ok "re-running config.cfg gives byte-identical metrics.csv, final.csv, schedules.csv and config"; show
fi
srun -q -j 1 -o "$tmp/t1" "$tmp/tiny.cfg"
s1=$status
srun -q -j 3 -o "$tmp/t3" "$tmp/tiny.cfg"
if [ $s1 -eq 0 ] && [ "$status" -eq 0 ] && cmp -s "$tmp/t1/metrics.csv" "$tmp/t3/metrics.csv" &&
   cmp -s "$tmp/t1/final.csv" "$tmp/t3/final.csv" &&
   cmp -s "$tmp/t1/model/prototypes.npy" "$tmp/t3/model/prototypes.npy"; then
  ok "--threads 1 and --threads 3 give identical outputs"
else
  not_ok "--threads 1 and --threads 3 give identical outputs"; show
fi
if cmp -s "$tmp/t1/metrics.csv" "$tmp/empty/metrics.csv"; then
  ok "the same config and seed repeat exactly"
else
  not_ok "the same config and seed repeat exactly"
fi
# An optimiser that proposes ahead (randsearch): on more than one thread the
# next epoch is proposed while this one's rollouts run, and its rollouts
# start once they end, the generator's gain (scheduled, a new value each
# epoch) set in between.
sed 's/plugin = "good-optimiser"; candidates = 3;/plugin = "randsearch"; directions = 2;/' \
  "$tmp/tiny.cfg" >"$tmp/ahead.cfg"
srun -q -j 1 -o "$tmp/a1" "$tmp/ahead.cfg"
s1=$status
srun -q -j 3 -o "$tmp/a3" "$tmp/ahead.cfg"
if [ $s1 -eq 0 ] && [ "$status" -eq 0 ] && grep -q randsearch "$tmp/a3/config.cfg" &&
   cmp -s "$tmp/a1/metrics.csv" "$tmp/a3/metrics.csv" &&
   cmp -s "$tmp/a1/schedules.csv" "$tmp/a3/schedules.csv" &&
   cmp -s "$tmp/a1/final.csv" "$tmp/a3/final.csv" &&
   [ "$(wc -l <"$tmp/a3/schedules.csv")" -eq 31 ]; then
  ok "an optimiser proposing ahead, a scheduled generator: 1 and 3 threads give identical outputs"
else
  not_ok "an optimiser proposing ahead, a scheduled generator: 1 and 3 threads give identical outputs"
  show
fi
# More threads than cores: said when the run starts, and only then.  The
# cores are the CPUs this process may run on, or fewer under a control
# group's CPU quota: the line names them.
cpus=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null ||
       getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
srun -j $((cpus + 1)) -o "$tmp/crowd" "$tmp/tiny.cfg"
crowd=$status
cores=$(sed -n "s/^somaif-run: $((cpus + 1)) threads on \([0-9][0-9]*\) cores\{0,1\}: the same results, but slower than with -j \1\$/\1/p" "$tmp/err")
cp "$tmp/err" "$tmp/crowd.err"
if [ -n "$cores" ] && [ "$cores" -le "$cpus" ]; then
  srun -j "$cores" -o "$tmp/fit" "$tmp/tiny.cfg"
else
  status=1
fi
if [ $crowd -eq 0 ] && [ "$status" -eq 0 ] && ! grep -q 'threads on' "$tmp/err" &&
   cmp -s "$tmp/crowd/metrics.csv" "$tmp/fit/metrics.csv"; then
  ok "more threads than cores: a line says so at the start, the same results"
else
  not_ok "more threads than cores: a line says so at the start, the same results"
  sed 's/^/# /' "$tmp/crowd.err" | head -5; show
fi

# ---- replay ----------------------------------------------------------------------
# With constant parameters.
srun -q -o "$tmp/rc" --set generator.gain=1.5 "$tmp/tiny.cfg"
cp "$tmp/rc/final.csv" "$tmp/final.before"
rm "$tmp/rc/final.csv" "$tmp/rc/repertoire.png"
srun -q --replay "$tmp/rc"
if [ "$status" -eq 0 ] && cmp -s "$tmp/final.before" "$tmp/rc/final.csv" &&
   [ -s "$tmp/rc/repertoire.png" ]; then
  ok "--replay redraws final.csv and the figures from model/"
else
  not_ok "--replay redraws final.csv and the figures from model/"; show
fi
# With the generator's gain scheduled: the replay must use the values of the
# run's last epoch, as the run's own evaluation did.
cp "$tmp/t1/final.csv" "$tmp/final.before"
srun -q --replay "$tmp/t1"
if [ "$status" -eq 0 ] && cmp -s "$tmp/final.before" "$tmp/t1/final.csv"; then
  ok "--replay of a run with scheduled parameters gives the same final.csv"
else
  not_ok "--replay of a run with scheduled parameters gives the same final.csv"
  diff "$tmp/final.before" "$tmp/t1/final.csv" | head -6 | sed 's/^/# /'
fi
srun --replay "$tmp/t1" "$tmp/tiny.cfg"
expect 2 "--replay with a CONFIG exits 2"
srun --replay "$tmp/empty/model"
expect 2 "--replay of a folder that is no run exits 2"

# ---- the man page ----------------------------------------------------------------
if [ -f "$manpage" ]; then
  "$run" --help | sed -n 's/^  *\(-[A-Za-z], \)\{0,1\}--\([a-z][a-z-]*\).*/\2/p' | sort -u \
    >"$tmp/help.opts"
  # The long options of the tags (the line after .TP) of the OPTIONS section.
  awk '/^\.SH /{ sect = $2 } sect == "OPTIONS" && prev == ".TP" { print } { prev = $0 }' \
    "$manpage" | grep -o '\\-\\-[a-z][a-z\\-]*' | sed 's/\\-/-/g; s/^--//' | sort -u \
    >"$tmp/man.opts"
  if [ -s "$tmp/help.opts" ] && cmp -s "$tmp/help.opts" "$tmp/man.opts"; then
    ok "the man page lists exactly the long options of --help ($(wc -l <"$tmp/help.opts"))"
  else
    not_ok "the man page lists exactly the long options of --help"
    diff "$tmp/help.opts" "$tmp/man.opts" | sed 's/^/# /'
  fi
  sections=yes
  for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
    grep -q "^\.SH \"*$s\"*\$" "$manpage" || { sections=no; echo "# no section $s"; }
  done
  for w in SOMAIF_PLUGIN_PATH SOMAIF_CONFIGS_DIR metrics.csv final.csv schedules.csv \
           config.cfg run.json model/ curves.png repertoire.png; do
    holds "$manpage" "$w" || { sections=no; echo "# the man page never says $w"; }
  done
  result $sections "the man page has its sections, variables and files"
else
  skip "the man page lists exactly the long options of --help" "no $manpage"
  skip "the man page has its sections, variables and files" "no $manpage"
fi

# ---- the real plugins (once they are built) -----------------------------------
have_real=yes
for p in esn arm2 canvas ringsom randsearch; do
  found=no
  oldifs=$IFS; IFS=:
  for d in $real_path; do [ -f "$d/$p.so" ] && found=yes; done
  IFS=$oldifs
  [ $found = yes ] || have_real=no
done
for c in seed quick; do
  if [ $have_real = yes ] && [ -f "$configs/$c.cfg" ]; then
    srun --check --quiet "$configs/$c.cfg"
    expect 0 "--check configs/$c.cfg with the real plugins"
  else
    skip_or_fail "--check configs/$c.cfg with the real plugins" "the real plugins are not all built"
  fi
done

if [ $n -ne 53 ]; then
  echo "not ok - the plan said 53 tests but $n ran"
  exit 1
fi
exit 0
