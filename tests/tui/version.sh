#!/bin/bash
# tests/tui/version.sh: a version's detail page. The cursor passes over the
# gaps and section headings; the footer offers Enter only on the row where it
# does something (the lineage run); a source run that was deleted says so.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
command -v python3 >/dev/null || skip "python3 is needed to read the JSON"
db=$(demo_db)
model=credit-risk
run=$("$M" -r "$db" versions "$model" --json | python3 -c "import json,sys; print([v for v in json.load(sys.stdin)['versions'] if v['run_id']][0]['run_id'])")
ver=$("$M" -r "$db" versions "$model" --json | python3 -c "import json,sys; print([v for v in json.load(sys.stdin)['versions'] if v['run_id'] == '$run'][0]['version'])")
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE runs SET lifecycle_stage = ? WHERE run_uuid = ?", ("deleted", sys.argv[2]))
c.commit()' "$db" "$run" || fail "mark the run deleted"
tui_start 120 60 -r "$db"
wait_for "Models (8)"
keys :
literal "versions $model"
keys Enter
wait_for "Versions of $model"
keys /
literal "${run:0:8}"
keys Enter
keys Enter
wait_for "Lineage: run"
wait_for "(the run was deleted)"
ok "a deleted source run says so"
screen | tail -n 1 | grep -q "Enter run" && fail "Enter offered on the Model row" || ok "no Enter hint on the Model row"
# walk down every row: the cursor is never on a gap or a heading
bad=0
for _ in $(seq 40); do
	keys j
	sleep 0.05
	cur=$(screen | grep "^▸" || true)
	case "$cur" in
	"▸" | "▸ " | "▸ Tags"* | "▸ Lineage"* | "▸ Params"* | "▸ Metrics"* | "") bad=$((bad + 1)) ;;
	esac
	if echo "$cur" | grep -q "Run ID *$run"; then
		screen | tail -n 1 | grep -q "Enter run" && ok "Enter offered on the lineage row" ||
			fail "no Enter hint on the lineage row: $(screen | tail -n 1)"
	fi
done
[ "$bad" -eq 0 ] && ok "the cursor never rested on a gap or a heading" || fail "$bad stops on a gap or a heading"
keys q
expect_quit "q exits 0"
finish
