#!/bin/bash
# tests/tui/copy.sh: y in the row dialog copies the selected value with OSC 52
# (ESC ] 52 ; c ; BASE64 BEL) only when the config file says clipboard = osc52
# (issue 15); off by default, when it sends nothing and says how to turn it on.
# The pane's output is piped to a file: the bytes the console wrote.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)

# open_dialog: the first model's row dialog, the pane's output logged to $T/pty.
open_dialog() {
	wait_for "Models (8)"
	rm -f "$T/pty"
	tmux -L "$TMUX_SOCK" pipe-pane -o -t 0 "cat >> '$T/pty'"
	keys v
	wait_for "the row whole"
	wait_re "NAME +churn-predictor"
}

# off (no config file): nothing sent, the footer says how
tui_start 80 24 -r "$db"
open_dialog
keys y
wait_for "copy is off: add clipboard = osc52 under [general]"
screen_settle
grep -qa "]52;" "$T/pty" && fail "OSC 52 sent while off" || ok "no OSC 52 while off"
keys Escape
keys q
expect_quit "q exits 0 (off)"

# on: the value's base64 reaches the terminal
mkdir -p "$XDG_CONFIG_HOME/mlconsole"
printf '[general]\nclipboard = osc52\n' >"$XDG_CONFIG_HOME/mlconsole/config"
tui_start 80 24 -r "$db"
open_dialog
keys y
wait_for "copied NAME (15 bytes) to the clipboard with OSC 52"
want=$(printf %s churn-predictor | base64)
for _ in $(seq 50); do grep -qaF "]52;c;$want" "$T/pty" && break; sleep 0.1; done
if grep -qaF $'\e]52;c;'"$want"$'\a' "$T/pty"; then ok "OSC 52 with the base64 of the value sent"; else
	fail "no ESC ] 52 ; c ; $want BEL in the output: $(grep -ao ']52;[^[:cntrl:]]*' "$T/pty" | head -3)"; fi
# the next field: j then y copies the next value
keys j y
wait_re "copied [A-Z]+ \([0-9]+ bytes\)"
n=$(grep -ao "]52;c;" "$T/pty" | wc -l)
[ "$n" -eq 2 ] && ok "two copies, two OSC 52" || fail "$n OSC 52 sequences after two copies"
keys Escape
keys q
expect_quit "q exits 0 (on)"

# a bad value is an error naming the line
printf '[general]\nclipboard = yes\n' >"$XDG_CONFIG_HOME/mlconsole/config"
expect_exit 2 "clipboard = yes refused" -- "$MLC_BIN" models
expect_in "$T/err" "clipboard must be osc52 or off" "the error says the values"
finish
