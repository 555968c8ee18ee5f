"""Mechanisms of the reform response: each test fails on the behaviour it replaced.

Before, nothing checked room at the receiving township or the receiving physicians, the
hospital's push rose with the value of a referral without bound, a consortium budget did nothing
for upward referral, and no metric counted admissions kept inside the county (docs/odd.md §7).
"""

import dataclasses

import numpy as np
import pytest

from abm import ReferralModel, preset, simulate
from abm.engine import rules
from abm.engine.episodes import (
    Batch,
    Draws,
    FacilityView,
    PhysicianState,
    Secular,
    State,
    knobs,
    new_episodes,
)
from abm.engine.stages import referral
from abm.engine.stages.billing import continued_stay_days
from abm.inputs.params import Incentives
from abm.inputs.tiers import Tier

#: Enough downward referrals in a few weeks of the small county.
BUSY = {"incentives.information_platform": 1.0, "incentives.performance_weight": 1.0,
        "incentives.revenue_share": 0.5, "referral.accept_intercept": 3.0,
        "referral.receive_intercept": 6.0}


def _refer_down(room: np.ndarray, beds: np.ndarray, capability: np.ndarray,
                severity: float = 2.5, receive_intercept: float = 50.0,
                receive_capability: float = 0.0, n: int = 6, u_handover: float = 0.5,
                occupancy: float = 0.0, **receiver_knobs: float):
    """Refer ``n`` stabilised patients of hospital 0 down to facility 1: all propose and accept.

    ``room`` is the free beds today (none admitted today); ``occupancy`` the receiver's load
    yesterday; both facilities are consortium members whose continued care is priced (a township
    stay of 2,000 yuan x the continued share, visits of 100 yuan). ``receiver_knobs`` override
    further knobs (``receive_load``, ``receive_revenue``, ``consortium_budget``,
    ``revenue_share``). Returns proposed, accepted, down.
    """
    fac = FacilityView(*(np.zeros(2) for _ in FacilityView._fields))._replace(
        tier=np.array([Tier.COUNTY_GENERAL, Tier.TOWNSHIP]), capability=capability, beds=beds,
        beds_free=room, referral_push=np.array([50.0, 0.0]), member=np.array([True, True]),
        occupancy=np.array([0.0, occupancy]), fee=np.array([200.0, 100.0]),
        inpatient_cost=np.array([6000.0, 2000.0]))
    s = State(fac, PhysicianState(np.ones(1), np.ones(1), np.ones(1)), np.zeros(1, np.int64),
              np.zeros(1, np.int64))
    k = knobs(preset("small"), Incentives(), Secular())._replace(
        unaware_share=0.0, complex_share=0.0, information_platform=1.0, down_intercept=0.0,
        down_revenue_loss=0.0, accept_intercept=50.0, accept_trust=0.0, accept_cost=0.0,
        accept_family_doctor=0.0, handover_failure=0.0, receive_intercept=receive_intercept,
        receive_capability=receive_capability, **receiver_knobs)
    b = Batch(np.zeros(n, np.int64), np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool),
              np.full((n, 5), 0.5))
    alts = np.tile(np.array([-1, 1, -1, -1, -1, 0]), (n, 1))
    e = new_episodes(b, np.arange(n), np.full(n, severity), alts, np.zeros(n, np.int64),
                     np.zeros(n, np.int64), 0,
                     fac.tier)
    e.final[:], e.phys_final[:], e.admitted[:], e.eligible[:] = 0, 0, False, True
    t = Draws(*(np.zeros(n) for _ in Draws._fields))._replace(
        gumbel=np.zeros((n, 7)), wom_pick=np.zeros((n, 0)), handover=np.full(n, u_handover))
    referral.refer_down(e, s, k, t)
    return e.proposed, e.accepted, e.down


def test_a_township_without_a_free_bed_receives_nobody():
    room = np.array([0.0, 1.5])
    proposed, accepted, down = _refer_down(room, beds=np.array([300.0, 30.0]),
                                           capability=np.array([3.0, 1.5]))
    assert proposed.all() and accepted.all()
    # 1.5 free beds take two patients (as admissions do); the day's own beds are not touched
    assert down.tolist() == [True, True, False, False, False, False]
    assert room.tolist() == [0.0, 1.5]


def test_a_village_clinic_receives_follow_up_without_a_bed():
    _, _, down = _refer_down(np.array([0.0, 0.0]), beds=np.array([300.0, 0.0]),
                             capability=np.array([3.0, 0.8]))
    assert down.all()


def test_receivers_take_over_less_where_the_case_is_beyond_their_capability():
    p = rules.receive_probability(np.array([1.0, 1.5, 2.0, 2.5]), np.full(4, 2.5), 1.0, 1.5)
    assert np.all(np.diff(p) > 0)
    # a draw between the two probabilities: the more capable receiver takes the patient over
    weak = _refer_down(np.array([0.0, 9.0]), np.array([300.0, 30.0]), np.array([3.0, 1.0]),
                       receive_intercept=1.0, receive_capability=1.5, u_handover=0.3)[2]
    strong = _refer_down(np.array([0.0, 9.0]), np.array([300.0, 30.0]), np.array([3.0, 2.5]),
                         receive_intercept=1.0, receive_capability=1.5, u_handover=0.3)[2]
    assert not weak.any() and strong.all()


def test_a_busy_receiver_takes_over_fewer_patients():
    p = rules.receive_probability(np.full(3, 2.0), np.full(3, 2.0), 1.0, 1.5,
                                  load=np.array([0.2, 0.6, 1.0]), load_coef=2.0)
    assert np.all(np.diff(p) < 0)
    # a draw between the two probabilities (logistic(1) = 0.73, logistic(1 - 2 x 0.9) = 0.31)
    kw = dict(room=np.array([0.0, 9.0]), beds=np.array([300.0, 30.0]),
              capability=np.array([3.0, 2.5]), receive_intercept=1.0, u_handover=0.5,
              receive_load=2.0)
    assert _refer_down(occupancy=0.0, **kw)[2].all()
    assert not _refer_down(occupancy=0.9, **kw)[2].any()


def test_a_consortium_budget_takes_away_the_receivers_revenue_motive():
    assert rules.own_revenue_weight(1.0, True) == 0.0
    assert rules.own_revenue_weight(1.0, False) == 1.0
    # the township's continued care brings it 0.3 x 2,000 + 2 x 100 yuan or so: under fee for
    # service that income tips a reluctant receiver (logistic(-1) = 0.27 below the draw 0.5);
    # under the budget, or when revenue sharing passes it all on, it does not
    kw = dict(room=np.array([0.0, 9.0]), beds=np.array([300.0, 30.0]),
              capability=np.array([3.0, 2.5]), receive_intercept=-1.0, u_handover=0.5,
              receive_revenue=5.0)
    assert _refer_down(consortium_budget=0.0, **kw)[2].all()
    assert not _refer_down(consortium_budget=1.0, **kw)[2].any()
    assert not _refer_down(consortium_budget=0.0, revenue_share=1.0, **kw)[2].any()


def test_the_consortium_channel_makes_referring_up_easier_at_members_only():
    assert rules.upward_channel(1.0, 1.0, True) == 1.0
    assert rules.upward_channel(1.0, 1.0, False) == 0.0
    base = preset("small").replace(**{"incentives.information_platform": 1.0})
    up = {}
    for coef in (0.0, 2.0):
        p = base.replace(**{"referral.up_platform": coef})
        up[coef] = float(simulate(p, days=120, seed=4).summary()["upward_referral_rate"])
    assert up[2.0] > up[0.0]


def test_moved_stays_book_beds_at_the_receiving_township():
    m = ReferralModel(preset("small").replace(**BUSY), rng=2)
    m.keep_days = True
    moved_total = 0
    for _ in range(40):
        before = m.bed_bookings.copy()
        row = m.day % before.shape[0]
        before[row] = 0.0  # today's row is freed before the day books
        m.run_for(1)
        e = m.last_day.episodes
        added = (m.bed_bookings - before).sum(axis=0)
        expected = np.zeros(added.size)
        np.add.at(expected, e.final[e.admitted], e.bed_days[e.admitted])
        moved = np.flatnonzero(e.down & (m.fac.beds[e.receiver] > 0))
        for i in moved:
            expected[e.receiver[i]] += continued_stay_days(m.fac.length_of_stay[e.final[i]],
                                                           m.params.demand.continued_stay_share)
        np.testing.assert_array_equal(added, expected)
        moved_total += moved.size
    assert moved_total > 0


def test_the_hospitals_push_falls_with_the_share_it_already_refers():
    kw = dict(budget=1.0, margin=0.2, retained_share=0.5, value_coef=1.2,
              performance_weight=0.5, performance_coef=3.0, volume_coef=5.0)
    shares = np.array([0.0, 0.1, 0.3, 0.6])
    target = rules.referral_policy_target(np.full(4, 3000.0), np.zeros(4), np.full(4, 1500.0),
                                          referred_share=shares, **kw)
    np.testing.assert_allclose(np.diff(target), -5.0 * np.diff(shares))


def test_the_volume_cost_bounds_downward_referrals_under_a_reform():
    base = preset("small").replace(**{"setting.scale": 2.0})
    reform = base.replace(**{"incentives.consortium_budget": 1.0,
                             "incentives.performance_weight": 1.0,
                             "incentives.information_platform": 1.0})
    rate = {}
    for coef in (0.0, 20.0):
        p = reform.replace(**{"hospital.volume_coef": coef})
        rate[coef] = float(simulate(p, days=240, seed=3).summary(
            window=(120, 240))["downward_referral_rate"])
    assert rate[20.0] < rate[0.0]


def test_a_consortium_budget_makes_referring_up_easier_at_members():
    assert rules.upward_revenue_keep(1.0, 0.0) == 1.0
    assert rules.upward_revenue_keep(1.0, 1.0) == 0.0
    base = preset("small")
    up = {}
    for budget in (0.0, 1.0):
        p = base.replace(**{"incentives.consortium_budget": budget})
        up[budget] = float(simulate(p, days=120, seed=4).summary()["upward_referral_rate"])
    assert up[1.0] > up[0.0]


def test_inpatient_county_internal_rate_counts_admissions_inside_the_county():
    res = simulate(preset("small"), days=60, seed=5)
    s = res.summary()
    d = res.daily
    admissions = d.groupby("tier", observed=False)["admissions"].sum()
    expected = 1.0 - admissions["outside"] / admissions["all"]
    assert s["inpatient_county_internal_rate"] == pytest.approx(expected)
    assert 0.0 < s["inpatient_county_internal_rate"] < 1.0
    groups = res.by_group("insurance_scheme")
    assert groups["inpatient_county_internal_rate"].between(0.0, 1.0).all()
    # the groups' admissions add up to the county's
    assert groups["admissions"].sum() == pytest.approx(admissions["all"])
    assert (groups["county_admissions"].sum()
            == pytest.approx(admissions["all"] - admissions["outside"]))


def test_new_coefficients_are_documented_parameters():
    fields = {f.name: f for f in dataclasses.fields(type(preset("small").hospital))}
    assert "volume_coef" in fields and fields["volume_coef"].metadata.get("source")
    fields = {f.name: f for f in dataclasses.fields(type(preset("small").referral))}
    for name in ("receive_intercept", "receive_capability", "accept_intercept"):
        assert fields[name].metadata.get("source")
