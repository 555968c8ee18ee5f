"""Mesa agents: facilities, physicians and (in the agent representation) patients.

Facilities and physicians keep their state in arrays owned by the model (so that a day's batch of
episodes is processed with vectorised rules); each agent is the readable face of one row: its
attributes are properties of that row, and its methods (monthly capability building, learning)
are the agent's own behaviour. Patients in the agent representation hold their attributes on
the agent itself.

Examples
--------
>>> from abm import ReferralModel, Facility
>>> m = ReferralModel(rng=0)
>>> f = m.agents_by_type[Facility].to_list()[0]
>>> f.tier, f.in_county
('provincial', False)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from abm.engine import rules
from abm.inputs.tiers import TIERS

if TYPE_CHECKING:
    from abm.engine.model import ReferralModel


def _facility_column(name: str, doc: str) -> property:
    def get(self: Facility) -> float:
        return float(getattr(self.model.fac, name)[self.index])

    def set_(self: Facility, value: float) -> None:
        getattr(self.model.fac, name)[self.index] = value

    return property(get, set_, doc=doc)


def _ledger_column(name: str, doc: str) -> property:
    def get(self: Facility) -> float:
        return float(self.model.ledger[name][self.index])

    return property(get, doc=doc)


class Facility(mesa.Agent):
    """A hospital, health centre or clinic of one of the five tiers.

    Attributes are views of the model's facility arrays: ``capability`` (severity it treats
    well), ``quality``, ``capacity`` (outpatient slots a day, scaled), ``fee`` (yuan per visit),
    ``reimbursement``, ``deductible``, ``beds``, ``referral_push`` (a hospital's internal
    incentive for downward referrals, set monthly) and the cumulative ledgers ``revenue``,
    ``visits``, ``admissions``, ``referrals_up_sent``, ``referrals_down_sent``,
    ``referrals_down_received``.
    """

    capability = _facility_column("capability", "highest severity treated well (0-4)")
    quality = _facility_column("quality", "quality index 0-1")
    capacity = _facility_column("capacity", "outpatient slots per day (scaled)")
    beds = _facility_column("beds", "beds (scaled)")
    referral_push = _facility_column("referral_push", "internal incentive for downward "
                                     "referrals passed to the physicians (log-odds)")
    fee = _facility_column("fee", "yuan per outpatient visit")
    reimbursement = _facility_column("reimbursement", "outpatient reimbursement rate")
    deductible = _facility_column("deductible", "yuan per admission")
    revenue = _ledger_column("revenue", "yuan, cumulative (after revenue sharing)")
    visits = _ledger_column("visits", "outpatient visits, cumulative")
    admissions = _ledger_column("admissions", "admissions, cumulative")
    referrals_up_sent = _ledger_column("up_sent", "upward referrals sent, cumulative")
    referrals_down_sent = _ledger_column("down_sent", "downward referrals sent, cumulative")
    referrals_down_received = _ledger_column("down_received",
                                             "downward referrals received, cumulative")

    def __init__(self, model: ReferralModel, index: int, facility_id: str, name: str) -> None:
        super().__init__(model)
        self.index = index
        self.facility_id = facility_id
        self.name = name

    @property
    def tier(self) -> str:
        """Tier name (one of :data:`abm.TIERS`)."""
        return TIERS[int(self.model.fac.tier[self.index])]

    @property
    def in_county(self) -> bool:
        """Whether the facility lies inside the county."""
        return bool(self.model.fac.in_county[self.index])

    @property
    def consortium_member(self) -> bool:
        """Whether the facility belongs to the county medical consortium."""
        return bool(self.model.fac.member[self.index])

    @property
    def secondees(self) -> int:
        """Specialists seconded to this facility by counterpart support."""
        return int(self.model.secondees_at()[self.index])

    def build_capability(self) -> None:
        """Build capability (monthly): a primary facility approaches what its support allows.

        Capability, quality and capacity move toward the levels that investment and seconded
        specialists allow (a secondee's use is cut by the mismatch penalty, seed 002, 1.3).
        """
        inputs = monthly_inputs(self.model)
        i = self.index
        if not inputs.primary[i]:
            return
        m = self.model
        cp, fac, investment = m.params.capacity, m.fac, m.incentives.primary_investment
        used = inputs.secondees[i] * (1.0 - cp.mismatch_penalty)
        cap_target = min(4.0, inputs.base_capability[i] + cp.investment_capability_gain
                         * investment + cp.secondee_capability_gain * used)
        q_target = min(1.0, inputs.base_quality[i] + cp.investment_quality_gain
                       * investment + cp.secondee_quality_gain * used)
        slots_target = inputs.base_capacity[i] * (1.0 + cp.investment_capacity_gain * investment)
        rate = cp.monthly_rate
        for column, target in ((fac.capability, cap_target), (fac.quality, q_target),
                               (fac.capacity, slots_target)):
            now = column.item(i)
            if now != target:  # at its target the step would leave the value unchanged
                column[i] = rules.approach(now, target, rate)

    def set_referral_policy(self) -> None:
        """Set the hospital's internal incentive for downward referrals (monthly).

        Management reads last month's ledger of its stabilised patients (what keeping them
        brought, the credit, the insurance money a move would have saved and the share it
        referred down, which costs it volume) and moves its
        policy a step toward the value of a downward referral under the payment regime in force
        (:func:`abm.engine.rules.referral_policy_target`; docs/odd.md, Hospitals). Primary
        facilities and hospitals outside the county or without beds do not set one.
        """
        m, i = self.model, self.index
        if not (monthly_inputs(m).hospital_in_county[i] and m.fac.beds[i] > 0):
            return
        led = m.policy_ledger
        stable = led["stable"][i]
        if stable == 0:
            return
        target = m.referral_policy(led["keep_revenue"][i] / stable, led["credit"][i] / stable,
                                   led["insurance_saved"][i] / stable, led["down"][i] / stable)
        push = m.fac.referral_push
        push[i] = rules.approach(push.item(i), float(target), m.params.hospital.adjust_rate)


class MonthlyInputs:
    """What the monthly agent steps read, as Python lists (built once, not per agent).

    Built by :func:`monthly_inputs` from the seconded specialists (where each physician works,
    how many secondees each facility has) and the state fixed at the model's build (tiers, base
    capability, quality and capacity, base skill); rebuilt whenever the model replaces its
    secondees count (it does so, never mutating it, whenever secondments change).
    """

    def __init__(self, model: ReferralModel) -> None:
        fac, ph = model.fac, model.phys
        secondees = self.secondees_now = model.secondees_at()
        self.primary = fac.primary.tolist()
        self.hospital_in_county = (fac.hospital & fac.in_county).tolist()
        self.base_capability = model.fac_base["capability"].tolist()
        self.base_quality = model.fac_base["quality"].tolist()
        self.base_capacity = model.fac_base["capacity"].tolist()
        self.secondees = secondees.tolist()
        self.seconded = ph.seconded.tolist()
        self.mentors = secondees[ph.facility].tolist()  # secondees where each physician works
        self.skill_base = ph.skill_base.tolist()


def monthly_inputs(model: ReferralModel) -> MonthlyInputs:
    """Return the model's :class:`MonthlyInputs`, rebuilt if secondments changed since.

    >>> from abm import ReferralModel
    >>> m = ReferralModel(rng=0)
    >>> monthly_inputs(m) is monthly_inputs(m)
    True
    """
    inputs = getattr(model, "_monthly_inputs", None)
    if inputs is not None and inputs.secondees_now is model.secondees_at():
        return inputs
    inputs = model._monthly_inputs = MonthlyInputs(model)
    return inputs


def _physician_column(name: str, doc: str) -> property:
    def get(self: Physician) -> float:
        return getattr(self.model.phys, name)[self.index].item()

    def set_(self: Physician, value: float) -> None:
        getattr(self.model.phys, name)[self.index] = value

    return property(get, set_, doc=doc)


class Physician(mesa.Agent):
    """A physician employed by a facility.

    ``skill`` (diagnostic accuracy 0-1), ``revenue_sensitivity`` (how much lost revenue weighs on
    referral decisions), ``facility`` (index of the facility where they work now), ``home``
    (employer), ``seconded`` (sent by counterpart support), and ledgers ``patients_seen``,
    ``referrals_up``, ``referrals_down``, ``income`` (fee revenue of the visits they handled).
    """

    skill = _physician_column("skill", "diagnostic skill 0-1")
    revenue_sensitivity = _physician_column("revenue_sensitivity", "weight of lost revenue")
    facility = _physician_column("facility", "index of the facility where the physician works")
    home = _physician_column("home", "index of the employing facility")
    seconded = _physician_column("seconded", "seconded by counterpart support")
    patients_seen = _physician_column("patients_seen", "patients seen, cumulative")
    referrals_up = _physician_column("referrals_up", "upward referrals, cumulative")
    referrals_down = _physician_column("referrals_down", "downward referrals, cumulative")
    income = _physician_column("income", "fee revenue of visits handled, yuan, cumulative")

    def __init__(self, model: ReferralModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def aware(self) -> bool:
        """Whether the physician knows subordinate units' status under today's platform."""
        m = self.model
        platform = rules.downward_platform(m.incentives.information_platform,
                                           m.params.referral.platform_down_reach)
        return bool(rules.physician_aware(m.phys.awareness_draw[self.index],
                                          m.params.referral.unaware_share, platform))

    def learn(self) -> None:
        """Learn (monthly): a local physician beside seconded specialists gains skill.

        Hands-on mentoring (seed 002, 3.1), cut by the mismatch penalty.
        """
        inputs, i = monthly_inputs(self.model), self.index
        if inputs.seconded[i]:
            return
        n_sec, base, skill = inputs.mentors[i], inputs.skill_base[i], self.model.phys.skill
        now = skill.item(i)
        if n_sec == 0 and now == base:
            return  # no mentor and skill at its base: the step would leave it unchanged
        cp = self.model.params.capacity
        target = min(1.0, base + cp.secondee_skill_gain * min(n_sec, 1)
                     * (1.0 - cp.mismatch_penalty))
        skill[i] = rules.approach(now, target, cp.monthly_rate)


class Patient(mesa.Agent):
    """A resident (standing for ``scale`` residents) in the agent representation.

    Attributes: ``village``, ``age_group`` (0 child, 1 adult, 2 elderly), ``chronic``,
    ``employee`` (urban employee insurance), ``contract_draw`` (signs a family-doctor contract
    when coverage exceeds it), ``trust`` (array, one value per tier, as of ``last_update``),
    ``onset_probability`` (daily).
    """

    def __init__(self, model: ReferralModel, index: int, village: int, age_group: int,
                 chronic: bool, employee: bool, contract_draw: float, trust: np.ndarray,
                 onset_probability: float) -> None:
        super().__init__(model)
        self.index = index
        self.village = village
        self.age_group = age_group
        self.chronic = chronic
        self.employee = employee
        self.contract_draw = contract_draw
        self.trust = trust
        self.last_update = 0
        self.onset_probability = onset_probability

    @property
    def family_doctor(self) -> bool:
        """Whether the patient has a family-doctor contract under today's coverage."""
        return bool(self.contract_draw < self.model.incentives.family_doctor_coverage)

    def current_trust(self) -> np.ndarray:
        """Trust per tier as of today (the lazy decay toward the prior applied)."""
        p = self.model.params.trust
        return rules.decay_trust(self.trust[None, :], np.asarray(p.prior),
                                 np.array([self.model.day - self.last_update]),
                                 p.decay_per_year)[0]
