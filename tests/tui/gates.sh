#!/bin/bash
# tests/tui/gates.sh: an environment's gate in the console (issue 16): the
# approvals view shows which gate a request fails (its row, and Enter's
# detail with why), and the approval that would deploy it is refused in the
# status line, naming the gate, before any comment or confirmation is asked.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
[ "$(id -u)" -eq 0 ] || skip "needs root to act as bob and carol with --as"
command -v python3 >/dev/null || skip "python3 is needed to read the JSON"
db=$(demo_db)
model=fraud-detector
# The demo's fraud-detector drifts; its request for production waits (2 approvals).
"$M" -r "$db" env set production --gate "drift = ok" >/dev/null || fail "env set --gate"
id=$("$M" -r "$db" approvals --json | python3 -c "import json,sys; print([q['id'] for q in json.load(sys.stdin)['requests'] if q['model']=='$model' and q['environment']=='production'][0])")
"$M" -r "$db" --as bob approve "$id" >/dev/null || fail "bob's first vote"

tui_start 160 32 -r "$db" --as carol
wait_for "Models (8)"
keys :
literal "approvals"
keys Enter
wait_for "Approvals (pending"
wait_for " GATE "
wait_re "^ *$id +$model +production .* drift = ok " && ok "the row names the failing gate"
keys /
literal "$model"
keys Enter
# (the demo's fired alert has a rollback request of the model too: its
# production request, the oldest, is under the cursor)
wait_re "^▸ +$id +$model +production "
keys Enter
wait_for "Gate:"
wait_for "'drift = ok' failed: the model's drift status is"
ok "the request's detail says why"
keys Escape
wait_gone "Gate:"
keys a
wait_for "refused: gate 'drift = ok' failed"
screen | grep -qF "approve, comment" && fail "carol was asked for a comment before the refusal" ||
	ok "refused before any comment or confirmation"
keys q
expect_quit "carol quits"
live=$("$M" -r "$db" deployments "$model" --env production --json | python3 -c "import json,sys; print(json.load(sys.stdin)['deployments'][0]['version'])")
[ "$live" = 11 ] && ok "nothing was deployed" || fail "production: $live"
finish
