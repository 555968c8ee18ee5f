"""Stage: at onset, a patient picks a facility by multinomial logit, or treats themself.

Self-treatment (pharmacy, home remedies) is one more alternative of the same logit: it wins more
often when trust in the facilities is low and their cost or travel time high, and less often the
more severe the episode ('Use of and factors associated with self-treatment in China', BMC Public
Health 2012). So demand for formal care responds to access.
"""

from __future__ import annotations

import numpy as np

from abm import rules
from abm.episodes import N_ALT, Batch, Day, Draws, Episodes
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


def choose(b: Batch, d: Draws, day: Day) -> tuple[Episodes, np.ndarray]:
    """Severity, choice set and choice of each episode; returns the treated ones and a mask.

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
    tier_alt = tier_v[vil]
    perceived = rules.perceived_quality(np.take_along_axis(b.trust, tier_alt, axis=1),
                                        fac.quality[a0_v][vil], fac.capability[a0_v][vil], x,
                                        c.beta_mismatch)
    v = rules.choice_utilities(
        perceived=perceived,
        oop=oop_v[b.employee.astype(np.intp), b.family_doctor.astype(np.intp), vil],
        travel=geo.travel[vil] * day.secular.travel, wait=wait_v[vil],
        family_doctor_bonus=c.beta_family_doctor * (b.family_doctor[:, None]
                                                    & is_primary(tier_alt)),
        asc=asc_v[vil], available=avail_v[vil], beta_quality=c.beta_quality,
        beta_cost=c.beta_cost * day.secular.cost, beta_travel=c.beta_travel,
        beta_wait=c.beta_wait)
    g = d.gumbel
    best, second = rules.logit_choice(v, g[:, :N_ALT])
    r = np.arange(x.size)
    self_care = c.asc_self_care - c.self_care_severity * x
    forgone = rules.self_treats(v[r, best] + g[r, best], self_care + g[:, N_ALT])
    keep = ~forgone
    alts = alts_v[vil[keep]]
    rk = r[: int(keep.sum())]
    e = Episodes(
        batch=_subset_batch(b, keep), severity=x[keep], trust=b.trust[keep].copy(), alts=alts,
        chosen=alts[rk, best[keep]], fallback=alts[rk, second[keep]])
    return e, forgone


def _subset_batch(b: Batch, mask: np.ndarray) -> Batch:
    return Batch(village=b.village[mask], chronic=b.chronic[mask], employee=b.employee[mask],
                 family_doctor=b.family_doctor[mask], trust=b.trust[mask])
