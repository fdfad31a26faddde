# somaif.m4: small configure checks of our own.

# SOMAIF_ADD_CFLAG(FLAG): append FLAG to CFLAGS when the compiler accepts it.
AC_DEFUN([SOMAIF_ADD_CFLAG], [
  AC_MSG_CHECKING([whether $CC accepts $1])
  somaif_save_CFLAGS=$CFLAGS
  CFLAGS="$CFLAGS $1 -Werror"
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
    [AC_MSG_RESULT([yes]); CFLAGS="$somaif_save_CFLAGS $1"],
    [AC_MSG_RESULT([no]); CFLAGS=$somaif_save_CFLAGS])
])

# SOMAIF_PTHREAD: find how to link POSIX threads (-pthread on GCC and Clang, libc on the BSDs).
AC_DEFUN([SOMAIF_PTHREAD], [
  AC_MSG_CHECKING([how to build with POSIX threads])
  somaif_save_CFLAGS=$CFLAGS; somaif_save_LIBS=$LIBS
  CFLAGS="$CFLAGS -pthread"; LIBS="$LIBS -pthread"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <pthread.h>]],
      [[pthread_t t; return pthread_create(&t, 0, 0, 0);]])],
    [PTHREAD_CFLAGS=-pthread; PTHREAD_LIBS=-pthread; AC_MSG_RESULT([-pthread])],
    [AC_MSG_RESULT([plain libraries]); PTHREAD_CFLAGS=; PTHREAD_LIBS=])
  CFLAGS=$somaif_save_CFLAGS; LIBS=$somaif_save_LIBS
  AS_IF([test "x$PTHREAD_LIBS" = x],
    [AC_SEARCH_LIBS([pthread_create], [pthread], [],
       [AC_MSG_ERROR([POSIX threads not found (Debian: libc6-dev)])])])
  AC_SUBST([PTHREAD_CFLAGS])
  AC_SUBST([PTHREAD_LIBS])
])
