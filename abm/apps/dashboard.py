"""Browser dashboard: watch a county consortium move as levers change (Mesa SolaraViz).

Serve it with ``referral-lab dashboard`` (http://127.0.0.1:8765 by default; works offline:
``solara-assets`` serves the JavaScript, telemetry is off). The sidebar has the preset, the seed
and the day the levers switch on (used by Reset, which rebuilds the county), and one slider per
lever. The lever sliders act on the running county: moving one puts the sliders' levers in force
from the current day on (a reform from today); after Reset they switch on at the chosen day.
Step advances one day (or the render interval), Play runs on. The main area shows the outcomes
so far, time series by tier and of the levers in force, and the facilities with their referral
flows.

Each browser session builds its own model inside :func:`Page` (a model built at module level
would be shared by every session).

Examples
--------
>>> m = DashboardModel(seed="3", revenue_share=0.6, reform_day=0)
>>> m.step()
>>> m.day, m.incentives.revenue_share
(1, 0.6)
>>> m.set_levers({"revenue_share": 0.2})  # from today (day 1) on
>>> m.step()
>>> m.incentives.revenue_share, m.params.reform.day
(0.2, 1)
"""

from __future__ import annotations

import os
import threading

# solara reads its settings when imported; switch telemetry off before that
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

from collections.abc import Mapping  # noqa: E402
from dataclasses import fields  # noqa: E402
from html import escape  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.utils import force_update  # noqa: E402

from abm.engine.agents import Facility  # noqa: E402
from abm.engine.model import ReferralModel  # noqa: E402
from abm.inputs.params import PRESETS, TIERS, Incentives, ParamError, preset  # noqa: E402

LEVER_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Incentives))
_DEFAULTS = Incentives()
TIER_COLORS = dict(zip((*TIERS, "outside"),
                       ("#6a3d9a", "#1f78b4", "#33a02c", "#ff7f00", "#e31a1c", "#777777"),
                       strict=True))
READOUT_METRICS = ("primary_outpatient_share", "first_contact_primary_rate",
                   "upward_referral_rate", "downward_referral_rate", "turned_away_rate")


def coerce_seed(seed: Any) -> int:
    """Return the seed as an int; SolaraViz's seed box passes a string.

    Examples
    --------
    >>> coerce_seed(" 42 "), coerce_seed(7)
    (42, 7)
    """
    try:
        value = int(str(seed).strip())
    except ValueError:
        raise ParamError(f"seed must be a whole number, got {seed!r}") from None
    if value < 0:
        raise ParamError(f"seed must be >= 0, got {value}")
    return value


class DashboardModel(ReferralModel):
    """:class:`abm.ReferralModel` built from keyword arguments the dashboard's inputs give.

    The levers switch on at ``reform_day`` (before it the preset's status quo holds). All
    arguments are keyword-only, as SolaraViz requires.
    """

    def __init__(self, *, preset_name: str = "small", seed: Any = 1, reform_day: int = 30,
                 scenario: Any = None, **levers: float) -> None:
        # SolaraViz's Reset passes scenario=<mesa Scenario>; the county is set by the
        # other arguments, so it is accepted and ignored.
        del scenario
        if preset_name not in PRESETS:
            raise ParamError(f"preset must be one of {', '.join(PRESETS)}; got {preset_name!r}")
        params = preset(preset_name).replace(**{"reform.day": int(reform_day),
                                                **_lever_changes(levers)})
        # Play steps the model in a worker thread while the page redraws from it: a day and a
        # read of the day's tallies must not interleave (a half-tallied day breaks the frame)
        self.lock = threading.RLock()
        #: Incentives in force on each day run so far (for the levers' time series).
        self.incentives_by_day: list[Incentives] = []
        super().__init__(params, rng=coerce_seed(seed))

    def set_levers(self, levers: Mapping[str, float], *, day: int | None = None) -> None:
        """Put ``levers`` in force from ``day`` on (default: today, the next day to run).

        A reform of the running county from that day: the run so far is kept, and the rest is
        what a run built with ``reform.day = day`` and these levers would give.
        """
        changes = _lever_changes(levers)
        with self.lock:
            start = self.day if day is None else int(day)
            self.params = self.params.replace(**{"reform.day": start, **changes})

    def step(self) -> None:
        """Advance one day (holding the lock)."""
        with self.lock:
            super().step()
            self.incentives_by_day.append(self.incentives)

    def daily_counts(self) -> pd.DataFrame:
        """Tidy daily counts (read under the lock; see :meth:`abm.ReferralModel.daily_counts`)."""
        with self.lock:
            return super().daily_counts()


def _lever_changes(levers: Mapping[str, float]) -> dict[str, float]:
    """Reform parameters of lever values (unknown names are errors that list the levers)."""
    unknown = sorted(set(levers) - set(LEVER_NAMES))
    if unknown:
        raise ParamError(f"unknown lever(s) {unknown}; levers: {', '.join(LEVER_NAMES)}")
    return {f"reform.incentives.{k}": float(v) for k, v in levers.items()}


def lever_sliders() -> dict[str, dict[str, Any]]:
    """One slider per lever: its valid range (:func:`abm.describe` gives the units)."""
    out = {}
    for f in fields(Incentives):
        lo, hi = f.metadata["range"]
        out[f.name] = {"value": getattr(_DEFAULTS, f.name), "min": lo, "max": hi,
                       "step": round((hi - lo) / 20, 4), "label": f.name.replace("_", " ")}
    return out


def model_params() -> dict[str, Any]:
    """SolaraViz inputs used by Reset: preset, seed, and the day the levers switch on.

    The lever sliders are not among them: they act on the running model (:func:`LeverPanel`).
    """
    out: dict[str, Any] = {
        "preset_name": {"type": "Select", "value": "small", "values": list(PRESETS),
                        "label": "County preset"},
        "seed": {"type": "InputText", "value": "1", "label": "Seed"},
        "reform_day": {"type": "SliderInt", "value": 30, "min": 0, "max": 365, "step": 5,
                       "label": "Day the levers switch on"},
    }
    return out


def tier_series(daily: pd.DataFrame, column: str) -> pd.DataFrame:
    """Daily values of a counter by tier (rows: days, columns: tiers incl. ``outside``).

    Examples
    --------
    >>> m = ReferralModel(rng=1)
    >>> m.run_for(3)
    >>> tier_series(m.daily_counts(), "visits").shape
    (3, 6)
    """
    d = daily[daily["tier"] != "all"]
    return d.pivot_table(index="day", columns="tier", values=column, aggfunc="sum",
                         observed=True)


def figure_time_series(model: ReferralModel) -> Figure:
    """Outpatient visits, upward and downward referrals per day, by tier."""
    daily = model.daily_counts()
    fig = Figure(figsize=(7.5, 8))
    panels = (("visits", "outpatient visits per day"), ("up_received", "upward referrals "
              "received per day"), ("down_sent", "downward referrals sent per day"))
    for i, (col, title) in enumerate(panels):
        ax = fig.add_subplot(4, 1, i + 1)
        if len(daily):
            s = tier_series(daily, col)
            for tier in s.columns:
                ax.plot(s.index, s[tier], color=TIER_COLORS[str(tier)], label=str(tier),
                        marker="o" if len(s) < 15 else None, ms=3)
        reform = model.params.reform.day
        if reform is not None and reform <= model.day:
            ax.axvline(reform, color="grey", ls="--", lw=1)
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=7)
        if i == 0 and len(daily):
            ax.legend(fontsize=6, ncol=3)
    _plot_levers(fig.add_subplot(4, 1, 4), model)
    fig.axes[-1].set_xlabel("day", fontsize=8)
    fig.tight_layout()
    return fig


def lever_series(model: ReferralModel) -> pd.DataFrame:
    """Value of each lever changed from the status quo, per day run (rows: days).

    Examples
    --------
    >>> m = DashboardModel(reform_day=2, revenue_share=0.5)
    >>> m.run_for(3)
    >>> lever_series(m)["revenue_share"].tolist()
    [0.0, 0.0, 0.5]
    """
    days = getattr(model, "incentives_by_day", [])
    base = model.params.incentives
    names = [k for k in LEVER_NAMES if any(getattr(i, k) != getattr(base, k) for i in days)]
    return pd.DataFrame({k: [getattr(i, k) for i in days] for k in names},
                        index=pd.RangeIndex(len(days), name="day"))


def _plot_levers(ax: Any, model: ReferralModel) -> None:
    s = lever_series(model)
    for k in s.columns:
        ax.step(s.index, s[k], where="post", label=k.replace("_", " "))
    if len(s.columns):
        ax.legend(fontsize=6, ncol=2)
    else:
        ax.text(0.5, 0.5, "all levers at the status quo", transform=ax.transAxes, ha="center",
                va="center", fontsize=8, color="grey")
    ax.set_title("levers changed from the status quo (value in force each day)", fontsize=9)
    ax.tick_params(labelsize=7)


def figure_facilities(model: ReferralModel) -> Figure:
    """Draw the consortium's facilities by tier and the referral flows between tiers so far.

    Left: every facility as a dot in its tier's row, the area proportional to its outpatient
    visits so far. Right: referrals sent and received per tier (upward and downward).
    """
    facs = model.agents_by_type[Facility].to_list()
    fig = Figure(figsize=(9, 4))
    ax, bx = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    rows = (*TIERS, "outside")
    by_row: dict[str, list[Facility]] = {r: [] for r in rows}
    for f in facs:
        by_row["outside" if not f.in_county else f.tier].append(f)
    top = max((f.visits for f in facs), default=0.0) or 1.0
    for y, r in enumerate(reversed(rows)):
        group = by_row[r]
        x = np.linspace(0, 1, len(group) + 2)[1:-1]
        ax.scatter(x, np.full(len(group), y), s=[15 + 400 * f.visits / top for f in group],
                   color=TIER_COLORS[r], alpha=0.8, edgecolor="black", linewidth=0.4)
        ax.text(-0.02, y, f"{r} ({len(group)})", ha="right", va="center", fontsize=7)
    ax.set_xlim(-0.6, 1.05)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.axis("off")
    ax.set_title(f"facilities (area: visits so far), day {model.day}", fontsize=9)
    daily = model.daily_counts()
    cols = ("up_sent", "up_received", "down_sent", "down_received")
    if len(daily):
        tot = daily[daily["tier"] != "all"].groupby("tier", observed=True)[list(cols)].sum()
        tot = tot.reindex(list(rows)).fillna(0)
    else:
        tot = pd.DataFrame(0.0, index=list(rows), columns=list(cols))
    y = np.arange(len(rows))[::-1]
    h = 0.2
    for k, (col, name) in enumerate(zip(cols, ("up: sent", "up: received", "down: sent",
                                              "down: received"), strict=True)):
        bx.barh(y + (1.5 - k) * h, tot[col].to_numpy(), h, label=name,
                color=("#1f78b4", "#a6cee3", "#e31a1c", "#fb9a99")[k])
    bx.set_yticks(y, list(rows), fontsize=7)
    bx.tick_params(labelsize=7)
    bx.set_title("referral flows so far, by tier", fontsize=9)
    bx.legend(fontsize=6)
    fig.tight_layout()
    return fig


def readout_html(model: ReferralModel) -> str:
    """Write the day, the levers in force and the outcomes so far as an HTML fragment.

    (HTML, not ``solara.Markdown``: the Markdown component loads KaTeX from a CDN, which
    solara-assets does not carry, so it fails offline.)

    Examples
    --------
    >>> m = DashboardModel(seed="1")
    >>> readout_html(m).splitlines()[0]
    '<p><b>Day 0</b> of the small county (seed 1); levers switch on at day 30</p>'
    """
    from abm.apps.report import fmt_value, label

    p = model.params
    lines = [f"<p><b>Day {model.day}</b> of the {escape(p.setting.preset)} county (seed "
             f"{model.seed_sequence.entropy}); levers switch on at day {p.reform.day}</p>"]
    if model.day:
        s = model.summary()
        cells = "".join(f"<tr><td>{escape(label(m))}</td><td>{fmt_value(m, float(s[m]))}</td>"
                        f"</tr>" for m in READOUT_METRICS)
        lines.append(f"<table><tr><th>outcome so far</th><th>value</th></tr>{cells}</table>")
    inc = p.incentives_at(model.day)  # today's: the day the next step runs
    changed = [f"{k} = {getattr(inc, k):g}" for k in LEVER_NAMES
               if getattr(inc, k) != getattr(p.incentives, k)]
    lines.append("<p>Levers changed from the status quo and in force today: "
                 + (", ".join(changed) if changed else "none") + "</p>")
    return "\n".join(lines)


def Readout(model: ReferralModel) -> Any:
    """Dashboard component: the day, levers in force and outcomes so far."""
    return solara.HTML(tag="div", unsafe_innerHTML=readout_html(model))


def TimeSeries(model: ReferralModel) -> Any:
    """Dashboard component: time series by tier."""
    return solara.FigureMatplotlib(figure_time_series(model), format="png")


def FacilityView(model: ReferralModel) -> Any:
    """Dashboard component: facilities and referral flows."""
    return solara.FigureMatplotlib(figure_facilities(model), format="png")


COMPONENTS = [(Readout, 0), (TimeSeries, 0), (FacilityView, 0)]


@solara.component
def LeverPanel(model: solara.Reactive[DashboardModel],
               levers: solara.Reactive[dict[str, float]]) -> Any:
    """Sidebar card of lever sliders acting on the running model (a reform from today)."""

    def move(name: str, value: float) -> None:
        levers.value = {**levers.value, name: float(value)}
        model.value.set_levers(levers.value)
        force_update()  # redraw the readout: the levers are in force from today

    with solara.Card("Levers (act from today; after Reset from the chosen day)"):
        for name, o in lever_sliders().items():
            solara.SliderFloat(o["label"], value=levers.value[name], min=o["min"], max=o["max"],
                               step=o["step"], on_value=lambda v, name=name: move(name, v))


@solara.component
def Page() -> Any:
    """Render the dashboard page, building one model per browser session."""
    model = solara.use_reactive(solara.use_memo(DashboardModel, []))
    levers = solara.use_reactive({k: o["value"] for k, o in lever_sliders().items()})

    def after_reset() -> None:
        # Reset builds the model from preset, seed and day only: the sliders' levers switch
        # on at the chosen day of the new run
        m = model.value
        if m.day == 0:
            m.set_levers(levers.value, day=m.params.reform.day)

    solara.use_effect(after_reset, [model.value])
    SolaraViz(model, components=COMPONENTS, model_params=model_params(),
              name="Referral lab: a county medical consortium, one day per step")
    with solara.Sidebar():
        LeverPanel(model, levers)
