# same-runs.sh: sourced by the test scripts that compare run folders.
#
# same A B: every file of two run folders is identical, but those that hold
# times, the machine or a pid (run.json, segments.json, somaif.lock); says
# the first difference on a "#" line.  Its lists go into $tmp.
same () {
  (cd "$1" && find . -type f ! -name run.json ! -name segments.json ! -name somaif.lock | sort) >"$tmp/list.a"
  (cd "$2" && find . -type f ! -name run.json ! -name segments.json ! -name somaif.lock | sort) >"$tmp/list.b"
  cmp -s "$tmp/list.a" "$tmp/list.b" || { echo "# the files differ: $(diff "$tmp/list.a" "$tmp/list.b" | tr '\n' ' ')"; return 1; }
  while read -r f; do
    cmp -s "$1/$f" "$2/$f" || { echo "# $f differs"; return 1; }
  done <"$tmp/list.a"
}
