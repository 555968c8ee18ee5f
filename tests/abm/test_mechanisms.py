"""Mechanisms of the model-fidelity work: each test fails on the behaviour it replaced.

Defects (numbers of the model-fidelity issue): 2 revenue sharing read two different numbers and
raised upward referrals; 3 the platform cut waiting at hospitals outside the county; 4 awareness
was drawn per patient, not per physician; 5 the deductible fell on outpatient follow-up; 6 the
referring tier was credited with the upper hospital's outcome. New mechanisms: self-treatment,
primary admissions and beds, hospitals' referral policy, phased reforms, secular trends.
"""

import dataclasses

import numpy as np
import pytest

import abm
from abm import ParamError, Params, ReferralModel, preset, simulate
from abm.engine.episodes import Secular
from abm.engine.stages import billing, choice
from abm.inputs.params import LeverPath
from abm.inputs.tiers import Tier, is_hospital

#: Enough downward referrals in a few weeks of the small county.
BUSY = {"incentives.information_platform": 1.0, "incentives.performance_weight": 1.0,
        "incentives.revenue_share": 0.5}


def _days(params: Params, days: int, seed: int = 1, patients: str = "arrays"):
    """Run a model and keep each day's result (the episodes after every stage)."""
    m = ReferralModel(params, rng=seed, patients=patients)
    m.keep_days = True
    results = []
    for _ in range(days):
        m.run_for(1)
        results.append(m.last_day)
    return m, results


# --- defect 2: one number for revenue sharing, in billing ---

def test_physician_loss_is_the_ledger_number():
    m, results = _days(preset("small").replace(**BUSY), 60)
    moved = 0
    for res in results:
        e = res.episodes
        care = e.care
        np.testing.assert_allclose(care.physician_loss, care.keep_revenue - care.credit)
        np.testing.assert_allclose(e.credit, e.down * 0.5 * care.move_revenue)
        moved += int(e.down.sum())
    assert moved > 0
    # the ledger moves exactly the credit from receivers to referring hospitals
    total_charged = sum(float(r.episodes.charge_price.sum()) for r in results)
    assert m.ledger["revenue"].sum() == pytest.approx(total_charged)


def test_full_revenue_share_still_leaves_the_hospital_a_loss():
    m = ReferralModel(preset("small").replace(**{"incentives.revenue_share": 1.0}), rng=1)
    hospital = np.flatnonzero(m.fac.tier == Tier.COUNTY_GENERAL)[:1]
    township = np.flatnonzero(m.fac.tier == Tier.TOWNSHIP)[:1]
    care = billing.continued_care_prices(m._day_state(m.incentives), hospital, township,
                                         np.array([False]))
    # the receiver charges less than the hospital, so a full share of it does not cover the loss
    assert care.physician_loss[0] == pytest.approx(care.keep_revenue[0] - care.move_revenue[0])
    assert care.physician_loss[0] > 0


def test_revenue_sharing_does_not_move_upward_referrals():
    # on day 0 nothing downstream of a downward referral can feed back into upward decisions
    base = simulate(preset("small"), days=1, seed=4).summary()
    shared = simulate(preset("small").replace(**{"incentives.revenue_share": 1.0}), days=1,
                      seed=4).summary()
    assert shared["upward_referral_rate"] == base["upward_referral_rate"]


# --- defect 3: the platform books slots inside the consortium only ---

def test_platform_cuts_waiting_at_members_only():
    m = ReferralModel(preset("small"), rng=1)
    m.fac.occupancy[:] = 1.0
    day = m._day_state(dataclasses.replace(m.incentives, information_platform=1.0))
    wait = choice.perceived_wait(day, np.arange(m.fac.tier.size))
    outside = ~m.fac.in_county
    assert outside.any()
    np.testing.assert_array_equal(wait[outside], 1.0)
    assert np.all(wait[m.fac.member & m.fac.in_county] == 0.5)


# --- defect 4: awareness is a physician's attribute ---

def test_unaware_physicians_never_refer_down():
    params = preset("small").replace(**{"incentives.performance_weight": 1.0})
    m, results = _days(params, 120)
    ph = m.phys
    unaware = ph.awareness_draw < params.referral.unaware_share
    assert unaware.any() and (~unaware).any()
    assert ph.referrals_down[unaware].sum() == 0
    assert ph.referrals_down[~unaware].sum() > 0
    agents = m.agents_by_type[abm.Physician].to_list()
    assert [a.aware for a in agents] == list(~unaware)


# --- defect 5: the deductible belongs to an admission ---

def test_deductible_continuity_waives_the_receivers_deductible_only():
    m = ReferralModel(preset("small"), rng=1)
    hospital = np.flatnonzero(m.fac.tier == Tier.COUNTY)[:1]
    township = np.flatnonzero(m.fac.tier == Tier.TOWNSHIP)[:1]
    village = np.flatnonzero(m.fac.tier == Tier.VILLAGE)[:1]

    def prices(continuity, receiver):
        inc = dataclasses.replace(m.incentives, deductible_continuity=continuity)
        return billing.continued_care_prices(m._day_state(inc), hospital, receiver,
                                             np.array([False]))

    gap = prices(0.0, township).move_oop[0] - prices(1.0, township).move_oop[0]
    # paying the deductible first means that much of the bill is not reimbursed
    t = township[0]
    assert gap == pytest.approx(m.fac.deductible[t] * m.fac.inpatient_reimbursement[t])
    assert gap > 0
    assert prices(0.0, township).keep_oop[0] == prices(1.0, township).keep_oop[0]
    # a village clinic has no beds: follow-up visits only, no admission, no deductible
    assert prices(0.0, village).move_oop[0] == prices(1.0, village).move_oop[0]


# --- defect 6: trust follows who treated the episode ---

def test_referring_tier_gets_no_credit_for_the_upper_outcome():
    m, results = _days(preset("small"), 30)
    checked = 0
    for res in results:
        e = res.episodes
        t_first = m.fac.tier[e.first]
        moved = e.up & (t_first != m.fac.tier[e.final]) & ~e.down
        r = np.flatnonzero(moved)
        np.testing.assert_array_equal(e.trust[r, t_first[r]], e.trust_onset[r, t_first[r]])
        checked += r.size
    assert checked > 0


# --- demand responds to access ---

def test_self_treatment_rises_with_cost_and_visits_rise_with_access():
    base = simulate(preset("small"), days=120, seed=2).summary()
    dear = simulate(preset("small").replace(**{"choice.beta_cost": 3.0}), days=120,
                    seed=2).summary()
    cheap = simulate(preset("small").replace(**{
        "incentives.primary_reimbursement_premium": 0.4}), days=120, seed=2).summary()
    assert dear["forgone_care_rate"] > base["forgone_care_rate"] + 0.02
    assert cheap["forgone_care_rate"] < base["forgone_care_rate"]
    assert cheap["visits_per_capita"] > base["visits_per_capita"]


def test_severe_episodes_are_seldom_self_treated():
    m, results = _days(preset("small"), 60)
    x = np.concatenate([r.episodes.severity for r in results])
    forgone = sum(int(r.forgone.sum()) for r in results)
    assert forgone > 0
    assert (x >= 3.0).sum() > 0  # critical episodes reached formal care


# --- primary admissions and beds ---

def test_townships_admit_and_investment_raises_their_share():
    base = simulate(preset("small"), days=240, seed=3).summary(window=(120, 240))
    invest = simulate(preset("small").replace(**{"incentives.primary_investment": 1.0}),
                      days=240, seed=3).summary(window=(120, 240))
    assert base["primary_admission_share"] > 0
    assert invest["primary_admission_share"] > base["primary_admission_share"]


def test_beds_bind_where_they_are_short():
    # long stays of many admissions fill the small county's beds; more corridor beds relieve them
    busy = {"demand.admit_threshold": 1.0, "demand.length_of_stay": (30.0, 30.0, 30.0, 30.0, 0.0)}
    tight = simulate(preset("small").replace(**busy), days=90, seed=1).summary()
    loose = simulate(preset("small").replace(**busy, **{"facilities.bed_occupancy_max": 3.0}),
                     days=90, seed=1).summary()
    ample = simulate(preset("small"), days=90, seed=1).summary()
    assert tight["bed_transfer_rate"] > loose["bed_transfer_rate"] > 0
    assert ample["bed_transfer_rate"] == 0


def test_bed_bookings_never_exceed_beds_much():
    m, _ = _days(preset("small"), 90)
    hospitals = is_hospital(m.fac.group) & m.fac.in_county
    # bookings of tomorrow on: at most the beds plus the overflow the top hospital takes
    assert np.all(m.bed_bookings[:, hospitals].max(axis=0) >= 0)
    assert m.ledger["admissions"].sum() > 0


# --- hospitals decide ---

def test_hospitals_push_down_under_a_budget_and_hold_back_under_fee_for_service():
    ffs = ReferralModel(preset("small"), rng=1)
    budget = ReferralModel(preset("small").replace(**{"incentives.consortium_budget": 1.0}),
                           rng=1)
    ffs.run_for(120)
    budget.run_for(120)
    hosp = is_hospital(ffs.fac.group) & ffs.fac.in_county & (ffs.fac.beds > 0)
    assert np.all(ffs.fac.referral_push[hosp] < 0)
    assert np.all(budget.fac.referral_push[hosp] > 0)
    assert np.all(ffs.fac.referral_push[~hosp] == 0)


def test_budget_raises_downward_referrals_with_a_lag():
    p = preset("small")
    days = 360
    base = simulate(p, days=days, seed=5)
    reform = simulate(p.with_reform({"consortium_budget": 1.0}, day=0), days=days, seed=5)
    late = (240, 360)
    assert (reform.summary(window=late)["downward_referral_rate"]
            > base.summary(window=late)["downward_referral_rate"])


# --- phased reforms ---

def test_ramp_moves_monthly_and_reaches_its_value():
    p = Params().with_reform([LeverPath("information_platform", 0.8, ramp_years=2.0)], day=100)
    values = [p.incentives_at(d).information_platform for d in (99, 100, 130, 100 + 730, 5000)]
    assert values[0] == 0.0 and values[1] == 0.0
    assert 0 < values[2] < 0.05
    assert values[3] == values[4] == 0.8
    steps = {p.incentives_at(d).information_platform for d in range(100, 130)}
    assert len(steps) == 1  # monthly steps, not daily


def test_named_packages_and_their_errors():
    assert {"compact_consortium", "gatekeeping_pilot", "x_county_trusteeship",
            "yongan_2022"} <= set(abm.reform_packages()["package"])
    p = preset("small").with_reform("compact_consortium", day=10)
    assert p.reform.package == "compact_consortium"
    assert p.incentives_at(9) == p.incentives
    with pytest.raises(ParamError, match="valid packages: .*compact_consortium"):
        preset("small").with_reform("compact", day=1)
    with pytest.raises(ParamError, match="unknown parameter .*revenue_shares"):
        LeverPath("revenue_shares", 0.1)
    with pytest.raises(ParamError, match="out of range"):
        LeverPath("revenue_share", 1.5)
    with pytest.raises(ParamError, match="ramp_years"):
        LeverPath("revenue_share", 0.5, ramp_years=-1)


def test_step_reform_still_works_and_schedules_keep_common_random_numbers():
    p = preset("small")
    base = simulate(p, days=60, seed=9).daily
    ramp = simulate(p.with_reform("compact_consortium", day=30), days=60, seed=9).daily
    step = simulate(p.replace(**{"reform.day": 30, "reform.incentives.revenue_share": 0.4}),
                    days=60, seed=9).daily
    cols = ["visits", "up_sent", "down_sent", "admissions", "oop"]
    for other in (ramp, step):
        np.testing.assert_array_equal(base.loc[base["day"] < 30, cols].to_numpy(),
                                      other.loc[other["day"] < 30, cols].to_numpy())


# --- secular trends ---

def test_trends_apply_from_each_new_year():
    p = preset("small").replace(**{"trends.income_growth": 0.1,
                                   "trends.hospital_capacity_growth": 0.05})
    m = ReferralModel(p, rng=1)
    cap0 = m.fac.capacity.copy()
    m.run_for(366)
    assert m.secular == Secular(cost=pytest.approx(1 / 1.1), travel=1.0)
    hosp = is_hospital(m.fac.group) & m.fac.in_county
    np.testing.assert_allclose(m.fac.capacity[hosp], cap0[hosp] * 1.05)


# --- bad input ---

@pytest.mark.parametrize(("name", "value", "match"), [
    ("population.age_shares", (0.5, 0.5, 0.5), "age_shares must sum to 1"),
    ("population.age_shares", (0.0, 0.0, 0.0), "age_shares must sum to 1"),
    ("demand.severity_probs", (0.0, 0.0, 0.0, 0.0), "severity_probs must sum to 1"),
    ("demand.severity_probs_chronic", (0.5, 0.5, 0.5, 0.0), "severity_probs_chronic must sum"),
    ("demand.length_of_stay", (1.0, 2.0), "length_of_stay must be a tuple of 5"),
    ("trends.income_growth", 0.9, "out of range"),
    ("incentives.consortium_budget", -0.1, "out of range"),
    ("hospital.margin", "high", "must be a finite number"),
])
def test_new_parameters_name_the_field(name, value, match):
    with pytest.raises(ParamError, match=match):
        Params().replace(**{name: value})


def test_reform_paths_need_a_day():
    with pytest.raises(ParamError, match="reform.paths need reform.day"):
        abm.Reform(paths=(LeverPath("revenue_share", 0.2),))
