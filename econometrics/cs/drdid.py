"""DRDID's 2x2 panel estimators (Sant'Anna and Zhao 2020), the building block of ``att_gt``.

Pure functions: each takes the change in the outcome of every unit in one 2x2 cell (cohort g
and its controls, from the base period to period t), the treated indicator, the covariates
(leading column of ones) and unit weights, and returns the ATT with its influence function,
scaled so that ``att_hat - att ~ mean(psi)``. Outcome regression (``reg_did_panel``),
normalized inverse probability weighting (``std_ipw_did_panel``) and the doubly robust estimator
(``drdid_panel``), with DRDID's propensity trimming of controls above 0.995.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special

from econometrics._panel import PanelError

__all__ = ["ESTIMATORS", "RC_ESTIMATORS", "Method", "TwoByTwo", "dr_did", "dr_did_rc",
           "fit_logit", "ipw_did", "ipw_did_rc", "reg_did", "reg_did_rc"]

Method = Literal["reg", "ipw", "dr"]

TRIM_LEVEL = 0.995  # DRDID default: controls with a propensity score above this get weight 0
PS_CAP = 1.0 - 1e-6  # DRDID caps fitted propensity scores here before forming odds
LOGIT_TOL = 1e-12  # Newton step size (max abs) at which the logit is converged
LOGIT_MAX_ITER = 100  # Newton iterations before the propensity model is declared non-convergent


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
# Repeated cross-sections (and unbalanced panels): DRDID's *_rc estimators. Each takes the
# stacked rows of one 2x2 cell: outcome y, post (1 in the later period), d (1 for the cohort),
# covariates x (leading ones, each row's own period) and weights w; influence per row.
# --------------------------------------------------------------------------------------------


def _cell_ols(x, y, w, mask) -> tuple[np.ndarray, np.ndarray]:
    """Fitted values of the WLS of y on x in the rows ``mask``, and its linear representation."""
    fitted = x @ _wls(x[mask], y[mask], w[mask])
    return fitted, _ols_linear_rep(x, y, 1.0 - mask, w, fitted)


def _ratio(weight: np.ndarray, values: np.ndarray) -> tuple[float, np.ndarray]:
    """Weighted mean ``sum(w v) / sum(w)`` and its influence function (one per row)."""
    eta = weight * values / np.mean(weight)
    att = float(np.mean(eta))
    return att, eta - weight * att / np.mean(weight)


def reg_did_rc(y: np.ndarray, post: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray
               ) -> TwoByTwo:
    """Estimate the outcome-regression DiD for repeated cross-sections (DRDID ``reg_did_rc``).

    Examples
    --------
    >>> import numpy as np
    >>> r = reg_did_rc(np.array([1.0, 4, 0, 1]), np.array([0.0, 1, 0, 1]),
    ...                np.array([1.0, 1, 0, 0]), np.ones((4, 1)), np.ones(4))
    >>> float(r.att)
    2.0
    """
    pre_c, post_c = (d == 0) & (post == 0), (d == 0) & (post == 1)
    fit_pre, lin_pre = _cell_ols(x, y, w, pre_c)
    fit_post, lin_post = _cell_ols(x, y, w, post_c)
    att_t1, inf_t1 = _ratio(w * d * post, y)
    att_t0, inf_t0 = _ratio(w * d * (1 - post), y)
    w_treat = w * d
    att_c, inf_c = _ratio(w_treat, fit_post - fit_pre)
    moment = np.mean(w_treat[:, None] * x, axis=0) / np.mean(w_treat)
    inf_c = inf_c + (lin_post - lin_pre) @ moment
    return TwoByTwo(att_t1 - att_t0 - att_c, inf_t1 - inf_t0 - inf_c)


def ipw_did_rc(y: np.ndarray, post: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray
               ) -> TwoByTwo:
    """Estimate the normalized IPW DiD for repeated cross-sections (``std_ipw_did_rc``).

    Arguments and result as in :func:`reg_did_rc`.
    """
    ps, keep = _propensity(x, d, w)
    w_t1, w_t0 = keep * w * d * post, keep * w * d * (1 - post)
    odds = keep * w * ps * (1 - d) / (1 - ps)
    w_c1, w_c0 = odds * post, odds * (1 - post)
    att_t1, inf_t1 = _ratio(w_t1, y)
    att_t0, inf_t0 = _ratio(w_t0, y)
    att_c1, inf_c1 = _ratio(w_c1, y)
    att_c0, inf_c0 = _ratio(w_c0, y)
    m2 = (np.mean((w_c1 * (y - att_c1))[:, None] * x, axis=0) / np.mean(w_c1)
          - np.mean((w_c0 * (y - att_c0))[:, None] * x, axis=0) / np.mean(w_c0))
    inf_c = inf_c1 - inf_c0 + _logit_linear_rep(x, d, w, ps) @ m2
    return TwoByTwo((att_t1 - att_t0) - (att_c1 - att_c0), inf_t1 - inf_t0 - inf_c)


def dr_did_rc(y: np.ndarray, post: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray
              ) -> TwoByTwo:
    """Estimate the locally efficient doubly robust DiD for repeated cross-sections.

    Sant'Anna and Zhao (2020), DRDID ``drdid_rc``: outcome regressions for controls and treated
    in each period plus the propensity score. Arguments and result as in :func:`reg_did_rc`.
    """
    ps, keep = _propensity(x, d, w)
    fit_c0, lin_c0 = _cell_ols(x, y, w, (d == 0) & (post == 0))
    fit_c1, lin_c1 = _cell_ols(x, y, w, (d == 0) & (post == 1))
    fit_t0, lin_t0 = _cell_ols(x, y, w, (d == 1) & (post == 0))
    fit_t1, lin_t1 = _cell_ols(x, y, w, (d == 1) & (post == 1))
    fit_c = post * fit_c1 + (1 - post) * fit_c0
    resid = y - fit_c
    w_t1, w_t0 = keep * w * d * post, keep * w * d * (1 - post)
    odds = keep * w * ps * (1 - d) / (1 - ps)
    w_c1, w_c0, w_d = odds * post, odds * (1 - post), keep * w * d
    att_t1, inf_t1 = _ratio(w_t1, resid)
    att_t0, inf_t0 = _ratio(w_t0, resid)
    att_c1, inf_c1 = _ratio(w_c1, resid)
    att_c0, inf_c0 = _ratio(w_c0, resid)
    gap1, gap0 = fit_t1 - fit_c1, fit_t0 - fit_c0
    att_d1, inf_d1 = _ratio(w_d, gap1)
    att_dt1, inf_dt1 = _ratio(w_t1, gap1)
    att_d0, inf_d0 = _ratio(w_d, gap0)
    att_dt0, inf_dt0 = _ratio(w_t0, gap0)
    att = ((att_t1 - att_t0) - (att_c1 - att_c0) + (att_d1 - att_dt1) - (att_d0 - att_dt0))

    def moment(weight, values):
        return np.mean((weight * values)[:, None] * x, axis=0) / np.mean(weight)

    inf_treat = (inf_t1 - inf_t0 - lin_c1 @ moment(w_t1, post)
                 + lin_c0 @ moment(w_t0, 1 - post))
    m2 = moment(w_c1, resid - att_c1) - moment(w_c0, resid - att_c0)
    inf_cont = (inf_c1 - inf_c0 + _logit_linear_rep(x, d, w, ps) @ m2
                - lin_c1 @ moment(w_c1, post) + lin_c0 @ moment(w_c0, 1 - post))
    inf_eff = (inf_d1 - inf_dt1) - (inf_d0 - inf_dt0)
    ones = np.ones_like(y)
    mom1 = moment(w_d, ones) - moment(w_t1, ones)
    mom0 = moment(w_d, ones) - moment(w_t0, ones)
    inf_or = (lin_t1 - lin_c1) @ mom1 - (lin_t0 - lin_c0) @ mom0
    return TwoByTwo(att, inf_treat - inf_cont + inf_eff + inf_or)


RC_ESTIMATORS = {"reg": reg_did_rc, "ipw": ipw_did_rc, "dr": dr_did_rc}
