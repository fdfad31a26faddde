#!/bin/sh
# test-outside-plugin.sh: the plugin of docs/writing-plugins.md and the worked
# perceiver and optimiser of docs/examples/, built as an outside author would: against an installed tree (make install DESTDIR=...),
# with a plain compiler command and pkg-config, then loaded through
# SOMAIF_PLUGIN_PATH by the installed somaif-run for a short experiment.
set -u
builddir=${G_TEST_BUILDDIR:?}/..
srcdir=${G_TEST_SRCDIR:?}/..
tmp=$(mktemp -d "${TMPDIR:-/tmp}/somaif-outside.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
. "${G_TEST_SRCDIR:-$(dirname "$0")}/tap.sh"
echo "1..13"

root=$tmp/root
if ${MAKE:-make} -C "$builddir" install DESTDIR="$root" >"$tmp/install.log" 2>&1; then
  ok "make install DESTDIR=..."
else
  not_ok "make install DESTDIR=..."; sed 's/^/# /' "$tmp/install.log" | tail -20
  exit 1
fi

# The uninstalled .pc gives the configured folders, to find them under DESTDIR.
pcvar () { PKG_CONFIG_PATH="$builddir/core" pkg-config --variable="$1" somaif; }
libdir=$(pcvar libdir); bindir=$(pcvar bindir); pluginsdir=$(pcvar pluginsdir)
configsdir=$(pcvar configsdir)
# The installed somaif.pc, with its folders moved under DESTDIR (where this
# tree was installed instead of its prefix); GLib's flags stay its own.
mkdir "$tmp/pkgconfig"
sed -E "s#^(prefix|exec_prefix|libdir|includedir|bindir|datarootdir|datadir|pluginsdir|configsdir)=/#\1=$root/#" \
  "$root$libdir/pkgconfig/somaif.pc" > "$tmp/pkgconfig/somaif.pc"
export PKG_CONFIG_PATH="$tmp/pkgconfig"
pkgconfig () { pkg-config "$@"; }

mkdir "$tmp/pen2d"
# The C block of the guide, exactly as a reader copies it.
awk '/^```c$/ { on = 1; next } /^```$/ { on = 0 } on' "$srcdir/docs/writing-plugins.md" \
  > "$tmp/pen2d/pen2d.c"
if [ -s "$tmp/pen2d/pen2d.c" ]; then ok "the guide holds the plugin's source"; else not_ok "the guide holds the plugin's source"; fi

cc=${CC:-cc}
# shellcheck disable=SC2046
if (cd "$tmp/pen2d" && $cc -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -shared -fPIC \
      -fvisibility=hidden $(pkgconfig --cflags somaif) -o pen2d.so pen2d.c \
      $(pkgconfig --libs somaif)) >"$tmp/cc.log" 2>&1; then
  ok "a plain cc command builds it against the installed headers"
else
  not_ok "a plain cc command builds it against the installed headers"; sed 's/^/# /' "$tmp/cc.log"
fi

# Code and data it exports (the linker's own __bss_start, _edata, _end aside).
syms=$(nm -D --defined-only "$tmp/pen2d/pen2d.so" 2>/dev/null \
       | awk '$2 ~ /^[TDRB]$/ && $3 !~ /^(__bss_start|_edata|_end)$/ { print $3 }' | tr '\n' ' ')
if [ "$syms" = "somaif_plugin_describe " ]; then ok "it exports only somaif_plugin_describe"
else not_ok "it exports only somaif_plugin_describe (exports: $syms)"; fi

run () {
  LD_LIBRARY_PATH="$root$libdir" SOMAIF_PLUGIN_PATH="$tmp/pen2d:$root$pluginsdir" \
    SOMAIF_CONFIGS_DIR="$root$configsdir" "$root$bindir/somaif-run" "$@"
}
run --list-plugins >"$tmp/list.txt" 2>&1
if grep -q "^plant pen2d" "$tmp/list.txt" && grep -q "gain" "$tmp/list.txt" \
   && grep -q "^generator esn" "$tmp/list.txt"; then
  ok "--list-plugins shows pen2d beside the installed plugins"
else
  not_ok "--list-plugins shows pen2d beside the installed plugins"; sed 's/^/# /' "$tmp/list.txt"
fi

if run --quiet --set 'plant={ plugin = "pen2d"; gain = 0.5; }' --set experiment.epochs=40 \
     --output "$tmp/run" quick >"$tmp/run.log" 2>&1 \
   && [ "$(wc -l < "$tmp/run/metrics.csv")" -eq 401 ] && grep -Eq '"name" ?: "pen2d"' "$tmp/run/run.json"; then
  ok "the installed somaif-run runs quick with pen2d as its plant"
else
  not_ok "the installed somaif-run runs quick with pen2d as its plant"; sed 's/^/# /' "$tmp/run.log"
fi

if grep -q 'plugin = "pen2d"' "$tmp/run/config.cfg" && grep -q 'gain = 0.5' "$tmp/run/config.cfg"; then
  ok "the resolved config names the outside plugin and its parameter"
else
  not_ok "the resolved config names the outside plugin and its parameter"
fi

run --check --set plant.plugin=pen2d quick >"$tmp/bad.log" 2>&1
status=$?
if [ $status -eq 2 ] && grep -q "plant\.[a-z_]*: unknown key (valid keys: gain, plugin)" "$tmp/bad.log"; then
  ok "the arm's keys are refused for pen2d, naming the valid ones"
else
  not_ok "the arm's keys are refused for pen2d (exit $status)"; sed 's/^/# /' "$tmp/bad.log"
fi

# The worked perceiver and optimiser, by the same command (they need libm).
mkdir "$tmp/examples"
for name in neuralgas hillclimb; do
  # shellcheck disable=SC2046
  if $cc -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -shared -fPIC -fvisibility=hidden \
       $(pkgconfig --cflags somaif) -o "$tmp/examples/$name.so" "$srcdir/docs/examples/$name.c" \
       $(pkgconfig --libs somaif) -lm >"$tmp/cc-$name.log" 2>&1; then
    ok "docs/examples/$name.c builds against the installed headers"
  else
    not_ok "docs/examples/$name.c builds against the installed headers"
    sed 's/^/# /' "$tmp/cc-$name.log"
  fi
done
examples () {
  LD_LIBRARY_PATH="$root$libdir" SOMAIF_PLUGIN_PATH="$tmp/examples:$root$pluginsdir" \
    SOMAIF_CONFIGS_DIR="$root$configsdir" "$root$bindir/somaif-run" "$@"
}
if examples --quiet --set 'perceiver={ plugin = "neuralgas"; units = 6; }' \
     --set 'optimiser={ plugin = "hillclimb"; candidates = 4; }' --set experiment.epochs=40 \
     --output "$tmp/ex" quick >"$tmp/ex.log" 2>&1 \
   && [ "$(wc -l < "$tmp/ex/metrics.csv")" -eq 161 ] && [ "$(wc -l < "$tmp/ex/final.csv")" -eq 7 ] \
   && grep -q '"name" *: *"neuralgas"' "$tmp/ex/run.json" && grep -q '"name" *: *"hillclimb"' "$tmp/ex/run.json"; then
  ok "quick runs with the neural gas and the hill climber (40 epochs, 6 units, 4 candidates)"
else
  not_ok "quick runs with the neural gas and the hill climber"; sed 's/^/# /' "$tmp/ex.log"
fi
# Their saved states replay the run's final evaluation exactly.
cp "$tmp/ex/final.csv" "$tmp/final-before.csv"
if examples --quiet --replay "$tmp/ex" >"$tmp/replay.log" 2>&1 \
   && cmp -s "$tmp/ex/final.csv" "$tmp/final-before.csv"; then
  ok "--replay of that run, through both plugins' load_state, gives the same final.csv"
else
  not_ok "--replay of that run gives the same final.csv"; sed 's/^/# /' "$tmp/replay.log"
fi
if examples --list-plugins 2>&1 | grep -q "^perceiver neuralgas"; then
  ok "--list-plugins shows the neural gas"
else
  not_ok "--list-plugins shows the neural gas"
fi
exit $failed
