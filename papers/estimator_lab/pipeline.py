"""Estimator lab paper: staggered DiD estimators graded on model panels with a known truth.

(a) one national-timing reform panel of the model: each estimator's event-study path against the
true dynamic effect; (b) bias and coverage over replications under random and selected adoption
(cheap ``econometrics.simulate_panel`` replications: model replications at that count cost hours;
the selected design adds a pre-existing trend to early adopters, as pilots chosen on growing
counties would); (c) the Goodman-Bacon decomposition of TWFE on the panel of (a); and the lab's
table (bias and coverage of each estimator's overall ATT) over model panel replications.
Run by ``python -m papers.build`` (``make figures``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import econometrics as em  # noqa: E402
from abm import ReformPanel, reform_panel  # noqa: E402
from econometrics.lab import (  # noqa: E402
    LAB_ESTIMATORS,
    LabResult,
    fit_estimator,
    replication_seeds,
)
from papers.build import Experiment, Figure  # noqa: E402

OUTCOME = "primary_outpatient_share"
COLS = dict(unit="county", time="year", cohort="cohort")


# ---------------------------------------------------------------- (a) and (c): one national panel
def panel_config(fast: bool) -> dict:
    if fast:
        return {"n_counties": 5, "years": 3, "start_year": 2018, "scale": 2000.0, "seed": 14}
    return {"n_counties": 60, "years": 8, "start_year": 2015, "scale": 100.0, "seed": 14}


def run_panel(cfg: dict, store, scheduler) -> pd.DataFrame:
    rp = reform_panel(cfg["n_counties"], years=cfg["years"], start_year=cfg["start_year"],
                      scale=cfg["scale"], seed=cfg["seed"], adoption="national", out=store,
                      scheduler=scheduler)
    truth = rp.true_att(OUTCOME, "dynamic")
    parts = []
    for name in LAB_ESTIMATORS:
        fit = fit_estimator(name, rp.panel, outcome=OUTCOME, aggregation="dynamic", conf_level=0.95,
                       **COLS)
        parts.append(fit.assign(part="event_study", estimator=name))
    parts.append(pd.DataFrame({"part": "event_study", "estimator": "truth",
                               "target": truth.index, "estimate": truth.to_numpy()}))
    for name in LAB_ESTIMATORS:
        fit = fit_estimator(name, rp.panel, outcome=OUTCOME, aggregation="simple", conf_level=0.95,
                       **COLS)
        parts.append(fit.drop(columns="target").assign(part="overall", estimator=name,
                                truth=rp.true_att(OUTCOME, "simple")))
    bacon = em.bacon(rp.panel, y=OUTCOME, **COLS).tidy()
    parts.append(bacon.rename(columns={"type": "comparison"}).assign(part="bacon"))
    return pd.concat(parts, ignore_index=True)


def draw_event_study(frames) -> plt.Figure:
    df = frames["panel"]
    es = df[df.part == "event_study"]
    truth = es[es.estimator == "truth"]
    fig, ax = plt.subplots(figsize=(8, 4.2))
    names = list(LAB_ESTIMATORS)
    for i, name in enumerate(names):
        d = es[es.estimator == name]
        x = d.target + (i - len(names) / 2 + 0.5) * 0.12
        ax.errorbar(x, d.estimate, yerr=[d.estimate - d.conf_low, d.conf_high - d.estimate],
                    fmt="o", ms=3.5, capsize=2, label=name)
    ax.plot(truth.target, truth.estimate, "k-", lw=2, label="true effect (both arms)")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel("years since the county's reform")
    ax.set_ylabel(f"effect on {OUTCOME}")
    ax.set_title("National-timing reform panel: estimates (95% CI) against the true path")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def draw_bacon(frames) -> plt.Figure:
    df = frames["panel"]
    b = df[df.part == "bacon"]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for kind, d in b.groupby("comparison"):
        ax.scatter(d.weight, d.estimate, label=kind, s=30)
    twfe = float((b.weight * b.estimate).sum())
    truth = df.loc[df.part == "overall", "truth"].iloc[0]
    ax.axhline(twfe, color="C3", ls="--", label=f"TWFE = {twfe:.4f}")
    ax.axhline(truth, color="black", label=f"true ATT = {truth:.4f}")
    ax.set_xlabel("weight")
    ax.set_ylabel("2x2 DiD estimate")
    ax.set_title("Goodman-Bacon decomposition of TWFE on the national panel")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- (b): random vs selected
def sim_config(fast: bool) -> dict:
    return {"replications": 6 if fast else 300, "n_units": 60, "n_periods": 8,
            "cohorts": [3, 5, 7], "effect": 0.05, "dynamic": 0.02, "sigma": 0.05,
            "selection_trend": 0.01, "seed": 2019}


def _selected(dgp, trend: float):
    """Early adopters on a steeper trend (pilots chosen on improving counties): PT fails."""
    def draw(seed: int):
        panel, truth = dgp(seed)
        early = panel.cohort == panel.loc[panel.cohort > 0, "cohort"].min()
        return panel.assign(y=panel.y + trend * early * panel.time), truth
    return draw


def run_sim(cfg: dict, store, scheduler) -> pd.DataFrame:
    """Both designs' replications as tasks on the build's Dask workers (the same draws as
    running them here, one after another: each replication depends only on its seed)."""
    from distributed import Client

    dgp = em.simulated_dgp(n_units=cfg["n_units"], n_periods=cfg["n_periods"],
                           cohorts=cfg["cohorts"], effect=cfg["effect"], dynamic=cfg["dynamic"],
                           sigma=cfg["sigma"])
    out = []
    with Client(scheduler, set_as_default=False) as client:
        for design, f in (("random", dgp), ("selected", _selected(dgp, cfg["selection_trend"]))):
            lab = em.estimator_lab(f, replications=cfg["replications"], outcome="y",
                                   unit="unit", time="time", seed=cfg["seed"], scheduler=client)
            out.append(lab.draws.assign(design=design))
    return pd.concat(out, ignore_index=True)


def draw_sim(frames) -> plt.Figure:
    df = frames["sim"]
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), constrained_layout=True)
    for row, design in zip(axes, ("random", "selected"), strict=True):
        d = df[df.design == design].drop(columns="design")
        LabResult(draws=d, conf_level=0.95, aggregation="simple").plot(ax=row)
        row[0].set_title(f"{design} adoption: bias of the overall ATT")
        row[1].set_title(f"{design} adoption: coverage of the 95% CI")
    return fig


# ---------------------------------------------------------------- the lab on model panels
def abm_lab_config(fast: bool) -> dict:
    if fast:
        return {"replications": 2, "n_counties": 4, "years": 2, "start_year": 2018,
                "adoption": {"2019": 0.5}, "scale": 2000.0, "seed": 7}
    return {"replications": 10, "n_counties": 20, "years": 6, "start_year": 2016,
            "adoption": "national", "scale": 200.0, "seed": 7}


def run_abm_lab(cfg: dict, store, scheduler) -> pd.DataFrame:
    """The lab over model panels, every panel's runs in flight on the cluster at once.

    Each replication's panel (``ReformPanel.dgp`` on the seed the lab gives it,
    :func:`econometrics.lab.replication_seeds`) is a sweep of its own store; they are submitted
    together from threads, so the workers never wait for one panel's last run, its assembly or
    the estimators before the next panel starts. The draws are those of running the panels one
    after another (a panel depends only on its seed).
    """
    adoption = cfg["adoption"]
    if isinstance(adoption, dict):
        adoption = {int(k): float(v) for k, v in adoption.items()}
    seeds = replication_seeds(cfg["seed"], cfg["replications"])

    def panel(i: int, seed: int):
        dgp = ReformPanel.dgp(cfg["n_counties"], outcome=OUTCOME, years=cfg["years"],
                              start_year=cfg["start_year"], adoption=adoption,
                              scale=cfg["scale"], out=store / f"replication_{i}",
                              scheduler=scheduler)
        return dgp(seed)

    with ThreadPoolExecutor(max_workers=len(seeds)) as pool:
        panels = dict(zip(seeds, pool.map(panel, range(len(seeds)), seeds), strict=True))
    lab = em.estimator_lab(panels.__getitem__, replications=cfg["replications"],
                           outcome=OUTCOME, seed=cfg["seed"], **COLS)
    return lab.draws


def draw_abm_lab(frames) -> plt.Figure:
    lab = LabResult(draws=frames["abm_lab"], conf_level=0.95, aggregation="simple")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), constrained_layout=True)
    lab.plot(ax=axes)
    fig.suptitle(f"Model reform panels: each estimator's overall ATT of {OUTCOME} against the "
                 f"truth over {lab.draws.seed.nunique()} replications (95% MC bands)")
    return fig


EXPERIMENTS = {
    "panel": Experiment(run=run_panel, config=panel_config),
    "sim": Experiment(run=run_sim, config=sim_config),
    "abm_lab": Experiment(run=run_abm_lab, config=abm_lab_config),
}
FIGURES = {
    "event_study_vs_truth": Figure(draw=draw_event_study, needs=("panel",),
                                   caption="(a) event-study paths against the true effect"),
    "bias_coverage_designs": Figure(draw=draw_sim, needs=("sim",),
                                    caption="(b) bias and coverage, random vs selected adoption"),
    "bacon_decomposition": Figure(draw=draw_bacon, needs=("panel",),
                                  caption="(c) Goodman-Bacon decomposition of TWFE"),
    "abm_lab": Figure(draw=draw_abm_lab, needs=("abm_lab",),
                      caption="the lab's table on model reform panels"),
}
