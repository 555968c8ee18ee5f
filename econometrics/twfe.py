"""Two-way fixed effects: the static DiD regression and the event study.

Both fit ``y_it = a_i + l_t + X_it b + e_it`` with linearmodels ``PanelOLS``: the unit effects a_i
are absorbed (``entity_effects=True``) and the period effects l_t enter as T-1 period dummies.
Both parametrizations give identical coefficients; period dummies make linearmodels' degrees of
freedom those of fixest and Stata (``reghdfe`` / ``xtreg, fe`` with ``i.year``): the clustered
covariance is CRV1 with G/(G-1) * (n-1)/(n-k), k counting the regressors and the T-1 period
effects, and the unit effects not counted when they are nested in the clusters.
Inference on coefficients uses t(G-1) with G clusters (the smaller G for two-way clustering).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, get_args

import numpy as np
import pandas as pd
from linearmodels.panel import PanelOLS
from linearmodels.panel.utility import AbsorbingEffectError

from econometrics._panel import Panel, PanelError, check_choice, prepare_panel
from econometrics.inference import Design, cluster_vcov, t_inference, wald_test, within_unit
from econometrics.results import TIDY_COLUMNS, EventStudyResult, StaticResult

__all__ = ["EventStudyEstimator", "event_study", "twfe"]

EventStudyEstimator = Literal["twfe", "sun_abraham", "imputation"]

_TIME_PREFIX = "_period::"


def _period_dummies(times: pd.Series) -> pd.DataFrame:
    """T-1 period dummies (first period omitted)."""
    levels = np.sort(times.unique())
    d = pd.DataFrame({f"{_TIME_PREFIX}{t}": (times.to_numpy() == t).astype(float)
                      for t in levels[1:]})
    return d


def _cluster_codes(panel: Panel, cluster) -> tuple[np.ndarray, str]:
    """Cluster codes (n,) or (n, 2) and a description; the unit by default."""
    if cluster is None:
        codes = pd.factorize(panel.frame["_unit"], sort=True)[0]
        return codes, f"cluster-robust by {panel.names['unit']} (CRV1)"
    cols = panel.cluster_columns
    codes = panel.frame[list(cols)].to_numpy()
    names = ", ".join(panel.names["cluster"])
    kind = "two-way " if len(cols) == 2 else ""
    return (codes[:, 0] if len(cols) == 1 else codes), f"{kind}cluster-robust by {names} (CRV1)"


def _fit_panelols(panel: Panel, regressors: pd.DataFrame, codes: np.ndarray):
    """Fit PanelOLS with unit effects and the given regressors; return the linearmodels result."""
    f = panel.frame
    time_codes = pd.factorize(f["_time"], sort=True)[0] + 1
    index = pd.MultiIndex.from_arrays([f["_unit"].to_numpy(), time_codes], names=["unit", "time"])
    dep = pd.Series(f["_y"].to_numpy(), index=index, name=panel.names["y"])
    exog = regressors.set_axis(index, axis=0)
    weights = (pd.Series(f["_weight"].to_numpy(), index=index) if "_weight" in f else None)
    clusters = pd.DataFrame(np.asarray(codes).reshape(len(f), -1), index=index)
    model = PanelOLS(dep, exog, weights=weights, entity_effects=True, time_effects=False,
                     check_rank=True)
    try:
        return model.fit(cov_type="clustered", clusters=clusters, debiased=True,
                         group_debias=True)
    except (ValueError, AbsorbingEffectError) as exc:
        detail = str(exc).strip().splitlines()[-3:]
        raise PanelError(
            "the two-way fixed effects regression cannot be estimated "
            f"({' '.join(detail)}). A regressor that is constant within units or perfectly "
            "collinear with the period effects "
            "(e.g. every unit treated at the same time, with no untreated comparison) is "
            "absorbed."
        ) from exc


@dataclass(frozen=True, eq=False)
class _Fit:
    """What ``twfe`` and ``event_study`` need from the shared fitting core."""

    fit: object  # linearmodels PanelEffectsResults
    params: pd.Series
    vcov: pd.DataFrame
    df_t: float  # degrees of freedom of the t reference distribution (G - 1)
    vcov_type: str
    small_sample: str
    n_clusters: tuple[int, ...]
    design: Design


def _nested(inner: np.ndarray, outer: np.ndarray) -> bool:
    """Whether each group of ``inner`` lies in one group of ``outer``."""
    return bool((pd.Series(outer).groupby(inner).nunique() == 1).all())


def _fit_twfe(panel: Panel, regressors: pd.DataFrame, cluster) -> _Fit:
    """Fit with unit effects and period dummies; CRV1 covariance with fixest's small-sample rule.

    The covariance is computed on the unit-demeaned design (Frisch-Waugh-Lovell) with fixest's
    default ``ssc()``: k counts the regressors and the fixed effects that are not nested in a
    cluster variable (a nested fixed effect counts 1), G/(G-1) uses the smallest G, and
    inference uses t(G-1).
    """
    f = panel.frame
    regressors = regressors.reset_index(drop=True)
    periods = _period_dummies(f["_time"])
    # The constant is the mean of the unit effects; linearmodels reports it separately.
    exog = pd.concat([regressors, periods, pd.DataFrame({"const": np.ones(len(f))})], axis=1)
    codes, vcov_type = _cluster_codes(panel, cluster)
    fit = _fit_panelols(panel, exog, codes)
    design = _design(panel, pd.concat([regressors, periods], axis=1), codes)
    code_cols = np.asarray(codes).reshape(len(codes), -1).T
    n_clusters = tuple(len(np.unique(c)) for c in code_cols)
    units, times = design.units, f["_time"].to_numpy()
    unit_nested = any(_nested(units, c) for c in code_cols)
    time_nested = any(_nested(times, c) for c in code_cols)
    n_units, n_periods = panel.n_units, len(np.unique(times))
    n_params = (regressors.shape[1] + n_units + n_periods - 1
                - (n_units - 1) * unit_nested - (n_periods - 1) * time_nested)
    x, yd = _demeaned(design)
    beta = fit.params.loc[list(design.names)].to_numpy()
    vcov = cluster_vcov(x, yd - x @ beta, codes, n_params=n_params, min_clusters=True)
    names = list(design.names)
    g_min = min(n_clusters)
    kind = (f"G/(G-1) with G = min(G_1, G_2) = {g_min} on each of the three one-way terms"
            if len(n_clusters) == 2 else "G/(G-1)")
    small = (f"CRV1 {kind} x (n-1)/(n-k), k = {n_params} (regressors and fixed effects; "
             f"unit effects {'nested in the clusters, counted 1' if unit_nested else 'counted'}"
             f", period effects {'nested, counted 1' if time_nested else 'counted'}); "
             f"t({g_min - 1}) for p-values and intervals (fixest default ssc, Stata reghdfe)")
    return _Fit(
        fit=fit, params=pd.Series(beta, index=names),
        vcov=pd.DataFrame(vcov, index=names, columns=names), df_t=float(g_min - 1),
        vcov_type=vcov_type, small_sample=small, n_clusters=n_clusters,
        design=replace(design, n_params=n_params),
    )


def _tidy(res: _Fit, terms: Sequence[str], conf_level: float) -> pd.DataFrame:
    terms = list(terms)
    est = res.params.loc[terms].to_numpy()
    se = np.sqrt(np.diag(res.vcov.loc[terms, terms].to_numpy()))
    inf = t_inference(est, se, res.df_t, conf_level)
    table = pd.DataFrame({"term": terms, "estimate": est, "std_error": se, **inf})
    return table[list(TIDY_COLUMNS)]


def _demeaned(design: Design) -> tuple[np.ndarray, np.ndarray]:
    """Unit-demeaned (weighted) design and outcome, scaled by sqrt(weights) (WLS as OLS)."""
    x = within_unit(design.x, design.units, design.weights)
    yd = within_unit(design.y, design.units, design.weights)
    if design.weights is not None:
        sw = np.sqrt(design.weights)
        x, yd = x * sw[:, None], yd * sw
    return x, yd


def _design(panel: Panel, regressors: pd.DataFrame, codes: np.ndarray) -> Design:
    f = panel.frame
    return Design(
        y=f["_y"].to_numpy(dtype=float),
        x=regressors.to_numpy(dtype=float),
        names=tuple(regressors.columns),
        units=pd.factorize(f["_unit"], sort=True)[0],
        clusters=np.asarray(codes),
        weights=f["_weight"].to_numpy(dtype=float) if "_weight" in f else None,
    )


def twfe(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    treat: str,
    covariates: Sequence[str] | str | None = None,
    cluster: Sequence[str] | str | None = None,
    weights: str | None = None,
    conf_level: float = 0.95,
) -> StaticResult:
    """Estimate the static two-way fixed effects DiD ``y ~ treat + covariates | unit + time``.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per (unit, time). Not modified.
    y, unit, time, treat : str
        Outcome, unit, period and 0/1 treatment columns (treatment may not switch off).
    covariates : str or sequence of str, optional
        Time-varying controls.
    cluster : str or sequence of str, optional
        One or two cluster columns; default: cluster by ``unit``.
    weights : str, optional
        Observation weights (weighted least squares).
    conf_level : float
        Confidence level of the intervals.

    Returns
    -------
    StaticResult
        ``.tidy()`` has one row per regressor (the treatment's term is the ``treat`` column
        name); ``.fit`` is the linearmodels ``PanelEffectsResults`` (period dummies included).

    Examples
    --------
    >>> from econometrics import simulate_panel
    >>> df = simulate_panel(n_units=40, n_periods=8, cohorts=(4, 6), effect=2.0, seed=3)
    >>> res = twfe(df, y="y", unit="unit", time="time", treat="treat")
    >>> list(res.tidy().term)
    ['treat']
    """
    panel = prepare_panel(data, y=y, unit=unit, time=time, treat=treat,
                          covariates=covariates, cluster=cluster, weights=weights)
    f = panel.frame
    terms = [treat, *panel.covariates]
    regressors = pd.DataFrame({treat: f["_treat"].to_numpy(),
                               **{c: f[c].to_numpy() for c in panel.covariates}})
    if regressors[treat].nunique() < 2:
        raise PanelError(f"treatment {treat!r} does not vary: nothing to estimate")
    res = _fit_twfe(panel, regressors, cluster)
    return StaticResult(
        table=_tidy(res, terms, conf_level),
        estimator="TWFE (linearmodels PanelOLS, unit and period effects)",
        outcome=y, n_obs=panel.n_obs, n_units=panel.n_units, vcov_type=res.vcov_type,
        small_sample=res.small_sample, n_clusters=res.n_clusters, conf_level=conf_level,
        notes=panel.notes, fit=res.fit, design=res.design,
    )


def _event_window(rel: np.ndarray, leads: int | None, lags: int | None) -> tuple[int, int]:
    treated = rel[~np.isnan(rel)]
    lo = int(-treated.min()) if leads is None else leads
    hi = int(treated.max()) if lags is None else lags
    for name, v in (("leads", lo), ("lags", hi)):
        if not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"{name}={v!r} must be a non-negative integer or None")
    return max(int(lo), 0), max(int(hi), 0)


def event_study(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    cohort: str,
    leads: int | None = None,
    lags: int | None = None,
    reference: int = -1,
    bin_endpoints: bool = True,
    estimator: EventStudyEstimator = "twfe",
    covariates: Sequence[str] | str | None = None,
    cluster: Sequence[str] | str | None = None,
    conf_level: float = 0.95,
) -> EventStudyResult:
    """Estimate effects by event time (periods since first treatment) with a pre-trend test.

    With ``estimator="twfe"`` this is the dynamic TWFE regression on relative-time dummies
    ``1[t - cohort = e]`` for e in [-leads, lags] except ``reference``, with unit and period
    effects; never-treated units (``cohort`` 0, NaN or inf) have all dummies 0. The other
    estimators are heterogeneity-robust (Sun-Abraham; Borusyak-Jaravel-Spiess imputation).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel with integer periods. Not modified.
    y, unit, time, cohort : str
        Outcome, unit, period and first-treated-period columns.
    leads, lags : int, optional
        Event-time window [-leads, lags]; default: every event time observed.
    reference : int
        Omitted event time (normalized to 0), default -1.
    bin_endpoints : bool
        (twfe) Pool event times beyond the window into the end points (True), or drop the
        treated observations outside the window (False, reported in the notes).
    estimator : {"twfe", "sun_abraham", "imputation"}
        Which estimator computes the event-time effects.
    covariates : str or sequence of str, optional
        Time-varying controls.
    cluster : str or sequence of str, optional
        Cluster columns; default: the unit.
    conf_level : float
        Confidence level of the intervals.

    Returns
    -------
    EventStudyResult
        ``.tidy()`` has ``event_time`` and the terms ``event_time::e``; ``.pretrend`` is the
        joint Wald test that all leads are zero (F(q, G-1)).

    Examples
    --------
    >>> from econometrics import simulate_panel
    >>> df = simulate_panel(n_units=60, n_periods=8, cohorts=(4, 6), effect=1.0, seed=4)
    >>> es = event_study(df, y="y", unit="unit", time="time", cohort="cohort", leads=3, lags=2)
    >>> es.tidy().event_time.tolist()
    [-3, -2, 0, 1, 2]
    """
    check_choice("estimator", estimator, get_args(EventStudyEstimator))
    if estimator != "twfe":
        return _dispatch_robust(estimator, data, y=y, unit=unit, time=time, cohort=cohort,
                                leads=leads, lags=lags, reference=reference, cluster=cluster,
                                covariates=covariates, conf_level=conf_level)
    if not isinstance(bin_endpoints, bool):
        raise ValueError(f"bin_endpoints={bin_endpoints!r} must be True or False")
    panel = prepare_panel(data, y=y, unit=unit, time=time, cohort=cohort,
                          covariates=covariates, cluster=cluster)
    f = panel.frame
    notes = list(panel.notes)
    g = f["_cohort"].to_numpy()
    t = f["_time"].to_numpy()
    late = g > panel.times.max()
    if late.any():
        notes.append("units first treated after the last period are used as never treated")
    rel = np.where((g > 0) & ~late, t - g, np.nan)
    lo, hi = _event_window(rel, leads, lags)
    if not -lo <= reference <= hi:
        raise ValueError(f"reference={reference} must lie in the event window [{-lo}, {hi}]")
    if bin_endpoints:
        rel_b = np.clip(rel, -lo, hi)
    else:
        outside = ~np.isnan(rel) & ((rel < -lo) | (rel > hi))
        if outside.any():
            notes.append(f"dropped {int(outside.sum())} treated observations outside the event "
                         f"window [{-lo}, {hi}] (bin_endpoints=False)")
            keep = ~outside
            panel = _subset(panel, keep)
            f, rel = panel.frame, rel[keep]
        rel_b = rel
    omitted = [reference]
    if not np.isnan(rel).any():
        # Without never-treated units event time is collinear with unit and period effects
        # (Borusyak, Jaravel and Spiess 2024): a second normalization is needed.
        extra = -lo if -lo != reference else hi
        omitted.append(extra)
        notes.append(f"no never-treated units: event time {extra} is also omitted "
                     "(normalized to 0) to identify the dynamic TWFE regression")
    events = [e for e in range(-lo, hi + 1) if e not in omitted]
    present = set(np.unique(rel_b[~np.isnan(rel_b)]).astype(int).tolist())
    events = [e for e in events if e in present]
    if not events:
        raise PanelError("no event times to estimate in the window")
    names = [f"event_time::{e}" for e in events]
    regressors = pd.DataFrame({n: (rel_b == e).astype(float) for n, e in zip(names, events,
                                                                              strict=True)})
    for c in panel.covariates:
        regressors[c] = f[c].to_numpy()
    res = _fit_twfe(panel, regressors, cluster)
    table = _tidy(res, names, conf_level)
    table.insert(0, "event_time", np.array(events, dtype=np.int64))
    leads_terms = [n for n, e in zip(names, events, strict=True) if e < 0]
    pretrend = None
    if leads_terms:
        pretrend = wald_test(res.params.loc[leads_terms].to_numpy(),
                             res.vcov.loc[leads_terms, leads_terms].to_numpy(),
                             df_denom=res.df_t)
    if bin_endpoints and (leads is not None or lags is not None):
        notes.append(f"event times beyond [{-lo}, {hi}] are pooled into the end points")
    return EventStudyResult(
        table=table, estimator="Event study (TWFE, linearmodels PanelOLS)", outcome=y,
        n_obs=panel.n_obs, n_units=panel.n_units, vcov_type=res.vcov_type,
        small_sample=res.small_sample, n_clusters=res.n_clusters, conf_level=conf_level,
        notes=tuple(notes), fit=res.fit, design=res.design, reference=reference,
        pretrend=pretrend,
    )


def _subset(panel: Panel, keep: np.ndarray) -> Panel:
    """Restrict the panel to rows ``keep`` (facts recomputed where they change)."""
    frame = panel.frame.loc[keep].reset_index(drop=True)
    per_unit = frame.groupby("_unit", sort=False).size()
    return replace(panel, frame=frame, n_obs=len(frame), n_units=int(frame["_unit"].nunique()),
                   balanced=bool((per_unit == len(panel.times)).all()))


def _dispatch_robust(estimator: str, data: pd.DataFrame, **kwargs) -> EventStudyResult:
    """Call the heterogeneity-robust event-study estimators (econometrics.sunab / .imputation)."""
    try:
        if estimator == "sun_abraham":
            from econometrics.sunab import sun_abraham as fn
        else:
            from econometrics.imputation import imputation as fn
    except ImportError as exc:
        raise NotImplementedError(
            f"event_study(estimator={estimator!r}) is not available: {exc}") from exc
    if estimator == "imputation":
        kwargs.pop("reference")
    return fn(data, **kwargs)
