"""Borusyak, Jaravel and Spiess (2024) imputation event study.

1. Fit ``y_it = a_i + l_t + X_it b`` on the untreated observations only (never-treated units and
   treated units before their cohort period).
2. Impute the untreated outcome of every treated observation and take ``tau_it = y_it - y0_hat``.
3. The effect at event time e is the mean of ``tau_it`` over treated observations with
   ``t - g = e``; ``overall`` is the mean over all treated observations (the average effect over
   treated unit-periods). Point estimates equal did2s (Gardner's two-stage) for the same
   specification.

Standard errors are BJS's conservative clustered variance (their Theorem 3): each estimate is
``sum_it v_it y_it`` with ``v = w`` on treated observations and
``v = -Z0 (Z0'Z0)^-1 Z1' w`` on untreated ones (Z: the fixed-effect and covariate design);
the variance is ``sum_c (sum_{it in c} v_it e_it)^2`` with first-stage residuals on untreated
observations and ``tau_it`` minus its cohort x event-time mean on treated ones. Leads
(``leads=k``) are BJS's pre-trend test: lead dummies added to the untreated-only regression,
CRV1 standard errors (``pretrend_vcov="iid"``: homoskedastic ones, what didimputation 0.3.0
reports, as fixest's ``iid``), and a joint Wald test in ``pretrend``. ``vcov`` is the conservative
covariance of the effects (and the CRV1 covariance of the leads; the two blocks are treated as
uncorrelated, as BJS's test is run separately).
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.linalg import splu

from econometrics._panel import (
    PanelError,
    check_choice,
    check_cluster_count,
    check_window,
    prepare_panel,
)
from econometrics.inference import cluster_vcov, iid_vcov, pretrend_test, t_inference
from econometrics.results import TIDY_COLUMNS, EventStudyResult, Overall, check_conf_level

__all__ = ["PretrendVcov", "imputation", "imputation_weights_variance"]

#: Covariance of the pre-trend leads: clustered CRV1 (default) or homoskedastic (didimputation).
PretrendVcov = Literal["cluster", "iid"]


def _fe_design(unit_codes, time_codes, n_units, n_times, x) -> sparse.csc_matrix:
    """Sparse design: unit dummies, period dummies (first dropped), covariates."""
    n = len(unit_codes)
    rows = np.arange(n)
    units = sparse.csc_matrix((np.ones(n), (rows, unit_codes)), shape=(n, n_units))
    keep = time_codes > 0
    times = sparse.csc_matrix((np.ones(keep.sum()), (rows[keep], time_codes[keep] - 1)),
                              shape=(n, n_times - 1))
    return sparse.hstack([units, times, sparse.csc_matrix(x)], format="csc")


def imputation_weights_variance(z0, z1, y0, tau, weights, clusters0, clusters1,
                                cells1, obs_weights0=None) -> tuple[np.ndarray, np.ndarray]:
    """Estimates ``w' tau`` and BJS conservative standard errors for each weight column.

    Parameters
    ----------
    z0, z1 : scipy.sparse matrix
        First-stage design of the untreated and treated observations.
    y0 : numpy.ndarray
        Untreated outcomes.
    tau : numpy.ndarray
        Imputed effects of the treated observations.
    weights : numpy.ndarray
        Treated observations x estimands weights (each column sums to one).
    clusters0, clusters1 : numpy.ndarray
        Integer cluster codes of the untreated and treated observations.
    cells1 : numpy.ndarray
        Cohort x event-time cell code of each treated observation.
    obs_weights0 : numpy.ndarray, optional
        Observation weights of the untreated observations (weighted first stage).

    Returns
    -------
    tuple of numpy.ndarray
        Estimates and their conservative covariance matrix (standard errors: the square
        roots of its diagonal).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> z0 = sparse.csc_matrix(np.ones((4, 1))); z1 = sparse.csc_matrix(np.ones((2, 1)))
    >>> est, se = imputation_weights_variance(z0, z1, np.array([0., 1, 0, 1]),
    ...     np.array([1., 3]), np.full((2, 1), 0.5), np.arange(4), np.arange(4, 6),
    ...     np.array([0, 0]))
    >>> est.tolist(), se.shape
    ([2.0], (1, 1))
    """
    w0 = np.ones(z0.shape[0]) if obs_weights0 is None else obs_weights0
    z0w = sparse.diags(w0) @ z0
    lu = splu((z0w.T @ z0).tocsc())
    theta = lu.solve(np.asarray(z0w.T @ y0).ravel())
    resid0 = y0 - z0 @ theta
    v0 = -(z0w @ lu.solve(np.asarray(z1.T @ weights)))
    # tau minus its cell mean, weighted like the estimands (weights > 0 within each cell)
    mass = weights.sum(axis=1)
    frame = pd.DataFrame({"m": mass * tau, "w": mass})
    sums = frame.groupby(cells1).transform("sum")
    resid1 = tau - sums["m"].to_numpy() / sums["w"].to_numpy()
    n_clusters = int(max(clusters0.max(initial=0), clusters1.max(initial=0))) + 1
    score = np.zeros((n_clusters, weights.shape[1]))
    np.add.at(score, clusters0, v0 * resid0[:, None])
    np.add.at(score, clusters1, weights * resid1[:, None])
    return weights.T @ tau, score.T @ score


def imputation(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    cohort: str,
    leads: int | None = None,
    lags: int | None = None,
    reference: int | None = None,
    cluster: str | None = None,
    covariates: list[str] | str | None = None,
    weights: str | None = None,
    conf_level: float = 0.95,
    pretrend_vcov: PretrendVcov = "cluster",
) -> EventStudyResult:
    """Estimate the Borusyak-Jaravel-Spiess imputation event study.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (never modified).
    y, unit, time, cohort : str
        Outcome, unit, integer period and first-treated-period columns (never treated: 0,
        NaN or inf).
    leads : int, optional
        Number of pre-treatment event times to test (BJS pre-trend test); none by default.
    lags : int, optional
        Largest event time reported; default: all. ``overall`` averages over event times
        0..lags.
    reference : None
        Imputation has no reference period; -1 (the registry default) is accepted and ignored.
    cluster : str, optional
        Cluster column (default: the unit).
    covariates : list of str, optional
        Time-varying controls in the untreated-outcome model.
    weights : str, optional
        Observation weights: weighted least squares in the first stage, and weighted means of
        the imputed effects (did2s / ``did_imputation``'s ``wtr`` with these weights).
    conf_level : float
        Confidence level (normal intervals for the effects, t(G-1) for the leads).
    pretrend_vcov : {"cluster", "iid"}
        Standard errors of the leads: clustered like the effects (default; BJS's test, and
        valid under the serial correlation that makes the effects' errors clustered) or
        homoskedastic, t(n - k), as R ``didimputation`` 0.3.0 reports them (fixest's ``iid``,
        every fixed-effect level counted), to reproduce its table.

    Returns
    -------
    EventStudyResult
        One row per event time (leads first); ``overall`` the average effect over treated
        unit-periods; ``pretrend`` the joint Wald test of the leads (if ``leads``).

    Examples
    --------
    >>> from econometrics import simulate_panel
    >>> df = simulate_panel(n_units=90, n_periods=6, cohorts=(3, 5), effect=1.0, sigma=0.1,
    ...                     seed=2)
    >>> res = imputation(df, y="y", unit="unit", time="time", cohort="cohort")
    >>> res.tidy().event_time.tolist(), round(res.overall.estimate, 1)
    ([0, 1, 2, 3], 1.0)
    """
    leads, lags = check_window(leads=leads, lags=lags).values()
    check_choice("pretrend_vcov", pretrend_vcov, get_args(PretrendVcov))
    if reference not in (None, -1):
        raise ValueError(f"reference={reference!r}: the imputation estimator has no reference "
                         "period; pass reference=None")
    conf_level = check_conf_level(conf_level)
    panel = prepare_panel(data, y=y, unit=unit, time=time, cohort=cohort, require="cohort",
                          covariates=covariates, cluster=cluster, weights=weights)
    f = panel.frame
    notes = list(panel.notes)
    g = f["_cohort"].to_numpy()
    t = f["_time"].to_numpy()
    treated = (g > 0) & (t >= g)
    rel = t - g
    keep = np.ones(len(f), bool)
    if lags is not None:
        drop = treated & (rel > lags)
        if drop.any():
            notes.append(f"dropped {int(drop.sum())} treated observations after event time "
                         f"{lags}")
            keep &= ~drop
    untreated_times = np.unique(t[~treated])
    no_control = treated & ~np.isin(t, untreated_times)
    if no_control.any():
        notes.append(f"dropped {int(no_control.sum())} treated observations in periods "
                     "without untreated units (their period effect is not identified)")
        keep &= ~no_control
    never_untreated = f.loc[treated, "_unit"].unique()
    never_untreated = never_untreated[~np.isin(never_untreated, f.loc[~treated, "_unit"])]
    if len(never_untreated):
        notes.append(f"dropped {len(never_untreated)} units never observed untreated (their "
                     "unit effect cannot be imputed)")
        keep &= ~f["_unit"].isin(never_untreated).to_numpy()
    if not (treated & keep).any():
        raise PanelError("no treated observation with an imputable untreated outcome")
    f = f.loc[keep].reset_index(drop=True)
    g, t, treated, rel = g[keep], t[keep], treated[keep], rel[keep]
    unit_codes = pd.factorize(f["_unit"], sort=True)[0]
    kept_times = np.unique(t)
    time_codes = np.searchsorted(kept_times, t)
    clusters = (pd.factorize(f["_cluster0"], sort=True)[0] if cluster is not None
                else unit_codes)
    if cluster is None:  # the default clusters are the units (cluster= was checked already)
        check_cluster_count(f"unit column {unit!r} (the default clusters)",
                            int(unit_codes.max()) + 1, units=True)
    x = f[list(panel.covariates)].to_numpy(dtype=float)
    z = _fe_design(unit_codes, time_codes, unit_codes.max() + 1, len(kept_times), x)
    yv = f["_y"].to_numpy()
    z0, z1 = z[~treated], z[treated]
    wv = f["_weight"].to_numpy() if "_weight" in f else np.ones(len(f))
    if np.linalg.matrix_rank(np.column_stack([np.ones(len(x)), x])) < x.shape[1] + 1:
        raise PanelError(f"collinear covariates {list(panel.covariates)} (with the intercept)")
    z0w = sparse.diags(wv[~treated]) @ z0
    try:
        theta = splu((z0w.T @ z0).tocsc()).solve(np.asarray(z0w.T @ yv[~treated]).ravel())
    except RuntimeError as exc:  # exactly singular: covariates collinear with the effects
        raise PanelError("the untreated-outcome model is singular: covariates collinear with "
                         "the unit and period effects") from exc
    tau = yv[treated] - z1 @ theta

    rel1 = rel[treated].astype(int)
    events = np.unique(rel1)
    w1 = wv[treated]
    weights = np.column_stack([w1 * (rel1 == e) / np.sum(w1 * (rel1 == e)) for e in events]
                              + [w1 / w1.sum()])
    cells1 = pd.factorize(pd.Series(g[treated]).astype(str) + ":" + rel1.astype(str))[0]
    est, cov = imputation_weights_variance(z0, z1, yv[~treated], tau, weights,
                                           clusters[~treated], clusters[treated], cells1,
                                           wv[~treated])
    se = np.sqrt(np.diag(cov))
    n_clusters = int(len(np.unique(clusters)))
    inf = t_inference(est[:-1], se[:-1], None, conf_level)
    table = pd.DataFrame({"event_time": events, "term": [f"e={e}" for e in events],
                          "estimate": est[:-1], "std_error": se[:-1], **inf})
    vcov = pd.DataFrame(cov[:-1, :-1], index=events, columns=events)
    pretrend = None
    if leads:
        n_other = len(kept_times) - 1 + x.shape[1]  # period effects and covariates
        sw = np.sqrt(wv[~treated])  # weighted least squares as OLS on sqrt(w)-scaled rows
        lead_table, lead_vcov, pretrend = _pretrend(sparse.diags(sw) @ z0, sw * yv[~treated],
                                                    rel[~treated], g[~treated],
                                                    clusters[~treated], leads, n_other,
                                                    conf_level, sw, pretrend_vcov)
        table = pd.concat([lead_table, table], ignore_index=True)
        # leads (first-stage regression) and effects are estimated separately: block diagonal
        vcov = _block_diagonal(lead_vcov, vcov)
    return EventStudyResult(
        table=table[["event_time", *TIDY_COLUMNS]],
        estimator="Imputation (Borusyak, Jaravel and Spiess)", outcome=y,
        n_obs=len(f), n_units=int(unit_codes.max() + 1),
        vcov_type=f"BJS conservative, clustered by {cluster or unit}",
        small_sample="none (effects); " + (
            "CRV1 G/(G-1) x (n-1)/(n-k) for the leads" if pretrend_vcov == "cluster"
            else "iid e'e/(n-k) for the leads, k counting every fixed-effect level"),
        n_clusters=(n_clusters,), conf_level=conf_level, notes=tuple(notes), reference=None,
        pretrend=pretrend, overall=Overall(float(est[-1]), float(se[-1])), vcov=vcov,
    )


def _pretrend(z0, y0, rel0, g0, clusters0, leads, n_other, conf_level, scale, kind):
    """BJS pre-trend test: lead dummies in the untreated-only regression, CRV1 or iid, Wald test.

    ``z0`` and ``y0`` come scaled by ``scale`` (sqrt of the weights), as the dummies are here.
    """
    lead_events = np.arange(-leads, 0)
    dummies = np.column_stack([(g0 > 0) & (rel0 == e) for e in lead_events]).astype(float)
    dummies = dummies * scale[:, None]
    present = dummies.sum(axis=0) > 0
    lead_events, dummies = lead_events[present], dummies[:, present]
    if not len(lead_events):
        raise PanelError(f"leads={leads}: no untreated observation of a treated cohort that "
                         "many periods before treatment")
    # Frisch-Waugh-Lovell: residualize leads and outcome on the fixed effects and covariates.
    lu = splu((z0.T @ z0).tocsc())
    xd = dummies - z0 @ lu.solve(np.asarray(z0.T @ dummies))
    yd = y0 - z0 @ lu.solve(np.asarray(z0.T @ y0).ravel())
    if np.linalg.matrix_rank(xd) < xd.shape[1]:
        raise PanelError(f"leads={leads}: the lead dummies cover every untreated period of some "
                         "cohort, so they are collinear with its unit effects; use fewer leads")
    gamma = np.linalg.lstsq(xd, yd, rcond=None)[0]
    resid = yd - xd @ gamma
    if kind == "cluster":
        k = len(lead_events) + n_other + 1  # unit effects nested in the clusters count 1
        df_t = len(np.unique(clusters0)) - 1
        vcov = cluster_vcov(xd, resid, clusters0, n_params=k)
    else:
        k = len(lead_events) + z0.shape[1]  # every unit and period effect counts (fixest iid)
        df_t = len(y0) - k
        vcov = iid_vcov(xd, resid, n_params=k)
    se = np.sqrt(np.diag(vcov))
    inf = t_inference(gamma, se, df_t, conf_level)
    table = pd.DataFrame({"event_time": lead_events, "term": [f"e={e}" for e in lead_events],
                          "estimate": gamma, "std_error": se, **inf})
    return (table, pd.DataFrame(vcov, index=lead_events, columns=lead_events),
            pretrend_test(gamma, vcov, df_denom=df_t))


def _block_diagonal(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Block-diagonal covariance of two sets of estimates (zero covariance between them)."""
    index = [*a.index, *b.index]
    out = pd.DataFrame(0.0, index=index, columns=index)
    out.loc[a.index, a.columns] = a.to_numpy()
    out.loc[b.index, b.columns] = b.to_numpy()
    return out
