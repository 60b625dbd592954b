#!/bin/bash
# tests/tui/remote_flow.sh: the whole story a user plays on an MLflow tracking
# server (tests/remote/fixture.py), from the keyboard, checking the screen at
# each step:
#  1. the models (o'brien drawn as is), the versions of fraud-detector with
#     their aliases, the server named in the header;
#  2. experiments -> fraud -> runs (the deleted gamma hidden), mark alpha and
#     beta, compare (params, metrics, sparklines; the histories fetched on
#     several connections at once, in bulk where JSON can read it), the
#     chart of acc;
#  3. with environments set by the CLI: the first deployment to staging from
#     the deployments view (every environment has a row), another, a rollback,
#     a promotion to production requested there by alice and approved by bob
#     in the approvals view (the models list reloads to show it) (the actor is
#     MLFLOW_TRACKING_USERNAME: the server requires Basic auth), the aliases
#     checked on the server;
#  4. drift points recorded by the CLI, shown in the models list and the drift
#     view with their status, and a feature's chart;
#  5. q quits with status 0 and nothing on stderr, every time.
. "$MLC_SRCDIR/tests/lib.sh"
fixture_start --runs 10
URL="http://$HP"
fixture_client 1
W=20 # seconds a wait may take: sanitizer builds are slow
AUTH="Basic $(printf alice:pw | base64)" # for the test's own API reads

# as USER ARGS...: the CLI as USER (the server's user, as MLflow's client sends it).
as() {
	u=$1
	shift
	MLFLOW_TRACKING_USERNAME=$u MLFLOW_TRACKING_PASSWORD=pw "$M" "$@"
}

# The server authenticates its users (so MLFLOW_TRACKING_USERNAME is the actor).
ctl auth '{"basic": ["alice:pw", "bob:pw"]}' >/dev/null

# quit_clean WHO: q, then exit status 0 and an empty stderr.
quit_clean() {
	keys q
	st=$(wait_exit 10)
	check "$1: q exits 0" "$st" 0
	if [ -s "$T/tui.err" ]; then fail "$1: stderr: $(head -c 400 "$T/tui.err")"; else ok "$1: nothing on stderr"; fi
}

# confirm: move from Cancel to the dialog's OK button and press it.
confirm() {
	keys Tab Enter
}

# ---- 1. models and versions -------------------------------------------------------
export MLFLOW_TRACKING_USERNAME=alice MLFLOW_TRACKING_PASSWORD=pw
tui_start 140 40 -r "$URL"
wait_for "Models (3)" $W
wait_for "mlflow:$URL" 5
screen | head -n 1 | grep -qE "│ alice +[0-9]{2}:[0-9]{2}" && ok "the header names the tracking user" || fail "header: $(screen | head -n 1)"
wait_re "^. fraud-detector +3 +3 .*challenger=3 champion=2 .*Flags fraud"
wait_re "^. churn +1 +1 "
wait_re "^. o'brien +1 +1 .*quoted"
keys /
literal "fraud-detector"
keys Enter
wait_for "Models (1 of 3)" $W
keys Enter
wait_for "Versions of fraud-detector (3)" $W
wait_re "^. +3 Staging +challenger +READY"
wait_re "^. +2 Production +champion +READY"
wait_re "^. +1 Archived +- +READY"

# ---- 2. experiments, runs, compare, chart ----------------------------------------
keys :
literal "experiments"
keys Enter
wait_for "Experiments (3)" $W
wait_re "^. +1 fraud "
keys /
literal "fraud"
keys Enter
wait_for "Experiments (1 of 3)" $W
keys Enter
wait_for "Runs of fraud (2)" $W
wait_re "^. [0-9a-f]{8} alpha +FINISHED"
wait_re "^. [0-9a-f]{8} beta +RUNNING"
screen | grep -q gamma && fail "the deleted run gamma is shown" || ok "the deleted run gamma is not shown"
keys Space Space
for _ in $(seq 100); do [ "$(screen | grep -c "•")" -eq 2 ] && break; sleep 0.1; done
[ "$(screen | grep -c "•")" -eq 2 ] && ok "alpha and beta marked" || fail "marks: $(screen | grep -c '•')"
# the fixture's run ids: md5 of "EXPERIMENT/NAME"
alpha=$(python3 -c 'import hashlib; print(hashlib.md5(b"1/alpha").hexdigest())')
beta=$(python3 -c 'import hashlib; print(hashlib.md5(b"1/beta").hexdigest())')

# The connections the fixture has accepted just before c (this stats request
# included), and its log so far.
ctl stats >"$T/stats0"
keys c
wait_for "Compare 2 runs" $W
wait_for "Histories (scale per row)" $W
wait_re "^. acc +[▁▂▃▄▅▆▇█]{8,} +[▁▂▃▄▅▆▇█]" $W
ctl stats >"$T/stats1"
wait_re "^. run +alpha +beta"
wait_re "^  Params \(2 of 2 differ\)"
wait_re "^. lr +0\.01 +0\.1 *$"
wait_re "^. layers +3 +- *$"
wait_re "^. acc ▲ +★0\.88 +0\.7 \(-0\.18\)"
wait_re "^. loss ▼ +★0\.25 +- *$"
wait_re "^. nan_metric ▲ +- +NaN"
screen | grep -q gamma && fail "gamma in the compare" || ok "gamma is not compared"
# The histories of both runs were asked for (in bulk, MLflow 2.17.2's REST API, or one
# by one: the NaN and Infinity histories go by get-history)...
python3 - "$T/stats0" "$T/stats1" "$alpha" "$beta" <<'PY' && ok "histories of alpha (acc, loss) and beta (acc, nan_metric) asked for during compare, get-history-bulk for acc" || fail "the history requests: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["log"][-12:])' "$T/stats1")"
import json, sys
from urllib.parse import urlsplit, parse_qs
s0, s1 = (json.load(open(f)) for f in sys.argv[1:3])
alpha, beta = sys.argv[3:5]
one = "/api/2.0/mlflow/metrics/get-history"
bulk = "/ajax-api/2.0/mlflow/metrics/get-history-bulk"
new = s1["log"][len(s0["log"]):] if len(s1["log"]) < 300 else s1["log"]
asked = {}  # (run, key) -> the paths that asked for it
for l in new:
    method, url = l.split(" ", 1)
    u = urlsplit(url)
    if method != "GET" or u.path not in (one, bulk):
        continue
    q = parse_qs(u.query)
    for rid in q.get("run_id", []):
        asked.setdefault((rid, q["metric_key"][0]), set()).add(u.path)
for rid, key in ((alpha, "acc"), (alpha, "loss"), (beta, "acc"), (beta, "nan_metric")):
    assert (rid, key) in asked, (rid, key, new)
assert bulk in asked[(alpha, "acc")] and bulk in asked[(beta, "acc")], asked
# the NaN history cannot be read from a bulk answer (NaN bare): get-history
assert one in asked[(beta, "nan_metric")], asked
PY
# ...on more than one new connection: stats1 counts itself, so the console's
# own new connections are the difference less one.
c0=$(py "d['connections']" <"$T/stats0")
c1=$(py "d['connections']" <"$T/stats1")
if [ $((c1 - c0 - 1)) -ge 2 ]; then
	ok "compare fetched the histories on $((c1 - c0 - 1)) new connections"
else
	fail "compare opened $((c1 - c0 - 1)) new connection(s) (connections $c0 before c, $c1 after, one of them the stats request), wanted >= 2"
fi

keys /
literal "acc"
keys Enter
wait_re "^. acc ▲ " $W
keys Enter
wait_for "acc of 2 runs" $W
wait_for "• alpha  • beta"
wait_for "step 19"
screen | python3 -c "import sys; sys.exit(not any(0x2801 <= ord(ch) <= 0x28ff for ch in sys.stdin.read()))" && ok "braille chart drawn" || fail "no braille on the chart"
keys Escape
wait_for "Compare 2 runs" $W

# ---- 3. deployments: deploy, roll back, request, approve --------------------------
expect_exit 0 "env set staging (no approvals)" -- as alice env set staging --order 1
expect_exit 0 "env set production (1 approval, by bob, no self-approval)" -- as alice env set production --order 2 --required-approvals 1 --approvers bob --self-approval no --require-previous yes
keys :
literal "models"
keys Enter
wait_for "Models (1 of 3)" $W
keys P
wait_for "Deployments of fraud-detector (2)" $W # the environments; not the layout rows
wait_for "History, newest first" $W

# Nothing of fraud-detector is live in staging yet: every environment has its
# row all the same ("-"), and d on the staging row makes the first deployment.
wait_re "^. fraud-detector +staging +-( |$)" $W
wait_re "^  fraud-detector +production +-( |$)"
keys g R
wait_for "R works on a live deployment row" $W # nothing to roll back there
keys g d
wait_for "deploy which version of fraud-detector to staging (" $W
literal "2"
keys Enter
wait_for "Version:      none -> 2" $W
confirm
wait_for "deployed fraud-detector 2 to staging" $W
wait_re "^. fraud-detector +staging +2 .* alice +none" $W
wait_re "^  deploy +staging +- -> 2 .* alice"

# d on the live row: deploy 3 over 2 (staging needs no typed confirmation).
keys g d
wait_for "deploy which version of fraud-detector to staging (" $W
literal "3"
keys Enter
wait_for "Version:      2 -> 3" $W
wait_for "[ Deploy ]"
screen | grep -q "Type fraud-detector to confirm" && fail "staging asks to type the model" || ok "staging does not ask to type the model"
confirm
wait_for "deployed fraud-detector 3 to staging (was 2)" $W
wait_re "^. fraud-detector +staging +3 .* alice" $W
wait_re "^  deploy +staging +2 -> 3 "
check "staging is 3 on the server" "$(alias_of fraud-detector staging)" 3

# R: back to the previous version.
keys g R
wait_for "Roll back" $W
wait_for "Version:      3 -> 2" $W
confirm
wait_for "rolled fraud-detector in staging back from 3 to 2" $W
wait_re "^. fraud-detector +staging +2 .* alice" $W
wait_re "^  rollback +staging +3 -> 2 .* alice"
check "staging is 2 again on the server" "$(alias_of fraud-detector staging)" 2

# alice asks for production from the same view: d on the production row opens
# a request (the policy wants an approval), confirmed by typing the model.
keys g j
wait_re "^▸ fraud-detector +production +-( |$)" $W
keys d
wait_for "deploy which version of fraud-detector to production (" $W
literal "2"
keys Enter
wait_for "Request a promotion" $W
wait_for "Version:      none -> 2"
wait_for "needs 1 approvals: this opens a request"
wait_for "Type fraud-detector to confirm" $W
literal "fraud-detector"
confirm
wait_re "request [0-9]+: deploy fraud-detector 2 in production" $W
id=$("$M" approvals --json | py "[q['id'] for q in d['requests'] if q['model'] == 'fraud-detector' and q['environment'] == 'production'][0]")
keys :
literal "approvals"
keys Enter
wait_for "Approvals (pending, oldest first) (1)" $W
wait_re "^. +$id fraud-detector production +none -> 2 .* alice"
keys a
wait_for "does not allow self-approval" $W # refused before any comment or confirmation
quit_clean alice

# bob approves from the approvals view: the vote deploys.
export MLFLOW_TRACKING_USERNAME=bob
tui_start 140 40 -r "$URL"
wait_for "Models (3)" $W
screen | head -n 1 | grep -qE "│ bob +[0-9]{2}:[0-9]{2}" && ok "the header names bob" || fail "header: $(screen | head -n 1)"
wait_for "1 pending" $W
keys :
literal "approvals"
keys Enter
wait_for "Approvals (pending, oldest first) (1)" $W
wait_re "^. +$id fraud-detector production +none -> 2 "
keys a
wait_for "approve, comment (optional):" $W
literal "metrics look fine"
keys Enter
wait_for "Approve the request" $W
wait_for "Comment:      metrics look fine"
wait_for "Type fraud-detector to confirm" $W
literal "fraud-detector"
confirm
wait_for "request $id approved: fraud-detector 2 is live in production" $W
wait_for "Approvals (pending, oldest first) (0)" $W
keys :
literal "deployments fraud-detector"
keys Enter
wait_for "Deployments of fraud-detector (" $W
wait_re "^. fraud-detector +production +2 .* bob +none" $W
wait_re "^  deploy +production +- -> 2 .* bob"
check "production is 2 on the server" "$(alias_of fraud-detector production)" 2
expect_exit 0 "deployments --json" -- "$M" -r "$URL" deployments fraud-detector --env production --json
check "the CLI reads 2 live in production, by bob" "$(py "[(x['version'], x['by']) for x in d['deployments']]" <"$T/out")" "[('2', 'bob')]"
expect_exit 0 "approvals --all --json" -- "$M" approvals --all --json
check "the request is approved by bob's vote" "$(py "[(q['state'], ','.join(v['by'] for v in q['votes'])) for q in d['requests'] if q['id'] == $id]" <"$T/out")" "[('approved', 'bob')]"

# The models list was loaded before the approval: back on top, it reloads by
# itself and shows the new alias.
keys :
literal "models"
keys Enter
wait_for "Models (3)" $W
wait_for "production=2" $W

# ---- 4. drift -----------------------------------------------------------------------
F="$MLC_SRCDIR/tests/fixtures/drift"
expect_exit 0 "drift: an ok window of amount" -- "$M" drift record fraud-detector --feature amount --reference "$F/num_ref.csv" --current "$F/num_ref.csv" --at 2026-11-18
expect_exit 0 "drift: a drifted window of amount" -- "$M" drift record fraud-detector --feature amount --reference "$F/num_ref.csv" --current "$F/num_cur.csv" --at 2026-11-19
expect_exit 0 "drift: another one" -- "$M" drift record fraud-detector --feature amount --reference "$F/num_ref.csv" --current "$F/num_cur.csv" --at 2026-11-20
expect_exit 0 "drift: an ok categorical feature" -- "$M" drift record fraud-detector --feature merchant --categorical --reference "$F/cat_ref.csv" --current "$F/cat_ref.csv" --at 2026-11-20
keys :
literal "models"
keys Enter
wait_for "Models (3)" $W
keys C-r
wait_re "^. fraud-detector +3 +3 ✖ drift " $W
screen_settle
[ "$(screen | grep -c '✖ drift')" -eq 1 ] && ok "only fraud-detector drifts" || fail "drift flags: $(screen | grep -c '✖ drift')"
keys /
literal "fraud-detector"
keys Enter
wait_for "Models (1 of 3)" $W
keys D
wait_for "Drift of fraud-detector: 1 of 2 features drifting" $W
# one model's view: no model column; the sparkline before threshold and method
wait_line 4 "^. amount +✖ drift +[0-9.e-]+ [▁▂▃▄▅▆▇█]{3} +0\.05 ks"
wait_line 5 "^. merchant +✔ ok +[0-9.e-]+ [▁▂▃▄▅▆▇█]+ +0\.05 chisquare"
keys Enter
wait_for "Drift of fraud-detector: amount" $W
wait_for "threshold 0.05"
wait_for "2026-11-18 00:00"
wait_for "2026-11-20 00:00"
keys Escape
wait_for "Drift of fraud-detector: 1 of 2" $W

# ---- 5. q ---------------------------------------------------------------------------
quit_clean bob
finish
