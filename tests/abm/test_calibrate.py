"""abm.calibrate: recovery of known parameters, resumption, bad input, the shipped posterior."""

import hashlib

import numpy as np
import pandas as pd
import pytest

import abm
from abm.fitting.calibration import infer, posterior_median, posterior_mode, priors, resample
from abm.fitting.validation import FACTS, fact_band, fact_target
from abm.inputs.data import load_targets, read_posterior, write_posterior
from abm.runs import experiments

TRUE = {"choice.asc_self_care": 4.0, "choice.beta_cost": 1.2}
PRIOR = {"choice.asc_self_care": (2.0, 6.0), "choice.beta_cost": (0.2, 2.0)}


def _toy(theta: dict) -> dict:
    """A toy model whose facts move steeply with the parameters (so the data pin them down)."""
    a, b = theta["choice.asc_self_care"], theta["choice.beta_cost"]
    return {"forgone_care_rate": 0.1 * a - 0.05 * b, "visits_per_capita": 3.0 * b + 0.2 * a}


def _evaluate(thetas: pd.DataFrame, label: str) -> pd.DataFrame:
    rows = []
    for i, theta in enumerate(thetas.to_dict(orient="records")):
        digest = hashlib.sha256(f"{label}{i}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
        noise = {"forgone_care_rate": 0.005, "visits_per_capita": 0.05}  # seed noise
        rows.append({"draw": f"{label}{i}", "seed": 1,
                     **{k: v + rng.normal(0, noise[k]) for k, v in _toy(theta).items()}})
    return pd.DataFrame(rows)


@pytest.mark.parametrize(("method", "n_draws"), [("history-matching", 120), ("optuna-is", 180)])
def test_toy_calibration_recovers_the_true_parameters(method, n_draws):
    cal = infer(_evaluate, priors(PRIOR), ["forgone_care_rate", "visits_per_capita"],
                method=method, budget=240, batch=20, seed=3, observed=_toy(TRUE))
    s = cal.summary()
    print(s.to_string(), f"\nESS {cal.meta['effective_sample_size']:.1f}")
    # history matching simulates a candidate drawn twice once (so up to n_draws distinct draws)
    assert 0.5 * n_draws < len(cal.draws) <= n_draws
    assert np.isclose(cal.draws["weight"].sum(), 1.0)
    assert not cal.draws.drop(columns="weight").duplicated().any()
    # the draws are worth a good share of independent ones (a proposal near the posterior)
    assert cal.meta["effective_sample_size"] > 0.2 * len(cal.draws)
    for name, value in TRUE.items():
        lo, hi = PRIOR[name]
        assert s.at[name, "q05"] <= value <= s.at[name, "q95"]
        # the data narrow the prior: the 90% interval is at most half of the prior range
        assert s.at[name, "q95"] - s.at[name, "q05"] < 0.5 * (hi - lo)


@pytest.mark.parametrize("method", ["history-matching", "optuna-is"])
def test_a_wrong_observation_moves_the_posterior_away_from_the_truth(method):
    """The interval is not merely wide: shifted facts exclude the true parameters."""
    shifted = {"forgone_care_rate": 0.25, "visits_per_capita": 4.0}  # truth gives 0.34, 4.4
    cal = infer(_evaluate, priors(PRIOR), list(shifted), method=method, budget=240, batch=20,
                seed=3, observed=shifted)
    s = cal.summary()
    assert not s.at["choice.asc_self_care", "q05"] <= 4.0 <= s.at["choice.asc_self_care", "q95"]


@pytest.mark.slow
def test_interrupted_calibration_resumes_with_the_same_draws(tmp_path, monkeypatch):
    kw = {"parameters": {"choice.asc_self_care": (3.0, 5.0)}, "targets": ["forgone_care_rate"],
          "budget": 8, "scale": None, "scheduler": "synchronous", "progress": False, "seed": 5}
    clean = abm.calibrate("small", out=tmp_path / "clean", **kw)

    real, calls = experiments.run_batch, []

    def interrupted(specs, **options):
        calls.append(len(specs))
        if len(calls) == 2:
            raise KeyboardInterrupt  # the user stops the calibration during its second batch
        return real(specs, **options)

    monkeypatch.setattr(experiments, "run_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        abm.calibrate("small", out=tmp_path / "resumed", **kw)
    monkeypatch.setattr(experiments, "run_batch", real)
    stored = len(list((tmp_path / "resumed").rglob("summary/*.parquet")))
    assert stored == calls[0]  # only the first batch was stored
    resumed = abm.calibrate("small", out=tmp_path / "resumed", **kw)
    pd.testing.assert_frame_equal(resumed.draws, clean.draws)
    assert (len(list((tmp_path / "resumed").rglob("summary/*.parquet")))
            == len(list((tmp_path / "clean").rglob("summary/*.parquet"))))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"parameters": ["choice.no_such"]}, "choice.no_such"),
    ({"parameters": ["nogroup.x"]}, "nogroup.x"),
    ({"parameters": {"hospital.margin": (0.5, 1.5)}}, "prior of hospital.margin"),
    ({"parameters": ["choice.asc"]}, "choice.asc cannot be fitted"),
    ({"targets": ["no_such_fact"]}, "no_such_fact"),
    ({"targets": ["interest_coordination_upper_visits_direction"]}, "cannot be fitted"),
    ({"budget": 0}, "budget must be an integer >= 1"),
    ({"budget": 5}, "budget=5 is too small"),
    ({"method": "mcmc"}, "method must be one of history-matching, optuna-is"),
    ({"method": "optuna-is", "budget": 5}, "budget=5 is too small"),
    ({"observed": {"visits_per_capita": 6.0}}, "not targets"),
    ({"seed": -1}, "seed must be an integer >= 0, got -1"),
])
def test_bad_input_names_it(kwargs, message):
    call = {"parameters": ["choice.asc_self_care"], "targets": ["forgone_care_rate"],
            "budget": 20, "batch": 5, "scheduler": "synchronous", **kwargs}
    with pytest.raises(ValueError, match=message):
        abm.calibrate("small", **call)


def test_bad_mode_seeds_is_named_before_any_run(monkeypatch):
    def no_runs(specs, **options):
        raise AssertionError("a run started before the arguments were checked")

    monkeypatch.setattr(experiments, "run_batch", no_runs)
    with pytest.raises(ValueError, match="mode_seeds must be an integer >= 1, got 0"):
        abm.calibrate("small", parameters=["choice.asc_self_care"],
                      targets=["forgone_care_rate"], budget=20, mode_seeds=0,
                      scheduler="synchronous", progress=False)


def test_posterior_file_round_trip(tmp_path):
    draws = pd.DataFrame({"choice.beta_cost": [0.5, 1.5], "weight": [0.25, 0.75]})
    draws.attrs["not"] = "written"
    meta = {"call": {"seed": 7}, "mode": {"choice.beta_cost": 1.5}}
    path = write_posterior(draws, meta, tmp_path / "sub" / "posterior.parquet")
    frame, read_meta = read_posterior(path)
    pd.testing.assert_frame_equal(frame, draws)
    assert read_meta == meta and draws.attrs == {"not": "written"}


def test_shipped_posterior_and_preset_defaults():
    draws = abm.posterior("x_county")
    meta = draws.attrs["calibration"]
    fitted = [c for c in draws.columns if c != "weight"]
    assert np.isclose(draws["weight"].sum(), 1.0) and (draws["weight"] >= 0).all()
    assert {"call", "versions", "git_revision", "runs", "hours"} <= set(meta)
    median, mode = posterior_median("x_county"), posterior_mode("x_county")
    assert set(median) == set(fitted) == set(mode)
    # the mode is one of the draws, and the preset's defaults
    assert (draws[fitted] == pd.Series(mode)[fitted]).all(axis=1).sum() == 1
    p, raw = abm.preset("x_county"), abm.preset("x_county", calibrated=False)
    flat = p.flat()
    assert all(flat[k] == pytest.approx(v) for k, v in mode.items())
    assert set(p.differences(raw)) == set(fitted)
    # its facts, stored with it, are each within two of their scales of their targets: the
    # tolerance, or for a band fact the Gaussian tail outside the band (a quarter of its width)
    targets = load_targets()
    reform = meta["reform_call"]
    for fact, value in {**meta["mode_facts"], **reform["mode_facts"]}.items():
        if FACTS[fact].how == "band":
            lo, hi = fact_band(fact, targets)
            assert max(lo - value, value - hi, 0.0) <= 2 * (hi - lo) / 4, fact
        else:
            target, tol = fact_target(fact, targets)
            assert abs(value - target) <= 2 * tol, fact
    # the provenance lists every fitted fact and prior of both fits
    assert set(meta["targets"]) == set(meta["call"]["targets"]) | set(reform["targets"])
    assert set(meta["priors"]) == set(fitted)
    assert set(reform["priors"]) <= set(fitted)
    # yongan and baiyun borrow x_county's posterior; the small preset is not calibrated
    assert abm.posterior("yongan").equals(draws)
    assert abm.preset("yongan").flat()[fitted[0]] == pytest.approx(mode[fitted[0]])
    assert abm.preset("small") == abm.Params()
    with pytest.raises(ValueError, match="small is not calibrated"):
        abm.posterior("small")


def test_sweep_runs_posterior_draws_on_every_seed():
    p = abm.preset("x_county").replace(**{"setting.scale": 2000.0})
    df = abm.sweep({"base": p}, seeds=[1, 2], days=5, posterior=3, scheduler="synchronous",
                   progress=False)
    assert df["scenario"].unique().tolist() == ["base"]
    assert df["draw"].tolist() == ["draw0", "draw0", "draw1", "draw1", "draw2", "draw2"]
    expected = resample(abm.posterior("x_county"), 3)
    for name in expected.columns:
        if name in df.columns:
            assert df[name].tolist() == pytest.approx(np.repeat(expected[name], 2).tolist())
    band = abm.fitting.calibration.bands(df, ["visits_per_capita"])
    assert band.at[0, "runs"] == 6 and band.at[0, "lower"] <= band.at[0, "upper"]


def test_fact_horizons_run_each_scenario_as_long_as_read():
    # The baseline runs as long as a fact reads it (its own facts and the changes of a reform
    # against it), not as long as the longest fact: the secular run's eleven years are its own.
    from abm.fitting.validation import fact_horizons

    assert fact_horizons(list(FACTS)) == {
        "baseline": 6, "compact_consortium": 6, "yongan_2022": 6, "x_county_trusteeship": 6,
        "gatekeeping_pilot": 3, "secular_2011_2021": 11}
    assert "baseline" not in fact_horizons(["primary_outpatient_share_2011"])
    # horizons= lengthens (so another experiment reads the runs from the store), never shortens
    longer = fact_horizons(["visits_per_capita"], {"baseline": 1, "gatekeeping_pilot": 6})
    assert longer == {"baseline": 2, "gatekeeping_pilot": 6}
    with pytest.raises(ValueError, match="nope"):
        fact_horizons(["visits_per_capita"], {"nope": 3})
    with pytest.raises(ValueError, match=r"horizons\['baseline'\] must be a positive"):
        fact_horizons(["visits_per_capita"], {"baseline": 0})
