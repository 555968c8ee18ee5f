"""de Chaisemartin and D'Haultfoeuille's event-study DiD for treatments that switch on and off.

``DID_l`` (de Chaisemartin and D'Haultfoeuille, "Difference-in-differences estimators of
intertemporal treatment effects", 2024) compares, for every group whose treatment first changes
at period F_g, the outcome change from F_g - 1 to F_g - 1 + l with the same change in the groups
that had the same period-one treatment and have not changed it yet at F_g - 1 + l; the effects
are averaged over switchers, signed (a group whose treatment falls counts with its change
reversed). ``Placebo_l`` runs the same comparison from F_g - 1 back to F_g - 1 - l. The
treatment may be binary or not, rise and fall several times, and its lags may affect the
outcome. ``overall`` is the average total effect per unit of treatment (R's
``Average_Total_Effect``). Standard errors come from the groups' influence functions, summed
within clusters if ``cluster`` is given (R ``did_multiplegt_dyn``'s analytic variance).

The numerics are moderndid's ``did_multiplegt`` (optional extra ``switching``), a port of R / Stata
``did_multiplegt_dyn``; on Favara and Imbs' banking-deregulation panel it reproduces the authors'
published table (tests/econometrics/test_dcdh.py). This module checks the panel, maps it onto
moderndid and returns an :class:`~econometrics.results.EventStudyResult`.

Event times follow the package's convention (periods since the switch): ``Effect_l`` is event
time l - 1 (``Effect_1`` is the period of the switch), ``Placebo_l`` is event time -(l + 1), and
F_g - 1 (event time -1) is the reference period.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from econometrics._panel import (
    PanelError,
    check_choice,
    check_flag,
    check_window,
    prepare_panel,
)
from econometrics.inference import t_inference, wald_test
from econometrics.results import (
    TIDY_COLUMNS,
    EventStudyResult,
    Overall,
    WaldTest,
    check_conf_level,
)

__all__ = ["DCDHResult", "dcdh"]

Switchers = Literal["", "in", "out"]


@dataclass(frozen=True, eq=False, kw_only=True)
class DCDHResult(EventStudyResult):
    """dCDH event study: ``tidy()`` also has ``n_switchers`` and ``n_cells`` per estimate.

    ``effects_equal`` is the chi2 test that all effects are equal (with ``effects_equal=True``),
    ``pretrend`` the joint chi2 test that all placebos are zero.
    """

    effects_equal: WaldTest | None = None

    def _extra_footer(self) -> list[str]:
        lines = super()._extra_footer()
        if self.effects_equal is not None:
            e = self.effects_equal
            lines.append(f"Test that all effects are equal: chi2({e.df}) = {e.statistic:.4f}, "
                         f"p = {e.p_value:.4f}")
        return lines


def _horizons(value, name: str) -> int | None:
    return check_window(**{name: value})[name]


def _moderndid_frame(panel) -> tuple[pd.DataFrame, dict]:
    """Return the panel under plain column names for moderndid (units as sorted codes)."""
    f = panel.frame
    frame = pd.DataFrame({"y": f["_y"].to_numpy(), "g": pd.factorize(f["_unit"], sort=True)[0],
                          "t": pd.factorize(f["_time"], sort=True)[0] + 1,
                          "d": f["_treat"].to_numpy()})
    names = {"yname": "y", "idname": "g", "tname": "t", "dname": "d"}
    for c in panel.covariates:
        frame[c] = f[c].to_numpy()
    if "_weight" in f:
        frame["w"] = f["_weight"].to_numpy()
        names["weightsname"] = "w"
    if panel.cluster_columns:
        frame["cl"] = f["_cluster0"].to_numpy()
        names["cluster"] = "cl"
    return frame, names


def _influence_vcov(fit, kept: np.ndarray, clusters: pd.Series | None) -> np.ndarray | None:
    """Covariance of (effects, placebos) from the groups' influence functions (as R's SEs).

    moderndid's influence functions have one row per group it kept (``kept``: their codes,
    sorted); the variance is sum_c (sum_{g in c} psi_g)^2 / G^2 with G the groups kept (each
    group its own cluster without ``clusters``, the cluster code of each group code). None if
    an influence function is missing.
    """
    blocks = [fit.influence_effects]
    if fit.placebos is not None:
        blocks.append(fit.influence_placebos)
    if any(b is None for b in blocks):
        return None
    psi = np.column_stack(blocks)
    n_groups = len(kept)
    if psi.shape[0] != n_groups:
        return None
    if clusters is not None:
        codes = pd.factorize(clusters.loc[kept].to_numpy(), sort=True)[0]
        sums = np.zeros((codes.max() + 1, psi.shape[1]))
        np.add.at(sums, codes, psi)
        psi = sums
    return psi.T @ psi / n_groups**2


def _fit_moderndid(frame: pd.DataFrame, names: dict, **options):
    """Run moderndid's did_multiplegt pipeline; also return the groups it kept (sorted)."""
    try:
        from moderndid.core.preprocess import PreprocessDataBuilder
        from moderndid.core.preprocess.config import DIDInterConfig
        from moderndid.didinter.compute_did_multiplegt import compute_did_multiplegt
    except ImportError as exc:
        raise ImportError("dcdh needs moderndid's did_multiplegt_dyn port: install the "
                          "'switching' extra (pip install referral-incentives-lab[switching])"
                          ) from exc
    config = DIDInterConfig(yname=names["yname"], tname=names["tname"], gname=names["idname"],
                            dname=names["dname"], cluster=names.get("cluster"),
                            weightsname=names.get("weightsname"), **options)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pre = (PreprocessDataBuilder().with_data(frame).with_config(config).validate()
               .transform().build())
        fit = compute_did_multiplegt(pre, frame)
    kept = np.sort(pre.time_invariant_data[names["idname"]].to_numpy())
    return fit, kept, [str(w.message) for w in caught]


def dcdh(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    treat: str | None = None,
    cohort: str | None = None,
    leads: int | None = None,
    lags: int | None = None,
    reference: int = -1,
    covariates: Sequence[str] | str | None = None,
    cluster: str | None = None,
    weights: str | None = None,
    conf_level: float = 0.95,
    normalized: bool = False,
    same_switchers: bool = False,
    effects_equal: bool = False,
    switchers: Switchers = "",
    only_never_switchers: bool = False,
) -> DCDHResult:
    """Estimate de Chaisemartin-D'Haultfoeuille event-study effects (R ``did_multiplegt_dyn``).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per (unit, time) (never modified).
    y, unit, time : str
        Outcome, group and period columns (periods enter by their order).
    treat : str, optional
        Treatment column: finite and non-negative, binary or not; it may switch on and off.
    cohort : str, optional
        Instead of ``treat``: first treated period (absorbing treatment, ``time >= cohort``),
        so that the function has the registry's signature.
    leads : int, optional
        Pre-treatment event times -leads..-2 are reported as placebos (``placebo = leads - 1``;
        event time -1 is the reference). Default: as many as the data allow.
    lags : int, optional
        Event times 0..lags are reported (``effects = lags + 1``). Default: as many as the data
        allow.
    reference : int
        Must be -1 (the period before each group's first change, by construction).
    covariates : str or sequence of str, optional
        Time-varying controls (R's ``controls``: the outcome change is residualized on their
        changes in the not-yet-switched cells, by baseline treatment).
    cluster : str, optional
        One cluster column (constant within groups); default: the group.
    weights : str, optional
        Observation weights (R's ``weight``).
    conf_level : float
        Confidence level of the normal intervals.
    normalized : bool
        Divide each effect by the switchers' average cumulated treatment change (R's
        ``normalized``: effects per unit of treatment and period of exposure).
    same_switchers : bool
        Restrict every effect to the switchers observed at all horizons.
    effects_equal : bool
        Test that all effects are equal (``result.effects_equal``).
    switchers : {"", "in", "out"}
        Only switchers whose treatment rises ("in") or falls ("out"); "" both.
    only_never_switchers : bool
        Use only groups whose treatment never changes as controls.

    Returns
    -------
    DCDHResult
        One row per event time (terms ``Placebo_l`` and ``Effect_l``, with ``n_switchers`` and
        ``n_cells``); ``vcov`` the covariance of the estimates; ``pretrend`` the joint test of
        the placebos; ``overall`` the average total effect.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"g": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4], "t": [0, 1, 2] * 4,
    ...                    "d": [0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1],
    ...                    "y": [10., 13, 14, 10, 11, 9, 10, 11, 12, 10, 11, 12]})
    >>> res = dcdh(df, y="y", unit="g", time="t", treat="d", leads=0, lags=0)
    >>> res.tidy()[["term", "event_time", "estimate"]].values.tolist()
    [['Effect_1', 0, 2.5]]
    """
    if (treat is None) == (cohort is None):
        raise ValueError("dcdh needs exactly one of treat= (a treatment that may switch on and "
                         "off) or cohort= (first treated period of an absorbing treatment)")
    if reference != -1 or isinstance(reference, bool):
        raise ValueError(f"reference={reference!r}: dCDH compares every switcher with the period "
                         "before its first treatment change, so the reference is -1")
    leads, lags = _horizons(leads, "leads"), _horizons(lags, "lags")
    check_choice("switchers", switchers, get_args(Switchers))
    normalized = check_flag("normalized", normalized)
    same_switchers = check_flag("same_switchers", same_switchers)
    effects_equal = check_flag("effects_equal", effects_equal)
    only_never_switchers = check_flag("only_never_switchers", only_never_switchers)
    conf_level = check_conf_level(conf_level)
    leads, lags = check_window(leads=leads, lags=lags).values()
    if cluster is not None and not isinstance(cluster, str):
        raise ValueError(f"cluster={cluster!r}: dcdh takes one cluster column")
    panel = prepare_panel(data, y=y, unit=unit, time=time, treat=treat, cohort=cohort,
                          covariates=covariates, cluster=cluster, weights=weights,
                          absorbing=False)
    frame, names = _moderndid_frame(panel)
    _check_design(frame, treat or cohort)
    n_periods = len(panel.times)
    effects = n_periods - 1 if lags is None else lags + 1
    placebo = max(n_periods - 2, 0) if leads is None else max(leads - 1, 0)
    xformla = "~" + " + ".join(panel.covariates) if panel.covariates else "~1"
    fit, kept, messages = _fit_moderndid(
        frame, names, effects=effects, placebo=placebo, xformla=xformla, normalized=normalized,
        same_switchers=same_switchers, effects_equal=effects_equal, switchers=switchers,
        only_never_switchers=only_never_switchers, alpha=1 - conf_level)
    notes = [*panel.notes, *(f"did_multiplegt: {m}" for m in messages)]
    clusters = frame.groupby("g")["cl"].first() if "cluster" in names else None
    vcov_full = _influence_vcov(fit, kept, clusters)
    return _result(fit, panel, vcov_full, notes, conf_level, y)


def _check_design(frame: pd.DataFrame, treat: str) -> None:
    """At least one group must change its treatment, with a comparison group."""
    d = frame.pivot(index="g", columns="t", values="d")
    first = d.bfill(axis=1).iloc[:, 0]
    changed = d.ne(first, axis=0) & d.notna()
    if not changed.to_numpy().any():
        raise PanelError(f"treatment {treat!r} never changes within a unit: no switcher, "
                         "nothing to estimate")


def _result(fit, panel, full, notes, conf_level, y) -> DCDHResult:
    eff, pl = fit.effects, fit.placebos
    keep_e = np.isfinite(eff.estimates)
    rows = {"event_time": (eff.horizons[keep_e] - 1).astype(int),
            "term": [f"Effect_{int(h)}" for h in eff.horizons[keep_e]],
            "estimate": eff.estimates[keep_e], "std_error": eff.std_errors[keep_e],
            "n_switchers": eff.n_switchers[keep_e], "n_cells": eff.n_observations[keep_e]}
    keep_p = np.zeros(0, bool)
    if pl is not None:
        keep_p = np.isfinite(pl.estimates)
        lags_p = np.abs(pl.horizons[keep_p])
        rows = {"event_time": np.concatenate([-(lags_p[::-1] + 1).astype(int),
                                              rows["event_time"]]),
                "term": [f"Placebo_{int(h)}" for h in lags_p[::-1]] + rows["term"],
                **{k: np.concatenate([v[keep_p][::-1], rows[k]]) for k, v in (
                    ("estimate", pl.estimates), ("std_error", pl.std_errors),
                    ("n_switchers", pl.n_switchers), ("n_cells", pl.n_observations))}}
    if not len(rows["term"]):
        raise PanelError("dcdh estimated no effect: no switcher has a comparison group with "
                         "the same baseline treatment that has not switched yet")
    table = pd.DataFrame(rows)
    inf = t_inference(table["estimate"], table["std_error"], None, conf_level)
    for k, v in inf.items():
        table[k] = np.asarray(v)
    table = table[["event_time", *TIDY_COLUMNS, "n_switchers", "n_cells"]]
    vcov = pretrend = None
    n_all = len(eff.estimates) + (0 if pl is None else len(pl.estimates))
    if full is not None and full.shape[0] != n_all:
        full = None  # moderndid left out the influence function of an estimated horizon
        notes.append("vcov not available: moderndid's influence functions do not cover every "
                     "estimated horizon (no joint placebo test)")
    elif full is None:
        notes.append("vcov not available: moderndid returned no influence functions")
    if full is not None:
        # (effects, placebos) -> the table's order: placebos reversed, then effects
        n_e = len(eff.estimates)
        order = [n_e + i for i in np.flatnonzero(keep_p)[::-1]] + list(np.flatnonzero(keep_e))
        v = full[np.ix_(order, order)]
        events = table["event_time"].tolist()
        vcov = pd.DataFrame(v, index=events, columns=events)
        pre = (table["event_time"] < -1).to_numpy()
        v_pre = v[np.ix_(pre, pre)]
        if pre.any() and np.linalg.matrix_rank(v_pre) == pre.sum():
            pretrend = wald_test(table["estimate"].to_numpy()[pre], v_pre)
        elif pre.any():
            notes.append("no joint placebo test: the placebos' covariance is singular")
    equal = None
    if fit.effects_equal_test:
        t = fit.effects_equal_test
        equal = WaldTest(float(t["chi2_stat"]), int(t["df"]), float(t["p_value"]))
    ate = fit.ate
    overall = (Overall(float(ate.estimate), float(ate.std_error))
               if ate is not None and np.isfinite(ate.estimate) else None)
    cluster = panel.names.get("cluster")
    return DCDHResult(
        table=table, estimator="de Chaisemartin-D'Haultfoeuille (did_multiplegt_dyn)",
        outcome=y, n_obs=panel.n_obs, n_units=panel.n_units,
        vcov_type=(f"influence function, clustered by {cluster[0]}" if cluster
                   else f"influence function, clustered by {panel.names['unit']}"),
        small_sample="none (normal intervals, as did_multiplegt_dyn)",
        n_clusters=panel.n_clusters or (panel.n_units,), conf_level=conf_level,
        notes=(*notes, f"{fit.n_switchers} switchers, {fit.n_never_switchers} never-switchers"),
        reference=-1, pretrend=pretrend, overall=overall, vcov=vcov, effects_equal=equal,
    )
