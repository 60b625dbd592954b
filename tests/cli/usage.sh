#!/bin/bash
# tests/cli/usage.sh: the command table — every subcommand answers --help with
# its own usage, options a command does not take and wrong arguments are usage
# errors naming them, and --columns, compare and --theme refuse what cannot be.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
db="$T/small.db"
"$M" demo create "$db" --models 2 --runs 40 --seed 3 >/dev/null || { echo "demo create failed" >&2; exit 1; }

# ---- --help: the global one lists every command; each command has its own ----
commands=(models versions experiments runs compare history "drift compute" "drift record"
	"drift show" import "demo create" deploy rollback request approve reject cancel deployments
	approvals audit "audit verify" "hook retry" "alerts check" "alerts list" "alerts rule" "env list"
	"env set")
expect_exit 0 "global --help" -- "$M" --help
for c in "${commands[@]}"; do
	grep -q "^  $c\b" "$T/out" || fail "--help does not list '$c'"
done
ok "--help lists all ${#commands[@]} commands"
for c in "${commands[@]}"; do
	# shellcheck disable=SC2086 # two-word commands split on purpose
	"$M" $c --help >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne 0 ] || [ "$(head -1 "$T/out" | cut -d' ' -f1-$(($(echo "$c" | wc -w) + 2)))" != "Usage: mlconsole $c" ] ||
		grep -q "^Commands" "$T/out" || [ -s "$T/err" ]; then
		fail "'$c --help': exit $rc, its own usage not first: $(head -2 "$T/out") $(head -c 200 "$T/err")"
	fi
done
ok "every command's --help prints its own usage on stdout, exit 0"
expect_exit 0 "--help before the command" -- "$M" --help versions
expect_in "$T/out" "Usage: mlconsole versions MODEL" "still the command's own"
expect_exit 0 "a group's --help" -- "$M" drift --help
for s in compute record show; do expect_in "$T/out" "mlconsole drift $s" "drift --help shows drift $s"; done
expect_exit 2 "an unknown command's --help" -- "$M" frobnicate --help
expect_in "$T/err" "frobnicate: unknown command" "names it"
expect_exit 0 "runs --help" -- "$M" runs --help
expect_in "$T/out" "deleted runs too" "runs --help explains --all"
grep -q "deleted runs too" "$MLC_SRCDIR/mlconsole.1" && ok "the man page explains runs --all" ||
	fail "mlconsole.1 does not explain runs --all"

# ---- options a command does not take -------------------------------------------
expect_exit 2 "models --seed 7 --categorical" -- "$M" -r "$db" models --seed 7 --categorical
[ "$(wc -l <"$T/err")" -eq 1 ] && ok "one line" || fail "not one line: $(cat "$T/err")"
expect_in "$T/err" "models: takes no --seed" "names the option and the command"
[ -s "$T/out" ] && fail "models printed its table anyway" || ok "nothing on stdout"
expect_exit 2 "an option given before the command is checked too" -- "$M" -r "$db" --force models
expect_in "$T/err" "models: takes no --force" "names it"
expect_exit 2 "drift compute takes no --feature" -- "$M" drift compute --reference /dev/null --current /dev/null --feature f
expect_in "$T/err" "drift compute: takes no --feature" "names both words of the command"
expect_exit 2 "env list takes no --order" -- "$M" -r "$db" env list --order 3
# (timeout: a console that took it would wait for keys; stdin is not a terminal)
expect_exit 2 "the console takes no command option" -- timeout 30 "$M" -r "$db" --filter "name = 'x'"
expect_in "$T/err" "--filter" "names it"
expect_exit 0 "an option the command takes" -- "$M" -r "$db" models --filter "name LIKE '%'"
expect_exit 0 "global options after the command" -- "$M" models -r "$db" --json --wide --read-only
expect_exit 2 "an argument too many" -- "$M" -r "$db" models extra
expect_in "$T/err" "mlconsole models [--filter EXPR]" "shows the usage"
expect_exit 2 "a subcommand missing" -- "$M" -r "$db" env
expect_in "$T/err" "env: expected list or set" "lists the subcommands"

# ---- runs --columns: a key no run has is an error ----------------------------------
exp=$("$M" -r "$db" experiments --json | python3 -c "import json,sys; print(json.load(sys.stdin)['experiments'][0]['name'])")
read -r mkey pkey tkey < <("$M" -r "$db" runs "$exp" --json --limit 1 | python3 -c "
import json,sys; r=json.load(sys.stdin)['runs'][0]
print(sorted(r['metrics'])[0], sorted(r['params'])[0], sorted(k for k in r['tags'] if not k.startswith('mlflow.'))[0] if any(not k.startswith('mlflow.') for k in r['tags']) else sorted(r['tags'])[0])")
expect_exit 2 "--columns nosuch" -- "$M" -r "$db" runs "$exp" --columns "$mkey,nosuch"
expect_in "$T/err" "--columns nosuch" "names the unknown key"
[ -s "$T/out" ] && fail "runs printed a table anyway" || ok "no table"
expect_exit 2 "--columns metrics.PARAM (a param is not a metric)" -- "$M" -r "$db" runs "$exp" --columns "metrics.$pkey"
expect_exit 0 "--columns with known keys" -- "$M" -r "$db" runs "$exp" --columns "$mkey,params.$pkey,tags.$tkey,$tkey" --limit 3
head -1 "$T/out" | grep -q "tags.$tkey" && ok "the columns are shown" || fail "header: $(head -1 "$T/out")"
python3 - "$T/out" <<'PY' && ok "a bare tag key shows the tag" || fail "bare tag column: $(head -3 "$T/out")"
import sys
rows = [l.split() for l in open(sys.argv[1])][1:]
assert rows and all(r[-1] == r[-2] and r[-1] != "-" for r in rows), rows
PY

# ---- compare X X -------------------------------------------------------------
run=$("$M" -r "$db" runs "$exp" --json --limit 1 | python3 -c "import json,sys; print(json.load(sys.stdin)['runs'][0]['run_id'])")
expect_exit 2 "compare X X" -- "$M" -r "$db" compare "$run" "$run"
expect_in "$T/err" "the same run" "says why"
expect_exit 2 "compare by two prefixes of one run" -- "$M" -r "$db" compare "${run:0:8}" "${run:0:10}"
expect_in "$T/err" "${run:0:8} and ${run:0:10} are the same run" "names both arguments"

# ---- --theme -----------------------------------------------------------------
expect_exit 2 "an unknown --theme with --json" -- "$M" -r "$db" --json --theme no-such-theme experiments
expect_in "$T/err" "unknown theme 'no-such-theme'" "names the theme"
expect_exit 2 "an unknown --theme with a command that opens no registry" -- "$M" --theme no-such-theme drift compute --reference /dev/null --current /dev/null
expect_in "$T/err" "unknown theme 'no-such-theme'" "names the theme"
# A command draws nothing: it looks the theme up, never reads it.
mkdir -p "$XDG_CONFIG_HOME/mlconsole/themes/unreadable.theme"
expect_exit 0 "a command with a theme that exists but cannot be read" -- "$M" -r "$db" --theme unreadable models

# An option given twice with two values is a usage error, not "the last one
# wins": deploy --env staging --env dev would have deployed to dev.
expect_exit 2 "--env given twice" -- "$M" -r "$db" deploy m1 1 --env staging --env dev
expect_in "$T/err" "mlconsole: --env given twice ('staging', then 'dev'): give it once" "names both values"
expect_exit 2 "-r given twice" -- "$M" -r "$db" -r "$T/other.db" models
expect_in "$T/err" "--registry given twice" "the registry too"
[ ! -e "$T/other.db" ] && ok "the second registry was not made" || fail "$T/other.db made"
expect_exit 2 "--as given twice" -- "$M" -r "$db" --as alice --as bob models
expect_exit 0 "the same value twice says nothing new" -- "$M" -r "$db" -r "$db" models --filter "name = 'x'" --filter "name = 'x'"
expect_exit 0 "a flag given twice is fine" -- "$M" -r "$db" models --json --json
finish
