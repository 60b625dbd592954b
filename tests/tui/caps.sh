#!/bin/bash
# tests/tui/caps.sh: the console offers only what the registry can do. On an
# MLflow file store (it cannot write) a change key says which registry cannot
# do what and the view stays put, the ? screen marks the change keys with the
# reason, the footer offers none; a local registry that can write offers them.
. "$MLC_SRCDIR/tests/lib.sh"

# A small MLflow file store: one experiment, one model with one version.
S="$T/store/mlruns"
mkdir -p "$S/0" "$S/models/m1/version-1"
printf 'artifact_location: file:///x\nexperiment_id: "0"\nlifecycle_stage: active\nname: Default\n' >"$S/0/meta.yaml"
printf 'creation_timestamp: 1\nlast_updated_timestamp: 1\nname: m1\n' >"$S/models/m1/meta.yaml"
printf 'creation_timestamp: 1\nlast_updated_timestamp: 1\nname: m1\nversion: 1\ncurrent_stage: None\nsource: x\nrun_id: ""\nstatus: READY\n' \
	>"$S/models/m1/version-1/meta.yaml"

tui_start 200 30 -r "mlruns:$S"
wait_for "Models (1)"
# press KEY, then the footer says VERB is refused, naming the store; the view stays
press() {
	keys "$1"
	wait_for "$S: an MLflow file store is read-only here: cannot $2"
	screen | sed -n 2p | grep -q "Models (1)" && ok "$1: the models view stays" ||
		fail "$1: the view changed: $(screen | sed -n 2p)"
}
press d deploy
press R "roll back"
press a approve
press x reject
press H "run a hook again"
keys ?
wait_for "Help"
wait_for "Deployments: deploy a version to the row's environment (not here: an MLflow file store is read-only here: cannot deploy)"
wait_for "Approvals: approve the request (asks for a comment) (not here: an MLflow file store is read-only here: cannot approve)"
screen | grep -F "Move down" | grep -qF "not here" && fail "a key every registry has is marked" || ok "reading keys are not marked"
keys Escape
wait_for "Models (1)"
keys q
expect_quit "q exits 0 (file store)"

# A local registry that can write offers the change keys, unmarked.
db=$(demo_db)
tui_start 200 30 -r "$db"
wait_for "Models (8)"
keys :
literal "deployments credit-risk"
keys Enter
wait_for "History, newest first"
wait_re "d deploy +R rollback"
keys ?
wait_for "Deployments: deploy a version to the row's environment"
screen_settle
screen | grep -qF "not here" && fail "a writable registry marks keys" || ok "nothing marked on a writable registry"
keys q
expect_quit "q exits 0 (local registry)"
finish
