#!/bin/bash
# tests/remote/votes.sh: on an MLflow-speaking server (tests/remote/fixture.py)
# two votes a moment apart are never lost (issue 12). prod needs 2 approvals,
# from alice and bob; carol asks for 100 versions (model-0000 ... model-0099,
# version 1). Every set-tag write of alice's console is held back 0.25 s, as a
# slow proxy in front of the server would, and bob approves 0.05 ... 0.95 s
# after alice. A request lost a vote when fewer than 2 approvals of its current
# opening are recorded at the end, or it was not deployed; it was deployed
# twice when its history holds two entries for it. Runs go ten at a time (each
# on its own model) to keep the test near a minute. First, a request tag in the
# old layout (votes inside it, no opening) keeps its number and its votes.
. "$MLC_SRCDIR/tests/lib.sh"
need_root "act as alice, bob and carol with --as"
command -v xargs >/dev/null 2>&1 || skip "needs xargs"
RUNS=100
BATCH=10
fixture_start --runs 10 --models "$RUNS"
fixture_client 0

# control WHAT JSON: a control request to the fixture.
control() {
	python3 -c 'import sys, urllib.request as u
u.urlopen(u.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST"), timeout=10).read()' \
		"http://$HP/_fixture/$1" "$2"
}

# model I: the name of run I's model.
model() {
	printf 'model-%04d' "$1"
}

expect_exit 0 "env set prod: 2 approvals, from alice and bob" -- \
	"$M" env set prod --order 1 --required-approvals 2 --approvers alice,bob

# ---- a request tag in the old layout (votes inside it), written by a raw call -------------
python3 - "$HP" <<'PY'
import json, sys, time, urllib.request as u
now = int(time.time() * 1000)
req = {"id": "churn:1:prod", "kind": "promote", "by": "carol", "at": now, "comment": "old layout",
       "state": "pending", "votes": [{"by": "alice", "d": "approve", "at": now, "comment": ""}]}
body = {"name": "churn", "version": "1", "key": "mlconsole.request.prod", "value": json.dumps(req)}
u.urlopen(u.Request("http://%s/api/2.0/mlflow/model-versions/set-tag" % sys.argv[1], data=json.dumps(body).encode(),
                    headers={"Content-Type": "application/json"}), timeout=10).read()
PY
# its number: the FNV-1a hash of "churn:1:prod", as before openings had their own
old=$(python3 -c 'h = 14695981039346656037
for c in b"churn:1:prod":
    h = ((h ^ c) * 1099511628211) % 2**64
print(h % 2147483647 + 1)')
expect_exit 0 "approvals --json" -- "$M" approvals --json
check "the old tag is listed by its old number, with alice's vote" \
	"$(python3 -c 'import json, sys; print([(q["id"], [v["by"] for v in q["votes"]]) for q in json.load(open(sys.argv[1]))["requests"] if q["model"] == "churn"])' "$T/out")" \
	"[($old, ['alice'])]"
expect_exit 1 "alice cannot vote on it again" -- "$M" --as alice approve "$old"
expect_in "$T/err" "alice has already voted" "says so"
expect_exit 0 "bob's approval is the second" -- "$M" --as bob approve "$old"
expect_in "$T/out" "request $old approved: churn 1 is live in prod" "and deploys it"
check "churn 1 is live in prod" "$(python3 -c 'import json, sys, urllib.request as u
m = json.load(u.urlopen("http://%s/api/2.0/mlflow/registered-models/get?name=churn" % sys.argv[1], timeout=10))
print([a["version"] for a in m["registered_model"].get("aliases", []) if a["alias"] == "prod"])' "$HP")" "['1']"

# ---- 100 requests, two votes each a moment apart ------------------------------------------
# carol asks for every model's version 1 (four at a time)
for i in $(seq 0 $((RUNS - 1))); do model "$i"; echo; done |
	xargs -P 4 -I{} "$M" --as carol request {} 1 --env prod >"$T/requests.out" 2>"$T/requests.err"
expect_exit 0 "approvals --json" -- "$M" approvals --json
cp "$T/out" "$T/pending.json"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for q in d["requests"]:
    print(q["model"], q["id"])' "$T/pending.json" >"$T/ids"
check_n=$(wc -l <"$T/ids")
if [ "$check_n" -eq "$RUNS" ]; then ok "$RUNS requests pending"; else
	fail "$check_n requests pending, wanted $RUNS: $(head -c 400 "$T/requests.err")"; fi

# alice's console: every set-tag write held back 0.25 s
control hold '{"path": "set-tag", "seconds": 0.25, "match": "alice"}'

# one_run I: alice approves run I's request; bob OFFSET seconds later.
one_run() {
	i=$1
	name=$(model "$i")
	id=$(awk -v m="$name" '$1 == m {print $2}' "$T/ids")
	offset=$(awk -v i="$i" -v n="$RUNS" 'BEGIN {printf "%.3f", 0.05 + 0.9 * i / (n - 1)}')
	"$M" --as alice approve "$id" >"$T/run$i.alice.out" 2>"$T/run$i.alice.err" &
	a=$!
	sleep "$offset"
	"$M" --as bob approve "$id" >"$T/run$i.bob.out" 2>"$T/run$i.bob.err"
	echo $? >"$T/run$i.bob.rc"
	wait "$a"
	echo $? >"$T/run$i.alice.rc"
}
start=$(date +%s)
for b in $(seq 0 $BATCH $((RUNS - 1))); do
	pids=
	for i in $(seq "$b" $((b + BATCH - 1))); do
		# run i of this batch: the offsets of a batch are spread over the range
		j=$(((i - b) * (RUNS / BATCH) + b / BATCH))
		one_run "$j" &
		pids="$pids $!"
	done
	wait $pids # (not the fixture)
done
control hold '{}'
echo "# $RUNS runs in $(($(date +%s) - start)) s"

# Count, from the server's tags as they are: votes of the current opening
# (the request tag's old "votes" array and the tags mlconsole.vote.prod.USER
# whose req is its opening), the alias, and the history's entries for it.
python3 - "$HP" "$RUNS" >"$T/count" <<'PY'
import json, sys, urllib.request as u
hp, runs = sys.argv[1], int(sys.argv[2])
api = "http://%s/api/2.0/mlflow/" % hp
lost = twice = 0
for i in range(runs):
    name = "model-%04d" % i
    mv = json.load(u.urlopen(api + "model-versions/get?name=%s&version=1" % name, timeout=10))["model_version"]
    tags = {t["key"]: t["value"] for t in mv.get("tags", [])}
    req = json.loads(tags.get("mlconsole.request.prod", "{}"))
    opening = req.get("opening")
    voters = {v.get("by") for v in req.get("votes", []) if v.get("d") == "approve"}
    for k, val in tags.items():
        if k.startswith("mlconsole.vote.prod."):
            v = json.loads(val)
            if v.get("req") == opening and opening and v.get("d") == "approve":
                voters.add(v.get("by"))
    m = json.load(u.urlopen(api + "registered-models/get?name=" + name, timeout=10))["registered_model"]
    live = [a["version"] for a in m.get("aliases", []) if a["alias"] == "prod"]
    hist = json.loads({t["key"]: t["value"] for t in m.get("tags", [])}.get("mlconsole.history.prod", "[]"))
    deployed = live == ["1"] and req.get("state") == "approved"
    if len(voters) < 2 or not deployed:
        lost += 1
        print("lost: %s: approvals %s, state %s, live %s" % (name, sorted(voters), req.get("state"), live))
    if len(hist) > 1:
        twice += 1
        print("twice: %s: %d history entries" % (name, len(hist)))
print("votes: %d of %d requests lost a vote or were not deployed; %d deployed twice" % (lost, runs, twice))
PY
cat "$T/count"
grep -q "^votes: 0 of $RUNS requests lost" "$T/count" && ok "no vote lost" || {
	fail "a vote was lost: $(grep -c '^lost' "$T/count") of $RUNS"
	for f in "$T"/run*.err; do [ -s "$f" ] && echo "$(basename "$f"): $(head -c 300 "$f")"; done | head -20
}
grep -q "; 0 deployed twice" "$T/count" && ok "none deployed twice" || fail "a request was deployed twice"
failed=$(cat "$T"/run*.rc | grep -cv '^0$')
check "every approval exits 0" "$failed" 0
[ "$failed" -eq 0 ] || for f in "$T"/run*.rc; do
	[ "$(cat "$f")" = 0 ] || echo "$(basename "$f" .rc): $(head -c 300 "${f%.rc}.err")"
done | head -10
finish
