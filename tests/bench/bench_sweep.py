"""Benchmark: runs per second of ``abm.sweep`` (``make bench BENCH=sweep``).

The same 40 short runs (small preset, 4 scenarios x 10 seeds, 30 days) measured side by side:

1. a plain loop of ``abm.simulate(...).summary()`` in this process (the reference);
2. ``sweep(scheduler="synchronous")``: the same loop plus the Parquet store, without Dask;
3. ``sweep`` on a local Dask cluster of 1 worker process, then of 2 (clusters started and
   warmed up beforehand; their start-up time is printed on its own);
4. ``sweep(scheduler=None)`` end to end with 2 workers: cluster start, runs, shutdown (once).

Configurations 1-3 run in turn, ``REPEATS`` times, and the median is printed with the range: on
a shared machine single timings drift by tens of percent. Each sweep writes to a fresh store, so
every run is computed. Overhead per run is the extra wall time per run against the plain loop;
with 2 workers it is measured against half the loop's time (perfect scaling on two free cores).
No assertions; the load average is printed alongside.
"""

import contextlib
import os
import statistics
import tempfile
import time

import abm
from abm.experiments import local_cluster

DAYS = 30
REPEATS = 3
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


def warm_up() -> None:
    """Pay a process's one-off costs (imports, first calls) before timing."""
    abm.simulate(abm.preset("small"), days=2, seed=0)


def main() -> None:
    """Print the table."""
    scen = scenarios()
    n = len(scen) * len(SEEDS)
    warm_up()
    print(f"{n} runs: small preset, {len(scen)} scenarios x {len(SEEDS)} seeds, {DAYS} days; "
          f"median of {REPEATS} interleaved repeats (range in brackets); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    with contextlib.ExitStack() as stack:
        clusters, starts = {}, {}
        for workers in (1, 2):
            t0 = time.perf_counter()
            clusters[workers] = stack.enter_context(local_cluster(workers))
            with clusters[workers].get_client() as client:
                client.run(warm_up)  # imports and first-call costs, once per worker
            starts[workers] = time.perf_counter() - t0
        configs = {
            "plain loop of abm.simulate": (1, lambda: [
                abm.simulate(p, days=DAYS, seed=s).summary()
                for p in scen.values() for s in SEEDS]),
            "sweep, synchronous (store, no Dask)": (
                1, lambda: sweep_into_fresh_store(scheduler="synchronous")),
            **{f"sweep, local cluster of {w} (started in {starts[w]:.1f} s)": (
                w, lambda c=clusters[w]: sweep_into_fresh_store(scheduler=c)) for w in (1, 2)},
        }
        walls: dict[str, list[float]] = {label: [] for label in configs}
        for _ in range(REPEATS):
            for label, (_, fn) in configs.items():
                walls[label].append(timed(fn))
    end_to_end = timed(lambda: sweep_into_fresh_store(n_workers=2))

    loop = statistics.median(walls["plain loop of abm.simulate"])
    print(f"{'configuration':<50} {'wall s (range)':>20} {'runs/s':>7} {'vs loop':>8} "
          f"{'overhead/run':>13}")
    rows = [(label, workers, walls[label]) for label, (workers, _) in configs.items()]
    rows.append(("sweep, scheduler=None, 2 workers, end to end", 2, [end_to_end]))
    for label, workers, times in rows:
        wall = statistics.median(times)
        spread = f"[{min(times):.1f}-{max(times):.1f}]" if len(times) > 1 else ""
        overhead_ms = 1000 * (wall - loop / workers) / n
        print(f"{label:<50} {wall:6.2f} {spread:>13} {n / wall:7.2f} {loop / wall:7.2f}x "
              f"{overhead_ms:10.1f} ms")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
