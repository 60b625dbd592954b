#!/bin/bash
# tests/tui/lineage.sh: the datasets a run used, at 80x24, on the MLflow
# 2.17.2 lineage store (../shared): Enter on version 3's run shows the run's
# training and evaluation data in its detail (name, context, digest); back in
# the version's detail, its lineage lists them too; :compare of v1's and v3's
# runs shows which dataset changed.
. "$MLC_SRCDIR/tests/lib.sh"
store="${MLC_SHARED:-$MLC_SRCDIR/../shared}/mlruns/generated__mlflow-2.17.2-lineage"
[ -f "$store/mlflow.db" ] || skip "the MLflow lineage store is not here ($store); it lives only in ../shared"
tui_start 80 24 -r "sqlite:///$store/mlflow.db"
wait_for "fraud-lineage-model"
keys Enter
wait_for "challenger"
keys Enter
wait_for "Lineage: run"
# the cursor to the Run ID row (Model, Version, Stage, Aliases, Status, Source, Run ID)
keys Down Down Down Down Down Down
keys Enter
wait_for "Run 3595f14556d94f07b09054b4c8904f86"
wait_for "Datasets"
wait_re "fraud-train \(training\) +561126d3  s3://"
wait_re "fraud-eval \(evaluation\) +212c3206  s3://"
keys Escape
wait_for "fraud-lineage-model version 3"
keys G
wait_for "Lineage: datasets"
wait_re "fraud-train \(training\) +561126d3  s3://data/fraud/train-2026-11-01"
wait_re "fraud-eval \(evaluation\) +212c3206  s3://data/fraud/eval-2026-11-01"
# compare v1's and v3's runs: one dataset of two differs
keys :
literal "compare c4a5ece2 3595f145"
keys Enter
wait_for "Datasets (1 of 2 differ)"
wait_re "fraud-train \(training\) +be4e2756 +561126d3"
wait_re "fraud-eval \(evaluation\) +212c3206 +212c3206"
keys q
expect_quit "q exits 0"
finish
