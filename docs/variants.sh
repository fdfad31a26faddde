#!/bin/sh
# variants.sh: the seed config against each variant, over 3 seeds; prints the
# Markdown table of docs/variants.md.  Usage: docs/variants.sh [OUTDIR]
# (somaif-run from PATH, or SOMAIF_RUN; each run on 2 threads).
set -eu
run=${SOMAIF_RUN:-somaif-run}
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-runs/variants}
mkdir -p "$out"
printf '| config | inaccuracy | complexity | QE | TE | time (s) |\n'
printf '| --- | --- | --- | --- | --- | --- |\n'
for cfg in seed gridsom cmaes arm3; do
  for seed in 1 2 3; do
    dir=$out/$cfg-seed$seed
    [ -f "$dir/run.json" ] || "$run" --quiet --force --threads 2 --seed "$seed" --output "$dir" \
      "$here/configs/$cfg.cfg"
  done
  awk -F, -v cfg="$cfg" '
    FNR == 1 { next }
    FILENAME ~ /final.csv$/ { acc[FILENAME] += $4; comp[FILENAME] += $5; n[FILENAME]++ }
    FILENAME ~ /quality.csv$/ { qe += $1; te += $2; q++ }
    FILENAME ~ /run.json$/ { }
    END {
      for (f in acc) { a += acc[f] / n[f]; c += comp[f] / n[f]; k++ }
      printf "| %s | %.2f | %.3f | %.3f | %.3f |", cfg, a / k, c / k, qe / q, te / q
    }' "$out/$cfg"-seed*/final.csv "$out/$cfg"-seed*/quality.csv
  # run.json's first wall_seconds is the run's (the segments' follow)
  t=$(for f in "$out/$cfg"-seed*/run.json; do
        sed -n 's/.*"wall_seconds" *: *\([0-9.]*\).*/\1/p' "$f" | head -n 1
      done | awk '{ s += $1; k++ } END { printf "%.1f", s / k }')
  printf ' %s |\n' "$t"
done
