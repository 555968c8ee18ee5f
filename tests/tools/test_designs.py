import doctest
import importlib

import numpy as np
import pandas as pd
import pytest

from abm import preset
from abm.designs import (
    DesignError,
    LeverPath,
    design_to_params,
    extra_metrics,
    load_design,
    paired_effects,
    period_windows,
    run_design_replications,
    shipped_designs,
)
from abm.levers import LEVERS


@pytest.mark.parametrize("name", ["abm.designs", "abm.report", "abm.cli", "abm.dashboard"])
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
    assert p.reform.incentives.revenue_share == 0.8
    assert p.reform.incentives.information_platform == 1.0
    # levers the design does not name keep the status quo value
    assert (p.reform.incentives.primary_reimbursement_premium
            == preset("small").incentives.primary_reimbursement_premium)
    assert p.incentives == preset("small").incentives


def test_ramp_runs_as_a_step_at_its_midpoint():
    d = load_design("yongan_measures")
    assert all(path.path == "ramp" and path.years == 2 for path in d.levers.values())
    assert design_to_params(d).reform.day == d.reform_day + 365
    assert LeverPath(0.1, "ramp", start_day=10, years=0.1).step_day() == 10 + 18


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
    with pytest.raises(DesignError, match="reform_day"):
        load_design(tiny_design).with_overrides(days=10)
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
    assert len(runs) == 2 * 2 * len(windows)
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


def test_extra_metrics_agree_with_summary():
    from abm import simulate

    res = simulate(preset("small"), days=30, seed=5)
    ex = extra_metrics(res.daily, (0, 30))
    s = res.summary()
    assert ex["oop_per_capita"] == pytest.approx(s["oop_per_episode"] * ex["episodes_per_capita"])


def test_paired_effects_interval_by_hand():
    runs = pd.DataFrame({"scenario": ["a"] * 3 + ["b"] * 3, "seed": [1, 2, 3] * 2,
                         "window": "w", "y": [1.0, 2.0, 3.0, 2.0, 2.0, 5.0]})
    e = paired_effects(runs, baseline="a", metrics=["y"], window="w").iloc[0]
    diff = np.array([1.0, 0.0, 2.0])
    half = 4.302652729911275 * diff.std(ddof=1) / np.sqrt(3)  # t(0.975, df=2)
    assert e["effect"] == pytest.approx(1.0)
    assert (e["lower"], e["upper"]) == pytest.approx((1 - half, 1 + half))


def test_scheduler_is_refused_clearly():
    with pytest.raises(DesignError, match="--scheduler 'tcp://h:1'.*omit --scheduler"):
        run_design_replications({"a": preset("small")}, seeds=[1], days=1,
                                windows={"all": (0, 1)}, scheduler="tcp://h:1")
