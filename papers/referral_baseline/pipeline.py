"""Referral baseline paper: the x_county baseline against its targets, a reform before/after,
and the effect of each lever. Run by ``python -m papers.build`` (``make figures``).

Experiments run the model through ``abm.sweep`` (each finished run stored, so an interrupted
build resumes) and return tidy frames (cached as Parquet by papers/build.py); figures only read
them.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from abm import METRICS, preset, sweep, validate  # noqa: E402
from abm.inputs import data  # noqa: E402
from abm.runs.levers import LEVERS, lever_effects  # noqa: E402
from papers.build import Experiment, Figure  # noqa: E402

TARGETED = ("upward_referral_rate", "downward_referral_rate", "primary_outpatient_share",
            "visits_per_capita", "county_internal_rate")
#: The reform package of the before/after figure: the measures of seed 000, 5.2-5.5 together.
REFORM_PACKAGE = {
    "revenue_share": 0.4, "primary_reimbursement_premium": 0.15, "deductible_continuity": 1.0,
    "reserved_referral_share": 0.2, "information_platform": 0.8, "counterpart_support": 1.0,
    "performance_weight": 0.5, "family_doctor_coverage": 0.5, "primary_investment": 0.5,
}
SERIES = ("primary_outpatient_share", "upward_referral_rate", "downward_referral_rate",
          "first_contact_primary_rate", "trust_primary", "oop_per_episode")


def _x_county(scale: float):
    return preset("x_county").replace(**{"setting.scale": scale})


# ---------------------------------------------------------------- baseline vs targets
def baseline_config(fast: bool) -> dict:
    return {"scale": 100.0 if fast else 5.0, "days": 120 if fast else 365,
            "seeds": [1] if fast else [1, 2, 3]}


def run_baseline(cfg: dict, store, scheduler) -> pd.DataFrame:
    runs = sweep({"x_county": _x_county(cfg["scale"])}, seeds=cfg["seeds"], days=cfg["days"],
                 patients="arrays", out=store, scheduler=scheduler)
    long = runs.melt(id_vars="seed", value_vars=list(TARGETED), var_name="metric",
                     value_name="simulated")
    long = long.sort_values("seed", kind="stable", ignore_index=True)
    return long.assign(target=long["metric"].map(data.target))


def draw_baseline(frames) -> plt.Figure:
    df = frames["baseline"]
    fig, axes = plt.subplots(1, len(TARGETED), figsize=(14, 3.2))
    for ax, metric in zip(axes, TARGETED, strict=True):
        d = df[df["metric"] == metric]
        # One dot per seed, spread evenly around x = 0 (no random jitter: byte-identical reruns).
        spread = np.linspace(-0.1, 0.1, len(d)) if len(d) > 1 else np.zeros(1)
        ax.scatter(spread, d["simulated"], color="C0", s=49, zorder=3)
        ax.set_xlim(-0.5, 0.5)
        ax.set_xticks([])
        ax.axhline(d["target"].iloc[0], color="C3", ls="--", label="target")
        if metric == "primary_outpatient_share":
            ax.axhspan(data.target("primary_outpatient_share_band_min"),
                       data.target("primary_outpatient_share_band_max"), color="C3", alpha=0.1)
        ax.set_title(metric.replace("_", " "), fontsize=9)
        ax.set_ylabel("")
        lo = min(d["simulated"].min(), d["target"].iloc[0])
        hi = max(d["simulated"].max(), d["target"].iloc[0])
        pad = 0.25 * (hi - lo) + 0.05 * abs(hi) + 1e-9
        ax.set_ylim(lo - pad, hi + pad)
    axes[0].legend(loc="lower left", fontsize=8)
    fig.suptitle("x_county baseline (dots: seeds) vs calibration targets (dashed)")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- reform before / after
def reform_config(fast: bool) -> dict:
    return {"scale": 100.0 if fast else 5.0, "days": 240 if fast else 1095,
            "reform_day": 120 if fast else 365, "seed": 1, "period": 30,
            "package": REFORM_PACKAGE}


def run_reform(cfg: dict, store, scheduler) -> pd.DataFrame:
    base_p = _x_county(cfg["scale"])
    changes = {f"reform.incentives.{k}": v for k, v in cfg["package"].items()}
    reform_p = base_p.replace(**{"reform.day": cfg["reform_day"], **changes})
    runs = sweep({"baseline": base_p, "reform": reform_p}, seeds=[cfg["seed"]], days=cfg["days"],
                 windows=cfg["period"], patients="arrays", out=store, scheduler=scheduler)
    keep = ["run_id", "scenario", "seed", "period", "first_day", "end_day", *METRICS]
    return runs[keep].assign(reform_day=cfg["reform_day"])


def draw_reform(frames) -> plt.Figure:
    df = frames["reform"]
    long = df.melt(id_vars=["scenario", "first_day"], value_vars=list(SERIES),
                   var_name="metric", value_name="value")
    # One seed, so no error band: seaborn's bootstrap would draw from the global RNG.
    g = sns.relplot(data=long, x="first_day", y="value", hue="scenario", col="metric",
                    col_wrap=3, kind="line", facet_kws={"sharey": False}, height=2.6, aspect=1.4,
                    errorbar=None)
    for ax in g.axes.flat:
        ax.axvline(df["reform_day"].iloc[0], color="grey", ls=":")
    g.set_titles("{col_name}")
    g.set_axis_labels("day", "")
    g.figure.suptitle("x_county: reform package switched on at the dotted line (same seed)",
                      y=1.02)
    return g.figure


# ---------------------------------------------------------------- lever effects
def levers_config(fast: bool) -> dict:
    return {"preset": "small" if fast else "x_county", "scale": 1.0 if fast else 20.0,
            "days": 60 if fast else 365, "seeds": [1] if fast else [1, 2, 3]}


def run_levers(cfg: dict, store, scheduler) -> pd.DataFrame:
    p = preset(cfg["preset"]).replace(**{"setting.scale": cfg["scale"]})
    return lever_effects(p, seeds=cfg["seeds"], days=cfg["days"], patients="arrays", out=store,
                         scheduler=scheduler)


def draw_levers(frames) -> plt.Figure:
    df = frames["levers"].copy()
    df["relative_change_%"] = 100 * df["difference"] / df["baseline"].abs().where(
        df["baseline"] != 0)
    df["label"] = df["lever"] + "\n→ " + df["metric"]
    order = [f"{k}\n→ {m}" for k, lev in LEVERS.items()
             for m, _ in ((lev.metric, lev.direction), *lev.also)]
    fig, ax = plt.subplots(figsize=(8, 7))
    sns.barplot(data=df, y="label", x="relative_change_%", order=order, ax=ax, color="C0",
                errorbar="sd")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xscale("symlog", linthresh=10)  # effects span 1% to 500%
    ax.set_ylabel("")
    ax.set_xlabel("reform - baseline, % of baseline (same seeds)")
    ax.tick_params(axis="y", labelsize=7)
    fig.suptitle("Effect of each lever switched on alone")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- validation report
def validation_config(fast: bool) -> dict:
    return {"preset": "x_county", "scale": 200.0 if fast else 20.0,
            "seeds": [1] if fast else [1, 2, 3]}


def run_validation(cfg: dict, store, scheduler) -> pd.DataFrame:
    return validate(cfg["preset"], seeds=cfg["seeds"], scale=cfg["scale"], out=store,
                    scheduler=scheduler)


def draw_validation(frames) -> plt.Figure:
    df = frames["validation"]
    n = len(df)
    cols = 5
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.9 * cols, 2.1 * rows))
    for ax, (_, r) in zip(axes.flat, df.iterrows(), strict=False):
        color = "C2" if r["met"] else "C3"
        ax.axhline(r["target"], color="black", ls="--", lw=1)
        if r["how"] == "near":
            ax.axhspan(r["target"] - r["tolerance"], r["target"] + r["tolerance"],
                       color="grey", alpha=0.2)
        elif r["how"] == "band":
            ax.axhspan(data.target("primary_outpatient_share_band_min"),
                       data.target("primary_outpatient_share_band_max"), color="grey", alpha=0.2)
        ax.errorbar([0], [r["simulated"]], yerr=[[r["simulated"] - r["lower"]],
                                                 [r["upper"] - r["simulated"]]],
                    fmt="o", color=color, capsize=4)
        ax.set_xticks([])
        ax.set_title(f"{r['fact']}\n({r['role']}, {r['how']})", fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle("x_county against outside facts: target (dashed) with tolerance (grey), "
                 "simulated mean and range over seeds (green: matched, red: not)", fontsize=10)
    fig.tight_layout()
    return fig


EXPERIMENTS = {
    "baseline": Experiment(run=run_baseline, config=baseline_config),
    "reform": Experiment(run=run_reform, config=reform_config),
    "levers": Experiment(run=run_levers, config=levers_config),
    "validation": Experiment(run=run_validation, config=validation_config),
}
FIGURES = {
    "baseline_vs_targets": Figure(draw=draw_baseline, needs=("baseline",),
                                  caption="x_county baseline against calibration targets"),
    "reform_before_after": Figure(draw=draw_reform, needs=("reform",),
                                  caption="x_county before and after a reform package (CRN)"),
    "lever_effects": Figure(draw=draw_levers, needs=("levers",),
                            caption="effect of each lever alone, paired on seeds"),
    "validation": Figure(draw=draw_validation, needs=("validation",),
                         caption="abm.validate: each outside fact against the model"),
}
