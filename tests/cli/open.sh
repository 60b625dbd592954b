#!/bin/bash
# tests/cli/open.sh: how a local registry file is created and opened. A creation
# killed at any moment leaves no registry or a whole one (never a file refused
# for ever) and no temporary files after the next open; an empty file is "not
# yet created"; anything but a regular file is refused without blocking; a file
# we may not write is opened read-only and changes are refused naming why.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"

# tmp_files PATH: the temporary files of PATH's creations, if any.
tmp_files() {
	ls -d "$1".tmp-* 2>/dev/null
}

# --- a creation killed with kill -9 at random moments -----------------------
db="$T/killed.db"
refused=0 leftover=0 saw_tmp=0
for i in $(seq 1 40); do
	rm -f "$db" "$db"-* "$db".tmp-*
	# The hook sleeps between creation's steps, so the kills land in each;
	# the kill comes at a random moment after the first file of the creation
	# appears (a load on the machine only delays it).
	MLC_TEST_CREATE_PAUSE_MS=$((i % 3 * 10 + 10)) "$M" -r "$db" env set dev >/dev/null 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null && [ ! -e "$db" ] && ! compgen -G "$db.tmp-*" >/dev/null; do
		sleep 0.002
	done
	sleep "$(printf '0.%03d' $((RANDOM % (i % 2 ? 20 : 100))))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ -n "$(tmp_files "$db")" ] && saw_tmp=$((saw_tmp + 1))
	if [ -e "$db" ] && ! "$M" -r "$db" env list >/dev/null 2>"$T/err"; then
		refused=$((refused + 1))
		echo "after kill $i, a read is refused: $(cat "$T/err")" >&2
	fi
	if ! "$M" -r "$db" env set dev >/dev/null 2>"$T/err"; then
		refused=$((refused + 1))
		echo "after kill $i, a write is refused: $(cat "$T/err")" >&2
	fi
	[ -n "$(tmp_files "$db")" ] && leftover=$((leftover + 1))
done
[ "$refused" -eq 0 ] && ok "40 creations killed at random: never a refused registry" ||
	fail "$refused opens refused a registry whose creation was killed"
[ "$leftover" -eq 0 ] && ok "no temporary file is left after a later open" ||
	fail "$leftover times a temporary file outlived the next open"
[ "$saw_tmp" -gt 0 ] && ok "$saw_tmp kills left a temporary file for the next open to sweep" ||
	fail "no kill landed while a temporary file existed (the sweep went untested)"

# --- leftovers of older runs, and a creation in progress ----------------------
reg="$T/reg.db"
"$M" -r "$reg" env set dev >/dev/null || fail "cannot create $reg"
: >"$reg.tmp-abc123"
: >"$reg.tmp-abc123-wal"
: >"$reg.tmp-gone99-shm"
live="$reg.tmp-live42"
flock "$live" sleep 30 &
flocker=$!
for _ in $(seq 1 100); do flock -n "$live" true 2>/dev/null || break; sleep 0.05; done
expect_exit 0 "an open of the registry" -- "$M" -r "$reg" env list
[ ! -e "$reg.tmp-abc123" ] && [ ! -e "$reg.tmp-abc123-wal" ] && [ ! -e "$reg.tmp-gone99-shm" ] &&
	ok "a killed creation's temporary files are swept" ||
	fail "stale temporary files remain: $(tmp_files "$reg" | tr '\n' ' ')"
[ -e "$live" ] && ok "a temporary file a live creation holds locked is kept" ||
	fail "the sweep removed a creation in progress"
kill "$flocker" 2>/dev/null
wait "$flocker" 2>/dev/null

# --- empty files --------------------------------------------------------------
empty="$T/empty.db"
: >"$empty"
chmod 640 "$empty"
expect_exit 1 "a read of an empty file" -- "$M" -r "$empty" models
expect_in "$T/err" "$empty: empty file, not a registry" "says it is empty"
expect_exit 0 "a write makes an empty file a registry" -- "$M" -r "$empty" env set dev
expect_exit 0 "which then reads" -- "$M" -r "$empty" env list
expect_in "$T/out" "dev" "the environment is there"
[ "$(stat -c %a "$empty")" = 640 ] && ok "the empty file's mode is kept" ||
	fail "mode changed to $(stat -c %a "$empty")"

if command -v python3 >/dev/null 2>&1; then
	# What an older mlconsole killed while creating left: a WAL database with
	# no schema, and one whose schema commit is still only in its -wal.
	python3 -c "import sqlite3; sqlite3.connect('$T/blank.db').execute('pragma journal_mode=wal').fetchall()"
	expect_exit 0 "a write to a blank SQLite database left by a killed creation" -- \
		"$M" -r "$T/blank.db" env set dev
	(python3 - "$reg" "$T/inwal.db" <<'PY'
import os, signal, sqlite3, sys
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
dst.execute("pragma journal_mode=wal").fetchall()
dst.execute("pragma wal_autocheckpoint=0").fetchall()
src.backup(dst)
os.kill(os.getpid(), signal.SIGKILL)  # before any checkpoint: the schema is in the -wal only
PY
	:) 2>/dev/null # the shell in the subshell reports the kill, silenced
	[ -s "$T/inwal.db-wal" ] && ok "the copy's schema is only in its -wal" || fail "no -wal made"
	expect_exit 0 "a registry whose application id is still in the -wal reads" -- \
		"$M" -r "$T/inwal.db" env list
	expect_in "$T/out" "dev" "its environments are there"
else
	echo "SKIP part: python3 missing, blank and -wal-only registries not checked"
fi

# --- not regular files ----------------------------------------------------------
mkfifo "$T/fifo.db"
expect_exit 1 "a FIFO as registry" -- timeout 10 "$M" -r "$T/fifo.db" models
expect_in "$T/err" "$T/fifo.db: not a regular file" "names the FIFO"
expect_exit 1 "a FIFO as registry of a write" -- timeout 10 "$M" -r "$T/fifo.db" env set dev
expect_in "$T/err" "$T/fifo.db: not a regular file" "names the FIFO"
expect_exit 1 "demo create --force over a FIFO" -- timeout 10 "$M" demo create "$T/fifo.db" --force
expect_in "$T/err" "$T/fifo.db: not a regular file" "refused without blocking on it"
expect_exit 1 "/dev/null as registry" -- "$M" -r /dev/null models
expect_in "$T/err" "/dev/null: not a regular file" "names /dev/null"

# --- a file without write permission --------------------------------------------
ro="$T/ro.db"
"$M" -r "$ro" env set dev >/dev/null || fail "cannot create $ro"
chmod 444 "$ro"
before=$("$M" -r "$ro" audit --limit 1000 | wc -l)
expect_exit 1 "a change to a file without write bits" -- "$M" -r "$ro" env set qa
expect_in "$T/err" "$ro has no write permission (mode 0444)" "names the file and its mode"
[ "$("$M" -r "$ro" audit --limit 1000 | wc -l)" = "$before" ] && ok "nothing was written" ||
	fail "the read-only file was written"
"$M" demo create "$T/src.db" --runs 20 >/dev/null || fail "cannot make an import source"
expect_exit 1 "an import into a file without write bits" -- "$M" -r "$ro" import "$T/src.db"
expect_in "$T/err" "import refused ($ro has no write permission (mode 0444))" "says why"
expect_exit 0 "it reads" -- "$M" -r "$ro" env list
expect_exit 0 "it reads with --read-only" -- "$M" -r "$ro" --read-only env list
expect_exit 1 "a change with --read-only" -- "$M" -r "$ro" --read-only env set qa
expect_in "$T/err" "--read-only" "names --read-only"

# --- a registry shared read-only with another user ------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	echo "SKIP part: not root (or no setpriv): reading as another uid not checked"
else
	shared="$T/shared"
	mkdir -p "$shared" "$T/ustate"
	"$M" -r "$shared/reg.db" env set dev >/dev/null || fail "cannot create the shared registry"
	chmod 755 "$T" "$shared"
	chmod 644 "$shared/reg.db"
	chmod 777 "$T/ustate"
	as_other() { setpriv --reuid=54321 --regid=54321 --clear-groups env XDG_STATE_HOME="$T/ustate" "$@"; }
	if ! as_other "$M" --version >/dev/null 2>&1; then
		echo "SKIP part: uid 54321 cannot run $M: reading as another uid not checked"
	else
		expect_exit 0 "another user reads a registry they may not write" -- \
			as_other "$M" -r "$shared/reg.db" experiments
		expect_exit 0 "and its environments" -- as_other "$M" -r "$shared/reg.db" env list
		expect_in "$T/out" "dev" "the environment is there"
		expect_exit 1 "their change is refused" -- as_other "$M" -r "$shared/reg.db" env set qa
		expect_in "$T/err" "$shared/reg.db is not writable by you" "naming the file permission"
		expect_exit 0 "they read with --read-only" -- \
			as_other "$M" -r "$shared/reg.db" --read-only env list
		expect_exit 1 "their change with --read-only" -- \
			as_other "$M" -r "$shared/reg.db" --read-only env set qa
		expect_in "$T/err" "--read-only" "names --read-only"
	fi
	chmod 700 "$T"
fi
finish
