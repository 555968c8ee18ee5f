"""Behavioural rules as pure functions (numpy in, numpy out; compiled ones also scalar in, out).

Each function works on a batch of episodes (arrays of equal length) and never touches a model or
an agent, so the agent and array representations of patients call the very same code. The rules
the day's stages apply are compiled with numba (``cache=True``, exact arithmetic, no
``fastmath``): the compiled kernels of :mod:`abm.engine.stages` call them once per episode with
scalars, and from Python they take and return numpy arrays like the others. Most are ``njit``
functions whose body is the same expression for a scalar and an array; ``perceived_quality``,
``choice_utility`` and ``pick_member`` are compiled ufuncs (elementwise, with broadcasting).
Compiled functions take their parameters by position or by keyword. Random numbers come in as
arguments (uniforms, normals, Gumbels) drawn from the named streams of
:class:`abm.engine.model.Streams`; the rules themselves are deterministic.

Examples
--------
>>> import numpy as np
>>> from abm import rules
>>> rules.logistic(np.array([0.0]))
array([0.5])
>>> rules.update_trust(np.array([0.5]), np.array([1.0]), 0.2)
array([0.6])
"""

from __future__ import annotations

import numpy as np
from numba import njit, vectorize

from abm.engine import compile_notice  # noqa: F401  (says once on screen when kernels compile)

DAYS_PER_YEAR = 365.0


@njit(cache=True)
def logistic(x: np.ndarray) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-x))``.

    >>> float(logistic(np.array([0.0]))[0])
    0.5
    """
    return 1.0 / (1.0 + np.exp(-x))


def daily_onset_probability(rate_per_year: np.ndarray) -> np.ndarray:
    """Probability of an illness onset on one day for a Poisson rate per person-year.

    >>> round(float(daily_onset_probability(np.array([365.0]))[0]), 4)
    0.6321
    """
    return -np.expm1(-np.asarray(rate_per_year, dtype=float) / DAYS_PER_YEAR)


def episode_rates(age_group: np.ndarray, chronic: np.ndarray, *, base_rate: float,
                  age_risk: tuple[float, ...], chronic_risk: float,
                  age_shares: tuple[float, ...], chronic_prevalence: tuple[float, ...]
                  ) -> np.ndarray:
    """Episode rate per person-year of each patient.

    Normalised so the population mean is ``base_rate`` (relative risks by age group and chronic
    condition).

    >>> episode_rates(np.array([0, 1]), np.array([False, True]), base_rate=5.0,
    ...               age_risk=(1.0, 1.0, 1.0), chronic_risk=1.0, age_shares=(0.5, 0.5, 0.0),
    ...               chronic_prevalence=(0.0, 0.0, 0.0))
    array([5., 5.])
    """
    age_risk_a = np.asarray(age_risk, dtype=float)
    shares = np.asarray(age_shares, dtype=float)
    prev = np.asarray(chronic_prevalence, dtype=float)
    mean_rel = float(np.sum(shares * age_risk_a * (1.0 + prev * (chronic_risk - 1.0))))
    rel = age_risk_a[age_group] * np.where(chronic, chronic_risk, 1.0)
    return base_rate * rel / mean_rel


def draw_severity(u_class: np.ndarray, u_within: np.ndarray, chronic: np.ndarray,
                  probs: tuple[float, ...], probs_chronic: tuple[float, ...]) -> np.ndarray:
    """Severity score of each episode.

    Class (0 common, 1 chronic management, 2 acute serious, 3 critical) plus a position inside the
    class, so ``floor(score)`` is the class.

    >>> draw_severity(np.array([0.99]), np.array([0.5]), np.array([False]), (0.5, 0.5, 0, 0),
    ...               (1, 0, 0, 0))
    array([1.5])
    """
    return severity(u_class, u_within, chronic, class_cumulative(probs),
                    class_cumulative(probs_chronic))


def class_cumulative(probs: tuple[float, ...]) -> np.ndarray:
    """Cumulative probabilities of the severity classes, normalised to end at 1.

    >>> class_cumulative((1, 1, 2)).tolist()
    [0.25, 0.5, 1.0]
    """
    return np.cumsum(probs) / np.sum(probs)


@njit(cache=True)
def severity(u_class: np.ndarray, u_within: np.ndarray, chronic: np.ndarray, cum: np.ndarray,
             cum_chronic: np.ndarray) -> np.ndarray:
    """Severity score from the cumulative class probabilities (compiled loop)."""
    out = np.empty(u_class.size)
    top = cum.size - 1
    for i in range(u_class.size):
        c = cum_chronic if chronic[i] else cum
        k = 0  # classes whose cumulative probability is at most the draw (searchsorted, right)
        while k < c.size and c[k] <= u_class[i]:
            k += 1
        out[i] = min(k, top) + u_within[i]
    return out


@njit(cache=True)
def decay_trust(trust: np.ndarray, prior: np.ndarray, elapsed_days: np.ndarray,
                rate_per_year: float) -> np.ndarray:
    """Trust relaxed toward the prior over the days since it was last updated (compiled).

    (applied lazily, when a patient next acts, so the cost does not grow with residents x days).

    ``trust`` is (n, tiers), ``prior`` (tiers,), ``elapsed_days`` (n,).

    >>> decay_trust(np.array([[1.0]]), np.array([0.0]), np.array([0.0]), 1.0)
    array([[1.]])
    """
    n, k = trust.shape
    out = np.empty((n, k))
    for i in range(n):
        keep = np.exp(-rate_per_year * np.float64(elapsed_days[i]) / DAYS_PER_YEAR)
        for j in range(k):
            out[i, j] = prior[j] + (trust[i, j] - prior[j]) * keep
    return out


@njit(cache=True)
def update_trust(trust: np.ndarray, outcome: np.ndarray, rate: float | np.ndarray) -> np.ndarray:
    """Move trust toward the experienced outcome (1 good, 0 bad) by ``rate``.

    >>> update_trust(np.array([0.5]), np.array([0.0]), 0.5)
    array([0.25])
    """
    return trust + rate * (outcome - trust)


#: Highest share of a bill insurance pays: a co-payment always remains (assumption).
MAX_REIMBURSEMENT = 0.95


@njit(cache=True)
def reimbursement_rate(facility_rate: np.ndarray, employee_bonus: np.ndarray | float) -> np.ndarray:
    """Share of a bill insurance pays.

    The facility's rate plus the urban-employee scheme's bonus, capped at
    :data:`MAX_REIMBURSEMENT`.

    >>> reimbursement_rate(np.array([0.6, 0.9]), 0.1)
    array([0.7 , 0.95])
    """
    return np.minimum(facility_rate + employee_bonus, MAX_REIMBURSEMENT)


@njit(cache=True)
def out_of_pocket(price: np.ndarray, reimbursement: np.ndarray,
                  deductible: np.ndarray | float = 0.0) -> np.ndarray:
    """Out-of-pocket payment.

    The deductible (up to the price) plus the unreimbursed part of the rest of the price.

    >>> out_of_pocket(np.array([100.0]), np.array([0.6]), 50.0)
    array([70.])
    """
    d = np.minimum(price, deductible)
    return d + (price - d) * (1.0 - reimbursement)


@vectorize(["float64(float64, float64, float64, float64, float64)"], cache=True)
def perceived_quality(trust: float, quality: float, capability: float, severity: float,
                      beta_mismatch: float) -> float:
    """Perceived quality of an alternative (compiled; elementwise on arrays, with broadcasting).

    Trust x quality, minus a penalty for the severity a facility cannot treat well (the patient's
    own sense of how ill they are).

    >>> perceived_quality(np.array([[1.0]]), np.array([[0.5]]), np.array([[1.0]]),
    ...                   np.array([[1.0]]), 1.0)
    array([[0.5]])
    """
    return trust * quality - beta_mismatch * max(0.0, severity - capability)


@vectorize(["float64(float64, float64, float64, float64, float64, float64, boolean, float64, "
            "float64, float64, float64)"], cache=True)
def choice_utility(perceived: float, oop: float, travel: float, wait: float,
                   family_doctor_bonus: float, asc: float, available: bool, beta_quality: float,
                   beta_cost: float, beta_travel: float, beta_wait: float) -> float:
    """Systematic utility of an alternative; -inf where it is unavailable.

    Compiled; elementwise on arrays (arguments in the order of the signature).

    >>> choice_utility(np.ones((1, 2)), 0.0, 0.0, 0.0, 0.0, 0.0, np.array([[True, False]]),
    ...                1.0, 1.0, 1.0, 1.0).tolist()
    [[1.0, -inf]]
    """
    if not available:
        return -np.inf
    return (beta_quality * perceived - beta_cost * oop / 100.0 - beta_travel * travel
            - beta_wait * wait + family_doctor_bonus + asc)


@njit(cache=True)
def logit_choice(utility: np.ndarray, gumbel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Random-utility choice: index of the best and second-best alternative per row.

    The second best is the fallback when the first choice turns the patient away (it equals the
    best when only one alternative is available). Ties go to the first alternative (compiled).

    >>> best, second = logit_choice(np.array([[0.0, 1.0, -np.inf]]), np.zeros((1, 3)))
    >>> int(best[0]), int(second[0])
    (1, 0)
    """
    n, k = utility.shape
    best = np.zeros(n, dtype=np.int64)
    second = np.zeros(n, dtype=np.int64)
    for i in range(n):
        b, s = 0, -1
        ub, us = utility[i, 0] + gumbel[i, 0], -np.inf
        for j in range(1, k):
            u = utility[i, j] + gumbel[i, j]
            if u > ub:
                s, us = b, ub
                b, ub = j, u
            elif s < 0 or u > us:
                s, us = j, u
        best[i] = b
        second[i] = s if s >= 0 and np.isfinite(us) else b
    return best, second


@njit(cache=True)
def diagnose(severity: np.ndarray, skill: np.ndarray, z: np.ndarray,
             noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Assess severity: true severity plus noise that shrinks with skill.

    Returns the assessed severity and whether its class was read correctly.

    >>> a, ok = diagnose(np.array([1.5]), np.array([1.0]), np.array([3.0]), 1.0)
    >>> float(a[0]), bool(ok[0])
    (1.5, True)
    """
    assessed = severity + noise * (1.0 - skill) * z
    correct = np.floor(np.minimum(np.maximum(assessed, 0.0), 3.999)) == np.floor(severity)
    return assessed, correct


@njit(cache=True)
def upward_referral_probability(assessed: np.ndarray, capability: np.ndarray,
                                revenue_sensitivity: np.ndarray, slope: float, margin: float,
                                revenue_keep: float, channel: float = 0.0) -> np.ndarray:
    """Probability a physician refers up.

    Rises with the assessed severity above what the facility treats, shaded by the wish to keep
    the patient's revenue (seed 000, 4.3). Revenue sharing credits downward referrals only, so it
    does not enter here; under a consortium budget a member's revenue is the consortium's, so the
    caller passes a ``revenue_keep`` reduced by the budget's share (:func:`upward_revenue_keep`).
    ``channel`` (log-odds) is the ease of arranging a referral up through the consortium's
    channel (:func:`upward_channel`).

    >>> float(upward_referral_probability(np.array([2.0]), np.array([2.0]), np.array([0.0]),
    ...       slope=1.0, margin=0.0, revenue_keep=1.0)[0])
    0.5
    """
    x = slope * (assessed - capability - margin) - revenue_keep * revenue_sensitivity + channel
    return logistic(x)


@njit(cache=True)
def own_revenue_weight(budget: float, member: bool) -> float:
    """Weight of a facility's own revenue in its staff's decisions, under a consortium budget.

    Under fee for service a facility's revenue is its own (weight 1); under unified accounting
    with one consortium budget (seed 000, 5.3) the revenue of a member stays inside the
    consortium, so the weight falls with the share ``budget`` of payments made through the
    budget. Facilities outside the consortium keep theirs. One rule for the sender of an upward
    referral (:func:`upward_revenue_keep`) and the receiver of a downward one
    (:func:`receive_probability`).

    >>> own_revenue_weight(0.25, True), own_revenue_weight(0.25, False)
    (0.75, 1.0)
    """
    return 1.0 - budget if member else 1.0


@njit(cache=True)
def upward_channel(coef: float, platform: float, member: bool) -> float:
    """Log-odds that the consortium's referral channel adds to a primary physician's referral up.

    Reserved slots for referred patients (seed 000, 5.2: no less than 20% of county hospitals'
    slots and beds) and the platform's appointment channel spare the referring physician the
    arranging of a place upstream, the "process too complex" that deters 52.94% of physicians
    (seed 000, 4.5); under hierarchical care upward referral rates rose somewhat (Sun et al.
    2023; docs/evidence/reform_response.md, section 6). It grows with the platform's reach
    ``platform`` at consortium members only. The linear form and ``coef`` are assumptions (no
    source quantifies it; its prior is wide).

    >>> upward_channel(0.8, 0.5, True), upward_channel(0.8, 0.5, False)
    (0.4, 0.0)
    """
    return coef * platform if member else 0.0


@njit(cache=True)
def upward_revenue_keep(revenue_keep: float, budget: float) -> float:
    """Weight of the revenue motive against referring up, at a consortium member.

    Under fee for service a primary unit loses the visit's revenue when it refers a patient up
    (seed 000, 4.3); under unified accounting with one consortium budget (seed 000, 5.3) the
    revenue of a referral up stays inside the consortium, so the motive shrinks with the share
    ``budget`` of payments made through the budget. Reserved slots and the platform's green
    channel work on the patient's side (waiting, turned away), not on this motive.

    >>> upward_revenue_keep(1.0, 0.25)
    0.75
    """
    return revenue_keep * own_revenue_weight(budget, True)


@njit(cache=True)
def downward_platform(platform: float, reach: float) -> float:
    """Share of the downward referral's frictions that the information platform removes.

    Consortium platforms "primarily focus on recording information for upward referrals, while
    patient information for downward referrals is incomplete", a unidirectional information gap
    (seed 000, 4.5): a platform of reach ``platform`` removes the fraction ``reach`` of what it
    removes upward from the downward frictions (the physicians' unawareness and deterrence, the
    failed handover). ``reach`` is fitted to reform facts (docs/calibration.md).

    >>> downward_platform(0.6, 0.5)
    0.3
    """
    return platform * reach


@njit(cache=True)
def physician_aware(draw: np.ndarray, unaware_share: float, platform: float) -> np.ndarray:
    """Whether a physician knows (or is not deterred by) the receiving unit, given their draw.

    Each physician carries one uniform draw; a share ``unaware_share`` of physicians is unaware
    without a platform (seed 000, 4.5), and a platform removes the fraction ``platform`` of them:
    the same physicians stay unaware as the platform grows.

    >>> physician_aware(np.array([0.3, 0.7]), 0.6, 0.0).tolist()
    [False, True]
    >>> physician_aware(np.array([0.3, 0.7]), 0.6, 1.0).tolist()
    [True, True]
    """
    return draw >= unaware_share * (1.0 - platform)


@njit(cache=True)
def downward_referral_probability(revenue_loss: np.ndarray, revenue_sensitivity: np.ndarray,
                                  hospital_push: np.ndarray, intercept: float,
                                  loss_coef: float) -> np.ndarray:
    """Probability that an aware, undeterred hospital physician refers a stabilised patient down.

    The revenue the hospital loses (yuan, net of the credit it receives) pulls down; the
    hospital's internal referral incentive (log-odds, its monthly policy) pulls up.

    >>> float(downward_referral_probability(np.array([0.0]), np.array([1.0]), np.array([0.0]),
    ...       intercept=0.0, loss_coef=1.0)[0])
    0.5
    """
    x = intercept - loss_coef * revenue_sensitivity * revenue_loss / 1000.0 + hospital_push
    return logistic(x)


def referral_policy_target(keep_revenue: np.ndarray, credit: np.ndarray,
                           insurance_saved: np.ndarray, *, budget: float, margin: float,
                           retained_share: float, value_coef: float, performance_weight: float,
                           performance_coef: float, referred_share: np.ndarray | float = 0.0,
                           volume_coef: float = 0.0) -> np.ndarray:
    """Return a hospital's internal incentive for downward referrals (log-odds), from its ledger.

    Per stabilised patient referred down, under fee for service the hospital gains the credited
    revenue and loses the margin on the care it gives up; under a consortium budget with retained
    surplus it keeps a share of the insurance money the move saves (seed 000, 5.3). ``budget`` is
    the share of payments made through the budget. Evaluation tied to performance and executive
    pay adds ``performance_coef`` per unit of weight (seed 000, 5.3).

    The hospital's own need for volume bounds the push: each stabilised patient it sends down
    empties a bed whose staff and fixed costs it still carries, and its physicians' pay still
    follows their workload, so the value of a further referral falls with the share of its
    stabilised patients it already refers down (``referred_share``, last month's), by
    ``volume_coef`` log-odds per unit share (docs/odd.md §7, Hospitals). The policy then settles
    where the marginal value of a referral meets its marginal cost to the hospital's volume.

    >>> float(referral_policy_target(np.array([1000.0]), np.array([0.0]), np.array([500.0]),
    ...       budget=0.0, margin=0.2, retained_share=0.5, value_coef=1.0,
    ...       performance_weight=0.0, performance_coef=1.0)[0])
    -0.2
    >>> float(referral_policy_target(np.array([1000.0]), np.array([0.0]), np.array([500.0]),
    ...       budget=1.0, margin=0.2, retained_share=0.5, value_coef=1.0,
    ...       performance_weight=0.0, performance_coef=1.0)[0])
    0.25
    >>> float(referral_policy_target(np.array([1000.0]), np.array([0.0]), np.array([500.0]),
    ...       budget=1.0, margin=0.2, retained_share=0.5, value_coef=1.0,
    ...       performance_weight=0.0, performance_coef=1.0, referred_share=0.125,
    ...       volume_coef=2.0)[0])
    0.0
    """
    fee_for_service = credit - margin * keep_revenue
    surplus = retained_share * insurance_saved
    value = (1.0 - budget) * fee_for_service + budget * surplus
    return (value_coef * value / 1000.0 + performance_coef * performance_weight
            - volume_coef * referred_share)


@njit(cache=True)
def self_treats(best_utility: np.ndarray, self_care_utility: np.ndarray) -> np.ndarray:
    """Whether an episode ends without formal care: self-treatment beats the best facility.

    Both utilities include their Gumbel draws (one logit over facilities and self-treatment).

    >>> self_treats(np.array([1.0, 2.0]), np.array([1.5, 1.5])).tolist()
    [True, False]
    """
    return self_care_utility > best_utility


@njit(cache=True)
def referral_destination(alts: np.ndarray, avail: np.ndarray, rank_alt: np.ndarray,
                         cap_alt: np.ndarray, from_rank: np.ndarray,
                         assessed: np.ndarray) -> np.ndarray:
    """Where an upward referral goes (compiled).

    The lowest-ranked reachable facility above the sender that treats the assessed severity, else
    the most capable one above it; -1 if none is above.

    >>> alts = np.array([[10, 11, 12]]); rank = np.array([[0, 1, 2]])
    >>> int(referral_destination(alts, alts >= 0, rank, np.array([[1.0, 2.0, 3.0]]),
    ...     np.array([0]), np.array([2.5]))[0])
    12
    """
    n, k = alts.shape
    out = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        best, best_key = -1, np.inf
        for j in range(k):
            if avail[i, j] and rank_alt[i, j] > from_rank[i]:
                key = (np.float64(rank_alt[i, j]) if cap_alt[i, j] >= assessed[i]
                       else 10.0 - cap_alt[i, j])
                if key < best_key:  # ties: the first alternative
                    best, best_key = j, key
        if best >= 0:
            out[i] = alts[i, best]
    return out


@njit(cache=True)
def acceptance_probability(trust_primary: np.ndarray, trust_hospital: np.ndarray,
                           extra_oop: np.ndarray, family_doctor: np.ndarray, intercept: float,
                           trust_coef: float, cost_coef: float,
                           family_doctor_coef: float) -> np.ndarray:
    """Probability a patient accepts a downward referral.

    Trust in primary care relative to the hospital, the extra out-of-pocket cost of moving (yuan)
    and a family-doctor contract.

    >>> float(acceptance_probability(np.array([0.5]), np.array([0.5]), np.array([0.0]),
    ...       np.array([False]), intercept=0.0, trust_coef=1.0, cost_coef=1.0,
    ...       family_doctor_coef=1.0)[0])
    0.5
    """
    x = (intercept + trust_coef * (trust_primary - trust_hospital) - cost_coef * extra_oop / 100.0
         + family_doctor_coef * family_doctor)
    return logistic(x)


@njit(cache=True)
def receive_probability(capability: np.ndarray, severity: np.ndarray, intercept: float,
                        capability_coef: float, load: np.ndarray | float = 0.0,
                        load_coef: float = 0.0, own_revenue: np.ndarray | float = 0.0,
                        revenue_coef: float = 0.0) -> np.ndarray:
    """Probability that the primary unit takes over a stabilised patient proposed to it.

    Primary physicians weigh the clinical risk of a patient whose condition lies beyond what
    their facility treats (and the blame if it goes wrong) against the workload of taking them
    on: the further the patient's severity above the receiving facility's capability, the less
    willing they are (docs/odd.md §7, Receiving side). Capability built by secondments and
    investment therefore widens the door over the years, and stops widening as capability
    approaches its target.

    Two more terms weigh the receiving physicians' own interests (docs/odd.md §7, Receiving
    side). Their time: ``load`` is the receiving unit's outpatient load yesterday (visits per
    slot), so a unit that a reform fills with first contacts takes fewer patients over, by
    ``load_coef`` log-odds per unit of load. Their pay: ``own_revenue`` is the revenue (yuan) the
    patient's continued care brings the unit itself, net of the credit it passes to the referring
    hospital and weighted by :func:`own_revenue_weight` (under a consortium budget the money is
    the consortium's), at ``revenue_coef`` log-odds per 1,000 yuan.

    >>> float(receive_probability(np.array([2.0]), np.array([2.0]), intercept=0.0,
    ...       capability_coef=1.0)[0])
    0.5
    >>> float(receive_probability(np.array([2.0]), np.array([2.0]), intercept=0.0,
    ...       capability_coef=1.0, load=np.array([0.5]), load_coef=2.0,
    ...       own_revenue=np.array([1000.0]), revenue_coef=1.0)[0])
    0.5
    """
    return logistic(intercept + capability_coef * (capability - severity) - load_coef * load
                    + revenue_coef * own_revenue / 1000.0)


@njit(cache=True)
def success_probability(quality: np.ndarray, capability: np.ndarray, severity: np.ndarray,
                        correct: np.ndarray, intercept: float, quality_coef: float,
                        mismatch_coef: float, diagnosis_coef: float) -> np.ndarray:
    """Probability an episode ends well at the facility that treats it.

    >>> float(success_probability(np.array([0.0]), np.array([4.0]), np.array([1.0]),
    ...       np.array([False]), intercept=0.0, quality_coef=1.0, mismatch_coef=1.0,
    ...       diagnosis_coef=1.0)[0])
    0.5
    """
    x = (intercept + quality_coef * quality - mismatch_coef * np.maximum(0.0, severity - capability)
         + diagnosis_coef * correct)
    return logistic(x)


@njit(cache=True)
def allocate_slots(facility: np.ndarray, order: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Serve arrivals in random order while a facility has free slots (compiled).

    ``facility`` (n,) is each arrival's facility, ``order`` (n,) a random key giving the order of
    arrival, ``free`` (facilities,) the slots left (may be fractional: a slot is used while at
    least a fraction of it is free, so a capacity of 2.5 serves 3). Returns a served mask.

    >>> allocate_slots(np.array([0, 0, 0]), np.array([0.3, 0.1, 0.2]), np.array([2.0])).tolist()
    [False, True, True]
    """
    n = facility.shape[0]
    served = np.ones(n, dtype=np.bool_)
    # a facility serves all its arrivals when the last of them still finds a slot; only the
    # arrivals at facilities short of slots need ordering
    arrivals = np.zeros(free.size, dtype=np.int64)
    for i in range(n):
        arrivals[facility[i]] += 1
    short = np.empty(n, dtype=np.int64)
    m = 0
    for i in range(n):
        if arrivals[facility[i]] - 1 >= free[facility[i]]:
            short[m] = i
            m += 1
    if m == 0:
        return served
    # one stable sort: facility index plus the arrival key in [0, 1), ties in batch order
    key = np.empty(m)
    for r in range(m):
        key[r] = facility[short[r]] + min(order[short[r]], 0.999999)
    prev, rank = -1, 0
    for r in np.argsort(key, kind="mergesort"):
        i = short[r]
        f = facility[i]
        if f != prev:
            prev, rank = f, 0
        served[i] = rank < free[f]
        rank += 1
    return served


def approach(current: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    """Move a state toward its target by a fraction ``rate`` of the gap (capability building).

    >>> approach(np.array([1.0]), np.array([2.0]), 0.25)
    array([1.25])
    """
    return current + rate * (target - current)


@vectorize(["int64(int64, int64, float64)"], cache=True)
def pick_member(start: int, count: int, u: float) -> int:
    """Pick one member of a group (CSR layout) per row with a uniform draw; -1 for empty groups.

    Compiled; elementwise on arrays, with broadcasting.

    >>> pick_member(np.array([0, 3]), np.array([3, 0]), np.array([0.5, 0.5])).tolist()
    [1, -1]
    """
    if count <= 0:
        return -1
    return start + min(np.int64(u * count), max(count - 1, 0))
