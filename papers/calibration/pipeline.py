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

from abm import posterior, validate  # noqa: E402
from abm.fitting.calibration_plot import calibration_figure  # noqa: E402
from abm.fitting.validation import FACTS  # noqa: E402
from abm.inputs.data import posterior_path  # noqa: E402
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


def predictive_config(fast: bool) -> dict:
    facts = (["forgone_care_rate", "visits_per_capita"] if fast else list(FACTS))
    return {"posterior": _posterior_hash(), "facts": facts, "draws": 2 if fast else 20,
            "seeds": [1], "scale": 200.0 if fast else 20.0}


def run_predictive(cfg: dict, store, scheduler) -> pd.DataFrame:
    """abm.validate over posterior draws x seeds: mean and 90% band of every fact."""
    table = validate("x_county", seeds=cfg["seeds"], scale=cfg["scale"], facts=cfg["facts"],
                     posterior=cfg["draws"], out=store, scheduler=scheduler)
    fitted = set(posterior("x_county").attrs["calibration"]["targets"])
    return table.assign(fitted=table["fact"].isin(fitted))


def draw_posterior(frames) -> plt.Figure:
    long = frames["posterior"]
    draws = long.pivot(index="draw", columns="parameter", values="value")
    draws["weight"] = long.groupby("draw")["weight"].first()
    priors = {p: (g["prior_low"].iloc[0], g["prior_high"].iloc[0])
              for p, g in long.groupby("parameter", sort=False)}
    return calibration_figure(draws, priors, frames["predictive"])


EXPERIMENTS = {
    "posterior": Experiment(run=run_posterior, config=posterior_config),
    "predictive": Experiment(run=run_predictive, config=predictive_config),
}
FIGURES = {
    "posterior": Figure(draw=draw_posterior, needs=("posterior", "predictive"),
                        caption="x_county posterior marginals and each fact (fitted and held "
                                "out) with its posterior predictive 90% band"),
}
