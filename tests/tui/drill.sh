#!/bin/bash
# tests/tui/drill.sh: Enter drills from models to versions to a version's detail
# (fields, tags, lineage run with params and metrics); Esc walks back.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
first=$("$MLC_BIN" -r "$db" models --json | python3 -c "import json,sys; print(json.load(sys.stdin)['models'][0]['name'])")
second=$("$MLC_BIN" -r "$db" models --json | python3 -c "import json,sys; print(json.load(sys.stdin)['models'][1]['name'])")
tui_start 100 30 -r "$db"
wait_for "Models (8)"
keys Enter
wait_for "Versions of $first"
wait_for "VERSION"
keys Escape
wait_for "Models (8)"
keys j Enter
wait_for "Versions of $second ("
top=$("$MLC_BIN" -r "$db" versions "$second" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['versions'][0]['version'])")
keys Enter
wait_for "$second version $top"
wait_for "Lineage: run"
wait_for "Params"
keys G
wait_for "Final metrics"
wait_for "(step "
# Enter on a Run ID row (/ its id: the source, then the Run ID rows) opens
# the run; there, Enter on the row
# "Registered as" this version opens the version again
run=$("$MLC_BIN" -r "$db" versions "$second" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['versions'][0]['run_id'])")
keys /
literal "$run"
keys Enter
wait_re "^▸ *Source .*$run"
keys j Enter
wait_for "Run ${run:0:8}"
wait_for "Registered as"
keys /
literal "$second version $top"
keys Enter
wait_re "^▸ *$second version $top"
keys Enter
wait_for "$second version $top"
wait_for "Lineage: run"
# Esc: back to the run, its / text cleared, back to the version, its / text
# cleared, back to the versions
for _ in 1 2 3 4 5; do keys Escape; done
wait_for "Versions of $second"
keys Escape
wait_for "Models (8)"
keys Escape
wait_for "Models (8)"
keys q
expect_quit "q exits 0"
finish
