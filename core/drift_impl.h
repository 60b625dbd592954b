/* drift_impl.h: what drift.c and drift_pvalues.c share inside core/ — NumPy's
 * sum, the probability clip and the normal CDF. Not for tui/. */
#ifndef MLC_DRIFT_IMPL_H
#define MLC_DRIFT_IMPL_H
#include <stddef.h>

/* np.sum of a contiguous float64 array: blocks of 8192 summed pairwise, the
 * block sums added in order. */
double drift_np_sum(const double *a, size_t n);
/* Clip a probability to [0, 1]. */
double drift_clip01(double p);
/* The standard normal CDF as cephes' ndtr computes it. */
double drift_ndtr(double a);

#endif
