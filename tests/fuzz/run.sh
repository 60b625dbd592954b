#!/bin/sh
# run.sh: `make fuzz` — build each libFuzzer harness with clang
# (-fsanitize=fuzzer,address,undefined, the core sources compiled directly, not
# the gcc-built libmlcore.a) and run them all in parallel for FUZZ_SECONDS.
# Crashes land in tests/fuzz/crashes/NAME/ of the source tree, where `make
# check` replays them. Usage: run.sh SRCDIR BUILDDIR [NAME...]
set -u
src=$1 build=$2
shift 2
names=${*:-filter gate theme config filestore rest_json drift alert}
seconds=${FUZZ_SECONDS:-480}
clang=${CLANG:-clang}
out=${FUZZ_OUT:-$build/tests/fuzz/clang}
pkgs="ncursesw sqlite3 libcurl jansson yaml-0.1"

mkdir -p "$out/obj" || exit 1
probe=$out/probe.c
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }' >"$probe"
if ! command -v "$clang" >/dev/null 2>&1 ||
	! "$clang" -fsanitize=fuzzer,address,undefined "$probe" -o "$out/probe" >/dev/null 2>&1; then
	echo "make fuzz: skipped: $clang with libFuzzer not found (apt-get install clang libclang-rt-14-dev)"
	exit 0
fi

cflags="-std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
	-fno-sanitize-recover=undefined -fsanitize-ignorelist=$src/tests/fuzz/known-ub.ignorelist -I$build -I$src/core -I$src/tui -I$src/tests/fuzz
	-DMLC_DATADIR=\"$src/themes\" -DMLC_SRCDIR=\"$src\" -DMLC_SHARED_DIR=\"$src/../shared\"
	$(pkg-config --cflags $pkgs)"
libs="$(pkg-config --libs $pkgs) -lm -lpthread"
# new flags or ignore list: compile everything again
stamp="$cflags $(cat "$src/tests/fuzz/known-ub.ignorelist")"
if [ "$(cat "$out/flags" 2>/dev/null)" != "$stamp" ]; then
	rm -f "$out"/obj/*.o
	printf '%s' "$stamp" >"$out/flags"
fi

# Compile one source into the object folder when it is newer than its object.
compile() {
	o=$out/obj/$(echo "$1" | tr / _).o
	if [ ! -f "$o" ] || [ "$src/$1" -nt "$o" ]; then
		# shellcheck disable=SC2086
		"$clang" $cflags -fsanitize=fuzzer-no-link -c "$src/$1" -o "$o" || return 1
	fi
	echo "$o"
}

core=$(cd "$src" && ls core/*.c)
objs=
for f in $core tests/fuzz/fuzz_util.c tests/fuzz/fuzz_browse.c; do
	o=$(compile "$f") || exit 1
	objs="$objs $o"
done
# the harness's own sources besides fuzz_NAME.c
extra() {
	case $1 in
	theme) echo tui/theme.c ;;
	drift) echo tui/cli_drift.c tui/cli_opt.c ;;
	esac
}
for n in $names; do
	hobjs=
	for f in tests/fuzz/fuzz_$n.c $(extra "$n"); do
		o=$(compile "$f") || exit 1
		hobjs="$hobjs $o"
	done
	# shellcheck disable=SC2086
	"$clang" -fsanitize=fuzzer,address,undefined $hobjs $objs $libs -o "$out/fuzz_$n" || exit 1
done

# the longest input each harness is given (16 KB holds a filter of
# FILTER_MAX_TERMS conditions)
max_len() {
	case $1 in
	filter | filestore | rest_json) echo 16384 ;;
	*) echo 4096 ;;
	esac
}
# temporary stores and registries on a RAM disk when there is one
tmp=${FUZZ_TMPDIR:-/tmp}
[ -n "${FUZZ_TMPDIR:-}" ] || [ ! -w /dev/shm ] || tmp=/dev/shm
echo "make fuzz: running $names for $seconds s each, in parallel"
for n in $names; do
	mkdir -p "$out/corpus/$n" "$src/tests/fuzz/crashes/$n"
	(cd "$out" && TMPDIR=$tmp "./fuzz_$n" -max_total_time="$seconds" \
		-max_len="$(max_len "$n")" -timeout=20 -print_final_stats=1 \
		-artifact_prefix="$src/tests/fuzz/crashes/$n/" \
		"$out/corpus/$n" "$src/tests/fuzz/corpus/$n" "$src/tests/fuzz/crashes/$n" >"$out/$n.log" 2>&1) &
done
wait
status=0
for n in $names; do
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$n.log")
	found=$(find "$src/tests/fuzz/crashes/$n" -type f -newer "$probe" | wc -l)
	echo "fuzz_$n: ${runs:-?} executions in $seconds s, $found new finding(s) (log: $out/$n.log)"
	[ "$found" -eq 0 ] || status=1
done
exit $status
