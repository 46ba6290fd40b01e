# pronet's configure helpers.

# PRONET_REQUIRE_PKG(VARIABLE-PREFIX, MODULES, DEBIAN-PACKAGE)
# ------------------------------------------------------------
# Like PKG_CHECK_MODULES, but a missing module stops configure with the
# name of the Debian package that provides it.
AC_DEFUN([PRONET_REQUIRE_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([$2 not found ($$1_PKG_ERRORS). On Debian 12 install it with: apt-get install $3])])
])

# PRONET_PTHREAD
# -----------------
# POSIX threads through the compiler driver; enough for glibc systems.
AC_DEFUN([PRONET_PTHREAD], [
  PTHREAD_CFLAGS="-pthread"
  PTHREAD_LIBS="-pthread"
  AC_SUBST([PTHREAD_CFLAGS])
  AC_SUBST([PTHREAD_LIBS])
])

dnl PRONET_CORPUS_DIR: where integration tests find nDPI's captures.
dnl PRONET_CORPUS from the environment or the configure line, else
dnl ../shared/corpus/ndpi beside the source tree, made absolute now so that
dnl `make distcheck` (which builds in a copy of the tree) sees the same one.
AC_DEFUN([PRONET_CORPUS_DIR], [
  AC_ARG_VAR([PRONET_CORPUS], [directory of nDPI's test captures for integration tests (default: SRCDIR/../shared/corpus/ndpi)])
  AS_IF([test -z "$PRONET_CORPUS"], [
    pronet_srcdir_abs=`cd "$srcdir" && pwd`
    PRONET_CORPUS="`dirname "$pronet_srcdir_abs"`/shared/corpus/ndpi"
  ])
  AS_IF([test -d "$PRONET_CORPUS"], [],
    [AC_MSG_WARN([no captures in $PRONET_CORPUS: integration tests will fail until PRONET_CORPUS names nDPI's test captures])])
])

dnl PRONET_NDPI_UNDECLARED
dnl ----------------------
dnl plugin/ndpi_undeclared.h declares functions libndpi 4.2 exports without
dnl declaring them (ndpi_handle_rule). Compile and link a call through that
dnl header against libndpi's headers and library: a missing symbol, or headers
dnl that declare it with other types, stop configure here.
AC_DEFUN([PRONET_NDPI_UNDECLARED], [
  AC_MSG_CHECKING([whether libndpi has ndpi_handle_rule as plugin/ndpi_undeclared.h declares it])
  pronet_save_CPPFLAGS=$CPPFLAGS
  pronet_save_LIBS=$LIBS
  CPPFLAGS="$CPPFLAGS -I$srcdir $NDPI_CFLAGS"
  LIBS="$NDPI_LIBS $LIBS"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include "plugin/ndpi_undeclared.h"
]], [[
  char rule[] = "@PronetConfigure";
  int (*handle)(struct ndpi_detection_module_struct *, char *, u_int8_t) = ndpi_handle_rule;
  struct ndpi_detection_module_struct *ndpi = ndpi_init_detection_module(ndpi_no_prefs);
  return handle(ndpi, rule, 1);
]])],
    [AC_MSG_RESULT([yes])],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([libndpi does not provide ndpi_handle_rule(struct ndpi_detection_module_struct *, char *, u_int8_t) as plugin/ndpi_undeclared.h declares it (see config.log); the plugin needs it to create custom protocol names: use nDPI 4.2 (Debian libndpi-dev 4.2)])])
  CPPFLAGS=$pronet_save_CPPFLAGS
  LIBS=$pronet_save_LIBS
])
