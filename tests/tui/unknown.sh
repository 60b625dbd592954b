#!/bin/bash
# tests/tui/unknown.sh: a : command naming something that is not there
# (:versions, :runs, :drift, :deployments with an unknown name) says what is
# wrong and leaves the screen where it was, instead of opening an empty view.
# A view whose thing goes away later keeps its error on screen (refresh).
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
keys q
expect_quit "q exits 0"
finish
