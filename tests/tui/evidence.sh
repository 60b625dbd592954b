#!/bin/bash
# tests/tui/evidence.sh: evidence at the approval, at 80x24 on the demo — the
# request's dialog (Enter) and the vote's dialog (a) show the candidate
# against the version live in the request's environment: key metrics with
# their change, whether the data changed (dataset digests), the drift
# status and the open drift alerts there; the approvals view has the DATA column. What they should say is
# computed here from the CLI's JSON (approvals, deployments, versions and
# compare's runs with their datasets), not from the console's diff.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
command -v python3 >/dev/null || skip "python3 is needed to read the JSON"
db=$(demo_db)

# want ID: "LIVE|auc line regex|data line regex|drift line regex" for request ID.
want() {
	python3 - "$M" "$db" "$1" <<'EOP'
import json, re, subprocess, sys
M, db, rid = sys.argv[1], sys.argv[2], int(sys.argv[3])
def cli(*a):
    return json.loads(subprocess.run([M, "-r", db, *a, "--json"], capture_output=True, text=True, check=True).stdout)
q = [q for q in cli("approvals")["requests"] if q["id"] == rid][0]
live = cli("deployments", q["model"], "--env", q["environment"])["deployments"][0]["version"]
runs = {v["version"]: v["run_id"] for v in cli("versions", q["model"])["versions"]}
c = cli("compare", runs[live], runs[q["version"]])["runs"]
was, now = c[0]["metrics"]["auc"], c[1]["metrics"]["auc"]
w, n = "%.6g" % was, "%.6g" % now
delta = "%+.3g" % (float(n) - float(w))
ds = lambda r: {(d["name"], d["context"]): d["digest"] for d in r["datasets"]}
a, b = ds(c[0]), ds(c[1])
changed = sorted("%s (%s)" % k for k in set(a) | set(b) if a.get(k) != b.get(k))
verdict = "data changed: " + ", ".join(changed) if changed else "same data"
st = [f["status"] for f in cli("drift", "show", q["model"])["features"]]
drift = next((l for s, l in (("drift", "✖ drift"), ("warn", "▲ warn"), ("ok", "✔ ok")) if s in st), "none recorded")
print("%s|auc +%s -> %s +\\(%s, %s\\)|Data: +%s|Drift: +%s \\(the model's, live %s\\)" % (
      live, re.escape(w), re.escape(n), re.escape(delta), "better" if float(n) > float(w) else "worse",
      re.escape(verdict), re.escape(drift), live))
EOP
}

tui_start 80 24 -r "$db"
wait_for "Models (8)"
keys :
literal "approvals"
keys Enter
wait_for "oldest first) ("
wait_for "DATA"
screen_settle
n=0
for id in 16 8; do
	IFS='|' read -r live auc data drift <<<"$(want $id)"
	[ -n "$live" ] || { fail "request $id: the CLI's JSON"; continue; }
	case "$id:$data" in 16:*changed*|8:*same*) ;; *) fail "the demo's request $id: $data" ;; esac
	keys /
	literal "$(python3 -c "import json,subprocess,sys; print([q['model'] for q in json.load(sys.stdin)['requests'] if q['id']==$id][0])" < <("$M" -r "$db" approvals --json))"
	keys Enter
	wait_re "^. +$id "
	keys Enter
	wait_for "Against live $live:"
	wait_re "$auc"
	wait_re "$data"
	wait_re "$drift"
	wait_for "[ Close ]"
	keys Escape
	wait_gone "Against live"
	keys Escape
	n=$((n + 1))
done
[ "$n" = 2 ] && ok "two requests' evidence checked" || fail "checked $n requests"
# The demo's fired alert opened a rollback request: its evidence names the
# alert (rule and features, from 'alerts list --json'); another request of
# the model in another environment says none is open there.
read -r rid rule feats <<<"$("$M" -r "$db" alerts list --json | python3 -c '
import json, sys
f = [a for a in json.load(sys.stdin)["alerts"] if a["open"]][0]
print(f["request"], f["rule"], f["features"])')"
keys /
literal "$rule"
keys Enter
wait_re "^. +$rid "
keys Enter
wait_for "Alert:  $rule fired on $feats (it opened this request)"
keys Escape
wait_gone "Alert:"
keys Escape
keys /
literal "production"
keys Enter
wait_re "^. +8 "
keys Enter
wait_for "Alerts: none open in production"
keys Escape
keys Escape
keys q
expect_quit "q exits 0"

# The vote's dialog shows it too, above the confirmation (carol may approve).
if [ "$(id -u)" -eq 0 ]; then
	IFS='|' read -r live auc data drift <<<"$(want 8)"
	tui_start 80 24 -r "$db" --as carol
	wait_for "Models (8)"
	keys :
	literal "approvals"
	keys Enter
	wait_for "oldest first) ("
	keys /
	literal "fraud-detector"
	keys Enter
	wait_re "^. +8 "
	keys a
	wait_for "approve, comment (optional):"
	keys Enter
	wait_for "Approve the request"
	wait_for "Against live $live:"
	wait_re "$auc"
	wait_re "$data"
	wait_re "$drift"
	wait_for "Type fraud-detector to confirm"
	wait_for "[ Cancel ]"
	keys Escape
	wait_gone "Approve the request"
	keys q
	expect_quit "q exits 0"
fi
finish
