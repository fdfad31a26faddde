# need-numpy.sh: sourced by the tests that run Python with numpy
# (test-python.sh, test-bench-notebook.sh), with `what` naming what cannot
# run without it.  skip_all REASON ends such a test as skipped, except under
# CI=true, where CI installs what they need and its absence is a failure.
# Sets python to configure's PYTHON and checks that it imports numpy.
python=${PYTHON:-}
skip_all () {
  if [ "${CI:-}" = true ]; then
    echo "1..1"; echo "not ok 1 - $what cannot run: $1"; exit 1
  fi
  echo "1..0 # SKIP $1"; exit 0
}
[ -n "$python" ] || skip_all "no python3 (configured --without-python, or none found)"
"$python" -c 'import numpy' >/dev/null 2>&1 \
  || skip_all "$python cannot import numpy (Debian: python3-numpy)"
