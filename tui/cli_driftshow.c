/* cli_driftshow.c: `drift show [MODEL] [--feature F]` — every stored drift
 * series, worst feature first: method, latest score, threshold, status and a
 * sparkline of the series. */
#include "config.h"
#include <langinfo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli_util.h"
#include "linkset.h"
#include "drift.h"

#define SPARK_WINDOWS 30

static json_t *feature_json(const struct mlc_drift_feature *f)
{
	json_t *series = json_array();

	for (size_t i = 0; i < f->n_points; i++) {
		const struct mlc_drift_point *p = &f->points[i];
		json_array_append_new(
		    series,
		    json_pack("{s:I,s:o,s:o,s:f,s:b}", "window_end", (json_int_t)p->window_end,
			      "score", cli_json_metric(p->score), "p_value",
			      isnan(p->p_value) ? json_null() : json_real(p->p_value), "threshold",
			      p->threshold, "drift", p->drift));
	}
	return json_pack("{s:o,s:o,s:o,s:o,s:f,s:s,s:o}", "model", cli_json_str(f->model),
			 "feature", cli_json_str(f->feature), "method", cli_json_str(f->method),
			 "score", cli_json_metric(f->score), "threshold", f->threshold, "status",
			 drift_status_name((enum drift_status)f->status), "series", series);
}

static int cli_drift_show(const struct cli_opts *o)
{
	struct mlc_error err = {0};
	struct mlc_drift_list l = {0};
	struct registry *r;
	int rc = 0, ascii = strcmp(nl_langinfo(CODESET), "UTF-8") != 0;

	if ((r = cli_open_registry(o, &err)) == NULL)
		return cli_fail(o, &err);
	if (registry_drift_series(r, o->argc == 3 ? o->argv[2] : NULL, cli_opt_str(o, "feature"), 0, &l, &err) <
	    0) {
		rc = cli_fail(o, &err);
	} else if (o->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(arr, feature_json(&l.items[i]));
		rc = cli_json_out(json_pack("{s:o}", "features", arr));
	} else {
		struct cli_table t;
		cli_table_init(&t, 7);
		cli_table_row(&t, (const char *[]){"MODEL", "FEATURE", "METHOD", "SCORE",
						   "THRESHOLD", "STATUS", "LAST 30 WINDOWS"});
		for (size_t i = 0; i < l.n; i++) {
			const struct mlc_drift_feature *f = &l.items[i];
			char score[32], thr[32],
			    *spark = drift_feature_spark(f, SPARK_WINDOWS, ascii);
			snprintf(score, sizeof score, "%.4g", f->score);
			snprintf(thr, sizeof thr, "%.4g", f->threshold);
			cli_table_row(
			    &t, (const char *[]){f->model, f->feature, f->method, score, thr,
						 drift_status_name((enum drift_status)f->status),
						 spark});
			free(spark);
		}
		cli_table_print(&t);
	}
	MLC_LIST_FREE(&l);
	registry_close(r);
	return rc;
}

static const struct cli_cmd drift_show_entry = {
    .name = "drift",
    .sub = "show",
    .group = CLI_GROUP_READ,
    .rank = 100,
    .usage = "[MODEL] [--feature F]",
    .summary = "drift per feature, worst first, with sparklines",
    .opts = CLI_OPTS(CLI_STRING("feature")),
    .max_args = 1,
    .reg = CLI_REG_OPEN,
    .run_self = cli_drift_show,
};
MLC_SET_ADD(cli_cmds, drift_show_entry);
