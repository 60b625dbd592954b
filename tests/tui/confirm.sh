#!/bin/bash
# tests/tui/confirm.sh: the typed confirmation asks for what it shows. A model
# whose name holds a control character and a U+202E is shown sanitised
# (cr\x07edit\u202erisk), and typing exactly that confirms; before, only the
# raw bytes (which cannot be typed) would.
. "$MLC_SRCDIR/tests/lib.sh"
command -v python3 >/dev/null || skip "python3 is needed to rename the model"
db=$(demo_db)
ver=$("$MLC_BIN" -r "$db" versions credit-risk --json | python3 -c "import json,sys; print(max(int(v['version']) for v in json.load(sys.stdin)['versions'] if v['current_stage'] != 'Archived'))")
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE registered_models SET name = ? WHERE name = ?", ("cr\x07edit\u202erisk", "credit-risk"))
c.commit()' "$db" || fail "rename"
shown='cr\x07edit\u202erisk'
tui_start 140 32 -r "$db"
wait_for "Models (8)"
wait_for "$shown"
keys /
literal "edit"
keys Enter
wait_for "(1 of 8)"
keys P
wait_for "Deployments of $shown"
keys /
literal "production"
keys Enter
wait_re "\(1 of [0-9]+\)  /production"
keys d
wait_for "to production ("
literal "$ver"
keys Enter
wait_for "Type $shown to confirm"
literal "$shown"
keys Tab Enter
for _ in $(seq 50); do screen | grep -qF "to confirm" || break; sleep 0.1; done
screen | grep -qF "to confirm" && fail "typing what is shown does not confirm" || ok "typing what is shown confirms"
keys q
expect_quit "q exits 0"
finish
