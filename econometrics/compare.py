"""Run TWFE and the heterogeneity-robust estimators on one panel, side by side.

:func:`compare_estimators` fits the dynamic TWFE event study, Callaway-Sant'Anna (dynamic
aggregation of ATT(g, t)), Sun-Abraham and BJS imputation on the same data and returns one tidy
frame of event-time paths, one frame of overall effects (static TWFE coefficient; the average
effect over treated unit-periods for the robust estimators, i.e. CS's "simple" aggregation) and
one plot. With staggered adoption and effects that grow with exposure, TWFE's paths and its
static coefficient are biased (already-treated units serve as controls), the others are not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from econometrics._panel import normalize_cohort
from econometrics.cs import Control, att_gt
from econometrics.imputation import imputation
from econometrics.sunab import sun_abraham
from econometrics.twfe import event_study, twfe

__all__ = ["ComparisonResult", "compare_estimators"]

ESTIMATORS = ("TWFE", "Callaway-Sant'Anna", "Sun-Abraham", "Imputation (BJS)")
_PATH_COLUMNS = ["estimator", "event_time", "estimate", "std_error", "conf_low", "conf_high"]


@dataclass(frozen=True, eq=False)
class ComparisonResult:
    """Event-time paths and overall effects of several estimators on one panel.

    Attributes
    ----------
    paths : pandas.DataFrame
        estimator, event_time, estimate, std_error, conf_low, conf_high.
    overall : pandas.DataFrame
        estimator, att, se (TWFE: the static coefficient).
    results : dict
        Estimator name -> its result object.
    outcome : str
        Outcome column.
    """

    paths: pd.DataFrame
    overall: pd.DataFrame
    results: dict
    outcome: str

    def tidy(self) -> pd.DataFrame:
        """Return the event-time paths of all estimators (a copy), one row per estimate."""
        return self.paths.copy()

    def summary(self) -> str:
        """Return the overall effects as text."""
        lines = [f"Estimator comparison: {self.outcome}"]
        lines += [f"  {r.estimator:<20} ATT {r.att: .4f} (SE {r.se:.4f})"
                  for r in self.overall.itertuples()]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

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


def _path(name: str, table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(estimator=name)[_PATH_COLUMNS]


def compare_estimators(
    data: pd.DataFrame,
    *,
    y: str,
    unit: str,
    time: str,
    cohort: str,
    leads: int | None = None,
    lags: int | None = None,
    control: Control = "never",
    covariates: list[str] | None = None,
    cluster: str | None = None,
    bootstrap: int = 0,
    seed: int | None = None,
) -> ComparisonResult:
    """Fit TWFE, Callaway-Sant'Anna, Sun-Abraham and imputation on the same panel.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (never modified).
    y, unit, time, cohort : str
        Outcome, unit, integer period and first-treated-period columns (never treated: 0,
        NaN or inf).
    leads, lags : int, optional
        Event window of the paths (default: all event times; the imputation pre-trend test
        then uses as many leads as Callaway-Sant'Anna reports).
    control : {"never", "notyet"}
        Comparison group of Callaway-Sant'Anna.
    covariates : list of str, optional
        Controls (first-period values in Callaway-Sant'Anna, time-varying in the regressions).
    cluster : str, optional
        Cluster column (default: the unit).
    bootstrap : int
        Multiplier bootstrap draws for Callaway-Sant'Anna's simultaneous bands (0: pointwise).
    seed : int, optional
        Seed of that bootstrap.

    Returns
    -------
    ComparisonResult
        ``tidy()`` paths, ``overall`` frame, ``plot()``.

    Examples
    --------
    >>> from econometrics import simulate_panel
    >>> df = simulate_panel(n_units=120, n_periods=7, cohorts=(3, 5), effect=1.0, seed=4)
    >>> cmp = compare_estimators(df, y="y", unit="unit", time="time", cohort="cohort")
    >>> cmp.overall.estimator.tolist()
    ['TWFE', "Callaway-Sant'Anna", 'Sun-Abraham', 'Imputation (BJS)']
    """
    common = dict(y=y, unit=unit, time=time, cohort=cohort)
    cs = att_gt(data, **common, control=control, covariates=covariates, cluster=cluster,
                bootstrap=bootstrap, seed=seed)
    cs_dynamic = cs.aggregate("dynamic")
    cs_path = cs_dynamic.to_event_study().tidy()
    lo = -np.inf if leads is None else -leads
    hi = np.inf if lags is None else lags
    cs_path = cs_path[(cs_path.event_time >= lo) & (cs_path.event_time <= hi)]
    n_leads = leads if leads is not None else int(max(0, -cs_path.event_time.min()))
    window = dict(leads=leads, lags=lags, cluster=cluster, covariates=covariates)
    es_twfe = event_study(data, **common, estimator="twfe", **window)
    sa = sun_abraham(data, **common, **window)
    bjs = imputation(data, **common, leads=n_leads or None, lags=lags, cluster=cluster,
                     covariates=covariates)
    treat_name = "__treat__"
    g = normalize_cohort(data[cohort].to_numpy())
    treated = data.assign(**{treat_name: ((g > 0) & (data[time].to_numpy() >= g)).astype(int)})
    static = twfe(treated, y=y, unit=unit, time=time, treat=treat_name, covariates=covariates,
                  cluster=cluster).tidy().iloc[0]
    simple = cs.aggregate("simple").overall
    paths = pd.concat([_path(ESTIMATORS[0], es_twfe.tidy()), _path(ESTIMATORS[1], cs_path),
                       _path(ESTIMATORS[2], sa.tidy()), _path(ESTIMATORS[3], bjs.tidy())],
                      ignore_index=True)
    overall = pd.DataFrame({
        "estimator": list(ESTIMATORS),
        "att": [static.estimate, simple.att, sa.overall.att, bjs.overall.att],
        "se": [static.std_error, simple.se, sa.overall.se, bjs.overall.se],
    })
    results = dict(zip(ESTIMATORS, [es_twfe, cs, sa, bjs], strict=True))
    return ComparisonResult(paths=paths, overall=overall, results=results, outcome=y)
