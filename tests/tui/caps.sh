#!/bin/bash
# tests/tui/caps.sh: the console offers only what the registry can do. On an
# MLflow file store (it cannot write, keeps no deployments, drift or audit
# log) a change key, P, D, :deployments, :approvals, :drift or :audit says which registry cannot do what and the view
# stays put, the ? screen marks them with the reason, the footer offers none;
# a local registry that can write offers them all.
. "$MLC_SRCDIR/tests/lib.sh"

# A small MLflow file store: one experiment, one model with one version.
S="$T/store/mlruns"
mkdir -p "$S/0" "$S/models/m1/version-1"
printf 'artifact_location: file:///x\nexperiment_id: "0"\nlifecycle_stage: active\nname: Default\n' >"$S/0/meta.yaml"
printf 'creation_timestamp: 1\nlast_updated_timestamp: 1\nname: m1\n' >"$S/models/m1/meta.yaml"
printf 'creation_timestamp: 1\nlast_updated_timestamp: 1\nname: m1\nversion: 1\ncurrent_stage: None\nsource: x\nrun_id: ""\nstatus: READY\n' \
	>"$S/models/m1/version-1/meta.yaml"

tui_start 200 50 -r "mlruns:$S"
wait_for "Models (1)"
screen_settle
screen | tail -n 1 | grep -q "D drift" && fail "drift offered by a store that keeps none" ||
	ok "the footer does not offer drift"
screen | tail -n 1 | grep -q "P deployments" && fail "deployments offered by a store that keeps none" ||
	ok "the footer does not offer deployments"
screen | tail -n 1 | grep -q "Enter versions" && ok "the footer offers what the store can do" ||
	fail "footer: $(screen | tail -n 1)"
# refused TEXT: the footer says the store cannot (TEXT), and the view stays
refused() {
	wait_for "$S: an MLflow file store $1"
	screen | sed -n 2p | grep -q "Models (1)" && ok "the models view stays" ||
		fail "the view changed: $(screen | sed -n 2p)"
}
keys d; refused "is read-only here: cannot deploy"
keys R; refused "is read-only here: cannot roll back"
keys a; refused "is read-only here: cannot approve"
keys x; refused "is read-only here: cannot reject"
keys H; refused "is read-only here: cannot run a hook again"
keys D; refused "keeps no drift series: cannot show drift"
keys :; literal "drift m1"; keys Enter; refused "keeps no drift series: cannot show drift"
keys :; literal "audit"; keys Enter; refused "keeps no audit log: cannot show the audit log"
keys P; refused "keeps no environments, deployments or requests: cannot show deployments"
keys :; literal "deployments m1"; keys Enter
refused "keeps no environments, deployments or requests: cannot show deployments"
keys :; literal "approvals"; keys Enter
refused "keeps no environments, deployments or requests: cannot show requests"
keys ?
wait_for "Help"
wait_for "Deployments: deploy a version to the row's environment (not here: an MLflow file store is read-only here: cannot deploy)"
wait_for "Approvals: approve the request (asks for a comment) (not here: an MLflow file store is read-only here: cannot approve)"
wait_for "Models: the model's drift per feature (not here: an MLflow file store keeps no drift series: cannot show drift)"
wait_for "The audit log, newest first (not here: an MLflow file store keeps no audit log: cannot show the audit log)"
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
keys Escape
wait_for "Models (8)"
wait_re "D drift +P deployments"
keys ?
wait_for "Deployments: deploy a version to the row's environment"
screen_settle
screen | grep -qF "not here" && fail "a writable registry marks keys" || ok "nothing marked on a writable registry"
keys q
expect_quit "q exits 0 (local registry)"
finish
