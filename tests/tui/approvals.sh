#!/bin/bash
# tests/tui/approvals.sh: the approval story on the demo registry, played from
# the keyboard as three users (root acting with --as): alice asks for
# production, cannot approve her own request, bob approves (not enough yet),
# carol approves and the deployment happens, bob rolls back, and the audit
# shows every step with the right actor.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
[ "$(id -u)" -eq 0 ] || skip "needs root to act as alice, bob and carol with --as"
command -v python3 >/dev/null || skip "python3 is needed to read the JSON"
db=$(demo_db)
model=fraud-detector
# A clean start: withdraw the demo's pending requests for the model, each by
# its requester (alice's promotion; carol's rollback, which the demo's alert opened).
old=$("$M" -r "$db" approvals --json | python3 -c "import json,sys; print(' '.join(str(q['id']) + ':' + q['requested_by'] for q in json.load(sys.stdin)['requests'] if q['model']=='$model'))")
for q in $old; do "$M" -r "$db" --as "${q#*:}" cancel "${q%%:*}" >/dev/null; done
ver=$("$M" -r "$db" deployments "$model" --env staging --json | python3 -c "import json,sys; print(json.load(sys.stdin)['deployments'][0]['version'])")
prod=$("$M" -r "$db" deployments "$model" --env production --json | python3 -c "import json,sys; print(json.load(sys.stdin)['deployments'][0]['version'])")
[ "$ver" != "$prod" ] || skip "demo has the same version in staging and production"

# The operator's hook for production records what it was told.
mkdir -p "$XDG_CONFIG_HOME/mlconsole"
cat >"$XDG_CONFIG_HOME/mlconsole/config" <<EOC
[hook production]
command = env | grep '^MLC_' | sort > '$T/hook.out'; echo deployed
timeout = 10
EOC

# confirm_typed NAME: type NAME into the dialog, move to OK, press it.
confirm_typed() {
	wait_for "Type $1 to confirm"
	literal "$1"
	keys Tab Enter
}

# alice asks for production from the deployments view.
tui_start 120 32 -r "$db" --as alice
wait_for "Models (8)"
keys :
literal "deployments $model"
keys Enter
wait_for "Deployments of $model ("
keys /
literal "production"
keys Enter
wait_re "\(1 of [0-9]+\)  /production"
keys d
wait_for "deploy which version of $model to production ("
literal "$ver"
keys Enter
wait_for "Request a promotion"
wait_for "Version:      $prod -> $ver"
wait_for "[ Cancel ]"
confirm_typed "$model"
wait_for "request "
id=$("$M" -r "$db" approvals --json | python3 -c "import json,sys; print([q['id'] for q in json.load(sys.stdin)['requests'] if q['model']=='$model'][0])")
ok "request $id opened"

# alice cannot approve her own request. The queue shows the version's key
# metrics and the model's drift status (the demo's fraud-detector drifts).
keys :
literal "approvals"
keys Enter
wait_for "Approvals (pending"
wait_for "oldest first) ("
wait_for "METRICS"
wait_re "$model +production +$prod -> $ver +auc [0-9.]+ .*✖ drift"
keys /
literal "$model"
keys Enter
wait_for "(1 of"
keys a
wait_for "does not allow self-approval"
screen | grep -qF "approve, comment" && fail "alice was asked for a comment before the refusal" ||
	ok "refused before any comment or confirmation"
keys q
expect_quit "alice quits"

# vote USER COMMENT: approve the model's request as USER from the approvals view.
vote() {
	tui_start 120 32 -r "$db" --as "$1"
	wait_for "Models (8)"
	wait_for "pending"
	keys :
	literal "approvals"
	keys Enter
	wait_for "Approvals (pending"
	wait_for "oldest first) ("
	keys /
	literal "$model"
	keys Enter
	wait_for "(1 of"
	keys a
	wait_for "approve, comment (optional):"
	literal "$2"
	keys Enter
	wait_for "Approve the request"
	wait_for "Comment:      $2"
	confirm_typed "$model"
}
vote bob "metrics look fine"
wait_for "1 of 2 approvals"
keys q
vote carol "ship it"
wait_for "approved: $model $ver is live in production"
wait_for "hook for production: ok"
grep -q "^MLC_VERSION=$ver$" "$T/hook.out" && grep -q "^MLC_ACTOR=carol$" "$T/hook.out" && grep -q "^MLC_ACTION=deploy$" "$T/hook.out" \
	&& ok "the hook ran with the deployment in its environment" || fail "hook output: $(cat "$T/hook.out" 2>&1)"
keys :
literal "deployments $model"
keys Enter
wait_for "Deployments of $model ("
wait_re "^. *$model +production +$ver .* carol +ok"
keys q

# bob rolls back.
tui_start 120 32 -r "$db" --as bob
wait_for "Models (8)"
keys :
literal "deployments $model"
keys Enter
wait_for "Deployments of $model ("
keys /
literal "production"
keys Enter
wait_re "\(1 of [0-9]+\)  /production"
keys R
wait_for "Roll back"
wait_for "Version:      $ver -> $prod"
confirm_typed "$model"
wait_for "rolled $model in production back from $ver to $prod"

# The audit shows every step with its actor.
keys :
literal "audit"
keys Enter
wait_for "Audit log (newest first) ("
screen_settle
screen | sed -n '4,10p' >"$T/audit"
python3 - "$T/audit" "$id" <<'PY' && ok "audit: bob's rollback and its hook, carol's deploy and its hook, carol's and bob's approvals" || fail "audit rows: $(cat "$T/audit")"
import sys
rows = [l.replace("\u25b8", " ").replace(">", " ").split() for l in open(sys.argv[1])]
got = [(r[2], r[3]) for r in rows if len(r) > 3]
assert got[:6] == [("bob", "hook"), ("bob", "rollback"), ("carol", "hook"), ("carol", "deploy"),
                   ("carol", "approve"), ("bob", "approve")], got
PY
screen | grep -q "alice *request" && ok "alice's request is in the audit" || fail "no request row for alice"
keys q
expect_quit "q exits 0"

# A policy request (alice loosens production: self-approval on, dave added) is
# in the queue as kind policy with what it changes; the vote dialog shows the
# whole change, wrapped, not cut; bob's approval there counts.
"$M" -r "$db" --as alice env set production --self-approval yes --approvers alice,bob,carol,dave >"$T/pol.out" 2>&1
grep -q "it loosens it" "$T/pol.out" && ok "alice's loosening opened a request" || fail "env set: $(cat "$T/pol.out")"
tui_start 120 32 -r "$db" --as bob
wait_for "Models (8)"
keys :
literal "approvals"
keys Enter
wait_for "Approvals (pending"
keys /
literal "policy"
keys Enter
wait_for "(1 of"
wait_re "\(policy\) +production +approvers alice,b…"
keys Enter
wait_for "the policy of production: approvers alice,bob,carol -> "
keys Enter
keys a
wait_for "approve, comment (optional):"
keys Enter
wait_for "Policy of:    production"
wait_for "Change:       approvers alice,bob,carol -> alice,bob,carol,dave"
wait_for "(loosens: approver dave added), self-approval on"
confirm_typed production
wait_for "1 of 2 approvals"
keys q
pid=$("$M" -r "$db" approvals --json | python3 -c "import json,sys; print([q['id'] for q in json.load(sys.stdin)['requests'] if q['kind']=='policy'][0])")
expect_exit 0 "carol's approval is the second" -- "$M" -r "$db" --as carol approve "$pid"
expect_in "$T/out" "approved: the policy of production changed (approvers alice,bob,carol -> alice,bob,carol,dave (loosens: approver dave added), self-approval on (loosens))" "and applies it"
"$M" -r "$db" env list --json | python3 -c "import json,sys; assert [e for e in json.load(sys.stdin)['environments'] if e['name']=='production'][0]['self_approval']" \
	&& ok "the approved policy change is in force" || fail "self-approval is still off"

# --read-only refuses the change keys.
tui_start 120 32 -r "$db" --read-only --as bob
wait_for "READ-ONLY"
keys :
literal "approvals"
keys Enter
wait_for "Approvals (pending"
screen | tail -n 1 | grep -q "a approve" && fail "approve offered in read-only" || ok "no approve hint in read-only"
keys a
wait_for "read-only: changes are refused"
finish
