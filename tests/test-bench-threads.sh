#!/bin/sh
# test-bench-threads.sh: make bench-threads' program (somaif-bench --pairs)
# on a short config: the pairs it runs and their order, the summary's
# numbers against the pairs' (their range and median; the speed-up of the
# means and the bootstrap's interval lie within that range, as they must), the
# machine's own speed-up against the peaks it prints, the same bytes from
# every run, its table, and its errors and exit statuses.
# No time is asserted: timings are the benchmark's, not the tests'.
set -u
bench=${G_TEST_BUILDDIR:?}/somaif-bench
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-bench-threads.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
. "${G_TEST_SRCDIR:-$(dirname "$0")}/tap.sh"
echo "1..13"

# quick.cfg, shorter
sed 's/^\( *epochs *=\) *2000;/\1 300;/' "$SOMAIF_CONFIGS/quick.cfg" >"$tmp/short.cfg"
grep -q 'epochs = 300;' "$tmp/short.cfg" || { echo "Bail out! quick.cfg has no 'epochs = 2000;'"; exit 99; }

"$bench" --pairs 3 -j 2 "$tmp/short.cfg" >"$tmp/out" 2>"$tmp/err"
check $? "--pairs 3 -j 2 exits 0"
grep '^  pair ' "$tmp/out" | sed 's/:.*//' >"$tmp/pairs"
printf '  pair 1 of 3 (threads first)\n  pair 2 of 3 (1 thread first)\n  pair 3 of 3 (threads first)\n' \
  | cmp -s - "$tmp/pairs"
check $? "three pairs, the order alternating"
# The pairs' own ratios, then the summary's: ratio of the means, interval, range.
pairs=$(sed -n 's/^  pair .*: \([0-9.]*\)x$/\1/p' "$tmp/out" | tr '\n' ' ')
summary=$(sed -n 's/.* are \([0-9.]*\)x faster (a bootstrap.s 95% interval \([0-9.]*\)x-\([0-9.]*\)x; single pairs \([0-9.]*\)x to \([0-9.]*\)x, their median \([0-9.]*\)x)$/\1 \2 \3 \4 \5 \6/p' "$tmp/out")
echo "# pairs: $pairs; summary: $summary"
echo "$pairs $summary" | awk '{
  # the three sorted: the median is the middle one
  a = $1; b = $2; c = $3
  if (a > b) { t = a; a = b; b = t }
  if (b > c) { t = b; b = c; c = t }
  if (a > b) { t = a; a = b; b = t }
  exit !(NF == 9 && $7 == a && $8 == c && $9 == b) }'
check $? "the single pairs' range and median are the pairs' own"
echo "$summary" | awk '{ exit !(NF == 6 && $4 <= $1 && $1 <= $5) }'
check $? "the speed-up of the means lies within the single pairs' range"
echo "$summary" | awk '{ exit !(NF == 6 && $4 <= $2 && $2 <= $3 && $3 <= $5) }'
check $? "the bootstrap's interval is ordered and within the single pairs' range"
# The machine's own: the peaks' ranges, measured 4 times (before the pairs and
# after each of 3), the highest on 2 threads over the highest on 1, and the
# speed-up of the means as a share of it, each within what the printed
# numbers' rounding allows (peaks to 0.05, ratios to 0.005, the share to 0.5).
own=$(sed -n 's/^  the machine.s own: fp32 FMA peak ([a-z0-9]*) \([0-9.]*\)-\([0-9.]*\) GFLOP\/s on 1 thread, \([0-9.]*\)-\([0-9.]*\) on 2, measured \([0-9]*\) times (before the pairs and after each); at the highest of each, 2 threads are \([0-9.]*\)x one, and the runs. speed-up of the means \([0-9]*\)% of that$/\1 \2 \3 \4 \5 \6 \7/p' "$tmp/out")
echo "# the machine's own: $own"
echo "$own $summary" | awk '
  function abs(v) { return v < 0 ? -v : v }
  { if (!(NF == 13 && $1 <= $2 && $3 <= $4 && $5 == 4 && $2 > 0 && $6 > 0)) exit 1
    r = $4 / $2
    if (abs($6 - r) > 0.0051 + 0.0501 * (1 + r) / $2) exit 1
    exit !(abs($7 - 100 * $8 / $6) <= 0.51 + 100 * (0.0051 / $6 + 0.0051 * $8 / ($6 * $6))) }'
check $? "the machine's own speed-up is its highest peaks' ratio, and the runs' a share of it"
grep -q '^  outputs of every run byte-identical: yes$' "$tmp/out"
check $? "every run wrote the same bytes"
grep -q '^| CPU | pairs | wall, 2 threads (mean) | wall, 1 thread (mean) | speed-up of the means | 95% interval | single pairs | median pair | FMA peak, 2 threads / 1 |$' "$tmp/out" \
  && grep -q "^| .* | 3 | [0-9.]* s | [0-9.]* s | [0-9.]*x | [0-9.]*x-[0-9.]*x | [0-9.]*x-[0-9.]*x | [0-9.]*x | $(echo "$own" | cut -d' ' -f6)x |\$" "$tmp/out"
check $? "the table's header and row"

# Bad usage: exit 2, said before anything runs.
usage () {  # usage NAME PATTERN ARGS...: exit 2, PATTERN on stderr, nothing on stdout
  name=$1 pattern=$2
  shift 2
  "$bench" "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ $status = 2 ] && grep -q "$pattern" "$tmp/err" && [ ! -s "$tmp/out" ]; then
    ok "$name"
  else
    not_ok "$name (exit $status)"; sed 's/^/# /' "$tmp/err"
  fi
}
usage "--pairs with one thread: exit 2" "give --threads 2 or more" --pairs 2 -j 1 "$tmp/short.cfg"
usage "--pairs not a number: exit 2" "for --pairs" --pairs x "$tmp/short.cfg"
usage "--pairs 0: exit 2" "pairs takes 1 to 1000, not 0" --pairs 0 "$tmp/short.cfg"
usage "a missing config: exit 2, named" "$tmp/none.cfg" --pairs 2 -j 2 "$tmp/none.cfg"
sed 's/^\( *\)seed = /\1sede = /' "$tmp/short.cfg" >"$tmp/typo.cfg"
usage "a misspelled key: exit 2, file, line and key named" "typo.cfg:[0-9]*.*sede" \
  --pairs 2 -j 2 "$tmp/typo.cfg"
exit $failed
