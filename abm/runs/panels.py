"""Reform panels with a known truth: heterogeneous counties, staggered adoption, two arms each.

:func:`reform_panel` draws ``n_counties`` counties from the distribution in
``datasets/county_distribution.csv`` (residents, villages, remoteness, primary capability and
staffing, baseline trust, insurance mix), gives each a first reform year (the national timing of
the county consortium programme by default, seed 003), and runs every county twice through one
:func:`abm.sweep`: with the reform package from its adoption year and without it, on the same seed
(common random numbers). The difference of the two arms is the true effect of every county-year.

Counties share the X County facility roster (``datasets/facilities_x_county.csv``) with capacities
scaled by residents (``facilities.capacity_factor = residents / 450,000``, X County's residents),
an assumption that keeps every county's beds and slots per resident at X County's level.

All counties and both arms run on one seed derived from ``seed``; counties differ in their
parameters (and so in their number of simulated patients), so their random streams differ, but
they are not independent draws in the strict sense (a documented simplification: one sweep of
``2 x n_counties`` scenarios on one seed instead of ``n_counties`` seeds).

Examples
--------
>>> import abm
>>> rp = abm.reform_panel(40, years=8, seed=1)  # doctest: +SKIP
>>> rp.panel.columns[:3].tolist()  # doctest: +SKIP
['county', 'year', 'cohort']
>>> rp.true_att("primary_outpatient_share", "dynamic")  # doctest: +SKIP

The examples that run the model are skipped in the doctests (minutes on a loaded machine);
``tests/abm/test_panels.py`` runs them on a small panel.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from abm.engine.model import check_mode
from abm.inputs import data
from abm.inputs.checks import MAX_DAYS, check_int, check_scale, check_seed
from abm.inputs.params import (
    ParamError,
    Params,
    ReformWarning,
    package_changes,
    preset,
)
from abm.runs.experiments import spawn_seeds, sweep

__all__ = ["NATIONAL_ADOPTION", "OUTCOMES", "ReformPanel", "draw_counties", "reform_panel"]

#: Outcomes of a reform panel (metrics of :data:`abm.METRICS`).
OUTCOMES = ("primary_outpatient_share", "upward_referral_rate", "downward_referral_rate",
            "visits_per_capita", "county_internal_rate", "oop_per_episode")
#: County covariates in ``ReformPanel.panel`` (time-invariant; columns of ``.counties``).
COVARIATES = ("residents", "remoteness", "primary_strength", "baseline_trust",
              "employee_insurance_share")
#: X County's residents (datasets/presets.csv): the roster's capacities are scaled relative to it.
ROSTER_RESIDENTS = 450_000
_PRIMARY_TIERS = (3, 4)  # township, village (abm.TIERS order)
_CAPABILITY_PER_SD = 0.15  # severity units per sd of primary_strength (county_distribution.csv)
_SKILL_PER_SD = 0.04  # physician skill per sd of primary_strength (county_distribution.csv)
_PILOT_SHARE = 828 / 2800  # seed 003: 828 pilot county-level regions of about 2,800 (2019)
#: First-reform-year shares of the national programme (seed 003): about 30% in the 2019 pilot,
#: the rest in equal yearly cohorts to full coverage by 2027 (the even split is an assumption).
NATIONAL_ADOPTION: dict[int, float] = {2019: _PILOT_SHARE, **{
    y: (1 - _PILOT_SHARE) / 8 for y in range(2020, 2028)}}
_AGGREGATIONS = ("simple", "dynamic", "group", "calendar")


def _distribution() -> pd.DataFrame:
    return data.load("county_distribution").set_index("characteristic")


def draw_counties(n_counties: int, *, seed: int) -> pd.DataFrame:
    """Draw county characteristics from ``datasets/county_distribution.csv``.

    Lognormal rows take the median and log-sd, normal rows the mean and sd; draws are clipped
    to ``[lower, upper]``. Villages are residents x village density / 10,000.

    Examples
    --------
    >>> c = draw_counties(3, seed=1)
    >>> c.columns.tolist()[:3]
    ['county', 'residents', 'villages']
    """
    rng = np.random.default_rng(seed)
    out = {"county": np.arange(1, n_counties + 1)}
    for name, row in _distribution().iterrows():
        z = rng.standard_normal(n_counties)
        x = row.center * np.exp(row.spread * z) if row.distribution == "lognormal" else (
            row.center + row.spread * z)
        out[name] = np.clip(x, row.lower, row.upper)
    frame = pd.DataFrame(out)
    frame["residents"] = frame["residents"].round().astype(np.int64)
    villages = np.maximum(1, np.round(frame["residents"] * frame.pop("village_density") / 1e4))
    frame.insert(2, "villages", villages.astype(np.int64))
    return frame


def county_params(county: Mapping[str, Any], *, scale: float) -> Params:
    """Parameters of one drawn county on the X County roster (see the module docstring).

    Examples
    --------
    >>> c = draw_counties(1, seed=2).iloc[0]
    >>> p = county_params(c, scale=100)
    >>> p.setting.residents == int(c["residents"]), p.setting.scale
    (True, 100.0)
    """
    base = preset("x_county")
    z = float(county["primary_strength"])

    def shift(values: tuple[float, ...], by: float, hi: float) -> tuple[float, ...]:
        return tuple(float(np.clip(v + by, 0.0, hi)) if i in _PRIMARY_TIERS else v
                     for i, v in enumerate(values))

    rem = float(county["remoteness"])
    return base.replace(**{
        "setting.residents": int(county["residents"]),
        "setting.villages": int(county["villages"]),
        "setting.scale": float(scale),
        "facilities.capacity_factor": float(county["residents"]) / ROSTER_RESIDENTS,
        "choice.travel_hours": tuple(h * rem for h in base.choice.travel_hours),
        "choice.travel_hours_outside": base.choice.travel_hours_outside * rem,
        "facilities.capability": shift(base.facilities.capability, _CAPABILITY_PER_SD * z, 4.0),
        "physicians.skill": shift(base.physicians.skill, _SKILL_PER_SD * z, 1.0),
        "trust.prior": shift(base.trust.prior, float(county["baseline_trust"]), 1.0),
        "population.employee_insurance_share": float(county["employee_insurance_share"]),
    })


# ---------------------------------------------------------------- adoption
def _check_shares(shares: Mapping, years: range) -> dict[int, float]:
    out = {}
    for year, share in shares.items():
        if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
            raise ParamError(f"adoption years must be integers, got {year!r}")
        if isinstance(share, bool) or not isinstance(share, (int, float, np.number)) or not (
                0 <= share <= 1):
            raise ParamError(f"adoption share of {year} must be a number in [0, 1], "
                             f"got {share!r}")
        if year <= years.start:
            raise ParamError(f"adoption year {year} must be after start_year={years.start} "
                             "(a cohort needs a pre-reform year in the panel)")
        out[int(year)] = float(share)
    total = sum(out.values())
    if total > 1 + 1e-9:
        raise ParamError(f"adoption shares sum to {total:.3f} > 1; they are the shares of "
                         "counties first reformed in each year (the rest are never treated)")
    return out


def _cohort_sizes(shares: dict[int, float], n: int) -> dict[int, int]:
    """Counties per cohort by largest remainders (never-treated = the rest)."""
    keys = [*shares, 0]
    exact = np.array([*shares.values(), max(0.0, 1 - sum(shares.values()))]) * n
    sizes = np.floor(exact).astype(int)
    order = np.argsort(-(exact - sizes), kind="stable")
    sizes[order[:n - sizes.sum()]] += 1
    return dict(zip(keys, sizes.tolist(), strict=True))


def _selection_score(counties: pd.DataFrame, selection: Any, rng: np.random.Generator
                     ) -> np.ndarray:
    """Higher score = earlier adoption: coefficients on standardised characteristics + noise."""
    noise = rng.gumbel(size=len(counties))
    if selection is None:
        return noise
    coefs = {selection: 1.0} if isinstance(selection, str) else dict(selection)
    score = noise.copy()
    for name, coef in coefs.items():
        if name not in COVARIATES:
            raise ParamError(f"selection characteristic {name!r} is unknown; allowed: "
                             f"{', '.join(COVARIATES)}")
        x = counties[name].to_numpy(float)
        score += float(coef) * (x - x.mean()) / (x.std() or 1.0)
    return score


def assign_adoption(counties: pd.DataFrame, adoption: Any, selection: Any, years: range,
                    rng: np.random.Generator) -> pd.Series:
    """First reform year of each county (0: never), from a schedule of shares or a mapping.

    ``adoption`` is ``"national"`` (:data:`NATIONAL_ADOPTION`), a dict year -> share of counties
    first reformed that year (never-treated = the rest), or a dict county -> year (0 or None:
    never). With shares, ``selection`` orders counties: None at random; a characteristic name,
    or a dict name -> coefficient, makes counties with high standardised values adopt earlier.

    Examples
    --------
    >>> c = draw_counties(10, seed=1)
    >>> g = assign_adoption(c, {2019: 0.5}, None, range(2015, 2020), np.random.default_rng(0))
    >>> sorted(g.value_counts().to_dict().items())
    [(0, 5), (2019, 5)]
    """
    ids = counties["county"].tolist()
    if isinstance(adoption, str):
        if adoption != "national":
            raise ParamError(f"adoption must be 'national', a dict year -> share or a dict "
                             f"county -> year; got {adoption!r}")
        adoption = NATIONAL_ADOPTION
    if not isinstance(adoption, Mapping) or not adoption:
        raise ParamError(f"adoption must be 'national', a non-empty dict year -> share or a "
                         f"dict county -> year; got {adoption!r}")
    if not any(isinstance(v, (float, np.floating)) for v in adoption.values()):
        return _county_years(adoption, ids, selection, years)
    sizes = _cohort_sizes(_check_shares(adoption, years), len(ids))
    order = np.argsort(-_selection_score(counties, selection, rng), kind="stable")
    cohorts = np.repeat(list(sizes), list(sizes.values()))
    out = np.empty(len(ids), dtype=np.int64)
    out[order] = cohorts
    return pd.Series(out, index=pd.Index(ids, name="county"), name="cohort")


def _county_years(adoption: Mapping, ids: list, selection: Any, years: range) -> pd.Series:
    """Check an explicit county -> first reform year map (integer years; 0 or None: never)."""
    if selection is not None:
        raise ParamError("selection applies to adoption shares, not to an explicit "
                         "county -> year mapping")
    unknown = sorted(set(adoption) - set(ids), key=str)[:5]
    missing = sorted(set(ids) - set(adoption))[:5]
    if unknown or missing:
        raise ParamError(f"a county -> year adoption map must name every county 1..{len(ids)} "
                         f"and no other (use 0 for never treated); unknown {unknown}, missing "
                         f"{missing}. Shares per year must be floats, e.g. {{2019: 0.3}}")
    years_of = {c: 0 if adoption[c] in (None, 0) else adoption[c] for c in ids}
    bad = {c: y for c, y in years_of.items() if y != 0 and (
        isinstance(y, bool) or not isinstance(y, (int, np.integer)) or y <= years.start)}
    if bad:
        raise ParamError(f"adoption years must be integers after start_year={years.start} "
                         f"(or 0 / None for never); bad: {bad}")
    return pd.Series(years_of, name="cohort").rename_axis("county").astype(np.int64)


# ---------------------------------------------------------------- the panel
@dataclass(frozen=True)
class ReformPanel:
    """A county-year panel with both arms of every county and the true effects.

    ``panel``: ``county, year, cohort`` (first reform year inside the panel, 0 for never or
    later), the outcomes of :data:`OUTCOMES` as observed, and the county covariates.
    ``truth``: ``county, year, cohort, outcome, observed, counterfactual, effect`` (long).
    ``counties``: the drawn characteristics and ``adoption_year`` (also beyond the panel).
    """

    panel: pd.DataFrame
    truth: pd.DataFrame
    counties: pd.DataFrame
    package: str
    seed: int

    def true_att(self, outcome: str, aggregation: str = "simple") -> float | pd.Series:
        """Return the true estimand of ``att_gt(...).aggregate(aggregation)`` (same weights).

        The true ATT(g, t) is the mean effect of the cohort-g counties in year t; it is
        aggregated by :func:`econometrics.cs.aggte.aggregate_effects`, the function that
        aggregates estimated ATT(g, t). ``"simple"`` returns a float (the mean effect over treated
        county-years); the others a Series indexed by event time (pre-periods included, true
        value 0), cohort or year, with the aggregation's overall value in ``attrs["overall"]``.

        Examples
        --------
        >>> import abm
        >>> rp = abm.reform_panel(4, years=3, start_year=2018, scale=2000, seed=1,
        ...                       adoption={2019: 0.5})  # doctest: +SKIP
        >>> rp.true_att("visits_per_capita", "dynamic").index.tolist()  # doctest: +SKIP
        [-1, 0, 1]
        """
        from econometrics import GroupTimeEstimates, aggregate_effects

        _check_outcome(outcome)
        if aggregation not in _AGGREGATIONS:
            raise ParamError(f"aggregation must be one of {', '.join(_AGGREGATIONS)}; "
                             f"got {aggregation!r}")
        t = self.truth[(self.truth.outcome == outcome) & (self.truth.cohort > 0)]
        if t.empty:
            raise ParamError("the panel has no county treated inside its years: no true ATT")
        cells = t.groupby(["cohort", "year"])["effect"].mean()
        g = cells.index.get_level_values(0).to_numpy(float)
        yr = cells.index.get_level_values(1).to_numpy(float)
        gt = GroupTimeEstimates(g, yr, cells.to_numpy(float), np.zeros((1, len(cells))),
                                float(self.panel.year.min()), float(yr.max()))
        unit_cohort = self.panel.groupby("county")["cohort"].first().to_numpy(float)
        agg = aggregate_effects(gt, unit_cohort, aggregation)
        if aggregation == "simple":
            return float(agg.overall_att)
        name = {"dynamic": "event_time", "group": "cohort", "calendar": "year"}[aggregation]
        out = pd.Series(agg.att, index=pd.Index(agg.labels.astype(int), name=name),
                        name="truth")
        out.attrs["overall"] = float(agg.overall_att)
        return out

    @classmethod
    def dgp(cls, n_counties: int, *, outcome: str, aggregation: str = "simple",
            **options: Any) -> Callable[[int], tuple[pd.DataFrame, Any]]:
        """Adapter for :func:`econometrics.estimator_lab`: ``seed -> (panel, true_att)``.

        ``options`` are passed to :func:`reform_panel` (years, adoption, selection, scale, ...).

        Examples
        --------
        >>> f = ReformPanel.dgp(4, outcome="visits_per_capita", years=3, start_year=2018,
        ...                     scale=2000, adoption={2019: 0.5})
        >>> panel, truth = f(1)  # doctest: +SKIP
        """
        _check_outcome(outcome)

        def draw(seed: int) -> tuple[pd.DataFrame, Any]:
            rp = reform_panel(n_counties, seed=seed, progress=False, **options)
            return rp.panel, rp.true_att(outcome, aggregation)

        return draw


def _check_outcome(outcome: str) -> None:
    if outcome not in OUTCOMES:
        raise ParamError(f"outcome must be one of {', '.join(OUTCOMES)}; got {outcome!r}")


#: Most counties of a panel: China has about 2,800 county-level regions (seed 003), and each
#: county costs two runs of ``years`` years (a panel of 3,000 counties at scale 10 takes hours).
MAX_COUNTIES = 3000
#: Panel years allowed: ``start_year`` and the last year inside this range (the model's
#: schedules and adoption shares describe the programme from 2009 on; earlier or much later
#: years describe nothing it represents).
YEAR_RANGE = (1950, 2100)


def check_panel_size(n_counties: Any, years: Any, start_year: Any, *,
                     names: Mapping[str, str] | None = None) -> tuple[int, int, int]:
    """Return ``(n_counties, years, start_year)`` as ints, or raise :class:`ParamError`.

    ``n_counties`` from 2 to :data:`MAX_COUNTIES`, ``years`` from 2 to the longest run
    (:data:`abm.MAX_DAYS` / 365), ``start_year`` and the last year in :data:`YEAR_RANGE`.
    ``names`` renames the arguments in messages (the command line passes its options, e.g.
    ``{"n_counties": "--counties"}``).

    Examples
    --------
    >>> check_panel_size(np.int64(4), 3, 2018)
    (4, 3, 2018)
    >>> check_panel_size(4, 3, 99999, names={"start_year": "--start-year"})
    Traceback (most recent call last):
    ...
    abm.inputs.params.ParamError: --start-year must be an integer from 1950 to 2099, got 99999
    """
    name = {"n_counties": "n_counties", "years": "years", "start_year": "start_year",
            **(names or {})}
    n = check_int(n_counties, name["n_counties"], 2, MAX_COUNTIES)
    y = check_int(years, name["years"], 2, MAX_DAYS // 365)
    lo, hi = YEAR_RANGE
    first = check_int(start_year, name["start_year"], lo, hi - 1)
    if first + y - 1 > hi:
        raise ParamError(f"{name['start_year']}={first} with {name['years']}={y} ends in "
                         f"{first + y - 1}, after {hi}: panel years must lie in {lo}-{hi}")
    return n, y, first


def reform_panel(n_counties: int, *, years: int, start_year: int = 2015,
                 package: str = "compact_consortium", adoption: Any = "national",
                 selection: Any = None, scale: float = 10, seed: int, scheduler: Any = None,
                 out: Any = None, n_workers: int = 2, progress: bool = True,
                 share_prefix: bool = True, patients: str = "arrays") -> ReformPanel:
    """Generate a county-year reform panel with the true effect of every county-year.

    Parameters
    ----------
    n_counties : int
        From 2 to :data:`MAX_COUNTIES` counties drawn from
        ``datasets/county_distribution.csv`` (:func:`draw_counties`).
    years, start_year : int
        Panel years ``start_year .. start_year + years - 1`` (one 365-day window each), inside
        :data:`YEAR_RANGE` (:func:`check_panel_size`).
    package : str
        Reform package of ``datasets/reforms.csv`` (``params.with_reform``), switched on on the
        first day of the county's adoption year.
    adoption : "national", dict year -> share, or dict county -> year
        See :func:`assign_adoption`. Counties adopting after the last panel year get cohort 0
        in ``panel`` (not treated within the panel; their year is in ``counties``). A late
        cohort may see only the package's first lever paths: paths starting after the panel's
        last year are not in force inside the panel, and the truth is the effect of the part in
        force (no :class:`abm.ReformWarning` for them: the panel truncates by design).
    selection : None, str or dict
        Random adoption order (None) or earlier adoption for high values of county
        characteristics (``COVARIATES``), which can break parallel trends.
    scale : float
        Residents per simulated patient (cost grows as residents / scale).
    seed : int
        Root seed: county draws, adoption order and the model runs' seed.
    scheduler, out, n_workers
        Passed to :func:`abm.sweep` (Dask scheduler, resumable Parquet store, local workers).
    progress : bool
        Progress bar of the sweep.
    share_prefix : bool
        Simulate the years before a county's reform once for both arms (default; the same
        results as running the arms apart, see :func:`abm.simulate_many`).
    patients : "arrays", "agents" or "auto"
        Representation of the patients (:class:`abm.ReferralModel`). Default ``"arrays"`` for
        every county, so all counties of a panel are simulated alike; ``"auto"`` would run the
        counties with at most 20,000 simulated patients (200,000 residents at scale 10, about
        8% of drawn counties) as Mesa agents, about 5x slower per county-year and with other
        random draws for the onsets (the same distribution).

    Returns
    -------
    ReformPanel

    Examples
    --------
    >>> rp = reform_panel(4, years=3, start_year=2018, scale=2000, seed=1,
    ...                   adoption={2019: 0.5}, progress=False)  # doctest: +SKIP
    >>> sorted(rp.panel.cohort.unique().tolist())  # doctest: +SKIP
    [0, 2019]
    """
    n_counties, years, start_year = check_panel_size(n_counties, years, start_year)
    check_seed(seed)
    if not isinstance(package, str):
        raise ParamError(f"package must be a reform package name, got {package!r}")
    package_changes(package)  # an unknown package is refused before any county is drawn
    check_mode(patients)
    scale = check_scale(scale)
    span = range(int(start_year), int(start_year) + int(years))
    s_counties, s_adoption, s_run = spawn_seeds(seed, 3)
    counties = draw_counties(int(n_counties), seed=s_counties)
    cohort = assign_adoption(counties, adoption, selection, span, np.random.default_rng(
        s_adoption))
    counties["adoption_year"] = cohort.to_numpy()
    in_panel = np.where((cohort > 0) & (cohort <= span[-1]), cohort, 0)
    if not in_panel.any():
        raise ParamError(f"no county adopts {package!r} inside the panel years {span.start}-"
                         f"{span[-1]} (adoption={adoption!r}): the panel would have no treated "
                         f"county and no effect to estimate; choose other years or adoption "
                         f"shares")
    counties["cohort"] = in_panel
    scenarios = {}
    for row, g in zip(counties.to_dict("records"), in_panel, strict=True):
        p = county_params(row, scale=scale)
        scenarios[f"{row['county']}/base"] = p
        if g:
            scenarios[f"{row['county']}/reform"] = p.with_reform(package, day=(g - span.start)
                                                                 * 365)
    with warnings.catch_warnings():  # later paths of the package lie beyond a late cohort
        warnings.simplefilter("ignore", ReformWarning)
        runs = sweep(scenarios, seeds=[s_run], days=365 * len(span), windows=365, out=out,
                     scheduler=scheduler, n_workers=n_workers, progress=progress,
                     share_prefix=share_prefix, patients=patients)
    return _assemble(runs, counties, span, package, seed)


def _assemble(runs: pd.DataFrame, counties: pd.DataFrame, span: range, package: str,
              seed: int) -> ReformPanel:
    arm = runs["scenario"].str.split("/", expand=True)
    long = runs.assign(county=arm[0].astype(np.int64), arm=arm[1],
                       year=span.start + runs["period"].astype(np.int64))
    long = long.melt(id_vars=["county", "arm", "year"], value_vars=list(OUTCOMES),
                     var_name="outcome")
    wide = long.pivot_table(index=["county", "year", "outcome"], columns="arm",
                            values="value", aggfunc="first").reset_index()
    wide["reform"] = wide["reform"].fillna(wide["base"]) if "reform" in wide else wide["base"]
    truth = wide.rename(columns={"reform": "observed", "base": "counterfactual"})
    truth = truth.merge(counties[["county", "cohort"]], on="county")
    truth["effect"] = truth["observed"] - truth["counterfactual"]
    truth = truth[["county", "year", "cohort", "outcome", "observed", "counterfactual",
                   "effect"]].sort_values(["county", "outcome", "year"], ignore_index=True)
    truth.columns.name = None
    panel = truth.pivot(index=["county", "year"], columns="outcome", values="observed")
    panel = panel[list(OUTCOMES)].reset_index()
    panel.columns.name = None
    panel = panel.merge(counties[["county", "cohort", *COVARIATES]], on="county")
    panel = panel[["county", "year", "cohort", *OUTCOMES, *COVARIATES]]
    return ReformPanel(panel=panel, truth=truth, counties=counties, package=package, seed=seed)
