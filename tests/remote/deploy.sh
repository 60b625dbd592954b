#!/bin/bash
# tests/remote/deploy.sh: the approval story on an MLflow-speaking server
# (tests/remote/fixture.py) as three users (root acting with --as), kept in
# MLflow's own primitives (README's server section): policies as tags of the experiment
# "mlconsole", environments as aliases, the history and hook outcomes as model
# tags, requests as model-version tags; the local audit journal; two processes
# voting at once end with one consistent request; a half-finished approval is
# reconciled; drift points recorded as run metrics, and a pipeline's series
# logged with a plain MLflow client, shown by `drift show`.
. "$MLC_SRCDIR/tests/lib.sh"
need_root "act as alice, bob and carol with --as"
fixture_start --runs 10
fixture_client 1

# post PATH JSON: POST to the server as another MLflow client would.
post() {
	python3 -c 'import sys, urllib.request as u
u.urlopen(u.Request(sys.argv[1], data=sys.argv[2].encode(), headers={"Content-Type": "application/json"}), timeout=10).read()' \
		"http://$HP/api/2.0/mlflow/$1" "$2"
}

# request_tag MODEL VERSION ENV EXPR: EXPR over the request tag (as d).
request_tag() {
	api model-versions/get "name=$1&version=$2" |
		py "[t['value'] for t in d['model_version']['tags'] if t['key'] == 'mlconsole.request.$3'][0]" | py "$4"
}

# voters MODEL VERSION ENV: who voted on the request's current opening, sorted:
# the vote tags mlconsole.vote.ENV.USER naming its tag's opening.
voters() {
	api model-versions/get "name=$1&version=$2" | python3 -c 'import json, sys
tags = {t["key"]: t["value"] for t in json.load(sys.stdin)["model_version"]["tags"]}
req = json.loads(tags["mlconsole.request." + sys.argv[1]])
votes = [json.loads(v) for k, v in tags.items() if k.startswith("mlconsole.vote.%s." % sys.argv[1])]
print(",".join(sorted(v["by"] for v in votes if v.get("req") == req.get("opening"))))' "$3"
}

# fixture_fault JSON: set (or with {} clear) the fixture's fault mode.
fixture_fault() {
	python3 -c 'import sys, urllib.request as u
u.urlopen(u.Request(sys.argv[1], data=sys.argv[2].encode()), timeout=10).read()' "http://$HP/_fixture/fault" "$1"
}

# put_request MODEL VERSION ENV OPENED [VOTER...]: the request tag as a console
# that died long ago would have left it: pending since OPENED (ms), approved by
# VOTER... at time 1 (past the grace a finishing console has); the votes in the
# tag's old layout, its opening (and so its number) kept
put_request() {
	python3 - "$HP" "$@" <<'PY'
import json, sys, urllib.request as u
hp, model, version, env, opened, voters = *sys.argv[1:5], int(sys.argv[5]), sys.argv[6:]
req = {"id": "%s:%s:%s" % (model, version, env), "kind": "promote", "by": "alice", "at": opened,
       "comment": "", "state": "pending",
       "votes": [{"by": v, "d": "approve", "at": 1, "comment": ""} for v in voters]}
mv = json.load(u.urlopen("http://%s/api/2.0/mlflow/model-versions/get?name=%s&version=%s" % (hp, model, version), timeout=10))
old = json.loads({t["key"]: t["value"] for t in mv["model_version"].get("tags", [])}.get("mlconsole.request." + env, "{}"))
if "opening" in old:
    req["opening"] = old["opening"]
body = {"name": model, "version": version, "key": "mlconsole.request." + env, "value": json.dumps(req)}
u.urlopen(u.Request("http://%s/api/2.0/mlflow/model-versions/set-tag" % hp, data=json.dumps(body).encode(),
                    headers={"Content-Type": "application/json"}), timeout=10).read()
PY
}

# request_id MODEL VERSION ENV: the number `approvals --all` shows for it.
request_id() {
	"$M" approvals --all --json | py "[q['id'] for q in d['requests'] if q['model'] == '$1' and q['version'] == '$2' and q['environment'] == '$3'][0]"
}

# ---- policies: tags of the experiment "mlconsole", created on first use ----------
expect_exit 0 "env set staging" -- "$M" --as alice env set staging --order 1
expect_exit 0 "env set production" -- "$M" --as alice env set production --order 2 --required-approvals 2 --approvers bob,carol --self-approval no --require-previous yes
expect_exit 0 "env list --json" -- "$M" env list --json
check "read back" "$(py "[(e['name'], e['required_approvals'], ','.join(e['approvers']), e['self_approval'], e['require_previous']) for e in d['environments']]" <"$T/out")" \
	"[('staging', 0, '', False, False), ('production', 2, 'bob,carol', False, True)]"
check "the policy is on the server" "$(api experiments/get-by-name experiment_name=mlconsole | py "{t['key']: t['value'] for t in d['experiment']['tags']}['policy.production.approvers']")" "bob,carol"

# ---- deploy, refusals, the request, votes ---------------------------------------
expect_exit 0 "alice deploys 3 to staging" -- "$M" --as alice deploy fraud-detector 3 --env staging
check "the alias staging is on the server" "$(alias_of fraud-detector staging)" 3
expect_exit 1 "a direct deploy to production is refused" -- "$M" --as alice deploy fraud-detector 3 --env production
expect_in "$T/err" "refused by the policy of environment 'production': 2 approvals required" "the refusal names the policy"
expect_exit 1 "a version never live in staging cannot be requested" -- "$M" --as alice request fraud-detector 2 --env production
expect_in "$T/err" "must have been live in 'staging' first" "says why"
expect_exit 0 "alice requests 3 for production" -- "$M" --as alice request fraud-detector 3 --env production --comment "ship it"
expect_in "$T/out" "enforced by the console, not the server" "the outcome says who enforces the policy"
id=$(request_id fraud-detector 3 production)
check "the request tag on version 3" "$(request_tag fraud-detector 3 production "d['id'] + ' ' + d['state'] + ' ' + d['by']")" "fraud-detector:3:production pending alice"
expect_exit 1 "asking again is refused" -- "$M" --as alice request fraud-detector 3 --env production
expect_in "$T/err" "already pending as request $id" "names the pending request"
expect_exit 1 "alice cannot approve her own request" -- "$M" --as alice approve "$id"
expect_in "$T/err" "does not allow self-approval" "says why"
expect_exit 1 "dave is not an approver" -- "$M" --as dave approve "$id"
expect_in "$T/err" "dave is not an approver" "says who may"
expect_exit 0 "bob approves" -- "$M" --as bob approve "$id" --comment "metrics look fine"
expect_in "$T/out" "1 of 2 approvals" "not yet enough"
check "production is still empty" "$(alias_of fraud-detector production)" none
expect_exit 1 "bob cannot vote twice" -- "$M" --as bob approve "$id"
expect_exit 0 "carol approves" -- "$M" --as carol approve "$id" --json
check "the request is approved" "$(py "d['request']['state']" <"$T/out")" approved
check "the alias production is on the server" "$(alias_of fraud-detector production)" 3
check "the history tag" "$(model_tag fraud-detector mlconsole.history.production | py "(len(d), d[0]['v'], d[0]['by'], d[0]['act'], d[0]['req'])")" \
	"(1, '3', 'carol', 'deploy', 'fraud-detector:3:production')"
check "the request tag says approved" "$(request_tag fraud-detector 3 production "d['state']")" approved
check "both votes, each a tag of its own" "$(voters fraud-detector 3 production)" "bob,carol"
expect_exit 0 "deployments --json" -- "$M" deployments fraud-detector --env production --json
check "live and by whom" "$(py "(d['deployments'][0]['version'], d['deployments'][0]['by'])" <"$T/out")" "('3', 'carol')"

# ---- rollback by the rule ---------------------------------------------------------
expect_exit 0 "bob deploys 2 to staging" -- "$M" --as bob deploy fraud-detector 2 --env staging
expect_exit 0 "carol rolls staging back" -- "$M" --as carol rollback fraud-detector --env staging
expect_in "$T/out" "back from 2 to 3" "to the earlier version"
check "the alias moved back" "$(alias_of fraud-detector staging)" 3
check "the history says rollback" "$(model_tag fraud-detector mlconsole.history.staging | py "(d[0]['act'], d[0]['v'], d[0]['prev'], d[0]['by'])")" "('rollback', '3', '2', 'carol')"
expect_exit 1 "rolling back again never goes forward onto 2" -- "$M" --as carol rollback fraud-detector --env staging
expect_in "$T/err" "no earlier version to roll back to" "says there is none"

# ---- the local audit journal -------------------------------------------------------
expect_exit 0 "audit --json" -- "$M" audit --json
check "newest first, with actors" "$(py "[(a['actor'], a['action']) for a in d['audit']][:6]" <"$T/out")" \
	"[('carol', 'rollback'), ('bob', 'deploy'), ('carol', 'deploy'), ('carol', 'approve'), ('bob', 'approve'), ('alice', 'request')]"
check "says the server keeps no trail" "$(py "d['audit'][-1]['detail'].startswith('an MLflow server keeps no audit trail')" <"$T/out")" True
[ -s "$XDG_STATE_HOME/mlconsole/audit.jsonl" ] && ok "the journal is in XDG_STATE_HOME" || fail "no journal"

# ---- two processes vote at once ---------------------------------------------------
expect_exit 0 "alice requests 2 for production" -- "$M" --as alice request fraud-detector 2 --env production
id2=$(request_id fraud-detector 2 production)
"$M" --as bob approve "$id2" >"$T/bob.out" 2>"$T/bob.err" &
b=$!
"$M" --as carol approve "$id2" >"$T/carol.out" 2>"$T/carol.err" &
c=$!
wait $b; rb=$?
wait $c; rc=$?
[ $rb -eq 0 ] && [ $rc -eq 0 ] && ok "both votes succeed" || fail "bob $rb: $(cat "$T/bob.err"), carol $rc: $(cat "$T/carol.err")"
check "one consistent request tag" "$(request_tag fraud-detector 2 production "d['state']")" approved
check "with both votes" "$(voters fraud-detector 2 production)" "bob,carol"
check "2 is live in production" "$(alias_of fraud-detector production)" 2
check "one deployment for the request" "$(model_tag fraud-detector mlconsole.history.production | py "sum(e.get('req') == 'fraud-detector:2:production' for e in d)")" 1

# ---- cancel, and a request another console left half done -------------------------
expect_exit 0 "env set qa" -- "$M" --as alice env set qa --order 3 --required-approvals 1
expect_exit 0 "alice requests churn 1 for qa" -- "$M" --as alice request churn 1 --env qa
id3=$(request_id churn 1 qa)
expect_exit 1 "only the requester cancels" -- "$M" --as bob cancel "$id3"
expect_exit 0 "alice cancels" -- "$M" --as alice cancel "$id3"
check "cancelled on the server" "$(request_tag churn 1 qa "d['state']")" cancelled
# a console died after bob's approving vote, before the alias was set
put_request churn 1 qa 1 bob
expect_exit 0 "carol's vote finishes the job" -- "$M" --as carol approve "$id3"
expect_in "$T/out" "reconciled" "says it reconciled"
check "churn 1 is live in qa" "$(alias_of churn qa)" 1
check "approved" "$(request_tag churn 1 qa "d['state']")" approved
# From here qa has a hook, to see when it runs (once per deployment made).
mkdir -p "$XDG_CONFIG_HOME/mlconsole"
printf '[hook qa]\ncommand = echo "$MLC_ACTION $MLC_MODEL $MLC_VERSION $MLC_PREVIOUS_VERSION" >>%s\n' "$T/hook.log" \
	>"$XDG_CONFIG_HOME/mlconsole/config"
hooks() { if [ -f "$T/hook.log" ]; then tr '\n' '|' <"$T/hook.log"; fi; }
# a console died after setting the alias, before the history tag: the next
# vote writes the history entry (it does not close the request as "already live")
# and runs the hook, which had not run
expect_exit 0 "alice requests fraud-detector 3 for qa" -- "$M" --as alice request fraud-detector 3 --env qa
id4=$(request_id fraud-detector 3 qa)
put_request fraud-detector 3 qa 1 bob
post registered-models/alias '{"name": "fraud-detector", "alias": "qa", "version": "3"}'
expect_exit 0 "carol's vote finishes it" -- "$M" --as carol approve "$id4"
expect_in "$T/out" "reconciled" "says it reconciled"
check "the history has the deployment, for the request" \
	"$(model_tag fraud-detector mlconsole.history.qa | py "(d[0]['v'], d[0].get('req'), d[0]['act'])")" "('3', 'fraud-detector:3:qa', 'deploy')"
check "the request is approved" "$(request_tag fraud-detector 3 qa "d['state']")" approved
expect_exit 0 "audit --json" -- "$M" audit --limit 3 --json
check "the journal says what was reconciled" "$(py "[(a['action'], a['subject'], re.sub(r'request [0-9]+: ', 'request N: ', a['detail'])) for a in d['audit'] if a['action'] == 'reconcile'][:2]" <"$T/out")" \
	"[('reconcile', 'fraud-detector:3@qa', 'request N: finished an approved request'), ('reconcile', 'fraud-detector:3@qa', 'wrote the missing history entry')]"
check "the hook ran, told of the deployment" "$(hooks)" "deploy fraud-detector 3 |"
# the history tag fails as an approval deploys: the version is live, the request
# approved, the error says what is missing, and the next vote writes it
expect_exit 0 "alice requests fraud-detector 2 for qa" -- "$M" --as alice request fraud-detector 2 --env qa
id5=$(request_id fraud-detector 2 qa)
fixture_fault '{"mode": "500", "count": 2, "path": "registered-models/set-tag"}'
expect_exit 1 "bob approves while the history tag cannot be written" -- "$M" --as bob approve "$id5"
expect_in "$T/err" "request $id5 approved: deployed fraud-detector 2 to qa (the alias is set), but its history tag was not written" "the error says what stands"
fixture_fault '{}'
check "2 is live in qa" "$(alias_of fraud-detector qa)" 2
check "the request is approved" "$(request_tag fraud-detector 2 qa "d['state']")" approved
check "the history does not have it" "$(model_tag fraud-detector mlconsole.history.qa | py "d[0]['v']")" 3
expect_exit 0 "carol's vote reconciles it" -- "$M" --as carol approve "$id5"
expect_in "$T/out" "reconciled" "says it reconciled"
check "now the history has it, after 3" \
	"$(model_tag fraud-detector mlconsole.history.qa | py "(d[0]['v'], d[0].get('prev'), d[0].get('req'))")" "('2', '3', 'fraud-detector:2:qa')"
check "the hook ran once, for bob's approval (the reconcile saw its outcome)" "$(hooks)" \
	"deploy fraud-detector 3 |deploy fraud-detector 2 3|"
# a pending request with its votes, whose version went live by other means (a
# rollback) before the approving console finished: closed, no entry invented
expect_exit 0 "alice requests fraud-detector 3 for qa again" -- "$M" --as alice request fraud-detector 3 --env qa
id4=$(request_id fraud-detector 3 qa) # (a new opening, a new number)
opened=$(request_tag fraud-detector 3 qa "d['at']")
put_request fraud-detector 3 qa "$opened" bob
expect_exit 0 "carol rolls qa back to 3" -- "$M" --as carol rollback fraud-detector --env qa
expect_exit 0 "carol's vote" -- "$M" --as carol approve "$id4"
expect_in "$T/out" "closed: the version is already live" "closes the request: nothing left to do"
check "the history's head is the rollback" \
	"$(model_tag fraud-detector mlconsole.history.qa | py "(d[0]['v'], d[0]['act'], d[0].get('req'))")" "('3', 'rollback', None)"
check "closed" "$(request_tag fraud-detector 3 qa "d['state']")" closed
# a new request for a version and environment that had one deployed before
# (the same tag, a new opening with its own number) deploys again: the old
# history entry is not taken for it
expect_exit 0 "alice requests fraud-detector 2 for qa again" -- "$M" --as alice request fraud-detector 2 --env qa
old5=$id5
id5=$(request_id fraud-detector 2 qa)
check "the new opening has a number of its own" "$([ "$id5" != "$old5" ] && echo new)" new
expect_exit 1 "a vote by the old number" -- "$M" --as bob approve "$old5"
expect_in "$T/err" "request $old5 is approved, not pending" "is refused, not counted"
expect_exit 0 "bob approves" -- "$M" --as bob approve "$id5"
expect_in "$T/out" "request $id5 approved: fraud-detector 2 is live in qa" "says so"
check "2 is live in qa" "$(alias_of fraud-detector qa)" 2
check "a new history entry for it" \
	"$(model_tag fraud-detector mlconsole.history.qa | py "(d[0]['v'], d[0]['prev'], d[0]['by'], d[0].get('req'))")" "('2', '3', 'bob', 'fraud-detector:2:qa')"
check "the hook ran for the rollback and the deployment" "$(hooks)" \
	"deploy fraud-detector 3 |deploy fraud-detector 2 3|rollback fraud-detector 3 2|deploy fraud-detector 2 3|"
# the approving console died after the alias and the history, before the
# request's state; then the version was replaced: the next vote approves the
# request without making it live again, and runs no hook
opened=$(request_tag fraud-detector 2 qa "d['at']")
put_request fraud-detector 2 qa "$opened"
expect_exit 0 "carol rolls qa back to 3" -- "$M" --as carol rollback fraud-detector --env qa
expect_exit 0 "dave approves" -- "$M" --as dave approve "$id5"
expect_in "$T/out" "request $id5 approved: fraud-detector 2 went live in qa for it, and has been replaced since by 3" "says what happened"
check "3 stays live" "$(alias_of fraud-detector qa)" 3
check "approved" "$(request_tag fraud-detector 2 qa "d['state']")" approved
check "no hook ran for it" "$(hooks)" \
	"deploy fraud-detector 3 |deploy fraud-detector 2 3|rollback fraud-detector 3 2|deploy fraud-detector 2 3|rollback fraud-detector 3 2|"

# MLFLOW_TRACKING_USERNAME is the actor only on a server that requires
# credentials (tests/remote/identity.sh); this one does not: the login name.
MLFLOW_TRACKING_USERNAME=erin MLFLOW_TRACKING_PASSWORD=pw expect_exit 0 "a policy change with a tracking user set" -- "$M" env set qa --required-approvals 1
expect_exit 0 "audit --json" -- "$M" audit --limit 1 --json
check "the journal names the login name" "$(py "d['audit'][0]['actor']" <"$T/out")" "$(id -un)"

# ---- drift series: runs tagged mlconsole.model (README's server section) ---------------------
F="$MLC_SRCDIR/tests/fixtures/drift"
expect_exit 0 "drift record against the server" -- "$M" drift record fraud-detector --feature amount --reference "$F/num_ref.csv" --current "$F/num_cur.csv" --at 2026-11-20 --json
rec=$(py "(d['point']['method'], d['point']['status'], d['point']['window_end'])" <"$T/out")
method=$(py "d['point']['method']" <"$T/out")
run=$(python3 -c 'import json, sys, urllib.request as u
b = json.dumps({"experiment_ids": [sys.argv[2]], "filter": "tags.`mlconsole.model` = '"'"'fraud-detector'"'"'"}).encode()
r = json.load(u.urlopen(u.Request(sys.argv[1], data=b, headers={"Content-Type": "application/json"}), timeout=10))["runs"]
print(r[0]["info"]["run_id"] if len(r) == 1 else len(r))' "http://$HP/api/2.0/mlflow/runs/search" \
	"$(api experiments/get-by-name experiment_name=mlconsole | py "d['experiment']['experiment_id']")")
check "one run named drift-fraud-detector" "$(api runs/get "run_id=$run" | py "d['run']['info']['run_name']")" drift-fraud-detector
check "the point is the metric drift.METHOD.amount at the window end" "$(api metrics/get-history "run_id=$run&metric_key=drift.$method.amount" | py "[(m['timestamp'], m['step']) for m in d['metrics']]")" "[(1795132800000, 0)]"
# a pipeline logs its own series of churn (live in qa) with a plain MLflow client
pid=$(python3 -c 'import json, sys, urllib.request as u
b = json.dumps({"experiment_id": "0", "run_name": "nightly", "tags": [{"key": "mlconsole.model", "value": "churn"}]}).encode()
print(json.load(u.urlopen(u.Request(sys.argv[1], data=b, headers={"Content-Type": "application/json"}), timeout=10))["run"]["info"]["run_id"])' "http://$HP/api/2.0/mlflow/runs/create")
post runs/log-metric "{\"run_id\": \"$pid\", \"key\": \"drift.psi.f\", \"value\": 0.05, \"timestamp\": 1795132800000, \"step\": 0}"
post runs/log-metric "{\"run_id\": \"$pid\", \"key\": \"drift.psi.f\", \"value\": 0.5, \"timestamp\": 1795219200000, \"step\": 1}"
post runs/set-tag "{\"run_id\": \"$pid\", \"key\": \"mlconsole.threshold.psi.f\", \"value\": \"0.2\"}"
expect_exit 0 "drift show --json" -- "$M" drift show --json
check "the recorded feature, with its status" "$(py "[(f['method'], f['status'], f['series'][-1]['window_end']) for f in d['features'] if f['model'] == 'fraud-detector' and f['feature'] == 'amount'][0]" <"$T/out")" "$rec"
check "the pipeline's series, drifted" "$(py "[(f['feature'], f['method'], f['status'], f['threshold'], len(f['series'])) for f in d['features'] if f['model'] == 'churn']" <"$T/out")" "[('f', 'psi', 'drift', 0.2, 2)]"
check "worst first" "$(py "[f['status'] for f in d['features']] == sorted((f['status'] for f in d['features']), key=['drift', 'warn', 'ok'].index)" <"$T/out")" True
expect_exit 1 "drift show of an unknown model" -- "$M" drift show nope
expect_in "$T/err" "model 'nope'" "names the model"

# ---- a request tag opened again and again keeps its last openings, under MLflow's limit ------
expect_exit 0 "env set canary" -- "$M" env set canary --order 9 --required-approvals 1
long=$(printf 'x%.0s' $(seq 1 900))
cur=
for i in 1 2 3 4 5 6 7 8 9 10; do
	"$M" --as alice request fraud-detector 3 --env canary --comment "$long" >/dev/null 2>"$T/err" ||
		fail "request $i: $(cat "$T/err")"
	prev=$cur
	cur=$(request_id fraud-detector 3 canary)
	"$M" --as alice cancel "$cur" >/dev/null 2>"$T/err" || fail "cancel $i: $(cat "$T/err")"
done
check "the tag keeps the last openings, and fits in an MLflow tag" \
	"$(request_tag fraud-detector 3 canary "(len(d['was']), len(json.dumps(d, separators=(',', ':'))) < 3600)")" "(8, True)"
expect_exit 0 "approvals --all --json" -- "$M" approvals --all --json
check "an earlier opening is listed as it ended" \
	"$(py "[(q['state'], q['requested_by']) for q in d['requests'] if q['id'] == $prev]" <"$T/out")" "[('cancelled', 'alice')]"
expect_exit 1 "a vote by an earlier opening's number" -- "$M" --as bob approve "$prev"
expect_in "$T/err" "request $prev is cancelled, not pending" "is refused as it ended"

expect_exit 1 "--read-only refuses changes" -- "$M" --read-only --as bob rollback fraud-detector --env production
expect_in "$T/err" "read-only" "says read-only"
finish
