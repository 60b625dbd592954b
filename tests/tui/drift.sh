#!/bin/bash
# tests/tui/drift.sh: the demo's two drifting features stand out — in the
# models list (the model's DRIFT column) and in the drift view, worst first,
# with a symbol as well as a colour; Enter opens the feature's chart.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
tui_start 130 34 -r "$db"
wait_for "Models (8)"
screen | grep -E "fraud-detector .*✖ drift" >/dev/null && ok "fraud-detector is flagged in the models list" || fail "models: $(screen | grep fraud)"
[ "$(screen | grep -c '✖ drift')" -eq 1 ] && ok "only one model drifts" || fail "drift flags: $(screen | grep -c '✖ drift')"
keys :
literal "drift"
keys Enter
wait_for "2 of 60 features drifting"
screen | sed -n 4p | grep -E "fraud-detector +amount .*✖ drift" >/dev/null && ok "amount is first" || fail "row 1: $(screen | sed -n 4p)"
screen | sed -n 5p | grep -E "fraud-detector +merchant_category .*✖ drift" >/dev/null && ok "merchant_category is second" || fail "row 2: $(screen | sed -n 5p)"
screen | sed -n 6p | grep -q "✔ ok" && ok "the rest are ok" || fail "row 3: $(screen | sed -n 6p)"
keys Enter
wait_for "Drift of fraud-detector: amount"
wait_for "threshold 0.1"
keys Escape Escape
wait_for "Models (8)"
keys G k k k D
wait_for "Drift of fraud-detector: 2 of 10 features drifting"
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
screen | grep -qE "^ +1 +[0-9.]+% +[0-9.]+%" && ok "bins with both shares" || fail "no bins: $(screen | tail -15)"
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
