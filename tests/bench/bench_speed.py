"""Benchmark: the compiled day against the numpy day and a per-agent Mesa reference.

``make bench BENCH=speed`` (or ``python tests/bench/run.py speed``). Every measurement runs in a
fresh subprocess pinned to one CPU core with single-threaded numpy; the configurations compared
run alternately, and the median of the repeats is printed with the range (a shared machine
drifts by tens of percent between runs). Printed side by side in one run:

1. a full-size x_county year (450,000 residents, scale 1): seconds, episodes/s and peak memory
   per simulated resident (max RSS after the year minus RSS after the imports), here, on the
   numpy day of :data:`PINNED` (the commit before the day was compiled) and on :data:`PREVIOUS`
   (the first compiled stages), each checked out in a temporary ``git worktree``, and the
   ratios;
2. episodes/s of the per-agent Mesa reference (``mesa_reference.py``: each patient a
   ``mesa.Agent`` with a ``step()``) on x_county at scale 10, against this checkout on the same
   county (a year), as a ratio;
3. county-years per hour per core at scale 10 (several seeds through :func:`abm.simulate_many`
   in one process) and at scale 1, and the projected wall time of a 2,800-county x 10-year panel
   with one common-random-number counterfactual per county on 2 cores;
4. the first call's compile time (empty numba cache) and the cached load.

No assertions: the targets (<= 1.5 s a full-size year, >= 300x the Mesa reference, <= 150 bytes
per resident, national panel at scale 10 < 2 h on 2 cores) are read from the printout.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: main's commit before the day was compiled (issue 13): the numpy day measured for the ratio.
PINNED = "d2b3fc15c5994c5f530efcdff336c766d43218a3"
#: main after the first compiled stages (choice kernel, packed rows; the stages after the choice
#: still numpy): the step measured by the second session of issue 13.
PREVIOUS = "f6bd2decdebc1008973b13ef3ec2ca39c91dbf30"
REPEATS = 3
SINGLE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                  "NUMBA_NUM_THREADS")}
COUNTIES, YEARS, RUNS_PER_COUNTY, CORES = 2800, 10, 2, 2


def measure(kind: str, scale: float, days: int, seeds: int) -> dict:
    """Run one configuration in this process and return its timings (called in a subprocess).

    ``kind``: ``"year"`` runs :func:`abm.simulate_many` over ``seeds`` seeds of x_county;
    ``"mesa"`` runs the per-agent reference; ``"first-day"`` imports and runs one small day.
    """
    import resource
    import time

    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    t0 = time.perf_counter()
    import abm

    t_import = time.perf_counter() - t0
    if kind == "first-day":
        t = time.perf_counter()
        abm.simulate(abm.preset("small"), days=1, seed=1, patients="arrays")
        abm.simulate(abm.preset("small"), days=1, seed=1, patients="agents")
        return {"import_s": t_import, "first_day_s": time.perf_counter() - t}
    p = abm.preset("x_county").replace(**{"setting.scale": scale})
    if kind == "mesa":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import mesa_reference

        r = mesa_reference.run(p, days=days)
        return {**r, "file": abm.__file__}
    # warm-up: load (or compile) the compiled stages before the clock starts
    abm.simulate(abm.preset("small"), days=2, seed=1, patients="arrays")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t = time.perf_counter()
    if hasattr(abm, "simulate_many"):
        res = abm.simulate_many([(p, s) for s in range(1, seeds + 1)], days=days,
                                patients="arrays", progress=False)
    else:
        res = [abm.simulate(p, days=days, seed=s, patients="arrays")
               for s in range(1, seeds + 1)]
    wall = (time.perf_counter() - t) / seeds
    episodes = sum(int(r.daily.query("tier == 'all'")["episodes"].sum()) for r in res) / seeds
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    residents = round(p.setting.residents / p.setting.scale)
    return {"run_s": wall, "episodes": episodes, "residents": residents,
            "bytes_per_resident": (peak - rss0) / residents, "file": abm.__file__}


def run_once(kind: str, scale: float, days: int, seeds: int = 1, where: Path = ROOT,
             extra_env: dict | None = None) -> dict:
    """Measure one configuration in a fresh single-core subprocess, importing abm from ``where``.

    ``where`` is the root of a checkout (this one or the pinned worktree).
    """
    env = {**os.environ, **SINGLE_THREAD, "PYTHONPATH": str(where), **(extra_env or {})}
    out = subprocess.run([sys.executable, "-c", "import sys, json; sys.path.insert(0, sys.argv[1]);"
                          "import bench_speed as b; print(json.dumps(b.measure(sys.argv[2], "
                          "float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))))",
                          str(where / "tests" / "bench"), kind, str(scale), str(days), str(seeds)],
                         capture_output=True, text=True, env=env, cwd=where, check=False)
    if out.returncode:
        raise RuntimeError(f"{kind} run in {where} failed:\n{out.stderr[-3000:]}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    if "file" in r and not r["file"].startswith(str(where)):
        raise RuntimeError(f"abm imported from {r['file']}, not from {where}")
    return r


def median(runs: list[dict], key: str = "run_s") -> dict:
    """The run with the median ``key``, with the range of ``key`` over the runs."""
    runs = sorted(runs, key=lambda r: r[key])
    return {**runs[len(runs) // 2], "range": (runs[0][key], runs[-1][key])}


def pinned_worktree(tmp: Path, rev: str = PINNED) -> Path:
    """Check out ``rev`` (default: the numpy day) in a temporary worktree with this bench beside."""
    where = tmp / rev[:7]
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(where),
                    rev], check=True)
    bench = where / "tests" / "bench"
    for name in ("bench_speed.py", "mesa_reference.py"):
        (bench / name).write_text((Path(__file__).parent / name).read_text())
    return where


def main() -> None:
    """Print the benchmark tables."""
    with tempfile.TemporaryDirectory() as tmp:
        old = {rev: pinned_worktree(Path(tmp), rev) for rev in (PINNED, PREVIOUS)}
        try:
            report(ROOT, old, Path(tmp))
        finally:
            for where in old.values():
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(where)], check=False)


def report(here: Path, old: dict[str, Path], tmp: Path) -> None:
    """Run the measurements and print them (``here``, ``old``: roots of the checkouts)."""
    print("1. one full x_county year (450,000 residents, scale 1, 365 days), 1 core, "
          f"median of {REPEATS} alternating runs")
    where = {"compiled": here, "numpy": old[PINNED], "previous": old[PREVIOUS]}
    label = {"compiled": "this checkout", "numpy": f"numpy day, {PINNED[:7]}",
             "previous": f"first compiled stages, {PREVIOUS[:7]}"}
    runs = {k: [] for k in where}
    for _ in range(REPEATS):
        for k, root in where.items():
            runs[k].append(run_once("year", 1.0, 365, where=root))
    full = {k: median(v) for k, v in runs.items()}
    for k, r in full.items():
        print(f"   {k:8s} ({label[k]}): {r['run_s']:6.2f} s (range {r['range'][0]:.2f}-"
              f"{r['range'][1]:.2f}), {r['episodes'] / r['run_s']:9.0f} episodes/s, "
              f"{r['bytes_per_resident']:5.0f} bytes per simulated resident (peak RSS)")
    for k in ("numpy", "previous"):
        print(f"   this checkout against {k}: "
              f"{full[k]['run_s'] / full['compiled']['run_s']:.2f}x faster")

    print("2. per-agent Mesa reference, x_county at scale 10 (45,000 agents), 1 core")
    mesa_days = 10
    mesa = median([run_once("mesa", 10.0, mesa_days, where=here) for _ in range(2)])
    year10 = median([run_once("year", 10.0, 365, seeds=3, where=here) for _ in range(REPEATS)])
    rate_mesa = mesa["episodes"] / mesa["run_s"]
    rate10 = year10["episodes"] / year10["run_s"]
    print(f"   Mesa reference: {mesa['episodes']} episodes in {mesa_days} days, "
          f"{mesa['run_s']:.2f} s = {rate_mesa:8.0f} episodes/s")
    print(f"   compiled      : {year10['episodes']:.0f} episodes a year, {year10['run_s']:.2f} s "
          f"= {rate10:8.0f} episodes/s (build included)")
    print(f"   ratio compiled / Mesa: {rate10 / rate_mesa:.0f}x")

    print("3. throughput per core (build included; scale 10: 3 seeds per process via "
          "abm.simulate_many)")
    per_year = {10: year10["run_s"], 1: full["compiled"]["run_s"]}
    for scale, sec in per_year.items():
        print(f"   scale {scale:2d}: {3600 / sec:7.0f} county-years per hour per core")
    for scale, sec in per_year.items():
        hours = COUNTIES * YEARS * RUNS_PER_COUNTY * sec / CORES / 3600
        print(f"   projected {COUNTIES:,}-county x {YEARS}-year panel, baseline + 1 counterfactual "
              f"per county, {CORES} cores, scale {scale}: {hours:5.1f} h")
    print("   (a year's time includes the county's build; a 10-year run builds once, so this is "
          "an upper bound)")

    print("4. compile time: import + one small day (arrays and agents) in a fresh process")
    cache = {"NUMBA_CACHE_DIR": str(tmp / "numba-cache")}
    first = run_once("first-day", 1.0, 1, where=here, extra_env=cache)
    cached = median([run_once("first-day", 1.0, 1, where=here, extra_env=cache)
                     for _ in range(REPEATS)], key="first_day_s")
    total = {k: r["import_s"] + r["first_day_s"] for k, r in (("first", first),
                                                                ("cached", cached))}
    print(f"   empty cache (compiles): import {first['import_s']:6.2f} s + first day "
          f"{first['first_day_s']:6.2f} s = {total['first']:6.2f} s")
    print(f"   cached load           : import {cached['import_s']:6.2f} s + first day "
          f"{cached['first_day_s']:6.2f} s = {total['cached']:6.2f} s")
    print(f"   compile time (difference): {total['first'] - total['cached']:.2f} s")

if __name__ == "__main__":
    main()
