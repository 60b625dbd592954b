#!/bin/bash
# tests/remote/browse.sh: the CLI against an MLflow-speaking server
# (tests/remote/fixture.py on loopback): models, versions, experiments, runs and
# histories as JSON, paging past one page; then every fault mode gives a clear
# message naming host and status, exit 1, and no password or token anywhere.
. "$MLC_SRCDIR/tests/lib.sh"
fixture_start --runs 1200 --models 1100
fixture_client 1

# requests PATH: how many requests went to /api/2.0/mlflow/PATH since the last reset.
requests() {
	ctl stats | python3 -c 'import json, sys
print(json.load(sys.stdin)["paths"].get("/api/2.0/mlflow/" + sys.argv[1], 0))' "$1"
}

# jq_py FILE EXPR: evaluate a Python expression over the JSON in FILE (as d).
jq_py() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# ---- browsing -------------------------------------------------------------------
ctl reset >/dev/null
expect_exit 0 "models --json" -- "$M" models --json
check "1103 models, paged past 1000" "$(jq_py "$T/out" 'len(d["models"])')" 1103
check "two pages of registered models" "$(requests registered-models/search)" 2
check "fraud-detector counted" "$(jq_py "$T/out" '[m["version_count"] for m in d["models"] if m["name"] == "fraud-detector"][0]')" 3
expect_exit 0 "models as text" -- "$M" models --filter "name LIKE 'fraud%'"
expect_in "$T/out" "challenger=3,champion=2" "aliases in the table"

expect_exit 0 "versions --json" -- "$M" versions fraud-detector --json
check "highest version first, with its alias" "$(jq_py "$T/out" 'd["versions"][0]["version"] + ":" + ",".join(d["versions"][0]["aliases"])')" "3:challenger"
check "stages" "$(jq_py "$T/out" '",".join(v["current_stage"] for v in d["versions"])')" "Staging,Production,Archived"

expect_exit 0 "experiments --json" -- "$M" experiments --json
check "active experiments by name" "$(jq_py "$T/out" '",".join(e["name"] for e in d["experiments"])')" "Default,bulk,fraud"
expect_exit 0 "experiments --all" -- "$M" experiments --all --json
check "deleted ones too" "$(jq_py "$T/out" 'len(d["experiments"])')" 4

ctl reset >/dev/null
expect_exit 0 "runs of 1200 --json" -- "$M" runs bulk --json
check "every run, paged past 1000" "$(jq_py "$T/out" 'len(d["runs"])')" 1200
check "two pages of runs" "$(requests runs/search)" 2
check "newest first" "$(jq_py "$T/out" 'd["runs"][0]["run_name"]')" "bulk-01199"

expect_exit 0 "runs by metric" -- "$M" runs bulk --order-by "metrics.acc DESC" --limit 3 --json
check "best acc first" "$(jq_py "$T/out" 'd["runs"][0]["metrics"]["acc"] >= d["runs"][2]["metrics"]["acc"]')" True

# --limit with --order-by by a metric (the one case the server sorts and cuts): the server
# sorts and answers the first N in one request, and they are the rows the
# whole listing sorted here gives (acc has ten runs per value: the ties go
# newest first, then by id, on both sides).
for order in "metrics.acc DESC" "metrics.acc ASC, params.depth DESC" "params.lr DESC, metrics.rmse ASC"; do
	ctl reset >/dev/null
	expect_exit 0 "runs --order-by '$order' --limit 50" -- "$M" runs bulk --order-by "$order" --limit 50 --json
	cp "$T/out" "$T/limited"
	check "'$order' --limit 50: one runs/search" "$(requests runs/search)" 1
	check "'$order' --limit 50: order_by and max_results sent" "$(ctl stats | python3 -c 'import json, sys
b = json.loads(json.load(sys.stdin)["bodies"][-1]); print(b.get("order_by"), b.get("max_results"))')" \
		"$(python3 -c 'import sys; print([k.strip() for k in sys.argv[1].split(",")], 50)' "$order")"
	expect_exit 0 "runs --order-by '$order', every run" -- "$M" runs bulk --order-by "$order" --json
	check "'$order': the server's 50 are the local sort's first 50" \
		"$(jq_py "$T/limited" '[r["run_id"] for r in d["runs"]]')" \
		"$(jq_py "$T/out" '[r["run_id"] for r in d["runs"]][:50]')"
done
# MLflow puts NaN after the values and before runs without the metric, in
# either direction: beta (NaN), then alpha and gamma (none) newest first.
for dir in ASC DESC; do
	expect_exit 0 "nan_metric $dir --limit 3" -- "$M" runs fraud --all --order-by "metrics.nan_metric $dir" --limit 3 --json
	check "nan_metric $dir --limit 3 (server)" "$(jq_py "$T/out" '",".join(r["run_name"] for r in d["runs"])')" "beta,alpha,gamma"
	expect_exit 0 "nan_metric $dir, every run" -- "$M" runs fraud --all --order-by "metrics.nan_metric $dir" --json
	check "nan_metric $dir (sorted here)" "$(jq_py "$T/out" '",".join(r["run_name"] for r in d["runs"])')" "beta,alpha,gamma"
done
expect_exit 0 "runs filtered by the server" -- "$M" runs fraud --filter "params.lr = '0.1'" --json
check "one match with NaN and Infinity" "$(jq_py "$T/out" 'd["runs"][0]["metrics"]["nan_metric"] + "," + str(d["runs"][0]["metrics"]["inf_metric"])')" "NaN,Infinity"

RUN=$(jq_py "$T/out" 'd["runs"][0]["run_id"]')
expect_exit 0 "runs fraud" -- "$M" runs fraud --json
ALPHA=$(jq_py "$T/out" '[r["run_id"] for r in d["runs"] if r["run_name"] == "alpha"][0]')
expect_exit 0 "history --json" -- "$M" history "$ALPHA" acc --json
check "20 points" "$(jq_py "$T/out" 'len(d["history"])')" 20
expect_exit 0 "compare two runs" -- "$M" compare "$ALPHA" "$RUN"
expect_exit 1 "a run prefix" -- "$M" history "${ALPHA:0:8}" acc
expect_in "$T/err" "a prefix cannot be resolved remotely" "says a prefix cannot be resolved"
expect_exit 1 "an unknown model" -- "$M" versions nope
expect_in "$T/err" "model 'nope': not found in http://$HP" "not found, naming the server"
expect_exit 1 "a change with --read-only is refused" -- "$M" --read-only deploy fraud-detector 3 --env production
expect_in "$T/err" "read-only" "says read-only"
expect_exit 1 "a deploy to an environment nobody set up" -- "$M" deploy fraud-detector 3 --env production
expect_in "$T/err" "environment 'production': not found" "names the environment"

# ---- faults, with secrets in the environment and the URL --------------------------
export MLFLOW_TRACKING_USERNAME=ana MLFLOW_TRACKING_PASSWORD=pw-SECRET-1 MLFLOW_TRACKING_TOKEN=tok-SECRET-2
export MLFLOW_TRACKING_URI="http://bob:url-SECRET-3@$HP"

# fault WHAT JSON TEXT [FLAGS...]: with fault JSON, `models` exits 1 saying TEXT
# after the host, and shows no secret.
fault() {
	what=$1 text=$3
	ctl fault "$2" >/dev/null
	shift 3
	expect_exit 1 "$what" -- "$M" models "$@"
	expect_in "$T/err" "$HP: $text" "$what: names host and what happened"
	if grep -q SECRET "$T/out" "$T/err"; then fail "$what: a secret was printed"; else ok "$what: no secret"; fi
	ctl fault >/dev/null
}

fault "dropped connection" '{"mode": "drop"}' "the server closed the connection without answering"
fault "429" '{"mode": "429", "arg": "0"}' "HTTP 429 REQUEST_LIMIT_EXCEEDED: Too many requests"
fault "500" '{"mode": "500"}' "HTTP 500 INTERNAL_ERROR: The server had a bad moment (after 2 attempts)"
fault "plain-text 503" '{"mode": "503"}' "HTTP 503: Service Unavailable: the tracking server is starting"
fault "truncated JSON" '{"mode": "truncated"}' "HTTP 200: invalid JSON in the answer to registered-models/search"
fault "HTML 404" '{"mode": "html"}' "HTTP 404: endpoint not found (HTML page)"
fault "huge body" '{"mode": "huge"}' "the response is larger than the 64 MiB cap"
fault "endless chunked body" '{"mode": "huge_chunked"}' "the response is larger than the 64 MiB cap"
fault "plain-text 401" '{"mode": "text401"}' "HTTP 401: You are not authenticated."
fault "as JSON" '{"mode": "500"}' "HTTP 500 INTERNAL_ERROR" --json
MLFLOW_HTTP_REQUEST_TIMEOUT=1 fault "slow server" '{"mode": "slow", "arg": "4"}' "no answer within 1 s"

ctl fault '{"mode": "500", "count": 1}' >/dev/null
expect_exit 0 "500 then success" -- "$M" models
ctl auth '{"basic": "ana:right"}' >/dev/null
fault "wrong password" '{}' "HTTP 401: You are not authenticated."
ctl auth '{"basic": "ana:pw-SECRET-1"}' >/dev/null
expect_exit 0 "the right password (Basic wins over the token)" -- "$M" models
ctl auth >/dev/null

kill $FX 2>/dev/null; wait $FX 2>/dev/null
expect_exit 1 "a server that is gone" -- "$M" models
expect_in "$T/err" "$HP" "names the host"
if grep -q SECRET "$T/err"; then fail "a secret was printed"; else ok "no secret"; fi
MLFLOW_TRACKING_INSECURE_TLS=maybe expect_exit 2 "a bad MLFLOW_TRACKING_INSECURE_TLS" -- "$M" models
expect_in "$T/err" "MLFLOW_TRACKING_INSECURE_TLS: expected true, false, 1 or 0" "names the variable"
finish
