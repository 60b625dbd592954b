#!/bin/bash
# tests/cli/compare.sh: `compare` puts runs side by side (differing params and
# the best run per metric, in text and JSON); `history` prints a metric's
# points and its sparkline.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
db=$(demo_db)
exp=$("$M" -r "$db" experiments --json | python3 -c "import json,sys; print(json.load(sys.stdin)['experiments'][0]['name'])")
"$M" -r "$db" runs "$exp" --json --filter "status = 'FINISHED'" --limit 3 >"$T/runs.json"
read -r a b c < <(python3 -c "import json; print(' '.join(r['run_id'] for r in json.load(open('$T/runs.json'))['runs']))")

expect_exit 0 "compare three runs" -- "$M" -r "$db" compare "$a" "${b:0:8}" "$c" --json
python3 - "$T/out" "$T/runs.json" <<'PY' && ok "compare --json: differing params and best per metric match the runs" || fail "compare json"
import json, math, sys
d = json.load(open(sys.argv[1])); runs = json.load(open(sys.argv[2]))["runs"]
assert [r["run_id"] for r in d["runs"]] == [r["run_id"] for r in runs]
keys = set().union(*[r["params"] for r in runs])
want = sorted(k for k in keys if len({r["params"].get(k) for r in runs}) > 1)
assert sorted(d["differing_params"]) == want, (d["differing_params"], want)
lower = ("loss", "error", "err", "rmse", "mae", "mse", "mape", "perplexity", "latency", "logloss", "nll", "wer", "cer")
import re
for k, best in d["best"].items():
    words = [w for w in re.split(r"[^a-z0-9]+", k.lower()) if w]
    lo = any(w in lower or w.endswith("loss") for w in words)
    vals = [(r["metrics"].get(k), r["run_id"]) for r in runs]
    vals = [(v, i) for v, i in vals if isinstance(v, float) and math.isfinite(v)]
    if not vals:
        assert best is None; continue
    pick = min(vals, key=lambda t: t[0]) if lo else max(vals, key=lambda t: t[0])
    assert best == pick[1] or [v for v, i in vals if i == best][0] == pick[0], (k, best, pick)
PY
expect_exit 0 "compare in text" -- "$M" -r "$db" compare "$a" "$b"
expect_in "$T/out" "KEY" "compare text has a header"
expect_exit 2 "compare needs two runs" -- "$M" -r "$db" compare "$a"
expect_exit 1 "compare an unknown run" -- "$M" -r "$db" compare "$a" ffffffffffffffff
expect_in "$T/err" "run 'ffffffffffffffff': not found" "names the run"
expect_exit 1 "compare with a prefix too short" -- "$M" -r "$db" compare "$a" "${b:0:5}"
expect_in "$T/err" "run '${b:0:5}': not found in $db (a prefix of a run id needs at least 8 characters)" "says a prefix needs 8 characters"

key=$(python3 -c "import json; r=json.load(open('$T/runs.json'))['runs'][0]; print(sorted(r['metrics'])[0])")
expect_exit 0 "history --json" -- "$M" -r "$db" history "$a" "$key" --json
python3 - "$T/out" <<'PY' && ok "history is ordered by step with timestamps" || fail "history json"
import json, sys
h = json.load(open(sys.argv[1]))["history"]
assert h and all(set(p) == {"step", "timestamp", "value"} for p in h)
assert [p["step"] for p in h] == sorted(p["step"] for p in h)
PY
expect_exit 0 "history in text" -- "$M" -r "$db" history "$a" "$key"
tail -n 1 "$T/out" | grep -q '[▁▂▃▄▅▆▇█]' && ok "the last line is a block sparkline" || fail "no sparkline: $(tail -n 1 "$T/out")"
LC_ALL=C LANG=C "$M" -r "$db" history "$a" "$key" | tail -n 1 | LC_ALL=C grep -q '^[ -~]*$' && ok "ASCII sparkline in the C locale" || fail "non-ASCII sparkline in C locale"
expect_exit 1 "history of a metric the run never logged" -- "$M" -r "$db" history "$a" no.such.metric
expect_in "$T/err" "metric 'no.such.metric'" "names the metric"
finish
