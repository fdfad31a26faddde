#!/bin/sh
# test-sdk.sh: the installed library is the SDK and nothing more.  libsomaif
# exports exactly the functions somaif/plugin.h declares (the entry point
# aside, which plugins define), and neither it nor any plugin needs the
# host's libraries (libconfig, libpng, cairo, fontconfig), directly or not.
set -u
builddir=${G_TEST_BUILDDIR:?}/..
srcdir=${G_TEST_SRCDIR:?}/..
tmp=$(mktemp -d "${TMPDIR:-/tmp}/somaif-sdk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
. "${G_TEST_SRCDIR:-$(dirname "$0")}/tap.sh"
host_libs='lib(config|png|cairo|fontconfig)[.-]'

lib=$builddir/core/.libs/libsomaif.so
plugins=$(ls "$builddir"/plugins/*/.libs/*.so 2>/dev/null)
echo "1..$((5 + $(echo "$plugins" | wc -w)))"

# Declarations start a line with their return type; the entry point is the
# plugins' own (SOMAIF_PLUGIN_DEFINE).
awk '/^[A-Za-z]/ && !/^typedef/ && match($0, /somaif_[a-z0-9_]+ \(/) {
       print substr($0, RSTART, RLENGTH - 2) }' "$srcdir/core/somaif/plugin.h" \
  | grep -v '^somaif_plugin_describe$' | sort -u > "$tmp/declared"
# Code and data it exports (the linker's own __bss_start, _edata, _end aside).
nm -D --defined-only "$lib" \
  | awk '$2 ~ /^[TDRBVWiu]$/ && $3 !~ /^(__bss_start|_edata|_end|_init|_fini)$/ { print $3 }' \
  | sed 's/@.*//' | sort -u > "$tmp/exported"

if [ "$(wc -l < "$tmp/declared")" -ge 20 ]; then
  ok "plugin.h declares the SDK's functions ($(wc -l < "$tmp/declared"))"
else
  not_ok "plugin.h declares the SDK's functions (found $(wc -l < "$tmp/declared"))"
fi
extra=$(comm -13 "$tmp/declared" "$tmp/exported" | tr '\n' ' ')
missing=$(comm -23 "$tmp/declared" "$tmp/exported" | tr '\n' ' ')
if [ -z "$extra" ]; then ok "libsomaif exports nothing plugin.h does not declare"
else not_ok "libsomaif exports what plugin.h does not declare: $extra"; fi
if [ -z "$missing" ]; then ok "libsomaif exports every function plugin.h declares"
else not_ok "libsomaif lacks what plugin.h declares (add it to core/libsomaif.sym): $missing"; fi

# NEEDED of a file, then of every library ldd resolves for it (the SDK is
# found in the build tree).
needs () {
  readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'
  LD_LIBRARY_PATH="$builddir/core/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$1" 2>/dev/null \
    | awk '{ print $1 }'
}

# The check can fail: the host program does need them.
run_bin=$builddir/core/.libs/somaif-run
[ -f "$run_bin" ] || run_bin=$builddir/core/somaif-run
if needs "$run_bin" | grep -Eq "$host_libs"; then
  ok "somaif-run (the host) needs libconfig, libpng or cairo"
else
  not_ok "somaif-run (the host) needs libconfig, libpng or cairo: $(needs "$run_bin" | tr '\n' ' ')"
fi

for f in "$lib" $plugins; do
  name=${f#"$builddir"/}
  bad=$(needs "$f" | grep -E "$host_libs" | sort -u | tr '\n' ' ')
  if [ -z "$bad" ]; then ok "$name needs none of the host's libraries"
  else not_ok "$name needs the host's libraries: $bad"; fi
done
exit $failed
