"""Benchmark: time of the papers' fast build, paper by paper (``make bench BENCH=build``).

Builds every paper at the fast size (as the test suite does) into a temporary folder, with one
shared Dask cluster as ``make figures`` uses, every experiment computed. Printed side by side per
paper: wall and CPU seconds (this process and its Dask workers), CPU / wall (how well the two
workers are kept busy) and the paper's share of the build's wall time. The full build's time is
measured by ``python -m papers.build --record`` (README); this is the quick look at where the
time goes. No assertions: timings are read from the printout.
"""

import os
import tempfile
import time
from pathlib import Path

from papers import build


def main() -> None:
    """Build every paper fast, then print the per-paper table."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_build_") as tmp, \
            build.SharedCluster(2) as cluster:
        start = time.perf_counter()
        for paper in build.discover():
            b = build.build_paper(paper, fast=True, force=True, out=Path(tmp) / paper,
                                  cluster=cluster)
            rows.append((paper, b.seconds, b.cpu_seconds))
        total = time.perf_counter() - start
    print(f"\nfast build, 2 workers, load average {os.getloadavg()[0]:.2f} at the end")
    print(f"{'paper':<20}{'wall s':>9}{'CPU s':>9}{'CPU/wall':>10}{'share':>8}")
    for paper, wall, cpu in rows:
        print(f"{paper:<20}{wall:>9.1f}{cpu:>9.1f}{cpu / wall:>10.2f}{wall / total:>8.0%}")
    print(f"{'total':<20}{total:>9.1f}")


if __name__ == "__main__":
    main()
