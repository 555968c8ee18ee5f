"""Synthetic control (Abadie, Diamond and Hainmueller 2010) with placebo inference.

For one or a few treated units adopting at one date, the synthetic control is the convex
combination of control units (weights omega >= 0 summing to one, no intercept) closest to the
treated units' mean outcome in the pre-treatment periods; the effect in a post-treatment period
is the treated mean minus the synthetic control, and the estimate is their average over the
post-treatment periods.

The numerics follow R ``synthdid``'s ``sc_estimate`` line by line: omega minimizes
``zeta^2 |omega|^2 + |Y0_pre' omega - y1_pre|^2 / T0`` on the simplex (``zeta = 1e-6`` times the
noise level, the standard deviation of the controls' first differences, an "infinitesimal" ridge
that only breaks ties) by Frank-Wolfe with exact line search, 100 iterations from uniform weights,
then weights below a quarter of the largest set to zero ("sparsify") and up to 10,000 more
iterations, stopping when an iteration lowers the objective by less than ``(1e-5 noise)^2``
(thousands of cheap iterations, so the loop is compiled with numba). On the California
Proposition 99 panel this gives synthdid's -19.62 (test_synth.py, reference made with synthdid's
own R code).

Standard errors are synthdid's placebo ones (Arkhangelsky et al. 2021, Algorithm 4): the controls
are permuted, the last ``N1`` of them play the treated units, the weights are re-fitted (started
from the original weights of the remaining controls) and the standard error is the standard
deviation of the placebo estimates (times sqrt((r-1)/r)); intervals are normal.

Examples
--------
>>> import numpy as np
>>> y = np.array([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0], [2.0, 3.0, 9.0]])  # 2 controls, 1 treated
>>> fit = sc_fit(y, n_controls=2, n_pre=2)
>>> fit.omega.round(6).tolist(), round(fit.estimate, 6)
([0.5, 0.5], 5.0)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, get_args

import numpy as np
import pandas as pd

from econometrics._panel import (
    PanelError,
    check_choice,
    check_count,
    check_seed,
    prepare_panel,
    single_adoption_date,
)
from econometrics.inference import t_inference
from econometrics.results import (
    TIDY_COLUMNS,
    EventStudyResult,
    Overall,
    SyntheticResult,
    check_conf_level,
)

__all__ = ["ScFit", "SeMethod", "SyntheticControlResult", "fw_weights", "jackknife_estimates",
           "outcome_matrix", "placebo_estimates", "sc_event_study", "sc_fit",
           "synthetic_control"]

#: Standard errors of the synthetic control (synthdid's placebo and fixed-weights jackknife).
SeMethod = Literal["placebo", "jackknife"]

#: synthdid's ridge for synthetic control: zeta = ETA_OMEGA x noise level ("infinitesimal").
ETA_OMEGA = 1e-6
#: synthdid's stopping rule: stop when the objective falls by less than (MIN_DECREASE x noise)^2.
MIN_DECREASE = 1e-5
#: synthdid's iterations before sparsifying, and the cap after.
ITER_PRE_SPARSIFY, MAX_ITER = 100, 10_000


def fw_weights(gram: np.ndarray, cross: np.ndarray, b2: np.ndarray, n_rows: int,
               zeta: np.ndarray, init: np.ndarray, min_decrease: np.ndarray, max_iter: int
               ) -> np.ndarray:
    """Frank-Wolfe on the simplex for ``zeta^2 |x|^2 + |A x - b|^2 / n_rows`` (synthdid).

    The steps of synthdid's ``sc.weight.fw`` (``intercept = FALSE``, exact line search, stop
    after an iteration that lowers the objective by less than ``min_decrease^2``), written on
    ``gram = A'A``, ``cross = A'b`` and ``b2 = b'b``, for a batch of problems (leading axis:
    problems, e.g. placebo replications). synthdid's stopping rule often needs thousands of
    cheap iterations, so each problem runs in a compiled loop (:func:`_fw_one`).

    Examples
    --------
    >>> a = np.array([[1.0, 3.0], [2.0, 4.0]]); b = np.array([2.0, 3.0])
    >>> fw_weights((a.T @ a)[None], (a.T @ b)[None], np.array([b @ b]), 2, np.zeros(1),
    ...            np.array([[1.0, 0.0]]), np.full(1, 1e-9), 100).tolist()
    [[0.5, 0.5]]
    """
    out = np.empty_like(init, dtype=float)
    for r in range(len(init)):
        out[r] = _fw_one(np.ascontiguousarray(gram[r], dtype=float),
                         np.ascontiguousarray(cross[r], dtype=float), float(b2[r]),
                         float(n_rows), float(zeta[r]), init[r].astype(float),
                         float(min_decrease[r]), int(max_iter))
    return out


def _fw_loop(gram, cross, b2, n_rows, zeta, x, min_decrease, max_iter):
    """One problem of :func:`fw_weights` (plain loops; compiled by numba below)."""
    n = x.shape[0]
    eta = n_rows * zeta * zeta
    gx = gram @ x
    half_grad = np.empty(n)
    previous = np.inf
    for it in range(max_iter):
        i = 0
        for j in range(n):
            half_grad[j] = gx[j] - cross[j] + eta * x[j]
            if half_grad[j] < half_grad[i]:
                i = j
        if not (x[i] == 1.0 and np.count_nonzero(x) == 1):  # synthdid: no move when d = 0
            hd = half_grad[i]  # half_grad . d with d = e_i - x
            xgx = 0.0
            xx = 0.0
            for j in range(n):
                hd -= half_grad[j] * x[j]
                xgx += x[j] * gx[j]
                xx += x[j] * x[j]
            d_err2 = gram[i, i] - 2.0 * gx[i] + xgx  # |A e_i - A x|^2
            dd = xx - 2.0 * x[i] + 1.0  # |e_i - x|^2
            step = min(1.0, max(0.0, -hd / (d_err2 + eta * dd)))
            for j in range(n):
                x[j] -= step * x[j]
                gx[j] += step * (gram[j, i] - gx[j])
            x[i] += step
        xx = 0.0
        xgx = 0.0
        cx = 0.0
        for j in range(n):
            xx += x[j] * x[j]
            xgx += x[j] * gx[j]
            cx += cross[j] * x[j]
        value = zeta * zeta * xx + (xgx - 2.0 * cx + b2) / n_rows
        if it >= 1 and previous - value <= min_decrease * min_decrease:
            break
        previous = value
    return x


try:  # numba is a dependency of the package (the model's compiled day); plain Python if absent
    from numba import njit

    _fw_one = njit(cache=True)(_fw_loop)
except ImportError:  # pragma: no cover
    _fw_one = _fw_loop


def _sparsify(v: np.ndarray) -> np.ndarray:
    """Zero the weights at or below a quarter of the largest and renormalize (synthdid).

    Examples
    --------
    >>> _sparsify(np.array([[0.1, 0.5, 0.4]])).round(6).tolist()
    [[0.0, 0.555556, 0.444444]]
    """
    v = np.where(v <= v.max(axis=-1, keepdims=True) / 4, 0.0, v)
    return v / v.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class ScFit:
    """Synthetic control weights ``omega`` (controls), the estimate and the effect per period.

    ``gaps`` holds treated mean minus synthetic control for every period (pre and post).
    """

    omega: np.ndarray
    estimate: float
    gaps: np.ndarray
    zeta: float
    min_decrease: float


def noise_level(y_controls_pre: np.ndarray) -> float:
    """Return the standard deviation of the controls' period-to-period changes (synthdid).

    Examples
    --------
    >>> round(noise_level(np.array([[1.0, 2.0, 4.0], [0.0, 0.0, 1.0]])), 6)
    0.816497
    """
    return float(np.std(np.diff(y_controls_pre, axis=1), ddof=1))


def _solve(controls: np.ndarray, treated_mean: np.ndarray, n_pre: int, init: np.ndarray,
           zeta: np.ndarray, min_decrease: np.ndarray) -> np.ndarray:
    """Omega for a batch (problems x controls x periods): 100 iterations, sparsify, the rest."""
    a = controls[:, :, :n_pre]  # problems x controls x periods: A' of each problem
    b = treated_mean[:, :n_pre]
    gram = a @ a.transpose(0, 2, 1)
    cross = np.einsum("rcp,rp->rc", a, b)
    b2 = np.einsum("rp,rp->r", b, b)
    x = fw_weights(gram, cross, b2, n_pre, zeta, init, min_decrease, ITER_PRE_SPARSIFY)
    return fw_weights(gram, cross, b2, n_pre, zeta, _sparsify(x), min_decrease, MAX_ITER)


def sc_fit(y: np.ndarray, *, n_controls: int, n_pre: int) -> ScFit:
    """Fit synthdid's synthetic control on a units x periods matrix (controls first).

    Examples
    --------
    >>> y = np.array([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0], [2.0, 3.0, 9.0]])
    >>> sc_fit(y, n_controls=2, n_pre=2).gaps.round(6).tolist()
    [0.0, 0.0, 5.0]
    """
    controls, treated_mean = y[:n_controls], y[n_controls:].mean(axis=0)
    noise = noise_level(controls[:, :n_pre])
    zeta, min_decrease = ETA_OMEGA * noise, MIN_DECREASE * noise
    omega = _solve(controls[None], treated_mean[None], n_pre,
                   np.full((1, n_controls), 1.0 / n_controls), np.array([zeta]),
                   np.array([min_decrease]))[0]
    gaps = treated_mean - omega @ controls
    return ScFit(omega=omega, estimate=float(gaps[n_pre:].mean()), gaps=gaps, zeta=zeta,
                 min_decrease=min_decrease)


def placebo_estimates(y: np.ndarray, fit: ScFit, *, n_controls: int, n_pre: int,
                      permutations: np.ndarray) -> np.ndarray:
    """Placebo effect paths (replications x periods): synthdid's Algorithm 4.

    Each row of ``permutations`` orders the control indices (0-based); its last ``N1`` controls
    become placebo treated units and the weights are re-fitted with the original fit's ridge
    and stopping rule, from the original weights of the others (renormalized; uniform if they
    are all zero), as synthdid's ``placebo_se``.

    Examples
    --------
    >>> y = np.array([[1.0, 2, 3], [3, 4, 5], [2, 3, 4], [2, 3, 9]])
    >>> fit = sc_fit(y, n_controls=3, n_pre=2)
    >>> placebo_estimates(y, fit, n_controls=3, n_pre=2,
    ...                   permutations=np.array([[0, 1, 2]]))[0].round(6).tolist()
    [0.0, 0.0, 0.0]
    """
    n_treated = y.shape[0] - n_controls
    n0 = n_controls - n_treated
    perms = np.asarray(permutations)
    shuffled = y[perms]  # replications x controls x periods
    controls, treated_mean = shuffled[:, :n0], shuffled[:, n0:].mean(axis=1)
    start = fit.omega[perms[:, :n0]]
    total = start.sum(axis=1, keepdims=True)
    start = np.where(total != 0, start / np.where(total != 0, total, 1.0), 1.0 / n0)
    r = len(perms)
    omega = _solve(controls, treated_mean, n_pre, start, np.full(r, fit.zeta),
                   np.full(r, fit.min_decrease))
    return treated_mean - np.einsum("rc,rcp->rp", omega, controls)


def jackknife_estimates(y: np.ndarray, fit: ScFit, *, n_controls: int) -> np.ndarray:
    """Leave-one-unit-out effect paths (units x periods) with fixed weights (synthdid).

    synthdid's fixed-weights jackknife (Arkhangelsky et al. 2021, Algorithm 3): leaving out a
    control renormalizes the others' weights (uniform if all are zero), leaving out a treated
    unit drops it from the treated mean; the weights are not re-fitted.

    Examples
    --------
    >>> y = np.array([[1.0, 2, 3], [3, 4, 5], [2, 3, 9], [2, 3, 7]])
    >>> fit = sc_fit(y, n_controls=2, n_pre=2)
    >>> jackknife_estimates(y, fit, n_controls=2)[:, 2].round(6).tolist()  # gaps in period 3
    [3.0, 5.0, 3.0, 5.0]
    """
    controls, treated = y[:n_controls], y[n_controls:]
    out = np.empty_like(y, dtype=float)
    for i in range(len(y)):
        if i < n_controls:
            keep = np.arange(n_controls) != i
            w = fit.omega[keep]
            w = w / w.sum() if w.sum() != 0 else np.full(len(w), 1.0 / len(w))
            out[i] = treated.mean(axis=0) - w @ controls[keep]
        else:
            rest = np.delete(treated, i - n_controls, axis=0)
            out[i] = rest.mean(axis=0) - fit.omega @ controls
    return out


@dataclass(frozen=True, eq=False, kw_only=True)
class SyntheticControlResult(SyntheticResult):
    """Synthetic control estimate (one row) with the unit weights and placebo paths.

    ``unit_weights`` (controls, sum to one), ``trajectories`` (treated mean and synthetic
    control by period), ``placebo`` (replications x periods placebo gaps), ``effects`` (an
    :class:`EventStudyResult` of the gap by event time with placebo standard errors).
    """

    placebo: pd.DataFrame
    effects: EventStudyResult


def outcome_matrix(panel, treat: str, caller: str) -> tuple[np.ndarray, list, int, int]:
    """Units x periods outcome matrix (controls first), unit labels, N0 and T0; checks.

    PanelError (naming ``caller``) for an unbalanced panel, no treated unit, several adoption
    dates, fewer than two pre-treatment periods or no more controls than treated units.

    Examples
    --------
    >>> from econometrics import prepare_panel, simulate_panel
    >>> df = simulate_panel(n_units=6, n_periods=4, cohorts=(3,), effect=1.0,
    ...                     never_treated=0.6, seed=1)
    >>> panel = prepare_panel(df, y="y", unit="unit", time="time", treat="treat")
    >>> y, units, n_controls, n_pre = outcome_matrix(panel, "treat", "synthetic_control")
    >>> y.shape, n_controls, n_pre
    ((6, 4), 4, 2)
    """
    adoption = single_adoption_date(panel, treat, caller)
    f = panel.frame
    cohort = f.groupby("_unit", sort=True)["_cohort"].first()
    times = np.sort(f["_time"].unique())
    n_pre = int(np.sum(times < adoption))
    if n_pre < 2:
        raise PanelError(f"treatment {treat!r} starts in period {adoption:g}: {caller} "
                         "needs at least two pre-treatment periods to fit the weights")
    order = np.concatenate([cohort.index[cohort == 0], cohort.index[cohort > 0]])
    n_controls = int(np.sum(cohort == 0))
    if n_controls <= len(order) - n_controls:
        raise PanelError(f"{caller} needs more control units ({n_controls}) than treated "
                         f"units ({len(order) - n_controls}) for the placebo")
    wide = f.pivot(index="_unit", columns="_time", values="_y").loc[order, times]
    return wide.to_numpy(dtype=float), list(order), n_controls, n_pre


def synthetic_control(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    treat: str,
    se_method: SeMethod = "placebo",
    replications: int = 200,
    seed: int | None = None,
    conf_level: float = 0.95,
) -> SyntheticControlResult:
    """Estimate the synthetic control effect of a treatment adopted by a few units at one date.

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced long panel (never modified).
    y, unit, time, treat : str
        Outcome, unit, period and 0/1 treatment columns (on from one common period for the
        treated units, never on for the controls), as :func:`~econometrics.synthetic_did`.
    se_method : {"placebo", "jackknife"}
        Standard errors: placebo (synthdid's Algorithm 4; works with one treated unit) or
        synthdid's fixed-weights jackknife (Algorithm 3; needs two treated units and two
        controls with positive weight; synthdid notes it is not recommended for synthetic
        control, as the weights are not re-fitted).
    replications : int
        Placebo replications (synthdid's default 200).
    seed : int, optional
        Seed of the placebo permutations.
    conf_level : float
        Confidence level of the normal interval.

    Returns
    -------
    SyntheticControlResult
        ``tidy()`` (one row, term = ``treat``), ``unit_weights``, ``trajectories``,
        ``effects`` (by event time), ``plot()``.

    Examples
    --------
    >>> from econometrics import simulate_panel
    >>> df = simulate_panel(n_units=30, n_periods=10, cohorts=(7,), effect=2.0,
    ...                     never_treated=0.9, sigma=0.2, seed=1)
    >>> res = synthetic_control(df, y="y", unit="unit", time="time", treat="treat", seed=1)
    >>> round(float(res.tidy().estimate.iloc[0]))
    2
    """
    conf_level, seed = _check_options(se_method, replications, conf_level, seed)
    panel = prepare_panel(data, y=y, unit=unit, time=time, treat=treat, require="treat")
    ymat, units, n_controls, n_pre = outcome_matrix(panel, treat, "synthetic_control")
    return _result(ymat, units, n_controls, n_pre, panel, y, treat, conf_level, se_method,
                   replications, seed)


def _check_options(se_method, replications, conf_level, seed=None) -> tuple[float, object]:
    check_choice("se_method", se_method, get_args(SeMethod))
    check_count("replications", replications, 2)
    return check_conf_level(conf_level), check_seed(seed)


def _replicates(ymat, fit, n_controls, n_pre, se_method, replications, seed
                ) -> tuple[np.ndarray, float]:
    """Replicate effect paths and the factor on their standard deviation (synthdid's rules)."""
    if se_method == "jackknife":
        if len(ymat) - n_controls < 2 or np.count_nonzero(fit.omega) < 2:
            raise ValueError("se_method='jackknife' needs at least two treated units and two "
                             "controls with positive weight (synthdid returns NA otherwise); "
                             "use 'placebo'")
        n = len(ymat)
        return jackknife_estimates(ymat, fit, n_controls=n_controls), (n - 1) / np.sqrt(n)
    n_treated = len(ymat) - n_controls
    if n_controls <= n_treated:
        raise PanelError(f"se_method='placebo' needs more controls than treated units, got "
                         f"{n_controls} controls and {n_treated} treated (R synthdid refuses "
                         "too); use se_method='jackknife' or add never-treated units")
    rng = np.random.default_rng(seed)
    perms = np.array([rng.permutation(n_controls) for _ in range(replications)])
    gaps = placebo_estimates(ymat, fit, n_controls=n_controls, n_pre=n_pre, permutations=perms)
    return gaps, np.sqrt((replications - 1) / replications)


def _result(ymat, units, n_controls, n_pre, panel, y, term, conf_level, se_method,
            replications, seed) -> SyntheticControlResult:
    """Fit, replicates and the result object (shared by the two entry points)."""
    fit = sc_fit(ymat, n_controls=n_controls, n_pre=n_pre)
    gaps, scale = _replicates(ymat, fit, n_controls, n_pre, se_method, replications, seed)
    r = len(gaps)
    se = scale * float(np.std(gaps[:, n_pre:].mean(axis=1), ddof=1))
    inf = t_inference([fit.estimate], [se], None, conf_level)
    table = pd.DataFrame({"term": [term], "estimate": [fit.estimate], "std_error": [se], **inf})
    times = np.sort(panel.frame["_time"].unique())
    events = np.arange(len(times)) - n_pre
    se_path = scale * np.std(gaps, axis=0, ddof=1)
    path = pd.DataFrame({"event_time": events, "term": [f"e={e}" for e in events],
                         "estimate": fit.gaps, "std_error": se_path,
                         **t_inference(fit.gaps, se_path, None, conf_level)})
    n_treated = len(units) - n_controls
    facts = dict(outcome=y, n_obs=panel.n_obs, n_units=panel.n_units,
                 vcov_type=(f"placebo ({r} replications)" if se_method == "placebo"
                            else "fixed-weights jackknife (synthdid)"),
                 small_sample="none (normal interval)", conf_level=conf_level,
                 notes=(*panel.notes, f"{n_treated} treated units, {n_controls} controls, "
                        f"{n_pre} pre-treatment periods"))
    estimator = "Synthetic control (Abadie, Diamond and Hainmueller 2010)"
    cov = np.cov(gaps, rowvar=False, ddof=1) * scale**2
    effects = EventStudyResult(
        table=path[["event_time", *TIDY_COLUMNS]], estimator=estimator, reference=None,
        overall=Overall(fit.estimate, se),
        vcov=pd.DataFrame(cov, index=events, columns=events), **facts)
    treated_mean = ymat[n_controls:].mean(axis=0)
    return SyntheticControlResult(
        table=table[list(TIDY_COLUMNS)], estimator=estimator, **facts,
        unit_weights=pd.Series(fit.omega, index=pd.Index(units[:n_controls], name="unit"),
                               name="omega").sort_values(ascending=False),
        time_weights=pd.Series(np.zeros(n_pre), index=pd.Index(times[:n_pre], name="time"),
                               name="lambda"),
        trajectories=pd.DataFrame({"treated": treated_mean,
                                   "synthetic": treated_mean - fit.gaps,
                                   "post": times >= times[n_pre]},
                                  index=pd.Index(times, name="time")),
        placebo=pd.DataFrame(gaps, columns=pd.Index(times, name="time")),
        effects=effects,
    )


def sc_event_study(data, *, y: str, unit: str, time: str, cohort: str,
                   leads: int | None = None, lags: int | None = None, reference=None,
                   covariates=None, cluster=None, weights=None, conf_level: float = 0.95,
                   se_method: SeMethod = "placebo", replications: int = 200,
                   seed: int | None = None) -> EventStudyResult:
    """Synthetic control as an event study (the registry entry, one adoption date).

    The gap between the treated mean and the synthetic control at every event time (negative
    ones: the pre-treatment fit), placebo standard errors per event time, ``overall`` the
    average post-treatment gap (:func:`synthetic_control`'s estimate; ``se_method``,
    ``replications`` and ``seed`` as there). ``covariates``,
    ``cluster`` and ``weights`` are not supported (ValueError); ``reference`` must be None or
    -1 (no normalized period).

    Examples
    --------
    >>> from econometrics import simulate_panel
    >>> df = simulate_panel(n_units=30, n_periods=8, cohorts=(6,), effect=2.0,
    ...                     never_treated=0.9, sigma=0.2, seed=1)
    >>> es = sc_event_study(df, y="y", unit="unit", time="time", cohort="cohort", leads=2,
    ...                     replications=20, seed=1)
    >>> es.tidy().event_time.tolist()
    [-2, -1, 0, 1, 2]
    """
    for name, value in (("covariates", covariates), ("cluster", cluster), ("weights", weights)):
        if value:
            raise ValueError(f"{name}={value!r} is not supported by the synthetic control "
                             "estimator")
    if reference not in (None, -1):
        raise ValueError(f"reference={reference!r}: the synthetic control has no reference "
                         "period; pass reference=None")
    _check_options(se_method, replications, conf_level)
    panel = prepare_panel(data, y=y, unit=unit, time=time, cohort=cohort, require="cohort")
    ymat, units, n_controls, n_pre = outcome_matrix(panel, cohort, "synthetic_control")
    es = _result(ymat, units, n_controls, n_pre, panel, y, cohort, conf_level, se_method,
                 replications, seed).effects
    keep = np.ones(len(es.table), bool)
    e = es.table["event_time"].to_numpy()
    if leads is not None:
        keep &= e >= -leads
    if lags is not None:
        keep &= e <= lags
    idx = e[keep]
    return replace(es, table=es.table[keep].reset_index(drop=True),
                   vcov=es.vcov.loc[idx, idx])
