#!/bin/sh
# test-python-install.sh: the Python package installed by make install into a
# DESTDIR runs quick with the installed somaif-run (python/tests/test_install.py).
exec "$(dirname "$0")/test-python.sh" --install
