"""Two-way fixed effects: the static DiD regression and the event study.

Both fit ``y_it = a_i + l_t (+ extra fixed effects) + X_it b + e_it`` by least squares
(Frisch-Waugh-Lovell). A balanced, unweighted panel without extra fixed effects is two-way
demeaned in closed form (each variable minus its unit and period means plus the grand mean);
otherwise the unit effects a_i are absorbed by (weighted) within-unit demeaning and the period
effects and any extra fixed effects (``fe="region^year"``) enter as dummies, redundant ones
dropped by a pivoted QR. The normal equations are solved by Cholesky after fixest's collinearity
check, which names any collinear regressor. This is exact (no iteration), so coefficients equal
those of fixest / pyfixest and Stata's ``reghdfe`` to rounding; the clustered covariance is CRV1
with G/(G-1) * (n-1)/(n-k), k counting the regressors and the fixed-effect levels less one per
extra fixed effect, a fixed effect nested in the clusters counted 1 (fixest's default ``ssc``).
Inference on coefficients uses t(G-1) with G clusters (the smaller G for two-way clustering).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import linalg

from econometrics._panel import (
    Panel,
    PanelError,
    check_choice,
    check_cluster_count,
    check_flag,
    check_window,
    prepare_panel,
)
from econometrics.inference import (
    Design,
    cluster_vcov,
    hc1_vcov,
    iid_vcov,
    pretrend_test,
    t_inference,
    within_unit,
)
from econometrics.results import TIDY_COLUMNS, EventStudyResult, StaticResult, check_conf_level

__all__ = ["TwfeFit", "VcovKind", "absorbed_columns", "check_references", "check_vcov",
           "fit_twfe", "sqrt_variance", "subset_panel", "twfe", "twfe_event_study"]

#: Standard errors of the TWFE estimators: clustered (by ``cluster``), homoskedastic or HC1.
VcovKind = Literal["cluster", "iid", "HC1"]

_TIME_PREFIX = "_period::"
COLLINEAR_TOL = 1e-10  # smallest eigenvalue of the unit-scaled X'X below which X is singular
ABSORBED_TOL = 1e-8  # a column shorter than this share of its raw length is absorbed


def _dummies(codes: np.ndarray, labels, prefix: str, drop_first: bool
             ) -> tuple[np.ndarray, list[str]]:
    """One-hot columns of integer ``codes`` (the first level omitted with ``drop_first``)."""
    out = np.zeros((len(codes), len(labels)))
    out[np.arange(len(codes)), codes] = 1.0
    names = [f"{prefix}{v}" for v in labels]
    return (out[:, 1:], names[1:]) if drop_first else (out, names)


def _fixed_effect_specs(fe) -> list[tuple[str, list[str]]]:
    """Parse ``fe``: column names, or interactions ``"a^b"``; ValueError naming the argument."""
    specs = [fe] if isinstance(fe, str) else list(fe or ())
    out = []
    for spec in specs:
        if not isinstance(spec, str) or not spec or any(not p for p in spec.split("^")):
            raise ValueError(f"fe={fe!r}: each fixed effect must be a column name or an "
                             "interaction of columns like 'region^year'")
        out.append((spec, spec.split("^")))
    return out


def absorbed_columns(fe, unit: str, time: str) -> list[str]:
    """Columns that the extra fixed effects need besides the unit and time columns."""
    cols = [c for _, parts in _fixed_effect_specs(fe) for c in parts if c not in (unit, time)]
    return list(dict.fromkeys(cols))


def check_vcov(vcov: str, cluster) -> VcovKind:
    """Validate ``vcov`` (ValueError naming the allowed values); ``cluster`` needs "cluster".

    Examples
    --------
    >>> check_vcov("HC1", None)
    'HC1'
    """
    check_choice("vcov", vcov, get_args(VcovKind))
    if vcov != "cluster" and cluster is not None:
        raise ValueError(f"cluster={cluster!r} is given with vcov={vcov!r}: cluster columns "
                         "need vcov='cluster'")
    return vcov


def _fe_codes(panel: Panel, specs) -> list[tuple[str, np.ndarray]]:
    """Integer codes of each extra fixed effect (interactions: of the combined columns)."""
    f = panel.frame
    canonical = {panel.names["unit"]: "_unit", panel.names["time"]: "_time"}
    out = []
    for spec, cols in specs:
        keys = [pd.factorize(f[canonical.get(c, f"_fe::{c}")], sort=True)[0] for c in cols]
        codes = pd.factorize(pd.MultiIndex.from_arrays(keys) if len(keys) > 1 else keys[0],
                             sort=True)[0]
        out.append((spec, codes))
    return out


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


def _least_squares(x: np.ndarray, y: np.ndarray, names: Sequence[str], raw_norms: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Least squares on the demeaned design by the normal equations; returns beta, (X'X)^-1.

    A rank-deficient design is a PanelError naming the regressors involved: a column whose
    length after absorbing the fixed effects is below 1e-8 of its raw length is absorbed; a
    column that is, up to 1e-10 after scaling the columns to unit length, a linear combination
    of the others is collinear (fixest's rule).
    """
    if x.shape[0] <= x.shape[1]:
        raise PanelError(f"the two-way fixed effects regression cannot be estimated: "
                         f"{x.shape[0]} observations for {x.shape[1]} regressors and period "
                         "effects")
    xtx = x.T @ x
    norms = np.sqrt(np.diag(xtx))
    absorbed = norms <= ABSORBED_TOL * raw_norms
    safe = np.where(absorbed, 1.0, norms)
    scaled = xtx / np.outer(safe, safe)
    scaled[absorbed, :] = scaled[:, absorbed] = 0.0
    if absorbed.any() or np.linalg.eigvalsh(scaled)[0] < COLLINEAR_TOL:
        dropped = _collinear_columns(scaled, names, absorbed)
        raise PanelError(
            "the two-way fixed effects regression cannot be estimated: "
            f"{', '.join(dropped)} {'is' if len(dropped) == 1 else 'are'} collinear with the "
            "other regressors and the unit and period effects. A regressor that is constant "
            "within units, or an event time / treatment that every unit reaches in the same "
            "period with no untreated comparison, is absorbed by the fixed effects."
        )
    factor = linalg.cho_factor(xtx)
    return linalg.cho_solve(factor, x.T @ y), linalg.cho_solve(factor, np.eye(len(xtx)))


def _rank(scaled: np.ndarray) -> int:
    return int(np.sum(np.linalg.eigvalsh(scaled) > COLLINEAR_TOL)) if len(scaled) else 0


def _collinear_columns(scaled: np.ndarray, names: Sequence[str], absorbed: np.ndarray
                       ) -> list[str]:
    """List the user's regressors involved in a rank deficiency (period dummies not listed).

    Absorbed columns, and columns whose removal does not lower the rank (error path only).
    """
    rank = _rank(scaled)
    involved = []
    for j, name in enumerate(names):
        if name.startswith("_"):  # period and extra fixed-effect dummies
            continue
        keep = np.arange(len(names)) != j
        if absorbed[j] or _rank(scaled[np.ix_(keep, keep)]) == rank:
            involved.append(_label(name))
    return involved or ["the period effects"]


def _label(name: str) -> str:
    """Readable name of a design column (period dummies are internal)."""
    if name.startswith(_TIME_PREFIX):
        return f"the period effect of {name.removeprefix(_TIME_PREFIX)}"
    if name.startswith("_fe::"):
        return f"the fixed effect {name.removeprefix('_fe::')}"
    return repr(name)


@dataclass(frozen=True, eq=False)
class TwfeFit:
    """What ``twfe`` and ``event_study`` need from the shared fitting core."""

    params: pd.Series
    vcov: pd.DataFrame
    df_t: float  # degrees of freedom of the t reference distribution (G - 1)
    vcov_type: str
    small_sample: str
    n_clusters: tuple[int, ...]
    design: Design


def _nested(inner: np.ndarray, outer: np.ndarray) -> bool:
    """Whether each group of ``inner`` lies in one group of ``outer``."""
    inner = pd.factorize(inner)[0]
    outer = pd.factorize(outer)[0]
    pairs = np.unique(inner.astype(np.int64) * (int(outer.max()) + 1) + outer)
    return len(pairs) == int(inner.max()) + 1


def _two_way_demeaned(values: np.ndarray, n_units: int, n_periods: int) -> np.ndarray:
    """Subtract unit and period means and add the grand mean: exact for a balanced panel.

    ``values`` (n x k) must be sorted by unit then period, every unit in every period.
    """
    v = values.reshape(n_units, n_periods, -1)
    unit_means = v.sum(axis=1) / n_periods
    period_means = v.sum(axis=0) / n_units
    out = v - unit_means[:, None, :]
    out -= (period_means - period_means.mean(axis=0))[None, :, :]
    return out.reshape(values.shape)


def _independent(f: np.ndarray) -> np.ndarray:
    """Return the indices of a maximal set of independent columns (pivoted QR, in order)."""
    if f.shape[1] == 0:
        return np.arange(0)
    _, r, piv = linalg.qr(f, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int(np.sum(diag > COLLINEAR_TOL * diag[0] * max(f.shape)))
    return np.sort(piv[:rank])


def fit_twfe(panel: Panel, x: np.ndarray, names: Sequence[str], cluster, fe=(),
             vcov_kind: VcovKind = "cluster") -> TwfeFit:
    """Fit with unit and period effects (and ``fe``); covariance with fixest's small-sample rule.

    ``vcov_kind``: "cluster" (CRV1 by ``cluster``, default the unit), "iid" or "HC1" (every
    fixed-effect level counted in k, t(n - k), as fixest's ``iid`` and ``hetero``).

    A balanced, unweighted panel without extra fixed effects is two-way demeaned in closed form;
    otherwise the unit effects are absorbed by within-unit demeaning and the period (and extra)
    effects enter as dummies (redundant ones dropped). The covariance is computed on the
    demeaned design (Frisch-Waugh-Lovell) with fixest's default ``ssc()``: k counts the
    regressors and the fixed-effect levels less one per extra fixed effect, a fixed effect
    nested in a cluster variable counting 1; G/(G-1) uses the smallest G; inference uses t(G-1).
    """
    f = panel.frame
    names = list(names)
    codes, vcov_type = _cluster_codes(panel, cluster)
    code_cols = np.asarray(codes).reshape(len(codes), -1).T
    n_clusters = tuple(len(np.unique(c)) for c in code_cols)
    units = pd.factorize(f["_unit"], sort=True)[0]
    time_levels, times = np.unique(f["_time"].to_numpy(), return_inverse=True)
    weights = f["_weight"].to_numpy(dtype=float) if "_weight" in f else None
    y = f["_y"].to_numpy(dtype=float)
    extra = _fe_codes(panel, _fixed_effect_specs(fe))
    n_units, n_periods = panel.n_units, len(time_levels)
    raw = x if weights is None else x * np.sqrt(weights)[:, None]
    raw_norms = np.sqrt(np.einsum("ij,ij->j", raw, raw))
    if panel.balanced and weights is None and not extra:
        both = _two_way_demeaned(np.column_stack([x, y]), n_units, n_periods)
        xd, yd, all_names = both[:, :-1], both[:, -1], names
        design = Design(y=yd, x=xd, names=tuple(names), units=units,
                        clusters=np.asarray(codes), demeaned=True, times=times,
                        vcov_kind=vcov_kind)
    else:
        blocks = [_dummies(times, time_levels, _TIME_PREFIX, True)]
        blocks += [_dummies(c, range(c.max() + 1), f"_fe::{spec}::", False) for spec, c in extra]
        fe_x = np.column_stack([b[0] for b in blocks])
        fe_names = [n for b in blocks for n in b[1]]
        both = within_unit(np.column_stack([x, fe_x, y]), units, weights)
        if weights is not None:
            both = both * np.sqrt(weights)[:, None]
        k = x.shape[1]
        keep = np.arange(len(fe_names)) if not extra else _independent(both[:, k:-1])
        xd = np.column_stack([both[:, :k], both[:, k:-1][:, keep]])
        yd = both[:, -1]
        all_names = names + [fe_names[i] for i in keep]
        raw_norms = np.r_[raw_norms, np.linalg.norm(both[:, k:-1][:, keep], axis=0)]
        design = Design(y=y, x=np.column_stack([x, fe_x[:, keep]]), names=tuple(all_names),
                        units=units, clusters=np.asarray(codes), weights=weights, times=times,
                        vcov_kind=vcov_kind)
    levels = [n_units, n_periods] + [int(c.max()) + 1 for _, c in extra]
    n_all = len(names) + sum(levels) - (len(levels) - 1)  # every fixed-effect level counted
    beta, xtx_inv = _least_squares(xd, yd, all_names, raw_norms)
    resid = yd - xd @ beta
    if vcov_kind != "cluster":
        fn = iid_vcov if vcov_kind == "iid" else hc1_vcov
        v = fn(xd, resid, n_params=n_all, xtx_inv=xtx_inv)
        n = len(yd)
        small = (f"{'e' + chr(39) + 'e/(n-k)' if vcov_kind == 'iid' else 'n/(n-k)'}, k = {n_all} "
                 f"(regressors and every fixed-effect level); t({n - n_all}) for p-values and "
                 "intervals (fixest's iid / hetero)")
        words = ("iid (homoskedastic)" if vcov_kind == "iid"
                 else "heteroskedasticity-robust (HC1)")
        return TwfeFit(params=pd.Series(beta, index=all_names),
                    vcov=pd.DataFrame(v, index=all_names, columns=all_names),
                    df_t=float(n - n_all), vcov_type=words, small_sample=small,
                    n_clusters=(), design=replace(design, n_params=n_all))
    by_unit = cluster is None  # the default clusters are the units themselves
    if by_unit:  # explicit cluster columns were checked when the panel was prepared
        check_cluster_count(f"unit column {panel.names['unit']!r} (the default clusters)",
                            n_clusters[0], units=True)
    nested = [by_unit or any(_nested(units, c) for c in code_cols),
              (not by_unit or n_units == 1) and any(_nested(times, c) for c in code_cols)]
    nested += [any(_nested(c, cc) for cc in code_cols) for _, c in extra]
    n_params = n_all - sum(lv - 1 for lv, nest in zip(levels, nested, strict=True) if nest)
    vcov = cluster_vcov(xd, resid, codes, n_params=n_params, min_clusters=True,
                        xtx_inv=xtx_inv)
    fixed = ""
    if len(n_clusters) == 2:
        vcov, fixed = _psd_fixed(vcov, len(names))
    g_min = min(n_clusters)
    kind = (f"G/(G-1) with G = min(G_1, G_2) = {g_min} on each of the three one-way terms"
            if len(n_clusters) == 2 else "G/(G-1)")
    fe_words = "".join(f", {spec} effects {'nested, counted 1' if nest else 'counted'}"
                       for (spec, _), nest in zip(extra, nested[2:], strict=True))
    small = (f"CRV1 {kind} x (n-1)/(n-k), k = {n_params} (regressors and fixed effects; "
             f"unit effects {'nested in the clusters, counted 1' if nested[0] else 'counted'}"
             f", period effects {'nested, counted 1' if nested[1] else 'counted'}{fe_words}); "
             f"t({g_min - 1}) for p-values and intervals (fixest default ssc, Stata reghdfe)"
             f"{fixed}")
    return TwfeFit(
        params=pd.Series(beta, index=all_names),
        vcov=pd.DataFrame(vcov, index=all_names, columns=all_names), df_t=float(g_min - 1),
        vcov_type=vcov_type, small_sample=small, n_clusters=n_clusters,
        design=replace(design, n_params=n_params),
    )


def sqrt_variance(variance: np.ndarray) -> np.ndarray:
    """Return standard errors of variances; a variance below 0 (by rounding) gives 0, not NaN.

    Examples
    --------
    >>> sqrt_variance(np.array([4.0, -1e-18])).tolist()
    [2.0, 0.0]
    """
    variance = np.asarray(variance, dtype=float)
    return np.sqrt(np.where(variance < 0, 0.0, variance))


def _psd_fixed(vcov: np.ndarray, k: int) -> tuple[np.ndarray, str]:
    """Two-way clustering: the covariance of the first ``k`` coefficients made PSD if it is not.

    V1 + V2 - V12 need not be positive semi-definite (a negative variance gives a NaN standard
    error). As fixest's ``vcov_fix = TRUE`` (Cameron, Gelbach and Miller 2011), negative
    eigenvalues are set to 0; returns the covariance and a note ("" if nothing was changed).
    """
    block = vcov[:k, :k]
    values, vectors = np.linalg.eigh(block)
    if values.min() >= -1e-12 * max(values.max(), 0.0):
        return vcov, ""
    out = vcov.copy()
    out[:k, :k] = (vectors * np.clip(values, 0.0, None)) @ vectors.T
    n_neg = int((values < 0).sum())
    return out, (f"; the two-way covariance was not positive semi-definite: {n_neg} negative "
                 "eigenvalue(s) set to 0 (Cameron, Gelbach and Miller 2011; fixest's "
                 "vcov_fix)")


def _tidy(res: TwfeFit, terms: Sequence[str], conf_level: float) -> pd.DataFrame:
    terms = list(terms)
    pos = res.params.index.get_indexer(terms)
    est = res.params.to_numpy()[pos]
    se = sqrt_variance(np.diag(res.vcov.to_numpy())[pos])
    inf = t_inference(est, se, res.df_t, conf_level)
    table = pd.DataFrame({"term": terms, "estimate": est, "std_error": se, **inf})
    return table[list(TIDY_COLUMNS)]


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
    fe: Sequence[str] | str | None = None,
    vcov: VcovKind = "cluster",
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
        One or two cluster columns; default: cluster by ``unit``. A single cluster is refused
        (PanelError). With 2 to 4 clusters the CRV1 standard errors are computed as fixest
        does, with t(G - 1) inference, and a DataWarning says they are unreliable (below
        :data:`~econometrics._panel.FEW_CLUSTERS` clusters tests over-reject; with 2 the
        covariance has rank 1, so joint tests such as the event study's pre-trend test are
        not reported). Two-way clustering: a covariance that is not positive semi-definite
        has its negative eigenvalues set to 0, as fixest's ``vcov_fix`` (noted in
        ``small_sample``).
    weights : str, optional
        Observation weights (weighted least squares).
    conf_level : float
        Confidence level of the intervals.
    fe : str or sequence of str, optional
        Fixed effects besides unit and period: columns, or interactions such as
        ``"region^year"`` (fixest's ``| unit + year + region^year``).
    vcov : {"cluster", "iid", "HC1"}
        Standard errors: cluster-robust CRV1 by ``cluster`` (default; one or two columns, the
        unit if not given), homoskedastic, or heteroskedasticity-robust HC1, each with
        fixest's small-sample rules (``vcov = "iid"`` / ``"hetero"`` there).

    Returns
    -------
    StaticResult
        ``.tidy()`` has one row per regressor (the treatment's term is the ``treat`` column
        name); ``.design`` holds the regression for :func:`~econometrics.wild_bootstrap`.

    Examples
    --------
    >>> from econometrics import simulate_panel
    >>> df = simulate_panel(n_units=40, n_periods=8, cohorts=(4, 6), effect=2.0, seed=3)
    >>> res = twfe(df, y="y", unit="unit", time="time", treat="treat")
    >>> list(res.tidy().term)
    ['treat']
    """
    conf_level = check_conf_level(conf_level)
    check_vcov(vcov, cluster)
    panel = prepare_panel(data, y=y, unit=unit, time=time, treat=treat, require="treat",
                          covariates=covariates, cluster=cluster, weights=weights,
                          absorb=absorbed_columns(fe, unit, time))
    f = panel.frame
    terms = [treat, *panel.covariates]
    x = np.column_stack([f["_treat"].to_numpy(), *(f[c].to_numpy() for c in panel.covariates)])
    if np.all(x[:, 0] == x[0, 0]):
        raise PanelError(f"treatment {treat!r} does not vary: nothing to estimate")
    res = fit_twfe(panel, x, terms, cluster, fe, vcov)
    return StaticResult(
        table=_tidy(res, terms, conf_level),
        estimator="TWFE (unit and period effects)",
        outcome=y, n_obs=panel.n_obs, n_units=panel.n_units, vcov_type=res.vcov_type,
        small_sample=res.small_sample, n_clusters=res.n_clusters, conf_level=conf_level,
        notes=panel.notes, design=res.design,
    )


def _event_window(rel: np.ndarray, leads: int | None, lags: int | None) -> tuple[int, int]:
    for name, v in (("leads", leads), ("lags", lags)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | np.integer)
                              or v < 0):
            raise ValueError(f"{name}={v!r} must be a non-negative integer or None")
    treated = rel[~np.isnan(rel)]
    if not len(treated):
        raise PanelError("no treated unit is observed: every unit is never treated (cohort 0, "
                         "NaN or inf) or first treated after the last period")
    lo = int(-treated.min()) if leads is None else leads
    hi = int(treated.max()) if lags is None else lags
    return max(int(lo), 0), max(int(hi), 0)


def check_references(reference) -> tuple[int, ...]:
    """Return the omitted event time(s) as a tuple of ints; ValueError naming the argument.

    A reference must be a pre-treatment event time (< 0): normalizing a treated event time to
    0 would report effects relative to a treatment effect (fixest allows it; we refuse it).

    Examples
    --------
    >>> check_references(-1), check_references([-1, -4])
    ((-1,), (-1, -4))
    """
    values = [reference] if np.ndim(reference) == 0 else list(reference)
    if not values or any(isinstance(v, bool) or not isinstance(v, int | np.integer)
                         for v in values):
        raise ValueError(f"reference={reference!r} must be an integer event time or a list of "
                         "them (e.g. -1 or [-1, -5])")
    if len(set(values)) < len(values):
        raise ValueError(f"reference={reference!r} lists an event time twice")
    treated = [int(v) for v in values if v >= 0]
    if treated:
        raise ValueError(
            f"reference={reference!r}: event time{'s' * (len(treated) > 1)} {treated} "
            f"{'are treated periods' if len(treated) > 1 else 'is a treated period'} (event "
            "time 0 is the first treated period), so every effect would be measured relative "
            "to a treatment effect; the reference must be a pre-treatment event time < 0, "
            "e.g. -1 (or -1 - k with k periods of anticipation)")
    return tuple(int(v) for v in values)


def twfe_event_study(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    cohort: str,
    leads: int | None = None,
    lags: int | None = None,
    reference: int | Sequence[int] = -1,
    covariates: Sequence[str] | str | None = None,
    cluster: Sequence[str] | str | None = None,
    weights: str | None = None,
    conf_level: float = 0.95,
    bin_endpoints: bool = True,
    fe: Sequence[str] | str | None = None,
    vcov: VcovKind = "cluster",
) -> EventStudyResult:
    """Dynamic TWFE event study (the ``"twfe"`` entry of the registry).

    Arguments as in :func:`event_study`; ``bin_endpoints`` pools event times beyond the window
    into the end points (True) or drops the treated observations outside the window (False,
    reported in the notes); ``fe`` adds fixed effects as in :func:`twfe` (e.g.
    ``"region^year"``); ``vcov`` as in :func:`twfe`.

    Examples
    --------
    >>> from econometrics import simulate_panel
    >>> df = simulate_panel(n_units=60, n_periods=8, cohorts=(4, 6), effect=1.0, seed=4)
    >>> es = twfe_event_study(df, y="y", unit="unit", time="time", cohort="cohort",
    ...                       reference=[-1, -3])
    >>> es.references, -3 in es.tidy().event_time.tolist()
    ((-1, -3), False)
    """
    bin_endpoints = check_flag("bin_endpoints", bin_endpoints)
    conf_level = check_conf_level(conf_level)
    leads, lags = check_window(leads=leads, lags=lags).values()
    check_vcov(vcov, cluster)
    references = check_references(reference)
    panel = prepare_panel(data, y=y, unit=unit, time=time, cohort=cohort, require="cohort",
                          covariates=covariates, cluster=cluster, weights=weights,
                          absorb=absorbed_columns(fe, unit, time))
    f = panel.frame
    notes = list(panel.notes)
    g = f["_cohort"].to_numpy()
    t = f["_time"].to_numpy()
    late = g > panel.times.max()
    if late.any():
        notes.append("units first treated after the last period are used as never treated")
    rel = np.where((g > 0) & ~late, t - g, np.nan)
    lo, hi = _event_window(rel, leads, lags)
    outside = [r for r in references if not -lo <= r <= hi]
    if outside:
        hint = ""
        if leads is None and np.nanmin(rel) >= 0:
            hint = (f"; no treated unit is observed before its first treated period (every "
                    f"cohort in {cohort!r} is at or before the first period "
                    f"{panel.times.min()}): is {cohort!r} an ever-treated 0/1 dummy rather "
                    "than the first treated period?")
        raise ValueError(f"reference={reference!r}: {outside} must lie in the event window "
                         f"[{-lo}, {hi}]{hint}")
    if bin_endpoints:
        rel_b = np.clip(rel, -lo, hi)
    else:
        outside_rows = ~np.isnan(rel) & ((rel < -lo) | (rel > hi))
        if outside_rows.any():
            notes.append(f"dropped {int(outside_rows.sum())} treated observations outside the "
                         f"event window [{-lo}, {hi}] (bin_endpoints=False)")
            keep = ~outside_rows
            panel = subset_panel(panel, keep)
            f, rel = panel.frame, rel[keep]
        rel_b = rel
    omitted = list(references)
    if not np.isnan(rel).any() and len(omitted) == 1:
        # Without never-treated units event time is collinear with unit and period effects
        # (Borusyak, Jaravel and Spiess 2024): a second normalization is needed.
        extra = -lo if -lo != omitted[0] else hi
        omitted.append(extra)
        notes.append(f"no never-treated units: event time {extra} is also omitted "
                     "(normalized to 0) to identify the dynamic TWFE regression")
    events = [e for e in range(-lo, hi + 1) if e not in omitted]
    present = set(np.unique(rel_b[~np.isnan(rel_b)]).astype(int).tolist())
    events = [e for e in events if e in present]
    if not events:
        raise PanelError("no event times to estimate in the window")
    names = [f"event_time::{e}" for e in events]
    x = np.zeros((len(rel_b), len(events) + len(panel.covariates)))
    rows = np.flatnonzero(np.isin(rel_b, events))
    x[rows, np.searchsorted(events, rel_b[rows])] = 1.0  # events are sorted
    for j, c in enumerate(panel.covariates):
        x[:, len(events) + j] = f[c].to_numpy()
    res = fit_twfe(panel, x, names + list(panel.covariates), cluster, fe, vcov)
    table = _tidy(res, names, conf_level)
    table.insert(0, "event_time", np.array(events, dtype=np.int64))
    k = len(names)  # the event-time terms come first in the design
    v_events = res.vcov.to_numpy()[:k, :k]
    vcov = pd.DataFrame(v_events, index=events, columns=events)
    lead = np.array(events) < 0
    pretrend = None
    if lead.any():
        pretrend = pretrend_test(res.params.to_numpy()[:k][lead],
                                 v_events[np.ix_(lead, lead)], df_denom=res.df_t)
    if bin_endpoints and (leads is not None or lags is not None):
        notes.append(f"event times beyond [{-lo}, {hi}] are pooled into the end points")
    return EventStudyResult(
        table=table, estimator="Event study (TWFE, unit and period effects)", outcome=y,
        n_obs=panel.n_obs, n_units=panel.n_units, vcov_type=res.vcov_type,
        small_sample=res.small_sample, n_clusters=res.n_clusters, conf_level=conf_level,
        notes=tuple(notes), design=res.design,
        reference=references[0] if len(omitted) == 1 else tuple(omitted),
        pretrend=pretrend, vcov=vcov,
    )


def subset_panel(panel: Panel, keep: np.ndarray) -> Panel:
    """Restrict the panel to rows ``keep`` (facts recomputed where they change)."""
    frame = panel.frame.loc[keep].reset_index(drop=True)
    per_unit = frame.groupby("_unit", sort=False).size()
    return replace(panel, frame=frame, n_obs=len(frame), n_units=int(frame["_unit"].nunique()),
                   balanced=bool((per_unit == len(panel.times)).all()))
