"""Sun and Abraham (2021) interaction-weighted event study.

The regression saturates event time by cohort: ``y_it = a_i + l_t + sum_{g, e != ref}
delta_{g,e} 1[G_i = g, t - g = e] + X_it b + e_it``, with never-treated units (or, if there are
none, the last-treated cohort, in the periods before it is treated) as the only comparison. The
event-time effect is the cohort-share weighted average ``beta_e = sum_g w_{g,e} delta_{g,e}``
with ``w_{g,e}`` the share of cohort g among the treated observations at event time e (fixest
``sunab`` / ``aggregate``), and its standard error comes from the CRV1 covariance of the deltas
(the same fitting core and small-sample rule as :func:`econometrics.twfe`, fixest's default).
``vcov`` is the covariance of the event-time effects, ``A V A'`` with A the interaction weights.
``overall`` averages the post-treatment deltas weighted by observations: the average effect over
treated unit-periods (fixest's ``agg = "ATT"``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from econometrics._panel import Panel, PanelError, check_window, prepare_panel
from econometrics.inference import pretrend_test, t_inference
from econometrics.results import TIDY_COLUMNS, EventStudyResult, Overall, check_conf_level
from econometrics.twfe import (
    VcovKind,
    absorbed_columns,
    check_references,
    check_vcov,
    fit_twfe,
    sqrt_variance,
    subset_panel,
)

__all__ = ["interaction_weights", "sun_abraham"]


def interaction_weights(cohort: np.ndarray, event_time: np.ndarray,
                        weights: np.ndarray | None = None) -> pd.DataFrame:
    """Cohort shares of the treated-cohort observations at each event time.

    Parameters
    ----------
    cohort, event_time : numpy.ndarray
        Cohort and event time (t - cohort) of each observation of a treated cohort.
    weights : numpy.ndarray, optional
        Observation weights: the shares are then shares of the summed weights (the weighted
        sample analogue of Pr(G = g | event time e)).

    Returns
    -------
    pandas.DataFrame
        Columns cohort, event_time, n (observations, or summed weights), weight (sums to one
        per event time).

    Examples
    --------
    >>> import numpy as np
    >>> w = interaction_weights(np.array([3, 3, 3, 5]), np.array([0, 0, 1, 0]))
    >>> w.weight.tolist()
    [0.6666666666666666, 0.3333333333333333, 1.0]
    """
    mass = np.ones(len(cohort)) if weights is None else np.asarray(weights, dtype=float)
    cells = (pd.DataFrame({"cohort": cohort, "event_time": event_time, "n": mass})
             .groupby(["event_time", "cohort"])["n"].sum().reset_index())
    cells["weight"] = cells["n"] / cells.groupby("event_time")["n"].transform("sum")
    return cells[["cohort", "event_time", "n", "weight"]]


def _comparison_design(panel: Panel, leads, lags, reference) -> tuple[Panel, list[str]]:
    """Recode/drop units and periods so that the design identifies the interactions."""
    f = panel.frame
    notes: list[str] = []
    times = np.asarray(panel.times)
    g = f["_cohort"].to_numpy()
    keep = np.ones(len(f), bool)
    always = (g > 0) & (g <= times[0])
    if always.any():
        notes.append(f"dropped {len(pd.unique(f.loc[always, '_unit']))} units treated in the "
                     "first period (no pre-treatment period)")
        keep &= ~always
    g = np.where(g > times[-1], 0.0, g)  # treated after the data end: never treated here
    if not np.any((g == 0) & keep):
        last = g[keep].max()
        notes.append(f"no never-treated units: cohort {last:g} is the comparison group; "
                     f"periods from {last:g} on are dropped")
        keep &= f["_time"].to_numpy() < last
        g = np.where(g == last, 0.0, g)
    rel = f["_time"].to_numpy() - g
    treated = g > 0
    lo = -np.inf if leads is None else -leads
    hi = np.inf if lags is None else lags
    outside = treated & ((rel < lo) | (rel > hi)) & keep
    if outside.any():
        notes.append(f"dropped {int(outside.sum())} treated-cohort observations outside the "
                     f"event window [{lo:g}, {hi:g}]")
        keep &= ~outside
    out = subset_panel(panel, keep)
    frame = out.frame.assign(_cohort=g[keep], _event_time=rel[keep])
    if not np.any(frame["_cohort"] > 0):
        raise PanelError("no treated cohort left to estimate event-time effects for")
    if not np.any((frame["_cohort"] > 0) & (frame["_event_time"] == reference)):
        window = "" if leads is None or -leads <= reference else (
            f" (it lies outside the event window: leads={leads} keeps event times >= {-leads})")
        raise PanelError(f"reference={reference} is not an observed event time of any "
                         f"cohort{window}")
    return replace(out, frame=frame), notes


def sun_abraham(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    cohort: str,
    leads: int | None = None,
    lags: int | None = None,
    reference: int = -1,
    cluster: str | None = None,
    covariates: list[str] | str | None = None,
    weights: str | None = None,
    conf_level: float = 0.95,
    fe: list[str] | str | None = None,
    vcov: VcovKind = "cluster",
) -> EventStudyResult:
    """Estimate the Sun-Abraham interaction-weighted event study.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (never modified).
    y, unit, time, cohort : str
        Outcome, unit, integer period and first-treated-period columns (never treated: 0,
        NaN or inf).
    leads, lags : int, optional
        Event window [-leads, lags]; treated-cohort observations outside it are dropped.
        Default: every observed event time.
    reference : int
        Omitted event time (normalized to 0) in every cohort; a pre-treatment event time (< 0),
        as in :func:`~econometrics.event_study`.
    cluster : str, optional
        Cluster column for the CRV1 covariance (default: the unit).
    covariates : list of str, optional
        Time-varying controls.
    weights : str, optional
        Observation weights: weighted least squares for the interactions, and cohort shares
        of the summed weights for the interaction weights and ``overall``.
    conf_level : float
        Confidence level of the intervals (t with G - 1 degrees of freedom).
    fe : str or list of str, optional
        Fixed effects besides unit and period, e.g. ``"region^year"`` (as :func:`twfe`).
    vcov : {"cluster", "iid", "HC1"}
        Standard errors as in :func:`~econometrics.twfe.twfe` (default: CRV1 by ``cluster``).

    Returns
    -------
    EventStudyResult
        One row per event time; ``overall`` is the average effect over treated unit-periods;
        ``pretrend`` the joint Wald test of the leads.

    Examples
    --------
    >>> from econometrics import simulate_panel
    >>> df = simulate_panel(n_units=90, n_periods=6, cohorts=(3, 5), effect=1.0, seed=2)
    >>> res = sun_abraham(df, y="y", unit="unit", time="time", cohort="cohort")
    >>> res.tidy().event_time.tolist()
    [-4, -3, -2, 0, 1, 2, 3]
    """
    if isinstance(reference, bool) or not isinstance(reference, int | np.integer):
        raise ValueError(f"reference={reference!r} must be one integer event time for "
                         "sun_abraham (several reference periods: estimator='twfe')")
    reference = check_references(reference)[0]
    conf_level = check_conf_level(conf_level)
    leads, lags = check_window(leads=leads, lags=lags).values()
    check_vcov(vcov, cluster)
    panel = prepare_panel(data, y=y, unit=unit, time=time, cohort=cohort, require="cohort",
                          covariates=covariates, cluster=cluster, weights=weights,
                          absorb=absorbed_columns(fe, unit, time))
    panel, notes = _comparison_design(panel, leads, lags, reference)
    f = panel.frame
    g = f["_cohort"].to_numpy()
    e = f["_event_time"].to_numpy()
    w = f["_weight"].to_numpy() if "_weight" in f else None
    cells = interaction_weights(g[g > 0], e[g > 0], None if w is None else w[g > 0])
    cells = cells[cells.event_time != reference].reset_index(drop=True)
    names = [f"_sa::{c:g}::{k:g}" for c, k in zip(cells.cohort, cells.event_time, strict=True)]
    x = np.zeros((len(f), len(names) + len(panel.covariates)))
    column = {(c, k): j for j, (c, k) in enumerate(zip(cells.cohort, cells.event_time,
                                                       strict=True))}
    rows = np.flatnonzero(g > 0)
    cols = np.array([column.get((c, k), -1) for c, k in zip(g[rows], e[rows], strict=True)],
                    dtype=int)
    x[rows[cols >= 0], cols[cols >= 0]] = 1.0
    for j, c in enumerate(panel.covariates):
        x[:, len(names) + j] = f[c].to_numpy()
    fit = fit_twfe(panel, x, names + list(panel.covariates), cluster, fe, vcov)
    delta = fit.params.loc[names].to_numpy()
    vcov = fit.vcov.loc[names, names].to_numpy()

    events = np.sort(cells.event_time.unique())
    agg = np.zeros((len(events), len(names)))
    for i, k in enumerate(events):
        agg[i, (cells.event_time == k).to_numpy()] = cells.weight[cells.event_time == k]
    est = agg @ delta
    v = agg @ vcov @ agg.T
    se = sqrt_variance(np.diag(v))
    inf = t_inference(est, se, fit.df_t, conf_level)
    table = pd.DataFrame({"event_time": events.astype(int),
                          "term": [f"e={int(k)}" for k in events],
                          "estimate": est, "std_error": se, **inf})
    post = (cells.event_time >= 0).to_numpy()
    w_all = np.where(post, cells.n, 0.0) / cells.n[post].sum()
    overall = Overall(float(w_all @ delta), float(sqrt_variance(w_all @ vcov @ w_all)))
    pre = events < 0
    pretrend = (pretrend_test(est[pre], v[np.ix_(pre, pre)], df_denom=fit.df_t)
                if pre.any() else None)
    return EventStudyResult(
        table=table[["event_time", *TIDY_COLUMNS]],
        estimator="Sun-Abraham interaction-weighted event study", outcome=y,
        n_obs=panel.n_obs, n_units=panel.n_units, vcov_type=fit.vcov_type,
        small_sample=fit.small_sample, n_clusters=fit.n_clusters, conf_level=conf_level,
        notes=(*panel.notes, *notes), reference=int(reference),
        pretrend=pretrend, overall=overall,
        vcov=pd.DataFrame(v, index=events.astype(int), columns=events.astype(int)),
    )
