"""Comparison report: incentive designs against the status quo, as one self-contained HTML file.

:func:`compare_designs` runs the status quo and each design on the same seeds (common random
numbers) through :func:`abm.apps.designs.run_design_replications`; :func:`render_report` turns the
result into HTML (jinja2, figures embedded as base64 PNG, no external URLs).

Examples
--------
>>> from abm.apps.designs import load_design
>>> d = load_design("revenue_sharing").with_overrides(days=40, reform_day=20, seeds=[1, 2])
>>> cmp = compare_designs([d])
>>> html = render_report(cmp)
>>> html.startswith("<!DOCTYPE html>"), "http://" in html or "https://" in html
(True, False)
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import platform
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from matplotlib.figure import Figure

import abm
from abm.apps.designs import (
    Design,
    DesignError,
    design_to_params,
    paired_effects,
    period_windows,
    run_design_replications,
    t_half_width,
)
from abm.engine.metrics import METRICS
from abm.engine.model import simulated_patients
from abm.runs.experiments import SYNCHRONOUS

STATUS_QUO = "status quo"

#: Short label and kind of unit of each outcome ("share" values are shown in percent).
LABELS: dict[str, tuple[str, str]] = {
    "primary_outpatient_share": ("Primary care share of outpatient visits", "share"),
    "upward_referral_rate": ("Upward referral rate from primary care", "share"),
    "downward_referral_rate": ("Downward referral rate from county hospitals", "share"),
    "first_contact_primary_rate": ("Episodes first seen in primary care", "share"),
    "county_internal_rate": ("Episodes treated inside the county", "share"),
    "inpatient_county_internal_rate": ("Admissions inside the county", "share"),
    "visits_per_capita": ("Outpatient visits per resident per year", "count"),
    "oop_per_episode": ("Out-of-pocket cost per treated illness episode", "yuan"),
    "primary_visits_per_capita": ("Primary care visits per resident per year", "count"),
    "forgone_care_rate": ("Illness episodes without formal care (self-treatment)", "share"),
    "primary_admission_share": ("Admissions at township centres", "share"),
    "bed_transfer_rate": ("Admitted patients sent on for lack of a bed", "share"),
    "downward_referral_rate_provincial": ("Downward referral rate, provincial hospital", "share"),
    "downward_referral_rate_county_general": ("Downward referral rate, county general hospital",
                                              "share"),
    "downward_referral_rate_county": ("Downward referral rate, county hospitals", "share"),
    "insurance_spend_per_capita": ("Insurance fund spending per resident per year", "yuan"),
    "turned_away_rate": ("Arrivals turned away for lack of slots", "share"),
    "success_rate": ("Treated episodes that end well", "share"),
    "trust_primary": ("Patients' trust in primary care (probability of a good outcome)", "share"),
    "referred_turned_away_rate": ("Referred patients turned away", "share"),
    "downward_acceptance_rate": ("Downward referrals accepted by patients", "share"),
    "referred_oop_per_episode": ("Out-of-pocket cost of an episode referred down", "yuan"),
    "primary_capability": ("Capability of primary facilities (severity units, 0-4)", "count"),
    "admissions_per_capita": ("Admissions per resident per year", "count"),
    "upper_outpatient_visits_per_capita": ("Hospital outpatient visits per resident per year",
                                           "count"),
    "oop_per_capita": ("Out-of-pocket payments per resident per year", "yuan"),
    "episodes_per_capita": ("Illness episodes per resident per year", "count"),
    "turned_away_per_capita": ("Arrivals turned away per 1,000 residents per year", "per1000"),
}
TIME_PATH_METRICS = ("primary_outpatient_share", "downward_referral_rate",
                     "insurance_spend_per_capita", "oop_per_episode")
#: The three effects of the summary at the top: what the reforms aim at (care moving to primary
#: facilities), the mechanism they work through (hospitals referring stable patients down) and
#: what it costs the insurance fund.
HEADLINE_METRICS = ("primary_outpatient_share", "downward_referral_rate",
                    "insurance_spend_per_capita")
#: Fewest seeds (or seed x draw pairs) for which a time path is drawn as a mean with a 95% band;
#: with fewer, a t interval over so few values is wider than the paths themselves (two seeds:
#: the half-width is 9 standard deviations), so each seed's path is drawn instead.
MIN_SEEDS_FOR_BAND = 5
#: Line style of the status quo in every figure: black, dashed, drawn on top of the designs so it
#: stays visible where a design does not move an outcome (before the reform all lines coincide).
STATUS_QUO_STYLE = {"color": "black", "ls": "--", "lw": 1.8, "zorder": 5}
BUDGET_METRICS = ("insurance_spend_per_capita", "oop_per_capita")
CAPACITY_METRICS = ("turned_away_rate", "referred_turned_away_rate", "turned_away_per_capita")
#: Outcomes shown per group of patients in the equity section (tables; the first four plotted).
EQUITY_METRICS = ("forgone_care_rate", "primary_outpatient_share", "oop_per_capita",
                  "insurance_spend_per_capita", "oop_per_episode", "county_internal_rate",
                  "inpatient_county_internal_rate",
                  "success_rate", "turned_away_rate")
#: How each group of patients is named in the report.
GROUP_LABELS: dict[tuple[str, str], str] = {
    **{("remoteness_quintile", str(q)): f"remoteness quintile {q}" + {
        1: " (nearest to care)", 5: " (most remote)"}.get(q, "") for q in range(1, 6)},
    ("insurance_scheme", "resident"): "resident scheme",
    ("insurance_scheme", "employee"): "urban employee scheme",
}


#: How each kind of unit is shown: (level format, change format, multiplier).
FORMATS: dict[str, tuple[str, str, float]] = {
    "share": ("{:.1f}%", "{:+.2f} pp", 100.0),
    "yuan": ("{:,.0f} yuan", "{:+,.1f} yuan", 1.0),
    "count": ("{:,.3g}", "{:+,.3g}", 1.0),
    "per1000": ("{:,.2f}", "{:+,.2f}", 1000.0),
}


def kind(metric: str) -> str:
    """Kind of unit of an outcome: a key of :data:`FORMATS`."""
    return LABELS.get(metric, (metric, "count"))[1]


def label(metric: str) -> str:
    """Readable name of an outcome (the metric name itself if it has no label)."""
    return LABELS.get(metric, (metric, "count"))[0]


def _fmt(metric: str, value: float, which: int) -> str:
    if not np.isfinite(value):
        return "n/a"
    spec = FORMATS[kind(metric)]
    return spec[which].format(spec[2] * value)


def fmt_duration(days: int) -> str:
    """Say a number of days as a person would: in days, months or years.

    Examples
    --------
    >>> fmt_duration(1), fmt_duration(45), fmt_duration(90), fmt_duration(365)
    ('1 day', '45 days', '3 months', '1 year')
    >>> fmt_duration(730), fmt_duration(500), fmt_duration(1000)
    ('2 years', '16 months', '2.7 years')
    """
    if days % 365 == 0:
        n = days // 365
        return f"{n} year{'s' if n != 1 else ''}"
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 730:
        return f"{round(days / 30.4)} months"
    return f"{days / 365:.1f} years"


_MONEY_UNITS = ((1e9, "billion yuan"), (1e6, "million yuan"), (1e3, "thousand yuan"),
                (1.0, "yuan"))


def _money_unit(size: float) -> tuple[float, str]:
    return next(((k, u) for k, u in _MONEY_UNITS if abs(size) >= k), _MONEY_UNITS[-1])


def fmt_money(value: float, *, sign: bool = True) -> str:
    """Format a county total in yuan, in the unit its size calls for.

    Examples
    --------
    >>> fmt_money(-360_000.0), fmt_money(16_010_000.0), fmt_money(663e6, sign=False)
    ('-360.0 thousand yuan', '+16.01 million yuan', '663.00 million yuan')
    """
    if not np.isfinite(value):
        return "n/a"
    k, unit = _money_unit(value)
    digits = 1 if k == 1e3 else 2 if k > 1 else 0
    return f"{value / k:{'+' if sign else ''},.{digits}f} {unit}"


def fmt_money_interval(low: float, high: float) -> str:
    """Format an interval of yuan amounts in one unit, chosen by the larger end.

    Examples
    --------
    >>> fmt_money_interval(-2_420_000.0, 1_700_000.0)
    '-2.42 to +1.70 million yuan'
    """
    k, unit = _money_unit(max(abs(low), abs(high)))
    digits = 1 if k == 1e3 else 2 if k > 1 else 0
    return f"{low / k:+,.{digits}f} to {high / k:+,.{digits}f} {unit}"


def fmt_value(metric: str, value: float) -> str:
    """Format a level of an outcome with its unit.

    Examples
    --------
    >>> fmt_value("primary_outpatient_share", 0.5123), fmt_value("oop_per_episode", 212.4)
    ('51.2%', '212 yuan')
    """
    return _fmt(metric, value, 0)


def fmt_change(metric: str, value: float) -> str:
    """Format a change in an outcome (percentage points for shares).

    Examples
    --------
    >>> fmt_change("primary_outpatient_share", 0.0123), fmt_change("oop_per_episode", -3.0)
    ('+1.23 pp', '-3.0 yuan')
    """
    return _fmt(metric, value, 1)


@dataclass(frozen=True)
class Comparison:
    """Runs of the status quo and of each design on the same seeds, and how they were made."""

    designs: tuple[Design, ...]
    runs: pd.DataFrame
    windows: dict[str, tuple[int, int]]
    seconds: float
    created: str

    @property
    def first(self) -> Design:
        """The first design (all designs share preset, horizon, seeds and parameters)."""
        return self.designs[0]

    def effects(self, metrics: Sequence[str] | None = None) -> pd.DataFrame:
        """Paired effects of each design from the reform start (see :func:`paired_effects`)."""
        metrics = list(metrics) if metrics is not None else self.outcomes()
        return paired_effects(self.runs, baseline=STATUS_QUO, metrics=metrics)

    def group_effects(self, metrics: Sequence[str] = EQUITY_METRICS) -> pd.DataFrame:
        """Paired effects per group of patients (:data:`GROUP_LABELS`), from the reform start.

        Columns ``grouping, group, label`` and those of :func:`paired_effects`.
        """
        parts = [paired_effects(self.runs, baseline=STATUS_QUO, metrics=metrics,
                                group=key).assign(grouping=key[0], group=key[1], label=name)
                 for key, name in GROUP_LABELS.items()]
        return pd.concat(parts, ignore_index=True)

    def outcomes(self) -> list[str]:
        """Outcomes to report: the union of the designs' lists, in order."""
        return list(dict.fromkeys(m for d in self.designs for m in d.outcomes))


_SHARED = ("preset", "days", "reform_day", "seeds", "posterior_draws", "parameters")


def check_comparable(designs: Sequence[Design]) -> None:
    """Raise :class:`DesignError` unless the designs can share one status quo run per seed."""
    if not designs:
        raise DesignError("give at least one design to compare")
    names = [d.name for d in designs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise DesignError(f"design {dup[0]!r} is given more than once; give each design once")
    first = designs[0]
    for d in designs[1:]:
        for key in _SHARED:
            a, b = getattr(first, key), getattr(d, key)
            if a != b:
                raise DesignError(
                    f"designs compared in one report must share {', '.join(_SHARED)}: "
                    f"{first.source} has {key} = {a!r} but {d.source} has {key} = {b!r} "
                    f"(override with --days / --seeds, or edit the files)")


def compare_designs(designs: Sequence[Design], *, scheduler: str | None = SYNCHRONOUS,
                    progress: bool | None = None) -> Comparison:
    """Run the status quo and every design on the designs' seeds; return a :class:`Comparison`.

    Examples
    --------
    >>> from abm.apps.designs import load_design
    >>> d = load_design("reimbursement_plus10").with_overrides(days=30, reform_day=10, seeds=[1])
    >>> sorted(compare_designs([d]).runs["scenario"].unique())
    ['reimbursement_plus10', 'status quo']
    """
    check_comparable(designs)
    first = designs[0]
    scenarios = {STATUS_QUO: first.baseline_params(),
                 **{d.name: design_to_params(d) for d in designs}}
    windows = period_windows(first.days, first.reform_day)
    t0 = time.perf_counter()
    runs = run_design_replications(scenarios, seeds=first.seeds, days=first.days,
                                   windows=windows, scheduler=scheduler, progress=progress,
                                   posterior_draws=first.posterior_draws)
    return Comparison(designs=tuple(designs), runs=runs, windows=windows,
                      seconds=time.perf_counter() - t0,
                      created=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))


# ---------------------------------------------------------------------- figures


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


#: Public names for the design search's page (:mod:`abm.apps.search`): one rule for figures.
png_base64 = _png


def _scale(metric: str) -> float:
    return FORMATS[kind(metric)][2]


def _unit(metric: str) -> str:
    return {"share": "%", "yuan": "yuan", "per1000": "per 1,000 residents"}.get(kind(metric),
                                                                                  "value")


def figure_effects(effects: pd.DataFrame) -> Figure:
    """Effect of each design on each outcome with its 95% interval over seeds."""
    metrics = list(dict.fromkeys(effects["metric"]))
    scen = list(dict.fromkeys(effects["scenario"]))
    fig = Figure(figsize=(8, 1.1 + 0.35 * len(scen) * len(metrics)))
    ax = fig.add_subplot()
    y, ticks = 0, []
    colors = {s: f"C{i}" for i, s in enumerate(scen)}
    for m in metrics:
        sub = effects[effects["metric"] == m]
        shown = np.abs(sub[["lower", "upper", "effect"]].to_numpy(dtype=float))
        # an outcome without events in the window (e.g. no downward referral yet) has no effect
        ref = max(float(np.nanmax(shown)), 1e-12) if np.isfinite(shown).any() else 1.0
        for _, r in sub.iterrows():
            # each outcome on its own scale: the effect as a share of the largest |value| shown
            e, lo, hi = r["effect"] / ref, r["lower"] / ref, r["upper"] / ref
            if np.isfinite(lo):
                ax.plot([lo, hi], [y, y], color=colors[r["scenario"]], lw=2)
            ax.plot([e], [y], "o", color=colors[r["scenario"]])
            ax.annotate(fmt_change(m, r["effect"]), (1.05, y), xycoords=("axes fraction", "data"),
                        va="center", fontsize=8)
            ticks.append((y, f"{label(m)} — {r['scenario']}"))
            y -= 1
        y -= 0.6
    ax.axvline(0, color="grey", lw=1)
    ax.set_yticks([t[0] for t in ticks], [t[1] for t in ticks], fontsize=8)
    ax.set_xlim(-1.15, 1.15)
    ax.set_xticks([])
    ax.set_xlabel("change against the status quo (each outcome scaled to its largest change; "
                  "value at right)", fontsize=8)
    ax.set_title("Effects from the reform start, mean over seeds with 95% interval", fontsize=10)
    return fig


def figure_time_paths(runs: pd.DataFrame, windows: dict[str, tuple[int, int]],
                      reform_day: int, metrics: Sequence[str]) -> Figure:
    """Each outcome per period for the status quo and each design.

    With at least :data:`MIN_SEEDS_FOR_BAND` seeds (or seed x draw pairs) each scenario is drawn
    as its mean over seeds and the status quo also with the 95% t interval of its mean as a grey
    band (one band: several overlapping ones hide the lines); with fewer seeds, each seed's path
    is drawn as a thin line and the mean as a thick one. The status quo is drawn last, in
    :data:`STATUS_QUO_STYLE`, so it is never hidden under a design.
    """
    periods = {k: v for k, v in windows.items() if k.startswith("period_")}
    p = runs[runs["window"].isin(list(periods)) & (runs["grouping"] == "county")]
    order = [s for s in dict.fromkeys(p["scenario"]) if s != STATUS_QUO]
    order.append(STATUS_QUO)  # last: on top
    pair = ["seed", "draw"] if "draw" in p.columns else ["seed"]
    nrows = (len(metrics) + 1) // 2
    fig = Figure(figsize=(9, 2.6 * nrows))
    for i, m in enumerate(metrics):
        ax = fig.add_subplot(nrows, 2, i + 1)
        k = _scale(m)
        for j, scen in enumerate(order):
            g = p[p["scenario"] == scen]
            if g.empty:
                continue
            style = (dict(STATUS_QUO_STYLE) if scen == STATUS_QUO
                     else {"color": f"C{j}", "lw": 1.5, "zorder": 3})
            n = len(g[pair].drop_duplicates())
            st = g.groupby(["first_day", "end_day"])[m].agg(["mean", "std", "count"]).sort_index()
            edges = np.r_[st.index.get_level_values(0), st.index.get_level_values(1)[-1]]
            mean = st["mean"].to_numpy() * k
            # each period's value is a flat step over its days: nothing drawn mixes periods
            ax.stairs(mean, edges, baseline=None, label=scen, **style)
            if n >= MIN_SEEDS_FOR_BAND:
                if scen != STATUS_QUO:
                    continue  # one band, the status quo's: overlapping bands hide the lines
                half = t_half_width(st["std"].to_numpy(), st["count"].to_numpy()) * k
                low = np.maximum(mean - half, 0.0)  # every outcome drawn is >= 0
                ax.fill_between(edges, np.r_[low, low[-1]],
                                np.r_[mean + half, (mean + half)[-1]], step="post",
                                color="grey", alpha=0.2, lw=0)
            else:
                for _, one in g.groupby(pair):
                    one = one.sort_values("first_day")
                    ax.stairs(one[m].to_numpy() * k, edges, baseline=None,
                              color=style["color"], lw=0.7, alpha=0.45,
                              zorder=style["zorder"] - 1)
        ax.axvline(reform_day, color="grey", ls=":", lw=1)
        ax.set_title(label(m), fontsize=9)
        ax.set_xlabel("day", fontsize=8)
        ax.set_ylabel(_unit(m), fontsize=8)
        ax.tick_params(labelsize=7)
        if i == 0:
            ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def bands_shown(runs: pd.DataFrame) -> bool:
    """Whether time paths carry bands: every scenario has :data:`MIN_SEEDS_FOR_BAND` pairs."""
    pair = ["seed", "draw"] if "draw" in runs.columns else ["seed"]
    n = runs.groupby("scenario")[pair].apply(lambda g: len(g.drop_duplicates()))
    return bool(len(n)) and int(n.min()) >= MIN_SEEDS_FOR_BAND


def figure_equity(effects: pd.DataFrame, metrics: Sequence[str]) -> Figure:
    """Change of outcomes per group of patients against the status quo, 95% intervals."""
    labels = list(GROUP_LABELS.values())
    ticks = [f"Q{q}" for q in range(1, 6)] + ["resident", "employee"]
    x = np.r_[np.arange(5), 6.0, 7.6]  # a gap between the two groupings
    scen = list(dict.fromkeys(effects["scenario"]))
    fig = Figure(figsize=(9, 2.7 * ((len(metrics) + 1) // 2)))
    for i, m in enumerate(metrics):
        ax = fig.add_subplot((len(metrics) + 1) // 2, 2, i + 1)
        k = _scale(m)
        for j, s in enumerate(scen):
            sub = (effects[(effects["scenario"] == s) & (effects["metric"] == m)]
                   .set_index("label").reindex(labels))
            e = sub["effect"].to_numpy() * k
            err = np.vstack([e - sub["lower"].to_numpy() * k, sub["upper"].to_numpy() * k - e])
            off = (j - (len(scen) - 1) / 2) * 0.25
            ax.errorbar(x + off, e, yerr=err if np.all(np.isfinite(err)) else None, fmt="o",
                        color=f"C{j}", capsize=3, ms=4, label=s)
        ax.axhline(0, color="grey", lw=1)
        ax.axvline(5.0, color="#ccc", lw=1)
        ax.set_xticks(x, ticks, fontsize=7)
        ax.set_title(f"{label(m)}: change", fontsize=9)
        ax.set_ylabel({"share": "percentage points"}.get(kind(m), _unit(m)), fontsize=8)
        ax.tick_params(labelsize=7)
        if i == 0:
            ax.legend(fontsize=7)
    fig.supxlabel("village remoteness quintile (Q1 nearest to care ... Q5 most remote) | "
                  "insurance scheme", fontsize=8)
    fig.tight_layout()
    return fig


def figure_budget(budget: pd.DataFrame) -> Figure:
    """Change of county totals per year (insurance fund, out of pocket) with 95% intervals."""
    fig = Figure(figsize=(8, 3))
    ax = fig.add_subplot()
    items = list(dict.fromkeys(budget["item"]))
    scen = list(dict.fromkeys(budget["scenario"]))
    width = 0.8 / max(len(scen), 1)
    for j, s in enumerate(scen):
        sub = budget[budget["scenario"] == s].set_index("item").reindex(items)
        x = np.arange(len(items)) + j * width
        eff = sub["change_total"].to_numpy() / 1e6
        err = np.vstack([eff - sub["lower_total"].to_numpy() / 1e6,
                         sub["upper_total"].to_numpy() / 1e6 - eff])
        ax.bar(x, eff, width, color=f"C{j}", label=s,
               yerr=None if not np.all(np.isfinite(err)) else err, capsize=3)
    ax.axhline(0, color="grey", lw=1)
    ax.set_xticks(np.arange(len(items)) + width * (len(scen) - 1) / 2, items, fontsize=8)
    ax.set_ylabel("million yuan per year, whole county", fontsize=8)
    ax.set_title("Change in yearly county totals against the status quo", fontsize=10)
    ax.legend(fontsize=7)
    return fig


# ---------------------------------------------------------------------- tables


def budget_table(cmp: Comparison) -> pd.DataFrame:
    """Insurance fund and out-of-pocket spending: per resident and county totals per year.

    Per-resident values are per person-year of the simulated patients; each simulated patient
    stands for ``setting.scale`` residents, so a county total is the per-resident value times
    the county's residents (full scale).
    """
    residents = cmp.first.baseline_params().setting.residents
    eff = cmp.effects(BUDGET_METRICS)
    names = {"insurance_spend_per_capita": "insurance fund", "oop_per_capita": "out of pocket"}
    out = eff.assign(item=eff["metric"].map(names), residents=residents)
    for col in ("baseline_mean", "scenario_mean", "effect", "lower", "upper"):
        out[f"{col}_total"] = out[col] * residents
    return out.rename(columns={"effect_total": "change_total"})


def _git_revision() -> str:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=12"], cwd=here,
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown (git not available)"
    return out.stdout.strip() or "unknown (not a git checkout)"


#: Public name for the design search's page: one rule for the revision a page reports.
git_describe = _git_revision


def provenance(cmp: Comparison, command: str | None = None) -> dict[str, object]:
    """How the report was made: design files, git revision, seeds, versions, timing."""
    versions = {}
    for pkg in ("referral-incentives-lab", "mesa", "numpy", "pandas", "scipy", "matplotlib",
                "jinja2"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    versions["python"] = platform.python_version()
    p = cmp.first.baseline_params()
    return {"command": command or "", "git": _git_revision(), "created": cmp.created,
            "seconds": f"{cmp.seconds:.1f}", "seeds": ", ".join(map(str, cmp.first.seeds)),
            "posterior_draws": cmp.first.posterior_draws,
            "versions": versions, "abm_version": abm.__version__,
            "simulated_patients": simulated_patients(p), "scale": f"{p.setting.scale:g}",
            "residents": p.setting.residents, "runs": int(cmp.runs[["scenario", "draw", "seed"]]
                                                         .drop_duplicates().shape[0])}


def _lever_rows(d: Design) -> list[dict[str, str]]:
    base = d.baseline_params().incentives
    rows = []
    if d.package:
        rows.append({"lever": f"package {d.package}", "status_quo": "", "design": "",
                     "how": "every lever path of this named package (datasets/reforms.csv); "
                            "levers listed below replace the package's path of the same lever"})
    for name, path in d.levers.items():
        how = (f"step on day {path.start_day}" if path.path == "step" else
               f"linear ramp from day {path.start_day} over {path.years:g} years "
               f"(in monthly steps)")
        rows.append({"lever": name, "status_quo": f"{getattr(base, name):g}",
                     "design": f"{path.value:g}", "how": how})
    return rows


def render_report(cmp: Comparison, *, command: str | None = None) -> str:
    """Return the comparison report as one self-contained HTML page."""
    env = Environment(loader=PackageLoader("abm.apps", "templates"), autoescape=select_autoescape(),
                      undefined=StrictUndefined)
    outcomes = cmp.outcomes()
    eff = cmp.effects(outcomes)
    budget = budget_table(cmp)
    cap = cmp.effects(CAPACITY_METRICS)
    equity = cmp.group_effects()
    d0 = cmp.first
    figures = {
        "effects": ("Effects of each design on each outcome", figure_effects(eff)),
        "time_paths": ("Time paths of the main outcomes",
                       figure_time_paths(cmp.runs, cmp.windows, d0.reform_day,
                                         TIME_PATH_METRICS)),
        "budget": ("Insurance fund and out-of-pocket spending, county totals",
                   figure_budget(budget)),
        "equity": ("Change of outcomes by remoteness and by insurance scheme",
                   figure_equity(equity, EQUITY_METRICS[:4])),
        "capacity": ("Capacity pressure over time",
                     figure_time_paths(cmp.runs, cmp.windows, d0.reform_day,
                                       ("turned_away_rate", "referred_turned_away_rate"))),
    }
    images = {k: {"title": t, "png": _png(f)} for k, (t, f) in figures.items()}

    def rows(frame: pd.DataFrame) -> list[dict[str, str]]:
        out = []
        for _, r in frame.iterrows():
            m = r["metric"]
            interval = ("n/a (one seed)" if not np.isfinite(r["lower"]) else
                        f"{fmt_change(m, r['lower'])} to {fmt_change(m, r['upper'])}")
            out.append({"scenario": r["scenario"], "metric": m, "label": label(m),
                        "definition": METRICS.get(m, ""),
                        "status_quo": fmt_value(m, r["baseline_mean"]),
                        "design": fmt_value(m, r["scenario_mean"]),
                        "effect": fmt_change(m, r["effect"]), "interval": interval,
                        "n": int(r["n_seeds"])})
        return out

    budget_rows = [{"scenario": r["scenario"], "item": r["item"],
                    "status_quo_pc": fmt_value("oop_per_capita", r["baseline_mean"]),
                    "design_pc": fmt_value("oop_per_capita", r["scenario_mean"]),
                    "change_pc": fmt_change("oop_per_capita", r["effect"]),
                    "status_quo_total": fmt_money(r["baseline_mean_total"], sign=False),
                    "change_total": fmt_money(r["change_total"]),
                    "interval_total": ("n/a (one seed)" if not np.isfinite(r["lower_total"])
                                       else fmt_money_interval(r["lower_total"],
                                                               r["upper_total"]))}
                   for _, r in budget.iterrows()]
    prov = provenance(cmp, command)
    n_pairs = int(eff["n_seeds"].min()) if len(eff) else 0
    return env.get_template("report.html.j2").render(
        designs=[{"d": d, "levers": _lever_rows(d)} for d in cmp.designs], first=d0,
        effects=rows(eff), capacity=rows(cap), budget=budget_rows, figures=images,
        prov=prov, equity=_equity_tables(equity, rows), status_quo=STATUS_QUO,
        after=fmt_duration(d0.days - d0.reform_day), horizon=fmt_duration(d0.days),
        headline=headline(cmp), bands=bands_shown(cmp.runs), min_band=MIN_SEEDS_FOR_BAND,
        n_pairs=n_pairs, notes=_notes(cmp))


def _notes(cmp: Comparison) -> list[str]:
    """Sentences the analyst must see with the numbers: choices made for them, short ramps."""
    from abm.apps.designs import horizon_notes

    out = []
    for d in cmp.designs:
        out += [f"{d.name}: {n}" for n in (*d.notes, *horizon_notes(d))]
    return out


def headline(cmp: Comparison) -> list[dict[str, object]]:
    """Return the summary at the top: each design's effects on :data:`HEADLINE_METRICS`.

    Each cell has the change, its 95% interval (or why there is none) and a verdict: whether
    the interval excludes zero (the change is larger than the simulation's noise).
    """
    eff = cmp.effects(HEADLINE_METRICS)
    out = []
    for scen, g in eff.groupby("scenario", sort=False):
        cells = []
        for _, r in g.iterrows():
            m = r["metric"]
            if np.isfinite(r["lower"]):
                interval = f"{fmt_change(m, r['lower'])} to {fmt_change(m, r['upper'])}"
                clear = r["lower"] > 0 or r["upper"] < 0
                verdict = "larger than the noise" if clear else "within the noise"
            else:
                interval, verdict = "no interval: one seed", "one seed: noise unknown"
                clear = False
            cells.append({"metric": m, "label": label(m), "effect": fmt_change(m, r["effect"]),
                          "status_quo": fmt_value(m, r["baseline_mean"]),
                          "interval": interval, "verdict": verdict, "excludes_zero": clear})
        out.append({"scenario": scen, "cells": cells})
    return out


def _equity_tables(effects: pd.DataFrame, rows: Any) -> list[dict[str, object]]:
    """One table per grouping of patients: rows per outcome and group, formatted."""
    tables = []
    for grouping, title in (("remoteness_quintile", "By remoteness of the village"),
                            ("insurance_scheme", "By insurance scheme")):
        sub = effects[effects["grouping"] == grouping]
        scen = {x: i for i, x in enumerate(dict.fromkeys(sub["scenario"]))}
        metric = {m: i for i, m in enumerate(EQUITY_METRICS)}
        sub = (sub.assign(_s=sub["scenario"].map(scen), _m=sub["metric"].map(metric))
               .sort_values(["_s", "_m"], kind="stable"))
        tables.append({"title": title, "rows": [
            {**r, "group": g} for r, g in zip(rows(sub), sub["label"], strict=True)]})
    return tables


def write_report(cmp: Comparison, path: str | Path, *, command: str | None = None) -> Path:
    """Render the report and write it to ``path`` (UTF-8); return the path."""
    path = Path(path)
    path.write_text(render_report(cmp, command=command), encoding="utf-8")
    return path
