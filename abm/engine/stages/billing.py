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

import numpy as np
from numba import njit

from abm.engine import rules
from abm.engine.episodes import ContinuedCare, Day, Draws, Episodes, FacilityView, Knobs, State
from abm.engine.stages.choice import walkin_reimbursement


def continued_care_prices(day: Day, hospital: np.ndarray, receiver: np.ndarray,
                          employee: np.ndarray) -> ContinuedCare:
    """Price the continued care of patients at ``hospital`` against a move to ``receiver``.

    Works on any arrays of facility indices (the model also prices a typical patient per hospital
    for the hospitals' first referral policy); :func:`continued_care` on the day's state.
    """
    return continued_care(np.asarray(hospital), np.asarray(receiver), np.asarray(employee),
                          day.fac.view(), day.knobs)


@njit(cache=True, inline="always")
def continued_care(hospital: np.ndarray, receiver: np.ndarray, employee: np.ndarray,
                   fac: FacilityView, k: Knobs) -> ContinuedCare:
    """Continued-care prices at ``hospital`` (keep) and at ``receiver`` (move) (compiled).

    Under deductible continuity the receiver waives its admission deductible; the credit is the
    revenue share of the receiver's revenue and the physician's loss what is left of the keep
    revenue after it.
    """
    bonus = k.employee_bonus * employee
    keep_rev, keep_oop, keep_in = care_prices(hospital, np.zeros(hospital.size), bonus, k, fac)
    move_rev, move_oop, move_in = care_prices(receiver, fac.deductible[receiver]
                                        * (1.0 - k.deductible_continuity), bonus, k, fac)
    credit = k.revenue_share * move_rev
    return ContinuedCare(keep_rev, move_rev, keep_oop, move_oop, keep_in, move_in, credit,
                         keep_rev - credit)


@njit(cache=True, inline="always")
def insurance_saved(care: ContinuedCare) -> np.ndarray:
    """Insurance payments a move saves: insurance if the patient stays minus if they move."""
    return (care.keep_revenue - care.keep_oop) - (care.move_revenue - care.move_oop)


@njit(cache=True, inline="always")
def care_prices(f: np.ndarray, deductible: np.ndarray, bonus: np.ndarray, k: Knobs,
          fac: FacilityView) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Revenue, out of pocket and inpatient part of continued care at facilities ``f``."""
    n = f.size
    revenue, oop, inpatient = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        g = f[i]
        stay = k.continued_stay_share * fac.inpatient_cost[g] * (fac.beds[g] > 0)
        visits = k.followup_visits * fac.fee[g]
        oop[i] = (rules.out_of_pocket(stay, rules.reimbursement_rate(
            fac.inpatient_reimbursement[g], bonus[i]), deductible[i] * (stay > 0))
                  + rules.out_of_pocket(visits, rules.reimbursement_rate(fac.reimbursement[g],
                                                                         bonus[i]), 0.0))
        revenue[i], inpatient[i] = stay + visits, stay
    return revenue, oop, inpatient


@njit(cache=True, inline="always")
def bill(e: Episodes, s: State, k: Knobs, t: Draws) -> None:
    """Charges as (kinds, episodes) matrices: facility, price, out of pocket, visits (compiled).

    Kinds: the first visit, the referred visit, the acute part of an admission and the continued
    care at whichever facility gives it (``e.charge_*``). Also the credit, total out of pocket
    and cost per episode (kinds added in that order) and the bed-days booked per admission
    (the stages' signature; reads the continued-care prices of ``e.care``).
    """
    fac = s.fac
    hospital, fee, reimbursement = fac.hospital, fac.fee, fac.reimbursement
    inpatient_reimbursement, inpatient_cost = fac.inpatient_reimbursement, fac.inpatient_cost
    deductible, length_of_stay = fac.deductible, fac.length_of_stay
    employee_bonus, gatekeeping_penalty = k.employee_bonus, k.gatekeeping_penalty
    followup_visits, continued_stay_share = k.followup_visits, k.continued_stay_share
    care = e.care
    keep_inpatient, keep_revenue, keep_oop = care.keep_inpatient, care.keep_revenue, care.keep_oop
    move_revenue, move_oop, care_credit = care.move_revenue, care.move_oop, care.credit
    first, final, followup_fac, up, admitted = e.first, e.final, e.followup_fac, e.up, e.admitted
    stable, moved, employee, family_doctor = e.eligible, e.down, e.employee, e.family_doctor
    where, price, oop, visits = e.charge_facility, e.charge_price, e.charge_oop, e.charge_visits
    credit, paid, cost, bed_days = e.credit, e.oop, e.cost, e.bed_days
    for i in range(first.size):
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
        bed_days[i] = 0
        if admitted[i]:
            bed_days[i] = (np.int64(np.rint(length_of_stay[g]))
                           - moved[i] * continued_stay_days(length_of_stay[g],
                                                            continued_stay_share))


@njit(cache=True)
def continued_stay_days(length_of_stay: float, continued_stay_share: float) -> np.int64:
    """Bed-days of a stay that a downward referral moves to the receiving township centre.

    >>> int(continued_stay_days(10.0, 0.3))
    3
    """
    return np.int64(np.rint(length_of_stay * continued_stay_share))
