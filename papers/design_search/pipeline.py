"""Design search on X County: the Pareto front of incentive packages for a goal (issue 29).

Runs ``goal.toml`` (this folder) through the code path of ``referral-lab search``:
:func:`abm.apps.search.load_goal`, :func:`abm.search_designs` (every trial against the status
quo over posterior draws, through ``abm.sweep`` and its store) and ``DesignSearch.write`` (the
front, the trials, the front's design files and the HTML page, in ``output/search/``); the
figure draws the front. The posterior is whatever ``abm.posterior("x_county")`` ships. Run by
``python -m papers.build`` (``make figures``); the fast variant searches the small preset for
a few weeks.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402

from abm import search_designs  # noqa: E402
from abm.apps.search import figure_front, load_goal, parse_goal  # noqa: E402
from abm.inputs.data import posterior_path  # noqa: E402
from papers.build import Experiment, Figure  # noqa: E402

GOAL = Path(__file__).resolve().parent / "goal.toml"
#: The fast variant (the test suite): the same goal on the small preset, a few weeks, 4 trials.
FAST = {"preset": "small", "years": 0.1, "trials": 4, "batch": 2, "posterior": 2}


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def search_config(fast: bool) -> dict:
    return {"goal": _hash(GOAL), "posterior": _hash(posterior_path("x_county")),
            "overrides": FAST if fast else {}}


def run_search(cfg: dict, store, scheduler) -> pd.DataFrame:
    """The search as the command line runs it; every trial's row (levers, bands, margins)."""
    goal = load_goal(GOAL)
    over = dict(cfg["overrides"])
    if over:  # a few weeks of the small preset (at its own scale): the reform from day 20
        goal = parse_goal({**goal.raw, "reform_day": 20, "parameters": {}}, source=str(GOAL))
    found = search_designs(goal, out=store, scheduler=scheduler, progress=False, **over)
    found.write(Path(store).parents[1] / "search",
                command=f"python -m papers.build --paper design_search{' --fast' if over else ''}")
    trials = found.trials.copy()
    trials.attrs = {}  # the paired differences stay in the store
    return trials.assign(on_front=trials["on_front"].astype(bool))


def draw_front(frames):
    return figure_front(frames["search"], load_goal(GOAL).objectives)


EXPERIMENTS = {"search": Experiment(run=run_search, config=search_config)}
FIGURES = {
    "design_front": Figure(draw=draw_front, needs=("search",),
                           caption="designs searched for goal.toml on X County and their Pareto "
                                   "front, effects against the status quo with 90% bands over "
                                   "posterior draws"),
}
