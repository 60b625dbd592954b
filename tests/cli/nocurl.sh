#!/bin/bash
# tests/cli/nocurl.sh: mlconsole does not link libcurl (issue 13). A local
# command never loads it; a server registry and a webhook load it on first
# use (core/curl_dl.c); when it cannot be loaded, the CLI says which library
# and what needed it and exits 1, and the console stays up.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
db=$(demo_db)
command -v python3 >/dev/null 2>&1 || skip "python3 runs the fixture server"

# The library the binary loads, as configure found it.
soname=$(sed -n 's/^#define MLC_CURL_SONAME "\(.*\)"$/\1/p' "$MLC_BUILDDIR/config.h")
[ -n "$soname" ] && ok "config.h names the libcurl to load: $soname" || fail "no MLC_CURL_SONAME in config.h"
soname=${soname:-libcurl.so.4}

# loaded FILE: the shared objects the run traced into FILE (LD_DEBUG=files) opened.
loaded() {
	sed -n 's/.*file=\([^ ]*\) .*/\1/p' "$1" | sort -u
}

# ---- the binary ------------------------------------------------------------------
if command -v readelf >/dev/null 2>&1; then
	readelf -d "$M" >"$T/dyn" || fail "readelf -d failed"
	grep -q NEEDED "$T/dyn" && ok "readelf lists the binary's libraries" || fail "no NEEDED in: $(head -c 300 "$T/dyn")"
	grep NEEDED "$T/dyn" | grep -q libcurl && fail "the binary links libcurl: $(grep libcurl "$T/dyn")" ||
		ok "no libcurl among the binary's NEEDED libraries"
fi
ldd "$M" >"$T/ldd" 2>&1 || fail "ldd failed: $(head -c 300 "$T/ldd")"
grep -q libcurl "$T/ldd" && fail "ldd finds libcurl: $(grep libcurl "$T/ldd")" || ok "ldd finds no libcurl ($(wc -l <"$T/ldd") libraries)"

# ---- a local command ---------------------------------------------------------------
LD_DEBUG=files LD_DEBUG_OUTPUT="$T/local" "$M" -r "$db" models >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 0 ] && ok "models on a local registry (exit 0)" || fail "models: exit $rc: $(head -c 300 "$T/err")"
expect_in "$T/out" "fraud-detector" "the local models are listed"
cat "$T"/local.* >"$T/local" 2>/dev/null
loaded "$T/local" | grep -q '^libsqlite3' && ok "LD_DEBUG traces the run" || fail "LD_DEBUG traced nothing: $(head -c 300 "$T/local")"
loaded "$T/local" | grep -q libcurl && fail "a local command loaded libcurl" || ok "a local command never loads libcurl"

# ---- a server registry loads it -----------------------------------------------------
fixture_start --runs 5
LD_DEBUG=files LD_DEBUG_OUTPUT="$T/remote" "$M" -r "http://$HP" models --json >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 0 ] && ok "models on a server (exit 0)" || fail "models on http://$HP: exit $rc: $(head -c 300 "$T/err")"
expect_in "$T/out" '"fraud-detector"' "the server's models are listed"
cat "$T"/remote.* >"$T/remote" 2>/dev/null
grep -F "file=$soname " "$T/remote" | grep -q "dynamically loaded" && ok "$soname is dlopened for the server" ||
	fail "$soname was not dlopened: $(grep -F libcurl "$T/remote" | head -3)"

# ---- when it cannot be loaded -------------------------------------------------------
# A file of that name that is no library, found first through LD_LIBRARY_PATH.
mkdir -p "$T/nolib"
: >"$T/nolib/$soname"
pkg=libcurl
[ "$soname" = libcurl.so.4 ] && pkg=libcurl4
expect_exit 1 "a server without a loadable libcurl" -- env LD_LIBRARY_PATH="$T/nolib" "$M" -r "http://$HP" models
expect_in "$T/err" "mlconsole: http://$HP: cannot load $soname (" "the error names the server and the library"
expect_in "$T/err" "$T/nolib/$soname" "with dlopen's reason"
expect_in "$T/err" "): install $pkg to use MLflow servers" "and what to install"
[ "$(wc -l <"$T/err")" -eq 1 ] && ok "one line" || fail "stderr: $(cat "$T/err")"
expect_exit 0 "a local command without a loadable libcurl" -- env LD_LIBRARY_PATH="$T/nolib" "$M" -r "$db" models
expect_in "$T/out" "fraud-detector" "still lists the models"

# A library that is not libcurl: dlopen works, the functions are missing.
if command -v "${CC:-cc}" >/dev/null 2>&1; then
	mkdir -p "$T/notcurl"
	echo 'int not_curl(void) { return 0; }' >"$T/notcurl/x.c"
	"${CC:-cc}" -shared -fPIC -o "$T/notcurl/$soname" "$T/notcurl/x.c" 2>"$T/cc.err" || fail "cc: $(cat "$T/cc.err")"
	expect_exit 1 "a server with a library that is not libcurl" -- env LD_LIBRARY_PATH="$T/notcurl" "$M" -r "http://$HP" models
	expect_in "$T/err" "cannot load $soname (it has no curl_global_init): install $pkg to use MLflow servers" "names the missing function"
fi

# A webhook: the deploy is done and stored; its hook fails with the reason.
mkdir -p "$XDG_CONFIG_HOME/mlconsole"
printf '[hook staging]\nurl = http://127.0.0.1:1/deployed\ntimeout = 2\n' >"$XDG_CONFIG_HOME/mlconsole/config"
v=$("$M" -r "$db" versions churn-predictor --json | python3 -c "import json,sys; print(json.load(sys.stdin)['versions'][0]['version'])")
expect_exit 0 "a deploy whose webhook cannot load libcurl" -- env LD_LIBRARY_PATH="$T/nolib" "$M" -r "$db" --as dave deploy churn-predictor "$v" --env staging
expect_in "$T/err" "hook for staging: FAILED" "the hook failed"
expect_in "$T/err" "POST failed: cannot load $soname (" "because libcurl cannot be loaded"
expect_in "$T/err" "install $pkg to use webhooks" "and says what to install"
rm -f "$XDG_CONFIG_HOME/mlconsole/config"

# ---- the console keeps running ----------------------------------------------------
if [ -z "${TMUX_MISSING:-}" ]; then
	cat >"$XDG_CONFIG_HOME/mlconsole/config" <<EOC
[context here]
uri = sqlite:$db
[context server]
uri = http://$HP
EOC
	printf '#!/bin/sh\nLD_LIBRARY_PATH=%q exec %q "$@"\n' "$T/nolib" "$M" >"$T/nolib.sh"
	chmod +x "$T/nolib.sh"
	MLC_BIN="$T/nolib.sh" tui_start 200 30 --context here
	wait_for "Models (8)"
	keys ':'; literal 'ctx server'; keys Enter
	wait_for "cannot load $soname"
	wait_for "install $pkg to use MLflow servers"
	screen | grep -q "fraud-detector" && ok "the local models stay on screen" || fail "screen: $(screen)"
	keys q
	expect_quit "q exits 0"
fi
finish
