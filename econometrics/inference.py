"""Inference: t intervals, joint Wald tests, cluster-robust covariances, wild cluster bootstrap.

Pure functions over arrays (``bread``, ``meat``, ``cluster_vcov``, ``wald_test``, ...) plus one
entry point, :func:`wild_bootstrap`, which re-tests a coefficient of a ``twfe`` / ``event_study``
result with the restricted wild cluster bootstrap (WCR; Cameron, Gelbach and Miller 2008; Webb 2023;
the algorithm of Roodman, MacKinnon, Nielsen and Webb 2019, "Fast and wild").
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import sparse, stats

from econometrics._panel import FEW_CLUSTERS, check_choice, check_seed, warn_data
from econometrics.results import WaldTest, check_conf_level

#: A standard error at or below this share of the estimate's size (at least 1) is taken as 0:
#: a perfect fit leaves residuals of rounding size, not exactly 0, and a variance of rounding
#: size (~1e-16) has a square root of ~1e-8. R did's threshold: sqrt(.Machine$double.eps) * 10.
_ZERO_SE = 10 * np.sqrt(np.finfo(float).eps)

__all__ = [
    "BootstrapWeights",
    "Design",
    "WildBootstrapResult",
    "bread",
    "cluster_vcov",
    "crv1_factor",
    "group_sums",
    "hc1_vcov",
    "iid_vcov",
    "meat",
    "pretrend_test",
    "t_inference",
    "wald_test",
    "wild_bootstrap",
    "within_unit",
]

BootstrapWeights = Literal["webb", "rademacher"]

_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
_INVERSION_TOL = 1e-6  # CI inversion stops when the bracket is below this many standard errors
_MAX_ENUMERATE_CLUSTERS = 13  # Rademacher: enumerate all 2**G draws when G is at most this


# ----------------------------------------------------------------------------- pure numerics
def warn_degenerate_se(estimate, std_error) -> None:
    """Warn (DataWarning) when a finite estimate has a standard error of 0 or NaN.

    Every estimator's inference passes through here, so SE 0 and NaN p-values never come back
    without a word (one unit per arm, a perfect fit, too few clusters).
    """
    est = np.asarray(estimate, dtype=float)
    se = np.asarray(std_error, dtype=float)
    reference = (est == 0) & ~(se > 0)  # normalised reference cells (R did: estimate 0, SE 0)
    degenerate = np.isfinite(est) & ~reference & ~(se > _ZERO_SE * np.maximum(1.0, np.abs(est)))
    if degenerate.any():
        warn_data(f"standard error is 0 or undefined for {int(degenerate.sum())} of {est.size} "
                  "estimates: their p-values and intervals are meaningless (no residual "
                  "variation: one unit per arm, a perfect fit, or too few clusters)")


def t_inference(estimate, std_error, df: float | None, conf_level: float = 0.95) -> dict:
    """Return statistic, two-sided p-value and interval from t(df) (normal if ``df`` is None).

    Examples
    --------
    >>> r = t_inference([1.0], [0.5], df=None)
    >>> round(float(r["p_value"][0]), 4)
    0.0455
    """
    conf_level = check_conf_level(conf_level)
    est = np.asarray(estimate, dtype=float)
    se = np.asarray(std_error, dtype=float)
    warn_degenerate_se(est, se)
    dist = stats.norm if df is None else stats.t(df)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    crit = dist.ppf(0.5 + conf_level / 2)
    return {
        "statistic": stat,
        "p_value": 2 * dist.sf(np.abs(stat)),
        "conf_low": est - crit * se,
        "conf_high": est + crit * se,
    }


def wald_test(estimate, vcov, *, df_denom: float | None = None) -> WaldTest:
    """Joint Wald test that all ``estimate`` are zero.

    With ``df_denom`` the statistic is W / q compared with F(q, df_denom) (Stata's ``test`` after a
    clustered regression, df_denom = clusters - 1); otherwise W compared with chi2(q).

    Examples
    --------
    >>> w = wald_test([1.0, 1.0], np.eye(2))
    >>> w.statistic, w.df
    (2.0, 2)
    """
    b = np.atleast_1d(np.asarray(estimate, dtype=float))
    v = np.atleast_2d(np.asarray(vcov, dtype=float))
    q = len(b)
    if q == 0:
        raise ValueError("wald_test needs at least one coefficient")
    w = float(b @ np.linalg.solve(v, b))
    if df_denom is None:
        return WaldTest(statistic=w, df=q, p_value=float(stats.chi2.sf(w, q)))
    f = w / q
    return WaldTest(statistic=f, df=q, p_value=float(stats.f.sf(f, q, df_denom)),
                    df_denom=float(df_denom))


def pretrend_test(estimate, vcov, *, df_denom: float | None = None) -> WaldTest | None:
    """Joint Wald test of the leads, or None (with a DataWarning) if their covariance is singular.

    A cluster-robust covariance has rank at most G - 1, so with fewer clusters than leads (or a
    lead without variance) the statistic would be a division by rounding error.

    Examples
    --------
    >>> pretrend_test([1.0, 1.0], np.eye(2)).df
    2
    """
    v = np.atleast_2d(np.asarray(vcov, dtype=float))
    if not np.all(np.isfinite(v)) or np.linalg.matrix_rank(v) < v.shape[0]:
        warn_data(f"the joint pre-trend test is not reported: the covariance of the "
                  f"{v.shape[0]} leads is singular (rank {np.linalg.matrix_rank(v)}; a "
                  "cluster-robust covariance has rank at most clusters - 1)"
                  if np.all(np.isfinite(v)) else
                  "the joint pre-trend test is not reported: the covariance of the leads is "
                  "not finite")
        return None
    return wald_test(estimate, v, df_denom=df_denom)


def bread(x: np.ndarray) -> np.ndarray:
    """(X'X)^-1 of an already weighted/demeaned design."""
    return np.linalg.inv(x.T @ x)


def group_sums(values: np.ndarray, codes: np.ndarray, weights: np.ndarray | None = None
               ) -> np.ndarray:
    """Sum the rows of ``values`` (n x k) within groups (codes: any labels) -> (G x k).

    One sparse indicator product (much faster than ``np.add.at`` on tall matrices).

    Examples
    --------
    >>> group_sums(np.array([[1.0], [2.0], [4.0]]), np.array([7, 7, 9])).ravel().tolist()
    [3.0, 4.0]
    """
    inv = pd.factorize(np.asarray(codes))[0]
    data = np.ones(len(inv)) if weights is None else np.asarray(weights, dtype=float)
    indicator = sparse.csr_matrix((data, (inv, np.arange(len(inv)))),
                                  shape=(int(inv.max()) + 1, len(inv)))
    return np.asarray(indicator @ values)


def meat(scores: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Sum over clusters of the outer products of the cluster-summed scores (x_i * e_i)."""
    summed = group_sums(scores, codes)
    return summed.T @ summed


def crv1_factor(n_clusters: int, n_obs: int, n_params: int) -> float:
    """CRV1 small-sample factor G/(G-1) * (n-1)/(n-k) (Stata, fixest default)."""
    return n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - n_params)


def cluster_vcov(x: np.ndarray, resid: np.ndarray, codes: np.ndarray, *,
                 n_params: int | None = None, min_clusters: bool = True,
                 xtx_inv: np.ndarray | None = None) -> np.ndarray:
    """One- or two-way (Cameron-Gelbach-Miller) CRV1 covariance of an OLS fit.

    Parameters
    ----------
    x : ndarray (n, k)
        Design (after weighting and partialling out the fixed effects).
    resid : ndarray (n,)
        Residuals.
    codes : ndarray (n,) or (n, 2)
        Cluster codes; two columns give two-way clustering V1 + V2 - V12.
    n_params : int, optional
        k in (n-1)/(n-k); defaults to the columns of ``x``.
    min_clusters : bool
        Two-way: scale every term by G/(G-1) with the smallest G (fixest default); False uses
        each term's own G (linearmodels ``group_debias=True``).
    xtx_inv : ndarray (k, k), optional
        (X'X)^-1 if already computed (the bread).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(40, 2)); e = rng.normal(size=40); g = np.repeat(np.arange(8), 5)
    >>> cluster_vcov(x, e, g).shape
    (2, 2)
    """
    codes = np.asarray(codes)
    if codes.ndim == 1:
        codes = codes[:, None]
    n = x.shape[0]
    k = x.shape[1] if n_params is None else n_params
    b = bread(x) if xtx_inv is None else xtx_inv
    scores = x * resid[:, None]
    sets = [codes[:, 0]] if codes.shape[1] == 1 else [
        codes[:, 0], codes[:, 1], pd.factorize(pd.MultiIndex.from_arrays(codes.T))[0]]
    signs = [1.0, 1.0, -1.0][: len(sets)]
    sizes = [len(np.unique(c)) for c in sets]
    g_min = min(sizes[:2])
    m = np.zeros((x.shape[1], x.shape[1]))
    for sign, c, g in zip(signs, sets, sizes, strict=True):
        g_eff = g_min if min_clusters else g
        m += sign * g_eff / (g_eff - 1) * meat(scores, c)
    return (n - 1) / (n - k) * b @ m @ b


def iid_vcov(x: np.ndarray, resid: np.ndarray, *, n_params: int | None = None,
             xtx_inv: np.ndarray | None = None) -> np.ndarray:
    """Homoskedastic covariance ``s^2 (X'X)^-1`` with ``s^2 = e'e / (n - k)`` (fixest "iid").

    ``n_params`` is k (default: the columns of ``x``; with absorbed fixed effects pass the
    regressors plus every fixed-effect level less the redundant ones, as fixest counts them).

    Examples
    --------
    >>> x = np.array([[1.0], [2.0], [3.0]]); e = np.array([0.5, -1.0, 0.5])
    >>> round(float(iid_vcov(x, e)[0, 0]), 6)  # (1.5 / 2) / 14
    0.053571
    """
    n = x.shape[0]
    k = x.shape[1] if n_params is None else n_params
    b = bread(x) if xtx_inv is None else xtx_inv
    return float(resid @ resid) / (n - k) * b


def hc1_vcov(x: np.ndarray, resid: np.ndarray, *, n_params: int | None = None,
             xtx_inv: np.ndarray | None = None) -> np.ndarray:
    """Heteroskedasticity-robust covariance HC1: ``n / (n - k) (X'X)^-1 X'diag(e^2)X (X'X)^-1``.

    fixest's ``"hetero"`` (and Stata's ``robust``): each observation its own cluster, so the
    CRV1 factor G/(G-1) x (n-1)/(n-k) with G = n. ``n_params`` as in :func:`iid_vcov`.

    Examples
    --------
    >>> x = np.array([[1.0], [2.0], [3.0]]); e = np.array([0.5, -1.0, 0.5])
    >>> round(float(hc1_vcov(x, e)[0, 0]), 6)  # 3/2 * (0.25 + 4 + 2.25) / 14**2
    0.049745
    """
    n = x.shape[0]
    k = x.shape[1] if n_params is None else n_params
    b = bread(x) if xtx_inv is None else xtx_inv
    scores = x * resid[:, None]
    return n / (n - k) * b @ (scores.T @ scores) @ b


def within_unit(values: np.ndarray, units: np.ndarray, weights: np.ndarray | None = None
                ) -> np.ndarray:
    """Subtract the (weighted) unit mean from each column: the unit fixed-effect projection."""
    values = np.asarray(values, dtype=float)
    flat = values.ndim == 1
    v = values[:, None] if flat else values
    inv = pd.factorize(np.asarray(units))[0]
    w = np.ones(len(v)) if weights is None else np.asarray(weights, dtype=float)
    if len(inv) and np.all(np.diff(inv) >= 0):  # units in contiguous blocks (a sorted panel)
        starts = np.flatnonzero(np.r_[True, np.diff(inv) > 0])
        counts = np.diff(np.r_[starts, len(inv)])
        sums = np.add.reduceat(v * w[:, None], starts, axis=0)
        means = sums / np.add.reduceat(w, starts)[:, None]
        out = v - np.repeat(means, counts, axis=0)
    else:
        sums = group_sums(v, inv, w)
        wsum = np.bincount(inv, weights=w)
        out = v - (sums / wsum[:, None])[inv]
    return out[:, 0] if flat else out


# ----------------------------------------------------------------------------- wild bootstrap
@dataclass(frozen=True, eq=False)
class Design:
    """The regression behind a TWFE result, kept for post-estimation (wild bootstrap).

    ``x`` holds the regressors including the period (and extra fixed-effect) dummies; unit
    effects are absorbed. With ``demeaned`` (a balanced, unweighted panel), ``x`` and ``y`` are
    already two-way demeaned and hold no dummies. ``n_params`` is the k of the small-sample
    factor (n-1)/(n-k). ``times`` holds the period codes and ``vcov_kind`` the covariance the
    fit reported ("cluster", "iid" or "HC1"), for the conversions to linearmodels and
    statsmodels.
    """

    y: np.ndarray
    x: np.ndarray
    names: tuple[str, ...]
    units: np.ndarray
    clusters: np.ndarray
    weights: np.ndarray | None = None
    n_params: int | None = None
    demeaned: bool = False
    times: np.ndarray | None = None
    vcov_kind: str = "cluster"


@dataclass(frozen=True, eq=False)
class WildBootstrapResult:
    """Wild cluster (restricted) bootstrap test of one coefficient and its inverted interval."""

    term: str
    estimate: float
    statistic: float
    p_value: float
    conf_low: float
    conf_high: float
    weights: str
    n_boot: int
    n_clusters: int
    conf_level: float

    def tidy(self) -> pd.DataFrame:
        """One row: term, estimate, statistic, p_value, conf_low, conf_high, method."""
        return pd.DataFrame([{
            "term": self.term, "estimate": self.estimate, "statistic": self.statistic,
            "p_value": self.p_value, "conf_low": self.conf_low, "conf_high": self.conf_high,
            "method": f"WCR bootstrap ({self.weights}, B={self.n_boot}, G={self.n_clusters})",
        }])


def draw_weights(kind: str, n_clusters: int, n_boot: int, rng: np.random.Generator
                 ) -> np.ndarray:
    """Return a (G, B) matrix of wild bootstrap weights (Rademacher: all 2**G if G is small)."""
    if kind == "rademacher":
        if n_clusters <= _MAX_ENUMERATE_CLUSTERS and 2 ** n_clusters <= n_boot:
            # Full enumeration: the exact bootstrap distribution, no simulation error.
            grid = (np.arange(2 ** n_clusters)[None, :] >> np.arange(n_clusters)[:, None]) & 1
            return 2.0 * grid - 1.0
        return rng.choice(np.array([-1.0, 1.0]), size=(n_clusters, n_boot))
    return rng.choice(_WEBB, size=(n_clusters, n_boot))


def _cluster_sums(m: np.ndarray, inv: np.ndarray, g: int) -> np.ndarray:
    out = np.zeros((g, m.shape[1]))
    np.add.at(out, inv, m)
    return out


def _wcr_p_value(x, y, j, r, inv, g, weights_gb, factor):
    """Symmetric WCR bootstrap p-value of H0: beta_j = r (x, y already unit-demeaned)."""
    a_mat = bread(x)
    a = a_mat[j]
    beta = a_mat @ (x.T @ y)
    e = y - x @ beta
    s_u = _cluster_sums(x * e[:, None], inv, g) @ a
    t_obs = (beta[j] - r) / np.sqrt(factor * np.sum(s_u ** 2))
    keep = np.arange(x.shape[1]) != j
    xr = x[:, keep]
    yr = y - r * x[:, j]
    u = yr - xr @ np.linalg.lstsq(xr, yr, rcond=None)[0]
    scores = _cluster_sums(x * u[:, None], inv, g)  # S: (G, k)
    s = scores @ a  # (G,)
    # q_g = A X_g'X_g a, one row per cluster
    q = _cluster_sums(x * (x @ a)[:, None], inv, g) @ a_mat
    num = s @ weights_gb
    c = s[:, None] * weights_gb - q @ (scores.T @ weights_gb)
    t_star = num / np.sqrt(factor * np.sum(c ** 2, axis=0))
    return float(np.mean(np.abs(t_star) >= np.abs(t_obs) - 1e-12 * abs(t_obs))), float(t_obs)


def wild_bootstrap(result, *, term: str | None = None, weights: BootstrapWeights = "webb",
                   n_boot: int = 9999, seed: int | np.random.SeedSequence | None = None,
                   conf_level: float | None = None) -> WildBootstrapResult:
    """Wild cluster restricted (WCR) bootstrap p-value and interval for one TWFE coefficient.

    The null beta = 0 is imposed, residuals are multiplied by one weight per cluster and the
    cluster-robust t-statistic is recomputed; the p-value is symmetric (share of |t*| >= |t|) and
    the interval inverts the test. The clusters must nest the units (one-way clustering).
    The bootstrap always clusters: a fit with ``vcov="iid"`` or ``"HC1"`` is bootstrapped by its
    units. With fewer than :data:`~econometrics._panel.FEW_CLUSTERS` clusters it warns
    (DataWarning): the draws then take only a handful of distinct values.

    Parameters
    ----------
    result : StaticResult or EventStudyResult
        A result of :func:`econometrics.twfe` or ``event_study(estimator="twfe")``.
    term : str, optional
        Coefficient to test; defaults to the first term of ``result.tidy()``.
    weights : {"webb", "rademacher"}
        Webb's six-point weights (recommended below ~12 clusters) or Rademacher +-1 (all 2**G
        sign patterns are enumerated when that is at most ``n_boot``).
    n_boot : int
        Bootstrap draws.
    seed : int or numpy.random.SeedSequence, optional
        Seed of the weights' generator (``numpy.random.default_rng``).
    conf_level : float, optional
        Level of the inverted interval; defaults to the result's.

    Returns
    -------
    WildBootstrapResult

    Examples
    --------
    >>> from econometrics import simulate_panel, twfe
    >>> df = simulate_panel(n_units=12, n_periods=6, cohorts=(3, 5), effect=1.0, seed=1)
    >>> fit = twfe(df, y="y", unit="unit", time="time", treat="treat")
    >>> wb = wild_bootstrap(fit, n_boot=999, seed=2)
    >>> 0 <= wb.p_value <= 1
    True
    """
    check_choice("weights", weights, get_args(BootstrapWeights))
    design = getattr(result, "design", None)
    if not isinstance(design, Design):
        raise ValueError("wild_bootstrap needs a result of twfe() or event_study(estimator='twfe')")
    if design.clusters.ndim != 1:
        raise ValueError("wild_bootstrap supports one-way clustering only")
    if not isinstance(n_boot, numbers.Integral) or isinstance(n_boot, bool | np.bool_):
        raise ValueError(f"n_boot={n_boot!r} must be an integer number of draws (at least 99; "
                         "9999 recommended)")
    if n_boot < 99:
        raise ValueError(f"n_boot={n_boot} is too small; use at least 99 (9999 recommended)")
    n_boot = int(n_boot)
    names = list(design.names)
    term = names[0] if term is None else term
    if term not in names:
        raise ValueError(f"term={term!r} must be one of {names[: len(result.table)]}")
    j = names.index(term)
    per_unit = pd.Series(design.clusters).groupby(design.units).nunique()
    if (per_unit > 1).any():
        raise ValueError("wild_bootstrap needs clusters that nest the units (e.g. cluster by unit "
                         "or by a region containing units)")
    level = result.conf_level if conf_level is None else check_conf_level(conf_level)
    sw = None if design.weights is None else np.sqrt(design.weights)
    x, y = design.x, design.y
    if not design.demeaned:
        x = within_unit(x, design.units, design.weights)
        y = within_unit(y, design.units, design.weights)
    if sw is not None:
        x, y = x * sw[:, None], y * sw
    codes, inv = np.unique(design.clusters, return_inverse=True)
    g = len(codes)
    if g < FEW_CLUSTERS:
        points = 2 if weights == "rademacher" else 6
        warn_data(f"wild_bootstrap with only {g} clusters: there are only {points ** g} "
                  f"possible {weights} weight draws, so the p-value takes only a few values "
                  "and the test is unreliable with fewer than "
                  f"{FEW_CLUSTERS} clusters (cluster by a finer column if the design allows)")
    k = x.shape[1] + 1 if design.n_params is None else design.n_params
    factor = crv1_factor(g, len(y), k)
    w_gb = draw_weights(weights, g, n_boot, np.random.default_rng(check_seed(seed)))

    def p_of(r: float) -> float:
        return _wcr_p_value(x, y, j, r, inv, g, w_gb, factor)[0]

    p0, t0 = _wcr_p_value(x, y, j, 0.0, inv, g, w_gb, factor)
    beta = float(bread(x)[j] @ (x.T @ y))
    se = abs(beta / t0) if t0 != 0 else float(result.se().iloc[j])
    alpha = 1 - level

    def bound(direction: float) -> float:
        inside, step = beta, se
        outside = beta + direction * step
        while p_of(outside) > alpha:  # widen until the null is rejected
            step *= 2
            inside, outside = outside, beta + direction * step
            if step > 1e6 * max(se, 1e-12):
                return direction * np.inf
        while abs(outside - inside) > _INVERSION_TOL * se:
            mid = 0.5 * (inside + outside)
            inside, outside = (mid, outside) if p_of(mid) > alpha else (inside, mid)
        return 0.5 * (inside + outside)

    return WildBootstrapResult(
        term=term, estimate=beta, statistic=t0, p_value=p0, conf_low=bound(-1.0),
        conf_high=bound(1.0), weights=weights, n_boot=w_gb.shape[1], n_clusters=g,
        conf_level=level,
    )
