#!/bin/bash
# tests/cli/options.sh: each command's options, as its --help names them, are
# the ones the parser lets it take. The commands come from `mlconsole --help`
# and their options from the usage lines of `COMMAND --help`, so a new command
# is covered without editing this test: every option its usage names passes
# the parser and the command's check, and every option only other commands
# name is refused with exit 2, naming it.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"

# Twenty-five arguments: more than any command takes, so a command whose
# options pass stops at its argument count (exit 2, "expected 'mlconsole
# CMD ...'") before it opens a registry or runs.
extra=()
for i in $(seq 25); do extra+=("x$i"); done

# ---- the commands: the lines of --help's command list --------------------------
"$M" --help >"$T/help" || fail "--help failed"
mapfile -t commands < <(sed -n '/^Commands/,/^Options a command/p' "$T/help" |
	awk '/^  [a-z]/ { c = $1; if ($2 ~ /^[a-z]+$/) c = c " " $2; if (!seen[c]++) print c }')
[ "${#commands[@]}" -ge 20 ] && ok "--help lists ${#commands[@]} commands" ||
	fail "only ${#commands[@]} commands read from --help: ${commands[*]}"

# usage_opts CMD: "NAME VALUE" for each option CMD's usage names; VALUE is "-"
# for a flag, else a value of the kind its placeholder says (the first of
# a|b choices, else 1: a count, a number and a string all take it).
usage_opts() {
	# shellcheck disable=SC2086 # two-word commands split on purpose
	"$M" $1 --help | awk 'NR == 1 || (started && /^ /) { started = 1; print; next } { exit }' |
		grep -oE -- "--[a-z-]+\]?( [^ ]+)?" |
		awk '{ name = $1; sub(/^--/, "", name); flag = sub(/\]$/, "", name)
		       v = $2; if (flag || v == "" || v ~ /^-/) v = "-"
		       else if (v ~ /\|/) { split(v, a, "|"); v = a[1]; gsub(/[^a-z]/, "", v) }
		       else v = "1"
		       print name, v }' | sort -u
}

declare -A value takes
for c in "${commands[@]}"; do
	while read -r name v; do
		value[$name]=$v
		takes["$c/$name"]=1
	done < <(usage_opts "$c")
done
[ "${#value[@]}" -ge 20 ] && ok "the usages name ${#value[@]} options" ||
	fail "only ${#value[@]} options read from the usages: ${!value[*]}"

# args NAME: the option as given on the command line.
args() {
	if [ "${value[$1]}" = "-" ]; then echo "--$1"; else echo "--$1 ${value[$1]}"; fi
}

# ---- every option a usage names is taken ----------------------------------------
n=0
for c in "${commands[@]}"; do
	for name in "${!value[@]}"; do
		[ -n "${takes[$c/$name]:-}" ] || continue
		n=$((n + 1))
		# shellcheck disable=SC2046,SC2086 # words split on purpose
		"$M" -r "$T/none.db" $c $(args "$name") "${extra[@]}" >"$T/out" 2>"$T/err"
		rc=$?
		if [ "$rc" -ne 2 ] || ! grep -qF "$c: expected 'mlconsole $c" "$T/err"; then
			fail "$c --$name (named by its usage) is not taken: exit $rc: $(head -c 300 "$T/err")"
		fi
	done
done
ok "$n command options named by the usages pass the parser and the commands' checks"

# ---- every option only other commands name is refused ---------------------------
n=0
for c in "${commands[@]}"; do
	for name in "${!value[@]}"; do
		[ -z "${takes[$c/$name]:-}" ] || continue
		n=$((n + 1))
		# shellcheck disable=SC2046,SC2086 # words split on purpose
		"$M" -r "$T/none.db" $c $(args "$name") "${extra[@]}" >"$T/out" 2>"$T/err"
		rc=$?
		if [ "$rc" -ne 2 ] || ! grep -qF "$c: takes no --$name (see mlconsole $c --help)" "$T/err"; then
			fail "$c --$name (another command's) is not refused: exit $rc: $(head -c 300 "$T/err")"
		fi
	done
done
ok "$n options of other commands are refused with exit 2, naming the option"
[ ! -e "$T/none.db" ] && ok "no command ran (no registry made)" || fail "a command ran and made a registry"
finish
