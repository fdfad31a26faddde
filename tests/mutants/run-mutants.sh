#!/bin/sh
# run-mutants.sh: the mutation harness behind `make mutants`.
#
#   run-mutants.sh SRCDIR BUILDDIR            run every mutant of mutants.txt
#   run-mutants.sh --check SRCDIR BUILDDIR    only check that each pattern still matches
#
# Each worker copies the source tree once, configures it as BUILDDIR was (less
# --enable-werror) and builds it; then, one mutant at a time, it puts the
# mutant in its copy, rebuilds, and runs the tests one by one (those named
# after the mutated plugin first, the slow end-to-end ones last) until one
# fails: the mutant is caught.  A mutant no test catches survives.
# Environment: MUTANT_JOBS (workers, default 2), MUTANTS (IDs to run, default
# all), MUTANT_TIMEOUT (seconds a test may take, default 900: a hang counts as
# caught), MUTANT_KEEP=1 (keep the work folder), MUTANT_BASELINE=0 (skip the
# first worker's run of the whole suite without a mutant).
set -u
check_only=no
if [ "${1:-}" = --check ]; then check_only=yes; shift; fi
[ $# -eq 2 ] || { echo "usage: $0 [--check] SRCDIR BUILDDIR" >&2; exit 2; }
src=$(cd "$1" && pwd) || exit 2
build=$(cd "$2" && pwd) || exit 2
here=$src/tests/mutants
list=$here/mutants.txt
jobs=${MUTANT_JOBS:-2}
limit=${MUTANT_TIMEOUT:-900}

# ---- every pattern against the tree as it is --------------------------------
status_file=$(mktemp "${TMPDIR:-/tmp}/somaif-mutants-check.XXXXXX")
perl "$here/mutate.pl" check "$list" "$src" >"$status_file" || { rm -f "$status_file"; exit 2; }
bad=$(awk -F '\t' '$3 != "ok"' "$status_file")
total=$(wc -l <"$status_file")
if [ "$check_only" = yes ]; then
  awk -F '\t' '{ printf "%-28s %-36s %s\n", $1, $2, $3 }' "$status_file"
  rm -f "$status_file"
  if [ -n "$bad" ]; then
    echo "$(echo "$bad" | wc -l) of $total patterns no longer match: rewrite them"; exit 1
  fi
  echo "all $total patterns match once"; exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/somaif-mutants.XXXXXX")
cleanup () { [ "${MUTANT_KEEP:-0}" = 1 ] || rm -rf "$work"; rm -f "$status_file"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir "$work/claim" "$work/result"

# ---- the workers' trees --------------------------------------------------------
flags=$(cd "$build" && ./config.status --config | sed -e "s/'--enable-werror'//g" -e "s/--enable-werror//g")
setup_worker () {
  w=$work/w$1
  mkdir -p "$w/src" "$w/build"
  # Everything but version control, autoconf's cache and build folders.
  (cd "$src" && find . -mindepth 1 -maxdepth 1 ! -name .git ! -name autom4te.cache \
     -exec sh -c 'for d; do [ -f "$d/config.status" ] || echo "$d"; done' sh {} + |
   tar --exclude=autom4te.cache -cf - -T -) | tar -C "$w/src" -xf -
  if [ -f "$w/src/config.status" ]; then
    echo "run-mutants: $src is configured in place; build out of tree" >&2; return 1
  fi
  (cd "$w/build" && eval "\"$w/src/configure\" -q $flags" && make -j1 >/dev/null 2>&1 &&
   make -j1 check TESTS= >/dev/null 2>&1) >"$w/setup.log" 2>&1 ||
    { echo "run-mutants: worker $1 did not build; see $w/setup.log" >&2; return 1; }
}

# The suite's tests as tests/Makefile lists them.
all_tests=$(printf 'print-tests:\n\t@echo $(TESTS)\n' |
            make -s --no-print-directory -C "$build/tests" -f Makefile -f - print-tests)
slow="test-invariants test-params-reach test-resume.sh test-quick.sh test-run-folder.sh test-cli.sh \
test-bad-input.sh test-sweep.sh test-paper-figures.sh test-outside-plugin.sh"
# order FILE: the tests to run for a mutant of FILE, most telling and fastest first.
order () {
  name=$(echo "$1" | sed -n 's|^plugins/\([^/]*\)/.*|\1|p')
  first="" fast="" last=""
  for t in $all_tests; do
    case " $slow " in *" $t "*) continue ;; esac
    if [ -n "$name" ] && echo "$t" | grep -q -- "$name"; then first="$first $t"; else fast="$fast $t"; fi
  done
  for t in $slow; do case " $all_tests " in *" $t "*) last="$last $t" ;; esac; done
  echo $first $fast $last
}

# A test never reads the worker's list of mutants (mpirun forwards its
# standard input to rank 0, and took the rest of the list).
run_test () {
  if command -v timeout >/dev/null 2>&1; then
    timeout "$limit" make -C "$1/tests" check TESTS="$2" >"$1/test.log" 2>&1 </dev/null
  else
    make -C "$1/tests" check TESTS="$2" >"$1/test.log" 2>&1 </dev/null
  fi
}

# worker N: claims mutants one at a time (mkdir is atomic) until none is left.
worker () {
  w=$work/w$1
  # The suite must pass without a mutant, or every mutant would look caught.
  if [ "$1" -eq 1 ] && [ "${MUTANT_BASELINE:-1}" = 1 ]; then
    make -C "$w/build/tests" check >"$w/baseline.log" 2>&1 </dev/null || : >"$work/baseline-failed"
    echo "  (the suite without a mutant: $([ -f "$work/baseline-failed" ] && echo FAILS || echo passes))" >&2
  fi
  while IFS="$(printf '\t')" read -r id file equivalent; do
    [ -n "${MUTANTS:-}" ] && case " $MUTANTS " in *" $id "*) ;; *) continue ;; esac
    mkdir "$work/claim/$id" 2>/dev/null || continue
    start=$(date +%s)
    cp -p "$w/src/$file" "$w/orig"
    if [ "$(awk -F '\t' -v id="$id" '$1 == id { print $3 }' "$status_file")" != ok ]; then
      result="stale|-"
    elif ! perl "$here/mutate.pl" apply "$list" "$w/src" "$id" 2>"$w/apply.log"; then
      result="stale|-"
    elif ! make -C "$w/build" -j1 >"$w/make.log" 2>&1 </dev/null; then
      result="no-build|-"
    else
      result="survived|-"
      for t in $(order "$file"); do
        run_test "$w/build" "$t"
        case $? in
          0) ;;
          124) result="caught|$t (timeout)"; break ;;
          *) result="caught|$t"; break ;;
        esac
      done
    fi
    [ -n "$equivalent" ] && result="equivalent|$equivalent"
    cp "$w/orig" "$w/src/$file"
    touch "$w/src/$file"
    echo "$id|$file|$result|$(($(date +%s) - start))" >"$work/result/$id"
    echo "  $id: $(echo "$result" | tr '|' ' ')" >&2
  done <"$work/list"
}

perl "$here/mutate.pl" list "$list" >"$work/list" || exit 2
echo "make mutants: $total mutants, $jobs workers (work folder $work)" >&2
i=1
while [ $i -le "$jobs" ]; do setup_worker $i & i=$((i + 1)); done
wait
i=1
while [ $i -le "$jobs" ]; do
  [ -f "$work/w$i/build/config.status" ] || exit 2
  i=$((i + 1))
done
echo "the workers' trees are built; running the mutants" >&2
i=1
while [ $i -le "$jobs" ]; do worker $i & i=$((i + 1)); done
wait

# ---- the table and the score ------------------------------------------------------
printf '\n%-28s %-36s %-10s %6s  %s\n' mutant file result secs "caught by"
caught=0 survived=0 n_equivalent=0 broken=0
while IFS="$(printf '\t')" read -r id file equivalent; do
  [ -f "$work/result/$id" ] || continue
  IFS='|' read -r id file result by secs <"$work/result/$id"
  printf '%-28s %-36s %-10s %6s  %s\n' "$id" "$file" "$result" "$secs" "$by"
  case $result in
    caught) caught=$((caught + 1)) ;;
    survived) survived=$((survived + 1)) ;;
    equivalent) n_equivalent=$((n_equivalent + 1)) ;;
    *) broken=$((broken + 1)) ;;
  esac
done <"$work/list"
scored=$((caught + survived))
echo
echo "caught $caught of $scored mutants ($((scored ? 100 * caught / scored : 0))%);" \
  "$n_equivalent equivalent, $broken stale or not building"
[ "$broken" -eq 0 ] || echo "rewrite the stale or not building mutants in $list" >&2
if [ -f "$work/baseline-failed" ]; then
  echo "the suite fails WITHOUT a mutant (see worker 1's baseline.log): the score means nothing"
  exit 1
fi
