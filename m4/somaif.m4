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

# SOMAIF_FIND_MPI: Open MPI's flags into MPI_CFLAGS and MPI_LIBS (pkg-config
# ompi-c, else mpicc --showme) and a test link; with_mpi becomes yes when it
# links.  Missing MPI fails configure when with_mpi is yes (--with-mpi), and
# leaves with_mpi as it was otherwise.
AC_DEFUN([SOMAIF_FIND_MPI], [
  somaif_mpi_found=no
  PKG_CHECK_MODULES([MPI], [ompi-c], [somaif_mpi_found=yes], [
    AC_PATH_PROG([MPICC], [mpicc], [])
    AS_IF([test -n "$MPICC" && MPI_CFLAGS=`$MPICC --showme:compile 2>/dev/null` \
           && MPI_LIBS=`$MPICC --showme:link 2>/dev/null`], [somaif_mpi_found=yes])])
  AS_IF([test "x$somaif_mpi_found" = xyes], [
    somaif_save_CFLAGS=$CFLAGS; somaif_save_LIBS=$LIBS
    CFLAGS="$CFLAGS $MPI_CFLAGS"; LIBS="$MPI_LIBS $LIBS"
    AC_MSG_CHECKING([whether MPI programs link])
    AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <mpi.h>]], [[MPI_Init (0, 0); return MPI_Finalize ();]])],
      [AC_MSG_RESULT([yes])], [AC_MSG_RESULT([no]); somaif_mpi_found=nolink])
    CFLAGS=$somaif_save_CFLAGS; LIBS=$somaif_save_LIBS])
  AS_CASE([$somaif_mpi_found:$with_mpi],
    [yes:*], [with_mpi=yes],
    [no:yes], [AC_MSG_ERROR([--with-mpi: MPI not found (neither pkg-config ompi-c nor mpicc --showme); install Open MPI (Debian: libopenmpi-dev openmpi-bin), or configure --without-mpi])],
    [nolink:yes], [AC_MSG_ERROR([--with-mpi: cannot link an MPI program with '$MPI_CFLAGS' '$MPI_LIBS'])],
    [MPI_CFLAGS=; MPI_LIBS=])
])
