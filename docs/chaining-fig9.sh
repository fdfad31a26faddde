#!/bin/sh
# chaining-fig9.sh: the paper's Fig. 9 with somaif.  Trains repertoires of 50,
# 25 and 10 units over 5 seeds with somaif-sweep (from configs/seed.cfg, and
# from configs/paper.cfg when it is there), chains every letter with the
# learned and with random repertoires under each planner, and writes into
# OUTDIR:
#   fig9-runs.csv  a row a chaining: config, units, seed, repertoire, planner,
#                  the mean over letters of the final complexity KL(q||p), of
#                  q(target) and of the share recognised
#   fig9.csv       a row a config, units, repertoire and planner: the mean of
#                  the complexity over the repertoires, the 95% Student-t
#                  interval of that mean, the repertoires' values
#   fig9.md        fig9.csv as a Markdown table
#   fig9.svg       bars of the mean complexity with their intervals, as Fig. 9
# Usage: docs/chaining-fig9.sh [OUTDIR]   (default runs/fig9)
# Finished runs and chainings are kept, so running it again goes on.
# Environment (the defaults are the experiment; the test shrinks them):
#   FIG9_CONFIGS  configs trained (default: "seed paper", those that exist)
#   FIG9_SIZES    map units (default "50 25 10")     FIG9_SEEDS  seeds (5)
#   FIG9_EPOCHS   epochs instead of the config's     FIG9_LETTERS  ("c,h,i,s,r")
#   FIG9_PLANNERS ("greedy beam lookahead")          FIG9_JOBS  runs at once (2)
#   FIG9_SAMPLES  samples a letter (70)
#   SOMAIF_SWEEP, SOMAIF_CHAIN  the programs (default: from PATH)
set -eu
sweep=${SOMAIF_SWEEP:-somaif-sweep}
chain=${SOMAIF_CHAIN:-somaif-chain}
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-runs/fig9}
sizes=${FIG9_SIZES:-50 25 10}
seeds=${FIG9_SEEDS:-5}
letters=${FIG9_LETTERS:-c,h,i,s,r}
planners=${FIG9_PLANNERS:-greedy beam lookahead}
jobs=${FIG9_JOBS:-2}
samples=${FIG9_SAMPLES:-70}
configs=${FIG9_CONFIGS:-}
if [ -z "$configs" ]; then
  for c in seed paper; do [ -f "$here/configs/$c.cfg" ] && configs="$configs $c"; done
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

# 1. Train: one sweep a config, units x seeds.
for cfg in $configs; do
  values=$(echo $sizes | tr ' ' ',')
  {
    printf 'base = "%s";\nvary = (\n  { key = "perceiver.units"; values = [%s]; }' \
      "$here/configs/$cfg.cfg" "$values"
    [ -n "${FIG9_EPOCHS:-}" ] && printf ',\n  { key = "experiment.epochs"; values = [%s]; }' \
      "$FIG9_EPOCHS"
    printf '\n);\nseeds = { from = 1; count = %s; };\nthreads = 1;\n' "$seeds"
  } >"$out/$cfg.sweep"
  $sweep --quiet --jobs "$jobs" --output "$out/$cfg" "$out/$cfg.sweep"
done

# 2. Chain every letter with each repertoire and planner.
for cfg in $configs; do
  for run in "$out/$cfg"/units=*; do
    name=$(basename "$run")
    seed=${name##*seed=}
    for rep in learned random; do
      for planner in $planners; do
        dir=$out/chains/$cfg/$name/$rep-$planner
        [ -f "$dir/chain-summary.csv" ] && continue
        $chain --quiet --force --output "$dir" --repertoire "$rep" --seed "$seed" \
          --set "chain.targets=\"$letters\"" --set "chain.planner=\"$planner\"" \
          --set "letters.samples=$samples" "$run"
      done
    done
  done
done

# 3. Per chaining the mean over letters; then per cell the mean over
#    repertoires with its 95% Student-t interval.
printf 'config,units,seed,repertoire,planner,complexity,q_target,recognised\n' \
  >"$out/fig9-runs.csv"
for f in "$out"/chains/*/*/*/chain-summary.csv; do
  d=$(dirname "$f")
  cell=$(basename "$d")
  run=$(basename "$(dirname "$d")")
  cfg=$(basename "$(dirname "$(dirname "$d")")")
  units=$(echo "$run" | sed 's/.*units=\([0-9]*\).*/\1/')
  seed=${run##*seed=}
  awk -F, -v pre="$cfg,$units,$seed,${cell%%-*},${cell#*-}" '
    FNR > 1 { c += $2; q += $3; r += $4; n++ }
    END { printf "%s,%.6f,%.6f,%.6f\n", pre, c / n, q / n, r / n }' "$f" >>"$out/fig9-runs.csv"
done
awk -F, '
  # two-sided 95% critical values of Student t, by degrees of freedom
  BEGIN { split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228", t, " ") }
  NR == 1 { next }
  {
    key = $1 "," $2 "," $4 "," $5
    if (!(key in n)) order[++keys] = key
    n[key]++; s[key] += $6; ss[key] += $6 * $6; vals[key] = vals[key] " " sprintf("%.3f", $6)
  }
  END {
    print "config,units,repertoire,planner,n,complexity,ci_low,ci_high,values"
    for (i = 1; i <= keys; i++) {
      k = order[i]; m = s[k] / n[k]; h = 0
      if (n[k] > 1) {
        var = (ss[k] - n[k] * m * m) / (n[k] - 1); if (var < 0) var = 0
        df = n[k] - 1; tc = df <= 10 ? t[df] : 1.96
        h = tc * sqrt(var / n[k])
      }
      printf "%s,%d,%.6f,%.6f,%.6f,%s\n", k, n[k], m, m - h, m + h, substr(vals[k], 2)
    }
  }' "$out/fig9-runs.csv" | { read -r header; echo "$header"; sort -t, -k1,1 -k2,2nr -k4,4 -k3,3; } \
  >"$out/fig9.csv"

# 4. The table and the bars.
awk -F, 'NR == 1 {
    print "| config | units | planner | learned: KL(q\\|\\|p) [95% CI] | random: KL(q\\|\\|p) [95% CI] |"
    print "| --- | ---: | --- | --- | --- |"; next }
  { cell = sprintf("%.3f [%.3f, %.3f]", $6, $7, $8); key = $1 "|" $2 "|" $4
    if (!(key in seen)) { order[++n] = key; seen[key] = 1 }
    v[key, $3] = cell }
  END { for (i = 1; i <= n; i++) { split(order[i], p, "|")
          printf "| %s | %s | %s | %s | %s |\n", p[1], p[2], p[3], v[order[i], "learned"],
                 v[order[i], "random"] } }' "$out/fig9.csv" >"$out/fig9.md"
awk -F, '
  NR == 1 { next }
  { row[++n] = $0; if ($8 > top) top = $8 }
  END {
    bw = 14; gap = 6; x = 60; h = 260; y0 = 300; if (top <= 0) top = 1
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"440\" font-family=\"sans-serif\" font-size=\"10\">\n", 80 + n * (bw + gap) + 40
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
    printf "<text x=\"10\" y=\"20\" font-size=\"13\">Final complexity KL(q||p), mean over letters; mean and 95%% t interval over repertoires</text>\n"
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", x - 4, y0, x - 4, y0 - h
    for (k = 0; k <= 4; k++) { v = top * k / 4; yy = y0 - h * k / 4
      printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", x - 8, yy + 3, v }
    for (i = 1; i <= n; i++) { split(row[i], f, ",")
      bx = x + (i - 1) * (bw + gap); bh = h * f[6] / top
      col = f[3] == "learned" ? "#1f77b4" : "#ff7f0e"
      printf "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>\n", bx, y0 - bh, bw, bh, col
      lo = y0 - h * (f[7] > 0 ? f[7] : 0) / top; hi = y0 - h * f[8] / top
      printf "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", bx + bw / 2, lo, bx + bw / 2, hi
      printf "<text transform=\"translate(%.1f,%d) rotate(60)\">%s %s %s %s</text>\n", bx + 3, y0 + 6, f[1], f[2], substr(f[3], 1, 1), f[4] }
    lx = x + n * (bw + gap) - 130
    printf "<rect x=\"%d\" y=\"30\" width=\"10\" height=\"10\" fill=\"#1f77b4\"/><text x=\"%d\" y=\"39\">learned (l)</text>\n", lx, lx + 14
    printf "<rect x=\"%d\" y=\"46\" width=\"10\" height=\"10\" fill=\"#ff7f0e\"/><text x=\"%d\" y=\"55\">random (r)</text>\n", lx, lx + 14
    print "</svg>" }' "$out/fig9.csv" >"$out/fig9.svg"
cat "$out/fig9.md"
