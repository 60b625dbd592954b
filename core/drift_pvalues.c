/* drift_pvalues.c: the distributions behind the drift tests' p-values, as
 * SciPy 1.10 computes them — the two-sample Kolmogorov-Smirnov test (exact
 * and asymptotic), the Kolmogorov distribution (kstwo: Durbin-Marsaglia-
 * Tsang-Wang, Pomeranz, Pelz-Good, Smirnov), and cephes' chi-square and
 * normal tails. Pure: no I/O. */
#include "config.h"
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "drift.h"
#include "drift_impl.h"
#include "xmalloc.h"

#define KS_MAX_EXACT_N 10000 /* ks_2samp(method='auto') */

/* ---- two-sample Kolmogorov-Smirnov ---------------------------------------- */

/* D = max |F - G| over the pooled points, right-continuous CDFs, each
 * difference i/n1 - j/n2 rounded as NumPy rounds it. */
static double ks_statistic(const double *a, size_t n1, const double *b, size_t n2)
{
	double maxs = -INFINITY, mins = INFINITY, neg;
	size_t i = 0, j = 0;

	while (i < n1 || j < n2) {
		double x = (j >= n2 || (i < n1 && a[i] <= b[j])) ? a[i] : b[j];
		double diff;

		while (i < n1 && a[i] <= x)
			i++;
		while (j < n2 && b[j] <= x)
			j++;
		diff = (double)i / (double)n1 - (double)j / (double)n2;
		if (diff > maxs)
			maxs = diff;
		if (diff < mins)
			mins = diff;
	}
	neg = -mins < 0 ? 0 : (-mins > 1 ? 1 : -mins);
	return neg > maxs ? neg : maxs;
}

/* Greatest common divisor. */
static size_t gcd(size_t a, size_t b)
{
	while (b) {
		size_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* P(D >= h/n) for n1 = n2 = n: the alternating binomial sum, Horner form. */
static double ks_prob_outside_square(long long n, long long h)
{
	double p = 0.0;

	for (long long k = (long long)floor((double)n / (double)h); k >= 0; k--) {
		double p1 = 1.0;

		for (long long j = 0; j < h; j++)
			p1 = (double)(n - k * h - j) * p1 / (double)(n + k * h + j + 1);
		p = p1 * (1.0 - p);
	}
	return 2 * p;
}

/* 1 - P(paths stay strictly inside |x/m - y/n| < h/lcm): Hodges' inside
 * method in Viehmann's form, one sliding column of the lattice. */
static double ks_outer_prob_inside(long long m, long long n, long long g, long long h)
{
	if (m < n) {
		long long t = m;
		m = n;
		n = t;
	}
	long long mg = m / g, ng = n / g;
	long long minj = 0, maxj = (long long)ceil((double)h / (double)mg), curlen, lenA;
	double *A, res;

	if (maxj > n + 1)
		maxj = n + 1;
	curlen = maxj - minj;
	lenA = 2 * maxj + 2 < n + 1 ? 2 * maxj + 2 : n + 1;
	A = xmalloc((size_t)lenA * sizeof *A);
	for (long long k = 0; k < lenA; k++)
		A[k] = k < maxj ? 0.0 : 1.0;
	for (long long i = 1; i <= m; i++) {
		long long lastminj = minj, lastlen = curlen;
		double val;

		minj = (long long)floor((double)(ng * i - h) / (double)mg) + 1;
		minj = minj < 0 ? 0 : (minj > n ? n : minj);
		maxj = (long long)ceil((double)(ng * i + h) / (double)mg);
		maxj = maxj > n + 1 ? n + 1 : maxj;
		if (maxj <= minj) {
			free(A);
			return 1.0;
		}
		if (maxj - minj > lenA || maxj - minj - 1 + minj - lastminj >= lenA) {
			free(A);
			return NAN; /* SciPy would fail here too: fall back */
		}
		val = minj == 0 ? 0.0 : 1.0;
		for (long long jj = 0; jj < maxj - minj; jj++) {
			long long j = jj + minj;
			val = (A[jj + minj - lastminj] * (double)i + val * (double)j) /
			      (double)(i + j);
			A[jj] = val;
		}
		curlen = maxj - minj;
		for (long long k = curlen; k < lastlen && k < lenA; k++)
			A[k] = 1.0;
	}
	res = A[maxj - minj - 1];
	free(A);
	return res;
}

/* SciPy's exact two-sided p-value; snaps *d to h/lcm. NaN when SciPy gives
 * up on the exact method (the caller then uses the asymptotic one). */
static double ks_exact(size_t n1, size_t n2, double *d)
{
	long long g = (long long)gcd(n1, n2);
	long long lcm = ((long long)n1 / g) * (long long)n2;
	long long h = (long long)nearbyint(*d * (double)lcm);
	double p;

	*d = (double)h * 1.0 / (double)lcm;
	if (h == 0)
		return 1.0;
	if (n1 == n2)
		p = ks_prob_outside_square((long long)n1, h);
	else
		p = ks_outer_prob_inside((long long)n1, (long long)n2, g, h);
	return (p >= 0 && p <= 1) ? p : NAN;
}

/* SciPy's exact p-value for d (NaN where SciPy falls back). */
double drift_ks_exact_p(size_t n1, size_t n2, double d)
{
	return ks_exact(n1, n2, &d);
}

/* ---- the Kolmogorov distribution (SciPy's kstwo, _ksstats.py) ------------- */

#define E128 128
#define EP128 0x1p128
#define EM128 0x1p-128
#define CEPHES_MINLOG (-7.451332191019412076235E2) /* log(2^-1075): cephes with denormals */

/* Clip a probability to [0, 1]. */
double drift_clip01(double p)
{
	return p < 0 ? 0 : (p > 1 ? 1 : p);
}

/* C = A B for m x m row-major matrices. */
static void matmul(const double *A, const double *B, double *C, int m)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < m; j++) {
			double s = 0;

			for (int k = 0; k < m; k++)
				s += A[i * m + k] * B[k * m + j];
			C[i * m + j] = s;
		}
}

/* The Durbin matrix H of the MTW method, m = 2k - 1, h = k - nd. */
static void dmtw_matrix(double *H, int m, double h)
{
	double *v = xmalloc((size_t)m * sizeof *v), *w = xmalloc((size_t)m * sizeof *w);
	double fac = 1.0, tt;

	for (int j = 1; j <= m; j++) {
		v[j - 1] = 1.0 - pow(h, j);
		w[j - 1] = fac;
		fac /= j;
		v[j - 1] *= fac;
	}
	tt = pow(2 * h - 1.0 > 0 ? 2 * h - 1.0 : 0, m) - 2 * pow(h, m);
	v[m - 1] = (1.0 + tt) * fac;
	memset(H, 0, (size_t)m * (size_t)m * sizeof *H);
	for (int i = 1; i < m; i++)
		for (int r = i - 1; r < m; r++)
			H[r * m + i] = w[r - (i - 1)];
	for (int r = 0; r < m; r++)
		H[r * m] = v[r];
	for (int c = 0; c < m; c++)
		H[(m - 1) * m + c] = v[m - 1 - c];
	free(w);
	free(v);
}

/* P(D_n <= d): Durbin's matrix, Marsaglia-Tsang-Wang scaling. */
static double kolmogn_dmtw(long n, double d)
{
	double nd = (double)n * d, h, p, *H, *P, *T;
	int k, m, expnt = 0, hexpnt = 0;

	if (d >= 1.0)
		return 1.0;
	if (nd <= 0.5)
		return 0.0;
	k = (int)ceil(nd);
	h = k - nd;
	m = 2 * k - 1;
	H = xmalloc((size_t)m * (size_t)m * sizeof *H);
	P = xcalloc((size_t)m * (size_t)m, sizeof *P);
	T = xmalloc((size_t)m * (size_t)m * sizeof *T);
	dmtw_matrix(H, m, h);
	for (int i = 0; i < m; i++)
		P[i * m + i] = 1.0;
	for (long nn = n; nn > 0; nn /= 2) {
		if (nn % 2) {
			matmul(P, H, T, m);
			memcpy(P, T, (size_t)m * (size_t)m * sizeof *P);
			expnt += hexpnt;
		}
		matmul(H, H, T, m);
		memcpy(H, T, (size_t)m * (size_t)m * sizeof *H);
		hexpnt *= 2;
		if (fabs(H[(k - 1) * m + k - 1]) > EP128) {
			for (int i = 0; i < m * m; i++)
				H[i] /= EP128;
			hexpnt += E128;
		}
	}
	p = P[(k - 1) * m + k - 1];
	for (long i = 1; i <= n; i++) {
		p = (double)i * p / (double)n;
		if (fabs(p) < EM128) {
			p *= EP128;
			expnt -= E128;
		}
	}
	free(T);
	free(P);
	free(H);
	return drift_clip01(expnt ? ldexp(p, expnt) : p);
}

/* Pomeranz's row bounds j1, j2 for row i. */
static void pomeranz_j1j2(long i, long n, long ll, int ceilf, int roundf, long *j1, long *j2)
{
	long a, b;

	if (i == 0) {
		a = -ll - ceilf - 1;
		b = ll + ceilf - 1;
	} else {
		long half = (i + 1) / 2;

		if ((i + 1) % 2 == 0) {
			if (half == n + 1) {
				a = n - ll - ceilf - 1;
				b = n + ll + ceilf - 1;
			} else {
				a = half - 1 - ll - roundf - 1;
				b = half + ll - 1 + ceilf - 1;
			}
		} else {
			a = half - 1 - ll - 1;
			b = half + ll + roundf - 1;
		}
	}
	*j1 = a + 2 > 0 ? a + 2 : 0;
	*j2 = b < n ? b : n;
}

/* The three power tables of Pomeranz: (c/n)^m / m! for c = g, 2g, 1 - 2g. */
static void pomeranz_powers(double *gp, double *twogp, double *onem2gp, long npwrs, long n,
			    double g)
{
	double g_n = g / n, twog_n = 2 * g / n, onem2g_n = (1 - 2 * g) / n;

	gp[0] = twogp[0] = onem2gp[0] = 1.0;
	for (long m = 1; m < npwrs; m++) {
		gp[m] = gp[m - 1] * g_n / m;
		twogp[m] = twogp[m - 1] * twog_n / m;
		onem2gp[m] = onem2gp[m - 1] * onem2g_n / m;
	}
}

/* out[0..len) = (a * b)[start .. start + len): the full convolution of
 * a[0..la) and b[0..lb), only where needed. */
static void convolve_part(const double *a, long la, const double *b, long lb, long start, long len,
			  double *out)
{
	for (long c = start; c < start + len; c++) {
		double s = 0;
		long lo = c - lb + 1 > 0 ? c - lb + 1 : 0, hi = c < la - 1 ? c : la - 1;

		for (long p = lo; p <= hi; p++)
			s += a[p] * b[c - p];
		out[c - start] = s;
	}
}

/* P(D_n <= x): Pomeranz's recursion (n <= 140, 0.754693 < n x^2 <= 4). */
static double kolmogn_pomeranz(long n, double x)
{
	double t = n * x, f, g;
	long ll = (long)floor(t), npwrs, j1, j2, v0s = 0, v1s = 0;
	int ceilf, roundf, expnt = 0;

	f = t - ll;
	g = f < 1.0 - f ? f : 1.0 - f;
	ceilf = f > 0;
	roundf = f > 0.5;
	npwrs = 2 * (ll + 1);
	double *gp = xmalloc((size_t)npwrs * 5 * sizeof(double));
	double *twogp = gp + npwrs, *onem2gp = twogp + npwrs, *V0 = onem2gp + npwrs;
	double *V1 = V0 + npwrs, ans;

	pomeranz_powers(gp, twogp, onem2gp, npwrs, n, g);
	memset(V0, 0, 2 * (size_t)npwrs * sizeof *V0);
	V1[0] = 1;
	pomeranz_j1j2(0, n, ll, ceilf, roundf, &j1, &j2);
	for (long i = 1; i < 2 * n + 2; i++) {
		long k1 = j1, ln2, s;
		double *swap = V0, *pw, vmax = 0;

		V0 = V1;
		V1 = swap;
		s = v0s;
		v0s = v1s;
		v1s = s;
		memset(V1, 0, (size_t)npwrs * sizeof *V1);
		pomeranz_j1j2(i, n, ll, ceilf, roundf, &j1, &j2);
		pw = (i == 1 || i == 2 * n + 1) ? gp : (i % 2 ? twogp : onem2gp);
		ln2 = j2 - k1 + 1;
		if (ln2 <= 0)
			continue;
		long off = k1 - v0s, la = ln2, lb = ln2 < npwrs ? ln2 : npwrs;
		if (off < 0 || j2 - j1 + 1 > npwrs) {
			free(gp);
			return NAN;
		}
		if (off + la > npwrs)
			la = npwrs - off;
		convolve_part(V0 + off, la, pw, lb, j1 - k1, j2 - j1 + 1, V1);
		for (long q = 0; q < npwrs; q++)
			vmax = V1[q] > vmax ? V1[q] : vmax;
		if (vmax > 0 && vmax < EM128) {
			for (long q = 0; q < npwrs; q++)
				V1[q] *= EP128;
			expnt -= E128;
		}
		v1s = v0s + j1 - k1;
	}
	ans = V1[n - v1s];
	for (long m = 1; m <= n; m++) {
		if (fabs(ans) > EP128) {
			ans *= EM128;
			expnt += E128;
		}
		ans *= m;
	}
	free(gp);
	return drift_clip01(expnt ? ldexp(ans, expnt) : ans);
}

/* The Pelz-Good series' four Li-Chien/Korolyuk terms, theta-transformed. */
static void pelz_good_terms(double z, double K[4])
{
	const double pi2 = M_PI * M_PI, pi4 = pow(M_PI, 4), pi6 = pow(M_PI, 6);
	const double sqrt2pi = sqrt(2 * M_PI);
	double zsq = pow(z, 2), zfour = pow(z, 4), zsix = pow(z, 6), q = exp(-pi2 / 8 / zsq);
	double k1a = -zsq, k1b = pi2 / 4;
	double k2a = 6 * zsix + 2 * zfour, k2b = (2 * zfour - 5 * zsq) * pi2 / 4;
	double k2c = pi4 * (1 - 2 * zsq) / 16;
	double k3d = pi6 * (5 - 30 * zsq) / 64, k3c = pi4 * (-60 * zsq + 212 * zfour) / 16;
	double k3b = pi2 * (135 * zfour - 96 * zsix) / 4, k3a = -30 * zsix - 90 * pow(z, 8);
	int maxk = (int)ceil(16 * z / M_PI);

	K[0] = K[1] = K[2] = K[3] = 0;
	for (int k = maxk; k > 0; k--) {
		double m = 2 * k - 1, msq = m * m, mfour = msq * msq, msix = mfour * msq;
		double qp = pow(q, 8 * k);
		double c[4] = {1.0, k1a + k1b * msq, k2a + k2b * msq + k2c * mfour,
			       k3a + k3b * msq + k3c * mfour + k3d * msix};

		for (int i = 0; i < 4; i++)
			K[i] = K[i] * qp + c[i];
	}
	K[0] = K[0] * q * sqrt2pi / z;
	K[1] = K[1] * q * sqrt2pi / (6 * zfour);
	K[2] = K[2] * q * sqrt2pi / (72 * pow(z, 7));
	K[3] = K[3] * q * sqrt2pi / (6480 * pow(z, 10));
}

/* P(D_n <= x) by Pelz and Good's asymptotic expansion. */
static double kolmogn_pelz_good(long n, double x)
{
	const double pi2 = M_PI * M_PI, sqrt2pi = sqrt(2 * M_PI);
	double z, K[4], q, sqrt3z, k2x[64], k3x[64];
	int maxk;

	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	z = sqrt((double)n) * x;
	if (-pi2 / 8 / pow(z, 2) < -708)
		return 0.0;
	maxk = (int)ceil(16 * z / M_PI);
	if (maxk > 64)
		maxk = 64; /* z < 12.6 here: never reached */
	pelz_good_terms(z, K);
	q = exp(-pi2 / 2 / pow(z, 2));
	sqrt3z = sqrt(3.0) * z;
	for (int i = 0; i < maxk; i++) {
		double k = maxk - i, ksq = k * k, kspi = M_PI * k, qp = pow(q, ksq);

		k2x[i] = ksq * qp;
		k3x[i] = (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp;
	}
	K[2] += drift_np_sum(k2x, (size_t)maxk) * (pi2 * sqrt2pi / (-36 * pow(z, 3)));
	K[3] += drift_np_sum(k3x, (size_t)maxk) * (pi2 * sqrt2pi / (216 * pow(z, 6)));
	for (int i = 1; i < 4; i++)
		K[i] /= pow((double)n, i / 2.0);
	return 0 + K[0] + K[1] + K[2] + K[3];
}

/* Exact floor(n x) (in *fl) and the fractional part of n x. */
static double mod_nx(long n, double x, long *fl)
{
	double hi = (double)n * x, lo = fma((double)n, x, -hi), f = floor(hi);
	double alpha = (hi - f) + lo;

	if (alpha < 0) {
		f -= 1;
		alpha += 1;
	}
	if (alpha >= 1) {
		f += 1;
		alpha -= 1;
	}
	*fl = (long)f;
	return alpha;
}

/* The Birnbaum-Tingey lower sum for smirnov(n, x), in log space with long
 * doubles; stops where SciPy stops (remaining terms negligible). */
static double smirnov_lower_sum(long n, double x, long nxfl, double alpha, long nterms)
{
	long double lx = x, nn = (long double)n, lgn1 = lgammal(nn + 1);
	long double sum = powl(1.0L - lx, (long double)n) / lx;

	for (long v = 1; v < nterms; v++) {
		long double t1x = ((long double)(nxfl + v) + alpha) / nn;
		long double t2x = ((long double)(n - nxfl - v) - alpha) / nn;
		long double lt =
		    lgn1 - lgammal((long double)v + 1) - lgammal((long double)(n - v) + 1) +
		    (long double)(v - 1) * logl(t1x) + (long double)(n - v) * logl(t2x);
		long double a = expl(lt);

		sum += a;
		if (a != 0) {
			if (4 * (long double)(nterms - v) * a < DBL_EPSILON * sum &&
			    v != nterms - 1)
				break;
		} else if (v > n / 2) {
			break;
		}
	}
	return (double)(lx * sum);
}

/* scipy.special.smirnov(n, x): the one-sided statistic's survival function,
 * for x > 0.5/sqrt(n) (where SciPy uses the lower sum; all our callers). */
static double smirnov_sf(long n, double x)
{
	long nxfl, n1mxfl;
	double alpha;

	if (!(n > 0 && x >= 0.0 && x <= 1.0))
		return NAN;
	if (n == 1)
		return 1 - x;
	if (x == 0.0)
		return 1.0;
	if (x == 1.0)
		return 0.0;
	alpha = mod_nx(n, x, &nxfl);
	n1mxfl = n - nxfl - (alpha == 0 ? 0 : 1);
	if (alpha == 0)
		n1mxfl -= 1;
	if (nxfl == 0 || (nxfl == 1 && alpha == 0))
		return 1 - (double)((long double)x * powl(1.0L + x, (long double)(n - 1)));
	if (-2 * n * x * x < CEPHES_MINLOG)
		return 0.0;
	if (nxfl >= n - 1)
		return (double)powl(1.0L - x, (long double)n);
	if (n > 1000000) { /* SciPy's approximation for huge n */
		double logp = -pow(6.0 * n * x + 1, 2) / 18.0 / n;
		return logp < -M_LN2 ? exp(logp) : 1 - -expm1(logp);
	}
	return drift_clip01(smirnov_lower_sum(n, x, nxfl, alpha, n1mxfl + 1));
}

/* log(n! / n^n) by Stirling's series. */
static double log_nfact_div_npow(long n)
{
	static const double c[] = {-2.955065359477124183e-2,  6.4102564102564102564e-3,
				   -1.9175269175269175269e-3, 8.4175084175084175084e-4,
				   -5.952380952380952381e-4,  7.9365079365079365079e-4,
				   -2.7777777777777777778e-3, 8.3333333333333333333e-2};
	double rn = 1.0 / n, y = 0, x = rn / n;

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		y = y * x + c[i];
	return log((double)n) / 2 - n + log(2 * M_PI) / 2 + rn * y;
}

/* Ruben-Gambino's exact form for 1/2n < x <= 1/n: P(D_n <= x). */
static double kolmogn_small_t(long n, double t)
{
	double prob = 1.0;

	if (n > 140)
		return exp(log_nfact_div_npow(n) + n * log(2 * t - 1));
	for (long i = 1; i <= n; i++)
		prob *= (double)i * (1.0 / n) * (2 * t - 1);
	return prob;
}

/* kstwo.sf(x, n): _kolmogn's choice among the methods above (cdf=False). */
double drift_kstwo_sf(double x, long n)
{
	double t, nxsq, cdf;

	if (n <= 0 || isnan(x))
		return NAN;
	if (x >= 1.0)
		return 0.0;
	if (x <= 0.0)
		return 1.0;
	t = n * x;
	if (t <= 1.0)
		return t <= 0.5 ? 1.0 : drift_clip01(1.0 - kolmogn_small_t(n, t));
	if (t >= n - 1)
		return drift_clip01(2 * pow(1.0 - x, (double)n));
	if (x >= 0.5)
		return drift_clip01(2 * smirnov_sf(n, x));
	nxsq = t * x;
	if (n <= 140) {
		if (nxsq <= 0.754693)
			return drift_clip01(1.0 - kolmogn_dmtw(n, x));
		if (nxsq <= 4)
			return drift_clip01(1.0 - kolmogn_pomeranz(n, x));
		return drift_clip01(2 * smirnov_sf(n, x));
	}
	if (nxsq >= 370.0)
		return 0.0;
	if (nxsq >= 2.2)
		return drift_clip01(2 * smirnov_sf(n, x));
	if (n <= 100000 && n * pow(x, 1.5) <= 1.4)
		cdf = kolmogn_dmtw(n, x);
	else
		cdf = kolmogn_pelz_good(n, x);
	return drift_clip01(1.0 - cdf);
}

/* ks_2samp(a, b, method="auto"), two-sided: D and its p-value. */
double drift_ks_2samp(const double *a, size_t n1, const double *b, size_t n2, double *p_value,
		      int *exact)
{
	double d = ks_statistic(a, n1, b, n2), m, n, en;

	*exact = 0;
	if ((n1 > n2 ? n1 : n2) <= KS_MAX_EXACT_N) {
		double p = ks_exact(n1, n2, &d);

		if (!isnan(p)) {
			*p_value = drift_clip01(p);
			*exact = 1;
			return d;
		}
	}
	m = (double)(n1 > n2 ? n1 : n2);
	n = (double)(n1 > n2 ? n2 : n1);
	en = m * n / (m + n);
	*p_value = drift_clip01(drift_kstwo_sf(d, (long)nearbyint(en)));
	return d;
}

/* ---- chi-square and normal tails ------------------------------------------ */

#define IG_MAXITER 100000
#define IG_BIG 4.503599627370496e15L
#define IG_BIGINV 2.22044604925031308085e-16L

/* x^a e^-x / Gamma(a). */
static long double igam_fac(long double a, long double x)
{
	return expl(a * logl(x) - x - lgammal(a));
}

/* P(a, x) by its power series (x < a or small x). */
static long double igam_series(long double a, long double x)
{
	long double r = a, c = 1, ans = 1;

	for (int i = 0; i < IG_MAXITER; i++) {
		r += 1;
		c *= x / r;
		ans += c;
		if (c <= LDBL_EPSILON * ans)
			break;
	}
	return ans * igam_fac(a, x) / a;
}

/* Q(a, x) by Legendre's continued fraction (x > 1.1, x >= a). */
static long double igamc_fraction(long double a, long double x)
{
	long double y = 1 - a, z = x + y + 1, c = 0, pkm2 = 1, qkm2 = x, pkm1 = x + 1;
	long double qkm1 = z * x, ans = pkm1 / qkm1;

	for (int i = 0; i < IG_MAXITER; i++) {
		long double yc, pk, qk, t = 1;

		c += 1;
		y += 1;
		z += 2;
		yc = y * c;
		pk = pkm1 * z - pkm2 * yc;
		qk = qkm1 * z - qkm2 * yc;
		if (qk != 0) {
			long double r = pk / qk;
			t = fabsl((ans - r) / r);
			ans = r;
		}
		pkm2 = pkm1;
		pkm1 = pk;
		qkm2 = qkm1;
		qkm1 = qk;
		if (fabsl(pk) > IG_BIG) {
			pkm2 *= IG_BIGINV;
			pkm1 *= IG_BIGINV;
			qkm2 *= IG_BIGINV;
			qkm1 *= IG_BIGINV;
		}
		if (t <= LDBL_EPSILON)
			break;
	}
	return ans * igam_fac(a, x);
}

/* Q(a, x) for small x by the series of the lower integral's complement. */
static long double igamc_small(long double a, long double x)
{
	long double fac = 1, sum = 0, logx = logl(x);

	for (int n = 1; n < IG_MAXITER; n++) {
		long double term;

		fac *= -x / n;
		term = fac / (a + n);
		sum += term;
		if (fabsl(term) <= LDBL_EPSILON * fabsl(sum))
			break;
	}
	return -expm1l(a * logx - lgammal(1 + a)) - expl(a * logx - lgammal(a)) * sum;
}

/* The regularized upper incomplete gamma Q(a, x), cephes' choice of method,
 * evaluated in long double. */
static double igamc(double a, double x)
{
	long double la = a, lx = x;

	if (x > 1.1)
		return (double)(x < a ? 1 - igam_series(la, lx) : igamc_fraction(la, lx));
	if (x <= 0.5)
		return (double)(-0.4 / log(x) < a ? 1 - igam_series(la, lx) : igamc_small(la, lx));
	return (double)(x * 1.1 < a ? 1 - igam_series(la, lx) : igamc_small(la, lx));
}

/* chi2.sf(x, df) = Q(df/2, x/2); 1 below the support, 0 at infinity. */
double drift_chi2_sf(double x, double df)
{
	if (isnan(x) || !(df > 0))
		return NAN;
	if (x <= 0)
		return 1.0;
	if (isinf(x))
		return 0.0;
	return drift_clip01(igamc(df / 2.0, x / 2.0));
}

/* The standard normal CDF as cephes' drift_ndtr computes it. */
double drift_ndtr(double a)
{
	double x = a * M_SQRT1_2, z = fabs(x), y;

	if (z < M_SQRT1_2)
		return 0.5 + 0.5 * erf(x);
	y = 0.5 * erfc(z);
	return x > 0 ? 1.0 - y : y;
}
