#!/bin/bash
# tests/tui/window.sh: the runs view of an experiment bigger than the few
# screens the console holds (issue 13: the table keeps a window of runs around
# the cursor; the local registry answers each window, other registries' runs
# are loaded once and windows cut from them). Walked at 80x24 the way a user
# does — PgDn far past a window, PgUp back, G, gg, a sort, a mark across
# re-sorts, a / text — on the local registry and on an MLflow server, the run
# under the cursor is always the one the CLI lists at that place in the same
# order.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"

# ids EXTRA...: the experiment's run ids (8 characters) in the CLI's order.
ids() { "$M" -r "$reg" runs "$exp" --json "$@" | python3 -c "
import json, sys
for r in json.load(sys.stdin)['runs']: print(r['run_id'][:8])"; }

# walk: the whole walk on registry $reg, experiment $exp.
walk() {
ids >"$T/newest"
n=$(wc -l <"$T/newest")
[ "$n" -gt 1000 ] && ok "$n runs: more than a window" || fail "only $n runs"
metric=$("$M" -r "$reg" runs "$exp" --json --limit 1 | python3 -c "
import json, sys; r = json.load(sys.stdin)['runs'][0]; print(sorted(r['metrics'])[0])")

# cursor: the id on the cursor's row ('▸' in the first column).
cursor() { screen | sed -n 's/^▸.\([0-9a-f]\{8\}\) .*/\1/p'; }
# at FILE POS WHAT: the cursor is on the run at line POS (from 1) of FILE.
at() {
	want=$(sed -n "$2p" "$1")
	for _ in $(seq 50); do [ "$(cursor)" = "$want" ] && break; sleep 0.1; done
	[ "$(cursor)" = "$want" ] && ok "$3: cursor on run $2 ($want)" ||
		fail "$3: cursor on '$(cursor)', want run $2 of $1 ($want)"
}

tui_start 80 24 -r "$reg"
wait_for "Models ("
keys :
literal "runs $exp"
keys Enter
wait_for "Runs of $exp ($n)"
at "$T/newest" 1 "opened"

# PgDn moves 19 rows at 80x24: 40 of them cross two windows' edges.
for _ in $(seq 40); do keys NPage; done
at "$T/newest" $((40 * 19 + 1)) "40 PgDn"
for _ in $(seq 25); do keys PPage; done
at "$T/newest" $((15 * 19 + 1)) "25 PgUp back"
for _ in $(seq 5); do keys k; done
at "$T/newest" $((15 * 19 + 1 - 5)) "5 k"
keys G
at "$T/newest" "$n" "G"
keys k k
at "$T/newest" $((n - 2)) "k k from the end"
keys g g
at "$T/newest" 1 "gg"

# Sort by the first metric column: s to RUN, NAME, STATUS, STARTED, the metric.
keys s s s s s
wait_re "$metric[▲]"
ids --order-by "metrics.\`$metric\` ASC" >"$T/asc"
ids --order-by "metrics.\`$metric\` DESC" >"$T/desc"
first=$(sed -n 1p "$T/newest")
pos=$(grep -n "^$first\$" "$T/asc" | cut -d: -f1)
at "$T/asc" "$pos" "the cursor stays on its run through a re-sort"
keys g g
at "$T/asc" 1 "gg by $metric"
for _ in $(seq 35); do keys NPage; done
at "$T/asc" $((35 * 19 + 1)) "35 PgDn by $metric"
keys G
at "$T/asc" "$n" "G by $metric (runs without it last)"

# A mark survives re-sorts and windows; the title counts it. (gg asks for
# the first window: Space typed before it comes marks the run the cursor is
# on until then, the last.)
keys g g
at "$T/asc" 1 "gg again"
keys Space
wait_for "Runs of $exp, 1 marked"
marked=$(sed -n 1p "$T/asc")
keys S
wait_re "$metric[▼]"
at "$T/desc" "$(grep -n "^$(sed -n 2p "$T/asc")\$" "$T/desc" | cut -d: -f1)" "S keeps the cursor on its run"
for _ in $(seq 90); do screen | grep -q "•$marked" && break; keys NPage; done
screen | grep -q "•$marked" && ok "the marked run is still marked pages away" ||
	fail "run $marked lost its mark"
wait_for "Runs of $exp, 1 marked"

# / text: a piece of one run's id finds that run alone, counted.
piece=$(sed -n 500p "$T/newest" | cut -c2-7)
keys /
literal "$piece"
want=$(grep -c "$piece" "$T/newest")
wait_for "($want of $n)"
keys Enter
grep -q "$piece" <<<"$(cursor)" && ok "/ put the cursor on a run holding '$piece'" ||
	fail "/ $piece: cursor on '$(cursor)'"
keys Escape
wait_for "Runs of $exp, 1 marked ($n)"
# / finds runs by their user, which is not a column.
user=$("$M" -r "$reg" runs "$exp" --json | python3 -c "
import json, sys; runs = json.load(sys.stdin)['runs']; print(runs[len(runs) // 2]['user_id'])")
want=$("$M" -r "$reg" runs "$exp" --json | python3 -c "
import json, sys; u = sys.argv[1].lower()
print(sum(u in r['user_id'].lower() or u in r['run_name'].lower() for r in json.load(sys.stdin)['runs']))" "$user")
if [ -n "$user" ]; then
	keys /
	literal "$user"
	if [ "$want" = "$n" ]; then wait_for "1 marked ($n)  /$user"; else wait_for "($want of $n)"; fi
	keys Escape
	wait_for "Runs of $exp, 1 marked ($n)"
fi
keys Escape
wait_for "Models ("
keys q
expect_quit "q exits 0"
}

reg=$T/big.db exp=fraud-detection
"$M" demo create "$reg" --runs 3000 --seed 7 >/dev/null || { fail "demo create"; finish; }
walk
fixture_start --runs 1300
reg=http://$HP exp=bulk
# A server gives no run counts (run_count -1): they are counted in the
# background, exact up to 1000 and "≥1000" past it, not "?" (issue 15).
W=20 # seconds a wait may take: sanitizer builds are slow
tui_start 80 24 -r "$reg"
wait_for "Models ("
keys :
literal "experiments"
keys Enter
wait_for "Experiments (" $W
wait_re "^. +1 +fraud +2 " $W
wait_re "^. +2 +bulk +≥1000 " $W
screen | grep -q "^. .* ? " && fail "a run count is still ?" || ok "no run count is ?"
keys q
expect_quit "q exits 0"
walk
finish
