#!/bin/bash
# tests/tui/fields.sh: any value the table cuts can be read whole (issue 15):
# v opens the cursor's row in a dialog, each column's title beside its whole
# value, wrapped, sanitised by the one sanitiser, scrollable (j/k, G, PgDn);
# a run's id is there whole though the table shows 8 of its characters.
. "$MLC_SRCDIR/tests/lib.sh"
command -v python3 >/dev/null || skip "python3 is needed to write a long description"
db=$(demo_db)
python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
desc = "start-word " + " ".join("w%03d" % i for i in range(400)) + " esc\x1b[2J end-word"
c.execute("insert into registered_models(name, description, creation_time, last_updated_time) values (?,?,1,1)",
          ("aaa-a-rather-long-model-name-that-the-table-cuts-NAMEEND", desc))
c.commit()
PY
tui_start 80 24 -r "$db"
wait_for "Models (9)"
wait_re "^▸ aaa-a-rather"
screen_settle
screen | grep -q "end-word" && fail "the description's end is on screen before v" || ok "the description is cut in the table"
keys v
wait_for "the row whole"
wait_re "NAME +aaa-a-rather-long-model-name-that-the-table-cuts-NAMEEND"
wait_re "DESCRIPTION +start-word w000 w001"
wait_re "\(lines 1-[0-9]+ of [0-9]+\)"
keys G
wait_re "esc\\\\x1b\[2J end-word"
keys g
wait_re "NAME +aaa-a-rather"
screen_settle
screen | grep -q "end-word" && fail "g left the value's end on screen" || ok "g goes back to the top"
# j walks a long value line by line: the last line comes into view
for _ in $(seq 60); do keys j; done
wait_for "end-word"
keys Escape
wait_gone "the row whole"
wait_for "Models (9)"

# a run's id: the table shows 8 characters, the dialog all 32
keys :
literal "runs fraud-detection"
keys Enter
wait_re "^▸ [0-9a-f]{8} "
id8=$(screen | sed -n 's/^▸ \([0-9a-f]\{8\}\) .*/\1/p')
keys v
wait_re "RUN +${id8}[0-9a-f]{24}\b"
keys q
wait_gone "the row whole"
wait_for "Runs of fraud-detection"
keys q
expect_quit "q exits 0"
finish
