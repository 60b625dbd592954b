#!/usr/bin/env python3
# tests/remote/fixture.py: an MLflow 2.x tracking server for tests, on loopback
# only and standard library only: the REST endpoints mlconsole reads, with the
# semantics, quirks and error shapes recorded in tests/fixtures/mlflow/, plus faults.
"""Usage: fixture.py PORTFILE [--runs N] [--models N] [--auth USER:PASS]
                         [--token TOKEN] [--fault MODE[:ARG][@COUNT]]
                         [--tls CERT KEY] [--long N]

Writes the port it listens on (127.0.0.1, chosen by the kernel) to PORTFILE.
With --tls it serves HTTPS (Python's ssl module) with the PEM certificate
CERT and its private key KEY; the handshake runs in each connection's thread,
so a client that refuses the certificate disturbs no one else.

Seed data: experiments 0 Default, 1 fraud (3 runs: alpha, beta, gamma the
last deleted), 2 bulk (--runs N generated runs, default 1500), 3 old
(deleted), and with --long N, 4 long (N runs whose loss has 10,000
points); models fraud-detector (3 versions, aliases champion=2 and
challenger=3), churn, o'brien, and --models N more (model-0000 ...).
Runs alpha and beta used datasets (run.inputs.dataset_inputs, as MLflow
2.17.2 answers runs/get and runs/search): fraud-train for training (alpha
digest be4e2756, beta 561126d3) and fraud-eval for evaluation (212c3206).

Writes, with MLflow's validation and error shapes: registered-models/alias
(GET, POST, DELETE), registered-models/set-tag and delete-tag,
model-versions/set-tag and delete-tag, model-versions/transition-stage
(legacy stages, quirk 9), experiments/create and
set-experiment-tag, runs/create, runs/update, runs/log-metric (every point kept, the run's
latest value the max of (step, timestamp, value)) and runs/set-tag. DELETE
takes a JSON body, as on MLflow OSS.

Control (never faulted, never authenticated):
  POST /_fixture/fault  {"mode": M, "arg": A, "count": N, "path": SUBSTRING}
      modes: slow (ARG seconds, then the normal answer), drop (close without
      answering), 429 (Retry-After: ARG, default 1), 500, 503 (plain text),
      truncated (half the JSON), html (Flask's 404 page), huge (a
      Content-Length over 64 MiB, then bytes until the client leaves),
      huge_chunked (chunked bytes without end), text401 (plain-text 401),
      cycle_tokens (the first page, whatever the page_token, with
      next_page_token cycle-0, cycle-1, ... cycle-(ARG-1), cycle-0 ...: a
      listing that never ends; ARG defaults to 2);
      COUNT requests (default: every one) whose path holds SUBSTRING.
  POST /_fixture/auth   {"basic": "user:pass"} (or a list of them: any one
      will do) or {"token": "T"} or {}
  POST /_fixture/route  {"path": P, "files": [F, ...], "status": S}: answer P
      with the recorded bodies F in turn (the last one repeats).
  POST /_fixture/hold   {"path": SUBSTRING, "seconds": S, "match": TEXT, "count": N}:
      hold back the requests whose path holds SUBSTRING and whose body holds
      TEXT (e.g. one voter's name, for "path": "set-tag": that client's tag
      writes) S seconds, then apply and answer them, as a slow proxy in front
      of the server would; other requests go on meanwhile. COUNT requests
      (default: every one); holds add up (each request takes the first that
      matches); {} clears them all.
  POST /_fixture/bulk   {"on": false}: /ajax-api/2.0/mlflow/metrics/get-history-bulk
      answers 404, as servers before 2.11 do; {} turns it back on. The
      endpoint answers as MLflow 2.17.2 does: <= 100 run ids, the
      answer cut at max_results (<= 25,000) points, NaN written bare.
  POST /_fixture/reset  clear faults, holds, routes and counters.
  GET  /_fixture/stats  {"requests", "connections", "paths", "log", "auth", "bodies"}
"""
import base64
import hashlib
import json
import re
import socket
import ssl
import sys
import threading
import time
import os
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

API = "/api/2.0/mlflow/"
T0 = 1700000000000
HTML_404 = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server. If you entered the URL manually "
    "please check your spelling and try again.</p>\n"
)
HTML_405 = (
    "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n"
    "<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n"
)
TEXT_401 = (
    "You are not authenticated. Please see "
    "https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow "
    "on how to authenticate."
)
HINT = " See the API docs for more information about request parameters."


class ApiError(Exception):
    """An MLflow error: status, error_code, message."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def invalid(message):
    return ApiError(400, "INVALID_PARAMETER_VALUE", message)


def not_found(message):
    return ApiError(404, "RESOURCE_DOES_NOT_EXIST", message)


# ---- seed data ---------------------------------------------------------------


def kv(d):
    return [{"key": k, "value": v} for k, v in d.items()]


def dataset_input(name, digest, context, uri, rows):
    """One of a run's inputs.dataset_inputs as MLflow 2.17.2 answers it
    (MLflow 2.17.2's run inputs): source, schema and profile are JSON text."""
    schema = {"mlflow_colspec": [{"type": "double", "name": "amount", "required": True},
                                 {"type": "long", "name": "hour", "required": True},
                                 {"type": "long", "name": "label", "required": True}]}
    return {"tags": [{"key": "mlflow.data.context", "value": context}],
            "dataset": {"name": name, "digest": digest, "source_type": "s3",
                        "source": json.dumps({"uri": uri}), "schema": json.dumps(schema),
                        "profile": json.dumps({"num_rows": rows, "num_elements": rows * 3})}}


def run_id(name):
    return hashlib.md5(name.encode()).hexdigest()


class Store:
    """Experiments, runs (with metric histories) and the model registry."""

    def __init__(self, n_runs, n_models):
        self.experiments = []
        self.runs = []  # MLflow Run JSON, plus "_hist" {key: [points]}
        self.models = {}  # name -> registered model JSON without latest_versions
        self.versions = {}  # name -> [model version JSON]
        self.lock = threading.Lock()
        self.seed_experiments()
        self.seed_fraud_runs()
        self.seed_bulk_runs(n_runs)
        self.seed_models(n_models)

    def seed_experiments(self):
        for eid, name, stage in [("0", "Default", "active"), ("1", "fraud", "active"),
                                 ("2", "bulk", "active"), ("3", "old", "deleted")]:
            e = {"experiment_id": eid, "name": name,
                 "artifact_location": "/srv/mlflow/artifacts/" + eid,
                 "lifecycle_stage": stage, "last_update_time": T0 + int(eid),
                 "creation_time": T0 + int(eid)}
            if name == "fraud":
                e["tags"] = [{"key": "team", "value": "risk"}]
            self.experiments.append(e)

    def add_run(self, exp, name, status, start, metrics, params, tags, stage="active",
                hist=None):
        rid = run_id(exp + "/" + name)
        info = {"run_uuid": rid, "experiment_id": exp, "run_name": name, "user_id": "",
                "status": status, "start_time": start,
                "artifact_uri": "/srv/mlflow/artifacts/%s/%s/artifacts" % (exp, rid),
                "lifecycle_stage": stage, "run_id": rid}
        if status != "RUNNING":
            info["end_time"] = start + 60000
        data = {}
        if metrics:
            data["metrics"] = [{"key": k, "value": v, "timestamp": start + 1000, "step": s}
                               for k, (v, s) in metrics.items()]
        if params:
            data["params"] = kv(params)
        data["tags"] = kv(dict(tags, **{"mlflow.runName": name}))
        run = {"info": info, "data": data, "inputs": {}, "_hist": hist or {}}
        self.runs.append(run)
        return rid

    def seed_fraud_runs(self):
        acc = [{"key": "acc", "value": round(0.5 + 0.02 * s, 4), "timestamp": T0 + 1000 * s,
                "step": s} for s in range(20)]
        self.alpha = self.add_run("1", "alpha", "FINISHED", T0 + 3000,
                                  {"acc": (acc[-1]["value"], 19), "loss": (0.25, 19)},
                                  {"lr": "0.01", "layers": "3"}, {"team": "a"},
                                  hist={"acc": acc})
        self.set_inputs(self.alpha, [
            dataset_input("fraud-train", "be4e2756", "training",
                          "s3://data/fraud/train-2026-10-01.parquet", 200),
            dataset_input("fraud-eval", "212c3206", "evaluation",
                          "s3://data/fraud/eval-2026-11-01.parquet", 80)])
        self.beta = self.add_run("1", "beta", "RUNNING", T0 + 2000,
                                 {"acc": (0.7, 3), "nan_metric": ("NaN", 0),
                                  "inf_metric": ("Infinity", 0)},
                                 {"lr": "0.1"}, {},
                                 hist={"nan_metric": [{"key": "nan_metric", "value": "NaN",
                                                       "timestamp": T0, "step": 0}]})
        self.set_inputs(self.beta, [
            dataset_input("fraud-train", "561126d3", "training",
                          "s3://data/fraud/train-2026-11-01.parquet", 220),
            dataset_input("fraud-eval", "212c3206", "evaluation",
                          "s3://data/fraud/eval-2026-11-01.parquet", 80)])
        self.gamma = self.add_run("1", "gamma", "FAILED", T0 + 1000, {"acc": (0.5, 0)},
                                  {"lr": "1.0"}, {}, stage="deleted")

    def set_inputs(self, rid, inputs):
        """Give run rid these dataset inputs (runs/get and runs/search carry them)."""
        self.find_run(rid)["inputs"] = {"dataset_inputs": inputs}

    def seed_bulk_runs(self, n):
        for i in range(n):
            self.add_run("2", "bulk-%05d" % i, "FINISHED", T0 + 1000 * i,
                         {"acc": ((i * 7919 % 1000) / 1000.0, 4), "loss": (1.0 / (i + 1), 4),
                          "f1": (0.5, 4), "auc": (0.6, 4), "rmse": (i % 13 / 10.0, 4)},
                         {"lr": str(0.001 * (i % 10)), "depth": str(i % 7), "seed": str(i)},
                         {"batch": str(i // 100)})

    def seed_long_runs(self, n):
        """Experiment 'long' (--long N): N runs whose loss has 10,000 points,
        so one get-history-bulk of three of them passes its 25,000 cap."""
        if n <= 0:
            return
        self.experiments.append({"experiment_id": "4", "name": "long",
                                 "artifact_location": "/srv/mlflow/artifacts/4",
                                 "lifecycle_stage": "active", "last_update_time": T0 + 4,
                                 "creation_time": T0 + 4})
        for i in range(n):
            hist = [{"key": "loss", "value": round(1.0 / (s + 1) + i, 6),
                     "timestamp": T0 + s, "step": s} for s in range(10000)]
            self.add_run("4", "long-%d" % i, "FINISHED", T0 + 1000 * i,
                         {"loss": (hist[-1]["value"], 9999)}, {}, {}, hist={"loss": hist})

    def add_model(self, name, desc, tags, versions, aliases):
        self.models[name] = {"name": name, "creation_timestamp": T0,
                             "last_updated_timestamp": T0 + len(versions),
                             "description": desc, "tags": kv(tags),
                             "aliases": [{"alias": a, "version": v} for a, v in aliases.items()]}
        vs = []
        for n, (stage, rid) in enumerate(versions, 1):
            v = {"name": name, "version": str(n), "creation_timestamp": T0 + n,
                 "last_updated_timestamp": T0 + n, "current_stage": stage,
                 "description": "version %d" % n,
                 "source": "runs:/%s/model" % rid if rid else "/srv/models/%s/%d" % (name, n),
                 "run_id": rid or "", "status": "READY",
                 "tags": [{"key": "build", "value": str(n)}], "run_link": ""}
            if not v["tags"]:
                del v["tags"]
            vs.append(v)
        self.versions[name] = vs
        for m in (self.models[name],):
            for key in ("tags", "aliases"):
                if not m[key]:
                    del m[key]

    def seed_models(self, n):
        self.add_model("fraud-detector", "Flags fraud", {"team": "risk"},
                       [("Archived", self.alpha), ("Production", self.alpha),
                        ("Staging", self.beta)], {"champion": "2", "challenger": "3"})
        self.add_model("churn", "", {}, [("None", None)], {})
        self.add_model("o'brien", "quoted", {}, [("None", None)], {})
        for i in range(n):
            self.add_model("model-%04d" % i, "", {}, [("None", None)], {})

    # ---- reads -----------------------------------------------------------

    def model_json(self, name):
        m = dict(self.models[name])
        latest = {}
        for v in self.versions[name]:
            latest[v["current_stage"]] = v
        if latest:
            m["latest_versions"] = list(latest.values())
        return m

    def version_json(self, v, with_aliases):
        v = dict(v)
        if with_aliases:
            al = [a["alias"] for a in self.models[v["name"]].get("aliases", [])
                  if a["version"] == v["version"]]
            if al:
                v["aliases"] = al
        return v

    def run_json(self, run):
        return {k: v for k, v in run.items() if not k.startswith("_")}

    def find_run(self, rid):
        """The run with id rid (the first, as a scan would find), by an index
        over self.runs (runs are only ever appended), as MLflow's stores look
        a run up by its key."""
        by_id = self.__dict__.setdefault("by_id", {})
        for r in self.runs[self.__dict__.get("indexed", 0):]:
            by_id.setdefault(r["info"]["run_id"], r)
        self.indexed = len(self.runs)
        if rid not in by_id:
            raise not_found("Run with id=%s not found" % rid)
        return by_id[rid]


# ---- search grammar (a small version of MLflow's) ------------------------------

COMPARATORS = {"=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE"}
CLAUSE = re.compile(
    r"\s*((?:`[^`]+`|\"[^\"]+\"|[\w.\-]+)(?:\.(?:`[^`]+`|\"[^\"]+\"|[\w.\-]+))?)\s*"
    r"([<>=!]+|LIKE\b|ILIKE\b)\s*('(?:[^']*)'|\"(?:[^\"]*)\"|[-+\w.]+)\s*", re.I)


def like(value, pattern, icase):
    rx = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, value, re.I | re.S if icase else re.S) is not None


def split_key(key):
    """'metrics.acc' -> ('metrics', 'acc'); bare names are attributes."""
    m = re.match(r"(metrics?|params?|parameters?|tags?|attributes?|attr|run)\.(.+)$", key, re.I)
    if not m:
        return "attributes", key.strip('`"')
    kind = m.group(1).lower()
    kind = {"metric": "metrics", "param": "params", "parameter": "params",
            "parameters": "params", "tag": "tags", "attribute": "attributes",
            "attr": "attributes", "run": "attributes"}.get(kind, kind)
    return kind, m.group(2).strip('`"')


def parse_filter(text):
    """AND-joined clauses as (kind, key, op, value)."""
    clauses = []
    if not text or not text.strip():
        return clauses
    for part in re.split(r"\s+AND\s+", text.strip(), flags=re.I):
        m = CLAUSE.fullmatch(part)
        if not m:
            raise invalid("Error on parsing filter '%s'" % text)
        key, op, value = m.groups()
        if op.upper() not in COMPARATORS:
            raise invalid("Invalid comparator '%s' not one of "
                          "'{'<', '<=', '=', '>', '!=', '>='}" % op)
        if value[0] in "'\"":
            value = value[1:-1]
        else:
            try:
                value = float(value)
            except ValueError:
                raise invalid("Invalid value '%s' in filter '%s'" % (value, text))
        kind, name = split_key(key)
        clauses.append((kind, name, op.upper(), value))
    return clauses


def compare(actual, op, value):
    if actual is None:
        return False
    if op in ("LIKE", "ILIKE"):
        return like(str(actual), str(value), op == "ILIKE")
    if isinstance(value, float):
        try:
            actual = float(actual)
        except (TypeError, ValueError):
            return False
        if actual != actual:
            return False
    else:
        actual = str(actual)
    return {"=": actual == value, "!=": actual != value, "<": actual < value,
            "<=": actual <= value, ">": actual > value, ">=": actual >= value}[op]


def run_value(run, kind, key):
    data = run["data"]
    if kind == "attributes":
        key = {"created": "start_time", "Created": "start_time", "run name": "run_name"}.get(
            key, key)
        return run["info"].get(key)
    arr = data.get(kind, [])
    for e in arr:
        if e["key"] == key:
            return e["value"]
    return None


def order_key(text):
    m = re.fullmatch(r"\s*(.+?)(?:\s+(ASC|DESC))?\s*", text, re.I)
    kind, key = split_key(m.group(1))
    return kind, key, (m.group(2) or "ASC").upper() == "DESC"


def sort_runs(runs, order_by):
    """MLflow's order (SqlAlchemyStore._get_orderby_clauses): for each key, in
    either direction, the values, then NaN (metrics), then runs without it;
    then newest first, then by id. Metrics and times sort as numbers, the
    rest as text."""
    def rank_value(r, kind, key):
        v = run_value(r, kind, key)
        if v is None:
            return 2, None
        if not (kind == "metrics" or key in ("start_time", "end_time")):
            return 0, v
        try:
            f = float(v)
        except (TypeError, ValueError):
            return 2, None
        return (1, None) if f != f else (0, f)

    runs = sorted(runs, key=lambda r: r["info"]["run_id"])
    runs = sorted(runs, key=lambda r: -r["info"]["start_time"])
    for kind, key, desc in reversed([order_key(o) for o in order_by]):
        groups = {0: [], 1: [], 2: []}
        for r in runs:
            groups[rank_value(r, kind, key)[0]].append(r)
        groups[0].sort(key=lambda r: rank_value(r, kind, key)[1], reverse=desc)
        runs = groups[0] + groups[1] + groups[2]
    return runs


# ---- paging --------------------------------------------------------------------


def encode_token(offset):
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def decode_token(token):
    if not token:
        return 0
    try:
        return int(json.loads(base64.b64decode(token, validate=True))["offset"])
    except Exception:
        raise invalid("Invalid page token, could not base64-decode")


def int_param(args, name, default, maximum):
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise invalid("Invalid value %r for parameter '%s' supplied:  Hint: Value was of "
                      "type 'str'.%s" % (raw, name, HINT))
    if value <= 0 or value > maximum:
        raise invalid("Invalid value %d for parameter '%s' supplied:  Hint: Value was of "
                      "type 'int'.%s" % (value, name, HINT))
    return value


def page(items, args, key, default, maximum, always_token):
    """One page of items as MLflow answers it; runs/search (always_token)
    hands out a token whenever the page is full, even at the very end."""
    size = int_param(args, "max_results", default, maximum)
    start = decode_token(args.get("page_token"))
    chunk = items[start:start + size]
    out = {}
    if chunk:
        out[key] = chunk
    if (always_token and len(chunk) == size) or start + size < len(items):
        out["next_page_token"] = encode_token(start + size)
    return out


# ---- the endpoints ---------------------------------------------------------------


def required(args, name):
    if args.get(name) in (None, ""):
        raise invalid("Missing value for required parameter '%s'.%s" % (name, HINT))
    return args[name]


def model_filter(store, text):
    clauses = parse_filter(text)
    out = []
    for name in store.models:
        m = store.models[name]
        ok = True
        for kind, key, op, value in clauses:
            if kind == "attributes" and key == "name":
                actual = name
            elif kind == "tags":
                actual = next((t["value"] for t in m.get("tags", []) if t["key"] == key), None)
            else:
                raise invalid("Invalid attribute key '%s' specified." % key)
            ok = ok and compare(actual, op, value)
        if ok:
            out.append(name)
    return out


def search_models(store, args):
    names = sorted(model_filter(store, args.get("filter")))
    for o in reversed(args.get("order_by_list", [])):
        kind, key, desc = order_key(o)
        if key not in ("name", "last_updated_timestamp", "creation_timestamp"):
            raise invalid("Invalid order by key '%s' specified." % key)
        names.sort(key=lambda n: store.models[n].get(key, n), reverse=desc)
    return page([store.model_json(n) for n in names], args, "registered_models", 100, 1000,
                False)


def search_versions(store, args):
    clauses = parse_filter(args.get("filter"))
    found = []
    for name in sorted(store.versions):
        for v in store.versions[name]:
            ok = True
            for kind, key, op, value in clauses:
                if kind == "tags":
                    actual = next((t["value"] for t in v.get("tags", []) if t["key"] == key),
                                  None)
                elif key in ("name", "run_id", "source_path"):
                    actual = v["source"] if key == "source_path" else v[key]
                elif key == "version_number":
                    actual = float(v["version"])
                else:
                    raise invalid("Invalid attribute key '%s' specified." % key)
                ok = ok and compare(actual, op, value)
            if ok:
                found.append(v)
    found.sort(key=lambda v: -v["last_updated_timestamp"])
    for o in reversed(args.get("order_by_list", [])):
        kind, key, desc = order_key(o)
        if key == "version_number":
            found.sort(key=lambda v: int(v["version"]), reverse=desc)
        elif key in ("name", "creation_timestamp", "last_updated_timestamp"):
            found.sort(key=lambda v: v[key], reverse=desc)
    found = [store.version_json(v, False) for v in found]
    return page(found, args, "model_versions", 200000, 200000, False)


def get_model(store, args):
    name = required(args, "name")
    if name not in store.models:
        raise not_found("Registered Model with name=%s not found" % name)
    return {"registered_model": store.model_json(name)}


def get_version(store, args):
    name, version = required(args, "name"), required(args, "version")
    if not version.isdigit():
        raise invalid("Model version must be an integer, got '%s'" % version)
    for v in store.versions.get(name, []):
        if v["version"] == version:
            return {"model_version": store.version_json(v, True)}
    raise not_found("Model Version (name=%s, version=%s) not found" % (name, version))


def search_experiments(store, args):
    view = args.get("view_type") or "ACTIVE_ONLY"
    size = args.get("max_results")
    if size in (None, "", 0, "0"):
        raise invalid("Invalid value 0 for parameter 'max_results' supplied:  Hint: Value "
                      "was of type 'int'.%s" % HINT)
    exps = [e for e in store.experiments
            if view == "ALL" or (view == "DELETED_ONLY") == (e["lifecycle_stage"] == "deleted")]
    return page(exps, args, "experiments", 1000, 50000, False)


def get_experiment(store, args):
    eid = required(args, "experiment_id")
    for e in store.experiments:
        if e["experiment_id"] == eid:
            return {"experiment": e}
    raise not_found("No Experiment with id=%s exists" % eid)


def get_experiment_by_name(store, args):
    name = required(args, "experiment_name")
    for e in store.experiments:
        if e["name"] == name:
            return {"experiment": e}
    raise not_found("Could not find experiment with name '%s'" % name)


def search_runs(store, args):
    ids = args.get("experiment_ids") or []
    view = args.get("run_view_type") or "ACTIVE_ONLY"
    clauses = parse_filter(args.get("filter"))
    runs = []
    for r in store.runs:
        if r["info"]["experiment_id"] not in ids:
            continue
        deleted = r["info"]["lifecycle_stage"] == "deleted"
        if view != "ALL" and (view == "DELETED_ONLY") != deleted:
            continue
        if all(compare(run_value(r, k, key), op, v) for k, key, op, v in clauses):
            runs.append(r)
    runs = sort_runs(runs, args.get("order_by_list", []))
    if any(order_key(o)[0] == "metrics" for o in args.get("order_by_list", [])):
        time.sleep(store.metric_sort_delay)
    return page([store.run_json(r) for r in runs], args, "runs", 1000, 50000, True)


def get_run(store, args):
    return {"run": store.run_json(store.find_run(required(args, "run_id")))}


def metric_history(store, args):
    run = store.find_run(required(args, "run_id"))
    key = required(args, "metric_key")
    points = run["_hist"].get(key)
    if points is None:
        points = [{"key": m["key"], "value": m["value"], "timestamp": m["timestamp"],
                   "step": m["step"]} for m in run["data"].get("metrics", []) if m["key"] == key]
    return {"metrics": points} if points else {}


def metric_history_bulk(store, args):
    """GET /ajax-api/2.0/mlflow/metrics/get-history-bulk as MLflow 2.17.2 answers
    (MLflow 2.17.2's mlflow/server/handlers.py get_metric_history_bulk_handler):
    up to 100 run ids, each run's points by (timestamp, step, value), runs by
    id, then the whole answer cut to max_results (at most 25,000) points."""
    run_ids = args.get("run_id_list") or []
    if not run_ids:
        raise invalid("GetMetricHistoryBulk request must specify at least one run_id.")
    if len(run_ids) > 100:
        raise invalid("GetMetricHistoryBulk request cannot specify more than 100 run_ids. "
                      "Received %d run_ids." % len(run_ids))
    key = args.get("metric_key")
    if key is None:
        raise invalid("GetMetricHistoryBulk request must specify a metric_key.")
    cap = min(int(args.get("max_results") or 25000), 25000)
    out = []
    for rid in sorted(run_ids):
        try:
            points = metric_history(store, {"run_id": rid, "metric_key": key}).get("metrics", [])
        except ApiError:
            points = []
        # Flask's JSON: a value is a float, NaN and Infinity written bare
        points = sorted((dict(m, value=float(m["value"]), run_id=rid) for m in points),
                        key=lambda m: (m["timestamp"], m["step"], m["value"]))
        out.extend(points)
    return {"metrics": out[:cap]}


# ---- writes (MLflow's validation and error shapes) -------------------------------

TAG_KEY = re.compile(r"^[/\w.\- ]*$")
ALIAS = re.compile(r"^[\w\-]*$")
MAX_TAG_VALUE = 5000


def check_tag(key, value):
    if key is None or key == "":
        raise invalid("Missing value for required parameter 'key'.%s" % HINT)
    if value is None:
        raise invalid("Missing value for required parameter 'value'.%s" % HINT)
    if not isinstance(value, str):
        raise invalid("Invalid value %s for parameter 'value' supplied.%s" % (value, HINT))
    if len(key) > 250 or not TAG_KEY.match(key):
        raise invalid("Invalid tag name: '%s'. Names may only contain alphanumerics, "
                      "underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/)."
                      % key)
    if len(value) > MAX_TAG_VALUE:
        raise invalid("Tag value '%s' had length %d, which exceeded length limit of %d"
                      % (value[:20] + "...", len(value), MAX_TAG_VALUE))


def set_tag_in(obj, key, value):
    tags = [t for t in obj.get("tags", []) if t["key"] != key]
    tags.append({"key": key, "value": value})
    obj["tags"] = tags


def delete_tag_in(obj, key, what):
    tags = obj.get("tags", [])
    if not any(t["key"] == key for t in tags):
        raise not_found("No tag with name: %s in %s." % (key, what))
    obj["tags"] = [t for t in tags if t["key"] != key]
    if not obj["tags"]:
        del obj["tags"]


def model_of(store, args):
    name = required(args, "name")
    if name not in store.models:
        raise not_found("Registered Model with name=%s not found" % name)
    return store.models[name]


def version_of(store, args):
    model_of(store, args)
    name, version = args["name"], str(required(args, "version"))
    for v in store.versions[name]:
        if v["version"] == version:
            return v
    raise not_found("Model Version (name=%s, version=%s) not found" % (name, version))


def check_alias(alias):
    if alias is None or alias == "":
        raise invalid("Missing value for required parameter 'alias'.%s" % HINT)
    if len(alias) > 255 or not ALIAS.match(alias):
        raise invalid("Invalid alias name: '%s'. Names may only contain alphanumerics, "
                      "underscores (_), and dashes (-)." % alias)
    if alias.lower() == "latest":
        raise invalid("'latest' alias name (case insensitive) is reserved.")
    if re.fullmatch(r"[vV]\d+", alias):
        raise invalid("Version alias name '%s' is reserved." % alias)


def alias(store, args, method):
    """registered-models/alias: GET reads, POST sets (re-points), DELETE removes."""
    m = model_of(store, args)
    name, al = args["name"], args.get("alias")
    if method == "GET":
        required(args, "alias")
        for a in m.get("aliases", []):
            if a["alias"] == al:
                return {"model_version": store.version_json(
                    version_of(store, {"name": name, "version": a["version"]}), True)}
        raise invalid("Registered model alias %s not found." % al)
    check_alias(al)
    if method == "POST":
        v = version_of(store, args)
        rest = [a for a in m.get("aliases", []) if a["alias"] != al]
        m["aliases"] = rest + [{"alias": al, "version": v["version"]}]
    else:
        m["aliases"] = [a for a in m.get("aliases", []) if a["alias"] != al]
        if not m["aliases"]:
            del m["aliases"]
    return {}


def set_model_tag(store, args):
    m = model_of(store, args)
    check_tag(args.get("key"), args.get("value"))
    set_tag_in(m, args["key"], args["value"])
    return {}


def delete_model_tag(store, args):
    m = model_of(store, args)
    delete_tag_in(m, required(args, "key"), "registered model %s" % args["name"])
    return {}


def set_version_tag(store, args):
    v = version_of(store, args)
    check_tag(args.get("key"), args.get("value"))
    set_tag_in(v, args["key"], args["value"])
    return {}


def delete_version_tag(store, args):
    v = version_of(store, args)
    delete_tag_in(v, required(args, "key"), "model version %s" % v["version"])
    return {}


def delete_version(store, args):
    """model-versions/delete: the version goes, and with it the aliases that
    point at it (as MLflow's store does)."""
    v = version_of(store, args)
    store.versions[v["name"]].remove(v)
    m = store.models[v["name"]]
    m["aliases"] = [a for a in m.get("aliases", []) if a["version"] != v["version"]]
    if not m["aliases"]:
        del m["aliases"]
    return {}


STAGES = ("None", "Staging", "Production", "Archived")


def transition_stage(store, args):
    """model-versions/transition-stage (MLflow 2.17.2's handler): the stage is
    case-insensitive and stored capitalised; archive_existing_versions moves
    the other versions in the target stage (only) to Archived, and is allowed
    only for Staging and Production (else the store raises without a code: 500)."""
    for name, kind in (("name", str), ("version", str), ("stage", str),
                       ("archive_existing_versions", bool)):
        value = args.get(name)
        if value is not None and not isinstance(value, kind):
            raise invalid("Invalid value %s for parameter '%s' supplied:  Hint: Value was of "
                          "type '%s'.%s" % (value, name, type(value).__name__, HINT))
        if kind is str:
            required(args, name)
    stage = next((s for s in STAGES if s.lower() == args["stage"].lower()), None)
    if stage is None:
        raise invalid("Invalid Model Version stage: %s. Value must be one of %s."
                      % (args["stage"], ", ".join(STAGES)))
    archive = bool(args.get("archive_existing_versions"))
    if archive and stage not in ("Staging", "Production"):
        raise ApiError(500, "INTERNAL_ERROR",
                       "Model version transition cannot archive existing model versions "
                       "because '%s' is not an Active stage. Valid stages are "
                       "['Staging', 'Production']" % args["stage"])
    name, version = args["name"], args["version"]
    if not version.isdigit():
        raise invalid("Model version must be an integer, got '%s'" % version)
    v = next((v for v in store.versions.get(name, []) if v["version"] == version), None)
    if v is None:
        raise not_found("Model Version (name=%s, version=%s) not found" % (name, version))
    now = int(time.time() * 1000)
    for other in store.versions[name]:
        if archive and other is not v and other["current_stage"] == stage:
            other["current_stage"], other["last_updated_timestamp"] = "Archived", now
    v["current_stage"], v["last_updated_timestamp"] = stage, now
    store.models[name]["last_updated_timestamp"] = now
    return {"model_version": store.version_json(v, False)}


def create_experiment(store, args):
    name = required(args, "name")
    if len(name) > 500:
        raise invalid("Experiment name exceeds the maximum length of 500 characters")
    if any(e["name"] == name for e in store.experiments):
        raise ApiError(400, "RESOURCE_ALREADY_EXISTS",
                       "Experiment(name=%s) already exists. Error: (raised as a result of "
                       "Query-invoked autoflush; consider using a session.no_autoflush block "
                       "if this flush is originating too early)" % name)
    eid = str(max(int(e["experiment_id"]) for e in store.experiments) + 1)
    now = int(time.time() * 1000)
    e = {"experiment_id": eid, "name": name,
         "artifact_location": args.get("artifact_location") or "/srv/mlflow/artifacts/" + eid,
         "lifecycle_stage": "active", "last_update_time": now, "creation_time": now}
    for t in args.get("tags") or []:
        check_tag(t.get("key"), t.get("value"))
        set_tag_in(e, t["key"], t["value"])
    store.experiments.append(e)
    return {"experiment_id": eid}


def set_experiment_tag(store, args):
    e = get_experiment(store, args)["experiment"]
    check_tag(args.get("key"), args.get("value"))
    if e["lifecycle_stage"] != "active":
        raise invalid("The experiment %s must be in the 'active' state. Current state is %s."
                      % (e["experiment_id"], e["lifecycle_stage"]))
    set_tag_in(e, args["key"], args["value"])
    return {}


METRIC_KEY = TAG_KEY


def active_run(store, args):
    """The run args name, which must be active to be written to."""
    run = store.find_run(required(args, "run_id"))
    if run["info"]["lifecycle_stage"] != "active":
        raise invalid("The run %s must be in the 'active' state. Current state is %s."
                      % (run["info"]["run_id"], run["info"]["lifecycle_stage"]))
    return run


def create_run(store, args):
    eid = str(args.get("experiment_id") or "0")
    e = get_experiment(store, {"experiment_id": eid})["experiment"]
    if e["lifecycle_stage"] != "active":
        raise invalid("The experiment %s must be in the 'active' state. Current state is %s."
                      % (eid, e["lifecycle_stage"]))
    tags = {}
    for t in args.get("tags") or []:
        check_tag(t.get("key"), t.get("value"))
        tags[t["key"]] = t["value"]
    name = args.get("run_name") or None
    if name and tags.get("mlflow.runName", name) != name:
        raise invalid("Both 'run_name' argument and 'mlflow.runName' tag are specified, but "
                      "with different values (run_name='%s', mlflow.runName='%s')."
                      % (name, tags["mlflow.runName"]))
    name = name or tags.get("mlflow.runName") or "run-%d" % len(store.runs)
    tags["mlflow.runName"] = name
    rid = uuid.uuid4().hex
    start = int(args.get("start_time") or time.time() * 1000)
    info = {"run_uuid": rid, "experiment_id": eid, "run_name": name,
            "user_id": args.get("user_id") or "", "status": "RUNNING", "start_time": start,
            "artifact_uri": "/srv/mlflow/artifacts/%s/%s/artifacts" % (eid, rid),
            "lifecycle_stage": "active", "run_id": rid}
    run = {"info": info, "data": {"tags": kv(tags)}, "inputs": {}, "_hist": {}}
    store.runs.append(run)
    return {"run": store.run_json(run)}


RUN_STATUSES = ("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")


def update_run(store, args):
    run = active_run(store, args)
    status = args.get("status")
    if status is not None:
        if status not in RUN_STATUSES:
            raise invalid("Invalid value \"%s\" for parameter 'status' supplied." % status)
        run["info"]["status"] = status
    if args.get("end_time") is not None:
        run["info"]["end_time"] = int(args["end_time"])
    if args.get("run_name"):
        run["info"]["run_name"] = args["run_name"]
        set_tag_in(run["data"], "mlflow.runName", args["run_name"])
    return {"run_info": dict(run["info"])}


def metric_number(value):
    """A metric value as MLflow's JSON parser takes it: a number, or "NaN",
    "Infinity", "-Infinity"."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    if value in ("NaN", "Infinity", "-Infinity"):
        return value
    return None


def log_metric(store, args):
    run = active_run(store, args)
    key = args.get("key")
    if key is None or key == "":
        raise invalid("Missing value for required parameter 'key'.%s" % HINT)
    if len(key) > 250 or not METRIC_KEY.match(key) or ".." in key or key.startswith("/"):
        raise invalid("Invalid metric name: '%s'. Names may only contain alphanumerics, "
                      "underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/)."
                      % key)
    value = metric_number(args.get("value"))
    if value is None:
        raise invalid("Invalid value %s for parameter 'value' supplied.%s"
                      % (args.get("value"), HINT))
    ts = args.get("timestamp")
    if ts is None:
        raise invalid("Missing value for required parameter 'timestamp'.%s" % HINT)
    ts, step = int(ts), int(args.get("step") or 0)
    point = {"key": key, "value": value, "timestamp": ts, "step": step}
    data = run["data"]
    hist = run["_hist"].setdefault(key, [dict(m) for m in data.get("metrics", [])
                                         if m["key"] == key])
    if point not in hist:  # the same (key, timestamp, step, value) is kept once
        hist.append(point)

    def rank(m):
        v = m["value"]
        v = float(v) if not isinstance(v, str) else float(v.replace("Infinity", "inf"))
        return (m["step"], m["timestamp"], v)
    latest = max(hist, key=rank)
    data["metrics"] = [m for m in data.get("metrics", []) if m["key"] != key] + [dict(latest)]
    return {}


def set_run_tag(store, args):
    run = active_run(store, args)
    check_tag(args.get("key"), args.get("value"))
    set_tag_in(run["data"], args["key"], args["value"])
    if args["key"] == "mlflow.runName":
        run["info"]["run_name"] = args["value"]
    return {}


ROUTES = {
    "registered-models/search": ("GET", search_models),
    "registered-models/get": ("GET", get_model),
    "model-versions/search": ("GET", search_versions),
    "model-versions/get": ("GET", get_version),
    "experiments/search": ("GET POST", search_experiments),
    "experiments/get": ("GET", get_experiment),
    "experiments/get-by-name": ("GET", get_experiment_by_name),
    "runs/search": ("POST", search_runs),
    "runs/get": ("GET", get_run),
    "metrics/get-history": ("GET", metric_history),
    "/ajax-api/2.0/mlflow/metrics/get-history-bulk": ("GET", metric_history_bulk),
    "registered-models/alias": ("GET POST DELETE", alias),
    "registered-models/set-tag": ("POST", set_model_tag),
    "registered-models/delete-tag": ("DELETE", delete_model_tag),
    "model-versions/set-tag": ("POST", set_version_tag),
    "model-versions/delete-tag": ("DELETE", delete_version_tag),
    "model-versions/delete": ("DELETE", delete_version),
    "model-versions/transition-stage": ("POST", transition_stage),
    "experiments/create": ("POST", create_experiment),
    "experiments/set-experiment-tag": ("POST", set_experiment_tag),
    "runs/create": ("POST", create_run),
    "runs/update": ("POST", update_run),
    "runs/log-metric": ("POST", log_metric),
    "runs/set-tag": ("POST", set_run_tag),
}
METHOD_AWARE = {alias}


# ---- the server ---------------------------------------------------------------------


class State:
    """Faults, auth, routes and counters, shared by the handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()
        self.auth_basic = None
        self.auth_token = None

    def reset(self):
        self.fault = None
        self.no_bulk = False  # True: 404 for get-history-bulk, as servers before 2.11
        self.holds = []
        self.routes = {}
        self.requests = 0
        self.connections = 0
        self.paths = {}
        self.log = []
        self.bodies = []
        self.last_auth = None

    def take_fault(self, path):
        with self.lock:
            f = self.fault
            if f is None or f.get("path", "") not in path:
                return None
            if f.get("count", -1) > 0:
                f["count"] -= 1
                if f["count"] == 0:
                    self.fault = None
            return f

    def take_hold(self, path, body):
        """The seconds to hold a request to path with body back (0: none)."""
        text = body.decode("utf-8", "replace")
        with self.lock:
            for h in self.holds:
                if h.get("path", "") in path and h.get("match", "") in text:
                    if h.get("count", -1) > 0:
                        h["count"] -= 1
                        if h["count"] == 0:
                            self.holds.remove(h)
                    return float(h.get("seconds", 0))
            return 0


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # the default 5 delays connections under load (~1 s)
    tls = None  # an ssl.SSLContext with --tls

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_side=True,
                                        do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        pass  # a client that went away (cancelled, capped) is no news


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm the body
    # waits for the client's delayed ACK (~40 ms per request on Linux).
    disable_nagle_algorithm = True
    server_version = "mlflow-fixture/2.17.2"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        with self.server.state.lock:
            self.server.state.connections += 1

    # ---- answering ----

    def send(self, status, body, ctype="application/json", extra=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, obj):
        self.send(200, json.dumps(obj, indent=2))

    def send_error_json(self, status, code, message, extra=None):
        self.send(status, json.dumps({"error_code": code, "message": message}), extra=extra)

    def stream_forever(self, chunked):
        """Headers promising a huge body, then bytes until the client leaves."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(80 << 20))
        self.end_headers()
        block = b"[" + b" " * ((1 << 20) - 1)
        try:
            for _ in range(200 if chunked else 80):
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
                else:
                    self.wfile.write(block)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    # ---- faults ----

    def apply_fault(self, f):
        """Play fault f; True when the request is answered (or dropped)."""
        mode, arg = f["mode"], f.get("arg")
        if mode == "slow":
            time.sleep(float(arg or 5))
            return False
        if mode == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if mode == "429":
            self.send_error_json(429, "REQUEST_LIMIT_EXCEEDED", "Too many requests, slow down",
                                 {"Retry-After": str(arg if arg is not None else 1)})
        elif mode == "500":
            self.send_error_json(500, "INTERNAL_ERROR", "The server had a bad moment")
        elif mode == "503":
            self.send(503, "Service Unavailable: the tracking server is starting\n",
                      "text/plain; charset=utf-8")
        elif mode == "html":
            self.send(404, HTML_404, "text/html; charset=utf-8")
        elif mode == "text401":
            self.send(401, TEXT_401, "text/plain; charset=utf-8",
                      {"WWW-Authenticate": 'Basic realm="mlflow"'})
        elif mode == "truncated":
            return "truncated"
        elif mode == "cycle_tokens":
            return "cycle:%d" % int(arg or 2)
        elif mode in ("huge", "huge_chunked"):
            self.stream_forever(mode == "huge_chunked")
        else:
            self.send(500, "unknown fault " + mode, "text/plain")
        return True

    def authorized(self):
        st = self.server.state
        header = self.headers.get("Authorization")
        with st.lock:
            st.last_auth = header
        if st.auth_basic is None and st.auth_token is None:
            return True
        if st.auth_basic is not None:
            users = st.auth_basic if isinstance(st.auth_basic, list) else [st.auth_basic]
            if header in ["Basic " + base64.b64encode(u.encode()).decode() for u in users]:
                return True
        if st.auth_token is not None and header == "Bearer " + st.auth_token:
            return True
        self.send(401, TEXT_401, "text/plain; charset=utf-8",
                  {"WWW-Authenticate": 'Basic realm="mlflow"'})
        return False

    # ---- requests ----

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def dispatch(self, method):
        url = urlsplit(self.path)
        body = self.read_body()
        if url.path.startswith("/_fixture/"):
            return self.control(method, url.path[len("/_fixture/"):], body)
        st = self.server.state
        with st.lock:
            st.requests += 1
            st.paths[url.path] = st.paths.get(url.path, 0) + 1
            st.log.append("%s %s" % (method, self.path))
            del st.log[:-300]
            if method in ("POST", "DELETE"):
                st.bodies.append(body.decode("utf-8", "replace"))
                del st.bodies[:-50]
        if not self.authorized():
            return
        fault = st.take_fault(url.path)
        played = self.apply_fault(fault) if fault else False
        if played is True:
            return
        held = st.take_hold(url.path, body)
        if held > 0:
            time.sleep(held)  # then applied, then answered
        if url.path in ("/health", "/version"):
            return self.send(200, "OK" if url.path == "/health" else "2.17.2",
                             "text/html; charset=utf-8")
        with st.lock:
            route = st.routes.get(url.path)
        if route is not None:
            return self.replay(route, played == "truncated")
        self.api(method, url, body, played)

    def replay(self, route, truncated):
        files = route["files"]
        with self.server.state.lock:
            name = files[min(route["served"], len(files) - 1)]
            route["served"] += 1
        with open(name, "rb") as f:
            data = f.read()
        ctype = "application/json" if data.lstrip()[:1] in (b"{", b"[") else \
            "text/html; charset=utf-8"
        self.send(route.get("status", 200), data[:len(data) // 2] if truncated else data, ctype)

    def api(self, method, url, body, played):
        truncated = played == "truncated"
        cycle = int(played[6:]) if str(played).startswith("cycle:") else 0
        route = url.path[len(API):] if url.path.startswith(API) else url.path
        if route not in ROUTES or route.startswith("/") and self.server.state.no_bulk:
            return self.send(404, HTML_404, "text/html; charset=utf-8")
        methods, fn = ROUTES[route]
        if method not in methods.split():
            return self.send(405, HTML_405, "text/html; charset=utf-8")
        try:
            args = self.arguments(method, url, body)
            token = args.pop("page_token", None) or "" if cycle else ""
            if fn in METHOD_AWARE or method != "GET" and fn not in (search_runs,
                                                                    search_experiments):
                with self.server.store.lock:  # a write is one transaction
                    result = fn(self.server.store, args, method) if fn in METHOD_AWARE \
                        else fn(self.server.store, args)
            else:
                result = fn(self.server.store, args)
            if cycle and isinstance(result, dict):
                k = int(token[6:]) + 1 if token.startswith("cycle-") else 0
                result["next_page_token"] = "cycle-%d" % (k % cycle)
            answer = json.dumps(result, indent=2)
        except ApiError as e:
            return self.send_error_json(e.status, e.code, e.message)
        data = answer.encode()
        self.send(200, data[:len(data) // 2] if truncated else data)

    def arguments(self, method, url, body):
        """GET: the query string (repeated keys are lists); POST and DELETE: the JSON
        body (MLflow OSS never reads a DELETE's query string)."""
        if method == "GET":
            args = {}
            for k, v in parse_qsl(url.query, keep_blank_values=True):
                args.setdefault(k + "_list", []).append(v)
                args[k] = v
            for k in ("experiment_ids",):
                if k + "_list" in args:
                    args[k] = args[k + "_list"]
            return args
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            raise invalid("Bad Request. Content-Type must be one of ['application/json'].")
        try:
            args = json.loads(body or b"{}")
        except ValueError:
            args = {}  # MLflow treats malformed JSON as {} (quirk 6)
        if not isinstance(args, dict):
            args = {}
        args["order_by_list"] = args.get("order_by") or []
        return args

    def control(self, method, what, body):
        st = self.server.state
        req = json.loads(body or b"{}") if method == "POST" else {}
        with st.lock:
            if what == "fault":
                st.fault = req if req.get("mode") else None
            elif what == "auth":
                st.auth_basic, st.auth_token = req.get("basic"), req.get("token")
            elif what == "route":
                st.routes[req["path"]] = {"files": req["files"], "status": req.get("status", 200),
                                          "served": 0}
            elif what == "hold":
                if req.get("path") is None and req.get("match") is None:
                    st.holds = []
                else:
                    st.holds.append(dict(req))
            elif what == "reset":
                st.reset()
            elif what == "bulk":
                st.no_bulk = not req.get("on", True)
            elif what == "delay":
                self.server.store.metric_sort_delay = float(req.get("metric_sort", 0))
            elif what != "stats":
                return self.send(404, "no such control\n", "text/plain")
            answer = {"requests": st.requests, "connections": st.connections,
                      "paths": st.paths, "log": st.log, "auth": st.last_auth,
                      "bodies": st.bodies}
        self.send_json(answer)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    opts = {"--runs": "1500", "--models": "0", "--auth": None, "--token": None, "--fault": None,
            "--long": "0"}
    tls = None
    rest = argv[2:]
    while rest:
        if rest[0] == "--tls" and len(rest) >= 3:
            tls = (rest[1], rest[2])
            rest = rest[3:]
            continue
        if rest[0] not in opts or len(rest) < 2:
            sys.stderr.write("fixture.py: bad option %s\n%s" % (rest[0], __doc__))
            return 2
        opts[rest[0]] = rest[1]
        rest = rest[2:]
    server = Server(("127.0.0.1", 0), Handler)
    if tls:
        server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.tls.load_cert_chain(tls[0], tls[1])
    server.store = Store(int(opts["--runs"]), int(opts["--models"]))
    server.store.seed_long_runs(int(opts["--long"]))
    server.store.metric_sort_delay = 0
    server.state = State()
    server.state.auth_basic = opts["--auth"]
    server.state.auth_token = opts["--token"]
    if opts["--fault"]:
        m = re.fullmatch(r"([\w]+)(?::([^@]*))?(?:@(\d+))?", opts["--fault"])
        server.state.fault = {"mode": m.group(1), "arg": m.group(2),
                              "count": int(m.group(3) or -1)}
    with open(argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(argv[1] + ".tmp", argv[1])
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
