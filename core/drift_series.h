/* drift_series.h: the stored drift series of a model — one point per window
 * and feature (README "Drift") — and the registry operations that record
 * and read them. The statistics themselves are drift.c's. */
#ifndef MLC_DRIFT_SERIES_H
#define MLC_DRIFT_SERIES_H
#include <stdint.h>
#include "model.h"

struct mlc_drift_point {
	int64_t window_end;		  /* ms */
	double score, statistic, p_value; /* p_value NaN where the method has none */
	double threshold;
	int drift;
	int64_t n_reference, n_current;
	/* the window's binned shares, reference and current, n_shares of each
	 * (0: none stored); a backend stores them as it likes (SQLite: JSON) */
	const double *ref_shares, *cur_shares;
	size_t n_shares;
};

struct mlc_drift_feature {
	const char *model, *feature, *method;
	double threshold;		/* of the latest point */
	double score;			/* the latest point's */
	int status;			/* enum drift_status of the latest point */
	double severity;		/* how far past its threshold (for worst-first order) */
	struct mlc_drift_point *points; /* oldest first */
	size_t n_points;
};

MLC_LIST(mlc_drift_list, struct mlc_drift_feature);

/* Finish feature f from its points (at least one, oldest first): the latest
 * score and threshold, its status and severity (drift_series.c). */
void drift_feature_summarise(struct mlc_drift_feature *f);
/* Sort features worst first: status, severity, then model and feature name. */
void drift_features_sort(struct mlc_drift_feature *f, size_t n);
/* The sparkline of f's last windows' scores on a fixed scale, so that rows
 * compare (spark.h; ascii: its ASCII ramp); caller frees. */
char *drift_feature_spark(const struct mlc_drift_feature *f, size_t windows, int ascii);

#endif
