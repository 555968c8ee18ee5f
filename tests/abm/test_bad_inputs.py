"""Bad model inputs give the package's own error naming the argument or field (issue 17).

A corpus of bad inputs (each must raise abm.ParamError, a ValueError, whose message names the
argument or field), a few valid inputs that used to be refused or mishandled, and a hypothesis
test throwing random values and types at Params.replace and simulate.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import abm
from abm import ParamError, preset, simulate
from abm.inputs.checks import MAX_DAYS, ParamTypeError
from abm.runs.levers import lever_effects

SMALL = preset("small")


def _model_run(days):
    m = abm.ReferralModel(SMALL, rng=1)
    if days:
        m.run_for(days)
    return m


@pytest.fixture(scope="module")
def res30():
    return simulate(SMALL, days=30, seed=1)


def _sim(**kw):
    args = {"days": 5, "seed": 1, **kw}
    return lambda: simulate(args.pop("params", SMALL), **args)


def _rep(**changes):
    return lambda: SMALL.replace(**changes)


# (id, call, text the message must contain). Every call must raise ParamError.
CORPUS = [
    # seeds
    ("seed-str", _sim(seed="abc"), "seed"),
    ("seed-float", _sim(seed=1.5), "seed"),
    ("seed-generator", _sim(seed=np.random.default_rng(1)), "seed"),
    ("seed-negative", _sim(seed=-1), "seed"),
    ("seed-list", _sim(seed=[1, 2]), "seed"),
    ("seed-bool", _sim(seed=True), "seed"),
    ("seed-np-float", _sim(seed=np.float64(3.0)), "seed"),
    ("seed-dict", _sim(seed={}), "seed"),
    ("seed-numeric-str", _sim(seed="1"), "seed"),
    ("seed-complex", _sim(seed=1j), "seed"),
    ("model-rng-str", lambda: abm.ReferralModel(SMALL, rng="abc"), "rng"),
    ("model-rng-negative", lambda: abm.ReferralModel(SMALL, rng=-5), "rng"),
    ("model-rng-generator", lambda: abm.ReferralModel(SMALL, rng=np.random.default_rng()), "rng"),
    # days
    ("days-zero", _sim(days=0), "days"),
    ("days-negative", _sim(days=-1), "days"),
    ("days-float", _sim(days=2.5), "days"),
    ("days-str", _sim(days="30"), "days"),
    ("days-none", _sim(days=None), "days"),
    ("days-huge", _sim(days=10**7), "days"),
    ("days-above-max", _sim(days=MAX_DAYS + 1), "days"),
    ("days-bool", _sim(days=True), "days"),
    ("days-np-float", _sim(days=np.float64(30)), "days"),
    ("days-list", _sim(days=[30]), "days"),
    ("run_for-float", lambda: _model_run(0).run_for(2.5), "duration"),
    ("run_for-zero", lambda: _model_run(0).run_for(0), "duration"),
    ("run_for-negative", lambda: _model_run(0).run_for(-3), "duration"),
    ("run_for-str", lambda: _model_run(0).run_for("5"), "duration"),
    ("run_for-none", lambda: _model_run(0).run_for(None), "duration"),
    ("run_model", lambda: _model_run(0).run_model(), "run_for"),
    # params
    ("params-dict", _sim(params={"incentives.revenue_share": 0.4}), "params must be an abm.Params"),
    ("params-str", _sim(params="small"), "abm.preset('small')"),
    ("params-int", _sim(params=5), "params"),
    ("params-list", _sim(params=[]), "params"),
    ("params-incentives", _sim(params=abm.Incentives()), "params"),
    ("model-params-dict", lambda: abm.ReferralModel({"setting.villages": 3}), "params"),
    ("model-params-str", lambda: abm.ReferralModel("small"), "abm.preset('small')"),
    # summary windows
    ("window-int", lambda r: r.summary(window=5), "window"),
    ("window-reversed", lambda r: r.summary(window=(100, 50)), "window"),
    ("window-empty", lambda r: r.summary(window=(5, 5)), "window"),
    ("window-negative", lambda r: r.summary(window=(-1, 5)), "window"),
    ("window-short", lambda r: r.summary(window=(0,)), "window"),
    ("window-long", lambda r: r.summary(window=(0, 1, 2)), "window"),
    ("window-str-pair", lambda r: r.summary(window=("a", "b")), "window"),
    ("window-float", lambda r: r.summary(window=(1.5, 10)), "window"),
    ("window-after-run", lambda r: r.summary(window=(400, 500)), "window"),
    ("window-str", lambda r: r.summary(window="0-10"), "window"),
    ("by_tier-window", lambda r: r.by_tier(window=(100, 50)), "window"),
    ("summarize-window", lambda r: abm.summarize(r.daily, window=7), "window"),
    ("model-summary-before-run", lambda: _model_run(0).summary(), "no days"),
    # reforms that never switch on
    ("reform-day-at-end", _sim(params=SMALL.replace(**{"reform.day": 5})), "reform.day"),
    ("reform-day-beyond", _sim(params=SMALL.replace(**{"reform.day": 1000})), "reform.day"),
    # Params.replace
    ("replace-unknown-group", _rep(**{"incentive.revenue_share": 0.4}), "valid groups"),
    ("replace-unknown-field", _rep(**{"incentives.revenue": 0.4}), "incentives.revenue"),
    ("replace-no-field", _rep(incentives=0.4), "group.field"),
    ("replace-too-deep", _rep(**{"trust.prior.x": 0.4}), "group.field"),
    ("replace-above-range", _rep(**{"incentives.revenue_share": 1.5}), "revenue_share"),
    ("replace-below-range", _rep(**{"incentives.family_doctor_coverage": -0.1}),
     "family_doctor_coverage"),
    ("replace-nan", _rep(**{"trust.learning_rate": math.nan}), "learning_rate"),
    ("replace-inf", _rep(**{"trust.learning_rate": math.inf}), "learning_rate"),
    ("replace-str-number", _rep(**{"trust.learning_rate": "0.2"}), "learning_rate"),
    ("replace-none-number", _rep(**{"trust.learning_rate": None}), "learning_rate"),
    ("replace-bool-number", _rep(**{"trust.learning_rate": True}), "learning_rate"),
    ("replace-huge-int", _rep(**{"trust.learning_rate": 10**400}), "learning_rate"),
    ("replace-float-for-int", _rep(**{"setting.villages": 2.5}), "villages"),
    ("replace-tuple-length", _rep(**{"facilities.reimbursement": (0.5, 0.5)}), "reimbursement"),
    ("replace-tuple-str", _rep(**{"facilities.reimbursement": ("a",) * 5}), "reimbursement"),
    ("replace-tuple-scalar", _rep(**{"facilities.reimbursement": 0.5}), "reimbursement"),
    ("replace-str-for-bool", _rep(**{"setting.outside_hospital": "yes"}), "outside_hospital"),
    ("replace-reform-day-negative", _rep(**{"reform.day": -1}), "reform.day"),
    ("replace-reform-day-float", _rep(**{"reform.day": 1.5}), "reform.day"),
    ("replace-reform-day-str", _rep(**{"reform.day": "x"}), "reform.day"),
    ("replace-reform-lever-unknown", _rep(**{"reform.incentives.nope": 1.0}),
     "reform.incentives.nope"),
    ("replace-reform-lever-range", _rep(**{"reform.incentives.revenue_share": 2.0}),
     "revenue_share"),
    ("replace-reform-incentives-dict", _rep(**{"reform.incentives": {"revenue_share": 1}}),
     "reform.incentives"),
    # issue 28: schedules that cannot lose a lever, scales that leave too few patients
    ("scale-10000-small", _rep(**{"setting.scale": 10000}), "setting.scale"),
    ("scale-too-few-patients", _rep(**{"setting.residents": 100, "setting.scale": 10.0}),
     "simulated patients"),
    ("preset-atlantis-replace", _rep(**{"setting.preset": "atlantis"}), "setting.preset"),
    ("with-reform-empty-list", lambda: SMALL.with_reform([], day=10), "empty"),
    ("with-reform-empty-dict", lambda: SMALL.with_reform({}, day=10), "empty"),
    ("with-reform-not-iterable", lambda: SMALL.with_reform(5, day=10), "schedule"),
    ("with-reform-day-none", lambda: SMALL.with_reform({"revenue_share": 0.5}, day=None),
     "day"),
    ("with-reform-lever-twice", lambda: SMALL.with_reform(
        [abm.LeverPath("revenue_share", 0.5), abm.LeverPath("revenue_share", 0.3)], day=10),
     "twice"),
    ("with-reform-moves-day", lambda: SMALL.with_reform({"revenue_share": 0.5}, day=10)
     .with_reform({"information_platform": 1.0}, day=50), "day 10"),
    ("with-reform-same-lever-again", lambda: SMALL.with_reform({"revenue_share": 0.5}, day=10)
     .with_reform({"revenue_share": 0.3}, day=10), "twice"),
    ("simulate-reform-levers-without-day", lambda: simulate(
        SMALL.replace(**{"reform.incentives.revenue_share": 0.5}), days=5, seed=1),
     "reform.day"),
    ("simulate-reform-day-without-levers", lambda: simulate(
        SMALL.replace(**{"reform.day": 2}), days=5, seed=1), "changes no lever"),
    ("simulate-paths-after-run", lambda: simulate(SMALL.with_reform(
        [abm.LeverPath("revenue_share", 0.5, start_year=1)], day=2), days=5, seed=1),
     "after the run"),
    ("preset-none", lambda: preset(None), "preset"),
    ("reform-panel-atlantis", lambda: abm.reform_panel(2, years=2, package="atlantis", seed=1),
     "atlantis"),
    ("reform-panel-no-treated", lambda: abm.reform_panel(
        2, years=2, start_year=1990, scale=2000, seed=1, scheduler="synchronous",
        progress=False), "no county adopts"),
    ("sweep-unknown-scheduler", lambda: abm.sweep({"a": SMALL}, seeds=[1], days=5,
                                                  scheduler="sync"), "scheduler"),
    # issue 28, fresh audit (tests/tools/audit_abm_fresh.py): reforms that change nothing,
    # schedules moved by replace, checks made before a sweep runs, panel limits
    ("with-reform-lever-at-baseline", lambda: SMALL.with_reform({"revenue_share": 0.0}, day=5),
     "revenue_share=0.0"),
    ("with-reform-ramp-to-baseline", lambda: SMALL.with_reform(
        [abm.LeverPath("family_doctor_coverage", 0.3, ramp_years=1)], day=5),
     "family_doctor_coverage=0.3"),
    ("with-reform-allow-unchanged-str", lambda: SMALL.with_reform(
        {"revenue_share": 0.4}, day=5, allow_unchanged="yes"), "allow_unchanged"),
    ("simulate-step-equal-to-baseline", lambda: simulate(SMALL.replace(
        **{"reform.day": 2, "reform.incentives.revenue_share": 0.0}), days=5, seed=1),
     "changes nothing"),
    ("simulate-allowed-unchanged-schedule", lambda: simulate(SMALL.with_reform(
        {"revenue_share": 0.0}, day=2, allow_unchanged=True), days=5, seed=1),
     "revenue_share=0.0"),
    ("simulate-baseline-moved-onto-reform", lambda: simulate(SMALL.with_reform(
        {"revenue_share": 0.4}, day=2).replace(**{"incentives.revenue_share": 0.4}), days=5,
        seed=1), "changes nothing"),
    ("simulate-many-unchanged", lambda: abm.simulate_many([(SMALL.replace(
        **{"reform.day": 2, "reform.incentives.revenue_share": 0.0}), 1)], days=5),
     "changes nothing"),
    ("replace-moves-with-reform-schedule", lambda: SMALL.with_reform(
        {"revenue_share": 0.5}, day=10).replace(**{"reform.day": 20}), "with_reform"),
    ("replace-moves-package", lambda: SMALL.with_reform("gatekeeping_pilot", day=10).replace(
        **{"reform.day": np.int64(3)}), "gatekeeping_pilot"),
    ("params-group-as-dict", lambda: abm.Params(setting={"residents": 10}), "Params(setting="),
    ("simulate-scenario-int", _sim(scenario=5), "scenario"),
    ("simulate-replicate-negative", _sim(replicate=-1), "replicate"),
    ("simulate-many-share-prefix-str", lambda: abm.simulate_many(
        [(SMALL, 1)], days=5, share_prefix="no"), "share_prefix"),
    ("simulate-many-seed-negative", lambda: abm.simulate_many([(SMALL, -2)], days=5),
     "runs[0] seed"),
    ("summarize-without-tier", lambda r: abm.summarize(r.daily.drop(columns="tier")), "tier"),
    ("sweep-reform-day-after-run", lambda: abm.sweep(
        {"after": SMALL.with_reform({"revenue_share": 0.5}, day=50)}, seeds=[1], days=5,
        scheduler="synchronous", progress=False), "scenario 'after'"),
    ("sweep-days-huge", lambda: abm.sweep({"a": SMALL}, seeds=[1], days=10**6,
                                          scheduler="synchronous", progress=False), "days"),
    ("reform-panel-counties-huge", lambda: abm.reform_panel(10**7, years=2, seed=1),
     "n_counties must be an integer from 2 to 3000"),
    ("reform-panel-years-huge", lambda: abm.reform_panel(2, years=1000, seed=1), "years"),
    ("reform-panel-start-year-far", lambda: abm.reform_panel(2, years=2, start_year=99999,
                                                             seed=1), "start_year"),
    ("reform-panel-ends-after-2100", lambda: abm.reform_panel(2, years=5, start_year=2099,
                                                              seed=1), "2103"),
    ("reform-panel-scale-half", lambda: abm.reform_panel(2, years=2, scale=0.5, seed=1),
     "scale"),
    ("reform-panel-scale-str", lambda: abm.reform_panel(2, years=2, scale="10", seed=1),
     "scale"),
    ("lever-effects-levers-str", lambda: lever_effects(
        SMALL, seeds=[1], days=10, levers="revenue_share"), "levers=['revenue_share']"),
    ("lever-effects-reform-day-np", lambda: lever_effects(
        SMALL, seeds=[1], days=10, levers=["revenue_share"], reform_day=np.int64(20)),
     "reform_day"),
]


def test_second_with_reform_on_the_same_day_merges():
    p = SMALL.with_reform({"revenue_share": 0.5}, day=10).with_reform(
        {"information_platform": 1.0}, day=10)
    inc = p.incentives_at(10)
    assert (inc.revenue_share, inc.information_platform) == (0.5, 1.0)
    assert p.incentives_at(9) == SMALL.incentives


def test_lever_path_takes_numpy_numbers():
    path = abm.LeverPath("revenue_share", np.float64(0.4), start_year=np.int64(1),
                         ramp_years=np.float32(1.5))
    assert (path.start_year, path.ramp_years) == (1, 1.5)


def test_corpus_is_large():
    assert len(CORPUS) >= 60
    assert len({case[0] for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize(("call", "text"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_bad_input_raises_named_param_error(call, text, res30):
    with pytest.raises(ParamError) as info:
        call(res30) if call.__code__.co_argcount else call()
    assert text in str(info.value)


def test_wrong_types_are_also_type_errors():
    with pytest.raises(TypeError, match="seed"):
        simulate(SMALL, days=5, seed="abc")
    with pytest.raises(ParamTypeError, match="params"):
        simulate({"a": 1}, days=5, seed=1)


# ------------------------------------------------------------------------------------------
# Valid inputs that used to be refused or mishandled


def test_numpy_scalars_are_numbers():
    col = np.array([3, 4], dtype=np.int64)
    p = SMALL.replace(**{"incentives.revenue_share": np.float32(0.4),
                         "setting.villages": col[1], "trust.learning_rate": np.float64(0.2),
                         "facilities.reimbursement": np.full(5, 0.5)})
    assert p.incentives.revenue_share == 0.4 and type(p.incentives.revenue_share) is float
    assert p.setting.villages == 4 and type(p.setting.villages) is int
    assert p.facilities.reimbursement == (0.5,) * 5
    # same run id as plain Python numbers (the values, not their numpy types, define a run)
    plain = SMALL.replace(**{"incentives.revenue_share": 0.4, "setting.villages": 4,
                             "trust.learning_rate": 0.2, "facilities.reimbursement": (0.5,) * 5})
    assert p == plain
    res = simulate(p, days=3, seed=np.int64(2), patients="arrays")
    assert res.seed == 2 and type(res.seed) is int


def test_run_for_counts_whole_days():
    m = _model_run(3)
    m.run_for(np.int64(2))
    assert m.day == 5


def test_a_later_baseline_change_carries_into_the_reform():
    reform = SMALL.replace(**{"reform.day": 10, "reform.incentives.revenue_share": 0.4})
    both = reform.replace(**{"incentives.family_doctor_coverage": 0.6})
    assert both.incentives_at(0).family_doctor_coverage == 0.6
    assert both.incentives_at(10).family_doctor_coverage == 0.6  # used to revert to 0.3
    assert both.incentives_at(10).revenue_share == 0.4  # the reform's own lever stays
    # a lever the reform set is not overwritten by a later baseline change
    kept = reform.replace(**{"incentives.revenue_share": 0.1})
    assert (kept.incentives_at(0).revenue_share, kept.incentives_at(10).revenue_share) == (0.1, 0.4)
    # the same changes in one call give the same parameters
    one = SMALL.replace(**{"reform.day": 10, "incentives.family_doctor_coverage": 0.6,
                           "reform.incentives.revenue_share": 0.4})
    assert one == both


def test_sweep_scenario_at_the_status_quo_warns_and_runs_as_the_baseline():
    # a sweep point whose reform leaves every lever at its baseline value is legitimate (the
    # status-quo point of a lever sweep): named in a ReformWarning, its runs are the baseline's
    zero = SMALL.with_reform({"revenue_share": 0.0}, day=3, allow_unchanged=True)
    with pytest.warns(abm.ReformWarning, match=r"scenario 'zero'.*revenue_share=0.0"):
        df = abm.sweep({"base": SMALL, "zero": zero}, seeds=[1], days=6,
                       scheduler="synchronous", progress=False)
    base, same = (df[df.scenario == s].drop(columns=["scenario"]) for s in ("base", "zero"))
    metrics = list(abm.METRICS)
    assert base[metrics].reset_index(drop=True).equals(same[metrics].reset_index(drop=True))
    assert "reform.day" in df.columns  # the frame keeps the scenario's own parameters


def test_a_path_after_the_run_warns_by_name_while_another_acts():
    p = SMALL.with_reform([abm.LeverPath("revenue_share", 0.5),
                           abm.LeverPath("information_platform", 1.0, start_year=1)], day=2)
    with pytest.warns(abm.ReformWarning, match=r"information_platform \(start_year=1: day 367\)"
                                               r".*days 0 to 5"):
        res = simulate(p, days=6, seed=1)
    assert res.params.incentives_at(5).revenue_share == 0.5
    with pytest.warns(abm.ReformWarning, match="scenario 'late': lever path"):
        abm.sweep({"late": p}, seeds=[1], days=6, scheduler="synchronous", progress=False)


def test_replace_keeps_a_with_reform_schedule_on_its_day():
    p = SMALL.with_reform({"revenue_share": 0.5}, day=10)
    assert p.replace(**{"reform.day": np.int64(10)}) == p  # the same day: nothing moves
    step = SMALL.replace(**{"reform.day": 5, "reform.incentives.revenue_share": 0.5})
    assert step.replace(**{"reform.day": 8}).reform.day == 8  # a step (no schedule) may move
    moved = p.without_reform().with_reform({"revenue_share": 0.5}, day=20)
    assert moved.incentives_at(19).revenue_share == 0.0


def test_one_lever_at_its_baseline_beside_another_is_a_reform():
    p = SMALL.with_reform({"revenue_share": 0.0, "information_platform": 0.5}, day=5)
    assert p.unchanged_reform() == ""
    assert SMALL.with_reform({"revenue_share": 0.0}, day=5,
                             allow_unchanged=True).unchanged_reform() == "revenue_share=0.0"


def test_window_partly_after_the_run_is_summarised():
    res = simulate(SMALL, days=10, seed=1)
    assert res.summary(window=(5, 100)).equals(res.summary(window=(5, 10)))


# ------------------------------------------------------------------------------------------
# Random values and types: each runs or raises the package's own error

NAMES = sorted(SMALL.flat()) + ["reform.day", "reform.incentives.revenue_share", "nope.x",
                                "incentives", "trust.prior.x"]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**30, 10**30), st.integers(10**300, 10**400),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
    st.lists(st.floats(-2, 2), max_size=6), st.tuples(st.floats(0, 1), st.floats(0, 1)),
    st.builds(np.float32, st.floats(-2, 2, width=32)), st.builds(np.int64, st.integers(-5, 50)),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(np.random.default_rng(0)), st.just(abm.Incentives()),
)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(NAMES), value=VALUES)
def test_replace_runs_or_raises_param_error(name, value):
    try:
        p = SMALL.replace(**{name: value})
    except ParamError:
        return
    assert isinstance(p, abm.Params)
    assert p.flat()  # a Params that was accepted is complete and readable


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    params=st.one_of(st.just(SMALL), st.just("small"), st.just({"a": 1}), st.none(),
                     st.builds(lambda v: SMALL.replace(**{"reform.day": v}),
                               st.integers(0, 6))),
    days=st.one_of(st.integers(-2, 4), st.floats(-1, 4), st.text(max_size=2), st.none(),
                   st.just(10**7)),
    seed=st.one_of(st.integers(-3, 2**70), st.floats(-1, 5), st.text(max_size=2), st.none(),
                   st.lists(st.integers(0, 3), max_size=2), st.just(np.random.default_rng(0))),
    window=st.one_of(st.none(), st.integers(0, 5), st.tuples(st.integers(-2, 6),
                                                              st.integers(-2, 6))),
)
def test_simulate_runs_or_raises_param_error(params, days, seed, window):
    try:
        res = simulate(params, days=days, seed=seed, patients="arrays")
        summary = res.summary(window=window)
    except ParamError:
        return
    assert len(summary) == len(abm.METRICS)
