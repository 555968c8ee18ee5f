"""Stages: diagnosis and upward referral at the first facility; downward referral after a stay.

Upward: the physician refers when the assessed severity exceeds what the facility treats, shaded
by the wish to keep the patient's revenue (seed 000, 4.3). Downward: an aware and undeterred
hospital physician proposes moving a stabilised patient to primary care; the revenue the hospital
loses pulls down (read from billing, the same number as the ledger), the hospital's internal
referral incentive (its monthly policy) pulls up; the patient accepts or refuses; the handover
may fail without an information platform (seed 000, 4.5); the receiving unit must take the
patient over (its physicians weigh the risk of a case beyond their capability, their workload and
their own revenue under the payment regime) and, for the rest
of a stay, have a free bed (docs/odd.md §7, Receiving side).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.engine import rules
from abm.engine.episodes import Draws, Episodes, Knobs, State
from abm.engine.stages.billing import continued_care


@njit(cache=True, inline="always")
def refer_up(e: Episodes, s: State, k: Knobs, t: Draws) -> None:
    """Physician, correct reading and referral destination (-1: none) at the first facility.

    Writes ``e.phys_first``, ``e.correct``, ``e.dest`` and ``e.up``. A consortium member weighs
    the revenue motive as :func:`abm.engine.rules.upward_revenue_keep` of the consortium budget,
    other facilities as ``up_revenue_keep``, and gains the consortium's referral channel
    (:func:`abm.engine.rules.upward_channel`) (compiled; the stages' signature).
    """
    fac, ph = s.fac, s.phys
    first, severity, alts, rank, capability = e.first, e.severity, e.alts, fac.rank, fac.capability
    keep_member = rules.upward_revenue_keep(k.up_revenue_keep, k.consortium_budget)
    n, m = alts.shape
    doc, correct = e.phys_first, e.correct
    assessed = np.empty(n)
    wants = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        f = first[i]
        doc[i] = rules.pick_member(fac.phys_start[f], fac.phys_count[f], t.physician_first[i])
        assessed[i], correct[i] = rules.diagnose(severity[i], ph.skill[doc[i]],
                                                 t.diagnosis_first[i], k.diagnosis_noise)
        p_up = rules.upward_referral_probability(
            assessed[i], capability[f], ph.revenue_sensitivity[doc[i]], k.up_slope, k.up_margin,
            keep_member if fac.member[f] else k.up_revenue_keep,
            rules.upward_channel(k.up_platform, k.information_platform, fac.member[f]))
        wants[i] = t.refer_up[i] < p_up
    # the destination matters only where the physician decides to refer (about one in ten)
    w = np.flatnonzero(wants)
    a = alts[w]
    rank_alt = np.empty((w.size, m), dtype=rank.dtype)
    cap_alt = np.empty((w.size, m))
    for r in range(w.size):
        for j in range(m):
            f = max(a[r, j], 0)
            rank_alt[r, j], cap_alt[r, j] = rank[f], capability[f]
    e.dest[:] = -1
    e.dest[w] = rules.referral_destination(a, a >= 0, rank_alt, cap_alt, rank[first[w]],
                                           assessed[w])
    for i in range(n):
        e.up[i] = e.dest[i] >= 0


@njit(cache=True, inline="always")
def physician_at_final(e: Episodes, s: State, k: Knobs, t: Draws) -> None:
    """Treating physician and correct reading of each episode: the referred ones' anew.

    Writes ``e.phys_final`` and, for the referred episodes, ``e.correct`` (compiled).
    """
    fac = s.fac
    e.phys_final[:] = e.phys_first
    for i in np.flatnonzero(e.up):
        f = e.final[i]
        e.phys_final[i] = rules.pick_member(fac.phys_start[f], fac.phys_count[f],
                                            t.physician_final[i])
        _, e.correct[i] = rules.diagnose(e.severity[i], s.phys.skill[e.phys_final[i]],
                                         t.diagnosis_final[i], k.diagnosis_noise)


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


@njit(cache=True, inline="always")
def refer_down(e: Episodes, s: State, k: Knobs, t: Draws) -> None:
    """Proposed, accepted and completed downward referrals of the stabilised episodes.

    Finds each episode's receiver (:func:`receiver_of`), prices its continued care there and at
    the hospital (:func:`abm.engine.stages.billing.continued_care`, into ``e.care``), and writes
    ``e.receiver``, ``e.proposed``, ``e.accepted``, ``e.down``, ``e.failed`` and
    ``e.followup_fac`` (compiled; the stages' signature).

    A referral the patient accepts is completed when the receiving unit takes the patient over
    (:func:`abm.engine.rules.receive_probability`: its capability against the patient's
    severity, its outpatient load yesterday and the revenue the patient brings it), the handover
    does not fail (it may without the information platform), and, where the rest of the stay
    needs a bed (a township centre), a bed is free there today (:func:`room_for_referrals`,
    taken in episode order; as for admissions, a bed is taken while a fraction of it is free, so
    room for 1.5 beds takes 2 patients: the rule does not round away the beds of small
    facilities at reduced scale). One uniform draw decides the first two together: the referral
    goes through with probability
    ``(1 - handover_failure) * receive``.
    """
    fac, ph = s.fac, s.phys
    has_receiver, receiver = receiver_of(e.alts)
    e.receiver[:] = receiver
    care = continued_care(e.final, receiver, e.employee, fac, k)
    for j in range(len(care)):
        e.care[j][:] = care[j]
    room = room_for_referrals(fac.beds_free, e.final, e.admitted)
    platform = rules.downward_platform(k.information_platform, k.platform_down_reach)
    handover_failure = k.handover_failure * (1.0 - platform)
    doc, final, trust, tier = e.phys_final, e.final, e.trust, fac.tier
    proposed, accepted, down = e.proposed, e.accepted, e.down
    proposed[:] = False
    accepted[:] = False
    down[:] = False
    for i in range(doc.size):
        if not (e.eligible[i] and has_receiver[i]):
            continue
        # one draw per physician for both frictions: the physicians unaware of subordinate
        # units' status are also those the process deters (both answer unfamiliarity with the
        # referral channel), so the blocked share is the larger survey share, not their product
        draw = ph.awareness_draw[doc[i]]
        if not (rules.physician_aware(draw, k.unaware_share, platform)
                and rules.physician_aware(draw, k.complex_share, platform)):
            continue
        p_down = rules.downward_referral_probability(
            care.physician_loss[i], ph.revenue_sensitivity[doc[i]], fac.referral_push[final[i]],
            k.down_intercept, k.down_revenue_loss)
        proposed[i] = t.refer_down[i] < p_down
        if not proposed[i]:
            continue
        p_acc = rules.acceptance_probability(
            trust[i, tier[receiver[i]]], trust[i, tier[final[i]]],
            care.move_oop[i] - care.keep_oop[i], e.family_doctor[i], k.accept_intercept,
            k.accept_trust, k.accept_cost, k.accept_family_doctor)
        accepted[i] = t.acceptance[i] < p_acc
        if not accepted[i]:
            continue
        r = receiver[i]
        own_revenue = (rules.own_revenue_weight(k.consortium_budget, fac.member[r])
                       * (care.move_revenue[i] - care.credit[i]))
        p_through = (1.0 - handover_failure) * rules.receive_probability(
            fac.capability[r], e.severity[i], k.receive_intercept, k.receive_capability,
            fac.occupancy[r], k.receive_load, own_revenue, k.receive_revenue)
        needs_bed = fac.beds[r] > 0
        down[i] = t.handover[i] < p_through and (room[r] > 0.0 or not needs_bed)
        if down[i] and needs_bed:
            room[r] -= 1.0
    for i in range(doc.size):
        e.failed[i] = accepted[i] and not down[i]
        e.followup_fac[i] = receiver[i] if down[i] else final[i]
