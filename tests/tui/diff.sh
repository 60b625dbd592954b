#!/bin/bash
# tests/tui/diff.sh: :diff V1 V2 on a model's versions, at 80x24: the two
# versions side by side, the differing rows first (params, metrics, datasets,
# commit, tags); Esc goes back to the versions; :diff without a model says how.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
# what the rows must show: the CLI's diff of the same versions
"$MLC_BIN" -r "$db" diff churn-predictor 8 10 --json >"$T/diff.json" || fail "diff --json"
first=$(python3 -c "import json; r=json.load(open('$T/diff.json'))['diff']['rows'][0]; print(r'\* +%s +%s +%s +%s' % (r['section'], r['key'], r['values'][0] or '-', r['values'][1] or '-'))")
train=$(python3 -c "import json; r=[r for r in json.load(open('$T/diff.json'))['diff']['rows'] if r['key'] == 'churn-train (training)'][0]; print(r'%s +dataset +churn-train \(training\) +%s +%s' % ('\\*' if r['differs'] else ' ', r['values'][0], r['values'][1]))")
tui_start 80 24 -r "$db"
wait_for "Models (8)"
keys :
literal "diff 8 10"
keys Enter
wait_for ":diff V1 V2 on a model's versions"
keys :
literal "versions churn-predictor"
keys Enter
wait_for "Versions of churn-predictor"
keys :
literal "diff 8 10"
keys Enter
wait_for "churn-predictor: version 8 vs 10"
wait_re "WHAT +KEY +v8 +v10"
wait_re "$first"
keys G
wait_re "$train"
wait_re "dataset +churn-eval \(evaluation\) +[0-9a-f]{8} +[0-9a-f]{8}"
keys Escape
wait_for "Versions of churn-predictor"
keys q
expect_quit "q exits 0"
finish
