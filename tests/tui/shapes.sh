#!/bin/bash
# tests/tui/shapes.sh: without colour every meaning keeps its own look (issue
# 15). A chart of three runs under NO_COLOR draws each run with its own shape
# (● ○ ◆), in the chart and in its legend, where colours told them apart; in
# LANG=C the shapes are ASCII (* + o); and an ASCII drift status "ok" is not
# drawn as "-", which is what a cell without data shows.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)

# chart: open a chart of val_loss for three runs of fraud-detection.
chart() {
	tui_start 100 30 -r "$db"
	wait_for "Models (8)"
	keys :
	literal "runs fraud-detection"
	keys Enter
	wait_for "Runs of fraud-detection ("
	keys Space Space Space
	wait_for "3 marked"
	keys c
	wait_for "Compare 3 runs"
	keys /
	literal "val_loss"
	keys Enter
	wait_re "val_loss"
	keys Enter
	wait_for "val_loss of 3 runs"
	wait_for "step 0"
	screen_settle
}

export NO_COLOR=1
chart
for g in ● ○ ◆; do
	[ "$(screen | grep -c "$g")" -ge 2 ] && ok "NO_COLOR: shape $g in the legend and the chart" ||
		fail "NO_COLOR: shape $g drawn $(screen | grep -c "$g") times"
done
keys q
expect_quit "q exits 0"
unset NO_COLOR

export LANG=C LC_ALL=C
chart
legend=$(screen | grep -m1 '^ \* ')
for g in '+' 'o'; do
	grep -qF " $g " <<<"$legend" && ok "LANG=C: the legend shows '$g'" || fail "LANG=C: no '$g' in the legend: $legend"
done
plot=$(screen | sed -n '5,25p')
[ "$(grep -o '+' <<<"$plot" | wc -l)" -ge 3 ] && ok "LANG=C: the chart draws '+' points" ||
	fail "LANG=C: too few '+' in the chart"
keys Escape Escape Escape Escape
wait_for "Models (8)"
keys :
literal "drift fraud-detector"
keys Enter
wait_for "Drift of fraud-detector"
screen_settle
screen | grep -q "+ ok" && ok "LANG=C: an ok feature reads '+ ok'" || fail "no '+ ok' on the drift view"
screen | grep -q -- "- ok" && fail "LANG=C: '- ok' still drawn" || ok "no '- ok'"
keys q
expect_quit "q exits 0"
finish
