"""Design search (issue 29): abm.search_designs and `referral-lab search`.

Toy objectives with known optima run through the same search loop (`run_search`) as the model,
with a pure function in place of the simulations; the other tests run the real model (small
preset, a few weeks) through abm.sweep, its store, Optuna and, once, a local Dask cluster.
"""

import doctest
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import abm
from abm.apps import search as S
from abm.apps.cli import main
from abm.apps.designs import load_design

SCRIPT = Path(sys.executable).parent / "referral-lab"

GOAL = """title = "Tiny search"
preset = "small"
years = 0.1
reform_day = 20
trials = 4
batch = 2
budget = 50.0

[replications]
seeds = [1]
posterior_draws = 2

[[objectives]]
metric = "downward_referral_rate"
direction = "max"

[[objectives]]
metric = "insurance_spend_per_capita"
direction = "min"

[[constraints]]
metric = "forgone_care_rate"
group = "remoteness_quintile=5"
max_change = 0.05

[levers]
revenue_share = [0.0, 0.8]
information_platform = { range = [0.0, 1.0], ramp_years = [0.0, 0.05] }
"""


def goal_file(tmp_path: Path, text: str = GOAL, name: str = "goal.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_docstring_examples():
    assert doctest.testmod(S, optionflags=doctest.ELLIPSIS).failed == 0


def test_search_designs_is_exported():
    assert abm.search_designs is S.search_designs


# ---------------------------------------------------------------- toy objectives, known optima


def toy_goal(**over) -> S.Goal:
    raw = {"title": "toy", "preset": "small", "years": 1, "reform_day": 10, "trials": 40,
           "batch": 4, "objectives": [{"metric": "success_rate"}],
           "levers": {"revenue_share": [0.0, 1.0], "information_platform": [0.0, 1.0]}}
    return S.parse_goal({**raw, **over}, source="toy")


def toy(effect, draws: pd.DataFrame | None = None, seeds=(1,)):
    """A simulator: ``effect(levels, draw parameters, seed) -> {target label: value}``."""
    names = ["preset"] if draws is None else list(draws.index)

    def evaluate(cands):
        rows = []
        for name, levels in cands.items():
            for d in names:
                theta = {} if draws is None else draws.loc[d].to_dict()
                for s in seeds:
                    rows.append({"scenario": name, "draw": d, "seed": s,
                                 **effect({k: v for k, (v, _) in levels.items()}, theta, s)})
        return pd.DataFrame(rows)
    return evaluate


def test_toy_objective_optimum_is_found():
    # a smooth bowl with its top at revenue_share 0.3, information_platform 0.7
    def bowl(x, theta, seed):
        return {"success_rate": -(x["revenue_share"] - 0.3) ** 2
                - (x["information_platform"] - 0.7) ** 2}

    goal = toy_goal()
    trials = S.run_search(toy(bowl), goal, progress=False)
    assert len(trials) == 40 and trials["feasible"].all()
    best = trials.loc[trials["success_rate_mean"].idxmax()]
    assert abs(best["revenue_share"] - 0.3) < 0.1
    assert abs(best["information_platform"] - 0.7) < 0.1
    # the search learns: its best beats the best of its first (random) batch by far
    first = trials["success_rate_mean"].iloc[:4].max()
    assert best["success_rate_mean"] > first
    assert best["success_rate_mean"] > -0.01
    # one objective: the front is the best feasible trial
    assert trials["on_front"].sum() == 1 and trials.loc[trials["on_front"], "success_rate_mean"] \
        .iloc[0] == trials["success_rate_mean"].max()
    # the same seed and results ask the same designs (what makes a rerun resume exactly)
    again = S.run_search(toy(bowl), goal, progress=False)
    pd.testing.assert_frame_equal(trials, again)


@pytest.mark.parametrize("sampler", ["nsga2", "random"])
def test_other_samplers_search_the_same_space(sampler):
    def bowl(x, theta, seed):
        return {"success_rate": -(x["revenue_share"] - 0.3) ** 2}

    goal = toy_goal(sampler=sampler, trials=12, levers={"revenue_share": [0.0, 1.0]})
    trials = S.run_search(toy(bowl), goal, progress=False)
    assert len(trials) == 12 and trials["revenue_share"].between(0, 1).all()
    assert trials["revenue_share"].nunique() > 6  # it explores
    assert trials["on_front"].sum() == 1
    pd.testing.assert_frame_equal(trials, S.run_search(toy(bowl), goal, progress=False))


def test_toy_two_objectives_front_and_constraint():
    # maximise both levers' values while their sum may not exceed 1 (a budget): the true front
    # is the segment x + y = 1; every design above it is infeasible
    def linear(x, theta, seed):
        return {"success_rate": x["revenue_share"], "trust_primary": x["information_platform"],
                "insurance_spend_per_capita": x["revenue_share"] + x["information_platform"]}

    goal = toy_goal(objectives=[{"metric": "success_rate"}, {"metric": "trust_primary"}],
                    budget=1.0, trials=60, batch=6)
    trials = S.run_search(toy(linear), goal, progress=False)
    total = trials["revenue_share"] + trials["information_platform"]
    assert (trials["feasible"] == (total <= 1.0 + 1e-12)).all()
    front = trials[trials["on_front"]]
    assert len(front) >= 3
    assert (total[trials["on_front"]] <= 1.0 + 1e-12).all()
    assert (total[trials["on_front"]] > 0.8).all()  # near the true front
    # no feasible trial dominates a front trial
    feas = trials[trials["feasible"]]
    for _, r in front.iterrows():
        assert not ((feas["success_rate_mean"] >= r["success_rate_mean"])
                    & (feas["trust_primary_mean"] >= r["trust_primary_mean"])
                    & ((feas["success_rate_mean"] > r["success_rate_mean"])
                       | (feas["trust_primary_mean"] > r["trust_primary_mean"]))).any()


def test_toy_bands_drivers_and_robustness():
    # the effect of revenue_share scales with a posterior parameter k: the band is carried by
    # k, not by j (which does nothing); seed noise is small
    draws = pd.DataFrame({"k": np.linspace(0.5, 1.5, 8), "j": np.roll(np.linspace(0, 1, 8), 3)},
                         index=[f"draw{i}" for i in range(8)])

    def scaled(x, theta, seed):
        return {"success_rate": theta["k"] * x["revenue_share"] + 0.001 * seed,
                "forgone_care_rate": 0.02 - 0.1 * x["revenue_share"] * theta["k"]}

    goal = toy_goal(trials=8, batch=4, levers={"revenue_share": [0.1, 0.9]},
                    constraints=[{"metric": "forgone_care_rate", "max_change": 0.0,
                                  "judge": "band"}])
    trials = S.run_search(toy(scaled, draws, seeds=(1, 2)), goal, progress=False)
    found = S.assemble(goal, trials, draws=draws)
    front = found.front
    assert len(front) == 1
    row = front.iloc[0]
    assert row["revenue_share"] == trials["revenue_share"][trials["feasible"]].max()
    assert row["success_rate_lower"] < row["success_rate_mean"] < row["success_rate_upper"]
    assert bool(row["success_rate_robust"])  # the whole band is above zero
    drivers = found.drivers.query("target == 'success_rate'")
    assert drivers.iloc[0]["parameter"] == "k" and drivers.iloc[0]["rho"] == pytest.approx(1.0)
    assert drivers.iloc[0]["seed_share"] < 0.05
    # revenue_share is calibrated on [0, 0.3] (the consortium packages): beyond is extrapolation
    assert row["revenue_share"] > 0.3 and "revenue_share" in row["extrapolation"]
    assert any("extrapolation" in n for n in found.notes)
    # infeasible trials have forgone care rising somewhere in the band
    bad = trials[~trials["feasible"]]
    assert (bad["forgone_care_rate_upper"] > 0).all()


def test_pareto_front_and_margins_are_pure_rules():
    s = np.array([[1.0, 1.0], [1.0, 1.0], [0.0, 2.0], [np.nan, 5.0]])
    assert S.pareto_front(s, np.ones(4, bool)).tolist() == [True, True, True, False]
    c = S.Constraint(S.Target("success_rate"), min_change=0.0, max_change=0.1)
    assert S.constraint_margin(c, 0.05, -0.01, 0.2) == pytest.approx(0.05)
    assert S.constraint_margin(S.Constraint(c.target, max_change=0.1, judge="band"),
                               0.05, -0.01, 0.2) == pytest.approx(-0.1)


def test_calibrated_range_reads_the_consortium_packages():
    from abm.fitting.validation import CONSORTIUM_PACKAGES

    packages = abm.reform_packages()
    rows = packages[packages["package"].isin(CONSORTIUM_PACKAGES)
                    & (packages["parameter"] == "incentives.information_platform")]
    assert S.calibrated_range("information_platform", abm.preset("x_county")) == (
        0.0, float(rows["value"].max()))


# ---------------------------------------------------------------- the model


def test_search_through_the_command_line_writes_front_designs_and_page(tmp_path, capsys):
    goal = goal_file(tmp_path)
    out = tmp_path / "out"
    assert main(["search", str(goal), "--out", str(out), "--no-progress"]) == 0
    text = capsys.readouterr()
    assert "4 designs tried" in text.out
    front = pd.read_csv(out / "front.csv")
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 4 and 1 <= len(front) <= 4
    for col in ("downward_referral_rate_mean", "downward_referral_rate_lower",
                "downward_referral_rate_upper", "insurance_spend_per_capita_margin",
                "forgone_care_rate[remoteness_quintile=5]_margin", "extrapolation",
                "band_drivers"):
        assert col in front.columns, col
    assert (front["downward_referral_rate_lower"] <= front["downward_referral_rate_mean"]).all()
    # each front design is a design file that `referral-lab compare` reads
    files = sorted((out / "designs").glob("*.toml"))
    assert [f.stem for f in files] == sorted(front["design"])
    d = load_design(files[0])
    assert d.posterior_draws == 2 and d.seeds == (1,) and d.preset == "small"
    row = front.set_index("design").loc[files[0].stem]
    assert d.levers["revenue_share"].value == pytest.approx(row["revenue_share"])
    html = (out / "search.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "data:image/png;base64," in html
    assert "What is robust across draws and what is not" in html
    assert "http://" not in html and "https://" not in html
    # revenue_share up to 0.8 is searched beyond its calibrated range: said in the output
    assert "extrapolation" in text.err and "extrapolation" in html
    assert (out / "front.png").stat().st_size > 10_000


def test_constraint_no_design_can_meet_says_so(tmp_path, capsys):
    text = GOAL.replace("max_change = 0.05", "max_change = 0.05\n\n[[constraints]]\n"
                        'metric = "primary_outpatient_share"\nmin_change = 0.5')
    out = tmp_path / "out"
    assert main(["search", str(goal_file(tmp_path, text)), "--out", str(out),
                 "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "no design of the 4 searched met every constraint" in err
    assert "Primary care share of outpatient visits: change at least +50.00 pp (mean): met by 0 " \
           "of 4" in " ".join(err.split())
    assert pd.read_csv(out / "front.csv").empty
    assert not list((out / "designs").glob("*.toml"))
    assert "met every constraint" in (out / "search.html").read_text(encoding="utf-8")


def _count(store: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in (store / "summary").glob("*.parquet")}


@pytest.mark.slow
def test_killed_search_resumes_from_its_store_with_the_same_front(tmp_path):
    # a longer search (one design per sweep, in this process) killed with SIGKILL once some runs
    # are stored; rerunning the command computes the rest and finds the same front as a search
    # that was never interrupted (run on a local Dask cluster of two worker processes)
    text = (GOAL.replace("trials = 4", "trials = 6").replace("batch = 2", "batch = 1")
            .replace("years = 0.1", "years = 0.4"))
    goal = goal_file(tmp_path, text)
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(abm.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
    cmd = [str(SCRIPT), "search", str(goal), "--out", str(out), "--no-progress"]
    log = tmp_path / "killed.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=fh, start_new_session=True)
    total = 2 + 6 * 2  # the status quo and six designs, on two posterior draws
    try:
        deadline = time.time() + 900
        while len(_count(out / "store")) < 4:
            assert proc.poll() is None, log.read_text()
            assert time.time() < deadline
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    before = _count(out / "store")
    assert 4 <= len(before) < total  # killed in the middle
    assert not (out / "front.csv").exists()
    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr
    after = _count(out / "store")
    assert len(after) == total
    assert all(after[k] == v for k, v in before.items())  # stored runs were read, not redone
    whole = S.search_designs(goal, out=tmp_path / "whole", scheduler=None, progress=False)
    pd.testing.assert_frame_equal(pd.read_csv(out / "front.csv"),
                                  pd.read_csv(_write_front(whole, tmp_path / "w.csv")))
    assert sorted(p.name for p in (out / "designs").glob("*.toml")) == sorted(
        p.name for p in (tmp_path / "whole" / "designs").glob("*.toml"))


def _write_front(search, path: Path) -> Path:
    search.front.to_csv(path, index=False)
    return path


# ---------------------------------------------------------------- bad goal files


BAD = {
    "unknown-key": ("trials = 4", "trials = 4\nbudjet = 1", "unknown key 'budjet'; allowed keys"),
    "objective-metric": ('metric = "downward_referral_rate"', 'metric = "referrals"',
                         "key 'objectives[0].metric': got 'referrals'; allowed metrics"),
    "objective-direction": ('direction = "max"', 'direction = "up"',
                            "key 'objectives[0].direction': got 'up'; allowed: max, min"),
    "objective-key": ('direction = "max"', 'direction = "max"\nweight = 2',
                      "unknown key 'objectives[0].weight'"),
    "group-unknown": ('group = "remoteness_quintile=5"', 'group = "remoteness_quintile=9"',
                      "key 'constraints[0].group': got 'remoteness_quintile=9'; allowed groups:"
                      " county, remoteness_quintile=1"),
    "group-metric": ('metric = "forgone_care_rate"', 'metric = "upward_referral_rate"',
                     "key 'constraints[0].metric': got 'upward_referral_rate'; allowed metrics "
                     "for a group of residents"),
    "constraint-no-bound": ("max_change = 0.05", "judge = \"mean\"",
                            "missing key 'constraints[0].max_change' or"),
    "constraint-judge": ("max_change = 0.05", 'max_change = 0.05\njudge = "median"',
                         "key 'constraints[0].judge': got 'median'; allowed: mean, band"),
    "lever-unknown": ("revenue_share = [0.0, 0.8]", "revenue_shares = [0.0, 0.8]",
                      "unknown lever 'revenue_shares' in [levers]; allowed levers"),
    "lever-range": ("revenue_share = [0.0, 0.8]", "revenue_share = [0.0, 1.8]",
                    "key 'levers.revenue_share': got [0.0, 1.8]; allowed: a number or [low, "
                    "high] with 0 <= low <= high <= 1"),
    "lever-reversed": ("revenue_share = [0.0, 0.8]", "revenue_share = [0.8, 0.0]",
                       "key 'levers.revenue_share'"),
    "ramp-key": ("ramp_years = [0.0, 0.05]", "ramp = [0.0, 0.05]",
                 "unknown key 'levers.information_platform.ramp'"),
    "ramp-range": ("ramp_years = [0.0, 0.05]", "ramp_years = [-1.0, 0.05]",
                   "key 'levers.information_platform.ramp_years'"),
    "nothing-to-search": ("revenue_share = [0.0, 0.8]\ninformation_platform = { range = [0.0, "
                          "1.0], ramp_years = [0.0, 0.05] }", "revenue_share = 0.5",
                          "key 'levers': got {'revenue_share': 0.5}; allowed: at least one "
                          "lever with a range"),
    "trials-zero": ("trials = 4", "trials = 0", "key 'trials': got 0; allowed: an integer in"),
    "years-text": ("years = 0.1", 'years = "two"', "key 'years': got 'two'; allowed"),
    "budget-text": ("budget = 50.0", 'budget = "cheap"', "key 'budget': got 'cheap'"),
    "sampler": ("trials = 4", 'trials = 4\nsampler = "grid"',
                "key 'sampler': got 'grid'; allowed: tpe, nsga2, random"),
    "preset": ('preset = "small"', 'preset = "atlantis"', "key 'preset': got 'atlantis'"),
    "seeds": ("seeds = [1]", "seeds = [1, 1]", "key 'replications.seeds'"),
    "draws": ("posterior_draws = 2", "posterior_draws = -1",
              "key 'replications.posterior_draws'"),
    "no-objectives": ('[[objectives]]\nmetric = "downward_referral_rate"\ndirection = "max"\n\n'
                      '[[objectives]]\nmetric = "insurance_spend_per_capita"\n'
                      'direction = "min"\n', "", "missing key 'objectives'"),
    "not-toml": ("trials = 4", "trials = = 4", "not valid TOML"),
    "description": ("trials = 4", "trials = 4\ndescription = 3",
                    "key 'description': got 3; allowed: a string"),
}


def test_bad_goal_corpus_is_large():
    assert len(BAD) >= 20


@pytest.mark.parametrize("case", list(BAD))
def test_bad_goal_file_exits_2_naming_the_key(case, tmp_path, capsys):
    old, new, expected = BAD[case]
    assert old in GOAL, case
    path = goal_file(tmp_path, GOAL.replace(old, new, 1))
    assert main(["search", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("referral-lab: error: "), err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "internal error" not in err
    assert str(path) in err
    assert expected in err, err
    assert not (tmp_path / "out").exists()  # nothing run, nothing written


def test_bad_search_invocations_exit_2(tmp_path, capsys):
    goal = goal_file(tmp_path)
    (tmp_path / "afile").write_text("x")
    for argv, text in ((["search", str(goal)], "the following arguments are required: --out"),
                       (["search", str(goal), "--out", str(tmp_path / "o"), "--trials", "0"],
                        "argument --trials: must be an integer from 1 to 10000"),
                       (["search", str(tmp_path / "none.toml"), "--out", str(tmp_path / "o")],
                        "no such file"),
                       (["search", str(goal), "--out", str(tmp_path / "afile")],
                        "exists and is not a folder")):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and text in err, err


def test_goal_in_python_matches_the_file(tmp_path):
    from_file = S.load_goal(goal_file(tmp_path))
    raw = tomllib.loads(GOAL)
    assert S.parse_goal(raw, source=str(tmp_path / "goal.toml")) == from_file
    short = S.parse_goal({"title": "t", "objectives": [{"metric": "success_rate"}],
                          "levers": {"revenue_share": [0, 1]}}, source="s")
    assert short.preset == "small" and short.years == 3 and short.trials == 200


def test_help_and_compare_reads_the_front_designs(tmp_path, capsys):
    assert main(["search", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: referral-lab search")
    out = tmp_path / "out"
    assert main(["search", str(goal_file(tmp_path)), "--out", str(out), "--no-progress",
                 "--trials", "2"]) == 0
    designs = sorted(str(p) for p in (out / "designs").glob("*.toml"))
    assert designs
    assert main(["compare", *designs, "--out", str(tmp_path / "report.html"),
                 "--no-progress"]) == 0
    assert "Incentive designs compared" in (tmp_path / "report.html").read_text()


def test_the_documented_200_trial_search_is_described_by_its_front():
    # docs/design_search.md reads the front of the search kept in docs/evidence: check the
    # numbers it states against that file
    root = Path(__file__).resolve().parents[2]
    text = " ".join((root / "docs" / "design_search.md").read_text().split())
    front = pd.read_csv(root / "docs" / "evidence" / "design_search_x_county_200" / "front.csv")
    share = 100 * front["primary_outpatient_share_mean"]
    spend = front["insurance_spend_per_capita_mean"]
    coverage = front["family_doctor_coverage"]
    claims = [f"{len(front)} designs form the front",
              f"up {share.min():.1f} to {share.max():.1f} percentage points",
              f"from {spend.max():+.0f} to {spend.min():+.0f} yuan a year",
              f"robust in {int(front['insurance_spend_per_capita_robust'].sum())} of the "
              f"{len(front)}",
              f"({coverage.min():.2f} to {coverage.max():.2f})"]
    assert [c for c in claims if c not in text] == []
    assert front["primary_outpatient_share_robust"].all()
