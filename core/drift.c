/* drift.c: Evidently's drift stattests with SciPy's p-values, step by step as
 * SciPy 1.10 / NumPy 1.24 compute them (summation order included), so scores
 * agree to the last bits; Evidently's and SciPy's sources define them. Pure: no I/O. This
 * file holds NumPy's sums and sorting, the scores, the bins and the methods;
 * drift_pvalues.c the distributions behind the p-values (drift_impl.h is
 * what they share). */
#include "config.h"
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "drift.h"
#include "drift_impl.h"
#include "xmalloc.h"

#define EVIDENTLY_MAX_CAT_VALS 20 /* get_binned_data: more distinct ref values bin */
#define NP_BLOCK 8192		  /* NumPy's reduction buffer */
#define NP_PW_BLOCK 128		  /* NumPy's pairwise-sum leaf */

/* ---- NumPy's summation ---------------------------------------------------- */

/* NumPy's pairwise sum of a[0..n) (eight accumulators in the leaves). */
static double pairwise_sum(const double *a, size_t n)
{
	if (n < 8) {
		double res = 0.;

		for (size_t i = 0; i < n; i++)
			res += a[i];
		return res;
	}
	if (n <= NP_PW_BLOCK) {
		double r[8], res;
		size_t i;

		memcpy(r, a, sizeof r);
		for (i = 8; i < n - (n % 8); i += 8)
			for (int j = 0; j < 8; j++)
				r[j] += a[i + j];
		res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += a[i];
		return res;
	}
	size_t n2 = n / 2;
	n2 -= n2 % 8;
	return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

/* np.sum of a contiguous float64 array: blocks of 8192 summed pairwise, the
 * block sums added in order. */
double drift_np_sum(const double *a, size_t n)
{
	double s = 0.0;

	for (size_t i = 0; i < n; i += NP_BLOCK)
		s += pairwise_sum(a + i, n - i < NP_BLOCK ? n - i : NP_BLOCK);
	return s;
}

/* np.sum over a stream of terms, without holding them all. */
struct np_acc {
	double buf[NP_BLOCK];
	size_t len;
	double sum;
};

/* Add one term to the stream. */
static void acc_add(struct np_acc *acc, double v)
{
	acc->buf[acc->len++] = v;
	if (acc->len == NP_BLOCK) {
		acc->sum += pairwise_sum(acc->buf, NP_BLOCK);
		acc->len = 0;
	}
}

/* The sum of everything added. */
static double acc_total(struct np_acc *acc)
{
	if (acc->len)
		acc->sum += pairwise_sum(acc->buf, acc->len);
	acc->len = 0;
	return acc->sum;
}

/* Population std (ddof 0): mean, squared deviations, each summed as np.sum. */
double drift_std0(const double *v, size_t n)
{
	struct np_acc *acc = xcalloc(1, sizeof *acc);
	double mean = drift_np_sum(v, n) / (double)n, var;

	for (size_t i = 0; i < n; i++) {
		double d = v[i] - mean;
		acc_add(acc, d * d);
	}
	var = acc_total(acc) / (double)n;
	free(acc);
	return sqrt(var);
}

/* ---- sorting and searching ------------------------------------------------ */

/* An unsigned key that orders like the double (finite values). */
static uint64_t dkey(double x)
{
	uint64_t u;

	memcpy(&u, &x, sizeof u);
	return (u >> 63) ? ~u : u | (1ULL << 63);
}

/* The double a key came from. */
static double dkey_value(uint64_t k)
{
	uint64_t u = (k >> 63) ? k & ~(1ULL << 63) : ~k;
	double x;

	memcpy(&x, &u, sizeof x);
	return x;
}

/* Insertion sort for short arrays. */
static void insertion_sort(double *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		double x = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* A uint64_t that may alias the doubles it sorts in place. */
typedef uint64_t __attribute__((may_alias)) alias_u64;

#define RADIX_BITS 8
#define RADIX_PASSES (64 / RADIX_BITS)

/* Sort finite doubles ascending, in place: LSD radix sort of their keys,
 * eight 8-bit digits (a digit all keys share is skipped), scratch[0..n) as
 * the other buffer. -0.0 sorts before +0.0; keys turn back into the same bits. */
static void sort_doubles_with(double *v, size_t n, uint64_t *scratch)
{
	size_t cnt[RADIX_PASSES][1 << RADIX_BITS] = {{0}};
	alias_u64 *src = (alias_u64 *)v, *dst = (alias_u64 *)scratch;

	for (size_t i = 0; i < n; i++) {
		uint64_t k = dkey(v[i]);

		src[i] = k;
		for (int p = 0; p < RADIX_PASSES; p++)
			cnt[p][(k >> (RADIX_BITS * p)) & ((1 << RADIX_BITS) - 1)]++;
	}
	for (int p = 0; p < RADIX_PASSES; p++) {
		size_t *c = cnt[p], off = 0;
		int shift = RADIX_BITS * p;

		if (c[(src[0] >> shift) & ((1 << RADIX_BITS) - 1)] == n)
			continue; /* one bucket: this digit orders nothing */
		for (size_t d = 0; d < (1 << RADIX_BITS); d++) {
			size_t k = c[d];
			c[d] = off;
			off += k;
		}
		for (size_t i = 0; i < n; i++)
			dst[c[(src[i] >> shift) & ((1 << RADIX_BITS) - 1)]++] = src[i];
		alias_u64 *swap = src;
		src = dst;
		dst = swap;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = dkey_value(src[i]);
}

/* Sort finite doubles ascending (insertion sort for short arrays); scratch
 * is NULL or holds n keys. */
static void sort_doubles(double *v, size_t n, uint64_t *scratch)
{
	if (n < 256) {
		insertion_sort(v, n);
		return;
	}
	if (scratch != NULL) {
		sort_doubles_with(v, n, scratch);
		return;
	}
	scratch = xmalloc(n * sizeof *scratch);
	sort_doubles_with(v, n, scratch);
	free(scratch);
}

/* Number of v[0..n) (sorted) that are < x (searchsorted side='left'). */
static size_t lower_bound(const double *v, size_t n, double x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Number of v[0..n) (sorted) that are <= x (searchsorted side='right'). */
static size_t upper_bound(const double *v, size_t n, double x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Number of distinct values in sorted v. */
static size_t count_distinct(const double *v, size_t n)
{
	size_t u = n > 0;

	for (size_t i = 1; i < n; i++)
		u += v[i] != v[i - 1];
	return u;
}

/* Number of distinct values in sorted a ∪ sorted b. */
static size_t count_distinct2(const double *a, size_t na, const double *b, size_t nb)
{
	size_t i = 0, j = 0, u = 0;

	while (i < na || j < nb) {
		double x = (j >= nb || (i < na && a[i] <= b[j])) ? a[i] : b[j];

		while (i < na && a[i] <= x)
			i++;
		while (j < nb && b[j] <= x)
			j++;
		u++;
	}
	return u;
}

/* ---- Wasserstein ---------------------------------------------------------- */

double drift_wasserstein_raw(const double *u, size_t nu, const double *v, size_t nv)
{
	struct np_acc *acc = xcalloc(1, sizeof *acc);
	size_t i = 0, j = 0, ia = 0, ja = 0;
	double prev = 0, w;
	int first = 1;

	/* Walk the merged values; each gap to the next value is weighted by
	 * |U - V| at the value before it (searchsorted side='right'). */
	while (ia < nu || ja < nv) {
		double x = (ja >= nv || (ia < nu && u[ia] <= v[ja])) ? u[ia++] : v[ja++];

		if (!first) {
			while (i < nu && u[i] <= prev)
				i++;
			while (j < nv && v[j] <= prev)
				j++;
			acc_add(acc,
				fabs((double)i / (double)nu - (double)j / (double)nv) * (x - prev));
		}
		first = 0;
		prev = x;
	}
	w = acc_total(acc);
	free(acc);
	return w;
}

/* ---- shares and the scores on them ---------------------------------------- */

void drift_zero_fill(double *s, size_t n)
{
	double m = INFINITY, eps;

	for (size_t i = 0; i < n; i++)
		if (s[i] != 0 && s[i] < m)
			m = s[i];
	if (isinf(m))
		return;
	eps = m <= 0.0001 ? m / 1e6 : 0.0001;
	for (size_t i = 0; i < n; i++)
		if (s[i] == 0)
			s[i] = eps;
}

/* PSI = sum (r - c) ln(r / c), summed in order as Evidently does. */
double drift_psi(const double *r, const double *c, size_t n)
{
	double psi = 0;

	for (size_t i = 0; i < n; i++)
		psi += (r[i] - c[i]) * log(r[i] / c[i]);
	return psi;
}

/* scipy.special.rel_entr(x, y). */
static double rel_entr(double x, double y)
{
	if (x > 0 && y > 0)
		return x * log(x / y);
	if (x == 0 && y >= 0)
		return 0;
	return INFINITY;
}

/* dst = src / np.sum(src). */
static void normalise(const double *src, double *dst, size_t n)
{
	double s = drift_np_sum(src, n);

	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] / s;
}

/* scipy.stats.entropy(r, c): both renormalised, natural log. */
double drift_kl_div(const double *r, const double *c, size_t n)
{
	double *p = xmalloc((2 * n + 1) * sizeof *p), *q = p + n, s;

	normalise(r, p, n);
	normalise(c, q, n);
	for (size_t i = 0; i < n; i++)
		p[i] = rel_entr(p[i], q[i]);
	s = drift_np_sum(p, n);
	free(p);
	return s;
}

/* scipy.spatial.distance.jensenshannon(r, c), natural log. */
double drift_jensenshannon(const double *r, const double *c, size_t n)
{
	double *p = xmalloc((3 * n + 1) * sizeof *p), *q = p + n, *m = q + n, js;

	normalise(r, p, n);
	normalise(c, q, n);
	for (size_t i = 0; i < n; i++) {
		m[i] = (p[i] + q[i]) / 2.0;
		p[i] = rel_entr(p[i], m[i]);
		q[i] = rel_entr(q[i], m[i]);
	}
	js = drift_np_sum(p, n) + drift_np_sum(q, n);
	free(p);
	return sqrt(js / 2.0);
}

/* Evidently's categorical Hellinger: sqrt(1 - clip(sum sqrt(r c))). */
double drift_hellinger_shares(const double *r, const double *c, size_t n)
{
	double bc = 0.0;

	for (size_t i = 0; i < n; i++)
		bc += sqrt(r[i] * c[i]);
	bc = drift_clip01(bc);
	return sqrt(1 - bc);
}

/* ---- bins ------------------------------------------------------------------ */

/* A binning of one column: edges or labels, and the two share vectors. */
struct bins {
	size_t n;
	double *edges;	 /* n + 1, or NULL */
	char **labels;	 /* n, or NULL */
	double *r, *c;	 /* shares */
	size_t *rc, *cc; /* counts */
};

/* Space for n bins (counts zeroed). */
static void bins_alloc(struct bins *b, size_t n)
{
	b->n = n;
	b->r = xcalloc(n + 1, sizeof *b->r);
	b->c = xcalloc(n + 1, sizeof *b->c);
	b->rc = xcalloc(n + 1, sizeof *b->rc);
	b->cc = xcalloc(n + 1, sizeof *b->cc);
}

/* Release a binning. */
static void bins_free(struct bins *b)
{
	if (b->labels)
		for (size_t i = 0; i < b->n; i++)
			free(b->labels[i]);
	free(b->labels);
	free(b->edges);
	free(b->r);
	free(b->c);
	free(b->rc);
	free(b->cc);
	memset(b, 0, sizeof *b);
}

/* shares = counts / n for both samples. */
static void bins_shares(struct bins *b, size_t n1, size_t n2)
{
	for (size_t i = 0; i < b->n; i++) {
		b->r[i] = (double)b->rc[i] / (double)n1;
		b->c[i] = (double)b->cc[i] / (double)n2;
	}
}

/* np.histogram_bin_edges(data, bins="sturges") for data of size N with the
 * given min and max: equal-width edges by np.linspace. Returns the count. */
static size_t sturges_edges(double lo, double hi, size_t N, double **edges)
{
	double ptp = hi - lo, width = ptp / (log2((double)N) + 1.0), step;
	size_t k = 1;

	if (lo == hi) {
		lo -= 0.5;
		hi += 0.5;
	}
	if (width != 0)
		k = (size_t)ceil((hi - lo) / width);
	*edges = xmalloc((k + 1) * sizeof **edges);
	step = (hi - lo) / (double)k;
	for (size_t j = 0; j < k; j++)
		(*edges)[j] = (double)j * step + lo;
	(*edges)[k] = hi;
	return k;
}

/* Counts of sorted v in bins [e_j, e_j+1), the last closed (np.histogram
 * with explicit edges); values outside the edges are not counted. */
static void histogram(const double *v, size_t n, const double *e, size_t k, size_t *counts)
{
	size_t prev = lower_bound(v, n, e[0]);

	for (size_t j = 0; j < k; j++) {
		size_t next = j + 1 < k ? lower_bound(v, n, e[j + 1]) : upper_bound(v, n, e[k]);
		counts[j] = next - prev;
		prev = next;
	}
}

/* 1 if the edges e[0..k] never decrease. */
static int edges_ascend(const double *e, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (!(e[j] <= e[j + 1]))
			return 0;
	return 1;
}

/* The bin of x in [e[0], e[k]] on ascending edges: the last edge below or
 * at it, the last bin closed. The guess g (any index) is walked to it, so a
 * good guess from equal widths costs a step or two; else binary search. */
static size_t bin_of(double x, const double *e, size_t k, double g)
{
	size_t j;

	if (!(g >= 0 && g < (double)k))
		return upper_bound(e + 1, k - 1, x);
	j = (size_t)g;
	while (j > 0 && x < e[j])
		j--;
	while (j + 1 < k && x >= e[j + 1])
		j++;
	return j;
}

/* histogram() of unsorted v on ascending edges: each value goes to the bin
 * of the last edge below or at it (the last bin closed), counted alike; the
 * bin is first guessed as if the widths were equal. */
static void histogram_unsorted(const double *v, size_t n, const double *e, size_t k, size_t *counts)
{
	double scale = (double)k / (e[k] - e[0]);

	memset(counts, 0, k * sizeof *counts);
	if (!isfinite(scale))
		scale = NAN;
	for (size_t i = 0; i < n; i++) {
		double x = v[i];

		if (x < e[0] || x > e[k])
			continue;
		counts[bin_of(x, e, k, (x - e[0]) * scale)]++;
	}
}

/* A sample's counts: by binary search on the edges when it is
 * not sorted (*c_sorted 0) and the edges ascend, else sorted (in place, once)
 * and counted as histogram() does. */
static void histogram_current(double *c, size_t n, const double *e, size_t k, size_t *counts,
			      int *c_sorted)
{
	if (!*c_sorted && edges_ascend(e, k)) {
		histogram_unsorted(c, n, e, k, counts);
		return;
	}
	if (!*c_sorted)
		sort_doubles(c, n, NULL);
	*c_sorted = 1;
	histogram(c, n, e, k, counts);
}

/* The smallest and largest of c[0..n) (sorted or not). */
static void min_max(const double *c, size_t n, int sorted, double *lo, double *hi)
{
	*lo = c[0];
	*hi = c[n - 1];
	if (sorted)
		return;
	for (size_t i = 0; i < n; i++) {
		*lo = c[i] < *lo ? c[i] : *lo;
		*hi = c[i] > *hi ? c[i] : *hi;
	}
}

/* Equal-width Sturges bins over ref ++ cur (Evidently, > 20 ref values);
 * neither sample need be sorted. */
static void bins_sturges(struct bins *b, double *r, size_t n1, int *r_sorted, double *c, size_t n2,
			 int *c_sorted)
{
	double rlo, rhi, clo, chi, lo, hi, *edges;
	size_t k;

	min_max(r, n1, *r_sorted, &rlo, &rhi);
	min_max(c, n2, *c_sorted, &clo, &chi);
	lo = rlo < clo ? rlo : clo;
	hi = rhi > chi ? rhi : chi;
	k = sturges_edges(lo, hi, n1 + n2, &edges);
	bins_alloc(b, k);
	b->edges = edges;
	histogram_current(r, n1, edges, k, b->rc, r_sorted);
	histogram_current(c, n2, edges, k, b->cc, c_sorted);
	bins_shares(b, n1, n2);
}

/* np.quantile(v, q) (linear) of sorted v. */
static double quantile(const double *v, size_t n, double q)
{
	double idx = (double)(n - 1) * q, g, lo, hi, diff;
	size_t prev = (size_t)floor(idx), next;

	if (idx >= (double)(n - 1))
		return v[n - 1];
	next = prev + 1;
	g = idx - (double)prev;
	lo = v[prev];
	hi = v[next];
	diff = hi - lo;
	return g >= 0.5 ? hi - diff * (1 - g) : lo + diff * g;
}

/* Ten bins on the reference deciles, outer bins open (industry PSI); the
 * current sample need not be sorted. */
static void bins_deciles(struct bins *b, const double *r, size_t n1, double *c, size_t n2,
			 int *c_sorted)
{
	bins_alloc(b, 10);
	b->edges = xmalloc(11 * sizeof *b->edges);
	b->edges[0] = -INFINITY;
	for (int k = 1; k < 10; k++)
		b->edges[k] = quantile(r, n1, k / 10.0);
	b->edges[10] = INFINITY;
	histogram(r, n1, b->edges, 10, b->rc);
	histogram_current(c, n2, b->edges, 10, b->cc, c_sorted);
	bins_shares(b, n1, n2);
}

/* A number as a category label: the shortest of %.15g / %.17g that reads
 * back as the same double. Caller frees. */
static char *number_label(double x)
{
	char buf[40];

	snprintf(buf, sizeof buf, "%.15g", x);
	if (strtod(buf, NULL) != x)
		snprintf(buf, sizeof buf, "%.17g", x);
	return xstrdup(buf);
}

/* One bin per distinct value of sorted ref ∪ sorted cur, ascending. */
static void bins_values(struct bins *b, const double *r, size_t n1, const double *c, size_t n2)
{
	size_t i = 0, j = 0, k = 0;

	bins_alloc(b, count_distinct2(r, n1, c, n2));
	b->labels = xcalloc(b->n + 1, sizeof *b->labels);
	while (i < n1 || j < n2) {
		double x = (j >= n2 || (i < n1 && r[i] <= c[j])) ? r[i] : c[j];
		size_t i0 = i, j0 = j;

		while (i < n1 && r[i] <= x)
			i++;
		while (j < n2 && c[j] <= x)
			j++;
		b->labels[k] = number_label(x);
		b->rc[k] = i - i0;
		b->cc[k++] = j - j0;
	}
	bins_shares(b, n1, n2);
}

/* qsort comparison of two string pointers. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One bin per distinct label of sorted ref ∪ sorted cur (byte order). */
static void bins_labels(struct bins *b, const char **r, size_t n1, const char **c, size_t n2)
{
	size_t i = 0, j = 0, k = 0, cap = 16;

	b->labels = xcalloc(cap, sizeof *b->labels);
	b->rc = xcalloc(cap, sizeof *b->rc);
	b->cc = xcalloc(cap, sizeof *b->cc);
	while (i < n1 || j < n2) {
		const char *x = (j >= n2 || (i < n1 && strcmp(r[i], c[j]) <= 0)) ? r[i] : c[j];
		size_t i0 = i, j0 = j;

		while (i < n1 && strcmp(r[i], x) == 0)
			i++;
		while (j < n2 && strcmp(c[j], x) == 0)
			j++;
		if (k == cap) {
			cap *= 2;
			b->labels = xrealloc(b->labels, cap * sizeof *b->labels);
			b->rc = xrealloc(b->rc, cap * sizeof *b->rc);
			b->cc = xrealloc(b->cc, cap * sizeof *b->cc);
		}
		b->labels[k] = xstrdup(x);
		b->rc[k] = i - i0;
		b->cc[k++] = j - j0;
	}
	b->n = k;
	b->r = xcalloc(k + 1, sizeof *b->r);
	b->c = xcalloc(k + 1, sizeof *b->c);
	bins_shares(b, n1, n2);
}

/* ---- the tests on category counts ----------------------------------------- */

/* Evidently's chi-square: observed = current counts, expected = reference
 * counts scaled to the current total; dof = k - 1. A single category has no
 * test (SciPy: NaN): p = 1. An unseen reference category gives p = 0. */
static double chisquare_test(const struct bins *b, size_t n1, size_t n2, double *stat)
{
	double k_norm = (double)n2 / (double)n1, *terms;

	if (b->n < 2) {
		*stat = 0;
		return 1.0;
	}
	terms = xmalloc(b->n * sizeof *terms);
	for (size_t i = 0; i < b->n; i++) {
		double e = (double)b->rc[i] * k_norm, d = (double)b->cc[i] - e;
		terms[i] = d * d / e;
	}
	*stat = drift_np_sum(terms, b->n);
	free(terms);
	return drift_chi2_sf(*stat, (double)(b->n - 1));
}

/* Evidently's two-proportion z-test: x = 1 where the value is not the
 * smallest key; p = 2 (1 - Phi(|z|)); 1 if both samples are one same value. */
static double z_test(const struct bins *b, size_t n1, size_t n2, double *stat)
{
	double p1, p2, P, z, dn1 = (double)n1, dn2 = (double)n2;

	if (b->n == 1) {
		*stat = 0;
		return 1.0;
	}
	p1 = (double)(n1 - b->rc[0]) / dn1;
	p2 = (double)(n2 - b->cc[0]) / dn2;
	P = (p1 * dn1 + p2 * dn2) / (double)(n1 + n2);
	z = (p1 - p2) / sqrt(P * (1 - P) * (1.0 / dn1 + 1.0 / dn2));
	*stat = z;
	return 2 * (1 - drift_ndtr(fabs(z)));
}

/* ---- numeric Hellinger ---------------------------------------------------- */

/* Evidently's numeric Hellinger: Sturges bins over the distinct values of
 * ref ∪ cur, density histograms times (max - min) / bins. One distinct value
 * gives 1 (Evidently's zero bin width). Fills b with the bins. */
static double hellinger_numeric(struct bins *b, const double *r, size_t n1, const double *c,
				size_t n2)
{
	double lo = r[0] < c[0] ? r[0] : c[0], hi = r[n1 - 1] > c[n2 - 1] ? r[n1 - 1] : c[n2 - 1];
	double *edges, width, bc = 0.0;
	size_t keys = count_distinct2(r, n1, c, n2), k = sturges_edges(lo, hi, keys, &edges);

	bins_alloc(b, k);
	b->edges = edges;
	histogram(r, n1, edges, k, b->rc);
	histogram(c, n2, edges, k, b->cc);
	bins_shares(b, n1, n2);
	width = (hi - lo) / (double)k;
	for (size_t j = 0; j < k; j++) {
		double db = edges[j + 1] - edges[j];
		double d1 = (double)b->rc[j] / db / (double)n1,
		       d2 = (double)b->cc[j] / db / (double)n2;
		bc += sqrt(d1 * d2) * width;
	}
	bc = drift_clip01(bc);
	return sqrt(1 - bc);
}

/* ---- methods as descriptors ----------------------------------------------- */

/* How a method's score is compared with its threshold. */
enum verdict {
	P_AT_MOST, /* a p-value: drift when score <= t (ks, as Evidently) */
	P_BELOW,   /* a p-value: drift when score < t */
	AT_LEAST,  /* a distance: drift when score >= t */
};

/* Which bins a method scores (any others are only for display). */
enum scored_bins {
	BINS_NONE,	/* none: the sorted samples (ks, wasserstein) */
	BINS_COUNTED,	/* Sturges, deciles or one per value, counted unsorted */
	BINS_OWN,	/* its own bins on numbers (hellinger) */
	BINS_PER_VALUE, /* one bin per value, a test on the counts, not the shares */
};

/* What a method scores: the bins and, for numbers, the sorted samples (r and
 * c NULL for labels); n1 and n2 are the values used. */
struct scoring {
	const struct bins *b;
	const double *r, *c;
	size_t n1, n2;
	double std0; /* of the reference, where the method asks for it */
};

/* A drift method, as htop's MeterClass: a new one is its enum value
 * (drift.h) and one entry in methods[] with its score function; names,
 * parsing, help text, thresholds and verdicts come from the entry. */
struct method_class {
	const char *name; /* Evidently's stattest= name */
	enum verdict verdict;
	double default_threshold; /* Evidently's */
	enum scored_bins bins;
	int numbers_only; /* labels are refused */
	int std0;	  /* needs the reference's standard deviation */
	/* Set res's score, statistic and p-value (NULL for auto). */
	void (*score)(struct drift_result *res, const struct scoring *s);
	/* BINS_OWN: make the bins from sorted numbers into b and return the score. */
	double (*own_bins)(struct bins *b, const double *r, size_t n1, const double *c, size_t n2);
};

/* Kolmogorov-Smirnov: D and SciPy's p-value. */
static void score_ks(struct drift_result *res, const struct scoring *s)
{
	res->statistic = drift_ks_2samp(s->r, s->n1, s->c, s->n2, &res->p_value, &res->ks_exact);
	res->score = res->p_value;
}

/* Wasserstein distance over the reference's std (at least 0.001). */
static void score_wasserstein(struct drift_result *res, const struct scoring *s)
{
	res->score =
	    drift_wasserstein_raw(s->r, s->n1, s->c, s->n2) / (s->std0 > 0.001 ? s->std0 : 0.001);
	res->statistic = res->score;
}

/* f on copies of the bins' shares after Evidently's zero fill. */
static double filled_score(const struct bins *b,
			   double (*f)(const double *, const double *, size_t))
{
	double *r = xmalloc((b->n + 1) * sizeof *r), *c = xmalloc((b->n + 1) * sizeof *c), v;

	memcpy(r, b->r, b->n * sizeof *r);
	memcpy(c, b->c, b->n * sizeof *c);
	drift_zero_fill(r, b->n);
	drift_zero_fill(c, b->n);
	v = f(r, c, b->n);
	free(r);
	free(c);
	return v;
}

/* Population stability index on the zero-filled shares. */
static void score_psi(struct drift_result *res, const struct scoring *s)
{
	res->score = res->statistic = filled_score(s->b, drift_psi);
}

/* Kullback-Leibler divergence on the zero-filled shares. */
static void score_kl_div(struct drift_result *res, const struct scoring *s)
{
	res->score = res->statistic = filled_score(s->b, drift_kl_div);
}

/* Jensen-Shannon distance on the raw shares. */
static void score_jensenshannon(struct drift_result *res, const struct scoring *s)
{
	res->score = res->statistic = drift_jensenshannon(s->b->r, s->b->c, s->b->n);
}

/* Hellinger distance on category shares (numbers: its own bins scored it). */
static void score_hellinger(struct drift_result *res, const struct scoring *s)
{
	res->score = res->statistic = drift_hellinger_shares(s->b->r, s->b->c, s->b->n);
}

/* Chi-square goodness of fit on the per-value counts. */
static void score_chisquare(struct drift_result *res, const struct scoring *s)
{
	res->score = res->p_value = chisquare_test(s->b, s->n1, s->n2, &res->statistic);
}

/* Two-proportion z-test on the per-value counts. */
static void score_z(struct drift_result *res, const struct scoring *s)
{
	res->score = res->p_value = z_test(s->b, s->n1, s->n2, &res->statistic);
}

static const struct method_class methods[] = {
    [DRIFT_AUTO] = {"auto", AT_LEAST, 0.1, BINS_NONE, 0, 1, NULL},
    [DRIFT_KS] = {"ks", P_AT_MOST, 0.05, BINS_NONE, 1, 0, score_ks},
    [DRIFT_WASSERSTEIN] = {"wasserstein", AT_LEAST, 0.1, BINS_NONE, 1, 1, score_wasserstein},
    [DRIFT_PSI] = {"psi", AT_LEAST, 0.1, BINS_COUNTED, 0, 0, score_psi},
    [DRIFT_KL_DIV] = {"kl_div", AT_LEAST, 0.1, BINS_COUNTED, 0, 0, score_kl_div},
    [DRIFT_JENSENSHANNON] = {"jensenshannon", AT_LEAST, 0.1, BINS_COUNTED, 0, 0,
			     score_jensenshannon},
    [DRIFT_HELLINGER] = {"hellinger", AT_LEAST, 0.1, BINS_OWN, 0, 0, score_hellinger,
			 hellinger_numeric},
    [DRIFT_CHISQUARE] = {"chisquare", P_BELOW, 0.05, BINS_PER_VALUE, 0, 0, score_chisquare},
    [DRIFT_Z] = {"z", P_BELOW, 0.05, BINS_PER_VALUE, 0, 0, score_z},
};

#define N_METHODS (sizeof methods / sizeof methods[0])

/* The method's entry; auto's for a value out of range. */
static const struct method_class *method_of(enum drift_method m)
{
	return (unsigned)m < N_METHODS ? &methods[m] : &methods[DRIFT_AUTO];
}

/* The method's Evidently name. */
const char *drift_method_name(enum drift_method m)
{
	return (unsigned)m < N_METHODS ? methods[m].name : "?";
}

/* The method with this name; -1 if none. */
int drift_method_parse(const char *name, enum drift_method *out)
{
	for (size_t i = 0; name && i < N_METHODS; i++)
		if (strcmp(name, methods[i].name) == 0) {
			*out = (enum drift_method)i;
			return 0;
		}
	return -1;
}

/* Every method's name, in order, joined by ", " but the last by last_sep. */
const char *drift_method_names(char *buf, size_t len, const char *last_sep)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_METHODS && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
				       i == 0 ? "" : (i + 1 == N_METHODS ? last_sep : ", "),
				       methods[i].name);
	return buf;
}

/* The binning's name. */
const char *drift_binning_name(enum drift_binning b)
{
	return b == DRIFT_BINNING_DECILES ? "deciles" : "evidently";
}

/* The binning with this name; -1 if none. */
int drift_binning_parse(const char *name, enum drift_binning *out)
{
	if (name && strcmp(name, "evidently") == 0)
		*out = DRIFT_BINNING_EVIDENTLY;
	else if (name && strcmp(name, "deciles") == 0)
		*out = DRIFT_BINNING_DECILES;
	else
		return -1;
	return 0;
}

/* 1 for the p-value tests. */
int drift_method_is_test(enum drift_method m)
{
	return method_of(m)->verdict != AT_LEAST;
}

/* Evidently's default threshold. */
double drift_default_threshold(enum drift_method m)
{
	return method_of(m)->default_threshold;
}

/* The method's own comparison with the threshold. */
int drift_is_drift(enum drift_method m, double score, double t)
{
	switch (method_of(m)->verdict) {
	case P_AT_MOST:
		return score <= t;
	case P_BELOW:
		return score < t;
	default:
		return score >= t;
	}
}

/* "<=", "<" or ">=": how drift_is_drift compares the score with t. */
const char *drift_verdict_op(enum drift_method m)
{
	static const char *const ops[] = {[P_AT_MOST] = "<=", [P_BELOW] = "<", [AT_LEAST] = ">="};

	return ops[method_of(m)->verdict];
}

/* ok / warn / drift as the console shows it. */
enum drift_status drift_status(enum drift_method m, double score, double t)
{
	if (isnan(score))
		return DRIFT_STATUS_OK;
	if (drift_is_drift(m, score, t))
		return DRIFT_STATUS_DRIFT;
	if (drift_method_is_test(m) ? score < 2 * t : score >= t / 2)
		return DRIFT_STATUS_WARN;
	return DRIFT_STATUS_OK;
}

/* The status's name. */
const char *drift_status_name(enum drift_status s)
{
	return s == DRIFT_STATUS_DRIFT ? "drift" : (s == DRIFT_STATUS_WARN ? "warn" : "ok");
}

/* Share of drifted results and the dataset verdict. */
double drift_dataset(const struct drift_result *res, size_t n, double share, int *dataset_drift)
{
	size_t drifted = 0;
	double s;

	for (size_t i = 0; i < n; i++)
		drifted += res[i].drift != 0;
	s = n ? (double)drifted / (double)n : 0;
	if (dataset_drift)
		*dataset_drift = n > 0 && s >= share;
	return s;
}

/* Evidently's default test for a column (_get_default_stattest). */
static enum drift_method auto_method(int categorical, size_t n_ref, size_t n_unique)
{
	if (n_ref <= 1000) {
		if (!categorical && n_unique > 5)
			return DRIFT_KS;
		return n_unique > 2 ? DRIFT_CHISQUARE : DRIFT_Z;
	}
	if (!categorical && n_unique > 5)
		return DRIFT_WASSERSTEIN;
	return DRIFT_JENSENSHANNON;
}

/* ---- results --------------------------------------------------------------- */

void drift_result_free(struct drift_result *res)
{
	if (res == NULL)
		return;
	if (res->labels)
		for (size_t i = 0; i < res->n_bins; i++)
			free(res->labels[i]);
	free(res->labels);
	free(res->edges);
	free(res->ref_shares);
	free(res->cur_shares);
	memset(res, 0, sizeof *res);
}

/* Move the binning's edges, labels and shares into the result. */
static void result_take_bins(struct drift_result *res, struct bins *b)
{
	res->n_bins = b->n;
	res->edges = b->edges;
	res->labels = b->labels;
	res->ref_shares = b->r;
	res->cur_shares = b->c;
	b->edges = NULL;
	b->labels = NULL;
	b->r = b->c = NULL;
	b->n = 0;
	bins_free(b);
}

/* Check the threshold and set it, the verdict and the status. */
static int finish(struct drift_result *res, const struct drift_options *opt, struct mlc_error *err)
{
	double t = opt->have_threshold ? opt->threshold : drift_default_threshold(res->method);

	if (!isfinite(t) || t < 0 || (drift_method_is_test(res->method) && t > 1))
		return mlc_error_set(err, MLC_ERR_USAGE, "threshold %g is out of range for %s%s", t,
				     drift_method_name(res->method),
				     drift_method_is_test(res->method) ? " (a p-value: 0..1)" : "");
	res->threshold = t;
	res->drift = drift_is_drift(res->method, res->score, t);
	res->status = drift_status(res->method, res->score, t);
	return 0;
}

/* Move the finite values of v[0..n) to its front, in order; their count,
 * or 0 + error if none remain. */
static size_t keep_finite(double *v, size_t n, const char *which, struct mlc_error *err)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			v[k++] = v[i];
	if (k == 0)
		mlc_error_set(err, MLC_ERR_USAGE, "%s sample is empty%s", which,
			      n ? " after dropping NaN and infinite values" : "");
	return k;
}

/* Score the numbers r and c (sorted unless the method counts bins) with
 * res's method; fills score, statistic, p-value. */
static void numeric_score(struct drift_result *res, const struct bins *b, const double *r,
			  size_t n1, const double *c, size_t n2, double std0)
{
	const struct method_class *m = method_of(res->method);
	struct scoring sc = {.b = b, .r = r, .c = c, .n1 = n1, .n2 = n2, .std0 = std0};

	if (m->bins != BINS_OWN && m->score) /* own bins were scored as they were made */
		m->score(res, &sc);
}

/* The default options. */
static const struct drift_options default_options = {DRIFT_AUTO, DRIFT_BINNING_EVIDENTLY, 0, 0};

/* Sort a sample unless it already is. */
static void sort_once(double *c, size_t n, int *c_sorted)
{
	if (!*c_sorted)
		sort_doubles(c, n, NULL);
	*c_sorted = 1;
}

/* Sort both samples, with one scratch buffer between them. */
static void sort_both(double *r, size_t n1, int *r_sorted, double *c, size_t n2, int *c_sorted)
{
	size_t n = n1 > n2 ? n1 : n2;
	uint64_t *scratch = n >= 256 ? xmalloc(n * sizeof *scratch) : NULL;

	sort_doubles(r, n1, scratch);
	sort_doubles(c, n2, scratch);
	*r_sorted = *c_sorted = 1;
	free(scratch);
}

/* 1 if v[0..n) holds more than EVIDENTLY_MAX_CAT_VALS distinct values
 * (sorted or not; unsorted, the first distinct ones are kept and compared
 * against until there are too many). */
static int many_distinct(const double *v, size_t n, int sorted)
{
	double seen[EVIDENTLY_MAX_CAT_VALS + 1];
	size_t k = 0, max = EVIDENTLY_MAX_CAT_VALS;

	if (sorted)
		return count_distinct(v, n) > max;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < k && seen[j] != v[i])
			j++;
		if (j == k && (seen[k++] = v[i], k > max))
			return 1;
	}
	return 0;
}

/* Choose the bins for a numeric column: the method's, or for display; the
 * result's binning says whether deciles were used. Sorted r; c is sorted
 * here (and *c_sorted set) only where the bins need it. */
static void numeric_bins(struct drift_result *res, struct bins *b, double *r, size_t n1,
			 int *r_sorted, double *c, size_t n2, enum drift_binning want,
			 int *c_sorted)
{
	enum scored_bins kind = method_of(res->method)->bins;
	int per_value = kind == BINS_PER_VALUE;

	res->binning = DRIFT_BINNING_EVIDENTLY;
	if (kind == BINS_OWN || per_value) {
		sort_once(r, n1, r_sorted);
		sort_once(c, n2, c_sorted);
		if (per_value)
			bins_values(b, r, n1, c, n2);
		else
			res->score = res->statistic =
			    method_of(res->method)->own_bins(b, r, n1, c, n2);
	} else if (want == DRIFT_BINNING_DECILES) {
		res->binning = DRIFT_BINNING_DECILES;
		sort_once(r, n1, r_sorted);
		bins_deciles(b, r, n1, c, n2, c_sorted);
	} else if (many_distinct(r, n1, *r_sorted)) {
		bins_sturges(b, r, n1, r_sorted, c, n2, c_sorted);
	} else {
		sort_once(r, n1, r_sorted);
		sort_once(c, n2, c_sorted);
		bins_values(b, r, n1, c, n2);
	}
	res->shares_scored = kind == BINS_COUNTED || kind == BINS_OWN;
}

/* Drift between two numeric samples held in r and c, which it reorders and
 * overwrites (see drift_compute_in_place). */
static int compute_numeric(double *r, size_t n_ref, double *c, size_t n_cur,
			   const struct drift_options *opt, struct drift_result *res,
			   struct mlc_error *err)
{
	struct bins b = {0};
	double std0 = NAN;
	size_t n1, n2;
	int rc, r_sorted = 0, c_sorted = 0;

	opt = opt ? opt : &default_options;
	memset(res, 0, sizeof *res);
	if ((n1 = keep_finite(r, n_ref, "reference", err)) == 0 ||
	    (n2 = keep_finite(c, n_cur, "current", err)) == 0)
		return -1;
	if (method_of(opt->method)->std0) /* wasserstein, or auto that may choose it */
		std0 = drift_std0(r, n1); /* in input order, as np.std sums */
	res->n_reference = n1;
	res->n_current = n2;
	res->n_dropped_reference = n_ref - n1;
	res->n_dropped_current = n_cur - n2;
	res->p_value = NAN;
	res->method = opt->method;
	if (method_of(res->method)->bins != BINS_COUNTED) /* counted bins need no sort */
		sort_both(r, n1, &r_sorted, c, n2, &c_sorted);
	if (res->method == DRIFT_AUTO)
		res->method = auto_method(0, n1, count_distinct2(r, n1, c, n2));
	numeric_bins(res, &b, r, n1, &r_sorted, c, n2, opt->binning, &c_sorted);
	numeric_score(res, &b, r, n1, c, n2, std0);
	result_take_bins(res, &b);
	if ((rc = finish(res, opt, err)) < 0)
		drift_result_free(res);
	return rc;
}

/* Drift between two numeric samples (see drift.h). */
int drift_compute(const double *ref, size_t n_ref, const double *cur, size_t n_cur,
		  const struct drift_options *opt, struct drift_result *res, struct mlc_error *err)
{
	double *r = xmalloc((n_ref + 1) * sizeof *r), *c = xmalloc((n_cur + 1) * sizeof *c);
	int rc;

	if (n_ref)
		memcpy(r, ref, n_ref * sizeof *r);
	if (n_cur)
		memcpy(c, cur, n_cur * sizeof *c);
	rc = compute_numeric(r, n_ref, c, n_cur, opt, res, err);
	free(r);
	free(c);
	return rc;
}

/* Drift between two numeric samples, working in their arrays (see drift.h). */
int drift_compute_in_place(double *ref, size_t n_ref, double *cur, size_t n_cur,
			   const struct drift_options *opt, struct drift_result *res,
			   struct mlc_error *err)
{
	return compute_numeric(ref, n_ref, cur, n_cur, opt, res, err);
}

/* Pointers to the labels of v[0..n), sorted; NULL + error if n is 0. */
static const char **sorted_labels(const char *const *v, size_t n, const char *which,
				  struct mlc_error *err)
{
	const char **out;

	if (n == 0) {
		mlc_error_set(err, MLC_ERR_USAGE, "%s sample is empty", which);
		return NULL;
	}
	out = xmalloc(n * sizeof *out);
	memcpy(out, v, n * sizeof *out);
	qsort(out, n, sizeof *out, cmp_str);
	return out;
}

/* Score the category bins with res's method; fills score, statistic,
 * p-value; -1 (err) for a method that needs numbers. */
static int label_score(struct drift_result *res, const struct bins *b, struct mlc_error *err)
{
	const struct method_class *m = method_of(res->method);
	struct scoring sc = {.b = b, .n1 = res->n_reference, .n2 = res->n_current};

	if (m->numbers_only || m->score == NULL)
		return mlc_error_set(err, MLC_ERR_USAGE, "%s needs numbers, not categories",
				     m->name);
	m->score(res, &sc);
	res->shares_scored = m->bins == BINS_COUNTED || m->bins == BINS_OWN;
	return 0;
}

/* Drift between two samples of labels (see drift.h). */
int drift_compute_labels(const char *const *ref, size_t n_ref, const char *const *cur, size_t n_cur,
			 const struct drift_options *opt, struct drift_result *res,
			 struct mlc_error *err)
{
	struct bins b = {0};
	const char **r, **c;
	int rc;

	opt = opt ? opt : &default_options;
	memset(res, 0, sizeof *res);
	if ((r = sorted_labels(ref, n_ref, "reference", err)) == NULL)
		return -1;
	if ((c = sorted_labels(cur, n_cur, "current", err)) == NULL) {
		free(r);
		return -1;
	}
	bins_labels(&b, r, n_ref, c, n_cur);
	free(r);
	free(c);
	res->categorical = 1;
	res->n_reference = n_ref;
	res->n_current = n_cur;
	res->binning = DRIFT_BINNING_EVIDENTLY; /* categories are their own bins */
	res->p_value = NAN;
	res->method = opt->method != DRIFT_AUTO ? opt->method : auto_method(1, n_ref, b.n);
	rc = label_score(res, &b, err);
	result_take_bins(res, &b);
	if (rc == 0)
		rc = finish(res, opt, err);
	if (rc < 0)
		drift_result_free(res);
	return rc;
}

/* ---- reading numbers --------------------------------------------------------- */

#define SCAN_MAX_DIGITS 19 /* significant digits that fit a uint64_t */
#define SCAN_MAX_POW10 27  /* 10^27 = 2^27 * 5^27 is exact in an x87 long double */

/* Add digit c to the mantissa *m (leading zeros are not counted); -1 when
 * that makes more significant digits than a uint64_t holds. */
static int scan_digit(uint64_t *m, int *digits, char c)
{
	if (*m == 0 && c == '0')
		return 0;
	if (++*digits > SCAN_MAX_DIGITS)
		return -1;
	*m = *m * 10 + (uint64_t)(c - '0');
	return 0;
}

/* The byte at s, or '\0' at end. */
static char at(const char *s, const char *end)
{
	return s < end ? *s : '\0';
}

/* 1 if c is a decimal digit. */
static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The digits of s[0..end) (a decimal, no hex) as an integer w times
 * 10^*e10, after ' ' and '\t'; the end of the number or NULL when s is not
 * that simple form or has too many digits. A NUL byte ends s as end does. */
static const char *scan_simple(const char *s, const char *end, int *neg, uint64_t *w, int *e10)
{
	int digits = 0, any = 0, frac = 0, exp = 0, eneg = 0;
	uint64_t m = 0;

	while (at(s, end) == ' ' || at(s, end) == '\t')
		s++;
	*neg = at(s, end) == '-';
	if (at(s, end) == '-' || at(s, end) == '+')
		s++;
	for (; is_digit(at(s, end)); s++, any = 1)
		if (scan_digit(&m, &digits, *s) < 0)
			return NULL;
	if (at(s, end) == '.')
		for (s++; is_digit(at(s, end)); s++, any = 1, frac++)
			if (scan_digit(&m, &digits, *s) < 0)
				return NULL;
	if (!any)
		return NULL;
	if (at(s, end) == 'e' || at(s, end) == 'E') {
		s++;
		eneg = at(s, end) == '-';
		if (at(s, end) == '-' || at(s, end) == '+')
			s++;
		if (!is_digit(at(s, end)))
			return NULL;
		for (; is_digit(at(s, end)); s++)
			if ((exp = exp * 10 + (*s - '0')) > 1000)
				return NULL;
	}
	*w = m;
	*e10 = (eneg ? -exp : exp) - frac;
	return s;
}

#if LDBL_MANT_DIG == 64 && DBL_MANT_DIG == 53
/* The 64-bit significand of a normal x87 long double (frexpl's m times 2^64). */
static uint64_t ld_significand(long double x)
{
#if defined(__x86_64__) || defined(__i386__)
	uint64_t u;

	memcpy(&u, &x, sizeof u); /* the low 8 bytes, integer bit included */
	return u;
#else
	int ex;

	return (uint64_t)ldexpl(frexpl(x, &ex), 64);
#endif
}
#endif

/* w * 10^e10 correctly rounded to a double, in *out; 0, or -1 when this
 * cannot be proved here (then strtod decides). Clinger's fast path for
 * w <= 2^53 and |e10| <= 22; with an x87 long double (64-bit significand)
 * also w < 2^64 and |e10| <= 27, where one long-double operation on exact
 * operands is within half an ulp of the value, so its rounding to double is
 * the value's unless the long double sits exactly on a double midpoint. */
static int scale_exact(uint64_t w, int e10, double *out)
{
	static const double p10[] = {1e0,  1e1,	 1e2,  1e3,  1e4,  1e5,	 1e6,  1e7,
				     1e8,  1e9,	 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

	if (w == 0) {
		*out = 0.0;
		return 0;
	}
#if FLT_EVAL_METHOD == 0
	if (w <= (UINT64_C(1) << 53) && e10 >= -22 && e10 <= 22) {
		*out = e10 >= 0 ? (double)w * p10[e10] : (double)w / p10[-e10];
		return 0;
	}
#endif
#if LDBL_MANT_DIG == 64 && DBL_MANT_DIG == 53
	if (e10 >= -SCAN_MAX_POW10 && e10 <= SCAN_MAX_POW10) {
		/* exact: 10^k = 2^k 5^k and 5^27 < 2^64 */
		static const long double lp10[SCAN_MAX_POW10 + 1] = {
		    1e0L,  1e1L,  1e2L,	 1e3L,	1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
		    1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
		    1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};
		long double p = lp10[e10 < 0 ? -e10 : e10], x;
		uint64_t low;

		x = e10 >= 0 ? (long double)w * p : (long double)w / p;
		low = ld_significand(x) & 0x7ff; /* the 11 bits a double drops */
		if (low >= 0x3ff && low <= 0x401)
			return -1; /* on or next to a midpoint */
		*out = (double)x;
		return 0;
	}
#endif
	return -1;
}

/* s[0..end) as a number when it is a simple decimal that scale_exact
 * proves, with ' ', '\t' and '\r' after it; 0, or -1 when not decided here. */
static int scan_fast(const char *s, const char *end, double *out)
{
	const char *p;
	uint64_t w;
	int neg, e10;

	if ((p = scan_simple(s, end, &neg, &w, &e10)) == NULL)
		return -1;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if (p != end || scale_exact(w, e10, out) < 0)
		return -1;
	if (neg)
		*out = -*out;
	return 0;
}

/* The NUL-terminated line s as strtod reads it; 0 or -1. */
static int scan_strtod(const char *s, double *out)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || strpbrk(s, "xX") != NULL)
		return -1;
	*out = strtod(s, &end);
	if (end == s)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	return *end == '\0' ? 0 : -1;
}

/* A whole line as a number, as strtod reads it in the C locale (surrounding
 * ' ' and '\t', trailing '\r'; decimal, inf and nan; no hex); 0 or -1. */
int drift_scan_number(const char *s, double *out)
{
	if (scan_fast(s, s + strlen(s), out) == 0)
		return 0;
	return scan_strtod(s, out);
}

/* drift_scan_number on the len bytes at s, which need no NUL after them. */
int drift_scan_number_n(const char *s, size_t len, double *out)
{
	char small[64], *copy;
	int rc;

	if (scan_fast(s, s + len, out) == 0)
		return 0;
	copy = len < sizeof small ? small : xmalloc(len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	rc = scan_strtod(copy, out);
	if (copy != small)
		free(copy);
	return rc;
}
