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
