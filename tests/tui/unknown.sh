#!/bin/bash
# tests/tui/unknown.sh: a : command naming something that is not there
# (:versions, :runs, :drift, :deployments with an unknown name) says what is
# wrong and leaves the screen where it was, instead of opening an empty view.
# A view whose thing goes away later keeps its error on screen (refresh). d
# (deploy) refuses a version that is not a number, or not the model's, before
# any dialog.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
tui_start 120 30 -r "$db"
wait_for "Models (8)"
# gone WHAT CMD: :CMD leaves the models view, saying WHAT is not found
gone() {
	keys :
	literal "$2"
	keys Enter
	wait_for "$1: not found in"
	screen_settle
	screen | sed -n 2p | grep -q "Models (8)" && ok ":$2 stays on the models view" ||
		fail ":$2 opened: $(screen | sed -n 2p)"
}
gone "model 'nope'" "versions nope"
gone "experiment 'nope'" "runs nope"
gone "model 'nope'" "drift nope"
gone "model 'nope'" "deployments nope"
# what is there still opens
keys :
literal "versions credit-risk"
keys Enter
wait_for "Versions of credit-risk"
# d refuses a version that is not a number at once, and one the model does not
# have before any dialog
keys :
literal "deployments credit-risk"
keys Enter
wait_for "Deployments of credit-risk ("
keys /
literal "staging"
keys Enter
wait_re "\(1 of [0-9]+\)  /staging"
keys d
wait_for "deploy which version of credit-risk to staging ("
literal "abc"
keys Enter
wait_for "version 'abc': not a version number"
keys d
wait_for "deploy which version of credit-risk to staging ("
literal "999"
keys Enter
wait_re "model 'credit-risk': no version 999 \(it has versions [0-9]+ to [0-9]+\)"
screen | grep -qF "[ Cancel ]" && fail "a dialog opened for a version that is not there" || ok "no dialog"
keys d
wait_for "deploy which version of credit-risk to staging ("
literal "1"
keys Enter
wait_re "\[ Cancel \]|is archived: restore it|is already live in staging"
ok "a version the model has goes on (a dialog, or archived or live named)"
keys Escape
# The prompt offers the versions that may go live, newest first: Tab puts the
# first in the line, Tab again the next; the live one is named and refused.
keys d
wait_for "deploy which version of credit-risk to staging ("
live=$(screen | sed -n 's/.*to staging (\([0-9]*\) live; Tab: .*/\1/p' | head -1)
[ -n "$live" ] && ok "the prompt names the live version ($live)" || fail "no live version named: $(screen | tail -1)"
keys Tab
wait_re "Tab: ([0-9]+)[^)]*\)\? \1 *$"
first=$(screen | tail -1 | sed 's/.*? \([0-9]*\) *$/\1/')
keys Tab
wait_re "\)\? [0-9]+ *$"
second=$(screen | tail -1 | sed 's/.*? \([0-9]*\) *$/\1/')
[ -n "$second" ] && [ "$second" != "$first" ] && [ "$second" != "$live" ] &&
	ok "Tab again offers another version ($first, then $second)" ||
	fail "Tab again: '$second' after '$first' (live $live)"
keys Enter
wait_for "[ Cancel ]"
wait_re "Version: +$live -> $second"
keys Escape
keys d
wait_for "deploy which version of credit-risk to staging ("
literal "$live"
keys Enter
wait_for "credit-risk version $live is already live in staging"
screen | grep -qF "[ Cancel ]" && fail "a dialog opened for the live version" || ok "the live version is refused before any dialog"
# H and Enter act on the row's model and environment too
keys H
wait_for "no hook for staging in the config file"
keys Enter
wait_for "Versions of credit-risk ("
keys q
expect_quit "q exits 0"
finish
