"""Stages: diagnosis and upward referral at the first facility; downward referral after a stay.

Upward: the physician refers when the assessed severity exceeds what the facility treats, shaded
by the wish to keep the patient's revenue (seed 000, 4.3). Downward: an aware and undeterred
hospital physician proposes moving a stabilised patient to primary care; the revenue the hospital
loses pulls down (read from billing, the same number as the ledger), the hospital's internal
referral incentive (its monthly policy) pulls up; the patient accepts or refuses; the handover
may fail without an information platform (seed 000, 4.5); the receiving unit must take the
patient over (its physicians weigh the risk of a case beyond their capability) and, for the rest
of a stay, have a free bed (docs/odd.md §7, Receiving side).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.engine import rules


@njit(cache=True)
def refer_up(first: np.ndarray, severity: np.ndarray, alts: np.ndarray, u_physician: np.ndarray,
              z: np.ndarray, u_refer: np.ndarray, phys_start: np.ndarray, phys_count: np.ndarray,
              skill: np.ndarray, revenue_sensitivity: np.ndarray, capability: np.ndarray,
              rank: np.ndarray, member: np.ndarray, noise: float, slope: float, margin: float,
              revenue_keep: float, revenue_keep_member: float
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Physician, correct reading and referral destination (-1: none) of each episode.

    A consortium member weighs the revenue motive as ``revenue_keep_member``
    (:func:`abm.rules.upward_revenue_keep`), other facilities as ``revenue_keep``.
    """
    n, k = alts.shape
    doc = np.empty(n, dtype=np.int64)
    correct = np.empty(n, dtype=np.bool_)
    assessed = np.empty(n)
    wants = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        f = first[i]
        doc[i] = rules.pick_member(phys_start[f], phys_count[f], u_physician[i])
        assessed[i], correct[i] = rules.diagnose(severity[i], skill[doc[i]], z[i], noise)
        p_up = rules.upward_referral_probability(assessed[i], capability[f],
                                                 revenue_sensitivity[doc[i]], slope, margin,
                                                 revenue_keep_member if member[f]
                                                 else revenue_keep)
        wants[i] = u_refer[i] < p_up
    # the destination matters only where the physician decides to refer (about one in ten)
    w = np.flatnonzero(wants)
    a = alts[w]
    rank_alt = np.empty((w.size, k), dtype=rank.dtype)
    cap_alt = np.empty((w.size, k))
    for r in range(w.size):
        for j in range(k):
            f = max(a[r, j], 0)
            rank_alt[r, j], cap_alt[r, j] = rank[f], capability[f]
    dest = np.full(n, -1, dtype=np.int64)
    dest[w] = rules.referral_destination(a, a >= 0, rank_alt, cap_alt, rank[first[w]],
                                         assessed[w])
    return doc, correct, dest


@njit(cache=True)
def physician_at_final(up: np.ndarray, final: np.ndarray, phys_first: np.ndarray,
                        correct_first: np.ndarray, severity: np.ndarray, u_physician: np.ndarray,
                        z: np.ndarray, phys_start: np.ndarray, phys_count: np.ndarray,
                        skill: np.ndarray, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Treating physician and correct reading of each episode (the referred ones anew)."""
    doc, correct = phys_first.copy(), correct_first.copy()
    for i in np.flatnonzero(up):
        f = final[i]
        doc[i] = rules.pick_member(phys_start[f], phys_count[f], u_physician[i])
        _, correct[i] = rules.diagnose(severity[i], skill[doc[i]], z[i], noise)
    return doc, correct


@njit(cache=True)
def receiver_of(alts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each episode has a primary facility to move to, and which (township, else village).

    Where there is none, the receiver is facility 0 (never used: no referral is proposed).
    """
    n = alts.shape[0]
    has = np.empty(n, dtype=np.bool_)
    receiver = np.empty(n, dtype=np.int64)
    for i in range(n):
        r = alts[i, 1] if alts[i, 1] >= 0 else alts[i, 0]
        has[i], receiver[i] = r >= 0, max(r, 0)
    return has, receiver


@njit(cache=True)
def room_for_referrals(beds_free: np.ndarray, final: np.ndarray, admitted: np.ndarray
                       ) -> np.ndarray:
    """Beds left today for downward referrals: free beds less today's admissions (compiled)."""
    room = beds_free.copy()
    for i in range(final.size):
        if admitted[i]:
            room[final[i]] -= 1.0
    return room


@njit(cache=True)
def refer_down(candidate: np.ndarray, doc: np.ndarray, final: np.ndarray, receiver: np.ndarray,
                severity: np.ndarray, trust: np.ndarray, physician_loss: np.ndarray,
                extra_oop: np.ndarray, family_doctor: np.ndarray, u_propose: np.ndarray,
                u_accept: np.ndarray, u_handover: np.ndarray, awareness_draw: np.ndarray,
                revenue_sensitivity: np.ndarray, push: np.ndarray, tier: np.ndarray,
                capability: np.ndarray, beds: np.ndarray, room: np.ndarray,
                unaware_share: float, complex_share: float, platform: float,
                down_intercept: float, down_revenue_loss: float, accept_intercept: float,
                accept_trust: float, accept_cost: float, accept_family_doctor: float,
                handover_failure: float, receive_intercept: float, receive_capability: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Proposed, accepted and completed downward referrals of each episode.

    A referral the patient accepts is completed when the receiving unit takes the patient over
    (:func:`abm.rules.receive_probability`), the handover does not fail, and, where the rest of
    the stay needs a bed (a township centre), a bed is free there today (``room``, decreased in
    place in episode order; as for admissions, a bed is taken while a fraction of it is free, so
    room for 1.5 beds takes 2 patients: the rule does not round away the beds of small
    facilities at reduced scale). One uniform draw decides the first two together: the referral
    goes through with probability ``(1 - handover_failure) * receive``.
    """
    n = doc.size
    proposed = np.zeros(n, dtype=np.bool_)
    accepted = np.zeros(n, dtype=np.bool_)
    down = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if not candidate[i]:
            continue
        # one draw per physician for both frictions: the physicians unaware of subordinate
        # units' status are also those the process deters (both answer unfamiliarity with the
        # referral channel), so the blocked share is the larger survey share, not their product
        draw = awareness_draw[doc[i]]
        if not (rules.physician_aware(draw, unaware_share, platform)
                and rules.physician_aware(draw, complex_share, platform)):
            continue
        p_down = rules.downward_referral_probability(
            physician_loss[i], revenue_sensitivity[doc[i]], push[final[i]], down_intercept,
            down_revenue_loss)
        proposed[i] = u_propose[i] < p_down
        if not proposed[i]:
            continue
        p_acc = rules.acceptance_probability(
            trust[i, tier[receiver[i]]], trust[i, tier[final[i]]], extra_oop[i],
            family_doctor[i], accept_intercept, accept_trust, accept_cost, accept_family_doctor)
        accepted[i] = u_accept[i] < p_acc
        if not accepted[i]:
            continue
        r = receiver[i]
        p_through = (1.0 - handover_failure) * rules.receive_probability(
            capability[r], severity[i], receive_intercept, receive_capability)
        needs_bed = beds[r] > 0
        down[i] = u_handover[i] < p_through and (room[r] > 0.0 or not needs_bed)
        if down[i] and needs_bed:
            room[r] -= 1.0
    return proposed, accepted, down
