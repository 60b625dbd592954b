# tests/lib.sh: shared helpers for the script tests — a pinned environment, a
# private tmux server running the real binary in a real terminal, and waits
# that poll the screen for text (never fixed sleeps).
# Sourced by tests/cli/*.sh, tests/remote/*.sh and tests/tui/*.sh; exit 77
# means skipped.

set -u
: "${MLC_BIN:?MLC_BIN must name the mlconsole binary (make check sets it)}"
: "${MLC_SRCDIR:?MLC_SRCDIR must name the source tree}"

T=$(mktemp -d "${TMPDIR:-/tmp}/mlc-test.XXXXXX")
export HOME="$T/home" XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/config" XDG_STATE_HOME="$T/state"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
export TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR MLFLOW_TRACKING_URI MLFLOW_TRACKING_TOKEN MLFLOW_TRACKING_USERNAME MLFLOW_TRACKING_PASSWORD
FAILS=0
TMUX_SOCK="mlc-$$-$RANDOM"
M="$MLC_BIN" # the console under test, as the scripts call it

cleanup() {
	tmux -L "$TMUX_SOCK" kill-server >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# fail MESSAGE: record a failed check and go on.
fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

# ok MESSAGE: note a passed check.
ok() {
	echo "ok: $*"
}

# finish: the test's exit status.
finish() {
	[ "$FAILS" -eq 0 ] || { echo "$FAILS check(s) failed" >&2; exit 1; }
	exit 0
}

# skip WHY: exit 77 with the reason.
skip() {
	echo "SKIP: $*"
	exit 77
}

# need_root WHY: skip unless running as root, which the test needs to WHY.
need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to $1"
}

# need_python3 WHY: skip unless python3 is there, which the test needs to WHY.
need_python3() {
	command -v python3 >/dev/null 2>&1 || skip "python3 is needed to $1"
}

# check WHAT GOT WANT: GOT is WANT.
check() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', wanted '$3'"; fi
}

# jq_ EXPR: evaluate a Python expression over the JSON in $T/out (as d).
jq_() { python3 -c "import json,sys; d=json.load(open('$T/out')); print($1)"; }

# py EXPR: evaluate a Python expression over the JSON on stdin (as d; re is
# imported for it).
py() {
	python3 -c 'import json, re, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# hook_alert_config MODELS: a config file whose [hook alert] writes the
# MLC_ variables it is given to $T/hookenv, for MODELS.
hook_alert_config() {
	mkdir -p "$XDG_CONFIG_HOME/mlconsole"
	cat >"$XDG_CONFIG_HOME/mlconsole/config" <<EOF
[hook alert]
command = env | grep '^MLC_' | sort > '$T/hookenv'
models = $1
EOF
}

# demo_db: path of a demo registry made for this test (seeded, pinned clock).
demo_db() {
	if [ ! -f "$T/demo.db" ]; then
		"$MLC_BIN" demo create "$T/demo.db" --seed 42 >/dev/null || { echo "demo create failed" >&2; exit 1; }
	fi
	echo "$T/demo.db"
}

# expect_exit CODE DESCRIPTION -- COMMAND...: run and check the exit status;
# stdout/stderr land in $T/out and $T/err.
expect_exit() {
	want=$1; what=$2; shift 3
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else
		fail "$what: exit $got, wanted $want; stderr: $(head -c 400 "$T/err")"; fi
}

# expect_in FILE TEXT DESCRIPTION: FILE contains TEXT (fixed string).
expect_in() {
	if grep -qF -- "$2" "$1"; then ok "$3"; else
		fail "$3: '$2' not in $(basename "$1"): $(head -c 600 "$1")"; fi
}

# expect_not_in FILE TEXT DESCRIPTION
expect_not_in() {
	if grep -qF -- "$2" "$1"; then fail "$3: '$2' unexpectedly in $(basename "$1")"; else ok "$3"; fi
}

command -v tmux >/dev/null 2>&1 || TMUX_MISSING=1

# tui_start COLS ROWS ARGS...: run mlconsole ARGS in a fresh tmux terminal.
tui_start() {
	[ -z "${TMUX_MISSING:-}" ] || skip "tmux is not installed (apt-get install tmux)"
	cols=$1; rows=$2; shift 2
	tmux -L "$TMUX_SOCK" kill-server >/dev/null 2>&1
	for _ in $(seq 30); do # until the old server has gone
		tmux -L "$TMUX_SOCK" list-sessions >/dev/null 2>&1 || break
		sleep 0.1
	done
	rm -f "$T/tui.exit"
	printf '%q ' "$@" >"$T/args"
	cat >"$T/run.sh" <<EOS
export TERM=${TUI_TERM:-tmux-256color} HOME='$HOME' XDG_DATA_HOME='$XDG_DATA_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME'
export TZ=UTC LANG='${LANG}' LC_ALL='${LC_ALL}' ${NO_COLOR+NO_COLOR='$NO_COLOR'}
$(printf '%q' "$MLC_BIN") $(cat "$T/args") 2>'$T/tui.err'
echo "exit=\$?" >'$T/tui.exit.new' && mv '$T/tui.exit.new' '$T/tui.exit'
sleep 30
EOS
	# The previous server may still be going away: a client that reaches it
	# then gets "server exited unexpectedly" (seen under load). Try again.
	for _ in 1 2 3 4 5; do
		tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -x "$cols" -y "$rows" "sh $T/run.sh" && break
		sleep 0.3
	done
	tmux -L "$TMUX_SOCK" set-option -g status off >/dev/null
}

# screen: the terminal's text now.
screen() {
	tmux -L "$TMUX_SOCK" capture-pane -p -t 0
}

# keys KEY...: type keys (tmux key names: Enter, Escape, Down, C-r, ...).
keys() {
	tmux -L "$TMUX_SOCK" send-keys -t 0 "$@"
}

# literal TEXT: type text as is.
literal() {
	tmux -L "$TMUX_SOCK" send-keys -t 0 -l "$1"
}

# resize COLS ROWS
resize() {
	tmux -L "$TMUX_SOCK" resize-window -t 0 -x "$1" -y "$2"
}

# screen_wait GREP-FLAGS PATTERN SECONDS OK-TEXT FAIL-TEXT: wait until grep
# finds PATTERN on the screen; on timeout fail and print the screen.
screen_wait() {
	deadline=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		if screen | grep "$1" -- "$2"; then ok "$4"; return 0; fi
		sleep 0.1
	done
	fail "$5"
	screen | sed 's/^/  | /' >&2
	return 1
}

# wait_for TEXT [SECONDS]: wait until the screen shows TEXT.
wait_for() {
	screen_wait -qF "$1" "${2:-10}" "screen shows '$1'" "screen never showed '$1'; it shows:"
}

# wait_re REGEX [SECONDS]: wait until a line of the screen matches REGEX (grep -E).
wait_re() {
	screen_wait -qE "$1" "${2:-10}" "screen matches /$1/" \
		"no line of the screen matches /$1/; it shows:"
}

# wait_line N REGEX [SECONDS]: wait until line N of the screen matches REGEX
# (grep -E). A frame reaches the terminal in many small writes, top line
# first: the title can be on screen before the rows under it are.
wait_line() {
	deadline=$(( $(date +%s) + ${3:-10} ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		if screen | sed -n "$1p" | grep -qE -- "$2"; then ok "line $1 matches /$2/"; return 0; fi
		sleep 0.1
	done
	fail "line $1 never matched /$2/; it shows: $(screen | sed -n "$1p")"
	return 1
}

# screen_settle [SECONDS]: wait (3 s unless told) until two captures 0.2 s
# apart are the same: the frame being drawn has fully arrived. Use before a
# check that counts or must not find something.
screen_settle() {
	deadline=$(( $(date +%s) + ${1:-3} ))
	_settle_prev=$(screen)
	while [ "$(date +%s)" -le "$deadline" ]; do
		sleep 0.2
		_settle_cur=$(screen)
		[ "$_settle_cur" = "$_settle_prev" ] && return 0
		_settle_prev=$_settle_cur
	done
	return 0
}

# wait_gone TEXT [SECONDS]: wait until TEXT has left the screen.
wait_gone() {
	deadline=$(( $(date +%s) + ${2:-10} ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		if ! screen | grep -qF -- "$1"; then ok "screen no longer shows '$1'"; return 0; fi
		sleep 0.1
	done
	fail "screen still shows '$1':"
	screen | sed 's/^/  | /' >&2
	return 1
}

# wait_exit [SECONDS]: wait (20 s unless told: sanitizer builds exit slowly) for
# the console to exit; prints its status, or "timeout". run.sh writes the
# status to a new file and renames it, so it is never read half-written (a CI
# run once read an empty status from a file the shell had only just created).
wait_exit() {
	deadline=$(( $(date +%s) + ${1:-20} ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		[ -s "$T/tui.exit" ] && { sed 's/exit=//' "$T/tui.exit"; return 0; }
		sleep 0.1
	done
	echo timeout
}

# expect_quit WHAT: the console has exited with status 0 (else say the status,
# stderr and the screen).
expect_quit() {
	st=$(wait_exit)
	if [ "$st" = 0 ]; then ok "$1"; else
		fail "$1: exit status $st; stderr: $(head -c 600 "$T/tui.err" 2>/dev/null); screen: $(screen 2>/dev/null | head -n 3)"
	fi
}

# fixture_start [ARGS...]: start tests/remote/fixture.py ARGS on loopback
# (skips without python3) and stop it on exit; HP is its 127.0.0.1:PORT.
fixture_start() {
	command -v python3 >/dev/null 2>&1 || skip "python3 runs the fixture server (tests/remote/fixture.py)"
	python3 "$MLC_SRCDIR/tests/remote/fixture.py" "$T/port" "$@" 2>"$T/fixture.err" &
	FX=$!
	trap 'kill $FX 2>/dev/null; cleanup' EXIT
	for _ in $(seq 150); do [ -s "$T/port" ] && break; sleep 0.1; done
	[ -s "$T/port" ] || { echo "the fixture did not start: $(cat "$T/fixture.err")" >&2; exit 1; }
	HP="127.0.0.1:$(cat "$T/port")"
}

# fixture_client RETRIES: point the console at the fixture started with
# fixture_start (MLFLOW_TRACKING_URI), with RETRIES retries and no backoff.
fixture_client() {
	export MLFLOW_TRACKING_URI="http://$HP" MLFLOW_HTTP_REQUEST_MAX_RETRIES="$1"
	export MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR=0 MLFLOW_HTTP_REQUEST_BACKOFF_JITTER=0
}

# The fixture as another MLflow client sees it: these go around the console.

# call METHOD PATH [JSON]: a request to the fixture; its answer on stdout.
call() {
	python3 -c 'import sys, urllib.request as u
print(u.urlopen(u.Request(sys.argv[2], data=sys.argv[3].encode() if sys.argv[3] else None, method=sys.argv[1], headers={"Content-Type": "application/json"}), timeout=10).read().decode())' \
		"$1" "http://$HP/$2" "${3:-}"
}

# api PATH [QUERY]: GET /api/2.0/mlflow/PATH?QUERY from the fixture (with the
# header Authorization: $AUTH when AUTH is set); its JSON on stdout.
api() {
	python3 -c 'import sys, urllib.request as u
h = {"Authorization": sys.argv[2]} if sys.argv[2] else {}
print(u.urlopen(u.Request(sys.argv[1], headers=h), timeout=10).read().decode())' \
		"http://$HP/api/2.0/mlflow/$1?${2:-}" "${AUTH:-}"
}

# ctl WHAT [JSON]: a control request to the fixture (POST /_fixture/WHAT);
# its answer on stdout.
ctl() {
	python3 -c 'import sys, urllib.request as u
print(u.urlopen(u.Request(sys.argv[1], data=sys.argv[2].encode()), timeout=10).read().decode())' \
		"http://$HP/_fixture/$1" "${2:-"{}"}"
}

# alias_of MODEL ALIAS: the version MODEL's alias points at on the fixture, or none.
alias_of() {
	api registered-models/get "name=$1" | py "([a['version'] for a in d['registered_model'].get('aliases', []) if a['alias'] == '$2'] + ['none'])[0]"
}

# model_tag MODEL KEY: a registered-model tag's value on the fixture, or none.
model_tag() {
	api registered-models/get "name=$1" | py "{t['key']: t['value'] for t in d['registered_model'].get('tags', [])}.get('$2', 'none')"
}
