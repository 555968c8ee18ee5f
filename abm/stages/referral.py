"""Stages: diagnosis and upward referral at the first facility; downward referral after a stay.

Upward: the physician refers when the assessed severity exceeds what the facility treats, shaded
by the wish to keep the patient's revenue (seed 000, 4.3). Downward: an aware and undeterred
hospital physician proposes moving a stabilised patient to primary care; the revenue the hospital
loses pulls down (read from billing, the same number as the ledger), the hospital's internal
referral incentive (its monthly policy) pulls up; the patient accepts or refuses; the handover
may fail without an information platform (seed 000, 4.5).
"""

from __future__ import annotations

import numpy as np

from abm import rules
from abm.episodes import Day, Draws, Episodes
from abm.stages import billing
from abm.tiers import RANK


def refer_up(e: Episodes, d: Draws, day: Day) -> None:
    """Diagnose at the first facility and decide the upward referrals and their destinations."""
    fac, p, ph = day.fac, day.p, day.phys
    rf = p.referral
    e.phys_first = rules.pick_member(fac.phys_start[e.first], fac.phys_count[e.first],
                                     d.physician_first)
    assessed, e.correct = rules.diagnose(e.severity, ph.skill[e.phys_first], d.diagnosis_first,
                                         p.physicians.diagnosis_noise)
    p_up = rules.upward_referral_probability(
        assessed, fac.capability[e.first], ph.revenue_sensitivity[e.phys_first],
        slope=rf.up_slope, margin=rf.up_margin, revenue_keep=rf.up_revenue_keep)
    # the destination matters only where the physician decides to refer (about one in ten)
    wants = d.refer_up < p_up
    e.dest = np.full(e.n, -1)
    alts = e.alts[wants]
    avail = alts >= 0
    a0 = np.maximum(alts, 0)
    e.dest[wants] = rules.referral_destination(
        alts, avail, RANK[fac.group[a0]], fac.capability[a0], RANK[fac.group[e.first[wants]]],
        assessed[wants])
    e.up = e.dest >= 0


def physician_at_final(e: Episodes, d: Draws, day: Day) -> None:
    """Pick the physician who treats a referred patient and see if they read the class right."""
    fac, ph = day.fac, day.phys
    e.phys_final = np.where(e.up, rules.pick_member(fac.phys_start[e.final],
                                                    fac.phys_count[e.final],
                                                    d.physician_final), e.phys_first)
    _, correct_final = rules.diagnose(e.severity, ph.skill[e.phys_final], d.diagnosis_final,
                                      day.p.physicians.diagnosis_noise)
    e.correct = np.where(e.up, correct_final, e.correct)


def refer_down(e: Episodes, d: Draws, day: Day) -> None:
    """Propose, accept and hand over downward referrals of stabilised hospital patients."""
    fac, p, ph, inc = day.fac, day.p, day.phys, day.inc
    rf = p.referral
    receiver = np.where(e.alts[:, 1] >= 0, e.alts[:, 1], e.alts[:, 0])  # township, else village
    e.receiver = np.maximum(receiver, 0)
    care = billing.continued_care(e, day)
    e.care = care
    doc = e.phys_final
    # one draw per physician for both frictions: the physicians unaware of subordinate units'
    # status are also those the process deters (both answer unfamiliarity with the referral
    # channel), so the blocked share is the larger survey share, not their joint product
    draw = ph.awareness_draw[doc]
    aware = rules.physician_aware(draw, rf.unaware_share, inc.information_platform)
    undeterred = rules.physician_aware(draw, rf.complex_share, inc.information_platform)
    p_down = rules.downward_referral_probability(
        care.physician_loss, ph.revenue_sensitivity[doc], fac.referral_push[e.final],
        intercept=rf.down_intercept, loss_coef=rf.down_revenue_loss)
    e.proposed = (e.eligible & (receiver >= 0) & aware & undeterred & (d.refer_down < p_down))
    r = np.arange(e.n)
    p_acc = rules.acceptance_probability(
        e.trust[r, fac.tier[e.receiver]], e.trust[r, fac.tier[e.final]],
        care.move_oop - care.keep_oop, e.batch.family_doctor, intercept=rf.accept_intercept,
        trust_coef=rf.accept_trust, cost_coef=rf.accept_cost,
        family_doctor_coef=rf.accept_family_doctor)
    e.accepted = e.proposed & (d.acceptance < p_acc)
    e.down = e.accepted & (d.handover >= rf.handover_failure * (1.0 - inc.information_platform))
    e.failed = e.accepted & ~e.down
    e.followup_fac = np.where(e.down, e.receiver, e.final)
