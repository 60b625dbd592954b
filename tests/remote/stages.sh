#!/bin/bash
# tests/remote/stages.sh: the legacy stage mirror (README's server section) on an
# MLflow-speaking server (tests/remote/fixture.py): in a context with
# `stages = yes`, a deploy, a rollback or an approved request to staging or
# production also moves the version to that MLflow stage, archiving the one
# that held it; other environments and contexts without it never call
# transition-stage; a failed mirror leaves the deployment standing and says so,
# and deploying the live version again does the mirror; a version archived by
# another client stays retired; a history tag that fails after the alias is
# set leaves the version live, says so, and runs the hook.
. "$MLC_SRCDIR/tests/lib.sh"
fixture_start --runs 10
# The actor against a server is the tracking user: the fixture requires Basic
# auth (below), as a server must for the name to count (README "The acting user").
export MLFLOW_TRACKING_USERNAME=alice MLFLOW_TRACKING_PASSWORD=pw MLFLOW_HTTP_REQUEST_MAX_RETRIES=0
AUTH="Basic $(printf alice:pw | base64)" # for the test's own requests
export MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR=0 MLFLOW_HTTP_REQUEST_BACKOFF_JITTER=0

# Two contexts on the same server: one mirrors stages, one does not.
mkdir -p "$XDG_CONFIG_HOME/mlconsole"
cat >"$XDG_CONFIG_HOME/mlconsole/config" <<EOC
[context legacy]
uri = http://$HP
stages = yes

[context plain]
uri = http://$HP
EOC
S="$M --context legacy"

# post URL JSON: POST JSON to URL; the answer on stdout.
post() {
	python3 -c 'import sys, urllib.request as u
print(u.urlopen(u.Request(sys.argv[1], data=sys.argv[2].encode(), headers={"Content-Type": "application/json", "Authorization": sys.argv[3]}), timeout=10).read().decode())' "$1" "$2" "$AUTH"
}

# fixture WHAT [JSON]: the fixture's control endpoint (stats, reset, fault).
fixture() {
	if [ $# -gt 1 ]; then post "http://$HP/_fixture/$1" "$2"; else post "http://$HP/_fixture/$1" '{}'; fi
}

fixture auth '{"basic": ["alice:pw", "bob:pw"]}' >/dev/null

# to_stage VERSION STAGE: another MLflow client moves a fraud-detector version.
to_stage() {
	post "http://$HP/api/2.0/mlflow/model-versions/transition-stage" \
		"{\"name\": \"fraud-detector\", \"version\": \"$1\", \"stage\": \"$2\", \"archive_existing_versions\": false}" >/dev/null
}

# stages: "VERSION:STAGE ..." of fraud-detector, as `versions --json` shows them.
stages() {
	$S versions fraud-detector --json | py "' '.join(v['version'] + ':' + v['current_stage'] for v in sorted(d['versions'], key=lambda v: int(v['version'])))"
}

# transitions: how many transition-stage calls the server had since the last reset.
transitions() {
	fixture stats | py "d['paths'].get('/api/2.0/mlflow/model-versions/transition-stage', 0)"
}

# Another client puts every version back in stage None (the seed has stages).
for v in 1 2 3; do to_stage $v none; done
check "the seed's stages are cleared (stage input is case-insensitive)" "$(stages)" "1:None 2:None 3:None"

expect_exit 0 "env set staging" -- $S env set staging --order 1
expect_exit 0 "env set production" -- $S env set production --order 2
expect_exit 0 "env set qa" -- $S env set qa --order 3
fixture reset >/dev/null

# ---- deploy: the alias, the history, then the stage -----------------------------
expect_exit 0 "deploy 2 to staging" -- $S deploy fraud-detector 2 --env staging
check "2 is in Staging" "$(stages)" "1:None 2:Staging 3:None"
check "one transition-stage call" "$(transitions)" 1
check "the request MLflow got: version as a string, archiving the others" \
	"$(fixture stats | py "[json.loads(b) for b in d['bodies'] if '\"stage\"' in b]")" \
	"[{'name': 'fraud-detector', 'version': '2', 'stage': 'Staging', 'archive_existing_versions': True}]"
check "the stage came after the alias and the history tag" \
	"$(fixture stats | py "[l.split('/mlflow/')[1].split('?')[0] for l in d['log'] if l.startswith('POST')]")" \
	"['registered-models/alias', 'registered-models/set-tag', 'model-versions/transition-stage']"
expect_exit 0 "deploy 2 to production" -- $S deploy fraud-detector 2 --env production
check "2 moved on to Production (a version holds one stage)" "$(stages)" "1:None 2:Production 3:None"
expect_exit 0 "deploy 3 to staging" -- $S deploy fraud-detector 3 --env staging
expect_exit 0 "deploy 3 to production" -- $S deploy fraud-detector 3 --env production
check "3 is in Production, the previous production version archived" "$(stages)" "1:None 2:Archived 3:Production"
check "registered-models/get's latest_versions agree" \
	"$(api registered-models/get name=fraud-detector | py "sorted((v['version'], v['current_stage']) for v in d['registered_model']['latest_versions'])")" \
	"[('1', 'None'), ('2', 'Archived'), ('3', 'Production')]"
check "the alias production is 3" "$(alias_of fraud-detector production)" 3

# ---- rollback moves the stage back --------------------------------------------------
expect_exit 0 "roll production back" -- $S rollback fraud-detector --env production
expect_in "$T/out" "back from 3 to 2" "to the earlier version"
check "2 is in Production again, 3 archived" "$(stages)" "1:None 2:Production 3:Archived"

# ---- an approved request goes through the same step ---------------------------------
expect_exit 0 "production needs one approval" -- $S env set production --required-approvals 1 --approvers bob
expect_exit 0 "alice requests 1 for production" -- $S request fraud-detector 1 --env production
id=$($S approvals --json | py "[q['id'] for q in d['requests'] if q['version'] == '1'][0]")
MLFLOW_TRACKING_USERNAME=bob expect_exit 0 "bob approves" -- $S approve "$id"
check "1 is in Production, 2 archived" "$(stages)" "1:Production 2:Archived 3:Archived"
check "the alias production is 1" "$(alias_of fraud-detector production)" 1

# ---- the journal --------------------------------------------------------------------
expect_exit 0 "audit --json" -- $S audit --json
check "each mirrored deployment has its stage line after it" \
	"$(py "[(a['actor'], a['action'], a['subject']) for a in d['audit']][:4]" <"$T/out")" \
	"[('bob', 'stage', 'fraud-detector:1@production'), ('bob', 'deploy', 'fraud-detector:1@production'), ('bob', 'approve', 'fraud-detector:1@production'), ('alice', 'request', 'fraud-detector:1@production')]"
check "the stage line says what was done" "$(py "d['audit'][0]['detail']" <"$T/out")" \
	"legacy stage Production (the other Production versions archived)"

# ---- Archived is the mirror's own doing: the version can go live again ---------------
expect_exit 0 "3 (archived by the mirror) to qa" -- $S deploy fraud-detector 3 --env qa
check "the alias qa is 3" "$(alias_of fraud-detector qa)" 3
# ... but a version archived by other means (MLflow's UI, another client) stays retired
post "http://$HP/api/2.0/mlflow/model-versions/transition-stage" \
	'{"name": "churn", "version": "1", "stage": "Archived", "archive_existing_versions": false}' >/dev/null
expect_exit 1 "churn 1, archived by another client, to qa" -- $S deploy churn 1 --env qa
expect_in "$T/err" "churn version 1 is archived (its history has no record of it live in staging or production, where the legacy stage mirror would have archived it)" "the refusal says why"
check "the alias qa of churn is not set" "$(alias_of churn qa)" none

# ---- no mirror: other environments, contexts without stages --------------------------
fixture reset >/dev/null
expect_exit 0 "deploy 1 to qa" -- $S deploy fraud-detector 1 --env qa
expect_exit 0 "without stages = yes: deploy 1 to staging" -- "$M" --context plain deploy fraud-detector 1 --env staging
expect_exit 0 "without stages = yes: roll staging back" -- "$M" --context plain rollback fraud-detector --env staging
check "nothing called transition-stage" "$(transitions)" 0
check "the stages are as they were" "$(stages)" "1:Production 2:Archived 3:Archived"
check "yet the alias moved" "$(alias_of fraud-detector staging)" 3
expect_exit 1 "without the mirror an Archived version is retired" -- "$M" --context plain deploy fraud-detector 2 --env qa
expect_in "$T/err" "fraud-detector version 2 is archived" "the refusal says why"

# ---- a failed mirror: the deployment stands, and says so ----------------------------
to_stage 2 None
# the version is live, so staging's hook runs all the same
cat >>"$XDG_CONFIG_HOME/mlconsole/config" <<EOC

[hook staging @ legacy]
command = echo "\$MLC_ACTION \$MLC_MODEL \$MLC_VERSION" >>'$T/hook.log'; echo "\$MLC_PREVIOUS_VERSION" >>'$T/prev.log'
EOC
fixture fault '{"mode": "500", "path": "transition-stage"}' >/dev/null
expect_exit 1 "deploy 2 to staging while transition-stage fails" -- $S deploy fraud-detector 2 --env staging
expect_in "$T/err" "deployed fraud-detector 2 to staging, but the legacy stage mirror failed: " "the error says the mirror failed"
expect_in "$T/err" "500" "with the server's answer"
check "the hook ran for the version that went live" "$(tail -n 1 "$T/hook.log" 2>/dev/null)" "deploy fraud-detector 2"
check "the alias is set all the same" "$(alias_of fraud-detector staging)" 2
check "and the history has it" \
	"$(api registered-models/get name=fraud-detector | py "json.loads([t['value'] for t in d['registered_model']['tags'] if t['key'] == 'mlconsole.history.staging'][0])[0]['v']")" 2
check "the stage did not move" "$(stages)" "1:Production 2:None 3:Archived"
expect_exit 0 "audit --json" -- $S audit --limit 3 --json
check "the journal has the deployment, the incomplete stage and the hook" \
	"$(py "[(a['action'], a['detail'].split(':')[0]) for a in d['audit']][:3]" <"$T/out")" \
	"[('hook ok', 'command exited 0'), ('stage', 'incomplete'), ('deploy', 'from version 3')]"
# an approval: the request is approved (the deployment stands), the exit says the rest
expect_exit 0 "staging needs one approval" -- $S env set staging --required-approvals 1 --approvers alice,bob
expect_exit 0 "alice requests 3 for staging" -- $S request fraud-detector 3 --env staging
id=$($S approvals --json | py "[q['id'] for q in d['requests'] if q['version'] == '3'][0]")
MLFLOW_TRACKING_USERNAME=bob expect_exit 1 "bob approves while transition-stage fails" -- $S approve "$id"
expect_in "$T/err" "request $id approved: deployed fraud-detector 3 to staging, but the legacy stage mirror failed" "the error says both"
check "the alias moved" "$(alias_of fraud-detector staging)" 3
check "the request is approved" "$($S approvals --all --json | py "[q['state'] for q in d['requests'] if q['id'] == $id][0]")" approved
check "the hook ran for it too" "$(tail -n 1 "$T/hook.log" 2>/dev/null)" "deploy fraud-detector 3"
fixture reset >/dev/null
# Deploying the live version again does the missing mirror, and only that: no
# approval is asked (nothing new goes live), no hook runs.
expect_exit 0 "deploy 3 to staging again" -- $S deploy fraud-detector 3 --env staging
expect_in "$T/out" "fraud-detector 3 is already live in staging; what its deployment left out is now written: its legacy stage Staging" "says what it did"
check "3 is in Staging now" "$(stages)" "1:Production 2:None 3:Staging"
check "one call: transition-stage" \
	"$(fixture stats | py "[l.split('/mlflow/')[1].split('?')[0] for l in d['log'] if l.startswith('POST')]")" \
	"['model-versions/transition-stage']"
check "no hook ran" "$(wc -l <"$T/hook.log")" 2
expect_exit 1 "and once more: nothing to do" -- $S deploy fraud-detector 3 --env staging
expect_in "$T/err" "fraud-detector 3 is already live in staging" "says so"

# ---- a version live in production keeps its stage --------------------------------------
# (a version holds one stage: moving it to Staging would leave Production empty)
# (staging has approvers, so dropping its approval is a request: bob asks, alice approves)
MLFLOW_TRACKING_USERNAME=bob expect_exit 0 "bob asks for staging to need no approval again" -- \
	$S env set staging --required-approvals 0 --json
pq=$(py "d['request']['id']" <"$T/out")
expect_exit 0 "alice approves: staging needs none" -- $S approve "$pq"
expect_exit 0 "deploy 1 (live in production) to staging" -- $S deploy fraud-detector 1 --env staging
check "1 stays in Production" "$(stages)" "1:Production 2:None 3:Staging"
expect_exit 0 "audit --json" -- $S audit --limit 3 --json
check "the journal says why" "$(py "[a['detail'] for a in d['audit'] if a['action'] == 'stage'][0]" <"$T/out")" \
	"legacy stage Production kept: the version is live in production"
expect_exit 0 "roll staging back to 3" -- $S rollback fraud-detector --env staging
check "3 is in Staging, 1 still in Production" "$(stages)" "1:Production 2:None 3:Staging"

# ---- the history tag fails after the alias is set: live, and it says so -------------
fixture fault '{"mode": "500", "count": 1, "path": "registered-models/set-tag"}' >/dev/null
expect_exit 1 "deploy 2 to staging while the history tag cannot be written" -- $S deploy fraud-detector 2 --env staging
expect_in "$T/err" "deployed fraud-detector 2 to staging (the alias is set), but its history tag was not written (a rollback will not know of this deployment) nor its legacy stage set; deploying it again writes them: " "the error says what stands, what does not, and what to do"
expect_in "$T/err" "HTTP 500" "and what the server said"
check "the alias is 2" "$(alias_of fraud-detector staging)" 2
check "the hook ran once more: the version is live" "$(wc -l <"$T/hook.log")" 5
check "told the version before" "$(tail -n 1 "$T/prev.log")" 3
check "it was told the change made, not the history's head" "$(tail -n 1 "$T/hook.log")" "deploy fraud-detector 2"
expect_exit 0 "deployments --json" -- $S deployments fraud-detector --env staging --json
check "the hook's outcome is stored for the live version" \
	"$(py "[(l['version'], l['hook_status']) for l in d['deployments']]" <"$T/out")" "[('2', 'ok')]"
expect_exit 0 "audit --json" -- $S audit --limit 3 --json
check "the journal says the deployment is incomplete" "$(py "[a['detail'] for a in d['audit'] if a['action'] == 'deploy'][0]" <"$T/out")" \
	"incomplete: the alias was set, the history tag was not written"
check "the stage was left alone" "$(stages)" "1:Production 2:None 3:Staging"
expect_exit 0 "hook retry, while the history lacks the deployment" -- $S hook retry fraud-detector --env staging
check "the hook is told the live version, after the history's head" "$(tail -n 1 "$T/hook.log")" "deploy fraud-detector 2"
check "with MLC_PREVIOUS_VERSION = the history's head" "$(cat "$T/prev.log" 2>/dev/null | tail -n 1)" 3
expect_exit 0 "deploying 2 again writes what is missing" -- $S deploy fraud-detector 2 --env staging
expect_in "$T/out" "what its deployment left out is now written: its history entry and its legacy stage Staging" "says what it wrote"
check "2 is in Staging" "$(stages)" "1:Production 2:Staging 3:Archived"
check "the history has 2, after 3" \
	"$(api registered-models/get name=fraud-detector | py "[(e['v'], e.get('prev')) for e in json.loads([t['value'] for t in d['registered_model']['tags'] if t['key'] == 'mlconsole.history.staging'][0])][0]")" "('2', '3')"
check "no hook ran for it" "$(wc -l <"$T/hook.log")" 6
expect_exit 1 "and once more: nothing to do" -- $S deploy fraud-detector 2 --env staging
finish
