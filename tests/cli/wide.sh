#!/bin/bash
# tests/cli/wide.sh: text tables cut a cell longer than 60 columns, ending in
# … (... outside UTF-8), as the console does; --wide prints it whole. A model
# with a 10,000-character name no longer pads every row to 20,000 columns.
# --json always carries the whole value.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
command -v python3 >/dev/null || skip "python3 is needed to rename the model"
db=$(demo_db)
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE registered_models SET name = ? WHERE name = ?", ("é" * 10000, "credit-risk"))
c.commit()' "$db" || fail "rename"
longest() { awk '{ if (length($0) > n) n = length($0) } END { print n }' "$1"; }
LC_ALL=C.UTF-8 expect_exit 0 "models" -- "$M" -r "$db" models
n=$(LC_ALL=C.UTF-8 longest "$T/out")
[ "$n" -le 400 ] && ok "the widest row is $n characters" || fail "a row is $n characters wide"
grep -q "^é\{59\}… " "$T/out" && ok "the name is cut at 60 columns, ending in …" || fail "no cut name: $(grep -o '^é*.' "$T/out" | head -c 80)"
LC_ALL=C expect_exit 0 "models in LANG=C" -- "$M" -r "$db" models
grep -q '\.\.\. ' "$T/out" && ok "outside UTF-8 the cut ends in ..." || fail "no ... in LANG=C"
LC_ALL=C.UTF-8 expect_exit 0 "models --wide" -- "$M" -r "$db" models --wide
grep -q "^é\{10000\} " "$T/out" && ok "--wide prints the name whole" || fail "--wide cut the name"
expect_exit 0 "models --json" -- "$M" -r "$db" models --json
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(not any(m["name"] == "é" * 10000 for m in d["models"]))' "$T/out" &&
	ok "--json carries the whole name" || fail "--json lost the name"
finish
