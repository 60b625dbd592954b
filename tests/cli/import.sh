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
for store in "$P" "$F" "$W/mlruns" "$W/src/mlruns"; do
	expect_exit 0 "import $(basename "$(dirname "$store")")/$(basename "$store")" -- "$M" -r "$db" import "$store"
	expect_in "$T/out" "imported mlruns:" "import names the source"
done
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
expect_exit 0 "import of a damaged copy" -- "$M" -r "$T/d.db" import "$T/damaged"
expect_in "$T/out" "26df4d45aa134dcaaef9e42ba1818e3d/meta.yaml: no run_id (a truncated file?)" "truncated meta.yaml reported with its path"
expect_in "$T/out" "metrics/train/loss: line" "garbage metric line reported with its path and line"
expect_in "$T/out" "f60ab17eafd546f28a8135f8ac5b21e7/params: not a folder" "unreadable folder reported"
expect_in "$T/err" "the rest was imported" "stderr says the rest was imported"
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
finish
