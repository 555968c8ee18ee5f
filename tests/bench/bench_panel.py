"""Benchmark: county-years per second through ``abm.reform_panel`` (``make bench BENCH=panel``).

One national-timing panel (``N_COUNTIES`` counties x ``YEARS`` years, x_county roster scaled by
residents, ``SCALE`` residents per simulated patient) on a local Dask cluster of 2 workers,
measured end to end (cluster start-up printed apart), then the same panel synchronously in this
process for the ratio. County-years count both arms of a treated county (its reform run and its
counterfactual). The projection to a 2,800-county x 10-year national panel assumes cost
proportional to county-years at the same scale (about 74% of counties are treated within
2015-2024, so about 1.74 runs per county). No assertions; the load average is printed.
Sizes are tiny so that the benchmark runs in minutes on a shared machine. At this scale a
county-year's cost is mostly the model's fixed cost per simulated day, so the projection holds
for this scale only; at the default scale 10 a county-year costs more (set SCALE = 10 for that
projection).
"""

import os
import tempfile
import time

import abm
from abm.runs.experiments import local_cluster

N_COUNTIES = 6
YEARS = 2
SCALE = 200.0
START = 2018


def run(scheduler) -> tuple[float, int]:
    """Wall time and simulated county-years (both arms) of one panel on a fresh store."""
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        rp = abm.reform_panel(N_COUNTIES, years=YEARS, start_year=START, scale=SCALE, seed=1,
                              scheduler=scheduler, out=out, progress=False)
        wall = time.perf_counter() - t0
    runs = N_COUNTIES + int((rp.counties.cohort > 0).sum())
    return wall, runs * YEARS


if __name__ == "__main__":
    print(f"load average {os.getloadavg()}; {N_COUNTIES} counties x {YEARS} years, "
          f"scale {SCALE}")
    t0 = time.perf_counter()
    with local_cluster(2) as cluster:
        print(f"local cluster of 2 workers started in {time.perf_counter() - t0:.1f} s")
        wall2, cy = run(cluster)
    wall1, _ = run("synchronous")
    rate2, rate1 = cy / wall2, cy / wall1
    print(f"2 workers:   {cy} county-years in {wall2:.1f} s = {rate2:.2f} county-years/s")
    print(f"synchronous: {cy} county-years in {wall1:.1f} s = {rate1:.2f} county-years/s")
    print(f"ratio 2 workers / synchronous: {rate2 / rate1:.2f}")
    national = 2800 * 10 * 1.74
    print(f"projected 2,800 x 10 national panel at scale {SCALE} on 2 workers: "
          f"{national / rate2 / 3600:.1f} h ({national:.0f} county-years)")
