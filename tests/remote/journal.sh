#!/bin/bash
# tests/remote/journal.sh: the local audit journal of the changes made on an
# MLflow-speaking server (tests/remote/fixture.py) is hash-chained: `audit
# verify` against the server checks it and names the first line deleted,
# edited or re-ordered (exit 1); lines from before the chain are accepted as
# an unchained prefix and said so; two consoles writing at once keep one chain.
. "$MLC_SRCDIR/tests/lib.sh"
fixture_start --runs 10
fixture_client 0
J="$XDG_STATE_HOME/mlconsole/audit.jsonl"

# tamper PYTHON: run PYTHON over the journal's lines (a list L, 0-based) and
# write them back; the original is kept in $T/journal.orig to restore.
tamper() {
	cp "$J" "$T/journal.orig"
	python3 - "$J" "$1" <<'PY'
import json, sys
path, code = sys.argv[1:3]
L = open(path).read().splitlines()
exec(code)
open(path, "w").write("".join(l + "\n" for l in L))
PY
}

restore() {
	cp "$T/journal.orig" "$J"
}

# ---- before any change ------------------------------------------------------------
expect_exit 0 "audit verify on a server with no journal yet" -- "$M" audit verify
expect_in "$T/out" "journal intact: 0 lines" "says the journal is empty"

# ---- a journal written before it was chained, then changes --------------------------
mkdir -p "$(dirname "$J")"
cat >"$J" <<EOJ
{"at":1700000000000,"registry":"http://$HP","actor":"old","action":"deploy","subject":"fraud-detector@staging","detail":"v1"}
{"at":1700000001000,"registry":"http://$HP","actor":"old","action":"rollback","subject":"fraud-detector@staging","detail":"v0"}
EOJ
expect_exit 0 "env set staging" -- "$M" env set staging --order 1
expect_exit 0 "deploy 3 to staging" -- "$M" deploy fraud-detector 3 --env staging
expect_exit 0 "deploy 2 to staging" -- "$M" deploy fraud-detector 2 --env staging
expect_exit 0 "roll back" -- "$M" rollback fraud-detector --env staging
expect_exit 0 "env set dev" -- "$M" env set dev --order 0
n=$(wc -l <"$J")
check "one line per change" "$n" 7
check "each new line carries prev and hash" \
	"$(python3 -c 'import json,sys; L=[json.loads(l) for l in open(sys.argv[1])][2:]; print(all(len(x["hash"]) == 64 and len(x["prev"]) == 64 for x in L), all(L[i]["prev"] == L[i-1]["hash"] for i in range(1, len(L))))' "$J")" \
	"True True"

expect_exit 0 "audit verify: intact" -- "$M" audit verify
expect_in "$T/out" "journal intact: 7 lines, head line 7" "a one-line summary with the head"
expect_in "$T/out" "the first 2 written before it was hash-chained (not checked)" "says the old lines are unchained"
expect_in "$T/out" "$J" "names the journal"
expect_exit 0 "audit verify --json" -- "$M" audit verify --json
check "JSON: intact, lines, unchained, journal" \
	"$(py "(d['audit_verify']['intact'], d['audit_verify']['rows'], d['audit_verify']['unchained'], d['audit_verify']['journal'])" <"$T/out")" \
	"(True, 7, 2, '$J')"
expect_exit 0 "audit still lists the server's changes" -- "$M" audit --json
check "newest first" "$(py "[a['action'] for a in d['audit']][:3]" <"$T/out")" "['policy', 'rollback', 'deploy']"

# ---- tampering ------------------------------------------------------------------------
tamper 'j = json.loads(L[3]); j["detail"] = "deployed by someone else"; L[3] = json.dumps(j)'
expect_exit 1 "a line edited" -- "$M" audit verify
expect_in "$T/err" "journal $J broken at line 4: edited: its content no longer matches its hash" "names the edited line"
restore

tamper 'del L[4]'
expect_exit 1 "a line deleted" -- "$M" audit verify
expect_in "$T/err" "broken at line 5: the line before it is missing: deleted" "names the line after the gap"
restore

tamper 'L[3], L[4] = L[4], L[3]'
expect_exit 1 "two lines swapped" -- "$M" audit verify
expect_in "$T/err" "broken at line 4: re-ordered: it was written right after line 5" "names the re-ordered line"
expect_exit 1 "--json names it too" -- "$M" audit verify --json
check "JSON: the broken line and kind" "$(py "(d['audit_verify']['intact'], d['audit_verify']['broken']['id'], d['audit_verify']['broken']['kind'])" <"$T/out")" \
	"(False, 4, 'reordered')"
restore

tamper 'del L[2]'
expect_exit 1 "the first chained line deleted" -- "$M" audit verify
expect_in "$T/err" "broken at line 3: the lines chained before it are missing: deleted" "names the new first chained line"
restore

tamper 'L.insert(5, json.dumps({"at": 1, "registry": "x", "actor": "mallory", "action": "deploy", "subject": "s", "detail": ""}))'
expect_exit 1 "a line without a hash after the chain began" -- "$M" audit verify
expect_in "$T/err" "broken at line 6: has no hash: written outside mlconsole" "names the unhashed line"
restore

tamper 'j = json.loads(L[5]); j["note"] = "x"; L[5] = json.dumps(j)'
expect_exit 1 "a field mlconsole does not write" -- "$M" audit verify
expect_in "$T/err" "broken at line 6: edited: its field 'note' is not as mlconsole writes it" "names it"
restore

tamper 'L[6] = L[6][:40]'
expect_exit 1 "a line cut short" -- "$M" audit verify
expect_in "$T/err" "broken at line 7: edited: not a journal entry" "names it"
restore
expect_exit 0 "restored: intact again" -- "$M" audit verify

# ---- two consoles at once keep one chain ------------------------------------------------
for i in 1 2 3 4 5 6; do "$M" env set "qa$i" --order 5 >/dev/null 2>&1; done &
a=$!
for i in 1 2 3 4 5 6; do "$M" env set "uat$i" --order 6 >/dev/null 2>&1; done &
b=$!
wait $a $b
check "twelve more lines" "$(wc -l <"$J")" 19
expect_exit 0 "audit verify after two concurrent writers" -- "$M" audit verify
expect_in "$T/out" "journal intact: 19 lines, head line 19" "one chain"

finish
