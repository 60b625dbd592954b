#!/bin/bash
# tests/remote/identity.sh: who acts against an MLflow server (README
# "identity"): MLFLOW_TRACKING_USERNAME only when it goes with a password to a
# server seen to require credentials (a request without them gets 401);
# otherwise the login name of the uid, and the CLI and the TUI's header say
# the server does not authenticate. --as stays root's override.
. "$MLC_SRCDIR/tests/lib.sh"
fixture_start --runs 4
fixture_client 1
me=$(id -un)

# last_actor: the actor of the newest entry of the local journal.
last_actor() {
	"$M" audit --limit 1 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["audit"][0]["actor"])'
}

# ---- a server that answers without credentials ----------------------------------
export MLFLOW_TRACKING_USERNAME=mallory MLFLOW_TRACKING_PASSWORD=mallory-pw
expect_exit 0 "env set with a user name the server never checks" -- "$M" env set qa --order 1
check "the journal names the login name, not mallory" "$(last_actor)" "$me"
expect_in "$T/err" "unauthenticated server" "the CLI says the server does not authenticate"
expect_in "$T/err" "acting as $me" "and who acts"
expect_exit 0 "--as still works for root" -- "$M" --as carol env set qa --order 2
check "--as names the actor" "$(last_actor)" carol
expect_not_in "$T/err" "unauthenticated" "--as asks nothing of the server"
expect_exit 0 "--json" -- "$M" env set qa --order 3 --json
cp "$T/out" "$T/set.json"
expect_exit 0 "stdout is one JSON document" -- python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/set.json"

# ---- a server that requires credentials ------------------------------------------
ctl auth '{"basic": "mallory:mallory-pw"}' >/dev/null
expect_exit 0 "env set as the user the server authenticates" -- "$M" env set qa --order 4
check "the journal names mallory" "$(last_actor)" mallory
expect_not_in "$T/err" "unauthenticated" "nothing to say about the server"
MLFLOW_TRACKING_PASSWORD= expect_exit 1 "a user name without a password is refused by the server" -- "$M" env set qa --order 5
expect_in "$T/err" "HTTP 401" "says 401"
ctl auth '{"token": "tok-1"}' >/dev/null
MLFLOW_TRACKING_PASSWORD= MLFLOW_TRACKING_TOKEN=tok-1 expect_exit 0 "a token (no user name sent)" -- "$M" env set qa --order 6
check "the journal names the login name, not the unsent user name" \
	"$(MLFLOW_TRACKING_PASSWORD= MLFLOW_TRACKING_TOKEN=tok-1 last_actor)" "$me"
ctl auth >/dev/null

# ---- the console's header --------------------------------------------------------
if [ -z "${TMUX_MISSING:-}" ]; then
	tui_start 80 24 -r "http://$HP"
	wait_for "(server: no auth)" 15
	screen | head -n 1 | grep -q " $me (server: no auth)" && ok "the header names $me" ||
		fail "the header: $(screen | head -n 1)"
	# a deployment from the console is the login name's too
	keys :
	literal "deployments fraud-detector"
	keys Enter
	wait_re "^. fraud-detector +qa +-( |$)" 15
	keys g d
	wait_for "deploy which version of fraud-detector to qa (" 15
	literal "2"
	keys Enter
	wait_for "Version:      none -> 2" 15
	wait_for "Type fraud-detector to confirm" 15
	literal "fraud-detector"
	keys Tab Enter
	wait_for "deployed fraud-detector 2 to qa" 15
	keys q
	expect_quit "quits"
	check "the console's deployment is $me's" "$(last_actor)" "$me"
	ctl auth '{"basic": "mallory:mallory-pw"}' >/dev/null
	tui_start 80 24 -r "http://$HP"
	wait_for " mallory " 15
	screen_settle
	screen | head -n 1 | grep -q "unauthenticated" && fail "the header still says unauthenticated" ||
		ok "an authenticating server: no warning"
	keys q
	expect_quit "quits"
	ctl auth >/dev/null
fi
finish
