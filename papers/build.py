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

Usage::

    python -m papers.build            # full size, for reviewers
    python -m papers.build --fast     # small sizes, used by the test suite
    python -m papers.build --paper referral_baseline --force
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import importlib.metadata
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from abm.experiments import local_cluster

PAPERS_DIR = Path(__file__).resolve().parent
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


def run_paper(paper: str, *, fast: bool, force: bool = False,
              out: Path | None = None, workers: int = 2) -> list[Path]:
    """Run one paper's experiments (cached) and draw its figures; return the figure paths.

    ``out`` defaults to ``papers/<paper>/output`` (the test suite passes a temporary folder).
    Experiments that need computing share one local Dask cluster of ``workers`` processes,
    started only if one does.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    module = importlib.import_module(f"papers.{paper}.pipeline")
    out = Path(out) if out is not None else PAPERS_DIR / paper / "output"
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(parents=True, exist_ok=True)

    frames: dict[str, pd.DataFrame] = {}
    configs: dict[str, dict] = {}
    cluster = None
    with contextlib.ExitStack() as stack:
        for name, exp in module.EXPERIMENTS.items():
            config = {"fast": fast, **exp.config(fast)}
            configs[name] = config
            path = out / "data" / f"{name}.parquet"
            stamp = path.with_suffix(".hash")
            store = out / "sweeps" / name
            if force:
                shutil.rmtree(store, ignore_errors=True)
            digest = config_hash(config)
            if not force and path.exists() and stamp.exists() and stamp.read_text() == digest:
                print(f"[{paper}] {name}: cached")
                frames[name] = pd.read_parquet(path)
                continue
            t0 = time.perf_counter()
            if cluster is None:
                cluster = stack.enter_context(local_cluster(workers))
            frame = exp.run(config, store, cluster)
            tmp = path.with_suffix(".parquet.tmp")
            frame.to_parquet(tmp)
            tmp.replace(path)  # atomic: an interrupted run never leaves a half-written output
            stamp.write_text(digest)
            frames[name] = frame
            print(f"[{paper}] {name}: computed in {time.perf_counter() - t0:.1f}s")

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
        print(f"[{paper}] figure {png}")
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="small sizes (as in the test suite)")
    parser.add_argument("--force", action="store_true", help="recompute cached experiments")
    parser.add_argument("--paper", action="append", help="only this paper (repeatable)")
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes of the local Dask cluster (default 2)")
    args = parser.parse_args(argv)
    papers = discover()
    unknown = sorted(set(args.paper or []) - set(papers))
    if unknown:
        parser.error(f"unknown paper(s) {unknown}; available: {papers}")
    selected = args.paper or papers
    if not selected:
        print("no paper pipelines yet (papers/<name>/pipeline.py)")
        return 0
    for paper in selected:
        run_paper(paper, fast=args.fast, force=args.force, workers=args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
