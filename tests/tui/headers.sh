#!/bin/bash
# tests/tui/headers.sh: column headers go through the same sanitiser as cells.
# A metric key holding U+202E (right-to-left override) and a BEL, chosen as a
# runs column, shows escaped in the header (\u202e, \x07): the raw bytes never
# reach the terminal.
. "$MLC_SRCDIR/tests/lib.sh"
command -v python3 >/dev/null || skip "python3 is needed to rename the metric"
db=$(demo_db)
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE metric_keys SET key = ? WHERE key = ?", ("pre\u202ecision\x07", "precision"))
c.commit()' "$db" || fail "rename"
tui_start 160 40 -r "$db"
wait_for "Models (8)"
keys :
literal "runs fraud-detection"
keys Enter
wait_for "Runs of fraud-detection ("
keys C
wait_for "Columns (Space toggles"
keys /
literal "cision"
keys Enter Space Enter
wait_for 'pre\u202ecision\x07'
screen | sed -n 3p | grep -qF 'pre\u202ecision\x07' && ok "the header shows the key escaped" ||
	fail "header: $(screen | sed -n 3p)"
screen | grep -q "$(printf '\u202e')" && fail "a raw U+202E reached the screen" || ok "no raw U+202E on screen"
keys q
expect_quit "q exits 0"
finish
