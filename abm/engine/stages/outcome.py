"""Stages: how episodes end, what patients learn from it, and what they tell their neighbours.

Trust moves toward the experienced outcome in the tier that treated the episode. A tier that
referred the patient up is not credited with the upper hospital's outcome (it did not treat the
episode); after a downward referral the receiving tier learns from the rehabilitation outcome.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.engine import rules


@njit(cache=True)
def outcome_and_trust(trust: np.ndarray, final: np.ndarray, receiver: np.ndarray,
                       down: np.ndarray, severity: np.ndarray, correct: np.ndarray,
                       u_outcome: np.ndarray, u_rehab: np.ndarray, quality: np.ndarray,
                       capability: np.ndarray, tier: np.ndarray, intercept: float,
                       quality_coef: float, mismatch_coef: float, diagnosis_coef: float,
                       rate: float) -> np.ndarray:
    """Success of each episode; trust updated in place (treating tier, then receiving tier)."""
    n = final.size
    success = np.empty(n, dtype=np.bool_)
    for i in range(n):
        f = final[i]
        success[i] = u_outcome[i] < rules.success_probability(
            quality[f], capability[f], severity[i], correct[i], intercept, quality_coef,
            mismatch_coef, diagnosis_coef)
        t = tier[f]
        trust[i, t] = rules.update_trust(trust[i, t], success[i], rate)
        if down[i]:
            r = receiver[i]
            rehab_ok = u_rehab[i] < rules.success_probability(
                quality[r], capability[r], 0.0, True, intercept, quality_coef, mismatch_coef,
                diagnosis_coef)
            t = tier[r]
            trust[i, t] = rules.update_trust(trust[i, t], rehab_ok, rate)
    return success


@njit(cache=True)
def word_of_mouth(u_tell: np.ndarray, u_pick: np.ndarray, village: np.ndarray,
                   final: np.ndarray, success: np.ndarray, village_start: np.ndarray,
                   village_count: np.ndarray, tier: np.ndarray, probability: float
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return listener, tier and outcome (1 good, 0 bad) of each telling, in episode order."""
    n, k = u_pick.shape
    contacts = np.empty(n * k, dtype=np.int64)
    told_tier = np.empty(n * k, dtype=tier.dtype)
    outcome = np.empty(n * k)
    m = 0
    for i in range(n):
        if not u_tell[i] < probability:
            continue
        v = village[i]
        for j in range(k):
            c = rules.pick_member(village_start[v], village_count[v], u_pick[i, j])
            if c >= 0:
                contacts[m], told_tier[m], outcome[m] = c, tier[final[i]], np.float64(success[i])
                m += 1
    return contacts[:m], told_tier[:m], outcome[:m]


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
