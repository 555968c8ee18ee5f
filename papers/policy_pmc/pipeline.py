"""Policy documents scored with the PMC index, beside what their measures do in the model.

Three illustrative policy texts (``texts/``, written for this package: a bare referral notice, a
service norm, a consortium incentive package) are coded by the keyword rules of
``datasets/pmc_framework.csv`` (``econometrics.suggest_codings``), scored with the PMC index
(``econometrics.pmc_score``), and each coding's draft incentive design is simulated against the
baseline on the same seeds. Run by ``python -m papers.build`` (``make figures``).

Seed 001's own 14 policies cannot be drawn: their codings are not in the available text (see
datasets/README.md).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from abm import preset, sweep  # noqa: E402
from econometrics import pmc_score, suggest_codings  # noqa: E402
from econometrics.pmc import load_framework  # noqa: E402
from papers.build import Experiment, Figure  # noqa: E402

TEXTS = Path(__file__).resolve().parent / "texts"
METRICS = ("primary_outpatient_share", "downward_referral_rate", "upward_referral_rate",
           "first_contact_primary_rate", "referred_oop_per_episode")


def _digest(paths) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()[:16]


def _texts() -> list[Path]:
    return sorted(TEXTS.glob("*.txt"))


# ---------------------------------------------------------------- codings
def codings_config(fast: bool) -> dict:
    framework = load_framework()
    return {"texts": [p.name for p in _texts()], "texts_hash": _digest(_texts()),
            "framework_hash": hashlib.sha256(framework.to_csv().encode()).hexdigest()[:16]}


def run_codings(cfg: dict, store=None, scheduler=None) -> pd.DataFrame:
    frames = [suggest_codings((TEXTS / name).read_text(encoding="utf-8")).assign(
        policy=Path(name).stem) for name in cfg["texts"]]
    return pd.concat(frames, ignore_index=True)


def _result(frames):
    return pmc_score(frames["codings"][["policy", "variable", "value"]])


def draw_radar(frames) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(8.5, 6), subplot_kw={"projection": "polar"})
    res = _result(frames)
    res.plot("radar", ax=ax)
    names = load_framework().groupby("primary", sort=False)["primary_name"].first()
    ax.set_xticks(ax.get_xticks(), [f"{p}\n{names[p]}" for p in res.scores.columns], fontsize=7)
    ax.set_title("Primary-variable scores of three illustrative referral documents", pad=24)
    return fig


def draw_index(frames) -> plt.Figure:
    res = _result(frames)
    fig, axes = plt.subplots(1, 1 + len(res.scores), figsize=(4 + 3.6 * len(res.scores), 3.6),
                             gridspec_kw={"width_ratios": [1.3] + [1] * len(res.scores)})
    res.plot("bar", ax=axes[0])
    axes[0].set_title("PMC index and grade bands")
    axes[0].tick_params(axis="x", labelsize=7, rotation=15)
    for ax, policy in zip(axes[1:], res.scores.index, strict=True):
        res.plot("surface", policies=[policy], ax=ax)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- designs in the model
def effects_config(fast: bool) -> dict:
    return {**codings_config(fast), "preset": "small" if fast else "x_county",
            "scale": 1.0 if fast else 20.0, "days": 120 if fast else 365,
            "seeds": [1] if fast else [1, 2, 3]}


def run_effects(cfg: dict, store, scheduler) -> pd.DataFrame:
    res = pmc_score(run_codings(cfg)[["policy", "variable", "value"]])
    base_p = preset(cfg["preset"]).replace(**{"setting.scale": cfg["scale"]})
    designs = {policy: res.draft_design(policy) for policy in res.scores.index}
    scenarios = [("baseline", base_p), *(
        (f"policy {policy}", base_p.replace(**{"reform.day": 0, **{
            f"reform.incentives.{k}": v for k, v in design.items()}}) if design else base_p)
        for policy, design in designs.items())]
    runs = sweep(scenarios, seeds=cfg["seeds"], days=cfg["days"], patients="arrays", out=store,
                 scheduler=scheduler).set_index(["scenario", "seed"])
    rows = []
    for seed in cfg["seeds"]:
        base = runs.loc[("baseline", seed)]
        for policy, design in designs.items():
            ref = runs.loc[(f"policy {policy}", seed)]
            for metric in METRICS:
                rows.append({"policy": policy, "pmc_index": float(res.index[policy]),
                             "design": ", ".join(f"{k}={v:g}" for k, v in design.items()),
                             "seed": seed, "metric": metric, "baseline": base[metric],
                             "reform": ref[metric], "difference": ref[metric] - base[metric]})
    return pd.DataFrame(rows)


def draw_effects(frames) -> plt.Figure:
    df = frames["effects"].copy()
    df["change_%"] = 100 * df["difference"] / df["baseline"].abs().where(df["baseline"] != 0)
    order = list(dict.fromkeys(df["policy"]))
    labels = {p: f"{p}\nPMC {df.loc[df['policy'] == p, 'pmc_index'].iloc[0]:.2f}"
              for p in order}
    df["document"] = df["policy"].map(labels)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    sns.barplot(data=df, x="metric", y="change_%", hue="document", order=list(METRICS),
                hue_order=[labels[p] for p in order], errorbar=None, ax=ax)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(ax.get_xticks(), [m.replace("_", "\n") for m in METRICS], fontsize=8)
    ax.set_xlabel("")
    ax.set_ylabel("draft design - baseline, % of baseline")
    ax.legend(fontsize=7, title="document (its draft design from the coding)", title_fontsize=7)
    fig.suptitle("What each document's measures do in the model (same seeds, mean over seeds)")
    fig.tight_layout()
    return fig


EXPERIMENTS = {
    "codings": Experiment(run=run_codings, config=codings_config),
    "effects": Experiment(run=run_effects, config=effects_config),
}
FIGURES = {
    "pmc_radar": Figure(draw=draw_radar, needs=("codings",),
                        caption="PMC primary scores of three illustrative documents (radar)"),
    "pmc_index_surface": Figure(draw=draw_index, needs=("codings",),
                                caption="PMC index with grade bands, and each PMC surface"),
    "pmc_design_effects": Figure(draw=draw_effects, needs=("effects",),
                                 caption="simulated effect of each document's draft design"),
}
