#!/bin/sh
# test-bad-input.sh: bad inputs through the real somaif-run, in TAP.  Each one
# asserts the exit status (somaif-run(1): 1 failed while running, 2 bad usage,
# config, --resume folder or checkpoint, or a refused overwrite) AND the
# distinctive part of the message, with file:line and the key path where there
# is one.  Then failures while running (unwritable folders, full disks, a NaN)
# and interruptions: SIGINT at several points of configs/quick.cfg, SIGTERM,
# a double SIGINT, each resumed to outputs byte-identical to an uninterrupted
# run.
#
# Environment (set by tests/Makefile.am): SOMAIF_RUN, SOMAIF_PLUGIN_PATH (the
# real plugins), SOMAIF_CONFIGS, G_TEST_SRCDIR, G_TEST_BUILDDIR.  The test
# plugins (tests/plugins/, built into .libs/) come first in the plugin path.

here=$(cd "$(dirname "$0")" && pwd)
builddir=${G_TEST_BUILDDIR:-$here}
srcdir=${G_TEST_SRCDIR:-$here}
run=${SOMAIF_RUN:-$builddir/../core/somaif-run}
configs=${SOMAIF_CONFIGS:-$srcdir/../configs}
golden=$srcdir/data/golden
real_path=${SOMAIF_PLUGIN_PATH:-}
SOMAIF_PLUGIN_PATH=$builddir/.libs${real_path:+:$real_path}
export SOMAIF_PLUGIN_PATH
unset SOMAIF_CONFIGS_DIR
# Messages from GLib and strerror() in English.
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-bad-input.XXXXXX") || exit 99
bg_pid=
cleanup () {
  [ -n "$bg_pid" ] && kill -KILL "$bg_pid" 2>/dev/null
  chmod -R u+w "$tmp" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# fontconfig (through cairo) keeps its configuration for the process' life;
# libconfig 1.5 loses its string buffer on a string left open at the end.
printf 'leak:libfontconfig.so\nleak:libconfig.so\n' >"$tmp/lsan.supp"
LSAN_OPTIONS="suppressions=$tmp/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# A missing plugin, config or MPI: a skip here, a failure in CI (CI=true).
skip_or_fail () { if [ "${CI:-}" = true ]; then not_ok "$1 (CI=true: $2)"; else skip "$1" "$2"; fi; }
show () { sed 's/^/# /' "$tmp/out" "$tmp/err" | head -12; }
holds () { grep -F -q -e "$2" "$1"; }

# srun ARGS...: runs somaif-run from $tmp (so that messages name files as
# given), stdout in $tmp/out, stderr in $tmp/err, status in $status.
srun () {
  (cd "$tmp" && exec "$run" "$@") >"$tmp/out" 2>"$tmp/err"
  status=$?
}
# expect STATUS DESCRIPTION [TEXT...]: the last srun exited with STATUS and
# its stderr holds every TEXT (fixed strings).
expect () {
  want=$1 what=$2
  shift 2
  why=
  [ "$status" -eq "$want" ] || why="exit $status, wanted $want"
  for text in "$@"; do
    holds "$tmp/err" "$text" || why="${why:+$why; }no '$text' in the message"
  done
  if [ -z "$why" ]; then
    ok "$what: exit $want, '$1'"
  else
    not_ok "$what ($why)"; show
  fi
}
# bad STATUS DESCRIPTION TEXT... -- ARGS...: srun ARGS, then expect.
bad () {
  want=$1 what=$2
  shift 2
  texts=
  for a in "$@"; do
    shift
    [ "$a" = -- ] && break
    texts="$texts$a
"
  done
  srun "$@"
  oldifs=$IFS; IFS='
'
  set -f
  # shellcheck disable=SC2086
  set -- $texts
  set +f
  IFS=$oldifs
  expect "$want" "$what" "$@"
}
# digest DIR: every file below DIR with its checksum, for before/after.
# (somaif.lock aside: it records the last process that held the folder.)
digest () { (cd "$1" && find . -type f ! -name somaif.lock | LC_ALL=C sort | xargs cksum); }
# u32 FILE OFFSET: a little-endian 32-bit number of a binary file.
u32 () {
  od -An -t u1 -j "$2" -N 4 "$1" 2>/dev/null |
    awk 'NF == 4 { print $1 + 256 * $2 + 65536 * $3 + 16777216 * $4; exit } END { if (NF != 4) print -1 }'
}
# flip_byte FILE OFFSET: inverts the bits of one byte, in place.
flip_byte () {
  b=$(od -An -t u1 -j "$2" -N 1 "$1" | tr -d ' ')
  printf "\\$(printf %o $((255 - b)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
# In checkpoint.bin (core/checkpoint.c): next_epoch at 28, metrics_bytes at 80.
next_epoch () { u32 "$1/checkpoint.bin" 28; }

if [ ! -x "$run" ]; then
  echo "Bail out! no somaif-run at $run"
  exit 99
fi

have_real=yes
for p in esn arm2 canvas ringsom randsearch; do
  found=no
  oldifs=$IFS; IFS=:
  for d in $real_path; do [ -f "$d/$p.so" ] && found=yes; done
  IFS=$oldifs
  [ $found = yes ] || have_real=no
done
[ -f "$configs/quick.cfg" ] || have_real=no
cp "$configs/quick.cfg" "$tmp/quick.cfg" 2>/dev/null

# ---- configs of the test plugins ---------------------------------------------
cat >"$tmp/tiny.cfg" <<'EOF'
experiment = { epochs = 30; seed = 7; steps = 12; snapshots = 3; };
generator = { plugin = "good-gen"; units = 4; gain = 1.0; };
plant = { plugin = "good-plant"; scale = 1.5; };
renderer = { plugin = "good-renderer"; width = 10; height = 8; };
perceiver = { plugin = "good-perceiver"; units = 5; };
optimiser = { plugin = "good-optimiser"; candidates = 3; };
EOF
# mk NAME SED-SCRIPT: $tmp/NAME.cfg, tiny.cfg edited by SED-SCRIPT.
mk () { sed "$2" "$tmp/tiny.cfg" >"$tmp/$1.cfg"; }

echo "# ---- syntax, empty and binary files"
printf 'experiment = { epochs = = 3; };\n' >"$tmp/syn1.cfg"
bad 2 "a doubled '='" "syn1.cfg:1: syntax error" -- --check syn1.cfg
mk syn2 's/^optimiser = { \(.*\) };$/optimiser = { \1/'
bad 2 "a group left open" "syn2.cfg:7: syntax error" -- --check syn2.cfg
mk syn3 '2s/gain = 1.0;/label = "open;/'
bad 2 "a string left open" "syn3.cfg:" "syntax error" -- --check syn3.cfg
mk syn4 '3s/scale = 1.5;/scale = 1.5 1.5;/'
bad 2 "two values for one key" "syn4.cfg:3: syntax error" -- --check syn4.cfg
mk syn5 '2s/gain = 1.0;/gain = nan;/'
bad 2 "nan is no config value" "syn5.cfg:2: syntax error" -- --check syn5.cfg
mk dupgroup '3a\
experiment = { epochs = 5; };'
bad 2 "a group given twice (libconfig refuses duplicates)" \
  "dupgroup.cfg:4: syntax error: duplicate setting name" -- --check dupgroup.cfg
mk dupkey '4s/width = 10;/width = 10; width = 12;/'
bad 2 "a key given twice in a group" "dupkey.cfg:4: syntax error: duplicate setting name" \
  -- --check dupkey.cfg
: >"$tmp/empty.cfg"
bad 2 "an empty file" "empty.cfg: the group 'experiment' is missing" -- --check empty.cfg
printf '# nothing but a comment\n\n' >"$tmp/comment.cfg"
bad 2 "a file of comments" "comment.cfg: the group 'experiment' is missing" -- --check comment.cfg
# 4 KiB of bytes that are never text (a NUL, and bytes invalid in UTF-8).
awk 'BEGIN { for (i = 0; i < 4096; i++) printf "%c", (i * 37 + 11) % 256 }' </dev/null \
  >"$tmp/binary.cfg"
printf '\0\377\376' >>"$tmp/binary.cfg"
bad 2 "a binary file" "binary.cfg: not a text config file (it holds binary data)" \
  -- --check binary.cfg
printf 'experiment = { epochs = 3; };\0\n' >"$tmp/nul.cfg"
bad 2 "a NUL byte in a text" "nul.cfg: not a text config file" -- --check nul.cfg
printf 'experiment = { epochs = 3; }; # caf\351\n' >"$tmp/latin1.cfg"
bad 2 "Latin-1, not UTF-8" "latin1.cfg: not a text config file" -- --check latin1.cfg
mkdir "$tmp/folder.cfg"
bad 2 "a folder as config" "folder.cfg: is a folder, not a config file" -- --check folder.cfg
bad 2 "a config that does not exist" "nosuch.cfg" "No such file or directory" \
  -- --check nosuch.cfg

echo "# ---- unknown keys, missing groups and keys"
mk unitz '2s/units = 4;/unitz = 4;/'
bad 2 "an unknown key, with a suggestion" \
  "unitz.cfg:2: generator.unitz: unknown key; did you mean 'units'?" -- --check unitz.cfg
mk faraway '2s/units = 4;/zzzzzzzzzzzz = 4;/'
bad 2 "an unknown key far from any, with the valid keys" \
  "faraway.cfg:2: generator.zzzzzzzzzzzz: unknown key (valid keys: units, gain, label, offset, flip, table, plugin)" \
  -- --check faraway.cfg
mk generatr '$a\
generatr = { units = 3; };'
bad 2 "an unknown group, with a suggestion" \
  "generatr.cfg:7: generatr: unknown key; did you mean 'generator'?" -- --check generatr.cfg
mk epoch '1s/epochs = 30;/epoch = 30;/'
bad 2 "an unknown experiment key" "epoch.cfg:1: experiment.epoch: unknown key; did you mean 'epochs'?" \
  -- --check epoch.cfg
mk noplant '/^plant/d'
bad 2 "a missing plugin group" "noplant.cfg: the group 'plant' is missing" -- --check noplant.cfg
mk noexp '/^experiment/d'
bad 2 "a missing experiment group" "noexp.cfg: the group 'experiment' is missing" \
  -- --check noexp.cfg
mk noepochs '1s/epochs = 30; //'
bad 2 "a missing required key" "noepochs.cfg:1: experiment.epochs: is required" \
  -- --check noepochs.cfg
mk noplugin '3s/plugin = "good-plant"; //'
bad 2 "a group without its plugin" "noplugin.cfg:3: plant.plugin: is required" \
  -- --check noplugin.cfg
mk plugin5 '3s/"good-plant"/5/'
bad 2 "a plugin name that is no string" "plugin5.cfg:3: plant.plugin: must be a string in double quotes" \
  -- --check plugin5.cfg
mk plant3 's/^plant = .*/plant = 3;/'
bad 2 "a part that is no group" "plant3.cfg:3: plant: must be a group { ... }" -- --check plant3.cfg

echo "# ---- wrong types"
mk t-str '2s/units = 4;/units = "four";/'
bad 2 "an integer given a string" "t-str.cfg:2: generator.units: must be an integer" \
  -- --check t-str.cfg
mk t-float '2s/units = 4;/units = 4.5;/'
bad 2 "an integer given a float" "t-float.cfg:2: generator.units: must be an integer" \
  -- --check t-float.cfg
mk t-sched '2s/units = 4;/units = { linear = { from = 1.0; to = 2.0; }; };/'
bad 2 "an integer given a schedule" "t-sched.cfg:2: generator.units: must be an integer" \
  -- --check t-sched.cfg
mk t-bool '2s/units = 4;/flip = 1;/'
bad 2 "a bool given an integer" "t-bool.cfg:2: generator.flip: must be true or false" \
  -- --check t-bool.cfg
mk t-list '2s/units = 4;/offset = 3.0;/'
bad 2 "a list given a number" "t-list.cfg:2: generator.offset: must be a list of numbers [a, b, ...]" \
  -- --check t-list.cfg
mk t-len '2s/units = 4;/offset = [1.0];/'
bad 2 "a list of the wrong length" "t-len.cfg:2: generator.offset: must have 2 numbers, not 1" \
  -- --check t-len.cfg
mk t-len3 '2s/units = 4;/offset = [1.0, 2.0, 3.0];/'
bad 2 "a list too long" "t-len3.cfg:2: generator.offset: must have 2 numbers, not 3" \
  -- --check t-len3.cfg
mk t-elem '2s/units = 4;/offset = (1.0, "x");/'
bad 2 "a list with a string in it" "t-elem.cfg:2: generator.offset: element 1 must be a finite number" \
  -- --check t-elem.cfg
mk t-label '2s/units = 4;/label = 3;/'
bad 2 "a string given a number" "t-label.cfg:2: generator.label: must be a string in double quotes" \
  -- --check t-label.cfg
mk t-utf8 '2s/gain = 1.0;/label = "caf\\xe9";/'
bad 2 "a string escaping to bytes that are not UTF-8" "t-utf8.cfg:2: generator.label: is not UTF-8 text" \
  -- --check t-utf8.cfg
mk t-gain '2s/gain = 1.0;/gain = "high";/'
bad 2 "a float given a string" "t-gain.cfg:2: generator.gain: must be a number or a schedule { ... }" \
  -- --check t-gain.cfg
mk t-fixed '3s/scale = 1.5;/scale = { linear = { from = 1.0; to = 2.0; }; };/'
bad 2 "a schedule for a fixed parameter" "t-fixed.cfg:3: plant.scale: cannot be scheduled: it must be a number" \
  -- --check t-fixed.cfg
mk t-kind '2s/gain = 1.0;/gain = { bogus = 1.0; };/'
bad 2 "an unknown kind of schedule" \
  "t-kind.cfg:2: generator.gain.bogus: unknown key (valid keys: constant, linear, exp, tanh, phases)" \
  -- --check t-kind.cfg
mk t-epochs '1s/epochs = 30;/epochs = 1e3;/'
bad 2 "epochs given a float" "t-epochs.cfg:1: experiment.epochs: must be an integer" \
  -- --check t-epochs.cfg

echo "# ---- out of range, negative, zero and huge"
mk r-units '5s/units = 5;/units = -3;/'
bad 2 "a negative number of perceiver units" "r-units.cfg:5: perceiver.units: -3 is outside its range [1, 1000]" \
  -- --check r-units.cfg
mk r-width '4s/width = 10;/width = 0;/'
bad 2 "a zero renderer width" "r-width.cfg:4: renderer.width: 0 is outside its range [1, 256]" \
  -- --check r-width.cfg
mk r-zero '1s/epochs = 30;/epochs = 0;/'
bad 2 "zero epochs" "r-zero.cfg:1: experiment.epochs: 0 is outside its range [1, 1000000000]" \
  -- --check r-zero.cfg
mk r-huge '1s/epochs = 30;/epochs = 99999999999;/'
bad 2 "epochs = 99999999999" "r-huge.cfg:1: experiment.epochs: 99999999999 is outside its range [1, 1000000000]" \
  -- --check r-huge.cfg
# libconfig 1.5 reads a plain integer with atoi(): 2^32 + 1 must not become 1.
mk r-wrap '1s/epochs = 30;/epochs = 4294967297;/'
bad 2 "epochs = 2^32 + 1 (not wrapped to 1)" "r-wrap.cfg:1: experiment.epochs: 4294967297 is outside its range" \
  -- --check r-wrap.cfg
mk r-64 '1s/seed = 7;/seed = 99999999999999999999;/'
bad 2 "an integer beyond 64 bits" "r-64.cfg:1: 99999999999999999999 does not fit in a 64-bit integer" \
  -- --check r-64.cfg
mk r-steps '1s/steps = 12;/steps = 0;/'
bad 2 "zero steps" "r-steps.cfg:1: experiment.steps: 0 is outside its range [1, 100000]" \
  -- --check r-steps.cfg
mk r-beta '1s/seed = 7;/seed = 7; beta = -1.0;/'
bad 2 "a negative beta" "r-beta.cfg:1: experiment.beta: -1 is outside its range [0, 1e+06]" \
  -- --check r-beta.cfg
mk r-elem '2s/units = 4;/offset = [1.0, 11.0];/'
bad 2 "a list element out of range" "r-elem.cfg:2: generator.offset: element 1 (11) is outside [-10, 10]" \
  -- --check r-elem.cfg
mk r-sched '2s/gain = 1.0;/gain = { linear = { from = 1.0; to = 20.0; }; };/'
bad 2 "a schedule leaving its range during the run" \
  "r-sched.cfg:2: generator.gain: takes the value 10.5 at epoch 15, outside its range [0, 10]" \
  -- --check r-sched.cfg

echo "# ---- plugins"
mk p-missing '3s/"good-plant"/"no-such-plugin"/'
bad 2 "a plugin that does not exist" \
  "p-missing.cfg:3: plant.plugin: plugin 'no-such-plugin' not found: no no-such-plugin.so in" \
  -- --check p-missing.cfg
mk p-kind '3s/"good-plant"/"good-gen"/'
bad 2 "a plugin of the wrong kind" \
  "p-kind.cfg:3: plant.plugin:" "'good-gen' is a generator plugin, but a plant is needed here" \
  -- --check p-kind.cfg
mk p-abi '2s/"good-gen"/"bad-abi"/'
bad 2 "a plugin of another ABI" "p-abi.cfg:2: generator.plugin:" "built for plugin ABI 99.0" \
  -- --check p-abi.cfg
mk p-entry '2s/"good-gen"/"no-entry"/'
bad 2 "a shared object without the entry point" "p-entry.cfg:2: generator.plugin:" \
  "not a somaif plugin (no somaif_plugin_describe() entry point)" -- --check p-entry.cfg
mk p-export '2s/"good-gen"/"extra-export"/'
bad 2 "a plugin exporting more than its entry" "p-export.cfg:2: generator.plugin:" \
  "exports extra_export_helper, extra_export_table besides somaif_plugin_describe()" \
  "-fvisibility=hidden" -- --check p-export.cfg
mk p-default '2s/"good-gen"/"bad-default"/'
bad 2 "a plugin whose default is not of its declared length" "p-default.cfg:2: generator.plugin:" \
  "invalid parameter 'gains' (its default [1.0, 2.0] has 2 numbers, but the declared length is 3)" \
  -- --check p-default.cfg
mk p-sched '2s/.*/generator = { plugin = "bad-sched-default"; };/'
bad 2 "a default schedule leaving its own range" \
  "plugin 'bad-sched-default' (" "): the default of generator.gain takes the value" \
  "outside its range [0, 10]" -- --check p-sched.cfg
if holds "$tmp/err" "from --set"; then
  not_ok "a default schedule's message does not say (from --set)"; show
else
  ok "a default schedule's message does not say (from --set)"
fi
mk p-dup '2s/"good-gen"/"dup-param"/'
bad 2 "a plugin declaring a parameter twice" "p-dup.cfg:2: generator.plugin:" \
  "invalid parameter 'units' (declared twice)" -- --check p-dup.cfg
mkdir "$tmp/p-dir.so"
mk p-folder '3s|"good-plant"|"./p-dir.so"|'
bad 2 "a folder named as a plugin" "p-folder.cfg:3: plant.plugin:" \
  "p-dir.so is a folder, not a plugin file" -- --check p-folder.cfg
mk p-device '3s|"good-plant"|"/dev/null"|'
bad 2 "a device named as a plugin" "p-device.cfg:3: plant.plugin:" \
  "plugin file /dev/null is not a regular file" -- --check p-device.cfg
mk p-name '2s/"good-gen"/"wrong-name"/'
bad 2 "a plugin whose name is not its file's" "p-name.cfg:2: generator.plugin:" \
  "the plugin calls itself 'other'" -- --check p-name.cfg
mk p-method '2s/"good-gen"/"missing-method"/'
bad 2 "a plugin lacking a method" "p-method.cfg:2: generator.plugin:" "lacks the required run" \
  -- --check p-method.cfg
mk p-param '2s/"good-gen"/"bad-param"/'
bad 2 "a plugin declaring a bad parameter" "p-param.cfg:2: generator.plugin:" \
  "declares an invalid parameter 'units'" -- --check p-param.cfg
mk p-file '3s/"good-plant"/"\/etc\/hostname"/'
[ -f /etc/hostname ] || mk p-file '3s/"good-plant"/"tiny.cfg"/'
bad 2 "a plugin path to a file that is no shared object" "p-file.cfg:3: plant.plugin:" \
  "cannot be loaded" -- --check p-file.cfg

if [ $have_real = yes ]; then
  # The core compares the sizes when the plant accepts any at create().
  mk p-size '2s/plugin = "good-gen"; units = 4; gain = 1.0;/plugin = "esn"; units = 5; outputs = 3;/'
  bad 2 "a dimension mismatch found by the core" \
    "p-size.cfg: motor commands per step do not match: generator 'esn' gives 3 but plant 'good-plant' takes 2" \
    -- --check p-size.cfg
  # The esn's 3 commands a step into the 2-joint arm: the core refuses the
  # pair, naming both sizes and both plugins.
  srun --check --set generator.outputs=3 quick.cfg
  if [ "$status" -eq 2 ] && holds "$tmp/err" "quick.cfg:" && holds "$tmp/err" "'arm2'" &&
     holds "$tmp/err" 3 && holds "$tmp/err" 2 && holds "$tmp/err" generator; then
    ok "a dimension mismatch, esn outputs = 3 into arm2: exit 2, its sizes and arm2"
    if holds "$tmp/err" "'esn'"; then
      ok "the mismatch message names the generator plugin 'esn' too"
    else
      not_ok "the mismatch message names the generator plugin 'esn' too"; show
    fi
  else
    not_ok "a dimension mismatch, esn outputs = 3 into arm2 (exit $status)"; show
    not_ok "the mismatch message names the generator plugin 'esn' too"
  fi
  sed '0,/^1.4192410707473755 /s//nan /' "$golden/esn.txt" >"$tmp/nan-weights.txt"
  bad 2 "esn weights holding a nan" "quick.cfg: generator plugin 'esn' could not start:" \
    "nan-weights.txt': array 'w_r' holds nan at index 0" \
    -- --check --set 'generator.weights="nan-weights.txt"' quick.cfg
  bad 2 "esn weights that do not exist" "generator plugin 'esn' could not start" "nosuch.txt" \
    -- --check --set 'generator.weights="nosuch.txt"' quick.cfg
  # Read whole, it would grow until memory ran out.
  bad 2 "esn weights from a device" "generator plugin 'esn' could not start" \
    "/dev/zero: cannot read this arrays file: it is not a regular file" \
    -- --check --set 'generator.weights="/dev/zero"' quick.cfg
  mkfifo "$tmp/weights.fifo"
  bad 2 "esn weights from a pipe with no writer" "generator plugin 'esn' could not start" \
    "weights.fifo: cannot read this arrays file: it is not a regular file" \
    -- --check --set "generator.weights=\"$tmp/weights.fifo\"" quick.cfg
else
  for w in "a dimension mismatch found by the core" "a dimension mismatch, esn outputs = 3 into arm2" \
           "the mismatch message names the generator plugin 'esn' too" \
           "esn weights holding a nan" "esn weights that do not exist" \
           "esn weights from a device" "esn weights from a pipe with no writer"; do
    skip_or_fail "$w" "the real plugins are not all built"
  done
fi

echo "# ---- --set"
bad 2 "--set without '='" "--set units: expected key.path=value" -- --check --set units tiny.cfg
bad 2 "--set of a bare name" "--set units=3: the key path must name a group and a key" \
  -- --check --set units=3 tiny.cfg
bad 2 "--set of a bad key path" "--set generator..units=3: 'generator..units' is not a valid key path" \
  -- --check --set generator..units=3 tiny.cfg
bad 2 "--set of a value that is none" "--set generator.units=[1,: '[1,' is not a config value" \
  -- --check --set 'generator.units=[1,' tiny.cfg
bad 2 "--set of an unknown key" "tiny.cfg: generator.unitz (from --set): unknown key; did you mean 'units'?" \
  -- --check --set generator.unitz=6 tiny.cfg
bad 2 "--set of an unknown group" "tiny.cfg: generatr (from --set): unknown key; did you mean 'generator'?" \
  -- --check --set generatr.units=6 tiny.cfg
bad 2 "--set of the wrong type" "tiny.cfg: generator.units (from --set): must be an integer" \
  -- --check --set 'generator.units="many"' tiny.cfg
bad 2 "--set below a key that is no group" "--set generator.units.x=1: 'units' in tiny.cfg is not a group" \
  -- --check --set generator.units.x=1 tiny.cfg
bad 2 "--set of a 65-bit integer" "--set experiment.seed=99999999999999999999: '99999999999999999999' does not fit in a 64-bit integer" \
  -- --check --set experiment.seed=99999999999999999999 tiny.cfg
if [ $have_real = yes ]; then
  bad 2 "--set perceiver.units=-3" "quick.cfg: perceiver.units (from --set): -3 is outside its range" \
    -- --check --set perceiver.units=-3 quick.cfg
  bad 2 "--set renderer.width=0" "quick.cfg: renderer.width (from --set): 0 is outside its range" \
    -- --check --set renderer.width=0 quick.cfg
  bad 2 "--set experiment.epochs=0" "quick.cfg: experiment.epochs (from --set): 0 is outside its range [1, 1000000000]" \
    -- --check --set experiment.epochs=0 quick.cfg
  bad 2 "--set experiment.epochs=99999999999" \
    "quick.cfg: experiment.epochs (from --set): 99999999999 is outside its range [1, 1000000000]" \
    -- --check --set experiment.epochs=99999999999 quick.cfg
  bad 2 "--set generator.sigma=1e30" "quick.cfg: generator.sigma (from --set): 1e+30 is outside its range" \
    -- --check --set generator.sigma=1e30 quick.cfg
else
  for w in perceiver.units=-3 renderer.width=0 experiment.epochs=0 experiment.epochs=99999999999 \
           generator.sigma=1e30; do
    skip_or_fail "--set $w" "the real plugins are not all built"
  done
fi

echo "# ---- options"
bad 2 "--seed of a word" "--seed takes a whole number from 0 to 4600000000000000000, not 'abc'" \
  -- --check --seed abc tiny.cfg
bad 2 "a negative --seed" "--seed takes a whole number from 0 to 4600000000000000000, not '-1'" \
  -- --check --seed=-1 tiny.cfg
bad 2 "a --seed beyond 64 bits (not clamped)" "not '99999999999999999999'" \
  -- --check --seed 99999999999999999999 tiny.cfg
bad 2 "a --seed beyond experiment.seed's range" "not '5000000000000000000'" \
  -- --check --seed 5000000000000000000 tiny.cfg
bad 2 "--threads of a word" "--threads" "abc" -- --check --threads abc tiny.cfg
bad 2 "a negative --threads" "--threads takes 1 to 1024 (0: all cores), not -1" \
  -- --check --threads -1 tiny.cfg
bad 2 "--threads 2000" "--threads takes 1 to 1024 (0: all cores), not 2000" \
  -- --check --threads 2000 tiny.cfg
bad 2 "--threads beyond an int" "--threads" "99999999999" -- --check --threads 99999999999 tiny.cfg
bad 2 "an unknown option" "Unknown option --bogus" "(see somaif-run --help)" -- --bogus tiny.cfg
bad 2 "no config" "which config? give one CONFIG file or name" --
bad 2 "two configs" "give exactly one CONFIG" -- tiny.cfg tiny.cfg
bad 2 "--replay and --resume together" "--replay and --resume do not go together" \
  -- --replay x --resume y

echo "# ---- --resume"
srun -q -o run1 tiny.cfg
if [ "$status" -eq 0 ] && [ -s "$tmp/run1/checkpoint.bin" ]; then
  ok "a tiny run to resume from"
else
  not_ok "a tiny run to resume from (exit $status)"; show
fi
bad 2 "--resume with a CONFIG" "--resume DIR takes no CONFIG" -- --resume run1 tiny.cfg
bad 2 "--resume with --set" "--resume DIR takes no --set, --seed or --output" \
  -- --resume run1 --set experiment.seed=3
bad 2 "--resume of a folder that does not exist" "nosuch: not a run folder (no config.cfg)" \
  -- --resume nosuch
mkdir "$tmp/plain"
bad 2 "--resume of a folder that is no run" "plain: not a run folder (no config.cfg)" \
  -- --resume plain
mkdir "$tmp/nock" && cp "$tmp/run1/config.cfg" "$tmp/nock/"
bad 2 "--resume without a checkpoint" "nock: no checkpoint.bin to resume from" -- --resume nock
# resume_bad NAME DESCRIPTION COMMAND TEXT...: a copy of run1 damaged by
# COMMAND (run in it) is refused with exit 2 and every TEXT, and left as it was.
resume_bad () {
  name=$1 what=$2
  rm -rf "$tmp/$name"
  cp -R "$tmp/run1" "$tmp/$name"
  (cd "$tmp/$name" && eval "$3")
  shift 3
  digest "$tmp/$name" >"$tmp/before"
  srun --resume "$name"
  digest "$tmp/$name" >"$tmp/after"
  if cmp -s "$tmp/before" "$tmp/after"; then
    expect 2 "$what" "$@"
  else
    not_ok "$what: the refused --resume changed files"
    diff "$tmp/before" "$tmp/after" | sed 's/^/# /'
  fi
}
size=$(wc -c <"$tmp/run1/checkpoint.bin")
resume_bad cut "a truncated checkpoint" \
  "head -c $((size / 2)) checkpoint.bin >c && mv c checkpoint.bin" \
  "cut/checkpoint.bin: not a usable checkpoint: its checksum does not match (truncated or damaged)"
resume_bad flip "a checkpoint with a byte flipped" "flip_byte checkpoint.bin 100" \
  "flip/checkpoint.bin: not a usable checkpoint: its checksum does not match (truncated or damaged)"
resume_bad zero "an empty checkpoint" ": >checkpoint.bin" \
  "zero/checkpoint.bin: not a usable checkpoint: it is not a somaif checkpoint"
resume_bad other "a checkpoint of another config (config.cfg edited)" \
  "sed 's/seed = 7;/seed = 8;/' config.cfg >c && mv c config.cfg" \
  "other/checkpoint.bin: written for another config than other/config.cfg"
resume_bad short "a metrics.csv shorter than the checkpoint says" \
  "head -c 100 metrics.csv >m && mv m metrics.csv" \
  "short/metrics.csv: shorter than its checkpoint says"
resume_bad badcfg "a run folder whose config.cfg is broken" \
  "sed 's/seed = 7;/sed = 7;/' config.cfg >c && mv c config.cfg" \
  "badcfg/config.cfg:" "experiment.sed: unknown key; did you mean 'seed'?"

echo "# ---- output folders"
digest "$tmp/run1" >"$tmp/before"
srun -q -o run1 tiny.cfg
digest "$tmp/run1" >"$tmp/after"
if cmp -s "$tmp/before" "$tmp/after"; then
  expect 2 "an output folder holding files, without --force" \
    "run1 already holds files; choose another --output or add --force"
else
  not_ok "an output folder holding files, without --force: files changed"
fi
: >"$tmp/afile"
bad 1 "an output folder below a regular file (fails for root too)" \
  "afile/out: cannot create the output folder: Not a directory" -- -q -o afile/out tiny.cfg
if [ -d /proc/self ]; then
  bad 1 "an output folder in /proc" "/proc/somaif-test/out: cannot create the output folder" \
    -- -q -o /proc/somaif-test/out tiny.cfg
else
  skip "an output folder in /proc" "no /proc"
fi
# Each folder is marked as a run's (somaif.lock), which --force replaces.
mkdir -p "$tmp/w-dir/metrics.csv" && : >"$tmp/w-dir/somaif.lock"
bad 1 "metrics.csv that is a folder" "w-dir/metrics.csv: cannot write: Is a directory" \
  -- -q --force -o w-dir tiny.cfg
mkdir -p "$tmp/w-model" && : >"$tmp/w-model/model" && : >"$tmp/w-model/somaif.lock"
bad 1 "model/ that is a file (fails after training)" "w-model/model: cannot create: Not a directory" \
  -- -q --force -o w-model tiny.cfg
mkdir -p "$tmp/w-snap" && : >"$tmp/w-snap/snapshots" && : >"$tmp/w-snap/somaif.lock"
bad 1 "snapshots/ that is a file" "w-snap/snapshots: cannot create: Not a directory" \
  -- -q --force -o w-snap tiny.cfg
# A snapshot's picture that cannot be written: on one thread at once, on two
# from the thread that writes it, reported at the next snapshot.
for j in 1 2; do
  mkdir -p "$tmp/w-snap$j/snapshots/prototypes-000010.png" && : >"$tmp/w-snap$j/somaif.lock"
  bad 1 "a snapshot's picture that is a folder, $j thread(s)" \
    "w-snap$j/snapshots/prototypes-000010.png: cannot write: Is a directory" \
    -- -q -j $j --force -o w-snap$j tiny.cfg
done
# When a checkpoint is due with the snapshot, the checkpoint's thread waits for
# the snapshot's (a checkpoint stands for every file before it): the
# snapshot's failure is the checkpoint's, reported, and no checkpoint is there.
mkdir -p "$tmp/w-snapck/snapshots/prototypes-000010.png" && : >"$tmp/w-snapck/somaif.lock"
bad 1 "a snapshot's picture that is a folder, due with a checkpoint, 2 threads" \
  "w-snapck/snapshots/prototypes-000010.png: cannot write: Is a directory" \
  -- -q -j 2 --force -o w-snapck --set experiment.checkpoint_every=10 tiny.cfg
if [ ! -e "$tmp/w-snapck/checkpoint.bin" ]; then
  ok "... and no checkpoint written after the snapshot that failed"
else
  not_ok "... and no checkpoint written after the snapshot that failed"
fi
# A final picture that cannot be written: on one thread at once, on two from
# the thread that draws the pictures while the plugins' states and the curves
# are written; reported either way, and the run not marked done (no
# run.json).  With the states failing too, the picture's failure is the one
# reported, as on one thread (the pictures come first).
for j in 1 2; do
  mkdir -p "$tmp/w-fig$j/prototypes.png" && : >"$tmp/w-fig$j/somaif.lock"
  bad 1 "the final prototypes' picture a folder, $j thread(s)" \
    "w-fig$j/prototypes.png: cannot write: Is a directory" \
    -- -q -j $j --force -o w-fig$j tiny.cfg
  if [ ! -e "$tmp/w-fig$j/run.json" ] && [ -s "$tmp/w-fig$j/repertoire.png" ]; then
    ok "the final prototypes' picture a folder, $j thread(s): repertoire.png there, no run.json"
  else
    not_ok "the final prototypes' picture a folder, $j thread(s): repertoire.png there, no run.json"
  fi
  mkdir -p "$tmp/w-fig2-$j/repertoire.png" "$tmp/w-fig2-$j/model/perceiver.state.tmp/x"
  : >"$tmp/w-fig2-$j/somaif.lock"
  bad 1 "the final repertoire a folder and a state unwritable, $j thread(s)" \
    "w-fig2-$j/repertoire.png: cannot write: Is a directory" \
    -- -q -j $j --force -o w-fig2-$j tiny.cfg
  if holds "$tmp/err" perceiver.state; then
    not_ok "the final repertoire a folder and a state unwritable, $j thread(s): the state's failure not reported"
  else
    ok "the final repertoire a folder and a state unwritable, $j thread(s): the state's failure not reported"
  fi
done
# A checkpoint that cannot be written (its temporary name taken by a
# folder): with workers it is written on a thread of its own and reported as
# soon as that thread ends, or at the end of training for the last one; exit
# 1 naming it either way.
for case in 1:10 2:10 2:1000; do
  j=${case%:*} every=${case#*:}
  mkdir -p "$tmp/w-ck$j-$every/checkpoint.bin.tmp/x" && : >"$tmp/w-ck$j-$every/somaif.lock"
  bad 1 "a checkpoint whose temporary file is a folder, $j thread(s), every $every epochs" \
    "w-ck$j-$every/checkpoint.bin: cannot write the checkpoint: Is a directory" \
    -- -q -j $j --force -o w-ck$j-$every --set experiment.checkpoint_every=$every tiny.cfg
done
# ... and soon: the run stops long before the next checkpoint would have
# reported it (the rows of metrics.csv end before epoch 20000).
mkdir -p "$tmp/w-ck-soon/checkpoint.bin.tmp/x" && : >"$tmp/w-ck-soon/somaif.lock"
srun -q -j 2 --force -o w-ck-soon --set experiment.epochs=30000 \
  --set experiment.checkpoint_every=10000 tiny.cfg
last=$(awk -F, 'NR > 1 { e = $1 } END { print e + 0 }' "$tmp/w-ck-soon/metrics.csv" 2>/dev/null)
if [ "$status" -eq 1 ] && [ -n "$last" ] && [ "$last" -ge 9999 ] && [ "$last" -lt 19999 ]; then
  ok "a checkpoint failed on its thread is reported within the epochs after it (at epoch $last)"
else
  not_ok "a checkpoint failed on its thread is reported within the epochs after it (exit $status, last epoch ${last:-none})"; show
fi
# A link is never written through: --force does not take a folder holding
# only a link for a run (a full disk is the file size limit's test below).
if [ -c /dev/full ]; then
  mkdir -p "$tmp/w-full" && ln -s /dev/full "$tmp/w-full/metrics.csv"
  bad 2 "metrics.csv a link to /dev/full, in a folder that holds no run" \
    "w-full holds files but no run" -- -q --force -o w-full tiny.cfg
else
  skip "metrics.csv a link to /dev/full, in a folder that holds no run" "no /dev/full"
fi
# A file size limit: writes beyond it fail with EFBIG (SIGXFSZ ignored).
(cd "$tmp" && trap '' XFSZ && ulimit -f 4 && exec "$run" -q -o w-fsize tiny.cfg) \
  >"$tmp/out" 2>"$tmp/err"
status=$?
expect 1 "a file size limit (ulimit -f)" "File too large"

echo "# ---- a NaN during the run"
cat >"$tmp/nan.cfg" <<'EOF'
experiment = { epochs = 30; seed = 7; steps = 12; snapshots = 3; };
generator = { plugin = "good-gen"; units = 4; };
plant = { plugin = "good-plant"; scale = 1.5; };
renderer = { plugin = "nan-renderer"; width = 10; height = 8;
  poison = { phases = ( { until_epoch = 17; value = 0.0; }, { value = 1.0; } ); }; };
perceiver = { plugin = "good-perceiver"; units = 5; };
optimiser = { plugin = "good-optimiser"; candidates = 3; };
EOF
bad 1 "a NaN image from epoch 17" "epoch 17, goal " \
  "renderer plugin 'nan-renderer' drew a non-finite pixel (candidate 0)" -- -q -o nan nan.cfg
# Each stage's output is checked, naming the stage and the plugin (tests/plugins/faulty.c).
mk f-cand '6s/.*/optimiser = { plugin = "faulty-optimiser"; fault = 1; };/'
bad 1 "a NaN initial state proposed" "epoch 0, goal " \
  "optimiser plugin 'faulty-optimiser' proposed a non-finite initial state (candidate 0)" \
  -- -q -o f-cand f-cand.cfg
if [ -e "$tmp/f-cand/model/initial_states.npy" ]; then
  not_ok "a NaN initial state leaves no model/initial_states.npy"
else
  ok "a NaN initial state leaves no model/initial_states.npy"
fi
mk f-sol '6s/.*/optimiser = { plugin = "faulty-optimiser"; fault = 2; };/'
bad 1 "an infinite solution" "final evaluation" \
  "optimiser plugin 'faulty-optimiser' gave a non-finite solution for goal 0" \
  -- -q -o f-sol f-sol.cfg
mk f-gen '2s/.*/generator = { plugin = "faulty-gen"; fault = 1; };/'
bad 1 "a NaN motor command" "epoch 0, goal " \
  "generator plugin 'faulty-gen' gave a non-finite motor command (candidate " \
  -- -q -o f-gen f-gen.cfg
mk f-plant '3s/.*/plant = { plugin = "faulty-plant"; fault = 1; };/'
bad 1 "an infinite pen point" "epoch 0, goal " \
  "plant plugin 'faulty-plant' gave a non-finite point (candidate 0)" -- -q -o f-plant f-plant.cfg
# fails_in_epoch_20 NAME WHAT MESSAGE: NAME.cfg, run on 1, 2 and 8 threads,
# fails in epoch 20 with MESSAGE, having learned and written the 20 epochs
# before it (60 rows in metrics.csv, none of epoch 20's), and leaves the
# same metrics.csv and schedules.csv on each.
fails_in_epoch_20 () {
  for j in 1 2 8; do
    bad 1 "$2 in epoch 20, on $j threads" "epoch 20, goal " "$3" -- -q -j $j -o "$1$j" "$1.cfg"
    rows=$(($(wc -l <"$tmp/$1$j/metrics.csv") - 1))
    if [ "$rows" -eq 60 ]; then
      ok "the 20 epochs before $2 on $j threads: 60 rows in metrics.csv"
    else
      not_ok "the 20 epochs before $2 on $j threads: $rows rows in metrics.csv, not 60"
    fi
  done
  for j in 2 8; do
    if cmp -s "$tmp/${1}1/metrics.csv" "$tmp/$1$j/metrics.csv" &&
       cmp -s "$tmp/${1}1/schedules.csv" "$tmp/$1$j/schedules.csv"; then
      ok "metrics.csv and schedules.csv after $2: the same on 1 and $j threads"
    else
      not_ok "metrics.csv and schedules.csv after $2: the same on 1 and $j threads"
    fi
  done
}
# A failure in an epoch whose rollouts began while the epoch before's ran
# (the optimiser proposes ahead; epoch 20's candidate 1 is marked, the
# generator turns it into a NaN; slow drawings keep the epoch before's
# rollouts running meanwhile): named with its own epoch and candidate.
mk mark '2s/.*/generator = { plugin = "faulty-gen"; fault = 3; };/
4s/.*/renderer = { plugin = "nan-renderer"; width = 10; height = 8; delay = 0.002; };/
6s/.*/optimiser = { plugin = "faulty-optimiser"; fault = 3; at = 20; units = 3; };/
1s/epochs = 30/epochs = 40/'
fails_in_epoch_20 mark "a NaN motor command" \
  "generator plugin 'faulty-gen' gave a non-finite motor command (candidate 1)"
# The same with the failure in the plant, after the epoch's candidate 0 is
# drawn well (a huge motor command for the marked candidate, which the plant
# turns into an infinite point).
mk mark-plant '2s/.*/generator = { plugin = "faulty-gen"; fault = 4; };/
3s/.*/plant = { plugin = "faulty-plant"; fault = 2; };/
4s/.*/renderer = { plugin = "nan-renderer"; width = 10; height = 8; delay = 0.002; };/
6s/.*/optimiser = { plugin = "faulty-optimiser"; fault = 3; at = 20; units = 3; };/
1s/epochs = 30/epochs = 40/'
fails_in_epoch_20 mark-plant "an infinite point" \
  "plant plugin 'faulty-plant' gave a non-finite point (candidate 1)"
mk f-learn '5s/.*/perceiver = { plugin = "faulty-perceiver"; units = 5; fault = 4; };/'
bad 1 "a NaN winner distance when learning" "epoch 0, goal " \
  "perceiver plugin 'faulty-perceiver' gave a non-finite distance to its winner in learn" \
  -- -q -o f-learn f-learn.cfg
mk f-rec '5s/.*/perceiver = { plugin = "faulty-perceiver"; units = 5; fault = 5; };/'
bad 1 "a NaN winner distance when recognising" "final evaluation" \
  "perceiver plugin 'faulty-perceiver' gave a non-finite distance to its winner in recognise" \
  -- -q -o f-rec f-rec.cfg
mk f-create '2s/.*/generator = { plugin = "faulty-gen"; fault = 2; };/'
bad 2 "a create() that fails without a GError" \
  "generator plugin 'faulty-gen' could not start: its create() returned no instance without" \
  "(a mistake of the plugin)" -- --check f-create.cfg
# The same plugin name, another version (no saved state): --resume names the file.
srun -q -o changed tiny.cfg
(SOMAIF_PLUGIN_PATH=$builddir/stateless/.libs:$SOMAIF_PLUGIN_PATH && export SOMAIF_PLUGIN_PATH &&
   cd "$tmp" && exec "$run" -q --resume changed) >"$tmp/out" 2>"$tmp/err"
status=$?
expect 2 "--resume with a plugin that changed" \
  "changed/checkpoint.bin: the optimiser was plugin 'good-optimiser' with 3 parameters and a saved state" \
  "the file loaded now, $builddir/stateless/.libs/good-optimiser.so, is 'good-optimiser' with 3 parameters and no saved state"
# The map's distances are checked at start, by --check too.
mk f-neg '5s/.*/perceiver = { plugin = "faulty-perceiver"; units = 5; fault = 1; };/'
bad 2 "a negative map distance" "f-neg.cfg: perceiver plugin 'faulty-perceiver':" \
  "distance (1, 0) is -1" "must be finite and >= 0, and 0 from a unit to itself" -- --check f-neg.cfg
mk f-dnan '5s/.*/perceiver = { plugin = "faulty-perceiver"; units = 5; fault = 2; };/'
bad 2 "a NaN map distance" "perceiver plugin 'faulty-perceiver':" "distance (1, 0) is nan" \
  -- --check f-dnan.cfg
mk f-diag '5s/.*/perceiver = { plugin = "faulty-perceiver"; units = 5; fault = 3; };/'
bad 2 "a map distance from a unit to itself" "perceiver plugin 'faulty-perceiver':" \
  "distance (0, 0) is 1" -- --check f-diag.cfg

# ---- interruptions ------------------------------------------------------------
# same A B: the outputs of two runs are byte-identical.
same () {
  for f in metrics.csv final.csv schedules.csv quality.csv; do
    cmp -s "$1/$f" "$2/$f" || { echo "# $f differs"; return 1; }
  done
  for f in "$1"/model/*.npy "$1"/model/*.state "$1"/snapshots/*.npy; do
    b=${f#"$1"/}
    cmp -s "$f" "$2/$b" || { echo "# $b differs"; return 1; }
  done
  [ "$(ls "$1/model" | wc -l)" -eq "$(ls "$2/model" | wc -l)" ] &&
    [ "$(ls "$1/snapshots" | wc -l)" -eq "$(ls "$2/snapshots" | wc -l)" ]
}
# wait_for DIR PID EPOCH: until DIR's checkpoint reaches EPOCH (0: until
# training starts) or PID ends.
wait_for () {
  polls=0
  while kill -0 "$2" 2>/dev/null && [ $polls -lt 6000 ]; do
    if [ "$3" -eq 0 ]; then
      [ -f "$1/metrics.csv" ] && return 0
    elif [ -f "$1/checkpoint.bin" ] && [ "$(next_epoch "$1")" -ge "$3" ]; then
      return 0
    fi
    sleep 0.02
    polls=$((polls + 1))
  done
  return 1
}
# interrupt SIGNAL EPOCH NAME: runs quick.cfg into NAME, sends SIGNAL once the
# checkpoint reaches EPOCH, then resumes; compares with the reference run.
interrupt () {
  rm -rf "$tmp/$3"
  (cd "$tmp" && exec "$run" -j 2 -o "$3" --set experiment.checkpoint_every=50 quick.cfg) \
    >"$tmp/out" 2>"$tmp/err" &
  bg_pid=$!
  wait_for "$tmp/$3" $bg_pid "$2"
  kill "-$1" $bg_pid 2>/dev/null
  wait $bg_pid
  status=$?
  bg_pid=
  want=130
  [ "$1" = TERM ] && want=143
  stopped=$(sed -n 's/.*interrupted after epoch \([0-9]*\) of 2000.*/\1/p' "$tmp/err")
  at=$(next_epoch "$tmp/$3")
  what="SIG$1 once the checkpoint reached epoch $2"
  if [ "$status" -eq $want ] && [ -n "$stopped" ] && [ "$stopped" -ge "$2" ] &&
     [ "$stopped" -lt 2000 ] && [ "$at" = "$stopped" ] &&
     holds "$tmp/err" "go on with: somaif-run --resume $3"; then
    ok "$what: exit $want after epoch $stopped, with a checkpoint there"
  else
    not_ok "$what: exit $status (wanted $want), stopped '$stopped', checkpoint at $at"; show
  fi
  srun -q --resume "$3"
  if [ "$status" -eq 0 ] && same "$tmp/ref" "$tmp/$3"; then
    ok "$what: --resume gives byte-identical outputs"
  else
    not_ok "$what: --resume gives byte-identical outputs (exit $status)"; show
  fi
}

if [ $have_real = yes ]; then
  srun -q -j 2 -o ref --set experiment.checkpoint_every=50 quick.cfg
  if [ "$status" -eq 0 ]; then ok "an uninterrupted run of quick.cfg"; else not_ok "an uninterrupted run of quick.cfg (exit $status)"; show; fi
  echo "# ---- SIGTERM at the start; SIGINT early, in the middle and late"
  # 0: as soon as training starts, before the first periodic checkpoint.
  interrupt TERM 0 term-start
  interrupt INT 500 int-early
  interrupt INT 1000 int-middle
  interrupt INT 1500 int-late
else
  skip_or_fail "an uninterrupted run of quick.cfg" "the real plugins are not all built"
  for w in "SIGTERM at the start" "SIGINT early" "SIGINT in the middle" "SIGINT late"; do
    skip_or_fail "$w" "the real plugins are not all built"
    skip_or_fail "$w: --resume gives byte-identical outputs" "the real plugins are not all built"
  done
fi

echo "# ---- a double SIGINT stops at once"
# Epochs made slow (each drawing sleeps 0.2 s) so that the second signal comes
# in the middle of an epoch, where only the default action can stop the run.
cat >"$tmp/slow.cfg" <<'EOF'
experiment = { epochs = 12; seed = 3; steps = 12; snapshots = 3; checkpoint_every = 1; };
generator = { plugin = "good-gen"; units = 4; };
plant = { plugin = "good-plant"; scale = 1.5; };
renderer = { plugin = "nan-renderer"; width = 10; height = 8; delay = 0.2; };
perceiver = { plugin = "good-perceiver"; units = 5; };
optimiser = { plugin = "good-optimiser"; candidates = 2; };
EOF
srun -q -j 2 -o slow-ref --set renderer.delay=0.0 slow.cfg
ref_status=$status
attempt=0
while :; do
  attempt=$((attempt + 1))
  rm -rf "$tmp/double"
  (cd "$tmp" && exec "$run" -q -j 2 -o double slow.cfg) >"$tmp/out" 2>"$tmp/err" &
  bg_pid=$!
  wait_for "$tmp/double" $bg_pid 3
  kill -INT $bg_pid 2>/dev/null
  sleep 0.01
  kill -INT $bg_pid 2>/dev/null
  wait $bg_pid
  status=$?
  bg_pid=
  # The first signal alone would print this; a retry when the second came
  # too late (after the run had stopped by itself).
  holds "$tmp/err" "interrupted after epoch" && [ $attempt -lt 4 ] && continue
  break
done
mb=$(u32 "$tmp/double/checkpoint.bin" 80)
if [ "$status" -eq 130 ] && ! holds "$tmp/err" "interrupted after epoch" && [ "$mb" -gt 0 ]; then
  ok "a double SIGINT: killed by the signal (exit 130, no message), a checkpoint left (attempt $attempt)"
else
  not_ok "a double SIGINT: exit $status, metrics bytes $mb (attempt $attempt)"; show
fi
if [ "$mb" -gt 0 ] && [ "$(wc -c <"$tmp/double/metrics.csv")" -ge "$mb" ] &&
   [ "$(head -c "$mb" "$tmp/double/metrics.csv" | cksum)" = \
     "$(head -c "$mb" "$tmp/slow-ref/metrics.csv" | cksum)" ]; then
  ok "a double SIGINT: metrics.csv intact up to the last checkpoint ($mb bytes)"
else
  not_ok "a double SIGINT: metrics.csv intact up to the last checkpoint ($mb bytes)"
fi
srun -q --resume double
if [ $ref_status -eq 0 ] && [ "$status" -eq 0 ] && same "$tmp/slow-ref" "$tmp/double"; then
  ok "a double SIGINT: --resume gives byte-identical outputs"
else
  not_ok "a double SIGINT: --resume gives byte-identical outputs (exit $status, reference $ref_status)"; show
fi

echo "# ---- a hang-up and a closed pipe"
# SIGHUP stops like SIGTERM; the hint to go on quotes a folder with a space.
rm -rf "$tmp/hup run"
(cd "$tmp" && exec "$run" -q -j 2 -o "hup run" slow.cfg) >"$tmp/out" 2>"$tmp/err" &
bg_pid=$!
wait_for "$tmp/hup run" $bg_pid 3
kill -HUP $bg_pid 2>/dev/null
wait $bg_pid
status=$?
bg_pid=
if [ "$status" -eq 129 ] && holds "$tmp/err" "interrupted after epoch" &&
   holds "$tmp/err" "go on with: somaif-run --resume 'hup run'" &&
   [ -f "$tmp/hup run/checkpoint.bin" ]; then
  ok "SIGHUP: exit 129 with a checkpoint, and a shell-quoted hint to go on"
else
  not_ok "SIGHUP: exit $status, wanted 129 with a checkpoint and a quoted hint"; show
fi
srun -q --resume "hup run"
if [ $ref_status -eq 0 ] && [ "$status" -eq 0 ] && same "$tmp/slow-ref" "$tmp/hup run"; then
  ok "SIGHUP: --resume gives byte-identical outputs"
else
  not_ok "SIGHUP: --resume gives byte-identical outputs (exit $status)"; show
fi
# A reader that closes its end at once: every write after is to a closed pipe.
rm -f "$tmp/pipe"
mkfifo "$tmp/pipe"
(exec <"$tmp/pipe") &
reader=$!
(cd "$tmp" && exec "$run" -j 2 -o piped tiny.cfg) >"$tmp/pipe" 2>&1
status=$?
wait $reader
if [ "$status" -eq 0 ] && [ -s "$tmp/piped/final.csv" ] && [ -f "$tmp/piped/checkpoint.bin" ]; then
  ok "stdout and stderr closed by their reader: the run goes on to its end and checkpoint"
else
  not_ok "stdout and stderr closed by their reader (exit $status, wanted 0 and a finished run)"
fi
# run.json's command line, as a shell would read it back.
srun -q -o quoted --set 'plant={ plugin = "good-plant"; scale = 1.5; }' tiny.cfg
if [ "$status" -eq 0 ] &&
   holds "$tmp/quoted/run.json" "-q -o quoted --set 'plant={ plugin = \\\"good-plant\\\"; scale = 1.5; }' tiny.cfg"; then
  ok "run.json quotes the command line's arguments for a shell"
else
  not_ok "run.json quotes the command line's arguments (exit $status)"
  grep command "$tmp/quoted/run.json" | sed 's/^/# /'
fi

echo "# ---- inputs read bounded, includes, paths given with --set"
bad 2 "a device as the config" "/dev/zero: cannot read this config file: it is not a regular file" \
  -- --check /dev/zero
# @include from the including file's folder, nested, whatever the current folder
# holds: a same-named decoy here would be wrong.
mkdir -p "$tmp/inc/sub"
sed -n '1p' "$tmp/tiny.cfg" >"$tmp/inc/main.cfg"
printf '@include "parts.cfg"\n' >>"$tmp/inc/main.cfg"
sed -n '2,3p' "$tmp/tiny.cfg" >"$tmp/inc/parts.cfg"
printf '@include "sub/more.cfg"\n' >>"$tmp/inc/parts.cfg"
sed -n '4p' "$tmp/tiny.cfg" >"$tmp/inc/sub/more.cfg"
printf '@include "leaf.cfg"\n' >>"$tmp/inc/sub/more.cfg"
sed -n '5,6p' "$tmp/tiny.cfg" >"$tmp/inc/sub/leaf.cfg"
printf 'this is no config\n' >"$tmp/parts.cfg"
srun --check inc/main.cfg
expect 0 "@include taken from the including file's folder, nested twice"
sed 's/units = 5;/unitz = 5;/' "$tmp/inc/sub/leaf.cfg" >"$tmp/inc/sub/leaf2.cfg"
sed 's/leaf.cfg/leaf2.cfg/' "$tmp/inc/sub/more.cfg" >"$tmp/inc/sub/more2.cfg"
sed 's|sub/more.cfg|sub/more2.cfg|' "$tmp/inc/parts.cfg" >"$tmp/inc/parts2.cfg"
sed 's/parts.cfg/parts2.cfg/' "$tmp/inc/main.cfg" >"$tmp/inc/main2.cfg"
bad 2 "a mistake in an included file, named with its own file and line" \
  "inc/sub/leaf2.cfg:1: perceiver.unitz: unknown key; did you mean 'units'?" -- --check inc/main2.cfg
printf '@include "nosuch.cfg"\n' >"$tmp/inc/missing.cfg"
bad 2 "an @include of a file that does not exist" \
  "inc/missing.cfg:1: @include: inc/nosuch.cfg: cannot read this config file: No such file" \
  -- --check inc/missing.cfg
printf '@include "loop.cfg"\n' >"$tmp/inc/loop.cfg"
bad 2 "a config that includes itself" "inc/loop.cfg:1: @include: inc/loop.cfg includes itself" \
  -- --check inc/loop.cfg
# A path given with --set is taken from the current folder, not the config's.
mkdir -p "$tmp/cfgdir" "$tmp/mine"
cp "$tmp/tiny.cfg" "$tmp/cfgdir/tiny.cfg"
cp "$builddir/.libs/good-plant.so" "$tmp/mine/good-plant.so"
srun --check --set 'plant.plugin="mine/good-plant.so"' cfgdir/tiny.cfg
expect 0 "a plugin path given with --set, from the current folder"
if [ $have_real = yes ]; then
  cp "$golden/esn.txt" "$tmp/w.txt"
  srun --check --set 'generator.weights="w.txt"' "$configs/quick.cfg"
  expect 0 "a weights file given with --set, from the current folder (the config is elsewhere)"
else
  skip "a weights file given with --set, from the current folder" "the real plugins are not all built"
fi

echo "# ---- what would fail mid-run, refused by --check"
if [ $have_real = yes ]; then
  bad 2 "4000 units: the picture of the prototypes would be too tall" \
    "quick.cfg: the pictures of the prototypes (4000 units of 64 x 64 pixels) cannot be drawn" \
    "more than the 32767 a side of a picture may have" \
    -- --check --set perceiver.units=4000 --set experiment.snapshots=0 quick.cfg
  # The limit leaves room for the small run (skipped where even that cannot
  # start under a limit, as under AddressSanitizer).
  (ulimit -v 1500000 && cd "$tmp" && exec "$run" --check quick.cfg) >"$tmp/out" 2>"$tmp/err"
  if [ $? -ne 0 ]; then
    skip "a run that cannot fit the address space limit" "nothing starts under ulimit -v here"
    skip "a run whose metrics rows cannot fit the address space limit" \
      "nothing starts under ulimit -v here"
  else
    (ulimit -v 1500000 && cd "$tmp" && exec "$run" --check --set renderer.width=2048 \
       --set renderer.height=2048 --set perceiver.units=12 quick.cfg) >"$tmp/out" 2>"$tmp/err"
    status=$?
    expect 2 "a run that cannot fit the address space limit (ulimit -v)" \
      "quick.cfg: this run needs about" "but the address space limit (RLIMIT_AS, ulimit -v) leaves"
    # The metrics rows kept for curves.csv (48 bytes a rollout) count too:
    # 10^8 epochs of 10 candidates would need tens of GiB before the end.
    (ulimit -v 1500000 && cd "$tmp" && exec "$run" --check --set experiment.epochs=100000000 \
       quick.cfg) >"$tmp/out" 2>"$tmp/err"
    status=$?
    expect 2 "a run whose metrics rows cannot fit the address space limit" \
      "quick.cfg: this run needs about" "but the address space limit (RLIMIT_AS, ulimit -v) leaves"
  fi
else
  for w in "4000 units: the picture of the prototypes would be too tall" \
           "a run that cannot fit the address space limit" \
           "a run whose metrics rows cannot fit the address space limit"; do
    skip "$w" "the real plugins are not all built"
  done
fi

echo "1..$n"
exit 0
