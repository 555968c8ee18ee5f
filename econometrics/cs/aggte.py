"""Aggregation of ATT(g, t) into summary effects (R ``did``'s ``aggte``) and the result classes.

Weights are cohort shares among all units (weighted by the unit weights when ``att_gt`` was
given ``weights``); the standard errors add the influence function of the estimated shares
(``did``'s ``wif``). ``balance_e``, ``min_e`` and ``max_e`` restrict the dynamic aggregation as in
``aggte``: ``balance_e=e`` keeps only cohorts observed for at least ``e`` periods after treatment
(a balanced event study), ``min_e`` / ``max_e`` the range of event times reported and averaged.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from econometrics.results import EventStudyResult, Overall, ResultBase, TidyFrame, WaldTest

__all__ = ["AggregateEstimates", "AggregateResult", "Aggregation", "CsResult",
           "aggregate_effects", "effect_table"]

Aggregation = Literal["simple", "dynamic", "group", "calendar"]


@dataclass(frozen=True)
class AggregateEstimates:
    """Aggregated effects (labels, att, influence n x m) and the overall effect."""

    labels: np.ndarray
    att: np.ndarray
    influence: np.ndarray
    overall_att: float
    overall_influence: np.ndarray


def _weight_influence(keep: np.ndarray, shares: np.ndarray, in_cohort: np.ndarray,
                      weights: np.ndarray) -> np.ndarray:
    """Influence function of estimated cohort-share weights (``did``'s ``wif``), n x len(keep).

    ``in_cohort`` is the (units x cells) indicator that a unit belongs to each cell's cohort.
    """
    s = shares[keep]
    dev = weights[:, None] * in_cohort[:, keep] - s[None, :]
    total = s.sum()
    return dev / total - dev.sum(axis=1, keepdims=True) * (s / total**2)[None, :]


def aggregate_effects(gt, unit_cohort: np.ndarray, kind: Aggregation, *,
                      weights: np.ndarray | None = None, balance_e: int | None = None,
                      min_e: float = -np.inf, max_e: float = np.inf) -> AggregateEstimates:
    """Aggregate ATT(g, t) as ``did``'s ``aggte``.

    Parameters
    ----------
    gt : GroupTimeEstimates
        Output of :func:`econometrics.cs.attgt.group_time_effects`.
    unit_cohort : numpy.ndarray
        Cohort of each unit (0 for never treated), same order as the influence rows.
    kind : {"simple", "dynamic", "group", "calendar"}
        Aggregation.
    weights : numpy.ndarray, optional
        Unit weights (mean one); default equal weights.
    balance_e : int, optional
        Dynamic aggregation only: see the module docstring.
    min_e, max_e : float
        Event times kept (all aggregations, as ``aggte``).

    Returns
    -------
    AggregateEstimates

    Examples
    --------
    >>> import numpy as np
    >>> from econometrics.cs.attgt import GroupTimeEstimates
    >>> gt = GroupTimeEstimates(np.array([2.0, 2.0]), np.array([1.0, 2.0]),
    ...                         np.array([0.1, 1.0]), np.zeros((4, 2)))
    >>> aggregate_effects(gt, np.array([2.0, 2, 0, 0]), "dynamic").att.tolist()
    [0.1, 1.0]
    """
    g, t, att, inf = gt.cohorts, gt.times, gt.att, gt.influence
    w = np.ones(len(unit_cohort)) if weights is None else weights
    glist = np.unique(g)
    shares_g = np.array([np.mean(w * (unit_cohort == c)) for c in glist])
    shares = shares_g[np.searchsorted(glist, g)]
    in_cohort = unit_cohort[:, None] == g[None, :]
    post = g <= t

    def weighted(keep):
        keep = np.flatnonzero(keep)
        s = shares[keep]
        est = float(np.sum(att[keep] * s) / s.sum())
        psi = inf[:, keep] @ (s / s.sum())
        return est, psi + _weight_influence(keep, shares, in_cohort, w) @ att[keep]

    window = (t - g >= min_e) & (t - g <= max_e)
    if kind == "simple":
        est, psi = weighted(post & window)
        return AggregateEstimates(np.array(["simple"]), np.array([est]), psi[:, None], est, psi)
    if kind == "dynamic":
        e_cell = t - g
        include = np.ones(len(g), bool)
        labels = np.unique(e_cell)
        if balance_e is not None:
            t_last, t_first = gt.last_period, gt.first_period
            include = t_last - g >= balance_e
            labels = np.unique(e_cell[include])
            labels = labels[(labels <= balance_e) & (labels >= balance_e - t_last + t_first)]
        labels = labels[(labels >= min_e) & (labels <= max_e)]
        parts = [weighted((e_cell == e) & include) for e in labels]
        overall_cols = labels >= 0
    elif kind == "group":
        parts = []
        for c in glist:
            keep = np.flatnonzero((g == c) & post & window)
            parts.append((float(att[keep].mean()), inf[:, keep].mean(axis=1)))
        est_g = np.array([p[0] for p in parts])
        psi_g = np.column_stack([p[1] for p in parts])
        every = np.arange(len(glist))
        est = float(np.sum(est_g * shares_g) / shares_g.sum())
        psi = psi_g @ (shares_g / shares_g.sum())
        in_g = unit_cohort[:, None] == glist[None, :]
        psi = psi + _weight_influence(every, shares_g, in_g, w) @ est_g
        return AggregateEstimates(glist, est_g, psi_g, est, psi)
    else:  # calendar
        labels = np.unique(t[t >= g.min()])
        parts = [weighted((t == s) & post) for s in labels]
        overall_cols = np.ones(len(labels), bool)
    if not parts:
        raise ValueError(f"no event times left in the dynamic aggregation (balance_e="
                         f"{balance_e}, min_e={min_e}, max_e={max_e})")
    est = np.array([p[0] for p in parts])
    psi = np.column_stack([p[1] for p in parts])
    if not overall_cols.any():
        return AggregateEstimates(labels, est, psi, float("nan"), np.full(len(psi), np.nan))
    return AggregateEstimates(labels, est, psi, float(est[overall_cols].mean()),
                              psi[:, overall_cols].mean(axis=1))


def effect_table(labels: dict, estimate, std_error, conf_low, conf_high) -> TidyFrame:
    """Build the shared tidy layout: label columns, estimate, std_error, statistic, p_value, bands.

    ``statistic`` and ``p_value`` are pointwise and normal (analytic standard errors).

    Examples
    --------
    >>> effect_table({"cohort": [3]}, [1.0], [0.5], [0.0], [2.0]).columns.tolist()
    ['cohort', 'estimate', 'std_error', 'statistic', 'p_value', 'conf_low', 'conf_high']
    """
    est = np.asarray(estimate, float)
    se = np.asarray(std_error, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / se
    return TidyFrame({**labels, "estimate": est, "std_error": se, "statistic": z,
                      "p_value": 2 * stats.norm.sf(np.abs(z)), "conf_low": conf_low,
                      "conf_high": conf_high})


@dataclass(frozen=True, eq=False, kw_only=True)
class CsResult(ResultBase):
    """Facts shared by the group-time and the aggregated Callaway-Sant'Anna results.

    ``conf_level`` is the coverage of the intervals / bands (``alpha`` = 1 - conf_level is a
    deprecated alias).
    """

    n_units: int
    n_obs: int
    control: str
    method: str
    bootstrap: int
    cband: bool = True
    n_clusters: tuple[int, ...] = ()

    @property
    def alpha(self) -> float:
        """Deprecated: one minus ``conf_level``."""
        warnings.warn("CsResult.alpha is deprecated and will be removed in the next release; "
                      "use conf_level (alpha = 1 - conf_level)", DeprecationWarning,
                      stacklevel=2)
        return 1 - self.conf_level

    def tidy(self) -> pd.DataFrame:
        """Return the estimates table (a copy): labels, estimate, std_error, ..., conf_high.

        The deprecated column names ``att`` and ``se`` still work (with a FutureWarning).
        """
        return TidyFrame(self.table.copy())

    def _footer(self) -> list[str]:
        if not self.bootstrap:
            band = f"pointwise {self.conf_level:.0%} intervals"
        else:
            kind = "simultaneous" if self.cband else "pointwise"
            band = (f"{kind} {self.conf_level:.0%} band from {self.bootstrap} multiplier "
                    "bootstrap draws")
        clusters = ", ".join(map(str, self.n_clusters)) if self.n_clusters else "units"
        return [
            f"Units: {self.n_units}; observations: {self.n_obs}; clusters: {clusters}",
            f"Control group: {self.control}; 2x2 estimator: {self.method}",
            f"std_error: analytic (influence function); conf_low/conf_high: {band}",
            *[f"Note: {n}" for n in self.notes],
        ]

    def _title(self) -> str:
        return "Callaway-Sant'Anna"


@dataclass(frozen=True, eq=False, kw_only=True)
class AggregateResult(CsResult):
    """An aggregation of ATT(g, t) (see :meth:`AttGtResult.aggregate`).

    ``tidy()`` has a first column ``event_time`` (dynamic), ``cohort`` (group), ``time``
    (calendar) or ``aggregation`` (simple), then the shared columns ``estimate``,
    ``std_error``, ``statistic``, ``p_value``, ``conf_low``, ``conf_high``; ``overall`` is the
    summary effect that ``did`` reports for the aggregation; ``vcov`` the analytic covariance
    of the aggregated effects (indexed by the first column).
    """

    kind: str
    overall: Overall
    vcov: pd.DataFrame | None = None
    pretrend: WaldTest | None = None

    def _title(self) -> str:
        return f"Callaway-Sant'Anna, {self.kind} aggregation"

    def _footer(self) -> list[str]:
        return [f"Overall ATT: {self.overall.estimate:.4f} (SE {self.overall.std_error:.4f})",
                *super()._footer()]

    def to_event_study(self) -> EventStudyResult:
        """Return the dynamic aggregation as an :class:`~econometrics.results.EventStudyResult`."""
        if self.kind != "dynamic":
            raise ValueError(f"to_event_study needs kind='dynamic', this is kind={self.kind!r}")
        t = self.table
        table = pd.DataFrame({
            "event_time": t["event_time"].astype(int),
            "term": [f"e={e}" for e in t["event_time"].astype(int)],
            **{c: t[c] for c in ("estimate", "std_error", "statistic", "p_value", "conf_low",
                                 "conf_high")},
        })
        return EventStudyResult(
            table=table, estimator=f"Callaway-Sant'Anna ({self.method}, {self.control} controls)",
            outcome=self.outcome, n_obs=self.n_obs, n_units=self.n_units,
            vcov_type="analytic influence function", small_sample="none",
            n_clusters=self.n_clusters, conf_level=self.conf_level, notes=self.notes,
            reference=None, overall=self.overall, vcov=self.vcov, pretrend=self.pretrend)

    def plot(self, ax=None, **kwargs):
        """Plot the aggregated effects with their bands; returns the Axes."""
        if self.kind == "dynamic":
            return self.to_event_study().plot(ax=ax, **kwargs)
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        t = self.table
        first = t.columns[0]
        x = np.arange(len(t)) if first == "aggregation" else t[first].to_numpy(float)
        est = t["estimate"]
        ax.errorbar(x, est, yerr=[est - t["conf_low"], t["conf_high"] - est],
                    fmt="o", capsize=3, **kwargs)
        ax.axhline(0.0, color="grey", linestyle="--", linewidth=1)
        ax.axhline(self.overall.estimate, color="black", linestyle=":", linewidth=1,
                   label=f"overall = {self.overall.estimate:.3f}")
        ax.set_xlabel(first)
        ax.set_ylabel(f"effect on {self.outcome}")
        ax.set_title(self._title())
        ax.legend(fontsize="small")
        return ax
