#!/bin/bash
# tests/tui/runs.sh: the story of issue 3 as a new user plays it — open an
# experiment, choose columns, filter, sort, mark three runs, compare them, open
# a metric's chart, go back — all from the keyboard.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
db=$(demo_db)
exp=fraud-detection
total=$("$M" -r "$db" runs "$exp" --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)['runs']))")
tui_start 140 40 -r "$db"
wait_for "Models (8)"
keys :
literal "experiments"
keys Enter
wait_for "Experiments (4)"
keys /
literal "$exp"
keys Enter Enter
wait_for "Runs of $exp ($total)"
wait_for "RUN      NAME"

# Columns: add precision through the picker (filtered with /).
keys C
wait_for "Columns (Space toggles"
keys /
literal "precision"
keys Enter
wait_for "[ ]  metric precision"
keys Space Enter
wait_for "Runs of $exp"
wait_for "precision"
screen | sed -n 3p | grep -q "precision" && ok "precision is a column now" || fail "no precision column: $(screen | sed -n 3p)"

# MLflow filter, with a syntax error first.
keys :
literal "filter metrics.accuracy > 'high'"
keys Enter
wait_for "column 20"
keys :
literal "filter metrics.accuracy > 0.85"
keys Enter
n=$("$M" -r "$db" runs "$exp" --json --filter "metrics.accuracy > 0.85" | python3 -c "import json,sys; print(len(json.load(sys.stdin)['runs']))")
wait_for "where metrics.accuracy > 0.85 ($n)"

# Sort by accuracy (the first chosen column) ascending: the lowest comes first.
keys s s s s s
wait_for "accuracy▲"
low=$("$M" -r "$db" runs "$exp" --json --filter "metrics.accuracy > 0.85" --order-by "metrics.accuracy ASC" --limit 1 | python3 -c "import json,sys; print(json.load(sys.stdin)['runs'][0]['run_id'][:8])")
wait_line 4 "$low"
keys S
wait_for "accuracy▼"

# Mark three runs and compare them.
keys Space Space Space
for _ in $(seq 50); do [ "$(screen | grep -c "•")" -eq 3 ] && break; sleep 0.1; done
[ "$(screen | grep -c "•")" -eq 3 ] && ok "three runs marked" || fail "marks: $(screen | grep -c '•')"
keys c
wait_for "Compare 3 runs"
wait_for "Params ("
wait_for "Metrics (best marked"
wait_for "★"
wait_for "Histories"
keys o
wait_for "only rows that differ"

# A metric's chart from the compare view.
keys /
literal "val_loss"
keys Enter
wait_for "val_loss ▼"
# f flips which way is better for the cursor's metric, and back
keys f
wait_for "val_loss ▲"
keys f
wait_for "val_loss ▼"
keys Enter
wait_for "val_loss of 3 runs"
wait_for "step 0"
screen | python3 -c "import sys; sys.exit(not any(0x2801 <= ord(ch) <= 0x28ff for ch in sys.stdin.read()))" && ok "braille chart drawn" || fail "no braille on the chart"

# Back out to the runs (the first Esc in compare clears its / filter), open one run.
keys Escape
wait_for "Compare 3 runs"
keys Escape
wait_for "Histories"
keys Escape
wait_for "Runs of $exp"
keys Enter
wait_for "Registered as"
keys G
wait_for "Metrics (latest, min, max, history)"
# More runs than the first page (200): the rest arrive behind it.
big=$("$M" -r "$db" experiments --json | python3 -c "import json,sys; print(max(json.load(sys.stdin)['experiments'], key=lambda e: e['run_count'])['name'])")
bign=$("$M" -r "$db" runs "$big" --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)['runs']))")
if [ "$bign" -gt 200 ]; then
	keys :
	literal "runs $big"
	keys Enter
	wait_for "Runs of $big ($bign)"
	keys G
	oldest=$("$M" -r "$db" runs "$big" --order-by "start_time ASC" --limit 1 --json | python3 -c "import json,sys; print(json.load(sys.stdin)['runs'][0]['run_id'][:8])")
	wait_for "$oldest"
else
	echo "note: no experiment has more than 200 runs in this demo; the two-step load is not exercised"
fi
keys :
literal "models"
keys Enter
wait_for "Models (8)"
keys q
expect_quit "q exits 0"
finish
