"""The incentive levers: the outcome each should move, and a paired experiment to check it.

:data:`LEVERS` maps each lever to the outcome it acts on (through the agents' decisions), the
direction documented in docs/levers.md, and an illustrative reform value. :func:`lever_effects`
runs a baseline and one reform per lever on the same seeds (common random numbers) and returns
the paired differences.

Examples
--------
>>> from abm.runs.levers import LEVERS
>>> LEVERS["revenue_share"].metric
'downward_referral_rate'
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from abm.inputs.checks import check_days, check_int
from abm.inputs.params import ParamError, Params
from abm.runs.experiments import sweep

#: Scenario name of the runs without a reform (a lever's name is its reform's scenario name).
BASELINE = "baseline"


@dataclass(frozen=True)
class Lever:
    """A lever, the outcome it moves, the documented direction.

    (+1 up, -1 down), a reform value, and the mechanism in one line.
    """

    metric: str
    direction: int
    reform_value: float
    mechanism: str
    also: tuple[tuple[str, int], ...] = ()


LEVERS: dict[str, Lever] = {
    "revenue_share": Lever(
        "downward_referral_rate", +1, 0.8,
        "the referring hospital is credited part of the receiver's revenue, so it and its "
        "physicians lose less by referring down"),
    "consortium_budget": Lever(
        "downward_referral_rate", +1, 1.0,
        "the insurance money a move saves stays in the consortium, so hospitals reward "
        "downward referrals in their monthly policy"),
    "primary_reimbursement_premium": Lever(
        "primary_outpatient_share", +1, 0.2,
        "lower out-of-pocket cost at primary care raises its utility in the patient's choice"),
    "deductible_continuity": Lever(
        "referred_oop_per_episode", -1, 1.0,
        "a referred patient pays one deductible, so moving down costs less (acceptance rises "
        "too, but by little: most stabilised patients already save by moving, since the rest "
        "of a stay costs less at primary care)"),
    "reserved_referral_share": Lever(
        "referred_turned_away_rate", -1, 0.3,
        "walk-ins cannot fill the reserved slots, so referred patients find room"),
    "information_platform": Lever(
        "downward_referral_rate", +1, 1.0,
        "fewer physicians unaware or deterred, fewer failed handovers"),
    "counterpart_support": Lever(
        "primary_capability", +1, 2.0,
        "seconded specialists raise primary capability and local skill; better outcomes raise "
        "trust and then the primary share",
        also=(("trust_primary", +1), ("primary_outpatient_share", +1))),
    "performance_weight": Lever(
        "downward_referral_rate", +1, 1.0,
        "evaluation tied to performance and executive pay: hospitals pass it to physicians as an "
        "internal referral incentive"),
    "family_doctor_coverage": Lever(
        "first_contact_primary_rate", +1, 0.8,
        "contracted patients value their primary facility more at onset"),
    "gatekeeping_penalty": Lever(
        "first_contact_primary_rate", +1, 0.2,
        "contracted residents lose reimbursement when they bypass primary care for a hospital"),
    "primary_investment": Lever(
        "primary_outpatient_share", +1, 1.0,
        "equipment and staff raise primary capability, quality and slots"),
}


def lever_effects(params: Params, *, seeds: Iterable[int], days: int,
                  levers: Iterable[str] | None = None, reform_day: int = 0,
                  patients: str = "auto", progress: bool | None = None,
                  out: str | os.PathLike | None = None, scheduler: Any = None,
                  n_workers: int = 2) -> pd.DataFrame:
    """Paired effect of each lever: reform run minus baseline run on the same seed.

    Each lever is switched to its :data:`LEVERS` reform value at ``reform_day`` (all other
    incentives as in ``params``); metrics are summarised over the days from ``reform_day`` on.
    The runs go through :func:`abm.sweep` (``out``, ``scheduler`` and ``n_workers`` as there:
    a store to resume from, and where the runs execute).

    Returns a tidy frame with columns ``lever, metric, direction, seed, baseline, reform,
    difference`` (one row per lever, checked metric and seed). ``progress`` shows a progress bar
    over the runs (default: only on an interactive terminal or notebook).

    Examples
    --------
    >>> from abm import preset
    >>> df = lever_effects(preset("small"), seeds=[1], days=30, levers=["revenue_share"],
    ...                    scheduler="synchronous")
    >>> list(df["metric"])
    ['downward_referral_rate']
    """
    if isinstance(levers, str):
        raise ParamError(f"levers must be a list of lever names (or None for all), got the "
                         f"string {levers!r}: use levers=[{levers!r}]")
    names = list(LEVERS) if levers is None else list(levers)
    unknown = sorted(set(names) - set(LEVERS), key=str)
    if unknown:
        raise ParamError(f"unknown lever(s) {unknown}; valid levers: {', '.join(LEVERS)}")
    days = check_days(days)
    reform_day = check_int(reform_day, "reform_day", 0, days - 1)
    scenarios = {BASELINE: params, **{
        name: params.replace(**{"reform.day": reform_day,
                                f"reform.incentives.{name}": LEVERS[name].reform_value})
        for name in names}}
    runs = sweep(scenarios, seeds=list(seeds), days=days, windows=[(reform_day, days)],
                 patients=patients, progress=progress is not False, out=out,
                 scheduler=scheduler, n_workers=n_workers)
    summary = runs.set_index(["scenario", "seed"])
    rows = []
    for seed in runs["seed"].unique():
        base = summary.loc[(BASELINE, seed)]
        for name in names:
            lev = LEVERS[name]
            ref = summary.loc[(name, seed)]
            for metric, direction in ((lev.metric, lev.direction), *lev.also):
                rows.append({"lever": name, "metric": metric, "direction": direction,
                             "seed": seed, "baseline_value": getattr(params.incentives, name),
                             "reform_value": lev.reform_value, "baseline": base[metric],
                             "reform": ref[metric], "difference": ref[metric] - base[metric]})
    return pd.DataFrame(rows)
