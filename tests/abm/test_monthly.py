"""Monthly agent steps: shared inputs follow secondments; the steps move what they should."""

from abm import Facility, Physician, ReferralModel, preset
from abm.engine.agents import monthly_inputs


def test_monthly_inputs_follow_secondments():
    p = preset("small").replace(**{"reform.day": 3, "reform.incentives.counterpart_support": 1.0})
    m = ReferralModel(p, rng=1)
    before = monthly_inputs(m)
    assert before is monthly_inputs(m)  # one build while nothing changed
    assert not any(before.seconded) and set(before.mentors) == {0}
    m.run_for(4)  # the reform seconds one specialist to each township centre
    after = monthly_inputs(m)
    assert after is not before
    towns = [f.index for f in m.agents_by_type[Facility] if f.tier == "township"]
    assert [after.secondees[i] for i in towns] == [1] * len(towns)
    locals_at_towns = [d for d in m.agents_by_type[Physician]
                       if int(d.facility) in towns and not d.seconded]
    assert locals_at_towns
    assert all(after.mentors[d.index] == 1 for d in locals_at_towns)


def test_a_month_moves_primary_facilities_and_mentored_physicians_toward_targets():
    p = preset("small").replace(**{"incentives.counterpart_support": 1.0,
                                   "incentives.primary_investment": 1.0})
    m = ReferralModel(p, rng=2)
    cp = p.capacity
    town = next(f for f in m.agents_by_type[Facility] if f.tier == "township")
    hospital = next(f for f in m.agents_by_type[Facility] if f.tier == "county_general")
    doc = next(d for d in m.agents_by_type[Physician]
               if int(d.facility) == town.index and not d.seconded)
    cap0, hosp0, skill0 = town.capability, hospital.capability, doc.skill
    town.build_capability()
    hospital.build_capability()
    doc.learn()
    used = 1 * (1.0 - cp.mismatch_penalty)
    target = min(4.0, cap0 + cp.investment_capability_gain + cp.secondee_capability_gain * used)
    assert town.capability == cap0 + cp.monthly_rate * (target - cap0)
    assert hospital.capability == hosp0  # hospitals do not build capability this way
    skill_target = min(1.0, skill0 + cp.secondee_skill_gain * used)
    assert doc.skill == skill0 + cp.monthly_rate * (skill_target - skill0)
