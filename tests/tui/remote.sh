#!/bin/bash
# tests/tui/remote.sh: the console on an MLflow-speaking server
# (tests/remote/fixture.py): it shows the models; while the server is slow the
# screen keeps answering keys (spinner and elapsed time, ? opens help), Esc
# cancels the slow load, and q quits at once even with a request in flight.
. "$MLC_SRCDIR/tests/lib.sh"
fixture_start --runs 20

# elapsed: the seconds the "Loading… N.Ns" line shows now (empty if none).
elapsed() {
	screen | sed -n 's/.*Loading[^0-9]*\([0-9][0-9]*\.[0-9]\)s.*/\1/p' | head -n 1
}

# The first load of the models is slow: 20 s, far longer than the test waits.
ctl fault '{"mode": "slow", "arg": "20", "count": 1, "path": "registered-models/search"}' >/dev/null
tui_start 100 30 -r "http://$HP"
wait_for "Loading" 10
wait_for "http://$HP"
first=$(elapsed)
sleep 1.2
second=$(elapsed)
if [ -n "$first" ] && [ -n "$second" ] && python3 -c "import sys; sys.exit(not $second > $first)"; then
	ok "the elapsed time counts up while waiting ($first s, then $second s)"
else
	fail "the elapsed time did not move: '$first' then '$second'"
fi
keys ?
wait_for "Help" 3
keys Escape
wait_for "Loading" 3
keys Escape
wait_for "cancelled" 5
screen | grep -q "$HP: cancelled" && ok "the error names the host" || fail "no host in: $(screen | grep cancelled)"

keys C-r
wait_for "fraud-detector" 10
wait_for "Models (3)"
wait_for "challenger"

# A refresh that fails: the last good data stays on screen, marked with its age.
ctl fault '{"mode": "html", "count": 20, "path": "registered-models/search"}' >/dev/null
keys C-r
wait_for "STALE: refresh failed, data from" 15
screen | grep -q "fraud-detector" && ok "the models are still shown" || fail "the data went away"
ctl fault '{}' >/dev/null

# A slow refresh, then q: the console quits without waiting for the server.
ctl fault '{"mode": "slow", "arg": "20", "count": 1, "path": "registered-models/search"}' >/dev/null
keys C-r
sleep 0.5
keys q
status=$(wait_exit 5)
[ "$status" = 0 ] && ok "q quits at once during a slow request" || fail "exit: $status $(cat "$T/tui.err" 2>/dev/null)"
if grep -q . "$T/tui.err" 2>/dev/null; then fail "stderr: $(head -c 300 "$T/tui.err")"; else ok "nothing on stderr"; fi
finish
