#!/bin/bash
# tests/tui/pulse.sh: the pulse screen at 80x24 — every row checked against
# what the CLI's JSON says (models, env list, deployments, approvals, drift
# show, alerts list), in the order the README defines (a failed hook, then
# open alerts, then drift before warn, then pending requests, then by name) — on the demo registry and on an MLflow
# server (tests/remote/fixture.py); Enter opens the model's deployments;
# [general] start = pulse starts there, and pulse_refresh loads it again by
# itself (a request opened by the CLI shows up with no key typed).
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
command -v python3 >/dev/null || skip "python3 is needed to read the JSON"

# expected URI: the pulse rows, one line each, as the screen's words (the
# cursor mark dropped), computed from the CLI's JSON alone.
cat >"$T/expect.py" <<'EOP'
import json, subprocess, sys
M, uri = sys.argv[1], sys.argv[2]
def cli(*args):
    out = subprocess.run([M, "-r", uri, *args, "--json"], capture_output=True, text=True, check=True).stdout
    return json.loads(out)
models = cli("models")["models"]
envs = [e["name"] for e in cli("env", "list")["environments"]]
pending = {}
for q in cli("approvals")["requests"]:
    pending[q["model"]] = pending.get(q["model"], 0) + 1
rank = {"ok": 0, "warn": 1, "drift": 2}
alerts = {}
for f in cli("alerts", "list")["alerts"]:
    if f["open"]:
        alerts[f["model"]] = alerts.get(f["model"], 0) + 1
drift = {}
for f in cli("drift", "show")["features"]:
    d = drift.setdefault(f["model"], [-1, 0, 0])
    d[0] = max(d[0], rank[f["status"]]); d[1] += f["status"] == "drift"; d[2] += 1
rows = []
for m in models:
    name = m["name"]
    live = {x["environment"]: x for x in cli("deployments", name)["deployments"] if x["version"]}
    failed = [e for e in envs if e in live and live[e]["hook_status"] == "failed"]
    d = drift.get(name, [-1, 0, 0])
    label = "-" if d[0] < 0 else ["✔ ok", "▲ warn", "✖ drift"][d[0]] + " %d/%d" % (d[1], d[2])
    al = alerts.get(name)
    words = [name, label, str(al) if al else "-",
             str(pending.get(name, 0)), "✖ %d" % len(failed) if failed else "-"]
    words += [live[e]["version"] if e in live else "-" for e in envs]
    words.append(m["latest_version"] or "-")
    rows.append(((0 if failed else 1, 0 if al else 1, -max(d[0], 0), 0 if pending.get(name) else 1, name), " ".join(words)))
for _, line in sorted(rows):
    print(line)
EOP

# check_rows URI WHAT: the screen's rows (from line 4) are the expected ones.
check_rows() {
	python3 "$T/expect.py" "$M" "$1" >"$T/want" || { fail "$2: the CLI's JSON"; return; }
	n=$(wc -l <"$T/want")
	screen | sed -n "4,$((3 + n))p" | sed 's/^[▸ ]*//; s/  */ /g; s/ *$//' >"$T/got"
	if diff "$T/want" "$T/got" >"$T/diff"; then ok "$2: $n rows as the CLI says, worst first"; else
		fail "$2: rows differ from the CLI's: $(cat "$T/diff")"; screen | sed 's/^/  | /' >&2; fi
}

# The demo registry, at 80x24.
db=$(demo_db)
tui_start 80 24 -r "$db"
wait_for "Models (8)"
keys :
literal "pulse"
keys Enter
wait_re "^ Pulse: .* \(8\)"
wait_line 4 "churn-predictor"
screen_settle
check_rows "$db" "demo"
# Enter on a row: the model's deployments.
keys Down Enter
wait_for "Deployments of fraud-detector ("
keys Escape
wait_re "^ Pulse: "
keys q
expect_quit "q exits 0"

# [general] start = pulse, pulse_refresh = 1: the console starts on the pulse,
# and a request opened meanwhile by the CLI shows up by itself.
mkdir -p "$XDG_CONFIG_HOME/mlconsole"
printf '[general]\nstart = pulse\npulse_refresh = 1\n' >"$XDG_CONFIG_HOME/mlconsole/config"
tui_start 80 24 -r "$db"
wait_re "^ Pulse: .*every 1s \(8\)"
wait_line 2 "Pulse"
screen_settle
check_rows "$db" "start = pulse"
old=$(screen | grep -cE "^. credit-risk .* - +0 +- ")
"$M" -r "$db" --as alice request credit-risk 4 --env staging >/dev/null 2>&1 ||
	fail "the CLI could not open a request for credit-risk"
wait_re "^. credit-risk +✔ ok [0-9]+/[0-9]+ +- +1 "
screen_settle
check_rows "$db" "after a refresh on the interval"
[ "$old" = 1 ] && ok "credit-risk had no request before" || fail "credit-risk's row before: $old"
keys q
expect_quit "q exits 0"
rm -f "$XDG_CONFIG_HOME/mlconsole/config"

# An MLflow server: environments, a deployment, a request and a drifting
# feature, all set up by the CLI.
fixture_start --runs 5
URL="http://$HP"
F="$MLC_SRCDIR/tests/fixtures/drift"
for c in "env set staging --order 1" "env set production --order 2 --required-approvals 1" \
	"deploy fraud-detector 2 --env staging" "request fraud-detector 3 --env production" \
	"deploy churn 1 --env staging"; do
	# shellcheck disable=SC2086
	"$M" -r "$URL" $c >/dev/null 2>&1 || fail "setting up the server: $c"
done
"$M" -r "$URL" drift record fraud-detector --feature amount --reference "$F/num_ref.csv" \
	--current "$F/num_cur.csv" --at 2026-11-19 >/dev/null 2>&1 || fail "drift record"
tui_start 80 24 -r "$URL"
wait_re "Models \(3\)"
keys :
literal "pulse"
keys Enter
wait_re "^ Pulse: .* \(3\)"
wait_line 4 "fraud-detector"
screen_settle
check_rows "$URL" "server"
keys q
expect_quit "q exits 0"
finish
