"""drift_scipy.py REF CUR: the SciPy/NumPy anchor for bench_drift. Prints
"whole_ks S" (a fresh Python process: import, np.loadtxt both files,
scipy.stats.ks_2samp; best of 3) and "compute_M S" for ks, psi (Evidently's:
Sturges edges over both samples, np.histogram, zero-filled shares) and
wasserstein (normed by the reference's std), each on values already read,
best of 5."""
import subprocess
import sys
import time

import numpy as np
from scipy import stats

WHOLE = ("import sys, numpy as np; from scipy import stats; "
         "r = np.loadtxt(sys.argv[1]); c = np.loadtxt(sys.argv[2]); "
         "print(stats.ks_2samp(r, c))")


def best(fn, times):
    """The best wall-clock time of fn() over times runs."""
    out = None
    for _ in range(times):
        t = time.perf_counter()
        fn()
        t = time.perf_counter() - t
        out = t if out is None or t < out else out
    return out


def psi(r, c):
    """Evidently's PSI on Sturges bins over both samples."""
    edges = np.histogram_bin_edges(np.concatenate([r, c]), bins="sturges")
    rp = np.histogram(r, edges)[0] / len(r)
    cp = np.histogram(c, edges)[0] / len(c)
    rp[rp == 0] = 0.0001
    cp[cp == 0] = 0.0001
    return np.sum((rp - cp) * np.log(rp / cp))


def main():
    ref, cur = sys.argv[1], sys.argv[2]
    whole = best(lambda: subprocess.run([sys.executable, "-c", WHOLE, ref, cur],
                                        check=True, capture_output=True), 3)
    print("whole_ks %.6f" % whole)
    r, c = np.loadtxt(ref), np.loadtxt(cur)
    print("compute_ks %.6f" % best(lambda: stats.ks_2samp(r, c), 5))
    print("compute_psi %.6f" % best(lambda: psi(r, c), 5))
    print("compute_wasserstein %.6f" %
          best(lambda: stats.wasserstein_distance(r, c) / np.std(r), 5))


main()
