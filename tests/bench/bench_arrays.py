"""Benchmark: array vs agent representation of patients (``make bench`` or
``python tests/bench/run.py arrays``).

Prints, measured side by side in one run, each measurement in a fresh subprocess pinned to one
CPU core with single-threaded numpy:

1. episodes per second of both representations on the same scenario (x_county at population
   scale 10, 60 days) and their ratio;
2. time and peak memory (max RSS of the process) of one full x_county year (450,000 residents,
   scale 1) with arrays;
3. time of one x_county year at 10%, 30% and 100% of the residents, to show how cost grows.

Each configuration runs three times (fresh processes) and the median run is printed, with the
range: on a shared machine single runs drift by tens of percent.

Both representations share the batch episode pipeline
(:func:`abm.engine.episodes.process_episodes`); the agent version differs in how patient state is
gathered from and written back to Mesa agent objects, so the ratio measures that overhead, not a
per-agent ``step()`` loop.

No assertions: targets (arrays >= 100x agents, full year < 5 s and < 2 GiB, linear cost) are
read from the printout.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPEATS = 3
SINGLE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def measure(mode: str, scale: float, days: int, fraction: float) -> dict:
    """Run one configuration in this process and return timings (called in a subprocess)."""
    import resource
    import time

    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import abm

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    p = abm.preset("x_county")
    p = p.replace(**{"setting.scale": scale,
                     "setting.residents": int(round(p.setting.residents * fraction))})
    t0 = time.perf_counter()
    model = abm.ReferralModel(p, rng=1, patients=mode)
    t1 = time.perf_counter()
    model.run_for(days)
    t2 = time.perf_counter()
    episodes = int(model.daily_counts().query("tier == 'all'")["episodes"].sum())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mode": mode, "scale": scale, "days": days, "fraction": fraction,
            "patients": len(model.patients), "episodes": episodes, "build_s": t1 - t0,
            "run_s": t2 - t1, "peak_rss_mib": peak, "rss_after_import_mib": rss_before}


def run_once(mode: str, scale: float, days: int, fraction: float) -> dict:
    """Measure one configuration in a fresh single-core subprocess."""
    env = {**os.environ, **SINGLE_THREAD, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, __file__, "--one", mode, str(scale), str(days),
                          str(fraction)], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(mode: str, scale: float, days: int, fraction: float = 1.0) -> dict:
    """Measure a configuration REPEATS times; the run with the median run time is returned.

    A shared machine's speed drifts by tens of percent between runs, so a single run says little.
    ``run_s_range`` gives the fastest and slowest of the repeats.
    """
    runs = sorted((run_once(mode, scale, days, fraction) for _ in range(REPEATS)),
                  key=lambda r: r["run_s"])
    return {**runs[len(runs) // 2], "run_s_range": (runs[0]["run_s"], runs[-1]["run_s"])}


def main() -> None:
    """Print the three benchmark tables."""
    print("1. same scenario: x_county, population scale 10 (45,000 patients), 60 days, 1 core")
    rates = {}
    for mode in ("agents", "arrays"):
        r = run(mode, 10.0, 60)
        rates[mode] = r["episodes"] / r["run_s"]
        print(f"   {mode:6s}: {r['episodes']:8d} episodes in {r['run_s']:6.2f} s "
              f"= {rates[mode]:10.0f} episodes/s (build {r['build_s']:.2f} s; run "
              f"{r['run_s_range'][0]:.2f}-{r['run_s_range'][1]:.2f} s over {REPEATS} runs)")
    print(f"   ratio arrays / agents: {rates['arrays'] / rates['agents']:.1f}x")

    print("2. one full x_county year with arrays (450,000 residents, scale 1), 1 core")
    r = run("arrays", 1.0, 365)
    print(f"   {r['patients']} patients, {r['episodes']} episodes: build {r['build_s']:.2f} s, "
          f"run {r['run_s']:.2f} s (range {r['run_s_range'][0]:.2f}-{r['run_s_range'][1]:.2f} s "
          f"over {REPEATS} runs), total {r['build_s'] + r['run_s']:.2f} s; peak RSS "
          f"{r['peak_rss_mib']:.0f} MiB (of which {r['rss_after_import_mib']:.0f} MiB after "
          f"imports)")

    print("3. cost vs residents (x_county year, arrays, scale 1), 1 core")
    base = None
    for fraction in (0.1, 0.3, 1.0):
        r = run("arrays", 1.0, 365, fraction)
        total = r["build_s"] + r["run_s"]
        base = base or total / fraction
        print(f"   {fraction:4.0%} ({r['patients']:7d} residents): {total:6.2f} s, "
              f"{r['episodes'] / r['run_s']:9.0f} episodes/s, time / (time at 10% x 10 "
              f"x fraction) = {total / (base * fraction):.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        m, s, d, f = sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
        print(json.dumps(measure(m, s, d, f)))
    else:
        main()
