#!/bin/bash
# tests/tui/theme_warn.sh: a bad theme line is a warning naming file and line;
# the console still starts and works. Every shipped theme opens.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
mkdir -p "$XDG_CONFIG_HOME/mlconsole/themes"
printf 'header = white on blue\nselected = reverse\nfooter = chartreuse-ish\n' >"$XDG_CONFIG_HOME/mlconsole/themes/bad.theme"
tui_start 120 30 -r "$db" --theme bad
wait_for "Models (8)"
wait_for "bad.theme:3:"
keys j
wait_for "Enter versions"
keys q
expect_quit "q exits 0"
for th in default light mono prod-alert; do
	rm -f "$T/tui.exit"
	tui_start 100 30 -r "$db" --theme "$th"
	wait_for "Models (8)"
	screen | grep -q "theme:" && fail "$th theme warned" || ok "$th theme opens without warnings"
	keys q
	expect_quit "$th: q exits 0"
	tmux -L "$TMUX_SOCK" kill-server >/dev/null 2>&1
done
finish
