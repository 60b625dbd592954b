#!/bin/bash
# tests/tui/context.sh: named contexts from the config file — --context picks
# one, the header names it, :ctx switches at runtime (theme and read-only
# flag follow the context), and an unknown name is a usage error.
. "$MLC_SRCDIR/tests/lib.sh"
M=$MLC_BIN
"$M" demo create "$T/dev.db" --seed 1 >/dev/null || { echo "demo create failed" >&2; exit 1; }
"$M" demo create "$T/prod.db" --seed 2 --models 3 >/dev/null || { echo "demo create failed" >&2; exit 1; }
mkdir -p "$XDG_CONFIG_HOME/mlconsole"
cat >"$XDG_CONFIG_HOME/mlconsole/config" <<EOC
# two registries; production is read-only and red
[general]
default_context = dev

[context dev]
uri = sqlite:$T/dev.db

[context prod]
uri = sqlite:$T/prod.db
theme = prod-alert
read_only = yes
EOC

# The CLI: --context, the default context, and an unknown name.
expect_exit 0 "models --context prod" -- "$M" --context prod models --json
python3 -c "import json; assert len(json.load(open('$T/out'))['models']) == 3" \
	&& ok "--context prod lists prod's models" || fail "prod models: $(head -c 300 "$T/out")"
expect_exit 0 "models with the default context" -- "$M" models --json
python3 -c "import json; assert len(json.load(open('$T/out'))['models']) == 8" \
	&& ok "the default context is dev" || fail "default models: $(head -c 300 "$T/out")"
expect_exit 2 "an unknown --context" -- "$M" --context staging models
expect_in "$T/err" "--context staging: no such context" "the error names it"
expect_in "$T/err" "known: dev, prod" "and lists the known ones"
expect_exit 1 "a read-only context refuses changes" -- "$M" --context prod --as dave env set qa --order 9
expect_in "$T/err" "read-only" "the refusal says read-only"
expect_exit 0 "-r wins over the default context" -- "$M" -r "$T/prod.db" models --json
python3 -c "import json; assert len(json.load(open('$T/out'))['models']) == 3" \
	&& ok "-r prod.db" || fail "-r: $(head -c 300 "$T/out")"

# Hooks per context: [hook ENV @ CONTEXT] replaces the global [hook ENV] there.
cat >>"$XDG_CONFIG_HOME/mlconsole/config" <<EOC

[hook dev]
command = echo global-hook

[hook dev @ dev]
command = echo dev-context-hook
EOC
if [ "$(id -u)" -eq 0 ]; then
	v=$("$M" --context dev versions churn-predictor --json | python3 -c "import json,sys; print(json.load(sys.stdin)['versions'][1]['version'])")
	expect_exit 0 "a deploy in the dev context" -- "$M" --context dev --as dave deploy churn-predictor "$v" --env dev
	expect_in "$T/out" "dev-context-hook" "the context's own hook ran"
	expect_exit 0 "the same deploy through -r" -- "$M" -r "$T/dev.db" --as dave rollback churn-predictor --env dev
	expect_in "$T/out" "global-hook" "without a context the global hook runs"
fi
sed -i '/^\[hook dev/,$d' "$XDG_CONFIG_HOME/mlconsole/config"

# header_red: the header row is drawn on red (prod-alert), escapes kept.
header_red() {
	tmux -L "$TMUX_SOCK" capture-pane -e -p -t 0 | head -1 | grep -q $'\e\\[[0-9;]*41m'
}

# The console: start in dev, switch to prod and back.
tui_start 120 30 --context dev
wait_for "Models (8)"
screen | head -1 | grep -q " dev " && ok "the header names the context" || fail "header: $(screen | head -1)"
screen | head -1 | grep -q "READ-ONLY" && fail "dev shows READ-ONLY" || ok "dev is writable"
header_red && fail "dev's header is red" || ok "dev has the default theme"
keys ':' ; literal 'ctx'; keys Enter
wait_for "contexts: dev (current)  prod"
keys ':' ; literal 'ctx pr'; keys Tab; keys Enter
wait_for "Models (3)"
screen | head -1 | grep -q " prod " && ok "the header names prod" || fail "header: $(screen | head -1)"
wait_for "READ-ONLY"
header_red && ok "prod's header is red (prod-alert)" || fail "prod's header is not red"
keys d
wait_for "read-only"
keys ':' ; literal 'ctx nowhere'; keys Enter
wait_for ":ctx nowhere: no such context (known: dev, prod)"
screen | head -1 | grep -q " prod " && ok "still in prod" || fail "header: $(screen | head -1)"
keys ':' ; literal 'ctx dev'; keys Enter
wait_for "Models (8)"
wait_gone "READ-ONLY"
header_red && fail "dev's header is still red" || ok "back to the default theme"
keys q
expect_quit "q exits 0"

# Narrow terminals: the READ-ONLY badge and the context name come before the
# URI and the clock (below 80 columns the badge still shows).
for cols in 60 44; do
	tui_start "$cols" 24 --context prod
	wait_for "Models (3)"
	screen | sed -n 1p | grep -q "READ-ONLY" && ok "$cols columns: the badge shows" ||
		fail "$cols columns: no badge: $(screen | sed -n 1p)"
	screen | sed -n 1p | grep -q "mlconsole . prod . " && ok "$cols columns: the context shows" ||
		fail "$cols columns: no context: $(screen | sed -n 1p)"
	keys q
	expect_quit "q exits 0 ($cols columns)"
done

# An unknown --context in the console is a usage error, before any screen.
expect_exit 2 "console with an unknown --context" -- "$M" --context staging
expect_in "$T/err" "no such context" "the console names it too"
finish
