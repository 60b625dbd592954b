#!/bin/bash
# tests/tui/hostile.sh: names and descriptions from the registry cannot drive
# the terminal — escape sequences, bidi overrides and invalid UTF-8 are shown
# escaped, and the console keeps working.
. "$MLC_SRCDIR/tests/lib.sh"
command -v python3 >/dev/null || skip "python3 is needed to write hostile rows"
db=$(demo_db)
python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("insert into registered_models(name, description, creation_time, last_updated_time) values (?,?,1,1)",
          ("aaa-evil\x1b]0;pwned\x07\x1b[2J", "rtl\u202etxt.exe \x9b31m"))
c.execute("insert into registered_models(name, description, creation_time, last_updated_time) values (?,?,1,1)",
          (b"aab-bytes\xff\xfe".decode("latin-1"), "ok"))
c.commit()
PY
tui_start 140 30 -r "$db"
wait_for "Models (10)"
wait_for 'aaa-evil\x1b]0;pwned\x07\x1b[2J'
wait_for 'rtl\u202etxt.exe \x9b31m'
tmux -L "$TMUX_SOCK" display-message -p -t 0 '#{pane_title}' >"$T/title"
grep -q pwned "$T/title" && fail "the pane title was changed" || ok "no title change"
keys Enter
wait_for 'Versions of aaa-evil\x1b]0;pwned'
keys Escape
wait_for "Models (10)"
# The pulse shows them escaped too (every model has a row there).
keys :
literal "pulse"
keys Enter
wait_re "^ Pulse: .* \\(10\\)"
wait_for 'aaa-evil\x1b]0;pwned\x07'
tmux -L "$TMUX_SOCK" display-message -p -t 0 '#{pane_title}' >"$T/title"
grep -q pwned "$T/title" && fail "the pulse changed the pane title" || ok "no title change from the pulse"
keys q
expect_quit "q exits 0"
finish
