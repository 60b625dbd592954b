/* drift.h: per-feature drift between a reference and a current sample, as
 * Evidently computes it (its stattests, binning, zero fill, defaults and `auto`
 * choice) with SciPy's p-values; pure functions, no I/O. */
#ifndef MLC_DRIFT_H
#define MLC_DRIFT_H
#include <stddef.h>
#include "error.h"

/* The methods, named as Evidently's `stattest=` strings (drift_method_name). */
enum drift_method {
	DRIFT_AUTO = 0,	     /* Evidently's default choice, resolved in the result */
	DRIFT_KS,	     /* two-sample KS p-value (SciPy ks_2samp, method auto) */
	DRIFT_WASSERSTEIN,   /* W1 / max(std0(reference), 0.001) */
	DRIFT_PSI,	     /* population stability index */
	DRIFT_KL_DIV,	     /* Kullback-Leibler divergence, natural log */
	DRIFT_JENSENSHANNON, /* Jensen-Shannon distance, natural log */
	DRIFT_HELLINGER,     /* Hellinger distance */
	DRIFT_CHISQUARE,     /* chi-square goodness of fit p-value (categories) */
	DRIFT_Z,	     /* two-proportion z-test p-value (two categories) */
};

/* How psi, kl_div and jensenshannon bin numbers. */
enum drift_binning {
	DRIFT_BINNING_EVIDENTLY = 0, /* Sturges on ref ++ cur, or one bin per value */
	DRIFT_BINNING_DECILES,	     /* 10 bins on reference deciles, outer bins open */
};

enum drift_status { DRIFT_STATUS_OK = 0, DRIFT_STATUS_WARN, DRIFT_STATUS_DRIFT };

/* Dataset drift: share of drifted features at or above this (Evidently). */
#define DRIFT_DATASET_SHARE 0.5

struct drift_options {
	enum drift_method method;
	enum drift_binning binning;
	int have_threshold; /* else the method's default */
	double threshold;
};

/* One feature's result. Arrays are owned; free with drift_result_free. */
struct drift_result {
	enum drift_method method;   /* the method used (never DRIFT_AUTO) */
	enum drift_binning binning; /* deciles if the shares are on deciles */
	int categorical;	    /* 1 if the samples were labels */
	double score;		    /* compared with the threshold: p-value or distance */
	double statistic;	    /* KS D, chi-square, z; the distance for distances */
	double p_value;		    /* NaN where the method has none */
	double threshold;
	int drift;		       /* 1 if drifted by the method's own comparison */
	enum drift_status status;      /* ok / warn / drift (drift_status) */
	int ks_exact;		       /* ks: 1 if the p-value is exact, 0 if asymptotic */
	size_t n_reference, n_current; /* values used (NaN and +-inf dropped) */
	size_t n_dropped_reference, n_dropped_current;
	/* Binned shares (counts / n, before any zero fill): the bins the score
	 * came from when shares_scored (psi, kl_div, jensenshannon, hellinger),
	 * else the same binning for display. Numeric range bins have n_bins + 1
	 * edges (bin j = [edges[j], edges[j+1]), the last closed; decile edges
	 * start at -inf and end at +inf) and labels NULL; category (or one bin
	 * per value) bins have n_bins labels, sorted, and edges NULL. */
	int shares_scored;
	size_t n_bins;
	double *edges;
	char **labels;
	double *ref_shares, *cur_shares;
};

/* Compare two numeric samples (chisquare and z take each distinct value as a
 * category). NaN and +-inf are dropped from each; an empty sample, or a
 * threshold out of range, is an MLC_ERR_USAGE error. opt NULL: auto with the
 * defaults. Fills res (caller frees with drift_result_free); 0 or -1. */
int drift_compute(const double *ref, size_t n_ref, const double *cur, size_t n_cur,
		  const struct drift_options *opt, struct drift_result *res, struct mlc_error *err);
/* As drift_compute, without copying the samples: ref and cur are reordered
 * and overwritten (their contents are of no use afterwards). */
int drift_compute_in_place(double *ref, size_t n_ref, double *cur, size_t n_cur,
			   const struct drift_options *opt, struct drift_result *res,
			   struct mlc_error *err);
/* Compare two samples of category labels (byte strings compared exactly).
 * ks and wasserstein need numbers: MLC_ERR_USAGE. As drift_compute. */
int drift_compute_labels(const char *const *ref, size_t n_ref, const char *const *cur, size_t n_cur,
			 const struct drift_options *opt, struct drift_result *res,
			 struct mlc_error *err);
/* Release what a result owns and zero it (a zeroed result is fine). */
void drift_result_free(struct drift_result *res);

/* Share of results[0..n) that drifted (0 for n = 0); *dataset_drift (may be
 * NULL) is set to share >= drift_share (DRIFT_DATASET_SHARE by default). */
double drift_dataset(const struct drift_result *results, size_t n, double drift_share,
		     int *dataset_drift);

/* "ks", "wasserstein", "psi", "kl_div", "jensenshannon", "hellinger",
 * "chisquare", "z", "auto" <-> the method; parse returns -1 if unknown. */
const char *drift_method_name(enum drift_method m);
int drift_method_parse(const char *name, enum drift_method *out);
/* Every method's name in drift_method order into buf[len], joined by ", "
 * and the last by last_sep (", " or " or "); buf. */
const char *drift_method_names(char *buf, size_t len, const char *last_sep);
/* "evidently" / "deciles" <-> the binning; parse returns -1 if unknown. */
const char *drift_binning_name(enum drift_binning b);
int drift_binning_parse(const char *name, enum drift_binning *out);
/* 1 if the method's score is a p-value (drift when small), 0 for distances. */
int drift_method_is_test(enum drift_method m);
/* Evidently's default threshold: 0.05 for ks, chisquare, z; 0.1 otherwise. */
double drift_default_threshold(enum drift_method m);
/* The method's own verdict: ks p <= t; chisquare, z p < t; distances >= t. */
int drift_is_drift(enum drift_method m, double score, double threshold);
/* How drift_is_drift compares the score with the threshold: "<=", "<", ">=". */
const char *drift_verdict_op(enum drift_method m);
/* ok / warn / drift: distances warn at t/2, tests at p < 2t. A NaN
 * score is ok. */
enum drift_status drift_status(enum drift_method m, double score, double threshold);
/* "ok", "warn", "drift". */
const char *drift_status_name(enum drift_status s);

/* ---- the pieces, for tests and for callers that need one number ---------- */

/* A whole line as a number, exactly as strtod reads it in the C locale:
 * surrounding spaces and tabs (and a trailing '\r') allowed, decimal, inf and
 * nan, no hex; 0 or -1. Simple decimals are scanned here, the rest by strtod. */
int drift_scan_number(const char *s, double *out);
/* drift_scan_number on the len bytes at s (a line read in place: no NUL
 * needed after it; a NUL byte inside ends the text there, as in a C string). */
int drift_scan_number_n(const char *s, size_t len, double *out);
/* Two-sample KS on sorted finite samples: D, and SciPy's two-sided p-value
 * (exact if max(n1, n2) <= 10000, else asymptotic; *exact tells which). In
 * exact mode D is snapped to h / lcm(n1, n2) as SciPy does. */
double drift_ks_2samp(const double *ref_sorted, size_t n1, const double *cur_sorted, size_t n2,
		      double *p_value, int *exact);
/* SciPy's exact two-sided p-value for statistic d with sizes n1, n2 (both
 * <= 10000 advised); NaN where SciPy would fall back to the asymptotic one. */
double drift_ks_exact_p(size_t n1, size_t n2, double d);
/* scipy.stats.kstwo.sf(d, n): the finite-n two-sided one-sample Kolmogorov
 * distribution's survival function (Simard and L'Ecuyer's choice of method). */
double drift_kstwo_sf(double d, long n);
/* Chi-square survival function (scipy.stats.chi2.sf) for df > 0. */
double drift_chi2_sf(double x, double df);
/* First Wasserstein distance between two sorted finite samples (unnormed). */
double drift_wasserstein_raw(const double *u_sorted, size_t nu, const double *v_sorted, size_t nv);
/* Population standard deviation (ddof 0) summed as NumPy does. */
double drift_std0(const double *v, size_t n);
/* Evidently's zero fill of a share vector in place: zeros become m / 1e6 if
 * the smallest non-zero share m is <= 1e-4, else 1e-4. */
void drift_zero_fill(double *shares, size_t n);
/* The scores from two share vectors of length n: PSI and KL after zero fill
 * (the caller fills), JS and Hellinger (categorical form) on raw shares. */
double drift_psi(const double *r, const double *c, size_t n);
double drift_kl_div(const double *r, const double *c, size_t n);
double drift_jensenshannon(const double *r, const double *c, size_t n);
double drift_hellinger_shares(const double *r, const double *c, size_t n);

#endif
