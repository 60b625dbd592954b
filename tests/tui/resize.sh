#!/bin/bash
# tests/tui/resize.sh: the screen follows the terminal's size, down to 40x10;
# below that it says it is too small, and recovers.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
tui_start 80 24 -r "$db"
wait_for "Models (8)"
resize 39 9
wait_for "too small"
resize 40 10
wait_for "Models (8)"
screen | python3 -c "import sys; sys.exit(any(len(l.rstrip('\n')) > 40 for l in sys.stdin))" && ok "nothing drawn past column 40" || fail "line wider than 40"
resize 120 40
wait_for "DESCRIPTION"
keys q
expect_quit "q exits 0"
finish
