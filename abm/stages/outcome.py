"""Stages: how episodes end, what patients learn from it, and what they tell their neighbours.

Trust moves toward the experienced outcome in the tier that treated the episode. A tier that
referred the patient up is not credited with the upper hospital's outcome (it did not treat the
episode); after a downward referral the receiving tier learns from the rehabilitation outcome.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm import rules
from abm.episodes import Day, Draws, Episodes


def outcome_and_trust(e: Episodes, d: Draws, day: Day) -> None:
    """Draw each outcome and update the patient's trust in the tiers that treated them."""
    fac, p = day.fac, day.p
    o = p.outcome
    coefs = {"intercept": o.intercept, "quality_coef": o.quality, "mismatch_coef": o.mismatch,
             "diagnosis_coef": o.correct_diagnosis}
    p_ok = rules.success_probability(fac.quality[e.final], fac.capability[e.final], e.severity,
                                     e.correct, **coefs)
    e.success = d.outcome < p_ok
    rec = e.receiver
    p_rehab = rules.success_probability(fac.quality[rec], fac.capability[rec], np.zeros(e.n),
                                        np.ones(e.n, dtype=bool), **coefs)
    rehab_ok = d.rehab < p_rehab
    lr = p.trust.learning_rate
    r = np.arange(e.n)
    t_final, t_rec = fac.tier[e.final], fac.tier[rec]
    e.trust[r, t_final] = rules.update_trust(e.trust[r, t_final], e.success, lr)
    down = e.down
    e.trust[r[down], t_rec[down]] = rules.update_trust(e.trust[r[down], t_rec[down]],
                                                       rehab_ok[down], lr)


def word_of_mouth(e: Episodes, d: Draws, day: Day) -> None:
    """Tell some outcomes to neighbours in the same village (who hears, which tier, how)."""
    told = np.flatnonzero(d.wom_tell < day.p.trust.wom_probability)
    vil = e.batch.village[told, None]
    contacts = rules.pick_member(day.village_start[vil], day.village_count[vil], d.wom_pick[told])
    keep = contacts >= 0
    tier = day.fac.tier[e.final]
    e.wom_contacts = contacts[keep]
    e.wom_tier = np.broadcast_to(tier[told, None], keep.shape)[keep]
    e.wom_outcome = np.broadcast_to(e.success[told, None], keep.shape)[keep].astype(float)


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
