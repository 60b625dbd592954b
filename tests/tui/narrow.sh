#!/bin/bash
# tests/tui/narrow.sh: at 80x24 a wide table gives up room in its widest text
# column (cut with …) before it drops columns (issue 15): a run's metrics keep
# MIN, MAX and the HISTORY sparkline on screen, whole, beside long values.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
tui_start 80 24 -r "$db"
wait_for "Models (8)"
# a footer too long for 80 columns leaves out hints at its end: "? help"
# comes first
screen | tail -n 1 | grep -q "^ ? help  Enter versions" && ok "the footer starts with ? help" ||
	fail "footer: $(screen | tail -n 1)"
keys :
literal "runs fraud-detection"
keys Enter
wait_for "Runs of fraud-detection ("
# the runs view has more hints than 80 columns hold: those that do not fit
# are left out whole (the ? screen lists every key), never cut to "C colum…"
foot=$(screen | tail -n 1)
case "$foot" in
*…*) fail "a footer hint cut: $foot" ;;
*"? help  Enter run  Space mark"*"t tree"*) ok "the runs footer holds whole hints only" ;;
*) fail "runs footer: $foot" ;;
esac
keys Enter
wait_re "^ Run [0-9a-f]{32}"
wait_re "FIELD +VALUE +MIN +MAX +HISTORY"
keys G
wait_re "^. val_loss +[0-9.]+ +[0-9.]+ +[0-9.]+ [▁▂▃▄▅▆▇█]+ *$"
screen | grep -q "0\.…" && fail "a number cut to 0.…: $(screen | grep '0\.…')" || ok "no number cut to 0.…"
keys q
expect_quit "q exits 0"
finish
