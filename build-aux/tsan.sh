#!/bin/sh
# Builds the engine and its threaded unit tests with ThreadSanitizer and
# runs them (what `make check-tsan` runs; CI runs it).
#
#   sh build-aux/tsan.sh SRCDIR BUILDDIR [TEST...]
#
# Everything goes to BUILDDIR/tsan. The tests are the ones whose code runs
# on several threads: the router (worker pool, handler thread, answers and
# emits from other threads), policy swaps under concurrent checks, and the
# seccomp handler tier. A data race fails the run (halt_on_error).
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 SRCDIR BUILDDIR [TEST...]" >&2
	exit 2
fi
SRCDIR=$(cd "$1" && pwd)
BUILDDIR=$(cd "$2" && pwd)
shift 2
TESTS=${*:-"test_router test_router_hostile test_policy test_isolation test_seccomp"}
CC=${CC:-gcc}
CORE="$BUILDDIR/engine/policy/builtin_core.c"
if [ ! -f "$CORE" ]; then
	echo "tsan: $CORE is missing; run 'make' in $BUILDDIR first" >&2
	exit 1
fi
PKGS="json-c glib-2.0 nettle libseccomp check"
PKG_CFLAGS=$(pkg-config --cflags $PKGS)
PKG_LIBS=$(pkg-config --libs $PKGS)
OUT="$BUILDDIR/tsan"
mkdir -p "$OUT/obj"

CPPFLAGS="-D_GNU_SOURCE -I$BUILDDIR/include -I$SRCDIR/include -I$SRCDIR/engine -DSRCDIR=\"$SRCDIR\""
CFLAGS="-g -O1 -std=c11 -fno-omit-frame-pointer -fsanitize=thread"

{ for f in "$SRCDIR"/engine/*/*.c; do
	case "$(basename "$f")" in builtin_core.c) ;; *) echo "$f" ;; esac
done; echo "$CORE"; } | while read -r f; do
	echo "$f $OUT/obj/$(basename "$f" .c).o"
done | xargs -P "$(nproc 2>/dev/null || echo 2)" -n 2 sh -c \
	'"$0" '"$CFLAGS $CPPFLAGS $PKG_CFLAGS"' -c "$1" -o "$2"' "$CC"
OBJS=$(ls "$OUT"/obj/*.o)

# handle_segv=0: test_seccomp's probes fault on purpose (int 0x80 on a
# kernel without IA32 emulation) in child processes and expect to die of it.
# GLib and the other libraries are not instrumented: their own atomics are
# invisible to TSan, so races it reports inside them are not ours.
SUPP="$OUT/suppressions"
printf '%s\n' "called_from_lib:libglib-2.0.so" "called_from_lib:libjson-c.so" >"$SUPP"

status=0
for t in $TESTS; do
	echo "tsan: $t"
	# shellcheck disable=SC2086
	$CC $CFLAGS $CPPFLAGS $PKG_CFLAGS -Wno-format-truncation "$SRCDIR/tests/$t.c" $OBJS \
		$PKG_LIBS -lpthread -o "$OUT/$t"
	if ! (cd "$BUILDDIR" && TSAN_OPTIONS="halt_on_error=1 exitcode=66 handle_segv=0 suppressions=$SUPP" \
		CK_DEFAULT_TIMEOUT=600 "$OUT/$t" >"$OUT/$t.log" 2>&1); then
		echo "tsan: FAIL: $t (see $OUT/$t.log)"
		tail -n 60 "$OUT/$t.log"
		status=1
	fi
done
[ $status -eq 0 ] && echo "tsan: no data race in: $TESTS"
exit $status
