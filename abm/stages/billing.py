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
from numba import njit

from abm import rules
from abm.episodes import Day, Draws, Episodes
from abm.stages.choice import walkin_reimbursement
from abm.tiers import is_hospital


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

    def price(f: np.ndarray, deductible: np.ndarray) -> tuple[np.ndarray, ...]:
        return _price(f, deductible, bonus, dm.continued_stay_share, float(dm.followup_visits),
                      fac.inpatient_cost, fac.beds, fac.fee, fac.inpatient_reimbursement,
                      fac.reimbursement)

    keep_rev, keep_oop, keep_in = price(hospital, np.zeros(hospital.size))
    move_rev, move_oop, move_in = price(receiver, fac.deductible[receiver]
                                        * (1.0 - inc.deductible_continuity))
    credit = inc.revenue_share * move_rev
    return ContinuedCare(keep_revenue=keep_rev, move_revenue=move_rev, keep_oop=keep_oop,
                         move_oop=move_oop, keep_inpatient=keep_in, move_inpatient=move_in,
                         credit=credit, physician_loss=keep_rev - credit)


@njit(cache=True)
def _price(f: np.ndarray, deductible: np.ndarray, bonus: np.ndarray, stay_share: float,
           visits_per_patient: float, inpatient_cost: np.ndarray, beds: np.ndarray,
           fee: np.ndarray, inpatient_reimbursement: np.ndarray, reimbursement: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Revenue, out of pocket and inpatient part of continued care at facilities ``f``."""
    n = f.size
    revenue, oop, inpatient = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        g = f[i]
        stay = stay_share * inpatient_cost[g] * (beds[g] > 0)
        visits = visits_per_patient * fee[g]
        oop[i] = (rules.out_of_pocket(stay, rules.reimbursement_rate(inpatient_reimbursement[g],
                                                                     bonus[i]),
                                      deductible[i] * (stay > 0))
                  + rules.out_of_pocket(visits, rules.reimbursement_rate(reimbursement[g],
                                                                         bonus[i]), 0.0))
        revenue[i], inpatient[i] = stay + visits, stay
    return revenue, oop, inpatient


def continued_care(e: Episodes, day: Day) -> ContinuedCare:
    """Continued-care prices of the day's episodes (final facility against the receiver)."""
    return continued_care_prices(day, e.final, e.receiver, e.batch.employee)


def bill(e: Episodes, d: Draws, day: Day) -> None:
    """Charges per kind of service: (facility, price, out of pocket, outpatient visits).

    The first visit, the referred visit, the acute part of an admission and the continued care
    at whichever facility gives it; bed-days booked per admission.
    """
    fac, p, care = day.fac, day.p, e.care
    where, price, oop, visits, e.credit, e.oop, e.cost, e.bed_days = _bill(
        e.first, e.final, e.followup_fac, e.up, e.admitted, e.eligible, e.down, e.batch.employee,
        e.batch.family_doctor, is_hospital(fac.group), day.inc.gatekeeping_penalty,
        care.keep_inpatient, care.keep_revenue, care.move_revenue, care.keep_oop,
        care.move_oop, care.credit, fac.fee, fac.reimbursement, fac.inpatient_reimbursement,
        fac.inpatient_cost, fac.deductible, fac.length_of_stay, p.facilities.employee_bonus,
        float(p.demand.followup_visits), p.demand.continued_stay_share)
    e.charges = tuple(zip(where, price, oop, visits, strict=True))


@njit(cache=True)
def _bill(first: np.ndarray, final: np.ndarray, followup_fac: np.ndarray, up: np.ndarray,
          admitted: np.ndarray, stable: np.ndarray, moved: np.ndarray, employee: np.ndarray,
          family_doctor: np.ndarray, hospital: np.ndarray, gatekeeping_penalty: float,
          keep_inpatient: np.ndarray, keep_revenue: np.ndarray,
          move_revenue: np.ndarray, keep_oop: np.ndarray, move_oop: np.ndarray,
          care_credit: np.ndarray, fee: np.ndarray, reimbursement: np.ndarray,
          inpatient_reimbursement: np.ndarray, inpatient_cost: np.ndarray,
          deductible: np.ndarray, length_of_stay: np.ndarray, employee_bonus: float,
          followup_visits: float, continued_stay_share: float
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                     np.ndarray, np.ndarray]:
    """Charges as (kinds, episodes) matrices: facility, price, out of pocket, visits (compiled).

    Kinds: first visit, referred visit, acute stay, continued care. Also the credit, total out
    of pocket and cost per episode (kinds added in that order) and the bed-days booked.
    """
    n = first.size
    where = np.empty((4, n), dtype=np.int64)
    price = np.empty((4, n))
    oop = np.empty((4, n))
    visits = np.empty((4, n))
    credit, paid, cost = np.empty(n), np.empty(n), np.empty(n)
    bed_days = np.zeros(n, dtype=np.int64)
    for i in range(n):
        f, g = first[i], final[i]
        bonus = employee_bonus * employee[i]
        reimb_final = rules.reimbursement_rate(reimbursement[g], bonus)
        reimb_in = rules.reimbursement_rate(inpatient_reimbursement[g], bonus)
        acute = admitted[i] * inpatient_cost[g] - stable[i] * keep_inpatient[i]
        first_rate = walkin_reimbursement(reimbursement[f], bonus, family_doctor[i] and hospital[f],
                                          gatekeeping_penalty)
        where[0, i], price[0, i], visits[0, i] = f, fee[f], 1.0
        oop[0, i] = rules.out_of_pocket(fee[f], first_rate, 0.0)
        where[1, i], price[1, i] = g, up[i] * fee[g]
        oop[1, i] = up[i] * rules.out_of_pocket(fee[g], reimb_final, 0.0)
        visits[1, i] = np.float64(up[i])
        where[2, i], price[2, i], visits[2, i] = g, acute, 0.0
        oop[2, i] = admitted[i] * rules.out_of_pocket(acute, reimb_in, deductible[g])
        where[3, i] = followup_fac[i]
        price[3, i] = stable[i] * (move_revenue[i] if moved[i] else keep_revenue[i])
        oop[3, i] = stable[i] * (move_oop[i] if moved[i] else keep_oop[i])
        visits[3, i] = stable[i] * followup_visits
        credit[i] = moved[i] * care_credit[i]
        paid[i] = 0 + oop[0, i] + oop[1, i] + oop[2, i] + oop[3, i]
        cost[i] = 0 + price[0, i] + price[1, i] + price[2, i] + price[3, i]
        if admitted[i]:
            bed_days[i] = np.int64(np.rint(length_of_stay[g]
                                           * (1.0 - moved[i] * continued_stay_share)))
    return where, price, oop, visits, credit, paid, cost, bed_days
