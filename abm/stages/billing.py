"""Stage: bills, revenue sharing and the prices of continued care.

A quantity is computed once, here: :func:`continued_care` prices the rest of a stabilised
patient's care at the hospital (keep) and at the primary facility (move); the revenue credited to
the referring hospital under unified accounting (seed 000, 5.3) is ``revenue_share`` times the
receiver's revenue, and both the physician's perceived loss and the facility ledgers read that
same number.

Continued care is the remaining share of the stay (``demand.continued_stay_share`` of the
inpatient bill; a village clinic has no beds, so there it is follow-up visits only) plus
``demand.followup_visits`` outpatient visits. A move to primary care opens a new admission there,
with its deductible, unless deductible continuity waives it (seed 000, 5.3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm import rules
from abm.episodes import Day, Draws, Episodes


@dataclass(frozen=True)
class ContinuedCare:
    """Prices of continued care per episode, kept at the hospital or moved down (yuan)."""

    keep_revenue: np.ndarray
    move_revenue: np.ndarray
    keep_oop: np.ndarray
    move_oop: np.ndarray
    keep_inpatient: np.ndarray
    move_inpatient: np.ndarray
    credit: np.ndarray         # revenue credited to the hospital if the patient moves
    physician_loss: np.ndarray  # revenue the hospital (and its physician) loses by a move

    @property
    def keep_insurance(self) -> np.ndarray:
        """Insurance payments if the patient stays."""
        return self.keep_revenue - self.keep_oop

    @property
    def move_insurance(self) -> np.ndarray:
        """Insurance payments if the patient moves."""
        return self.move_revenue - self.move_oop


def continued_care_prices(day: Day, hospital: np.ndarray, receiver: np.ndarray,
                          employee: np.ndarray) -> ContinuedCare:
    """Price the continued care of patients at ``hospital`` against a move to ``receiver``.

    Works on any arrays of facility indices (the model also prices a typical patient per hospital
    for the hospitals' first referral policy).
    """
    fac, p, inc = day.fac, day.p, day.inc
    dm = p.demand
    bonus = p.facilities.employee_bonus * employee
    k, rem = dm.followup_visits, dm.continued_stay_share

    def price(f: np.ndarray, deductible: np.ndarray | float) -> tuple[np.ndarray, ...]:
        inpatient = rem * fac.inpatient_cost[f] * (fac.beds[f] > 0)
        visits = k * fac.fee[f]
        oop = (rules.out_of_pocket(inpatient, rules.reimbursement_rate(
            fac.inpatient_reimbursement[f], bonus), deductible * (inpatient > 0))
            + rules.out_of_pocket(visits, rules.reimbursement_rate(fac.reimbursement[f], bonus)))
        return inpatient + visits, oop, inpatient

    keep_rev, keep_oop, keep_in = price(hospital, 0.0)
    move_rev, move_oop, move_in = price(receiver, fac.deductible[receiver]
                                        * (1.0 - inc.deductible_continuity))
    credit = inc.revenue_share * move_rev
    return ContinuedCare(keep_revenue=keep_rev, move_revenue=move_rev, keep_oop=keep_oop,
                         move_oop=move_oop, keep_inpatient=keep_in, move_inpatient=move_in,
                         credit=credit, physician_loss=keep_rev - credit)


def continued_care(e: Episodes, day: Day) -> ContinuedCare:
    """Continued-care prices of the day's episodes (final facility against the receiver)."""
    return continued_care_prices(day, e.final, e.receiver, e.batch.employee)


def bill(e: Episodes, d: Draws, day: Day) -> None:
    """Charges per kind of service: (facility, price, out of pocket, outpatient visits).

    The first visit, the referred visit, the acute part of an admission and the continued care
    at whichever facility gives it; bed-days booked per admission.
    """
    from abm.stages.choice import walkin_reimbursement

    fac, p = day.fac, day.p
    n, up, care = e.n, e.up, e.care
    bonus = p.facilities.employee_bonus * e.batch.employee
    first_oop = rules.out_of_pocket(fac.fee[e.first], walkin_reimbursement(
        day, e.first, e.batch.employee, e.batch.family_doctor))
    reimb_final = rules.reimbursement_rate(fac.reimbursement[e.final], bonus)
    reimb_in = rules.reimbursement_rate(fac.inpatient_reimbursement[e.final], bonus)
    stable = e.eligible
    acute_price = e.admitted * fac.inpatient_cost[e.final] - stable * care.keep_inpatient
    visit1 = (e.first, fac.fee[e.first], first_oop, np.ones(n))
    visit2 = (e.final, up * fac.fee[e.final],
              up * rules.out_of_pocket(fac.fee[e.final], reimb_final), up.astype(float))
    acute = (e.final, acute_price, e.admitted * rules.out_of_pocket(
        acute_price, reimb_in, fac.deductible[e.final]), np.zeros(n))
    moved = e.down
    follow = (e.followup_fac, stable * np.where(moved, care.move_revenue, care.keep_revenue),
              stable * np.where(moved, care.move_oop, care.keep_oop),
              stable * float(p.demand.followup_visits))
    e.charges = (visit1, visit2, acute, follow)
    e.credit = moved * care.credit
    e.oop = sum(ch[2] for ch in e.charges)
    e.cost = sum(ch[1] for ch in e.charges)
    los = fac.length_of_stay
    stay = los[e.final] * (1.0 - moved * p.demand.continued_stay_share)
    e.bed_days = np.where(e.admitted, np.rint(stay), 0).astype(np.int64)
