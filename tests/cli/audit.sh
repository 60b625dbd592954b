#!/bin/bash
# tests/cli/audit.sh: 'audit verify' on a demo registry tampered with behind
# the console's back (triggers dropped, rows deleted, edited, swapped, the whole
# chain recomputed), and an environment edited with SQL shown as such by
# 'env list'. The tampering is Python's sqlite3 module, as anyone with write
# access to the file could do it.
. "$MLC_SRCDIR/tests/lib.sh"
need_python3 "edit the registry"
db=$(demo_db)

# sql FILE STATEMENTS: run statements on FILE with the append-only triggers dropped.
sql() {
	python3 - "$1" "$2" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;" + sys.argv[2])
c.commit()
PY
}

# copy NAME: a copy of the demo registry, verified once so this console has seen it.
copy() {
	cp "$db" "$T/$1.db"
	"$M" -r "$T/$1.db" audit verify >/dev/null 2>&1 || fail "$1: the fresh copy does not verify"
	echo "$T/$1.db"
}

expect_exit 0 "a demo registry's audit log verifies" -- "$M" -r "$db" audit verify
expect_in "$T/out" "audit log intact:" "one-line summary"
rows=$(python3 -c "import sqlite3; print(sqlite3.connect('$db').execute('select count(*) from audit_log').fetchone()[0])")
expect_in "$T/out" "$rows rows" "it counts every row ($rows)"
expect_exit 0 "verified again" -- "$M" -r "$db" audit verify
expect_in "$T/out" "extending the head this console saw before" "the second time it extends the remembered head"
expect_exit 0 "audit verify --json" -- "$M" -r "$db" --json audit verify
[ "$(jq_ "d['audit_verify']['intact'], d['audit_verify']['rows'], d['audit_verify']['broken']")" = "True $rows None" ] &&
	ok "--json: intact, the rows, nothing broken" || fail "--json: $(cat "$T/out")"

f=$(copy deleted)
sql "$f" "DELETE FROM audit_log WHERE id = 10"
expect_exit 1 "a deleted row breaks the chain" -- "$M" -r "$f" audit verify
expect_in "$T/err" "audit log broken at row 11: the row before it (10) is missing: deleted" "names the row and what happened"

f=$(copy edited)
sql "$f" "UPDATE audit_log SET actor = 'mallory' WHERE id = 7"
expect_exit 1 "an edited row breaks the chain" -- "$M" -r "$f" audit verify
expect_in "$T/err" "row 7: edited: its content no longer matches its hash" "names the edited row"
expect_exit 1 "--json too" -- "$M" -r "$f" --json audit verify
[ "$(jq_ "d['audit_verify']['broken']['id'], d['audit_verify']['broken']['kind'], d['audit_verify']['intact']")" = "7 edited False" ] &&
	ok "--json names row 7, edited" || fail "--json: $(cat "$T/out")"

f=$(copy swapped)
sql "$f" "CREATE TEMP TABLE s AS SELECT id, at, actor, action, subject, detail FROM audit_log WHERE id IN (5, 8);
UPDATE audit_log SET (at, actor, action, subject, detail) =
  (SELECT at, actor, action, subject, detail FROM s WHERE s.id = 13 - audit_log.id) WHERE id IN (5, 8)"
expect_exit 1 "two rows swapped break the chain" -- "$M" -r "$f" audit verify
expect_in "$T/err" "row 5: re-ordered: it holds the entry written as row 8" "names the re-ordered rows"

# Someone who edits a row and recomputes every hash after it makes a chain
# that holds; the head this console remembers does not.
f=$(copy rewritten)
head_id=$(python3 -c "import sqlite3; print(sqlite3.connect('$f').execute('select max(id) from audit_log').fetchone()[0])")
sql "$f" "UPDATE audit_log SET detail = 'nothing to see' WHERE id = 10"
python3 - "$f" <<'PY'
import hashlib, sqlite3, sys
enc = lambda s: len(s.encode()).to_bytes(8, "big") + s.encode()
c = sqlite3.connect(sys.argv[1])
prev = "0" * 64
for row in c.execute("SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id").fetchall():
    prev = hashlib.sha256(b"".join(enc(str(x)) for x in (prev,) + row)).hexdigest()
    c.execute("UPDATE audit_log SET hash = ? WHERE id = ?", (prev, row[0]))
c.commit()
PY
expect_exit 1 "a chain recomputed after an edit is caught by the remembered head" -- "$M" -r "$f" audit verify
expect_in "$T/err" "row $head_id: the log was rewritten since this console last saw it" "reported as rewritten"
expect_exit 0 "(a console that never saw it finds the recomputed chain consistent: that is the limit)" -- \
	env XDG_STATE_HOME="$T/other-state" "$M" -r "$f" audit verify
expect_exit 1 "the rewrite stays reported" -- "$M" -r "$f" audit verify

# A change through the console extends the remembered head.
f=$(copy extended)
expect_exit 0 "a new environment through the console" -- "$M" -r "$f" env set scratch --order 9
expect_exit 0 "still intact after the console's own append" -- "$M" -r "$f" audit verify
expect_in "$T/out" "extending the head this console saw before" "the console's append moved the head along"
sql "$f" "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)"
expect_exit 1 "the row the console appended, deleted from the end" -- "$M" -r "$f" audit verify
expect_in "$T/err" "missing: the log was cut back or rewritten" "a cut-back log is reported"

# A registry made anew where one this console had seen used to be: a new log,
# not a rewrite of the old one.
f=$(copy replaced)
rm -f "$f" "$f-wal" "$f-shm"
expect_exit 0 "a new registry at the same path" -- "$M" -r "$f" env set dev --order 1
expect_exit 0 "its log verifies" -- "$M" -r "$f" audit verify
expect_in "$T/out" "audit log intact: 1 rows" "the old head was dropped when the file was created"

# An environment edited with SQL.
f=$(copy envs)
expect_exit 0 "env list" -- "$M" -r "$f" env list
expect_not_in "$T/out" "edited outside mlconsole" "no environment flagged before"
sql "$f" "UPDATE environments SET required_approvals = 0 WHERE name = 'production'"
expect_exit 0 "env list after the edit" -- "$M" -r "$f" env list
expect_in "$T/out" "environment production: edited outside mlconsole: required_approvals is 0, the audit log says 2" "env list says which setting"
expect_exit 0 "env list --json" -- "$M" -r "$f" --json env list
[ "$(jq_ "[e['name'] for e in d['environments'] if e['edited_outside']]")" = "['production']" ] &&
	ok "--json: edited_outside on production only" || fail "--json: $(cat "$T/out")"
expect_exit 1 "audit verify reports the environment too" -- "$M" -r "$f" audit verify
expect_in "$T/err" "environment production: edited outside mlconsole" "named"
sql "$f" "INSERT INTO environments (name, ord) VALUES ('shadow', 7)"
expect_exit 0 "env list" -- "$M" -r "$f" env list
expect_in "$T/out" "environment shadow: edited outside mlconsole: no audit record of its policy" "an environment made with SQL"
# A gate removed with SQL: the policy record names the gates (their count and
# a digest), so a dropped one is told apart as the other settings are.
f=$(copy gates)
expect_exit 0 "a gate on production" -- "$M" -r "$f" env set production --gate "metrics.val_auc >= live"
expect_exit 0 "audit verify with the gate" -- "$M" -r "$f" audit verify
sql "$f" "DELETE FROM environment_gates"
expect_exit 1 "audit verify after the gate was deleted with SQL" -- "$M" -r "$f" audit verify
expect_in "$T/err" "environment production: edited outside mlconsole: the gates differ: 0 now, the audit log says 1" "the dropped gate is named"
# A policy record whose text hides its policy behind a NUL byte (SQL's instr
# sees past it, C strings stop there): reported, never a crash.
f=$(copy nulbyte)
sql "$f" "INSERT INTO audit_log (at, actor, action, subject, detail, hash) VALUES (1, 'x', 'policy', 'production', CAST(X'7800706f6c6963793a206f726465723d33' AS TEXT), '')"
expect_exit 0 "env list with a NUL byte in a policy record" -- "$M" -r "$f" env list
expect_in "$T/out" "environment production: edited outside mlconsole" "the record counts as none"
expect_exit 1 "audit verify with it" -- "$M" -r "$f" audit verify
finish
