"""Benchmark: a 1,000-point sweep of the example council (`feemodel sweep`), in this process and on
Dask local worker processes (when Dask is installed). Target: under a minute on 2 cores.

    python -m bench.sweep          # this benchmark alone
"""

from __future__ import annotations

import os
import time

from feemodel.apps.sweep import dask_available, sweep
from feemodel.paths import default_scenario

# 100 occupancy levels x 10 returns on operations: every point changes the Residential rate, so each is
# costed in full (scenario validated, rates rebuilt, engine built); none is a cheap repeat
OCC = "cost_of_care.categories.standard_residential.occupancy_pct"
ROO = "cost_of_care.categories.standard_residential.returns.return_on_operations_pct"
SETS = [f"{OCC}=85:94.9:0.1", f"{ROO}=3:7.5:0.5"]


def bench_sweep(row) -> None:
    """``row(name, value, target)`` records a figure (bench/__main__.py's table)."""
    t = time.perf_counter()
    here = sweep(default_scenario(), SETS, scheduler="none", progress=False)
    took = time.perf_counter() - t
    row(f"sweep, {len(here):,} points of the example, in-process (s)", f"{took:.1f}", "< 60 s on 2 cores")
    row("  per point (ms)", f"{took / len(here) * 1000:.0f}")
    if not dask_available():
        row(f"sweep, {len(here):,} points, Dask local workers (s)", "n/a (Dask not installed)", "< 60 s on 2 cores")
        return
    t = time.perf_counter()
    there = sweep(default_scenario(), SETS, scheduler="local", workers=os.cpu_count() or 2, progress=False)
    took = time.perf_counter() - t
    same = "same rows" if there.equals(here) else "ROWS DIFFER"
    row(f"sweep, {len(there):,} points, Dask {os.cpu_count()} local worker processes, start-up included (s)", f"{took:.1f} ({same})",
        "< 60 s on 2 cores")


if __name__ == "__main__":
    bench_sweep(lambda name, value, target="": print(f"{name}: {value}  {target}", flush=True))
