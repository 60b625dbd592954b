/* fuzz_gate.c: environments' gates (core/gate.c): the filter grammar with
 * `live` and `drift` (filter.c, FILTER_GATES), evaluated against a candidate
 * and a live version, and the policy check of adding or removing the gate
 * (deploy.c). A gate that parses must evaluate to 1 or 0, the same twice,
 * with a reason when it fails; one that does not parse is a usage error with
 * a message, and the policy refuses to add it. Input: a flags byte (bits 0-1:
 * the drift status, 3 none; bit 2: nothing live; bit 3: no source run), then
 * the gate. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "gate.h"
#include "strbuf.h"

static struct mlc_metric cand_metrics[] = {{.key = "acc", .value = 0.5},
					   {.key = "auc", .value = 0.91},
					   {.key = "loss", .value = NAN},
					   {.key = "val_auc", .value = -INFINITY}};
static struct mlc_kv cand_params[] = {{"framework", "xgboost"}, {"lr", "0.1"}};
static struct mlc_kv cand_tags[] = {{"team", "fraud"}};
static struct mlc_run cand = {.run_id = "c",
			      .metrics = cand_metrics,
			      .n_metrics = 4,
			      .params = cand_params,
			      .n_params = 2,
			      .tags = cand_tags,
			      .n_tags = 1};
static struct mlc_metric live_metrics[] = {{.key = "auc", .value = 0.93},
					   {.key = "val_auc", .value = INFINITY}};
static struct mlc_kv live_params[] = {{"framework", "lightgbm"}};
static struct mlc_run live = {
    .run_id = "l", .metrics = live_metrics, .n_metrics = 2, .params = live_params, .n_params = 1};

/* A refusal must say why, as a usage error. */
static void check_usage(const struct mlc_error *err, const char *what)
{
	if (err->code != MLC_ERR_USAGE || err->msg[0] == '\0')
		fuzz_fail("%s failed with code %d, message '%s'", what, err->code, err->msg);
}

/* Adding expr to an environment with approvers, as one of them: valid, a
 * direct change naming it; not valid, refused. */
static void policy_add(const char *expr, int valid)
{
	static const char *appr[] = {"alice"};
	struct mlc_env env = {.name = "prod",
			      .order = 1,
			      .required_approvals = 1,
			      .approvers = appr,
			      .n_approvers = 1};
	struct mlc_env_list l = {.items = &env, .n = 1};
	struct mlc_env_change c = {.name = "prod", .gate_add = &expr, .n_gate_add = 1};
	struct strbuf why = {0};
	struct mlc_error err = {0};
	int rc = mlc_policy_check(&l, &c, "alice", &why, &err);

	if (valid && rc != MLC_POLICY_DIRECT)
		fuzz_fail("adding a valid gate: %d (%s)", rc, err.msg);
	if (!valid && rc != -1)
		fuzz_fail("adding an invalid gate was allowed: %s", sb_str(&why));
	if (!valid)
		check_usage(&err, "mlc_policy_check");
	sb_free(&why);
}

/* One input: parse, evaluate twice, check the policy's view of it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags = size > 0 ? data[0] : 0;
	char *expr = fuzz_strndup(size > 0 ? data + 1 : data, size > 0 ? size - 1 : 0);
	struct gate_subject s = {
	    .version = "8",
	    .run = (flags & 8) ? NULL : &cand,
	    .live = (flags & 4) ? 0 : 7,
	    .live_run = (flags & 4) ? NULL : &live,
	    .drift = (flags & 3) == 3 ? GATE_DRIFT_NONE : (int)(flags & 3),
	};
	struct mlc_error err = {0};
	char why[512], why2[512];
	int valid = gate_valid(expr, &err) == 0, rc, rc2;

	if (!valid)
		check_usage(&err, "gate_valid");
	why[0] = why2[0] = '\0';
	rc = gate_eval(expr, &s, why, sizeof why, &err);
	rc2 = gate_eval(expr, &s, why2, sizeof why2, &err);
	if ((rc < 0) != !valid)
		fuzz_fail("gate_valid says %d, gate_eval %d", valid, rc);
	if (rc != rc2 || (rc == 0 && strcmp(why, why2) != 0))
		fuzz_fail("two evaluations differ: %d '%s', %d '%s'", rc, why, rc2, why2);
	if (rc == 0 && why[0] == '\0')
		fuzz_fail("a gate failed without a reason");
	policy_add(expr, valid);
	free(expr);
	return 0;
}
