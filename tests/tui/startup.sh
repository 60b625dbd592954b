#!/bin/bash
# tests/tui/startup.sh: `mlconsole --demo=PATH` makes the demo on first use and
# opens on the models view with header and footer; q quits cleanly.
. "$MLC_SRCDIR/tests/lib.sh"
tui_start 100 30 --demo="$T/first.db"
wait_for "Models (8)" 60
wait_for "fraud-detector"
wait_for "sqlite:$T/first.db"
wait_for "Enter versions"
wait_for "? help"
screen | head -n 1 | grep -q "mlconsole" && ok "header names the program" || fail "header: $(screen | head -n 1)"
screen | grep -q "NAME *VERSIONS *LATEST *DRIFT *ALIASES" && ok "column titles" || fail "no column titles"
[ -f "$T/first.db" ] && ok "the demo was made on first use" || fail "no demo file"
keys q
expect_quit "q exits 0"
finish
