#!/bin/bash
# tests/cli/errors.sh: bad input gets one clear message naming what and where,
# and the documented exit status; nothing is written to files that are not ours.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
db=$(demo_db)

expect_exit 1 "missing registry" -- "$M" -r "$T/nope.db" models
expect_in "$T/err" "$T/nope.db: no such registry" "the message names the missing file"
[ ! -e "$T/nope.db" ] && ok "a read does not create the file" || fail "read created $T/nope.db"

head -c 8192 /dev/urandom >"$T/garbage.db"
expect_exit 1 "corrupt registry" -- "$M" -r "$T/garbage.db" models
expect_in "$T/err" "garbage.db: not a SQLite database" "the message names the corrupt file"

expect_exit 1 "unknown model" -- "$M" -r "$db" versions no-such-model
expect_in "$T/err" "model 'no-such-model': not found" "the message names the model"
expect_exit 1 "unknown experiment" -- "$M" -r "$db" runs no-such-exp
expect_in "$T/err" "experiment 'no-such-exp'" "the message names the experiment"

expect_exit 2 "bad filter syntax" -- "$M" -r "$db" models --filter "name = 'a' or name = 'b'"
expect_in "$T/err" "column 12" "the message names the column"
expect_exit 2 "bad run filter" -- "$M" -r "$db" runs 1 --filter "metrics.acc > 'x'"
expect_in "$T/err" "column 15" "the run filter error names the column"
expect_exit 2 "bad filter against a server, before any request" -- "$M" -r http://127.0.0.1:9 runs 1 --filter "metrics.acc > 'x'"
expect_in "$T/err" "column 15" "the same message as locally"
expect_exit 2 "bad order-by" -- "$M" -r "$db" runs 1 --order-by "metrics.acc SIDEWAYS"
expect_in "$T/err" "column" "the order-by error names the column"
conds=$(for _ in $(seq 2000); do printf "name = 'a' AND "; done)
conds=${conds% AND }
expect_exit 2 "2,000 conditions (SQLite nests 1,000 at most)" -- "$M" -r "$db" models --filter "$conds"
expect_in "$T/err" "more than 256 conditions joined by AND (the limit)" "the message names the limit"
expect_exit 2 "2,000 conditions against a server, before any request" -- "$M" -r http://127.0.0.1:9 models --filter "$conds"
big=$(head -c 70000 /dev/zero | tr '\0' a)
expect_exit 2 "a 70 KB filter" -- "$M" -r "$db" runs 1 --filter "run_name = '$big'"
expect_in "$T/err" "longer than the limit of 65536 bytes" "the message names the length limit"

expect_exit 2 "unknown flag" -- "$M" --frobnicate models
expect_in "$T/err" "--frobnicate: unknown option" "names the flag"
expect_exit 2 "flag without value" -- "$M" models --filter
expect_in "$T/err" "--filter: needs a value" "names the flag missing its value"
expect_exit 2 "bad number" -- "$M" -r "$db" runs 1 --limit lots
expect_in "$T/err" "--limit lots" "names the bad number"
expect_exit 2 "unknown command" -- "$M" -r "$db" frobnicate
expect_in "$T/err" "frobnicate: unknown command" "names the command"
expect_exit 2 "unknown theme" -- "$M" -r "$db" --theme no-such-theme
expect_in "$T/err" "unknown theme 'no-such-theme'" "names the theme"
expect_exit 2 "unknown theme with a command" -- "$M" -r "$db" --theme no-such-theme models
expect_in "$T/err" "unknown theme 'no-such-theme'" "a command refuses it too"
expect_exit 0 "a known theme with a command" -- "$M" -r "$db" --theme mono models

expect_exit 2 "--json errors are JSON" -- "$M" -r "$db" --json models --filter "name =="
python3 -c "import json,sys; d=json.load(open('$T/err')); assert 'column' in d['error']['message']" \
	&& ok "stderr holds a JSON error" || fail "stderr is not JSON: $(cat "$T/err")"

if command -v python3 >/dev/null 2>&1; then
	python3 -c "import sqlite3; c=sqlite3.connect('$T/foreign.db'); c.execute('create table notes(t)'); c.execute(\"insert into notes values ('mine')\"); c.commit()"
	before=$(sha256sum <"$T/foreign.db")
	expect_exit 1 "foreign SQLite file" -- "$M" -r "$T/foreign.db" models
	expect_in "$T/err" "not an mlconsole registry" "the refusal says what the file is"
	expect_exit 1 "foreign SQLite file, write command" -- "$M" demo create "$T/foreign.db"
	expect_exit 1 "--force does not replace a file that is not ours" -- "$M" demo create "$T/foreign.db" --force
	expect_in "$T/err" "not an mlconsole registry" "says why"
	[ "$(sha256sum <"$T/foreign.db")" = "$before" ] && ok "the foreign file is unchanged" || fail "foreign file changed"

	# Hostile strings never reach the terminal raw.
	python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("insert into registered_models(name, description, creation_time, last_updated_time) values (?,?,1,1)",
          ("evil\x1b]0;pwned\x07\u202emodel", "desc\x1b[2J"))
c.commit()
PY
	expect_exit 0 "hostile model name" -- "$M" -r "$db" models
	if grep -q "$(printf '\033')" "$T/out"; then fail "an ESC reached stdout"; else ok "no ESC in the output"; fi
	expect_in "$T/out" 'evil\x1b]0;pwned\x07\u202emodel' "the name is shown escaped"
else
	echo "SKIP part: python3 missing, foreign-file and hostile-string checks not run"
fi

# Numbers past their range are usage errors naming the value, never clamped
# (9223372036854775808 used to become request 9223372036854775807).
big=9223372036854775808
for cmd in approve reject cancel; do
	expect_exit 2 "$cmd $big" -- "$M" -r "$db" --as root "$cmd" "$big"
	expect_in "$T/err" "$cmd $big: a request id is a whole number from 1 to 9223372036854775807" "$cmd names the value"
done
expect_exit 2 "approve 0" -- "$M" -r "$db" approve 0
expect_in "$T/err" "approve 0: a request id" "names 0"
expect_exit 2 "approve 1x" -- "$M" -r "$db" approve 1x
expect_exit 2 "deploy a version past the range" -- "$M" -r "$db" deploy fraud-detector "$big" --env staging
expect_in "$T/err" "version '$big': not a version number" "names the version"
expect_exit 2 "request a version past the range" -- "$M" -r "$db" request fraud-detector "$big" --env staging
expect_in "$T/err" "version '$big'" "names it"
expect_exit 2 "roll back to a version past the range" -- "$M" -r "$db" rollback fraud-detector --env staging --to "$big"
expect_in "$T/err" "version '$big'" "names it"
for opt in limit order required-approvals; do
	case $opt in limit) c=(audit) ;; *) c=(env set staging) ;; esac
	expect_exit 2 "--$opt $big" -- "$M" -r "$db" "${c[@]}" --$opt "$big"
	expect_in "$T/err" "--$opt $big: expected a whole number" "--$opt names the value"
done
expect_exit 2 "--limit -1" -- "$M" -r "$db" audit --limit -1

if [ "$(id -u)" -ne 0 ]; then
	expect_exit 1 "--as when not root" -- "$M" -r "$db" --as bob models
	expect_in "$T/err" "--as" "the refusal names --as"
else
	expect_exit 0 "--as as root" -- "$M" -r "$db" --as bob models
fi
finish
