"""Callaway and Sant'Anna (2021) group-time effects, split along R ``did``'s lines.

* :mod:`econometrics.cs.drdid` -- the 2x2 estimators (DRDID: ``reg``, ``ipw``, ``dr``);
* :mod:`econometrics.cs.attgt` -- group-time effects ATT(g, t), the Wald pre-test, :func:`att_gt`;
* :mod:`econometrics.cs.aggte` -- aggregations (``aggte``) and the result classes;
* :mod:`econometrics.cs.mboot` -- analytic standard errors and the multiplier bootstrap.

The numerics follow ``did`` and ``DRDID`` formula by formula, so point estimates and analytic
standard errors equal theirs (see tests/econometrics/reference/cs_README.md).
:func:`cs_event_study` is the registry entry (:mod:`econometrics.registry`): the dynamic
aggregation as an event study with the shared signature.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from econometrics.cs.aggte import AggregateResult, aggregate_effects
from econometrics.cs.attgt import AttGtResult, att_gt, group_time_effects
from econometrics.cs.drdid import dr_did, ipw_did, reg_did
from econometrics.cs.mboot import multiplier_bootstrap, rademacher_draws
from econometrics.results import EventStudyResult

__all__ = [
    "AggregateResult",
    "AttGtResult",
    "aggregate_effects",
    "att_gt",
    "cs_event_study",
    "dr_did",
    "group_time_effects",
    "ipw_did",
    "multiplier_bootstrap",
    "rademacher_draws",
    "reg_did",
]


def cs_event_study(data, *, y: str, unit: str, time: str, cohort: str,
                   leads: int | None = None, lags: int | None = None, reference=None,
                   covariates=None, cluster: str | None = None, weights: str | None = None,
                   conf_level: float = 0.95, control: str = "never", method: str = "dr",
                   bootstrap: int = 0, seed=None) -> EventStudyResult:
    """Callaway-Sant'Anna event study: ``att_gt`` aggregated by event time.

    The shared event-study signature (:mod:`econometrics.registry`). ``leads`` / ``lags`` are
    ``aggte``'s ``min_e = -leads`` / ``max_e = lags``; ``reference`` must be None (the varying
    base period has no omitted event time). ``overall`` is the ``simple`` aggregation (the
    average effect over treated cohort-periods, weighted by cohort size).

    Examples
    --------
    >>> from econometrics.simulate import simulate_panel
    >>> df = simulate_panel(n_units=120, n_periods=6, cohorts=(3, 5), effect=1.0, seed=1)
    >>> es = cs_event_study(df, y="y", unit="unit", time="time", cohort="cohort", leads=1)
    >>> es.tidy().event_time.tolist()
    [-1, 0, 1, 2, 3]
    """
    if reference not in (None, -1):
        raise ValueError(f"reference={reference!r}: Callaway-Sant'Anna (varying base period) "
                         "has no omitted event time; pass reference=None")
    fit = att_gt(data, y=y, unit=unit, time=time, cohort=cohort, control=control,
                 method=method, covariates=covariates, weights=weights, bootstrap=bootstrap,
                 conf_level=conf_level, seed=seed, cluster=cluster)
    window = dict(min_e=-np.inf if leads is None else -leads,
                  max_e=np.inf if lags is None else lags)
    dynamic = fit.aggregate("dynamic", **window).to_event_study()
    simple = fit.aggregate("simple", **window).overall
    return replace(dynamic, overall=simple)
