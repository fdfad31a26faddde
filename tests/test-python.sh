#!/bin/sh
# test-python.sh: the Python package's pytest suite (python/tests), imported
# from the source tree, reported in TAP: a line per test.  Without numpy or
# pytest (or a python3) it is skipped with the reason, except under CI=true,
# where CI installs them and their absence is a failure.
#
# test-python.sh --install runs only test_install.py (make install into a
# DESTDIR: test-python-install.sh); without it, every other test file.
#
# Environment (set by tests/Makefile.am): PYTHON (configure's; empty when
# built --without-python), SOMAIF_PYTHONDIR, SOMAIF_RUN, SOMAIF_PLUGIN_PATH,
# SOMAIF_CONFIGS, G_TEST_SRCDIR, G_TEST_BUILDDIR.
here=$(cd "$(dirname "$0")" && pwd)
srcdir=${G_TEST_SRCDIR:-$here}
what="the Python tests"
. "$srcdir/need-numpy.sh"
"$python" -c 'import pytest' >/dev/null 2>&1 \
  || skip_all "$python cannot import pytest (Debian: python3-pytest)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-python.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
# Nothing written beside the sources (read-only under distcheck) or here.
PYTHONDONTWRITEBYTECODE=1; export PYTHONDONTWRITEBYTECODE
PYTHONPATH=$srcdir/../python${PYTHONPATH:+:$PYTHONPATH}; export PYTHONPATH
MPLBACKEND=Agg; export MPLBACKEND
tests=$srcdir/../python/tests
if [ "${1:-}" = --install ]; then
  set -- "$tests/test_install.py"
else
  set -- "$tests" --ignore="$tests/test_install.py"
fi
"$python" -m pytest -p no:cacheprovider -v -rs --tb=short --basetemp="$tmp/pytest" "$@" \
  >"$tmp/out" 2>&1
status=$?

# "path::test PASSED  [ 10%]" lines become TAP; everything is kept as comments.
awk -v status="$status" '
  /::/ && match($0, / (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)( |$)/) {
    name = substr($0, 1, RSTART - 1); sub(/^.*\/tests\//, "", name)
    verdict = substr($0, RSTART + 1, RLENGTH - 1); sub(/ $/, "", verdict)
    n++
    if (verdict == "PASSED" || verdict == "XFAIL") line[n] = "ok " n " - " name
    else if (verdict == "SKIPPED") line[n] = "ok " n " - " name " # SKIP"
    else { line[n] = "not ok " n " - " name " (" verdict ")"; bad = 1 }
  }
  { comment[++c] = "# " $0 }
  END {
    if (status != 0 && !bad) { n++; line[n] = "not ok " n " - pytest exited with status " status }
    if (n == 0) { n = 1; line[1] = "not ok 1 - pytest ran no test" }
    print "1.." n
    for (i = 1; i <= n; i++) print line[i]
    for (i = 1; i <= c; i++) print comment[i]
  }' "$tmp/out"
