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
:data:`ESTIMATORS` ("module:function", imported on first use, so no import cycles).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from econometrics._panel import check_choice

__all__ = ["ESTIMATORS", "LABELS", "ONE_ADOPTION_DATE", "available", "get_estimator"]

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
