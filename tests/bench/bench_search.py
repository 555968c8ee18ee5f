"""Benchmark: trials per hour of ``abm.search_designs`` on x_county (``make bench BENCH=search``).

A small search measured end to end on a local Dask cluster of two worker processes (the
machine's two cores, started and warmed up first): ``TRIALS`` designs in batches of ``BATCH``
(one sweep each: a batch's designs share their first year on each draw), each with the status
quo on ``DRAWS`` posterior draws x one seed, x_county at the preset's scale (10 residents per
simulated patient), a year of status quo then ``YEARS`` reform years; a fresh store, so every
run is computed. Printed: wall
and CPU time (this process and its workers), CPU seconds per design run, trials per hour on two
cores (from the CPU time, which other work on a shared machine disturbs far less than the wall
time), and the projected cost of the issue's search: 200 trials over 20 posterior draws x 1
seed (4,020 runs: 200 x 20 designs and 20 of the status quo). No assertions.

``python tests/bench/bench_search.py TRIALS DRAWS`` measures another size.
"""

import os
import sys
import tempfile
import time

import abm
from abm.runs.experiments import local_cluster
from papers.build import cpu_seconds

TRIALS, DRAWS, YEARS, BATCH = 10, 2, 2, 10
TARGET_TRIALS, TARGET_DRAWS = 200, 20


def goal(trials: int, draws: int) -> dict:
    """The issue's example goal on x_county, sized for the benchmark."""
    return {"title": "Benchmark", "preset": "x_county", "years": YEARS, "reform_day": 365,
            "trials": trials, "batch": min(trials, BATCH),
            "replications": {"seeds": [1], "posterior_draws": draws},
            "objectives": [{"metric": "primary_outpatient_share", "direction": "max"},
                           {"metric": "insurance_spend_per_capita", "direction": "min"}],
            "constraints": [{"metric": "forgone_care_rate", "group": "remoteness_quintile=5",
                             "max_change": 0.0}],
            "levers": {"primary_reimbursement_premium": [0.05, 0.25],
                       "revenue_share": [0.0, 0.5],
                       "information_platform": {"range": [0.0, 1.0],
                                                "ramp_years": [0.0, 2.0]}}}


def main(trials: int = TRIALS, draws: int = DRAWS) -> None:
    """Print the measurement and the projection."""
    runs = (trials + 1) * draws
    print(f"search of {trials} trials x {draws} posterior draws x 1 seed on x_county (scale "
          f"{abm.preset('x_county').setting.scale:g}, {1 + YEARS} years a run): {runs} runs; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    from distributed import Client

    with tempfile.TemporaryDirectory() as out, local_cluster(2) as cluster:
        t0 = time.perf_counter()
        with Client(cluster, set_as_default=False) as client:  # imports, compiled model loaded
            client.wait_for_workers(2)
            client.run(lambda: abm.simulate(abm.preset("small"), days=2, seed=0) and None)
        print(f"  cluster started and warmed up in {time.perf_counter() - t0:.0f} s (not "
              f"counted)", flush=True)
        c0, t0 = cpu_seconds(), time.perf_counter()
        found = abm.search_designs(goal(trials, draws), out=out, scheduler=cluster,
                                   progress=False)
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    per_run = cpu / runs
    per_hour = 3600 * 2 / (per_run * draws)  # two cores busy, the status quo's runs aside
    target_runs = TARGET_TRIALS * TARGET_DRAWS + TARGET_DRAWS
    hours = target_runs * per_run / 2 / 3600
    print(f"  wall {wall:.0f} s, CPU {cpu:.0f} s (this process and its 2 workers); "
          f"{len(found.front)} designs on the front", flush=True)
    print(f"  {per_run:.1f} CPU s per run -> {per_hour:.0f} trials per hour on 2 cores at "
          f"{draws} draws ({per_hour * draws / TARGET_DRAWS:.1f} at {TARGET_DRAWS} draws)")
    print(f"  projected: {TARGET_TRIALS} trials x {TARGET_DRAWS} draws = {target_runs:,} runs, "
          f"{target_runs * per_run / 3600:.1f} CPU hours, {hours:.1f} h on 2 free cores "
          f"(wall on this machine now: x{wall / max(cpu / 2, 1e-9):.1f} of that)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:] if a.isdigit()))  # run.py passes its own name
