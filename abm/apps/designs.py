"""Incentive designs written as TOML files, their validation, and running them.

A design says which county (a preset), how long to simulate, when the reform starts, which
levers change and how (a step, or a linear ramp over some years), which seeds to replicate on and
which outcomes to report. Shipped designs live in ``abm/apps/design_library/`` and are listed by
:func:`shipped_designs`; a design argument is either such a name or a path to a ``.toml`` file.

A design file::

    title = "Revenue sharing alone"
    preset = "x_county"
    days = 1095                # horizon of each run, days
    reform_day = 365           # the reform starts here; effects are measured from here on

    [parameters]               # optional model parameters other than levers (dotted names)
    "setting.scale" = 50.0

    [levers]                   # a number is a step at reform_day
    revenue_share = 0.5
    primary_reimbursement_premium = { value = 0.15, path = "ramp", years = 2 }
    # package = "compact_consortium"   # a named package (abm.reform_packages()); [levers] override

    [replications]
    seeds = [1, 2, 3, 4, 5]    # common random numbers: the status quo runs on the same seeds
    posterior_draws = 0        # > 0: also replicate over this many draws of the preset's
                               # calibrated posterior (abm.posterior); 0: the preset alone

    [outcomes]
    report = ["primary_outpatient_share", "downward_referral_rate"]

Every problem raises :class:`DesignError` naming the file, the key, the bad value and what is
allowed; unknown keys are errors.

Two functions are the seams to the rest of the package: :func:`design_to_params` turns a design
into :class:`abm.Params` (a reform schedule of lever paths, optionally on top of a named package
of ``datasets/reforms.csv``), and :func:`run_design_replications` runs every (scenario, seed) pair
(through :func:`abm.sweep`, on common random numbers).

Examples
--------
>>> d = load_design("revenue_sharing")
>>> d.levers["revenue_share"].value
0.5
>>> design_to_params(d).incentives_at(d.reform_day).revenue_share
0.5
"""

from __future__ import annotations

import copy
import dataclasses
import math
import tomllib
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from abm.engine.equity import GROUPINGS
from abm.engine.metrics import METRICS
from abm.inputs.params import (
    PRESETS,
    Incentives,
    ParamError,
    Params,
    ReformWarning,
    preset,
    reform_packages,
)
from abm.inputs.params import LeverPath as ParamsLeverPath
from abm.runs.experiments import SYNCHRONOUS, sweep

PathShape = Literal["step", "ramp"]
PATH_SHAPES: tuple[str, ...] = ("step", "ramp")
#: Outcomes reported when a design does not list its own.
DEFAULT_OUTCOMES: tuple[str, ...] = (
    "primary_outpatient_share", "upward_referral_rate", "downward_referral_rate",
    "county_internal_rate", "oop_per_episode", "insurance_spend_per_capita", "turned_away_rate",
    "success_rate")
MAX_DAYS = 36_500
MAX_SEEDS = 1_000
#: Most posterior draws a design may ask for (each multiplies the runs).
MAX_DRAWS = 200
DAYS_PER_YEAR = 365
_LIBRARY = "design_library"
_LEVERS = {f.name: f for f in fields(Incentives)}


class DesignError(ValueError):
    """A design file or design argument is wrong; the message names the file, key and value."""


@dataclass(frozen=True)
class LeverSpec:
    """The path of one lever from the reform on.

    It reaches its final ``value`` by a step at ``start_day`` or by a linear ramp from
    ``start_day`` over ``years``.
    """

    value: float
    path: PathShape = "step"
    start_day: int = 0
    years: float = 0.0

    def to_params_path(self, lever: str, reform_day: int) -> ParamsLeverPath:
        """Return the lever's path in the model's reform schedule (years from the reform day).

        Examples
        --------
        >>> LeverSpec(0.5, "ramp", start_day=365, years=2.0).to_params_path("revenue_share", 365)
        LeverPath(lever='revenue_share', value=0.5, start_year=0.0, ramp_years=2.0)
        """
        start = (self.start_day - reform_day) / DAYS_PER_YEAR
        return ParamsLeverPath(lever, self.value, start_year=start,
                               ramp_years=self.years if self.path == "ramp" else 0.0)


@dataclass(frozen=True)
class Design:
    """A validated incentive design (see the module docstring for the file format)."""

    name: str
    title: str
    description: str
    preset: str
    days: int
    reform_day: int
    parameters: Mapping[str, Any]
    levers: Mapping[str, LeverSpec]
    package: str | None
    seeds: tuple[int, ...]
    posterior_draws: int
    outcomes: tuple[str, ...]
    source: str
    text: str
    #: The validated table as read (with any overrides applied); the ``with_*`` methods edit it.
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
    #: Changes made after reading the file (command-line overrides), shown in reports.
    overrides: Mapping[str, Any] = field(default_factory=dict)
    #: Sentences on choices made for the user (e.g. a reform day moved into a shorter horizon).
    notes: tuple[str, ...] = ()

    def with_overrides(self, *, days: int | None = None, seeds: Sequence[int] | None = None,
                       reform_day: int | None = None) -> Design:
        """Return the design with the horizon, reform start or seeds replaced (checked again).

        A shorter ``days`` without ``reform_day`` that leaves the file's reform day outside the
        run starts the reform at :func:`default_reform_day` instead (lever start days move with
        it) and says so in :attr:`notes`.

        Examples
        --------
        >>> load_design("revenue_sharing").with_overrides(days=60, reform_day=30).days
        60
        >>> d = load_design("revenue_sharing").with_overrides(days=60)
        >>> d.reform_day, d.notes[0][:60]
        (30, 'the file starts the reform on day 365, after the 60-day hori')
        """
        raw = copy.deepcopy(dict(self.raw))
        notes = list(self.notes)
        if days is not None:
            raw["days"] = days
            if reform_day is None and isinstance(raw.get("reform_day"), int) \
                    and raw["reform_day"] >= days:
                reform_day = default_reform_day(days)
                _move_start_days(raw, raw["reform_day"], reform_day)
                notes.append(f"the file starts the reform on day {raw['reform_day']}, after the "
                             f"{days}-day horizon: it starts on day {reform_day} "
                             f"instead (half the horizon; --reform-day N chooses another day)")
        if reform_day is not None:
            raw["reform_day"] = reform_day
        if seeds is not None:
            raw.setdefault("replications", {})["seeds"] = list(seeds)
        given = {"days": days, "reform_day": reform_day, "seeds": seeds}
        new = self._reparse(raw, {k: v for k, v in given.items() if v is not None})
        return dataclasses.replace(new, notes=tuple(notes))

    def _reparse(self, raw: dict[str, Any], changes: Mapping[str, Any],
                 allow_unchanged: bool = False) -> Design:
        new = parse_design(raw, name=self.name, source=self.source, text=self.text,
                           allow_unchanged=allow_unchanged)
        return dataclasses.replace(new, overrides={**self.overrides, **changes},
                                   notes=self.notes)

    def with_lever(self, lever: str, value: float) -> Design:
        """Return the design with one lever's final value replaced (its path kept; checked again).

        Examples
        --------
        >>> load_design("revenue_sharing").with_lever("revenue_share", 0.8).levers["revenue_share"]
        LeverSpec(value=0.8, path='step', start_day=365, years=0.0)
        """
        raw = copy.deepcopy(dict(self.raw))
        levers = raw.setdefault("levers", {})
        if isinstance(levers.get(lever), dict):
            levers[lever]["value"] = value
        else:
            levers[lever] = value
        # a sweep's value may be the status quo's (checked again by design_to_params)
        return self._reparse(raw, {f"levers.{lever}": value}, allow_unchanged=True)

    def baseline_params(self) -> Params:
        """Parameters of the status quo: the preset with the design's ``[parameters]``."""
        return preset(self.preset).replace(**dict(self.parameters))


def default_reform_day(days: int) -> int:
    """Return the reform day used when a shorter horizon leaves a design's own one out.

    Half the horizon, so the run has as many days under the status quo as under the reform.

    Examples
    --------
    >>> default_reform_day(60), default_reform_day(1)
    (30, 0)
    """
    return days // 2


def plural(n: int, word: str, words: str | None = None) -> str:
    """``n`` and the noun in the right number: ``1 seed``, ``2 seeds``.

    Examples
    --------
    >>> plural(1, "seed"), plural(5, "seed"), plural(2, "day"), plural(1, "pair", "pairs")
    ('1 seed', '5 seeds', '2 days', '1 pair')
    """
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def _move_start_days(raw: dict[str, Any], old: int, new: int) -> None:
    """Shift explicit lever start days by the reform day's move (they count from day 0)."""
    for spec in (raw.get("levers") or {}).values():
        if isinstance(spec, dict) and isinstance(spec.get("start_day"), int):
            spec["start_day"] += new - old


def horizon_notes(design: Design) -> list[str]:
    """Return a sentence on the lever ramps that the run ends before, or nothing.

    All-zero effects look like a bug otherwise: the sentence says how far each ramp has come on
    the last day and which horizon would finish them.

    Examples
    --------
    >>> d = load_design("consortium_budget").with_overrides(days=60, reform_day=0)
    >>> horizon_notes(d)  # doctest: +ELLIPSIS
    ['the run ends on day 60, before the ramp of consortium_budget (4% of the way from 0 to 1)...']
    """
    p = design_to_params(design)
    if p.reform.day is None:
        return []
    last = p.incentives_at(design.days - 1)
    base = p.reform.incentives or p.incentives
    parts, ends = [], []
    for path in p.reform.paths:
        end = p.reform.day + round(path.start_year * DAYS_PER_YEAR) + round(
            path.ramp_years * DAYS_PER_YEAR)
        if path.ramp_years <= 0 or end <= design.days:
            continue
        start_value, now = getattr(base, path.lever), getattr(last, path.lever)
        span = path.value - start_value
        done = 1.0 if span == 0 else (now - start_value) / span
        parts.append(f"{path.lever} ({done:.0%} of the way from {start_value:.3g} to "
                     f"{path.value:.3g})")
        ends.append(end)
    if not parts:
        return []
    which = "the ramp of " if len(parts) == 1 else "the ramps of "
    return [f"the run ends on day {design.days}, before {which}{'; '.join(parts)} "
            f"finish{'es' if len(parts) == 1 else ''} (a ramp moves in monthly steps): "
            f"effects are those of the part in force; --days {max(ends)} --reform-day "
            f"{p.reform.day} runs {'it' if len(parts) == 1 else 'them'} to the end"]


def _where(source: str, key: str) -> str:
    return f"{source}: key '{key}'"


def _fail(source: str, key: str, value: Any, allowed: str) -> DesignError:
    return DesignError(f"{_where(source, key)}: got {value!r}; {allowed}")


def _check_keys(table: Mapping[str, Any], allowed: Iterable[str], source: str,
                prefix: str = "") -> None:
    allowed = list(allowed)
    for key in table:
        if key not in allowed:
            raise DesignError(f"{source}: unknown key '{prefix}{key}'; allowed keys"
                              f"{' in [' + prefix.rstrip('.') + ']' if prefix else ''}: "
                              f"{', '.join(allowed)}")


#: Public names of the two rules of messages, for other files of the same kind (the goal files
#: of :mod:`abm.apps.search`): one wording of "file: key 'k': got v; allowed ...".
key_error = _fail
check_keys = _check_keys


def _int(raw: Mapping[str, Any], key: str, source: str, lo: int, hi: int,
         default: int | None = None, label: str | None = None) -> int:
    label = label or key
    if key not in raw:
        if default is None:
            raise DesignError(f"{source}: missing key '{label}' (an integer in [{lo}, {hi}])")
        return default
    v = raw[key]
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise _fail(source, label, v, f"allowed: an integer in [{lo}, {hi}]")
    return v


def _str(raw: Mapping[str, Any], key: str, source: str, default: str | None = None) -> str:
    if key not in raw:
        if default is None:
            raise DesignError(f"{source}: missing key '{key}' (a string)")
        return default
    v = raw[key]
    if not isinstance(v, str) or not v.strip():
        raise _fail(source, key, v, "allowed: a non-empty string")
    return v


def _lever_path(name: str, spec: Any, reform_day: int, days: int, source: str) -> LeverSpec:
    key = f"levers.{name}"
    if name not in _LEVERS:
        raise DesignError(f"{source}: unknown lever '{name}' in [levers]; allowed levers: "
                          f"{', '.join(_LEVERS)}")
    if isinstance(spec, Mapping):
        _check_keys(spec, ("value", "path", "start_day", "years"), source, prefix=f"{key}.")
        if "value" not in spec:
            raise DesignError(f"{source}: missing key '{key}.value' (the lever's final value)")
        shape = spec.get("path", "step")
        if shape not in PATH_SHAPES:
            raise _fail(source, f"{key}.path", shape, f"allowed: {', '.join(PATH_SHAPES)}")
        start = _int(spec, "start_day", source, reform_day, days - 1, default=reform_day,
                     label=f"{key}.start_day")
        years = spec.get("years", 0.0)
        if shape == "ramp":
            if "years" not in spec:
                raise DesignError(f"{source}: missing key '{key}.years' (a ramp's length in "
                                  f"years, > 0)")
            if (isinstance(years, bool) or not isinstance(years, (int, float))
                    or not math.isfinite(years) or not 0 < years <= 100):
                raise _fail(source, f"{key}.years", years, "allowed: a number of years in "
                            "(0, 100]")
        elif "years" in spec:
            raise DesignError(f"{source}: key '{key}.years' is only allowed with path = "
                              f"\"ramp\" (got path = {shape!r})")
        value = spec["value"]
        key = f"{key}.value"
    else:
        shape, start, years, value = "step", reform_day, 0.0, spec
    meta = _LEVERS[name].metadata
    lo, hi = meta["range"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(source, key, value, f"allowed: a number in [{lo}, {hi}] ({meta['unit']})")
    if not lo <= value <= hi:
        raise _fail(source, key, value, f"allowed range [{lo}, {hi}] ({meta['unit']})")
    return LeverSpec(float(value), shape, start, float(years))


_TOP_KEYS = ("title", "description", "preset", "days", "reform_day", "package", "parameters",
             "levers", "replications", "outcomes")


def parse_design(raw: Mapping[str, Any], *, name: str, source: str, text: str = "",
                 allow_unchanged: bool = False) -> Design:
    """Validate a design read from TOML (a mapping) and return a :class:`Design`.

    A design whose levers all end at the status quo's values is refused (it changes nothing),
    unless ``allow_unchanged`` (:meth:`Design.with_lever`: a sweep point at the status quo).

    Examples
    --------
    >>> d = parse_design({"title": "t", "preset": "small", "days": 60, "reform_day": 30,
    ...                   "levers": {"revenue_share": 0.4}}, name="t", source="example")
    >>> d.seeds, d.levers["revenue_share"].start_day
    ((1, 2, 3), 30)
    >>> parse_design({"title": "t", "days": 60, "reform_day": 30, "levers": {"x": 1}},
    ...              name="t", source="example")
    Traceback (most recent call last):
    ...
    abm.apps.designs.DesignError: example: unknown lever 'x' in [levers]; allowed levers: ...
    """
    _check_keys(raw, _TOP_KEYS, source)
    title = _str(raw, "title", source)
    description = _str(raw, "description", source, default="")
    preset_name = _str(raw, "preset", source, default="small")
    if preset_name not in PRESETS:
        raise _fail(source, "preset", preset_name, f"allowed: {', '.join(PRESETS)}")
    days = _int(raw, "days", source, 1, MAX_DAYS)
    reform_day = _int(raw, "reform_day", source, 0, days - 1)
    package = _package(raw, source)
    parameters = _parameters(raw.get("parameters", {}), preset_name, source)
    levers_raw = raw.get("levers", {})
    if not isinstance(levers_raw, Mapping):
        raise _fail(source, "levers", levers_raw, "allowed: a table of lever = value")
    if not levers_raw and package is None:
        raise DesignError(f"{source}: [levers] is empty or missing and no package is named; a "
                          f"design changes at least one lever (allowed levers: "
                          f"{', '.join(_LEVERS)})")
    levers = {k: _lever_path(k, v, reform_day, days, source) for k, v in levers_raw.items()}
    seeds, draws = _replications(raw.get("replications", {}), source)
    if draws:
        _check_not_drawn(parameters, preset_name, source)
    outcomes = _outcomes(raw.get("outcomes", {}), source)
    design = Design(name=name, title=title, description=description, preset=preset_name,
                    days=days, reform_day=reform_day, parameters=parameters, levers=levers,
                    package=package, seeds=seeds, posterior_draws=draws, outcomes=outcomes,
                    source=source, text=text, raw=copy.deepcopy(dict(raw)))
    design_to_params(design, allow_unchanged=allow_unchanged)  # everything the model checks
    return design


def _package(raw: Mapping[str, Any], source: str) -> str | None:
    if "package" not in raw:
        return None
    name = _str(raw, "package", source)
    names = sorted(reform_packages()["package"].unique())
    if name not in names:
        raise _fail(source, "package", name, f"allowed packages: {', '.join(names)}")
    return name


def _parameters(table: Any, preset_name: str, source: str) -> dict[str, Any]:
    if not isinstance(table, Mapping):
        raise _fail(source, "parameters", table, "allowed: a table of \"group.field\" = value")
    for key in table:
        if key.startswith(("incentives.", "reform.")):
            raise _fail(source, f"parameters.{key}", table[key],
                        "levers and the reform go in [levers] and reform_day, not [parameters]")
    try:
        preset(preset_name).replace(**dict(table))
    except ParamError as e:
        raise DesignError(f"{source}: [parameters]: {e}") from None
    return dict(table)


def _replications(table: Any, source: str) -> tuple[tuple[int, ...], int]:
    if not isinstance(table, Mapping):
        raise _fail(source, "replications", table, "allowed: a table with seeds = [...]")
    _check_keys(table, ("seeds", "posterior_draws"), source, prefix="replications.")
    seeds = table.get("seeds", [1, 2, 3])
    ok = (isinstance(seeds, list) and 0 < len(seeds) <= MAX_SEEDS
          and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds))
    if not ok:
        raise _fail(source, "replications.seeds", seeds,
                    f"allowed: a list of 1 to {MAX_SEEDS} non-negative integers")
    if len(set(seeds)) != len(seeds):
        raise _fail(source, "replications.seeds", seeds, "allowed: distinct seeds (no repeats)")
    draws = table.get("posterior_draws", 0)
    if not (isinstance(draws, int) and not isinstance(draws, bool) and 0 <= draws <= MAX_DRAWS):
        raise _fail(source, "replications.posterior_draws", draws,
                    f"allowed: an integer from 0 (the preset alone) to {MAX_DRAWS} (draws of the "
                    f"preset's calibrated posterior, abm.posterior)")
    return tuple(seeds), draws


def _check_not_drawn(parameters: Mapping[str, Any], preset_name: str, source: str) -> None:
    """Refuse [parameters] that posterior draws would replace (the draw would win silently)."""
    from abm.inputs.posterior import posterior, preset_of

    drawn = set(posterior(preset_of(preset(preset_name)))) - {"weight"}
    both = sorted(drawn & set(parameters))
    if both:
        raise _fail(source, f"parameters.{both[0]}", parameters[both[0]],
                    f"not allowed with posterior_draws > 0: each draw sets the calibrated "
                    f"parameters ({', '.join(sorted(drawn))}); remove it or set "
                    f"posterior_draws = 0")


def _outcomes(table: Any, source: str) -> tuple[str, ...]:
    if not isinstance(table, Mapping):
        raise _fail(source, "outcomes", table, "allowed: a table with report = [...]")
    _check_keys(table, ("report",), source, prefix="outcomes.")
    report = table.get("report", list(DEFAULT_OUTCOMES))
    if not isinstance(report, list) or not report or not all(isinstance(m, str) for m in report):
        raise _fail(source, "outcomes.report", report, "allowed: a non-empty list of metric names"
                    f" ({', '.join(METRICS)})")
    for m in report:
        if m not in METRICS:
            raise _fail(source, "outcomes.report", m, f"allowed metrics: {', '.join(METRICS)}")
    if len(set(report)) != len(report):
        raise _fail(source, "outcomes.report", report, "allowed: each metric once")
    return tuple(report)


def design_to_params(design: Design, *, allow_unchanged: bool = False) -> Params:
    """Parameters of a design's reform scenario: the one place a design becomes :class:`Params`.

    The reform starts at ``reform_day``; each lever follows its path (a step at its start day or
    a linear ramp over its years, :class:`abm.inputs.params.LeverPath`). With ``package``, the named
    package's paths and other changes come first and the design's ``[levers]`` replace the
    package's path of the same lever.

    A design whose levers all end at the status quo's values changes nothing: it raises
    :class:`DesignError` naming them, unless ``allow_unchanged`` (a sweep's value at the status
    quo, which :func:`abm.sweep` runs as the status quo with a warning).

    Examples
    --------
    >>> d = load_design("reimbursement_plus10")
    >>> p = design_to_params(d)
    >>> p.incentives_at(d.reform_day - 1).primary_reimbursement_premium
    0.05
    >>> p.incentives_at(d.reform_day).primary_reimbursement_premium
    0.1
    """
    base = design.baseline_params()
    try:
        levers = {k: v.to_params_path(k, design.reform_day) for k, v in design.levers.items()}
        if design.package is None:
            p = base.with_reform(tuple(levers.values()), day=design.reform_day,
                                 allow_unchanged=True)
        else:
            # the design's [levers] replace the package's path of the same lever
            p = base.with_reform(design.package, day=design.reform_day, allow_unchanged=True)
            paths = {path.lever: path for path in p.reform.paths} | levers
            p = dataclasses.replace(p, reform=dataclasses.replace(
                p.reform, paths=tuple(paths.values())))
    except ParamError as e:
        raise DesignError(f"{design.source}: {e}") from None
    unchanged = p.unchanged_reform()
    if unchanged and not allow_unchanged:
        raise DesignError(f"{design.source}: [levers]: every lever ends at its status quo value "
                          f"({unchanged}): the design changes nothing and its runs would equal "
                          f"the status quo's; give a lever another value")
    return p


def shipped_designs() -> list[str]:
    """Names of the designs shipped with the package, sorted.

    Examples
    --------
    >>> "revenue_sharing" in shipped_designs()
    True
    """
    root = resources.files("abm.apps").joinpath(_LIBRARY)
    return sorted(p.name.removesuffix(".toml") for p in root.iterdir()
                  if p.name.endswith(".toml"))


def load_design(spec: str | Path) -> Design:
    """Read and validate a design: a shipped design's name or a path to a ``.toml`` file.

    Examples
    --------
    >>> load_design("revenue_sharing").preset
    'x_county'
    """
    spec_s = str(spec)
    if spec_s in shipped_designs() and not Path(spec_s).exists():
        res = resources.files("abm.apps").joinpath(_LIBRARY, f"{spec_s}.toml")
        return _from_text(res.read_text(encoding="utf-8"), name=spec_s,
                          source=f"{spec_s} (shipped design)")
    path = Path(spec_s)
    if not path.exists():
        raise DesignError(f"design {spec_s!r}: no such file, and not a shipped design (shipped: "
                          f"{', '.join(shipped_designs())})")
    if not path.is_file():
        raise DesignError(f"design {spec_s!r}: not a file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DesignError(f"{path}: cannot read the file ({e})") from None
    return _from_text(text, name=path.stem, source=str(path))


def _from_text(text: str, *, name: str, source: str) -> Design:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise DesignError(f"{source}: not valid TOML ({e})") from None
    return parse_design(raw, name=name, source=source, text=text)


# ---------------------------------------------------------------------- running


def run_design_replications(scenarios: Mapping[str, Params], *, seeds: Sequence[int], days: int,
                            windows: Mapping[str, tuple[int, int]],
                            scheduler: Any = SYNCHRONOUS, posterior_draws: int = 0,
                            progress: bool | None = None,
                            out: str | Path | None = None) -> pd.DataFrame:
    """Run every (scenario, seed) pair through :func:`abm.sweep` and summarise each window.

    The one place the command line and reports run several simulations. Every scenario runs on
    the same seeds, so differences between scenarios on a seed are paired (common random
    numbers). With ``posterior_draws = n > 0`` every scenario runs with the same ``n`` draws of
    its preset's calibrated posterior (``abm.sweep(posterior=n)``: resampled deterministically)
    on every seed, and pairs are (seed, draw). Returns one row per (scenario, draw, seed, window,
    group): ``scenario, draw, seed, window, first_day, end_day, grouping, group`` and every
    :data:`abm.METRICS`; ``draw`` is ``"preset"`` when ``posterior_draws = 0``. The whole
    county's rows have ``grouping="county", group="all"``; the others are per remoteness
    quintile and insurance scheme (:meth:`abm.Results.by_group`, the
    :data:`abm.engine.metrics.GROUP_METRICS`).

    ``scheduler`` is passed to :func:`abm.sweep`: ``"synchronous"`` (default: in this process),
    ``None`` (a local Dask cluster of two processes), or a Dask scheduler address
    (``"tcp://host:8786"``). ``progress`` shows a bar over runs (default: on a terminal).
    ``out`` is :func:`abm.sweep`'s store (a rerun computes only the runs missing from it;
    default: a temporary one).

    Examples
    --------
    >>> from abm import preset
    >>> p = preset("small")
    >>> runs = run_design_replications({"status quo": p}, seeds=[1], days=20,
    ...                                windows={"all": (0, 20)})
    >>> runs.query("grouping == 'county'")[["scenario", "seed", "window"]].values.tolist()
    [['status quo', 1, 'all']]
    >>> runs["grouping"].unique().tolist()
    ['county', 'remoteness_quintile', 'insurance_scheme']
    """
    names = list(windows)
    # named windows may coincide (a 30-day run's "all" and "period_0"): each distinct window is
    # summarised once (abm.sweep refuses a window given twice), then given every name it has
    distinct = list(dict.fromkeys(windows[n] for n in names))
    with warnings.catch_warnings():  # paths beyond the horizon: horizon_notes says so already
        warnings.filterwarnings("ignore", r".*start after the run ends", ReformWarning)
        frame = sweep(dict(scenarios), seeds=[int(s) for s in seeds], days=days,
                      windows=distinct, scheduler=scheduler,
                      progress=progress is not False, by_group=GROUPINGS,
                      posterior=posterior_draws or None, out=out)
    if "draw" not in frame.columns:
        frame.insert(1, "draw", "preset")
    named = pd.DataFrame({"period": [distinct.index(windows[n]) for n in names],
                          "window": names, "_w": range(len(names))})
    frame = frame.assign(_row=np.arange(len(frame)),
                         _blk=frame.groupby(["scenario", "draw", "seed"], sort=False).ngroup())
    frame = frame.merge(named, on="period").sort_values(["_blk", "_w", "_row"], kind="stable")
    keys = ["scenario", "draw", "seed", "window", "first_day", "end_day", "grouping", "group"]
    return frame[keys + [m for m in METRICS if m in frame.columns]]


def period_windows(days: int, reform_day: int) -> dict[str, tuple[int, int]]:
    """Windows for a design's runs: the whole run, the days from the reform on, and periods.

    Periods are years when the horizon has at least three of them, else 30-day months.

    Examples
    --------
    >>> list(period_windows(90, 30))
    ['all', 'after_reform', 'period_0', 'period_1', 'period_2']
    """
    length = DAYS_PER_YEAR if days >= 3 * DAYS_PER_YEAR else 30
    out = {"all": (0, days), "after_reform": (reform_day, days)}
    for k, start in enumerate(range(0, days, length)):
        out[f"period_{k}"] = (start, min(start + length, days))
    return out


def t_half_width(sd: Any, n: Any, level: float = 0.95) -> Any:
    """Half-width of the t interval of a mean from the standard deviation ``sd`` of ``n`` values.

    NaN where ``n < 2``. Works elementwise on arrays.

    Examples
    --------
    >>> round(float(t_half_width(1.0, 3)), 4)  # t(0.975, 2) / sqrt(3)
    2.4841
    """
    from scipy import stats

    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = stats.t.ppf(0.5 + level / 2, np.where(n > 1, n - 1, np.nan))
        return q * np.asarray(sd, dtype=float) / np.sqrt(n)


def paired_effects(runs: pd.DataFrame, *, baseline: str, metrics: Sequence[str],
                   window: str = "after_reform", level: float = 0.95,
                   group: tuple[str, str] = ("county", "all")) -> pd.DataFrame:
    """Mean paired difference (scenario - baseline, same seed) with a t interval over seeds.

    One row per (scenario, metric): ``baseline_mean, scenario_mean, effect, lower, upper,
    n_seeds``; the interval is NaN with a single seed. When ``runs`` has a ``draw`` column
    (posterior draws), pairs are (seed, draw): the interval is over seeds and draws together
    and ``n_seeds`` counts the pairs. When ``runs`` has ``grouping, group``
    columns (:func:`run_design_replications`), only the rows of ``group`` = (grouping, group)
    are used: the whole county by default, e.g. ``("remoteness_quintile", "5")``.

    Examples
    --------
    >>> runs = pd.DataFrame({"scenario": ["a", "a", "b", "b"], "seed": [1, 2, 1, 2],
    ...                      "window": "w", "y": [1.0, 2.0, 2.0, 4.0]})
    >>> e = paired_effects(runs, baseline="a", metrics=["y"], window="w")
    >>> e[["scenario", "effect", "n_seeds"]].values.tolist()
    [['b', 1.5, 2]]
    """
    w = runs[runs["window"] == window]
    if "grouping" in w.columns:
        w = w[(w["grouping"] == group[0]) & (w["group"] == group[1])]
    pair = ["seed", "draw"] if "draw" in w.columns else ["seed"]
    base = w[w["scenario"] == baseline].set_index(pair)
    rows = []
    for scen, grp in w[w["scenario"] != baseline].groupby("scenario", sort=False):
        g = grp.set_index(pair)
        for m in metrics:
            diff = (g[m] - base[m].reindex(g.index)).dropna().to_numpy(dtype=float)
            n = diff.size
            mean = float(diff.mean()) if n else float("nan")
            half = float(t_half_width(diff.std(ddof=1) if n > 1 else np.nan, n, level))
            rows.append({"scenario": scen, "metric": m,
                         "baseline_mean": float(base[m].mean()),
                         "scenario_mean": float(g[m].mean()), "effect": mean,
                         "lower": mean - half, "upper": mean + half, "n_seeds": n})
    return pd.DataFrame(rows)
