#!/bin/sh
# test-simd.sh: the kernels' clones (SOMAIF_SIMD=baseline, avx2, avx512) give
# the same bytes: a cut-down quick.cfg run by each clone this CPU has, and by
# 1, 2 and 8 threads, writes the same files; run.json names the clone; a
# clone that is not one, or that this CPU lacks, is refused with exit 2.
set -u
run=${SOMAIF_RUN:?}
here=$(cd "$(dirname "$0")" && pwd)
cfg=${SOMAIF_CONFIGS:?}/quick.cfg
tmp=$(mktemp -d "${TMPDIR:-/tmp}/somaif-simd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
. "${G_TEST_SRCDIR:-$(dirname "$0")}/tap.sh"
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

. "$here/same-runs.sh"
# The plain clone does exact fused multiply-adds without the CPU's help
# where the CPU has none: a short run.
short="--set experiment.epochs=60"

echo "1..8"
SOMAIF_SIMD=sse9 "$run" --check "$cfg" >/dev/null 2>"$tmp/err"
status=$?
if [ $status -eq 2 ] && grep -q "SOMAIF_SIMD=sse9: not a vector unit" "$tmp/err"; then
  ok "SOMAIF_SIMD=sse9 exits 2 and says it is not a vector unit"
else
  not_ok "SOMAIF_SIMD=sse9 exits 2 and says it is not a vector unit (exit $status: $(cat "$tmp/err"))"
fi

ref=
for clone in baseline avx2 avx512; do
  if ! SOMAIF_SIMD=$clone "$run" --check "$cfg" >/dev/null 2>"$tmp/err"; then
    if grep -q "this CPU has no $clone" "$tmp/err"; then
      skip "the $clone clone" "this CPU has no $clone"
      skip "the $clone clone is refused with exit 2" "(it is: $(cat "$tmp/err"))"
    else
      not_ok "the $clone clone: $(cat "$tmp/err")"
      not_ok "the $clone clone is refused only for want of the CPU"
    fi
    continue
  fi
  if SOMAIF_SIMD=$clone "$run" -q -j 2 $short -o "$tmp/$clone" "$cfg" >/dev/null 2>"$tmp/err" &&
     grep -q "\"simd\" *: *\"$clone\"" "$tmp/$clone/run.json"; then
    ok "the $clone clone runs and run.json names it"
  else
    not_ok "the $clone clone runs and run.json names it ($(cat "$tmp/err"))"
  fi
  if [ -z "$ref" ]; then
    ref=$clone
    ok "the $clone clone is the reference"
  elif same "$tmp/$ref" "$tmp/$clone"; then
    ok "the $clone clone writes the same bytes as the $ref one"
  else
    not_ok "the $clone clone writes the same bytes as the $ref one"
  fi
done

for j in 1 8; do
  "$run" -q -j $j $short -o "$tmp/j$j" "$cfg" >/dev/null 2>&1
done
best=$(sed -n 's/.*"simd" *: *"\([a-z0-9]*\)".*/\1/p' "$tmp/j1/run.json" | head -n 1)
if [ -n "$best" ] && [ -d "$tmp/$best" ] && same "$tmp/j1" "$tmp/$best" && same "$tmp/j8" "$tmp/$best"; then
  ok "1, 2 and 8 threads of the default clone ($best) write the same bytes"
else
  not_ok "1, 2 and 8 threads of the default clone ($best) write the same bytes"
fi
exit $failed
