#!/usr/bin/env python3
"""P4's baseline: the statistics Monitoring computes (PSI over the reference bins, binned KS over the fine bins with its
asymptotic p-value, null rate), with numpy/scipy on the same window file and reference bins that Mlops.Bench wrote.
Prints one JSON object: best seconds of N passes (wall and this thread's CPU time), peak memory, the statistics per feature,
and the CPU time of each step per value (a separate pass, timed step by step, so the steps add up to about one pass).
usage: drift_baseline.py WORK_DIR [PASSES]"""
import json, resource, sys, time
import numpy as np
from scipy import special

FLOOR = 1e-4


def measure(column, ref, steps=None):
    clock = Clock(steps)
    finite = column[np.isfinite(column)]
    clock.lap("null_count")
    fine_edges = np.asarray(ref["fineEdges"])
    bins = np.searchsorted(fine_edges, finite, side="right")
    clock.lap("search")
    counts = np.bincount(bins, minlength=len(fine_edges) + 1)
    clock.lap("count")
    # A fine bin falls whole into the reference bin of its lower edge.
    coarse_of_fine = np.concatenate(([0], np.searchsorted(np.asarray(ref["edges"]), fine_edges, side="right")))
    coarse = np.bincount(coarse_of_fine, weights=counts, minlength=len(ref["edges"]) + 1)
    e = np.maximum(np.asarray(ref["proportions"]) / np.sum(ref["proportions"]), FLOOR)
    a = np.maximum(coarse / coarse.sum(), FLOOR)
    psi = float(np.sum((a - e) * np.log(a / e)))
    m = finite.size
    d = min(float(np.max(np.abs(np.cumsum(ref["fineProportions"])[:-1] - np.cumsum(counts / m)[:-1]))), 1.0)
    n = ref["fineSize"]
    result = {"psi": psi, "ks": d, "ks_p": float(special.kolmogorov(np.sqrt(n * m / (n + m)) * d)),
              "null_rate": (column.size - m) / column.size}
    clock.lap("statistics")
    return result


class Clock:
    """Adds this thread's CPU time since the last lap to steps[name]; does nothing without steps."""

    def __init__(self, steps):
        self.steps, self.last = steps, time.thread_time() if steps is not None else 0

    def lap(self, name):
        if self.steps is not None:
            now = time.thread_time()
            self.steps[name] = self.steps.get(name, 0) + now - self.last
            self.last = now


def main():
    work, passes = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(f"{work}/reference.json") as f:
        meta = json.load(f)
    rows, features = meta["rows"], meta["features"]
    window = np.fromfile(f"{work}/window.f64", dtype="<f8").reshape(features, rows)
    best, best_cpu, results = float("inf"), float("inf"), None
    for _ in range(passes):
        start, start_cpu = time.perf_counter(), time.thread_time()
        results = [measure(window[i], meta["references"][i]) for i in range(features)]
        best, best_cpu = min(best, time.perf_counter() - start), min(best_cpu, time.thread_time() - start_cpu)
    steps = {}
    for i in range(features):
        measure(window[i], meta["references"][i], steps)
    print(json.dumps({"seconds": best, "cpu_seconds": best_cpu, "peak_mb": peak_rss_mb(), "numpy": np.__version__, "features": results,
                      "ns_per_value": {name: seconds * 1e9 / (rows * features) for name, seconds in steps.items()}}))


def peak_rss_mb():
    # VmHWM, not ru_maxrss: a child started by fork inherits its parent's ru_maxrss, exec or not.
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
