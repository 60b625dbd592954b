#!/bin/bash
# tests/tui/drift.sh: the demo's two drifting features stand out — in the
# models list (the model's DRIFT column) and in the drift view, worst first,
# with a symbol as well as a colour; Enter opens the feature's chart.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
tui_start 130 34 -r "$db"
wait_for "Models (8)"
wait_re "fraud-detector .*✖ drift"
screen_settle
[ "$(screen | grep -c '✖ drift')" -eq 1 ] && ok "only one model drifts" || fail "drift flags: $(screen | grep -c '✖ drift')"
keys :
literal "drift"
keys Enter
wait_for "2 of 60 features drifting"
wait_line 4 "fraud-detector +amount .*✖ drift"
wait_line 5 "fraud-detector +merchant_category .*✖ drift"
wait_line 6 "✔ ok"
keys Enter
wait_for "Drift of fraud-detector: amount"
wait_for "threshold 0.1"
keys Escape Escape
wait_for "Models (8)"
keys G k k k D
wait_for "Drift of fraud-detector: 2 of 10 features drifting"
# one model's view: no model column in every row
wait_line 4 "^. amount +✖ drift"
keys q
expect_quit "q exits 0"
# At 80x24 the sparkline, the screen's point, is on screen in both views.
tui_start 80 24 -r "$db"
wait_for "Models (8)"
keys :
literal "drift"
keys Enter
wait_line 4 "fraud-detector +amount +✖ drift +[0-9.e-]+ [▁▂▃▄▅▆▇█]{8}"
keys Escape :
literal "drift fraud-detector"
keys Enter
wait_line 4 "^. amount +✖ drift +[0-9.e-]+ [▁▂▃▄▅▆▇█]{20}"
# a model with no drift series says so, not "0 of 0 features drifting (0%)"
keys Escape :
literal "drift image-classifier"
keys Enter
wait_for "Drift of image-classifier: no drift series recorded"
screen | grep -qF "0 of 0" && fail "says 0 of 0" || ok "no '0 of 0'"
keys q
expect_quit "q exits 0"
# A recorded window with its binned shares: the chart shows reference vs current.
F="$MLC_SRCDIR/tests/fixtures/drift"
"$MLC_BIN" -r "$db" drift record fraud-detector --feature recorded_feat --reference "$F/num_ref.csv" \
	--current "$F/num_cur.csv" --method psi >/dev/null || fail "drift record"
tui_start 130 40 -r "$db"
wait_for "Models (8)"
keys :
literal "drift fraud-detector"
keys Enter
wait_for "Drift of fraud-detector: 3 of 11 features drifting"
keys /
literal "recorded_feat"
keys Enter Enter
wait_for "Drift of fraud-detector: recorded_feat"
wait_for "Latest window, share per bin: reference | current"
wait_re "^ +1 +[0-9.]+% +[0-9.]+%"
keys q

# In mono (NO_COLOR) and ASCII the status still reads.
export NO_COLOR=1 LANG=C LC_ALL=C
tui_start 130 34 -r "$db"
wait_for "Models (8)"
keys :
literal "drift"
keys Enter
wait_for "X drift"
keys q
finish
