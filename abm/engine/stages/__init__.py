"""The day as named stages: each a compiled function over the day's episodes, in its own module.

After the choice at onset (:func:`abm.engine.stages.choice.choose`, which decides who seeks formal
care and so which episodes there are), every stage has one signature, ``stage(e, s, k, t)``: the
day's episodes (:class:`abm.engine.episodes.Episodes`, whose arrays each stage fills in place), the
county's state (:class:`abm.engine.episodes.State`: facilities, physicians, villages), the
parameters and levers in force (:class:`abm.engine.episodes.Knobs`) and the episodes' random
numbers (:class:`abm.engine.episodes.Draws`, named fields). :data:`STAGES` is their order (the
one list of the stages): the docs print it and :func:`process_episodes` calls the stages in it,
written out call by call, because each stage is inlined there (numba's ``inline="always"``: one
function to compile instead of ten that each take the day's whole tuples, 11-17 s less of a
fresh compile in two alternating runs) and a loop over a tuple of functions cannot be inlined; a
test checks those calls against :data:`STAGES`. The rules they apply are the pure functions of
:mod:`abm.engine.rules`. Everything here is compiled with numba, so the whole day after the
onsets is one call (:func:`abm.engine.day.run_day`); each stage stays
callable from Python.

Examples
--------
>>> from abm.engine.stages import STAGES
>>> [name for name, _ in STAGES][:3]
['walk-in capacity', 'diagnosis and upward referral', 'referred arrivals']
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.engine.episodes import (
    Batch,
    DayResult,
    Draws,
    Knobs,
    State,
    new_episodes,
    subset_draws,
)
from abm.engine.stages import admission, billing, capacity, choice, outcome, referral

#: The stages after the choice at onset, in the order the day runs them (the one list of them).
STAGES = (
    ("walk-in capacity", capacity.serve_walkins),
    ("diagnosis and upward referral", referral.refer_up),
    ("referred arrivals", capacity.serve_referred),
    ("physician at the final facility", referral.physician_at_final),
    ("admission", admission.admit),
    ("downward referral", referral.refer_down),
    ("billing", billing.bill),
    ("outcome and trust", outcome.outcome_and_trust),
    ("word of mouth", outcome.word_of_mouth),
)


@njit(cache=True)
def process_episodes(b: Batch, d: Draws, s: State, alternatives: np.ndarray, travel: np.ndarray,
                     k: Knobs) -> DayResult:
    """Run one day's batch of episodes: the choice at onset, then every stage of :data:`STAGES`.

    ``b`` and ``d`` are the day's ill patients and their draws, ``s`` the county's state,
    ``alternatives`` and ``travel`` the villages' choice sets
    (:class:`abm.inputs.roster.Geography`). Nothing but the returned arrays is changed (compiled).

    Examples
    --------
    >>> from abm import ReferralModel
    >>> m = ReferralModel(rng=1)
    >>> m.keep_days = True  # keep the day's episodes in m.last_day
    >>> m.run_for(1)
    >>> int(m.last_day.episodes.first.size) > 0
    True
    """
    n = b.village.size
    trust_primary_onset = np.empty(n)
    for i in range(n):  # township and village tiers
        trust_primary_onset[i] = (b.trust[i, 3] + b.trust[i, 4]) / 2.0
    x, forgone, keep, alts, chosen, fallback = choice.choose(b, d, s.fac, alternatives, travel, k)
    t = subset_draws(d, keep)
    e = new_episodes(b, keep, x, alts, chosen, fallback, t.wom_pick.shape[1], s.fac.tier)
    # the stages of STAGES, in its order (tests/abm/test_engine_shape.py checks the calls)
    capacity.serve_walkins(e, s, k, t)
    referral.refer_up(e, s, k, t)
    capacity.serve_referred(e, s, k, t)
    referral.physician_at_final(e, s, k, t)
    admission.admit(e, s, k, t)
    referral.refer_down(e, s, k, t)
    billing.bill(e, s, k, t)
    outcome.outcome_and_trust(e, s, k, t)
    outcome.word_of_mouth(e, s, k, t)
    trust_after = b.trust.copy()
    for r in range(keep.size):
        trust_after[keep[r]] = e.trust[r]
    return DayResult(e, forgone, trust_after, trust_primary_onset)


__all__ = ["STAGES", "process_episodes"]
