"""Independent reference values for the drift tests (plain Python 3; the standard library, plus Debian's python3-scipy for the
exact KS p-values of windows above 1,000 rows, a section skipped when scipy is missing).

Run:  python3 tests/Mlops.Monitoring.Tests/reference_values.py
Each number printed is pasted into the test that names it. The formulas are the textbook ones, written without looking
at the C# code, and computed differently where that makes the check stronger: the exact KS p-value by enumerating every
arrangement of the pooled sample (small cases) and by counting lattice paths with exact big-integer arithmetic (larger
case), the Kolmogorov distribution by its alternating series only, Wasserstein from histograms by numeric integration.
"""
from bisect import bisect_left, bisect_right
from fractions import Fraction
from itertools import combinations
from math import comb, exp, log, log2, sqrt


def shares_over_bins(values, edges):
    """Bin i holds edges[i-1] <= x < edges[i]; NaN and infinities are not counted."""
    counts = [0] * (len(edges) + 1)
    for v in values:
        if v == v and abs(v) != float("inf"):
            counts[bisect_right(edges, v)] += 1
    total = sum(counts)
    return [c / total for c in counts]


def psi(expected, actual, floor=1e-4):
    return sum((max(a, floor) - max(e, floor)) * log(max(a, floor) / max(e, floor)) for e, a in zip(expected, actual))


def js_distance(p, q):
    m = [(a + b) / 2 for a, b in zip(p, q)]
    kl = lambda x: sum(a * log2(a / c) for a, c in zip(x, m) if a > 0)
    return sqrt(0.5 * kl(p) + 0.5 * kl(q))


def tvd(p, q):
    return 0.5 * sum(abs(a - b) for a, b in zip(p, q))


def ks_statistic(x, y):
    """sup |F(t) - G(t)| with F(t) = #{x <= t} / n, evaluated at every pooled value."""
    xs, ys = sorted(x), sorted(y)
    return max(abs(bisect_right(xs, t) / len(xs) - bisect_right(ys, t) / len(ys)) for t in xs + ys)


def path_statistic(first_positions, n, m):
    """D of one arrangement of n + m distinct values: the positions (in the pooled order) taken by the first sample."""
    taken, i, j, d = set(first_positions), 0, 0, Fraction(0)
    for k in range(n + m):
        if k in taken:
            i += 1
        else:
            j += 1
        d = max(d, abs(Fraction(i, n) - Fraction(j, m)))
    return d


def ks_exact_p_by_enumeration(n, m, d):
    """P(D >= d) without ties: every one of the C(n+m, n) arrangements is equally likely."""
    d = Fraction(d).limit_denominator(n * m)
    hits = sum(1 for c in combinations(range(n + m), n) if path_statistic(c, n, m) >= d)
    return hits / comb(n + m, n)


def ks_exact_p_by_path_count(n, m, d):
    """P(D >= d) = 1 - (paths staying strictly inside |i/n - j/m| < d) / C(n+m, n), counted with exact integers."""
    d = Fraction(d).limit_denominator(n * m)
    inside = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if abs(Fraction(i, n) - Fraction(j, m)) >= d:
                continue
            inside[i][j] = 1 if i == j == 0 else (inside[i - 1][j] if i else 0) + (inside[i][j - 1] if j else 0)
    return float(1 - Fraction(inside[n][m], comb(n + m, n)))


def kolmogorov_q(lam, terms=2000):
    """Q(lambda) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2), the alternating series only."""
    return min(1.0, max(0.0, 2 * sum((-1) ** (k - 1) * exp(-2 * k * k * lam * lam) for k in range(1, terms + 1))))


def wasserstein_samples(x, y):
    """integral |F - G| over the sorted pooled values."""
    xs, ys = sorted(x), sorted(y)
    pooled = sorted(xs + ys)
    return sum((b - a) * abs(bisect_right(xs, a) / len(xs) - bisect_right(ys, a) / len(ys)) for a, b in zip(pooled, pooled[1:]))


def histogram_cdf(edges, shares, low, high, means=None):
    """CDF of a histogram, each bin's mass uniform over the bin clipped to [low, high] — or, when the bin's mean is known,
    over the widest interval centred on that mean inside the clipped bin (a point mass when it has no room).
    Returns the CDF and its breakpoints."""
    bounds = [low] + list(edges) + [high]
    pieces = []
    for k, share in enumerate(shares):
        if share == 0:
            continue
        a, b = max(bounds[k], low), min(bounds[k + 1], high)
        if means is not None:
            r = min(means[k] - a, b - means[k])
            a, b = means[k] - r, means[k] + r
        pieces.append((a, b, share))

    def cdf(t):
        return sum(share if t >= b else (0.0 if t < a else share * (t - a) / (b - a)) for a, b, share in pieces)
    return cdf, sorted({x for a, b, _ in pieces for x in (a, b)})


def integrate_abs_difference(f, g, breakpoints, steps_per_piece=20_000):
    """Midpoint rule between consecutive breakpoints (where both CDFs are smooth), so jumps cost nothing."""
    total = 0.0
    for a, b in zip(breakpoints, breakpoints[1:]):
        h = (b - a) / steps_per_piece
        total += h * sum(abs(f(a + (k + 0.5) * h) - g(a + (k + 0.5) * h)) for k in range(steps_per_piece))
    return total


def golden(i):
    return (i * 0.6180339887498949) % 1.0


def plastic(j):
    return (j * 0.7548776662466927) % 1.0 * 0.9 + 0.08


def plastic_squared(j):
    v = plastic(j)
    return v * v


if __name__ == "__main__":
    # PSI / JS / TVD over the reference bins [1, 2, 3] with reference shares 0.1 0.4 0.3 0.2.
    edges, expected = [1.0, 2.0, 3.0], [0.1, 0.4, 0.3, 0.2]
    window = [1.0, 1.5, 1.5, 2.0, 2.5, 2.5, 2.5, 3.5, 4.0]
    actual = shares_over_bins(window, edges)
    print("numeric window shares", actual)
    print("numeric psi", repr(psi(expected, actual)))
    print("numeric js", repr(js_distance(expected, actual)))
    print("numeric tvd", repr(tvd(expected, actual)))
    print("numeric binned ks", repr(max(abs(sum(expected[:k + 1]) - sum(actual[:k + 1])) for k in range(len(edges)))))

    # Categorical: a b c with shares 0.5 0.3 0.2, window a a a b d (d unseen) and one null.
    cat_expected, cat_actual = [0.5, 0.3, 0.2, 0.0], [3 / 5, 1 / 5, 0.0, 1 / 5]
    print("categorical psi", repr(psi(cat_expected, cat_actual)))
    print("categorical js", repr(js_distance(cat_expected, cat_actual)))
    print("categorical tvd", repr(tvd(cat_expected, cat_actual)))

    # Hand-checked values.
    print("hand psi [.5,.5] vs [.25,.75]", repr(psi([0.5, 0.5], [0.25, 0.75])))
    print("hand js [.5,.5] vs [1,0]", repr(js_distance([0.5, 0.5], [1.0, 0.0])))
    print("constant column psi", repr(psi([0, 1, 0], [0, 0, 1])))

    # KS, exact p-value by enumeration: no ties, and ties.
    x = [0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56]
    y = [0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77, 1.09, -1.28]
    d = ks_statistic(x, y)
    print("ks no ties D", repr(d), "p", repr(ks_exact_p_by_enumeration(len(x), len(y), d)))
    print("wasserstein exact x y", repr(wasserstein_samples(x, y)))
    tx, ty = [1, 2, 2, 3, 3, 3, 4], [2, 3, 4, 4, 5, 5]
    d = ks_statistic(tx, ty)
    print("ks ties D", repr(d), "p", repr(ks_exact_p_by_enumeration(len(tx), len(ty), d)))
    single_reference = [float(v) for v in range(1, 11)]
    d = ks_statistic(single_reference, [5.5])
    print("ks single row D", repr(d), "p", repr(ks_exact_p_by_enumeration(10, 1, d)))
    d = ks_statistic(single_reference, [20.0])
    print("ks single row outside D", repr(d), "p", repr(ks_exact_p_by_enumeration(10, 1, d)))
    # The two exact methods agree where both run, then the path count takes the larger case.
    print("ks path count == enumeration (no ties)", repr(ks_exact_p_by_path_count(8, 10, ks_statistic(x, y))))
    gx, py = [golden(i) for i in range(1, 41)], [plastic_squared(j) for j in range(1, 36)]
    d = ks_statistic(gx, py)
    print("ks 40x35 D", repr(d), "p", repr(ks_exact_p_by_path_count(40, 35, d)))
    print("wasserstein exact 40x35", repr(wasserstein_samples(gx, py)))

    # The Kolmogorov distribution at 1200 x 1000 values (the C# asymptotic formula, used above its exact limit).
    ax, ay = [golden(i) for i in range(1, 1201)], [plastic(j) for j in range(1, 1001)]
    d = ks_statistic(ax, ay)
    lam = sqrt(1200 * 1000 / 2200) * d
    print("ks 1200x1000 D", repr(d), "lambda", repr(lam), "p", repr(kolmogorov_q(lam)))
    for lam in (0.5, 0.8, 1.0, 1.18, 1.5, 2.0):
        print("kolmogorov Q", lam, repr(kolmogorov_q(lam)))

    # Wasserstein from histograms: reference bins [1,2,3] shares .1 .4 .3 .2 over training [0, 5] (no sample, so no means:
    # uniform over each clipped bin); window counts 1 2 3 4 over its own [0.5, 6] with the bin means of its values.
    hist_window = [0.5, 1.2, 1.7, 2.2, 2.4, 2.9, 3.3, 4.1, 4.6, 6.0]
    bins = [[v for v in hist_window if bisect_right(edges, v) == k] for k in range(len(edges) + 1)]
    f, f_breaks = histogram_cdf(edges, expected, 0.0, 5.0)
    g, g_breaks = histogram_cdf(edges, shares_over_bins(hist_window, edges), 0.5, 6.0, [sum(b) / len(b) for b in bins])
    print("wasserstein histogram", repr(integrate_abs_difference(f, g, sorted(set(f_breaks + g_breaks)))))

    # Exact p-values of windows above 1,000 rows, from Debian's python3-scipy (an independent implementation):
    #   apt-get install -y python3-scipy && /usr/bin/python3 tests/Mlops.Monitoring.Tests/reference_values.py
    try:
        from scipy import stats
    except ImportError:
        print("exact large ks: skipped, python3-scipy is not installed")
    else:
        uniform = lambda j: j * 0.7548776662466927 % 1.0
        large_cases = [
            ("1200x1000", [golden(i) for i in range(1, 1201)], [plastic(j) for j in range(1, 1001)]),
            ("1000x1001", [golden(i) for i in range(1, 1001)], [plastic(j) * 0.97 + 0.02 for j in range(1, 1002)]),
            ("1000x1500", [golden(i) for i in range(1, 1001)], [uniform(j) ** 1.15 for j in range(1, 1501)]),
            ("1000x20000", [golden(i) for i in range(1, 1001)], [uniform(j) ** 1.1 for j in range(1, 20001)]),
            ("1000x100000", [golden(i) for i in range(1, 1001)], [uniform(j) ** 1.12 for j in range(1, 100001)]),
        ]
        for name, sx, sy in large_cases:
            result = stats.ks_2samp(sx, sy, method="exact")
            print("exact large ks", name, "D", repr(result.statistic), "p", repr(result.pvalue))
