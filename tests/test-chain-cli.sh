#!/bin/sh
# test-chain-cli.sh: somaif-chain end to end, in TAP: a small run trained, its
# primitives chained into letters, a PNG and pen points; every output and
# column; bad input answered with exit status 2 and its message; the man page
# against --help.
#
# Environment (set by tests/Makefile.am): SOMAIF_RUN, SOMAIF_PLUGIN_PATH,
# SOMAIF_CONFIGS, G_TEST_SRCDIR, G_TEST_BUILDDIR.
here=$(cd "$(dirname "$0")" && pwd)
builddir=${G_TEST_BUILDDIR:-$here}
srcdir=${G_TEST_SRCDIR:-$here}
run=${SOMAIF_RUN:-$builddir/../core/somaif-run}
chain=${SOMAIF_CHAIN:-$builddir/../core/somaif-chain}
configs=${SOMAIF_CONFIGS:-$srcdir/../configs}
manpage=$srcdir/../core/somaif-chain.1
real_path=${SOMAIF_PLUGIN_PATH:-}
SOMAIF_PLUGIN_PATH=$builddir/.libs${real_path:+:$real_path}
export SOMAIF_PLUGIN_PATH
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-chain-cli.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
printf 'leak:libfontconfig.so\nleak:libconfig.so\n' >"$tmp/lsan.supp"
LSAN_OPTIONS="suppressions=$tmp/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$tmp/err" 2>/dev/null | head -5; }
result () { if [ "$1" = yes ]; then ok "$2"; else not_ok "$2"; fi; }
# sc ARGS...: somaif-chain, stdout in $tmp/out, stderr in $tmp/err, status in $status.
sc () { "$chain" "$@" >"$tmp/out" 2>"$tmp/err"; status=$?; }
# bad DESCRIPTION TEXT ARGS...: exit status 2 and TEXT in the message.
bad () {
  what=$1 text=$2
  shift 2
  sc "$@"
  if [ $status -eq 2 ] && grep -F -q -e "$text" "$tmp/err"; then ok "$what: exit 2, says '$text'"
  else not_ok "$what: exit 2 (got $status), says '$text'"; fi
}
# A few samples a letter keep the test short.
small="--set letters.samples=6"

# A small finished run: 8 primitives.
"$run" -q -j 1 --seed 3 -o "$tmp/run" --set experiment.epochs=40 --set perceiver.units=8 \
  "$configs/seed.cfg" >"$tmp/out" 2>"$tmp/err"
result "$([ -d "$tmp/run/model" ] && echo yes)" "a small run trained for chaining"

sc "$tmp/run" -q -o "$tmp/c1" $small --set 'chain.targets="c,i"'
result "$([ $status -eq 0 ] && echo yes)" "two letters chained (exit $status)"
all=yes
for f in chain.csv chain-summary.csv chains-points.npy chains-primitives.npy chains-q.npy \
         class-filters.npy chains.png classes.png; do
  [ -s "$tmp/c1/$f" ] || { all=no; echo "# no $f"; }
done
result $all "every output written"
hdr="target,step,primitive,G,risk,ambiguity,cross_entropy,pose_0,pose_1,pen_x,pen_y,q_c,q_i"
result "$([ "$(head -1 "$tmp/c1/chain.csv")" = "$hdr" ] && echo yes)" "chain.csv's columns"
result "$([ "$(head -1 "$tmp/c1/chain-summary.csv")" = \
  "target,complexity,q_target,recognised,cross_entropy,G,primitives" ] && echo yes)" \
  "chain-summary.csv's columns"
# 2 targets x 5 steps; every number finite; q sums to 1; G = risk + ambiguity;
# primitives among the 8.
check=$(awk -F, 'NR > 1 {
    rows++
    for (i = 2; i <= NF; i++) if ($i !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) bad = bad " " NR ":" i
    if ($12 + $13 < 1 - 1e-6 || $12 + $13 > 1 + 1e-6) bad = bad " q" NR
    if ($4 - $5 - $6 > 1e-6 || $5 + $6 - $4 > 1e-6) bad = bad " G" NR
    if ($3 < 0 || $3 > 7) bad = bad " k" NR
  } END { print rows "" bad }' "$tmp/c1/chain.csv")
result "$([ "$check" = 10 ] && echo yes)" "chain.csv: 10 rows, finite, q sums to 1, G = risk + ambiguity ($check)"
check=$(awk -F, 'NR > 1 { rows++; if (!($3 >= 0 && $3 <= 1) || ($4 != 0 && $4 != 1) || $2 < 0) bad = 1
  if (split($7, k, " ") != 5) bad = 1 } END { print rows + 0, bad + 0 }' "$tmp/c1/chain-summary.csv")
result "$([ "$check" = "2 0" ] && echo yes)" "chain-summary.csv: a row a target, q in [0, 1], 5 primitives"

sc "$tmp/run" -q -o "$tmp/c2" $small --set 'chain.targets="c,i"'
result "$(cmp -s "$tmp/c1/chain.csv" "$tmp/c2/chain.csv" && echo yes)" "the same chaining twice is the same"
sc "$tmp/run" -q -o "$tmp/c3" $small --set 'chain.targets="c,i"' --repertoire random
result "$([ $status -eq 0 ] && ! cmp -s "$tmp/c1/chain.csv" "$tmp/c3/chain.csv" && echo yes)" \
  "a random repertoire chains other primitives"
for p in beam lookahead; do
  sc "$tmp/run" -q -o "$tmp/c-$p" $small --set 'chain.targets="c,i"' --set "chain.planner=\"$p\""
  g=$(awk -F, 'NR > 1 { s += $6 } END { print s }' "$tmp/c1/chain-summary.csv")
  v=$(awk -F, 'NR > 1 { s += $6 } END { print s }' "$tmp/c-$p/chain-summary.csv")
  result "$([ $status -eq 0 ] && [ -n "$v" ] && echo yes)" "planner $p chains (G summed: greedy $g, $p $v)"
done

sc "$tmp/run" --check $small --set 'chain.targets="c,i"' -o "$tmp/never"
result "$([ $status -eq 0 ] && [ ! -e "$tmp/never" ] && echo yes)" "--check validates and writes nothing"
bad "an output folder with files" "already holds files" "$tmp/run" -q -o "$tmp/c1" $small \
  --set 'chain.targets="c,i"'

# Pen points and images.
printf 'x,y\n-20,0\n20,0\n\n0,-20\n0,20\n' >"$tmp/plus.csv"
sc "$tmp/run" -q -o "$tmp/c4" $small --set "chain.targets=\"$tmp/plus.csv,o\""
result "$([ $status -eq 0 ] && grep -q '^plus.csv,' "$tmp/c4/chain-summary.csv" && echo yes)" \
  "a CSV of pen points as a target"
sc "$tmp/run" -q -o "$tmp/c5" --set "chain.targets=\"$tmp/run/repertoire.png\"" \
  --set 'chain.objective="accuracy"'
result "$([ $status -eq 0 ] && awk -F, 'NR == 2 && $2 == "nan" && $3 == 1 { f = 1 } END { exit !f }' \
  "$tmp/c5/chain-summary.csv" && echo yes)" "one PNG target with the accuracy objective"

# Bad input.
mkdir -p "$tmp/nomodel" && cp "$tmp/run/config.cfg" "$tmp/nomodel/"
bad "a run folder without model/" "no model/" "$tmp/nomodel"
bad "a folder that is no run" "no config.cfg" "$tmp"
# (in a file: the C locale takes no UTF-8 on the command line)
printf 'chain = { targets = "c,\303\251"; };\n' >"$tmp/accent.cfg"
bad "a letter no Latin font has" "no Latin Hershey font has it" "$tmp/run" "$tmp/accent.cfg"
bad "M < 1" "chain.primitives" "$tmp/run" --set chain.primitives=0
printf 'not a png' >"$tmp/bad.png"
mkdir -p "$tmp/dir.csv"
bad "an unreadable PNG" "not a readable PNG image" "$tmp/run" --set "chain.targets=\"$tmp/bad.png,c\""
bad "a single target with the expected free energy" "at least 2 classes" "$tmp/run" \
  --set 'chain.targets="c"'
cp -r "$tmp/run" "$tmp/oldrun"
awk '/^plant *=/ { print "plant = { plugin = \"old-plant\"; };"; skip = 1; next }
  skip && /^};/ { skip = 0; next } !skip' "$tmp/run/config.cfg" >"$tmp/oldrun/config.cfg"
bad "a plant without the pose methods" "minor 0" "$tmp/oldrun"
bad "an unknown planner" "greedy, beam or lookahead" "$tmp/run" --set 'chain.planner="astar"'
printf 'chain = {\n  nonsense = 1;\n};\n' >"$tmp/bad.cfg"
bad "an unknown key" "bad.cfg:2: chain.nonsense" "$tmp/run" "$tmp/bad.cfg"
bad "a folder as the config" "cannot read this config file: it is a folder" "$tmp/run" "$tmp"
bad "a folder as pen points" "cannot read this pen points file: it is a folder" "$tmp/run" \
  --set "chain.targets=\"$tmp/dir.csv,c\""
bad "no run" "which run?"
bad "a target of another kind" "one letter, a .png image or a .csv" "$tmp/run" \
  --set 'chain.targets="ab,c"'

if [ -f "$manpage" ]; then
  "$chain" --help | sed -n 's/^  *\(-[A-Za-z], \)\{0,1\}--\([a-z][a-z-]*\).*/\2/p' | sort -u \
    >"$tmp/help.opts"
  awk '/^\.SH /{ sect = $2 } sect == "OPTIONS" && prev == ".TP" { print } { prev = $0 }' \
    "$manpage" | grep -o '\\-\\-[a-z][a-z\\-]*' | sed 's/\\-/-/g; s/^--//' | sort -u \
    >"$tmp/man.opts"
  result "$([ -s "$tmp/help.opts" ] && cmp -s "$tmp/help.opts" "$tmp/man.opts" && echo yes)" \
    "the man page lists exactly the long options of --help"
else
  not_ok "the man page lists exactly the long options of --help (no $manpage)"
fi
echo "1..$n"
