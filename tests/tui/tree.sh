#!/bin/bash
# tests/tui/tree.sh: nested runs (MLflow's tag mlflow.parentRunId) as a tree in
# the runs view (t), at 80x24, on the local registry (windows of top-level runs
# the registry answers, each shown run's children looked up by their tag) and
# on an MLflow server (every run loaded once, the windows cut in memory): the
# same tree on both, each row where a tree computed here from the CLI's JSON
# puts it, with its branch glyphs and its children count; paging across
# windows, G, gg, a sort, a / text, marks, compare and Enter in tree mode; the
# cursor on its run through each toggle. Then MLflow's own nested runs (the
# recorded 2.17.2 lineage store, imported) and LANG=C's ASCII branches.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"

# tree [name] [TEXT] [parented]: the expected rows "ID8 PREFIX NAME (KIDS)" of
# the tree of $exp on $reg, newest first (or by name), of the runs whose id or
# name holds TEXT (and that have a parent tag): top-level runs (parent missing, itself, or not among them), each
# followed by its children's families, depth first.
tree() {
	"$M" -r "$reg" runs "$exp" --json | python3 -c '
import json, sys
order, text, only = sys.argv[1], sys.argv[2].lower(), sys.argv[3]
runs = json.load(sys.stdin)["runs"]
runs = [r for r in runs if text in r["run_id"].lower() or text in r["run_name"].lower()]
if only:
    runs = [r for r in runs if "mlflow.parentRunId" in (r.get("tags") or {})]
if order == "name":
    runs.sort(key=lambda r: (r["run_name"].encode(), -r["start_time"], r["run_id"]))
else:
    runs.sort(key=lambda r: (-r["start_time"], r["run_id"]))
ids = {r["run_id"] for r in runs}
def parent(r):
    p = (r.get("tags") or {}).get("mlflow.parentRunId")
    return p if p in ids and p != r["run_id"] else None
kids = {}
for r in runs:
    if parent(r):
        kids.setdefault(parent(r), []).append(r)
out = []
def walk(r, bars):
    k = kids.get(r["run_id"], [])
    out.append("%s %s%s%s" % (r["run_id"][:8], bars, r["run_name"], " (%d)" % len(k) if k else ""))
    for i, c in enumerate(k):
        last = i + 1 == len(k)
        walk(c, bars.replace("├─ ", "│  ").replace("└─ ", "   ") + ("└─ " if last else "├─ "))
sys.setrecursionlimit(100000)
for r in runs:
    if not parent(r):
        walk(r, "")
print("\n".join(out))' "${1:-newest}" "${2:-}" "${3:-}"
}

# rows: the screen's table rows as "ID8 NAME-CELL" (the cursor mark dropped).
rows() { screen | sed -n 's/^[▸ •]\{1,2\}\([0-9a-f]\{8\}\) \(.*\)$/\1 \2/p' | sed 's/  *[A-Z]\{6,9\} .*//'; }
# cursor: the id on the cursor's row.
cursor() { screen | sed -n 's/^▸.\([0-9a-f]\{8\}\) .*/\1/p'; }
# at FILE POS WHAT: the cursor is on the run at line POS (from 1) of FILE.
at() {
	want=$(sed -n "$2p" "$1" | cut -c1-8)
	for _ in $(seq 50); do [ "$(cursor)" = "$want" ] && break; sleep 0.1; done
	[ "$(cursor)" = "$want" ] && ok "$3: cursor on row $2 ($want)" ||
		fail "$3: cursor on '$(cursor)', want row $2 of $(basename "$1") ($want)"
}
# shown FILE WHAT: every row on screen is the tree's row at its place (the id,
# the branch, the name and the count as far as the NAME column shows them).
shown() {
	for _ in $(seq 50); do
		bad=0
		first=$(rows | head -n 1 | cut -c1-8)
		pos=$(grep -n "^$first " "$1" | cut -d: -f1)
		[ -n "$first" ] && [ -n "$pos" ] || bad=1
		i=0
		while [ $bad = 0 ] && IFS= read -r row; do
			want=$(sed -n "$((pos + i))p" "$1")
			cell=${row%…*} # a cut cell: the part before the ellipsis
			case "$want" in "$cell"*) ;; *) bad=1 ;; esac
			[ "$cell" = "$row" ] && [ "$row" != "$want" ] && bad=1
			i=$((i + 1))
		done < <(rows)
		[ $bad = 0 ] && [ $i -gt 0 ] && break
		sleep 0.1
	done
	[ $bad = 0 ] && [ $i -gt 0 ] && ok "$2: $i rows as the tree has them" ||
		fail "$2: the screen's rows are not the tree's ($(basename "$1") from line ${pos:-?}): $(rows | head -n 5 | tr '\n' '|') want $(sed -n "${pos:-1},$((${pos:-1} + 4))p" "$1" | tr '\n' '|')"
}

# walk: the whole walk on registry $reg, experiment $exp.
walk() {
tree >"$T/tree"
"$M" -r "$reg" runs "$exp" --json | python3 -c '
import json, sys
for r in json.load(sys.stdin)["runs"]: print(r["run_id"][:8])' >"$T/flat"
n=$(wc -l <"$T/flat")
top=$(grep -cvE '^.{8} (├|└|│|   )' "$T/tree")
[ "$top" -gt 150 ] && ok "$top top-level runs of $n: more than a window" ||
	fail "only $top top-level runs"
tui_start 80 24 -r "$reg"
wait_for "Models ("
keys :
literal "runs $exp"
keys Enter
wait_for "Runs of $exp ($n)"
at "$T/flat" 1 "opened flat"
# the footer offers the toggle, with its word from actions.def (issue 14)
screen | tail -n 1 | grep -q " t tree" && ok "the footer offers t tree" ||
	fail "footer: $(screen | tail -n 1)"

keys t
wait_for "Runs of $exp as a tree ($n)"
at "$T/tree" 1 "t: the first run is the tree's first"
shown "$T/tree" "the first screen"
grep -q "│  └─ " "$T/tree" && ok "the tree has grandchildren" || fail "no grandchildren"

# PgDn moves 19 rows at 80x24: 30 of them cross windows of top-level runs.
for _ in $(seq 30); do keys NPage; done
at "$T/tree" $((30 * 19 + 1)) "30 PgDn"
shown "$T/tree" "30 PgDn"
for _ in $(seq 12); do keys PPage; done
at "$T/tree" $((18 * 19 + 1)) "12 PgUp back"
shown "$T/tree" "12 PgUp back"
keys G
at "$T/tree" "$n" "G"
shown "$T/tree" "G"
keys k k
at "$T/tree" $((n - 2)) "k k from the end"
keys g g
at "$T/tree" 1 "gg"

# The toggle keeps the cursor on its run: a child's, a grandchild's.
pos=$(grep -n "└─ " "$T/tree" | sed -n 40p | cut -d: -f1)
id=$(sed -n "${pos}p" "$T/tree" | cut -c1-8)
for _ in $(seq $((pos - 1))); do keys j; done
at "$T/tree" "$pos" "down to a child"
keys t
wait_for "Runs of $exp ($n)"
at "$T/flat" "$(grep -n "^$id" "$T/flat" | cut -d: -f1)" "t: flat, the cursor on the child"
keys t
wait_for "Runs of $exp as a tree ($n)"
at "$T/tree" "$pos" "t: the tree again, the cursor on the child"
shown "$T/tree" "the tree around the child"

# Marks, compare and Enter in tree mode.
keys g g
at "$T/tree" 1 "gg"
keys Space Space
wait_for "Runs of $exp as a tree, 2 marked ($n)"
keys c
wait_for "Compare 2 runs"
keys Escape
wait_for "Runs of $exp as a tree, 2 marked ($n)"
keys Enter
wait_for "Run $(sed -n 3p "$T/tree" | cut -c1-8)"
keys Escape
wait_for "Runs of $exp as a tree, 2 marked ($n)"
keys k
at "$T/tree" 2 "k"
keys Space
wait_for "Runs of $exp as a tree, 1 marked ($n)"

# A sort (NAME): top-level runs by name, each family's children by name.
tree name >"$T/byname"
keys s s
wait_re "NAME▲"
at "$T/byname" "$(grep -n "^$(sed -n 3p "$T/tree" | cut -c1-8)" "$T/byname" | cut -d: -f1)" \
	"the cursor stays on its run through the sort"
shown "$T/byname" "sorted by name, around the cursor"
keys g g
at "$T/byname" 1 "gg by name"
shown "$T/byname" "gg by name"
for _ in $(seq 25); do keys NPage; done
at "$T/byname" $((25 * 19 + 1)) "25 PgDn by name"
shown "$T/byname" "25 PgDn by name"

# / text: a grandchild found by its whole id, alone: a top-level run now.
gc=$(grep "│  └─ " "$T/tree" | sed -n 5p | cut -c1-8)
full=$("$M" -r "$reg" runs "$exp" --json | python3 -c '
import json, sys
print(next(r["run_id"] for r in json.load(sys.stdin)["runs"] if r["run_id"].startswith(sys.argv[1])))' "$gc")
tree name "$full" >"$T/found"
keys /
literal "$full"
wait_for "(1 of $n)"
keys Enter
shown "$T/found" "/ its id: the grandchild alone, no branch"
at "$T/found" 1 "/ put the cursor on it"
keys Escape
wait_for "Runs of $exp as a tree, 1 marked ($n)"

# :filter, the runs with a parent tag only: a child whose parent is filtered
# out is a top-level run now, a grandchild stays under its parent.
tree name "" parented >"$T/filtered"
# on the server, the runs behind the first page (asked 1000 at a time) come
# 2 s late: gg typed on the first page's tree must still end on the whole
# tree's first run (the clean-clone CI saw the cursor left on the partial one's)
case $reg in http://*) python3 -c 'import sys, urllib.request as u
u.urlopen(u.Request(sys.argv[1], data=sys.argv[2].encode()), timeout=10).read()' "http://$HP/_fixture/hold" \
	'{"path": "runs/search", "match": "\"max_results\":1000", "seconds": 2, "count": 1}' ;; esac
keys :
literal "filter tags.\`mlflow.parentRunId\` LIKE '%'"
keys Enter
wait_for "as a tree, 1 marked where tags."
keys g g
at "$T/filtered" 1 "gg, filtered"
shown "$T/filtered" "filtered: children of filtered-out parents are top level"
keys Escape
wait_for "Models ("
keys q
expect_quit "q exits 0"
}

# The local registry: a demo experiment, its runs made families of five by
# their parent tags (newest first: a lone run; a grandchild; two children of
# the family's oldest, the first the grandchild's parent), one run its own
# parent, one whose parent is in another experiment.
reg=$T/nested.db exp=fraud-detection
"$M" demo create "$reg" --runs 3000 --seed 7 >/dev/null || { fail "demo create"; finish; }
python3 - "$reg" <<'PY' || fail "tagging the runs"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
runs = db.execute("SELECT r.id, r.run_uuid FROM runs r JOIN experiments e ON e.id = r.experiment_id"
                  " WHERE e.name = 'fraud-detection' AND r.lifecycle_stage = 'active'"
                  " ORDER BY r.start_time DESC, r.run_uuid").fetchall()
other = db.execute("SELECT r.run_uuid FROM runs r JOIN experiments e ON e.id = r.experiment_id"
                   " WHERE e.name = 'churn' LIMIT 1").fetchone()[0]
tag = []
for g in range(0, len(runs) - 4, 5):
    f = runs[g:g + 5]
    tag += [(f[1][0], f[2][1]), (f[2][0], f[4][1]), (f[3][0], f[4][1])]
tag += [(runs[5][0], runs[5][1]), (runs[-1][0], other)]
db.executemany("INSERT OR REPLACE INTO run_tags (run_id, key, value)"
               " VALUES (?, 'mlflow.parentRunId', ?)", tag)
db.commit()
PY
walk

# An MLflow server: the same families, made with MLflow's REST API.
fixture_start --runs 10
python3 - "$HP" <<'PY' || fail "making the runs on the server"
import json, sys, urllib.request
def post(path, body):
    req = urllib.request.Request("http://%s/api/2.0/mlflow/%s" % (sys.argv[1], path),
                                 json.dumps(body).encode(), {"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
eid = post("experiments/create", {"name": "nested"})["experiment_id"]
def run(name, t, parent=None):
    tags = [{"key": "mlflow.parentRunId", "value": parent}] if parent else []
    return post("runs/create", {"experiment_id": eid, "run_name": name, "start_time": t,
                                "tags": tags})["run"]["info"]["run_id"]
t = 1700000000000
for g in range(130):
    words = ["oak", "elm", "fir", "yew", "ash", "bay"]
    w = words[g % 6]
    p = run("%s-%03d" % (w, g), t + 10 * g)
    b = run("%s-%03d-b" % (w, g), t + 10 * g + 1, p)
    a = run("%s-%03d-a" % (w, g), t + 10 * g + 2, p)
    run("%s-%03d-a-x" % (w, g), t + 10 * g + 3, a)
    run("lone-%03d" % g, t + 10 * g + 4)
PY
reg=http://$HP exp=nested
walk

# MLflow's own nested runs (2.17.2, its file store imported): the parents
# newest first, each with its two folds.
lineage="${MLC_SHARED:-$MLC_SRCDIR/../shared}/mlruns/generated__mlflow-2.17.2-lineage/mlruns"
if [ -d "$lineage" ]; then
	reg=$T/lineage.db exp=fraud-lineage
	"$M" -r "$reg" import "$lineage" >/dev/null 2>&1 || fail "import $lineage"
	tree >"$T/lineage"
	tui_start 80 24 -r "$reg"
	wait_for "Models ("
	keys :
	literal "runs $exp"
	keys Enter
	wait_for "Runs of $exp (18)"
	keys t
	wait_for "Runs of $exp as a tree (18)"
	shown "$T/lineage" "MLflow's nested runs"
	wait_re "^  [0-9a-f]{8} sweep-5 \(2\) "
	wait_re "^. [0-9a-f]{8} └─ sweep-0-fold"
	keys q
	expect_quit "q exits 0"
	# LANG=C: ASCII branches.
	export LANG=C LC_ALL=C
	tui_start 80 24 -r "$reg"
	wait_for "Models ("
	keys :
	literal "runs $exp"
	keys Enter
	wait_for "Runs of $exp (18)"
	keys t
	wait_for "Runs of $exp as a tree (18)"
	wait_re "^. [0-9a-f]{8} \|- sweep-5-fold"
	wait_re "^. [0-9a-f]{8} \`- sweep-5-fold"
	screen | grep -q "├" && fail "LANG=C: a UTF-8 branch on screen" || ok "LANG=C: ASCII branches only"
	keys q
	expect_quit "q exits 0"
else
	echo "SKIP (part): $lineage is absent: MLflow's recorded nested runs not checked"
fi
finish
