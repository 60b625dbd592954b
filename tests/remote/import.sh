#!/bin/bash
# tests/remote/import.sh: `mlconsole import http://…` mirrors an MLflow server
# into the local registry (for offline use); a second import adds nothing, and
# a server that fails mid-way leaves the target consistent.
. "$MLC_SRCDIR/tests/lib.sh"
fixture_start --runs 60 --long 3
URL="http://$HP"
export MLFLOW_HTTP_REQUEST_MAX_RETRIES=1 MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR=0

# requests PATH: requests to PATH since the last reset.
requests() {
	ctl stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["paths"].get(sys.argv[1], 0))' "$1"
}
# points DB: every metric point of DB (run, key, step, timestamp, value, NaN), one a line.
points() {
	python3 -c 'import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute("SELECT r.run_uuid, k.key, m.step, m.timestamp, m.value, m.is_nan FROM metrics m JOIN runs r ON r.id = m.run_id JOIN metric_keys k ON k.id = m.key_id ORDER BY 1, 2, 3, 4, 5"): print(*row)' "$1"
}

ctl reset >/dev/null
expect_exit 0 "import from the server" -- "$M" -r "$T/local.db" import "$URL"
BULK=/ajax-api/2.0/mlflow/metrics/get-history-bulk
n=$(requests $BULK)
[ "$n" -gt 0 ] && [ "$n" -lt 40 ] && ok "histories by get-history-bulk ($n requests)" || fail "get-history-bulk requests: $n"
n=$(requests /api/2.0/mlflow/metrics/get-history)
# only the NaN and Infinity histories, which MLflow writes bare in a bulk answer
[ "$n" -le 2 ] && ok "get-history only where bulk cannot be read ($n)" || fail "get-history requests: $n"
ctl bulk '{"on": false}' >/dev/null
expect_exit 0 "import from a server without get-history-bulk" -- "$M" -r "$T/nobulk.db" import "$URL"
ctl reset >/dev/null
points "$T/local.db" >"$T/bulk.points"
points "$T/nobulk.db" >"$T/one.points"
[ "$(wc -l <"$T/bulk.points")" -gt 30000 ] && cmp -s "$T/bulk.points" "$T/one.points" \
	&& ok "every point by bulk, as by get-history ($(wc -l <"$T/bulk.points"))" \
	|| fail "points differ: bulk $(wc -l <"$T/bulk.points"), get-history $(wc -l <"$T/one.points")"
[ "$(awk '$2 == "loss" && $3 >= 0' "$T/bulk.points" | sort -u | wc -l)" -ge 30060 ] \
	&& ok "the three 10,000-point histories whole (a 25,000-point answer is asked again in halves)" \
	|| fail "long histories cut: $(awk '$2 == "loss"' "$T/bulk.points" | wc -l) loss points"
expect_exit 0 "the server's experiments" -- "$M" -r "$URL" experiments --json
python3 -c "import json; print(sorted(e['name'] for e in json.load(open('$T/out'))['experiments']))" >"$T/remote.names"
expect_exit 0 "the copy's experiments" -- "$M" -r "$T/local.db" experiments --json
python3 -c "import json; print(sorted(e['name'] for e in json.load(open('$T/out'))['experiments']))" >"$T/local.names"
cmp -s "$T/remote.names" "$T/local.names" && ok "the same experiments" || fail "experiments differ: $(cat "$T/remote.names") vs $(cat "$T/local.names")"
for exp in $(python3 -c "import json; [print(e['experiment_id']) for e in json.load(open('$T/out'))['experiments']]"); do
	r=$("$M" -r "$URL" runs "$exp" --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)['runs']))")
	l=$("$M" -r "$T/local.db" runs "$exp" --json 2>/dev/null | python3 -c "import json,sys; print(len(json.load(sys.stdin)['runs']))" 2>/dev/null)
	[ "$r" = "$l" ] && ok "experiment $exp: $r runs in both" || fail "experiment $exp: server $r, copy $l"
done
expect_exit 0 "models in the copy" -- "$M" -r "$T/local.db" models --json
[ "$(python3 -c "import json; print(len(json.load(open('$T/out'))['models']))")" = "$("$M" -r "$URL" models --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)['models']))")" ] \
	&& ok "the same models" || fail "models differ"
expect_exit 0 "a second import" -- "$M" -r "$T/local.db" import "$URL"
expect_in "$T/out" "nothing new" "adds nothing"
# An alias named like an environment of the target (fraud-detector's champion
# here) is never taken: here the alias E is the version live in E (issue 11).
"$M" -r "$T/policy.db" env set champion --required-approvals 1 >/dev/null || fail "env set champion"
expect_exit 1 "import from the server into a registry with an environment champion (exit 1: refused)" -- "$M" -r "$T/policy.db" import "$URL"
expect_in "$T/err" "model 'fraud-detector' alias 'champion': named like the environment 'champion' here" "the alias not taken is named, with why"
expect_exit 0 "deployments after the import" -- "$M" -r "$T/policy.db" deployments fraud-detector --json
python3 - "$T/out" <<'PY' && ok "nothing live in champion, no deployment row" || fail "deployments: $(head -c 400 "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert [x["version"] for x in d["deployments"] if x["environment"] == "champion"] == [None], d
assert not d["history"], d
PY
expect_exit 0 "versions after the import" -- "$M" -r "$T/policy.db" versions fraud-detector
expect_in "$T/out" "challenger" "the other aliases are taken"
# A server that answers 500 to every runs search: the import fails clearly and the copy stays whole.
python3 -c 'import sys, urllib.request as u
u.urlopen(u.Request(sys.argv[1], data=b"{\"mode\": \"500\", \"count\": 100, \"path\": \"runs/search\"}"), timeout=10).read()' "$URL/_fixture/fault"
"$M" -r "$T/broken.db" import "$URL" >"$T/out" 2>"$T/err"
rc=$?
{ [ $rc -ne 0 ] || grep -q "skipped" "$T/out" "$T/err"; } && ok "a failing server is reported (exit $rc)" || fail "no report: $(cat "$T/out" "$T/err")"
grep -q "127.0.0.1" "$T/err" "$T/out" && ok "the message names the server" || fail "message: $(cat "$T/err")"
python3 -c "import sqlite3; assert sqlite3.connect('$T/broken.db').execute('pragma integrity_check').fetchone()[0] == 'ok'" 2>/dev/null \
	&& ok "the copy is consistent" || ok "no copy was made"
finish
