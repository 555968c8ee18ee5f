"""Calibration paper: the shipped x_county posterior and every fact with its predictive band.

Run by ``python -m papers.build`` (``make figures``). The posterior is read from the data
package (``abm.posterior``, produced by ``make calibrate``, never by this build); the predictive
bands come from :func:`abm.validate` with ``posterior=`` draws, through ``abm.sweep``.
"""

from __future__ import annotations

import hashlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from abm import posterior, preset, reform_packages, validate  # noqa: E402
from abm.fitting.calibration import bands  # noqa: E402
from abm.fitting.calibration_plot import calibration_figure  # noqa: E402
from abm.fitting.validation import FACTS, scenario_runs  # noqa: E402
from abm.inputs.data import posterior_path  # noqa: E402
from abm.inputs.posterior import LEVEL, posterior_params  # noqa: E402
from papers.build import Experiment, Figure  # noqa: E402


def _posterior_hash() -> str:
    return hashlib.sha256(posterior_path("x_county").read_bytes()).hexdigest()[:16]


def posterior_config(fast: bool) -> dict:
    return {"posterior": _posterior_hash()}


def run_posterior(cfg: dict, store, scheduler) -> pd.DataFrame:
    """The shipped draws in long form with each parameter's prior range."""
    draws = posterior("x_county")
    priors = draws.attrs["calibration"]["priors"]
    long = draws.reset_index(names="draw").melt(id_vars=["draw", "weight"], var_name="parameter")
    long["prior_low"] = long["parameter"].map(lambda p: priors[p][0])
    long["prior_high"] = long["parameter"].map(lambda p: priors[p][1])
    return long


#: Outcomes of the predictive paths (item 8 of the reform-response issue).
PATH_METRICS = ("primary_outpatient_share", "downward_referral_rate", "upward_referral_rate",
                "visits_per_capita", "oop_per_episode", "insurance_spend_per_capita",
                "inpatient_county_internal_rate")
REFORM_YEARS = 5
STATUS_QUO = "status quo"


def path_packages() -> list[str]:
    """Named reform packages (the secular trends are not a reform: they run from day 0)."""
    return [p for p in dict.fromkeys(reform_packages()["package"]) if p != "secular_2011_2021"]


def posterior_runs_config(fast: bool) -> dict:
    """The posterior runs that ``predictive`` and ``paths`` share (one store, run once).

    ``horizons``: years of the baseline and of every named package from day 365, enough for
    the paths; the predictive validation runs them that long too (its facts read their first
    years, the same numbers), so the paths read every run from its store.
    """
    years = {"baseline": 1 + REFORM_YEARS, **{p: 1 + REFORM_YEARS for p in path_packages()}}
    return {"posterior": _posterior_hash(), "draws": 2 if fast else 20, "seeds": [1],
            "scale": 200.0 if fast else 20.0, "horizons": years}


def predictive_config(fast: bool) -> dict:
    facts = (["forgone_care_rate", "visits_per_capita"] if fast else list(FACTS))
    return {**posterior_runs_config(fast), "facts": facts}


def run_predictive(cfg: dict, store, scheduler) -> pd.DataFrame:
    """abm.validate over posterior draws x seeds: mean and 90% band of every fact."""
    table = validate("x_county", seeds=cfg["seeds"], scale=cfg["scale"], facts=cfg["facts"],
                     posterior=cfg["draws"], out=store, scheduler=scheduler,
                     horizons=cfg["horizons"])
    return table.assign(fitted=table["role"] == "fitted")


def paths_config(fast: bool) -> dict:
    return {**posterior_runs_config(fast), "packages": path_packages(), "years": REFORM_YEARS}


def run_paths(cfg: dict, store, scheduler) -> pd.DataFrame:
    """Every named package from day 365 and the status quo, yearly, over posterior draws.

    One row per scenario, draw, seed and year (``reform_year`` 0 is the year before the
    reform); packages and the status quo share draws and seeds (common random numbers). The
    runs are those of ``predictive`` (same draws, seeds, scale and horizons), read from its
    store; only runs missing there are computed.
    """
    base = preset("x_county").replace(**{"setting.scale": float(cfg["scale"])})
    bases = posterior_params(base, cfg["draws"])
    horizons = {s: y for s, y in cfg["horizons"].items()
                if s == "baseline" or s in cfg["packages"]}
    runs = scenario_runs(bases, horizons, cfg["seeds"], out=store.parent / "predictive",
                         scheduler=scheduler, progress=False)
    rows = []
    for scenario in ["baseline", *cfg["packages"]]:
        for draw in bases:
            for seed in cfg["seeds"]:
                res = runs[draw, seed][scenario]
                for year in range(1 + cfg["years"]):
                    s = res.summary(window=(year * 365, (year + 1) * 365))
                    rows.append({"scenario": STATUS_QUO if scenario == "baseline" else scenario,
                                 "draw": draw, "seed": seed, "reform_year": year,
                                 **{m: s[m] for m in PATH_METRICS}})
    return pd.DataFrame(rows)


def draw_posterior(frames) -> plt.Figure:
    long = frames["posterior"]
    draws = long.pivot(index="draw", columns="parameter", values="value")
    draws["weight"] = long.groupby("draw")["weight"].first()
    priors = {p: (g["prior_low"].iloc[0], g["prior_high"].iloc[0])
              for p, g in long.groupby("parameter", sort=False)}
    return calibration_figure(draws, priors, frames["predictive"])


def path_bands(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean and 90% band of each outcome per scenario and reform year (over draws x seeds)."""
    out = bands(frame, PATH_METRICS, by=["scenario", "reform_year"])
    out[["scenario", "reform_year"]] = pd.DataFrame(out.pop("scenario").tolist(),
                                                    index=out.index)
    return out[["scenario", "reform_year", "metric", "mean", "lower", "upper", "runs"]]


def draw_paths(frames) -> plt.Figure:
    b = path_bands(frames["paths"])
    fig, axes = plt.subplots(2, 4, figsize=(15, 6.5))
    for ax, metric in zip(axes.flat, PATH_METRICS, strict=False):
        for i, (scenario, g) in enumerate(b[b["metric"] == metric].groupby("scenario",
                                                                          sort=False)):
            style = ({"color": "black", "ls": "--"} if scenario == STATUS_QUO
                     else {"color": f"C{i}"})
            ax.plot(g["reform_year"], g["mean"], label=scenario, **style)
            ax.fill_between(g["reform_year"], g["lower"], g["upper"], alpha=0.15,
                            color=style["color"])
        ax.set_title(metric, fontsize=9)
        ax.set_xlabel("reform year (0: the year before)", fontsize=8)
        ax.tick_params(labelsize=7)
    axes.flat[0].legend(fontsize=7)
    axes.flat[-1].set_visible(False)
    fig.suptitle(f"x_county: posterior predictive paths of each named package, mean and "
                 f"{LEVEL:.0%} band over posterior draws x seeds", fontsize=10)
    fig.tight_layout()
    return fig


EXPERIMENTS = {
    "posterior": Experiment(run=run_posterior, config=posterior_config),
    "predictive": Experiment(run=run_predictive, config=predictive_config),
    "paths": Experiment(run=run_paths, config=paths_config),
}
FIGURES = {
    "posterior": Figure(draw=draw_posterior, needs=("posterior", "predictive"),
                        caption="x_county posterior marginals and each fact (fitted and held "
                                "out) with its posterior predictive 90% band"),
    "paths": Figure(draw=draw_paths, needs=("paths",),
                    caption="posterior predictive paths over five reform years of every named "
                            "package against the status quo, with 90% bands"),
}
