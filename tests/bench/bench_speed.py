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
3. a small reform panel measured as the national one runs: :func:`abm.reform_panel` with the
   ``national`` adoption, 10 years at scale 10 (a base and a reform run per adopting county, on
   the same path: sweep, batches, ``simulate_many``, the Parquet store), with the shared years
   before each reform simulated once (``share_prefix=True``, the default) and without, side by
   side; the projected wall time of a 2,800-county x 10-year panel on 2 cores from the simulated
   county-years per hour it measured and the exact work of the national adoption
   (:func:`abm.runs.panels.assign_adoption`); county-years per hour per core at scale 1 from the
   one-year runs of 1;
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
#: main at the start of the third session of issue 13 (the stages after the choice compiled by
#: the second session): the day measured by the third session.
PREVIOUS = "12061766795164edaff71877324008791080bbd0"
REPEATS = 3
SINGLE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                  "NUMBA_NUM_THREADS")}
COUNTIES, YEARS, CORES = 2800, 10, 2
#: The small panel of section 3: counties (444,000 and 387,000 residents; their cohorts under the
#: national adoption: 2020 and 2019, reforms after 5 and 4 of the 10 years) and root seed.
PANEL_COUNTIES, PANEL_SEED = 2, 1


def measure(kind: str, scale: float, days: int, seeds: int) -> dict:
    """Run one configuration in this process and return its timings (called in a subprocess).

    ``kind``: ``"year"`` runs :func:`abm.simulate_many` over ``seeds`` seeds of x_county;
    ``"mesa"`` runs the per-agent reference; ``"first-day"`` imports and runs one small day;
    ``"panel"`` (``"panel-alone"``) runs :func:`abm.reform_panel` of :data:`PANEL_COUNTIES`
    counties x ``days`` years with (without) the shared years simulated once;
    ``"agents-county"`` (``"arrays-county"``) runs the median county of :func:`agent_counties`
    with its patients as agents (arrays).
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
    if kind.startswith("panel"):
        abm.simulate(abm.preset("small"), days=2, seed=1, patients="arrays")  # load the kernels
        t, cpu = time.perf_counter(), time.process_time()
        rp = abm.reform_panel(PANEL_COUNTIES, years=days, scale=scale, seed=PANEL_SEED,
                              scheduler="synchronous", progress=False,
                              share_prefix=kind == "panel")
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
        return {"run_s": wall, "cpu_s": cpu, **panel_work(rp.counties["cohort"], range(
            2015, 2015 + days), shared=kind == "panel"), "file": abm.__file__}
    if kind in ("agents-county", "arrays-county"):
        abm.simulate(abm.preset("small"), days=2, seed=1, patients="arrays")  # load the kernels
        p = agent_counties(scale)[1]
        t, cpu = time.perf_counter(), time.process_time()
        abm.simulate(p, days=days, seed=1, patients=kind.split("-")[0])
        return {"run_s": time.perf_counter() - t, "cpu_s": time.process_time() - cpu,
                "residents": p.setting.residents, "file": abm.__file__}
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


def panel_work(cohort, span: range, shared: bool) -> dict:
    """County-years of a reform panel and the county-years it simulates.

    ``cohort``: first reform year of each county inside ``span`` (0: none). Each county has a
    base run of ``len(span)`` years and, if it adopts inside the span, a reform run: of the same
    length, or with ``shared``, of the years from its reform on (the years before are the base
    run's).
    """
    import numpy as np

    g = np.asarray(cohort)
    treated = (g > 0) & (g <= span[-1])
    years = len(span)
    reform_years = np.where(treated, span[-1] + 1 - g if shared else years, 0)
    return {"counties": int(g.size), "panel_years": int(g.size * years),
            "simulated_years": int(g.size * years + reform_years.sum())}


def national_work(shared: bool) -> dict:
    """:func:`panel_work` of the national adoption of a :data:`COUNTIES` x :data:`YEARS` panel.

    Cohort sizes of ``adoption="national"`` are fixed by largest remainders (the seed only
    decides which county is in which cohort), so this is the work of every such panel.
    """
    import numpy as np

    from abm.runs.panels import assign_adoption, draw_counties

    span = range(2015, 2015 + YEARS)
    counties = draw_counties(COUNTIES, seed=1)
    cohort = assign_adoption(counties, "national", None, span, np.random.default_rng(1))
    return panel_work(cohort.to_numpy(), span, shared)


def agent_counties(scale: float) -> tuple[float, object]:
    """Share of :data:`COUNTIES` drawn counties that ``patients="auto"`` runs as Mesa agents.

    (at most ``abm.engine.model.AUTO_ARRAYS_ABOVE`` simulated patients at ``scale``), and the
    parameters of the median-sized one of them.
    """
    from abm.engine.model import AUTO_ARRAYS_ABOVE
    from abm.runs.panels import county_params, draw_counties

    counties = draw_counties(COUNTIES, seed=1)
    small = counties[counties["residents"] / scale <= AUTO_ARRAYS_ABOVE].sort_values("residents")
    median = small.iloc[len(small) // 2].to_dict()
    return len(small) / len(counties), county_params(median, scale=scale)


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
             "previous": f"start of the third session, {PREVIOUS[:7]}"}
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

    print(f"3. reform panel, national adoption, {PANEL_COUNTIES} counties x {YEARS} years at "
          "scale 10 (abm.reform_panel, synchronous sweep), 1 core")
    arms = {"panel": "shared years once", "panel-alone": "every run alone"}
    runs = {kind: [] for kind in arms}
    for _ in range(REPEATS):  # alternating; about 20-30 s a run on a quiet machine
        for kind in arms:
            runs[kind].append(run_once(kind, 10.0, YEARS, where=here))
    # CPU seconds of the process: other jobs on the shared core inflate wall time, not these
    panel = {kind: median(r, key="cpu_s") for kind, r in runs.items()}
    rate = {}
    for kind, label in arms.items():
        r = panel[kind]
        rate[kind] = r["simulated_years"] / r["cpu_s"] * 3600
        print(f"   {label:17s}: {r['cpu_s']:6.1f} CPU s (range {r['range'][0]:.1f}-"
              f"{r['range'][1]:.1f}; wall {r['run_s']:.1f} s) for {r['panel_years']} panel "
              f"county-years ({r['simulated_years']} simulated) = "
              f"{r['panel_years'] / r['cpu_s'] * 3600:5.0f} panel and {rate[kind]:5.0f} simulated "
              f"county-years per hour per core")
    print(f"   shared years once against every run alone: "
          f"{panel['panel-alone']['cpu_s'] / panel['panel']['cpu_s']:.2f}x faster")
    for kind, label in arms.items():
        work = national_work(shared=kind == "panel")
        hours = work["simulated_years"] / (rate[kind] * CORES)
        print(f"   projected {COUNTIES:,}-county x {YEARS}-year national panel, {label}, "
              f"{CORES} cores, scale 10: {work['simulated_years']:,} simulated county-years / "
              f"({rate[kind]:.0f} per hour per core x {CORES} cores) = {hours:5.1f} h")
    print(f"   ({CORES} worker processes, one per core, assumed to share the runs evenly; the "
          "counties of this panel run as arrays)")
    share, small = agent_counties(10.0)
    t = {k: run_once(f"{k}-county", 10.0, 365, where=here)["cpu_s"] for k in ("agents", "arrays")}
    work = national_work(shared=True)["simulated_years"]
    extra = share * work * (t["agents"] - t["arrays"]) / CORES / 3600
    print(f"   reform_panel runs every county as arrays (its default); with patients='auto', "
          f"the {share:.1%} of the counties with at most 20,000 simulated patients at scale 10 "
          f"would run as Mesa agents: their median county "
          f"({small.setting.residents:,} residents) takes {t['agents']:.2f} CPU s a year as "
          f"agents, {t['arrays']:.2f} s as arrays; it would add to shared years once: "
          f"+ {share:.3f} x "
          f"{work:,} x ({t['agents']:.2f} - {t['arrays']:.2f}) s / {CORES} cores = "
          f"+ {extra:.2f} h")
    year1 = full["compiled"]["run_s"]
    print(f"   scale  1: {3600 / year1:7.0f} county-years per hour per core (one-year runs of 1, "
          f"build included)")

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
