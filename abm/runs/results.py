"""Running the model and reading its results: :func:`simulate`, :class:`Results`.

The daily frame is tidy: run keys (``run_id, scenario, replicate, seed``), ``day``, ``tier``
(the five tiers, ``outside`` for hospitals outside the county, and ``all``) and counters. Every
summary metric is a ratio of sums of these counters over a window of days
(:data:`METRICS` gives each definition), so summaries of any window or period come from the
same frame.

Examples
--------
>>> from abm import preset, simulate
>>> res = simulate(preset("small"), days=60, seed=1)
>>> s = res.summary()
>>> 0 < s["primary_outpatient_share"] < 1
np.True_
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from abm.engine.equity import Grouping
from abm.engine.metrics import days_in, summarize, summarize_groups
from abm.engine.model import PatientMode, ReferralModel, check_mode, resolve_mode
from abm.inputs.checks import (
    ParamTypeError,
    check_days,
    check_flag,
    check_int,
    check_params,
    check_reform_day,
    check_seed,
)
from abm.inputs.params import Params

RUN_KEYS = ("run_id", "scenario", "replicate", "seed")

def run_id(params: Params, seed: int | None, patients: str) -> str:
    """Short stable id of a run: hash of its parameters, seed and patient representation."""
    blob = json.dumps([params.flat(), seed, patients], sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


@dataclass(frozen=True)
class Results:
    """Output of :func:`simulate`: the tidy daily frame and how it was made.

    Examples
    --------
    >>> from abm import preset, simulate
    >>> res = simulate(preset("small"), days=30, seed=2)
    >>> list(res.daily.columns[:6])
    ['run_id', 'scenario', 'replicate', 'seed', 'day', 'tier']
    """

    daily: pd.DataFrame
    params: Params = field(repr=False)
    seed: int | None
    patients: str
    scenario: str
    replicate: int = 0
    #: Daily counters per remoteness quintile and insurance scheme (:mod:`abm.engine.equity`).
    groups: pd.DataFrame | None = field(default=None, repr=False)

    def tidy(self) -> pd.DataFrame:
        """Return the daily frame (a copy)."""
        return self.daily.copy()

    def summary(self, window: tuple[int, int] | None = None) -> pd.Series:
        """One value per metric (:data:`METRICS`) over the run or ``window = (first, end)``."""
        return summarize(self.daily, window=window)

    def periods(self, length: int = 365) -> pd.DataFrame:
        """Summary metrics per consecutive period of ``length`` days.

        With run keys, ``period`` and ``first_day`` columns (the last period may be shorter).
        """
        days = int(self.daily["day"].max()) + 1 if len(self.daily) else 0
        rows = []
        for k, start in enumerate(range(0, days, length)):
            s = self.summary(window=(start, start + length))
            rows.append({**self.keys(), "period": k, "first_day": start, **s.to_dict()})
        return pd.DataFrame(rows)

    def by_tier(self, window: tuple[int, int] | None = None) -> pd.DataFrame:
        """Counters summed over the window, one row per tier, with per-person-year visits."""
        d = days_in(self.daily, window)
        from abm.engine.model import FACILITY_COUNTERS

        by = d.groupby("tier", observed=False)[list(FACILITY_COUNTERS)].sum()
        person_years = d.loc[d["tier"] == "all", "patients"].sum() / 365.0
        by["visits_per_capita"] = by["visits"] / person_years if person_years else np.nan
        by["visit_share"] = by["visits"] / by.loc["all", "visits"]
        return by.reset_index()

    def by_group(self, by: Grouping, window: tuple[int, int] | None = None) -> pd.DataFrame:
        """Outcomes per group of patients over the run or ``window = (first, end)``.

        ``by="remoteness_quintile"``: one row per quintile of villages by remoteness (1 = the
        fifth nearest to care, 5 = the most remote); ``by="insurance_scheme"``: ``resident`` and
        ``employee``. Columns: the group, the counters of :data:`abm.engine.equity.GROUP_COUNTERS`
        summed over the window, and the ratios of :data:`abm.engine.metrics.GROUP_METRICS` (the
        :data:`abm.METRICS` of the same names, over the group's patients).

        Examples
        --------
        >>> from abm import preset, simulate
        >>> res = simulate(preset("small"), days=30, seed=2)
        >>> g = res.by_group("remoteness_quintile")
        >>> g["remoteness_quintile"].tolist()
        [1, 2, 3, 4, 5]
        >>> bool(g["episodes"].sum() == res.daily.query("tier == 'all'")["episodes"].sum())
        True
        """
        if self.groups is None:
            raise ValueError("these Results carry no per-group counters (made by abm.simulate "
                             "they do); rerun with abm.simulate")
        return summarize_groups(self.groups, by=by, window=window)

    def keys(self) -> dict[str, object]:
        """Return the run keys as a dict."""
        return {"run_id": self.daily["run_id"].iloc[0] if len(self.daily) else "",
                "scenario": self.scenario, "replicate": self.replicate, "seed": self.seed}


def simulate(params: Params | None = None, *, days: int, seed: int | None,
             patients: PatientMode = "auto", scenario: str | None = None,
             replicate: int = 0) -> Results:
    """Run the model for ``days`` days and return its :class:`Results`.

    Parameters
    ----------
    params
        Parameters (default: the ``small`` preset).
    days
        Days to simulate.
    seed
        Root seed; the same seed gives the same run, and a baseline and a reform run with the
        same seed are identical before the reform day (common random numbers).
    patients
        ``"agents"``, ``"arrays"`` or ``"auto"`` (default: arrays above 20,000 simulated
        patients; see :class:`abm.ReferralModel`). ``Results.patients`` records the one used.
    scenario
        Label for the ``scenario`` key (default ``"reform"`` if a reform day is set, else
        ``"baseline"``).
    replicate
        Replicate number for the ``replicate`` key.

    Examples
    --------
    >>> from abm import preset, simulate
    >>> base = simulate(preset("small"), days=30, seed=7)
    >>> round(float(base.summary()["visits_per_capita"]))  # doctest: +SKIP
    6
    """
    check_mode(patients)
    days, seed, p = check_days(days), check_seed(seed), check_params(params)
    if scenario is not None and not isinstance(scenario, str):
        raise ParamTypeError(f"scenario must be a label (str) or None, got {scenario!r}")
    replicate = check_int(replicate, "replicate", 0)
    check_reform_day(p, days)
    patients = resolve_mode(patients, p)
    model = ReferralModel(p, rng=seed, patients=patients)
    model.run_for(int(days))
    return _results(model, seed, scenario, replicate)


def _results(model: ReferralModel, seed: int | None, scenario: str | None = None,
             replicate: int = 0) -> Results:
    """Return the :class:`Results` of a model that has run (its params, seed, representation)."""
    p, patients = model.params, model.patient_mode
    daily = model.daily_counts()
    if scenario is None:
        scenario = "reform" if p.reform.day is not None else "baseline"
    keys = {"run_id": run_id(p, seed, patients), "scenario": scenario, "replicate": replicate,
            "seed": seed}
    for i, (k, v) in enumerate(keys.items()):
        daily.insert(i, k, v)
    return Results(daily=daily, params=p, seed=seed, patients=patients, scenario=scenario,
                   replicate=replicate, groups=model.group_counts())


def simulate_many(runs: Iterable[tuple[Params, int | None]], *, days: int,
                  patients: PatientMode = "auto", progress: bool | None = None,
                  share_prefix: bool = True) -> list[Results]:
    """Run several ``(params, seed)`` pairs in this process; each result is exactly ``simulate``'s.

    The compiled stages are loaded (or compiled) once, on the first run, and reused by the
    others, so a batch of counties or counterfactuals pays neither an import nor a compile per
    run (a sweep on Dask sends each worker a batch). Each result is exactly
    ``simulate(params, days=days, seed=seed, patients=patients)``.

    Runs on the same integer seed whose parameters differ only in their reforms (a baseline
    and its counterfactual reforms) are identical before the earliest reform day
    (:meth:`abm.Params.shared_days`, common random numbers). Those days are simulated once:
    the model is copied on each reform day and the copy goes on under the reform
    (:meth:`abm.ReferralModel.continue_as`), so a reform starting in year 5 of 10 costs half a
    run instead of a whole one. Results are the same to the bit as running each pair alone.

    Parameters
    ----------
    runs
        Pairs of :class:`abm.Params` (``None``: the ``small`` preset) and root seed.
    days
        Days to simulate in every run.
    patients
        Patient representation, as for :func:`simulate`.
    progress
        Show a progress bar (default: only on a terminal).
    share_prefix
        Simulate the shared first days of runs once (default); False runs each pair alone
        (same results, slower; for checks and benchmarks).

    Examples
    --------
    >>> from abm import preset, simulate, simulate_many
    >>> p = preset("small")
    >>> res = simulate_many([(p, 1), (p, 2)], days=10)
    >>> [r.seed for r in res]
    [1, 2]
    >>> base, reform = simulate_many([(p, 3), (p.with_reform({"revenue_share": 0.5}, day=6), 3)],
    ...                              days=10)  # days 0-5 simulated once
    >>> reform.daily.equals(simulate(reform.params, days=10, seed=3).daily)
    True
    >>> simulate_many([p], days=10)
    Traceback (most recent call last):
    ...
    TypeError: runs[0] must be a (Params, seed) pair; got Params
    """
    from tqdm import tqdm

    runs = list(runs)
    for i, run in enumerate(runs):
        if not (isinstance(run, tuple) and len(run) == 2):
            raise TypeError(f"runs[{i}] must be a (Params, seed) pair; got {type(run).__name__}")
    check_mode(patients)
    days = check_days(days)
    share_prefix = check_flag(share_prefix, "share_prefix")
    runs = [(check_params(p), check_seed(seed, f"runs[{i}] seed"))
            for i, (p, seed) in enumerate(runs)]
    for p, _ in runs:
        check_reform_day(p, days)
    out: list[Results | None] = [None] * len(runs)
    with tqdm(total=len(runs), desc="runs", unit="run",
              disable=None if progress is None else not progress) as bar:
        for family in prefix_families(runs, patients, share_prefix).values():
            for i, res in _run_family([runs[i] for i in family], days, patients):
                out[family[i]] = res
                bar.update()
    return out


def prefix_families(runs: list[tuple[Params, int | None]], patients: str = "auto",
                    share_prefix: bool = True) -> dict[object, list[int]]:
    """Group the positions of ``runs`` whose first days may be shared (see :func:`simulate_many`).

    Runs share a family when they have the same integer seed, patient representation and
    parameters apart from the reform (:meth:`abm.Params.without_reform`), so that any two of
    them share at least day 0. A reform from day 0, a run with a ``SeedSequence`` or ``None``
    seed (fresh entropy), or every run when ``share_prefix`` is False, is a family of its own.
    Families come in the order of their first run.

    Examples
    --------
    >>> from abm import preset
    >>> p = preset("small")
    >>> r = p.with_reform({"revenue_share": 0.5}, day=5)
    >>> list(prefix_families([(p, 1), (p, 2), (r, 1), (r, None)]).values())
    [[0, 2], [1], [3]]
    >>> list(prefix_families([(p, 1), (p.with_reform({"revenue_share": 0.5}, day=0), 1)]).values())
    [[0], [1]]
    """
    families: dict[object, list[int]] = {}
    for i, (p, seed) in enumerate(runs):
        shared = share_prefix and isinstance(seed, int) and p.reform.day != 0
        key = (seed, resolve_mode(patients, p), p.without_reform()) if shared else ("alone", i)
        families.setdefault(key, []).append(i)
    return families


def _run_family(runs: list[tuple[Params, int | None]], days: int, patients: str
                ) -> Iterator[tuple[int, Results]]:
    """Yield ``(position, Results)`` of a family of runs, their shared first days run once.

    The trunk is the run that agrees longest with the others (the baseline, or the latest
    reform); every other run is copied from it on the last day they share and run on alone.
    """
    def start(r: tuple[Params, int | None]) -> int:
        return days if r[0].reform.day is None else r[0].reform.day

    trunk = max(range(len(runs)), key=lambda i: start(runs[i]))
    p, seed = runs[trunk]
    fork_day = {}
    for i, (q, _) in enumerate(runs):
        if i != trunk:
            shared = p.shared_days(q)
            fork_day[i] = days if shared is None else min(shared, days)
    model = ReferralModel(p, rng=seed, patients=resolve_mode(patients, p))
    for i in sorted(fork_day, key=fork_day.get):
        if fork_day[i] > model.day:
            model.run_for(fork_day[i] - model.day)
        fork = model.fork(runs[i][0])
        if days > fork.day:
            fork.run_for(days - fork.day)
        yield i, _results(fork, seed)
        del fork
    if days > model.day:
        model.run_for(days - model.day)
    yield trunk, _results(model, seed)
