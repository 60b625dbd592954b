#!/bin/bash
# tests/cli/driftshow.sh: `drift show` lists every deployed model's features
# worst first, or one model's, in text and JSON as mlconsole.1 says.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
db=$(demo_db)
expect_exit 0 "drift show" -- "$M" -r "$db" drift show
sed -n 2p "$T/out" | grep -E "^fraud-detector +amount +wasserstein .* drift " >/dev/null && ok "the worst feature comes first" || fail "first row: $(sed -n 2p "$T/out")"
[ "$(grep -c ' drift ' "$T/out")" -eq 2 ] && ok "two features drift" || fail "drifting rows: $(grep -c ' drift ' "$T/out")"
expect_exit 0 "drift show --json" -- "$M" -r "$db" drift show fraud-detector --json
python3 - "$T/out" <<'PY' && ok "JSON: one model's features with series" || fail "json: $(head -c 500 "$T/out")"
import json, sys
fs = json.load(open(sys.argv[1]))["features"]
assert len(fs) == 10 and {f["model"] for f in fs} == {"fraud-detector"}
assert [f["status"] for f in fs[:2]] == ["drift", "drift"] and all(f["status"] != "drift" for f in fs[2:])
assert all(len(f["series"]) == 90 for f in fs)
f = fs[0]
assert set(f) >= {"model", "feature", "method", "score", "threshold", "status", "series"}
assert f["score"] == f["series"][-1]["score"]
PY
expect_exit 0 "one feature" -- "$M" -r "$db" drift show fraud-detector --feature amount --json
python3 -c "import json; fs=json.load(open('$T/out'))['features']; assert [f['feature'] for f in fs]==['amount']" && ok "--feature narrows" || fail "feature filter"
expect_exit 0 "a feature the model does not have" -- "$M" -r "$db" drift show fraud-detector --feature nope --json
python3 -c "import json; assert json.load(open('$T/out'))['features'] == []" && ok "no features" \
	|| fail "unknown feature: $(head -c 300 "$T/out")"
expect_exit 1 "unknown model" -- "$M" -r "$db" drift show nope
expect_in "$T/err" "model 'nope'" "names the model"
finish
