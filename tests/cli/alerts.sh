#!/bin/bash
# tests/cli/alerts.sh: drift alerts on the local registry, end to end (issue
# 16). Drift windows recorded with `drift record` until a rule fires;
# `alerts check` exits 3 and fires once, then 0 inside the cooldown; the
# operator's [hook alert] runs with the features in its environment, and only
# for the models its config lists; the rollback request the alert opened is
# the policy's (no self-approval; approving it rolls back); only an
# environment's approvers may change its rules.
. "$MLC_SRCDIR/tests/lib.sh"
need_root "act as alice, bob and carol with --as"
need_python3 "read the JSON"
db=$(demo_db)
R=(-r "$db")

# Samples: the same values (no drift) and values far away (drift).
seq 0 199 >"$T/ref"
seq 0 199 >"$T/same"
seq 1000 1199 >"$T/far"
# record MODEL FEATURE CURRENT DAY: one window of FEATURE at 2027-01-DAY.
record() {
	"$M" "${R[@]}" drift record "$1" --feature "$2" --reference "$T/ref" --current "$3" \
		--at "2027-01-${4}T00:00:00Z" >/dev/null 2>"$T/err" || fail "drift record $*: $(cat "$T/err")"
}

hook_alert_config fraud-detector

# ---- who may change rules -------------------------------------------------------
expect_exit 1 "dave is no approver of production: he may not set its rules" -- \
	"$M" "${R[@]}" --as dave alerts rule set fraud-detector probe --env production --feature probe_x
expect_in "$T/err" "only its approvers (alice, bob, carol)" "the refusal names who may"
expect_exit 2 "a share above 1 is a usage error" -- \
	"$M" "${R[@]}" --as bob alerts rule set fraud-detector probe --env production --share 1.5
expect_exit 2 "a feature name outside A-Z a-z 0-9 _ . - is a usage error" -- \
	"$M" "${R[@]}" --as bob alerts rule set fraud-detector probe --env production --feature 'a;b'
expect_exit 2 "feature and share together are a usage error" -- \
	"$M" "${R[@]}" --as bob alerts rule set fraud-detector probe --env production --feature a --share 0.5
expect_exit 1 "a rule in an environment that does not exist is refused" -- \
	"$M" "${R[@]}" --as bob alerts rule set fraud-detector probe --env nowhere --feature probe_x
expect_exit 0 "bob, an approver, sets a rule" -- \
	"$M" "${R[@]}" --as bob alerts rule set fraud-detector probe --env production \
	--feature probe_x --windows 2 --cooldown 6h --actions rollback,hook
expect_in "$T/out" "fires when feature probe_x drifts in 2 windows" "says when it fires"
expect_exit 0 "dev has no approvers: anyone sets its rules" -- \
	"$M" "${R[@]}" --as dave alerts rule set churn-predictor probe --env dev --feature probe_y --actions hook
expect_exit 0 "rule list --json" -- "$M" "${R[@]}" alerts rule list --json
python3 - "$T/out" <<'PY' && ok "the rules are stored as set" || fail "rules: $(cat "$T/out")"
import json, sys
r = {(x["model"], x["name"]): x for x in json.load(open(sys.argv[1]))["rules"]}
p = r[("fraud-detector", "probe")]
assert p["environment"] == "production" and p["feature"] == "probe_x" and p["share"] is None, p
assert p["windows"] == 2 and p["cooldown"] == 6 * 3600 and p["actions"] == "notify,rollback,hook", p
assert r[("churn-predictor", "probe")]["actions"] == "notify,hook"
PY
expect_exit 0 "audit" -- "$M" "${R[@]}" audit --limit 2 --json
python3 - "$T/out" <<'PY' && ok "rule changes are audited with their actor" || fail "audit: $(head -c 600 "$T/out")"
import json, sys
a = json.load(open(sys.argv[1]))["audit"]
assert (a[0]["actor"], a[0]["action"], a[0]["subject"]) == ("dave", "alert rule set", "dev"), a[0]
assert a[0]["detail"].startswith("rule probe of churn-predictor: feature probe_y drifts in 1 window"), a[0]
assert (a[1]["actor"], a[1]["action"], a[1]["subject"]) == ("bob", "alert rule set", "production"), a[1]
PY

# ---- windows until the rule fires -------------------------------------------------
record fraud-detector probe_x "$T/far" 01
record churn-predictor probe_y "$T/same" 01
expect_exit 0 "one drifting window of two: nothing fires" -- "$M" "${R[@]}" --as carol alerts check
expect_in "$T/out" "no alert fired (3 rules checked)" "says nothing fired (the demo's own rule, checked before, neither)"
record fraud-detector probe_x "$T/same" 02
expect_exit 0 "a window without drift breaks the run" -- "$M" "${R[@]}" --as carol alerts check
record fraud-detector probe_x "$T/far" 03
expect_exit 0 "one drifting window again: nothing fires" -- "$M" "${R[@]}" --as carol alerts check
[ -e "$T/hookenv" ] && fail "the hook ran before anything fired" || ok "no hook yet"
expect_exit 0 "production before" -- "$M" "${R[@]}" deployments fraud-detector --env production --json
live=$(jq_ "d['deployments'][0]['version']")
record fraud-detector probe_x "$T/far" 04
expect_exit 3 "the second drifting window in a row fires: exit 3" -- "$M" "${R[@]}" --as carol alerts check --json
python3 - "$T/out" <<'PY' && ok "one firing, with its feature, score and request" || fail "check: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["fired"]) == 1, d
f = d["fired"][0]
assert (f["model"], f["environment"], f["rule"], f["features"]) == ("fraud-detector", "production", "probe", "probe_x"), f
assert f["window_end"] == 1799020800000 and float(f["scores"]) >= 0 and f["request"] > 0 and f["open"], f
assert "alert hook: ok" in f["outcome"], f
PY
req=$(jq_ "d['fired'][0]['request']")
if [ -f "$T/hookenv" ]; then
	expect_in "$T/hookenv" "MLC_ALERT_FEATURES=probe_x" "the hook gets the features in its environment"
	expect_in "$T/hookenv" "MLC_ALERT_RULE=probe" "and the rule"
	expect_in "$T/hookenv" "MLC_ALERT_REQUEST=$req" "and the request it opened"
	expect_in "$T/hookenv" "MLC_ACTION=alert" "as an alert"
	expect_in "$T/hookenv" "MLC_MODEL=fraud-detector" "for the model"
	expect_in "$T/hookenv" "MLC_VERSION=$live" "with the live version"
else
	fail "the alert hook did not run"
fi
rm -f "$T/hookenv"

expect_exit 0 "checked again with no new window: nothing fires" -- "$M" "${R[@]}" --as carol alerts check
record fraud-detector probe_x "$T/far" 05
expect_exit 0 "a third drifting window, inside the 6 h cooldown: exit 0" -- "$M" "${R[@]}" --as carol alerts check
expect_in "$T/out" "inside the cooldown" "says the rule is cooling down"
[ -e "$T/hookenv" ] && fail "the hook ran inside the cooldown" || ok "no hook inside the cooldown"

# ---- a hook the config does not allow for the model ---------------------------------
record churn-predictor probe_y "$T/far" 02
expect_exit 3 "churn-predictor's rule fires" -- "$M" "${R[@]}" --as carol alerts check
expect_in "$T/out" "hook not run: churn-predictor is not in [hook alert] models" "says the hook was not run"
[ -e "$T/hookenv" ] && fail "a hook ran for a model the config does not list" || ok "no hook for an unlisted model"

expect_exit 0 "alerts list --json" -- "$M" "${R[@]}" alerts list --json
python3 - "$T/out" <<'PY' && ok "alerts list: the two firings, open, each once, after the demo's" || fail "list: $(cat "$T/out")"
import json, sys
a = json.load(open(sys.argv[1]))["alerts"]
assert [(x["model"], x["rule"], x["open"]) for x in a] == [("churn-predictor", "probe", True), ("fraud-detector", "probe", True), ("fraud-detector", "amount-drift", True)], a
PY
expect_exit 0 "audit" -- "$M" "${R[@]}" audit --json
python3 - "$T/out" "$req" "$live" <<'PY' && ok "the firing is audited with its features and scores, about the live version" || fail "audit: $(head -c 800 "$T/out")"
import json, sys
a = [e for e in json.load(open(sys.argv[1]))["audit"] if e["action"] == "alert fired" and "rule probe:" in e["detail"]]
assert len(a) == 2, a
f = [e for e in a if e["subject"] == f"fraud-detector:{sys.argv[3]}@production"][0]
assert f["actor"] == "carol" and "features probe_x, scores " in f["detail"] and f"request {sys.argv[2]}" in f["detail"], f
PY

# ---- the request the alert opened is the policy's ------------------------------------
expect_exit 0 "production is unchanged: an alert never deploys" -- "$M" "${R[@]}" deployments fraud-detector --env production --json
[ "$(jq_ "d['deployments'][0]['version']")" = "$live" ] && ok "still $live" || fail "live: $(cat "$T/out")"
expect_exit 1 "carol ran the check: she may not approve her own request" -- "$M" "${R[@]}" --as carol approve "$req"
expect_in "$T/err" "does not allow self-approval" "says why"
expect_exit 0 "alice approves" -- "$M" "${R[@]}" --as alice approve "$req"
expect_in "$T/out" "1 of 2 approvals" "one of two"
expect_exit 0 "bob approves: the rollback happens" -- "$M" "${R[@]}" --as bob approve "$req" --json
[ "$(jq_ "d['request']['state']")" = approved ] && ok "approved" || fail "state: $(cat "$T/out")"
expect_exit 0 "production after" -- "$M" "${R[@]}" deployments fraud-detector --env production --json
[ "$(jq_ "d['history'][0]['action']")" = rollback ] && [ "$(jq_ "d['deployments'][0]['version']")" != "$live" ] &&
	ok "rolled back from $live" || fail "after: $(head -c 400 "$T/out")"

# ---- staging: rollbacks need no approval there, yet an alert only asks -------------
# The demo's own alert (a rule on amount in staging) opened a rollback request.
expect_exit 0 "approvals --json" -- "$M" "${R[@]}" approvals --json
sreq=$(jq_ "[q['id'] for q in d['requests'] if q['environment']=='staging' and q['kind']=='rollback'][0]")
[ "$(jq_ "[q['requested_by'] for q in d['requests'] if q['id']==$sreq][0]")" = carol ] &&
	ok "the demo's alert request $sreq is pending, by carol" || fail "approvals: $(cat "$T/out")"
expect_exit 0 "staging before" -- "$M" "${R[@]}" deployments fraud-detector --env staging --json
st=$(jq_ "d['deployments'][0]['version']")
expect_exit 0 "another rollback rule in staging" -- \
	"$M" "${R[@]}" --as dave alerts rule set fraud-detector st --env staging --feature probe_x --actions rollback
expect_exit 3 "it fires on the windows already recorded" -- "$M" "${R[@]}" --as dave alerts check fraud-detector
expect_in "$T/out" "no rollback request: already pending as request $sreq" "a second request for the same rollback is not opened"
expect_exit 0 "staging after the check" -- "$M" "${R[@]}" deployments fraud-detector --env staging --json
[ "$(jq_ "d['deployments'][0]['version']")" = "$st" ] && ok "still only a request: $st is live" || fail "staging: $(cat "$T/out")"
expect_exit 1 "carol may not approve the request her check opened" -- "$M" "${R[@]}" --as carol approve "$sreq"
expect_exit 0 "dave approves it: staging rolls back" -- "$M" "${R[@]}" --as dave approve "$sreq"
expect_exit 0 "staging after the approval" -- "$M" "${R[@]}" deployments fraud-detector --env staging --json
[ "$(jq_ "d['history'][0]['action']")" = rollback ] && [ "$(jq_ "d['deployments'][0]['version']")" != "$st" ] &&
	ok "rolled back from $st" || fail "staging: $(head -c 400 "$T/out")"

# ---- a hook that fails: an error wins over exit 3 --------------------------------
cat >"$XDG_CONFIG_HOME/mlconsole/config" <<EOF
[hook alert]
command = echo paging failed; exit 4
models = fraud-detector
EOF
expect_exit 0 "a hook rule in dev" -- "$M" "${R[@]}" --as dave alerts rule set fraud-detector hk --env dev --feature probe_x --actions hook
expect_exit 1 "its hook fails: exit 1, not 3" -- "$M" "${R[@]}" --as dave alerts check fraud-detector
expect_in "$T/out" "alert hook: FAILED — command exited 4: paging failed" "the firing says how the hook failed"
expect_in "$T/err" "an alert's hook failed" "and the error says so"
expect_exit 0 "checked again: recorded once, nothing new" -- "$M" "${R[@]}" --as dave alerts check fraud-detector

# ---- removing ----------------------------------------------------------------------
expect_exit 1 "dave may not remove production's rule" -- "$M" "${R[@]}" --as dave alerts rule rm fraud-detector probe --env production
expect_exit 0 "alice removes it" -- "$M" "${R[@]}" --as alice alerts rule rm fraud-detector probe --env production
expect_exit 1 "removing it again: not found" -- "$M" "${R[@]}" --as alice alerts rule rm fraud-detector probe --env production
expect_exit 2 "alerts rule with an unknown verb" -- "$M" "${R[@]}" alerts rule frob
expect_exit 1 "alerts check --read-only refuses" -- "$M" "${R[@]}" --read-only alerts check

finish
