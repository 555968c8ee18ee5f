"""Design search: which incentive package reaches a goal, robust to what the model does not know.

The inverse of ``referral-lab compare``: instead of judging designs written by hand, search the
levers' levels (and ramps) for the designs that best reach an analyst's objectives within
constraints. A *goal* (a small TOML file, or the same table in Python) names

* the **objectives**: metrics of ``Results.summary()`` or ``Results.by_group()`` to raise or
  lower against the status quo (e.g. the primary care share of outpatient visits up);
* the **constraints**: bounds on other effects (e.g. insurance fund spending per resident not
  above the status quo; forgone care in the most remote fifth of villages not worse); ``budget``
  is the common one, a cap on the change in insurance fund spending per resident;
* the **levers** to search, each over a range of final values, optionally with a range of ramp
  lengths; and the county, horizon, seeds and posterior draws.

Every trial design runs with the status quo on common random numbers over the same posterior
draws x seeds (:func:`abm.apps.designs.run_design_replications`, i.e. :func:`abm.sweep` with
``posterior=``), so a design is judged by its effect's mean and 90% band
(:func:`abm.fitting.calibration.bands`), not one run. Optuna's seeded samplers (TPE by default)
propose designs by ask and tell, a batch of trials per sweep. The runs are stored in the sweep
store, so a killed search, rerun, asks the same designs, reads their runs back and finishes with
the same front; ``scheduler=`` sends the runs to any Dask cluster.

What a search returns (:class:`DesignSearch`): the Pareto front as a tidy frame (levers, effect
mean and 90% band per objective, constraint margins), a plot, each front design as a design file
that ``referral-lab compare`` reads, and its honest limits: which posterior parameters carry most
of each effect's band (rank correlation of a draw's parameters with its effect) and which levers
lie outside the range the reform response was calibrated on (extrapolation).

A goal file::

    title = "More primary care at no extra cost to the insurance fund"
    preset = "x_county"
    years = 2                  # years simulated after the reform starts
    reform_day = 365           # a first year under the status quo
    trials = 200               # designs tried
    batch = 10                 # designs proposed together and run in one sweep
    budget = 0.0               # insurance fund spending per resident may rise at most this (yuan)

    [replications]
    seeds = [1]
    posterior_draws = 20

    [[objectives]]
    metric = "primary_outpatient_share"
    direction = "max"

    [[constraints]]
    metric = "forgone_care_rate"
    group = "remoteness_quintile=5"   # the most remote fifth of villages
    max_change = 0.0

    [levers]
    revenue_share = [0.0, 0.8]
    primary_reimbursement_premium = { range = [0.05, 0.25], ramp_years = [0.0, 3.0] }

Examples
--------
A toy objective with a known optimum runs through the same search as the model
(:func:`run_search` with a pure function in place of the simulations):

>>> goal = parse_goal({"title": "toy", "preset": "small", "years": 1, "reform_day": 10,
...                    "trials": 12, "objectives": [{"metric": "success_rate"}],
...                    "levers": {"revenue_share": [0.0, 1.0]}}, source="example")
>>> def toy(cands):
...     return pd.DataFrame([{"scenario": n, "draw": "preset", "seed": 1,
...                           "success_rate": -(c["revenue_share"][0] - 0.3) ** 2}
...                          for n, c in cands.items()])
>>> trials = run_search(toy, goal, progress=False)
>>> best = trials.loc[trials["success_rate_mean"].idxmax(), "revenue_share"]
>>> bool(abs(best - 0.3) < 0.15)
True
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import tempfile
import time
import tomllib
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm.apps.designs import (
    DAYS_PER_YEAR,
    Design,
    DesignError,
    check_keys,
    design_to_params,
    key_error,
    parse_design,
    plural,
    run_design_replications,
)
from abm.apps.report import (
    GROUP_LABELS,
    STATUS_QUO,
    fmt_change,
    fmt_value,
    git_describe,
    kind,
    label,
    png_base64,
)
from abm.engine.metrics import GROUP_METRICS, METRICS
from abm.fitting.calibration import bands
from abm.fitting.validation import CONSORTIUM_PACKAGES
from abm.inputs.params import Incentives, Params, ReformWarning, preset, reform_packages
from abm.inputs.posterior import LEVEL, posterior, preset_of, resample
from abm.runs.experiments import local_cluster

DIRECTIONS = ("max", "min")
#: What an objective optimises: the effect's mean, or the worse end of its 90% band.
STATISTICS = ("mean", "band")
#: What a constraint is judged on: the effect's mean, or the worse end of its 90% band.
JUDGES = ("mean", "band")
SAMPLERS = ("tpe", "nsga2", "random")
MAX_TRIALS = 10_000
MAX_YEARS = 50
#: The window effects are measured over: from the reform start to the end of the run.
WINDOW = "after_reform"
#: A ramp shorter than a month is a step (a ramp moves in monthly steps).
MIN_RAMP_YEARS = 1 / 12
#: The metric ``budget`` caps: the change in insurance fund spending per resident per year.
BUDGET_METRIC = "insurance_spend_per_capita"
#: Parameters named per effect as carrying most of its band across posterior draws.
TOP_DRIVERS = 3
_LEVERS = {f.name: f for f in fields(Incentives)}
_GOAL_KEYS = ("title", "description", "preset", "years", "reform_day", "trials", "batch",
              "sampler", "sampler_seed", "budget", "parameters", "replications", "objectives",
              "constraints", "levers")
_GROUPS = ("county", *(f"{g}={v}" for g, v in GROUP_LABELS))


# ---------------------------------------------------------------------- the goal


@dataclass(frozen=True)
class Target:
    """An effect: a metric of the whole county or of one group of residents (``by_group``)."""

    metric: str
    grouping: str = "county"
    group: str = "all"

    @property
    def label(self) -> str:
        """Column name of the effect, e.g. ``forgone_care_rate[remoteness_quintile=5]``.

        Examples
        --------
        >>> Target("forgone_care_rate", "remoteness_quintile", "5").label
        'forgone_care_rate[remoteness_quintile=5]'
        """
        return self.metric if self.grouping == "county" else \
            f"{self.metric}[{self.grouping}={self.group}]"

    def rows(self, runs: pd.DataFrame) -> pd.DataFrame:
        """Return the rows of ``runs`` (a run_design_replications frame) this effect reads."""
        return runs[(runs["grouping"] == self.grouping) & (runs["group"] == self.group)]

    def describe(self) -> str:
        """Readable name, e.g. ``Illness episodes without formal care, remoteness quintile 5``."""
        name = label(self.metric)
        return name if self.grouping == "county" else \
            f"{name}, {GROUP_LABELS[self.grouping, self.group]}"


@dataclass(frozen=True)
class Objective:
    """Raise (``max``) or lower (``min``) an effect, judged on its mean or its band's worse end."""

    target: Target
    direction: str = "max"
    statistic: str = "mean"


@dataclass(frozen=True)
class Constraint:
    """An effect held within ``[min_change, max_change]`` (either may be open).

    ``judge = "mean"``: the effect's mean must lie inside; ``"band"``: its whole 90% band.
    """

    target: Target
    max_change: float | None = None
    min_change: float | None = None
    judge: str = "mean"

    def text(self) -> str:
        """Say the constraint in words.

        Examples
        --------
        >>> Constraint(Target("insurance_spend_per_capita"), max_change=0.0).text()
        'Insurance fund spending per resident per year: change at most +0.0 yuan (mean)'
        """
        m = self.target.metric
        parts = []
        if self.min_change is not None:
            parts.append(f"at least {fmt_change(m, self.min_change)}")
        if self.max_change is not None:
            parts.append(f"at most {fmt_change(m, self.max_change)}")
        judged = "mean" if self.judge == "mean" else "whole 90% band"
        return f"{self.target.describe()}: change {' and '.join(parts)} ({judged})"


@dataclass(frozen=True)
class LeverRange:
    """A lever searched over final values ``[low, high]`` and ramp lengths ``ramp_years``.

    ``low == high`` fixes the value; ``ramp_years = (0, 0)`` makes it a step at the reform day.
    """

    lever: str
    low: float
    high: float
    ramp_years: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class Goal:
    """A validated goal (see the module docstring for the file format)."""

    title: str
    preset: str
    years: float
    reform_day: int
    trials: int
    batch: int
    sampler: str
    sampler_seed: int
    parameters: Mapping[str, Any]
    seeds: tuple[int, ...]
    posterior_draws: int
    objectives: tuple[Objective, ...]
    constraints: tuple[Constraint, ...]
    levers: tuple[LeverRange, ...]
    source: str
    description: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def days(self) -> int:
        """Horizon of each run: the days before the reform and the years after it."""
        return self.reform_day + round(self.years * DAYS_PER_YEAR)

    def targets(self) -> list[Target]:
        """Every effect the goal reads (objectives first), each once."""
        return list(dict.fromkeys([o.target for o in self.objectives]
                                  + [c.target for c in self.constraints]))

    def baseline_params(self) -> Params:
        """Return the status quo: the preset with the goal's ``[parameters]``."""
        return preset(self.preset).replace(**dict(self.parameters))

    def design_raw(self, levels: Mapping[str, tuple[float, float]], title: str) -> dict:
        """Return the design-file table of a design with these ``lever -> (value, ramp years)``."""
        raw = {"title": title, "preset": self.preset, "days": self.days,
               "reform_day": self.reform_day,
               "levers": {k: lever_entry(v, y) for k, (v, y) in levels.items()},
               "replications": {"seeds": list(self.seeds),
                                "posterior_draws": self.posterior_draws},
               "outcomes": {"report": list(dict.fromkeys(t.metric for t in self.targets()))}}
        if self.parameters:
            raw["parameters"] = dict(self.parameters)
        return raw

    def design(self, name: str, levels: Mapping[str, tuple[float, float]]) -> Design:
        """Return the design of a trial (a valid design file; it may equal the status quo)."""
        raw = self.design_raw(levels, f"{self.title}: design {name}")
        return parse_design(raw, name=name, source=f"{self.source} (design {name})",
                            allow_unchanged=True)


def lever_entry(value: float, years: float) -> float | dict:
    """Return a lever's entry in a design file: a number (a step) or a ramp table.

    Examples
    --------
    >>> lever_entry(0.5, 0.0), lever_entry(0.5, 2.0)
    (0.5, {'value': 0.5, 'path': 'ramp', 'years': 2.0})
    """
    if years < MIN_RAMP_YEARS:
        return value
    return {"value": value, "path": "ramp", "years": years}


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _pair(v: Any, source: str, key: str, lo: float, hi: float, unit: str) -> tuple[float, float]:
    """Read ``[a, b]`` with ``lo <= a <= b <= hi`` (a number ``a`` is ``[a, a]``)."""
    if _number(v):
        v = [v, v]
    allowed = f"allowed: a number or [low, high] with {lo:g} <= low <= high <= {hi:g} ({unit})"
    if not (isinstance(v, list) and len(v) == 2 and all(_number(x) for x in v)):
        raise key_error(source, key, v, allowed)
    a, b = float(v[0]), float(v[1])
    if not lo <= a <= b <= hi:
        raise key_error(source, key, v, allowed)
    return a, b


def _lever_range(name: str, spec: Any, source: str) -> LeverRange:
    if name not in _LEVERS:
        raise DesignError(f"{source}: unknown lever '{name}' in [levers]; allowed levers: "
                          f"{', '.join(_LEVERS)}")
    meta = _LEVERS[name].metadata
    key = f"levers.{name}"
    ramp = (0.0, 0.0)
    if isinstance(spec, Mapping):
        check_keys(spec, ("range", "ramp_years"), source, prefix=f"{key}.")
        if "range" not in spec:
            raise DesignError(f"{source}: missing key '{key}.range' (the values to search, "
                              f"[low, high] in {list(meta['range'])})")
        ramp = _pair(spec.get("ramp_years", 0.0), source, f"{key}.ramp_years", 0.0, 100.0,
                     "years")
        spec, key = spec["range"], f"{key}.range"
    low, high = _pair(spec, source, key, *meta["range"], meta["unit"])
    return LeverRange(name, low, high, ramp)


def _group(v: Any, source: str, key: str) -> tuple[str, str]:
    if v == "county":
        return "county", "all"
    if isinstance(v, str) and "=" in v:
        grouping, _, group = v.partition("=")
        if (grouping, group) in GROUP_LABELS:
            return grouping, group
    raise key_error(source, key, v, f"allowed groups: {', '.join(_GROUPS)}")


def _target(spec: Mapping[str, Any], source: str, key: str) -> Target:
    if "metric" not in spec:
        raise DesignError(f"{source}: missing key '{key}.metric' (allowed metrics: "
                          f"{', '.join(METRICS)})")
    grouping, group = _group(spec.get("group", "county"), source, f"{key}.group")
    allowed = METRICS if grouping == "county" else GROUP_METRICS
    metric = spec["metric"]
    if metric not in allowed:
        where = "" if grouping == "county" else " for a group of residents"
        raise key_error(source, f"{key}.metric", metric,
                        f"allowed metrics{where}: {', '.join(allowed)}")
    return Target(metric, grouping, group)


def _choice(spec: Mapping[str, Any], name: str, allowed: Sequence[str], source: str,
            key: str) -> str:
    v = spec.get(name, allowed[0])
    if v not in allowed:
        raise key_error(source, f"{key}.{name}" if key else name, v,
                        f"allowed: {', '.join(allowed)}")
    return v


def _tables(raw: Mapping[str, Any], name: str, source: str) -> list[Mapping[str, Any]]:
    v = raw.get(name, [])
    if not isinstance(v, list) or not all(isinstance(t, Mapping) for t in v):
        raise key_error(source, name, v, f"allowed: a list of tables ([[{name}]] in TOML)")
    return v


def _objectives(raw: Mapping[str, Any], source: str) -> tuple[Objective, ...]:
    tables = _tables(raw, "objectives", source)
    if not tables:
        raise DesignError(f"{source}: missing key 'objectives' (at least one [[objectives]] "
                          f"table with metric = one of {', '.join(METRICS)})")
    out = []
    for i, spec in enumerate(tables):
        key = f"objectives[{i}]"
        check_keys(spec, ("metric", "group", "direction", "statistic"), source, f"{key}.")
        out.append(Objective(_target(spec, source, key),
                             _choice(spec, "direction", DIRECTIONS, source, key),
                             _choice(spec, "statistic", STATISTICS, source, key)))
    targets = [o.target for o in out]
    twice = sorted({t.label for t in targets if targets.count(t) > 1})
    if twice:
        raise key_error(source, "objectives", twice[0], "allowed: each effect once")
    return tuple(out)


def _constraints(raw: Mapping[str, Any], source: str) -> tuple[Constraint, ...]:
    out = []
    for i, spec in enumerate(_tables(raw, "constraints", source)):
        key = f"constraints[{i}]"
        check_keys(spec, ("metric", "group", "max_change", "min_change", "judge"), source,
                   f"{key}.")
        bounds = {}
        for b in ("max_change", "min_change"):
            if b in spec:
                if not _number(spec[b]):
                    raise key_error(source, f"{key}.{b}", spec[b], "allowed: a number (the "
                                    "change against the status quo, in the metric's unit)")
                bounds[b] = float(spec[b])
        if not bounds:
            raise DesignError(f"{source}: missing key '{key}.max_change' or '{key}.min_change' "
                              f"(a bound on the change against the status quo)")
        if bounds.get("min_change", -math.inf) > bounds.get("max_change", math.inf):
            raise key_error(source, f"{key}.min_change", bounds["min_change"],
                            f"allowed: at most max_change = {bounds['max_change']:g}")
        out.append(Constraint(_target(spec, source, key), judge=_choice(
            spec, "judge", JUDGES, source, key), **bounds))
    if "budget" in raw:
        if not _number(raw["budget"]):
            raise key_error(source, "budget", raw["budget"], "allowed: a number of yuan per "
                            "resident per year (the most insurance fund spending may rise)")
        out.append(Constraint(Target(BUDGET_METRIC), max_change=float(raw["budget"])))
    return tuple(out)


def _int_key(raw: Mapping[str, Any], key: str, source: str, lo: int, hi: int,
             default: int) -> int:
    v = raw.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise key_error(source, key, v, f"allowed: an integer in [{lo}, {hi}]")
    return v


def parse_goal(raw: Mapping[str, Any], *, source: str) -> Goal:
    """Validate a goal read from TOML (a mapping) and return a :class:`Goal`.

    Every problem raises :class:`abm.apps.designs.DesignError` naming the source, the key, the
    bad value and what is allowed. The county, horizon, parameters and replications are checked
    by the rules of design files (:func:`abm.apps.designs.parse_design`).

    Examples
    --------
    >>> g = parse_goal({"title": "t", "preset": "small", "years": 1,
    ...                 "objectives": [{"metric": "primary_outpatient_share"}],
    ...                 "levers": {"revenue_share": [0, 0.8]}}, source="example")
    >>> g.days, g.levers[0]
    (730, LeverRange(lever='revenue_share', low=0.0, high=0.8, ramp_years=(0.0, 0.0)))
    >>> parse_goal({"title": "t", "objectives": [{"metric": "x"}],
    ...             "levers": {"revenue_share": 1}}, source="example")
    Traceback (most recent call last):
    ...
    abm.apps.designs.DesignError: example: key 'objectives[0].metric': got 'x'; allowed ...
    """
    if not isinstance(raw, Mapping):
        raise DesignError(f"{source}: a goal is a table of keys ({', '.join(_GOAL_KEYS)})")
    check_keys(raw, _GOAL_KEYS, source)
    years = raw.get("years", 3)
    if not _number(years) or round(years * DAYS_PER_YEAR) < 1 or years > MAX_YEARS:
        raise key_error(source, "years", years, f"allowed: a number of years from 1/365 to "
                        f"{MAX_YEARS} (simulated after the reform starts; 0.1 is 36 days)")
    reform_day = raw.get("reform_day", DAYS_PER_YEAR)
    trials = _int_key(raw, "trials", source, 1, MAX_TRIALS, 200)
    batch = _int_key(raw, "batch", source, 1, MAX_TRIALS, min(10, trials))
    seed = _int_key(raw, "sampler_seed", source, 0, 2**32 - 1, 2026)
    sampler = _choice(raw, "sampler", SAMPLERS, source, "")
    objectives = _objectives(raw, source)
    constraints = _constraints(raw, source)
    levers_raw = raw.get("levers", {})
    if not isinstance(levers_raw, Mapping) or not levers_raw:
        raise key_error(source, "levers", levers_raw, f"allowed: a table of lever = [low, high] "
                        f"(levers: {', '.join(_LEVERS)})")
    levers = tuple(_lever_range(k, v, source) for k, v in levers_raw.items())
    # the county, horizon, parameters and replications: the rules of design files
    template = {k: raw[k] for k in ("title", "preset", "parameters", "replications")
                if k in raw}
    after = round(years * DAYS_PER_YEAR)
    template |= {"days": reform_day + after if isinstance(reform_day, int) else after,
                 "reform_day": reform_day,
                 "levers": {r.lever: r.high for r in levers}}
    d = parse_design(template, name="goal", source=source, allow_unchanged=True)
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise key_error(source, "description", description, "allowed: a string")
    goal = Goal(title=d.title, description=description, preset=d.preset,
                years=years, reform_day=d.reform_day, trials=trials, batch=batch,
                sampler=sampler, sampler_seed=seed, parameters=dict(d.parameters),
                seeds=d.seeds, posterior_draws=d.posterior_draws, objectives=objectives,
                constraints=constraints, levers=levers, source=source,
                raw=copy.deepcopy(dict(raw)))
    if not search_space(goal):
        raise key_error(source, "levers", levers_raw, "allowed: at least one lever with a "
                        "range (low < high) or a ramp_years range to search")
    return goal


def load_goal(path: str | os.PathLike) -> Goal:
    """Read and validate a goal file (TOML).

    Examples
    --------
    >>> load_goal("no/such/goal.toml")
    Traceback (most recent call last):
    ...
    abm.apps.designs.DesignError: goal 'no/such/goal.toml': no such file
    """
    path = Path(path)
    if not path.is_file():
        raise DesignError(f"goal {str(path)!r}: no such file")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise DesignError(f"{path}: cannot read the file ({e})") from None
    except tomllib.TOMLDecodeError as e:
        raise DesignError(f"{path}: not valid TOML ({e})") from None
    return parse_goal(raw, source=str(path))


# ---------------------------------------------------------------------- the search space


def calibrated_range(lever: str, base: Params) -> tuple[float, float]:
    """Values of a lever the posterior's reform response was fitted on.

    From the status quo's value to the values the consortium packages of the reform facts
    (:data:`abm.fitting.validation.CONSORTIUM_PACKAGES`, ``datasets/reforms.csv``) reach. A
    design beyond it asks the model for a response no fitted fact has seen: extrapolation.

    Examples
    --------
    >>> from abm import preset
    >>> calibrated_range("revenue_share", preset("x_county"))
    (0.0, 0.3)
    >>> calibrated_range("gatekeeping_penalty", preset("x_county"))  # in no consortium package
    (0.0, 0.0)
    """
    pk = reform_packages()
    rows = pk[pk["package"].isin(CONSORTIUM_PACKAGES)
              & (pk["parameter"] == f"incentives.{lever}")]
    values = [float(getattr(base.incentives, lever)), *rows["value"].astype(float)]
    return min(values), max(values)


def search_space(goal: Goal) -> dict[str, tuple[float, float]]:
    """Return the dimensions the sampler searches: ``lever`` (its value), ``lever.ramp_years``."""
    dims = {}
    for r in goal.levers:
        if r.low < r.high:
            dims[r.lever] = (r.low, r.high)
        if r.ramp_years[0] < r.ramp_years[1]:
            dims[f"{r.lever}.ramp_years"] = r.ramp_years
    return dims


def candidate(goal: Goal, params: Mapping[str, float]) -> dict[str, tuple[float, float]]:
    """Return a trial's ``lever -> (value, ramp years)`` from the sampler's values (rounded).

    Values are rounded to 4 decimals and ramps to a hundredth of a year, so design files read
    well; a ramp shorter than a month is a step.
    """
    out = {}
    for r in goal.levers:
        value = round(float(params.get(r.lever, r.low)), 4)
        years = round(float(params.get(f"{r.lever}.ramp_years", r.ramp_years[0])), 2)
        out[r.lever] = (value, years if years >= MIN_RAMP_YEARS else 0.0)
    return out


# ---------------------------------------------------------------------- effects and scores


def paired_differences(runs: pd.DataFrame, baseline: str, targets: Sequence[Target],
                       window: str = WINDOW) -> pd.DataFrame:
    """Design minus status quo on each (draw, seed): one row per scenario, draw and seed.

    ``runs`` is a frame of :func:`abm.apps.designs.run_design_replications`; the result has the
    columns ``scenario, draw, seed`` and one per target (:attr:`Target.label`).

    Examples
    --------
    >>> runs = pd.DataFrame({"scenario": ["sq", "sq", "a", "a"], "draw": "preset",
    ...                      "seed": [1, 2, 1, 2], "window": WINDOW, "grouping": "county",
    ...                      "group": "all", "success_rate": [0.5, 0.6, 0.7, 0.6]})
    >>> paired_differences(runs, "sq", [Target("success_rate")]).round(2).values.tolist()
    [['a', 'preset', 1, 0.2], ['a', 'preset', 2, 0.0]]
    """
    w = runs[runs["window"] == window]
    cols = []
    for t in targets:
        wide = t.rows(w).set_index(["draw", "seed", "scenario"])[t.metric].unstack("scenario")
        diff = wide.drop(columns=baseline).sub(wide[baseline], axis=0)
        cols.append(diff.stack().rename(t.label))
    out = pd.concat(cols, axis=1).reset_index()
    order = {s: i for i, s in enumerate(dict.fromkeys(runs["scenario"]))}
    out = out.sort_values(["scenario", "draw", "seed"], key=lambda c: c.map(order)
                          if c.name == "scenario" else c, kind="stable")
    return out[["scenario", "draw", "seed", *(t.label for t in targets)]].reset_index(drop=True)


def effect_bands(diffs: pd.DataFrame, targets: Sequence[Target]) -> pd.DataFrame:
    """Mean and 90% band of each effect per scenario, wide: ``<label>_mean/_lower/_upper``.

    The band is over all (draw, seed) pairs of the scenario
    (:func:`abm.fitting.calibration.bands`): parameter uncertainty and seed noise together.
    """
    labels = [t.label for t in targets]
    long = bands(diffs, labels, by="scenario", level=LEVEL)
    wide = long.pivot(index="scenario", columns="metric", values=["mean", "lower", "upper"])
    out = pd.DataFrame(index=wide.index)
    for lab in labels:
        for stat in ("mean", "lower", "upper"):
            out[f"{lab}_{stat}"] = wide[stat, lab]
    return out


def worse_end(direction: str, mean: float, lower: float, upper: float,
              statistic: str) -> float:
    """Return the effect an objective or constraint is judged on: its mean or its band's worse end.

    For an effect to raise (``max``) the worse end is the band's lower end; to lower, the upper.

    Examples
    --------
    >>> worse_end("max", 1.0, 0.2, 1.8, "band"), worse_end("min", 1.0, 0.2, 1.8, "band")
    (0.2, 1.8)
    >>> worse_end("max", 1.0, 0.2, 1.8, "mean")
    1.0
    """
    if statistic == "mean":
        return mean
    return lower if direction == "max" else upper


def constraint_margin(c: Constraint, mean: float, lower: float, upper: float) -> float:
    """How far inside its bounds an effect is (>= 0: met; < 0: missed by that much).

    Examples
    --------
    >>> c = Constraint(Target("forgone_care_rate"), max_change=0.0, judge="band")
    >>> constraint_margin(c, -0.01, -0.03, 0.005)  # the band's upper end is above 0
    -0.005
    """
    margins = []
    if c.max_change is not None:
        margins.append(c.max_change - worse_end("min", mean, lower, upper, c.judge))
    if c.min_change is not None:
        margins.append(worse_end("max", mean, lower, upper, c.judge) - c.min_change)
    return min(margins)


def robust(direction: str, lower: float, upper: float) -> bool:
    """Whether the whole 90% band lies on the objective's side of zero.

    Examples
    --------
    >>> robust("max", 0.1, 0.4), robust("max", -0.1, 0.4), robust("min", -0.3, -0.1)
    (True, False, True)
    """
    return bool(lower > 0) if direction == "max" else bool(upper < 0)


def pareto_front(scores: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """Mask of the non-dominated rows among the feasible ones (every column: higher is better).

    Rows with a NaN score or infeasible are never on the front.

    Examples
    --------
    >>> s = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.4, 0.4], [2.0, 2.0]])
    >>> pareto_front(s, np.array([True, True, True, True, False])).tolist()
    [True, True, True, False, False]
    """
    scores = np.asarray(scores, dtype=float)
    ok = np.asarray(feasible, bool) & np.isfinite(scores).all(axis=1)
    front = np.zeros(len(scores), bool)
    for i in np.flatnonzero(ok):
        others = scores[ok]
        dominated = ((others >= scores[i]).all(axis=1) & (others > scores[i]).any(axis=1)).any()
        front[i] = not dominated
    return front


def score_trials(table: pd.DataFrame, goal: Goal) -> pd.DataFrame:
    """Add objective scores, constraint margins, robustness, feasibility and the front.

    ``table`` has one row per trial with the ``<label>_mean/_lower/_upper`` columns of
    :func:`effect_bands`. Scores are the value each objective optimises (its ``statistic``);
    a margin >= 0 meets its constraint (judged as it says); ``<label>_band_margin`` is the
    margin of the band's worse end (>= 0: the whole band meets it, a robust result).
    """
    out = table.copy()
    for o in goal.objectives:
        lab = o.target.label
        out[f"{lab}_score"] = [worse_end(o.direction, m, lo, hi, o.statistic) for m, lo, hi in
                               out[[f"{lab}_mean", f"{lab}_lower", f"{lab}_upper"]].to_numpy()]
        out[f"{lab}_robust"] = [robust(o.direction, lo, hi) for lo, hi in
                                out[[f"{lab}_lower", f"{lab}_upper"]].to_numpy()]
    feasible = np.ones(len(out), bool)
    for c in goal.constraints:
        lab = c.target.label
        cols = out[[f"{lab}_mean", f"{lab}_lower", f"{lab}_upper"]].to_numpy()
        out[f"{lab}_margin"] = [constraint_margin(c, *row) for row in cols]
        band = dataclasses.replace(c, judge="band")
        out[f"{lab}_band_margin"] = [constraint_margin(band, *row) for row in cols]
        feasible &= out[f"{lab}_margin"].to_numpy() >= 0
    out["feasible"] = feasible
    signs = np.array([1.0 if o.direction == "max" else -1.0 for o in goal.objectives])
    scores = out[[f"{o.target.label}_score" for o in goal.objectives]].to_numpy(float) * signs
    out["on_front"] = pareto_front(scores, feasible)
    return out


# ---------------------------------------------------------------------- the search loop


def _sampler(goal: Goal, n_trials: int):
    """Return the goal's Optuna sampler, seeded (constraints: ``Trial.set_constraint``)."""
    import optuna

    with warnings.catch_warnings():  # multivariate TPE is "experimental"
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if goal.sampler == "random":
            return optuna.samplers.RandomSampler(seed=goal.sampler_seed)
        if goal.sampler == "nsga2":
            return optuna.samplers.NSGAIISampler(seed=goal.sampler_seed,
                                                 population_size=max(2, min(50, goal.batch)))
        return optuna.samplers.TPESampler(seed=goal.sampler_seed, multivariate=True,
                                          n_startup_trials=max(1, min(10, n_trials // 3)))


def run_search(evaluate: Callable[[dict[str, dict[str, tuple[float, float]]]], pd.DataFrame],
               goal: Goal, *, progress: bool = True) -> pd.DataFrame:
    """Search the goal's levers with Optuna, evaluating batches of trials with ``evaluate``.

    ``evaluate(candidates)`` gets ``{name: {lever: (value, ramp years)}}`` and returns paired
    differences against the status quo (:func:`paired_differences`): ``scenario, draw, seed``
    and one column per target label. :func:`search_designs` passes the model (through
    :func:`abm.sweep`); tests pass pure functions with known optima. The sampler is seeded and
    each batch is told in order, so the same results ask the same next designs: a search
    rerun on a store of the same runs repeats itself exactly.

    Returns one row per trial: ``trial, design``, each lever's value (and ``<lever>.ramp_years``),
    the bands, scores, margins, ``feasible`` and ``on_front`` (:func:`score_trials`). The
    paired differences of every trial are in ``frame.attrs["differences"]``.
    """
    import optuna
    from tqdm.auto import tqdm

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    dims = search_space(goal)
    dists = {k: optuna.distributions.FloatDistribution(lo, hi) for k, (lo, hi) in dims.items()}
    targets = goal.targets()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study = optuna.create_study(directions=[o.direction + "imize" for o in goal.objectives],
                                    sampler=_sampler(goal, goal.trials))
    rows, diffs = [], []
    with tqdm(total=goal.trials, desc="search", unit="trial", disable=not progress) as bar:
        for g in range(math.ceil(goal.trials / goal.batch)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                asked = [study.ask(dists) for _ in range(min(goal.batch,
                                                             goal.trials - g * goal.batch))]
            cands = {f"trial_{t.number:04d}": candidate(goal, t.params) for t in asked}
            d = evaluate(cands)
            eff = effect_bands(d, targets).reindex(list(cands))
            batch = score_trials(pd.DataFrame(
                [{"trial": t.number, "design": name, **{k: v for k, (v, _) in c.items()},
                  **{f"{k}.ramp_years": y for k, (_, y) in c.items()}}
                 for t, (name, c) in zip(asked, cands.items(), strict=True)]
            ).join(eff, on="design"), goal)
            for t, (_, r) in zip(asked, batch.iterrows(), strict=True):
                for c in goal.constraints:  # Optuna's rule: <= 0 is feasible
                    m = r[f"{c.target.label}_margin"]
                    t.set_constraint(c.target.label, -m if np.isfinite(m) else 1.0)
                values = [r[f"{o.target.label}_score"] for o in goal.objectives]
                if all(np.isfinite(values)):
                    study.tell(t, values)
                else:  # an effect without events (e.g. no referral at all): not comparable
                    study.tell(t, state=optuna.trial.TrialState.FAIL)
            rows.append(batch[list(batch.columns[:2 + 2 * len(goal.levers)]) + list(eff.columns)])
            diffs.append(d)
            bar.update(len(asked))
    table = score_trials(pd.concat(rows, ignore_index=True), goal)
    table.attrs["differences"] = pd.concat(diffs, ignore_index=True)
    return table


# ---------------------------------------------------------------------- honest limits


def band_drivers(diffs: pd.DataFrame, draws: pd.DataFrame | None, scenario: str,
                 targets: Sequence[Target], top: int = TOP_DRIVERS) -> pd.DataFrame:
    """Which posterior parameters carry most of an effect's band, per target.

    For each target: the effect per draw (mean over seeds), its Spearman rank correlation with
    each parameter of the draws (``draws``: one row per draw name, dotted-name columns), the
    ``top`` largest in absolute value; and ``seed_share``, the share of the effect's variance
    that lies within draws (seed noise; NaN with one seed). Empty without posterior draws.

    Examples
    --------
    >>> d = pd.DataFrame({"scenario": "a", "draw": ["draw0", "draw1", "draw2", "draw3"],
    ...                   "seed": 1, "y": [0.1, 0.2, 0.3, 0.4]})
    >>> p = pd.DataFrame({"k": [1.0, 2.0, 3.0, 4.0], "j": [4.0, 1.0, 3.0, 2.0]},
    ...                  index=["draw0", "draw1", "draw2", "draw3"])
    >>> band_drivers(d, p, "a", [Target("y")], top=1)[["parameter", "rho"]].values.tolist()
    [['k', 1.0]]
    """
    from scipy import stats

    cols = ["scenario", "target", "rank", "parameter", "rho", "seed_share", "draws"]
    if draws is None or draws.empty:
        return pd.DataFrame(columns=cols)
    sub = diffs[diffs["scenario"] == scenario]
    rows = []
    for t in targets:
        per_draw = sub.groupby("draw")[t.label].mean().dropna()
        params = draws.loc[per_draw.index]
        within = sub.groupby("draw")[t.label].var(ddof=1).mean()
        total = sub[t.label].var(ddof=1)
        share = float(within / total) if np.isfinite(within) and total > 0 else float("nan")
        rhos = {}
        for p in params.columns:
            x = params[p].to_numpy(float)
            if len(per_draw) > 2 and np.ptp(x) > 0 and np.ptp(per_draw.to_numpy()) > 0:
                rhos[p] = float(stats.spearmanr(x, per_draw.to_numpy()).statistic)
        best = sorted(rhos.items(), key=lambda kv: -abs(kv[1]))[:top]
        rows += [{"scenario": scenario, "target": t.label, "rank": k + 1, "parameter": p,
                  "rho": r, "seed_share": share, "draws": len(per_draw)}
                 for k, (p, r) in enumerate(best)]
    return pd.DataFrame(rows, columns=cols)


def extrapolation(goal: Goal, levels: Mapping[str, float], base: Params) -> list[str]:
    """Levers of a design outside their calibrated range, e.g. ``revenue_share 0.6 > 0.3``."""
    out = []
    for lever, value in levels.items():
        lo, hi = calibrated_range(lever, base)
        if value > hi + 1e-12 or value < lo - 1e-12:
            out.append(f"{lever} {value:g} outside [{lo:g}, {hi:g}]")
    return out


def infeasible_note(trials: pd.DataFrame, goal: Goal) -> str | None:
    """Say which constraints no design met (and the closest miss), or None if some design did."""
    if trials["feasible"].any() or not goal.constraints:
        return None
    parts = []
    for c in goal.constraints:
        m = trials[f"{c.target.label}_margin"]
        met = int((m >= 0).sum())
        parts.append(f"{c.text()}: met by {met} of {len(trials)}"
                     + ("" if met else f", closest miss {fmt_change(c.target.metric, m.max())}"))
    return (f"no design of the {len(trials)} searched met every constraint ("
            + "; ".join(parts) + "): loosen a constraint, widen the levers' ranges or search "
            "more trials")


# ---------------------------------------------------------------------- the result


@dataclass(frozen=True)
class DesignSearch:
    """What :func:`search_designs` found: every trial, the Pareto front and its limits."""

    goal: Goal
    trials: pd.DataFrame
    drivers: pd.DataFrame
    notes: tuple[str, ...]
    seconds: float
    designs: Mapping[str, str]
    status_quo: Mapping[str, float] = field(default_factory=dict)

    @property
    def front(self) -> pd.DataFrame:
        """The Pareto front, tidy: one row per design.

        Columns ``design, trial``, each lever's value and ramp, per objective
        ``<label>_mean/_lower/_upper/_robust``, per constraint ``<label>_margin`` (>= 0: met)
        and ``<label>_band_margin`` (>= 0: met by the whole 90% band),
        ``extrapolation`` (levers outside their calibrated range) and ``band_drivers``.
        """
        g = self.goal
        levers = [r.lever for r in g.levers]
        cols = ["design", "trial", *levers, *(f"{k}.ramp_years" for k in levers)]
        for o in g.objectives:
            cols += [f"{o.target.label}_{s}" for s in ("mean", "lower", "upper", "robust")]
        for c in g.constraints:
            cols += [f"{c.target.label}_{s}" for s in ("margin", "band_margin")]
        front = self.trials[self.trials["on_front"]]
        first = g.objectives[0].target.label
        front = front.sort_values(f"{first}_mean", ascending=g.objectives[0].direction == "min")
        out = front[cols].reset_index(drop=True)
        base = g.baseline_params()
        out["extrapolation"] = ["; ".join(extrapolation(g, dict(zip(levers, vals, strict=True)),
                                                        base))
                                for vals in front[levers].to_numpy()]
        out["band_drivers"] = [self._drivers_text(d) for d in out["design"]]
        return out

    def _drivers_text(self, design: str) -> str:
        d = self.drivers[self.drivers["scenario"] == design]
        parts = []
        for target, g in d.groupby("target", sort=False):
            parts.append(f"{target}: " + ", ".join(f"{p} (rho {r:+.2f})" for p, r in
                                                     zip(g["parameter"], g["rho"], strict=True)))
        return "; ".join(parts)

    def plot(self):
        """Draw the front: every trial's effects, the front's 90% bands, the status quo at zero."""
        return figure_front(self.trials, self.goal.objectives)

    def write(self, folder: str | os.PathLike, *, command: str | None = None) -> dict[str, Path]:
        """Write ``front.csv``, ``trials.csv``, ``front.png``, ``search.html`` and ``designs/``.

        Returns the paths written by name. The design files are those of the front (written
        by :func:`search_designs` too when it has an ``out``).
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {"front": folder / "front.csv", "trials": folder / "trials.csv",
                 "figure": folder / "front.png", "report": folder / "search.html"}
        self.front.to_csv(paths["front"], index=False)
        self.trials.to_csv(paths["trials"], index=False)
        fig = self.plot()
        fig.savefig(paths["figure"], dpi=130, bbox_inches="tight")
        paths["report"].write_text(self.to_html(command=command), encoding="utf-8")
        for name, path in write_designs(self, folder / "designs").items():
            paths[f"design {name}"] = path
        return paths

    def to_html(self, *, command: str | None = None) -> str:
        """Return the search as one self-contained HTML page in the comparison report's style."""
        return render_search(self, command=command)


def render_search(search: DesignSearch, *, command: str | None = None) -> str:
    """Render the search page (``templates/search.html.j2``, the comparison report's style)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    g = search.goal
    front = search.front
    base = g.baseline_params()
    sq = search.status_quo

    def band(m: str, lo: float, hi: float) -> str:
        return f"{fmt_change(m, lo)} to {fmt_change(m, hi)}"

    levers = []
    for r in g.levers:
        lo, hi = calibrated_range(r.lever, base)
        ramp = r.ramp_years
        levers.append({"lever": r.lever, "status_quo": f"{getattr(base.incentives, r.lever):g}",
                       "searched": f"{r.low:g} to {r.high:g}" if r.low < r.high else f"{r.low:g}",
                       "ramp": (f"{ramp[0]:g} to {ramp[1]:g}" if ramp[0] < ramp[1]
                                else "step" if ramp[0] < MIN_RAMP_YEARS else f"{ramp[0]:g}"),
                       "calibrated": f"{lo:g} to {hi:g}",
                       "beyond": r.low < lo - 1e-12 or r.high > hi + 1e-12})
    objectives = [{"name": o.target.describe(), "direction": o.direction,
                   "statistic": "mean" if o.statistic == "mean" else "worse end of the band",
                   "status_quo": fmt_value(o.target.metric, sq.get(o.target.label, np.nan))}
                  for o in g.objectives]
    constraints = [{"text": c.text(), "short": c.target.describe(),
                    "status_quo": fmt_value(c.target.metric, sq.get(c.target.label, np.nan))}
                   for c in g.constraints]
    rows, robustness = [], []
    for _, r in front.iterrows():
        lev = ", ".join(f"{k} {r[k]:g}" + (f" (ramp {r[f'{k}.ramp_years']:g} y)"
                                           if r[f"{k}.ramp_years"] else "")
                        for k in (x.lever for x in g.levers))
        effects = []
        for o in g.objectives:
            lab, m = o.target.label, o.target.metric
            effects.append({"mean": fmt_change(m, r[f"{lab}_mean"]),
                            "band": band(m, r[f"{lab}_lower"], r[f"{lab}_upper"]),
                            "robust": bool(r[f"{lab}_robust"])})
            robustness.append(f"{r['design']}: {o.target.describe()} "
                              f"{fmt_change(m, r[f'{lab}_mean'])} "
                              f"({band(m, r[f'{lab}_lower'], r[f'{lab}_upper'])}): "
                              + ("robust" if r[f"{lab}_robust"] else
                                 "not robust, the band reaches the wrong side of zero"))
        margins = []
        for c in g.constraints:
            lab = c.target.label
            margins.append({"margin": fmt_change(c.target.metric, r[f"{lab}_margin"]),
                            "robust": bool(r[f"{lab}_band_margin"] >= 0),
                            "met": bool(r[f"{lab}_margin"] >= 0)})
            if r[f"{lab}_band_margin"] < 0:
                robustness.append(f"{r['design']}: {c.text()}: met on the mean, but not over "
                                  f"the whole band")
        rows.append({"design": r["design"], "levers": lev, "effects": effects,
                     "margins": margins, "extrapolation": r["extrapolation"]})
    drivers = []
    for (design, target), d in search.drivers.groupby(["scenario", "target"], sort=False):
        share = d["seed_share"].iloc[0]
        drivers.append({"design": design, "target": target,
                        "parameters": ", ".join(f"{p} ({rho:+.2f})" for p, rho in
                                                zip(d["parameter"], d["rho"], strict=True)),
                        "seed_share": "n/a (one seed)" if not np.isfinite(share)
                        else f"{share:.0%}"})
    n = max(g.posterior_draws, 3)
    env = Environment(loader=PackageLoader("abm.apps", "templates"),
                      autoescape=select_autoescape(), undefined=StrictUndefined)
    return env.get_template("search.html.j2").render(
        goal=g, n_trials=len(search.trials), n_feasible=int(search.trials["feasible"].sum()),
        front=rows, levers=levers, objectives=objectives, constraints=constraints,
        notes=search.notes, robustness=robustness, drivers=drivers,
        rho_noise=1.645 / math.sqrt(n - 1), pairs=_pairs(g),
        figure=png_base64(search.plot()), command=command or "abm.search_designs(...)",
        git=git_describe(), seconds=f"{search.seconds:.0f} s",
        goal_text=design_toml(dict(g.raw)))


def design_toml(raw: Mapping[str, Any], header: str = "") -> str:
    """Write a design table as TOML text (the subset design files use: scalars, lists, tables).

    Examples
    --------
    >>> print(design_toml({"title": "t", "days": 60, "levers": {"revenue_share": 0.5,
    ...                    "information_platform": {"value": 1.0, "path": "ramp", "years": 2.0}}}))
    title = "t"
    days = 60
    <BLANKLINE>
    [levers]
    revenue_share = 0.5
    information_platform = { value = 1.0, path = "ramp", years = 2.0 }
    <BLANKLINE>
    """
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, Mapping):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        raise TypeError(f"cannot write {type(v).__name__} to a design file")

    def key(k: str) -> str:
        return k if k.replace("_", "").isalnum() else value(k)

    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    tables = {k: v for k, v in raw.items() if isinstance(v, Mapping)}
    lines += [f"{key(k)} = {value(v)}" for k, v in raw.items() if k not in tables]
    for name, table in tables.items():
        lines += ["", f"[{name}]", *(f"{key(k)} = {value(v)}" for k, v in table.items())]
    return "\n".join(lines) + "\n"


def write_designs(search: DesignSearch, folder: str | os.PathLike) -> dict[str, Path]:
    """Write each front design as a design file (``<design>.toml``) and check it reads back."""
    from abm.apps.designs import load_design

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in search.front["design"]:
        path = folder / f"{name}.toml"
        path.write_text(search.designs[name], encoding="utf-8")
        load_design(path)  # the file is a valid design (referral-lab compare reads it)
        out[name] = path
    return out


def figure_front(trials: pd.DataFrame, objectives: Sequence[Objective]):
    """Every trial's effects on the first two objectives; the front with its 90% bands.

    With one objective, its effect against the trial number. The status quo is the black star
    at zero change; infeasible trials are grey crosses.
    """
    from matplotlib.figure import Figure

    from abm.apps.report import FORMATS

    def axis(o: Objective) -> tuple[str, str, float]:
        k = FORMATS[kind(o.target.metric)][2]
        unit = {"share": "percentage points", "yuan": "yuan"}.get(kind(o.target.metric), "")
        arrow = "higher is better" if o.direction == "max" else "lower is better"
        return o.target.label, f"{o.target.describe()}: change ({unit}; {arrow})", k

    fig = Figure(figsize=(7.5, 5))
    ax = fig.add_subplot()
    xl, xname, kx = axis(objectives[0])
    if len(objectives) > 1:
        yl, yname, ky = axis(objectives[1])
        y = trials[f"{yl}_mean"] * ky
    else:
        yl, yname, ky = None, "trial (in the order tried)", 1.0
        y = trials["trial"].astype(float)
    x = trials[f"{xl}_mean"] * kx
    bad, ok, front = ~trials["feasible"], trials["feasible"] & ~trials["on_front"], \
        trials["on_front"]
    ax.scatter(x[bad], y[bad], marker="x", color="#aaa", label="misses a constraint", zorder=2)
    ax.scatter(x[ok], y[ok], color="#9ecae1", label="meets the constraints", zorder=3)
    xerr = np.vstack([(trials[f"{xl}_mean"] - trials[f"{xl}_lower"])[front],
                      (trials[f"{xl}_upper"] - trials[f"{xl}_mean"])[front]]) * kx
    yerr = (None if yl is None else
            np.vstack([(trials[f"{yl}_mean"] - trials[f"{yl}_lower"])[front],
                       (trials[f"{yl}_upper"] - trials[f"{yl}_mean"])[front]]) * ky)
    ax.errorbar(x[front], y[front], xerr=xerr, yerr=yerr, fmt="o", color="C3", ecolor="C3",
                elinewidth=1, capsize=2, label="Pareto front (90% band)", zorder=4)
    for name, xi, yi in zip(trials["design"][front], x[front], y[front], strict=True):
        ax.annotate(name.removeprefix("trial_"), (xi, yi), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    if yl is not None:
        ax.plot([0], [0], "*", color="black", ms=12, label="status quo", zorder=5)
        ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel(xname, fontsize=8)
    ax.set_ylabel(yname, fontsize=8)
    ax.legend(fontsize=7)
    ax.set_title("Designs searched: effects against the status quo (mean over draws x seeds)",
                 fontsize=9)
    return fig


# ---------------------------------------------------------------------- the model


class ModelEvaluator:
    """Run batches of trial designs with the status quo through :func:`abm.sweep` (one store).

    Each call is one sweep: the status quo and every design, on the goal's seeds x posterior
    draws (common random numbers). The status quo's runs are computed once and read from the
    store afterwards; a rerun reads every stored run.
    """

    def __init__(self, goal: Goal, *, scheduler: Any, store: str | os.PathLike | None,
                 progress: bool) -> None:
        self.goal = goal
        self.base = goal.baseline_params()
        self.scheduler = scheduler
        self.store = store
        self.progress = progress

    def __call__(self, candidates: Mapping[str, Mapping[str, tuple[float, float]]]
                 ) -> pd.DataFrame:
        """Run the status quo and ``candidates``; return their paired differences."""
        g = self.goal
        scenarios = {STATUS_QUO: self.base,
                     **{name: design_to_params(g.design(name, c), allow_unchanged=True)
                        for name, c in candidates.items()}}
        with warnings.catch_warnings():  # a trial at the status quo runs as the status quo
            warnings.filterwarnings("ignore", r".*leaves every lever at its baseline value",
                                    ReformWarning)
            runs = run_design_replications(
                scenarios, seeds=g.seeds, days=g.days, windows={WINDOW: (g.reform_day, g.days)},
                scheduler=self.scheduler, posterior_draws=g.posterior_draws,
                progress=self.progress, out=self.store)
        self.status_quo = runs[(runs["scenario"] == STATUS_QUO) & (runs["window"] == WINDOW)]
        return paired_differences(runs, STATUS_QUO, g.targets())

    def draws(self) -> pd.DataFrame | None:
        """Return the posterior draws the runs used, one row per draw name (None without draws)."""
        n = self.goal.posterior_draws
        if not n:
            return None
        d = resample(posterior(preset_of(self.base)), n)
        return d.set_axis([f"draw{i}" for i in range(n)])


@contextmanager
def _scheduler(scheduler: Any, n_workers: int) -> Iterator[Any]:
    """One local cluster for the whole search when ``scheduler`` is None (else as given)."""
    if scheduler is not None:
        yield scheduler
        return
    with local_cluster(n_workers) as cluster:
        yield cluster


def _goal(goal: Any) -> tuple[dict, str]:
    """Return the raw table and source of ``goal``: a Goal, a goal file, or a mapping."""
    if isinstance(goal, Goal):
        return copy.deepcopy(dict(goal.raw)), goal.source
    if isinstance(goal, (str, os.PathLike)):
        g = load_goal(goal)
        return copy.deepcopy(dict(g.raw)), g.source
    if isinstance(goal, Mapping):
        raw = copy.deepcopy(dict(goal))
        if raw and "objectives" not in raw and all(v in DIRECTIONS for v in raw.values()):
            raw = {"objectives": [{"metric": m, "direction": d} for m, d in raw.items()]}
        return raw, "search_designs(goal=...)"
    raise TypeError(f"goal must be a Goal, the path of a goal file or a mapping; got "
                    f"{type(goal).__name__}")


def search_designs(goal: Goal | str | os.PathLike | Mapping[str, Any], *,
                   levers: Mapping[str, Any] | None = None, budget: float | None = None,
                   constraints: Sequence[Mapping[str, Any]] | None = None,
                   preset: str | None = None, posterior: int | None = None,
                   seeds: Sequence[int] | None = None, years: float | None = None,
                   trials: int | None = None, batch: int | None = None,
                   scheduler: Any = None, out: str | os.PathLike | None = None,
                   n_workers: int = 2, progress: bool = True) -> DesignSearch:
    """Search incentive designs for a goal; return the Pareto front and its limits.

    Parameters
    ----------
    goal
        A :class:`Goal`, the path of a goal file (TOML, see the module docstring), or the same
        table as a mapping; ``{"primary_outpatient_share": "max"}`` is a mapping of objectives
        (metric -> ``"max"`` or ``"min"``). The keywords below replace the goal's keys.
    levers
        ``{lever: [low, high]}`` or ``{lever: {"range": [low, high], "ramp_years": [a, b]}}``.
    budget
        Most insurance fund spending per resident per year may rise against the status quo
        (yuan; a constraint on ``insurance_spend_per_capita``).
    constraints
        Tables ``{"metric": ..., "group": ..., "max_change": ..., "min_change": ...,
        "judge": "mean" | "band"}`` (``group``: ``"county"`` or e.g.
        ``"remoteness_quintile=5"``).
    preset, posterior, seeds, years, trials, batch
        The county, posterior draws per design, seeds, years after the reform, designs tried
        and designs per sweep.
    scheduler
        As :func:`abm.sweep`: ``None`` (one local Dask cluster of ``n_workers`` processes for
        the whole search), ``"synchronous"``, an address, a Client or a cluster.
    out
        A folder: the sweep store (``out/store``, so a rerun resumes) and the front's design
        files (``out/designs``). ``None``: a temporary store, no files.
    n_workers
        Worker processes of the local cluster (``scheduler=None`` only).
    progress
        Progress bars over trials and runs.

    Examples
    --------
    Two designs of the small preset, three weeks after a reform on day 365, in this process:

    >>> s = search_designs({"downward_referral_rate": "max"}, preset="small", years=0.06,
    ...                    levers={"revenue_share": [0.2, 0.8]}, trials=2, seeds=[1],
    ...                    scheduler="synchronous", progress=False)
    >>> len(s.trials), list(s.front.columns[:3])
    (2, ['design', 'trial', 'revenue_share'])

    The issue's example on X County (a local Dask cluster; about an hour on two cores)::

        found = search_designs("papers/design_search/goal.toml", trials=200, posterior=20,
                               out="search/")
    """
    raw, source = _goal(goal)
    given = {"levers": levers, "budget": budget, "constraints": constraints, "preset": preset,
             "years": years, "trials": trials, "batch": batch}
    raw |= {k: copy.deepcopy(v) for k, v in given.items() if v is not None}
    if posterior is not None or seeds is not None:
        rep = dict(raw.get("replications", {}))
        if posterior is not None:
            rep["posterior_draws"] = posterior
        if seeds is not None:
            rep["seeds"] = list(seeds)
        raw["replications"] = rep
    raw.setdefault("title", "Design search")
    g = parse_goal(raw, source=source)
    t0 = time.perf_counter()
    with _store(out) as store, _scheduler(scheduler, n_workers) as sched:
        evaluate = ModelEvaluator(g, scheduler=sched, store=store, progress=progress)
        table = run_search(evaluate, g, progress=progress)
        draws = evaluate.draws()
        sq = evaluate.status_quo
    search = assemble(g, table, draws=draws, seconds=time.perf_counter() - t0,
                      status_quo=_status_quo_levels(sq, g.targets()))
    if out is not None:
        write_designs(search, Path(out) / "designs")
    return search


def _status_quo_levels(runs: pd.DataFrame, targets: Sequence[Target]) -> dict[str, float]:
    """Return the status quo's mean level of each target (over draws x seeds)."""
    out = {}
    for t in targets:
        out[t.label] = float(t.rows(runs)[t.metric].mean())
    return out


@contextmanager
def _store(out: str | os.PathLike | None) -> Iterator[Path]:
    if out is None:
        with tempfile.TemporaryDirectory(prefix="abm-search-") as tmp:
            yield Path(tmp)
        return
    yield Path(out) / "store"


def assemble(goal: Goal, trials: pd.DataFrame, *, draws: pd.DataFrame | None,
             seconds: float = 0.0, status_quo: Mapping[str, float] | None = None
             ) -> DesignSearch:
    """Return the :class:`DesignSearch` of a scored trial table (drivers, notes, files)."""
    diffs = trials.attrs.get("differences", pd.DataFrame(columns=["scenario"]))
    front = trials[trials["on_front"]]
    targets = goal.targets()
    drivers = pd.concat([band_drivers(diffs, draws, name, targets) for name in front["design"]]
                        or [band_drivers(diffs, None, "", targets)], ignore_index=True)
    notes = []
    missing = infeasible_note(trials, goal)
    if missing:
        notes.append(missing)
    if not goal.posterior_draws:
        notes.append("no posterior draws (posterior_draws = 0): the bands hold seed noise only, "
                     "not what the data leave uncertain; no parameter can be named as carrying "
                     "them")
    base = goal.baseline_params()
    for r in goal.levers:
        lo, hi = calibrated_range(r.lever, base)
        if r.low < lo - 1e-12 or r.high > hi + 1e-12:
            notes.append(f"{r.lever}: searched over [{r.low:g}, {r.high:g}], calibrated on "
                         f"[{lo:g}, {hi:g}] (the consortium packages of the reform facts): "
                         f"designs beyond it are extrapolation")
    designs = {}
    levers = [r.lever for r in goal.levers]
    for _, row in front.iterrows():
        levels = {k: (float(row[k]), float(row[f"{k}.ramp_years"])) for k in levers}
        raw = goal.design_raw(levels, f"{goal.title}: design {row['design']}")
        effects = "; ".join(
            f"{o.target.label} {fmt_change(o.target.metric, row[o.target.label + '_mean'])}"
            for o in goal.objectives)
        header = (f"Found by a design search ({goal.source}): {row['design']} of the Pareto "
                  f"front of {plural(len(trials), 'trial')}.\nEffects (mean over "
                  f"{_pairs(goal)}): {effects}.\nCompare it: referral-lab compare "
                  f"{row['design']}.toml --out report.html")
        designs[row["design"]] = design_toml(raw, header)
    return DesignSearch(goal=goal, trials=trials, drivers=drivers, notes=tuple(notes),
                        seconds=seconds, designs=designs, status_quo=dict(status_quo or {}))


def _pairs(goal: Goal) -> str:
    seeds = plural(len(goal.seeds), "seed")
    return f"{seeds} x {plural(goal.posterior_draws, 'posterior draw')}" \
        if goal.posterior_draws else seeds


__all__ = ["Constraint", "DesignSearch", "Goal", "LeverRange", "ModelEvaluator", "Objective",
           "Target", "assemble", "band_drivers", "calibrated_range", "constraint_margin",
           "design_toml", "effect_bands", "figure_front", "load_goal", "paired_differences",
           "pareto_front", "parse_goal", "robust", "run_search", "score_trials",
           "search_designs", "search_space", "worse_end", "write_designs"]
