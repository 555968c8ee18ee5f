"""Group-time average treatment effects ATT(g, t) (R ``did``'s ``att_gt`` / ``compute.att_gt``).

:func:`att_gt` estimates ATT(g, t), the average effect in period ``t`` on the units first treated
in period ``g``, by a 2x2 comparison (:mod:`econometrics.cs.drdid`) of the change in the outcome
from a base period to ``t`` between cohort ``g`` and a control group (never-treated units, or
not-yet-treated units). As in ``did`` for panel data:

* covariates enter each 2x2 model at their value in the earlier of the cell's two periods (the
  base period for post-treatment cells; ``did``'s ``panel2cs2``), so time-varying covariates are
  taken at the base period;
* ``weights`` are unit weights (constant within units) used by the 2x2 estimators and for the
  cohort shares of the aggregations;
* units already treated in the first period, net of ``anticipation``, are dropped with a
  warning (``did``: "Dropped n units that were already treated in the first period");
* the Wald pre-test of parallel trends (``did``'s ``W`` / ``Wpval``) uses the analytic covariance
  of the pre-treatment cells. By default these are the cells before anticipation begins
  (``t < g - anticipation``): the anticipation cells may carry a genuine effect, so a test of
  parallel trends should not include them. ``pretest_cells="before_treatment"`` takes every cell
  with ``t < g`` instead, as R ``did`` does (``pre <- which(group > tt)``, which ignores
  ``anticipation``); without anticipation the two coincide.

By default an unbalanced panel is balanced first (units not observed in every period are
dropped, with a warning). ``allow_unbalanced_panel=True`` keeps every observation and
``panel=False`` treats the rows as repeated cross-sections: both use DRDID's cross-section 2x2
estimators (:func:`group_time_effects_rc`), as ``did`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats

from econometrics._panel import (
    PanelError,
    check_choice,
    check_flag,
    check_seed,
    prepare_panel,
    warn_data,
)
from econometrics.cs.aggte import (
    AggregateResult,
    Aggregation,
    CsResult,
    aggregate_effects,
    effect_table,
)
from econometrics.cs.drdid import ESTIMATORS, RC_ESTIMATORS, Method, TwoByTwo
from econometrics.cs.mboot import (
    analytic_se,
    bands,
    cluster_sums,
    multiplier_bootstrap,
    rademacher_draws,
)
from econometrics.inference import warn_degenerate_se
from econometrics.results import Overall, WaldTest, check_conf_level

__all__ = ["AttGtResult", "BasePeriod", "Control", "GroupTimeEstimates", "PretestCells", "att_gt",
           "group_time_effects", "group_time_effects_rc", "pretest"]

Control = Literal["never", "notyet"]
BasePeriod = Literal["varying", "universal"]
#: Cells of the Wald pre-test: before anticipation begins (default) or before treatment (R did).
PretestCells = Literal["before_anticipation", "before_treatment"]


@dataclass(frozen=True)
class GroupTimeEstimates:
    """ATT(g, t) for every cohort g and period t, with the (n_units x cells) influence matrix.

    ``first_period`` / ``last_period``: the first period of the data and the last cell period
    (used by ``balance_e``).
    """

    cohorts: np.ndarray
    times: np.ndarray
    att: np.ndarray
    influence: np.ndarray
    first_period: float = np.nan
    last_period: float = np.nan


def _base_index(periods: np.ndarray, g: float, anticipation: int) -> int:
    """Index of the last period before treatment starts (net of anticipation)."""
    return int(np.flatnonzero(periods + anticipation < g)[-1])


def _checked_2x2(call, d, x, g, t) -> TwoByTwo:
    """Run one 2x2 estimator (``call()``); turn a singular design into an error naming the cell.

    ``d`` and ``x`` are the cell's treated indicator and covariates (one row per unit, or per
    observation for repeated cross-sections).
    """
    n_treat, n_cont = int(d.sum()), int(len(d) - d.sum())
    k = x.shape[1]
    if n_cont == 0:
        raise PanelError(f"no control units for cohort {g:g} in period {t:g}")
    if k > 1 and min(n_treat, n_cont) <= k:
        raise PanelError(
            f"too few units for the covariate models in cohort {g:g}, period {t:g}: "
            f"{n_treat} treated and {n_cont} control units for {k} parameters (intercept and "
            f"{k - 1} covariates); use fewer covariates or larger cohorts"
        )
    if k > 1 and np.linalg.matrix_rank(x) < k:
        raise PanelError(
            f"collinear covariates within cohort {g:g} and its controls in period {t:g} "
            "(singular design); drop or combine covariates"
        )
    try:
        return call()
    except np.linalg.LinAlgError as exc:
        raise PanelError(
            f"collinear covariates within cohort {g:g} / its controls in period {t:g} (singular "
            "design); drop or combine covariates"
        ) from exc


def _cells(periods: np.ndarray, cohorts: np.ndarray, *, base_period: BasePeriod,
           anticipation: int):
    """Yield the cells of ``did``'s compute.att_gt: (g, current, base, last) period indices.

    ``last`` is the period that defines not-yet-treated controls (the later of the current and
    base periods); ``base == current`` is the universal base period's reference cell.
    """
    shift = 1 if base_period == "varying" else 0
    for g in cohorts:
        for ti in range(len(periods) - shift):
            cur = ti + shift
            base = ti if base_period == "varying" else _base_index(periods, g, anticipation)
            if g <= periods[cur]:
                base = _base_index(periods, g, anticipation)
            yield g, cur, base, periods[max(ti, base) + shift]


def _controls(cohort: np.ndarray, g: float, last: float, control: Control,
              anticipation: int) -> np.ndarray:
    """Comparison units of cohort g: never treated, or also not yet treated by ``last``."""
    ctrl = cohort == 0
    if control == "notyet":
        ctrl = ctrl | ((cohort > last + anticipation) & (cohort != g))
    return ctrl


def group_time_effects(
    y: np.ndarray,
    unit_cohort: np.ndarray,
    x: np.ndarray,
    periods: np.ndarray,
    cohorts: np.ndarray,
    *,
    control: Control,
    method: Method,
    anticipation: int,
    base_period: BasePeriod,
    weights: np.ndarray | None = None,
) -> GroupTimeEstimates:
    """All ATT(g, t) of a balanced panel (``y``: units x periods), as ``did``'s compute.att_gt.

    Parameters
    ----------
    y : numpy.ndarray
        Outcomes, one row per unit, one column per period (``periods``, sorted).
    unit_cohort : numpy.ndarray
        First treated period of each unit, 0 for the comparison-only units.
    x : numpy.ndarray
        Covariates with a leading column of ones: units x k (time-invariant) or
        units x periods x k (each cell uses the earlier of its two periods).
    periods, cohorts : numpy.ndarray
        Sorted periods and the cohorts to estimate effects for.
    control, method, anticipation, base_period
        As in :func:`att_gt`.
    weights : numpy.ndarray, optional
        Unit weights; default equal weights.

    Returns
    -------
    GroupTimeEstimates
        One cell per cohort and period (except the first period under a varying base).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([[0.0, 1, 3], [0, 1, 1], [0, 0, 0], [0, 0, 0]])
    >>> r = group_time_effects(y, np.array([3.0, 3, 0, 0]), np.ones((4, 1)),
    ...                        np.array([1, 2, 3]), np.array([3.0]), control="never",
    ...                        method="reg", anticipation=0, base_period="varying")
    >>> r.att.tolist()
    [1.0, 1.0]
    """
    n = y.shape[0]
    w = np.ones(n) if weights is None else weights
    xs = x if x.ndim == 3 else np.repeat(x[:, None, :], len(periods), axis=1)
    estimator = ESTIMATORS[method]

    def fit_cell(g, cur, base, last):
        treated = unit_cohort == g
        cell = treated | _controls(unit_cohort, g, last, control, anticipation)
        args = (y[cell, cur] - y[cell, base], treated[cell].astype(float),
                xs[cell, min(base, cur)], w[cell])
        fit = _checked_2x2(partial(estimator, *args), args[1], args[2], g, periods[cur])
        psi = np.zeros(n)
        psi[cell] = fit.influence * (n / cell.sum())
        return fit.att, psi

    return _all_cells(periods, cohorts, n, fit_cell, base_period=base_period,
                      anticipation=anticipation)


def _all_cells(periods, cohorts, n, fit_cell, *, base_period, anticipation
               ) -> GroupTimeEstimates:
    """Run ``fit_cell(g, current, base, last) -> (att, influence)`` on every cell of _cells."""
    cells_g, cells_t, atts, columns = [], [], [], []
    for g, cur, base, last in _cells(periods, cohorts, base_period=base_period,
                                     anticipation=anticipation):
        # universal base period: the reference cell is 0 by construction
        att, psi = (0.0, np.zeros(n)) if base == cur else fit_cell(g, cur, base, last)
        cells_g.append(g)
        cells_t.append(periods[cur])
        atts.append(float(att))
        columns.append(psi)
    times = np.asarray(cells_t, float)
    return GroupTimeEstimates(np.asarray(cells_g, float), times, np.asarray(atts),
                              np.column_stack(columns), float(periods[0]), float(times.max()))


def group_time_effects_rc(
    y: np.ndarray,
    time: np.ndarray,
    ids: np.ndarray,
    id_cohort: np.ndarray,
    x: np.ndarray,
    periods: np.ndarray,
    cohorts: np.ndarray,
    *,
    control: Control,
    method: Method,
    anticipation: int,
    base_period: BasePeriod,
    weights: np.ndarray | None = None,
) -> GroupTimeEstimates:
    """All ATT(g, t) from observations in long form: repeated cross-sections or an unbalanced panel.

    As ``did`` with ``panel = FALSE`` or ``allow_unbalanced_panel = TRUE``: each cell stacks
    the observations of cohort g and its controls in the base and current periods and runs
    DRDID's repeated cross-section estimator (each row with its own covariates); the influence
    function (scaled by n / rows in the cell) is summed by ``ids`` (the unit of an unbalanced
    panel, the row of a cross-section).

    Parameters
    ----------
    y, time, ids : numpy.ndarray
        Outcome, period and influence row (0..n-1) of each observation.
    id_cohort : numpy.ndarray
        Cohort of each influence row (n,).
    x : numpy.ndarray
        Covariates with a leading column of ones, one row per observation.
    periods, cohorts, control, method, anticipation, base_period
        As in :func:`group_time_effects`.
    weights : numpy.ndarray, optional
        Observation weights; default equal weights.

    Returns
    -------
    GroupTimeEstimates

    Examples
    --------
    >>> import numpy as np
    >>> r = group_time_effects_rc(np.array([1.0, 4, 0, 1]), np.array([1, 2, 1, 2]),
    ...     np.arange(4), np.array([2.0, 2, 0, 0]), np.ones((4, 1)), np.array([1, 2]),
    ...     np.array([2.0]), control="never", method="reg", anticipation=0,
    ...     base_period="varying")
    >>> r.att.tolist()
    [2.0]
    """
    n = len(id_cohort)
    w = np.ones(len(y)) if weights is None else weights
    cohort = id_cohort[ids]
    estimator = RC_ESTIMATORS[method]

    def fit_cell(g, cur, base, last):
        treated = cohort == g
        rows = ((treated | _controls(cohort, g, last, control, anticipation))
                & np.isin(time, (periods[cur], periods[base])))
        post, d = (time[rows] == periods[cur]).astype(float), treated[rows].astype(float)
        for who, in_group in (("cohort", d == 1), ("control", d == 0)):
            for when, in_period in ((periods[cur], post == 1), (periods[base], post == 0)):
                if not np.any(in_group & in_period):
                    raise PanelError(f"no {who} observations for cohort {g:g} in period "
                                     f"{when:g} (the 2x2 cell of period {periods[cur]:g})")
        args = (y[rows], post, d, x[rows], w[rows])
        fit = _checked_2x2(partial(estimator, *args), d, x[rows], g, periods[cur])
        return fit.att, np.bincount(ids[rows], weights=fit.influence * (n / rows.sum()),
                                    minlength=n)

    return _all_cells(periods, cohorts, n, fit_cell, base_period=base_period,
                      anticipation=anticipation)


def pretest(gt: GroupTimeEstimates, clusters: np.ndarray | None, anticipation: int,
            cells: PretestCells = "before_anticipation") -> WaldTest | None:
    """Wald pre-test that all pre-treatment ATT(g, t) are zero (``did``'s ``W``, ``Wpval``).

    Uses the analytic covariance of the cells with ``t < g - anticipation``
    (``cells="before_anticipation"``) or ``t < g`` (``"before_treatment"``, R ``did``'s choice);
    cells with zero variance, e.g. the universal base period, are left out. Chi-squared with as
    many degrees of freedom as cells; None when there is no pre-treatment cell.

    Examples
    --------
    >>> import numpy as np
    >>> gt = GroupTimeEstimates(np.array([3.0, 3.0]), np.array([2.0, 3.0]), np.array([0.1, 1.0]),
    ...                         np.random.default_rng(0).normal(size=(50, 2)))
    >>> pretest(gt, None, 0).df
    1
    """
    psi = cluster_sums(gt.influence, clusters)
    n = gt.influence.shape[0]
    vcov = psi.T @ psi / n**2
    check_choice("pretest_cells", cells, get_args(PretestCells))
    lead = anticipation if cells == "before_anticipation" else 0
    pre = np.flatnonzero((gt.times < gt.cohorts - lead) & (np.diag(vcov) > 0))
    if len(pre) == 0:
        return None
    v = vcov[np.ix_(pre, pre)]
    if 1.0 / np.linalg.cond(v, p=1) <= np.finfo(float).eps:
        warn_data("the Wald pre-test is not reported: the covariance of the pre-treatment "
                  "ATT(g, t) is singular")
        return None
    b = gt.att[pre]
    w = float(b @ np.linalg.solve(v, b))
    return WaldTest(statistic=w, df=len(pre), p_value=float(stats.chi2.sf(w, len(pre))))


@dataclass(frozen=True, eq=False, kw_only=True)
class AttGtResult(CsResult):
    """Group-time average treatment effects from :func:`att_gt`.

    ``tidy()`` columns: cohort, time, estimate, std_error, statistic, p_value, conf_low,
    conf_high. ``aggregate(kind)`` returns an :class:`~econometrics.cs.aggte.AggregateResult`;
    ``pretrend`` is the Wald pre-test of parallel trends (chi-squared), None without
    pre-treatment cells.
    """

    estimates: GroupTimeEstimates
    unit_cohort: np.ndarray
    clusters: np.ndarray | None
    seed: np.random.SeedSequence
    weights: np.ndarray | None = None
    pretrend: WaldTest | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def _title(self) -> str:
        return "Callaway-Sant'Anna group-time ATT"

    def _footer(self) -> list[str]:
        lines = super()._footer()
        if self.pretrend is not None:
            p = self.pretrend
            lines.insert(2, f"Wald pre-test (all pre-treatment ATT(g,t) = 0): chi2({p.df}) = "
                            f"{p.statistic:.4f}, p = {p.p_value:.4f}")
        return lines

    def _draws(self) -> np.ndarray:
        """Return the multiplier draws (the same for every aggregation of this fit)."""
        if "draws" not in self._cache:
            m = self.unit_cohort.size if self.clusters is None else int(self.clusters.max()) + 1
            self._cache["draws"] = rademacher_draws(self.seed, self.bootstrap, m)
        return self._cache["draws"]

    def _inference(self, att: np.ndarray, influence: np.ndarray):
        se = analytic_se(influence, self.clusters)
        boot = None
        if self.bootstrap:
            boot = multiplier_bootstrap(influence, self._draws(), alpha=1 - self.conf_level,
                                        clusters=self.clusters)
        return se, bands(att, se, boot, 1 - self.conf_level, cband=self.cband)

    def vcov_of(self, influence: np.ndarray) -> np.ndarray:
        """Analytic covariance of estimates with the given influence functions (units x m)."""
        psi = cluster_sums(influence, self.clusters)
        return psi.T @ psi / influence.shape[0] ** 2

    def aggregate(self, kind: Aggregation = "group", *, balance_e: int | None = None,
                  min_e: float = -np.inf, max_e: float = np.inf) -> AggregateResult:
        """Aggregate the group-time effects.

        Parameters
        ----------
        kind : {"simple", "dynamic", "group", "calendar"}
            ``"simple"``: cohort-size weighted average of all post-treatment cells;
            ``"dynamic"``: by event time ``t - g`` (overall: mean over event times >= 0);
            ``"group"``: by cohort (overall: cohort-size weighted);
            ``"calendar"``: by period (overall: mean over periods).
        balance_e : int, optional
            (dynamic) Keep only cohorts observed at least ``balance_e`` periods after
            treatment, and event times up to ``balance_e`` (``aggte``'s ``balance_e``).
        min_e, max_e : float
            Event times kept (``aggte``'s ``min_e`` / ``max_e``).

        Returns
        -------
        AggregateResult

        Examples
        --------
        >>> from econometrics.simulate import simulate_panel
        >>> df = simulate_panel(n_units=200, n_periods=6, cohorts=(3, 5), effect=1.0,
        ...                     sigma=0.1, seed=1)
        >>> res = att_gt(df, y="y", unit="unit", time="time", cohort="cohort", bootstrap=0)
        >>> list(res.aggregate("dynamic").tidy().columns)[:3]
        ['event_time', 'estimate', 'std_error']
        """
        check_choice("kind", kind, get_args(Aggregation))
        if balance_e is not None and not (isinstance(balance_e, int | np.integer)
                                          and not isinstance(balance_e, bool)
                                          and balance_e >= 0):
            raise ValueError(f"balance_e={balance_e!r} must be a non-negative integer or None")
        if balance_e is not None and kind != "dynamic":
            raise ValueError(f"balance_e={balance_e!r} applies to the dynamic aggregation only "
                             f"(kind='dynamic'), not kind={kind!r}")
        for name, v in (("min_e", min_e), ("max_e", max_e)):
            if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
                raise ValueError(f"{name}={v!r} must be a number (an event time)")
        agg = aggregate_effects(self.estimates, self.unit_cohort, kind, weights=self.weights,
                                balance_e=balance_e, min_e=min_e, max_e=max_e)
        se, (lo, hi) = self._inference(agg.att, agg.influence)
        first = _FIRST_COLUMN[kind]
        labels = agg.labels if kind == "simple" else agg.labels.astype(int)
        table = effect_table({first: labels}, agg.att, se, lo, hi)
        overall_se = float(analytic_se(agg.overall_influence[:, None], self.clusters)[0])
        vcov = pd.DataFrame(self.vcov_of(agg.influence), index=labels, columns=labels)
        pretrend = None
        if kind == "dynamic" and np.any(labels < 0):
            pre = labels < 0
            pretrend = WaldTest(*_chi2(agg.att[pre], vcov.to_numpy()[np.ix_(pre, pre)]))
        return AggregateResult(
            table=table, outcome=self.outcome, n_units=self.n_units, n_obs=self.n_obs,
            control=self.control, method=self.method, conf_level=self.conf_level,
            bootstrap=self.bootstrap, cband=self.cband, n_clusters=self.n_clusters,
            notes=self.notes, kind=kind, overall=Overall(agg.overall_att, overall_se),
            vcov=vcov, pretrend=pretrend)

    def plot(self, ax=None, **kwargs):
        """ATT(g, t) against time, one line per cohort, with bands; returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        t = self.table
        for c, part in t.groupby("cohort"):
            est = part["estimate"]
            line = ax.errorbar(part["time"], est,
                               yerr=[est - part["conf_low"], part["conf_high"] - est],
                               fmt="o-", capsize=2, label=f"cohort {c:g}", **kwargs)
            ax.axvline(c, color=line[0].get_color(), linestyle=":", linewidth=1)
        ax.axhline(0.0, color="grey", linestyle="--", linewidth=1)
        ax.set_xlabel("time")
        ax.set_ylabel(f"ATT(g, t) on {self.outcome}")
        ax.set_title(self._title())
        ax.legend(fontsize="small")
        return ax


_FIRST_COLUMN = {"simple": "aggregation", "dynamic": "event_time", "group": "cohort",
                 "calendar": "time"}


def _chi2(b: np.ndarray, v: np.ndarray) -> tuple[float, int, float]:
    """Chi-squared Wald statistic, degrees of freedom and p-value of H0: b = 0."""
    w = float(b @ np.linalg.lstsq(v, b, rcond=None)[0])
    return w, len(b), float(stats.chi2.sf(w, len(b)))


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def _fixed_within_units(values: np.ndarray, n: int, n_periods: int, role: str, name: str
                        ) -> np.ndarray:
    """Per-unit values of a column that must not vary within units (cluster, weights)."""
    wide = values.reshape(n, n_periods)
    if np.any(wide != wide[:, :1]):
        raise PanelError(f"{role} column {name!r} varies within units; it must be fixed for "
                         "each unit in att_gt")
    return wide[:, 0]


def _wide_panel(data, *, y, unit, time, cohort, covariates, cluster, weights):
    """Prepare, balance and reshape the panel: arrays per unit (rows) and period (columns)."""
    panel = prepare_panel(data, y=y, unit=unit, time=time, cohort=cohort, require="cohort",
                          covariates=covariates, cluster=cluster, weights=weights)
    frame, notes = panel.frame, list(panel.notes)
    periods = np.asarray(panel.times)
    if not panel.balanced:
        full = frame.groupby("_unit", sort=False)["_time"].transform("size") == len(periods)
        dropped = panel.n_units - frame.loc[full, "_unit"].nunique()
        frame = frame.loc[full].reset_index(drop=True)
        notes.append(f"balanced the panel: dropped {dropped} units not observed in every period")
        missing = [n for n in notes if n.startswith("dropped") and "missing values" in n]
        why = f" (after it {missing[0]})" if missing else ""
        warn_data(f"att_gt balanced the panel: dropped {dropped} units not observed in every "
                  f"period{why}; allow_unbalanced_panel=True keeps them")
        if frame.empty:
            raise PanelError("no unit is observed in every period")
    n_periods = len(periods)
    n = len(frame) // n_periods
    ymat = frame["_y"].to_numpy().reshape(n, n_periods)
    unit_cohort = frame["_cohort"].to_numpy()[::n_periods].copy()
    x = np.ones((n, n_periods, 1 + len(covariates)))
    for j, c in enumerate(covariates):
        x[:, :, j + 1] = frame[c].to_numpy().reshape(n, n_periods)
    clusters = w = None
    if cluster is not None:
        codes = _fixed_within_units(frame["_cluster0"].to_numpy(), n, n_periods, "cluster",
                                    cluster)
        clusters = pd.factorize(codes, sort=True)[0]
    if weights is not None:
        w = _fixed_within_units(frame["_weight"].to_numpy(), n, n_periods, "weights", weights)
        w = w / w.mean()
    return panel, ymat, unit_cohort, x, clusters, w, periods, notes, len(frame)


def _per_id(values: np.ndarray, ids: np.ndarray, n: int, role: str, name: str) -> np.ndarray:
    """Per-unit values of a column that must be fixed within units (cluster, weights)."""
    first = np.full(n, np.nan)
    first[ids[::-1]] = values[::-1]  # the first row of each unit wins
    if np.any(values != first[ids]):
        raise PanelError(f"{role} column {name!r} varies within units; it must be fixed for "
                         "each unit in att_gt")
    return first


def _long_panel(data, *, y, unit, time, cohort, covariates, cluster, weights, panel):
    """Prepare observations in long form: repeated cross-sections or an unbalanced panel.

    Returns the Panel, row arrays (outcome, period, influence id, covariates with ones,
    weights) and per-id arrays (cohort, clusters, weights).
    """
    prepared = prepare_panel(data, y=y, unit=unit, time=time, cohort=cohort, require="cohort",
                             covariates=covariates, cluster=cluster, weights=weights)
    f = prepared.frame
    if panel:
        ids = pd.factorize(f["_unit"], sort=True)[0]
    else:
        if f["_unit"].duplicated().any():
            raise PanelError(f"unit column {unit!r} repeats across periods, but panel=False "
                             "treats every row as a separate observation (repeated "
                             "cross-sections); use panel=True (with allow_unbalanced_panel=True "
                             "if units are missing in some periods), or a row identifier")
        ids = np.arange(len(f))
    n = int(ids.max()) + 1
    id_cohort = _per_id(f["_cohort"].to_numpy(), ids, n, "cohort", cohort)
    x = np.column_stack([np.ones(len(f)), *(f[c].to_numpy() for c in covariates)])
    clusters = w_id = w_rows = None
    if cluster is not None:
        clusters = pd.factorize(_per_id(f["_cluster0"].to_numpy().astype(float), ids, n,
                                        "cluster", cluster), sort=True)[0]
    if weights is not None:
        w_rows = f["_weight"].to_numpy()
        w_id = _per_id(w_rows, ids, n, "weights", weights)
    return (prepared, f["_y"].to_numpy(), f["_time"].to_numpy(), ids, x, w_rows, id_cohort,
            clusters, w_id)


def _select_cohorts(unit_cohort, periods, *, control, anticipation, notes):
    """Cohorts to estimate and units to keep; recode late cohorts (``did``'s pre_process_did)."""
    late = unit_cohort > periods[-1] + anticipation
    if late.any():
        notes.append(f"cohorts {sorted(set(unit_cohort[late].tolist()))} are first treated "
                     "after the last period: used as never treated")
        unit_cohort[late] = 0.0
    early = (unit_cohort > 0) & (unit_cohort <= periods[0] + anticipation)
    keep_units = ~early
    if early.any():
        what = (f"dropped {int(early.sum())} units of cohorts "
                f"{sorted(set(unit_cohort[early].astype(int).tolist()))} already treated in the "
                f"first period {periods[0]}"
                + (f" (net of anticipation={anticipation})" if anticipation else "")
                + ": they have no pre-treatment period (as R did)")
        notes.append(what)
        warn_data(what)
    unit_cohort = unit_cohort[keep_units]
    keep_periods = np.ones(len(periods), bool)
    cohorts = np.unique(unit_cohort[unit_cohort > 0])
    if not (unit_cohort == 0).any():
        if control == "never":
            raise PanelError(
                "no never-treated units (cohort 0, NaN or inf) for control='never'; use "
                "control='notyet' to compare with not-yet-treated units"
            )
        if len(cohorts) == 0:
            raise PanelError("no treated cohort to estimate effects for")
        last = cohorts[-1]
        keep_periods = periods < last - anticipation
        cohorts = cohorts[:-1]
        notes.append(f"no never-treated units: cohort {last:g} serves only as a control and "
                     f"periods from {last - anticipation:g} on are dropped")
    if len(cohorts) == 0:
        raise PanelError("no treated cohort to estimate effects for (every unit is never "
                         "treated, or treated in the first period)")
    return cohorts, keep_units, keep_periods


def _is_balanced(data, unit: str, time: str) -> bool:
    """Whether every unit is observed in every period (rows with a missing outcome included)."""
    from econometrics._panel import as_pandas

    df = as_pandas(data)
    if unit not in df.columns or time not in df.columns:
        return True  # prepare_panel names the missing column
    return len(df) == df[unit].nunique() * df[time].nunique()


def _fit_wide(cols: dict, options: dict):
    """ATT(g, t) of a balanced panel (the default path)."""
    panel, ymat, unit_cohort, x, clusters, w, periods, notes, n_obs = _wide_panel(**cols)
    cohorts, keep_units, keep = _select_cohorts(unit_cohort, periods, notes=notes,
                                                control=options["control"],
                                                anticipation=options["anticipation"])
    if not keep_units.all():
        ymat, x = ymat[keep_units], x[keep_units]
        unit_cohort = unit_cohort[keep_units]
        n_obs = int(keep_units.sum()) * len(periods)
        if clusters is not None:
            clusters = pd.factorize(clusters[keep_units], sort=True)[0]
        if w is not None:
            w = w[keep_units] / w[keep_units].mean()
    _check_rank(x[:, keep].reshape(-1, x.shape[2]), cols["covariates"])
    gt = group_time_effects(ymat[:, keep], unit_cohort, x[:, keep], periods[keep], cohorts,
                            weights=w, **options)
    return gt, unit_cohort, clusters, w, notes, n_obs


def _fit_long(cols: dict, panel: bool, options: dict):
    """ATT(g, t) from observations in long form (repeated cross-sections, unbalanced panel)."""
    prepared, yv, tv, ids, x, w_rows, id_cohort, clusters, w_id = _long_panel(**cols,
                                                                               panel=panel)
    notes = list(prepared.notes)
    notes.append("repeated cross-sections: DRDID's cross-section 2x2 estimators" if not panel
                 else "unbalanced panel kept (allow_unbalanced_panel=True): DRDID's "
                 "cross-section 2x2 estimators, influence functions summed by unit")
    periods = np.asarray(prepared.times)
    cohorts, keep_ids, keep_periods = _select_cohorts(id_cohort, periods, notes=notes,
                                                      control=options["control"],
                                                      anticipation=options["anticipation"])
    rows = keep_ids[ids] & np.isin(tv, periods[keep_periods])
    new_id = np.cumsum(keep_ids) - 1
    ids, id_cohort = new_id[ids[rows]], id_cohort[keep_ids]
    if clusters is not None:
        clusters = pd.factorize(clusters[keep_ids], sort=True)[0]
    w_row = None
    if w_id is not None:
        w_id = w_id[keep_ids]
        scale = w_id.mean()
        w_id, w_row = w_id / scale, w_rows[rows] / scale
    _check_rank(x[rows], cols["covariates"])
    gt = group_time_effects_rc(yv[rows], tv[rows], ids, id_cohort, x[rows],
                               periods[keep_periods], cohorts, weights=w_row, **options)
    return gt, id_cohort, clusters, w_id, notes, int(rows.sum())


def _check_rank(flat: np.ndarray, covariates) -> None:
    if np.linalg.matrix_rank(flat) < flat.shape[1]:
        raise PanelError(f"collinear covariates {covariates} (with the intercept): the "
                         "covariate matrix does not have full column rank; drop one")


def _one_cluster(cluster, unit):
    """Return the one cluster column of ``did``'s ``clustervars`` (a list: the unit and one)."""
    if cluster is None or isinstance(cluster, str):
        return cluster
    cols = list(cluster) if isinstance(cluster, list | tuple) else [cluster]
    others = [c for c in cols if c != unit]
    if not cols or len(cols) > 2 or len(others) > 1 or len(set(cols)) < len(cols):
        raise ValueError(f"cluster={cluster!r}: att_gt clusters by one column besides the unit "
                         f"(as did's clustervars: at most two, one of them the unit {unit!r}), "
                         "e.g. cluster='state' or cluster=[unit, 'state']")
    return others[0] if others else unit


def _check_options(*, control, method, base_period, anticipation, bootstrap, cband):
    check_choice("control", control, get_args(Control))
    check_choice("method", method, get_args(Method))
    check_choice("base_period", base_period, get_args(BasePeriod))
    if isinstance(anticipation, bool) or not (isinstance(anticipation, int | np.integer)
                                              and anticipation >= 0):
        raise ValueError(f"anticipation={anticipation!r} must be a non-negative integer")
    if isinstance(bootstrap, bool) or not (isinstance(bootstrap, int | np.integer)
                                           and (bootstrap == 0 or bootstrap >= 2)):
        raise ValueError(f"bootstrap={bootstrap!r} must be a non-negative number of draws "
                         "(e.g. 999; at least 2, one draw has no spread), or 0 for analytic "
                         "pointwise intervals")
    check_flag("cband", cband)


def att_gt(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    cohort: str,
    control: Control = "never",
    method: Method = "dr",
    covariates: list[str] | tuple[str, ...] | str | None = None,
    weights: str | None = None,
    anticipation: int = 0,
    base_period: BasePeriod = "varying",
    bootstrap: int = 999,
    cband: bool = True,
    conf_level: float = 0.95,
    alpha: float | None = None,
    seed: int | np.random.SeedSequence | None = None,
    cluster: str | None = None,
    panel: bool = True,
    allow_unbalanced_panel: bool = False,
    pretest_cells: PretestCells = "before_anticipation",
) -> AttGtResult:
    """Callaway-Sant'Anna group-time average treatment effects ATT(g, t).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period (never modified).
    y, unit, time, cohort : str
        Outcome, unit, integer period and first-treated-period columns (never treated: 0,
        NaN or inf).
    control : {"never", "notyet"}
        Comparison units: never treated, or never and not yet treated (by the later of the
        current and base period, net of anticipation).
    method : {"reg", "ipw", "dr"}
        2x2 estimator: outcome regression, normalized inverse probability weighting or doubly
        robust. Identical without covariates.
    covariates : str or list of str, optional
        Controls for the 2x2 models, taken at the earlier period of each cell (the base
        period for post-treatment cells), as R ``did``'s ``xformla``.
    weights : str, optional
        Unit weights (constant within units), as ``did``'s ``weightsname``.
    anticipation : int
        Periods before treatment in which units may already react. Units treated in the first
        period net of anticipation are dropped with a warning.
    base_period : {"varying", "universal"}
        Pre-treatment cells compare consecutive periods ("varying"), or all cells compare with
        the period before treatment ("universal", that cell is 0).
    bootstrap : int
        Multiplier bootstrap draws for the bands; 0 for analytic pointwise intervals.
    cband : bool
        With the bootstrap: simultaneous (sup-t) bands (True) or pointwise intervals with
        bootstrap standard errors (False), as ``did``'s ``cband``.
    conf_level : float
        Coverage of the intervals / bands (``did``'s ``1 - alp``).
    alpha : float, optional
        Deprecated (DeprecationWarning): one minus the coverage; use ``conf_level``.
    seed : int or numpy.random.SeedSequence, optional
        Seed of the bootstrap draws.
    cluster : str, optional
        Cluster column (fixed within units) for the standard errors and the bootstrap. As
        ``did``'s ``clustervars``, a list of two columns must include ``unit`` (the standard
        errors are always clustered at least by unit): ``["unit", "state"]`` clusters by state.
    panel : bool
        True: panel data (``unit`` observed over time). False: repeated cross-sections, every
        row a separate observation (``unit`` then identifies rows and may not repeat), with
        DRDID's cross-section estimators, as ``did``'s ``panel = FALSE``.
    allow_unbalanced_panel : bool
        With an unbalanced panel: False (default) balances it first (units not observed in
        every period are dropped, with a warning); True keeps every observation and uses the
        cross-section estimators with the influence function summed by unit, as ``did``'s
        ``allow_unbalanced_panel = TRUE``. A balanced panel is estimated as a panel either way.
    pretest_cells : {"before_anticipation", "before_treatment"}
        Cells of the Wald pre-test ``pretrend``: ``t < g - anticipation`` (default: the
        anticipation cells may hold a real effect, so they are no test of parallel trends) or
        ``t < g`` (R ``did``, whose pre-test ignores ``anticipation``; gives R's ``W``). Equal
        when ``anticipation=0``.

    Returns
    -------
    AttGtResult
        ``tidy()`` columns cohort, time, estimate, std_error, statistic, p_value, conf_low,
        conf_high; ``aggregate(kind)``; ``pretrend`` (the Wald pre-test).

    Raises
    ------
    econometrics._panel.PanelError
        No never-treated units with ``control="never"``, no treated cohort, too few units for
        the covariate models, collinear covariates, or a malformed panel.

    Examples
    --------
    >>> from econometrics.simulate import simulate_panel
    >>> df = simulate_panel(n_units=200, n_periods=6, cohorts=(3, 5), effect=1.0,
    ...                     sigma=0.1, seed=1)
    >>> res = att_gt(df, y="y", unit="unit", time="time", cohort="cohort", seed=1)
    >>> list(res.tidy().columns)[:4]
    ['cohort', 'time', 'estimate', 'std_error']
    >>> round(res.aggregate("simple").overall.estimate, 1)
    1.0
    """
    conf_level = check_conf_level(conf_level, alpha)
    cluster = _one_cluster(cluster, unit)
    _check_options(control=control, method=method, base_period=base_period,
                   anticipation=anticipation, bootstrap=bootstrap, cband=cband)
    cband = check_flag("cband", cband)
    panel = check_flag("panel", panel)
    allow_unbalanced_panel = check_flag("allow_unbalanced_panel", allow_unbalanced_panel)
    covariates = [] if covariates is None else (
        [covariates] if isinstance(covariates, str) else list(covariates))
    cols = dict(data=data, y=y, unit=unit, time=time, cohort=cohort, covariates=covariates,
                cluster=cluster, weights=weights)
    long_form = not panel or (allow_unbalanced_panel and not _is_balanced(data, unit, time))
    options = dict(control=control, method=method, anticipation=anticipation,
                   base_period=base_period)
    if long_form:
        gt, unit_cohort, clusters, w, notes, n_obs = _fit_long(cols, panel, options)
    else:
        gt, unit_cohort, clusters, w, notes, n_obs = _fit_wide(cols, options)
    seed = check_seed(seed)
    seed_seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    n_clusters = () if clusters is None else (int(clusters.max()) + 1,)
    result = AttGtResult(
        table=pd.DataFrame(), outcome=y, n_units=len(unit_cohort), n_obs=n_obs, control=control,
        method=method, conf_level=conf_level, bootstrap=int(bootstrap), cband=cband,
        n_clusters=n_clusters, notes=tuple(notes), estimates=gt, unit_cohort=unit_cohort,
        clusters=clusters, seed=seed_seq, weights=w,
        pretrend=pretest(gt, clusters, anticipation, pretest_cells))
    se, (lo, hi) = result._inference(gt.att, gt.influence)
    warn_degenerate_se(gt.att, se)
    table = effect_table({"cohort": gt.cohorts.astype(int), "time": gt.times.astype(int)},
                         gt.att, se, lo, hi)
    object.__setattr__(result, "table", table)
    return result

