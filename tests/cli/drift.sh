#!/bin/bash
# tests/cli/drift.sh: `drift compute` on the fixture samples gives SciPy's and
# Evidently's numbers (text and JSON), reads files as mlconsole.1 says (header,
# blank lines, CRLF, bad values named by file and line) and fails cleanly.
. "$MLC_SRCDIR/tests/lib.sh"
M="$MLC_BIN"
F="$MLC_SRCDIR/tests/fixtures/drift"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to read the JSON"

# check_json WHAT PYTHON: run PYTHON with d = the JSON on stdout of the last
# command and o_num / o_small / o_cat = the oracles; close(a, b) compares to
# 1e-9 relative or 1e-12 absolute.
check_json() {
	what=$1
	python3 - "$T/out" "$F" "$2" <<'PY' && ok "$what" || fail "$what: $(head -c 600 "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
o_num, o_small, o_cat = (json.load(open(f"{sys.argv[2]}/oracle_{s}.json")) for s in ("num", "small", "cat"))
def close(a, b):
    assert abs(a - b) <= max(1e-12, 1e-9 * abs(b)), (a, b)
    return True
exec(sys.argv[3])
PY
}

# ---- numbers: text and JSON against the oracles ---------------------------------
expect_exit 0 "compute on 1000 vs 1200 numbers" -- "$M" drift compute --reference "$F/num_ref.csv" --current "$F/num_cur.csv"
expect_in "$T/out" "method     ks (p-value, exact)" "auto picks ks for 1000 reference values"
expect_in "$T/out" "statistic  0.1405" "text shows KS D"
expect_in "$T/out" "p-value    7.568940325993483e-10" "text shows the exact p-value"
expect_in "$T/out" "threshold  0.05" "text shows the default threshold"
expect_in "$T/out" "drifted    yes" "text says drifted"
expect_in "$T/out" "1000 reference, 1200 current" "text shows the counts"

expect_exit 0 "compute --json" -- "$M" drift compute --reference "$F/num_ref.csv" --current "$F/num_cur.csv" --json
check_json "JSON: ks D exactly, p to 1e-9, fields as mlconsole.1" '
assert list(d) == ["method", "score", "statistic", "p_value", "threshold", "drift", "n_reference", "n_current"], list(d)
assert d["method"] == "ks" and d["statistic"] == o_num["ks"]["statistic_D"]
close(d["p_value"], o_num["ks"]["pvalue_exact"]); assert d["score"] == d["p_value"]
assert d["threshold"] == 0.05 and d["drift"] is True
assert d["n_reference"] == 1000 and d["n_current"] == 1200'

for m in wasserstein psi kl_div jensenshannon hellinger; do
	expect_exit 0 "compute --method $m --json" -- "$M" drift compute --reference "$F/num_ref.csv" --current "$F/num_cur.csv" --method $m --json
	check_json "JSON: $m score and verdict match the oracle" "
m = '$m'
want = {'wasserstein': o_num['wasserstein']['normed_evidently'], 'psi': o_num['evidently_binned']['psi'],
        'kl_div': o_num['evidently_binned']['kl_div'],
        'jensenshannon': o_num['evidently_binned']['jensenshannon_distance_ln'],
        'hellinger': o_num['evidently_hellinger']['hellinger']}[m]
assert d['method'] == m and d['p_value'] is None and d['threshold'] == 0.1
close(d['score'], want); assert d['statistic'] == d['score']
assert d['drift'] == (want >= 0.1)"
done

expect_exit 0 "psi on reference deciles" -- "$M" drift compute --reference "$F/num_ref.csv" --current "$F/num_cur.csv" --method psi --binning deciles --json
check_json "JSON: decile PSI is the industry value" 'close(d["score"], o_num["psi_industry_decile10"]["psi"])'

expect_exit 0 "ks on the 40 vs 50 sample" -- "$M" drift compute --reference "$F/small_ref.csv" --current "$F/small_cur.csv" --json
check_json "JSON: small sample exact p and no drift" '
assert d["statistic"] == o_small["ks"]["statistic_D"]
close(d["p_value"], o_small["ks"]["pvalue_exact"]); assert d["drift"] is False'

expect_exit 0 "a user threshold" -- "$M" drift compute --reference "$F/num_ref.csv" --current "$F/num_cur.csv" --method psi --threshold 0.25 --json
check_json "JSON: --threshold 0.25 keeps PSI 0.154 below it" 'assert d["threshold"] == 0.25 and d["drift"] is False'

# ---- categories ------------------------------------------------------------------
expect_exit 0 "compute --categorical" -- "$M" drift compute --reference "$F/cat_ref.csv" --current "$F/cat_cur.csv" --categorical --json
check_json "JSON: categories auto-pick Evidently's chi-square" '
assert d["method"] == "chisquare"
close(d["statistic"], o_cat["evidently_chisquare"]["statistic"])
close(d["p_value"], o_cat["evidently_chisquare"]["pvalue"]); assert d["drift"] is True'
expect_exit 0 "categorical text" -- "$M" drift compute --reference "$F/cat_ref.csv" --current "$F/cat_cur.csv" --categorical --method jensenshannon
expect_in "$T/out" "method     jensenshannon (distance)" "text names a distance"
expect_not_in "$T/out" "p-value  " "no p-value line for a distance"
expect_exit 2 "ks refuses categories" -- "$M" drift compute --reference "$F/cat_ref.csv" --current "$F/cat_cur.csv" --categorical --method ks
expect_in "$T/err" "ks needs numbers" "says why"

# ---- input rules -------------------------------------------------------------------
{ echo "feature_x"; cat "$F/num_ref.csv"; } >"$T/with_header.csv"
expect_exit 0 "a header line is tolerated" -- "$M" drift compute --reference "$T/with_header.csv" --current "$F/num_cur.csv" --json
check_json "JSON: same result with a header" 'assert d["statistic"] == 0.1405 and d["n_reference"] == 1000'

{ echo; head -3 "$F/small_ref.csv"; echo "   "; printf '\t\n'; tail -n +4 "$F/small_ref.csv"; echo; } | sed 's/$/\r/' >"$T/blank_crlf.csv"
expect_exit 0 "blank lines and CRLF" -- "$M" drift compute --reference "$T/blank_crlf.csv" --current "$F/small_cur.csv" --json
check_json "JSON: blank lines skipped, CRLF read" 'assert d["n_reference"] == 40 and d["statistic"] == o_small["ks"]["statistic_D"]'

{ echo "value"; echo 1.5; echo; echo 2.5; echo "abc"; echo 3; } >"$T/bad.csv"
expect_exit 2 "a later non-number is an error" -- "$M" drift compute --reference "$T/bad.csv" --current "$F/small_cur.csv"
expect_in "$T/err" "mlconsole: $T/bad.csv:5: not a number: 'abc'" "names file and line"
expect_exit 2 "a non-number in the current file" -- "$M" drift compute --reference "$F/small_ref.csv" --current "$F/cat_cur.csv"
expect_in "$T/err" "cat_cur.csv:2: not a number: 'b'" "the current file's first line was a header"

printf '1\n2\nx\033[31my\n' >"$T/esc.csv"
expect_exit 2 "a bad value with an escape" -- "$M" drift compute --reference "$T/esc.csv" --current "$F/small_cur.csv"
expect_in "$T/err" ":3: not a number: 'x\\x1b[31my'" "the value is shown escaped"
if grep -q $'\033' "$T/err"; then fail "raw ESC reached the terminal"; else ok "no raw ESC on stderr"; fi

printf '1\n0x10\n' >"$T/hex.csv"
expect_exit 2 "hex is not a number" -- "$M" drift compute --reference "$T/hex.csv" --current "$F/small_cur.csv"

printf 'nan\ninf\n-inf\n1\n2\n3\n' >"$T/nonfinite.csv"
expect_exit 0 "NaN and infinities are dropped" -- "$M" drift compute --reference "$T/nonfinite.csv" --current "$F/small_cur.csv"
expect_in "$T/out" "3 reference, 50 current (dropped as NaN or infinite: 3, 0)" "text counts the dropped values"
printf 'x\nnan\nNaN\ninf\n' >"$T/allnan.csv"
expect_exit 2 "an all-NaN column is an error" -- "$M" drift compute --reference "$F/small_ref.csv" --current "$T/allnan.csv"
expect_in "$T/err" "current sample is empty after dropping NaN and infinite values" "says which sample"
printf 'header\n\n' >"$T/empty.csv"
expect_exit 2 "a file without values" -- "$M" drift compute --reference "$T/empty.csv" --current "$F/small_cur.csv"
expect_in "$T/err" "$T/empty.csv: no values" "names the empty file"

# ---- usage and file errors ------------------------------------------------------------
expect_exit 2 "a missing file" -- "$M" drift compute --reference "$T/nope.csv" --current "$F/small_cur.csv"
expect_in "$T/err" "mlconsole: $T/nope.csv: No such file or directory" "names the missing file"
expect_exit 2 "a directory is not readable as a file" -- "$M" drift compute --reference "$F/small_ref.csv" --current "$T"
expect_in "$T/err" "$T:" "names the directory"
expect_exit 2 "an unknown method" -- "$M" drift compute --reference "$F/small_ref.csv" --current "$F/small_cur.csv" --method emd
expect_in "$T/err" "unknown method 'emd'" "names the method"
expect_exit 2 "an unknown binning" -- "$M" drift compute --reference "$F/small_ref.csv" --current "$F/small_cur.csv" --binning sturges
expect_in "$T/err" "unknown binning 'sturges'" "names the binning"
expect_exit 2 "--current is needed" -- "$M" drift compute --reference "$F/small_ref.csv"
expect_exit 2 "a p-value threshold above 1" -- "$M" drift compute --reference "$F/small_ref.csv" --current "$F/small_cur.csv" --threshold 2
expect_exit 2 "drift needs a subcommand" -- "$M" drift

# ---- drift record stores the point in the model's series -------------------------------
db=$(demo_db)
expect_exit 0 "drift record" -- "$M" -r "$db" drift record fraud-detector --feature new_feat --reference "$F/num_ref.csv" --current "$F/num_cur.csv" --method psi --at 2026-11-20 --json
python3 - "$T/out" "$F/oracle_num.json" <<'PY' && ok "the recorded point carries the score" || fail "record json: $(cat "$T/out")"
import json, sys
p = json.load(open(sys.argv[1]))["point"]
assert p["method"] == "psi" and p["window_end"] == 1795132800000 and p["feature"] == "new_feat", p
PY
expect_exit 0 "record a later window" -- "$M" -r "$db" drift record fraud-detector --feature new_feat --reference "$F/num_ref.csv" --current "$F/num_ref.csv" --method psi --at 2026-11-21T00:00:00Z
expect_exit 0 "record the same window again (replaces it)" -- "$M" -r "$db" drift record fraud-detector --feature new_feat --reference "$F/num_ref.csv" --current "$F/num_cur.csv" --method psi --at 2026-11-20
expect_exit 0 "drift show" -- "$M" -r "$db" drift show fraud-detector --feature new_feat --json
python3 -c "
import json; f=json.load(open('$T/out'))['features'][0]
assert [p['window_end'] for p in f['series']] == [1795132800000, 1795219200000], f['series']
assert f['status'] == 'ok' and f['score'] < 1e-9, f" && ok "two windows, the latest one (no drift) decides" || fail "series: $(cat "$T/out")"
expect_exit 2 "a bad --at" -- "$M" -r "$db" drift record fraud-detector --feature f --reference "$F/num_ref.csv" --current "$F/num_cur.csv" --at yesterday
expect_in "$T/err" "--at yesterday" "names the value"
expect_exit 1 "an unknown model" -- "$M" -r "$db" drift record nope --feature f --reference "$F/num_ref.csv" --current "$F/num_cur.csv"
expect_in "$T/err" "model 'nope'" "names the model"
expect_exit 1 "read-only" -- "$M" -r "$db" --read-only drift record fraud-detector --feature f --reference "$F/num_ref.csv" --current "$F/num_cur.csv"
expect_exit 2 "--json errors too" -- "$M" drift compute --reference "$T/nope.csv" --current "$F/small_cur.csv" --json
python3 -c "import json,sys; assert 'nope.csv' in json.load(open(sys.argv[1]))['error']['message']" "$T/err" \
	&& ok "the error is JSON with --json" || fail "JSON error: $(cat "$T/err")"

# ---- numbers use '.' whatever the locale -----------------------------------------------
loc=$(locale -a 2>/dev/null | grep -i -m1 -E '^(de_DE|fr_FR)\.utf-?8$')
if [ -n "$loc" ]; then
	LC_ALL=$loc expect_exit 0 "compute under $loc" -- "$M" drift compute --reference "$F/small_ref.csv" --current "$F/small_cur.csv"
	expect_in "$T/out" "statistic  0.195" "decimal point kept under $loc"
else
	ok "no comma-decimal locale installed; locale check skipped"
fi

finish
