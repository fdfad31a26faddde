#!/bin/sh
# test-paper-figures.sh: somaif-paper-figures --quick end to end, in TAP (2
# betas x 2 seeds of 200 epochs on paper.cfg and seed.cfg): the plan it
# prints, every figure and summary it gathers, the summary's columns for the
# beta study, the chaining hook (when somaif-chain is built), a second call
# that runs nothing, bad usage; and the installed sweeps found by name.
#
# Environment (set by tests/Makefile.am): SOMAIF_RUN (the built somaif-run,
# somaif-sweep beside it), SOMAIF_PLUGIN_PATH, SOMAIF_CONFIGS (configs/),
# G_TEST_BUILDDIR (this folder in the build tree).

here=$(cd "$(dirname "$0")" && pwd)
builddir=${G_TEST_BUILDDIR:-$here}
run=${SOMAIF_RUN:-$builddir/../core/somaif-run}
sweep=$(dirname "$run")/somaif-sweep
script=$builddir/../configs/somaif-paper-figures
configs=${SOMAIF_CONFIGS:?}
export SOMAIF_RUN="$run" SOMAIF_SWEEP="$sweep" SOMAIF_CONFIGS_DIR="$configs"
# the chaining hook is tested where somaif-chain is built; here it is absent
SOMAIF_CHAIN=/nonexistent/somaif-chain
[ -x "$builddir/../core/somaif-chain" ] && SOMAIF_CHAIN=$builddir/../core/somaif-chain
[ -x "$SOMAIF_CHAIN" ] || SOMAIF_CHAIN=
export SOMAIF_CHAIN
if [ -z "$SOMAIF_CHAIN" ]; then
  # keep an installed somaif-chain on the PATH out of this test
  PATH=$(printf '%s' "$PATH" | tr ':' '\n' | while read -r d; do
    [ -x "$d/somaif-chain" ] || printf '%s:' "$d"; done)
  PATH=${PATH%:}
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-paper-figures.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
printf 'leak:libfontconfig.so\n' >"$tmp/lsan.supp"
LSAN_OPTIONS="suppressions=$tmp/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

echo "1..11"
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; }
check () { what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else not_ok "$what"; fi; }
# The value of column $2 (by header name) in row $3 (1: the first after the header).
field () {
  awk -F, -v col="$2" -v row="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i }
    NR == row + 1 { print (c ? $c : "missing") }' "$1"
}

out=$tmp/figs
"$script" --quick --jobs 2 "$out" >"$tmp/first.out" 2>&1
status=$?
if [ $status -eq 0 ]; then ok "--quick exits 0"
else not_ok "--quick exits 0 (exit $status)"; sed 's/^/# /' "$tmp/first.out"; fi

check "it says first how many runs it makes and about how long" \
  grep -q "^somaif-paper-figures: 8 runs of 200 epochs (4 on paper.cfg, 4 on seed.cfg.*about [0-9]* min" \
  "$tmp/first.out"

missing=
for set in paper seed; do
  for f in fig4-curves-$set.png fig5-beta-study-$set.png fig6-repertoire-$set.png \
           summary-$set.csv; do
    [ -s "$out/$f" ] || missing="$missing $f"
  done
done
if [ -z "$missing" ]; then ok "every figure and summary is in the folder"
else not_ok "every figure and summary is in the folder (missing:$missing)"; fi

# the beta study's figure is a PNG of its own, not a copy of the curves
check "fig5 is a PNG and differs from fig4" sh -c \
  "head -c 8 '$out/fig5-beta-study-paper.png' | od -An -c | grep -q 'P   N   G' \
   && ! cmp -s '$out/fig5-beta-study-paper.png' '$out/fig4-curves-paper.png'"

# summary: per beta, 2 runs; distances within the ring's range, shares in [0, 1]
s=$out/summary-paper.csv
d=$(field "$s" distance_mean 2) r=$(field "$s" recognised_mean 2)
dh=$(field "$s" distance_ci95 2) rh=$(field "$s" recognised_ci95 2)
if [ "$(field "$s" runs 1)" = 2 ] && [ "$(field "$s" runs 2)" = 2 ] \
   && awk -v d="$d" -v r="$r" -v dh="$dh" -v rh="$rh" \
     'BEGIN { exit !(d >= 0 && d <= 25 && r >= 0 && r <= 1 && dh >= 0 && rh >= 0) }'; then
  ok "summary.csv: 2 runs a beta, distance $d ± $dh, recognised $r ± $rh"
else not_ok "summary.csv: 2 runs a beta, distance and recognised share in range ($d, $r)"; fi

# the summary agrees with the runs' final.csv: recognised = share of distance 0
want=$(cat "$out"/runs/beta-study-seed/epochs=200-beta=8-seed=*/final.csv \
  | awk -F, '$1 != "goal" { z += ($3 == 0); k++ } END { printf "%.6f", z / k }')
got=$(field "$out/summary-seed.csv" recognised_mean 2)
if awk -v a="$want" -v b="$got" 'BEGIN { exit !(a - b < 1e-6 && b - a < 1e-6) }'; then
  ok "seed.cfg's recognised share at beta 8 is final.csv's ($got)"
else not_ok "seed.cfg's recognised share at beta 8 is final.csv's ($got, want $want)"; fi

# the chaining hook: somaif-chain's figures of each beta = 8, seed 1 run
if [ -n "$SOMAIF_CHAIN" ]; then
  if [ -s "$out/chain-paper/chains.png" ] && [ -s "$out/chain-seed/chains.png" ]; then
    ok "somaif-chain's chains.png for both sets"
  else not_ok "somaif-chain's chains.png for both sets"; ls -R "$out" | sed 's/^/# /'; fi
else
  n=$((n + 1)); echo "ok $n - somaif-chain's chains.png for both sets # SKIP somaif-chain not built"
fi

# again: nothing is run, the figures are the same
cp "$out/fig5-beta-study-seed.png" "$tmp/fig5.before"
"$script" --quick --jobs 2 "$out" >"$tmp/second.out" 2>&1
status=$?
if [ $status -eq 0 ] && cmp -s "$tmp/fig5.before" "$out/fig5-beta-study-seed.png"; then
  ok "run again: exit 0, the same figures"
else not_ok "run again: exit 0, the same figures (exit $status)"; fi

"$script" --threads x "$out" >"$tmp/bad.out" 2>&1
status=$?
if [ $status -eq 2 ] && grep -q "threads" "$tmp/bad.out"; then ok "a bad --threads: exit 2"
else not_ok "a bad --threads: exit 2 (exit $status)"; fi

# the installed sweeps by name: valid, 50 runs each, on their configs
for name in beta-study beta-study-seed; do
  "$sweep" --check --output "$tmp/check-$name" "$name" >"$tmp/check.out" 2>&1
  status=$?
  if [ $status -eq 0 ] && grep -q "valid: 50 runs (10 combinations x 5 seeds)" "$tmp/check.out"; then
    ok "somaif-sweep --check $name finds it by name: 50 runs"
  else not_ok "somaif-sweep --check $name finds it by name (exit $status)"
    sed 's/^/# /' "$tmp/check.out"; fi
done
