#!/bin/bash
# tests/cli/jsonbytes.sh: --json carries a store's strings as they are (issue
# 15): bytes that are not UTF-8 come out as Python's surrogateescape writes
# them ("\udcNN"), so a script gets the bytes back; control characters are
# JSON escapes (not the "?" or "\x07" the terminal gets); DEL, C1 and bidi
# controls are escaped too, so the text is safe on a terminal; a real U+FFFF
# survives; member names (tag, param and metric keys) are kept the same way.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to read the JSON"
python3 -c 'import sqlite3' 2>/dev/null || skip "python3 has no sqlite3 module"

db=$(demo_db)
# The hostile strings, written with bound parameters as TEXT holding any bytes.
python3 - "$db" <<'PY' || fail "could not write the hostile strings"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
run, exp = db.execute("SELECT r.id, e.id FROM runs r JOIN experiments e ON e.id = r.experiment_id"
                      " WHERE r.lifecycle_stage = 'active' ORDER BY r.id LIMIT 1").fetchone()
T = "CAST(? AS TEXT)"
db.execute("UPDATE runs SET run_name = %s WHERE id = ?" % T, (b"bad\xff\xfe\x07\x1b[31m\xe2\x80\xae\xc2\x9b\x7f\xef\xbf\xbfend", run))
db.execute("UPDATE experiments SET name = %s WHERE id = ?" % T, (b"exp\xc3", exp))
db.execute("INSERT INTO run_tags (run_id, key, value) VALUES (?, %s, %s)" % (T, T), (run, b"k\xc3", b"v\x01\xc3\x28\n"))
db.execute("INSERT INTO params (run_id, key, value) VALUES (?, 'p', %s)" % T, (run, b"\xed\xa0\x80 \xf4\x90\x80\x80"))
kid = db.execute("SELECT key_id FROM latest_metrics WHERE run_id = ? LIMIT 1", (run,)).fetchone()[0]
db.execute("UPDATE metric_keys SET key = %s WHERE id = ?" % T, (b"m\xff", kid))
db.commit()
PY

expect_exit 0 "experiments --json with a name that is not UTF-8" -- "$M" -r "$db" experiments --json
python3 - "$T/out" <<'PY' && ok "the experiment name comes back as its bytes" || fail "experiments: $(head -c 400 "$T/out")"
import json, sys
es = json.load(open(sys.argv[1], encoding="ascii"))["experiments"]
assert b"exp\xc3" in [e["name"].encode("utf-8", "surrogateescape") for e in es], es
PY
expect_exit 0 "runs --json of that experiment" -- "$M" -r "$db" runs "$(printf 'exp\303')" --json
python3 - "$T/out" <<'PY' && ok "run name, tag, param and metric key come back as their bytes" || fail "runs: $(head -c 800 "$T/out")"
import json, sys
raw = open(sys.argv[1], "rb").read()
# safe on a terminal: no raw control, DEL, C1 or bidi character; all ASCII here
assert all(0x20 <= b < 0x7F or b == 0x0A for b in raw), [hex(b) for b in raw if not (0x20 <= b < 0x7F or b == 0x0A)][:8]
b = lambda s: s.encode("utf-8", "surrogateescape")
r = [r for r in json.loads(raw)["runs"] if b(r["run_name"]).startswith(b"bad")][0]
assert b(r["run_name"]) == b"bad\xff\xfe\x07\x1b[31m\xe2\x80\xae\xc2\x9b\x7f\xef\xbf\xbfend", r["run_name"]
assert {b(k): b(v) for k, v in r["tags"].items()}[b"k\xc3"] == b"v\x01\xc3\x28\n", r["tags"]
assert b(r["params"]["p"]) == b"\xed\xa0\x80 \xf4\x90\x80\x80", r["params"]
assert b"m\xff" in [b(k) for k in r["metrics"]], r["metrics"]
PY
grep -qF '"bad\udcff\udcfe\u0007\u001B[31m\u202e\u009b\u007f\uffffend"' "$T/out" &&
	ok "written as documented: \\udcNN, JSON escapes for controls" || fail "run_name: $(grep run_name "$T/out" | head -3)"
expect_exit 0 "the same run as text" -- "$M" -r "$db" runs "$(printf 'exp\303')"
expect_in "$T/out" 'bad\xff\xfe\x07\x1b[31m\u202e\x9b\x7f' "the text table still shows it sanitised"

# an error naming bytes that are not UTF-8 is still one JSON object on stderr
expect_exit 1 "runs of an unknown experiment --json" -- "$M" -r "$db" runs "$(printf 'no\377pe')" --json
python3 - "$T/err" <<'PY' && ok "the error's message keeps the byte" || fail "error: $(cat "$T/err")"
import json, sys
m = json.loads(open(sys.argv[1], "rb").read())["error"]["message"]
assert b"no\xffpe" in m.encode("utf-8", "surrogateescape"), m
PY

# demo create --json names its path as it is: a byte that is not UTF-8, and a
# real U+FFFF followed by letters that are not hex, come back, and the
# document is JSON (it was "\udczz", and the first no document at all)
for name in "b$(printf '\377')" "u$(printf '\357\277\277')zz"; do
	expect_exit 0 "demo create --json at a path holding $(printf %q "$name")" -- \
		"$M" demo create "$T/$name.db" --models 1 --runs 4 --points 2 --json
	python3 - "$T/out" "$T/$name.db" <<'PY' && ok "the path comes back as its bytes" || fail "demo: $(cat -v "$T/out" "$T/err")"
import json, os, sys
p = json.loads(open(sys.argv[1], "rb").read())["demo"]["path"]
assert p.encode("utf-8", "surrogateescape") == os.fsencode(sys.argv[2]), p
PY
done
finish
