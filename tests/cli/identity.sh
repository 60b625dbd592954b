#!/bin/bash
# tests/cli/identity.sh: who acts on a local registry (README "The acting user"):
# the login name of the uid, never $USER; a uid without a passwd entry acts
# as uid:N. Runs the real binary under such a uid (needs root to switch).
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
[ "$(id -u)" -eq 0 ] || skip "needs root to run the console as a uid without a passwd entry"
command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) switches the uid"
N=54321
while getent passwd "$N" >/dev/null; do N=$((N + 1)); done

# The uid must reach the binary and own the registry's directory.
chmod 755 "$T"
U="$T/u"
mkdir -p "$U/home"
cp "$(demo_db)" "$U/reg.db"
chown -R "$N:$N" "$U"

# check_actor WANT WHAT: the newest audit entry's actor is WANT.
check_actor() {
	got=$("$M" -r "$U/reg.db" audit --limit 1 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["audit"][0]["actor"])')
	if [ "$got" = "$1" ]; then ok "$2"; else fail "$2: the actor is '$got', wanted '$1'"; fi
}

# as_uid ARGS...: the console as uid N with USER=alice (and LOGNAME) set.
as_uid() {
	env HOME="$U/home" XDG_DATA_HOME="$U/home" XDG_CONFIG_HOME="$U/home" XDG_STATE_HOME="$U/home" \
		USER=alice LOGNAME=alice setpriv --reuid="$N" --regid="$N" --clear-groups "$M" "$@"
}

expect_exit 0 "the uid can read the registry" -- as_uid -r "$U/reg.db" env list
expect_exit 0 "env set as a uid without a passwd entry" -- as_uid -r "$U/reg.db" env set canary --order 9
check_actor "uid:$N" "the audit names uid:$N"

expect_exit 0 "a request as that uid" -- as_uid -r "$U/reg.db" request churn-predictor 1 --env canary --json
by=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["request"]["requested_by"])' <"$T/out" 2>&1)
if [ "$by" = "uid:$N" ]; then ok "the request is uid:$N's"; else fail "the request is '$by''s, wanted uid:$N"; fi
expect_not_in "$T/out" alice "\$USER is never the actor"

# Root is root whatever USER says; --as still works for root.
expect_exit 0 "root with USER=alice" -- env USER=alice "$M" -r "$U/reg.db" env set canary --order 8
check_actor root "root acts as root"
expect_exit 0 "root --as carol" -- "$M" -r "$U/reg.db" --as carol env set canary --order 7
check_actor carol "--as names the actor"
expect_exit 1 "--as is root's alone" -- as_uid -r "$U/reg.db" --as bob env set canary --order 6
finish
