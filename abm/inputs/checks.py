"""Checks of the arguments of a run: seed, days, summary window, params.

One function per argument, each raising :class:`~abm.inputs.params.ParamError` (a ``ValueError``) or
:class:`ParamTypeError` (also a ``TypeError``) with a message that names the argument and what is
allowed. ``simulate``, ``ReferralModel``, ``run_for`` and ``summarize`` call them.

Examples
--------
>>> check_seed(7), check_days(30), check_window((0, 10))
(7, 30, (0, 10))
>>> check_days(2.5)
Traceback (most recent call last):
...
abm.inputs.checks.ParamTypeError: days must be an integer from 1 to 36500 (...), got 2.5 (float)
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import fields
from typing import Any

import numpy as np

from abm.inputs.params import (
    ParamError,
    Params,
    ReformWarning,
    Setting,
    package_changes,
    package_parts,
)

#: Longest run accepted, in days: 100 years. The model holds population, facilities and prices
#: fixed apart from the incentive levers, so horizons of centuries describe nothing it represents,
#: and a run of ``days=10**7`` would take days of computing before anyone noticed a typo.
MAX_DAYS = 36_500


class ParamTypeError(ParamError, TypeError):
    """An argument or parameter has the wrong type; the message names it and the allowed types."""


def _integer(value: Any) -> int | None:
    """``value`` as a Python int if it is an integer (numpy integers included, bools not)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def _kind(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def check_seed(seed: Any, name: str = "seed") -> int | np.random.SeedSequence | None:
    """Return a valid root seed: a non-negative integer, a ``SeedSequence`` or None.

    A ``numpy.random.Generator`` is refused: runs are reproducible from seeds, and the model
    spawns its own named streams from the seed.
    """
    if seed is None or isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        raise ParamTypeError(f"{name} must be a non-negative integer or None, got a numpy "
                             f"Generator: pass the integer seed the Generator was made from")
    value = _integer(seed)
    if value is None:
        raise ParamTypeError(f"{name} must be a non-negative integer or None, got {_kind(seed)}")
    if value < 0:
        raise ParamError(f"{name} must be a non-negative integer or None, got {value}")
    return value


def check_days(days: Any, name: str = "days", *, minimum: int = 1) -> int:
    """Return ``days`` as an int in ``minimum`` .. :data:`MAX_DAYS`."""
    allowed = f"{name} must be an integer from {minimum} to {MAX_DAYS} (100 years)"
    value = _integer(days)
    if value is None:
        raise ParamTypeError(f"{allowed}, got {_kind(days)}")
    if not minimum <= value <= MAX_DAYS:
        raise ParamError(f"{allowed}, got {value}")
    return value


def check_window(window: Any, days_run: int | None = None) -> tuple[int, int] | None:
    """Return a summary window ``(first, end)`` (days, end exclusive) that holds days of the run.

    ``days_run`` is the number of days in the run (days 0 .. days_run - 1), when known.
    """
    if window is None:
        if days_run == 0:
            raise ParamError("there are no days to summarize: the model has not run yet")
        return None
    allowed = ("window must be a pair (first, end) of days with 0 <= first < end "
               "(end exclusive), or None for the whole run")
    if not isinstance(window, (tuple, list)) or len(window) != 2:
        raise ParamTypeError(f"{allowed}, got {_kind(window)}")
    first, end = (_integer(x) for x in window)
    if first is None or end is None:
        raise ParamTypeError(f"{allowed}, got {window!r}")
    if not 0 <= first < end:
        raise ParamError(f"{allowed}, got {window!r}")
    if days_run is not None and first >= days_run:
        raise ParamError(f"window {window!r} holds no day of the run (days 0 to {days_run - 1})")
    return first, end


def check_params(params: Any) -> Params:
    """Return ``params`` if it is an :class:`abm.Params` (None: the defaults)."""
    if params is None:
        return Params()
    if isinstance(params, Params):
        return params
    hint = {dict: "; for changes use abm.preset(name).replace(**changes)",
            str: f"; for a preset use abm.preset({params!r})"}.get(type(params), "")
    raise ParamTypeError(f"params must be an abm.Params, got {type(params).__name__}{hint}")


def check_reform_day(params: Params, days: int) -> None:
    """Refuse a reform that cannot act in a run of ``days`` days (it would equal the baseline).

    Refused (:class:`ParamError`): reform levers without ``reform.day``; a reform that changes
    nothing (no reform lever, or every lever at its baseline value:
    :meth:`abm.Params.unchanged_reform`); a reform day on or after the last day; lever paths
    that all start after the run ends (and no step at the reform day). Warned
    (:class:`~abm.inputs.params.ReformWarning`): some lever paths start after the run ends
    while others act; the warning names each such lever, its start day and the run's days.
    Paths of a named package (``with_reform(name)``) do not warn: a package phases in over
    years by design, and a run shorter than its phase-in is ordinary use.
    """
    r = params.reform
    day = r.day
    step = r.incentives is not None and r.incentives != params.incentives
    if day is None and step:
        changed = [f.name for f in fields(r.incentives)
                   if getattr(r.incentives, f.name) != getattr(params.incentives, f.name)]
        raise ParamError(f"reform.incentives ({', '.join(changed)}) are set but reform.day is "
                         f"None: the reform would never switch on; set reform.day")
    unchanged = params.unchanged_reform()
    if unchanged == "no lever":
        raise ParamError(f"reform.day={day} is set but the reform changes no lever; set "
                         f"reform.incentives.<lever> or use params.with_reform")
    if unchanged:
        raise ParamError(f"reform.day={day} is set but every reform lever equals its baseline "
                         f"value ({unchanged}): the reform changes nothing and the run would "
                         f"equal the baseline; give a lever another value, or run "
                         f"params.without_reform() for the status quo")
    if day is not None and day >= days:
        raise ParamError(f"reform.day={day} is not inside the run (days 0 to {days - 1}): the "
                         f"reform would never switch on; use days > {day} or an earlier "
                         f"reform.day")
    if day is None or not r.paths:
        return
    starts = {x.lever: day + round(x.start_year * 365) for x in r.paths}
    late = {k: v for k, v in starts.items() if v >= days}
    if not late:
        return

    def detail(levers: dict[str, int]) -> str:
        return ", ".join(f"{x.lever} (start_year={x.start_year:g}: day {starts[x.lever]})"
                         for x in r.paths if x.lever in levers)

    if len(late) == len(starts) and not step:
        raise ParamError(f"every lever path of the reform starts after the run ends "
                         f"({detail(late)}; the run has days 0 to {days - 1}): the run would "
                         f"equal the baseline; use more days or an earlier start_year")
    # a named package phases in over years by design (datasets/reforms.csv): a run shorter than
    # its phase-in is ordinary use (panels, short checks), so only paths the user wrote warn
    packaged = {x for name in package_parts(r.package) for x in package_changes(name)[0]}
    late = {x.lever: late[x.lever] for x in r.paths if x.lever in late and x not in packaged}
    if not late:
        return
    warnings.warn(f"lever path(s) {detail(late)} start after the run ends (days 0 to {days - 1}, "
                  f"reform.day={day}): they have no effect in this run; use days > "
                  f"{max(late.values())} to see them", ReformWarning, stacklevel=3)


def check_int(value: Any, name: str, minimum: int, maximum: int | None = None) -> int:
    """Return ``value`` as an int in ``minimum`` .. ``maximum`` (numpy integers accepted).

    The one rule for integer arguments: bools, floats and strings raise
    :class:`ParamTypeError`, values out of range :class:`ParamError` (both ``ValueError``),
    each naming ``name`` (an argument, or a command-line option such as ``--counties``), the
    value and the allowed range.

    Examples
    --------
    >>> check_int(np.int64(3), "n_counties", 2, 3000)
    3
    >>> check_int(10**7, "--counties", 2, 3000)
    Traceback (most recent call last):
    ...
    abm.inputs.params.ParamError: --counties must be an integer from 2 to 3000, got 10000000
    """
    allowed = (f"{name} must be an integer >= {minimum}" if maximum is None
               else f"{name} must be an integer from {minimum} to {maximum}")
    number = _integer(value)
    if number is None:
        raise ParamTypeError(f"{allowed}, got {_kind(value)}")
    if number < minimum or (maximum is not None and number > maximum):
        raise ParamError(f"{allowed}, got {number}")
    return number


def check_flag(value: Any, name: str) -> bool:
    """Return ``value`` as a Python bool (True, False, a numpy bool); else ParamTypeError.

    Examples
    --------
    >>> check_flag(np.True_, "share_prefix")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ParamTypeError(f"{name} must be True or False, got {_kind(value)}")
    return bool(value)


def check_daily(daily: Any, name: str = "daily") -> Any:
    """Return ``daily`` if it is a daily frame of the model (columns ``day`` and ``tier``)."""
    import pandas as pd

    if not isinstance(daily, pd.DataFrame):
        raise ParamTypeError(f"{name} must be a daily frame (abm.Results.daily or "
                             f"ReferralModel.daily_counts()), got {type(daily).__name__}")
    missing = [c for c in ("day", "tier") if c not in daily.columns]
    if missing:
        raise ParamError(f"{name} must be a daily frame (abm.Results.daily or "
                         f"ReferralModel.daily_counts()) with columns day and tier; missing "
                         f"{', '.join(missing)}")
    return daily


def check_scale(scale: Any, name: str = "scale") -> float:
    """Return ``scale`` (residents per simulated patient) as a float in setting.scale's range.

    >>> check_scale(np.int64(10))
    10.0
    """
    lo, hi = Setting.__dataclass_fields__["scale"].metadata["range"]
    number = isinstance(scale, (int, float, np.integer, np.floating)) and not isinstance(
        scale, (bool, np.bool_))
    if not number or not lo <= float(scale) <= hi:
        raise ParamError(f"{name} must be a number of residents per simulated patient in "
                         f"[{lo:g}, {hi:g}], got {scale!r}")
    return float(scale)
