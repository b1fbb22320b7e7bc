"""How fast this machine runs today: a fixed CPU-bound workload, timed.

The benchmarks run on shared virtual machines whose speed changes from day to day and
from minute to minute. Each bench prints this figure next to its table, so that runs
made on different days can be compared, and a slow run can be told from a slow day.
The workload is a pure-Python loop (``sum(range(30_000_000))``, one core), the kind of
work the interpreter does at start-up and between the library calls.
"""

from __future__ import annotations

import os
import statistics
import time

__all__ = ["describe", "seconds"]

#: The loop's length.
N = 30_000_000


def seconds(runs: int = 3) -> float:
    """Median seconds of ``runs`` timings of the workload in this process."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        sum(range(N))
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def describe(runs: int = 3) -> str:
    """One line: the workload's median time, the CPUs and the load average."""
    return (f"host speed: sum(range(3e7)) in {seconds(runs):.2f} s (median of {runs}; "
            f"lower is faster) · {os.cpu_count()} CPUs · load average "
            f"{os.getloadavg()[0]:.1f}")
