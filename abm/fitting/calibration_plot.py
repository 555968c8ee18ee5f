"""Figures of a calibration: posterior marginals and each fact against its predictive band."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from abm.fitting.validation import fact_band
from abm.inputs import data


def draw_marginals(axes, draws: pd.DataFrame, priors: Mapping[str, tuple[float, float]]) -> None:
    """Weighted histogram of each parameter's draws over its prior range (flat prior: grey)."""
    w = draws["weight"].to_numpy()
    for ax, (name, (lo, hi)) in zip(axes, priors.items(), strict=False):
        bins = np.linspace(lo, hi, 16)
        ax.hist(draws[name], bins=bins, weights=w, density=True, color="C0", alpha=0.8)
        ax.axhline(1 / (hi - lo), color="grey", ls="--", lw=1)
        ax.set_title(name, fontsize=8)
        ax.set_xlim(lo, hi)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])


def draw_facts(axes, table: pd.DataFrame) -> None:
    """Each fact: target (dashed) with its tolerance or band (grey), simulated mean and band.

    ``table`` has the columns of :func:`abm.validate` plus ``fitted`` (bool).
    """
    targets = data.load_targets()
    for ax, r in zip(axes, table.itertuples(index=False), strict=False):
        ax.axhline(r.target, color="black", ls="--", lw=1)
        if r.how == "near":
            ax.axhspan(r.target - r.tolerance, r.target + r.tolerance, color="grey", alpha=0.2)
        elif r.how == "band":
            ax.axhspan(*fact_band(r.fact, targets), color="grey", alpha=0.2)
        color = "C0" if r.fitted else "C1"
        ax.errorbar([0], [r.simulated], yerr=[[r.simulated - r.lower], [r.upper - r.simulated]],
                    fmt="o", color=color, capsize=4)
        ax.set_xticks([])
        ax.set_title(f"{r.fact}\n({'fitted' if r.fitted else 'held out'}, {r.how})", fontsize=7)
        ax.tick_params(axis="y", labelsize=7)


#: Panels per row of :func:`calibration_figure`.
COLUMNS = 6


def calibration_figure(draws: pd.DataFrame, priors: Mapping[str, tuple[float, float]],
                       table: pd.DataFrame, title: str = "") -> plt.Figure:
    """Marginals on the first rows, one panel per fact below (at most ``COLUMNS`` a row)."""
    par_rows, fact_rows = -(-len(priors) // COLUMNS), -(-len(table) // COLUMNS)
    rows = par_rows + fact_rows
    fig, axes = plt.subplots(rows, COLUMNS, figsize=(2.9 * COLUMNS, 2.3 * rows), squeeze=False)
    draw_marginals(axes[:par_rows].flat, draws, priors)
    draw_facts(axes[par_rows:].flat, table)
    for ax in list(axes[:par_rows].flat)[len(priors):] + list(axes[par_rows:].flat)[len(table):]:
        ax.set_visible(False)
    fig.suptitle(title or "posterior marginals (dashed: prior) and each fact: target (dashed) "
                 "with tolerance (grey), posterior predictive mean and 90% band (blue: fitted, "
                 "orange: held out)", fontsize=9)
    fig.tight_layout()
    return fig


def plot_calibration(cal) -> plt.Figure:
    """Figure of a :class:`abm.fitting.calibration.Calibration`: marginals and the fitted facts."""
    from abm.fitting.validation import FACTS, fact_target
    from abm.inputs.posterior import LEVEL, weighted_quantile

    targets = data.load_targets()
    w = cal.draws["weight"].to_numpy()
    rows = []
    for name in cal.targets:
        v = cal.simulated[name].to_numpy()
        lo, hi = weighted_quantile(v, w, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
        target, tol = fact_target(name, targets)
        rows.append({"fact": name, "how": FACTS[name].how, "target": target, "tolerance": tol,
                     "simulated": float(np.average(v, weights=w)), "lower": lo, "upper": hi,
                     "fitted": True})
    return calibration_figure(cal.draws, cal.priors, pd.DataFrame(rows))
