#!/bin/bash
# tests/cli/import.sh: `mlconsole import` of each real MLflow file store in
# ../shared/mlruns, browsing a store directly (-r mlruns:DIR) and through the
# imported registry, idempotence, and a damaged copy reported with its paths.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
S="${MLC_SHARED:-}/mlruns"
[ -d "$S" ] || skip "$S is absent: the real MLflow stores are needed"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to read the JSON"

P="$S/palaciosleo__diplodatos-deeplearning"
F="$S/Finnk11__bilevel-rl"
W="$S/silver6wings__MLFlowSample"

# ---- browsing a store directly ----
expect_exit 0 "experiments --all of a store" -- "$M" -r "mlruns:$P/mlruns" experiments --all --json
python3 - "$T/out" <<'PY' && ok "13 experiments, 9 deleted, 67 runs" || fail "palaciosleo experiments"
import json, sys
es = json.load(open(sys.argv[1]))["experiments"]
assert len(es) == 13, len(es)
assert sum(e["lifecycle_stage"] == "deleted" for e in es) == 9
assert sum(e["run_count"] for e in es) == 67, sum(e["run_count"] for e in es)
PY
expect_exit 0 "a folder holding mlruns/ opens it" -- "$M" -r "$P" experiments
expect_in "$T/out" "diplodatos.spanish.MLP" "active experiments listed"
expect_not_in "$T/out" "a_naive_experiment" "deleted experiments hidden without --all"

expect_exit 0 "runs of a store, nested metric keys" -- "$M" -r "$F" runs DQN --json
python3 - "$T/out" <<'PY' && ok "5 runs, newest first, nested keys" || fail "Finnk11 runs"
import json, sys
rs = json.load(open(sys.argv[1]))["runs"]
assert len(rs) == 5, len(rs)
assert [r["start_time"] for r in rs] == sorted((r["start_time"] for r in rs), reverse=True)
assert any("rollout/exploration rate" in r["metrics"] for r in rs)
PY
expect_exit 0 "models of a store" -- "$M" -r "mlruns:$W/mlruns" models --json
python3 - "$T/out" <<'PY' && ok "4 registered models" || fail "silver6wings models"
import json, sys
ms = json.load(open(sys.argv[1]))["models"]
assert sorted(m["name"] for m in ms) == ["ElasticnetWineModel", "sk-learn-random-forest-reg",
                                        "sk-learn-random-forest-reg-model", "test_r_m"], ms
PY
expect_exit 0 "versions of a store" -- "$M" -r "$W" versions sk-learn-random-forest-reg-model --json
python3 - "$T/out" <<'PY' && ok "two Production versions" || fail "stages"
import json, sys
vs = json.load(open(sys.argv[1]))["versions"]
assert [v["current_stage"] for v in vs].count("Production") == 2, vs
PY
expect_exit 0 "history of a duplicated step" -- "$M" -r "$F" history f60ab17e "rollout/exploration rate"
[ "$(grep -c '^3600 ' "$T/out")" -eq 2 ] && ok "both points of step 3600" || fail "history: $(head -8 "$T/out")"
expect_exit 1 "a folder that is no store" -- "$M" -r "$T" experiments
expect_in "$T/err" "not an MLflow file store" "says what the folder is not"

# ---- importing each store ----
db="$T/reg.db"
for store in "$P" "$F" "$W/mlruns"; do
	expect_exit 0 "import $(basename "$(dirname "$store")")/$(basename "$store")" -- "$M" -r "$db" import "$store"
	expect_in "$T/out" "imported mlruns:" "import names the source"
done
# the second store of silver6wings has other versions of the same numbers
expect_exit 1 "import src/mlruns (exit 1: versions kept as they are)" -- "$M" -r "$db" import "$W/src/mlruns"
expect_in "$T/out" "imported mlruns:" "import names the source"
expect_in "$T/err" "mlconsole: import: skipped model 'sk-learn-random-forest-reg-model' version 1: the local registry has another version 1" "the version kept is named on stderr"
expect_exit 0 "experiments of the imported registry" -- "$M" -r "$db" experiments --all --json
python3 - "$T/out" <<'PY' && ok "14 experiments, 113 runs in the registry" || fail "imported experiments"
import json, sys
es = json.load(open(sys.argv[1]))["experiments"]
assert len(es) == 14, len(es)
assert sum(e["run_count"] for e in es) == 113, sum(e["run_count"] for e in es)
PY
expect_exit 0 "runs of an imported experiment" -- "$M" -r "$db" runs DQN --json
python3 - "$T/out" <<'PY' && ok "imported runs keep their metrics" || fail "imported runs"
import json, sys
rs = json.load(open(sys.argv[1]))["runs"]
assert len(rs) == 5
assert any("rollout/exploration rate" in r["metrics"] for r in rs)
PY
"$M" -r "$F" runs DQN --json >"$T/direct.json"
python3 - "$T/out" "$T/direct.json" <<'PY' && ok "same latest values read directly and imported" || fail "latest values differ"
import json, sys
a = {r["run_id"]: r["metrics"] for r in json.load(open(sys.argv[1]))["runs"]}
b = {r["run_id"]: r["metrics"] for r in json.load(open(sys.argv[2]))["runs"]}
assert a == b, (a, b)
PY
expect_exit 0 "versions of an imported model" -- "$M" -r "$db" versions sk-learn-random-forest-reg-model
expect_in "$T/out" "Production" "stages imported"
expect_exit 0 "audit of the imports" -- "$M" -r "$db" audit --json
python3 - "$T/out" <<'PY' && ok "one audit record per import" || fail "audit"
import json, sys
a = [e for e in json.load(open(sys.argv[1]))["audit"] if e["action"] == "import"]
assert len(a) == 4, a
assert all(e["subject"].startswith("mlruns:") for e in a)
PY

# ---- idempotence ----
expect_exit 0 "second import" -- "$M" -r "$db" import "$P"
expect_in "$T/out" "nothing new" "a second import says it added nothing"
expect_exit 0 "second import --json" -- "$M" -r "$db" import "$F" --json
python3 - "$T/out" <<'PY' && ok "--json summary: nothing new, everything present" || fail "import --json"
import json, sys
d = json.load(open(sys.argv[1]))["import"]
assert d["nothing_new"] is True
assert sum(d["added"].values()) == 0 and sum(d["updated"].values()) == 0
assert d["present"]["runs"] == 5 and d["present"]["metric_points"] == 1035, d["present"]
assert d["skipped"] == []
PY
[ ! -s "$T/err" ] && ok "no progress bar when stderr is not a terminal" || fail "stderr: $(head -c 300 "$T/err")"

# ---- a store that grows: appended points arrive, a rewrite is read again ----
cp -r "$F/mlruns" "$T/grow"
chmod -R u+w "$T/grow"
loss="$T/grow/1/f60ab17eafd546f28a8135f8ac5b21e7/metrics/train/loss"
"$M" -r "$T/g.db" import "$T/grow" >/dev/null || fail "first import of the growing store"
printf '1999999999999 0.125 999999\n' >>"$loss"
expect_exit 0 "import after a point was appended --json" -- "$M" -r "$T/g.db" import "$T/grow" --json
python3 - "$T/out" <<'PY' && ok "the appended point is added, the rest counted as there" || fail "grown: $(head -c 600 "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))["import"]
assert d["added"]["metric_points"] == 1 and d["present"]["metric_points"] == 1035, d
PY
expect_exit 0 "history after the append" -- "$M" -r "$T/g.db" history f60ab17e train/loss
expect_in "$T/out" "999999" "the appended step is in the imported history"
sed -i 's/^1999999999999 0.125 999999$/1999999999999 0.375 999999/' "$loss"
expect_exit 0 "import after that line was rewritten in place --json" -- "$M" -r "$T/g.db" import "$T/grow" --json
python3 - "$T/out" <<'PY' && ok "a file changed in place is read again" || fail "rewritten: $(head -c 600 "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))["import"]
assert d["added"]["metric_points"] == 1 and d["present"]["metric_points"] == 1035, d
PY

# ---- the default registry and a local registry as the source ----
expect_exit 0 "import into the default registry" -- "$M" import "$db"
expect_in "$T/out" "imported sqlite:" "a local registry is a source too"
[ -f "$XDG_DATA_HOME/mlconsole/registry.db" ] && ok "default registry created" || fail "no default registry"

# ---- a damaged copy ----
cp -r "$F/mlruns" "$T/damaged"
chmod -R u+w "$T/damaged"
run="$T/damaged/1/f60ab17eafd546f28a8135f8ac5b21e7"
head -c 100 "$T/damaged/1/26df4d45aa134dcaaef9e42ba1818e3d/meta.yaml" >"$T/cut" &&
	mv "$T/cut" "$T/damaged/1/26df4d45aa134dcaaef9e42ba1818e3d/meta.yaml"
printf 'this is not a metric line\n' >>"$run/metrics/train/loss"
rm -rf "$run/params" && echo "not a folder" >"$run/params"
expect_exit 1 "import of a damaged copy (exit 1: parts skipped)" -- "$M" -r "$T/d.db" import "$T/damaged"
expect_in "$T/err" "mlconsole: import: skipped $T/damaged/1/26df4d45aa134dcaaef9e42ba1818e3d/meta.yaml: no run_id (a truncated file?)" "truncated meta.yaml reported on stderr with its path"
expect_in "$T/err" "metrics/train/loss: line" "garbage metric line reported on stderr with its path and line"
expect_in "$T/err" "f60ab17eafd546f28a8135f8ac5b21e7/params: not a folder" "unreadable folder reported on stderr"
expect_in "$T/err" "the rest was imported" "stderr says the rest was imported"
expect_not_in "$T/out" "not a folder" "the skipped parts are not on stdout"
n=$(grep -c '^mlconsole: import: skipped ' "$T/err")
[ "$n" -ge 3 ] && ok "one stderr line per skipped part ($n)" || fail "skipped lines: $(cat "$T/err")"
expect_exit 1 "a second import of the damaged copy" -- "$M" -r "$T/d.db" import "$T/damaged"
expect_not_in "$T/out" "everything" "never 'everything is already in' when parts were skipped"
expect_in "$T/out" "nothing new from the parts of" "says only the readable parts are in"
expect_in "$T/err" "metrics/train/loss: line" "the damage is reported again"
expect_exit 1 "the damaged copy --json" -- "$M" -r "$T/d.db" import "$T/damaged" --json
python3 - "$T/out" "$T/err" <<'PY' && ok "--json: complete false, skipped listed, one JSON error per part on stderr" || fail "damaged --json: $(head -c 600 "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))["import"]
assert d["complete"] is False and d["nothing_new"] is True, d
assert any(x["path"].endswith("metrics/train/loss") for x in d["skipped"]), d["skipped"]
errs = [json.loads(l)["error"]["message"] for l in open(sys.argv[2]) if l.strip()]
assert len(errs) == len(d["skipped"]), (errs, d["skipped"])
assert all(e.startswith("import: skipped ") for e in errs), errs
PY
expect_exit 0 "runs after a damaged import" -- "$M" -r "$T/d.db" runs DQN --all --json
python3 - "$T/out" <<'PY' && ok "the 4 sound runs imported" || fail "damaged import runs"
import json, sys
rs = json.load(open(sys.argv[1]))["runs"]
assert len(rs) == 4, len(rs)
PY
[ "$(sqlite3 "$T/d.db" 'PRAGMA integrity_check' 2>/dev/null || echo ok)" = ok ] && ok "target sound" || fail "integrity"

# ---- refusals and usage ----
expect_exit 2 "import without a source" -- "$M" -r "$db" import
expect_exit 1 "import of a missing source" -- "$M" -r "$db" import "$T/nope"
expect_in "$T/err" "nope: no such file or folder" "names the missing source"
expect_exit 1 "import from a server" -- "$M" -r "$db" import https://mlflow.example.com
expect_in "$T/err" "mlflow.example.com" "an unreachable server is named (tests/remote/import.sh imports from a real one)"
expect_exit 1 "import into a file store" -- "$M" -r "$P" import "$F"
expect_in "$T/err" "local SQLite registry" "the target must be local"
expect_exit 1 "import of a registry into itself" -- "$M" -r "$db" import "$db"
expect_in "$T/err" "into itself" "self-import refused"
# ---- an alias named like an environment is never taken (issue 11, item 1) ----
# Here the alias E is the version live in E: taking it would deploy without a
# request, votes, history row, deploy audit or hook.
fs="$T/envstore"
mkdir -p "$fs/models/churn/version-1" "$fs/models/churn/aliases"
printf 'creation_timestamp: 1\nlast_updated_timestamp: 2\nname: churn\n' >"$fs/models/churn/meta.yaml"
printf 'creation_timestamp: 3\ncurrent_stage: None\nlast_updated_timestamp: 4\nname: churn\nrun_id: '"''"'\nsource: s1\nstatus: READY\nversion: 1\n' \
	>"$fs/models/churn/version-1/meta.yaml"
printf 1 >"$fs/models/churn/aliases/production"
printf 1 >"$fs/models/churn/aliases/champion"
# live_in DB MODEL ENV: the version deployments says is live ("" for none), and
# the number of history rows, as "VERSION/ROWS".
live_in() {
	"$M" -r "$1" deployments "$2" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
live = [x["version"] for x in d["deployments"] if x["environment"] == sys.argv[1] and x["version"]]
print("%s/%d" % (live[0] if live else "", len([h for h in d["history"] if h["environment"] == sys.argv[1]])))' "$3"
}
pol="$T/policy.db"
"$M" -r "$pol" env set production --required-approvals 2 >/dev/null || fail "env set production"
expect_exit 1 "import of a file store with models/churn/aliases/production (exit 1: refused)" -- "$M" -r "$pol" import "$fs"
expect_in "$T/err" "model 'churn' alias 'production': named like the environment 'production' here" \
	"the output names the alias not taken and why"
[ "$(live_in "$pol" churn production)" = "/0" ] && ok "nothing live in production, no deployment row" ||
	fail "after the import churn in production is $(live_in "$pol" churn production) (version/rows)"
expect_exit 0 "versions after the import" -- "$M" -r "$pol" versions churn --json
expect_in "$T/out" "champion" "an alias named like no environment is taken"
expect_exit 0 "audit after the import" -- "$M" -r "$pol" audit --json
python3 - "$T/out" <<'PY' && ok "the import's audit detail names it; no deploy audited" || fail "audit: $(head -c 600 "$T/out")"
import json, sys
a = json.load(open(sys.argv[1]))["audit"]
assert not [e for e in a if e["action"] in ("deploy", "rollback")], a
imp = [e for e in a if e["action"] == "import"]
assert len(imp) == 1 and "churn@production" in imp[0]["detail"], imp
PY

# another local registry as the source: churn@production there (made with no
# environment of that name) is not taken either, and says so in --json
src="$T/source.db"
"$M" -r "$src" import "$fs" >/dev/null || fail "import into the source registry"
expect_exit 1 "import of a local registry with an alias named like an environment --json" -- \
	"$M" -r "$pol" import "$src" --json
python3 - "$T/out" <<'PY' && ok "--json lists it as skipped with the reason" || fail "import --json: $(head -c 600 "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))["import"]
s = [x for x in d["skipped"] if x["path"] == "model 'churn' alias 'production'"]
assert len(s) == 1 and "environment 'production'" in s[0]["reason"], d["skipped"]
PY
[ "$(live_in "$pol" churn production)" = "/0" ] && ok "still nothing live in production" ||
	fail "after the second import churn in production is $(live_in "$pol" churn production)"

# an environment created after an import starts with nothing live
expect_exit 0 "env set production where an imported alias has that name" -- "$M" -r "$src" env set production
expect_in "$T/out" "removed the alias 'production' of churn (version 1)" "env set says which alias it removed"
[ "$(live_in "$src" churn production)" = "/0" ] && ok "the new environment has nothing live" ||
	fail "after env set churn in production is $(live_in "$src" churn production)"
expect_exit 0 "audit after env set" -- "$M" -r "$src" audit --json
expect_in "$T/out" "removed alias 'production' of churn (version 1)" "the policy audit record names the removed alias"
# ---- a re-import keeps the aliases equal to the source (issue 15) ----
# Aliases this source's import set move and go with it; one set here, or one
# moved here since, stays (and is reported while it differs).
cp -r "$W/mlruns" "$T/al"
chmod -R u+w "$T/al"
am="$T/al/models/sk-learn-random-forest-reg-model/aliases"
mkdir -p "$am"
printf 1 >"$am/champion"
printf 2 >"$am/challenger"
printf 3 >"$am/old"
printf 1 >"$am/shadow"
expect_exit 0 "first import of a store with aliases" -- "$M" -r "$T/al.db" import "$T/al"
# aliases DB: the model's aliases as "alias=version ..." sorted
aliases() {
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(" ".join("%s=%d" % r for r in db.execute("SELECT a.alias, a.version FROM model_aliases a"
    " JOIN registered_models m ON m.id = a.model_id WHERE m.name = ? ORDER BY a.alias", (sys.argv[2],))))' "$1" "$2"
}
python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
mid = db.execute("SELECT id FROM registered_models WHERE name = ?", ("sk-learn-random-forest-reg-model",)).fetchone()[0]
db.execute("INSERT INTO model_aliases (model_id, alias, version) VALUES (?, ?, ?)", (mid, "local", 2))
db.execute("UPDATE model_aliases SET version = ? WHERE model_id = ? AND alias = ?", (3, mid, "shadow"))
db.commit()' "$T/al.db" || fail "setting aliases locally"
printf 4 >"$am/champion"
rm "$am/old"
printf 2 >"$am/local"
printf 2 >"$am/shadow"
expect_exit 1 "re-import after the source moved champion and removed old (exit 1: shadow kept)" -- "$M" -r "$T/al.db" import "$T/al"
got=$(aliases "$T/al.db" sk-learn-random-forest-reg-model)
[ "$got" = "challenger=2 champion=4 local=2 shadow=3" ] && ok "champion moved, old gone, the local and the locally moved alias kept" ||
	fail "aliases after the re-import: $got"
expect_in "$T/out" "REMOVED" "the summary has a REMOVED column"
expect_in "$T/err" "alias 'shadow': points at version 3 here and 2 in the source; kept as is (moved here since this source was imported)" "the locally moved alias is reported"
expect_not_in "$T/err" "alias 'local'" "the local alias agrees with the source: nothing to report"
rm "$am/local" "$am/shadow"
expect_exit 0 "re-import after the source removed local and shadow --json" -- "$M" -r "$T/al.db" import "$T/al" --json
got=$(aliases "$T/al.db" sk-learn-random-forest-reg-model)
[ "$got" = "challenger=2 champion=4 local=2 shadow=3" ] && ok "aliases the source never set here stay when it removes them" ||
	fail "aliases after removing local and shadow: $got"
python3 - "$T/out" <<'PY' && ok "--json: complete, nothing removed" || fail "--json: $(head -c 600 "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))["import"]
assert d["complete"] is True and d["removed"]["aliases"] == 0, d
PY
rm "$am/challenger"
expect_exit 0 "re-import after the source removed challenger --json" -- "$M" -r "$T/al.db" import "$T/al" --json
python3 - "$T/out" <<'PY' && ok "--json counts the removed alias" || fail "--json: $(head -c 600 "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))["import"]
assert d["removed"]["aliases"] == 1 and d["nothing_new"] is False, d
PY
got=$(aliases "$T/al.db" sk-learn-random-forest-reg-model)
[ "$got" = "champion=4 local=2 shadow=3" ] && ok "challenger gone" || fail "aliases: $got"
# an alias named like an environment is never touched, even one an import set
"$M" -r "$T/al.db" env set champion >/dev/null 2>&1 || fail "env set champion"
printf 3 >"$am/champion"
expect_exit 1 "re-import with champion now an environment" -- "$M" -r "$T/al.db" import "$T/al"
expect_in "$T/err" "alias 'champion': named like the environment 'champion' here" "refused, with why"
rm "$am/champion"
"$M" -r "$T/al.db" import "$T/al" >/dev/null 2>&1
[ "$(live_in "$T/al.db" sk-learn-random-forest-reg-model champion)" = "/0" ] && ok "nothing live in champion after the source removed it" ||
	fail "champion: $(live_in "$T/al.db" sk-learn-random-forest-reg-model champion)"
# ---- symbolic links in a store (issue 11, item 3) ----
# mkrun STORE: a store with experiment 1 'links' and one run; its folder is echoed.
mkrun() {
	r="$1/1/eeeeeeee000000000000000000000001"
	mkdir -p "$r/params" "$r/metrics"
	printf "experiment_id: '1'\nlifecycle_stage: active\nname: links\n" >"$1/1/meta.yaml"
	printf "artifact_uri: file:///x\nend_time: 2\nexperiment_id: '1'\nlifecycle_stage: active\nrun_id: %s\nrun_uuid: %s\nstart_time: 1\nstatus: 3\ntags: []\nuser_id: ann\n" \
		"${r##*/}" "${r##*/}" >"$r/meta.yaml"
	printf 0.1 >"$r/params/lr"
	printf '1 0.5 0\n' >"$r/metrics/acc"
	echo "$r"
}
secret="not-for-the-registry-$$"
printf '%s' "$secret" >"$T/secret"
run=$(mkrun "$T/leakstore")
ln -s "$T/secret" "$run/params/leak"
expect_exit 1 "import of a store with params/leak -> a file outside it" -- timeout 20 "$M" -r "$T/links.db" import "$T/leakstore"
expect_in "$T/err" "params/leak: cannot read: a symbolic link that leads out of the store" "the link is reported with its path and why"
! grep -aq "$secret" "$T"/links.db* && ok "the registry never holds the file's content" || fail "the secret was copied into the registry"
expect_exit 0 "runs of the imported store" -- "$M" -r "$T/links.db" runs links --json
expect_in "$T/out" '"lr"' "the rest of the run is imported"
run=$(mkrun "$T/loopstore")
ln -s . "$run/metrics/a" && ln -s . "$run/metrics/b"
expect_exit 0 "runs of a store with metrics/a -> . and metrics/b -> . (in 20 s)" -- timeout 20 "$M" -r "$T/loopstore" runs links --json
python3 - "$T/out" <<'PY' && ok "no bogus metric keys" || fail "metrics: $(head -c 300 "$T/out")"
import json, sys
rs = json.load(open(sys.argv[1]))["runs"]
assert len(rs) == 1 and sorted(rs[0]["metrics"]) == ["acc"], rs
PY
finish
