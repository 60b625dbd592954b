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
keys Escape
wait_for "Versions of $second"
keys Escape
wait_for "Models (8)"
keys Escape
wait_for "Models (8)"
keys q
expect_quit "q exits 0"
finish
