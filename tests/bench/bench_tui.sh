#!/bin/sh
# bench_tui.sh: the console's runs view on a big registry, as a user meets it,
# in a real terminal (tmux, 80x24). The console itself times each step
# (MLCONSOLE_TIMING: from reading the key to the frame that shows its effect,
# loads included): `:runs EXP` Enter to the first runs drawn; s to a re-sort by
# NAME and by the first metric; one / keystroke to its runs; j, PgDn, G; and
# the console's memory (RSS, and its peak) with the view open. Best of 3 for the
# repeated steps. Prints one line of numbers; never fails on them.
#   bench_tui.sh MLCONSOLE DB EXPERIMENT [LABEL]
set -u
M=$1 db=$2 exp=$3 label=${4:-$(basename "$db")}
command -v tmux >/dev/null || { echo "bench_tui: skipped: tmux is not installed"; exit 0; }
sock=bench-tui-$$
log=$(mktemp)
T() { tmux -L "$sock" "$@"; }
screen() { T capture-pane -p -t b; }
trap 'T kill-server 2>/dev/null; rm -f "$log"' EXIT
T -f /dev/null new-session -d -s b -x 80 -y 24 \
	"MLCONSOLE_TIMING=$log TERM=xterm-256color $M -r '$db'"
i=0
while ! screen | grep -q "Models"; do i=$((i + 1)); [ $i -gt 500 ] && break; sleep 0.02; done
sleep 0.3

# step KEYS...: send the keys (the last one timed) and print the ms of the
# first frame after it that shows the runs view loaded.
step() {
	while [ $# -gt 1 ]; do T send-keys -t b "$1"; shift; sleep 0.05; done
	sleep 0.2
	n=$(wc -l <"$log")
	T send-keys -t b "$1"
	i=0
	while [ $i -lt 600 ]; do
		ms=$(awk -v n="$n" 'NR > n && $2 == "runs" && $3 > 0 && $4 == 0 { print $1; exit }' "$log")
		[ -n "$ms" ] && { echo "$ms"; return; }
		i=$((i + 1))
		sleep 0.05
	done
	echo timeout
}
# best CMD...: the least of three runs of step.
best() {
	b=
	for _ in 1 2 3; do
		x=$(step "$@")
		b=$(echo "$b $x" | awk '{ m = $1; for (i = 2; i <= NF; i++) if ($i != "timeout" && (m == "" || $i + 0 < m + 0)) m = $i; print m }')
	done
	echo "$b"
}
T send-keys -t b : && T send-keys -t b -l "runs $exp"
enter=$(step Enter)
sleep 1.5 # the counts
pid=$(T list-panes -t b -F '#{pane_pid}')
rss() { awk -v k="$1" '$1 == k ":" { print int($2 / 1024) }' /proc/"$pid"/status 2>/dev/null; }
open_rss=$(rss VmRSS)
s_name=$(step s s) # RUN, then NAME
s_metric=$(step s s s) # STARTED, the first metric
s_desc=$(step S)
T send-keys -t b /
slash=$(step a)
T send-keys -t b Escape
sleep 0.5
j=$(best j)
pgdn=$(best NPage)
G=$(step G)
gg=$(step g g)
printf '%-16s %7s %7s %7s %7s %6s %6s %6s %6s %6s %9s\n' "$label" "$enter" "$s_name" "$s_metric" \
	"$s_desc" "$slash" "$j" "$pgdn" "$G" "$gg" "$open_rss/$(rss VmHWM)"
