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
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from abm._validate import check_days, check_params, check_reform_day, check_seed
from abm.equity import Grouping
from abm.metrics import _days_in, summarize, summarize_groups
from abm.model import PatientMode, ReferralModel, check_mode, resolve_mode
from abm.params import Params

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
    #: Daily counters per remoteness quintile and insurance scheme (:mod:`abm.equity`).
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
        d = _days_in(self.daily, window)
        from abm.model import FACILITY_COUNTERS

        by = d.groupby("tier", observed=False)[list(FACILITY_COUNTERS)].sum()
        person_years = d.loc[d["tier"] == "all", "patients"].sum() / 365.0
        by["visits_per_capita"] = by["visits"] / person_years if person_years else np.nan
        by["visit_share"] = by["visits"] / by.loc["all", "visits"]
        return by.reset_index()

    def by_group(self, by: Grouping, window: tuple[int, int] | None = None) -> pd.DataFrame:
        """Outcomes per group of patients over the run or ``window = (first, end)``.

        ``by="remoteness_quintile"``: one row per quintile of villages by remoteness (1 = the
        fifth nearest to care, 5 = the most remote); ``by="insurance_scheme"``: ``resident`` and
        ``employee``. Columns: the group, the counters of :data:`abm.equity.GROUP_COUNTERS`
        summed over the window, and the ratios of :data:`abm.metrics.GROUP_METRICS` (the
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
    check_reform_day(p, days)
    patients = resolve_mode(patients, p)
    model = ReferralModel(p, rng=seed, patients=patients)
    model.run_for(int(days))
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
                  patients: PatientMode = "auto", progress: bool | None = None) -> list[Results]:
    """Run several ``(params, seed)`` pairs one after another in this process.

    The compiled stages are loaded (or compiled) once, on the first run, and reused by the
    others, so a batch of counties or counterfactuals pays neither an import nor a compile per
    run (a sweep on Dask sends each worker a batch). Each run is exactly
    ``simulate(params, days=days, seed=seed, patients=patients)``.

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

    Examples
    --------
    >>> from abm import preset, simulate_many
    >>> p = preset("small")
    >>> res = simulate_many([(p, 1), (p, 2)], days=10)
    >>> [r.seed for r in res]
    [1, 2]
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
    out = []
    for p, seed in tqdm(runs, desc="runs", unit="run",
                        disable=None if progress is None else not progress):
        out.append(simulate(p, days=days, seed=seed, patients=patients))
    return out
