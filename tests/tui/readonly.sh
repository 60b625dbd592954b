#!/bin/bash
# tests/tui/readonly.sh: --read-only shows a badge and opens without writing.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
tui_start 100 30 -r "$db" --read-only
wait_for "READ-ONLY"
wait_for "Models (8)"
keys Enter
wait_for "Versions of"
keys q
expect_quit "q exits 0"
tui_start 100 30 -r "$db"
wait_for "Models (8)"
screen | grep -q "READ-ONLY" && fail "badge without --read-only" || ok "no badge when writable"
finish
