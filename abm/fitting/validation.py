"""How far the model stands from each outside fact: :func:`validate`.

Every fact of ``datasets/targets.csv`` that the model can express is simulated by the run that
matches it: calibration targets by the baseline's second year, reform facts by the named reform
package of ``datasets/reforms.csv`` against the baseline on the same seeds (common random numbers),
the 2011-2021 fall of the primary share by a run with the secular trends of that decade. The
table gives, per fact, the target, the mean over seeds and their range, and whether the fact is
matched (:data:`HOW`).

Examples
--------
>>> from abm.fitting.validation import FACTS
>>> FACTS["luxian_downward_referral_growth_2023"].scenario
'compact_consortium'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm.engine.metrics import UPPER_IN_COUNTY
from abm.inputs import data
from abm.inputs.checks import check_seed
from abm.inputs.params import Params, package_changes, preset
from abm.inputs.tiers import PRIMARY_TIERS
from abm.runs.results import Results

YEAR = 365
#: Reform runs start after one baseline year (a warm-up; the reform year is year 1).
REFORM_DAY = YEAR

#: How a fact is judged: "near" (within its tolerance of the target), "band" (inside the band
#: of two rows), "sign" (same sign in every seed), "at_most" (every seed at or below).
HOW = ("near", "band", "sign", "at_most")


@dataclass(frozen=True)
class Fact:
    """How to simulate one fact: the scenario it needs and the value read from its runs."""

    scenario: str
    years: int
    value: Callable[[dict[str, Results]], float]
    how: str = "near"
    target: Callable[[pd.DataFrame], float] | None = None  # derived target (default: the value)
    unit: str = ""
    also: tuple[str, ...] = ()  # further scenarios the value reads
    against_baseline: bool = False  # the value also reads the baseline (same seeds), to `years`

    @property
    def scenarios(self) -> tuple[str, ...]:
        """Every scenario the fact's value reads (``scenario`` first)."""
        return (self.scenario, *self.also)

    @property
    def runs(self) -> tuple[str, ...]:
        """Every scenario the fact's value reads, the baseline included when compared to it."""
        return (*self.scenarios, "baseline") if self.against_baseline else self.scenarios


def _summary(res: Results, year: int) -> pd.Series:
    return res.summary(window=((year - 1) * YEAR, year * YEAR))


def _baseline_metric(metric: str) -> Callable[[dict[str, Results]], float]:
    return lambda runs: float(_summary(runs["baseline"], 2)[metric])


def _tier_visits(res: Results, year: int, tiers: Sequence[str]) -> float:
    d = res.daily
    d = d[(d["day"] >= (year - 1) * YEAR) & (d["day"] < year * YEAR)]
    return float(d.loc[d["tier"].isin(tiers), "visits"].sum())


def _relative_change(scenario: str, tiers: Sequence[str], year: int
                     ) -> Callable[[dict[str, Results]], float]:
    """Visits at ``tiers`` in reform ``year`` against the baseline on the same seed."""
    def value(runs: dict[str, Results]) -> float:
        return (_tier_visits(runs[scenario], year + 1, tiers)
                / _tier_visits(runs["baseline"], year + 1, tiers) - 1.0)
    return value


def _down_referrals(res: Results, year: int) -> float:
    d = res.daily
    d = d[(d["day"] >= (year - 1) * YEAR) & (d["day"] < year * YEAR)]
    return float(d.loc[d["tier"].isin(("provincial", "county_general", "county")),
                       "down_sent"].sum())


def _luxian(runs: dict[str, Results]) -> float:
    # 2023 over 2022 in a consortium piloted from 2019: reform years 5 and 4 (run years 6 and 5)
    res = runs["compact_consortium"]
    return _growth(_down_referrals(res, 6), _down_referrals(res, 5))


def _growth(now: float, before: float) -> float:
    """Relative change ``now / before - 1`` (NaN when nothing happened before)."""
    return now / before - 1.0 if before else float("nan")


def _first_year_growth(runs: dict[str, Results]) -> float:
    # downward referral rate in the first reform year over the year before, in the reform run
    res = runs["compact_consortium"]
    return _growth(float(_summary(res, 2)["downward_referral_rate"]),
                   float(_summary(res, 1)["downward_referral_rate"]))


#: Named packages of a county consortium (the gatekeeping pilot is not one).
CONSORTIUM_PACKAGES = ("compact_consortium", "yongan_2022", "x_county_trusteeship")


def _reform_max(runs: dict[str, Results]) -> float:
    """Highest yearly downward referral rate of any consortium package in reform years 1-5."""
    return max(float(_summary(runs[p], y)["downward_referral_rate"])
               for p in CONSORTIUM_PACKAGES for y in range(2, 7))


def _effect(runs: dict[str, Results], scenario: str, metric: str, year: int) -> float:
    """Return a metric under ``scenario`` minus the status quo (same seed) in reform ``year``."""
    return float(_summary(runs[scenario], year + 1)[metric]
                 - _summary(runs["baseline"], year + 1)[metric])


def _upward_effect(runs: dict[str, Results]) -> float:
    return _effect(runs, "compact_consortium", "upward_referral_rate", 3)


def _late_primary_share_change(runs: dict[str, Results]) -> float:
    # whether the effect on the primary share still grows from reform year 3 to 5
    return (_effect(runs, "compact_consortium", "primary_outpatient_share", 5)
            - _effect(runs, "compact_consortium", "primary_outpatient_share", 3))


def _share_change(runs: dict[str, Results]) -> float:
    res = runs["secular_2011_2021"]
    return float(_summary(res, 11)["primary_outpatient_share"]
                 - _summary(res, 1)["primary_outpatient_share"])


def _referred_share(runs: dict[str, Results]) -> float:
    d = runs["baseline"].daily
    d = d[(d["day"] >= YEAR) & (d["day"] < 2 * YEAR)]
    allr = d[d["tier"] == "all"]
    referred = allr["up_sent"].sum() + allr["down_sent"].sum()
    return float(referred / (allr["episodes"].sum() - allr["forgone"].sum()))


def fact_band(name: str, targets: pd.DataFrame) -> tuple[float, float]:
    """Return the band of a band fact: rows ``<name>_band_min`` and ``<name>_band_max``.

    >>> fact_band("primary_outpatient_share", data.load_targets())
    (0.5, 0.6)
    """
    return (float(targets.at[f"{name}_band_min", "value"]),
            float(targets.at[f"{name}_band_max", "value"]))


#: Hospitals of county level and above, those outside the county included (the gatekeeping
#: and interest-coordination facts count their visits together).
UPPER = (*UPPER_IN_COUNTY, "outside")
PRIMARY = PRIMARY_TIERS

#: Facts of datasets/targets.csv the model expresses, and how each is simulated.
FACTS: dict[str, Fact] = {
    **{m: Fact("baseline", 2, _baseline_metric(m)) for m in (
        "upward_referral_rate", "downward_referral_rate", "visits_per_capita",
        "county_internal_rate", "forgone_care_rate", "admissions_per_capita")},
    "primary_outpatient_share": Fact("baseline", 2, _baseline_metric("primary_outpatient_share"),
                                     how="band"),
    "referral_rate_china_max": Fact("baseline", 2, _referred_share, how="at_most"),
    "downward_acceptance_rate": Fact("baseline", 2, _baseline_metric("downward_acceptance_rate"),
                                     how="band"),
    "downward_referral_growth_first_reform_year": Fact("compact_consortium", 2,
                                                       _first_year_growth),
    "downward_referral_rate_reform_max": Fact(CONSORTIUM_PACKAGES[0], 6, _reform_max,
                                              how="band", also=CONSORTIUM_PACKAGES[1:]),
    "luxian_downward_referral_growth_2023": Fact("compact_consortium", 6, _luxian),
    "gatekeeping_primary_visits_change": Fact(
        "gatekeeping_pilot", 3, _relative_change("gatekeeping_pilot", PRIMARY, 2),
        against_baseline=True),
    "gatekeeping_hospital_visits_change": Fact(
        "gatekeeping_pilot", 3, _relative_change("gatekeeping_pilot", UPPER, 2),
        against_baseline=True),
    "interest_coordination_upper_visits_direction": Fact(
        "compact_consortium", 6, _relative_change("compact_consortium", UPPER, 3), how="sign",
        against_baseline=True),
    "interest_coordination_primary_visits_direction": Fact(
        "compact_consortium", 6, _relative_change("compact_consortium", PRIMARY, 3), how="sign",
        against_baseline=True),
    "upward_referral_rate_consortium_direction": Fact(
        "compact_consortium", 6, _upward_effect, how="sign", against_baseline=True),
    "primary_share_effect_change_late": Fact(
        "compact_consortium", 6, _late_primary_share_change, how="at_most",
        against_baseline=True),
    "primary_outpatient_share_2011": Fact(
        "secular_2011_2021", 11, _share_change,
        target=lambda t: float(t.at["primary_outpatient_share", "value"]
                               - t.at["primary_outpatient_share_2011", "value"]),
        unit="change of the share 2011-2021"),
}


def scenario_params(base: Params, scenario: str) -> Params:
    """Parameters of a validation scenario: the baseline or a named package from day 365.

    The secular trends run from day 0 (2011) with no reform.
    """
    if scenario == "baseline":
        return base
    return base.with_reform(scenario, day=0 if scenario == "secular_2011_2021" else REFORM_DAY)


def _judge(how: str, target: float, values: np.ndarray, tolerance: float,
           band: tuple[float, float] | None) -> bool:
    mean = float(values.mean())
    if how == "near":
        return bool(abs(mean - target) <= tolerance)
    if how == "band":
        return bool(band[0] <= mean <= band[1])
    if how == "sign":
        return bool(np.all(np.sign(values) == np.sign(target)))
    return bool(np.all(values <= target))


def validate(preset_name: str = "x_county", *, seeds: Sequence[int] = (1, 2, 3),
             scale: float | None = 20.0, facts: Sequence[str] | None = None,
             patients: str = "arrays", out: str | os.PathLike | None = None,
             scheduler: Any = None, n_workers: int = 2, posterior: int | None = None,
             progress: bool | None = None,
             horizons: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Simulate every expressible fact of ``datasets/targets.csv`` and compare.

    Runs go through :func:`abm.sweep` (one sweep per horizon, on one Dask cluster), so a
    validation with a store ``out`` that is interrupted resumes where it stopped.

    Parameters
    ----------
    preset_name
        County preset (default ``"x_county"``).
    seeds
        Seeds; each scenario runs once per seed, reforms on common random numbers.
    scale
        Residents per simulated patient (``None``: the preset's). Rates do not depend on it
        beyond noise (docs/odd.md, Scale); 20 keeps a full table within minutes.
    facts
        Fact ids to compute (default: all of :data:`FACTS`).
    patients
        Patient representation (default ``"arrays"``, the fast one; see :func:`abm.simulate`).
    out, scheduler, n_workers
        Store, Dask scheduler and local workers, as for :func:`abm.sweep`
        (``scheduler="synchronous"`` runs in this process).
    posterior
        Number of draws of the shipped posterior (:func:`abm.posterior`) to run on every seed
        instead of the preset alone: the table then gives the mean and the central 90% band over
        draws and seeds together (``None``: the preset only, the range over seeds).
    progress
        Progress bar over runs (default: on a terminal or notebook).
    horizons
        Years to run scenarios (``"baseline"`` or a reform package) at least, beyond what the
        facts need (:func:`fact_horizons`): with a store ``out``, another experiment then reads
        those runs from it (:func:`scenario_runs` with the same horizons) instead of running
        them again. The table is the same: a run's first years do not depend on its length.

    Returns
    -------
    DataFrame
        One row per fact: ``fact, role`` (``fitted`` by the shipped posterior or ``held
        out``), ``how, target, tolerance, simulated`` (mean over seeds and draws), ``lower,
        upper`` (range over seeds, or the 90% band over draws and seeds), ``met`` (one
        judgement: on the mean, or with ``posterior`` on the band; :func:`judge`), then
        ``scenario``, ``source``, ``runs``.

    Examples
    --------
    >>> t = validate("small", seeds=[1], scale=None, facts=["visits_per_capita"],
    ...              scheduler="synchronous", progress=False)
    >>> list(t.columns[:4])
    ['fact', 'role', 'how', 'target']
    """
    if isinstance(facts, str):
        facts = [facts]  # one fact id, not its characters
    names = list(FACTS) if facts is None else list(facts)
    if not names:
        raise ValueError("facts is empty: name at least one fact id (or None for all)")
    check_facts(names)
    if isinstance(seeds, str | int) or not seeds:
        raise ValueError(f"seeds must list at least one seed, got {seeds!r}")
    for s in seeds:
        check_seed(s, "seeds")
    base = preset(preset_name)
    if scale is not None:
        base = base.replace(**{"setting.scale": float(scale)})
    if posterior is None:
        bases = {"preset": base}
    else:
        from abm.inputs.posterior import posterior_params

        bases = posterior_params(base, posterior)
    values = fact_values(bases, names, list(seeds), patients=patients, out=out,
                         scheduler=scheduler, n_workers=n_workers, progress=progress,
                         horizons=horizons)
    fitted = () if preset_name == "small" else data.posterior_provenance().get("targets", ())
    return judge(values, band=posterior is not None, fitted=fitted)


def check_facts(names: Sequence[str]) -> None:
    """Raise ``ValueError`` naming fact ids that are not in :data:`FACTS`."""
    unknown = sorted(set(names) - set(FACTS), key=str)
    if unknown:
        raise ValueError(f"unknown fact(s) {unknown}; valid facts: {', '.join(FACTS)}")


def fact_target(name: str, targets: pd.DataFrame) -> tuple[float, float]:
    """Target value and tolerance of a fact (tolerance 0 where the data package gives none)."""
    f = FACTS[name]
    target = f.target(targets) if f.target else float(targets.at[name, "value"])
    tol = targets.at[name, "tolerance"]
    return target, (float(tol) if pd.notna(tol) else 0.0)


def _covers(how: str, target: float, lower: float, upper: float,
            band: tuple[float, float] | None) -> bool:
    """Whether a predictive band ``[lower, upper]`` holds the target (meets it, for a band)."""
    if how == "band":
        return bool(lower <= band[1] and upper >= band[0])
    if how == "sign":
        return bool(np.sign(lower) == np.sign(target) or np.sign(upper) == np.sign(target))
    if how == "at_most":
        return bool(lower <= target)
    return bool(lower <= target <= upper)


#: What the ``met`` column of :func:`judge` judges, without and with posterior draws.
JUDGED_ON = {False: "the mean over seeds (every seed, for a sign or a bound)",
             True: "the central 90% band over draws x seeds"}


def judge(values: pd.DataFrame, *, band: bool = False,
          fitted: Collection[str] = ()) -> pd.DataFrame:
    """Build the validation table from fact values (a row per draw and seed, a column per fact).

    ``lower, upper``: the range of the values, or with ``band`` their central 90% interval.
    ``met`` is the one judgement (:data:`JUDGED_ON`, also in ``frame.attrs["judged_on"]``):
    without ``band`` whether the mean is within the tolerance or band (a sign: every value has
    it; a bound: every value is at or below it); with ``band`` whether the band holds the target
    (a band fact: meets the band; a sign or a bound: some of the band has the sign, or is at or
    below the bound). ``role`` is ``fitted`` for the facts in ``fitted`` (those the shipped
    posterior was fitted to), else ``held out``.
    """
    targets = data.load_targets()
    rows = []
    for name in [c for c in values.columns if c in FACTS]:
        f = FACTS[name]
        v = values[name].to_numpy(dtype=float)
        target, tol = fact_target(name, targets)
        lower, upper = (np.quantile(v, [0.05, 0.95]) if band else (v.min(), v.max()))
        edges = fact_band(name, targets) if f.how == "band" else None
        met = (_covers(f.how, target, lower, upper, edges) if band
               else _judge(f.how, target, v, tol, edges))
        rows.append({"fact": name, "role": "fitted" if name in fitted else "held out",
                     "how": f.how, "target": target, "tolerance": tol,
                     "simulated": float(v.mean()), "lower": float(lower), "upper": float(upper),
                     "met": met, "scenario": ", ".join(f.scenarios),
                     "source": targets.at[name, "source"],
                     "runs": len(v)})
    table = pd.DataFrame(rows)
    table.attrs["judged_on"] = JUDGED_ON[band]
    return table


def fact_horizons(facts: Sequence[str],
                  horizons: Mapping[str, int] | None = None) -> dict[str, int]:
    """Years each scenario runs for ``facts``: the most any of them reads, or ``horizons``.

    The baseline runs only as long as a fact reads it (its own facts, and the changes of a
    reform against it). ``horizons`` lengthens scenarios (or adds them), never shortens.

    Examples
    --------
    >>> fact_horizons(["visits_per_capita", "gatekeeping_primary_visits_change"])
    {'baseline': 3, 'gatekeeping_pilot': 3}
    >>> fact_horizons(["primary_outpatient_share_2011"], {"baseline": 6})
    {'secular_2011_2021': 11, 'baseline': 6}
    """
    years: dict[str, int] = {}
    for name in facts:
        f = FACTS[name]
        for scenario in f.runs:
            years[scenario] = max(years.get(scenario, 0), f.years)
    for scenario, y in (horizons or {}).items():
        if scenario != "baseline":
            package_changes(scenario)  # an unknown package is named before anything runs
        if isinstance(y, bool) or not isinstance(y, (int, np.integer)) or y < 1:
            raise ValueError(f"horizons[{scenario!r}] must be a positive number of years, "
                             f"got {y!r}")
        years[scenario] = max(years.get(scenario, 0), int(y))
    return years


def fact_values(bases: Mapping[str, Params], facts: Sequence[str], seeds: list[int], *,
                patients: str = "arrays", out: str | os.PathLike | None = None,
                scheduler: Any = None, n_workers: int = 2,
                progress: bool | None = None,
                horizons: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Simulate ``facts`` for several parameter sets on every seed.

    Each base runs the scenarios its facts need (common random numbers across bases and
    scenarios), each for :func:`fact_horizons` years; all runs go through :func:`abm.sweep`,
    one sweep per horizon (:func:`scenario_runs`).

    Returns
    -------
    DataFrame
        One row per (base, seed): ``draw`` (the base's name), ``seed`` and one column per fact.
    """
    chosen = {n: FACTS[n] for n in facts}
    runs = scenario_runs(bases, fact_horizons(facts, horizons), seeds, patients=patients,
                         out=out, scheduler=scheduler, n_workers=n_workers, progress=progress)
    rows = [{"draw": draw, "seed": seed, **{n: f.value(runs[draw, seed])
                                            for n, f in chosen.items()}}
            for draw in bases for seed in seeds]
    return pd.DataFrame(rows)


def scenario_runs(bases: Mapping[str, Params], horizon: Mapping[str, int], seeds: list[int],
                  *, patients: str = "arrays", out: str | os.PathLike | None = None,
                  scheduler: Any = None, n_workers: int = 2, progress: bool | None = None
                  ) -> dict[tuple[str, int], dict[str, Results]]:
    """Run each scenario of each base for its horizon in years on every seed.

    Scenarios are ``"baseline"`` or a reform package (:func:`scenario_params`). One sweep per
    horizon, in the store ``out / "<years>y"``; a baseline and its reforms of one horizon share
    their days before the reform (:func:`abm.simulate_many`). Runs already in the store are read,
    not run again. Returns ``{(base, seed): {scenario: Results}}``.
    """
    from abm.runs.experiments import load_sweep, local_cluster, sweep

    by_years: dict[int, list[str]] = {}
    for scenario, years in horizon.items():
        by_years.setdefault(years, []).append(scenario)
    show = bool(progress) if progress is not None else True
    runs: dict[tuple[str, int], dict[str, Results]] = {(b, s): {} for b in bases for s in seeds}
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            scheduler = stack.enter_context(local_cluster(n_workers))
        for years, scenarios in sorted(by_years.items()):
            store = (Path(out) / f"{years}y" if out is not None
                     else Path(stack.enter_context(tempfile.TemporaryDirectory())))
            params = {f"{b}|{s}": scenario_params(p, s) for b, p in bases.items()
                      for s in scenarios}
            sweep(params, seeds=seeds, days=years * YEAR, out=store, scheduler=scheduler,
                  n_workers=n_workers, progress=show, patients=patients)
            daily = load_sweep(store, daily=True)
            for (name, seed), d in daily.groupby(["scenario", "seed"], sort=False):
                b, _, scenario = name.rpartition("|")
                runs[b, int(seed)][scenario] = Results(
                    daily=d.reset_index(drop=True), params=params[name], seed=int(seed),
                    patients=patients, scenario=scenario)
    return runs


__all__ = ["FACTS", "HOW", "Fact", "check_facts", "fact_band", "fact_horizons", "fact_target",
           "fact_values", "judge", "scenario_runs", "validate"]
