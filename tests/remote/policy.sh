#!/bin/bash
# tests/remote/policy.sh: on an MLflow-speaking server (tests/remote/fixture.py)
# the policy holds where the server gives no transactions (README's server section):
# policy tags in other clients' spellings, and ones not understood, which
# refuse changes rather than read as "free"; a reject, a non-approver or the
# requester never deploys a request, even one with enough approvals; only the
# vote that satisfied the policy deploys, and another console finishes it only
# after a grace; an approved request whose version was taken down is not made
# live again; a reject that lands while an approval is being confirmed stops
# the deployment; deploying a version another client made live does not record
# it past the policy; the rollback rule takes another client's alias move as
# backing a version out, the move shows as by 'external' and the next change
# records it first as such; a rollback names a version deleted since.
. "$MLC_SRCDIR/tests/lib.sh"
need_root "act as alice, bob, carol and dave with --as"
fixture_start --runs 10
fixture_client 0

# request_of VERSION ENV EXPR: EXPR over fraud-detector VERSION's request tag for ENV (as d).
request_of() {
	call GET "api/2.0/mlflow/model-versions/get?name=fraud-detector&version=$1" |
		python3 -c 'import json, sys
m = json.load(sys.stdin)
d = [json.loads(t["value"]) for t in m["model_version"]["tags"] if t["key"] == sys.argv[1]][0]
print(eval(sys.argv[2]))' "mlconsole.request.$2" "$3"
}

# votes_of VERSION ENV: who voted on fraud-detector VERSION's request for ENV
# (its current opening): the vote tags mlconsole.vote.ENV.USER naming it.
votes_of() {
	call GET "api/2.0/mlflow/model-versions/get?name=fraud-detector&version=$1" |
		python3 -c 'import json, sys
tags = {t["key"]: t["value"] for t in json.load(sys.stdin)["model_version"]["tags"]}
req = json.loads(tags["mlconsole.request." + sys.argv[1]])
votes = [json.loads(v) for k, v in tags.items() if k.startswith("mlconsole.vote.%s." % sys.argv[1])]
print(sorted(v["by"] for v in votes if v.get("req") == req.get("opening")))' "$2"
}

# history_of ENV EXPR: EXPR over fraud-detector's history tag for ENV (as d).
history_of() {
	call GET "api/2.0/mlflow/registered-models/get?name=fraud-detector" |
		python3 -c 'import json, sys
m = json.load(sys.stdin)["registered_model"]
d = json.loads(([t["value"] for t in m.get("tags", []) if t["key"] == "mlconsole.history." + sys.argv[1]] + ["[]"])[0])
print(eval(sys.argv[2]))' "$1" "$2"
}

# request_state VERSION ENV: the state of fraud-detector VERSION's request for ENV.
request_state() {
	request_of "$1" "$2" "d['state']"
}

# policy_tag KEY VALUE: another client sets a tag on the experiment "mlconsole".
policy_tag() {
	exp=$(call GET "api/2.0/mlflow/experiments/get-by-name?experiment_name=mlconsole" | py "d['experiment']['experiment_id']")
	call POST api/2.0/mlflow/experiments/set-experiment-tag "{\"experiment_id\": \"$exp\", \"key\": \"$1\", \"value\": \"$2\"}" >/dev/null
}

# put_votes VERSION ENV AT VOTER...: the request tag a console that died would
# have left: pending (opened by alice), approved by VOTER... at AT (ms), the
# votes in the tag's old layout; with CLAIM=USER, USER's console claimed its
# deployment at AT.
put_votes() {
	python3 - "$HP" "$@" <<'PY'
import json, os, sys, urllib.request as u
hp, version, env, at, voters = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
url = "http://%s/api/2.0/mlflow/model-versions/" % hp
tags = json.load(u.urlopen(url + "get?name=fraud-detector&version=" + version, timeout=10))["model_version"]["tags"]
req = json.loads([t["value"] for t in tags if t["key"] == "mlconsole.request." + env][0])
req["votes"] = [{"by": v, "d": "approve", "at": at, "comment": ""} for v in voters]
if os.environ.get("CLAIM"):
    req["claim"] = {"by": os.environ["CLAIM"], "at": at}
body = {"name": "fraud-detector", "version": version, "key": "mlconsole.request." + env, "value": json.dumps(req)}
u.urlopen(u.Request(url + "set-tag", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}), timeout=10).read()
PY
}

# fault JSON: the fixture's fault mode ({} clears it).
fault() {
	call POST _fixture/fault "$1" >/dev/null
}

expect_exit 0 "env set staging" -- "$M" --as alice env set staging --order 1
expect_exit 0 "env set prod: one approval, from bob or carol" -- \
	"$M" --as alice env set prod --order 2 --required-approvals 1 --approvers bob,carol
expect_exit 0 "deploy 2 to staging" -- "$M" --as alice deploy fraud-detector 2 --env staging
expect_exit 0 "deploy 3 to staging" -- "$M" --as alice deploy fraud-detector 3 --env staging

# ---- policy tags written by other clients ----------------------------------------------
policy_tag policy.staging.rollback_approval True
expect_exit 0 "env list --json" -- "$M" env list --json
check "Python's True reads as yes" "$(py "[e['rollback_approval'] for e in d['environments'] if e['name'] == 'staging'][0]" <"$T/out")" True
expect_exit 1 "so a rollback of staging needs approval" -- "$M" --as dave rollback fraud-detector --env staging
expect_in "$T/err" "rollback needs approval" "says so"
policy_tag policy.staging.rollback_approval maybe
expect_exit 0 "env list with a setting it cannot read" -- "$M" env list
expect_in "$T/err" "environment 'staging': policy setting policy.staging.rollback_approval = 'maybe' not understood" "env list warns"
expect_exit 1 "a rollback there is refused, not free" -- "$M" --as dave rollback fraud-detector --env staging
expect_in "$T/err" "policy setting policy.staging.rollback_approval = 'maybe' (a tag of the experiment 'mlconsole') is not understood" "names the tag"
check "the alias did not move" "$(alias_of fraud-detector staging)" 3
policy_tag policy.prod.required_approvals two
expect_exit 1 "a deploy to prod with required_approvals = two is refused" -- "$M" --as dave deploy fraud-detector 2 --env prod
expect_in "$T/err" "policy.prod.required_approvals = 'two'" "names the tag"
check "prod has no alias" "$(alias_of fraud-detector prod)" none
expect_exit 0 "env set rewrites the bad setting" -- "$M" --as alice env set staging --rollback-approval no
# (prod has approvers, and alice is not one: root acting as itself rewrites it)
expect_exit 1 "alice may not rewrite prod's policy" -- "$M" --as alice env set prod --required-approvals 1
expect_exit 0 "root rewrites the other" -- "$M" env set prod --required-approvals 1
expect_exit 0 "and the rollback goes through" -- "$M" --as dave rollback fraud-detector --env staging
check "staging is back on 2" "$(alias_of fraud-detector staging)" 2

# ---- a request with enough approvals is not deployed by just anyone ---------------------
expect_exit 0 "alice requests 2 for prod" -- "$M" --as alice request fraud-detector 2 --env prod
id=$("$M" approvals --json | py "[q['id'] for q in d['requests'] if q['version'] == '2'][0]")
# bob's vote satisfied the policy long ago, and his console died before deploying
put_votes 2 prod 1 bob
expect_exit 1 "dave (not an approver) rejects" -- "$M" --as dave reject "$id"
expect_in "$T/err" "dave is not an approver of environment 'prod'" "refused"
expect_exit 1 "alice (the requester) approves" -- "$M" --as alice approve "$id"
expect_in "$T/err" "alice requested it" "refused"
check "nothing was deployed" "$(alias_of fraud-detector prod)" none
expect_exit 0 "carol (an approver) approves: she finishes it" -- "$M" --as carol approve "$id"
expect_in "$T/out" "reconciled" "says so"
check "2 is live in prod" "$(alias_of fraud-detector prod)" 2
check "approved" "$(request_state 2 prod)" approved

# ---- within the grace, another console's claim is left to it -----------------------------
expect_exit 0 "alice requests 3 for prod" -- "$M" --as alice request fraud-detector 3 --env prod
id3=$("$M" approvals --json | py "[q['id'] for q in d['requests'] if q['version'] == '3'][0]")
CLAIM=bob put_votes 3 prod "$(($(date +%s) * 1000))" bob
expect_exit 0 "carol approves while bob's console may still be deploying" -- "$M" --as carol approve "$id3"
expect_in "$T/out" "2 of 1 approvals (bob's console claimed its deployment and deploys it" "says who deploys it"
check "carol's console deployed nothing" "$(alias_of fraud-detector prod)" 2
check "still pending" "$(request_state 3 prod)" pending

# ---- an approved request whose version was taken down stays down --------------------------
expect_exit 0 "alice requests 1 for staging" -- "$M" --as alice request fraud-detector 3 --env staging
# (staging needs no approval, so the request is for the record; make it need one)
expect_exit 0 "staging needs one approval" -- "$M" --as alice env set staging --required-approvals 1
id4=$("$M" approvals --json | py "[q['id'] for q in d['requests'] if q['version'] == '3' and q['environment'] == 'staging'][0]")
fault '{"mode": "500", "count": 1, "path": "registered-models/set-tag"}'
expect_exit 1 "bob approves; the history tag fails" -- "$M" --as bob approve "$id4"
fault '{}'
check "3 is live in staging" "$(alias_of fraud-detector staging)" 3
call DELETE api/2.0/mlflow/registered-models/alias '{"name": "fraud-detector", "alias": "staging"}' >/dev/null
check "an operator took it down with another client" "$(alias_of fraud-detector staging)" none
expect_exit 1 "carol's vote on it" -- "$M" --as carol approve "$id4"
check "is not a deployment" "$(alias_of fraud-detector staging)" none

# ---- a reject that lands while an approval is confirmed stops the deployment --------------
expect_exit 0 "prod back to one approval, by bob or carol (root)" -- "$M" env set prod --required-approvals 1
expect_exit 0 "alice cancels the request for 3" -- "$M" --as alice cancel "$id3"
expect_exit 0 "alice requests 3 for prod again" -- "$M" --as alice request fraud-detector 3 --env prod
old3=$id3
id3=$("$M" approvals --json | py "[q['id'] for q in d['requests'] if q['version'] == '3'][0]") # a new number
expect_exit 1 "carol approves by the cancelled opening's number" -- "$M" --as carol approve "$old3"
expect_in "$T/err" "request $old3 is cancelled, not pending" "refused, not counted"
# bob's console stalls on its next read of the model, after his vote is written,
# long enough for carol's reject on a loaded machine (6 s was not, in the
# clean-clone CI under load: carol's reject landed after bob's deployment)
fault '{"mode": "slow", "arg": "20", "count": 1, "path": "registered-models/get"}'
"$M" --as bob approve "$id3" >"$T/bob.out" 2>"$T/bob.err" &
bob=$!
for _ in $(seq 100); do
	[ "$(votes_of 3 prod)" = "['bob']" ] && break
	sleep 0.1
done
expect_exit 0 "carol rejects meanwhile" -- "$M" --as carol reject "$id3"
wait $bob
st=$?
fault '{}'
check "bob's approval fails" "$st" 1
# (the reject is seen when bob's vote is confirmed, or just before the alias)
expect_in "$T/bob.err" "another console rejected it meanwhile; nothing was deployed" "and says why"
check "prod stays on 2" "$(alias_of fraud-detector prod)" 2
check "the request stays rejected" "$(request_state 3 prod)" rejected

# ---- a version moved live by another client is not recorded past the policy --------------
call POST api/2.0/mlflow/registered-models/alias '{"name": "fraud-detector", "alias": "prod", "version": "3"}' >/dev/null
expect_exit 1 "dave 'deploys' 3, live in prod by another client's hand" -- "$M" --as dave deploy fraud-detector 3 --env prod
expect_in "$T/err" "fraud-detector 3 is live in prod, but its history has no entry for it; with approvals required there, only its request records it" "refused, saying why"
check "the history still ends with 2" \
	"$(call GET "api/2.0/mlflow/registered-models/get?name=fraud-detector" | py "json.loads([t['value'] for t in d['registered_model']['tags'] if t['key'] == 'mlconsole.history.prod'][0])[0]['v']")" 2

# ---- who may change a policy (README): its approvers; loosening is a request -------------
# policyreq EXPR: EXPR over the policy request tag of prod on the experiment "mlconsole" (as d).
policyreq() {
	call GET "api/2.0/mlflow/experiments/get-by-name?experiment_name=mlconsole" |
		python3 -c 'import json, sys
e = json.load(sys.stdin)["experiment"]
d = [json.loads(t["value"]) for t in e["tags"] if t["key"] == "mlconsole.policyrequest.prod"]
d = d[0] if d else {}
print(eval(sys.argv[1]))' "$1"
}
# prodpolicy FIELD: prod's policy tag FIELD on the server.
prodpolicy() {
	call GET "api/2.0/mlflow/experiments/get-by-name?experiment_name=mlconsole" |
		py "[t['value'] for t in d['experiment']['tags'] if t['key'] == 'policy.prod.$1'][0]"
}
expect_exit 1 "dave (not an approver) cannot drop prod's approvals" -- "$M" --as dave env set prod --required-approvals 0
expect_in "$T/err" "only its approvers (bob, carol) or root acting as itself may change its policy" "says who may"
check "prod still needs one approval" "$(prodpolicy required_approvals)" 1
expect_exit 1 "so dave's deploy to prod is still refused" -- "$M" --as dave deploy fraud-detector 2 --env prod
expect_in "$T/err" "1 approval required" "by the policy"
expect_exit 1 "dave cannot tighten it either" -- "$M" --as dave env set prod --required-approvals 2
check "prod unchanged" "$(prodpolicy required_approvals)" 1
expect_exit 0 "bob (an approver) tightens it directly" -- "$M" --as bob env set prod --rollback-approval yes
check "rollback approval on" "$(prodpolicy rollback_approval)" yes
expect_exit 0 "bob's loosening is a request" -- "$M" --as bob env set prod --required-approvals 0 --approvers bob,carol,dave --json
pq=$(py "d['request']['id']" <"$T/out")
check "the request is a policy request" "$(py "d['request']['kind']" <"$T/out")" policy
check "prod still needs one approval" "$(prodpolicy required_approvals)" 1
check "the tag holds the change" "$(policyreq "(d['kind'], d['state'], d['by'], d['change'])")" \
	"('policy', 'pending', 'bob', {'required_approvals': 0, 'approvers': 'bob,carol,dave'})"
expect_exit 0 "approvals --wide (cells whole)" -- "$M" approvals --wide
expect_in "$T/out" "required approvals 1 -> 0 (loosens), approvers bob,carol -> bob,carol,dave (loosens: approver dave added)" "approvals shows what it changes"
expect_exit 1 "bob cannot approve his own" -- "$M" --as bob approve "$pq"
expect_exit 1 "dave is not an approver yet" -- "$M" --as dave approve "$pq"
expect_exit 0 "carol approves: the current policy is met" -- "$M" --as carol approve "$pq"
expect_in "$T/out" "request $pq approved: the policy of prod changed" "says so"
check "carol's vote is a tag of its own on the experiment, for this opening" \
	"$(call GET "api/2.0/mlflow/experiments/get-by-name?experiment_name=mlconsole" |
		python3 -c 'import json, sys
tags = {t["key"]: t["value"] for t in json.load(sys.stdin)["experiment"]["tags"]}
v = json.loads(tags["mlconsole.policyvote.prod.carol"])
print(v["d"], v["by"], v["req"] == json.loads(tags["mlconsole.policyrequest.prod"])["opening"])')" \
	"approve carol True"
check "prod needs none now" "$(prodpolicy required_approvals)" 0
check "dave is an approver" "$(prodpolicy approvers)" "bob,carol,dave"
check "the request is approved" "$(policyreq "d['state']")" approved
expect_exit 0 "carol asks for self-approval" -- "$M" --as carol env set prod --self-approval yes
pq2=$(py "d['request']['id']" <<<"$("$M" approvals --json | py "json.dumps({'request': [q for q in d['requests'] if q['kind'] == 'policy'][0]})")")
expect_exit 0 "carol cancels it" -- "$M" --as carol cancel "$pq2"
check "cancelled" "$(policyreq "d['state']")" cancelled
check "self-approval stays off" "$(prodpolicy self_approval)" no
expect_exit 0 "bob asks for self-approval" -- "$M" --as bob env set prod --self-approval yes --json
pq3=$(py "d['request']['id']" <"$T/out")
# carol's vote met the policy and her console died before it wrote the change
python3 - "$HP" <<'PY'
import json, sys, urllib.request as u
api = "http://%s/api/2.0/mlflow/" % sys.argv[1]
e = json.load(u.urlopen(api + "experiments/get-by-name?experiment_name=mlconsole", timeout=10))["experiment"]
key = "mlconsole.policyrequest.prod"
req = json.loads([t["value"] for t in e["tags"] if t["key"] == key][0])
req["votes"] = [{"by": "carol", "d": "approve", "at": 1, "comment": ""}]
body = {"experiment_id": e["experiment_id"], "key": key, "value": json.dumps(req)}
u.urlopen(u.Request(api + "experiments/set-experiment-tag", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}), timeout=10).read()
PY
expect_exit 0 "dave's approval finishes it (writing a policy twice is harmless)" -- "$M" --as dave approve "$pq3"
expect_in "$T/out" "request $pq3 approved: the policy of prod changed (self-approval on" "says so"
check "self-approval on" "$(prodpolicy self_approval)" yes
expect_exit 0 "root acting as itself changes it directly" -- "$M" env set prod --required-approvals 1
expect_in "$T/out" "as root, directly" "says so"
check "prod needs one again" "$(prodpolicy required_approvals)" 1
# A policy request shows every field it changes; the deciding vote checks it
# again against the policy as it is then, and closes it when it means more.
expect_exit 0 "prod requires the previous environment (root)" -- "$M" env set prod --require-previous yes --self-approval no
expect_exit 0 "bob asks for none, at order 4, himself the only approver" -- "$M" --as bob env set prod --required-approvals 0 --order 4 --approvers bob --json
pq4=$(py "d['request']['id']" <"$T/out")
check "the request shows every field it changes" "$(policyreq "d['summary']")" \
	"order 2 -> 4, required approvals 1 -> 0 (loosens), approvers bob,carol,dave -> bob"
expect_exit 0 "canary after prod is free" -- "$M" --as dave env set canary --order 3
expect_exit 0 "carol's vote finds it would now put canary before prod" -- "$M" --as carol approve "$pq4"
expect_in "$T/out" "request $pq4 closed: the change no longer means what was approved" "closed, saying why"
check "the request is closed" "$(policyreq "d['state']")" closed
check "prod stays at 2" "$(prodpolicy order)" 2
check "prod's approvers stay" "$(prodpolicy approvers)" "bob,carol,dave"

# ---- the rollback rule on a history another client changed ----------------------------
expect_exit 0 "env set qa2" -- "$M" --as alice env set qa2 --order 5
expect_exit 0 "deploy 2 to qa2" -- "$M" --as alice deploy fraud-detector 2 --env qa2
expect_exit 0 "deploy 3 to qa2" -- "$M" --as alice deploy fraud-detector 3 --env qa2
call POST api/2.0/mlflow/registered-models/alias '{"name": "fraud-detector", "alias": "qa2", "version": "2"}' >/dev/null
expect_exit 1 "after another client backed 3 out, a rollback does not go onto 3 again" -- \
	"$M" --as alice rollback fraud-detector --env qa2
expect_in "$T/err" "no earlier version to roll back to" "there is none"
check "qa2 stays on 2" "$(alias_of fraud-detector qa2)" 2
# The move is another client's: deployments says so and writes nothing; the
# next change there records it first, as 'external' (history and journal),
# never as the actor's.
expect_exit 0 "deployments --json" -- "$M" deployments fraud-detector --env qa2 --json
check "2 is live, moved by 'external'" "$(py "[(l['version'], l['by']) for l in d['deployments']]" <"$T/out")" "[('2', 'external')]"
check "the read wrote nothing" "$(history_of qa2 "[(e['v'], e['act']) for e in d][:1]")" "[('3', 'deploy')]"
expect_exit 0 "deploy 3 to qa2 again" -- "$M" --as alice deploy fraud-detector 3 --env qa2
expect_in "$T/out" "deployed fraud-detector 3 to qa2 (was 2)" "from the version the other client made live"
check "the move is in the history, before alice's deployment" \
	"$(history_of qa2 "[(e['v'], e.get('prev'), e['by'], e['act']) for e in d][:3]")" \
	"[('3', '2', 'alice', 'deploy'), ('2', '3', 'external', 'external'), ('3', '2', 'alice', 'deploy')]"
expect_exit 0 "audit --json" -- "$M" audit --json
check "and in the journal, by 'external'" \
	"$(py "[(a['actor'], a['action'], a['subject'], a['detail']) for a in d['audit']][:2]" <"$T/out")" \
	"[('alice', 'deploy', 'fraud-detector:3@qa2', 'from version 2'), ('external', 'external', 'fraud-detector:2@qa2', 'from version 3; moved by another client, as observed')]"
expect_exit 0 "deployments --json" -- "$M" deployments fraud-detector --env qa2 --json
check "3 is live by alice" "$(py "[(l['version'], l['by']) for l in d['deployments']]" <"$T/out")" "[('3', 'alice')]"
call DELETE api/2.0/mlflow/model-versions/delete '{"name": "fraud-detector", "version": "2"}' >/dev/null
expect_exit 1 "the rule's choice, 2, was deleted since" -- "$M" --as alice rollback fraud-detector --env qa2
expect_in "$T/err" "rollback of fraud-detector in qa2 to 2: model 'fraud-detector': no version 2; choose another with --to VERSION" "says so, and what to do"
check "qa2 stays on 3" "$(alias_of fraud-detector qa2)" 3
finish
