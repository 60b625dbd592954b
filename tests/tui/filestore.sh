#!/bin/bash
# tests/tui/filestore.sh: an MLflow file store opens in the console like any
# registry, marked read-only: models, experiments, runs and a run's detail;
# :deployments says the store keeps none.
. "$MLC_SRCDIR/tests/lib.sh"
store="${MLC_SHARED:-$MLC_SRCDIR/../shared}/mlruns/silver6wings__MLFlowSample"
[ -d "$store/mlruns" ] || skip "the shared MLflow stores are not here ($store); they live only in ../shared"
tui_start 120 30 -r "mlruns:$store/mlruns"
wait_for "READ-ONLY"
wait_for "mlruns:"
wait_for "Models (4)"
wait_for "sk-learn-random-forest-reg-model"
keys :
literal "experiments"
keys Enter
wait_for "Experiments ("
keys G Enter
wait_for "Runs of"
wait_for "RUN      NAME"
keys Enter
wait_for "Registered as"
keys :
literal "deployments"
keys Enter
# a file store keeps no deployments: the console says so and stays
wait_for "an MLflow file store keeps no environments, deployments"
wait_for "Registered as"
keys q
expect_quit "q exits 0"
finish
