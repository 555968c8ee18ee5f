"""Callaway-Sant'Anna group-time average treatment effects and their aggregations.

:func:`att_gt` estimates ATT(g, t), the average effect in period ``t`` on the units first treated
in period ``g``, by a 2x2 comparison of the change in the outcome from a base period to ``t``
between cohort ``g`` and a control group (never-treated units, or not-yet-treated units).
:meth:`AttGtResult.aggregate` averages them into an event study ("dynamic"), per-cohort
("group"), per-period ("calendar") or one overall ("simple") effect.

The numerics follow the R ``did`` package (Callaway and Sant'Anna 2021) and its ``DRDID``
2x2 estimators (Sant'Anna and Zhao 2020) formula by formula, so point estimates and analytic
(influence function) standard errors equal theirs: outcome regression (``reg_did_panel``),
normalized inverse probability weighting (``std_ipw_did_panel``) and the doubly robust estimator
(``drdid_panel``), with DRDID's propensity trimming of controls above 0.995. Each cell's
influence function is rescaled to the full sample (``n / n_cell``), so standard errors of any
linear aggregation are ``sqrt(sum(psi**2)) / n``; aggregations add the influence function of the
estimated cohort-share weights (``did``'s ``wif``). The multiplier bootstrap uses Rademacher
draws, one (draws x units) matrix product for all cells, with ``did``'s robust
(interquartile-range) bootstrap standard deviation and sup-t critical value for uniform bands.

Covariates enter the 2x2 models at their value in the first period (time-invariant controls, as
in ``did`` for panel data); the panel is balanced first (units not observed in every period
are dropped and reported in the notes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import special, stats

from econometrics._panel import PanelError, check_choice, prepare_panel
from econometrics.results import EventStudyResult, Overall, _latex_table, _text_table

__all__ = [
    "AggregateResult",
    "AttGtResult",
    "att_gt",
    "aggregate_effects",
    "dr_did",
    "group_time_effects",
    "ipw_did",
    "multiplier_bootstrap",
    "reg_did",
]

Control = Literal["never", "notyet"]
Method = Literal["reg", "ipw", "dr"]
BasePeriod = Literal["varying", "universal"]
Aggregation = Literal["simple", "dynamic", "group", "calendar"]

TRIM_LEVEL = 0.995  # DRDID default: controls with a propensity score above this get weight 0
PS_CAP = 1.0 - 1e-6  # DRDID caps fitted propensity scores here before forming odds
LOGIT_TOL = 1e-12  # Newton step size (max abs) at which the logit is converged
LOGIT_MAX_ITER = 100  # Newton iterations before the propensity model is declared non-convergent
DEGENERATE_SD = math.sqrt(np.finfo(float).eps) * 10  # did: bootstrap sd below this -> NaN
IQR_TO_SD = stats.norm.ppf(0.75) - stats.norm.ppf(0.25)  # IQR of a standard normal


# --------------------------------------------------------------------------------------------
# 2x2 estimators (pure functions): each returns the ATT and its influence function on the
# cell's sample, scaled so that att_hat - att ~ mean(psi).
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TwoByTwo:
    """ATT of one 2x2 comparison and its influence function (one value per unit in the cell)."""

    att: float
    influence: np.ndarray


def _wls(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least squares coefficients by the normal equations."""
    xtw = x.T * w
    return np.linalg.solve(xtw @ x, xtw @ y)


def fit_logit(x: np.ndarray, d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Fitted probabilities of a weighted logit of ``d`` on ``x`` (Newton-Raphson).

    Examples
    --------
    >>> import numpy as np
    >>> fit_logit(np.ones((4, 1)), np.array([1.0, 0, 0, 0]), np.ones(4)).round(3).tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    beta = np.zeros(x.shape[1])
    share = np.average(d, weights=w)
    beta[0] = np.log(share / (1.0 - share))  # exact for an intercept-only model
    for _ in range(LOGIT_MAX_ITER):
        p = special.expit(x @ beta)
        hess = (x.T * (w * p * (1.0 - p))) @ x
        step = np.linalg.solve(hess, x.T @ (w * (d - p)))
        beta = beta + step
        if np.max(np.abs(step)) < LOGIT_TOL:
            return special.expit(x @ beta)
    raise PanelError(
        "the propensity score model (logit of cohort membership on the covariates) did not "
        "converge: the covariates (nearly) separate the cohort from its controls"
    )


def _ols_linear_rep(x, dy, d, w, fitted) -> np.ndarray:
    """Influence function of the control-group outcome regression coefficients (n x k)."""
    w_ols = w * (1.0 - d)
    xpx_inv = np.linalg.inv((x.T * w_ols) @ x / len(d))
    return ((w_ols * (dy - fitted))[:, None] * x) @ xpx_inv


def _logit_linear_rep(x, d, w, ps) -> np.ndarray:
    """Influence function of the propensity score coefficients (n x k), at the capped scores."""
    info = (x.T * (w * ps * (1.0 - ps))) @ x
    return ((w * (d - ps))[:, None] * x) @ (np.linalg.inv(info) * len(d))


def _propensity(x, d, w) -> tuple[np.ndarray, np.ndarray]:
    """Capped propensity scores and DRDID's trimming indicator (controls above TRIM_LEVEL)."""
    ps = np.minimum(fit_logit(x, d, w), PS_CAP)
    keep = np.where(d == 1, ps < 1.01, ps < TRIM_LEVEL)
    return ps, keep.astype(float)


def reg_did(dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray) -> TwoByTwo:
    """Estimate the outcome-regression DiD (Heckman et al. 1997), as DRDID ``reg_did_panel``.

    Parameters
    ----------
    dy : numpy.ndarray
        Change in the outcome from the base period to the current period, one per unit.
    d : numpy.ndarray
        1 for the treated cohort, 0 for controls.
    x : numpy.ndarray
        Covariates with a leading column of ones (n x k).
    w : numpy.ndarray
        Unit weights normalized to mean one.

    Returns
    -------
    TwoByTwo
        ATT and influence function.

    Examples
    --------
    >>> import numpy as np
    >>> r = reg_did(np.array([3.0, 1, 2, 0]), np.array([1.0, 1, 0, 0]), np.ones((4, 1)),
    ...             np.ones(4))
    >>> float(r.att)
    1.0
    """
    fitted = x @ _wls(x[d == 0], dy[d == 0], w[d == 0])
    w_treat = w * d
    eta_treat = np.mean(w_treat * dy) / np.mean(w_treat)
    eta_cont = np.mean(w_treat * fitted) / np.mean(w_treat)
    inf_treat = (w_treat * dy - w_treat * eta_treat) / np.mean(w_treat)
    m1 = np.mean(w_treat[:, None] * x, axis=0)
    inf_cont = (w_treat * fitted - w_treat * eta_cont
                + _ols_linear_rep(x, dy, d, w, fitted) @ m1) / np.mean(w_treat)
    return TwoByTwo(eta_treat - eta_cont, inf_treat - inf_cont)


def ipw_did(dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray) -> TwoByTwo:
    """Estimate the normalized IPW DiD (Abadie 2005), as DRDID ``std_ipw_did_panel``.

    Arguments and result as in :func:`reg_did`.

    Examples
    --------
    >>> import numpy as np
    >>> r = ipw_did(np.array([3.0, 1, 2, 0]), np.array([1.0, 1, 0, 0]), np.ones((4, 1)),
    ...             np.ones(4))
    >>> round(float(r.att), 12)
    1.0
    """
    ps, keep = _propensity(x, d, w)
    w_treat = keep * w * d
    w_cont = keep * w * ps * (1.0 - d) / (1.0 - ps)
    eta_treat = np.mean(w_treat * dy) / np.mean(w_treat)
    eta_cont = np.mean(w_cont * dy) / np.mean(w_cont)
    inf_treat = (w_treat * dy - w_treat * eta_treat) / np.mean(w_treat)
    m2 = np.mean((w_cont * (dy - eta_cont))[:, None] * x, axis=0)
    inf_cont = (w_cont * dy - w_cont * eta_cont
                + _logit_linear_rep(x, d, w, ps) @ m2) / np.mean(w_cont)
    return TwoByTwo(eta_treat - eta_cont, inf_treat - inf_cont)


def dr_did(dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray) -> TwoByTwo:
    """Estimate the doubly robust DiD (Sant'Anna and Zhao 2020), as DRDID ``drdid_panel``.

    Arguments and result as in :func:`reg_did`.

    Examples
    --------
    >>> import numpy as np
    >>> r = dr_did(np.array([3.0, 1, 2, 0]), np.array([1.0, 1, 0, 0]), np.ones((4, 1)),
    ...            np.ones(4))
    >>> round(float(r.att), 12)
    1.0
    """
    ps, keep = _propensity(x, d, w)
    fitted = x @ _wls(x[d == 0], dy[d == 0], w[d == 0])
    resid = dy - fitted
    w_treat = keep * w * d
    w_cont = keep * w * ps * (1.0 - d) / (1.0 - ps)
    eta_treat = np.mean(w_treat * resid) / np.mean(w_treat)
    eta_cont = np.mean(w_cont * resid) / np.mean(w_cont)
    lin_ols = _ols_linear_rep(x, dy, d, w, fitted)
    m1 = np.mean(w_treat[:, None] * x, axis=0)
    inf_treat = (w_treat * resid - w_treat * eta_treat - lin_ols @ m1) / np.mean(w_treat)
    m2 = np.mean((w_cont * (resid - eta_cont))[:, None] * x, axis=0)
    m3 = np.mean(w_cont[:, None] * x, axis=0)
    inf_cont = (w_cont * resid - w_cont * eta_cont + _logit_linear_rep(x, d, w, ps) @ m2
                - lin_ols @ m3) / np.mean(w_cont)
    return TwoByTwo(eta_treat - eta_cont, inf_treat - inf_cont)


ESTIMATORS = {"reg": reg_did, "ipw": ipw_did, "dr": dr_did}


# --------------------------------------------------------------------------------------------
# Group-time effects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupTimeEstimates:
    """ATT(g, t) for every cohort g and period t, with the (n_units x cells) influence matrix."""

    cohorts: np.ndarray
    times: np.ndarray
    att: np.ndarray
    influence: np.ndarray


def _base_index(periods: np.ndarray, g: float, anticipation: int) -> int:
    """Index of the last period before treatment starts (net of anticipation)."""
    return int(np.flatnonzero(periods + anticipation < g)[-1])


def _checked_2x2(estimator, dy, d, x, w, g, t) -> TwoByTwo:
    """Run one 2x2 estimator; turn a singular design into an error that names the cell."""
    n_treat, n_cont = int(d.sum()), int(len(d) - d.sum())
    k = x.shape[1]
    if n_cont == 0:
        raise PanelError(f"no control units for cohort {g:g} in period {t:g}")
    if k > 1 and min(n_treat, n_cont) <= k:
        raise PanelError(
            f"too few units for the covariate models in cohort {g:g}, period {t:g}: "
            f"{n_treat} treated and {n_cont} control units for {k} parameters (intercept and "
            f"{k - 1} covariates); use fewer covariates or larger cohorts"
        )
    try:
        return estimator(dy, d, x, w)
    except np.linalg.LinAlgError as exc:
        raise PanelError(
            f"collinear covariates within cohort {g:g} / its controls in period {t:g} (singular "
            "design); drop or combine covariates"
        ) from exc


def group_time_effects(
    y: np.ndarray,
    unit_cohort: np.ndarray,
    x: np.ndarray,
    periods: np.ndarray,
    cohorts: np.ndarray,
    *,
    control: Control,
    method: Method,
    anticipation: int,
    base_period: BasePeriod,
) -> GroupTimeEstimates:
    """All ATT(g, t) of a balanced panel (``y``: units x periods), as ``did``'s compute.att_gt.

    Parameters
    ----------
    y : numpy.ndarray
        Outcomes, one row per unit, one column per period (``periods``, sorted).
    unit_cohort : numpy.ndarray
        First treated period of each unit, 0 for the comparison-only units.
    x : numpy.ndarray
        Covariates per unit with a leading column of ones.
    periods, cohorts : numpy.ndarray
        Sorted periods and the cohorts to estimate effects for.
    control, method, anticipation, base_period
        As in :func:`att_gt`.

    Returns
    -------
    GroupTimeEstimates
        One cell per cohort and period (except the first period under a varying base).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([[0.0, 1, 3], [0, 1, 1], [0, 0, 0], [0, 0, 0]])
    >>> r = group_time_effects(y, np.array([3.0, 3, 0, 0]), np.ones((4, 1)),
    ...                        np.array([1, 2, 3]), np.array([3.0]), control="never",
    ...                        method="reg", anticipation=0, base_period="varying")
    >>> r.att.tolist()
    [1.0, 1.0]
    """
    n = y.shape[0]
    w = np.ones(n)
    estimator = ESTIMATORS[method]
    shift = 1 if base_period == "varying" else 0
    cells_g, cells_t, atts, columns = [], [], [], []
    for g in cohorts:
        treated = unit_cohort == g
        for ti in range(len(periods) - shift):
            cur = ti + shift
            base = ti if base_period == "varying" else _base_index(periods, g, anticipation)
            if g <= periods[cur]:
                base = _base_index(periods, g, anticipation)
            cells_g.append(g)
            cells_t.append(periods[cur])
            if base == cur:  # universal base period: the reference cell is 0 by construction
                atts.append(0.0)
                columns.append(np.zeros(n))
                continue
            ctrl = unit_cohort == 0
            if control == "notyet":
                last = periods[max(ti, base) + shift]
                ctrl = ctrl | ((unit_cohort > last + anticipation) & ~treated)
            cell = treated | ctrl
            dy = y[cell, cur] - y[cell, base]
            fit = _checked_2x2(estimator, dy, treated[cell].astype(float), x[cell], w[cell],
                               g, periods[cur])
            psi = np.zeros(n)
            psi[cell] = fit.influence * (n / cell.sum())
            atts.append(float(fit.att))
            columns.append(psi)
    return GroupTimeEstimates(np.asarray(cells_g, float), np.asarray(cells_t, float),
                              np.asarray(atts), np.column_stack(columns))


# --------------------------------------------------------------------------------------------
# Standard errors and the multiplier bootstrap
# --------------------------------------------------------------------------------------------


def _cluster_sums(influence: np.ndarray, clusters: np.ndarray | None) -> np.ndarray:
    """Sum the influence function within clusters (rows); identity without clusters."""
    if clusters is None:
        return influence
    out = np.zeros((int(clusters.max()) + 1, influence.shape[1]))
    np.add.at(out, clusters, influence)
    return out


def analytic_se(influence: np.ndarray, clusters: np.ndarray | None = None) -> np.ndarray:
    """Return standard errors from influence functions, ``sqrt(sum_c (sum_{i in c} psi_i)^2)/n``.

    Examples
    --------
    >>> import numpy as np
    >>> analytic_se(np.array([[1.0], [-1.0], [2.0], [-2.0]])).round(4).tolist()
    [0.7906]
    """
    sums = _cluster_sums(influence, clusters)
    return np.sqrt(np.sum(sums**2, axis=0)) / influence.shape[0]


def rademacher_draws(seed, n_draws: int, n_units: int) -> np.ndarray:
    """Rademacher multiplier weights (n_draws x n_units, entries +-1) from a seeded Generator.

    Examples
    --------
    >>> rademacher_draws(1, 2, 3).shape
    (2, 3)
    """
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2, size=(n_draws, n_units), dtype=np.int8) * 2.0 - 1.0


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap standard errors (NaN where degenerate) and the sup-t critical value."""

    se: np.ndarray
    crit: float


def multiplier_bootstrap(
    influence: np.ndarray, draws: np.ndarray, *, alpha: float,
    clusters: np.ndarray | None = None,
) -> BootstrapResult:
    """Multiplier bootstrap of influence functions, as ``did``'s ``mboot``.

    With clusters the influence function is averaged within clusters and the draws are one
    per cluster. The standard deviation of each column is the robust interquartile-range
    estimate; the critical value is the ``1 - alpha`` quantile of the maximum absolute
    t-statistic across columns (a simultaneous band).

    Parameters
    ----------
    influence : numpy.ndarray
        Units x parameters.
    draws : numpy.ndarray
        Draws x units (or x clusters) multiplier weights.
    alpha : float
        One minus the band's coverage.
    clusters : numpy.ndarray, optional
        Integer cluster code of each unit.

    Returns
    -------
    BootstrapResult

    Examples
    --------
    >>> import numpy as np
    >>> psi = np.random.default_rng(0).normal(size=(500, 2))
    >>> r = multiplier_bootstrap(psi, rademacher_draws(1, 999, 500), alpha=0.05)
    >>> bool(np.all(np.abs(r.se - 1 / np.sqrt(500)) < 0.01)), bool(r.crit > 1.96)
    (True, True)
    """
    n = influence.shape[0]
    psi = influence
    if clusters is not None:
        psi = _cluster_sums(influence, clusters) / np.bincount(clusters)[:, None]
    m = psi.shape[0]
    boot = (draws @ psi) * (math.sqrt(m) / m)
    q = np.quantile(boot, [0.25, 0.75], axis=0, method="inverted_cdf")  # R quantile type 1
    sd = (q[1] - q[0]) / IQR_TO_SD
    sd = np.where(sd <= DEGENERATE_SD, np.nan, sd)
    ok = np.isfinite(sd)
    if not ok.any():
        return BootstrapResult(sd / math.sqrt(n), float("nan"))
    tmax = np.max(np.abs(boot[:, ok] / sd[ok]), axis=1)
    crit = float(np.quantile(tmax, 1.0 - alpha, method="inverted_cdf"))
    return BootstrapResult(sd / math.sqrt(n), crit)


# --------------------------------------------------------------------------------------------
# Aggregation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AggregateEstimates:
    """Aggregated effects (labels, att, influence n x m) and the overall effect."""

    labels: np.ndarray
    att: np.ndarray
    influence: np.ndarray
    overall_att: float
    overall_influence: np.ndarray


def _weight_influence(keep: np.ndarray, shares: np.ndarray, unit_cohort: np.ndarray,
                      cell_cohorts: np.ndarray) -> np.ndarray:
    """Influence function of estimated cohort-share weights (``did``'s ``wif``), n x len(keep)."""
    s = shares[keep]
    dev = (unit_cohort[:, None] == cell_cohorts[keep][None, :]) - s[None, :]
    total = s.sum()
    return dev / total - dev.sum(axis=1, keepdims=True) * (s / total**2)[None, :]


def _share_weighted(att, influence, keep, shares, unit_cohort, cell_cohorts):
    """Cohort-share weighted average of the cells ``keep`` and its influence function."""
    s = shares[keep]
    est = float(np.sum(att[keep] * s) / s.sum())
    psi = influence[:, keep] @ (s / s.sum())
    psi = psi + _weight_influence(keep, shares, unit_cohort, cell_cohorts) @ att[keep]
    return est, psi


def aggregate_effects(gt: GroupTimeEstimates, unit_cohort: np.ndarray,
                      kind: Aggregation) -> AggregateEstimates:
    """Aggregate ATT(g, t) as ``did``'s ``aggte`` (weights: cohort shares among all units).

    Parameters
    ----------
    gt : GroupTimeEstimates
        Output of :func:`group_time_effects`.
    unit_cohort : numpy.ndarray
        Cohort of each unit (0 for never treated), same order as the influence rows.
    kind : {"simple", "dynamic", "group", "calendar"}
        Aggregation.

    Returns
    -------
    AggregateEstimates

    Examples
    --------
    >>> import numpy as np
    >>> gt = GroupTimeEstimates(np.array([2.0, 2.0]), np.array([1.0, 2.0]),
    ...                         np.array([0.1, 1.0]), np.zeros((4, 2)))
    >>> aggregate_effects(gt, np.array([2.0, 2, 0, 0]), "dynamic").att.tolist()
    [0.1, 1.0]
    """
    g, t, att, inf = gt.cohorts, gt.times, gt.att, gt.influence
    glist = np.unique(g)
    shares_g = np.array([np.mean(unit_cohort == c) for c in glist])
    shares = shares_g[np.searchsorted(glist, g)]
    post = g <= t

    def weighted(keep):
        return _share_weighted(att, inf, np.flatnonzero(keep), shares, unit_cohort, g)

    if kind == "simple":
        est, psi = weighted(post)
        return AggregateEstimates(np.array(["simple"]), np.array([est]), psi[:, None], est, psi)
    if kind == "dynamic":
        labels = np.unique(t - g)
        parts = [weighted(t - g == e) for e in labels]
        overall_cols = labels >= 0
    elif kind == "group":
        labels = glist
        parts = []
        for c in glist:
            keep = np.flatnonzero((g == c) & post)
            parts.append((float(att[keep].mean()), inf[:, keep].mean(axis=1)))
        est_g = np.array([p[0] for p in parts])
        psi_g = np.column_stack([p[1] for p in parts])
        every = np.arange(len(glist))
        est = float(np.sum(est_g * shares_g) / shares_g.sum())
        psi = psi_g @ (shares_g / shares_g.sum())
        psi = psi + _weight_influence(every, shares_g, unit_cohort, glist) @ est_g
        return AggregateEstimates(labels, est_g, psi_g, est, psi)
    else:  # calendar
        labels = np.unique(t[t >= g.min()])
        parts = [weighted((t == s) & post) for s in labels]
        overall_cols = np.ones(len(labels), bool)
    est = np.array([p[0] for p in parts])
    psi = np.column_stack([p[1] for p in parts])
    return AggregateEstimates(labels, est, psi, float(est[overall_cols].mean()),
                              psi[:, overall_cols].mean(axis=1))


# --------------------------------------------------------------------------------------------
# Result objects
# --------------------------------------------------------------------------------------------


def _bands(att, se, boot: BootstrapResult | None, alpha: float):
    """Confidence bands: simultaneous (bootstrap sup-t with bootstrap SEs), else pointwise."""
    if boot is None:
        crit, width_se = stats.norm.ppf(1 - alpha / 2), se
    else:
        crit, width_se = boot.crit, boot.se
    return att - crit * width_se, att + crit * width_se


@dataclass(frozen=True, eq=False, kw_only=True)
class _CsBase:
    """Facts shared by the group-time and the aggregated results."""

    table: pd.DataFrame
    outcome: str
    n_units: int
    n_obs: int
    control: str
    method: str
    alpha: float
    bootstrap: int
    n_clusters: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()

    def tidy(self) -> pd.DataFrame:
        """Return the estimates table (a copy)."""
        return self.table.copy()

    def _footer(self) -> list[str]:
        band = (f"simultaneous {1 - self.alpha:.0%} band from {self.bootstrap} multiplier "
                "bootstrap draws" if self.bootstrap else
                f"pointwise {1 - self.alpha:.0%} intervals")
        clusters = ", ".join(map(str, self.n_clusters)) if self.n_clusters else "units"
        return [
            f"Units: {self.n_units}; observations: {self.n_obs}; clusters: {clusters}",
            f"Control group: {self.control}; 2x2 estimator: {self.method}",
            f"se: analytic (influence function); conf_low/conf_high: {band}",
            *[f"Note: {n}" for n in self.notes],
        ]

    def summary(self, *, latex: bool = False, digits: int = 4) -> str:
        """Return a text table (or a LaTeX ``tabular`` with ``latex=True``) with the facts."""
        title = f"{self._title()}: {self.outcome}"
        if latex:
            return _latex_table(title, self.table, self._footer(), digits)
        return "\n".join([title, _text_table(self.table, digits), *self._footer()])

    def _title(self) -> str:
        return "Callaway-Sant'Anna"

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<pre>{self.summary()}</pre>"


@dataclass(frozen=True, eq=False, kw_only=True)
class AggregateResult(_CsBase):
    """An aggregation of ATT(g, t) (see :meth:`AttGtResult.aggregate`).

    ``tidy()`` has a first column ``event_time`` (dynamic), ``cohort`` (group), ``time``
    (calendar) or ``aggregation`` (simple), then ``att``, ``se``, ``conf_low``, ``conf_high``;
    ``overall`` is the summary effect (att, se) that ``did`` reports for the aggregation.
    """

    kind: str
    overall: Overall

    def _title(self) -> str:
        return f"Callaway-Sant'Anna, {self.kind} aggregation"

    def _footer(self) -> list[str]:
        return [f"Overall ATT: {self.overall.att:.4f} (SE {self.overall.se:.4f})",
                *super()._footer()]

    def to_event_study(self) -> EventStudyResult:
        """Return the dynamic aggregation as an :class:`~econometrics.results.EventStudyResult`."""
        if self.kind != "dynamic":
            raise ValueError(f"to_event_study needs kind='dynamic', this is kind={self.kind!r}")
        t = self.table
        z = t["att"] / t["se"]
        table = pd.DataFrame({
            "event_time": t["event_time"].astype(int),
            "term": [f"e={e}" for e in t["event_time"].astype(int)],
            "estimate": t["att"], "std_error": t["se"], "statistic": z,
            "p_value": 2 * stats.norm.sf(np.abs(z)),
            "conf_low": t["conf_low"], "conf_high": t["conf_high"],
        })
        return EventStudyResult(
            table=table, estimator=f"Callaway-Sant'Anna ({self.method}, {self.control} controls)",
            outcome=self.outcome, n_obs=self.n_obs, n_units=self.n_units,
            vcov_type="analytic influence function", small_sample="none",
            n_clusters=self.n_clusters, conf_level=1 - self.alpha, notes=self.notes,
            reference=None, overall=self.overall)

    def plot(self, ax=None, **kwargs):
        """Plot the aggregated effects with their bands; returns the Axes."""
        if self.kind == "dynamic":
            return self.to_event_study().plot(ax=ax, **kwargs)
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        t = self.tidy()
        first = t.columns[0]
        x = np.arange(len(t)) if first == "aggregation" else t[first].to_numpy(float)
        ax.errorbar(x, t["att"], yerr=[t["att"] - t["conf_low"], t["conf_high"] - t["att"]],
                    fmt="o", capsize=3, **kwargs)
        ax.axhline(0.0, color="grey", linestyle="--", linewidth=1)
        ax.axhline(self.overall.att, color="black", linestyle=":", linewidth=1,
                   label=f"overall = {self.overall.att:.3f}")
        ax.set_xlabel(first)
        ax.set_ylabel(f"effect on {self.outcome}")
        ax.set_title(self._title())
        ax.legend(fontsize="small")
        return ax


_FIRST_COLUMN = {"simple": "aggregation", "dynamic": "event_time", "group": "cohort",
                 "calendar": "time"}


@dataclass(frozen=True, eq=False, kw_only=True)
class AttGtResult(_CsBase):
    """Group-time average treatment effects from :func:`att_gt`.

    ``tidy()`` columns: cohort, time, att, se, conf_low, conf_high. ``aggregate(kind)`` returns
    an :class:`AggregateResult`.
    """

    estimates: GroupTimeEstimates
    unit_cohort: np.ndarray
    clusters: np.ndarray | None
    seed: np.random.SeedSequence
    _cache: dict = field(default_factory=dict, repr=False)

    def _title(self) -> str:
        return "Callaway-Sant'Anna group-time ATT"

    def _draws(self) -> np.ndarray:
        """Return the multiplier draws (the same for every aggregation of this fit)."""
        if "draws" not in self._cache:
            m = self.unit_cohort.size if self.clusters is None else int(self.clusters.max()) + 1
            self._cache["draws"] = rademacher_draws(self.seed, self.bootstrap, m)
        return self._cache["draws"]

    def _inference(self, att: np.ndarray, influence: np.ndarray):
        se = analytic_se(influence, self.clusters)
        boot = None
        if self.bootstrap:
            boot = multiplier_bootstrap(influence, self._draws(), alpha=self.alpha,
                                        clusters=self.clusters)
        return se, _bands(att, se, boot, self.alpha)

    def aggregate(self, kind: Aggregation = "group") -> AggregateResult:
        """Aggregate the group-time effects.

        Parameters
        ----------
        kind : {"simple", "dynamic", "group", "calendar"}
            ``"simple"``: cohort-size weighted average of all post-treatment cells;
            ``"dynamic"``: by event time ``t - g`` (overall: mean over event times >= 0);
            ``"group"``: by cohort (overall: cohort-size weighted);
            ``"calendar"``: by period (overall: mean over periods).

        Returns
        -------
        AggregateResult

        Examples
        --------
        >>> from econometrics.simulate import simulate_panel
        >>> df = simulate_panel(n_units=200, n_periods=6, cohorts=(3, 5), effect=1.0,
        ...                     sigma=0.1, seed=1)
        >>> res = att_gt(df, y="y", unit="unit", time="time", cohort="cohort", bootstrap=0)
        >>> list(res.aggregate("dynamic").tidy().columns)
        ['event_time', 'att', 'se', 'conf_low', 'conf_high']
        """
        check_choice("kind", kind, get_args(Aggregation))
        agg = aggregate_effects(self.estimates, self.unit_cohort, kind)
        se, (lo, hi) = self._inference(agg.att, agg.influence)
        first = _FIRST_COLUMN[kind]
        labels = agg.labels if kind == "simple" else agg.labels.astype(int)
        table = pd.DataFrame({first: labels, "att": agg.att, "se": se,
                              "conf_low": lo, "conf_high": hi})
        overall_se = float(analytic_se(agg.overall_influence[:, None], self.clusters)[0])
        return AggregateResult(
            table=table, outcome=self.outcome, n_units=self.n_units, n_obs=self.n_obs,
            control=self.control, method=self.method, alpha=self.alpha,
            bootstrap=self.bootstrap, n_clusters=self.n_clusters, notes=self.notes, kind=kind,
            overall=Overall(agg.overall_att, overall_se))

    def plot(self, ax=None, **kwargs):
        """ATT(g, t) against time, one line per cohort, with bands; returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        t = self.tidy()
        for c, part in t.groupby("cohort"):
            line = ax.errorbar(part["time"], part["att"],
                               yerr=[part["att"] - part["conf_low"],
                                     part["conf_high"] - part["att"]],
                               fmt="o-", capsize=2, label=f"cohort {c:g}", **kwargs)
            ax.axvline(c, color=line[0].get_color(), linestyle=":", linewidth=1)
        ax.axhline(0.0, color="grey", linestyle="--", linewidth=1)
        ax.set_xlabel("time")
        ax.set_ylabel(f"ATT(g, t) on {self.outcome}")
        ax.set_title(self._title())
        ax.legend(fontsize="small")
        return ax


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def _wide_panel(data, *, y, unit, time, cohort, covariates, cluster):
    """Prepare, balance and reshape the panel: arrays per unit (rows) and period (columns)."""
    panel = prepare_panel(data, y=y, unit=unit, time=time, cohort=cohort,
                          covariates=covariates, cluster=cluster)
    frame, notes = panel.frame, list(panel.notes)
    periods = np.asarray(panel.times)
    if not panel.balanced:
        full = frame.groupby("_unit", sort=False)["_time"].transform("size") == len(periods)
        dropped = panel.n_units - frame.loc[full, "_unit"].nunique()
        frame = frame.loc[full].reset_index(drop=True)
        notes.append(f"balanced the panel: dropped {dropped} units not observed in every period")
        if frame.empty:
            raise PanelError("no unit is observed in every period")
    n_periods = len(periods)
    n = len(frame) // n_periods
    ymat = frame["_y"].to_numpy().reshape(n, n_periods)
    first_rows = slice(0, None, n_periods)
    unit_cohort = frame["_cohort"].to_numpy()[first_rows].copy()
    x = np.column_stack([np.ones(n), *(frame[c].to_numpy()[first_rows] for c in covariates)])
    clusters = None
    if cluster is not None:
        codes = frame["_cluster0"].to_numpy().reshape(n, n_periods)
        if np.any(codes != codes[:, :1]):
            raise PanelError(f"cluster {cluster!r} varies within units; it must be fixed")
        clusters = pd.factorize(codes[:, 0], sort=True)[0]
    return panel, ymat, unit_cohort, x, clusters, periods, notes, len(frame)


def _select_cohorts(unit_cohort, periods, *, control, anticipation, notes):
    """Cohorts to estimate; recode late cohorts; enforce the design's requirements."""
    late = unit_cohort > periods[-1] + anticipation
    if late.any():
        notes.append(f"cohorts {sorted(set(unit_cohort[late].tolist()))} are first treated "
                     "after the last period: used as never treated")
        unit_cohort[late] = 0.0
    early = (unit_cohort > 0) & (unit_cohort <= periods[0] + anticipation)
    if early.any():
        raise PanelError(
            f"cohorts {sorted(set(unit_cohort[early].tolist()))} ({int(early.sum())} units) are "
            f"treated in the first period {periods[0]}"
            + (f" (net of anticipation={anticipation})" if anticipation else "")
            + ": they have no pre-treatment period; drop these units"
        )
    keep_periods = np.ones(len(periods), bool)
    cohorts = np.unique(unit_cohort[unit_cohort > 0])
    if not (unit_cohort == 0).any():
        if control == "never":
            raise PanelError(
                "no never-treated units (cohort 0, NaN or inf) for control='never'; use "
                "control='notyet' to compare with not-yet-treated units"
            )
        last = cohorts[-1]
        keep_periods = periods < last - anticipation
        cohorts = cohorts[:-1]
        notes.append(f"no never-treated units: cohort {last:g} serves only as a control and "
                     f"periods from {last - anticipation:g} on are dropped")
    if len(cohorts) == 0:
        raise PanelError("no treated cohort to estimate effects for")
    return cohorts, keep_periods


def att_gt(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    cohort: str,
    control: Control = "never",
    method: Method = "dr",
    covariates: list[str] | tuple[str, ...] | None = None,
    anticipation: int = 0,
    base_period: BasePeriod = "varying",
    bootstrap: int = 999,
    alpha: float = 0.05,
    seed: int | np.random.SeedSequence | None = None,
    cluster: str | None = None,
) -> AttGtResult:
    """Callaway-Sant'Anna group-time average treatment effects ATT(g, t).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period (never modified).
    y, unit, time, cohort : str
        Outcome, unit, integer period and first-treated-period columns (never treated: 0,
        NaN or inf).
    control : {"never", "notyet"}
        Comparison units: never treated, or never and not yet treated (by the later of the
        current and base period, net of anticipation).
    method : {"reg", "ipw", "dr"}
        2x2 estimator: outcome regression, normalized inverse probability weighting or doubly
        robust. Identical without covariates.
    covariates : list of str, optional
        Controls for the 2x2 models, taken at their first-period value.
    anticipation : int
        Periods before treatment in which units may already react.
    base_period : {"varying", "universal"}
        Pre-treatment cells compare consecutive periods ("varying"), or all cells compare with
        the period before treatment ("universal", that cell is 0).
    bootstrap : int
        Multiplier bootstrap draws for simultaneous bands; 0 for analytic pointwise intervals.
    alpha : float
        One minus the coverage of the bands.
    seed : int or numpy.random.SeedSequence, optional
        Seed of the bootstrap draws.
    cluster : str, optional
        Cluster column (fixed within units) for the standard errors and the bootstrap.

    Returns
    -------
    AttGtResult
        ``tidy()`` columns cohort, time, att, se, conf_low, conf_high; ``aggregate(kind)``.

    Raises
    ------
    econometrics._panel.PanelError
        No never-treated units with ``control="never"``, cohorts treated in the first period,
        too few units for the covariate models, collinear covariates, or a malformed panel.

    Examples
    --------
    >>> from econometrics.simulate import simulate_panel
    >>> df = simulate_panel(n_units=200, n_periods=6, cohorts=(3, 5), effect=1.0,
    ...                     sigma=0.1, seed=1)
    >>> res = att_gt(df, y="y", unit="unit", time="time", cohort="cohort", seed=1)
    >>> list(res.tidy().columns)
    ['cohort', 'time', 'att', 'se', 'conf_low', 'conf_high']
    >>> round(res.aggregate("simple").overall.att, 1)
    1.0
    """
    check_choice("control", control, get_args(Control))
    check_choice("method", method, get_args(Method))
    check_choice("base_period", base_period, get_args(BasePeriod))
    covariates = [] if covariates is None else (
        [covariates] if isinstance(covariates, str) else list(covariates))
    if not (isinstance(anticipation, int | np.integer) and anticipation >= 0):
        raise ValueError(f"anticipation={anticipation!r} must be a non-negative integer")
    if not (isinstance(bootstrap, int | np.integer) and bootstrap >= 0):
        raise ValueError(f"bootstrap={bootstrap!r} must be a non-negative number of draws")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha!r} must be strictly between 0 and 1")
    panel, ymat, unit_cohort, x, clusters, periods, notes, n_obs = _wide_panel(
        data, y=y, unit=unit, time=time, cohort=cohort, covariates=covariates, cluster=cluster)
    cohorts, keep = _select_cohorts(unit_cohort, periods, control=control,
                                    anticipation=anticipation, notes=notes)
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise PanelError(f"collinear covariates {covariates} (with the intercept): the "
                         "covariate matrix does not have full column rank; drop one")
    gt = group_time_effects(ymat[:, keep], unit_cohort, x, periods[keep], cohorts,
                            control=control, method=method, anticipation=anticipation,
                            base_period=base_period)
    seed_seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    n_clusters = () if clusters is None else (int(clusters.max()) + 1,)
    result = AttGtResult(
        table=pd.DataFrame(), outcome=y, n_units=ymat.shape[0], n_obs=n_obs, control=control,
        method=method, alpha=alpha, bootstrap=int(bootstrap), n_clusters=n_clusters,
        notes=tuple(notes), estimates=gt, unit_cohort=unit_cohort, clusters=clusters,
        seed=seed_seq)
    se, (lo, hi) = result._inference(gt.att, gt.influence)
    table = pd.DataFrame({"cohort": gt.cohorts.astype(int), "time": gt.times.astype(int),
                          "att": gt.att, "se": se, "conf_low": lo, "conf_high": hi})
    object.__setattr__(result, "table", table)
    return result
