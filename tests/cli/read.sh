#!/bin/bash
# tests/cli/read.sh: the read commands on a demo registry, in text and --json,
# and `demo create` itself.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
db=$(demo_db)

expect_exit 0 "--version" -- "$M" --version
expect_in "$T/out" "mlconsole 0.1.0" "--version names the version"
expect_exit 0 "--help" -- "$M" --help
expect_in "$T/out" "Usage: mlconsole" "--help shows usage"
expect_in "$T/out" "demo create PATH" "--help lists demo create"
expect_in "$T/out" "deleted runs too" "--help says what runs --all adds"
expect_in "$T/out" "deleted ones too" "--help says what experiments --all adds"

expect_exit 0 "models" -- "$M" -r "$db" models
expect_in "$T/out" "NAME" "models has a header"
expect_in "$T/out" "fraud-detector" "models lists fraud-detector"
[ "$(wc -l <"$T/out")" -eq 9 ] && ok "8 models and a header" || fail "models printed $(wc -l <"$T/out") lines"

expect_exit 0 "models --json" -- "$M" -r "$db" models --json
python3 - "$T/out" <<'PY' && ok "models --json is MLflow-shaped" || fail "models --json shape"
import json, sys
d = json.load(open(sys.argv[1]))
ms = d["models"]
assert len(ms) == 8, len(ms)
assert [m["name"] for m in ms] == sorted(m["name"] for m in ms)
m = ms[0]
for k in ("name", "latest_version", "aliases", "creation_timestamp", "last_updated_timestamp"):
    assert k in m, k
assert isinstance(m["latest_version"], str)
PY

# Nothing matching is an empty list (the sanitizer build exited 1 here:
# qsort was handed NULL for no models).
expect_exit 0 "a models filter that matches nothing" -- "$M" -r "$db" models --filter "name = 'nope'"
[ "$(cat "$T/out")" = "$(head -1 "$T/out")" ] && grep -q '^NAME' "$T/out" && ok "only the header" \
	|| fail "no models: $(head -c 300 "$T/out")"

expect_exit 0 "versions" -- "$M" -r "$db" versions fraud-detector --json
python3 - "$T/out" <<'PY' && ok "versions are highest first, strings" || fail "versions order"
import json, sys
vs = json.load(open(sys.argv[1]))["versions"]
nums = [int(v["version"]) for v in vs]
assert nums == sorted(nums, reverse=True) and len(nums) >= 3, nums
assert all(isinstance(v["version"], str) for v in vs)
assert any("production" in v["aliases"] for v in vs)
PY

expect_exit 0 "experiments" -- "$M" -r "$db" experiments
[ "$(wc -l <"$T/out")" -eq 5 ] && ok "4 active experiments and a header" || fail "experiments: $(cat "$T/out")"
expect_exit 0 "experiments --all" -- "$M" -r "$db" experiments --all --json
python3 - "$T/out" <<'PY' && ok "experiments --json has run counts and deleted ones with --all" || fail "experiments json"
import json, sys
es = json.load(open(sys.argv[1]))["experiments"]
assert all(k in es[0] for k in ("experiment_id", "name", "lifecycle_stage", "run_count", "last_update_time"))
assert any(e["lifecycle_stage"] == "deleted" for e in es)
assert all(50 <= e["run_count"] <= 300 for e in es if e["lifecycle_stage"] == "active")
PY

exp=$(python3 -c "import json,sys; print(json.load(open('$T/out'))['experiments'][0]['name'])")
expect_exit 0 "runs --limit 5" -- "$M" -r "$db" runs "$exp" --limit 5
[ "$(wc -l <"$T/out")" -eq 6 ] && ok "--limit 5 prints 5 runs" || fail "runs --limit: $(cat "$T/out")"
expect_in "$T/out" "RUN_ID" "runs has a header"

expect_exit 0 "runs --json" -- "$M" -r "$db" runs "$exp" --json --filter "status = 'FINISHED'" --order-by "start_time ASC"
python3 - "$T/out" <<'PY' && ok "runs --json filtered and ordered" || fail "runs json"
import json, sys
rs = json.load(open(sys.argv[1]))["runs"]
assert rs and all(r["status"] == "FINISHED" for r in rs)
st = [r["start_time"] for r in rs]
assert st == sorted(st)
r = rs[0]
for k in ("run_id", "run_name", "experiment_id", "status", "start_time", "end_time", "user_id", "metrics", "params", "tags"):
    assert k in r, k
assert r["metrics"] and r["params"]
PY

# A metric filter and order-by against the values the runs really have.
key=$(python3 -c "import json; r=json.load(open('$T/out'))['runs'][0]; print(sorted(r['metrics'])[0])")
expect_exit 0 "runs --filter on a metric" -- "$M" -r "$db" runs "$exp" --json --filter "metrics.$key >= 0" --order-by "metrics.$key DESC"
python3 - "$T/out" "$key" <<'PY' && ok "metric filter and order are honoured" || fail "metric order"
import json, math, sys
rs = json.load(open(sys.argv[1]))["runs"]; k = sys.argv[2]
vals = [r["metrics"][k] for r in rs]
assert vals and all(isinstance(v, float) and v >= 0 for v in vals), vals[:5]
assert vals == sorted(vals, reverse=True)
PY

pkey=$(python3 -c "import json; r=json.load(open('$T/out'))['runs'][0]; print(sorted(r['params'])[0])")
expect_exit 0 "runs --columns" -- "$M" -r "$db" runs "$exp" --columns "$key,params.$pkey" --limit 3
expect_in "$T/out" "params.$pkey" "--columns names the columns"
# a key no run has is a usage error (tests/cli/usage.sh), not a column of '-'
expect_exit 2 "runs --columns with an unknown key" -- "$M" -r "$db" runs "$exp" --columns "$key,params.nope"

# deployments MODEL lists every environment in promotion order, as the TUI
# does: "-" where nothing is live (--json: version null), and --env only that one.
cp "$db" "$T/envs.db"
"$M" -r "$T/envs.db" env set canary --order 3 >/dev/null || fail "env set canary"
expect_exit 0 "deployments credit-risk" -- "$M" -r "$T/envs.db" deployments credit-risk
[ "$(sed -n '2,5p' "$T/out" | awk '{print $1}' | tr '\n' ' ')" = "dev staging canary production " ] &&
	ok "every environment, in order" || fail "deployments rows: $(head -6 "$T/out")"
grep -qE '^canary +- +- +- +-$' "$T/out" && ok "'-' where nothing is live" || fail "canary row: $(grep canary "$T/out")"
expect_exit 0 "deployments credit-risk --json" -- "$M" -r "$T/envs.db" deployments credit-risk --json
python3 - "$T/out" <<'PY' && ok "--json: every environment, version null in canary" || fail "deployments --json: $(head -c 600 "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))["deployments"]
assert [x["environment"] for x in d] == ["dev", "staging", "canary", "production"], d
c = d[2]
assert c == {"model": "credit-risk", "environment": "canary", "version": None, "since": None,
             "by": None, "hook_status": None}, c
assert all(x["version"] for x in d if x["environment"] != "canary"), d
PY
expect_exit 0 "deployments --env canary" -- "$M" -r "$T/envs.db" deployments credit-risk --env canary --json
python3 - "$T/out" <<'PY' && ok "--env: only that environment" || fail "--env canary: $(head -c 600 "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))["deployments"]
assert [(x["environment"], x["version"]) for x in d] == [("canary", None)], d
PY

expect_exit 1 "demo create refuses an existing file" -- "$M" demo create "$db"
expect_in "$T/err" "already exists" "the refusal says why"
expect_exit 0 "demo create --force overwrites" -- "$M" demo create "$db" --force --seed 7 --runs 300
expect_exit 0 "small demo is readable" -- "$M" -r "$db" experiments --json
python3 - "$T/out" <<'PY' && ok "--runs is a total" || fail "--runs total"
import json, sys
es = json.load(open(sys.argv[1]))["experiments"]
assert 280 <= sum(e["run_count"] for e in es) <= 300, sum(e["run_count"] for e in es)
PY
finish
