"""The registry of event-study estimators: one name -> one function, nothing else.

Every entry is a function with the shared signature

    fn(data, *, y, unit, time, cohort, leads=None, lags=None, reference=-1, covariates=None,
       cluster=None, weights=None, conf_level=0.95, **options) -> EventStudyResult

returning an :class:`~econometrics.results.EventStudyResult` in the shared convention:
``tidy()`` with ``event_time, term, estimate, std_error, statistic, p_value, conf_low,
conf_high``, ``vcov`` (covariance of the event-time estimates), ``pretrend`` and ``overall``.
Options an estimator does not support raise a ValueError naming them.

:func:`econometrics.event_study` (``estimator=name``) and :func:`econometrics.compare_estimators`
are driven by this table. Adding an estimator = one module with such a function + one line in
:data:`ESTIMATORS` ("module:function", imported on first use). :func:`event_study` lives here,
so no estimator module imports the registry and there is no import cycle.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from econometrics._panel import check_choice

if TYPE_CHECKING:  # annotations only: no import of an estimator module at import time
    import pandas as pd

    from econometrics.results import EventStudyResult

__all__ = ["ESTIMATORS", "LABELS", "ONE_ADOPTION_DATE", "available", "check_options",
           "event_study", "get_estimator"]

#: name -> "module:function" of an event-study estimator with the shared signature.
ESTIMATORS: dict[str, str] = {
    "twfe": "econometrics.twfe:twfe_event_study",
    "callaway_santanna": "econometrics.cs:cs_event_study",
    "sun_abraham": "econometrics.sunab:sun_abraham",
    "imputation": "econometrics.imputation:imputation",
    "dcdh": "econometrics.dcdh:dcdh",
    "synthetic_control": "econometrics.synth:sc_event_study",
}

#: name -> label used in comparison tables and plots.
LABELS: dict[str, str] = {
    "twfe": "TWFE",
    "callaway_santanna": "Callaway-Sant'Anna",
    "sun_abraham": "Sun-Abraham",
    "imputation": "Imputation (BJS)",
    "dcdh": "de Chaisemartin-D'Haultfoeuille",
    "synthetic_control": "Synthetic control",
}

#: Estimators that need every treated unit to adopt at one date (left out of the default
#: comparison of a staggered panel).
ONE_ADOPTION_DATE: frozenset[str] = frozenset({"synthetic_control"})


def available() -> list[str]:
    """Names of the registered event-study estimators.

    Examples
    --------
    >>> available()
    ['twfe', 'callaway_santanna', 'sun_abraham', 'imputation', 'dcdh', 'synthetic_control']
    """
    return list(ESTIMATORS)


def get_estimator(name: str) -> Callable:
    """Return the function registered under ``name`` (ValueError naming the allowed names).

    Examples
    --------
    >>> get_estimator("sun_abraham").__name__
    'sun_abraham'
    """
    check_choice("estimator", name, ESTIMATORS)
    module, _, function = ESTIMATORS[name].partition(":")
    try:
        return getattr(importlib.import_module(module), function)
    except ImportError as exc:
        raise NotImplementedError(f"estimator={name!r} is not available: {exc}") from exc


def check_options(name: str, fn: Callable, options: dict) -> None:
    """ValueError naming the options that estimator ``name`` does not take, and those it does.

    Examples
    --------
    >>> check_options("twfe", get_estimator("twfe"), {"vcov": "iid"})
    >>> try:
    ...     check_options("imputation", get_estimator("imputation"), {"vcov": "iid"})
    ... except ValueError as e:
    ...     print(str(e).split(";")[0])
    estimator='imputation' does not take option 'vcov'
    """
    shared = {"data", "y", "unit", "time", "cohort", "leads", "lags", "reference",
              "covariates", "cluster", "weights", "conf_level"}
    allowed = [p for p in inspect.signature(fn).parameters if p not in shared]
    unknown = [k for k in options if k not in allowed]
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        raise ValueError(f"estimator={name!r} does not take option{'s' * (len(unknown) > 1)} "
                         f"{names}; its options are {allowed}")


def event_study(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    cohort: str,
    leads: int | None = None,
    lags: int | None = None,
    reference: int | Sequence[int] = -1,
    estimator: str = "twfe",
    covariates: Sequence[str] | str | None = None,
    cluster: Sequence[str] | str | None = None,
    weights: str | None = None,
    conf_level: float = 0.95,
    **options,
) -> EventStudyResult:
    """Estimate effects by event time (periods since first treatment) with a pre-trend test.

    Dispatches to the estimator registered under ``estimator`` in
    :data:`econometrics.registry.ESTIMATORS` (``"twfe"``, ``"sun_abraham"``, ``"imputation"``,
    ``"callaway_santanna"``, ``"dcdh"``, ``"synthetic_control"`` for one adoption date); every
    one takes these arguments and returns an
    :class:`~econometrics.results.EventStudyResult` with ``tidy()``, ``vcov`` (the covariance
    of the event-time estimates) and ``pretrend``. With ``estimator="twfe"`` this is the dynamic
    TWFE regression on relative-time dummies ``1[t - cohort = e]`` for e in [-leads, lags]
    except the reference period(s), with unit and period effects; never-treated units
    (``cohort`` 0, NaN or inf) have all dummies 0.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel with integer periods. Not modified.
    y, unit, time, cohort : str
        Outcome, unit, period and first-treated-period columns.
    leads, lags : int, optional
        Event-time window [-leads, lags]; default: every event time observed.
    reference : int or list of int
        Omitted event time(s) (normalized to 0), default -1. Must be pre-treatment event times
        (< 0): a treated event time (0 or later) is refused with a ValueError, since every
        effect would then be measured relative to a treatment effect.
    estimator : str
        Name of a registered estimator (see :func:`econometrics.registry.available`).
    covariates : str or sequence of str, optional
        Time-varying controls.
    cluster : str or sequence of str, optional
        Cluster columns; default: the unit.
    weights : str, optional
        Observation weights (all registered estimators; unit weights for callaway_santanna).
    conf_level : float
        Confidence level of the intervals.
    **options
        Estimator-specific options, e.g. ``vcov`` ("cluster", "iid", "HC1"; twfe and
        sun_abraham), ``bin_endpoints`` and ``fe`` (twfe), ``fe``
        (sun_abraham), ``control`` and ``bootstrap`` (callaway_santanna), ``normalized``
        (dcdh).

    Returns
    -------
    EventStudyResult
        ``.tidy()`` has ``event_time`` and the terms; ``.pretrend`` is the joint Wald test that
        all leads are zero; ``.vcov`` the covariance of the estimates.

    Examples
    --------
    >>> from econometrics import simulate_panel
    >>> df = simulate_panel(n_units=60, n_periods=8, cohorts=(4, 6), effect=1.0, seed=4)
    >>> es = event_study(df, y="y", unit="unit", time="time", cohort="cohort", leads=3, lags=2)
    >>> es.tidy().event_time.tolist()
    [-3, -2, 0, 1, 2]
    >>> es.vcov.shape
    (5, 5)
    """
    fn = get_estimator(estimator)
    check_options(estimator, fn, options)
    return fn(data, y=y, unit=unit, time=time, cohort=cohort, leads=leads, lags=lags,
              reference=reference, covariates=covariates, cluster=cluster, weights=weights,
              conf_level=conf_level, **options)
