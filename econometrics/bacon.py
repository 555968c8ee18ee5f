"""Goodman-Bacon decomposition of the static TWFE estimate into 2x2 DiD comparisons.

Goodman-Bacon (2021, Journal of Econometrics 225(2), eq. 10a-10c): in a balanced panel with
staggered adoption and no covariates, the TWFE coefficient is a weighted average of all 2x2 DiD
estimates between timing groups, with weights that sum to one:

* ``treated_vs_never``: cohort k against the never-treated units, all periods;
* ``earlier_vs_later``: earlier cohort k treated, later cohort l as control, periods before l;
* ``later_vs_earlier``: later cohort l treated, earlier (already treated) cohort k as control,
  periods from k on -- the "forbidden" comparison that biases TWFE under dynamic effects.

Units treated in every period form one timing group (share treated 1): they enter only as the
control of ``later_vs_earlier`` comparisons. Cohorts first treated after the last period are
never treated within the data.

With ``covariates`` (Goodman-Bacon 2021, Section 4; R ``bacondecomp``'s controlled
decomposition, function by function) the TWFE coefficient of ``y ~ D + X | unit + period`` is
``Omega * beta_w + (1 - Omega) * sum_kl s_kl * beta_kl``: a *within* component (variation of the
covariate-adjusted treatment within timing groups, weight ``Omega``) and one *between* 2x2 per
pair of timing groups k < l (``treated_vs_never``, ``both_treated``, or ``later_vs_always``
when one group is treated throughout), each with its weight ``s_kl`` (summing to one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from econometrics._panel import PanelError, prepare_panel
from econometrics.results import BaconResult

__all__ = ["bacon", "controlled_between", "two_way_residual"]


@dataclass(frozen=True)
class _Group:
    """A timing group: its cohort label, unit share n, share of periods treated dbar."""

    cohort: float
    share: float
    dbar: float
    means: np.ndarray  # mean outcome of the group in each period


def twfe_variance(d: np.ndarray) -> float:
    """Variance of the two-way demeaned treatment (balanced panel, matrix units x periods)."""
    dd = d - d.mean(axis=1, keepdims=True) - d.mean(axis=0, keepdims=True) + d.mean()
    return float(np.mean(dd ** 2))


def dd_estimate(treated: np.ndarray, control: np.ndarray, pre: np.ndarray, post: np.ndarray
                ) -> float:
    """2x2 DiD of period means: (post - pre change of treated) - (same for control)."""
    change = lambda m: m[post].mean() - m[pre].mean()  # noqa: E731
    return float(change(treated) - change(control))


def bacon_weights_never(k: _Group, u: _Group, vd: float) -> float:
    """Weight of cohort k vs never treated (eq. 10a)."""
    nku = k.share / (k.share + u.share)
    return (k.share + u.share) ** 2 * nku * (1 - nku) * k.dbar * (1 - k.dbar) / vd


def bacon_weights_timing(k: _Group, l: _Group, vd: float) -> tuple[float, float]:  # noqa: E741
    """Weights of (earlier k vs later l, later l vs earlier k), k treated earlier (eq. 10b-c)."""
    nkl = k.share / (k.share + l.share)
    base = nkl * (1 - nkl) * (k.dbar - l.dbar)
    w_early = ((k.share + l.share) * (1 - l.dbar)) ** 2 * base * (1 - k.dbar) / (
        (1 - l.dbar) ** 2) / vd
    w_late = ((k.share + l.share) * k.dbar) ** 2 * base * l.dbar / k.dbar ** 2 / vd
    return w_early, w_late


#: Sum of squares per row below which a residualized treatment counts as constant (rounding).
ZERO_VARIANCE = 1e-20


def two_way_residual(values: np.ndarray, unit_codes: np.ndarray, time_codes: np.ndarray
                     ) -> np.ndarray:
    """Residual of each column on unit and period effects in a balanced panel (closed form).

    Examples
    --------
    >>> v = np.array([[1.0], [2.0], [3.0], [6.0]])
    >>> two_way_residual(v, np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])).ravel().tolist()
    [0.5, -0.5, -0.5, 0.5]
    """
    v = values.reshape(len(values), -1)
    unit_mean = _group_mean(v, unit_codes)
    time_mean = _group_mean(v, time_codes)
    return (v - unit_mean - time_mean + v.mean(axis=0)).reshape(values.shape)


def _group_mean(v: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Mean of each column of ``v`` within groups ``codes``, broadcast back to the rows."""
    codes = pd.factorize(codes)[0]
    sums = np.zeros((codes.max() + 1, v.shape[1]))
    np.add.at(sums, codes, v)
    return (sums / np.bincount(codes)[:, None])[codes]


def _pop_var(v: np.ndarray) -> float:
    return float(np.mean((v - v.mean()) ** 2))


def _ols_coef(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.linalg.lstsq(x, y, rcond=None)[0]


def controlled_between(y, d, p, gx, unit_codes, time_codes) -> tuple[float, float]:
    """Between 2x2 estimate and (unscaled) weight of two timing groups with covariates.

    ``bacondecomp``'s ``calc_controlled_beta_weights`` on the rows of the two groups: ``y``
    outcome, ``d`` treatment, ``p`` the treatment predicted from the covariates and the fixed
    effects on the whole panel, ``gx`` the group x period means of the covariates. Returns
    ``(beta_kl, N^2 ((1 - R^2) V_D + V_dp))``.

    Examples
    --------
    >>> u = np.repeat(np.arange(4), 3); t = np.tile(np.arange(3), 4)
    >>> d = ((u >= 2) & (t >= 1)).astype(float); y = 2.0 * d + u + t
    >>> gx = t[:, None].astype(float)  # a common trend: no between-group covariate variation
    >>> round(controlled_between(y, d, np.zeros(12), gx, u, t)[0], 10)
    2.0
    """
    n = len(y)
    d_tilde = two_way_residual(d, unit_codes, time_codes)
    vd = _pop_var(d_tilde)
    pgx = two_way_residual(gx, unit_codes, time_codes)
    design = np.column_stack([np.ones(n), pgx])
    fitted = design @ _ols_coef(d_tilde, design)
    total = np.sum((d_tilde - d_tilde.mean()) ** 2)
    # A pair whose treatment has no two-way variation (an always-treated group against the
    # never treated): V_D = 0, so R^2 does not matter; 0 keeps the formulas finite.
    r2 = 1.0 - np.sum((d_tilde - fitted) ** 2) / total if total > ZERO_VARIANCE * n else 0.0
    dp = fitted - two_way_residual(p, unit_codes, time_codes)
    vdp = _pop_var(dp)
    yt = two_way_residual(y, unit_codes, time_codes)
    bd = _ols_coef(yt, np.column_stack([d_tilde, pgx]))[0]
    dpt = two_way_residual(dp, unit_codes, time_codes)
    bb = float(dpt @ yt / (dpt @ dpt)) if dpt @ dpt > 0 else 0.0
    between_var = (1 - r2) * vd + vdp
    return float(((1 - r2) * vd * bd + vdp * bb) / between_var), float(n**2 * between_var)


def _controlled(panel, covariates, gvals, times, ymat, y_name, notes) -> BaconResult:
    """Decompose with covariates (bacondecomp's ``bacon`` with control variables)."""
    f = panel.frame.set_index(["_unit", "_time"])
    units = np.repeat(np.arange(len(gvals)), len(times))
    tcodes = np.tile(np.arange(len(times)), len(gvals))
    unit_ids = panel.unit_cohort().index
    idx = pd.MultiIndex.from_product([unit_ids, times])
    x = f.loc[idx, list(covariates)].to_numpy(dtype=float)
    yv = ymat.ravel()
    g_row = np.repeat(gvals, len(times))
    dv = ((g_row > 0) & (np.tile(times, len(gvals)) >= g_row)).astype(float)
    xt = two_way_residual(x, units, tcodes)
    dt = two_way_residual(dv, units, tcodes)
    d_res = dt - xt @ _ols_coef(dt, xt)  # FWL residual of D on X and both effects
    p = dv - d_res
    d_i, d_t, d_bar = _group_mean(d_res[:, None], units)[:, 0], _group_mean(
        d_res[:, None], tcodes)[:, 0], d_res.mean()
    cell = g_row * (len(times) + 1) + tcodes  # timing group x period
    d_kt = _group_mean(d_res[:, None], cell)[:, 0]
    d_k = _group_mean(d_res[:, None], g_row)[:, 0]
    d_it_til = d_res - d_i - d_t + d_bar
    d_ikt_til = d_res - d_i - (d_kt - d_k)
    omega = _pop_var(d_ikt_til) / _pop_var(d_it_til)
    beta_w = float(np.mean((yv - yv.mean()) * (d_ikt_til - d_ikt_til.mean()))
                   / _pop_var(d_ikt_til))
    estimate = float(np.mean((yv - yv.mean()) * (d_it_til - d_it_til.mean()))
                     / _pop_var(d_it_til))
    gx = _group_mean(x, cell)
    gp = _group_mean(p[:, None], cell)[:, 0]
    labels = sorted(set(gvals.tolist()), key=lambda g: np.inf if g == 0 else g)
    rows = []
    for i, gk in enumerate(labels):
        if gk == 0:
            continue
        for gl in labels[i + 1:]:
            keep = np.isin(g_row, [gk, gl])
            est, w = controlled_between(yv[keep], dv[keep], gp[keep], gx[keep], units[keep],
                                        tcodes[keep])
            kind = ("treated_vs_never" if gl == 0 else
                    "later_vs_always" if times[0] in (gk, gl) else "both_treated")
            rows.append((kind, gk, gl, est, w))
    table = pd.DataFrame(rows, columns=["type", "treated", "control", "estimate", "weight"])
    table["weight"] = table["weight"] / table["weight"].sum()
    return BaconResult(table=table, twfe_estimate=estimate, outcome=y_name,
                       n_obs=len(yv), n_units=len(gvals), notes=tuple(notes),
                       within_estimate=beta_w, within_weight=omega,
                       covariates=tuple(covariates))


def bacon(data: pd.DataFrame, *, y: str, unit: str, time: str, cohort: str,
          covariates: list[str] | str | None = None) -> BaconResult:
    """Goodman-Bacon decomposition of the static TWFE DiD estimate.

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced long panel with integer periods. Not modified.
    y, unit, time : str
        Outcome, unit and period columns.
    cohort : str
        First treated period; 0, NaN or inf for never-treated units.
    covariates : str or list of str, optional
        Time-varying controls: the controlled decomposition (R ``bacondecomp`` with controls in
        the formula): ``within_estimate`` / ``within_weight`` (beta_w, Omega) and one between
        2x2 per pair of timing groups.

    Returns
    -------
    BaconResult
        ``.tidy()``: one row per 2x2 comparison (type, treated, control, estimate, weight; control
        0 = never treated); ``.twfe_estimate`` is the coefficient of ``twfe`` on the treatment
        ``time >= cohort`` (and the covariates), which ``weighted_sum`` reproduces.

    Raises
    ------
    PanelError
        Unbalanced panel, or no treatment variation.

    Examples
    --------
    >>> from econometrics import simulate_panel
    >>> df = simulate_panel(n_units=40, n_periods=8, cohorts=(3, 6), effect=1.0, seed=5)
    >>> b = bacon(df, y="y", unit="unit", time="time", cohort="cohort")
    >>> round(float(b.tidy().weight.sum()), 12), bool(abs(b.weighted_sum - b.twfe_estimate) < 1e-10)
    (1.0, True)
    """
    panel = prepare_panel(data, y=y, unit=unit, time=time, cohort=cohort, require="cohort",
                          covariates=covariates)
    if not panel.balanced:
        raise PanelError("bacon needs a balanced panel (the decomposition holds for balanced "
                         "panels only); the panel is unbalanced")
    f = panel.frame
    times = panel.times
    t_first, t_last = times[0], times[-1]
    unit_g = panel.unit_cohort()
    # Timing groups as observed in the data: later-than-sample cohorts are never treated,
    # cohorts treated from the first period on are one "always treated" group.
    eff = unit_g.where(unit_g <= t_last, 0.0)
    eff = eff.where((eff == 0) | (eff > t_first), float(t_first))
    ymat = f.pivot(index="_unit", columns="_time", values="_y").loc[eff.index, times].to_numpy()
    gvals = eff.to_numpy()
    dmat = ((gvals[:, None] > 0) & (times[None, :] >= gvals[:, None])).astype(float)
    vd = twfe_variance(dmat)
    if vd <= 0:
        groups = sorted({float(g) for g in gvals})
        why = ("every unit is in one timing group (first treated "
               f"{groups[0]:g}{'' if groups[0] else ', i.e. never'}), so there is no comparison "
               "group: no never-treated unit and no other cohort") if len(groups) == 1 else (
            "its timing groups do not vary within periods")
        raise PanelError(f"the treatment has no variation after removing unit and period "
                         f"effects: {why}")
    notes = list(panel.notes)
    if panel.n_always_treated:
        notes.append("units treated in every period form one timing group (control only)")
    if panel.covariates:
        return _controlled(panel, panel.covariates, gvals, times, ymat, y, notes)
    n = len(gvals)
    groups = {g: _Group(cohort=float(g), share=float(np.mean(gvals == g)),
                        dbar=float(np.mean(times >= g)) if g > 0 else 0.0,
                        means=ymat[gvals == g].mean(axis=0))
              for g in np.unique(gvals)}
    treated = sorted(g for g in groups if g > 0)
    rows = []
    if 0 in groups:
        u = groups[0]
        for g in treated:
            k = groups[g]
            w = bacon_weights_never(k, u, vd)
            if w > 0:
                rows.append(("treated_vs_never", g, 0.0,
                             dd_estimate(k.means, u.means, times < g, times >= g), w))
    for i, gk in enumerate(treated):
        for gl in treated[i + 1:]:
            k, l = groups[gk], groups[gl]  # noqa: E741
            w_early, w_late = bacon_weights_timing(k, l, vd)
            if w_early > 0:
                rows.append(("earlier_vs_later", gk, gl, dd_estimate(
                    k.means, l.means, times < gk, (times >= gk) & (times < gl)), w_early))
            if w_late > 0:
                rows.append(("later_vs_earlier", gl, gk, dd_estimate(
                    l.means, k.means, (times >= gk) & (times < gl), times >= gl), w_late))
    table = pd.DataFrame(rows, columns=["type", "treated", "control", "estimate", "weight"])
    dtil = dmat - dmat.mean(axis=1, keepdims=True) - dmat.mean(axis=0, keepdims=True) + dmat.mean()
    estimate = float(np.sum(dtil * ymat) / np.sum(dtil ** 2))  # FWL: the static TWFE coefficient
    return BaconResult(table=table, twfe_estimate=estimate, outcome=y, n_obs=n * len(times),
                       n_units=n, notes=tuple(notes))
