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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from econometrics._panel import PanelError, prepare_panel
from econometrics.results import BaconResult

__all__ = ["bacon"]


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


def bacon(data: pd.DataFrame, *, y: str, unit: str, time: str, cohort: str) -> BaconResult:
    """Goodman-Bacon decomposition of the static TWFE DiD estimate.

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced long panel with integer periods. Not modified.
    y, unit, time : str
        Outcome, unit and period columns.
    cohort : str
        First treated period; 0, NaN or inf for never-treated units.

    Returns
    -------
    BaconResult
        ``.tidy()``: one row per 2x2 comparison (type, treated, control, estimate, weight; control
        0 = never treated); ``.twfe_estimate`` is the coefficient of ``twfe`` on the treatment
        ``time >= cohort``, which equals the weighted sum of the 2x2 estimates.

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
    panel = prepare_panel(data, y=y, unit=unit, time=time, cohort=cohort)
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
        raise PanelError("the treatment has no variation after removing unit and period effects")
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
    notes = list(panel.notes)
    if panel.n_always_treated:
        notes.append("units treated in every period form one timing group (control only)")
    return BaconResult(table=table, twfe_estimate=estimate, outcome=y, n_obs=n * len(times),
                       n_units=n, notes=tuple(notes))
