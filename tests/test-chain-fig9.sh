#!/bin/sh
# test-chain-fig9.sh: docs/chaining-fig9.sh cut down (repertoires of 6 and 4
# units trained 40 epochs over 2 seeds, 2 letters), in TAP: every file, its
# columns, finite values, intervals around their means, q summing to 1.
here=$(cd "$(dirname "$0")" && pwd)
builddir=${G_TEST_BUILDDIR:-$here}
srcdir=${G_TEST_SRCDIR:-$here}
script=$srcdir/../docs/chaining-fig9.sh
LC_ALL=C
export LC_ALL
SOMAIF_SWEEP=${SOMAIF_SWEEP:-$builddir/../core/somaif-sweep}
SOMAIF_CHAIN=${SOMAIF_CHAIN:-$builddir/../core/somaif-chain}
export SOMAIF_SWEEP SOMAIF_CHAIN

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-chain-fig9.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
printf 'leak:libfontconfig.so\nleak:libconfig.so\n' >"$tmp/lsan.supp"
LSAN_OPTIONS="suppressions=$tmp/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; }
result () { if [ "$1" = yes ]; then ok "$2"; else not_ok "$2"; fi; }

FIG9_CONFIGS=seed FIG9_SIZES="6 4" FIG9_SEEDS=2 FIG9_EPOCHS=40 FIG9_LETTERS="c,i" \
FIG9_SAMPLES=10 FIG9_JOBS=1 "$script" "$tmp/fig9" >"$tmp/out" 2>"$tmp/err"
status=$?
result "$([ $status -eq 0 ] && echo yes)" "the cut-down experiment runs (exit $status)"
sed 's/^/# /' "$tmp/err" | head -5
all=yes
for f in fig9-runs.csv fig9.csv fig9.md fig9.svg; do
  [ -s "$tmp/fig9/$f" ] || { all=no; echo "# no $f"; }
done
result $all "fig9-runs.csv, fig9.csv, fig9.md and fig9.svg written"

# A chaining per size x seed x repertoire x planner: 2 x 2 x 2 x 3.
check=$(awk -F, 'NR == 1 { if ($0 != "config,units,seed,repertoire,planner,complexity,q_target,recognised") bad = " header"; next }
  { rows++; for (i = 6; i <= 8; i++) if ($i !~ /^[0-9.]+$/) bad = bad " " NR ":" i
    if ($7 > 1 || $8 > 1) bad = bad " range" NR }
  END { print rows "" bad }' "$tmp/fig9/fig9-runs.csv")
result "$([ "$check" = 24 ] && echo yes)" "fig9-runs.csv: 24 chainings, finite, in range ($check)"
check=$(awk -F, 'NR == 1 { if ($0 != "config,units,repertoire,planner,n,complexity,ci_low,ci_high,values") bad = " header"; next }
  { rows++; if ($5 != 2) bad = bad " n" NR
    for (i = 6; i <= 8; i++) if ($i !~ /^-?[0-9.]+$/) bad = bad " " NR ":" i
    if ($7 > $6 || $6 > $8) bad = bad " ci" NR
    if (split($9, v, " ") != 2) bad = bad " values" NR }
  END { print rows "" bad }' "$tmp/fig9/fig9.csv")
result "$([ "$check" = 12 ] && echo yes)" "fig9.csv: 12 cells of 2 repertoires, finite, intervals around the means ($check)"
result "$([ "$(grep -c '^| seed |' "$tmp/fig9/fig9.md")" = 6 ] && echo yes)" \
  "fig9.md: a row a size and planner, learned beside random"
result "$(grep -q '^<svg' "$tmp/fig9/fig9.svg" && [ "$(grep -c '<rect x=' "$tmp/fig9/fig9.svg")" -ge 12 ] \
  && echo yes)" "fig9.svg: a bar a cell"
# q sums to 1 after every step of every chaining.
bad=$(for f in "$tmp"/fig9/chains/*/*/*/chain.csv; do
  awk -F, 'NR > 1 { s = 0; for (i = NF - 1; i <= NF; i++) s += $i
    if (s < 1 - 1e-6 || s > 1 + 1e-6 || $4 != $4 + 0) print FILENAME ":" NR }' "$f"
done | wc -l)
count=$(ls "$tmp"/fig9/chains/*/*/*/chain.csv | wc -l)
result "$([ "$bad" = 0 ] && [ "$count" = 24 ] && echo yes)" "q sums to 1 in all $count chain.csv files"
echo "1..$n"
