#!/bin/sh
# The ABI of the two installed libraries, kept on purpose.
#
#   sh build-aux/abi.sh map HEADER NODE       the linker version script for
#                                             the CG_EXPORT functions of HEADER
#   sh build-aux/abi.sh check SRCDIR BUILDDIR compare the built libraries with
#                                             the baselines in SRCDIR/abi/
#   sh build-aux/abi.sh update SRCDIR BUILDDIR write the baselines anew
#
# The baselines (abi/*.abi) are abidw's description of each library's
# exported functions and the types they reach. `check` fails on any
# difference, compatible or not: a function added, removed or changed, a
# public struct or enum that grew. If the change is meant, run
# `make abi-update` and commit abi/ with the change, saying why.
set -eu

LIBS="libcapgate:capgate.h libcapgate-runtime:capgate-runtime.h"

symbols() { # HEADER: the exported functions, sorted
	sed -n 's/^CG_EXPORT[^(]*[ *]\([a-z_][a-z0-9_]*\)(.*/\1/p' "$1" | sort -u
}

case "${1:-}" in
map)
	[ $# -eq 3 ] || { echo "usage: $0 map HEADER NODE" >&2; exit 2; }
	printf '/* Made from %s by build-aux/abi.sh: every CG_EXPORT function, nothing else. */\n' "$(basename "$2")"
	printf '%s {\nglobal:\n' "$3"
	symbols "$2" | sed 's/.*/\t&;/'
	printf 'local:\n\t*;\n};\n'
	;;
check | update)
	[ $# -eq 3 ] || { echo "usage: $0 $1 SRCDIR BUILDDIR" >&2; exit 2; }
	src=$2 build=$3
	if ! command -v abidw >/dev/null 2>&1; then
		echo "SKIP: abidw/abidiff not found (apt-get install abigail-tools)"
		exit 77
	fi
	for pair in $LIBS; do
		lib=${pair%%:*} header=${pair#*:}
		so="$build/.libs/$lib.so"
		if [ ! -f "$so" ]; then
			echo "$so: not built"
			exit 1
		fi
		base="$src/abi/$lib.abi"
		if ! readelf -S "$so" 2>/dev/null | grep -q '\.debug_info'; then
			echo "SKIP: $so has no debug information (build with -g) for abidw to read"
			exit 77
		fi
		if [ "$1" = update ]; then
			abidw --headers-dir "$src/include" --headers-dir "$build/include" \
				--no-corpus-path --no-comp-dir-path --short-locs \
				--out-file "$base" "$so"
			echo "wrote $base"
			continue
		fi
		if [ ! -f "$base" ]; then
			echo "$base: no baseline; run 'make abi-update'"
			exit 1
		fi
		# What the library exports is what its header declares.
		exported=$(nm -D --defined-only "$so" | awk '$2 == "T" {sub(/@.*/, "", $3); print $3}' | sort)
		declared=$(symbols "$src/include/$header")
		if [ "$exported" != "$declared" ]; then
			echo "$lib: exports differ from include/$header's CG_EXPORT functions:"
			printf '%s\n' "$exported" >"$build/abi.exported.$$"
			printf '%s\n' "$declared" >"$build/abi.declared.$$"
			diff "$build/abi.declared.$$" "$build/abi.exported.$$" | sed -n 's/^[<>] //p' | sed 's/^/  /'
			rm -f "$build/abi.exported.$$" "$build/abi.declared.$$"
			exit 1
		fi
		rc=0
		out=$(abidiff --headers-dir2 "$src/include" --headers-dir2 "$build/include" \
			--no-added-syms "$base" "$so" 2>&1) || rc=$?
		added=$(abidiff --headers-dir2 "$src/include" --headers-dir2 "$build/include" \
			"$base" "$so" 2>&1 | sed -n 's/^  \[A\] .*function \(.*\)$/\1/p') || true
		if [ "$rc" -ne 0 ] || [ -n "$added" ]; then
			echo "$lib: the ABI differs from abi/$lib.abi:"
			printf '%s\n' "$out" | sed 's/^/  /'
			[ -z "$added" ] || printf '  added: %s\n' "$added"
			[ $((rc & 8)) -eq 0 ] || echo "  (incompatible: a program built against the baseline would break)"
			echo "  if the change is meant: make abi-update, and commit abi/ with it"
			exit 1
		fi
		echo "$lib: ABI as in abi/$lib.abi"
	done
	;;
*)
	echo "usage: $0 map HEADER NODE | check SRCDIR BUILDDIR | update SRCDIR BUILDDIR" >&2
	exit 2
	;;
esac
