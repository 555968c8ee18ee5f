"""Benchmark: runs per second of ``abm.sweep`` (``make bench BENCH=sweep``).

The same 40 short runs (small preset, 4 scenarios x 10 seeds, 30 days) measured side by side:

1. a plain loop of ``abm.simulate(...).summary()`` in this process (the reference);
2. ``sweep(scheduler="synchronous")``: the same loop plus the Parquet store, without Dask;
3. ``sweep`` on a local Dask cluster of 1 worker process, then of 2 (clusters started and
   warmed up beforehand; their start-up time is printed on its own);
4. ``sweep(scheduler=None)`` end to end with 2 workers: cluster start, runs, shutdown (once).

Configurations 1-3 run in turn, ``REPEATS`` times, and the median is printed with the range: on
a shared machine single timings drift by tens of percent. Each sweep writes to a fresh store, so
every run is computed. Overhead per run is given twice against the plain loop: in wall time
(with 2 workers against half the loop's time, i.e. perfect scaling on two free cores), and in
CPU time of this process plus the worker processes (user + system), which a busy machine
disturbs far less than wall time. No assertions; the load average is printed alongside.
"""

import contextlib
import os
import resource
import statistics
import tempfile
import time

import abm
from abm.runs.experiments import local_cluster

DAYS = 30
REPEATS = 3
SEEDS = list(range(1, 11))
LEVERS = ("revenue_share", "information_platform", "performance_weight")


def scenarios() -> dict:
    """A baseline and three single-lever reforms of the small preset."""
    p = abm.preset("small")
    return {"baseline": p, **{k: p.replace(**{"reform.day": 0, f"reform.incentives.{k}": 1.0})
                              for k in LEVERS}}


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(fn, client=None) -> tuple[float, float]:
    """Wall time and CPU time of ``fn()``: this process plus the cluster's worker processes."""
    def cluster_cpu() -> float:
        return sum(client.run(cpu_seconds).values()) if client is not None else 0.0

    c0, w0, t0 = cpu_seconds(), cluster_cpu(), time.perf_counter()
    fn()
    wall = time.perf_counter() - t0
    return wall, cpu_seconds() - c0 + cluster_cpu() - w0


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
          f"median of {REPEATS} interleaved repeats (wall range in brackets); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    with contextlib.ExitStack() as stack:
        clients, starts = {}, {}
        for workers in (1, 2):
            t0 = time.perf_counter()
            cluster = stack.enter_context(local_cluster(workers))
            clients[workers] = stack.enter_context(cluster.get_client())
            clients[workers].run(warm_up)  # imports and first-call costs, once per worker
            starts[workers] = time.perf_counter() - t0
        configs = {
            "plain loop of abm.simulate": (1, None, lambda: [
                abm.simulate(p, days=DAYS, seed=s).summary()
                for p in scen.values() for s in SEEDS]),
            "sweep, synchronous (store, no Dask)": (
                1, None, lambda: sweep_into_fresh_store(scheduler="synchronous")),
            **{f"sweep, local cluster of {w} (started in {starts[w]:.1f} s)": (
                w, clients[w], lambda c=clients[w]: sweep_into_fresh_store(scheduler=c))
               for w in (1, 2)},
        }
        results: dict[str, list[tuple[float, float]]] = {label: [] for label in configs}
        for _ in range(REPEATS):
            for label, (_, client, fn) in configs.items():
                results[label].append(measure(fn, client))
    end_to_end = measure(lambda: sweep_into_fresh_store(n_workers=2))  # workers' CPU not seen

    loop_wall, loop_cpu = (statistics.median(x) for x in zip(*results[next(iter(configs))],
                                                             strict=True))
    print(f"{'configuration':<50} {'wall s (range)':>20} {'runs/s':>7} {'vs loop':>8} "
          f"{'wall overhead/run':>18} {'CPU overhead/run':>17}")
    rows = [(label, workers, results[label]) for label, (workers, _, _) in configs.items()]
    rows.append(("sweep, scheduler=None, 2 workers, end to end", 2, [end_to_end]))
    for label, workers, measured in rows:
        walls, cpus = zip(*measured, strict=True)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        spread = f"[{min(walls):.1f}-{max(walls):.1f}]" if len(walls) > 1 else ""
        cpu_overhead = (f"{1000 * (cpu - loop_cpu) / n:14.1f} ms" if label != rows[-1][0]
                        else f"{'-':>17}")
        print(f"{label:<50} {wall:6.2f} {spread:>13} {n / wall:7.2f} {loop_wall / wall:7.2f}x "
              f"{1000 * (wall - loop_wall / workers) / n:15.1f} ms {cpu_overhead}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
