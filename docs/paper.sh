#!/bin/sh
# paper.sh: the tables of docs/paper.md from the two beta studies' folders
# (somaif-sweep beta-study and beta-study-seed, or somaif-paper-figures).
# Usage: docs/paper.sh PAPER_SWEEP_DIR SEED_SWEEP_DIR
# Per run, from final.csv: the mean accuracy term over goals, the share of
# goals whose final drawing wins at their own unit (distance 0), and the mean
# ring distance between winner and goal; then per beta and set the mean over
# the finished seeds and the half-width of the 95% Student-t interval.
set -eu
[ $# -eq 2 ] || { echo "usage: docs/paper.sh PAPER_SWEEP_DIR SEED_SWEEP_DIR" >&2; exit 2; }

# One line a finished run: set beta seed accuracy recognised distance
runs () {
  for f in "$2"/*beta=*-seed=*/final.csv; do
    [ -f "$f" ] && [ -f "$(dirname "$f")/run.json" ] || continue
    name=$(basename "$(dirname "$f")")
    beta=${name##*beta=}; beta=${beta%%-*}
    seed=${name##*seed=}
    awk -F, -v set="$1" -v beta="$beta" -v seed="$seed" '
      FNR > 1 { a += $4; d += $3; r += ($3 == 0); n++ }
      END { if (n) printf "%s %s %s %.10g %.10g %.10g\n", set, beta, seed, a / n, r / n, d / n }' "$f"
  done
}

# mean and 95% half-width per (set, beta) of columns 4-6
stats () {
  awk '
    BEGIN { split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262", t, " ") }
    { k = $1 " " $2; n[k]++; for (c = 4; c <= 6; c++) { s[k, c] += $c; ss[k, c] += $c * $c } }
    END {
      for (k in n) {
        printf "%s %d", k, n[k]
        for (c = 4; c <= 6; c++) {
          m = s[k, c] / n[k]
          v = n[k] > 1 ? (ss[k, c] - n[k] * m * m) / (n[k] - 1) : 0
          h = n[k] > 1 && n[k] <= 10 ? t[n[k] - 1] * sqrt(v > 0 ? v : 0) / sqrt(n[k]) : -1
          printf " %.10g %.10g", m, h
        }
        printf "\n"
      }
    }'
}

all=$( { runs paper "$1"; runs seed "$2"; } | stats | sort -k1,1 -k2,2g)

fmt='function pm(m, h, p) { return h < 0 ? sprintf("%." p "f", m) : sprintf("%." p "f ± %." p "f", m, h) }'
echo "The two parameter sets at beta = 8 (runs: finished seeds):"
echo
echo "| set | runs | accuracy term | recognised as themselves | ring distance |"
echo "| --- | --- | --- | --- | --- |"
echo "$all" | awk "$fmt"'
  $2 == 8 { printf "| %s.cfg | %d | %s | %s | %s |\n", $1, $3, pm($4, $5, 1), pm($6, $7, 3), pm($8, $9, 2) }'
echo
echo "The beta study (mean ring distance; share recognised as themselves):"
echo
echo "| beta | paper.cfg distance | paper.cfg recognised | seed.cfg distance | seed.cfg recognised |"
echo "| --- | --- | --- | --- | --- |"
echo "$all" | awk "$fmt"'
  { d[$1, $2] = pm($8, $9, 2) " (" $3 ")"; r[$1, $2] = pm($6, $7, 3); b[$2] = 1 }
  END {
    n = 0; for (x in b) v[++n] = x + 0
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    for (i = 1; i <= n; i++) {
      x = v[i]; k = x ""
      printf "| %s | %s | %s | %s | %s |\n", k, d["paper", k], r["paper", k], d["seed", k], r["seed", k]
    }
  }'
