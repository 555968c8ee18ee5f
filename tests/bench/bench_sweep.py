"""Benchmark: runs per second of ``abm.sweep`` (``make bench BENCH=sweep``).

The same 40 short runs (small preset, 4 scenarios x 10 seeds, 30 days) measured side by side:

1. a plain loop of ``abm.simulate(...).summary()`` in this process (the reference);
2. ``sweep(scheduler="synchronous")``: the same loop plus the Parquet store, without Dask;
3. ``sweep`` on a local Dask cluster of 1 worker process, then of 2 (clusters started and
   warmed up beforehand; their start-up time is printed on its own);
4. ``sweep(scheduler=None)`` end to end with 2 workers: cluster start, runs, shutdown.

Each sweep writes to a fresh store, so every run is computed. Overhead per run is the extra wall
time per run against the plain loop; with 2 workers it is measured against half the loop's time
(perfect scaling). No assertions: on a shared machine the figures drift; the load average is
printed alongside.
"""

import os
import tempfile
import time

import abm
from abm.experiments import local_cluster

DAYS = 30
SEEDS = list(range(1, 11))
LEVERS = ("revenue_share", "information_platform", "performance_weight")


def scenarios() -> dict:
    """A baseline and three single-lever reforms of the small preset."""
    p = abm.preset("small")
    return {"baseline": p, **{k: p.replace(**{"reform.day": 0, f"reform.incentives.{k}": 1.0})
                              for k in LEVERS}}


def timed(fn) -> float:
    """Wall time of ``fn()`` in seconds."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def sweep_into_fresh_store(**kwargs) -> None:
    """One sweep of the benchmark's runs into a new temporary store."""
    with tempfile.TemporaryDirectory() as out:
        abm.sweep(scenarios(), seeds=SEEDS, days=DAYS, out=out, progress=False, **kwargs)


def main() -> None:
    """Print the table."""
    scen = scenarios()
    n = len(scen) * len(SEEDS)
    abm.simulate(abm.preset("small"), days=2, seed=0)  # imports and first-call costs
    print(f"{n} runs: small preset, {len(scen)} scenarios x {len(SEEDS)} seeds, {DAYS} days; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    rows = [("plain loop of abm.simulate", 1, timed(lambda: [
        abm.simulate(p, days=DAYS, seed=s).summary() for p in scen.values() for s in SEEDS]))]
    rows.append(("sweep, synchronous (store, no Dask)", 1,
                 timed(lambda: sweep_into_fresh_store(scheduler="synchronous"))))
    for workers in (1, 2):
        t0 = time.perf_counter()
        with local_cluster(workers) as cluster:
            with cluster.get_client() as client:
                client.run(__import__, "abm")  # workers import the package once
            start = time.perf_counter() - t0
            rows.append((f"sweep, local cluster of {workers} (started in {start:.1f} s)",
                         workers, timed(lambda c=cluster: sweep_into_fresh_store(scheduler=c))))
    rows.append(("sweep, scheduler=None, 2 workers, end to end", 2,
                 timed(lambda: sweep_into_fresh_store(n_workers=2))))

    loop = rows[0][2]
    print(f"{'configuration':<52} {'wall s':>7} {'runs/s':>7} {'vs loop':>8} "
          f"{'overhead/run':>13}")
    for label, workers, wall in rows:
        overhead_ms = 1000 * (wall - loop / workers) / n
        print(f"{label:<52} {wall:7.2f} {n / wall:7.1f} {loop / wall:7.2f}x "
              f"{overhead_ms:10.1f} ms")


if __name__ == "__main__":
    main()
