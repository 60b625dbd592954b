#!/bin/bash
# tests/cli/caps.sh: a registry's capabilities decide what the CLI may ask of
# it. Every change on an MLflow file store (which cannot write) is refused with
# one message naming the store and what it is, before any other work: no
# identity asked, no hook run, no file read. Reads it cannot do say so the same
# way; a local registry opened read-only still says why.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"

# A small MLflow file store: one experiment, one model with one version.
S="$T/store/mlruns"
mkdir -p "$S/0" "$S/models/m1/version-1"
printf 'artifact_location: file:///x\nexperiment_id: "0"\nlifecycle_stage: active\nname: Default\n' >"$S/0/meta.yaml"
printf 'creation_timestamp: 1\nlast_updated_timestamp: 1\nname: m1\n' >"$S/models/m1/meta.yaml"
printf 'creation_timestamp: 1\nlast_updated_timestamp: 1\nname: m1\nversion: 1\ncurrent_stage: None\nsource: x\nrun_id: ""\nstatus: READY\n' \
	>"$S/models/m1/version-1/meta.yaml"
expect_exit 0 "the store reads" -- "$M" -r "mlruns:$S" models
expect_in "$T/out" "m1" "it lists its model"
before=$(cd "$T/store" && find . -type f -exec sha256sum {} + | sort)

# refused CMD VERB -- ARGS...: ARGS exit 1 with exactly one line, the store's refusal.
refused() {
	verb=$1
	shift 2
	expect_exit 1 "$verb is refused" -- "$M" -r "mlruns:$S" "$@"
	want="mlconsole: $S: an MLflow file store is read-only here: cannot $verb"
	if [ "$(cat "$T/err")" = "$want" ]; then ok "one message: ...: cannot $verb"; else
		fail "$verb: stderr is '$(cat "$T/err")', wanted '$want'"; fi
	[ -s "$T/out" ] && fail "$verb printed on stdout: $(head -c 300 "$T/out")" || true
}
refused deploy -- deploy m1 1 --env staging
refused "roll back" -- rollback m1 --env staging
refused "open a request" -- request m1 1 --env staging
refused "open a request" -- request m1 --rollback --env staging
refused approve -- approve 1
refused reject -- reject 1 --comment no
refused "cancel a request" -- cancel 1
refused "change an environment's policy" -- env set staging --order 1
# before any other work: the files drift would read do not exist, the hook
# is not run
refused "record drift" -- drift record m1 --feature f --reference "$T/none.csv" --current "$T/none.csv"
mkdir -p "$XDG_CONFIG_HOME/mlconsole"
cat >"$XDG_CONFIG_HOME/mlconsole/config" <<EOC
[hook staging]
command = touch '$T/hook.ran'
timeout = 5
EOC
refused "run a hook again" -- hook retry m1 --env staging
[ -e "$T/hook.ran" ] && fail "the hook ran for a store that cannot record it" || ok "the hook did not run"
rm -f "$XDG_CONFIG_HOME/mlconsole/config"

# --json: the same refusal, nothing on stdout
expect_exit 1 "deploy --json is refused" -- "$M" -r "mlruns:$S" deploy m1 1 --env staging --json
expect_in "$T/err" "an MLflow file store is read-only here: cannot deploy" "--json: the same refusal"
[ -s "$T/out" ] && fail "--json printed on stdout" || ok "--json: nothing on stdout"

# reads the store cannot do name it too
expect_exit 1 "drift show" -- "$M" -r "mlruns:$S" drift show m1
expect_in "$T/err" "$S: an MLflow file store keeps no drift series: cannot show drift" "drift show names the store"
expect_exit 1 "audit" -- "$M" -r "mlruns:$S" audit
expect_in "$T/err" "$S: an MLflow file store keeps no audit log: cannot show the audit log" "audit names the store"
K="keeps no environments, deployments or requests"
expect_exit 1 "deployments" -- "$M" -r "mlruns:$S" deployments m1
expect_in "$T/err" "$S: an MLflow file store $K: cannot show deployments" "deployments names the store"
expect_exit 1 "approvals" -- "$M" -r "mlruns:$S" approvals
expect_in "$T/err" "$S: an MLflow file store $K: cannot list requests" "approvals names the store"
expect_exit 1 "env list" -- "$M" -r "mlruns:$S" env list
expect_in "$T/err" "$S: an MLflow file store $K: cannot list environments" "env list names the store"

after=$(cd "$T/store" && find . -type f -exec sha256sum {} + | sort)
[ "$before" = "$after" ] && ok "the store is untouched" || fail "the store changed"

# A local registry that can write, opened read-only, still says why.
db=$(demo_db)
expect_exit 1 "--read-only deploy" -- "$M" -r "$db" --read-only deploy fraud-detector 1 --env dev
expect_in "$T/err" "--read-only" "names --read-only"
cp "$db" "$T/ro.db"
chmod 444 "$T/ro.db"
expect_exit 1 "a deploy into a file without write permission" -- "$M" -r "$T/ro.db" deploy fraud-detector 1 --env dev
expect_in "$T/err" "$T/ro.db: read-only: cannot deploy ($T/ro.db has no write permission (mode 0444))" \
	"names the file and why"
finish
