#!/bin/sh
# Builds the fuzz targets and runs each for SECONDS seconds.
#
#   sh fuzz/run.sh SRCDIR BUILDDIR SECONDS
#
# (what `make fuzz FUZZ_SECONDS=N` runs). Each target fuzzes a working
# corpus BUILDDIR/fuzz/corpus/<target>, seeded from SRCDIR/fuzz/seeds/<target>
# (the source tree is only read), with its dictionary
# SRCDIR/fuzz/dict/<target>.dict; crash artifacts go to
# BUILDDIR/fuzz/artifacts/<target>/ and logs to BUILDDIR/fuzz/logs/.
# FUZZ_TARGETS="glob event" limits the run to some targets. Prints a table
# and one JSON line; exits non-zero if any target failed.
set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 SRCDIR BUILDDIR SECONDS" >&2
	exit 2
fi
SRCDIR=$(cd "$1" && pwd) || exit 2
BUILDDIR=$(cd "$2" && pwd) || exit 2
SECONDS_EACH=$3
case "$SECONDS_EACH" in
''|*[!0-9]*) echo "fuzz: SECONDS must be a whole number, not '$SECONDS_EACH'" >&2; exit 2 ;;
esac
CC=${CC:-clang}

# clang and its libFuzzer runtime: try to link a trivial target.
need_clang() {
	echo "fuzz: $1" >&2
	echo "fuzz: install clang and its libFuzzer runtime with:" >&2
	echo "    apt-get install clang libclang-rt-14-dev" >&2
	exit 1
}
command -v "$CC" >/dev/null 2>&1 || need_clang "$CC not found"
probe=$(mktemp -d "${TMPDIR:-/tmp}/cg-fuzz-probe.XXXXXX") || exit 1
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' > "$probe/p.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" > "$probe/log" 2>&1; then
	sed 's/^/    /' "$probe/log" >&2
	rm -rf "$probe"
	need_clang "$CC cannot link a libFuzzer target (is the fuzzer runtime installed?)"
fi
rm -rf "$probe"

# FUZZ_NO_BUILD=1: use the targets already built (to run several run.sh
# at once, on disjoint FUZZ_TARGETS, after one build).
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
	sh "$SRCDIR/fuzz/build.sh" "$SRCDIR" "$BUILDDIR" || { echo "fuzz: build failed" >&2; exit 1; }
fi

OUT="$BUILDDIR/fuzz/out"
TARGETS=${FUZZ_TARGETS:-}
if [ -z "$TARGETS" ]; then
	for t in "$SRCDIR"/fuzz/fuzz_*.c; do
		n=$(basename "$t" .c)
		TARGETS="$TARGETS ${n#fuzz_}"
	done
fi

# Sanitizer settings: abort with a stack on the first error; leak detection
# stays on (LeakSanitizer's default under libFuzzer).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"

mkdir -p "$BUILDDIR/fuzz/logs"
rows=
json=
failed=0
for t in $TARGETS; do
	bin="$OUT/fuzz_$t"
	corpus="$BUILDDIR/fuzz/corpus/$t"
	art="$BUILDDIR/fuzz/artifacts/$t"
	log="$BUILDDIR/fuzz/logs/$t.log"
	mkdir -p "$corpus" "$art"
	if [ -d "$SRCDIR/fuzz/seeds/$t" ]; then
		# Seeds are copied (the source tree is never fuzzed in place);
		# what earlier runs added to the corpus stays.
		for f in "$SRCDIR/fuzz/seeds/$t"/*; do
			[ -f "$f" ] && cp -f "$f" "$corpus/seed-$(basename "$f")"
		done
	fi
	dict=
	[ -f "$SRCDIR/fuzz/dict/$t.dict" ] && dict="-dict=$SRCDIR/fuzz/dict/$t.dict"
	echo "fuzz: $t for ${SECONDS_EACH}s (log: $log)"
	if [ ! -x "$bin" ]; then
		rc=127
		echo "no such target: $bin" > "$log"
	else
		# shellcheck disable=SC2086
		"$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 $dict -artifact_prefix="$art/" "$corpus" > "$log" 2>&1
		rc=$?
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	files=$(find "$corpus" -type f | wc -l | tr -d ' ')
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		result=ok
	else
		failed=$((failed + 1))
		if [ -n "$artifact" ]; then
			result="CRASH $artifact"
		else
			result="FAIL (exit $rc, see $log)"
		fi
	fi
	rows="$rows$(printf '%-12s %12s %8s %8s  %s' "$t" "${execs:-?}" "${rate:-?}" "$files" "$result")
"
	esc_result=$(printf '%s' "$result" | sed 's/\\/\\\\/g; s/"/\\"/g')
	json="$json${json:+,}{\"target\":\"$t\",\"executions\":${execs:-null},\"exec_per_sec\":${rate:-null},\"corpus_files\":$files,\"ok\":$([ "$rc" -eq 0 ] && echo true || echo false),\"result\":\"$esc_result\"}"
done

echo
printf '%-12s %12s %8s %8s  %s\n' target executions exec/s corpus result
printf '%s' "$rows"
echo "{\"fuzz\":{\"seconds_per_target\":$SECONDS_EACH,\"failed\":$failed,\"targets\":[$json]}}"
[ "$failed" -eq 0 ]
