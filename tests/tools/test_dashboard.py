"""The dashboard module without a browser: model arguments, Reset's scenario=, one model per
session (the browser test in test_browser.py drives the served page)."""

import pytest

pytest.importorskip("solara", reason="the dashboard extra is not installed")

import pandas as pd  # noqa: E402
import solara  # noqa: E402
from mesa.visualization.solara_viz import (  # noqa: E402
    _build_model_init_kwargs,
    _check_model_params,
)

import abm.apps.dashboard as dash  # noqa: E402
from abm.apps.cli import build_parser, dashboard_command  # noqa: E402
from abm.inputs.params import ParamError  # noqa: E402
from abm.runs.testing import assert_same_state  # noqa: E402


def test_inputs_match_the_model_signature():
    _check_model_params(dash.DashboardModel.__init__, dash.model_params())
    assert list(dash.lever_sliders()) == list(dash.LEVER_NAMES)


@pytest.mark.slow
def test_a_lever_moved_mid_run_equals_the_reform_built_from_the_start_in_every_array():
    """Three years after levers moved on day 100, the whole state equals the model built with
    the reform from day 100 (ledgers, policies, trust, agents, random generators)."""
    moved = dash.DashboardModel(seed=4, reform_day=300)
    moved.run_for(100)
    moved.set_levers({"consortium_budget": 1.0, "revenue_share": 0.8})
    moved.run_for(3 * 365)
    built = dash.DashboardModel(seed=4, reform_day=100, consortium_budget=1.0, revenue_share=0.8)
    built.run_for(100 + 3 * 365)
    assert_same_state(moved, built)


def test_a_lever_moved_mid_run_is_a_reform_from_that_day():
    """Moving levers at day 12 gives the run a model built with the reform at day 12 gives."""
    moved = dash.DashboardModel(seed=4, reform_day=300)
    moved.run_for(12)
    moved.set_levers({"revenue_share": 0.8, "primary_reimbursement_premium": 0.2})
    moved.run_for(18)
    built = dash.DashboardModel(seed=4, reform_day=12, revenue_share=0.8,
                                primary_reimbursement_premium=0.2)
    built.run_for(30)
    pd.testing.assert_frame_equal(moved.daily_counts(), built.daily_counts())
    status_quo = dash.DashboardModel(seed=4, reform_day=300)
    status_quo.run_for(30)
    a, b = moved.daily_counts(), status_quo.daily_counts()
    pd.testing.assert_frame_equal(a[a["day"] < 12], b[b["day"] < 12])
    assert not a[a["day"] >= 12].equals(b[b["day"] >= 12])
    assert dash.lever_series(moved)["revenue_share"].tolist() == [0.0] * 12 + [0.8] * 18


def test_reset_passes_scenario_and_a_string_seed():
    m = dash.DashboardModel(seed="5", reform_day=0, revenue_share=0.7)
    kwargs = _build_model_init_kwargs(m, {"seed": "9", "revenue_share": 0.2, "reform_day": 0},
                                      add_scenario_when_empty=True,
                                      require_model_accepts_scenario=True)
    assert "scenario" in kwargs  # what SolaraViz's Reset does in Mesa 3.5.1
    again = type(m)(**kwargs)
    assert again.seed_sequence.entropy == 9
    assert again.incentives.revenue_share == 0.2


def test_bad_inputs_are_named():
    with pytest.raises(ParamError, match="seed must be a whole number, got 'abc'"):
        dash.DashboardModel(seed="abc")
    with pytest.raises(ParamError, match="unknown lever"):
        dash.DashboardModel(bonus=1.0)
    with pytest.raises(ParamError, match="preset must be one of"):
        dash.DashboardModel(preset_name="springfield")


def test_each_session_builds_its_own_model(monkeypatch):
    built = []

    class Counting(dash.DashboardModel):
        def __init__(self, **kw):
            super().__init__(**kw)
            built.append(self)

    monkeypatch.setattr(dash, "DashboardModel", Counting)
    assert not built  # nothing is built at import
    for _ in range(2):
        box, rc = solara.render(dash.Page(), handle_error=False)
        rc.close()
    assert len(built) == 2 and built[0] is not built[1]


def test_figures_and_readout_follow_the_model():
    m = dash.DashboardModel(seed=2, reform_day=0, information_platform=1.0)
    m.run_for(3)
    assert "Day 3" in dash.readout_html(m)
    assert "information_platform = 1" in dash.readout_html(m)
    assert len(dash.figure_time_series(m).axes) == 4
    assert len(dash.figure_facilities(m).axes) == 2


def test_server_binds_localhost_without_telemetry():
    args = build_parser().parse_args(["dashboard"])
    cmd, env = dashboard_command(args.host, args.port)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
