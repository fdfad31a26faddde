#!/bin/sh
# test-quick.sh: configs/quick.cfg end to end: learning happens, every output
# exists and parses, and the run repeats byte for byte (across thread counts,
# from its own resolved config, and through --replay).
set -u
run=${SOMAIF_RUN:?}
cfg=${SOMAIF_CONFIGS:?}/quick.cfg
tmp=$(mktemp -d "${TMPDIR:-/tmp}/somaif-quick.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
. "${G_TEST_SRCDIR:-$(dirname "$0")}/tap.sh"
check () { desc=$1; shift; if "$@" >/dev/null 2>&1; then ok "$desc"; else not_ok "$desc"; fi; }

echo "1..16"
epochs=$(sed -n 's/^ *epochs *= *\([0-9]*\);.*/\1/p' "$cfg")

check "quick.cfg runs (2 threads)" "$run" --quiet --threads 2 --output "$tmp/a" "$cfg"

missing=""
for f in metrics.csv final.csv schedules.csv config.cfg run.json curves.png repertoire.png \
         prototypes.png model/prototypes.npy model/initial_states.npy model/trajectories.npy \
         model/drawings.npy model/w_r.npy model/b_r.npy model/w_o.npy model/b_o.npy; do
  [ -s "$tmp/a/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then ok "every output exists"; else not_ok "every output exists (missing:$missing)"; fi

snaps=$(ls "$tmp/a/snapshots/"*.npy 2>/dev/null | wc -l)
if [ "$snaps" -eq 10 ]; then ok "10 prototype snapshots"; else not_ok "10 prototype snapshots (found $snaps)"; fi

header=$(head -n 1 "$tmp/a/metrics.csv")
check "metrics.csv header" test "$header" = "epoch,goal,candidate,winner,accuracy,complexity,free_energy"
rows=$(($(wc -l < "$tmp/a/metrics.csv") - 1))
check "metrics.csv has 10 rows an epoch ($rows for $epochs epochs)" test "$rows" -eq $((epochs * 10))
check "metrics.csv rows are 7 finite numbers" awk -F, '
  NR > 1 { if (NF != 7) bad = 1
           for (i = 1; i <= 7; i++) if ($i !~ /^-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$/) bad = 1 }
  END { exit bad }' "$tmp/a/metrics.csv"
check "final.csv header" test "$(head -n 1 "$tmp/a/final.csv")" = "goal,winner,distance,accuracy,complexity"
check "final.csv has a row per goal" test "$(($(wc -l < "$tmp/a/final.csv") - 1))" -eq 10

# Learning: the final drawings fit their prototypes far better than the
# first epochs' drawings fit theirs, and are recognised as (nearly) themselves.
early=$(awk -F, 'NR > 1 && $1 < 100 { s += $5; k++ } END { printf "%.3f", s / k }' "$tmp/a/metrics.csv")
final=$(awk -F, 'NR > 1 { s += $4; k++ } END { printf "%.3f", s / k }' "$tmp/a/final.csv")
check "learning: final inaccuracy $final < 0.6 x early $early" awk -v f="$final" -v e="$early" 'BEGIN { exit !(f < 0.6 * e) }'
dist=$(awk -F, 'NR > 1 { s += $3; k++ } END { printf "%.3f", s / k }' "$tmp/a/final.csv")
check "winners near their goals (mean map distance $dist <= 1)" awk -v d="$dist" 'BEGIN { exit !(d <= 1) }'

# .npy: the magic and the shape in the header.
check "prototypes.npy is a (10, 64, 64) float32 array" sh -c \
  "head -c 128 '$tmp/a/model/prototypes.npy' | grep -a -q \"'descr': '<f4', 'fortran_order': False, 'shape': (10, 64, 64)\""
check "trajectories.npy is (10, 101, 2) float64" sh -c \
  "head -c 128 '$tmp/a/model/trajectories.npy' | grep -a -q \"'<f8', 'fortran_order': False, 'shape': (10, 101, 2)\""

same () {
  for f in metrics.csv final.csv schedules.csv config.cfg model/prototypes.npy \
           model/initial_states.npy model/trajectories.npy model/drawings.npy; do
    cmp -s "$1/$f" "$2/$f" || return 1
  done
  for f in "$1"/snapshots/*.npy; do cmp -s "$f" "$2/snapshots/$(basename "$f")" || return 1; done
}
"$run" --quiet --threads 1 --output "$tmp/b" "$cfg" >/dev/null 2>&1
check "1 thread and 2 threads give byte-identical outputs" same "$tmp/a" "$tmp/b"
"$run" --quiet --threads 8 --output "$tmp/c" "$tmp/a/config.cfg" >/dev/null 2>&1
check "the resolved config.cfg repeats the run byte for byte (8 threads)" same "$tmp/a" "$tmp/c"

cp "$tmp/a/final.csv" "$tmp/final.before"
rm -f "$tmp/a/curves.png" "$tmp/a/repertoire.png"
check "--replay redraws the figures" sh -c "'$run' --quiet --replay '$tmp/a' && test -s '$tmp/a/curves.png' && test -s '$tmp/a/repertoire.png'"
check "--replay reproduces final.csv" cmp -s "$tmp/final.before" "$tmp/a/final.csv"
exit $failed
