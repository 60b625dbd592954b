#!/bin/bash
# tests/remote/secrets.sh: credentials in a registry URI (http://user:pass@host).
# In the config file they are a literal secret like token = (only from a file
# that is 0600 and the user's; else exit 2 naming file and line); from -r,
# MLFLOW_TRACKING_URI or a context they are never shown: not in output,
# errors (the server's, curl's), --json, the audit, the header or :ctx.
. "$MLC_SRCDIR/tests/lib.sh"
PW=pw-SECRET-9
fixture_start --runs 4 --auth "ann:$PW"
export MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR=0 MLFLOW_HTTP_REQUEST_BACKOFF_JITTER=0
CFG="$XDG_CONFIG_HOME/mlconsole/config"
mkdir -p "$(dirname "$CFG")"
printf '[context prod]\n# the server, with its login\nuri = http://ann:%s@%s\n' "$PW" "$HP" >"$CFG"

# no_secret WHAT [FILE...]: no SECRET in out, err and FILE...
no_secret() {
	what=$1
	shift
	if grep -l SECRET "$T/out" "$T/err" "$@" 2>/dev/null; then fail "$what: a secret was shown"; else ok "$what: no secret"; fi
}

# ---- the config file --------------------------------------------------------------
chmod 644 "$CFG"
expect_exit 2 "a password in a context's uri, in a 0644 config" -- "$M" --context prod models
expect_in "$T/err" "$CFG:3: uri = refused" "the refusal names file and line"
expect_in "$T/err" "0600" "and says what would do"
no_secret "the refusal"
expect_exit 2 "the TUI refuses it too" -- timeout 20 "$M" --context prod
no_secret "the TUI's refusal"
chmod 600 "$CFG"
expect_exit 0 "accepted from a 0600 config" -- "$M" --context prod models
expect_in "$T/out" "fraud-detector" "the URI's login is used"
no_secret "models"
expect_exit 0 "--json" -- "$M" --context prod --json models
no_secret "--json"

# ---- writes: the journal and an import --------------------------------------------
expect_exit 0 "env set through the context" -- "$M" --context prod env set qa --order 1
no_secret "env set"
expect_exit 0 "audit --json" -- "$M" --context prod audit --json
expect_in "$T/out" "\"actor\": \"ann\"" "the server authenticates ann"
no_secret "the journal"
expect_exit 0 "import from a URI with a login" -- "$M" -r "$T/local.db" import "http://ann:$PW@$HP"
no_secret "import"
expect_exit 0 "the local audit" -- "$M" -r "$T/local.db" audit --json
expect_in "$T/out" "\"subject\": \"http://$HP\"" "the source is recorded without its login"
no_secret "the local audit" "$T/local.db"

# ---- errors -------------------------------------------------------------------------
expect_exit 1 "a wrong password in -r" -- "$M" -r "http://ann:wrong-SECRET-8@$HP" models
expect_in "$T/err" "HTTP 401" "the server's refusal"
no_secret "the 401"
expect_exit 1 "a wrong password in -r, --json" -- "$M" -r "http://ann:wrong-SECRET-8@$HP" --json models
no_secret "the 401 as JSON"
expect_exit 1 "nothing listening (-r)" -- "$M" -r "http://ann:$PW@127.0.0.1:1/x" models
no_secret "curl's error"
MLFLOW_TRACKING_URI="http://ann:$PW@127.0.0.1:1" expect_exit 1 "nothing listening (MLFLOW_TRACKING_URI)" -- "$M" approvals
no_secret "curl's error from MLFLOW_TRACKING_URI"
expect_exit 2 "a URI curl cannot parse" -- "$M" -r "http://ann:$PW@bad host/" models
no_secret "the parse error"
expect_exit 2 "a login in another scheme's URI" -- "$M" -r "ftp://ann:$PW@host/x" models
expect_in "$T/err" "ftp://host/x" "names it without the login"
no_secret "another scheme"
MLFLOW_TRACKING_URI="sqlite://ann:$PW@host/x" expect_exit 2 "from MLFLOW_TRACKING_URI too" -- "$M" models
no_secret "another scheme from MLFLOW_TRACKING_URI"
expect_exit 1 "a change when nothing listens" -- "$M" -r "http://ann:$PW@127.0.0.1:1" approve 1
no_secret "a change's error"

# ---- the console ---------------------------------------------------------------------
if [ -z "${TMUX_MISSING:-}" ]; then
	tui_start 100 30 --context prod
	wait_for "http://$HP" 15
	wait_for "fraud-detector" 15
	keys :
	literal "ctx"
	keys Enter
	wait_for "contexts: prod (current)"
	screen >"$T/screen"
	no_secret "the header and :ctx" "$T/screen"
	keys q
	expect_quit "quits"
	no_secret "the console's stderr" "$T/tui.err"
fi
finish
