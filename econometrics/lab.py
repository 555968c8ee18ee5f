"""The estimator lab: grade event-study estimators on panels whose true effect is known.

:func:`estimator_lab` draws ``replications`` panels from a data-generating process ``dgp`` (a
callable ``seed -> (panel, truth)``), fits every estimator of the registry
(:mod:`econometrics.registry`) to each, and summarises bias, RMSE, coverage and rejection rates
against the truth, with Monte Carlo standard errors. The truth is a float (``aggregation="simple"``:
the average effect over treated unit-periods, the estimand of each estimator's ``overall``) or a
Series indexed by event time (``"dynamic"``). The model's reform panels provide such a ``dgp``
(``abm.ReformPanel.dgp``); :func:`simulated_dgp` wraps :func:`econometrics.simulate_panel`. This
module does not import ``abm``.

TWFE's event study has no ``overall`` effect; for the simple target the lab uses the static TWFE
DiD (:func:`econometrics.twfe`) on the same panel, the estimator whose bias under staggered
adoption with dynamic effects is known (Goodman-Bacon 2021).

Examples
--------
>>> from econometrics.lab import estimator_lab, simulated_dgp
>>> dgp = simulated_dgp(n_units=40, n_periods=5, cohorts=(3,), effect=1.0)
>>> lab = estimator_lab(dgp, replications=3, outcome="y", unit="unit", time="time",
...                     estimators=["imputation"], seed=1)
>>> lab.tidy()[["estimator", "target"]].values.tolist()
[['imputation', 'ATT']]
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from tqdm.auto import tqdm

from econometrics._panel import DataWarning, check_choice, check_count
from econometrics.registry import get_estimator
from econometrics.results import check_conf_level
from econometrics.simulate import simulate_panel, true_event_path

__all__ = ["LAB_ESTIMATORS", "LabResult", "estimator_lab", "fit_estimator", "replication_seeds",
           "simulated_dgp"]

#: Lab name -> (registry name, options). Callaway-Sant'Anna twice: never- and not-yet-treated.
LAB_ESTIMATORS: dict[str, tuple[str, dict]] = {
    "twfe": ("twfe", {}),
    "cs_never": ("callaway_santanna", {"control": "never"}),
    "cs_notyet": ("callaway_santanna", {"control": "notyet"}),
    "sun_abraham": ("sun_abraham", {}),
    "imputation": ("imputation", {}),
}
_AGGREGATIONS = ("simple", "dynamic")
_SUMMARY = ["truth", "mean_estimate", "bias", "rmse", "sd_estimate", "mean_se", "coverage",
            "rejection_rate"]


def simulated_dgp(**options: Any) -> Callable[[int], tuple[pd.DataFrame, float]]:
    """Return a ``seed -> (panel, true ATT)`` process drawing :func:`simulate_panel` panels.

    ``options`` are :func:`simulate_panel`'s arguments except ``seed``. With
    ``aggregation="dynamic"`` (an option of this adapter) the truth is
    :func:`true_event_path` (event times >= 0; pre-periods are 0 by construction).

    Examples
    --------
    >>> panel, truth = simulated_dgp(n_units=8, n_periods=5, cohorts=(3,), effect=1.0)(0)
    >>> truth
    1.0
    """
    aggregation = options.pop("aggregation", "simple")
    check_choice("aggregation", aggregation, _AGGREGATIONS)

    def draw(seed: int) -> tuple[pd.DataFrame, Any]:
        panel = simulate_panel(seed=seed, **options)
        if aggregation == "simple":
            return panel, float(panel.loc[panel.treat == 1, "true_effect"].mean())
        return panel, true_event_path(panel)

    return draw


def fit_estimator(name: str, panel: pd.DataFrame, *, outcome: str, unit: str, time: str,
             cohort: str, aggregation: str, conf_level: float) -> pd.DataFrame:
    """Fit one lab estimator: rows ``target, estimate, std_error, conf_low, conf_high, p_value``.

    ``target`` is ``"ATT"`` (``aggregation="simple"``) or the event time (``"dynamic"``).
    The estimators' :class:`~econometrics.DataWarning` notes (for example a pre-test that
    cannot be reported on a short panel) are silenced: they do not concern the lab's targets
    and would repeat for every replication.

    Examples
    --------
    >>> df = simulate_panel(n_units=40, n_periods=5, cohorts=(3,), effect=1.0, seed=0)
    >>> fit_estimator("twfe", df, outcome="y", unit="unit", time="time", cohort="cohort",
    ...               aggregation="simple", conf_level=0.95).target.tolist()
    ['ATT']
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return _fit(name, panel, outcome=outcome, unit=unit, time=time, cohort=cohort,
                    aggregation=aggregation, conf_level=conf_level)


def _fit(name: str, panel: pd.DataFrame, *, outcome: str, unit: str, time: str, cohort: str,
         aggregation: str, conf_level: float) -> pd.DataFrame:
    registry_name, options = LAB_ESTIMATORS.get(name, (name, {}))
    cols = dict(y=outcome, unit=unit, time=time)
    z = stats.norm.ppf(0.5 + conf_level / 2)
    if aggregation == "simple":
        if registry_name == "twfe":
            from econometrics.twfe import twfe

            treat = ((panel[cohort] > 0) & (panel[time] >= panel[cohort])).astype(int)
            fit = twfe(panel.assign(_treat=treat), treat="_treat", conf_level=conf_level, **cols)
            row = fit.tidy().iloc[0]
            est, se = float(row["estimate"]), float(row["std_error"])
        else:
            res = get_estimator(registry_name)(panel, cohort=cohort, conf_level=conf_level,
                                               **cols, **options)
            est, se = res.overall.estimate, res.overall.std_error
        return pd.DataFrame({"target": ["ATT"], "estimate": [est], "std_error": [se],
                             "conf_low": [est - z * se], "conf_high": [est + z * se],
                             "p_value": [2 * stats.norm.sf(abs(est / se))]})
    res = get_estimator(registry_name)(panel, cohort=cohort, conf_level=conf_level, **cols,
                                       **options)
    t = res.tidy()
    t = t[np.isfinite(t["std_error"]) & (t["std_error"] > 0)]
    return pd.DataFrame({"target": t["event_time"].astype(int).to_numpy(),
                         **{c: t[c].to_numpy(float) for c in
                            ("estimate", "std_error", "conf_low", "conf_high", "p_value")}})


def _truth_frame(truth: Any, aggregation: str) -> pd.Series:
    if aggregation == "simple":
        if not isinstance(truth, (int, float, np.number)):
            raise TypeError(f"with aggregation='simple' the dgp must return (panel, float); "
                            f"got a {type(truth).__name__}")
        return pd.Series({"ATT": float(truth)})
    if not isinstance(truth, pd.Series):
        raise TypeError(f"with aggregation='dynamic' the dgp must return (panel, Series indexed "
                        f"by event time); got a {type(truth).__name__}")
    return pd.Series(truth.to_numpy(float), index=truth.index.astype(int))


def _replicate(dgp: Callable, seed: int, names: Sequence[str], kw: dict) -> pd.DataFrame:
    panel, truth = dgp(seed)
    truth = _truth_frame(truth, kw["aggregation"])
    frames = []
    for name in names:
        fit = fit_estimator(name, panel, **kw)
        fit = fit[fit["target"].isin(truth.index)]
        frames.append(fit.assign(estimator=name, truth=truth.loc[fit["target"]].to_numpy(),
                                 seed=seed))
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class LabResult:
    """Replication-level estimates of an :func:`estimator_lab` run and their summary.

    ``draws``: one row per replication, estimator and target (``seed, estimator, target, truth,
    estimate, std_error, conf_low, conf_high, p_value``).
    """

    draws: pd.DataFrame
    conf_level: float
    aggregation: str

    def tidy(self) -> pd.DataFrame:
        """One row per estimator and target with bias, RMSE, coverage etc. and Monte Carlo SEs.

        Columns ``estimator, target, replications, truth, mean_estimate, bias, rmse,
        sd_estimate, mean_se, coverage, rejection_rate`` and ``<column>_mcse`` for the
        Monte Carlo standard error of each (the rejection rate tests effect = 0 at level
        ``1 - conf_level``).
        """
        rows = []
        for (name, target), d in self.draws.groupby(["estimator", "target"], sort=False):
            rows.append({"estimator": name, "target": target, "replications": len(d),
                         **_summarise(d, 1 - self.conf_level)})
        return pd.DataFrame(rows)

    def plot(self, ax=None):
        """Bias and coverage per estimator and target with 95% Monte Carlo bands."""
        import matplotlib.pyplot as plt

        t = self.tidy()
        if ax is None:
            _, ax = plt.subplots(1, 2, figsize=(10, 3.8), constrained_layout=True)
        names = list(dict.fromkeys(t["estimator"]))
        targets = list(dict.fromkeys(t["target"]))
        width = 0.8 / len(names)
        for i, name in enumerate(names):
            d = t[t["estimator"] == name].set_index("target").loc[
                [x for x in targets if x in set(t.loc[t.estimator == name, "target"])]]
            x = np.array([targets.index(v) for v in d.index]) + (i - len(names) / 2 + 0.5) * width
            for a, col in zip(ax, ("bias", "coverage"), strict=True):
                a.errorbar(x, d[col], yerr=1.96 * d[f"{col}_mcse"], fmt="o", ms=4, capsize=2,
                           label=name)
        ax[0].axhline(0, color="grey", lw=0.8)
        ax[1].axhline(self.conf_level, color="grey", lw=0.8)
        for a, title in zip(ax, ("bias (estimate - truth)", "coverage of the confidence "
                                 "interval"), strict=True):
            a.set_xticks(range(len(targets)), [str(v) for v in targets])
            a.set_xlabel("target (event time)" if self.aggregation == "dynamic" else "target")
            a.set_title(title)
        ax[0].legend(fontsize=7)
        return ax


def _summarise(d: pd.DataFrame, alpha: float) -> dict[str, float]:
    """Monte Carlo summary of one estimator's estimates of one target."""
    r = len(d)
    err = d["estimate"] - d["truth"]
    cover = ((d["conf_low"] <= d["truth"]) & (d["truth"] <= d["conf_high"])).astype(float)
    reject = (d["p_value"] < alpha).astype(float)
    rmse = float(np.sqrt(np.mean(err ** 2)))
    sd = float(d["estimate"].std(ddof=1)) if r > 1 else np.nan
    root = np.sqrt(r)

    def prop_se(p: float) -> float:
        return float(np.sqrt(p * (1 - p) / r))

    return {
        "truth": float(d["truth"].mean()), "mean_estimate": float(d["estimate"].mean()),
        "bias": float(err.mean()), "rmse": rmse, "sd_estimate": sd,
        "mean_se": float(d["std_error"].mean()), "coverage": float(cover.mean()),
        "rejection_rate": float(reject.mean()),
        "mean_estimate_mcse": sd / root, "bias_mcse": float(err.std(ddof=1)) / root if r > 1
        else np.nan,
        "rmse_mcse": float((err ** 2).std(ddof=1) / (2 * rmse * root)) if r > 1 and rmse > 0
        else np.nan,
        "sd_estimate_mcse": sd / np.sqrt(2 * (r - 1)) if r > 1 else np.nan,
        "mean_se_mcse": float(d["std_error"].std(ddof=1)) / root if r > 1 else np.nan,
        "coverage_mcse": prop_se(float(cover.mean())),
        "rejection_rate_mcse": prop_se(float(reject.mean())),
    }


def estimator_lab(dgp: Callable[[int], tuple[pd.DataFrame, Any]], *, replications: int,
                  estimators: Sequence[str] | None = None, outcome: str, unit: str = "county",
                  time: str = "year", cohort: str = "cohort", aggregation: str = "simple",
                  conf_level: float = 0.95, scheduler: Any = None, seed: int) -> LabResult:
    """Grade event-study estimators on ``replications`` panels with a known truth.

    Parameters
    ----------
    dgp : callable
        ``seed -> (panel, truth)``; truth is a float (``aggregation="simple"``) or a Series
        indexed by event time (``"dynamic"``). E.g. ``abm.ReformPanel.dgp(...)`` or
        :func:`simulated_dgp`.
    replications : int
        Number of panels; their seeds are spawned from ``seed`` (``numpy.random.SeedSequence``).
    estimators : sequence of str, optional
        Names of :data:`LAB_ESTIMATORS` or of the registry; default all of
        :data:`LAB_ESTIMATORS` (TWFE, Callaway-Sant'Anna with never- and not-yet-treated
        controls, Sun-Abraham, imputation).
    outcome, unit, time, cohort : str
        Columns of the panel (cohort: first treated period, 0 for never).
    aggregation : {"simple", "dynamic"}
        Target: the overall ATT or the event-time path.
    conf_level : float
        Level of the confidence intervals whose coverage is measured.
    scheduler : None, "synchronous", or a Dask scheduler
        None / "synchronous": replications run one after another here; otherwise a
        ``distributed.Client``, a cluster object or a scheduler address runs them as tasks.
    seed : int
        Root seed of the replications.

    Returns
    -------
    LabResult

    Examples
    --------
    >>> dgp = simulated_dgp(n_units=60, n_periods=6, cohorts=(3, 5), effect=1.0, dynamic=0.5)
    >>> lab = estimator_lab(dgp, replications=4, outcome="y", unit="unit", time="time",
    ...                     estimators=["twfe", "cs_never"], seed=2)
    >>> lab.tidy().estimator.tolist()
    ['twfe', 'cs_never']
    """
    check_choice("aggregation", aggregation, _AGGREGATIONS)
    names = list(LAB_ESTIMATORS) if estimators is None else list(estimators)
    if not names:
        raise ValueError("estimators is empty: give at least one name")
    for name in names:
        if name not in LAB_ESTIMATORS:
            try:
                get_estimator(name)
            except ValueError:
                raise ValueError(f"unknown estimator {name!r}; allowed: "
                                 f"{', '.join(LAB_ESTIMATORS)} or a registry name") from None
    check_count("replications", replications, 1)
    conf_level = check_conf_level(conf_level)
    if not callable(dgp):
        raise TypeError("dgp must be a callable seed -> (panel, truth)")
    seeds = replication_seeds(seed, replications)
    kw = dict(outcome=outcome, unit=unit, time=time, cohort=cohort, aggregation=aggregation,
              conf_level=conf_level)
    if scheduler in (None, "synchronous"):
        parts = [_replicate(dgp, s, names, kw) for s in tqdm(seeds, desc="estimator lab",
                                                               leave=False)]
    else:
        parts = _on_dask(scheduler, dgp, seeds, names, kw)
    draws = pd.concat(parts, ignore_index=True)
    draws = draws[["seed", "estimator", "target", "truth", "estimate", "std_error", "conf_low",
                   "conf_high", "p_value"]]
    return LabResult(draws=draws, conf_level=conf_level, aggregation=aggregation)


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Return the seeds of :func:`estimator_lab`'s replications, spawned from ``seed``.

    A caller that prepares the panels ahead (e.g. simulates them all at once) uses these.

    Examples
    --------
    >>> a = replication_seeds(7, 3)
    >>> a == replication_seeds(7, 3), len(set(a)), a[:2] == replication_seeds(7, 2)
    (True, 3, True)
    """
    return [int(c.generate_state(1, dtype=np.uint32)[0])
            for c in np.random.SeedSequence(seed).spawn(int(replications))]


def _on_dask(scheduler: Any, dgp: Callable, seeds: list[int], names: list[str],
             kw: dict) -> list[pd.DataFrame]:
    from distributed import Client

    if isinstance(scheduler, Client):
        client, own = scheduler, False
    else:
        client, own = Client(scheduler), True
    try:
        futures = client.map(_replicate, [dgp] * len(seeds), seeds, names=names, kw=kw,
                             pure=False)
        return client.gather(futures)
    finally:
        if own:
            client.close()
