"""Rambachan and Roth (2023) sensitivity analysis for violations of parallel trends (HonestDiD).

:func:`honest_did` takes any event study of this package (its ``tidy()`` estimates and its
``vcov``) and returns confidence intervals for a post-treatment effect that stay valid when
parallel trends fail by a bounded amount:

* ``restriction="relative_magnitudes"`` (Delta^RM(Mbar)): a post-treatment change in the trend
  violation is at most ``Mbar`` times the largest pre-treatment change; conditional /
  least-favorable hybrid intervals (C-LF), found by test inversion on a grid;
* ``restriction="smoothness"`` (Delta^SD(M)): the slope of the violation changes by at most
  ``M`` per period (M = 0: linear pre-trends extrapolated); fixed-length intervals (FLCI).

The numerics are moderndid's port of the R package HonestDiD (``moderndid.didhonest``, the
optional ``sensitivity`` extra); this module maps an event study onto it and gives the answer
the package's result convention. Agreement with the published R output (the package README's
Medicaid example) is tested in tests/econometrics/test_honest.py.
"""

from __future__ import annotations

import contextlib
import functools
import io
import numbers
import os
import sys
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from econometrics._panel import check_choice, check_count
from econometrics.results import EventStudyResult, ResultBase, check_conf_level

__all__ = ["HonestDiDResult", "Restriction", "honest_did"]

Restriction = Literal["relative_magnitudes", "smoothness"]
_DEFAULT_M = {"relative_magnitudes": (0.5, 1.0, 1.5, 2.0)}


@dataclass(frozen=True, eq=False, kw_only=True)
class HonestDiDResult(ResultBase):
    """Robust confidence intervals for one post-treatment effect, one row per bound ``m``.

    Attributes
    ----------
    table : pandas.DataFrame
        term, m, estimate, std_error, conf_low, conf_high, method (``m`` is Mbar for relative
        magnitudes, M for smoothness; the first row, ``m`` NaN, is the original interval that
        assumes parallel trends).
    restriction : str
        ``"relative_magnitudes"`` or ``"smoothness"``.
    target : str
        The effect bounded (e.g. ``"event time 0"``).
    outcome, estimator : str
        From the event study.
    conf_level : float
        Coverage of the intervals.
    """

    restriction: str
    target: str
    estimator: str

    def tidy(self) -> pd.DataFrame:
        """Return the intervals (a copy), original first."""
        return self.table.copy()

    def _title(self) -> str:
        return "HonestDiD sensitivity analysis"

    @property
    def breakdown(self) -> float:
        """Smallest bound ``m`` whose robust interval contains 0 (NaN if none does)."""
        robust = self.table.dropna(subset=["m"])
        covers = robust[(robust.conf_low <= 0) & (robust.conf_high >= 0)]
        return float(covers.m.min()) if len(covers) else float("nan")

    def _footer(self) -> list[str]:
        name = {"relative_magnitudes": "relative magnitudes, Delta^RM(Mbar)",
                "smoothness": "smoothness, Delta^SD(M)"}[self.restriction]
        return [f"Restriction: {name}; target: {self.target}; "
                f"confidence level {self.conf_level:.0%}",
                f"Breakdown value (smallest m whose interval contains 0): {self.breakdown:g}",
                f"Event study: {self.estimator}"]

    def plot(self, ax=None, **kwargs):
        """Sensitivity plot: the original and the robust intervals against ``m``; the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        t = self.table
        robust = t.dropna(subset=["m"])
        m = robust.m.to_numpy(float)
        step = np.min(np.diff(m)) if len(m) > 1 else 1.0
        orig = t[t.m.isna()].iloc[0]
        x = np.concatenate([[m.min() - step], m])
        lo = np.concatenate([[orig.conf_low], robust.conf_low])
        hi = np.concatenate([[orig.conf_high], robust.conf_high])
        mid = (lo + hi) / 2
        colors = ["black"] + ["C0"] * len(m)
        for xi, mi, low, high, c in zip(x, mid, lo, hi, colors, strict=True):
            ax.errorbar([xi], [mi], yerr=[[mi - low], [high - mi]], fmt="none", capsize=4,
                        color=c, **kwargs)
        ax.axhline(0.0, color="grey", linestyle="--", linewidth=1)
        symbol = "Mbar" if self.restriction == "relative_magnitudes" else "M"
        ax.set_xticks(x, ["original", *[f"{v:g}" for v in m]])
        ax.set_xlabel(symbol)
        ax.set_ylabel(f"{self.target}: {self.conf_level:.0%} interval")
        ax.set_title(f"HonestDiD ({self.restriction.replace('_', ' ')})")
        return ax


def _event_study_inputs(result: EventStudyResult):
    """Pre and post estimates (reference / zero-variance periods left out) and their vcov."""
    if not isinstance(result, EventStudyResult):
        raise ValueError(f"honest_did needs an event study (EventStudyResult), got "
                         f"{type(result).__name__}; e.g. event_study(...) or "
                         "att_gt(...).aggregate('dynamic').to_event_study()")
    if result.vcov is None:
        raise ValueError("honest_did needs the event study's covariance matrix (result.vcov), "
                         "which this result does not carry")
    t = result.tidy().set_index("event_time")
    keep = (t.std_error > 0) & ~t.index.isin(result.references)
    events = t.index[keep].to_numpy()
    pre, post = events[events < 0], events[events >= 0]
    if len(pre) < 1 or len(post) < 1:
        raise ValueError(f"honest_did needs at least one pre-treatment and one post-treatment "
                         f"event time with a standard error; the event study has {pre.tolist()}"
                         f" and {post.tolist()}")
    order = [*pre, *post]
    beta = t.loc[order, "estimate"].to_numpy(float)
    sigma = result.vcov.loc[order, order].to_numpy(float)
    return beta, sigma, pre, post


@functools.cache
def _quiet_highs() -> None:
    """Keep HiGHS's banner ("Running HiGHS ...") off the user's screen, once per process.

    moderndid solves its linear programs with ``highspy.Highs`` models made silent with the
    solver option ``output_flag = False``, but HiGHS writes its banner from the C++ constructor
    (once per process), before any option can be set, straight to the standard output's file
    descriptor (``contextlib.redirect_stdout`` cannot catch it). So the first ``Highs()`` is
    made here with file descriptor 1 pointed at ``os.devnull`` for that one call only, and given
    the option; later models print nothing. Nothing else is redirected.
    """
    try:
        import highspy
    except ImportError:  # honest_did names the missing extra itself
        return
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        highspy.Highs().setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def honest_did(
    result: EventStudyResult,
    *,
    restriction: Restriction = "relative_magnitudes",
    m: list[float] | tuple[float, ...] | None = None,
    target: int | Literal["average"] = 0,
    conf_level: float = 0.95,
    grid_points: int = 1000,
) -> HonestDiDResult:
    """Rambachan-Roth robust intervals for an event study's post-treatment effect.

    Parameters
    ----------
    result : EventStudyResult
        Any event study of this package (``event_study``, ``sun_abraham``, ``imputation`` with
        ``leads``, Callaway-Sant'Anna's dynamic aggregation); needs pre-treatment estimates and
        ``result.vcov``. Reference periods and zero-variance estimates are left out; for
        Callaway-Sant'Anna use ``base_period="universal"`` so the leads share one base period.
    restriction : {"relative_magnitudes", "smoothness"}
        Delta^RM(Mbar) with C-LF intervals, or Delta^SD(M) with FLCIs.
    m : sequence of float, optional
        Bounds to try (Mbar or M); default (0.5, 1, 1.5, 2) for relative magnitudes and
        HonestDiD's default grid for smoothness.
    target : int or "average"
        Post-treatment event time whose effect is bounded, or the average of all
        post-treatment effects.
    conf_level : float
        Coverage of the intervals.
    grid_points : int
        Grid of candidate values for the test inversion (C-LF); HonestDiD's default 1000.

    Returns
    -------
    HonestDiDResult
        ``tidy()``, ``summary()``, ``plot()`` (the sensitivity plot), ``breakdown``.

    Examples
    --------
    >>> from econometrics import event_study, simulate_panel
    >>> df = simulate_panel(n_units=200, n_periods=8, cohorts=(5,), effect=1.0,
    ...                     never_treated=0.5, seed=3)
    >>> es = event_study(df, y="y", unit="unit", time="time", cohort="cohort")
    >>> h = honest_did(es, restriction="smoothness", m=[0.0, 0.1])
    >>> h.tidy().m.tolist()
    [nan, 0.0, 0.1]
    """
    check_choice("restriction", restriction, get_args(Restriction))
    conf_level = check_conf_level(conf_level)
    beta, sigma, pre, post = _event_study_inputs(result)
    grid_points = check_count("grid_points", grid_points, 2)
    if isinstance(target, bool | np.bool_) or not isinstance(target, str | numbers.Integral):
        raise ValueError(f"target={target!r} must be a post-treatment event time (an integer) "
                         "or 'average'")
    if isinstance(target, str):
        check_choice("target", target, ("average",))
        l_vec = np.full(len(post), 1.0 / len(post))
        label = "average post-treatment effect"
    else:
        if target not in set(post.tolist()):
            raise ValueError(f"target={target!r} must be a post-treatment event time of the "
                             f"event study {post.tolist()} or 'average'")
        l_vec = (post == target).astype(float)
        label = f"event time {target}"
    values = m if m is not None else _DEFAULT_M.get(restriction)
    if values is not None:
        if isinstance(values, numbers.Real) and not isinstance(values, bool | np.bool_):
            values = [values]  # one bound: m=0.5 as [0.5]
        listlike = isinstance(values, Iterable) and not isinstance(values, str | bytes | Mapping)
        values = list(values) if listlike else values
        if not listlike or not all(isinstance(v, numbers.Real)
                                   and not isinstance(v, bool | np.bool_) for v in values):
            raise ValueError(f"m={m!r} must be a non-negative number or a non-empty list of "
                             "them (bounds on the violation of parallel trends)")
        values = [float(v) for v in values]
        if not values or any(v < 0 or not np.isfinite(v) for v in values):
            raise ValueError(f"m={m!r} must be a non-negative number or a non-empty list of "
                             "them (bounds on the violation of parallel trends)")
    try:
        from moderndid import didhonest
    except ImportError as exc:
        raise ImportError("honest_did needs moderndid's HonestDiD port: install the "
                          "'sensitivity' extra (pip install referral-incentives-lab"
                          "[sensitivity])") from exc
    _quiet_highs()
    args = dict(betahat=beta, sigma=sigma, num_pre_periods=len(pre),
                num_post_periods=len(post), l_vec=l_vec, alpha=1 - conf_level)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # solver chatter; the intervals are checked below
        if restriction == "relative_magnitudes":
            out = didhonest.create_sensitivity_results_rm(
                **args, m_bar_vec=values, grid_points=grid_points)
            bounds = out["Mbar"].to_list()
        else:
            out = didhonest.create_sensitivity_results_sm(**args, m_vec=values,
                                                          grid_points=grid_points)
            bounds = out["m"].to_list()
        original = didhonest.construct_original_cs(**args)
    est = float(l_vec @ beta[len(pre):])
    se = float(np.sqrt(l_vec @ sigma[len(pre):, len(pre):] @ l_vec))
    table = pd.DataFrame({
        "term": label, "m": [np.nan, *bounds], "estimate": est, "std_error": se,
        "conf_low": [float(original.lb), *out["lb"].to_list()],
        "conf_high": [float(original.ub), *out["ub"].to_list()],
        "method": ["original", *out["method"].to_list()],
    })
    if not np.all(np.isfinite(table[["conf_low", "conf_high"]].to_numpy())):
        bad = table.loc[~np.isfinite(table.conf_low) | ~np.isfinite(table.conf_high), "m"]
        warnings.warn(f"honest_did: the interval is unbounded or empty for m = "
                      f"{bad.tolist()} (the identified set is not bounded there, or the grid "
                      "is too narrow)", UserWarning, stacklevel=2)
    return HonestDiDResult(table=table, restriction=restriction, target=label,
                           outcome=result.outcome, estimator=result.estimator,
                           conf_level=conf_level)
