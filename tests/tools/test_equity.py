"""Outcomes by group of patients (abm.engine.equity, Results.by_group) and the sweep's rows per
group."""

import numpy as np
import pytest

import abm
from abm.engine.equity import GROUP_COUNTERS, remoteness_quintiles
from abm.engine.metrics import GROUP_METRICS, summarize_groups
from abm.engine.model import ReferralModel

REFORM = {"reform.day": 20, "reform.incentives.revenue_share": 0.5,
          "reform.incentives.reserved_referral_share": 0.2,
          "reform.incentives.primary_reimbursement_premium": 0.2}


@pytest.fixture(scope="module", params=["agents", "arrays"])
def run(request):
    p = abm.preset("small").replace(**REFORM)
    return abm.simulate(p, days=60, seed=4, patients=request.param)


def test_groups_add_up_to_the_county(run):
    """Summing the cells gives back every metric of the county-wide summary (made apart)."""
    one = run.groups.assign(insurance_scheme="all")
    county = summarize_groups(one, by="insurance_scheme", window=(10, 50)).iloc[0]
    s = run.summary(window=(10, 50))
    for m in GROUP_METRICS:
        assert county[m] == pytest.approx(s[m], rel=1e-12), m


@pytest.mark.parametrize("by", ["remoteness_quintile", "insurance_scheme"])
def test_each_grouping_partitions_the_patients(run, by):
    g = run.by_group(by)
    all_days = run.daily.query("tier == 'all'")
    assert g["patients"].sum() == all_days["patients"].sum()
    assert g["episodes"].sum() == all_days["episodes"].sum()
    expected = [1, 2, 3, 4, 5] if by == "remoteness_quintile" else ["resident", "employee"]
    assert g[by].tolist() == expected
    assert set(GROUP_COUNTERS) | set(GROUP_METRICS) <= set(g.columns)


def test_insurance_scheme_follows_the_employee_flag():
    m = ReferralModel(abm.preset("small"), rng=2, patients="agents")
    m.run_for(2)
    per_day = m.group_counts().query("day == 0").groupby("insurance_scheme", observed=True)
    employees = sum(a.employee for a in m.patients.list)
    assert per_day["patients"].sum().tolist() == [len(m.patients) - employees, employees]


def test_remoteness_quintiles_are_equal_fifths_of_villages():
    gen = np.random.default_rng(0)
    for n in (5, 12, 101):
        q = remoteness_quintiles(gen.lognormal(size=n))
        counts = np.bincount(q, minlength=5)
        assert counts.max() - counts.min() <= 1 and counts.sum() == n
    r = gen.lognormal(size=50)
    q = remoteness_quintiles(r)
    assert r[q == 4].min() > r[q == 0].max()  # quintile 5 (code 4) is the most remote


def test_the_compiled_group_tally_is_the_bincount_of_its_definitions():
    m = ReferralModel(abm.preset("small").replace(**REFORM), rng=9, patients="arrays")
    m.keep_days = True
    m.run_for(40)
    e, fac = m.last_day.episodes, m.fac
    quintile, _, records = m._groups
    cell = quintile[e.village] * 2 + e.employee

    def count(weights):
        return np.bincount(cell, weights=np.asarray(weights, dtype=float), minlength=10)

    expected = {"admissions": count(e.admitted), "oop": count(e.oop),
                "insurance": count(e.cost - e.oop), "successes": count(e.success),
                "arrivals": count(1.0 + e.up),
                "turned_away": count(e.turned_away * 1.0 + e.ref_turned_away),
                "first_contact_primary": count(~fac.hospital[e.first]),
                "county_internal": count(fac.in_county[e.final])}
    assert e.first.size > 0
    for name, want in expected.items():
        np.testing.assert_allclose(records[-1][GROUP_COUNTERS.index(name)], want, rtol=1e-12,
                                   err_msg=name)


def test_bad_grouping_names_the_allowed_ones(run):
    with pytest.raises(ValueError, match="by must be one of 'remoteness_quintile', "
                                         "'insurance_scheme'; got 'age'"):
        run.by_group("age")


def test_sweep_rows_per_group_match_results():
    p = abm.preset("small")
    df = abm.sweep({"a": p}, seeds=[3], days=20, windows=[(5, 20)], scheduler="synchronous",
                   progress=False, by_group=["insurance_scheme"])
    assert df[["grouping", "group"]].values.tolist() == [
        ["county", "all"], ["insurance_scheme", "resident"], ["insurance_scheme", "employee"]]
    res = abm.simulate(p, days=20, seed=3)
    mine = res.by_group("insurance_scheme", window=(5, 20)).set_index("insurance_scheme")
    got = df.iloc[1:].set_index("group")
    for m in GROUP_METRICS:
        np.testing.assert_array_equal(got[m].to_numpy(), mine[m].to_numpy())
    with pytest.raises(ValueError, match="by_group must list distinct groupings"):
        abm.sweep({"a": p}, seeds=[3], days=20, by_group=["village"])
