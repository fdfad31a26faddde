# tap.sh: the TAP helpers of the shell tests, sourced near their top:
#   ok DESC          a passed test
#   not_ok DESC      a failed one (failed=1 from then on)
#   check STATUS DESC  ok when STATUS is 0, else not_ok
# n counts the tests so far; each script prints its own plan ("1..N"), and
# may define a check of its own after sourcing this.
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
check () { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi; }
