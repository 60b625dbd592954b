#!/bin/bash
# tests/tui/hscroll.sh: a table wider than 80 columns scrolls by column (issue
# 15): > and Shift-→ shift the columns after the first one column right, < and
# Shift-← back; the first column (the row's id) stays; the header marks columns
# off screen with › on the right and ‹ after the first column (> and < in
# LANG=C). At the last column > says so and moves nothing.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)

# open_runs: the runs of fraud-detection, its table drawn.
open_runs() {
	wait_for "Models (8)"
	keys :
	literal "runs fraud-detection"
	keys Enter
	wait_re "^  RUN +NAME +STATUS +STARTED"
}

tui_start 80 24 -r "$db"
open_runs
wait_line 3 "›$"
screen | sed -n 3p | grep -q "‹" && fail "‹ shown before any scroll: $(screen | sed -n 3p)" || ok "no ‹ before a scroll"
screen | grep -q "p.eval_metric" && fail "the last column is on screen already at 80 columns" || ok "p.eval_metric is off screen at first"
keys ">"
wait_line 3 "^  RUN +‹STATUS +STARTED"
wait_re "^▸ [0-9a-f]{8} (RUNNING|FINISHED|FAILED|SCHEDULED|KILLED) "
keys S-Right
wait_line 3 "^  RUN +‹STARTED "
for _ in 1 2 3 4 5 6; do keys ">"; done
wait_line 3 "p\.eval_metric *$"
screen_settle
screen | sed -n 3p | grep -q "›" && fail "› still shown at the last column: $(screen | sed -n 3p)" || ok "no › once the last column is on screen"
wait_for "no more columns on the right"
wait_re "^▸ [0-9a-f]{8} "
keys "<"
wait_line 3 "›$"
keys S-Left
keys "<" "<" "<" "<" "<" "<" "<"
wait_line 3 "^  RUN +NAME +STATUS"
wait_for "no more columns on the left"
keys q
expect_quit "q exits 0"

# LANG=C: the marks are < and >.
LANG=C LC_ALL=C tui_start 80 24 -r "$db"
open_runs
wait_line 3 ">$"
keys ">"
wait_line 3 "^  RUN +<STATUS +STARTED"
keys q
expect_quit "q exits 0 (LANG=C)"
finish
