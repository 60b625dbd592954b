#!/bin/bash
# tests/remote/alerts.sh: drift alerts on an MLflow-speaking server
# (tests/remote/fixture.py), kept in MLflow's primitives: a rule is the model
# tag mlconsole.alert.ENV.NAME, the firings the model tag mlconsole.alerts.
# Drift windows recorded until the rule fires; `alerts check` exits 3 once,
# then 0 inside the cooldown; the operator's [hook alert] runs with the
# features in its environment; the rollback request it opened is the policy's
# (no self-approval; the approval rolls back); only approvers change rules.
. "$MLC_SRCDIR/tests/lib.sh"
need_root "act as alice, bob, carol and dave with --as"
fixture_start --runs 10
fixture_client 1

seq 0 199 >"$T/ref"
seq 1000 1199 >"$T/far"
# record DAY: a drifting window of fraud-detector's probe_x at 2027-01-DAY.
record() {
	"$M" drift record fraud-detector --feature probe_x --reference "$T/ref" --current "$T/far" \
		--at "2027-01-${1}T00:00:00Z" >/dev/null 2>"$T/err" || fail "drift record $1: $(cat "$T/err")"
}
hook_alert_config fraud-detector

# production: 2 then 3 live, then approvals by bob or carol
expect_exit 0 "env set production" -- "$M" --as alice env set production --order 1
expect_exit 0 "deploy 2" -- "$M" --as alice deploy fraud-detector 2 --env production
expect_exit 0 "deploy 3" -- "$M" --as alice deploy fraud-detector 3 --env production
expect_exit 0 "approvers bob and carol" -- "$M" --as alice env set production --required-approvals 1 --approvers bob,carol --self-approval no

expect_exit 1 "dave is no approver: he may not set a rule" -- \
	"$M" --as dave alerts rule set fraud-detector probe --env production --feature probe_x
expect_exit 0 "bob sets a rule" -- "$M" --as bob alerts rule set fraud-detector probe --env production \
	--feature probe_x --windows 2 --cooldown 6h --actions rollback,hook
python3 - "$(model_tag fraud-detector mlconsole.alert.production.probe)" <<'PY' && ok "the rule is the model tag mlconsole.alert.production.probe" || fail "tag: $(model_tag fraud-detector mlconsole.alert.production.probe)"
import json, sys
t = json.loads(sys.argv[1])
assert t == {"actions": "notify,rollback,hook", "checked": 0, "cooldown": 21600, "feature": "probe_x", "windows": 2}, t
PY
expect_exit 0 "rule list --json" -- "$M" alerts rule list --json
[ "$(jq_ "[(x['model'], x['environment'], x['name'], x['windows']) for x in d['rules']]")" = "[('fraud-detector', 'production', 'probe', 2)]" ] &&
	ok "read back" || fail "rules: $(cat "$T/out")"

record 01
expect_exit 0 "one drifting window of two: nothing fires" -- "$M" --as carol alerts check
record 02
expect_exit 3 "two in a row: it fires, exit 3" -- "$M" --as carol alerts check --json
python3 - "$T/out" <<'PY' && ok "one firing, with its feature and request" || fail "check: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["fired"]) == 1, d
f = d["fired"][0]
assert (f["model"], f["environment"], f["rule"], f["features"]) == ("fraud-detector", "production", "probe", "probe_x"), f
assert f["request"] and "alert hook: ok" in f["outcome"], f
PY
req=$(jq_ "d['fired'][0]['request']")
expect_in "$T/hookenv" "MLC_ALERT_FEATURES=probe_x" "the hook gets the features in its environment"
expect_in "$T/hookenv" "MLC_VERSION=3" "and the live version"
rm -f "$T/hookenv"
python3 - "$(model_tag fraud-detector mlconsole.alerts)" <<'PY' && ok "the firing is the model tag mlconsole.alerts" || fail "tag: $(model_tag fraud-detector mlconsole.alerts)"
import json, sys
a = json.loads(sys.argv[1])
assert len(a) == 1 and a[0]["rule"] == "probe" and a[0]["e"] == "production" and a[0]["f"] == "probe_x", a
PY
[ "$(python3 -c "import json; print(json.loads('''$(model_tag fraud-detector mlconsole.alert.production.probe)''')['checked'])")" = 1798848000000 ] &&
	ok "the rule remembers the window it checked" || fail "checked: $(model_tag fraud-detector mlconsole.alert.production.probe)"

record 03
expect_exit 0 "a third drifting window inside the cooldown: exit 0" -- "$M" --as carol alerts check
expect_in "$T/out" "inside the cooldown" "says so"
[ -e "$T/hookenv" ] && fail "the hook ran inside the cooldown" || ok "no hook inside the cooldown"
expect_exit 0 "alerts list --json" -- "$M" alerts list --json
[ "$(jq_ "[(x['rule'], x['open'], x['request']) for x in d['alerts']]")" = "[('probe', True, $req)]" ] &&
	ok "one open alert" || fail "list: $(cat "$T/out")"

expect_exit 0 "production still 3: an alert never deploys" -- "$M" deployments fraud-detector --env production --json
[ "$(jq_ "d['deployments'][0]['version']")" = 3 ] && ok "3 is live" || fail "live: $(cat "$T/out")"
expect_exit 1 "carol ran the check: she may not approve its request" -- "$M" --as carol approve "$req"
expect_exit 0 "bob approves: the rollback happens" -- "$M" --as bob approve "$req"
expect_exit 0 "production after" -- "$M" deployments fraud-detector --env production --json
[ "$(jq_ "d['deployments'][0]['version']")" = 2 ] && ok "rolled back to 2" || fail "live: $(cat "$T/out")"

expect_exit 1 "dave may not remove the rule" -- "$M" --as dave alerts rule rm fraud-detector probe --env production
expect_exit 0 "carol removes it" -- "$M" --as carol alerts rule rm fraud-detector probe --env production
[ "$(model_tag fraud-detector mlconsole.alert.production.probe)" = none ] && ok "the tag is gone" || fail "tag still there"
finish
