#!/bin/bash
# tests/tui/terms.sh: under TERM=vt100 and TERM=screen, whose terminfo entries
# lack PgDn, PgUp, Home and End, those keys (as tmux sends them) move the
# cursor and never arrive as Esc, which would close the view.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
for term in vt100 screen; do
	infocmp "$term" >/dev/null 2>&1 || { echo "note: no terminfo entry for $term"; continue; }
	TUI_TERM=$term tui_start 100 24 -r "$db"
	wait_for "Models (8)"
	keys :
	literal "runs fraud-detection"
	keys Enter
	wait_for "Runs of fraud-detection ("
	first=$(screen | sed -n 4p)
	keys NPage
	sleep 0.5
	screen | sed -n 2p | grep -q "Runs of fraud-detection" && ok "$term: PgDn keeps the runs view" ||
		fail "$term: PgDn closed the view: $(screen | sed -n 2p)"
	keys End Home PPage
	sleep 0.5
	screen | sed -n 2p | grep -q "Runs of fraud-detection" && ok "$term: End, Home, PgUp keep it" ||
		fail "$term: End/Home/PgUp closed the view: $(screen | sed -n 2p)"
	[ "$(screen | sed -n 4p)" = "$first" ] && ok "$term: Home is back on the first row" ||
		fail "$term: the first row is not back"
	keys q
	expect_quit "$term: q exits 0"
done
finish
