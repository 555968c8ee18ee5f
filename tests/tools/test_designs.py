import doctest
import importlib

import numpy as np
import pandas as pd
import pytest

from abm import preset
from abm.apps.designs import (
    DesignError,
    LeverSpec,
    design_to_params,
    load_design,
    paired_effects,
    period_windows,
    run_design_replications,
    shipped_designs,
)
from abm.runs.levers import LEVERS


@pytest.mark.parametrize("name", ["abm.apps.designs", "abm.apps.report", "abm.apps.cli",
                                  "abm.apps.dashboard", "abm.engine.equity"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_four_to_six_shipped_designs_all_valid():
    names = shipped_designs()
    assert 4 <= len(names) <= 6
    for name in names:
        d = load_design(name)
        assert d.title and d.levers
        p = design_to_params(d)
        assert p.reform.day is not None and p.reform.day < d.days


def test_step_lever_becomes_a_reform_at_its_start(tiny_design):
    d = load_design(tiny_design)
    p = design_to_params(d)
    assert p.reform.day == 20
    assert p.incentives_at(19) == preset("small").incentives
    at = p.incentives_at(20)
    assert (at.revenue_share, at.information_platform) == (0.8, 1.0)
    # levers the design does not name keep the status quo value
    assert (at.primary_reimbursement_premium
            == preset("small").incentives.primary_reimbursement_premium)


def test_ramp_follows_its_path():
    d = load_design("yongan_measures")
    assert all(path.path == "ramp" and path.years == 2 for path in d.levers.values())
    p = design_to_params(d)
    start, share = d.reform_day, d.levers["revenue_share"].value
    assert p.incentives_at(start).revenue_share == 0.0
    assert 0.0 < p.incentives_at(start + 365).revenue_share < share
    assert p.incentives_at(start + 730).revenue_share == share
    late = LeverSpec(0.3, "step", start_day=400).to_params_path("revenue_share", 365)
    assert (late.start_year, late.ramp_years) == (35 / 365, 0.0)


def test_levers_may_start_on_different_days(tmp_path):
    path = tmp_path / "staggered.toml"
    path.write_text('title = "t"\ndays = 60\nreform_day = 10\n[levers]\nrevenue_share = 0.5\n'
                    'information_platform = { value = 1.0, start_day = 40 }\n')
    p = design_to_params(load_design(path))
    assert (p.incentives_at(39).revenue_share, p.incentives_at(39).information_platform) == (
        0.5, 0.0)
    assert p.incentives_at(40).information_platform == 1.0


def test_named_package_with_an_override(tmp_path):
    path = tmp_path / "pkg.toml"
    path.write_text('title = "t"\ndays = 60\nreform_day = 10\npackage = "gatekeeping_pilot"\n'
                    '[levers]\nprimary_reimbursement_premium = 0.2\n')
    d = load_design(path)
    p = design_to_params(d)
    pkg = preset("small").with_reform("gatekeeping_pilot", day=10)
    at, ref = p.incentives_at(10), pkg.incentives_at(10)
    assert p.reform.package == "gatekeeping_pilot"
    assert at.family_doctor_coverage == ref.family_doctor_coverage == 0.8
    assert at.gatekeeping_penalty == ref.gatekeeping_penalty
    assert (ref.primary_reimbursement_premium, at.primary_reimbursement_premium) == (0.15, 0.2)


def test_parameters_table_reaches_params(tmp_path):
    path = tmp_path / "scaled.toml"
    path.write_text('title = "t"\npreset = "x_county"\ndays = 30\nreform_day = 10\n'
                    '[parameters]\n"setting.scale" = 200.0\n[levers]\nrevenue_share = 0.3\n')
    d = load_design(path)
    assert d.baseline_params().setting.scale == 200.0
    assert design_to_params(d).setting.scale == 200.0


def test_overrides_are_checked_and_recorded(tiny_design):
    d = load_design(tiny_design).with_overrides(days=30, seeds=[4])
    assert (d.days, d.seeds, d.reform_day) == (30, (4,), 20)
    assert d.overrides == {"days": 30, "seeds": [4]}
    # a horizon that ends before the file's reform day starts the reform at half of it, and
    # says so (explicit lever start days move with the reform day)
    short = load_design(tiny_design).with_overrides(days=10)
    assert (short.days, short.reform_day) == (10, 5)
    assert short.overrides == {"days": 10, "reform_day": 5}
    assert "starts the reform on day 20, after the 10-day horizon" in short.notes[0]
    with pytest.raises(DesignError, match="reform_day"):
        load_design(tiny_design).with_overrides(days=10, reform_day=12)
    # a lever changed on an overridden design keeps the override
    e = d.with_lever("revenue_share", 0.1)
    assert (e.days, e.levers["revenue_share"].value) == (30, 0.1)


def test_reading_does_not_change_the_file(tiny_design):
    before = tiny_design.read_bytes()
    load_design(tiny_design).with_overrides(days=30).with_lever("revenue_share", 0.2)
    assert tiny_design.read_bytes() == before


def test_replications_share_random_numbers_and_windows(tiny_design):
    d = load_design(tiny_design)
    windows = period_windows(d.days, d.reform_day)
    scen = {"status quo": d.baseline_params(), "design": design_to_params(d)}
    runs = run_design_replications(scen, seeds=d.seeds, days=d.days, windows=windows,
                                   progress=False)
    # the whole county and 5 remoteness quintiles and 2 insurance schemes per run and window
    assert len(runs) == 2 * 2 * len(windows) * (1 + 5 + 2)
    assert (runs["grouping"] == "county").sum() == 2 * 2 * len(windows)
    # before the reform day (period 0 = days 0-29 includes the reform at 20: use a window
    # wholly before it) the two scenarios are identical on every seed
    before = run_design_replications(scen, seeds=d.seeds, days=d.days,
                                     windows={"before": (0, 20)}, progress=False)
    a = before[before["scenario"] == "status quo"].drop(columns="scenario").reset_index(drop=True)
    b = before[before["scenario"] == "design"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    after = runs[runs["window"] == "after_reform"].set_index(["scenario", "seed"])
    lever = LEVERS["information_platform"]
    diff = (after.loc["design", lever.metric] - after.loc["status quo", lever.metric]).mean()
    assert np.sign(diff) == lever.direction


def test_per_capita_metrics_agree_with_the_per_episode_ones():
    from abm import simulate

    s = simulate(preset("small"), days=30, seed=5).summary()
    # out-of-pocket per episode is per treated episode (episodes not forgone)
    treated_per_capita = s["episodes_per_capita"] * (1 - s["forgone_care_rate"])
    assert s["oop_per_capita"] == pytest.approx(s["oop_per_episode"] * treated_per_capita)
    assert s["turned_away_per_capita"] > 0


def test_paired_effects_interval_by_hand():
    runs = pd.DataFrame({"scenario": ["a"] * 3 + ["b"] * 3, "seed": [1, 2, 3] * 2,
                         "window": "w", "y": [1.0, 2.0, 3.0, 2.0, 2.0, 5.0]})
    e = paired_effects(runs, baseline="a", metrics=["y"], window="w").iloc[0]
    diff = np.array([1.0, 0.0, 2.0])
    half = 4.302652729911275 * diff.std(ddof=1) / np.sqrt(3)  # t(0.975, df=2)
    assert e["effect"] == pytest.approx(1.0)
    assert (e["lower"], e["upper"]) == pytest.approx((1 - half, 1 + half))


def test_paired_effects_of_one_group():
    runs = pd.DataFrame({"scenario": ["a", "b"] * 2, "seed": [1, 1, 1, 1], "window": "w",
                         "grouping": ["county", "county", "insurance_scheme",
                                      "insurance_scheme"],
                         "group": ["all", "all", "employee", "employee"],
                         "y": [1.0, 2.0, 10.0, 40.0]})
    county = paired_effects(runs, baseline="a", metrics=["y"], window="w")
    employee = paired_effects(runs, baseline="a", metrics=["y"], window="w",
                              group=("insurance_scheme", "employee"))
    assert (county["effect"].item(), employee["effect"].item()) == (1.0, 30.0)


def test_a_dask_scheduler_address_gives_the_same_runs():
    from distributed import Client

    from abm.runs.experiments import local_cluster

    scen = {"status quo": preset("small"),
            "design": preset("small").replace(**{"incentives.revenue_share": 0.5})}
    kw = {"seeds": [1, 2], "days": 15, "windows": {"all": (0, 15), "late": (5, 15)},
          "progress": False}
    here = run_design_replications(scen, scheduler="synchronous", **kw)
    with local_cluster(1) as cluster, Client(cluster, set_as_default=False):
        there = run_design_replications(scen, scheduler=cluster.scheduler_address, **kw)
    pd.testing.assert_frame_equal(here, there)
