"""Experiments at scale: sweeps of scenarios x seeds on Dask, stored run by run in Parquet.

:func:`sweep` runs every (scenario, seed) pair of an experiment and returns one row per run (or
per run and window of days). Runs execute on a Dask cluster: a local one by default, or any
scheduler (a ``"tcp://host:8786"`` address, a :class:`distributed.Client`, or a cluster object
such as dask-jobqueue's ``SLURMCluster``). :func:`run_batch` is the one place where runs happen;
a Dask task runs a batch of them in one worker process.

Each finished run is written at once to a store directory ``out`` (temporary name starting with
``_``, then renamed), so an interrupted sweep loses only the runs in flight and rerunning it
computes only what is missing. :func:`load_sweep` reads a store back as the same frame.

Store layout (a store is a cache: files are named by a content hash of everything that shapes
them, so several sweeps can share one store and reuse each other's runs)::

    out/sweep.json               the most recent sweep: scenarios, seeds, days, windows, runs
    out/summary/<key>.parquet    one run: run_id, seed, window columns, every summary metric
    out/daily/<key>.parquet      one run: its daily frame (Results.daily without labels)
    out/failures.json            runs of the most recent sweep that raised, with the error

``<key>`` hashes all parameters, the seed, days, patient representation, windows and the package
version, so after a model change that keeps the version number, use a fresh store.

Examples
--------
>>> import abm
>>> p = abm.preset("small")
>>> scenarios = {"base": p, "shared": p.replace(**{"incentives.revenue_share": 0.4})}
>>> df = abm.sweep(scenarios, seeds=[1, 2], days=20, scheduler="synchronous", progress=False)
>>> df[["scenario", "seed", "incentives.revenue_share"]].values.tolist()
[['base', 1, 0.0], ['base', 2, 0.0], ['shared', 1, 0.4], ['shared', 2, 0.4]]
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import logging
import math
import os
import re
import sys
import tempfile
import traceback
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from abm.engine.model import check_mode, resolve_mode
from abm.inputs.checks import check_days, check_int, check_reform_day
from abm.inputs.params import ParamError, Params, ReformWarning
from abm.runs.results import Results, prefix_families, simulate, simulate_many

#: Version of the store layout (part of every run's key).
STORE_FORMAT = 1
#: Data files whose contents enter :func:`code_version` (the model reads these).
DATA_SUFFIXES = (".csv", ".json", ".parquet")
#: Most runs in one Dask task; batches are smaller when there are few runs per worker.
MAX_BATCH = 8
#: Tasks per worker the automatic batch size aims at (so workers share the load evenly).
TASKS_PER_WORKER = 4
#: Run a sweep in this process, without Dask (debugging, doctests, tiny sweeps).
SYNCHRONOUS = "synchronous"
WINDOW_COLUMNS = ("period", "first_day", "end_day")
#: Columns of the rows per group of patients (``sweep(..., by_group=...)``).
GROUP_COLUMNS = ("grouping", "group")

Windows = tuple[tuple[int, int], ...] | None


class SweepError(RuntimeError):
    """Some runs of a sweep raised; the others were computed and stored.

    ``failures`` has one row per failed run (``scenario, seed, error``, the error text with its
    traceback); ``frame`` holds the rows of the runs that succeeded. Rerunning the sweep retries
    only the failed runs.
    """

    def __init__(self, message: str, failures: pd.DataFrame, frame: pd.DataFrame):
        super().__init__(message)
        self.failures = failures
        self.frame = frame


@dataclass(frozen=True)
class RunSpec:
    """One run: parameters, seed, days, patient representation and summary windows."""

    params: Params
    seed: int
    days: int
    patients: str
    windows: Windows = None
    by_group: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Content hash naming the run's files in a store (see :func:`run_key`)."""
        return run_key(self)


@dataclass(frozen=True)
class RunOutput:
    """What :func:`run_batch` returns for one run: its frames, or the error text."""

    summary: pd.DataFrame | None = None
    daily: pd.DataFrame | None = None
    error: str | None = None


def package_version() -> str:
    """Version of the installed package (part of every run's key)."""
    return importlib.metadata.version("referral-incentives-lab")


@functools.cache
def code_version() -> str:
    """Hash of the model's code and data: ``abm/``'s source and the data files it reads.

    Part of every run's key, so that a store never returns a run of code or data that have
    changed since (an edited rule recomputes every run; ``force=True`` recomputes regardless).

    >>> len(code_version())
    16
    """
    import abm
    from abm.inputs.data import datasets_dir

    data = abm.source_digest(str(datasets_dir()), DATA_SUFFIXES)
    return hashlib.sha256(f"{abm.SOURCE_HASH}:{data}".encode()).hexdigest()[:16]


def run_key(spec: RunSpec) -> str:
    """Content hash of a run.

    All parameters, seed, days, patients, windows, package version and the hash of the code and
    data (:func:`code_version`).
    """
    content = {"params": spec.params.flat(), "seed": spec.seed, "days": spec.days,
               "patients": spec.patients, "windows": spec.windows,
               "version": package_version(), "code": code_version(), "store": STORE_FORMAT}
    if spec.by_group:  # only then, so the keys of runs without groups stay as they were
        content["by_group"] = spec.by_group
    blob = json.dumps(content, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:24]


def run_batch(specs: Sequence[RunSpec], *, share_prefix: bool = True) -> list[RunOutput]:
    """Run several runs one after another in this process and return their outputs.

    The unit of work of a Dask task, and the only place where a sweep runs the model. A run's
    random numbers come only from its parameters and seed, so the output does not depend on the
    process, the batch or the order. A run that raises returns its error text instead of frames;
    the others go on. With ``share_prefix``, a baseline and its reforms on one seed simulate
    their shared first days once (:func:`abm.simulate_many`; the outputs are the same).

    Examples
    --------
    >>> from abm import preset
    >>> out = run_batch([RunSpec(preset("small"), seed=1, days=10, patients="arrays")])
    >>> out[0].error is None, list(out[0].summary.columns[:2])
    (True, ['run_id', 'seed'])
    """
    out = []
    # consecutive runs of the same length and representation go through one simulate_many call
    for (days, patients), same in groupby(specs, key=lambda s: (s.days, s.patients)):
        group = list(same)
        try:
            with warnings.catch_warnings():  # the sweep warned in the calling process
                warnings.simplefilter("ignore", ReformWarning)
                results = simulate_many([(s.params, s.seed) for s in group], days=days,
                                        patients=patients, progress=False,
                                        share_prefix=share_prefix)
        except Exception:  # noqa: BLE001 - rerun one by one to record which run raised
            results = [None] * len(group)
        out += [_run_one(s, r) for s, r in zip(group, results, strict=True)]
    return out


def _run_one(spec: RunSpec, res: Results | None = None) -> RunOutput:
    try:
        if res is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ReformWarning)
                res = simulate(spec.params, days=spec.days, seed=spec.seed,
                               patients=spec.patients)
        windows = [(None, None)] if spec.windows is None else list(enumerate(spec.windows))
        rows = []
        for k, window in windows:
            keys = {} if window is None else {"period": k, "first_day": window[0],
                                              "end_day": window[1]}
            county = {"grouping": "county", "group": "all"} if spec.by_group else {}
            rows.append({**keys, **county, **res.summary(window=window).to_dict()})
            rows += _group_rows(res, spec.by_group, window, keys)
        summary = pd.DataFrame(rows)
        summary.insert(0, "run_id", res.keys()["run_id"])
        summary.insert(1, "seed", spec.seed)
        daily = res.daily.drop(columns=["scenario", "replicate"])
    except Exception:  # noqa: BLE001 - recorded and reported at the end of the sweep
        return RunOutput(error=traceback.format_exc())
    return RunOutput(summary=summary, daily=daily)


def _group_rows(res: Any, by_group: tuple[str, ...], window: tuple[int, int] | None,
                keys: dict) -> list[dict]:
    """Rows of :data:`abm.engine.metrics.GROUP_METRICS` per group of patients (``by_group``)."""
    from abm.engine.metrics import GROUP_METRICS

    rows = []
    for by in by_group:
        for r in res.by_group(by, window=window).to_dict(orient="records"):
            rows.append({**keys, "grouping": by, "group": str(r[by]),
                         **{m: r[m] for m in GROUP_METRICS}})
    return rows


def spawn_seeds(root: int, n: int) -> list[int]:
    """``n`` independent integer seeds spawned from a root seed (``numpy.random.SeedSequence``).

    Examples
    --------
    >>> a = spawn_seeds(2026, 3)
    >>> a == spawn_seeds(2026, 3), len(set(a))
    (True, 3)
    """
    children = np.random.SeedSequence(check_int(root, "root", 0)).spawn(check_int(n, "n", 0))
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


# ---------------------------------------------------------------- validation of inputs
def _scenarios(scenarios: Any) -> dict[str, Params]:
    """Name -> Params from a mapping, a list of Params (named by position) or (name, Params)."""
    if isinstance(scenarios, Params):
        raise TypeError("scenarios must be a mapping name -> Params or a list of Params, "
                        "got a single Params (wrap it: {'name': params})")
    if isinstance(scenarios, Mapping):
        pairs = list(scenarios.items())
    elif isinstance(scenarios, Sequence) and not isinstance(scenarios, str):
        pairs = [item if isinstance(item, tuple) else (str(i), item)
                 for i, item in enumerate(scenarios)]
    else:
        raise TypeError(f"scenarios must be a mapping name -> Params or a list of Params, "
                        f"got {type(scenarios).__name__}")
    if not pairs:
        raise ValueError("scenarios is empty: give at least one scenario")
    named: dict[str, Params] = {}
    for pair in pairs:
        if len(pair) != 2:
            raise TypeError(f"scenarios items must be Params or (name, Params) pairs, "
                            f"got {pair!r}")
        name, params = pair
        if not isinstance(name, str) or not name:
            raise TypeError(f"scenario names must be non-empty strings, got {name!r}")
        if name in named:
            raise ValueError(f"duplicate scenario name {name!r}: names must be unique")
        if not isinstance(params, Params):
            raise TypeError(f"scenario {name!r} must be an abm.Params, "
                            f"got {type(params).__name__}")
        named[name] = params
    return named


def _seeds(seeds: Any) -> list[int]:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (Sequence, range, np.ndarray)):
        raise TypeError(f"seeds must be a sequence of integers, got {type(seeds).__name__} "
                        f"(e.g. seeds=[1, 2, 3] or seeds=range(10))")
    out = [check_int(s, f"seeds[{i}]", 0) for i, s in enumerate(seeds)]
    if not out:
        raise ValueError("seeds is empty: give at least one seed")
    dupes = sorted({s for s in out if out.count(s) > 1})
    if dupes:
        raise ValueError(f"seeds must be unique; repeated: {dupes}")
    return out


def _windows(windows: Any, days: int) -> Windows:
    """None, a period length in days, or (first, end) pairs (end exclusive) within the run."""
    if windows is None:
        return None
    if isinstance(windows, (int, np.integer)) and not isinstance(windows, bool):
        if windows < 1:
            raise ValueError(f"windows as a period length must be >= 1 day, got {windows}")
        return tuple((s, min(s + int(windows), days)) for s in range(0, days, int(windows)))
    try:
        pairs = tuple((check_int(a, "first", 0), check_int(b, "end", 0)) for a, b in windows)
    except (TypeError, ValueError):
        pairs = ()
    if not pairs or any(not a < b <= days for a, b in pairs):
        raise ValueError(f"windows must be None, a period length in days, or a non-empty list "
                         f"of (first, end) day pairs with 0 <= first < end <= days={days}; "
                         f"got {windows!r}")
    twice = sorted({w for w in pairs if pairs.count(w) > 1})
    if twice:
        raise ValueError(f"windows gives {', '.join(map(str, twice))} twice: each window is one "
                         f"period of the frame's rows; give each window once")
    return pairs


def _by_group(by_group: Any) -> tuple[str, ...]:
    from abm.engine.equity import GROUPINGS

    if isinstance(by_group, str):
        by_group = (by_group,)
    bad = [g for g in by_group if g not in GROUPINGS]
    if bad or len(set(by_group)) != len(by_group):
        raise ValueError(f"by_group must list distinct groupings from "
                         f"{', '.join(map(repr, GROUPINGS))}; got {tuple(by_group)!r}")
    return tuple(by_group)


# ---------------------------------------------------------------- the store
def _write_atomic(path: Path, write) -> None:
    """Write through a temporary name starting with ``_`` (ignored by readers), then rename."""
    tmp = path.with_name("_" + path.name)
    write(tmp)
    os.replace(tmp, path)


def _write_json(path: Path, obj: Any) -> None:
    _write_atomic(path, lambda tmp: tmp.write_text(json.dumps(obj, indent=1, default=str)))


@contextmanager
def _store(out: str | os.PathLike | None) -> Iterator[Path]:
    """Yield the store directory (created, checked writable); a temporary one for ``out=None``."""
    if out is None:
        with tempfile.TemporaryDirectory(prefix="abm-sweep-") as tmp:
            yield _prepare(Path(tmp))
        return
    yield _prepare(Path(out))


def _prepare(root: Path) -> Path:
    try:
        for sub in ("summary", "daily"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        probe = root / "_write_probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise ValueError(f"out={str(root)!r} is not a writable directory: {e}") from e
    return root


def _store_run(root: Path, key: str, output: RunOutput) -> None:
    """Write a finished run: daily frame first, then the summary (its presence marks it done)."""
    _write_atomic(root / "daily" / f"{key}.parquet",
                  lambda tmp: output.daily.to_parquet(tmp, index=False))
    _write_atomic(root / "summary" / f"{key}.parquet",
                  lambda tmp: output.summary.to_parquet(tmp, index=False))


def _is_stored(root: Path, key: str) -> bool:
    return (root / "summary" / f"{key}.parquet").is_file()


def _manifest(named: dict[str, Params], seeds: list[int], days: int, patients: str,
              windows: Windows, keys: dict[tuple[str, int], str]) -> dict:
    first = next(iter(named.values()))
    changed = set().union(*(p.differences(first).keys() | first.differences(p).keys()
                            for p in named.values()))
    flats = {name: p.flat() for name, p in named.items()}
    # keys of all scenarios, in order: a reform lever is absent from a scenario without reform
    order = [k for k in dict.fromkeys(k for flat in flats.values() for k in flat) if k in changed]
    return {
        "format": STORE_FORMAT, "version": package_version(), "code": code_version(),
        "days": days,
        "patients": patients, "windows": windows, "seeds": seeds,
        "scenarios": {name: {k: flat.get(k) for k in order} for name, flat in flats.items()},
        "parameters": order,
        "runs": [[name, seed, keys[name, seed]] for name in named for seed in seeds],
    }


def _read_manifest(root: Path) -> dict:
    path = root / "sweep.json"
    if not path.is_file():
        raise FileNotFoundError(f"no sweep store at {str(root)!r} ({path.name} not found); "
                                f"abm.sweep(..., out=...) creates one")
    return json.loads(path.read_text())


def _assemble(root: Path, manifest: dict, *, partial: bool) -> pd.DataFrame:
    """Build the sweep's frame from the stored summaries, in the order scenarios x seeds."""
    runs = pd.DataFrame(manifest["runs"], columns=["scenario", "seed", "key"])
    stored = runs["key"].map(lambda k: _is_stored(root, k))
    if not stored.all() and not partial:
        missing = runs.loc[~stored, ["scenario", "seed"]].itertuples(index=False)
        listed = ", ".join(f"({s!r}, {seed})" for s, seed in list(missing)[:5])
        raise FileNotFoundError(
            f"{int((~stored).sum())} of {len(runs)} runs of the sweep in {str(root)!r} are not "
            f"stored (interrupted or failed), e.g. {listed}; rerun abm.sweep with the same "
            f"arguments to complete it, or pass partial=True")
    runs = runs[stored]
    keys = list(dict.fromkeys(runs["key"]))
    parts = [pd.read_parquet(root / "summary" / f"{k}.parquet").assign(key=k) for k in keys]
    summary = (pd.concat(parts, ignore_index=True) if parts
               else pd.DataFrame(columns=["key", "run_id"]))
    frame = runs.merge(summary.drop(columns="seed", errors="ignore"), on="key", how="inner")
    frame = frame.drop(columns="key")
    windows = [c for c in (*WINDOW_COLUMNS, *GROUP_COLUMNS) if c in frame.columns]
    metrics = [c for c in frame.columns if c not in ("scenario", "seed", "run_id", *windows)]
    params = pd.DataFrame(
        [{k: _from_json(v) for k, v in manifest["scenarios"][s].items()}
         for s in frame["scenario"]], columns=manifest["parameters"], index=frame.index)
    frame = pd.concat([frame[["scenario", "seed", "run_id", *windows]], params,
                       frame[metrics]], axis=1)
    return frame.reset_index(drop=True)


def _from_json(value: Any) -> Any:
    return tuple(_from_json(v) for v in value) if isinstance(value, list) else value


def load_sweep(out: str | os.PathLike, *, daily: bool = False,
               partial: bool = False) -> pd.DataFrame:
    """Read the most recent sweep stored in ``out`` back as the frame :func:`sweep` returned.

    Parameters
    ----------
    out
        The store directory given to :func:`sweep`.
    daily
        Return the runs' daily frames instead (``run_id, scenario, seed, day, tier`` and the
        counters of :attr:`abm.Results.daily`), concatenated in the order scenarios x seeds.
    partial
        Return the stored runs of an interrupted sweep instead of raising for missing ones.

    Raises
    ------
    FileNotFoundError
        If ``out`` holds no sweep, or some of its runs are missing and ``partial`` is False.

    Examples
    --------
    >>> import abm, tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> df = abm.sweep([abm.preset("small")], seeds=[1], days=10, out=tmp.name,
    ...                scheduler="synchronous", progress=False)
    >>> abm.load_sweep(tmp.name).equals(df)
    True
    >>> daily = abm.load_sweep(tmp.name, daily=True)
    >>> list(daily.columns[:5]), len(daily)
    (['run_id', 'scenario', 'seed', 'day', 'tier'], 70)
    >>> tmp.cleanup()
    """
    root = Path(out)
    manifest = _read_manifest(root)
    frame = _assemble(root, manifest, partial=partial)
    if not daily:
        return frame
    key_of = {(s, seed): k for s, seed, k in manifest["runs"]}
    parts = []
    for s, seed in frame[["scenario", "seed"]].drop_duplicates().itertuples(index=False):
        d = pd.read_parquet(root / "daily" / f"{key_of[s, seed]}.parquet")
        d.insert(1, "scenario", s)
        parts.append(d)
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------- the engine
def _show_progress(progress: bool) -> bool:
    """Progress bars on a terminal or in a notebook; quiet otherwise or when switched off."""
    if not progress:
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty()) or "ipykernel" in sys.modules


def local_cluster(n_workers: int = 2) -> Any:
    """Start the local Dask cluster that ``sweep(scheduler=None)`` uses, to reuse across sweeps.

    A scheduler and ``n_workers`` workers (one thread each), each a fresh Python process started
    by Dask's own command line (``python -m dask spec``, Dask's ``SubprocessCluster``), listening
    on the loopback interface only, without a dashboard, their logs silenced below errors.
    Started that way, the workers never import the user's ``__main__``: a plain script without
    ``if __name__ == "__main__":``, ``python -c``, standard input and notebooks all work (the
    ``multiprocessing`` start methods that Dask's ``LocalCluster`` uses re-run a script's top
    level in every worker, or fork a process that holds threads). Close the cluster when done
    (or use ``with``).

    Examples
    --------
    ::

        with abm.runs.experiments.local_cluster(2) as cluster:
            a = abm.sweep(scenarios, seeds=range(10), days=365, scheduler=cluster)
            b = abm.sweep(others, seeds=range(10), days=365, scheduler=cluster)
    """
    from distributed.deploy.subprocess import SubprocessCluster

    # Workers without a nanny: the nanny would start each worker through multiprocessing again.
    # The scheduler's HTTP endpoint (health checks) takes a free loopback port: the default
    # ":8787" may be taken by another cluster on the machine, which Dask reports as a warning.
    return SubprocessCluster(host="127.0.0.1", n_workers=n_workers, threads_per_worker=1,
                             worker_class="distributed.Worker", dashboard_address=None,
                             scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                             silence_logs=logging.ERROR)


def _runnable(name: str, params: Params, days: int) -> Params:
    """Check a scenario's reform in the calling process; return the parameters to run.

    A reform that cannot act is refused naming the scenario (:func:`check_reform_day`), before
    anything runs. A scenario whose reform changes nothing (every lever at its baseline value,
    e.g. the status-quo point of a lever sweep, :meth:`abm.Params.unchanged_reform`) is
    legitimate: it warns (:class:`ReformWarning`, naming the scenario and levers) and runs as
    the baseline (the same runs; the frame keeps the scenario's own parameter columns).
    Lever paths that start after the run ends warn here, once per scenario.
    """
    unchanged = params.unchanged_reform()
    if unchanged and unchanged != "no lever":
        warnings.warn(f"scenario {name!r}: its reform leaves every lever at its baseline value "
                      f"({unchanged}): its runs equal the baseline's (run as the baseline)",
                      ReformWarning, stacklevel=3)
        return params.without_reform()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ReformWarning)
            check_reform_day(params, days)
    except ParamError as e:
        raise ParamError(f"scenario {name!r}: {e}") from None
    for w in caught:
        warnings.warn(f"scenario {name!r}: {w.message}", ReformWarning, stacklevel=3)
    return params


def _check_scheduler(scheduler: Any) -> Any:
    """Return the scheduler: ``"synchronous"`` in any case, an address, a Client or a cluster."""
    if scheduler is None:
        return None
    if isinstance(scheduler, str):
        if scheduler.strip().lower() == SYNCHRONOUS:
            return SYNCHRONOUS
        if re.fullmatch(r"[a-z]+://\S+|[\w.-]+:\d+", scheduler.strip()):
            return scheduler.strip()
        raise ParamError(f"scheduler={scheduler!r} must be None (a local cluster), "
                         f"{SYNCHRONOUS!r}, or a Dask scheduler address such as "
                         f"'tcp://host:8786'")
    from distributed import Client
    from distributed.deploy import Cluster

    if not isinstance(scheduler, (Client, Cluster)):
        raise TypeError(f"scheduler must be None (a local cluster), {SYNCHRONOUS!r}, a scheduler "
                        f"address such as 'tcp://host:8786', a distributed.Client or a Dask "
                        f"cluster; got {type(scheduler).__name__}")
    return scheduler


@contextmanager
def _client(scheduler: Any, n_workers: int, connect_timeout: float) -> Iterator[Any]:
    """Yield a Dask client for ``scheduler``; clusters and clients made here are closed after."""
    from distributed import Client
    from distributed.deploy import Cluster

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler is None:
        with local_cluster(n_workers) as cluster, \
                Client(cluster, set_as_default=False) as client:
            yield client
        return
    if isinstance(scheduler, Cluster):
        with Client(scheduler, set_as_default=False) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise ConnectionError(f"scheduler={scheduler!r}: no Dask scheduler answered within "
                              f"{connect_timeout:g} s ({e}); start one (`dask scheduler`), "
                              f"check the address, or use scheduler=None for a local "
                              f"cluster") from e
    with client:
        yield client


def _batches(todo: dict[str, RunSpec], size: int, share_prefix: bool = True) -> list[list[str]]:
    """Keys of ``todo`` in batches of at most ``size`` runs, in order.

    Runs that share their first days (a baseline and its reforms on one seed,
    :func:`abm.runs.results.prefix_families`) stay in one batch, so that its worker simulates those
    days once: a family larger than ``size`` makes a batch of its own, split only beyond
    ``max(size, MAX_BATCH)`` runs.
    """
    keys = list(todo)
    # one sweep's runs share days and the patients option, so the seed and params decide
    families = prefix_families([(s.params, s.seed) for s in todo.values()],
                               share_prefix=share_prefix)
    most = max(size, MAX_BATCH)
    batches: list[list[str]] = []
    for family in families.values():
        for start in range(0, len(family), most):
            part = [keys[i] for i in family[start:start + most]]
            if batches and len(batches[-1]) + len(part) <= size:
                batches[-1] += part
            else:
                batches.append(part)
    return batches


def _auto_batch(n_runs: int, workers: int) -> int:
    return max(1, min(MAX_BATCH, math.ceil(n_runs / (TASKS_PER_WORKER * max(workers, 1)))))


def _execute(todo: dict[str, RunSpec], root: Path, *, scheduler: Any, n_workers: int,
             batch_size: int | None, connect_timeout: float, bar: tqdm,
             share_prefix: bool = True) -> dict[str, str]:
    """Run ``todo`` (key -> run), storing each run as its batch returns; return errors by key.

    Keys are computed here, in the calling process, never by workers (whose installation may
    differ).
    """
    errors: dict[str, str] = {}

    def collect(keys: list[str], outputs: list[RunOutput]) -> None:
        for key, output in zip(keys, outputs, strict=True):
            if output.error is None:
                _store_run(root, key, output)
            else:
                errors[key] = output.error
        bar.update(len(outputs))

    if scheduler == SYNCHRONOUS:
        for keys in _batches(todo, batch_size or 1, share_prefix):
            collect(keys, run_batch([todo[k] for k in keys], share_prefix=share_prefix))
        return errors
    from distributed import as_completed

    with _client(scheduler, n_workers, connect_timeout) as client:
        workers = len(client.scheduler_info().get("workers", {})) or n_workers
        batches = _batches(todo, batch_size or _auto_batch(len(todo), workers), share_prefix)
        futures = client.map(run_batch, [[todo[k] for k in keys] for keys in batches],
                             pure=False, share_prefix=share_prefix)
        keys_of = {f.key: keys for f, keys in zip(futures, batches, strict=True)}
        for future in as_completed(futures, loop=client.loop):
            keys = keys_of[future.key]
            try:
                outputs = future.result()
            except Exception:  # noqa: BLE001 - e.g. a worker died: every run of the batch failed
                outputs = [RunOutput(error=traceback.format_exc())] * len(keys)
            collect(keys, outputs)
            future.release()
    return errors


def sweep(scenarios: Mapping[str, Params] | Sequence[Params] | Sequence[tuple[str, Params]], *,
          seeds: Sequence[int], days: int, out: str | os.PathLike | None = None,
          scheduler: Any = None, n_workers: int = 2, progress: bool = True,
          windows: int | Sequence[tuple[int, int]] | None = None,
          patients: Literal["auto", "agents", "arrays"] = "auto",
          batch_size: int | None = None, connect_timeout: float = 10.0,
          posterior: int | None = None, by_group: Sequence[str] = (),
          share_prefix: bool = True) -> pd.DataFrame:
    """Run every (scenario, seed) pair on Dask, store each run, return one row per run.

    Parameters
    ----------
    scenarios
        Mapping name -> :class:`abm.Params`, a list of Params (named ``"0"``, ``"1"``, ... by
        position), or a list of ``(name, Params)`` pairs. Names must be unique.
    seeds
        Integer seeds (e.g. ``range(20)`` or :func:`spawn_seeds`); every scenario runs on each,
        so scenarios are paired on seeds (common random numbers).
    days
        Days per run.
    out
        Store directory (created if needed). Finished runs are written there at once and a rerun
        computes only the missing ones; :func:`load_sweep` reads it back. ``None``: a temporary
        store removed when the sweep returns (nothing to resume).
    scheduler
        ``None``: a local Dask cluster of ``n_workers`` processes (one thread each, loopback
        only), closed afterwards. A scheduler address (``"tcp://host:8786"``), a
        :class:`distributed.Client` or a Dask cluster object (e.g. dask-jobqueue's
        ``SLURMCluster``; see docs/experiments.md): runs go to that cluster, which is left
        running. ``"synchronous"``: run in this process, without Dask.
    n_workers
        Worker processes of the local cluster (``scheduler=None`` only).
    progress
        Progress bar over runs on a terminal or in a notebook (never when output is redirected).
    windows
        Summaries over windows of days instead of the whole run: a period length in days
        (``365``: one row per year) or ``[(first, end), ...]`` (end exclusive). Adds the columns
        ``period, first_day, end_day``.
    patients
        Patient representation, as in :func:`abm.simulate`.
    batch_size
        Runs per Dask task (default: at most 8, about 4 tasks per worker). Runs of a batch are
        stored when the batch returns. A baseline and its reforms on one seed stay in one task
        (up to 8 runs, or ``batch_size`` if larger) so that their shared days run once.
    connect_timeout
        Seconds to wait for a scheduler given by address before failing.
    posterior
        Run each scenario with this many draws of the shipped posterior of its preset
        (:func:`abm.posterior`, resampled by weight) on every seed; the frame gains a ``draw``
        column and :func:`abm.fitting.calibration.bands` gives bands over draws and seeds together.
    by_group
        Groupings of patients (:data:`abm.engine.equity.GROUPINGS`: ``"remoteness_quintile"``,
        ``"insurance_scheme"``) to summarise too: each run (and window) then has a row for the
        whole county (``grouping="county", group="all"``) followed by one row per group
        (``group`` ``"1"``-``"5"`` or ``"resident"``/``"employee"``) with the metrics of
        :data:`abm.engine.metrics.GROUP_METRICS` (:meth:`abm.Results.by_group`).
    share_prefix
        Simulate the days that a baseline and its reforms on one seed share (before the reform
        day) once per task (default; see :func:`abm.simulate_many`). False runs every run alone:
        the same results, slower (for checks and benchmarks).

    Returns
    -------
    pandas.DataFrame
        One row per run (and window), scenarios in the given order, seeds within: ``scenario,
        seed, run_id`` (the :attr:`abm.Results.daily` run id), the window columns, the
        parameters that differ between scenarios (dotted names) and every metric of
        :data:`abm.METRICS`. Identical for any number of workers and completion order.
        ``frame.attrs["computed"]`` counts the runs this call computed (the others were read
        from the store). With ``by_group``, the columns ``grouping, group`` follow the window
        columns.

    Raises
    ------
    SweepError
        After all other runs finished and were stored, if some runs raised; the error lists
        them and carries ``failures`` and the frame of the successful runs (``frame``). The
        failures are also written to ``out/failures.json``.
    ValueError, TypeError
        For bad input (empty or duplicate scenarios, seeds that are not unique non-negative
        integers, ``out`` not writable, ...), before anything runs.
    ConnectionError
        If no scheduler answers at the given address within ``connect_timeout``.

    Examples
    --------
    >>> import abm
    >>> p = abm.preset("small")
    >>> df = abm.sweep({"base": p}, seeds=[1, 2], days=20, windows=10,
    ...                scheduler="synchronous", progress=False)
    >>> df[["scenario", "seed", "period", "first_day", "end_day"]].values.tolist()
    [['base', 1, 0, 0, 10], ['base', 1, 1, 10, 20], ['base', 2, 0, 0, 10], ['base', 2, 1, 10, 20]]

    On a local cluster of two processes (the default), storing runs for a later rerun::

        df = abm.sweep(scenarios, seeds=range(20), days=365, out="sweeps/levers")
    """
    named = _scenarios(scenarios)
    if posterior is not None:
        from abm.inputs.posterior import posterior_scenarios

        named = posterior_scenarios(named, posterior)
    seed_list = _seeds(seeds)
    days = check_days(days)
    wins = _windows(windows, days)
    check_mode(patients)
    scheduler = _check_scheduler(scheduler)
    n_workers = check_int(n_workers, "n_workers", 1)
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", 1)
    groups = _by_group(by_group)
    runnable = {name: _runnable(name, p, days) for name, p in named.items()}
    specs = {(name, seed): RunSpec(runnable[name], seed, days, resolve_mode(patients, p), wins,
                                   groups)
             for name, p in named.items() for seed in seed_list}
    keys = {run: spec.key for run, spec in specs.items()}
    with _store(out) as root:
        manifest = _manifest(named, seed_list, days, patients, wins, keys)
        _write_json(root / "sweep.json", manifest)
        unique = {keys[run]: spec for run, spec in specs.items()}
        todo = {key: spec for key, spec in unique.items() if not _is_stored(root, key)}
        with tqdm(total=len(unique), initial=len(unique) - len(todo), desc="sweep", unit="run",
                  disable=not _show_progress(progress)) as bar:
            errors = (_execute(todo, root, scheduler=scheduler, n_workers=n_workers,
                               batch_size=batch_size, connect_timeout=connect_timeout, bar=bar,
                               share_prefix=share_prefix)
                      if todo else {})
        failures = pd.DataFrame(
            [{"scenario": name, "seed": seed, "error": errors[keys[name, seed]]}
             for name, seed in specs if keys[name, seed] in errors],
            columns=["scenario", "seed", "error"])
        _write_json(root / "failures.json", failures.to_dict(orient="records"))
        frame = _assemble(root, manifest, partial=bool(errors))
    if posterior is not None:
        parts = frame["scenario"].str.rpartition("@")
        frame["scenario"] = parts[0]
        frame.insert(1, "draw", parts[2])
    frame.attrs["computed"] = len(todo) - len(errors)
    if errors:
        lines = [f"  scenario {s!r}, seed {seed}: {e.strip().splitlines()[-1]}"
                 for s, seed, e in failures.itertuples(index=False)]
        raise SweepError(f"{len(failures)} of {len(specs)} runs failed (the others are "
                         f"stored; rerunning the sweep retries only these):\n"
                         + "\n".join(lines), failures, frame)
    return frame
