#!/bin/sh
# test-bench-notebook.sh: make bench-notebook's script (bench-notebook.py)
# on notebooks of our own that have the seed notebook's shape (a setup cell
# setting epochs, a training cell looping over tqdm(range(epochs))), with
# quick.cfg for somaif-run: the cells it finds in Markdown and in .ipynb, the
# epochs it runs (spread evenly, or the first ones), its table, and its
# errors and exit statuses.  Without a python3 that imports numpy (the somaif
# package needs it) it is skipped, except under CI=true.
set -u
srcdir=${G_TEST_SRCDIR:?}
what=bench-notebook.py
. "$srcdir/need-numpy.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-bench-notebook.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
PYTHONDONTWRITEBYTECODE=1; export PYTHONDONTWRITEBYTECODE
. "$srcdir/tap.sh"
echo "1..12"

bench () {
  "$python" "$srcdir/bench-notebook.py" --config "$SOMAIF_CONFIGS/quick.cfg" "$@" \
    >"$tmp/out" 2>"$tmp/err"
}

# A notebook of the seed's shape: the training cell writes the epochs it saw.
cat >"$tmp/nb.md" <<EOF
# A notebook

\`\`\`python
from tqdm.notebook import tqdm
epochs = 50
seen = []
\`\`\`

Prose between the cells.

\`\`\`python
for e in tqdm(range(epochs)):
    seen.append(e)
with open("$tmp/seen", "w") as f:
    f.write(repr(seen))
\`\`\`

\`\`\`python
raise SystemExit("the cells after the training loop are not run")
\`\`\`
EOF

bench --epochs 10 -j 1 "$tmp/nb.md"
status=$?
check $status "a Markdown notebook: exit status 0 (got $status; $(head -c 300 "$tmp/err"))"
seen=$(cat "$tmp/seen" 2>/dev/null)
[ "$seen" = "[0, 5, 10, 15, 20, 25, 30, 35, 40, 45]" ]
check $? "10 of its 50 epochs, spread evenly from 0 (ran $seen)"
grep -q '^| CPU | notebook, an epoch | notebook, 2000 epochs (estimated) | somaif-run, 1 thread | speed-up |$' "$tmp/out"
check $? "the table's header: the notebook's time for quick.cfg's 2000 epochs, somaif-run on 1 thread"
grep -q '^| .* | [0-9.]* ms | .* | [0-9.]* s | [0-9.]*x |$' "$tmp/out"
check $? "the table's row: times and a speed-up ($(tail -1 "$tmp/out"))"
grep -q "quick.cfg runs 2000 epochs, the notebook 50: .* not like for like" "$tmp/err"
check $? "a config of another length is said to be so ($(head -c 200 "$tmp/err"))"

# The same cells as a Jupyter notebook (source as a list of lines), its
# first 3 epochs in order; somaif-run's default threads, then 1.
"$python" - "$tmp/nb.md" "$tmp/nb.ipynb" <<'EOF'
import json, re, sys
text = open(sys.argv[1]).read()
cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# A notebook\n"]}]
for code in re.findall(r"^```python\n(.*?)^```$", text, re.M | re.S):
    cells.append({"cell_type": "code", "metadata": {}, "execution_count": None,
                  "outputs": [], "source": code.splitlines(keepends=True)})
json.dump({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4},
          open(sys.argv[2], "w"))
EOF
rm -f "$tmp/seen"
bench --in-order --epochs 3 "$tmp/nb.ipynb"
status=$?
check $status "a Jupyter notebook, --in-order: exit status 0 (got $status; $(head -c 300 "$tmp/err"))"
seen=$(cat "$tmp/seen" 2>/dev/null)
[ "$seen" = "[0, 1, 2]" ]
check $? "its first 3 epochs (ran $seen)"
grep -q '^somaif-run on 1 thread: ' "$tmp/out" && grep -q 'its first 3 of 50 epochs' "$tmp/out"
check $? "somaif-run's default threads, then 1 ($(grep -c '^somaif-run on [0-9]* threads*: ' "$tmp/out") runs)"

# Errors: status 2 for a notebook it cannot use, 1 for a run that fails.
printf '```python\nepochs = 5\n```\n' >"$tmp/noloop.md"
bench "$tmp/noloop.md"
status=$?
[ $status = 2 ] && grep -q "$tmp/noloop.md: no code cell holds the training loop" "$tmp/err"
check $? "no training loop: exit status 2, the file named (got $status: $(cat "$tmp/err"))"
bench "$tmp/absent.ipynb"
status=$?
[ $status = 2 ] && grep -q "$tmp/absent.ipynb: cannot read it" "$tmp/err"
check $? "no such notebook: exit status 2 (got $status: $(cat "$tmp/err"))"
sed 's/    seen.append(e)/    seen.append(1 \/ (e - e))/' "$tmp/nb.md" >"$tmp/fails.md"
bench --epochs 2 "$tmp/fails.md"
status=$?
[ $status = 1 ] && grep -q "the training loop failed: ZeroDivisionError" "$tmp/err"
check $? "a training loop that raises: exit status 1, the error named (got $status: $(cat "$tmp/err"))"
bench --epochs 2 --somaif-run "$tmp/no-such-somaif-run" "$tmp/nb.md"
status=$?
[ $status = 1 ] && grep -q "no-such-somaif-run" "$tmp/err"
check $? "a somaif-run that is not there: exit status 1, named (got $status: $(cat "$tmp/err"))"
exit $failed
