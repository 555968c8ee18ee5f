"""Model tests: determinism, seeds, common random numbers, conservation, presets."""

import numpy as np
import pandas as pd
import pytest

import abm
from abm import Facility, Patient, Physician, ReferralModel, preset, simulate
from abm.engine.model import COUNTY_COUNTERS, FACILITY_COUNTERS

DAYS = 60
REFORM_DAY = 30


def test_same_seed_gives_identical_frames():
    a = simulate(preset("small"), days=DAYS, seed=11)
    b = simulate(preset("small"), days=DAYS, seed=11)
    pd.testing.assert_frame_equal(a.daily, b.daily)


def test_different_seeds_differ():
    a = simulate(preset("small"), days=DAYS, seed=11).daily
    b = simulate(preset("small"), days=DAYS, seed=12).daily
    assert not np.array_equal(a["visits"].to_numpy(), b["visits"].to_numpy())


@pytest.mark.parametrize("lever, value", [
    ("revenue_share", 0.8), ("information_platform", 1.0), ("counterpart_support", 2.0),
    ("family_doctor_coverage", 0.9), ("primary_reimbursement_premium", 0.2),
])
def test_crn_identical_before_reform_and_different_after(lever, value):
    base_p = preset("small")
    reform_p = base_p.replace(**{"reform.day": REFORM_DAY, f"reform.incentives.{lever}": value})
    # revenue sharing acts only on stabilised hospital patients' referral decisions, a few a
    # week in the small county: give every lever four months after the reform to show itself
    days = REFORM_DAY + 120
    base = simulate(base_p, days=days, seed=5).daily
    reform = simulate(reform_p, days=days, seed=5).daily
    cols = list(FACILITY_COUNTERS) + list(COUNTY_COUNTERS)
    before_b = base.loc[base["day"] < REFORM_DAY, cols]
    before_r = reform.loc[reform["day"] < REFORM_DAY, cols]
    pd.testing.assert_frame_equal(before_b, before_r)
    after_b = base.loc[base["day"] >= REFORM_DAY, cols].to_numpy()
    after_r = reform.loc[reform["day"] >= REFORM_DAY, cols].to_numpy()
    assert not np.allclose(np.nan_to_num(after_b), np.nan_to_num(after_r))


def test_no_reform_day_means_baseline_throughout():
    p = preset("small")
    assert p.incentives_at(10_000) == p.incentives
    r = p.replace(**{"reform.incentives.revenue_share": 0.5})  # no day: never switched on
    assert r.incentives_at(10_000).revenue_share == 0.0


def test_conservation_of_episodes_and_referrals():
    m = ReferralModel(preset("small"), rng=3)
    m.run_for(DAYS)
    d = m.daily_counts()
    tiers = d[d["tier"] != "all"]
    allr = d[d["tier"] == "all"].set_index("day")
    per_day = tiers.groupby("day")[list(FACILITY_COUNTERS)].sum()
    # every episode with formal care starts at one facility and ends at one facility; the
    # self-treated ones at none
    treated = allr["episodes"] - allr["forgone"]
    assert (allr["forgone"] > 0).any() and (treated > 0).all()
    assert (per_day["episodes_first"] == treated).all()
    assert (per_day["episodes_final"] == treated).all()
    assert (per_day["first_visits"] == treated).all()
    # referrals sent = referrals received, per day
    assert (per_day["up_sent"] == per_day["up_received"]).all()
    assert (per_day["down_sent"] == per_day["down_received"]).all()
    # downward referral funnel: offered >= accepted = completed + failed handovers
    assert (per_day["down_offered"] >= per_day["down_accepted"]).all()
    assert (per_day["down_accepted"] == per_day["down_sent"] + per_day["handovers_failed"]).all()
    # facility ledgers hold the same totals as the daily record
    for name in ("visits", "admissions", "up_sent", "down_received"):
        assert m.ledger[name].sum() == pytest.approx(per_day[name].sum())
    # revenue sharing moves money between facilities but creates none
    assert m.ledger["revenue"].sum() == pytest.approx(
        m.ledger["oop"].sum() + m.ledger["insurance"].sum())
    # physicians: every upward referral was made by one physician
    assert m.phys.referrals_up.sum() == per_day["up_sent"].sum()


def test_agents_are_mesa_agents_and_readable():
    m = ReferralModel(preset("small"), rng=1)
    facilities = m.agents_by_type[Facility]
    assert len(facilities) == len(m.roster)
    assert {f.tier for f in facilities} == set(abm.TIERS)
    assert len(m.agents_by_type[Patient]) == 3000
    doc = m.agents_by_type[Physician].to_list()[0]
    assert 0.0 <= doc.skill <= 1.0
    m.run_for(10)
    seen = sum(p.patients_seen for p in m.agents_by_type[Physician])
    allr = m.daily_counts().query("tier == 'all'")
    assert seen >= (allr["episodes"] - allr["forgone"]).sum()


def test_counterpart_support_seconds_physicians_to_townships():
    p = preset("small").replace(**{"incentives.counterpart_support": 1.0})
    m = ReferralModel(p, rng=1)
    towns = [f for f in m.agents_by_type[Facility] if f.tier == "township"]
    assert all(f.secondees == 1 for f in towns)
    seconded = m.agents_by_type[Physician].select(lambda d: d.seconded)
    assert len(seconded) == len(towns)
    assert all(m.facility_agents[int(d.home)].tier in ("county_general", "provincial", "county")
               for d in seconded)


@pytest.mark.parametrize("name", abm.PRESETS)
def test_every_preset_constructs_and_runs(name):
    p = preset(name)
    res = simulate(p, days=5, seed=1)
    s = res.summary()
    assert set(abm.METRICS) == set(s.index)
    assert s["visits_per_capita"] > 0
    assert res.daily["tier"].nunique() == 7


def test_model_constructs_with_no_arguments():
    m = ReferralModel()
    m.run_for(2)
    assert m.day == 2 and m.time == 2


def test_summary_window_and_periods():
    res = simulate(preset("small"), days=DAYS, seed=2)
    per = res.periods(30)
    assert list(per["period"]) == [0, 1]
    first = res.summary(window=(0, 30))
    assert per.loc[0, "visits_per_capita"] == pytest.approx(first["visits_per_capita"])
    assert {"run_id", "scenario", "replicate", "seed"} <= set(per.columns)
