#!/bin/bash
# tests/tui/feedback.sh: what a key did shows on screen. / starts a new
# filter and Esc keeps the old one; ^R says when the
# reload is in; the runs view's title counts the runs marked for compare; the
# compare view's title says while 'o' shows only the rows that differ; the
# sort survives the column picker; a
# dialog that only informs has one button.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
tui_start 140 40 -r "$db"
wait_for "Models (8)"
keys C-r
wait_for "reloaded from the registry"
# / starts a new filter; Esc goes back to the one there was
keys /
literal "churn"
keys Enter
wait_for "(1 of 8)  /churn"
keys /
literal "xyz"
wait_for "(0 of 8)"
keys Escape
wait_for "(1 of 8)  /churn"
keys /
literal "fraud"
keys Enter
wait_for "(1 of 8)  /fraud"
screen | grep -qF "churnfraud" && fail "/ appended to the kept filter" || ok "/ replaced the kept filter"
keys Escape
wait_for "Models (8)"
keys :
literal "runs fraud-detection"
keys Enter
wait_for "Runs of fraud-detection ("
# the sort survives the column picker
keys s s
wait_for "NAME▲"
keys C
wait_for "Columns (Space toggles"
keys /
literal "precision"
keys Enter Space Enter
wait_re "NAME▲ .*precision"
# / finds a run by more of its id than the 8 characters shown
long=$("$MLC_BIN" -r "$db" runs fraud-detection --json --limit 1 | python3 -c "import json,sys; print(json.load(sys.stdin)['runs'][0]['run_id'][:14])")
keys /
literal "$long"
keys Enter
wait_re "\(1 of [0-9]+\)  /$long"
keys Escape
wait_for "Runs of fraud-detection ("
keys g
keys Space Space
wait_for "Runs of fraud-detection, 2 marked"
keys k Space
wait_for "Runs of fraud-detection, 1 marked"
keys Space
wait_for "Runs of fraud-detection, 2 marked"
keys c
wait_for "Compare 2 runs"
wait_for "Params ("
keys o
wait_for "Compare 2 runs, only rows that differ (o: all)"
keys o
wait_for "all rows"
screen | sed -n 2p | grep -qF "only rows that differ" && fail "the title still says only rows that differ" ||
	ok "the title drops it when o is off"
# the request dialog only informs: one button, Close, and Enter closes it
keys :
literal "approvals"
keys Enter
wait_for "fraud-detector"
keys Enter
wait_re "Request [0-9]+: .* to production"
wait_for "[ Close ]"
screen | grep -qF "[ Cancel ]" && fail "the request dialog offers Cancel too" || ok "only Close"
keys Enter
for _ in $(seq 50); do screen | grep -qF "[ Close ]" || break; sleep 0.1; done
screen | grep -qF "[ Close ]" && fail "Enter did not close it" || ok "Enter closes it"
keys q
expect_quit "q exits 0"
finish
