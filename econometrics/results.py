"""Result objects of the DiD estimators.

Every result has ``.tidy()`` (a DataFrame; the accessors ``coef()``, ``se()``, ``pvalue()`` and
``confint()`` derive from it), ``.summary(latex=False)`` (a text table with the observations,
clusters, the standard errors' small-sample correction and the notes, or the same as a LaTeX
``tabular``), ``.plot(ax=None)`` (returns the matplotlib Axes) and ``.notes`` (facts about the data
and the fit, e.g. an unbalanced panel).

* :class:`StaticResult` -- one or a few coefficients (``twfe``); ``.fit`` is None (the fast
  least-squares path keeps no library object); ``.to_linearmodels()`` / ``.to_statsmodels()``
  refit the same regression in those libraries.
* :class:`EventStudyResult` -- coefficients indexed by event time, a joint pre-trend test
  ``.pretrend`` and an ``.overall`` summary effect (filled by estimators that define one).
* :class:`BaconResult` -- the Goodman-Bacon decomposition, one row per 2x2 comparison.

The estimator-specific classes are thin: an estimator builds the tidy table with the columns of
:data:`TIDY_COLUMNS` (plus ``event_time`` for event studies) and passes it with the facts.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "TIDY_COLUMNS",
    "BaconResult",
    "ResultBase",
    "check_conf_level",
    "EstimationResult",
    "EventStudyResult",
    "Overall",
    "StaticResult",
    "SyntheticResult",
    "TidyFrame",
    "WaldTest",
]

TIDY_COLUMNS = ("term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high")


class WaldTest(NamedTuple):
    """A joint Wald test (e.g. all pre-period coefficients are zero).

    ``statistic`` is the F form W / df when ``df_denom`` is given (p-value from F(df, df_denom),
    as Stata's ``test`` after a clustered regression with df_denom = clusters - 1), otherwise the
    chi-squared form W with ``df`` degrees of freedom.
    """

    statistic: float
    df: int
    p_value: float
    df_denom: float | None = None


class Overall(NamedTuple):
    """A single summary effect (e.g. the average post-treatment ATT) and its standard error.

    ``att`` and ``se`` are deprecated aliases of ``estimate`` and ``std_error`` (kept for one
    release; they emit a FutureWarning).

    Examples
    --------
    >>> Overall(0.5, 0.1).estimate
    0.5
    """

    estimate: float
    std_error: float

    @property
    def att(self) -> float:
        """Deprecated alias of ``estimate``."""
        _deprecated("Overall.att", "Overall.estimate")
        return self.estimate

    @property
    def se(self) -> float:
        """Deprecated alias of ``std_error``."""
        _deprecated("Overall.se", "Overall.std_error")
        return self.std_error


#: Old column names of the Callaway-Sant'Anna tables -> the shared convention.
DEPRECATED_COLUMNS = {"att": "estimate", "se": "std_error"}


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"{old} is deprecated and will be removed in the next release; use {new}",
                  FutureWarning, stacklevel=3)


class TidyFrame(pd.DataFrame):
    """A tidy table that still answers to the deprecated column names ``att`` and ``se``.

    ``frame["att"]`` / ``frame.att`` return the ``estimate`` column with a FutureWarning (the
    same for ``se`` and ``std_error``); everything else is an ordinary DataFrame.

    Examples
    --------
    >>> import warnings
    >>> t = TidyFrame({"estimate": [1.0], "std_error": [0.5]})
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     value = t["att"].tolist()
    >>> value, w[0].category.__name__
    ([1.0], 'FutureWarning')
    """

    @property
    def _constructor(self):
        return pd.DataFrame

    def __getitem__(self, key):
        if isinstance(key, str) and key in DEPRECATED_COLUMNS and key not in self.columns:
            _deprecated(f"column {key!r}", f"{DEPRECATED_COLUMNS[key]!r}")
            key = DEPRECATED_COLUMNS[key]
        return super().__getitem__(key)

    def __getattr__(self, name):
        if name in DEPRECATED_COLUMNS and name not in self.columns:
            _deprecated(f"column {name!r}", f"{DEPRECATED_COLUMNS[name]!r}")
            return super().__getitem__(DEPRECATED_COLUMNS[name])
        return super().__getattr__(name)


def _fmt(value: Any, digits: int = 4) -> str:
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return "" if np.isnan(value) else str(value)
        return f"{value:.{digits}f}"
    return str(value)


def _latex_escape(text: str) -> str:
    text = text.replace("\\", "\x00")
    for a, b in (("_", r"\_"), ("%", r"\%"), ("&", r"\&"), ("#", r"\#"), ("$", r"\$"),
                 ("{", r"\{"), ("}", r"\}")):
        text = text.replace(a, b)
    return text.replace("\x00", r"\textbackslash{}")


def _text_table(table: pd.DataFrame, digits: int) -> str:
    cells = [[_fmt(v, digits) for v in row] for row in table.itertuples(index=False)]
    header = [str(c) for c in table.columns]
    widths = [max(len(header[j]), *(len(r[j]) for r in cells)) if cells else len(header[j])
              for j in range(len(header))]
    line = lambda r: "  ".join(s.rjust(w) for s, w in zip(r, widths, strict=True))  # noqa: E731
    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    return "\n".join([line(header), rule, *(line(r) for r in cells), rule])


def _latex_table(title: str, table: pd.DataFrame, footer: list[str], digits: int) -> str:
    cols = [str(c) for c in table.columns]
    align = "l" + "r" * (len(cols) - 1)
    rows = [" & ".join(_latex_escape(_fmt(v, digits)) for v in row) + r" \\"
            for row in table.itertuples(index=False)]
    foot = [rf"\multicolumn{{{len(cols)}}}{{l}}{{\footnotesize {_latex_escape(f)}}} \\"
            for f in footer]
    return "\n".join([
        f"% {title}",
        rf"\begin{{tabular}}{{{align}}}",
        r"\hline",
        " & ".join(_latex_escape(c) for c in cols) + r" \\",
        r"\hline",
        *rows,
        r"\hline",
        *foot,
        r"\end{tabular}",
    ])


def check_conf_level(conf_level: float, alpha: float | None = None, *, stacklevel: int = 3
                     ) -> float:
    """Return the confidence level as a float; ``alpha`` (deprecated) is ``1 - conf_level``.

    Every estimator calls it first. Any real number strictly between 0 and 1 is accepted (numpy
    floats included); NaN, 0, 1, 95, ``"95%"``, None and bools are refused with a ValueError
    naming the argument and what is allowed. Passing ``alpha`` emits a DeprecationWarning;
    passing both is a ValueError.

    Examples
    --------
    >>> check_conf_level(0.9), check_conf_level(np.float32(0.9))
    (0.9, 0.9)
    >>> check_conf_level("95%")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: conf_level='95%' must be strictly between 0 and 1 (a number, e.g. 0.95 for ...
    """
    if alpha is not None:
        warnings.warn("alpha is deprecated and will be removed in the next release; use "
                      f"conf_level={1 - alpha:g} (conf_level = 1 - alpha)"
                      if _unit_interval(alpha) else "alpha is deprecated; use conf_level",
                      DeprecationWarning, stacklevel=stacklevel)
        if conf_level != 0.95:
            raise ValueError(f"alpha={alpha!r} and conf_level={conf_level!r} both given; "
                             "pass conf_level only")
        if not _unit_interval(alpha):
            raise ValueError(f"alpha={alpha!r} must be strictly between 0 and 1")
        conf_level = 1 - alpha
    if not _unit_interval(conf_level):
        raise ValueError(f"conf_level={conf_level!r} must be strictly between 0 and 1 (a "
                         f"number, e.g. 0.95 for 95% intervals)")
    if isinstance(conf_level, np.floating):
        return float(str(conf_level))  # np.float32(0.9) -> 0.9, not 0.8999999761581421
    return float(conf_level)


def _unit_interval(value) -> bool:
    """Return whether ``value`` is a real number (numpy included, bools not) in (0, 1)."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
            and 0 < value < 1)


@dataclass(frozen=True, eq=False, kw_only=True)
class ResultBase:
    """The base of every estimator's result: table, summary, LaTeX, display, plot, conf level.

    ``tidy()`` (a copy of the table), ``summary(latex=False)`` (text or a LaTeX ``tabular``),
    ``to_latex()``, the notebook display, ``plot()`` and ``conf_level``. Subclasses give the
    title (``_title``), the table printed (``_summary_table``), the facts below it
    (``_footer``) and ``plot``.

    Parameters
    ----------
    table : pandas.DataFrame
        The estimates, one row each (``tidy()`` returns a copy).
    outcome : str
        Name of the outcome column.
    conf_level : float
        Confidence level of the intervals in the table (where it has any).
    notes : tuple of str
        Facts about the data and the fit (reported by ``summary``).
    """

    table: pd.DataFrame
    outcome: str
    conf_level: float = 0.95
    notes: tuple[str, ...] = ()

    def tidy(self) -> pd.DataFrame:
        """Return the estimates table (a copy)."""
        return self.table.copy()

    def _title(self) -> str:
        return type(self).__name__

    def _summary_table(self) -> pd.DataFrame:
        return self.tidy()

    def _footer(self) -> list[str]:
        return [f"Note: {n}" for n in self.notes]

    def summary(self, *, latex: bool = False, digits: int = 4) -> str:
        """Return a text table (or a LaTeX ``tabular`` with ``latex=True``) with the facts."""
        if not isinstance(latex, bool | np.bool_):
            raise ValueError(f"latex={latex!r} must be True or False")
        if (not isinstance(digits, numbers.Integral) or isinstance(digits, bool | np.bool_)
                or not 0 <= digits <= 15):
            raise ValueError(f"digits={digits!r} must be an integer from 0 to 15 (decimals "
                             "shown)")
        digits = int(digits)
        title = f"{self._title()}: {self.outcome}"
        table = self._summary_table()
        if latex:
            return _latex_table(title, table, self._footer(), digits)
        return "\n".join([title, _text_table(table, digits), *self._footer()])

    def to_latex(self, *, digits: int = 4) -> str:
        """Return the summary as a LaTeX ``tabular`` (same as ``summary(latex=True)``)."""
        return self.summary(latex=True, digits=digits)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:  # notebooks show the text summary
        return f"<pre>{self.summary()}</pre>"

    def plot(self, ax=None, **kwargs):
        """Plot the result; returns the matplotlib Axes (each result type draws its own)."""
        raise NotImplementedError(f"{type(self).__name__} has no plot")


@dataclass(frozen=True, eq=False, kw_only=True)
class EstimationResult(ResultBase):
    """Coefficient-table result: a tidy table plus the facts that ``summary`` reports.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns :data:`TIDY_COLUMNS` (extra columns allowed, e.g. ``event_time``).
    estimator : str
        Human-readable estimator name, e.g. ``"TWFE (linearmodels PanelOLS)"``.
    outcome : str
        Name of the outcome column.
    n_obs, n_units : int
        Observations and units used.
    vcov_type : str
        How standard errors were computed, e.g. ``"cluster-robust by county (CRV1)"``.
    small_sample : str
        The small-sample correction applied to the standard errors, stated in words.
    n_clusters : tuple of int
        Clusters of each cluster variable (empty if not clustered).
    conf_level : float
        Confidence level of ``conf_low`` / ``conf_high``.
    notes : tuple of str
        Facts about the data and the fit (reported by ``summary``).
    fit : object
        A library result object behind the numbers, where an estimator keeps one; None for the
        estimators written here (TWFE, event studies, Sun-Abraham, imputation, synthetic
        control): their numbers come from this package's least squares, and
        ``to_linearmodels()`` / ``to_statsmodels()`` refit a TWFE regression in those libraries.
    design : object
        What post-estimation needs (``econometrics.inference.Design`` for TWFE fits, used by
        ``wild_bootstrap`` and the conversions); None for other estimators.
    """

    estimator: str
    n_obs: int
    n_units: int
    vcov_type: str
    small_sample: str
    n_clusters: tuple[int, ...] = ()
    fit: Any = None
    design: Any = None

    def __post_init__(self) -> None:
        missing = [c for c in TIDY_COLUMNS if c not in self.table.columns]
        if missing:
            raise ValueError(f"result table lacks columns {missing}")

    @property
    def model_result(self) -> Any:
        """The underlying model result (same as ``.fit``)."""
        return self.fit

    def tidy(self) -> pd.DataFrame:
        """Return the coefficient table (a copy): term, estimate, std_error, ... conf_high."""
        return self.table.copy()

    def _title(self) -> str:
        return self.estimator

    def to_linearmodels(self):
        """Refit the TWFE regression as a linearmodels ``PanelOLS`` with the same covariance.

        Unit effects absorbed (``entity_effects=True``), period (and extra) effects as dummies
        plus a constant, the same weights; covariance ``clustered`` (``debiased=True,
        group_debias=True``), ``unadjusted`` or ``robust`` (``debiased=True``) for
        ``vcov="cluster"``, ``"iid"``, ``"HC1"``. Coefficients equal this result's; standard
        errors too for one-way clustering with unit effects nested in the clusters and for
        "iid" and "HC1" (linearmodels' two-way clustering scales each term by its own G, fixest
        by the smaller G). Only TWFE results (``twfe``, ``event_study(estimator="twfe")``)
        carry the regression; others raise ValueError.

        Examples
        --------
        >>> from econometrics import simulate_panel, twfe
        >>> df = simulate_panel(n_units=30, n_periods=6, cohorts=(3,), effect=1.0, seed=1)
        >>> res = twfe(df, y="y", unit="unit", time="time", treat="treat")
        >>> lm = res.to_linearmodels()
        >>> bool(abs(lm.params["treat"] - res.coef()["treat"]) < 1e-10)
        True
        """
        from linearmodels.panel import PanelOLS

        y, exog, weights, d = self._refit_design(unit_dummies=False)
        index = pd.MultiIndex.from_arrays([d.units, np.arange(len(d.units))])
        model = PanelOLS(pd.Series(y, index=index, name=self.outcome),
                         exog.set_axis(index), entity_effects=True,
                         weights=None if weights is None else pd.Series(weights, index=index),
                         check_rank=False, drop_absorbed=False)
        if d.vcov_kind == "cluster":
            clusters = pd.DataFrame(np.asarray(d.clusters).reshape(len(y), -1), index=index)
            return model.fit(cov_type="clustered", clusters=clusters, debiased=True,
                             group_debias=True)
        kind = "unadjusted" if d.vcov_kind == "iid" else "robust"
        return model.fit(cov_type=kind, debiased=True)

    def to_statsmodels(self):
        """Refit the TWFE regression as statsmodels OLS / WLS on unit and period dummies.

        Covariance ``nonrobust`` for ``vcov="iid"``, ``HC1`` for ``"HC1"`` (both equal to this
        result's) and ``cluster`` for ``"cluster"`` (statsmodels counts every unit dummy in
        (n-1)/(n-k), fixest counts unit effects nested in the clusters as one, so clustered
        standard errors differ by that factor). Only TWFE results carry the regression; others
        raise ValueError.

        Examples
        --------
        >>> from econometrics import simulate_panel, twfe
        >>> df = simulate_panel(n_units=30, n_periods=6, cohorts=(3,), effect=1.0, seed=1)
        >>> res = twfe(df, y="y", unit="unit", time="time", treat="treat", vcov="HC1")
        >>> sm = res.to_statsmodels()
        >>> bool(abs(sm.bse["treat"] - res.se()["treat"]) < 1e-10)
        True
        """
        import statsmodels.api as sm

        y, exog, weights, d = self._refit_design(unit_dummies=True)
        model = (sm.OLS(y, exog) if weights is None else sm.WLS(y, exog, weights=weights))
        if d.vcov_kind == "cluster":
            groups = np.asarray(d.clusters)
            return model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        return model.fit(cov_type="nonrobust" if d.vcov_kind == "iid" else "HC1")

    def _refit_design(self, *, unit_dummies: bool):
        """Outcome, regressors with period (and unit) dummies and a constant, weights, design."""
        d = self.design
        if d is None or d.times is None:
            raise ValueError(f"{type(self).__name__} from {self.estimator!r} carries no TWFE "
                             "regression to convert; to_linearmodels / to_statsmodels take "
                             "results of twfe and event_study(estimator='twfe')")
        cols = {name: d.x[:, j] for j, name in enumerate(d.names)}
        exog = pd.DataFrame(cols)
        if d.demeaned:  # two-way demeaned data: the period dummies are not in x
            periods = pd.get_dummies(pd.Series(d.times), prefix="_period:", drop_first=True)
            exog = pd.concat([exog, periods.astype(float)], axis=1)
        if unit_dummies:
            units = pd.get_dummies(pd.Series(d.units), prefix="_unit:", drop_first=True)
            exog = pd.concat([exog, units.astype(float)], axis=1)
        return d.y, exog.assign(const=1.0), d.weights, d

    def _by_term(self, column: str) -> pd.Series:
        t = self.tidy()
        return pd.Series(t[column].to_numpy(), index=pd.Index(t["term"], name="term"),
                         name=column)

    def coef(self) -> pd.Series:
        """Estimates indexed by term."""
        return self._by_term("estimate")

    def se(self) -> pd.Series:
        """Return the standard errors indexed by term."""
        return self._by_term("std_error")

    def pvalue(self) -> pd.Series:
        """P-values indexed by term."""
        return self._by_term("p_value")

    def confint(self) -> pd.DataFrame:
        """Confidence intervals (``conf_low``, ``conf_high``) indexed by term."""
        return self.tidy().set_index("term")[["conf_low", "conf_high"]]

    def _footer(self) -> list[str]:
        clusters = ", ".join(str(g) for g in self.n_clusters) if self.n_clusters else "none"
        lines = [
            f"Observations: {self.n_obs}; units: {self.n_units}; clusters: {clusters}",
            f"Standard errors: {self.vcov_type}",
            f"Small-sample correction: {self.small_sample}",
            f"Confidence level: {self.conf_level:.0%}",
        ]
        return lines + self._extra_footer() + [f"Note: {n}" for n in self.notes]

    def _extra_footer(self) -> list[str]:
        return []

    def _summary_table(self) -> pd.DataFrame:
        return self.tidy()[list(TIDY_COLUMNS)]

    def plot(self, ax=None, **kwargs):
        """Coefficient plot: estimates with confidence intervals; returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.6 * len(self.table) + 1.5))
        t = self.tidy()
        pos = np.arange(len(t))[::-1]
        ax.errorbar(t["estimate"], pos,
                    xerr=[t["estimate"] - t["conf_low"], t["conf_high"] - t["estimate"]],
                    fmt="o", capsize=3, **kwargs)
        ax.axvline(0.0, color="grey", linestyle="--", linewidth=1)
        ax.set_yticks(pos, t["term"])
        ax.set_xlabel(f"effect on {self.outcome} ({self.conf_level:.0%} CI)")
        ax.set_title(self.estimator)
        return ax


@dataclass(frozen=True, eq=False, kw_only=True)
class StaticResult(EstimationResult):
    """Static two-way fixed effects result (``twfe``); ``.fit`` is the linearmodels result."""


@dataclass(frozen=True, eq=False, kw_only=True)
class EventStudyResult(EstimationResult):
    """Event-study coefficients, one row per event time (relative to first treatment).

    Parameters
    ----------
    reference : int, tuple of int or None
        The omitted event time(s) (coefficients normalized to 0), drawn on the plot; None if
        the estimator has no reference period (e.g. imputation).
    pretrend : WaldTest or None
        Joint test that all pre-period (event time < 0) coefficients are zero.
    overall : Overall or None
        A summary post-treatment effect, for estimators that define one.
    vcov : pandas.DataFrame or None
        Covariance matrix of the event-time estimates, rows and columns indexed by event time
        in the order of the table (what sensitivity analysis such as :func:`honest_did` needs).
    (other parameters as in :class:`EstimationResult`; ``table`` has an ``event_time`` column)
    """

    reference: int | tuple[int, ...] | None = -1
    pretrend: WaldTest | None = None
    overall: Overall | None = None
    vcov: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if "event_time" not in self.table.columns:
            raise ValueError("event-study table needs an 'event_time' column")
        if self.vcov is not None:
            events = self.table["event_time"].tolist()
            if (list(self.vcov.index) != events or list(self.vcov.columns) != events):
                raise ValueError("vcov must be indexed by the table's event times (rows and "
                                 "columns)")

    @property
    def references(self) -> tuple[int, ...]:
        """The omitted event times (normalized to 0) as a tuple (empty if none)."""
        if self.reference is None:
            return ()
        return tuple(np.atleast_1d(self.reference).astype(int).tolist())

    def _by_event_time(self, column: str) -> pd.Series:
        t = self.tidy()
        return pd.Series(t[column].to_numpy(),
                         index=pd.Index(t["event_time"], name="event_time"), name=column)

    def coef_by_event_time(self) -> pd.Series:
        """Estimates indexed by event time."""
        return self._by_event_time("estimate")

    def se_by_event_time(self) -> pd.Series:
        """Return the standard errors indexed by event time."""
        return self._by_event_time("std_error")

    def _summary_table(self) -> pd.DataFrame:
        return self.tidy()[["event_time", *TIDY_COLUMNS]]

    def _extra_footer(self) -> list[str]:
        lines = []
        if self.references:
            lines.append(f"Reference period: event time {', '.join(map(str, self.references))}"
                         " (normalized to 0)")
        if self.pretrend is not None:
            p = self.pretrend
            form = (f"F({p.df}, {p.df_denom:g})" if p.df_denom is not None else f"chi2({p.df})")
            lines.append(f"Pre-trend test (all leads = 0): {form} = {p.statistic:.4f}, "
                         f"p = {p.p_value:.4f}")
        if self.overall is not None:
            lines.append(f"Overall ATT: {self.overall.estimate:.4f} "
                         f"(SE {self.overall.std_error:.4f})")
        return lines

    def plot(self, ax=None, **kwargs):
        """Event-study plot: coefficients with intervals, dashed lines at 0 and the reference."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        t = self.tidy().sort_values("event_time")
        e = t["event_time"].to_numpy(dtype=float)
        est = t["estimate"].to_numpy(dtype=float)
        refs = [r for r in self.references if r not in set(e)]
        if refs:
            e = np.append(e, refs)
            est = np.append(est, np.zeros(len(refs)))
            lo = np.append(t["conf_low"].to_numpy(dtype=float), np.zeros(len(refs)))
            hi = np.append(t["conf_high"].to_numpy(dtype=float), np.zeros(len(refs)))
            order = np.argsort(e)
            e, est, lo, hi = e[order], est[order], lo[order], hi[order]
        else:
            lo = t["conf_low"].to_numpy(dtype=float)
            hi = t["conf_high"].to_numpy(dtype=float)
        ax.errorbar(e, est, yerr=[est - lo, hi - est], fmt="o-", capsize=3, **kwargs)
        ax.axhline(0.0, color="grey", linestyle="--", linewidth=1)
        for r in self.references:
            ax.axvline(r, color="grey", linestyle="--", linewidth=1)
        ax.set_xlabel("event time (periods since first treatment)")
        ax.set_ylabel(f"effect on {self.outcome} ({self.conf_level:.0%} CI)")
        ax.set_title(self.estimator)
        return ax


@dataclass(frozen=True, eq=False, kw_only=True)
class SyntheticResult(EstimationResult):
    """A synthetic-control-type estimate (one row) with its weights and trajectories.

    ``unit_weights`` (omega: control units, sum to one), ``time_weights`` (lambda:
    pre-treatment periods; zero for synthetic control), ``trajectories`` (period x treated
    mean, synthetic control and a ``post`` flag). ``plot()`` draws them as R ``synthdid``'s
    ``plot`` does: the two trajectories, the adoption date, the weighted pre-treatment period
    shaded by lambda, and an arrow from the counterfactual to the treated units' post-treatment
    mean (its length is the estimate).
    """

    unit_weights: pd.Series
    time_weights: pd.Series
    trajectories: pd.DataFrame

    def plot(self, ax=None, **kwargs):
        """Treated units' mean and the synthetic control over time, with the effect arrow."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        tr = self.trajectories
        times = tr.index.to_numpy(dtype=float)
        ax.plot(times, tr["treated"], "-", color="C1", label="treated", **kwargs)
        ax.plot(times, tr["synthetic"], "-", color="C0", label="synthetic control")
        first_post = times[tr["post"].to_numpy()].min()
        ax.axvline(first_post - 0.5, color="grey", linestyle=":", linewidth=1)
        lam = self.time_weights.to_numpy(dtype=float)
        if lam.sum() > 0:  # synthdid shades the pre-treatment periods by their weight
            bottom = ax.get_ylim()[0]
            ax.fill_between(times[: len(lam)], bottom, bottom + lam / lam.max()
                            * 0.1 * np.ptp(ax.get_ylim()), color="C0", alpha=0.3,
                            step="mid", label="time weights")
        post = tr[tr["post"]]
        mid = float(np.mean(post.index.to_numpy(dtype=float)))
        est = self.tidy().iloc[0]
        treated = float(post["treated"].mean())
        # synthdid's arrow: from the counterfactual (treated minus the effect) to the treated
        ax.annotate("", xy=(mid, treated), xytext=(mid, treated - est.estimate),
                    arrowprops=dict(arrowstyle="->", color="black"))
        ax.set_xlabel("time")
        ax.set_ylabel(self.outcome)
        ax.set_title(f"{self.estimator.split(' (')[0]}: {est.estimate:.2f} "
                     f"(SE {est.std_error:.2f})")
        ax.legend(fontsize="small")
        return ax


BACON_TYPES = ("earlier_vs_later", "later_vs_earlier", "treated_vs_never", "both_treated",
               "later_vs_always")
BACON_COLUMNS = ("type", "treated", "control", "estimate", "weight")


@dataclass(frozen=True, eq=False, kw_only=True)
class BaconResult(ResultBase):
    """Goodman-Bacon decomposition of the static TWFE estimate into 2x2 comparisons.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per 2x2 comparison: ``type`` (one of :data:`BACON_TYPES`), ``treated`` and
        ``control`` cohorts (0 = never treated), ``estimate``, ``weight`` (weights sum to one).
    twfe_estimate : float
        The static TWFE coefficient; equals ``(estimate * weight).sum()``.
    outcome : str
        Outcome column name.
    n_obs, n_units : int
        Observations and units.
    notes : tuple of str
        Facts about the data.
    within_estimate, within_weight : float or None
        With covariates: the within-timing-group component beta_w and its weight Omega
        (``bacondecomp``'s ``beta_hat_w`` and ``Omega``); the 2x2 rows are then the between
        comparisons, whose weights sum to one and share 1 - Omega. None without covariates.
    covariates : tuple of str
        The controls of the decomposition (empty without).
    """

    twfe_estimate: float
    n_obs: int
    n_units: int
    within_estimate: float | None = None
    within_weight: float | None = None
    covariates: tuple[str, ...] = ()

    def tidy(self) -> pd.DataFrame:
        """One row per 2x2 comparison: type, treated, control, estimate, weight (a copy)."""
        return self.table.copy()

    def _title(self) -> str:
        return "Goodman-Bacon decomposition"

    def _summary_table(self) -> pd.DataFrame:
        return self.by_type()

    @property
    def weighted_sum(self) -> float:
        """The TWFE estimate rebuilt from the parts: sum of weight x estimate over the 2x2s.

        With covariates: ``Omega * beta_w + (1 - Omega) * sum(weight x estimate)``.
        """
        t = self.table
        between = float(np.sum(t["weight"].to_numpy() * t["estimate"].to_numpy()))
        if self.within_weight is None:
            return between
        return self.within_weight * self.within_estimate + (1 - self.within_weight) * between

    def by_type(self) -> pd.DataFrame:
        """Total weight and weighted average estimate of each comparison type."""
        t = self.tidy()
        t["_we"] = t["weight"] * t["estimate"]
        g = t.groupby("type", sort=False)
        out = pd.DataFrame({"weight": g["weight"].sum(), "estimate": g["_we"].sum()})
        out["estimate"] = out["estimate"] / out["weight"]
        order = [k for k in BACON_TYPES if k in out.index]
        return out.loc[order].reset_index()

    def _footer(self) -> list[str]:
        within = ([] if self.within_weight is None else [
            f"Covariates: {', '.join(self.covariates)}; within component "
            f"{self.within_estimate:.4f} with weight Omega = {self.within_weight:.4f}; the 2x2 "
            "rows are the between comparisons (weight 1 - Omega)"])
        return [
            f"TWFE estimate: {self.twfe_estimate:.4f}; rebuilt from the decomposition: "
            f"{self.weighted_sum:.4f}; comparisons: {len(self.table)}",
            *within,
            f"Observations: {self.n_obs}; units: {self.n_units}",
            *super()._footer(),
        ]

    def plot(self, ax=None, **kwargs):
        """Scatter of 2x2 estimates against their weights by type; line at the TWFE estimate."""
        import matplotlib.pyplot as plt
        import seaborn as sns

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        order = [k for k in BACON_TYPES if k in set(self.table["type"])]
        sns.scatterplot(data=self.tidy(), x="weight", y="estimate", hue="type", style="type",
                        hue_order=order, style_order=order, s=60, ax=ax, **kwargs)
        ax.axhline(self.twfe_estimate, color="black", linestyle="--", linewidth=1,
                   label=f"TWFE = {self.twfe_estimate:.3f}")
        ax.axhline(0.0, color="grey", linestyle=":", linewidth=1)
        ax.set_xlabel("weight")
        ax.set_ylabel(f"2x2 DiD estimate ({self.outcome})")
        ax.legend(fontsize="small")
        return ax
