#!/bin/bash
# tests/cli/lineage.sh: `compare` shows the datasets runs used (one row per
# dataset, each run's digest, '*' where they differ; --json: each run's
# datasets and the differing ones) — on the demo, and on the MLflow 2.17.2
# lineage store's mlruns/ and mlflow.db and a local registry imported from each.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
db=$(demo_db)
# the demo: versions 1 and the newest of a model were trained on different data
"$M" -r "$db" versions churn-predictor --json >"$T/v.json"
read -r new old < <(python3 -c "import json; v=json.load(open('$T/v.json'))['versions']; print(v[0]['run_id'], v[-1]['run_id'])")
expect_exit 0 "demo: compare the newest and the first version's runs" -- "$M" -r "$db" compare "$new" "$old"
expect_in "$T/out" "dataset churn-eval (evaluation)" "demo: the evaluation dataset has a row"
grep -qE '^\* +dataset churn-train \(training\) +[0-9a-f]{8} +[0-9a-f]{8}$' "$T/out" &&
	ok "demo: the training data differs, marked *" || fail "demo: no differing training row: $(cat "$T/out")"

store="${MLC_SHARED:-$MLC_SRCDIR/../shared}/mlruns/generated__mlflow-2.17.2-lineage"
[ -d "$store/mlruns" ] || skip "the MLflow lineage store is not here ($store); it lives only in ../shared"
"$M" -r "$T/imported.db" import "$store/mlruns" >/dev/null || fail "import the file store"
"$M" -r "$T/imported-sql.db" import "sqlite:///$store/mlflow.db" >/dev/null || fail "import the SQL store"
for reg in "$store/mlruns" "sqlite:///$store/mlflow.db" "$T/imported.db" "$T/imported-sql.db"; do
	"$M" -r "$reg" versions fraud-lineage-model --json >"$T/v.json"
	read -r v3 v1 < <(python3 -c "import json; v=json.load(open('$T/v.json'))['versions']; print(v[0]['run_id'], v[-1]['run_id'])")
	expect_exit 0 "$reg: compare v1 and v3" -- "$M" -r "$reg" compare "$v1" "$v3"
	grep -qE '^\* +dataset fraud-train \(training\) +be4e2756 +561126d3$' "$T/out" &&
		ok "$reg: training data be4e2756 then 561126d3, marked *" || fail "$reg: training row: $(cat "$T/out")"
	grep -qE '^ +dataset fraud-eval \(evaluation\) +212c3206 +212c3206$' "$T/out" &&
		ok "$reg: the same evaluation data, not marked" || fail "$reg: evaluation row: $(cat "$T/out")"
	expect_exit 0 "$reg: compare --json" -- "$M" -r "$reg" compare "$v1" "$v3" --json
	python3 - "$T/out" <<'PY' && ok "$reg: --json carries the datasets" || fail "$reg: compare json: $(head -c 600 "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["differing_datasets"] == [{"context": "training", "name": "fraud-train"}], d["differing_datasets"]
ds = d["runs"][0]["datasets"]
assert ds[0] == {"name": "fraud-train", "digest": "be4e2756", "context": "training",
                 "source_type": "s3", "source": "s3://data/fraud/train-2026-10-01.parquet"}, ds[0]
assert [x["digest"] for x in d["runs"][1]["datasets"]] == ["561126d3", "212c3206"]
PY
done
finish
