#!/bin/bash
# tests/cli/gates.sh: an environment's gates on the local registry (issue 16):
# an approver adds them directly, env list shows them; approvals names the
# gate a request fails; the approval that would deploy is refused with the
# gate and why, the version not made live; removing a gate is a request the
# current policy governs, and once approved the promotion deploys; a direct
# deploy into an environment with gates is refused the same way; a gate that
# is not one is a usage error; a registry from before gates opened read-only
# lists its environments.
. "$MLC_SRCDIR/tests/lib.sh"
need_root "act as alice, bob and carol with --as"
need_python3 "read the JSON"
db=$(demo_db)
R=(-r "$db")
live() {
	"$M" "${R[@]}" deployments fraud-detector --env "$1" --json >"$T/out" || fail "deployments $1"
	jq_ "d['deployments'][0]['version']"
}

# The demo: fraud-detector 12 waits for production (2 approvals of alice,
# bob, carol), where 11 is live; its auc beats 11's; the model drifts.
expect_exit 0 "approvals --json" -- "$M" "${R[@]}" approvals --json
id=$(jq_ "[q['id'] for q in d['requests'] if q['model']=='fraud-detector' and q['environment']=='production'][0]")
[ "$(live production)" = 11 ] && ok "11 is live in production" || fail "production: $(live production)"

expect_exit 2 "a gate that is not one is refused" -- "$M" "${R[@]}" --as alice env set production --gate "drift = maybe"
expect_in "$T/err" "--gate 'drift = maybe': filter syntax error at column 9: expected ok, warn, drift or none" "says why, with the column"
expect_exit 1 "a non-approver may not add one" -- "$M" "${R[@]}" --as dave env set production --gate "drift = ok"
expect_exit 0 "alice adds two gates, directly" -- "$M" "${R[@]}" --as alice env set production --gate "metrics.auc >= live" --gate "drift = ok"
expect_in "$T/out" "policy saved (gate 'metrics.auc >= live' added, gate 'drift = ok' added)" "the outcome names them"
expect_in "$T/out" "production gate: drift = ok" "env list shows them"
expect_exit 0 "env list --json" -- "$M" "${R[@]}" env list --json
[ "$(jq_ "[e['gates'] for e in d['environments'] if e['name']=='production'][0]")" = "['metrics.auc >= live', 'drift = ok']" ] &&
	ok "--json carries the gates, in order" || fail "gates: $(cat "$T/out")"

expect_exit 0 "approvals" -- "$M" "${R[@]}" approvals
expect_in "$T/out" "request $id: fraud-detector 12 to production: refused: gate 'drift = ok' failed: the model's drift status is drift" "approvals names the failing gate and why"
expect_exit 0 "approvals --json" -- "$M" "${R[@]}" approvals --json
jq_ "[q['gate_failure'] for q in d['requests'] if q['id']==$id][0]" | grep -qF "gate 'drift = ok' failed" &&
	ok "--json carries gate_failure" || fail "gate_failure: $(cat "$T/out")"

expect_exit 0 "bob's vote does not deploy yet: allowed" -- "$M" "${R[@]}" --as bob approve "$id"
expect_exit 1 "carol's vote would deploy: refused" -- "$M" "${R[@]}" --as carol approve "$id"
expect_in "$T/err" "fraud-detector 12 to production: refused: gate 'drift = ok' failed: the model's drift status is drift" "the refusal names the gate and why"
[ "$(live production)" = 11 ] && ok "11 is still live" || fail "production: $(live production)"
expect_exit 0 "the request still waits" -- "$M" "${R[@]}" approvals --json
[ "$(jq_ "[q['state'] for q in d['requests'] if q['id']==$id][0]")" = pending ] && ok "pending, with bob's vote" || fail "$(cat "$T/out")"

expect_exit 2 "removing a gate not there is refused" -- "$M" "${R[@]}" --as alice env set production --gate-rm "drift = warn"
expect_in "$T/err" "environment 'production' has no gate 'drift = warn'" "says so"
expect_exit 0 "removing a gate loosens: a request" -- "$M" "${R[@]}" --as alice env set production --gate-rm "drift = ok"
expect_in "$T/out" "change the policy of production (gate 'drift = ok' removed (loosens))" "the request says what it loosens"
expect_exit 0 "env list" -- "$M" "${R[@]}" env list
expect_in "$T/out" "production gate: drift = ok" "the gate holds until approved"
expect_exit 0 "approvals --json" -- "$M" "${R[@]}" approvals --json
pid=$(jq_ "[q['id'] for q in d['requests'] if q['kind']=='policy'][0]")
expect_exit 0 "bob approves the removal" -- "$M" "${R[@]}" --as bob approve "$pid"
expect_exit 0 "carol approves the removal" -- "$M" "${R[@]}" --as carol approve "$pid"
expect_in "$T/out" "the policy of production changed (gate 'drift = ok' removed" "the gate is removed"
expect_exit 0 "env list" -- "$M" "${R[@]}" env list
expect_not_in "$T/out" "drift = ok" "env list no longer shows it"

expect_exit 0 "with the passing gate left, carol's vote deploys" -- "$M" "${R[@]}" --as carol approve "$id"
expect_in "$T/out" "approved: fraud-detector 12 is live in production" "says so"
[ "$(live production)" = 12 ] && ok "12 is live in production" || fail "production: $(live production)"

# A direct deploy (staging needs no approval) into an environment with gates.
expect_exit 0 "anyone adds a gate to staging" -- "$M" "${R[@]}" --as dave env set staging --gate "metrics.auc >= 0.99"
expect_exit 1 "a direct deploy that fails the gate is refused" -- "$M" "${R[@]}" --as dave deploy fraud-detector 14 --env staging
expect_in "$T/err" "fraud-detector 14 to staging: refused: gate 'metrics.auc >= 0.99' failed: metrics.auc is 0." "names the gate and the value"
[ "$(live staging)" = 12 ] && ok "12 is still live in staging" || fail "staging: $(live staging)"
expect_exit 0 "staging has no approvers: removing is direct" -- "$M" "${R[@]}" --as dave env set staging --gate-rm "metrics.auc >= 0.99" --gate "metrics.nonesuch > 0"
expect_exit 1 "a metric the version lacks fails the gate" -- "$M" "${R[@]}" --as dave deploy fraud-detector 14 --env staging
expect_in "$T/err" "gate 'metrics.nonesuch > 0' failed: version 14 has no metrics.nonesuch" "names the missing metric"
expect_exit 0 "remove it" -- "$M" "${R[@]}" --as dave env set staging --gate-rm "metrics.nonesuch > 0"
expect_exit 0 "then the deploy goes through" -- "$M" "${R[@]}" --as dave deploy fraud-detector 14 --env staging
[ "$(live staging)" = 14 ] && ok "14 is live in staging" || fail "staging: $(live staging)"

expect_exit 0 "audit --json" -- "$M" "${R[@]}" audit --limit 40 --json
python3 - "$T/out" <<'PY' && ok "every gate change is audited" || fail "audit: $(head -c 800 "$T/out")"
import json, sys
a = json.load(open(sys.argv[1]))["audit"]
d = [e["detail"] for e in a if e["action"] == "policy"]
assert any("gate+='drift = ok'" in x for x in d), d
assert any("gate-='drift = ok'" in x for x in d), d
assert any("gate-='metrics.nonesuch > 0'" in x for x in d), d
PY

# A registry from before gates (schema 7), opened read-only, cannot be
# migrated: it lists its environments with no gates.
cp "$db" "$T/old.db"
python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript('DROP TABLE environment_gates; DROP TABLE policy_request_gates; PRAGMA user_version = 7;'); c.commit()" "$T/old.db"
expect_exit 0 "env list on a schema 7 file opened read-only" -- "$M" -r "$T/old.db" --read-only env list
expect_in "$T/out" "production" "lists its environments"
expect_exit 0 "approvals there" -- "$M" -r "$T/old.db" --read-only approvals

# A gate added while a deploy waits for the write lock binds that deploy: the
# local registry checks the gates under its lock, on what the deploy writes
# over. Another process holds the lock (BEGIN IMMEDIATE), adds the gate
# 'drift != drift' (never met) to dev and commits 2 s later; the deploy,
# started meanwhile, reads before the lock would have seen no gate.
"$M" demo create "$T/race.db" --seed 42 >/dev/null || fail "demo create"
"$M" -r "$T/race.db" deployments fraud-detector --env dev --json >"$T/out" || fail "deployments dev"
was=$(jq_ "d['deployments'][0]['version']")
"$M" -r "$T/race.db" versions fraud-detector --json >"$T/out" || fail "versions"
# a version dev would take without a gate: not archived, not the live one
to=$(jq_ "[v['version'] for v in d['versions'] if v['current_stage'] == 'None' and v['version'] != '$was'][0]")
expect_exit 0 "without the gate, dev takes $to (checked on a copy)" -- \
	sh -c "cp '$T/race.db' '$T/race2.db' && '$M' -r '$T/race2.db' deploy fraud-detector '$to' --env dev"
python3 - "$T/race.db" "$T/locked" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO environment_gates (env_id, expr) SELECT id, 'drift != drift'"
          " FROM environments WHERE name = 'dev'")
open(sys.argv[2], "w").close()
time.sleep(2)
c.execute("COMMIT")
PY
holder=$!
for _ in $(seq 100); do [ -f "$T/locked" ] && break; sleep 0.05; done
[ -f "$T/locked" ] || fail "the other process never took the lock"
expect_exit 1 "a deploy that waited for the lock meets the gate added meanwhile" -- \
	"$M" -r "$T/race.db" deploy fraud-detector "$to" --env dev
expect_in "$T/err" "gate 'drift != drift' failed" "refused by the new gate"
wait "$holder"
"$M" -r "$T/race.db" deployments fraud-detector --env dev --json >"$T/out" || fail "deployments dev"
[ "$(jq_ "d['deployments'][0]['version']")" = "$was" ] && ok "dev still runs $was" ||
	fail "dev: $(cat "$T/out")"
finish
