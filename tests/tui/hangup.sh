#!/bin/bash
# tests/tui/hangup.sh: when its terminal goes away the console exits, even with
# SIGHUP ignored (nohup, some job runners): a hung-up tty polls readable as
# well as hung up, and the console must not spin on it.
. "$MLC_SRCDIR/tests/lib.sh"
[ -z "${TMUX_MISSING:-}" ] || skip "tmux is not installed (apt-get install tmux)"
db=$(demo_db)
cat >"$T/hup.sh" <<EOS
export TERM=tmux-256color HOME='$HOME' XDG_DATA_HOME='$XDG_DATA_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' LANG='$LANG' LC_ALL='$LC_ALL'
trap '' HUP
echo \$\$ >'$T/pid.new' && mv '$T/pid.new' '$T/pid'
exec $(printf '%q' "$MLC_BIN") -r '$db' 2>'$T/tui.err'
EOS
tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -x 100 -y 30 "sh $T/hup.sh"
wait_for "Models (8)"
pid=$(cat "$T/pid")
kill -0 "$pid" 2>/dev/null && ok "the console runs as pid $pid" || fail "no console process"
tmux -L "$TMUX_SOCK" kill-server
gone=""
for _ in $(seq 200); do # 20 s: sanitizer builds exit slowly
	kill -0 "$pid" 2>/dev/null || { gone=1; break; }
	sleep 0.1
done
if [ -n "$gone" ]; then ok "it exits when the terminal goes away"; else
	fail "still running 20 s after its terminal went away: $(ps -o pid,pcpu,stat,cmd -p "$pid" | tail -n 1)"
	kill -9 "$pid" 2>/dev/null
fi
finish
