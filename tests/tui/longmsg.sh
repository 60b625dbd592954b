#!/bin/bash
# tests/tui/longmsg.sh: a message wider than the screen is shown whole (issue
# 15): wrapped over the bottom lines until the next key, not cut with …
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
name="alpha-beta-gamma-delta-epsilon-zeta-eta-theta-iota-kappa-lambda-mu-nu-xi-omicron-pi-rho-sigma-tau-upsilon-phi-chi-psi-omega-END"
tui_start 80 24 -r "$db"
wait_for "Models (8)"
keys :
literal "runs $name"
keys Enter
wait_for "not found"
screen_settle
# the bottom lines, joined as they were cut, hold the whole name
joined=$(screen | tail -n 6 | sed 's/^ //; s/ *$//' | tr -d '\n')
case "$joined" in
*"'$name': not found"*) ok "the whole message is on screen" ;;
*) fail "the message is not whole: $(screen | tail -n 6)" ;;
esac
screen | tail -n 3 | grep -q "…" && fail "the message is cut with …: $(screen | tail -n 3)" || ok "the message is not cut"
keys j
wait_gone "omega-END"
wait_re "Enter versions"

# a name of 488 characters: the message is longer than 512 bytes, and whole
long=$(for i in $(seq 80); do printf 'w%04d-' "$i"; done)LONG-END
keys :
literal "runs $long"
keys Enter
wait_for "not found"
screen_settle
joined=$(screen | sed 's/^ //; s/ *$//' | tr -d '\n')
case "$joined" in
*"'$long': not found"*) ok "a message of more than 512 bytes is whole" ;;
*) fail "the long message is not whole: $(screen | tail -n 12)" ;;
esac
keys q
expect_quit "q exits 0"
finish
