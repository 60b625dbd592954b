#!/bin/bash
# tests/tui/window_edges.sh: the windowed runs view (issue 13) where keys come
# faster than windows, and where the registry changes under it: the title's
# counts survive a sort typed before they arrive, G fills the screen as in a
# whole list, and ^R on a run deleted meanwhile starts from the top instead of
# failing.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
db=$T/big.db
exp=fraud-detection
"$M" demo create "$db" --runs 3000 --seed 7 >/dev/null || { fail "demo create"; finish; }

ids() { "$M" -r "$db" runs "$exp" --json "$@" | python3 -c "
import json, sys
for r in json.load(sys.stdin)['runs']: print(r['run_id'])"; }
ids >"$T/newest"
n=$(wc -l <"$T/newest")
cursor() { screen | sed -n 's/^▸.\([0-9a-f]\{8\}\) .*/\1/p'; }
# rows: how many run rows the screen shows.
rows() { screen | grep -cE '^.{1,2}[0-9a-f]{8} '; }

tui_start 80 24 -r "$db"
wait_for "Models ("
keys :
literal "runs $exp"
keys Enter
wait_for "Runs of $exp ($n)"

# A / text, then S before its count has come: the count is still the text's.
piece=$(sed -n 700p "$T/newest" | cut -c3-8)
want=$(grep -c "$piece" "$T/newest")
literal "/$piece"$'\r'"S"
wait_re "STARTED[▼▲]"
wait_for "($want of $n)"
keys Escape
wait_for "Runs of $exp ($n)"
keys S
wait_re "STARTED[▼▲]"
screen_settle

# G: the last run on the last row, the screen full of runs as in a whole list.
keys G
last=$(tail -n 1 "$T/newest" | cut -c1-8)
first=$(head -n 1 "$T/newest" | cut -c1-8)
for _ in $(seq 50); do [ "$(cursor)" = "$first" ] && break; sleep 0.1; done
screen_settle
[ "$(rows)" -ge 15 ] && ok "G shows a screen of runs ($(rows))" ||
	{ fail "G shows $(rows) run rows"; screen | sed 's/^/  | /' >&2; }
keys g g
for _ in $(seq 50); do [ "$(cursor)" = "$last" ] && break; sleep 0.1; done
[ "$(cursor)" = "$last" ] && ok "gg on the oldest run" || fail "gg: cursor on '$(cursor)'"
# G from the first window: the last window, the screen full again.
keys G
for _ in $(seq 50); do [ "$(cursor)" = "$first" ] && break; sleep 0.1; done
screen_settle
[ "$(cursor)" = "$first" ] && [ "$(rows)" -ge 15 ] && ok "G from the first window: a screen of runs" ||
	{ fail "G from the first window: cursor '$(cursor)', $(rows) run rows"; screen | sed 's/^/  | /' >&2; }
keys g g
for _ in $(seq 50); do [ "$(cursor)" = "$last" ] && break; sleep 0.1; done
keys S
wait_re "STARTED[▼]"
for _ in $(seq 50); do [ "$(cursor)" = "$last" ] && break; sleep 0.1; done
screen_settle

# The run under the cursor goes from the registry; ^R starts from the top.
gone=$(cursor)
python3 - "$db" "$gone" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA foreign_keys = ON")
c.execute("DELETE FROM runs WHERE run_uuid LIKE ?", (sys.argv[2] + "%",))
c.commit()
PY
keys C-r
wait_for "Runs of $exp ($((n - 1)))"
screen_settle
screen | grep -q "not found" && fail "^R after the cursor's run went: $(screen | grep 'not found')" ||
	ok "^R after the cursor's run went: no error"
second=$first
[ "$(cursor)" = "$second" ] && ok "^R: the cursor on the newest run" ||
	fail "^R: cursor on '$(cursor)', want $second"

# The run at the end of the window goes: PgDn past it goes on (the page is
# asked from the run before it) instead of failing at each key.
sed '$d' "$T/newest" >"$T/left" # the oldest went above
end=$(sed -n 150p "$T/left")
python3 - "$db" "$end" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA foreign_keys = ON")
c.execute("DELETE FROM runs WHERE run_uuid = ?", (sys.argv[2],))
c.commit()
PY
grep -v "^$end\$" "$T/left" | cut -c1-8 >"$T/left2"
for _ in $(seq 10); do keys NPage; done
# 190 rows down: counted in the list without the run when the failed page
# came back before the last PgDn, else in the list with it
want="$(sed -n 191p "$T/left2") $(sed -n 190p "$T/left2")"
for _ in $(seq 50); do grep -qw -- "$(cursor)" <<<"$want" && break; sleep 0.1; done
[ -n "$(cursor)" ] && grep -qw -- "$(cursor)" <<<"$want" && ok "10 PgDn past a run gone: cursor on $(cursor)" ||
	{ fail "10 PgDn past a run gone: cursor on '$(cursor)', want one of $want"; screen | sed 's/^/  | /' >&2; }
keys q
expect_quit "q exits 0"
finish
