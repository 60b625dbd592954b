#!/bin/bash
# tests/cli/mlflowsql.sh: MLflow's own SQL store (sqlite:///mlflow.db) read
# read-only through the CLI and the console, never written, refused changes,
# and imported into a local registry (twice: the second adds nothing).
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
command -v python3 >/dev/null 2>&1 || skip "python3 (with its sqlite3 module) builds the MLflow database"
python3 -c 'import sqlite3' 2>/dev/null || skip "python3 has no sqlite3 module to build the MLflow database"

db="$T/mlflow.db"
# An MLflow 2.x-shaped store, as SQLAlchemy leaves it.
python3 - "$db" <<'PY' || { echo "cannot build $db" >&2; exit 1; }
import sqlite3, sys
R1, R2, R3 = "a" * 31 + "1", "a" * 31 + "2", "b" * 31 + "3"
c = sqlite3.connect(sys.argv[1])
c.executescript("""
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version VALUES ('acf3f17fdcc7');
CREATE TABLE experiments (experiment_id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(256) NOT NULL UNIQUE,
  artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32), creation_time BIGINT, last_update_time BIGINT);
CREATE TABLE experiment_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000), experiment_id INTEGER NOT NULL,
  PRIMARY KEY (key, experiment_id));
CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL PRIMARY KEY, name VARCHAR(250), source_type VARCHAR(20),
  source_name VARCHAR(500), entry_point_name VARCHAR(50), user_id VARCHAR(256), status VARCHAR(9),
  start_time BIGINT, end_time BIGINT, deleted_time BIGINT, source_version VARCHAR(50),
  lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200), experiment_id INTEGER);
CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL,
  run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL,
  PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan));
CREATE TABLE latest_metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT,
  step BIGINT NOT NULL, is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));
CREATE TABLE params (key VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL,
  PRIMARY KEY (key, run_uuid));
CREATE TABLE tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000), run_uuid VARCHAR(32) NOT NULL,
  PRIMARY KEY (key, run_uuid));
CREATE TABLE registered_models (name VARCHAR(256) NOT NULL PRIMARY KEY, creation_time BIGINT,
  last_updated_time BIGINT, description VARCHAR(5000));
CREATE TABLE model_versions (name VARCHAR(256) NOT NULL, version INTEGER NOT NULL, creation_time BIGINT,
  last_updated_time BIGINT, description VARCHAR(5000), user_id VARCHAR(256), current_stage VARCHAR(20),
  source VARCHAR(500), run_id VARCHAR(32), status VARCHAR(20), status_message VARCHAR(500),
  run_link VARCHAR(500), storage_location VARCHAR(500), PRIMARY KEY (name, version));
CREATE TABLE registered_model_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000), name VARCHAR(256) NOT NULL,
  PRIMARY KEY (key, name));
CREATE TABLE model_version_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000), name VARCHAR(256) NOT NULL,
  version INTEGER NOT NULL, PRIMARY KEY (key, name, version));
CREATE TABLE registered_model_aliases (alias VARCHAR(256) NOT NULL, version INTEGER NOT NULL,
  name VARCHAR(256) NOT NULL, PRIMARY KEY (name, alias));
""")
c.executemany("INSERT INTO experiments VALUES (?,?,?,?,?,?)", [
    (0, "Default", "file:///a/0", "active", 10, 10), (1, "vision", "file:///a/1", "active", 20, 20),
    (2, "old", "file:///a/2", "deleted", 30, 40)])
c.execute("INSERT INTO experiment_tags VALUES ('team', 'vision', 1)")
c.executemany("INSERT INTO runs (run_uuid, name, user_id, status, start_time, end_time, lifecycle_stage,"
              " artifact_uri, experiment_id) VALUES (?,?,?,?,?,?,?,?,?)", [
    (R1, "alpha", "ana", "FINISHED", 1000, 2000, "active", "file:///a/1", 1),
    (R2, "beta", "bo", "RUNNING", 3000, None, "active", "file:///a/2", 1),
    (R3, "gamma", "ana", "FAILED", 2000, 2500, "deleted", "file:///a/3", 2)])
c.executemany("INSERT INTO params VALUES (?,?,?)", [("lr", "0.01", R1), ("layers", "3", R1), ("lr", "0.1", R2)])
c.executemany("INSERT INTO tags VALUES (?,?,?)", [("mlflow.runName", "alpha", R1), ("team", "a", R1)])
points = [("acc", 0.5, 100, R1, 0, 0), ("acc", 0.95, 150, R1, 1, 0), ("acc", 0.7, 200, R1, 1, 0),
          ("loss", 0.3, 100, R2, 0, 0), ("loss", 0.0, 200, R2, 1, 1), ("acc", 0.8, 100, R2, 0, 0),
          ("acc", 0.1, 100, R3, 0, 0)]
c.executemany("INSERT INTO metrics VALUES (?,?,?,?,?,?)", points)
c.executemany("INSERT INTO latest_metrics VALUES (?,?,?,?,?,?)", [
    ("acc", 0.7, 200, 1, 0, R1), ("loss", 0.0, 200, 1, 1, R2), ("acc", 0.8, 100, 0, 0, R2),
    ("acc", 0.1, 100, 0, 0, R3)])
c.executemany("INSERT INTO registered_models VALUES (?,?,?,?)", [("clf", 100, 200, "classifier")])
c.executemany("INSERT INTO model_versions (name, version, creation_time, last_updated_time, user_id,"
              " current_stage, source, run_id, status) VALUES (?,?,?,?,?,?,?,?,?)", [
    ("clf", 1, 110, 110, "ana", "Archived", "runs:/%s/m" % R1, R1, "READY"),
    ("clf", 2, 120, 120, "ana", "Production", "runs:/%s/m" % R1, R1, "READY"),
    ("clf", 3, 130, 130, "bo", "Deleted_Internal", "runs:/%s/m" % R2, R2, "READY")])
c.execute("INSERT INTO registered_model_tags VALUES ('owner', 'ana', 'clf')")
c.execute("INSERT INTO model_version_tags VALUES ('validated', 'yes', 'clf', 2)")
c.execute("INSERT INTO registered_model_aliases VALUES ('champion', 2, 'clf')")
c.commit()
c.close()
PY
cp -p "$db" "$T/pristine.db"
uri="sqlite:///$db" # $db is absolute: sqlite:////tmp/..., as SQLAlchemy writes it

# unchanged DESCRIPTION: the store is byte for byte as built, with no -wal/-shm beside it.
unchanged() {
	if cmp -s "$db" "$T/pristine.db" && [ ! -e "$db-wal" ] && [ ! -e "$db-shm" ] &&
		[ "$(stat -c %Y "$db")" = "$(stat -c %Y "$T/pristine.db")" ]; then ok "$1"; else
		fail "$1: the MLflow store changed"; fi
}

# ---- browsing ----
expect_exit 0 "experiments of an MLflow SQL store" -- "$M" -r "$uri" experiments
expect_in "$T/out" "vision" "active experiment listed"
expect_not_in "$T/out" "old" "deleted experiment hidden without --all"
expect_exit 0 "experiments --all --json" -- "$M" -r "$uri" experiments --all --json
python3 - "$T/out" <<'PY' && ok "3 experiments, one deleted, run counts" || fail "experiments json"
import json, sys
es = {e["name"]: e for e in json.load(open(sys.argv[1]))["experiments"]}
assert sorted(es) == ["Default", "old", "vision"], es
assert es["old"]["lifecycle_stage"] == "deleted"
assert es["vision"]["run_count"] == 2 and es["vision"]["tags"] == {"team": "vision"}, es["vision"]
PY
expect_exit 0 "runs of an experiment" -- "$M" -r "$uri" runs vision --json
python3 - "$T/out" <<'PY' && ok "newest first, RUNNING run, NaN kept, latest by step" || fail "runs json"
import json, sys
rs = json.load(open(sys.argv[1]))["runs"]
assert [r["run_name"] for r in rs] == ["beta", "alpha"], rs
assert rs[0]["status"] == "RUNNING"
assert rs[1]["metrics"]["acc"] == 0.7 and rs[1]["params"] == {"layers": "3", "lr": "0.01"}, rs[1]
assert rs[0]["metrics"]["loss"] is None or str(rs[0]["metrics"]["loss"]).lower() == "nan", rs[0]
PY
expect_exit 0 "runs in a text table" -- "$M" -r "$uri" runs vision --filter "metrics.acc > 0.75"
expect_in "$T/out" "beta" "a filter on a latest metric"
expect_not_in "$T/out" "alpha" "the filter leaves the other run out"
expect_exit 0 "history of a duplicated step" -- "$M" -r "$uri" history "$(printf %031d 0 | tr 0 a)1" acc
[ "$(grep -c '^1 ' "$T/out")" -eq 2 ] && ok "both points of step 1" || fail "history: $(head -8 "$T/out")"
expect_exit 0 "models --json" -- "$M" -r "$uri" models --json
python3 - "$T/out" <<'PY' && ok "one model, deleted version not counted, alias" || fail "models json"
import json, sys
ms = json.load(open(sys.argv[1]))["models"]
assert [m["name"] for m in ms] == ["clf"], ms
m = ms[0]
assert m["latest_version"] == "2", m
assert m["aliases"] == {"champion": "2"} or m["aliases"] == [{"alias": "champion", "version": "2"}], m
PY
expect_exit 0 "versions of a model" -- "$M" -r "$uri" versions clf
expect_in "$T/out" "Production" "stages shown"
expect_not_in "$T/out" "Deleted_Internal" "deleted versions hidden"
expect_exit 1 "a missing model" -- "$M" -r "$uri" versions nope
expect_in "$T/err" "model 'nope': not found in $db" "the error names the model and the file"
expect_exit 0 "a plain path to the file" -- "$M" -r "$db" experiments
expect_in "$T/out" "vision" "recognised by its tables, not its name"
(cd "$T" && "$M" -r "sqlite:///mlflow.db" experiments >"$T/out" 2>"$T/err") &&
	ok "sqlite:///relative (SQLAlchemy's form)" || fail "relative URI: $(cat "$T/err")"
unchanged "browsing leaves the store untouched"

# ---- refused changes ----
expect_exit 1 "deploy is refused" -- "$M" -r "$uri" deploy clf 2 --env production
expect_in "$T/err" "read-only" "the refusal says read-only"
expect_exit 1 "env set is refused" -- "$M" -r "$uri" env set staging --order 1
expect_exit 1 "import into the MLflow store is refused" -- "$M" -r "$uri" import "$T/pristine.db"
expect_in "$T/err" "local SQLite registry" "imports go into a local registry only"
unchanged "refused changes leave the store untouched"

# ---- import ----
reg="$T/reg.db"
expect_exit 0 "import of an MLflow SQL store" -- "$M" -r "$reg" import "$uri" --json
python3 - "$T/out" <<'PY' && ok "everything copied" || fail "import counts"
import json, sys
d = json.load(open(sys.argv[1]))["import"]
a = d["added"]
want = {"experiments": 3, "runs": 3, "params": 3, "metric_points": 7, "models": 1, "versions": 2,
        "aliases": 1}
assert all(a[k] == v for k, v in want.items()), a
assert d["skipped"] == [], d["skipped"]
PY
expect_exit 0 "second import" -- "$M" -r "$reg" import "$db"
expect_in "$T/out" "nothing new" "a second import adds nothing"
expect_exit 0 "runs of the imported registry" -- "$M" -r "$reg" runs vision --all --json
python3 - "$T/out" <<'PY' && ok "imported runs keep their values" || fail "imported runs"
import json, sys
rs = json.load(open(sys.argv[1]))["runs"]
assert [r["run_name"] for r in rs] == ["beta", "alpha"], rs
assert rs[1]["metrics"]["acc"] == 0.7
PY
expect_exit 0 "versions of the imported model" -- "$M" -r "$reg" versions clf
expect_in "$T/out" "Production" "stages imported"
unchanged "importing leaves the store untouched"

# ---- the console ----
if [ -z "${TMUX_MISSING:-}" ]; then
	tui_start 100 24 -r "$uri"
	wait_for "READ-ONLY"
	wait_for "Models (1)"
	keys q
	[ "$(wait_exit)" = 0 ] && ok "q exits 0" || fail "exit status $(cat "$T/tui.err")"
	unchanged "the console leaves the store untouched"
fi
finish
