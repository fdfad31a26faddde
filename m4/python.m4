# python.m4: the Python package somaif (python/), installed when python3 is found.

# SOMAIF_PYTHON: --without-python, --with-pythondir=DIR and the precious
# variable PYTHON; substitutes pythondir and defines the WITH_PYTHON conditional.
# The package goes where the interpreter itself looks for pure modules
# (sysconfig's purelib: dist-packages on Debian), not under ${prefix}.
AC_DEFUN([SOMAIF_PYTHON], [
  AC_ARG_WITH([python],
    [AS_HELP_STRING([--without-python],
      [do not install the Python package somaif (default: install it when python3 is found)])],
    [], [with_python=check])
  AC_ARG_WITH([pythondir],
    [AS_HELP_STRING([--with-pythondir=DIR],
      [install the Python package in DIR/somaif (default: the folder python3 reports for pure modules, sysconfig's purelib)])],
    [], [with_pythondir=])
  AC_ARG_VAR([PYTHON], [the Python 3 interpreter of the somaif package and its tests (default: python3)])
  somaif_python=no
  AS_IF([test "x$with_python" != xno], [
    AC_PATH_PROGS([PYTHON], [python3], [])
    AS_IF([test -n "$PYTHON"], [
      AC_MSG_CHECKING([whether $PYTHON is Python 3.8 or later])
      AS_IF([$PYTHON -c 'import sys; sys.exit(sys.version_info < (3, 8))' >/dev/null 2>&1],
        [AC_MSG_RESULT([yes]); somaif_python=yes], [AC_MSG_RESULT([no])])])
    AS_IF([test "x$somaif_python" = xno && test "x$with_python" = xyes],
      [AC_MSG_ERROR([--with-python: no Python 3.8 or later found (Debian: python3); or set PYTHON=/path/to/python3])])])
  AS_IF([test "x$somaif_python" = xyes], [
    AC_MSG_CHECKING([where to install the Python package])
    AS_IF([test -n "$with_pythondir" && test "x$with_pythondir" != xyes],
      [pythondir=$with_pythondir],
      [pythondir=`$PYTHON -c 'import sysconfig; print(sysconfig.get_path("purelib"))'`])
    AC_MSG_RESULT([$pythondir/somaif])
    AC_MSG_CHECKING([whether $PYTHON has numpy (the package needs it)])
    AS_IF([$PYTHON -c 'import numpy' >/dev/null 2>&1], [AC_MSG_RESULT([yes])],
      [AC_MSG_RESULT([no: import somaif fails without it and make check skips the Python tests (Debian: python3-numpy, for /usr/bin/python3; configure PYTHON=... chooses the interpreter)])])
    AC_MSG_CHECKING([whether $PYTHON has pytest (the Python tests)])
    AS_IF([$PYTHON -c 'import pytest' >/dev/null 2>&1], [AC_MSG_RESULT([yes])],
      [AC_MSG_RESULT([no: make check will skip them (Debian: python3-pytest)])])])
  AC_SUBST([pythondir])
  AM_CONDITIONAL([WITH_PYTHON], [test "x$somaif_python" = xyes])
])
