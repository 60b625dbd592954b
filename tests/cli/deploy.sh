#!/bin/bash
# tests/cli/deploy.sh: the approval story as three users (root acting with
# --as), the policy's refusals, rollback walking back, the audit trail; two
# processes voting at once get exactly one outcome; a process killed in the
# middle of deploys leaves the registry as before or after, never between.
. "$MLC_SRCDIR/tests/lib.sh"
need_root "act as alice, bob and carol with --as"
need_python3 "read the JSON"
db=$(demo_db)
R=(-r "$db")

# The demo's pending production request for fraud-detector (by alice).
expect_exit 0 "approvals --json" -- "$M" "${R[@]}" approvals --json
id=$(jq_ "[q['id'] for q in d['requests'] if q['model']=='fraud-detector' and q['environment']=='production'][0]")
ver=$(jq_ "[q['version'] for q in d['requests'] if q['id']==$id][0]")
by=$(jq_ "[q['requested_by'] for q in d['requests'] if q['id']==$id][0]")
[ "$by" = alice ] && ok "request $id is alice's" || fail "request $id is by $by"
expect_exit 0 "production before" -- "$M" "${R[@]}" deployments fraud-detector --env production --json
before=$(jq_ "d['deployments'][0]['version']")

expect_exit 1 "a direct deploy to production is refused" -- "$M" "${R[@]}" --as alice deploy fraud-detector "$ver" --env production
expect_in "$T/err" "policy of environment 'production'" "the refusal names the policy"
expect_exit 1 "asking again is refused" -- "$M" "${R[@]}" --as alice request fraud-detector "$ver" --env production
expect_in "$T/err" "already pending as request $id" "names the pending request"
expect_exit 1 "alice cannot approve her own request" -- "$M" "${R[@]}" --as alice approve "$id"
expect_in "$T/err" "does not allow self-approval" "says why"
expect_exit 1 "dave is not an approver" -- "$M" "${R[@]}" --as dave approve "$id"
expect_in "$T/err" "dave is not an approver" "says who may"
expect_exit 0 "bob approves" -- "$M" "${R[@]}" --as bob approve "$id" --comment "metrics look fine"
expect_in "$T/out" "1 of 2 approvals" "not yet enough"
expect_exit 1 "bob cannot vote twice" -- "$M" "${R[@]}" --as bob approve "$id"
expect_exit 0 "carol approves" -- "$M" "${R[@]}" --as carol approve "$id" --json
[ "$(jq_ "d['request']['state']")" = approved ] && ok "the request is approved" || fail "state: $(cat "$T/out")"
expect_exit 0 "production after" -- "$M" "${R[@]}" deployments fraud-detector --env production --json
[ "$(jq_ "d['deployments'][0]['version']")" = "$ver" ] && ok "version $ver is live in production" || fail "live: $(cat "$T/out")"
[ "$(jq_ "d['history'][0]['by']")" = carol ] && ok "carol's vote deployed it" || fail "history: $(jq_ "d['history'][0]")"

expect_exit 0 "bob rolls back" -- "$M" "${R[@]}" --as bob rollback fraud-detector --env production --json
[ "$(jq_ "d['deployment']['version']")" = "$before" ] && ok "back to $before" || fail "rollback went to $(jq_ "d['deployment']['version']")"
expect_exit 0 "bob rolls back again" -- "$M" "${R[@]}" --as bob rollback fraud-detector --env production --json
again=$(jq_ "d['deployment']['version']")
[ "$again" != "$ver" ] && [ "$again" != "$before" ] && ok "two steps back ($again), never forward" || fail "second rollback went to $again"

expect_exit 0 "audit --json" -- "$M" "${R[@]}" audit --limit 8 --json
python3 - "$T/out" "$id" "$ver" <<'PY' && ok "the audit shows every step with its actor, newest first" || fail "audit: $(head -c 800 "$T/out")"
import json, sys
a = json.load(open(sys.argv[1]))["audit"]; rid = sys.argv[2]
steps = [(e["actor"], e["action"]) for e in a]
want = [("bob", "rollback"), ("bob", "rollback"), ("carol", "deploy"), ("carol", "approve"), ("bob", "approve")]
assert steps[:5] == want, steps
# one form of subject (issue 15): the version in its environment; the request in the detail
assert a[3]["subject"] == a[4]["subject"] == f"fraud-detector:{sys.argv[3]}@production", a[3:5]
assert a[3]["detail"] == f"request {rid}" and a[4]["detail"] == f"request {rid}: metrics look fine"
PY

# Reject and cancel.
expect_exit 0 "approvals" -- "$M" "${R[@]}" approvals --json
other=$(jq_ "[q['id'] for q in d['requests'] if q['model']!='fraud-detector'][0]")
voter=$(jq_ "[u for u in ('alice','bob','carol') for q in d['requests'] if q['id']==$other and u!=q['requested_by'] and u not in [v['by'] for v in q['votes']]][0]")
expect_exit 0 "a rejection closes the request" -- "$M" "${R[@]}" --as "$voter" reject "$other" --comment "not now"
expect_exit 1 "no vote on a rejected request" -- "$M" "${R[@]}" --as erin approve "$other"
expect_in "$T/err" "is rejected" "says it is closed"
expect_exit 0 "approvals" -- "$M" "${R[@]}" approvals --json
last=$(jq_ "d['requests'][-1]['id']")
lowner=$(jq_ "d['requests'][-1]['requested_by']")
expect_exit 1 "only the requester cancels" -- "$M" "${R[@]}" --as erin cancel "$last"
expect_in "$T/err" "only $lowner" "names the requester"
expect_exit 0 "the requester cancels" -- "$M" "${R[@]}" --as "$lowner" cancel "$last"
# Every audit subject has one form: MODEL:VERSION@ENV, or an environment's name
# for its policy; a request's rows say "request N" in the detail (issue 15).
expect_exit 0 "audit --json" -- "$M" "${R[@]}" audit --limit 100000 --json
python3 - "$T/out" "$other" "$last" <<'PY' && ok "one form of audit subject; requests named in the detail" || fail "subjects: $(head -c 800 "$T/out")"
import json, re, sys
a = json.load(open(sys.argv[1]))["audit"]
for e in a:
    assert re.fullmatch(r"[^@]+:[0-9]+@[^@:]+", e["subject"]) or re.fullmatch(r"[A-Za-z0-9_.-]+", e["subject"]), e
for rid, act in ((sys.argv[2], "reject"), (sys.argv[3], "cancel")):
    rows = [e for e in a if e["action"] == act and re.match(f"request {rid}(:|$)", e["detail"])]
    assert len(rows) == 1 and ":" in rows[0]["subject"], (act, rid, rows)
PY

# Policies: require-previous on staging, a new environment, audited.
expect_exit 0 "staging history" -- "$M" "${R[@]}" deployments fraud-detector --json
devlive=$(jq_ "[x['version'] for x in d['deployments'] if x['environment']=='dev'][0]")
expect_exit 0 "versions" -- "$M" "${R[@]}" versions fraud-detector --json
never=$(python3 -c "
import json,subprocess
h=json.loads(subprocess.run(['$M','-r','$db','deployments','fraud-detector','--json'],capture_output=True).stdout)['history']
live={x['version'] for x in h if x['environment']=='dev'}
print([v['version'] for v in json.load(open('$T/out'))['versions'] if v['version'] not in live and v['current_stage']!='Archived'][0])")
expect_exit 1 "staging needs the version live in dev first" -- "$M" "${R[@]}" --as dave deploy fraud-detector "$never" --env staging
expect_in "$T/err" "must have been live in 'dev' first" "names the rule"
expect_exit 0 "env set canary" -- "$M" "${R[@]}" --as alice env set canary --required-approvals 1 --approvers erin --self-approval no --json
[ "$(jq_ "d['environments'][0]['approvers']")" = "['erin']" ] && ok "canary's approvers" || fail "env json: $(cat "$T/out")"
expect_exit 0 "audit" -- "$M" "${R[@]}" audit --limit 1 --json
[ "$(jq_ "d['audit'][0]['action']")" = policy ] && ok "the policy change is audited" || fail "audit: $(cat "$T/out")"
expect_exit 1 "--read-only refuses changes" -- "$M" "${R[@]}" --read-only --as bob rollback fraud-detector --env production
expect_in "$T/err" "read-only" "says read-only"
expect_exit 2 "deploy without --env" -- "$M" "${R[@]}" deploy fraud-detector 1
expect_exit 1 "unknown environment" -- "$M" "${R[@]}" deploy fraud-detector 1 --env moon
expect_in "$T/err" "environment 'moon'" "names the environment"
if command -v runuser >/dev/null; then
	# A copy nobody can run (the build tree may sit in a folder only root can enter).
	pub=$(mktemp -d /tmp/mlc-pub.XXXXXX)
	chmod 755 "$pub" && cp "$M" "$pub/mlconsole" && chmod 755 "$pub/mlconsole"
	expect_exit 1 "--as by someone who is not root" -- runuser -u nobody -- "$pub/mlconsole" -r /nonexistent --as bob models
	expect_in "$T/err" "--as" "the refusal names --as"
	rm -rf "$pub"
fi

# Who may change a policy (README): once production has approvers only they
# may, a loosening is a request its current policy governs, root acting as
# itself (no --as) changes it directly, audited as such.
cp "$db" "$T/p.db"
P=(-r "$T/p.db")
expect_exit 0 "deployments" -- "$M" "${P[@]}" deployments fraud-detector --env staging --json
sv=$(jq_ "d['deployments'][0]['version']")
expect_exit 1 "a non-approver cannot drop production's approvals" -- "$M" "${P[@]}" --as dave env set production --required-approvals 0
expect_in "$T/err" "only its approvers (alice, bob, carol) or root acting as itself" "says who may"
expect_exit 1 "so a deploy to production still needs approvals" -- "$M" "${P[@]}" --as dave deploy fraud-detector "$sv" --env production
expect_in "$T/err" "2 approvals required" "the policy stands"
expect_exit 1 "a non-approver cannot tighten it either" -- "$M" "${P[@]}" --as dave env set production --rollback-approval yes
expect_exit 0 "an approver tightens it directly" -- "$M" "${P[@]}" --as bob env set production --rollback-approval yes
expect_in "$T/out" "policy saved" "saved"
expect_exit 0 "an approver's loosening is a request" -- "$M" "${P[@]}" --as alice env set production --required-approvals 0 --comment "freeze over" --json
pid=$(jq_ "d['request']['id']")
[ "$(jq_ "d['request']['kind']")" = policy ] && ok "request $pid is a policy request" || fail "request: $(cat "$T/out")"
expect_exit 0 "env list" -- "$M" "${P[@]}" env list --json
[ "$(jq_ "[e['required_approvals'] for e in d['environments'] if e['name']=='production'][0]")" = 2 ] && ok "the policy is unchanged while pending" || fail "env: $(cat "$T/out")"
expect_exit 0 "approvals" -- "$M" "${P[@]}" approvals
expect_in "$T/out" "required approvals 2 -> 0" "approvals shows what it changes"
expect_exit 1 "alice cannot approve her own policy request" -- "$M" "${P[@]}" --as alice approve "$pid"
expect_exit 0 "bob approves" -- "$M" "${P[@]}" --as bob approve "$pid"
expect_in "$T/out" "1 of 2 approvals" "the current policy counts"
expect_exit 0 "carol approves" -- "$M" "${P[@]}" --as carol approve "$pid"
expect_in "$T/out" "request $pid approved: the policy of production changed" "the last vote applies it"
expect_exit 0 "audit" -- "$M" "${P[@]}" audit --limit 1 --json
[ "$(jq_ "d['audit'][0]['actor']")" = carol ] && [ "$(jq_ "'request $pid approved' in d['audit'][0]['detail']")" = True ] \
	&& ok "applied and audited with the request" || fail "audit: $(cat "$T/out")"
expect_exit 0 "root acting as itself changes it directly" -- "$M" "${P[@]}" env set production --required-approvals 2
expect_in "$T/out" "as root, directly" "says so"
expect_exit 0 "audit" -- "$M" "${P[@]}" audit --limit 1 --json
[ "$(jq_ "'as root, directly' in d['audit'][0]['detail']")" = True ] && ok "audited as root, directly" || fail "audit: $(cat "$T/out")"
expect_exit 1 "root acting as dave is dave" -- "$M" "${P[@]}" --as dave env set production --required-approvals 0
expect_exit 1 "moving what comes before production is refused" -- "$M" "${P[@]}" --as dave env set staging --order 9
expect_in "$T/err" "comes before 'production'" "names the guarded environment"
# A policy request shows every field it changes; the deciding vote checks it
# again against the policy as it is then, and closes it when it means more.
pchange() { jq_ "[q['change'] for q in d['requests'] if q['id']==$1][0]"; }
expect_exit 0 "alice asks for one approval, and herself as the only approver" -- "$M" "${P[@]}" --as alice env set production --required-approvals 1 --approvers alice --json
pid=$(jq_ "d['request']['id']")
expect_exit 0 "approvals" -- "$M" "${P[@]}" approvals --json
[ "$(pchange "$pid")" = "required approvals 2 -> 1 (loosens), approvers alice,bob,carol -> alice" ] \
	&& ok "the request shows the approvers it sets too" || fail "change: $(pchange "$pid")"
expect_exit 0 "alice cancels it" -- "$M" "${P[@]}" --as alice cancel "$pid"
expect_exit 0 "alice asks for one approval, at order 5" -- "$M" "${P[@]}" --as alice env set production --required-approvals 1 --order 5 --json
pid=$(jq_ "d['request']['id']")
expect_exit 0 "qa after production is free" -- "$M" "${P[@]}" --as dave env set qa --order 4
expect_exit 0 "bob approves" -- "$M" "${P[@]}" --as bob approve "$pid"
expect_exit 0 "carol's vote finds it would now put qa before production" -- "$M" "${P[@]}" --as carol approve "$pid"
expect_in "$T/out" "request $pid closed: the change no longer means what was approved" "closed, saying why"
expect_exit 0 "env list" -- "$M" "${P[@]}" env list --json
[ "$(jq_ "[(e['order'], e['required_approvals']) for e in d['environments'] if e['name']=='production'][0]")" = "(3, 2)" ] \
	&& ok "production stays after staging, needing two" || fail "env: $(cat "$T/out")"
# Approver names are trimmed on both sides, in every backend.
expect_exit 0 "a trailing space is no change" -- "$M" "${P[@]}" --as alice env set production --approvers "alice,bob,carol "
expect_in "$T/out" "policy saved (no change)" "saved as it was"
expect_exit 0 "env list" -- "$M" "${P[@]}" env list --json
[ "$(jq_ "[e['approvers'] for e in d['environments'] if e['name']=='production'][0]")" = "['alice', 'bob', 'carol']" ] \
	&& ok "carol stays carol" || fail "env: $(cat "$T/out")"

# Hooks from the operator's config: a command that fails, a retry, a POST.
port_file="$T/port"
python3 - "$port_file" "$T/posted" <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        open(sys.argv[2], "ab").write(body + b"\n")
        self.send_response(201); self.end_headers(); self.wfile.write(b"{}")
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.handle_request(); s.handle_request()
PY
srv=$!
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
mkdir -p "$XDG_CONFIG_HOME/mlconsole"
cat >"$XDG_CONFIG_HOME/mlconsole/config" <<EOC
[hook dev]
command = echo "smoke test failed for \$MLC_MODEL \$MLC_VERSION"; exit 3
[hook staging]
url = http://127.0.0.1:$(cat "$port_file")/deployed
timeout = 5
EOC
top=$(python3 -c "
import json, subprocess
run = lambda *a: json.loads(subprocess.run(['$M', '-r', '$db', *a, '--json'], capture_output=True).stdout)
live = {d['version'] for d in run('deployments', 'churn-predictor')['deployments']}
print([v['version'] for v in run('versions', 'churn-predictor')['versions'] if v['version'] not in live and v['current_stage'] != 'Archived'][0])")
expect_exit 0 "a deploy whose hook fails still deploys" -- "$M" "${R[@]}" --as dave deploy churn-predictor "$top" --env dev
expect_in "$T/err" "hook for dev: FAILED" "the failure is reported"
expect_in "$T/err" "exited 3: smoke test failed for churn-predictor $top" "with the status and the first line"
expect_exit 0 "deployments" -- "$M" "${R[@]}" deployments churn-predictor --env dev --json
[ "$(jq_ "d['deployments'][0]['hook_status']")" = failed ] && ok "the failed hook is stored" || fail "hook status: $(cat "$T/out")"
expect_exit 1 "hook retry fails again" -- "$M" "${R[@]}" --as dave hook retry churn-predictor --env dev
sed -i 's/exit 3/exit 0/' "$XDG_CONFIG_HOME/mlconsole/config"
expect_exit 0 "hook retry after the fix" -- "$M" "${R[@]}" --as dave hook retry churn-predictor --env dev
expect_exit 0 "deployments" -- "$M" "${R[@]}" deployments churn-predictor --env dev --json
[ "$(jq_ "d['deployments'][0]['hook_status']")" = ok ] && ok "the retried hook is ok" || fail "hook status: $(cat "$T/out")"
expect_exit 0 "deploy to staging posts JSON" -- "$M" "${R[@]}" --as dave deploy churn-predictor "$top" --env staging
expect_in "$T/out" "hook for staging: ok" "the POST succeeded"
python3 -c "import json; d=json.loads(open('$T/posted').readline()); assert d['model']=='churn-predictor' and d['version']=='$top' and d['environment']=='staging' and d['actor']=='dave' and d['action']=='deploy', d" \
	&& ok "the POST body names the deployment" || fail "posted: $(cat "$T/posted")"
kill $srv 2>/dev/null
expect_exit 0 "audit" -- "$M" "${R[@]}" audit --limit 6 --json
python3 -c "import json; a=json.load(open('$T/out'))['audit']; acts=[e['action'] for e in a]; assert 'hook failed' in acts and 'hook ok' in acts, acts" \
	&& ok "hook outcomes are audited" || fail "audit: $(cat "$T/out")"
printf '[hook dev]\nbogus line\n' >"$XDG_CONFIG_HOME/mlconsole/config"
expect_exit 2 "a bad config line is named" -- "$M" "${R[@]}" --as dave hook retry churn-predictor --env dev
expect_in "$T/err" "config:2: expected 'key = value'" "file and line"
rm -f "$XDG_CONFIG_HOME/mlconsole/config"

# An alias another client moved (here Python's sqlite3, as MLflow's UI or a
# script would) shows as 'external'; the next change records the move as such,
# before its own, and never as the person running the console.
cp "$db" "$T/x.db"
X=(-r "$T/x.db")
expect_exit 0 "dev before" -- "$M" "${X[@]}" deployments fraud-detector --env dev --json
xold=$(jq_ "d['deployments'][0]['version']")
expect_exit 0 "versions" -- "$M" "${X[@]}" versions fraud-detector --json
read -r xmoved xnext <<<"$(jq_ "' '.join([v['version'] for v in d['versions'] if v['current_stage']!='Archived' and v['version']!='$xold'][:2])")"
python3 - "$T/x.db" "$xmoved" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("update model_aliases set version = ? where alias = 'dev' and model_id = (select id from registered_models where name = 'fraud-detector')", (int(sys.argv[2]),))
c.commit()
PY
expect_exit 0 "dev after the move" -- "$M" "${X[@]}" deployments fraud-detector --env dev --json
[ "$(jq_ "(d['deployments'][0]['version'], d['deployments'][0]['by'], d['history'][0]['action'])")" = "('$xmoved', 'external', 'deploy')" ] \
	&& ok "the view says external and writes nothing" || fail "dev: $(head -c 600 "$T/out")"
expect_exit 0 "dave deploys over it" -- "$M" "${X[@]}" --as dave deploy fraud-detector "$xnext" --env dev
expect_in "$T/out" "deployed fraud-detector $xnext to dev (was $xmoved)" "says what was live"
expect_exit 0 "dev history" -- "$M" "${X[@]}" deployments fraud-detector --env dev --json
[ "$(jq_ "[(h['action'], h['version'], h['previous_version'], h['by']) for h in d['history'][:2]]")" = \
  "[('deploy', '$xnext', '$xmoved', 'dave'), ('external', '$xmoved', '$xold', 'external')]" ] \
	&& ok "the move is in the history before dave's deploy, by external" || fail "history: $(head -c 600 "$T/out")"
expect_exit 0 "audit" -- "$M" "${X[@]}" audit --limit 2 --json
[ "$(jq_ "[(a['actor'], a['action'], a['subject']) for a in d['audit']]")" = \
  "[('dave', 'deploy', 'fraud-detector:$xnext@dev'), ('external', 'external', 'fraud-detector:$xmoved@dev')]" ] \
	&& ok "audited as external, not as dave" || fail "audit: $(cat "$T/out")"
expect_exit 0 "the audit log still verifies" -- "$M" "${X[@]}" audit verify

# Two processes vote at the same moment: exactly one outcome, complete audit.
for i in 1 2 3 4 5; do
	cp "$db" "$T/c$i.db"
	top=$("$M" -r "$T/c$i.db" versions sentiment-bert --json | python3 -c "import json,sys; print(json.load(sys.stdin)['versions'][0]['version'])")
	"$M" -r "$T/c$i.db" --as dave deploy sentiment-bert "$top" --env dev >/dev/null 2>&1
	"$M" -r "$T/c$i.db" --as dave deploy sentiment-bert "$top" --env staging >/dev/null 2>&1
	q=$("$M" -r "$T/c$i.db" --as dave request sentiment-bert "$top" --env production --json 2>"$T/q.err" | python3 -c "import json,sys; print(json.load(sys.stdin)['request']['id'])" 2>/dev/null)
	if [ -z "$q" ]; then fail "could not open a request in round $i: $(cat "$T/q.err")"; continue; fi
	"$M" -r "$T/c$i.db" --as alice approve "$q" >/dev/null 2>&1
	"$M" -r "$T/c$i.db" --as bob approve "$q" >"$T/b.out" 2>&1 & pb=$!
	"$M" -r "$T/c$i.db" --as carol approve "$q" >"$T/c.out" 2>&1 & pc=$!
	wait $pb; rb=$?; wait $pc; rc=$?
	python3 - "$T/c$i.db" "$q" "$rb" "$rc" <<'PY' && ok "round $i: one outcome (exits $rb/$rc)" || fail "round $i: $(cat "$T/b.out" "$T/c.out")"
import sqlite3, sys
db, q, rb, rc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
c = sqlite3.connect(db)
assert sorted([rb, rc]) == [0, 1], (rb, rc)
deploys = c.execute("select count(*) from deployments where request_id = ?", (q,)).fetchone()[0]
assert deploys == 1, deploys
assert c.execute("select state from promotion_requests where id = ?", (q,)).fetchone()[0] == "approved"
votes = c.execute("select count(*) from votes where request_id = ?", (q,)).fetchone()[0]
audits = c.execute("select count(*) from audit_log where (detail = ? or detail like ?) and action = 'approve'", (f"request {q}", f"request {q}: %")).fetchone()[0]
assert votes == audits == 2, (votes, audits)
assert c.execute("pragma integrity_check").fetchone()[0] == "ok"
PY
done

# Kill deploys and rollbacks at random moments: before or after, never between.
cp "$db" "$T/k.db"
python3 - "$T/k.db" >"$T/base" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("select count(*) from deployments").fetchone()[0] - c.execute("select count(*) from audit_log where action in ('deploy','rollback')").fetchone()[0])
PY
for i in $(seq 1 25); do
	timeout -s KILL "0.0$((RANDOM % 9 + 1))" "$M" -r "$T/k.db" --as bob rollback recsys-ranker --env staging >/dev/null 2>&1
	timeout -s KILL "0.0$((RANDOM % 9 + 1))" "$M" -r "$T/k.db" --as bob rollback recsys-ranker --env dev >/dev/null 2>&1
done
python3 - "$T/k.db" "$(cat "$T/base")" <<'PY' && ok "after 50 killed changes the registry is consistent" || fail "inconsistent after kills"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); base = int(sys.argv[2])
assert c.execute("pragma integrity_check").fetchone()[0] == "ok"
d = c.execute("select count(*) from deployments").fetchone()[0]
a = c.execute("select count(*) from audit_log where action in ('deploy','rollback')").fetchone()[0]
assert d - a == base, (d, a, base)
for mid, env, ver in c.execute("select a.model_id, e.id, a.version from model_aliases a join environments e on e.name = a.alias"):
    last = c.execute("select version from deployments where model_id=? and env_id=? order by at desc, id desc limit 1", (mid, env)).fetchone()
    assert last is None or last[0] == ver, (mid, env, ver, last)
PY
finish
