#!/bin/bash
# tests/tui/help.sh: ? shows every key and command from the action table.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
tui_start 100 40 -r "$db"
wait_for "Models (8)"
keys ?
wait_for "Help"
wait_for "Move down"
wait_for "j ↓"
wait_for "Filter rows by text"
wait_for ":versions MODEL"
wait_for "^R"
keys Escape
wait_for "Models (8)"
keys q
expect_quit "q exits 0"
finish
