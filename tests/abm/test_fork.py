"""Shared first days of a baseline and its reforms simulated once (abm.simulate_many forks).

A forked run must equal the same run alone to the bit; runs whose parameters differ before the
reform day must not be forked; a sweep of base + reform pairs (and its resumption) must store
the frames of the runs alone.
"""

import gc

import pandas as pd
import pytest

import abm
from abm.engine.model import ReferralModel
from abm.inputs.params import ParamError
from abm.runs.experiments import MAX_BATCH, RunSpec, _batches
from abm.runs.results import prefix_families
from abm.runs.testing import assert_same_state, shared_buffers, state_differences

DAYS = 60
SMALL = abm.preset("small")
REFORM = SMALL.with_reform("compact_consortium", day=25)
LATER = SMALL.with_reform("x_county_trusteeship", day=40)


@pytest.fixture
def forks(monkeypatch):
    """Count the calls of ReferralModel.continue_as (the real method still runs)."""
    calls = []
    real = ReferralModel.continue_as

    def counted(self, params):
        calls.append(self.day)
        real(self, params)

    monkeypatch.setattr(ReferralModel, "continue_as", counted)
    return calls


def assert_same(a: abm.Results, b: abm.Results) -> None:
    pd.testing.assert_frame_equal(a.daily, b.daily, check_exact=True)
    pd.testing.assert_frame_equal(a.groups, b.groups, check_exact=True)
    assert (a.params, a.seed, a.patients, a.scenario) == (b.params, b.seed, b.patients,
                                                          b.scenario)


@pytest.mark.parametrize("patients", ["arrays", "agents"])
def test_forked_runs_equal_runs_alone(patients, forks):
    runs = [(SMALL, 4), (REFORM, 4), (LATER, 4), (SMALL, 5)]
    many = abm.simulate_many(runs, days=DAYS, patients=patients)
    assert sorted(forks) == [25, 40]  # both reforms continued from the seed-4 baseline
    for (p, seed), res in zip(runs, many, strict=True):
        assert_same(res, abm.simulate(p, days=DAYS, seed=seed, patients=patients))
    # the reform changed the run from its day on, so a fork that ignored it would fail above
    base, reform = many[0].daily, many[1].daily
    after = reform["day"] >= 25
    pd.testing.assert_frame_equal(base[~after], reform[~after].assign(
        run_id=base["run_id"], scenario=base["scenario"]))
    assert not base[after].equals(reform[after].assign(run_id=base["run_id"],
                                                       scenario=base["scenario"]))


def test_reforms_without_a_baseline_fork_from_the_latest(forks):
    runs = [(LATER, 2), (REFORM, 2)]
    many = abm.simulate_many(runs, days=DAYS, patients="arrays")
    assert forks == [25]
    for (p, seed), res in zip(runs, many, strict=True):
        assert_same(res, abm.simulate(p, days=DAYS, seed=seed, patients="arrays"))


def test_runs_differing_before_the_reform_are_not_forked(forks):
    other = SMALL.replace(**{"trust.learning_rate": 0.2}).with_reform("compact_consortium",
                                                                       day=25)
    from_day_0 = SMALL.with_reform("compact_consortium", day=0)
    runs = [(SMALL, 1), (other, 1), (from_day_0, 1), (REFORM, 2), (REFORM, None)]
    assert SMALL.shared_days(other) == 0 and SMALL.shared_days(from_day_0) == 0
    assert list(prefix_families(runs).values()) == [[0], [1], [2], [3], [4]]
    many = abm.simulate_many(runs[:4], days=DAYS, patients="arrays")
    assert forks == []
    for (p, seed), res in zip(runs[:4], many, strict=True):
        assert_same(res, abm.simulate(p, days=DAYS, seed=seed, patients="arrays"))
    assert list(prefix_families(runs, share_prefix=False).values()) == [[i] for i in range(5)]


def test_continue_as_refuses_parameters_that_differ_before_today():
    model = ReferralModel(SMALL, rng=1, patients="arrays")
    model.run_for(30)
    with pytest.raises(ParamError, match="differ from the running ones from day 25"):
        model.continue_as(REFORM)
    with pytest.raises(ParamError, match="from day 0"):
        model.continue_as(SMALL.replace(**{"trust.learning_rate": 0.2}))
    model.continue_as(LATER)  # agrees until day 40
    assert model.params is LATER
    fresh = ReferralModel(SMALL, rng=1, patients="arrays")  # built with day 0's incentives
    with pytest.raises(ParamError, match="on day 0 .* from day 0"):
        fresh.continue_as(SMALL.with_reform("compact_consortium", day=0))


def test_forks_leave_no_model_alive():
    def alive() -> int:
        gc.collect()
        return sum(type(o) is ReferralModel for o in gc.get_objects())

    before = alive()
    kept = ReferralModel(SMALL, rng=1)
    assert alive() == before + 1  # the count sees a live model
    del kept
    for seed in range(3):
        abm.simulate_many([(SMALL, seed), (REFORM, seed), (LATER, seed)], days=45,
                          patients="agents")
    assert alive() == before


def test_sweep_batches_keep_families_together():
    specs = {f"{name}@{seed}": RunSpec(p, seed, DAYS, "arrays")
             for name, p in (("a", SMALL), ("b", REFORM), ("c", LATER)) for seed in (1, 2, 3)}
    for size in (1, 2, 3, 4, 9):
        batches = _batches(specs, size)
        assert sorted(k for b in batches for k in b) == sorted(specs)
        for seed in (1, 2, 3):
            family = {f"{n}@{seed}" for n in "abc"}
            assert sum(bool(family & set(b)) for b in batches) == 1, (size, batches)
        assert all(len(b) <= max(size, 3) for b in batches)
    assert _batches(specs, 2, share_prefix=False) == [list(specs)[i:i + 2] for i in range(0, 9, 2)]
    big = {str(i): RunSpec(SMALL.with_reform({"revenue_share": 0.1}, day=i + 1), 1, DAYS,
                           "arrays") for i in range(MAX_BATCH + 2)}
    assert [len(b) for b in _batches(big, 1)] == [MAX_BATCH, 2]


def test_sweep_of_pairs_and_its_resumption_store_the_runs_alone(tmp_path, forks):
    scenarios = {"1/base": SMALL, "1/reform": REFORM,
                 "2/base": SMALL.replace(**{"setting.villages": 30}),
                 "2/reform": SMALL.replace(**{"setting.villages": 30}).with_reform(
                     "x_county_trusteeship", day=40)}
    kwargs = {"seeds": [3, 4], "days": DAYS, "windows": 30, "scheduler": "synchronous",
              "progress": False}
    df = abm.sweep(scenarios, out=tmp_path / "store", **kwargs)
    assert sorted(forks) == [25, 25, 40, 40]
    daily = abm.load_sweep(tmp_path / "store", daily=True)
    for (name, seed), d in daily.groupby(["scenario", "seed"], sort=False):
        alone = abm.simulate(scenarios[name], days=DAYS, seed=seed)
        expected = alone.daily.drop(columns=["scenario", "replicate"])
        pd.testing.assert_frame_equal(d.drop(columns="scenario").reset_index(drop=True),
                                      expected, check_exact=True, check_categorical=False)
    alone = abm.sweep(scenarios, out=tmp_path / "alone", share_prefix=False, **kwargs)
    pd.testing.assert_frame_equal(df, alone, check_exact=True)
    # resume with one arm of a pair missing: it runs alone and gives the same rows
    key = next(k for s, seed, k in pd.read_json(tmp_path / "store" / "sweep.json",
                                                typ="series")["runs"] if s == "1/reform"
               and seed == 3)
    for sub in ("summary", "daily"):
        (tmp_path / "store" / sub / f"{key}.parquet").unlink()
    forks.clear()
    resumed = abm.sweep(scenarios, out=tmp_path / "store", **kwargs)
    assert resumed.attrs["computed"] == 1 and forks == []
    pd.testing.assert_frame_equal(resumed, df, check_exact=True)


# ---------------------------------------------------------------- whole state over years
#: The fork is tested on every named package, a plain lever step and a ramp, for three years
#: after a reform day that is not on a month or year boundary.
YEARS_AFTER = 3
FORK_DAY = 100
LONG = FORK_DAY + YEARS_AFTER * 365 + 10
PACKAGES = sorted(abm.reform_packages()["package"].unique())
#: Packages whose runs share their first days with the baseline's (the others, such as the
#: secular trends, change plain parameters from day 0 and are never forked: see below).
FORKABLE = [name for name in PACKAGES
            if SMALL.shared_days(SMALL.with_reform(name, day=FORK_DAY)) == FORK_DAY]
SCHEDULES = [*FORKABLE, {"consortium_budget": 1.0, "revenue_share": 0.6}]


def test_packages_that_change_plain_parameters_run_alone():
    """A package that also sets plain parameters (trends) differs from day 0: never forked."""
    others = sorted(set(PACKAGES) - set(FORKABLE))
    assert others == ["secular_2011_2021"] and len(FORKABLE) == 4
    runs = [(SMALL, 1), (SMALL.with_reform(others[0], day=FORK_DAY), 1)]
    assert list(prefix_families(runs).values()) == [[0], [1]]


@pytest.mark.slow
@pytest.mark.parametrize("patients", ["arrays", "agents"])
@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: s if isinstance(s, str) else "step")
def test_fork_equals_the_run_alone_in_every_array_for_three_years(schedule, patients):
    """The copy that abm.simulate_many continues equals the run alone in its whole state."""
    reform = SMALL.with_reform(schedule, day=FORK_DAY)
    trunk = ReferralModel(SMALL, rng=7, patients=patients)
    trunk.run_for(FORK_DAY)
    fork = trunk.fork(reform)
    fork.run_for(LONG - FORK_DAY)
    alone = ReferralModel(reform, rng=7, patients=patients)
    alone.run_for(LONG)
    assert_same_state(fork, alone)
    # the reform did change the run: the state walk tells the trunk run on from the reform
    trunk.run_for(LONG - FORK_DAY)
    assert any(d.startswith("model._rec_groups") for d in state_differences(trunk, alone))


@pytest.mark.parametrize("patients", ["arrays", "agents"])
def test_the_model_keeps_no_view_of_one_array_in_another(patients):
    """A deep copy turns stored views into arrays of their own, so none may be stored."""
    m = ReferralModel(REFORM, rng=1, patients=patients)
    m.run_for(40)
    assert shared_buffers(m) == []


def test_the_whole_state_comparison_sees_a_detached_view():
    """assert_same_state fails on the defect it guards against (a ledger that stops moving)."""
    a = ReferralModel(SMALL, rng=3, patients="arrays")
    a.run_for(31)
    b = a.fork(SMALL)
    b.policy_matrix = b.policy_matrix.copy()  # as a deep copy of a stored view would
    b.run_for(30)
    a.run_for(30)
    assert_same_state(a, b)  # replacing the matrix object alone changes nothing
    b.phys.ledger = b.phys.ledger.copy()  # now the physicians' table reads a stale copy
    b.run_for(1)
    a.run_for(1)
    with pytest.raises(AssertionError, match="phys"):
        assert_same_state(a, b)


@pytest.mark.slow
@pytest.mark.parametrize("patients", ["arrays", "agents"])
def test_simulate_many_equals_simulate_in_the_third_reform_year(patients):
    """The issue's table: a baseline and a reform through the sweep's path equal the runs alone."""
    runs = [(SMALL, 1), (REFORM, 1)]
    days = 25 + 3 * 365
    many = abm.simulate_many(runs, days=days, patients=patients)
    for (p, seed), res in zip(runs, many, strict=True):
        assert_same(res, abm.simulate(p, days=days, seed=seed, patients=patients))
