#!/bin/bash
# tests/cli/diff.sh: `diff MODEL V1 V2` puts two versions side by side —
# params, final metrics, datasets, source commit, tags — the differing rows
# first and marked '*' (text and --json); a missing version fails (1), a
# wrong number of arguments is a usage error (2).
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
db=$(demo_db)
expect_exit 0 "demo: diff churn-predictor 8 10" -- "$M" -r "$db" diff churn-predictor 8 10
head -1 "$T/out" | grep -qE '^ +WHAT +KEY +v8 +v10$' && ok "the header names both versions" ||
	fail "header: $(head -1 "$T/out")"
python3 - "$T/out" <<'PY' && ok "the differing rows come first, each section in order" || fail "row order: $(cat "$T/out")"
import sys
rows = open(sys.argv[1]).read().splitlines()[1:-1]
marks = [r.startswith("*") for r in rows]
assert any(marks) and not all(marks), marks
assert marks == sorted(marks, reverse=True), marks
whats = [r[3:].split()[0] for r in rows if r.startswith("*")]
order = ["param", "metric", "dataset", "source", "tag", "version"]
assert [order.index(w) for w in whats] == sorted(order.index(w) for w in whats), whats
PY
grep -qE '^[* ] +source +git commit +[0-9a-f]{40} +[0-9a-f]{40}$' "$T/out" && ok "a row for the source commits" ||
	fail "no source commit row: $(cat "$T/out")"
expect_exit 0 "demo: diff --json" -- "$M" -r "$db" diff churn-predictor 8 10 --json
python3 - "$T/out" <<'PY' && ok "--json: rows with sections, both values, differs" || fail "diff json: $(head -c 600 "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))["diff"]
assert d["model"] == "churn-predictor" and d["versions"] == ["8", "10"]
assert d["differing"] == sum(r["differs"] for r in d["rows"])
for r in d["rows"]:
    assert r["differs"] == (r["values"][0] != r["values"][1]), r
assert {r["section"] for r in d["rows"]} >= {"param", "metric", "dataset", "source", "tag"}
PY
expect_exit 1 "a version the model lacks" -- "$M" -r "$db" diff churn-predictor 8 999
expect_in "$T/err" "no version 999" "the message names the missing version"
expect_exit 2 "one version only is a usage error" -- "$M" -r "$db" diff churn-predictor 8
# A version whose run was deleted for good still diffs: its values are "-".
cp "$db" "$T/gone.db"
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE model_versions SET run_uuid = ? WHERE version = 8 AND model_id = (SELECT id FROM registered_models WHERE name = ?)", ("0" * 32, "churn-predictor"))
c.commit()' "$T/gone.db" || fail "could not point version 8 at a missing run"
expect_exit 0 "a version whose run is gone" -- "$M" -r "$T/gone.db" diff churn-predictor 8 10
grep -qE '^\* +param +[^ ]+ +- +[^ -]' "$T/out" && ok "its params show -" || fail "gone run: $(cat "$T/out")"

store="${MLC_SHARED:-$MLC_SRCDIR/../shared}/mlruns/generated__mlflow-2.17.2-lineage"
[ -d "$store/mlruns" ] || skip "the MLflow lineage store is not here ($store); it lives only in ../shared"
for reg in "$store/mlruns" "sqlite:///$store/mlflow.db"; do
	expect_exit 0 "$reg: diff v1 v3" -- "$M" -r "$reg" diff fraud-lineage-model 1 3
	grep -qE '^\* +dataset +fraud-train \(training\) +be4e2756 +561126d3$' "$T/out" &&
		ok "$reg: retrained on new training data" || fail "$reg: dataset row: $(cat "$T/out")"
	grep -qE '^ +dataset +fraud-eval \(evaluation\) +212c3206 +212c3206$' "$T/out" &&
		ok "$reg: same evaluation data, after the differences" || fail "$reg: eval row: $(cat "$T/out")"
	grep -qE '^\* +source +git commit +01a1b2c3d4e5f60718293a4b5c6d7e8f901234 +05a1b2c3d4e5f60718293a4b5c6d7e8f901234$' "$T/out" &&
		ok "$reg: the source commits" || fail "$reg: commit row: $(cat "$T/out")"
done
finish
