#!/bin/bash
# tests/tui/help.sh: ? shows every key and command from the action table and
# from the : commands each file declares (APP_COMMAND), in their order, and
# the README's list of : commands names each of them.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
tui_start 100 80 -r "$db"
wait_for "Models (8)"
keys ?
wait_for "Help"
wait_for "Move down"
wait_for "j ↓"
wait_for "Filter rows by text"
wait_for ":versions MODEL"
wait_for "^R"
# every : command, once, in the ? screen's order (the rank each declares)
want="models versions experiments runs compare diff deployments drift approvals audit pulse ctx filter refresh help quit q"
got=$(screen | sed -n 's/^[^:a-zA-Z]*:\([a-z][a-z]*\) .*/\1/p' | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] && ok "the ? screen lists the : commands in order" ||
	fail "the ? screen's : commands: '$got', want '$want'"
readme=$(grep '^| `:` |' "$MLC_SRCDIR/README.md")
missing=
for c in $got; do
	[ "$c" = quit ] && continue # the README names :q for both
	case "$readme" in
	*"\`:$c"[\ \`]*) ;;
	*) missing="$missing :$c" ;;
	esac
done
[ -z "$missing" ] && ok "README names every : command" || fail "README's : commands lack$missing"
keys Escape
wait_for "Models (8)"
keys q
expect_quit "q exits 0"
finish
