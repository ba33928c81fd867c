#!/bin/sh
# Quick start: installs what is needed, builds, and runs the whole test
# suite (unit, conformance, corpus, CLI and window tests). In CI (CI=true)
# it also runs `make distcheck` under ASan and UBSan (the release tarball
# builds and passes), every unit test under valgrind, the threaded unit
# tests under ThreadSanitizer, and every fuzz target for a short smoke run.
set -eu
cd "$(dirname "$0")"
scripts/build.sh
status=0
make -j"$(nproc 2>/dev/null || echo 2)" check || status=$?
if [ "$status" -ne 0 ]; then
	for f in tests/*.log; do
		case "$(tail -n 1 "$f" 2>/dev/null)" in *PASS*|*SKIP*) ;; *) echo "==== $f"; tail -n 60 "$f" ;; esac
	done
	exit "$status"
fi
if [ "${CI:-}" = true ]; then
	# The release tarball builds and passes, here with ASan and UBSan on
	# and with ../shared's conformance and corpus data.
	shared=$(cd .. && pwd)/shared
	[ -d "$shared" ] && export CAPGATE_SHARED="$shared"
	make distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-sanitizers
	# Every unit test under valgrind: zero errors, zero leaks.
	make check-valgrind
	# The threaded unit tests under ThreadSanitizer: no data race.
	make check-tsan
	# Every fuzz target for a smoke run (fuzz/README.md: how to run long).
	make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-15}"
fi
pass=$(sed -n 's/^# PASS: *//p' test-suite.log | head -n 1)
fail=$(sed -n 's/^# FAIL: *//p' test-suite.log | head -n 1)
skip=$(sed -n 's/^# SKIP: *//p' test-suite.log | head -n 1)
echo "tests: ${pass:-0} passed, ${fail:-0} failed, ${skip:-0} skipped"
