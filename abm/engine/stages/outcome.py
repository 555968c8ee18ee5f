"""Stages: how episodes end, what patients learn from it, and what they tell their neighbours.

Trust moves toward the experienced outcome in the tier that treated the episode. A tier that
referred the patient up is not credited with the upper hospital's outcome (it did not treat the
episode); after a downward referral the receiving tier learns from the rehabilitation outcome.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.engine import rules
from abm.engine.episodes import Draws, Episodes, Knobs, State


@njit(cache=True, inline="always")
def outcome_and_trust(e: Episodes, s: State, k: Knobs, t: Draws) -> None:
    """Success of each episode (``e.success``); ``e.trust`` moves (treating, then receiving tier).

    Compiled; the stages' signature.
    """
    fac, trust, receiver = s.fac, e.trust, e.receiver
    quality, capability, tier = fac.quality, fac.capability, fac.tier
    for i in range(e.final.size):
        f = e.final[i]
        e.success[i] = t.outcome[i] < rules.success_probability(
            quality[f], capability[f], e.severity[i], e.correct[i], k.outcome_intercept,
            k.outcome_quality, k.outcome_mismatch, k.outcome_diagnosis)
        j = tier[f]
        trust[i, j] = rules.update_trust(trust[i, j], e.success[i], k.learning_rate)
        if e.down[i]:
            r = receiver[i]
            rehab_ok = t.rehab[i] < rules.success_probability(
                quality[r], capability[r], 0.0, True, k.outcome_intercept, k.outcome_quality,
                k.outcome_mismatch, k.outcome_diagnosis)
            j = tier[r]
            trust[i, j] = rules.update_trust(trust[i, j], rehab_ok, k.learning_rate)


@njit(cache=True, inline="always")
def word_of_mouth(e: Episodes, s: State, k: Knobs, t: Draws) -> None:
    """Tell neighbours the outcomes: listener, tier and outcome (1 good, 0 bad), episode order.

    Writes the tellings into ``e.wom_contacts``, ``e.wom_tier`` and ``e.wom_outcome`` and their
    number into ``e.wom_told`` (compiled; the stages' signature).
    """
    n, m = t.wom_pick.shape
    tier = s.fac.tier
    told = 0
    for i in range(n):
        if not t.wom_tell[i] < k.wom_probability:
            continue
        v = e.village[i]
        for j in range(m):
            c = rules.pick_member(s.village_start[v], s.village_count[v], t.wom_pick[i, j])
            if c >= 0:
                e.wom_contacts[told], e.wom_tier[told] = c, tier[e.final[i]]
                e.wom_outcome[told] = np.float64(e.success[i])
                told += 1
    e.wom_told[0] = told


def wom_rate(k: Knobs) -> float:
    """Return a telling's weight: the learning rate times the weight of word of mouth."""
    return k.learning_rate * k.wom_weight


@njit(cache=True)
def wom_deltas(trust: np.ndarray, rows: np.ndarray, tier: np.ndarray, outcome: np.ndarray,
               rate: float) -> np.ndarray:
    """Trust after word of mouth (compiled).

    Each told outcome moves the listener's trust in that tier toward it by ``rate`` (several
    tellings on one day add up, computed from the same start), then trust is clipped to [0, 1].

    ``trust`` is (listeners, 5); ``rows`` indexes listeners for each telling.

    >>> float(wom_deltas(np.array([[0.5] * 5]), np.array([0, 0]), np.array([4, 4]),
    ...                  np.array([1.0, 1.0]), 0.1)[0, 4].round(6))
    0.6
    """
    out = trust.copy()
    for k in range(rows.size):
        r, t = rows[k], tier[k]
        out[r, t] += rate * (outcome[k] - trust[r, t])
    return np.minimum(np.maximum(out, 0.0), 1.0)
