"""The day as named stages: each a compiled function over the day's episodes, in its own module.

:data:`STAGES` lists them in the order :func:`process_episodes` runs them. Each stage reads the
arrays of the episodes filled by the stages before it, the day's random numbers
(:class:`abm.engine.episodes.Draws`, named fields), the facility state
(:class:`abm.engine.episodes.FacilityView`) and the parameters and levers in force
(:class:`abm.engine.episodes.Knobs`), and returns its own arrays. The rules they apply are the pure
functions of :mod:`abm.engine.rules`. Everything here is compiled with numba, so the whole day after
the onsets is one call (:func:`abm.engine.day.run_day`); each stage stays callable from Python.

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
    Episodes,
    FacilityView,
    Knobs,
    PhysicianState,
    subset_draws,
)
from abm.engine.stages import admission, billing, capacity, choice, outcome, referral

#: The stages after the choice at onset (which decides who seeks formal care), in order.
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
def process_episodes(b: Batch, d: Draws, fac: FacilityView, ph: PhysicianState,
                     alternatives: np.ndarray, travel: np.ndarray, village_start: np.ndarray,
                     village_count: np.ndarray, k: Knobs) -> DayResult:
    """Run one day's batch of episodes: the choice at onset, then every stage of :data:`STAGES`.

    ``b`` and ``d`` are the day's ill patients and their draws, ``ph`` the physicians in the CSR
    order of ``fac``, ``alternatives`` and ``travel`` the villages' choice sets
    (:class:`abm.inputs.roster.Geography`), ``village_start``/``village_count`` the villages' blocks
    of patients. Nothing but the returned arrays is changed (compiled).

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
    x, forgone, keep, alts, chosen, fallback = choice.choose(b, d, fac, alternatives, travel, k)
    t = subset_draws(d, keep)
    village, employee, family_doctor = b.village[keep], b.employee[keep], b.family_doctor[keep]
    severity, trust = x[keep], b.trust[keep]
    turned_away, first = capacity.serve_walkins(
        chosen, fallback, t.order_walkin,
        capacity.walkin_limit(fac.capacity, fac.member, fac.hospital, k.reserved_referral_share))
    phys_first, correct, dest = referral.refer_up(
        first, severity, alts, t.physician_first, t.diagnosis_first, t.refer_up, fac.phys_start,
        fac.phys_count, ph.skill, ph.revenue_sensitivity, fac.capability, fac.rank, fac.member,
        k.diagnosis_noise, k.up_slope, k.up_margin, k.up_revenue_keep, k.up_revenue_keep_member)
    up = dest >= 0
    final, ref_turned_away = capacity.serve_referred(first, up, dest, t.order_referred, alts,
                                                     fac.capacity, fac.rank)
    phys_final, correct = referral.physician_at_final(
        up, final, phys_first, correct, severity, t.physician_final, t.diagnosis_final,
        fac.phys_start, fac.phys_count, ph.skill, k.diagnosis_noise)
    admitted, bed_transfer, bed_full_at, eligible = admission.admit(
        final, phys_final, severity, alts, t.order_bed, t.stabilised, k.admit_threshold,
        k.stabilised_share, fac.beds, fac.beds_free, fac.hospital, fac.in_county, fac.rank,
        fac.phys_start, fac.phys_count, t.physician_final)
    has_receiver, receiver = referral.receiver_of(alts)
    care = billing.continued_care(final, receiver, employee, fac, k)
    proposed, accepted, down = referral.refer_down(
        eligible & has_receiver, phys_final, final, receiver, severity, trust,
        care.physician_loss, care.move_oop - care.keep_oop, family_doctor, t.refer_down,
        t.acceptance, t.handover, ph.awareness_draw, ph.revenue_sensitivity, fac.referral_push,
        fac.tier, fac.capability, fac.beds,
        referral.room_for_referrals(fac.beds_free, final, admitted), k.unaware_share,
        k.complex_share, k.platform, k.down_intercept, k.down_revenue_loss, k.accept_intercept,
        k.accept_trust, k.accept_cost, k.accept_family_doctor, k.handover_failure,
        k.receive_intercept, k.receive_capability)
    failed = accepted & ~down
    followup_fac = np.where(down, receiver, final)
    where, price, oop_kind, visits, credit, oop, cost, bed_days = billing.bill(
        first, final, followup_fac, up, admitted, eligible, down, employee, family_doctor, care,
        fac, k)
    success = outcome.outcome_and_trust(
        trust, final, receiver, down, severity, correct, t.outcome, t.rehab, fac.quality,
        fac.capability, fac.tier, k.outcome_intercept, k.outcome_quality, k.outcome_mismatch,
        k.outcome_diagnosis, k.learning_rate)
    contacts, told_tier, told = outcome.word_of_mouth(
        t.wom_tell, t.wom_pick, village, final, success, village_start, village_count, fac.tier,
        k.wom_probability)
    trust_after = b.trust.copy()
    for r in range(keep.size):
        trust_after[keep[r]] = trust[r]
    e = Episodes(village, employee, family_doctor, severity, b.trust[keep], trust, alts, chosen,
                 fallback, turned_away, first, phys_first, correct, up, dest, ref_turned_away,
                 final, phys_final, admitted, bed_transfer, bed_full_at, eligible, receiver,
                 proposed, accepted, down, failed, followup_fac, care, where, price, oop_kind,
                 visits, credit, oop, cost, bed_days, success, contacts, told_tier, told)
    return DayResult(e, forgone, trust_after, trust_primary_onset)


__all__ = ["STAGES", "process_episodes"]
