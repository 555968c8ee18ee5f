"""Standard errors, the multiplier bootstrap and confidence bands of ``att_gt`` (did's ``mboot``).

Each cell's influence function is rescaled to the full sample (``n / n_cell``), so standard
errors of any linear aggregation are ``sqrt(sum(psi**2)) / n``. The multiplier bootstrap uses
Rademacher draws, one (draws x units) matrix product for all cells, with ``did``'s robust
(interquartile-range) bootstrap standard deviation and sup-t critical value for uniform bands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["BootstrapResult", "analytic_se", "bands", "cluster_sums", "multiplier_bootstrap",
           "rademacher_draws"]

DEGENERATE_SD = math.sqrt(np.finfo(float).eps) * 10  # did: bootstrap sd below this -> NaN
IQR_TO_SD = stats.norm.ppf(0.75) - stats.norm.ppf(0.25)  # IQR of a standard normal




def cluster_sums(influence: np.ndarray, clusters: np.ndarray | None) -> np.ndarray:
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
    sums = cluster_sums(influence, clusters)
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
        psi = cluster_sums(influence, clusters) / np.bincount(clusters)[:, None]
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


def bands(att, se, boot: BootstrapResult | None, alpha: float, *, cband: bool = True):
    """Confidence bands: bootstrap SEs with the sup-t (``cband``) or normal critical value.

    Without a bootstrap the interval is pointwise and analytic, ``att +- z * se``.

    Examples
    --------
    >>> import numpy as np
    >>> lo, hi = bands(np.array([1.0]), np.array([0.5]), None, 0.05)
    >>> round(float(hi[0]), 4)
    1.98
    """
    z = stats.norm.ppf(1 - alpha / 2)
    if boot is None:
        return att - z * se, att + z * se
    crit = boot.crit if cband else z
    return att - crit * boot.se, att + crit * boot.se
