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
from dataclasses import fields
from typing import Any

import numpy as np

from abm.inputs.params import ParamError, Params

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

    Refused: reform levers without ``reform.day``; a ``reform.day`` with no reform lever (and
    no named package, which may set plain parameters only, such as trends); a
    reform day on or after the last day; lever paths that all start after the run ends (and
    no step at the reform day).
    """
    r = params.reform
    day = r.day
    step = r.incentives is not None and r.incentives != params.incentives
    if day is None and step:
        changed = [f.name for f in fields(r.incentives)
                   if getattr(r.incentives, f.name) != getattr(params.incentives, f.name)]
        raise ParamError(f"reform.incentives ({', '.join(changed)}) are set but reform.day is "
                         f"None: the reform would never switch on; set reform.day")
    if day is not None and r.incentives is None and not r.paths and not r.package:
        raise ParamError(f"reform.day={day} is set but the reform changes no lever; set "
                         f"reform.incentives.<lever> or use params.with_reform")
    if day is not None and r.paths and not step and day < days:
        starts = [day + round(x.start_year * 365) for x in r.paths]
        if min(starts) >= days:
            raise ParamError(f"every lever path of the reform starts after the run ends (first "
                             f"start_year starts on day {min(starts)}; the run has days 0 to "
                             f"{days - 1}): the run would equal the baseline; use more days or "
                             f"an earlier start_year")
    if day is not None and day >= days:
        raise ParamError(f"reform.day={day} is not inside the run (days 0 to {days - 1}): the "
                         f"reform would never switch on; use days > {day} or an earlier "
                         f"reform.day")


def check_int(value: Any, name: str, minimum: int) -> int:
    """Return ``value`` as an int, or raise ValueError if it is not an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)
