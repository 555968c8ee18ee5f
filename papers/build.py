"""Reproduce every paper figure as one linear sequence of steps.

Each paper is a folder ``papers/<paper>/`` with a ``pipeline.py`` that defines

* ``EXPERIMENTS``: ``{name: Experiment}``; an experiment runs the model or an estimator and returns
  a tidy DataFrame, cached as ``papers/<paper>/output/data/<name>.parquet``; its model runs go
  through ``abm.sweep`` with the store ``papers/<paper>/output/sweeps/<name>/``;
* ``FIGURES``: ``{name: Figure}``; a figure only reads experiment outputs and draws, written to
  ``papers/<paper>/output/figures/<name>.png`` with a JSON sidecar (git revision, seeds, package
  versions, parameter hash). Figures are byte-identical across builds: figure code draws no
  random numbers (no global RNG, no random jitter or bootstrap) and :func:`save_figure` writes
  fixed metadata.

An experiment is rerun only when its parameter hash (its config, the fast/full switch) changes
or its output is missing, and its sweep store keeps every finished run, so a rerun after an
interruption continues where it stopped, run by run. ``--force`` clears both.

Each paper prints its progress (every experiment, computed or cached, with its time; every
figure written) and the build ends with a summary: figures written and time per paper, also
written to ``papers/output/build_summary.json``. ``--record`` additionally stores a full build's
summary in ``papers/build_time.json`` (committed): the measurement README quotes, refused unless
every experiment was computed in this build (a clean build), so the number is never that of a
partly cached one.

Usage::

    python -m papers.build            # full size, for reviewers
    python -m papers.build --fast     # small sizes, used by the test suite
    python -m papers.build --paper referral_baseline --force
    python -m papers.build --record   # a clean full build: also record its time
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import importlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from abm.runs.experiments import local_cluster

PAPERS_DIR = Path(__file__).resolve().parent
#: Summary of the last build (any size), not committed.
SUMMARY_PATH = PAPERS_DIR / "output" / "build_summary.json"
#: The recorded clean full build (``--record``), committed; README quotes it.
RECORD_PATH = PAPERS_DIR / "build_time.json"
_VERSIONED = ("mesa", "numpy", "pandas", "linearmodels", "statsmodels", "matplotlib", "seaborn")


@dataclass(frozen=True)
class Experiment:
    """A cached computation: ``run(config, store, scheduler) -> DataFrame``.

    ``config(fast)`` returns a JSON-serialisable dict (seeds, sizes, parameters) that is hashed to
    decide whether the cached output is still valid. Model runs go through
    ``abm.sweep(..., out=store, scheduler=scheduler)``: ``store`` is the experiment's own folder,
    ``scheduler`` the Dask cluster the build shares between experiments.
    """

    run: Callable[[dict, Path, object], pd.DataFrame]
    config: Callable[[bool], dict]


@dataclass(frozen=True)
class Figure:
    """A plot drawn only from experiment outputs: ``draw(frames) -> matplotlib.figure.Figure``."""

    draw: Callable[[Mapping[str, pd.DataFrame]], object]
    needs: tuple[str, ...]
    caption: str = ""
    meta: dict = field(default_factory=dict)


def config_hash(config: dict) -> str:
    """Stable short hash of a JSON-serialisable config."""
    blob = json.dumps(config, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def git_revision() -> str:
    """The current git revision, with ``-dirty`` when the work tree has changes, or ``unknown``."""
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PAPERS_DIR, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=PAPERS_DIR,
                               capture_output=True, text=True, check=True).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape the results."""
    out = {"python": sys.version.split()[0]}
    for name in _VERSIONED:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return out


#: PNG metadata written with every figure: matplotlib's default ``Software`` entry carries its
#: version, so it is dropped (None removes a key); the versions are in the JSON sidecar.
PNG_METADATA = {"Software": None}


def save_figure(fig, png: Path) -> None:
    """Write ``fig`` as a PNG whose bytes depend only on what is drawn (the one place figures
    are saved): fixed resolution and metadata, no date, no version string."""
    fig.savefig(png, dpi=150, bbox_inches="tight", metadata=PNG_METADATA)


def discover() -> list[str]:
    """Names of the paper folders that have a pipeline, sorted."""
    return sorted(p.parent.name for p in PAPERS_DIR.glob("*/pipeline.py"))


@dataclass(frozen=True)
class PaperBuild:
    """What building one paper did: figures written, experiments computed or cached, time."""

    paper: str
    figures: tuple[Path, ...]
    computed: tuple[str, ...]
    cached: tuple[str, ...]
    seconds: float
    experiment_seconds: Mapping[str, float] = field(default_factory=dict)
    cpu_seconds: float = 0.0
    experiment_cpu_seconds: Mapping[str, float] = field(default_factory=dict)

    def row(self) -> dict:
        """The paper's entry of the build summary (JSON-serialisable)."""
        return {"paper": self.paper, "figures": len(self.figures),
                "seconds": round(self.seconds, 1), "computed": list(self.computed),
                "cached": list(self.cached),
                "experiment_seconds": {k: round(v, 1) for k, v in self.experiment_seconds.items()},
                "cpu_seconds": round(self.cpu_seconds, 1),
                "experiment_cpu_seconds": {k: round(v, 1)
                                           for k, v in self.experiment_cpu_seconds.items()}}


def cpu_seconds() -> float:
    """CPU time (user + system) used so far by this process and the processes it started.

    The build's own process, its live descendants (the Dask scheduler and workers) and the
    children it has already waited for. On a shared machine wall times vary with the other work
    on the CPU; the CPU time of the same work varies far less, so the build reports both. Time
    of a descendant that ended unwaited between two readings is missed (none does in a build:
    the workers live until its end).
    """
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += sum(child.cpu_times()[:2])
    t = os.times()
    return total + t.children_user + t.children_system


class SharedCluster:
    """One local Dask cluster for a whole build, started when an experiment first needs it.

    Every paper's experiments use the same worker processes, so the workers' start, imports and
    numba cache loading are paid once per build, not once per paper. Use it as a context
    manager; ``get()`` starts the cluster on first use.
    """

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        self.cluster = None

    def get(self):
        """Return the cluster, starting it on the first call."""
        if self.cluster is None:
            self.cluster = local_cluster(self.workers)
        return self.cluster

    def __enter__(self) -> SharedCluster:
        return self

    def __exit__(self, *exc) -> None:
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None


def run_paper(paper: str, *, fast: bool, force: bool = False,
              out: Path | None = None, workers: int = 2) -> list[Path]:
    """Run one paper's experiments (cached) and draw its figures; return the figure paths.

    ``out`` defaults to ``papers/<paper>/output`` (the test suite passes a temporary folder).
    Experiments that need computing share one local Dask cluster of ``workers`` processes,
    started only if one does. :func:`build_paper` also returns what was computed and the time.
    """
    return list(build_paper(paper, fast=fast, force=force, out=out, workers=workers).figures)


def build_paper(paper: str, *, fast: bool, force: bool = False,
                out: Path | None = None, workers: int = 2,
                cluster: SharedCluster | None = None) -> PaperBuild:
    """Build one paper as :func:`run_paper` does, printing progress; return a :class:`PaperBuild`.

    ``cluster`` is a :class:`SharedCluster` to use (the whole build's); without one the paper
    starts and closes its own when an experiment needs computing.
    """
    start = time.perf_counter()
    cpu_start = cpu_seconds()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    module = importlib.import_module(f"papers.{paper}.pipeline")
    out = Path(out) if out is not None else PAPERS_DIR / paper / "output"
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(parents=True, exist_ok=True)

    frames: dict[str, pd.DataFrame] = {}
    configs: dict[str, dict] = {}
    computed: list[str] = []
    cached: list[str] = []
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    n_exp = len(module.EXPERIMENTS)
    print(f"[{paper}] {n_exp} experiment{'' if n_exp == 1 else 's'}, "
          f"{len(module.FIGURES)} figure{'' if len(module.FIGURES) == 1 else 's'}"
          f"{' (fast)' if fast else ''}", flush=True)
    with contextlib.ExitStack() as stack:
        if cluster is None:
            cluster = stack.enter_context(SharedCluster(workers))
        for i, (name, exp) in enumerate(module.EXPERIMENTS.items(), start=1):
            config = {"fast": fast, **exp.config(fast)}
            configs[name] = config
            path = out / "data" / f"{name}.parquet"
            stamp = path.with_suffix(".hash")
            store = out / "sweeps" / name
            if force:
                shutil.rmtree(store, ignore_errors=True)
            digest = config_hash(config)
            if not force and path.exists() and stamp.exists() and stamp.read_text() == digest:
                print(f"[{paper}] {i}/{n_exp} {name}: cached", flush=True)
                frames[name] = pd.read_parquet(path)
                cached.append(name)
                continue
            print(f"[{paper}] {i}/{n_exp} {name}: computing ...", flush=True)
            scheduler = cluster.get()
            t0, c0 = time.perf_counter(), cpu_seconds()
            frame = exp.run(config, store, scheduler)
            tmp = path.with_suffix(".parquet.tmp")
            frame.to_parquet(tmp)
            tmp.replace(path)  # atomic: an interrupted run never leaves a half-written output
            stamp.write_text(digest)
            frames[name] = frame
            computed.append(name)
            seconds[name] = time.perf_counter() - t0
            cpu[name] = cpu_seconds() - c0
            print(f"[{paper}] {i}/{n_exp} {name}: computed in {fmt_duration(seconds[name])} "
                  f"(CPU {fmt_duration(cpu[name])})", flush=True)

    written = []
    for name, fig_spec in module.FIGURES.items():
        fig = fig_spec.draw({k: frames[k] for k in fig_spec.needs})
        png = out / "figures" / f"{name}.png"
        save_figure(fig, png)
        plt.close(fig)
        sidecar = {
            "figure": name,
            "paper": paper,
            "caption": fig_spec.caption,
            "git_revision": git_revision(),
            "fast": fast,
            "inputs": {k: {"config": configs[k], "param_hash": config_hash(configs[k])}
                       for k in fig_spec.needs},
            "packages": package_versions(),
        }
        png.with_suffix(".json").write_text(json.dumps(sidecar, indent=2, default=str))
        written.append(png)
        print(f"[{paper}] figure {png}", flush=True)
    took = time.perf_counter() - start
    took_cpu = cpu_seconds() - cpu_start
    print(f"[{paper}] done: {len(written)} figure{'' if len(written) == 1 else 's'} in "
          f"{fmt_duration(took)} (CPU {fmt_duration(took_cpu)})", flush=True)
    return PaperBuild(paper=paper, figures=tuple(written), computed=tuple(computed),
                      cached=tuple(cached), seconds=took, experiment_seconds=seconds,
                      cpu_seconds=took_cpu, experiment_cpu_seconds=cpu)


def fmt_duration(seconds: float) -> str:
    """A duration as a person says it: seconds below two minutes, else minutes and seconds.

    Examples
    --------
    >>> fmt_duration(42.34), fmt_duration(661.0), fmt_duration(3725)
    ('42 s', '11 min 1 s', '62 min 5 s')
    """
    s = round(seconds)
    return f"{s} s" if s < 120 else f"{s // 60} min {s % 60} s"


def conditions(workers: int) -> dict:
    """The machine a build ran on: cores, load, Python; a shared CPU makes times vary."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {"cpus": os.cpu_count(), "workers": workers, "load_average_1_5_15_min": load,
            "machine": platform.machine(), "system": platform.system()}


def summarise(builds: list[PaperBuild], *, fast: bool, seconds: float, workers: int,
              load_before: list[float], cpu: float | None = None) -> dict:
    """The build summary: date, revision, size, time per paper and in total, conditions.

    ``cpu``: the whole build's CPU time (:func:`cpu_seconds`); default the papers' sum.
    """
    cond = conditions(workers)
    cond["load_average_at_start"] = load_before
    return {"date": dt.date.today().isoformat(), "git_revision": git_revision(), "fast": fast,
            "clean": all(not b.cached for b in builds), "total_seconds": round(seconds, 1),
            "total_cpu_seconds": round(sum(b.cpu_seconds for b in builds) if cpu is None
                                       else cpu, 1),
            "figures": sum(len(b.figures) for b in builds),
            "papers": [b.row() for b in builds], "conditions": cond}


def summary_text(summary: dict) -> str:
    """The printed end of a build: a line per paper and the total."""
    clean = "clean: every experiment computed" if summary["clean"] else "some experiments cached"
    lines = [f"Build summary ({'fast' if summary['fast'] else 'full'} size, {clean}):"]
    for p in summary["papers"]:
        cached = f"  (cached: {', '.join(p['cached'])})" if p["cached"] else ""
        plural = "" if p["figures"] == 1 else "s"
        lines.append(f"  {p['paper']:<20} {p['figures']:>2} figure{plural}"
                     f"  {fmt_duration(p['seconds']):>12}  (CPU "
                     f"{fmt_duration(p.get('cpu_seconds', 0.0))}){cached}")
    lines.append(f"  {'total':<20} {summary['figures']:>2} figures  "
                 f"{fmt_duration(summary['total_seconds']):>12}  (CPU "
                 f"{fmt_duration(summary.get('total_cpu_seconds', 0.0))})")
    lines.append("  CPU: this process and its Dask workers together; wall times vary with "
                 "other work on the machine, CPU times far less.")
    return "\n".join(lines)


def readme_sentence(record: dict) -> str:
    """The README's sentence on the full build's time, made from a recorded summary.

    ``tests/test_papers.py`` checks that README.md contains exactly this sentence for the
    committed ``papers/build_time.json``.

    Examples
    --------
    >>> rec = {"date": "2026-01-02", "total_seconds": 500.0, "figures": 12,
    ...        "papers": [{"paper": "a", "seconds": 400.0}, {"paper": "b", "seconds": 100.0}],
    ...        "conditions": {"cpus": 2, "workers": 2, "load_average_at_start": [1.2, 1.0, 0.9],
    ...                       "load_average_1_5_15_min": [3.4, 2.0, 1.0]}}
    >>> text = readme_sentence(rec)
    >>> text.startswith("Measured on 2026-01-02 from a clean clone (environment built, 2 cores,")
    True
    >>> text.endswith("load average 1.2 at the start and 3.4 at the end): 12 figures in "
    ...               "8 min 20 s (a 6 min 40 s, b 100 s).")
    True

    A record with the CPU time (builds since it was measured) states it too:

    >>> readme_sentence({**rec, "total_cpu_seconds": 930.0}).endswith(
    ...     "12 figures in 8 min 20 s, 15 min 30 s of CPU time (a 6 min 40 s, b 100 s).")
    True
    """
    cond = record["conditions"]
    start = (cond.get("load_average_at_start") or [float("nan")])[0]
    end = (cond.get("load_average_1_5_15_min") or [float("nan")])[0]
    per = ", ".join(f"{p['paper']} {fmt_duration(p['seconds'])}" for p in record["papers"])
    cpu = record.get("total_cpu_seconds")
    cpu = f", {fmt_duration(cpu)} of CPU time" if cpu is not None else ""
    return (f"Measured on {record['date']} from a clean clone (environment built, "
            f"{cond['cpus']} cores, {cond['workers']} workers, load average {start:.1f} at the "
            f"start and {end:.1f} at the end): {record['figures']} figures in "
            f"{fmt_duration(record['total_seconds'])}{cpu} ({per}).")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="small sizes (as in the test suite)")
    parser.add_argument("--force", action="store_true", help="recompute cached experiments")
    parser.add_argument("--paper", action="append", help="only this paper (repeatable)")
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes of the local Dask cluster (default 2)")
    parser.add_argument("--record", action="store_true",
                        help=f"also store this build's summary in {RECORD_PATH.name} (the time "
                             f"README quotes); needs a clean full build of every paper")
    args = parser.parse_args(argv)
    if args.record and (args.fast or args.paper):
        parser.error("--record measures the full build of every paper: drop --fast and --paper")
    papers = discover()
    unknown = sorted(set(args.paper or []) - set(papers))
    if unknown:
        parser.error(f"unknown paper(s) {unknown}; available: {papers}")
    selected = args.paper or papers
    if not selected:
        print("no paper pipelines yet (papers/<name>/pipeline.py)")
        return 0
    try:
        load_before = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load_before = []
    start, cpu_start = time.perf_counter(), cpu_seconds()
    builds = []
    with SharedCluster(args.workers) as cluster:
        for k, paper in enumerate(selected, start=1):
            print(f"== paper {k}/{len(selected)}: {paper}", flush=True)
            builds.append(build_paper(paper, fast=args.fast, force=args.force,
                                      workers=args.workers, cluster=cluster))
    summary = summarise(builds, fast=args.fast, seconds=time.perf_counter() - start,
                        workers=args.workers, load_before=load_before,
                        cpu=cpu_seconds() - cpu_start)
    print("\n" + summary_text(summary))
    SUMMARY_PATH.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY_PATH.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"summary written to {SUMMARY_PATH}")
    if args.record:
        if not summary["clean"]:
            print(f"not recorded in {RECORD_PATH}: some experiments were cached (run "
                  f"`make clean` or use --force for a clean build)", file=sys.stderr)
            return 1
        RECORD_PATH.write_text(json.dumps(summary, indent=2) + "\n")
        print(f"recorded in {RECORD_PATH}; README's sentence:\n{readme_sentence(summary)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
