#!/bin/sh
# bench_scale.sh: issue 13's scaling table — the same work at 10,000 and
# 100,000 runs (and 1,000,000 with BENCH_BIG=1), on demo registries of that size
# (`demo create --runs N`; the biggest experiment holds about half the runs).
# Per size: the CLI's first 50 runs by a metric, whole process, against the
# sqlite3 CLI walking the same index for the same 50 rows (the anchor; best of
# 5 each); then the console's runs view in tmux (bench_tui.sh). Numbers only.
#   bench_scale.sh MLCONSOLE SRCDIR
set -u
M=$1 src=$2
sizes="10000 100000"
[ "${BENCH_BIG:-0}" = 1 ] && sizes="$sizes 1000000"
dir=${BENCH_DIR:-$(mktemp -d /tmp/mlc-bench-scale-XXXXXX)}
mkdir -p "$dir"
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$dir"' EXIT
exp=fraud-detection

# best5 CMD...: the least wall time of 5 runs, in ms.
best5() {
	b=
	for _ in 1 2 3 4 5; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t=$((($(date +%s%N) - t0) / 1000000))
		[ -z "$b" ] || [ "$t" -lt "$b" ] && b=$t
	done
	echo "$b"
}
walk="SELECT r.run_uuid, r.run_name, lm.value FROM latest_metrics lm
 CROSS JOIN runs r ON r.id = lm.run_id
 WHERE lm.key_id = (SELECT id FROM metric_keys WHERE key = 'auc') AND lm.is_nan = 0
 AND r.experiment_id = (SELECT id FROM experiments WHERE name = '$exp')
 AND r.lifecycle_stage = 'active' ORDER BY lm.value DESC LIMIT 50"

echo
echo "scaling (ms; CLI = runs $exp --order-by 'metrics.auc DESC' --limit 50, whole process)"
printf '%-9s %8s %8s %6s   %s\n' runs "CLI" "sqlite3" ratio "goal <= 2x"
for n in $sizes; do
	db=$dir/demo-$n.db
	[ -f "$db" ] || "$M" demo create "$db" --runs "$n" >/dev/null || { echo "$n: demo create failed"; continue; }
	cli=$(best5 "$M" -r "$db" runs "$exp" --order-by "metrics.auc DESC" --limit 50)
	if command -v sqlite3 >/dev/null; then
		anchor=$(best5 sqlite3 "$db" "$walk")
		ratio=$(awk -v a="$cli" -v b="$anchor" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
	else
		anchor="skipped: no sqlite3 CLI" ratio=-
	fi
	printf '%-9s %8s %8s %6s\n' "$n" "$cli" "$anchor" "$ratio"
done

echo
echo "the console's runs view at 80x24 (ms from the key to its frame; RSS MB with the view open / peak)"
echo "goals: enter <= 50, re-sort <= 50, / <= 16, j PgDn G <= 5, RSS <= 30"
printf '%-16s %7s %7s %7s %7s %6s %6s %6s %6s %6s %9s\n' runs enter "s name" "s metr" S / j PgDn G gg "RSS/peak"
for n in $sizes; do
	db=$dir/demo-$n.db
	[ -f "$db" ] && sh "$src/tests/bench/bench_tui.sh" "$M" "$db" "$exp" "$n"
done
