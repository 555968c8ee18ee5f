"""Stage: at onset, a patient picks a facility by multinomial logit, or treats themself.

Self-treatment (pharmacy, home remedies) is one more alternative of the same logit: it wins more
often when trust in the facilities is low and their cost or travel time high, and less often the
more severe the episode ('Use of and factors associated with self-treatment in China', BMC Public
Health 2012). So demand for formal care responds to access.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm import rules
from abm.episodes import Batch, Day, Draws, Episodes
from abm.tiers import OUTSIDE, is_hospital, is_primary


def walkin_reimbursement(day: Day, facility: np.ndarray, employee: np.ndarray,
                         family_doctor: np.ndarray) -> np.ndarray:
    """Reimbursement rate of a visit without referral.

    The facility's rate with the employee scheme's bonus; a contracted resident who bypasses
    primary care for a hospital loses the gatekeeping penalty.
    """
    fac, inc = day.fac, day.inc
    rate = rules.reimbursement_rate(fac.reimbursement[facility],
                                    day.p.facilities.employee_bonus * employee)
    bypass = family_doctor & is_hospital(fac.group[facility])
    return np.maximum(rate - inc.gatekeeping_penalty * bypass, 0.0)


def perceived_wait(day: Day, facility: np.ndarray) -> np.ndarray:
    """Return the waiting term: yesterday's occupancy, cut by the information platform.

    The platform books slots inside the consortium only (seed 000, 5.5), so the cut applies to
    in-county consortium members, never to hospitals outside the county.
    """
    fac = day.fac
    booked = fac.member[facility] & fac.in_county[facility]
    cut = day.p.referral.platform_wait_cut * day.inc.information_platform
    return fac.occupancy[facility] * (1.0 - cut * booked)


def choose(b: Batch, d: Draws, day: Day) -> tuple[Episodes, np.ndarray, np.ndarray]:
    """Severity, choice set and choice of each episode.

    Returns the treated episodes, the mask of the self-treated ones and the treated ones'
    indices in the batch.

    Facility-level quantities are computed per village and alternative and then gathered per
    episode (the same arithmetic as per episode, done once per village).
    """
    p, fac, geo = day.p, day.fac, day.geo
    c = p.choice
    x = rules.draw_severity(d.severity_class, d.severity_within, b.chronic,
                            p.demand.severity_probs, p.demand.severity_probs_chronic)
    vil = b.village
    alts_v = geo.alternatives
    avail_v = alts_v >= 0
    a0_v = np.where(avail_v, alts_v, 0)
    tier_v, group_v = fac.tier[a0_v], fac.group[a0_v]
    # out of pocket per (employee, family doctor, village, alternative)
    flags = np.array([False, True])
    reimb_v = walkin_reimbursement(day, a0_v[None, None], flags[:, None, None, None],
                                   flags[None, :, None, None])
    oop_v = rules.out_of_pocket(fac.fee[a0_v], reimb_v)
    wait_v = perceived_wait(day, a0_v)
    asc_v = np.where(group_v == OUTSIDE, c.asc_outside, np.asarray(c.asc)[tier_v])
    best, second, forgone = choice_kernel(
        vil, x, b.trust, b.employee, b.family_doctor, d.gumbel, avail_v, tier_v,
        fac.quality[a0_v], fac.capability[a0_v], oop_v, geo.travel, wait_v, asc_v,
        is_primary(tier_v), c.beta_mismatch, c.beta_family_doctor, c.beta_quality,
        c.beta_cost * day.secular.cost, c.beta_travel, c.beta_wait, day.secular.travel,
        c.asc_self_care, c.self_care_severity)
    keep = np.flatnonzero(~forgone)
    alts, chosen, fallback = _gather_choice(keep, vil, alts_v, best, second)
    e = Episodes(batch=_subset_batch(b, keep), severity=x[keep], trust=b.trust[keep], alts=alts,
                 chosen=chosen, fallback=fallback)
    return e, forgone, keep


@njit(cache=True)
def _gather_choice(keep: np.ndarray, vil: np.ndarray, alts_v: np.ndarray, best: np.ndarray,
                   second: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Alternatives, chosen and fallback facility of the episodes ``keep`` (compiled)."""
    m, k = keep.size, alts_v.shape[1]
    alts = np.empty((m, k), dtype=alts_v.dtype)
    chosen = np.empty(m, dtype=alts_v.dtype)
    fallback = np.empty(m, dtype=alts_v.dtype)
    for r in range(m):
        i = keep[r]
        alts[r] = alts_v[vil[i]]
        chosen[r], fallback[r] = alts[r, best[i]], alts[r, second[i]]
    return alts, chosen, fallback


@njit(cache=True)
def choice_kernel(vil: np.ndarray, x: np.ndarray, trust: np.ndarray, employee: np.ndarray,
                  family_doctor: np.ndarray, g: np.ndarray, avail_v: np.ndarray,
                  tier_v: np.ndarray, quality_v: np.ndarray, capability_v: np.ndarray,
                  oop_v: np.ndarray, travel_v: np.ndarray, wait_v: np.ndarray,
                  asc_v: np.ndarray, primary_v: np.ndarray, beta_mismatch: float,
                  beta_family_doctor: float, beta_quality: float, beta_cost: float,
                  beta_travel: float, beta_wait: float, travel_factor: float,
                  asc_self_care: float, self_care_severity: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return best, second-best alternative and self-treatment of each episode (compiled).

    Gathers the per-village tables (``*_v``, villages x alternatives; ``oop_v`` also by employee
    and family-doctor flags) for each episode and applies :func:`abm.rules.perceived_quality`,
    :func:`abm.rules.choice_utility`, :func:`abm.rules.logit_choice` and
    :func:`abm.rules.self_treats`.
    """
    n, k = x.size, avail_v.shape[1]
    v = np.empty((n, k))
    for i in range(n):
        vi, xi = vil[i], x[i]
        emp, fd = np.intp(employee[i]), np.intp(family_doctor[i])
        for j in range(k):
            perceived = rules.perceived_quality(trust[i, tier_v[vi, j]], quality_v[vi, j],
                                                capability_v[vi, j], xi, beta_mismatch)
            v[i, j] = rules.choice_utility(
                perceived, oop_v[emp, fd, vi, j], travel_v[vi, j] * travel_factor, wait_v[vi, j],
                beta_family_doctor * (family_doctor[i] and primary_v[vi, j]), asc_v[vi, j],
                avail_v[vi, j], beta_quality, beta_cost, beta_travel, beta_wait)
    best, second = rules.logit_choice(v, g[:, :k])
    best_u = np.empty(n)
    self_u = np.empty(n)
    for i in range(n):
        best_u[i] = v[i, best[i]] + g[i, best[i]]
        self_u[i] = (asc_self_care - self_care_severity * x[i]) + g[i, k]
    return best, second, rules.self_treats(best_u, self_u)


def _subset_batch(b: Batch, idx: np.ndarray) -> Batch:
    return Batch(village=b.village[idx], chronic=b.chronic[idx], employee=b.employee[idx],
                 family_doctor=b.family_doctor[idx], trust=b.trust[idx])
