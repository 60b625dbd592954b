#!/bin/bash
# tests/tui/ascii.sh: in a non-UTF-8 locale the console draws ASCII glyphs only.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
export LANG=C LC_ALL=C
tui_start 100 30 -r "$db"
wait_for "Models (8)"
wait_for "> "
screen >"$T/screen"
if LC_ALL=C grep -q '[^ -~]' "$T/screen"; then fail "non-ASCII on an ASCII screen: $(LC_ALL=C grep -n '[^ -~]' "$T/screen" | head -3)"; else ok "ASCII only"; fi
keys ?
wait_for "j Down"
keys q
expect_quit "q exits 0"
finish
