#!/bin/bash
# tests/tui/nocolor.sh: NO_COLOR gives a screen with attributes but no colours.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
export NO_COLOR=1
tui_start 100 30 -r "$db"
wait_for "Models (8)"
screen_settle
tmux -L "$TMUX_SOCK" capture-pane -e -p -t 0 >"$T/esc"
if grep -qE "$(printf '\033')\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|38;5|48;5)[;m]" "$T/esc"; then
	fail "colour sequences on screen under NO_COLOR"
else
	ok "no colour sequences"
fi
grep -q "$(printf '\033')\[[0-9;]*7m" "$T/esc" && ok "reverse video marks the selection" || fail "no reverse video"
# A drifting feature stands out, but not in the cursor's reverse video.
keys :
literal "drift"
keys Enter
wait_for "features drifting"
screen_settle
tmux -L "$TMUX_SOCK" capture-pane -e -p -t 0 >"$T/esc3"
rev="$(printf '\033')\[([0-9;]*;)?7[;m]"
drifting=$(grep "✖" "$T/esc3" | grep -v "▸" | head -n 1)
[ -n "$drifting" ] || fail "no drifting row off the cursor"
grep -qE "$rev" <<<"$drifting" && fail "a drifting row is drawn like the cursor: $drifting" ||
	ok "a drifting row does not look like the cursor"
keys q
expect_quit "q exits 0"
unset NO_COLOR
tui_start 100 30 -r "$db"
wait_for "Models (8)"
screen_settle
tmux -L "$TMUX_SOCK" capture-pane -e -p -t 0 >"$T/esc2"
grep -qE "$(printf '\033')\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|38;5|48;5)" "$T/esc2" && ok "colours without NO_COLOR" || fail "no colour at all"
finish
