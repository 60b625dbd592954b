#!/bin/bash
# tests/tui/readonly.sh: --read-only, or a registry file we may not write, shows a
# badge, opens without writing and refuses changes saying why.
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
keys q
expect_quit "q exits 0"

# A registry file without write permission opens read-only even for root, and
# a change is refused naming the file, not --read-only.
cp "$db" "$T/ro.db"
chmod 444 "$T/ro.db"
tui_start 120 30 -r "$T/ro.db"
wait_for "READ-ONLY"
wait_for "Models (8)"
keys :
literal "approvals"
keys Enter
wait_for "Approvals (pending"
keys a
wait_for "has no write permission (mode 0444)"
keys q
expect_quit "q exits 0 (read-only file)"
finish
