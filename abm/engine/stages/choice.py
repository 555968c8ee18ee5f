"""Stage: at onset, a patient picks a facility by multinomial logit, or treats themself.

Self-treatment (pharmacy, home remedies) is one more alternative of the same logit: it wins more
often when trust in the facilities is low and their cost or travel time high, and less often the
more severe the episode ('Use of and factors associated with self-treatment in China', BMC Public
Health 2012). So demand for formal care responds to access.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.engine import rules
from abm.engine.episodes import Batch, Day, Draws, FacilityView, Knobs


@njit(cache=True)
def walkin_reimbursement(facility_rate: float, employee_bonus: float, bypass: bool,
                         gatekeeping_penalty: float) -> float:
    """Reimbursement rate of a visit without referral (compiled).

    The facility's rate with the employee scheme's bonus; a contracted resident who bypasses
    primary care for a hospital (``bypass``) loses the gatekeeping penalty.

    >>> round(walkin_reimbursement(0.6, 0.1, True, 0.2), 10)
    0.5
    """
    return max(rules.reimbursement_rate(facility_rate, employee_bonus)
               - gatekeeping_penalty * bypass, 0.0)


@njit(cache=True)
def waiting(occupancy: np.ndarray, member: np.ndarray, in_county: np.ndarray,
            cut: float) -> np.ndarray:
    """Return the waiting term of each facility: yesterday's occupancy, cut by the platform.

    The information platform books slots inside the consortium only (seed 000, 5.5), so the cut
    (``cut``: the platform's share of waiting removed) applies to in-county consortium members,
    never to hospitals outside the county (compiled).

    >>> waiting(np.array([0.8, 0.8]), np.array([True, True]), np.array([True, False]), 0.5)
    array([0.4, 0.8])
    """
    return occupancy * (1.0 - cut * (member & in_county))


def perceived_wait(day: Day, facility: np.ndarray | slice = slice(None)) -> np.ndarray:
    """Return :func:`waiting` of the facilities ``facility`` (default: all) on ``day``."""
    fac = day.fac
    return waiting(fac.occupancy, fac.member, fac.in_county, wait_cut(day.knobs))[facility]


@njit(cache=True, inline="always")
def wait_cut(k: Knobs) -> float:
    """Share of waiting the information platform removes at in-county members (compiled)."""
    return k.platform_wait_cut * k.information_platform


@njit(cache=True, inline="always")
def choose(b: Batch, d: Draws, fac: FacilityView, alternatives: np.ndarray, travel: np.ndarray,
           k: Knobs) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                              np.ndarray]:
    """Severity, choice set and choice of each episode of the batch (compiled).

    Returns the severity of every episode, the mask of the self-treated ones, the treated ones'
    indices in the batch, and their alternatives, chosen and fallback (second-best) facility.
    """
    x = rules.severity(d.severity_class, d.severity_within, b.chronic, k.severity_cum,
                       k.severity_cum_chronic)
    best, second, forgone = choice_kernel(
        b, x, d.gumbel, alternatives, travel, fac,
        waiting(fac.occupancy, fac.member, fac.in_county, wait_cut(k)), k)
    keep = np.flatnonzero(~forgone)
    alts, chosen, fallback = gather_choice(keep, b.village, alternatives, best, second)
    return x, forgone, keep, alts, chosen, fallback


@njit(cache=True, inline="always")
def choice_kernel(b: Batch, x: np.ndarray, g: np.ndarray, alts_v: np.ndarray,
                  travel_v: np.ndarray, fac: FacilityView, wait: np.ndarray, k: Knobs
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return best, second-best alternative and self-treatment of each episode (compiled).

    Each episode (of the batch ``b``, severity ``x``, Gumbel draws ``g``) chooses among its
    village's alternatives (``alts_v``, villages x alternatives, -1 where none; travel time per
    village and alternative); ``wait`` is each facility's waiting term (:func:`waiting`).
    Applies :func:`abm.engine.rules.perceived_quality`, :func:`walkin_reimbursement`,
    :func:`abm.engine.rules.out_of_pocket`, :func:`abm.engine.rules.choice_utility`,
    :func:`abm.engine.rules.logit_choice` and :func:`abm.engine.rules.self_treats`.
    """
    vil, trust, employee, family_doctor = b.village, b.trust, b.employee, b.family_doctor
    tier, quality, capability, fee = fac.tier, fac.quality, fac.capability, fac.fee
    reimbursement, hospital, primary, asc = fac.reimbursement, fac.hospital, fac.primary, fac.asc
    beta_cost = k.beta_cost * k.cost_factor
    n, na = x.size, alts_v.shape[1]
    v = np.empty((n, na))
    for i in range(n):
        vi, xi, fd = vil[i], x[i], family_doctor[i]
        bonus = k.employee_bonus * employee[i]
        for j in range(na):
            f = max(alts_v[vi, j], 0)
            perceived = rules.perceived_quality(trust[i, tier[f]], quality[f], capability[f], xi,
                                                k.beta_mismatch)
            rate = walkin_reimbursement(reimbursement[f], bonus, fd and hospital[f],
                                        k.gatekeeping_penalty)
            v[i, j] = rules.choice_utility(
                perceived, rules.out_of_pocket(fee[f], rate, 0.0),
                travel_v[vi, j] * k.travel_factor, wait[f],
                k.beta_family_doctor * (fd and primary[f]), asc[f], alts_v[vi, j] >= 0,
                k.beta_quality, beta_cost, k.beta_travel, k.beta_wait)
    best, second = rules.logit_choice(v, g[:, :na])
    best_u = np.empty(n)
    self_u = np.empty(n)
    for i in range(n):
        best_u[i] = v[i, best[i]] + g[i, best[i]]
        self_u[i] = (k.asc_self_care - k.self_care_severity * x[i]) + g[i, na]
    return best, second, rules.self_treats(best_u, self_u)


@njit(cache=True)
def gather_choice(keep: np.ndarray, vil: np.ndarray, alts_v: np.ndarray, best: np.ndarray,
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
