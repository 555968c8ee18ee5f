"""The episode pipeline: one day's illness episodes, processed as a batch of arrays.

:func:`process_episodes` chains the rule functions of :mod:`abm.rules` (choice, capacity,
diagnosis, upward referral, admission, downward referral, acceptance, outcome, trust update, word
of mouth) for a batch of episodes, against the facility and physician state of the day. It is the
same code for both patient representations: the model gathers the batch's patient columns (from
agents or from arrays), calls it, and writes the returned trust back.

Random numbers are drawn by :func:`draw_randoms` from the named streams, a fixed number per
episode whatever the incentives, so a lever switched on at a reform day shifts no other draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm import rules
from abm.params import Incentives, Params
from abm.roster import OUTSIDE, RANK, Geography

#: Named random-number streams, one per kind of decision (DESIGN.md 4). Order is fixed: the
#: streams are spawned from the root seed in this order.
STREAMS: tuple[str, ...] = ("population", "onset", "severity", "choice", "physician",
                            "diagnosis", "referral", "acceptance", "outcome", "word_of_mouth")
N_ALT = 6


@dataclass
class Batch:
    """Columns of the patients who fall ill today (one row per episode)."""

    village: np.ndarray
    chronic: np.ndarray
    employee: np.ndarray
    family_doctor: np.ndarray
    trust: np.ndarray  # (n, 5), already decayed to today


@dataclass
class Draws:
    """The day's random numbers for a batch of ``n`` episodes (fixed count per episode)."""

    severity: np.ndarray   # (n, 2) uniforms: class, position in class
    gumbel: np.ndarray     # (n, 6)
    order: np.ndarray      # (n, 2) uniforms: order of walk-in arrival, of referred arrival
    physician: np.ndarray  # (n, 2) uniforms: physician at first and at second facility
    diagnosis: np.ndarray  # (n, 2) standard normals
    referral: np.ndarray   # (n, 6) uniforms: up, stabilised, aware, undeterred, down, handover
    acceptance: np.ndarray  # (n,)
    outcome: np.ndarray    # (n, 2): episode, rehabilitation
    wom: np.ndarray        # (n, 1 + contacts): tell?, contact picks


def draw_randoms(gens: dict[str, np.random.Generator], n: int, contacts: int) -> Draws:
    """Draw the day's random numbers for ``n`` episodes from the named streams."""
    # standard Gumbel as -log of a standard exponential (one log instead of two), in place
    gumbel = gens["choice"].standard_exponential((n, N_ALT))
    np.negative(np.log(gumbel, out=gumbel), out=gumbel)
    return Draws(
        severity=gens["severity"].random((n, 2)),
        gumbel=gumbel,
        order=gens["choice"].random((n, 2)),
        physician=gens["physician"].random((n, 2)),
        diagnosis=gens["diagnosis"].standard_normal((n, 2)),
        referral=gens["referral"].random((n, 6)),
        acceptance=gens["acceptance"].random(n),
        outcome=gens["outcome"].random((n, 2)),
        wom=gens["word_of_mouth"].random((n, 1 + contacts)),
    )


@dataclass
class FacilityState:
    """Per-facility arrays the pipeline reads (owned by the model, exposed by Facility agents)."""

    tier: np.ndarray          # 0..4 (TIERS); trust slot
    group: np.ndarray         # 0..5 (GROUPS); outside hospitals are group 5
    member: np.ndarray        # consortium member
    in_county: np.ndarray
    capability: np.ndarray
    quality: np.ndarray
    capacity: np.ndarray      # outpatient slots per day (scaled)
    fee: np.ndarray
    inpatient_cost: np.ndarray
    reimbursement: np.ndarray
    inpatient_reimbursement: np.ndarray
    deductible: np.ndarray
    occupancy: np.ndarray     # yesterday's visits / capacity
    phys_start: np.ndarray    # CSR of physicians by facility
    phys_count: np.ndarray


@dataclass
class Result:
    """Per-episode outcome arrays of one day's batch (see :func:`process_episodes`)."""

    severity: np.ndarray
    chosen: np.ndarray
    turned_away: np.ndarray
    first: np.ndarray
    up: np.ndarray
    dest: np.ndarray  # destination of the upward referral, -1 where there is none
    ref_turned_away: np.ndarray
    final: np.ndarray
    phys_first: np.ndarray
    phys_final: np.ndarray
    admitted: np.ndarray
    eligible: np.ndarray
    proposed: np.ndarray
    accepted: np.ndarray
    down: np.ndarray
    failed: np.ndarray
    receiver: np.ndarray
    followup_fac: np.ndarray
    success: np.ndarray
    oop: np.ndarray
    cost: np.ndarray
    trust: np.ndarray
    trust_primary_onset: np.ndarray
    charges: tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], ...]
    wom_contacts: np.ndarray
    wom_tier: np.ndarray
    wom_outcome: np.ndarray


def _rows(n: int) -> np.ndarray:
    return np.arange(n)


def walkin_limit(state: FacilityState, reserved_share: float) -> np.ndarray:
    """Slots open to walk-in patients.

    Member county-level and provincial hospitals keep the reserved share for referred patients (seed
    000, 5.2).
    """
    upper_member = state.member & (RANK[state.group] >= 2)
    return state.capacity * np.where(upper_member, 1.0 - reserved_share, 1.0)


def referral_destination(alts: np.ndarray, avail: np.ndarray, rank_alt: np.ndarray,
                         cap_alt: np.ndarray, from_rank: np.ndarray,
                         assessed: np.ndarray) -> np.ndarray:
    """Where an upward referral goes.

    The lowest-ranked reachable facility above the sender that treats the assessed severity, else
    the most capable one above it; -1 if none is above.

    >>> alts = np.array([[10, 11, 12]]); rank = np.array([[0, 1, 2]])
    >>> int(referral_destination(alts, alts >= 0, rank, np.array([[1.0, 2.0, 3.0]]),
    ...     np.array([0]), np.array([2.5]))[0])
    12
    """
    above = avail & (rank_alt > from_rank[:, None])
    treats = cap_alt >= assessed[:, None]
    key = np.where(treats, rank_alt.astype(float), 10.0 - cap_alt)
    key = np.where(above, key, np.inf)
    j = np.argmin(key, axis=1)
    ok = np.isfinite(key[_rows(len(j)), j])
    return np.where(ok, alts[_rows(len(j)), j], -1)


def highest_alternative(alts: np.ndarray, avail: np.ndarray, rank_alt: np.ndarray) -> np.ndarray:
    """Return the highest-ranked reachable facility (fallback of a referred patient turned away)."""
    key = np.where(avail, rank_alt, -1)
    j = np.argmax(key, axis=1)
    return alts[_rows(len(j)), j]


def process_episodes(b: Batch, d: Draws, fac: FacilityState, phys_skill: np.ndarray,
                     phys_revenue: np.ndarray, geo: Geography, village_start: np.ndarray,
                     village_count: np.ndarray, inc: Incentives, p: Params) -> Result:
    """Run one day's batch of episodes through every decision of the model.

    Parameters
    ----------
    b, d
        Patient columns and random numbers of the batch.
    fac
        Facility state of the day.
    phys_skill, phys_revenue
        Skill and revenue sensitivity per physician, in the CSR order of ``fac``.
    geo, village_start, village_count
        Choice sets by village and the CSR of patients by village (for word of mouth).
    inc, p
        Incentives in force today and all other parameters.

    Returns
    -------
    Result
        Per-episode arrays; the caller tallies them and writes ``trust`` back to the patients.

    Examples
    --------
    >>> from abm import ReferralModel
    >>> m = ReferralModel(rng=1)
    >>> m.run_for(1)
    >>> int(m.daily_counts()["episodes"].sum()) > 0
    True
    """
    n = b.village.shape[0]
    r = _rows(n)
    c, dm, rf = p.choice, p.demand, p.referral
    x = rules.draw_severity(d.severity[:, 0], d.severity[:, 1], b.chronic,
                            dm.severity_probs, dm.severity_probs_chronic)
    trust_onset_primary = (b.trust[:, 3] + b.trust[:, 4]) / 2.0  # township and village tiers

    # --- facility choice at onset (multinomial logit) ---
    # facility-level quantities per village and alternative (villages x N_ALT tables, one row per
    # village), then gathered per episode: element for element the same arithmetic as computing
    # them per episode, done once per village instead of once per episode
    vil = b.village
    alts_v = geo.alternatives
    avail_v = alts_v >= 0
    a0_v = np.where(avail_v, alts_v, 0)
    tier_v = fac.tier[a0_v]
    group_v = fac.group[a0_v]
    bonus_v = p.facilities.employee_bonus * np.array([False, True])[:, None, None]
    oop_v = rules.out_of_pocket(fac.fee[a0_v], rules.reimbursement_rate(fac.reimbursement[a0_v],
                                                                      bonus_v))
    wait_v = fac.occupancy[a0_v] * (1.0 - rf.platform_wait_cut * inc.information_platform)
    asc_v = np.where(group_v == OUTSIDE, c.asc_outside, np.asarray(c.asc)[tier_v])
    alts = alts_v[vil]
    avail = avail_v[vil]
    tier_alt = tier_v[vil]
    rank_alt = RANK[group_v][vil]
    cap_alt = fac.capability[a0_v][vil]
    bonus = p.facilities.employee_bonus * b.employee[:, None]
    perceived = rules.perceived_quality(np.take_along_axis(b.trust, tier_alt, axis=1),
                                        fac.quality[a0_v][vil], cap_alt, x, c.beta_mismatch)
    primary_alt = tier_alt >= 3
    v = rules.choice_utilities(
        perceived=perceived, oop=oop_v[b.employee.astype(np.intp), vil],
        travel=geo.travel[vil], wait=wait_v[vil],
        family_doctor_bonus=c.beta_family_doctor * (b.family_doctor[:, None] & primary_alt),
        asc=asc_v[vil],
        available=avail, beta_quality=c.beta_quality,
        beta_cost=c.beta_cost, beta_travel=c.beta_travel, beta_wait=c.beta_wait)
    best, second = rules.logit_choice(v, d.gumbel)
    chosen, fallback_walkin = alts[r, best], alts[r, second]

    # --- walk-in capacity: the reserved share is kept for referred patients ---
    limit = walkin_limit(fac, inc.reserved_referral_share)
    served = rules.allocate_slots(chosen, d.order[:, 0], limit)
    first = np.where(served, chosen, fallback_walkin)
    used = np.bincount(first, minlength=fac.tier.size).astype(float)

    # --- diagnosis and upward referral at the first facility ---
    ph1 = rules.pick_member(fac.phys_start[first], fac.phys_count[first], d.physician[:, 0])
    assessed1, correct1 = rules.diagnose(x, phys_skill[ph1], d.diagnosis[:, 0],
                                         p.physicians.diagnosis_noise)
    p_up = rules.upward_referral_probability(
        assessed1, fac.capability[first], phys_revenue[ph1], inc.revenue_share,
        slope=rf.up_slope, margin=rf.up_margin, revenue_keep=rf.up_revenue_keep)
    # the destination matters only where the physician decides to refer (about one in ten)
    wants = d.referral[:, 0] < p_up
    dest = np.full(n, -1)
    dest[wants] = referral_destination(alts[wants], avail[wants], rank_alt[wants],
                                       cap_alt[wants], RANK[fac.group[first[wants]]],
                                       assessed1[wants])
    up = dest >= 0

    # --- referred arrivals use the slots left, including the reserved ones ---
    free = np.maximum(fac.capacity - used, 0.0)
    ref_served = np.ones(n, dtype=bool)
    ref_served[up] = rules.allocate_slots(dest[up], d.order[up, 1], free)
    ref_turned = up & ~ref_served
    final = np.where(up, dest, first)
    final[ref_turned] = highest_alternative(alts[ref_turned], avail[ref_turned],
                                            rank_alt[ref_turned])
    ph2 = np.where(up, rules.pick_member(fac.phys_start[final], fac.phys_count[final],
                                         d.physician[:, 1]), ph1)
    _, correct2 = rules.diagnose(x, phys_skill[ph2], d.diagnosis[:, 1],
                                 p.physicians.diagnosis_noise)
    correct = np.where(up, correct2, correct1)

    # --- admission and downward referral of stabilised patients ---
    admitted = (RANK[fac.group[final]] >= 2) & (x >= dm.admit_threshold)
    cls = np.minimum(x.astype(np.int64), 3)
    eligible = admitted & fac.in_county[final] & (
        d.referral[:, 1] < np.asarray(dm.stabilised_share)[cls])
    unaware, deterred = rules.referral_friction(rf.unaware_share, rf.complex_share,
                                                inc.information_platform)
    receiver = np.where(alts[:, 1] >= 0, alts[:, 1], alts[:, 0])
    rec0 = np.maximum(receiver, 0)
    k = dm.followup_visits
    loss = k * fac.fee[final] * (1.0 - inc.revenue_share)
    p_down = rules.downward_referral_probability(
        loss, phys_revenue[ph2], inc.performance_weight, intercept=rf.down_intercept,
        loss_coef=rf.down_revenue_loss, performance_coef=rf.down_performance)
    proposed = (eligible & (receiver >= 0) & (d.referral[:, 2] >= unaware)
                & (d.referral[:, 3] >= deterred) & (d.referral[:, 4] < p_down))
    reimb_final = rules.reimbursement_rate(fac.reimbursement[final], bonus[:, 0])
    reimb_p = rules.reimbursement_rate(fac.reimbursement[rec0], bonus[:, 0])
    stay_oop = rules.out_of_pocket(k * fac.fee[final], reimb_final)
    second_deductible = fac.deductible[rec0] * (1.0 - inc.deductible_continuity)
    move_oop = rules.out_of_pocket(k * fac.fee[rec0], reimb_p, second_deductible)
    p_acc = rules.acceptance_probability(
        b.trust[r, fac.tier[rec0]], b.trust[r, fac.tier[final]], move_oop - stay_oop,
        b.family_doctor, intercept=rf.accept_intercept, trust_coef=rf.accept_trust,
        cost_coef=rf.accept_cost, family_doctor_coef=rf.accept_family_doctor)
    accepted = proposed & (d.acceptance < p_acc)
    down = accepted & (d.referral[:, 5] >= rf.handover_failure * (1.0 - inc.information_platform))
    failed = accepted & ~down
    followup_fac = np.where(down, rec0, final)

    # --- bills: (facility, price, out of pocket, count of visits) per kind of service ---
    reimb_first = rules.reimbursement_rate(fac.reimbursement[first], bonus[:, 0])
    reimb_in = rules.reimbursement_rate(fac.inpatient_reimbursement[final], bonus[:, 0])
    visit1 = (first, fac.fee[first], rules.out_of_pocket(fac.fee[first], reimb_first),
              np.ones(n))
    visit2 = (final, up * fac.fee[final], up * rules.out_of_pocket(fac.fee[final], reimb_final),
              up.astype(float))
    stay = (final, admitted * fac.inpatient_cost[final],
            admitted * rules.out_of_pocket(fac.inpatient_cost[final], reimb_in,
                                           fac.deductible[final]), np.zeros(n))
    fu_price = eligible * k * fac.fee[followup_fac]
    fu_oop = eligible * np.where(down, move_oop, stay_oop)
    follow = (followup_fac, fu_price, fu_oop, eligible * float(k))
    charges = (visit1, visit2, stay, follow)
    oop = sum(ch[2] for ch in charges)
    cost = sum(ch[1] for ch in charges)

    # --- outcome and trust ---
    o = p.outcome
    p_ok = rules.success_probability(fac.quality[final], fac.capability[final], x, correct,
                                     intercept=o.intercept, quality_coef=o.quality,
                                     mismatch_coef=o.mismatch, diagnosis_coef=o.correct_diagnosis)
    success = d.outcome[:, 0] < p_ok
    p_rehab = rules.success_probability(fac.quality[rec0], fac.capability[rec0], np.zeros(n),
                                        np.ones(n, dtype=bool), intercept=o.intercept,
                                        quality_coef=o.quality, mismatch_coef=o.mismatch,
                                        diagnosis_coef=o.correct_diagnosis)
    rehab_ok = d.outcome[:, 1] < p_rehab
    lr = p.trust.learning_rate
    trust = b.trust.copy()
    t1, t2, tr = fac.tier[first], fac.tier[final], fac.tier[rec0]
    trust[r, t1] = rules.update_trust(trust[r, t1], success, lr)
    moved = t2 != t1
    trust[r[moved], t2[moved]] = rules.update_trust(trust[r[moved], t2[moved]],
                                                    success[moved], lr)
    trust[r[down], tr[down]] = rules.update_trust(trust[r[down], tr[down]], rehab_ok[down], lr)

    # --- word of mouth: some outcomes are told to neighbours in the same village ---
    tellers = np.flatnonzero(d.wom[:, 0] < p.trust.wom_probability)
    vil_t = b.village[tellers, None]
    contacts = rules.pick_member(village_start[vil_t], village_count[vil_t], d.wom[tellers, 1:])
    keep = contacts >= 0
    return Result(
        severity=x, chosen=chosen, turned_away=~served, first=first, up=up, dest=dest,
        ref_turned_away=ref_turned, final=final, phys_first=ph1, phys_final=ph2,
        admitted=admitted, eligible=eligible, proposed=proposed, accepted=accepted, down=down,
        failed=failed, receiver=rec0, followup_fac=followup_fac, success=success, oop=oop,
        cost=cost, trust=trust, trust_primary_onset=trust_onset_primary, charges=charges,
        wom_contacts=contacts[keep],
        wom_tier=np.broadcast_to(t2[tellers, None], keep.shape)[keep],
        wom_outcome=np.broadcast_to(success[tellers, None], keep.shape)[keep].astype(float))


def wom_deltas(trust: np.ndarray, rows: np.ndarray, tier: np.ndarray, outcome: np.ndarray,
               rate: float) -> np.ndarray:
    """Trust after word of mouth.

    Each told outcome moves the listener's trust in that tier toward it by ``rate`` (several
    tellings on one day add up, computed from the same start).

    ``trust`` is (listeners, 5); ``rows`` indexes listeners for each telling.

    >>> float(wom_deltas(np.array([[0.5] * 5]), np.array([0, 0]), np.array([4, 4]),
    ...                  np.array([1.0, 1.0]), 0.1)[0, 4].round(6))
    0.6
    """
    out = trust.copy()
    delta = rate * (outcome - trust[rows, tier])
    np.add.at(out, (rows, tier), delta)
    return np.clip(out, 0.0, 1.0)


__all__ = ["OUTSIDE", "STREAMS", "Batch", "Draws", "FacilityState", "Result", "draw_randoms",
           "process_episodes", "wom_deltas"]
