#!/bin/bash
# tests/remote/gates.sh: an environment's gates on an MLflow-speaking server
# (tests/remote/fixture.py): kept as the tag policy.E.gates (a JSON array) of
# the experiment 'mlconsole' (README "What mlconsole keeps on an MLflow server"); a request whose gate fails
# ('metrics.val_auc >= live' against the live version's run) can be opened
# but the approval that would deploy it is refused, naming the gate and why,
# and the alias does not move; once the candidate's metric beats the live
# one, the same approval deploys; removing a gate is a request; a drifting
# model fails 'drift = ok'.
. "$MLC_SRCDIR/tests/lib.sh"
need_root "act as alice and bob with --as"
fixture_start --runs 10
fixture_client 0

run_of() {
	call GET "api/2.0/mlflow/model-versions/get?name=fraud-detector&version=$1" | py "d['model_version']['run_id']"
}
# log_val_auc VERSION VALUE STEP: the metric val_auc of VERSION's run, as a training job logs it.
log_val_auc() {
	call POST api/2.0/mlflow/runs/log-metric "{\"run_id\": \"$(run_of "$1")\", \"key\": \"val_auc\", \"value\": $2, \"timestamp\": 1700000000000, \"step\": $3}" >/dev/null
}

# fraud-detector 2 and 3 come from two runs; 2 is live in prod.
[ "$(run_of 2)" != "$(run_of 3)" ] || fail "versions 2 and 3 share a run"
expect_exit 0 "root makes prod" -- "$M" env set prod
expect_exit 0 "2 goes live in prod" -- "$M" --as alice deploy fraud-detector 2 --env prod
expect_exit 0 "prod gets an approver and a gate" -- "$M" env set prod --required-approvals 1 --approvers bob --gate "metrics.val_auc >= live"
gates=$(call GET "api/2.0/mlflow/experiments/get-by-name?experiment_name=mlconsole" | py "[t['value'] for t in d['experiment']['tags'] if t['key'] == 'policy.prod.gates'][0]")
check "the gates are the tag policy.prod.gates, a JSON array" "$gates" '["metrics.val_auc >= live"]'
expect_exit 0 "env list --json" -- "$M" env list --json
check "env list carries them" "$(py "[e['gates'] for e in d['environments'] if e['name'] == 'prod'][0]" <"$T/out")" "['metrics.val_auc >= live']"

log_val_auc 2 0.93 0
log_val_auc 3 0.91 0
expect_exit 0 "alice requests 3 for prod: opening is allowed" -- "$M" --as alice request fraud-detector 3 --env prod
id=$("$M" approvals --json | py "[q['id'] for q in d['requests'] if q['version'] == '3'][0]")
expect_exit 0 "approvals" -- "$M" approvals
expect_in "$T/out" "fraud-detector 3 to prod: refused: gate 'metrics.val_auc >= live' failed: 0.91 < 0.93 (live version 2)" "approvals names the failing gate and why"
expect_exit 1 "bob's approval would deploy it: refused" -- "$M" --as bob approve "$id"
expect_in "$T/err" "gate 'metrics.val_auc >= live' failed: 0.91 < 0.93 (live version 2)" "the refusal names the gate and why"
check "the alias did not move" "$(alias_of fraud-detector prod)" 2
# the gate check cannot read the policies (one 500 on the policy experiment):
# the vote is refused, not let through unchecked (the review's finding: the
# backend's own read then succeeded and deployed past the gate)
call POST _fixture/fault '{"mode": "500", "count": 1, "path": "experiments/get-by-name"}' >/dev/null
expect_exit 1 "bob's approval while the policies cannot be read: refused" -- "$M" --as bob approve "$id"
call POST _fixture/fault '{}' >/dev/null
check "the alias did not move either" "$(alias_of fraud-detector prod)" 2
expect_exit 0 "still pending" -- "$M" approvals --json
check "the request is still pending" "$(py "[q['state'] for q in d['requests'] if q['id'] == $id][0]" <"$T/out")" pending

# retrained: a later step of the candidate's run beats the live version
log_val_auc 3 0.95 1
expect_exit 0 "approvals" -- "$M" approvals
expect_not_in "$T/out" "failed" "the gate passes now"
expect_exit 0 "bob's approval deploys it" -- "$M" --as bob approve "$id"
check "3 is live in prod" "$(alias_of fraud-detector prod)" 3

expect_exit 0 "bob removes the gate: it loosens, so a request" -- "$M" --as bob env set prod --gate-rm "metrics.val_auc >= live"
expect_in "$T/out" "gate 'metrics.val_auc >= live' removed (loosens)" "says what it loosens"
expect_exit 0 "env list --json" -- "$M" env list --json
check "the gate holds meanwhile" "$(py "[e['gates'] for e in d['environments'] if e['name'] == 'prod'][0]" <"$T/out")" "['metrics.val_auc >= live']"

# drift: a model whose feature drifts fails 'drift = ok'
expect_exit 0 "dev with a drift gate" -- "$M" env set dev --order 0 --gate "drift = ok"
F="$MLC_SRCDIR/tests/fixtures/drift"
expect_exit 0 "a drifting window of fraud-detector" -- "$M" drift record fraud-detector --feature amount --reference "$F/num_ref.csv" --current "$F/num_cur.csv" --method psi --at 2026-11-20
expect_exit 1 "a deploy to dev is refused" -- "$M" --as alice deploy fraud-detector 3 --env dev
expect_in "$T/err" "gate 'drift = ok' failed: the model's drift status is drift" "names the drift gate"
check "nothing went live in dev" "$(alias_of fraud-detector dev)" none
finish
