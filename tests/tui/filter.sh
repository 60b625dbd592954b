#!/bin/bash
# tests/tui/filter.sh: / filters rows live, !text excludes, Esc clears.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
tui_start 100 30 -r "$db"
wait_for "Models (8)"
keys /
literal "fraud"
wait_for "(1 of 8)"
wait_for "/fraud"
screen | grep -q "churn" && fail "churn still shown under /fraud" || ok "other models hidden"
keys Enter
wait_for "(1 of 8)  /fraud"
keys Escape
wait_for "Models (8)"
keys /
literal "!fraud"
wait_for "(7 of 8)"
keys Escape
wait_for "Models (8)"
keys /
literal "zzzz-nothing"
wait_for "No rows match the filter"
keys Escape
wait_for "Models (8)"
keys q
expect_quit "q exits 0"
finish
