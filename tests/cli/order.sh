#!/bin/bash
# tests/cli/order.sh: `runs EXP --order-by ... --limit N` (the first page, read
# by index walks) lists exactly the first N runs of the whole listing in the
# same order (the full ORDER BY), with runs whose metric is NaN or missing, for
# metric, param, tag and attribute orders, with and without filters and --all.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
command -v python3 >/dev/null || skip "python3 is needed to edit the registry and read --json"
db="$T/order.db"
"$M" demo create "$db" --runs 3000 --seed 42 >/dev/null || fail "demo create"
# Of fraud-detection's runs: every 7th has a NaN auc, every 5th none, every 11th
# is deleted, and a third share one auc value (ties broken by start time, then id).
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
k = c.execute("SELECT id FROM metric_keys WHERE key = ?", ("auc",)).fetchone()[0]
e = c.execute("SELECT id FROM experiments WHERE name = ?", ("fraud-detection",)).fetchone()[0]
ids = [r[0] for r in c.execute("SELECT id FROM runs WHERE experiment_id = ? ORDER BY id", (e,))]
for i, r in enumerate(ids):
    if i % 7 == 0:
        c.execute("UPDATE latest_metrics SET is_nan = 1, value = 0 WHERE run_id = ? AND key_id = ?", (r, k))
    elif i % 5 == 0:
        c.execute("DELETE FROM latest_metrics WHERE run_id = ? AND key_id = ?", (r, k))
    elif i % 3 == 0:
        c.execute("UPDATE latest_metrics SET value = 0.9 WHERE run_id = ? AND key_id = ?", (r, k))
    if i % 11 == 0:
        c.execute("UPDATE runs SET lifecycle_stage = ? WHERE id = ?", ("deleted", r))
c.commit()' "$db" || fail "edit the registry"
ids() { python3 -c 'import json, sys; print("\n".join(r["run_id"] for r in json.load(open(sys.argv[1]))["runs"]))' "$1"; }
check() { # check LIMIT ARGS...: the first LIMIT of the whole listing, and the same run ids with --limit
	n=$1; shift
	"$M" -r "$db" runs fraud-detection --json "$@" >"$T/all.json" 2>"$T/err" || fail "runs $*: $(cat "$T/err")"
	"$M" -r "$db" runs fraud-detection --json --limit "$n" "$@" >"$T/page.json" 2>"$T/err" || fail "runs --limit $n $*: $(cat "$T/err")"
	ids "$T/all.json" >"$T/allids"
	head -n "$n" "$T/allids" >"$T/want"
	ids "$T/page.json" >"$T/got"
	[ -s "$T/got" ] || fail "runs --limit $n $*: no runs"
	if cmp -s "$T/want" "$T/got"; then ok "--limit $n $* = the first $n of the whole listing ($(wc -l <"$T/got") runs)"
	else fail "--limit $n $*: differs from the whole listing: $(diff "$T/want" "$T/got" | head -4)"; fi
}
for o in "metrics.auc DESC" "metrics.auc ASC" "metrics.auc" "metrics.auc DESC, params.max_depth ASC" \
	"params.max_depth DESC" "tags.mlflow.user ASC" "start_time ASC" "attributes.end_time DESC"; do
	check 50 --order-by "$o"
done
check 50 --order-by "metrics.auc DESC" --all
check 1 --order-by "metrics.auc ASC" --all
check 40 --order-by "metrics.auc ASC" --filter "metrics.auc > 0.5"
check 30 --order-by "metrics.auc DESC" --filter "attributes.status = 'FINISHED'"
# a page reaching past the runs with a number: NaN and missing ones follow, newest first
total=$("$M" -r "$db" runs fraud-detection --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["runs"]))')
check $((total - 3)) --order-by "metrics.auc DESC"
check $((total - 3)) --order-by "metrics.auc ASC" --filter "attributes.status = 'FINISHED'"
# the NaN values show as NaN, and runs without auc have none, on the page as in the whole listing
python3 -c 'import json, sys
a = {r["run_id"]: r.get("metrics", {}).get("auc") for r in json.load(open(sys.argv[1]))["runs"]}
p = {r["run_id"]: r.get("metrics", {}).get("auc") for r in json.load(open(sys.argv[2]))["runs"]}
sys.exit(any(str(a[k]) != str(p[k]) for k in p))' "$T/all.json" "$T/page.json" &&
	ok "the page carries the same auc values (NaN and missing included)" || fail "the page's auc values differ"
finish
