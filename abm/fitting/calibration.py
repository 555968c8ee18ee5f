"""Calibration with uncertainty: :func:`calibrate`, the shipped posterior and its draws.

Method (docs/calibration.md): each fitted fact of ``datasets/targets.csv`` is read as a noisy
observation of the model's value, with its ``tolerance`` column as one standard deviation (a
``band`` fact is flat inside its band, with Gaussian tails a quarter of the band wide). Priors are
uniform over each parameter's range (the field's declared range, or a narrower one given by the
caller). Every batch of runs is one :func:`abm.sweep` of parameter draws x seeds (so a calibration
runs on any Dask cluster and an interrupted one resumes from its store, replaying the same draws).

``method="history-matching"`` (default; :mod:`abm.fitting.history_matching`): a Latin-hypercube wave
over the priors, Gaussian-process emulators of every fact, a second wave where the emulators find
the facts plausible, then posterior draws proposed by the refitted emulators and weighted by
real runs (true likelihood / emulated likelihood).

``method="optuna-is"``, in two stages:

1. *Point fit* with Optuna's TPE sampler (ask/tell, seeded): the draw that minimises
   ``sum(z**2)``, ``z`` the standardised misses of the fitted facts.
2. *Posterior* by importance sampling: draws from a proposal around the point fit (a truncated
   normal as wide as the best quarter of the fit's trials, mixed with the prior for safety),
   weighted by prior x likelihood / proposal. ``Calibration.draws`` holds them with their
   normalised weights; the effective sample size says how many independent draws they are worth.

Examples
--------
>>> from abm.fitting.calibration import priors
>>> priors(["referral.accept_trust", "hospital.margin"])
{'referral.accept_trust': (0.0, 50.0), 'hospital.margin': (0.0, 1.0)}
"""

from __future__ import annotations

import importlib.metadata
import math
import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from abm.fitting import history_matching as hm
from abm.fitting.validation import FACTS, check_facts, fact_band, fact_target, fact_values
from abm.inputs import data
from abm.inputs.checks import check_int
from abm.inputs.params import GROUP_TYPES, ParamError, Params, field_of
from abm.inputs.posterior import (
    LEVEL,
    posterior,
    posterior_median,
    posterior_mode,
    posterior_params,
    posterior_scenarios,
    resample,
    weighted_quantile,
)

#: Methods of :func:`calibrate` (the first is the default).
METHODS = ("history-matching", "optuna-is")
#: Draws of highest likelihood run again on fresh seeds to choose the posterior mode, and the
#: number of those seeds (:func:`mode_on_fresh_seeds`).
MODE_CANDIDATES = 8
MODE_SEEDS = 3
#: Candidate parameter sets the emulators score per step of history matching.
POOL = 2 ** 15
#: Variance inflation of the emulated likelihood in the history-matching proposal (heavier
#: tails than the posterior keep the importance weights bounded).
TEMPER = 2.0
#: Share of the budget spent on the point fit (the rest draws the posterior).
FIT_SHARE = 1 / 4
#: Weight of the prior in the importance proposal (keeps the weights bounded in the tails).
DEFENSIVE = 0.2
#: Fitted facts must be judged "near" (a tolerance) or "band".
FITTABLE = ("near", "band")
#: Standardised miss of a fact that a run cannot express (NaN, e.g. a growth from zero).
UNDEFINED_MISS = 10.0


# ---------------------------------------------------------------- priors and targets
def priors(parameters: Sequence[str] | Mapping[str, tuple[float, float] | None]
           ) -> dict[str, tuple[float, float]]:
    """Uniform priors: each parameter's declared range, or the (low, high) given for it.

    ``parameters`` is a list of dotted names, or a mapping name -> ``(low, high)`` (``None``
    keeps the declared range). A given range must lie inside the declared one.

    Examples
    --------
    >>> priors({"choice.asc_self_care": (2.0, 6.0)})
    {'choice.asc_self_care': (2.0, 6.0)}
    """
    given = dict(parameters) if isinstance(parameters, Mapping) else dict.fromkeys(parameters)
    if not given:
        raise ValueError("parameters is empty: name at least one dotted parameter to fit")
    out = {}
    for name, rng in given.items():
        lo, hi = _declared_range(name)
        if rng is not None:
            a, b = (float(x) for x in rng)
            if not (lo <= a < b <= hi):
                raise ParamError(f"prior of {name} = ({a:g}, {b:g}) is outside the field's "
                                 f"range [{lo:g}, {hi:g}] (or empty)")
            lo, hi = a, b
        out[name] = (lo, hi)
    return out


def _declared_range(name: str) -> tuple[float, float]:
    group, _, fname = str(name).partition(".")
    if group not in GROUP_TYPES or group == "reform":
        raise ParamError(f"unknown parameter {name!r}; fit 'group.field' names of abm.describe() "
                         f"(groups: {', '.join(g for g in GROUP_TYPES if g != 'reform')})")
    f = field_of(GROUP_TYPES[group], fname, name)
    if not isinstance(f.default, float):
        raise ParamError(f"{name} cannot be fitted: only scalar real parameters can (its default "
                         f"is {f.default!r})")
    lo, hi = f.metadata.get("range", (None, None))
    if lo is None or hi is None:
        raise ParamError(f"{name} has an open range [{lo}, {hi}]: give its prior as (low, high)")
    return float(lo), float(hi)


def check_targets(targets: Sequence[str]) -> list[str]:
    """Fact ids to fit: known to :data:`.validation.FACTS` and judged near or in a band."""
    if isinstance(targets, str) or not len(targets):
        raise ValueError("targets must be a non-empty list of fact ids of datasets/targets.csv")
    names = list(targets)
    check_facts(names)
    bad = [n for n in names if FACTS[n].how not in FITTABLE]
    if bad:
        raise ValueError(f"targets {bad} cannot be fitted (judged {[FACTS[n].how for n in bad]}):"
                         f" fit facts judged {' or '.join(FITTABLE)}")
    return names


def _misses(values: pd.DataFrame, names: Sequence[str], observed: Mapping[str, float],
            extra_sd: pd.DataFrame | None = None) -> pd.DataFrame:
    """Standardised misses ``z`` of each fact (columns) per row of simulated values.

    A fact's scale is its tolerance (a quarter of the band for a band fact); ``extra_sd`` (same
    shape as ``values``, e.g. an emulator's predictive sd) is added to it in quadrature. A fact
    a run cannot express (NaN: a growth from nothing) counts as a miss of :data:`UNDEFINED_MISS`.
    """
    targets = data.load_targets()
    out = {}
    for n in names:
        v = values[n].to_numpy(dtype=float)
        if FACTS[n].how == "band":
            lo, hi = fact_band(n, targets)
            miss, scale = np.maximum(lo - v, 0) + np.maximum(v - hi, 0), (hi - lo) / 4
        else:
            target, scale = fact_target(n, targets)
            miss = v - observed.get(n, target)
        extra = 0.0 if extra_sd is None else extra_sd[n].to_numpy(dtype=float)
        z = miss / np.sqrt(scale ** 2 + extra ** 2)
        out[n] = np.where(np.isnan(z), UNDEFINED_MISS, z)
    return pd.DataFrame(out, index=values.index)


def discrepancy(values: pd.DataFrame, names: Sequence[str],
                observed: Mapping[str, float] | None = None) -> pd.Series:
    """``sum(z**2)`` per draw over the fitted facts, values averaged over seeds first.

    ``-discrepancy / 2`` is the log-likelihood of the draw (Gaussian errors, sd = tolerance).
    """
    means = values.groupby("draw", sort=False)[list(names)].mean()
    return (_misses(means, names, observed or {}) ** 2).sum(axis=1)


# ---------------------------------------------------------------- weighted statistics
def truncate_weights(w: np.ndarray) -> np.ndarray:
    """Normalised importance weights capped at ``sqrt(n)`` times their mean.

    Truncated importance sampling (Ionides, J. Comput. Graph. Stat. 17, 2008): a few draws from
    the thin tail of a proposal cannot carry the whole posterior; the cap trades a small bias
    for a much smaller variance.

    Examples
    --------
    >>> truncate_weights(np.array([1.0, 1.0, 1.0, 97.0])).round(3).tolist()
    [0.019, 0.019, 0.019, 0.943]
    """
    w = np.asarray(w, float) / np.sum(w)
    w = np.minimum(w, w.mean() * math.sqrt(len(w)))
    return w / w.sum()


def effective_sample_size(w: np.ndarray) -> float:
    """Kish's effective sample size of importance weights, ``(sum w)^2 / sum w^2``."""
    w = np.asarray(w, float)
    return float(w.sum() ** 2 / (w ** 2).sum())


# ---------------------------------------------------------------- the result
@dataclass
class Calibration:
    """Result of :func:`calibrate`.

    ``draws``: posterior draws (columns = dotted names, ``weight`` summing to one);
    ``priors``: name -> (low, high); ``targets``: fitted fact ids; ``trials``: the point fit's
    trials (parameters, ``discrepancy``, ``generation``); ``simulated``: fact values of every
    posterior draw (mean over seeds); ``best``: the point fit; ``meta``: the call, seeds,
    versions, git revision and cost.
    """

    draws: pd.DataFrame
    priors: dict[str, tuple[float, float]]
    targets: list[str]
    trials: pd.DataFrame = field(default_factory=pd.DataFrame)
    simulated: pd.DataFrame = field(default_factory=pd.DataFrame)
    best: dict[str, float] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def parameters(self) -> list[str]:
        """Fitted parameters (dotted names)."""
        return list(self.priors)

    def summary(self) -> pd.DataFrame:
        """Per parameter: prior range, point fit, posterior median and 90% interval."""
        w = self.draws["weight"].to_numpy()
        rows = []
        for name, (lo, hi) in self.priors.items():
            q05, med, q95 = weighted_quantile(self.draws[name].to_numpy(), w,
                                              [(1 - LEVEL) / 2, 0.5, (1 + LEVEL) / 2])
            rows.append({"parameter": name, "prior_low": lo, "prior_high": hi,
                         "point_fit": self.best.get(name, np.nan), "median": med,
                         "q05": q05, "q95": q95})
        return pd.DataFrame(rows).set_index("parameter")

    def median(self) -> dict[str, float]:
        """Posterior medians as ``{dotted name: value}`` (for :meth:`abm.Params.replace`)."""
        return {k: float(v) for k, v in self.summary()["median"].items()}

    def plot(self):
        """Marginal posteriors (weighted histograms over the prior range) and each fitted fact.

        Returns the matplotlib Figure.
        """
        from abm.fitting.calibration_plot import plot_calibration

        return plot_calibration(self)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the draws as Parquet with the provenance in the file's metadata."""
        meta = {**self.meta, "priors": self.priors, "targets": self.targets, "best": self.best}
        return data.write_posterior(self.draws, meta, path)


# ---------------------------------------------------------------- the calibration
def calibrate(preset: str | Params, *, parameters: Sequence[str] | Mapping[str, Any],
              targets: Sequence[str], method: str = "history-matching", budget: int = 150,
              batch: int = 10, fit: int | None = None, seeds: int = 1,
              scale: float | None = 50.0,
              out: str | os.PathLike | None = None, scheduler: Any = None,
              n_workers: int = 2, seed: int = 2026, observed: Mapping[str, float] | None = None,
              progress: bool = True, mode_seeds: int = MODE_SEEDS) -> Calibration:
    """Fit parameters to facts of ``datasets/targets.csv`` and return posterior draws.

    Parameters
    ----------
    preset
        County preset name (e.g. ``"x_county"``) or a :class:`abm.Params` to start from.
    parameters
        Dotted names to fit, or a mapping name -> ``(low, high)`` prior range (``None``: the
        field's declared range). Priors are uniform.
    targets
        Fact ids of :data:`abm.fitting.validation.FACTS` judged near or in a band; the tolerance
        column of ``datasets/targets.csv`` is each fact's standard deviation.
    method
        ``"history-matching"`` (default): two waves of history matching with Gaussian-process
        emulators (scikit-learn), then emulator-proposed draws weighted by real runs.
        ``"optuna-is"``: Optuna TPE point fit, then importance-sampled draws around it.
    budget
        Parameter sets simulated in all (each on ``seeds`` seeds). History matching: half in two
        design waves, half are the posterior draws. Optuna-is: a quarter for the point fit
        (whole generations of ``batch``), the rest are the posterior draws.
    batch
        Optuna-is: parameter sets per generation of the point fit (one sweep each).
    fit
        Optuna-is: parameter sets of the point fit (default: a quarter of the budget).
        With the same ``fit``, a smaller budget gives the first posterior draws of a larger one
        (and reuses their stored runs).
    seeds
        Simulation seeds per parameter set (spawned from ``seed``; the same for every set).
    scale
        Residents per simulated patient (``None``: the preset's).
    out
        Sweep store (resumable: rerunning an interrupted calibration recomputes nothing stored
        and gives the same draws). ``None``: a temporary store.
    scheduler, n_workers
        As for :func:`abm.sweep`.
    seed
        Seed of the Optuna sampler, the proposal and the simulation seeds.
    observed
        Values replacing the data package's targets for some facts (e.g. a synthetic truth).
    progress
        Progress bars of the sweeps.
    mode_seeds
        Fresh seeds on which the most likely draws are run again to choose the mode
        (:func:`mode_on_fresh_seeds`); more where seed noise on a fact is large.

    Examples
    --------
    Bad input fails before anything runs, naming it:

    >>> import abm
    >>> abm.calibrate("x_county", parameters=["choice.asc_self_care"], targets=["no_such_fact"])
    Traceback (most recent call last):
    ...
    ValueError: unknown fact(s) ['no_such_fact']; valid facts: ...

    The shipped x_county posterior (docs/scripts/calibrate_x_county.py, ``make calibrate``)::

        cal = abm.calibrate("x_county", parameters={"choice.asc_self_care": (2.0, 6.0), ...},
                            targets=["forgone_care_rate", ...], budget=300, scale=20,
                            out="sweeps/calibration_x_county")
        cal.summary()
        cal.save("datasets/posterior_x_county.parquet")
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    prior = priors(parameters)
    names = check_targets(targets)
    budget = check_int(budget, "budget", 1)
    batch = check_int(batch, "batch", 1)
    n_seeds = check_int(seeds, "seeds", 1)
    seed = check_int(seed, "seed", 0)
    mode_seeds = check_int(mode_seeds, "mode_seeds", 1)
    base = _base(preset, scale)
    obs = _observed(observed, names)
    from abm.runs.experiments import spawn_seeds

    sim_seeds = spawn_seeds(seed, n_seeds)
    run = _Runner(base, names, sim_seeds, out=out, scheduler=scheduler, n_workers=n_workers,
                  progress=progress)
    cal = infer(run, prior, names, method=method, budget=budget, batch=batch, fit=fit, seed=seed,
                observed=obs)
    fresh = spawn_seeds(seed + 1, mode_seeds)
    cal.meta.update(mode_on_fresh_seeds(
        cal, _Runner(base, names, fresh, out=out, scheduler=scheduler, n_workers=n_workers,
                     progress=progress), obs))
    cal.meta.update({
        "call": {"preset": preset if isinstance(preset, str) else "Params",
                 "parameters": {k: list(v) for k, v in prior.items()}, "targets": names,
                 "method": method, "budget": budget, "batch": batch, "fit": fit,
                 "seeds": n_seeds, "mode_seeds": mode_seeds,
                 "scale": scale, "seed": seed, "observed": observed or {}},
        "simulation_seeds": sim_seeds, "years": max(FACTS[n].years for n in names),
        "runs": (cal.meta.get("parameter_sets", budget) * n_seeds
                 + len(cal.meta["mode_candidates"]) * mode_seeds), "versions": versions(),
        "git_revision": git_revision()})
    return cal


def mode_on_fresh_seeds(cal: Calibration, evaluate: Callable[[pd.DataFrame, str], pd.DataFrame],
                        observed: Mapping[str, float]) -> dict[str, Any]:
    """Find the posterior mode robustly to seed noise (``mode``, ``mode_facts``, candidates).

    The draw of highest likelihood on the calibration's own seeds is partly the luckiest one (a
    winner's curse: on x_county the downward referral rate of one parameter set can vary by a
    factor of two between seeds). So the :data:`MODE_CANDIDATES` draws of highest likelihood are run
    again on fresh seeds (``evaluate`` runs ``mode_seeds`` of them) and the mode is the one
    whose facts, averaged over those seeds, are most likely.
    """
    top = np.argsort(discrepancy(cal.simulated.assign(draw=range(len(cal.simulated))),
                                 cal.targets, observed).to_numpy(), kind="stable")
    top = top[:MODE_CANDIDATES]
    thetas = cal.draws.iloc[top][cal.parameters].reset_index(drop=True)
    values = evaluate(thetas, "mode")
    d = discrepancy(values, cal.targets, observed).to_numpy()
    best = int(np.argmin(d))
    return {"mode": thetas.iloc[best].astype(float).to_dict(),
            "mode_facts": _means(values, cal.targets).iloc[best].astype(float).to_dict(),
            "mode_candidates": [int(i) for i in top]}


def infer(evaluate: Callable[[pd.DataFrame, str], pd.DataFrame],
          prior: dict[str, tuple[float, float]], names: list[str], *, budget: int, seed: int,
          observed: Mapping[str, float], method: str = "history-matching", batch: int = 10,
          fit: int | None = None) -> Calibration:
    """Run the inference of :func:`calibrate` for any simulator ``evaluate``.

    ``evaluate(thetas, label)`` gets a frame of parameter sets (dotted-name columns) and returns
    the simulated facts: columns ``draw`` (``label`` + row number), ``seed`` and one per fact.
    :func:`calibrate` passes the model through :func:`abm.sweep`; tests pass toy models whose
    true parameters are known. ``batch`` and ``fit`` concern ``method="optuna-is"`` only.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if method == "history-matching":
        return _infer_history(evaluate, prior, names, budget=budget, seed=seed,
                              observed=observed)
    return _infer_optuna(evaluate, prior, names, budget=budget, batch=batch, seed=seed,
                         observed=observed, fit=fit)


def _means(values: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Fact values per parameter set (mean over seeds), in the order of the draws."""
    return values.groupby("draw", sort=False)[list(names)].mean().reset_index(drop=True)


def _importance(values: pd.DataFrame, names: list[str], observed: Mapping[str, float],
                log_proposal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return truncated normalised weights ``prior x likelihood / proposal``, and the raw ones.

    Priors are uniform, so the prior is a constant inside its box; ``log_proposal`` is the log
    proposal density of each draw up to a constant.
    """
    logw = -discrepancy(values, names, observed).to_numpy() / 2 - log_proposal
    raw = np.exp(logw - logw.max())
    return truncate_weights(raw), raw


def _result(thetas: pd.DataFrame, values: pd.DataFrame, names: list[str],
            prior: dict[str, tuple[float, float]], trials: pd.DataFrame, w: np.ndarray,
            raw: np.ndarray, **meta: Any) -> Calibration:
    best = trials.loc[trials["discrepancy"].idxmin(), list(prior)].astype(float).to_dict()
    return Calibration(draws=thetas.assign(weight=w).reset_index(drop=True), priors=prior,
                       targets=names, trials=trials, simulated=_means(values, names), best=best,
                       meta={"effective_sample_size": effective_sample_size(w),
                             "effective_sample_size_untruncated": effective_sample_size(raw),
                             **meta})


def _infer_optuna(evaluate: Callable[[pd.DataFrame, str], pd.DataFrame],
                  prior: dict[str, tuple[float, float]], names: list[str], *, budget: int,
                  batch: int, seed: int, observed: Mapping[str, float],
                  fit: int | None) -> Calibration:
    """Optuna TPE point fit, then importance sampling around it (``method="optuna-is"``)."""
    n_fit = (max(batch, int(budget * FIT_SHARE) // batch * batch) if fit is None
             else check_int(fit, "fit", 1))
    if budget < n_fit + 2:
        raise ValueError(f"budget={budget} is too small: the point fit takes {n_fit} parameter "
                         f"sets and the posterior at least 2")
    trials = _point_fit(evaluate, prior, names, observed, n_fit, batch, seed)
    best = trials.loc[trials["discrepancy"].idxmin(), list(prior)].astype(float).to_dict()
    thetas, q_pdf = _proposal(trials, prior, best, budget - n_fit, seed)
    values = evaluate(thetas, "post")
    volume = math.prod(hi - lo for lo, hi in prior.values())
    w, raw = _importance(values, names, observed, np.log(q_pdf * volume))
    return _result(thetas, values, names, prior, trials, w, raw)


def _infer_history(evaluate: Callable[[pd.DataFrame, str], pd.DataFrame],
                   prior: dict[str, tuple[float, float]], names: list[str], *, budget: int,
                   seed: int, observed: Mapping[str, float]) -> Calibration:
    """Two waves of history matching, then emulator-proposed draws weighted by real runs.

    Half the budget is the design: wave 1 a Latin hypercube over the prior box, wave 2 drawn
    among the parameter sets wave 1's emulator finds plausible (implausibility below
    :data:`abm.fitting.history_matching.CUTOFF`). The other half are posterior draws: sampled from a
    pool over the box of plausible sets with probability proportional to the emulated likelihood
    (its variance inflated by :data:`TEMPER`, so the proposal has heavier tails than the
    posterior), each distinct one simulated once, and weighted by true likelihood / emulated
    likelihood (times the number of times it was drawn). Mass outside the plausible box is
    neglected (history matching's premise).
    """
    n_design = budget // 2
    n1 = (n_design + 1) // 2
    if budget < 8:
        raise ValueError(f"budget={budget} is too small: history matching needs at least 8 "
                         f"parameter sets (two design waves and the posterior draws)")
    lo, hi = (np.array(v, float) for v in zip(*prior.values(), strict=True))

    def frame(unit: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(lo + unit * (hi - lo), columns=list(prior))

    def emulate(X: np.ndarray, Y: pd.DataFrame) -> Callable[[np.ndarray], tuple]:
        em = hm.fit_emulator(X, Y[names].to_numpy(), seed)

        def predict(at: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
            mean, sd = em.predict(at)
            return pd.DataFrame(mean, columns=names), pd.DataFrame(sd, columns=names)
        return predict

    def z_of(mean: pd.DataFrame, sd: pd.DataFrame | None = None) -> np.ndarray:
        return _misses(mean, names, observed, extra_sd=sd).to_numpy()

    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    X1 = hm.latin_hypercube(len(prior), n1, rng)
    Y1 = _means(evaluate(frame(X1), "wave1_"), names)
    pool = hm.latin_hypercube(len(prior), POOL, rng)
    imp = hm.implausibility(z_of(*emulate(X1, Y1)(pool)))
    plausible = np.flatnonzero(imp < hm.CUTOFF)
    n2 = n_design - n1
    X2 = (pool[rng.choice(plausible, n2, replace=False)] if plausible.size >= n2
          else pool[np.argsort(imp, kind="stable")[:n2]])
    Y2 = _means(evaluate(frame(X2), "wave2_"), names)
    X, Y = np.vstack([X1, X2]), pd.concat([Y1, Y2], ignore_index=True)
    predict = emulate(X, Y)
    # where the refitted emulator still finds the facts plausible: the proposal's box
    keep = hm.implausibility(z_of(*predict(pool))) < hm.CUTOFF
    box_lo, box_hi = hm.plausible_box(pool, keep)
    cand = box_lo + hm.latin_hypercube(len(prior), POOL, rng) * (box_hi - box_lo)
    mean, sd = predict(cand)
    log_q = -(z_of(mean, sd) ** 2).sum(axis=1) / (2 * TEMPER)
    p = np.exp(log_q - log_q.max())
    # a candidate drawn k times is simulated once and counts k times (its weight x k)
    pick, times = np.unique(rng.choice(POOL, budget - n_design, p=p / p.sum()),
                            return_counts=True)
    thetas = frame(cand[pick])
    values = evaluate(thetas, "post")
    w, raw = _importance(values, names, observed, log_q[pick] - np.log(times))
    design = frame(X).assign(discrepancy=(z_of(Y) ** 2).sum(axis=1),
                             generation=np.repeat([0, 1], [n1, n2]))
    # the emulator's error at the posterior draws, in units of each fact's tolerance
    miss = z_of(_means(values, names)) - z_of(mean.iloc[pick].reset_index(drop=True))
    box = {k: [float(lo[i] + box_lo[i] * (hi[i] - lo[i])),
               float(lo[i] + box_hi[i] * (hi[i] - lo[i]))] for i, k in enumerate(prior)}
    return _result(thetas, values, names, prior, design, w, raw,
                   plausible_share=float(keep.mean()), plausible_box=box,
                   parameter_sets=n_design + len(pick),
                   emulator_error=dict(zip(names, np.sqrt((miss ** 2).mean(axis=0)).tolist(),
                                           strict=True)))


def _base(preset: str | Params, scale: float | None) -> Params:
    from abm.inputs.params import preset as make_preset

    # from the deterministic baseline calibration, so a rerun does not depend on the shipped file
    base = preset if isinstance(preset, Params) else make_preset(preset, calibrated=False)
    return base.replace(**{"setting.scale": float(scale)}) if scale is not None else base


def _observed(observed: Mapping[str, float] | None, names: list[str]) -> dict[str, float]:
    """Target of each fitted fact: the data package's, or the value given in ``observed``."""
    observed = dict(observed or {})
    extra = sorted(set(observed) - set(names))
    if extra:
        raise ValueError(f"observed names facts that are not targets: {extra}")
    targets = data.load_targets()
    return {n: float(observed.get(n, fact_target(n, targets)[0])) for n in names}


@dataclass
class _Runner:
    """Simulate parameter sets (a frame of dotted-name columns) through abm.sweep."""

    base: Params
    names: list[str]
    seeds: list[int]
    sweep_kw: dict[str, Any]

    def __init__(self, base: Params, names: list[str], seeds: list[int], **sweep_kw: Any):
        self.base, self.names, self.seeds, self.sweep_kw = base, names, seeds, sweep_kw

    def __call__(self, thetas: pd.DataFrame, label: str) -> pd.DataFrame:
        bases = {f"{label}{i}": self.base.replace(**row) for i, row in
                 enumerate(thetas.to_dict(orient="records"))}
        return fact_values(bases, self.names, self.seeds, **self.sweep_kw)


def _point_fit(evaluate: Callable[[pd.DataFrame, str], pd.DataFrame],
               prior: dict[str, tuple[float, float]], names: list[str],
               observed: Mapping[str, float], n_fit: int, batch: int,
               seed: int) -> pd.DataFrame:
    """Optuna TPE in generations of ``batch`` asks, each generation one sweep."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    dists = {n: optuna.distributions.FloatDistribution(lo, hi) for n, (lo, hi) in prior.items()}
    study = optuna.create_study(
        direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed,
                                                                 n_startup_trials=batch))
    frames = []
    for g in range(math.ceil(n_fit / batch)):
        asked = [study.ask(dists) for _ in range(min(batch, n_fit - g * batch))]
        thetas = pd.DataFrame([t.params for t in asked], columns=list(prior))
        d = discrepancy(evaluate(thetas, f"fit{g}_"), names, observed).to_numpy()
        for t, v in zip(asked, d, strict=True):
            study.tell(t, float(v))
        frames.append(thetas.assign(discrepancy=d, generation=g))
    return pd.concat(frames, ignore_index=True)


def _proposal(trials: pd.DataFrame, prior: dict[str, tuple[float, float]],
              best: dict[str, float], n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` draws from the importance proposal and their proposal density.

    A mixture: with probability :data:`DEFENSIVE` the prior, else independent normals truncated
    to the prior box, centred on the point fit, as wide as the best quarter of the trials (at
    least a twentieth of the prior range). Draw ``i`` has its own random stream (``seed``,
    ``i``), so a smaller budget draws the first draws of a larger one and reuses their runs.
    """
    top = trials.nsmallest(max(3, len(trials) // 4), "discrepancy")
    normals = {}
    for name, (lo, hi) in prior.items():
        spread = float(top[name].std(ddof=1)) if len(top) > 1 else 0.0
        sd = max(spread, (hi - lo) / 20)
        normals[name] = stats.truncnorm((lo - best[name]) / sd, (hi - best[name]) / sd,
                                        loc=best[name], scale=sd)
    rows = []
    for i in range(n):
        rng = np.random.default_rng(np.random.SeedSequence([seed, 1, i]))
        if rng.random() < DEFENSIVE:
            rows.append({k: rng.uniform(lo, hi) for k, (lo, hi) in prior.items()})
        else:
            rows.append({k: float(d.rvs(random_state=rng)) for k, d in normals.items()})
    thetas = pd.DataFrame(rows, columns=list(prior))
    volume = math.prod(hi - lo for lo, hi in prior.values())
    normal_pdf = np.prod([d.pdf(thetas[k].to_numpy()) for k, d in normals.items()], axis=0)
    return thetas, DEFENSIVE / volume + (1 - DEFENSIVE) * normal_pdf


# ---------------------------------------------------------------- provenance
def versions() -> dict[str, str]:
    """Versions of the packages that shape a calibration."""
    out = {}
    for pkg in ("referral-incentives-lab", "numpy", "pandas", "scipy", "optuna", "mesa",
                "numba", "dask"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def git_revision() -> str:
    """Return the git revision (``-dirty`` with local changes), or ``unknown``."""
    root = Path(__file__).resolve().parents[2]
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + ("-dirty" if dirty.strip() else "")


def bands(frame: pd.DataFrame, metrics: Sequence[str], by: str | Sequence[str] = "scenario",
          level: float = LEVEL) -> pd.DataFrame:
    """Mean and central ``level`` band of ``metrics`` over all rows of each group.

    For a sweep with ``posterior=``, the rows of a scenario are its draws x seeds, so the band
    holds parameter uncertainty and seed noise together.

    Examples
    --------
    >>> f = pd.DataFrame({"scenario": ["a"] * 5, "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    >>> bands(f, ["x"]).round(2).values.tolist()
    [['a', 'x', 3.0, 1.2, 4.8, 5]]
    """
    rows = []
    for key, g in frame.groupby(by, sort=False):
        for m in metrics:
            lo, hi = np.quantile(g[m], [(1 - level) / 2, (1 + level) / 2])
            rows.append({"scenario": key, "metric": m, "mean": float(g[m].mean()),
                         "lower": float(lo), "upper": float(hi), "runs": len(g)})
    return pd.DataFrame(rows)


__all__ = ["METHODS", "Calibration", "bands", "calibrate", "discrepancy", "effective_sample_size",
           "infer", "posterior", "posterior_median", "posterior_mode", "posterior_params",
           "posterior_scenarios", "priors", "resample", "weighted_quantile"]
