"""Run several event-study estimators on one panel, side by side.

:func:`compare_estimators` fits every estimator of the registry (:mod:`econometrics.registry`:
dynamic TWFE, Callaway-Sant'Anna's dynamic aggregation, Sun-Abraham, BJS imputation, and any
estimator added there) on the same data and returns one tidy frame of event-time paths, one
frame of overall effects (the static TWFE coefficient for TWFE; each estimator's ``overall``
otherwise) and one plot. With staggered adoption and effects that grow with exposure, TWFE's
paths and its static coefficient are biased (already-treated units serve as controls), the
others are not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from econometrics import registry
from econometrics._panel import PanelError, as_pandas, check_choice, normalize_cohort
from econometrics.results import Overall, ResultBase, TidyFrame, check_conf_level
from econometrics.twfe import twfe

__all__ = ["ESTIMATORS", "ComparisonResult", "compare_estimators"]

#: Labels of the default comparison of a staggered panel (every registered estimator but those
#: that need one adoption date).
ESTIMATORS = tuple(registry.LABELS[name] for name in registry.available()
                   if name not in registry.ONE_ADOPTION_DATE)
_PATH_COLUMNS = ["estimator", "event_time", "estimate", "std_error", "conf_low", "conf_high"]


@dataclass(frozen=True, eq=False, kw_only=True)
class ComparisonResult(ResultBase):
    """Event-time paths and overall effects of several estimators on one panel.

    Attributes
    ----------
    table : pandas.DataFrame
        The paths: estimator, event_time, estimate, std_error, conf_low, conf_high (also
        ``.paths``).
    overall : pandas.DataFrame
        estimator, estimate, std_error (TWFE: the static coefficient; ``att`` / ``se`` are
        deprecated aliases).
    results : dict
        Estimator name -> its result object.
    outcome : str
        Outcome column.
    """

    overall: pd.DataFrame
    results: dict

    @property
    def paths(self) -> pd.DataFrame:
        """The event-time paths (the table ``tidy()`` copies)."""
        return self.table

    def tidy(self) -> pd.DataFrame:
        """Return the event-time paths of all estimators (a copy), one row per estimate."""
        return self.table.copy()

    def _title(self) -> str:
        return "Estimator comparison"

    def _summary_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.overall)[["estimator", "estimate", "std_error"]]

    def _footer(self) -> list[str]:
        return ["Overall effect: the static TWFE coefficient for TWFE, each other estimator's "
                "overall ATT",
                f"Paths: {len(self.table)} event-time estimates with {self.conf_level:.0%} "
                "intervals (tidy())", *super()._footer()]

    def plot(self, ax=None, *, truth: pd.Series | None = None):
        """Plot the event-time paths with intervals, slightly dodged; returns the Axes.

        ``truth`` (a Series indexed by event time) is drawn as a black line if given.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        names = list(dict.fromkeys(self.paths["estimator"]))
        offsets = np.linspace(-0.2, 0.2, len(names))
        for off, name in zip(offsets, names, strict=True):
            p = self.paths[self.paths["estimator"] == name].sort_values("event_time")
            ax.errorbar(p["event_time"] + off, p["estimate"],
                        yerr=[p["estimate"] - p["conf_low"], p["conf_high"] - p["estimate"]],
                        fmt="o-", capsize=2, markersize=4, label=name)
        if truth is not None:
            ax.plot(truth.index, truth.to_numpy(), "k--", linewidth=1.5, label="true effect")
        ax.axhline(0.0, color="grey", linewidth=1)
        ax.axvline(-0.5, color="grey", linestyle=":", linewidth=1)
        ax.set_xlabel("event time (periods since first treatment)")
        ax.set_ylabel(f"effect on {self.outcome}")
        ax.legend(fontsize="small")
        return ax


def compare_estimators(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    cohort: str,
    leads: int | None = None,
    lags: int | None = None,
    estimators: Sequence[str] | None = None,
    covariates: list[str] | None = None,
    cluster: str | None = None,
    options: Mapping[str, Mapping] | None = None,
    conf_level: float = 0.95,
) -> ComparisonResult:
    """Fit several registered event-study estimators on the same panel, side by side.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (never modified).
    y, unit, time, cohort : str
        Outcome, unit, integer period and first-treated-period columns (never treated: 0,
        NaN or inf).
    leads, lags : int, optional
        Event window of the paths (default: all event times; the imputation pre-trend test
        then uses as many leads as the longest pre-period path).
    estimators : sequence of str, optional
        Registered names (:data:`econometrics.registry.ESTIMATORS`); default: all of them
        (with staggered adoption, all but those of
        :data:`~econometrics.registry.ONE_ADOPTION_DATE`, e.g. the synthetic control).
    covariates : list of str, optional
        Controls (Callaway-Sant'Anna takes them at the base period).
    cluster : str, optional
        Cluster column (default: the unit).
    options : mapping, optional
        Estimator name -> extra keyword arguments, e.g.
        ``{"callaway_santanna": {"control": "notyet", "bootstrap": 999, "seed": 1}}``.
    conf_level : float
        Confidence level of every estimator's intervals.

    Returns
    -------
    ComparisonResult
        ``tidy()`` paths, ``overall`` frame (TWFE: the static coefficient), ``plot()``.

    Examples
    --------
    >>> from econometrics import simulate_panel
    >>> df = simulate_panel(n_units=120, n_periods=7, cohorts=(3, 5), effect=1.0, seed=4)
    >>> cmp = compare_estimators(df, y="y", unit="unit", time="time", cohort="cohort")
    >>> cmp.overall.estimator.tolist()[:4]
    ['TWFE', "Callaway-Sant'Anna", 'Sun-Abraham', 'Imputation (BJS)']
    >>> cmp.overall.estimator.tolist()[4]
    "de Chaisemartin-D'Haultfoeuille"
    """
    if not isinstance(cohort, str):
        raise ValueError(f"cohort={cohort!r} must name the first-treated-period column (str)")
    if estimators is None:
        names = registry.available()
        frame = as_pandas(data)
        if cohort not in frame.columns:
            raise PanelError(f"column(s) not found in data: {cohort!r} (cohort=)")
        cohorts = normalize_cohort(frame[cohort].to_numpy(), cohort)
        if len(np.unique(cohorts[cohorts > 0])) > 1:  # staggered: no one-date estimators
            names = [n for n in names if n not in registry.ONE_ADOPTION_DATE]
    elif isinstance(estimators, str):
        raise ValueError(f"estimators={estimators!r} must be a list of estimator names, e.g. "
                         f"[{estimators!r}]; allowed: {registry.available()}")
    else:
        names = list(estimators)
        if not names:
            raise ValueError(f"estimators={estimators!r} names no estimator: pass None (all of "
                             f"them) or some of {registry.available()}")
        twice = sorted({n for n in names if names.count(n) > 1}, key=str)
        if twice:
            raise ValueError(f"estimators={estimators!r} lists {twice} more than once")
        for n in names:
            check_choice("estimators", n, registry.available())
    if options is not None and not isinstance(options, Mapping):
        raise ValueError(f"options={options!r} must be a mapping of estimator name -> keyword "
                         "arguments, e.g. {'twfe': {'vcov': 'HC1'}}")
    options = dict(options or {})
    unknown = sorted(set(options) - set(names))
    if unknown:
        raise ValueError(f"options for {unknown}, which are not among estimators={names}")
    conf_level = check_conf_level(conf_level)
    common = dict(y=y, unit=unit, time=time, cohort=cohort, covariates=covariates,
                  cluster=cluster)
    results, paths, overall = {}, [], []
    for name in names:
        fn = registry.get_estimator(name)
        registry.check_options(name, fn, options.get(name, {}))
        window = dict(leads=leads, lags=lags)
        if name == "imputation":  # BJS: leads are a separate pre-trend test
            window["reference"] = None
            window["leads"] = leads if leads is not None else _longest_lead(paths)
        res = fn(data, **common, **window, conf_level=conf_level, **options.get(name, {}))
        label = registry.LABELS.get(name, name)
        results[label] = res
        paths.append(res.tidy().assign(estimator=label)[_PATH_COLUMNS])
        summary = res.overall
        if name == "twfe":  # the static TWFE coefficient, biased under dynamic effects
            summary = _static_twfe(data, **common)
        overall.append({"estimator": label,
                        "estimate": np.nan if summary is None else summary.estimate,
                        "std_error": np.nan if summary is None else summary.std_error})
    return ComparisonResult(table=pd.concat(paths, ignore_index=True),
                            overall=TidyFrame(overall), results=results, outcome=y,
                            conf_level=conf_level)


def _longest_lead(paths: list[pd.DataFrame]) -> int | None:
    """Leads for BJS's test: the longest pre-period path so far, less one (None if none).

    BJS's test compares the leads with the periods before them, so at least one untreated
    period of each cohort must be left out of the leads.
    """
    lows = [int(-p["event_time"].min()) - 1 for p in paths
            if len(p) and p["event_time"].min() < -1]
    return max(lows) if lows else None


def _static_twfe(data, *, y, unit, time, cohort, covariates, cluster) -> Overall:
    """Return the static TWFE coefficient on ``time >= cohort`` (as Overall)."""
    treat_name = "__treat__"
    g = normalize_cohort(as_pandas(data)[cohort].to_numpy(), cohort)
    df = as_pandas(data)
    treated = df.assign(**{treat_name: ((g > 0) & (df[time].to_numpy() >= g)).astype(int)})
    row = twfe(treated, y=y, unit=unit, time=time, treat=treat_name, covariates=covariates,
               cluster=cluster).tidy().iloc[0]
    return Overall(float(row.estimate), float(row.std_error))
