"""synthetic_control on California's Proposition 99 against R synthdid's sc_estimate.

Reference: reference/synth_reference.csv and reference/synth_placebo_permutations.csv, made by
reference/synth_make_reference.R, which sources R synthdid's own R code (commit 70c1ce3e) and
runs ``sc_estimate`` (estimate, unit weights, effect curve) and ``vcov(method = "placebo")``
(200 replications) on reference/california_prop99.csv; the permutations R drew are stored so the
placebo here runs on the same draws. With Nevada also treated (two treated units) it stores the
estimate and ``vcov(method = "jackknife")``. Published: synthdid's paper (Table 1) and README report
the synthetic control estimate as -19.6.
"""

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from econometrics import (
    PanelError,
    compare_estimators,
    event_study,
    simulate_panel,
    synthetic_control,
)
from econometrics._panel import prepare_panel
from econometrics.synth import outcome_matrix, placebo_estimates, sc_fit

matplotlib.use("Agg")

REFERENCE = Path(__file__).parent / "reference"
REF = pd.read_csv(REFERENCE / "synth_reference.csv", keep_default_na=False)
# Same Frank-Wolfe steps as R; they stop on an objective decrease below (1e-5 noise)^2, and
# Gram-form arithmetic differs from R's in the last bits: observed differences <= 1.1e-11.
R_TOL = 1e-8
PUBLISHED, PUBLISHED_TOL = -19.6, 0.05 + 1e-12  # printed to one decimal
KW = dict(y="PacksPerCapita", unit="State", time="Year", treat="treated")


@pytest.fixture(scope="module")
def prop99():
    return pd.read_csv(REFERENCE / "california_prop99.csv", sep=";")


@pytest.fixture(scope="module")
def matrices(prop99):
    panel = prepare_panel(prop99, **KW)
    return outcome_matrix(panel, "treated", "synthetic_control")


def _ref(quantity: str) -> pd.Series:
    part = REF[REF.quantity == quantity]
    return pd.Series(part.value.to_numpy(dtype=float), index=part.label)


def test_estimate_weights_and_curve_match_r_synthdid(matrices):
    ymat, units, n0, t0 = matrices
    fit = sc_fit(ymat, n_controls=n0, n_pre=t0)
    assert abs(fit.estimate - _ref("estimate").iloc[0]) <= R_TOL
    assert abs(fit.estimate - PUBLISHED) <= PUBLISHED_TOL
    omega = pd.Series(fit.omega, index=units[:n0])
    np.testing.assert_allclose(omega[_ref("omega").index], _ref("omega"), rtol=0, atol=R_TOL)
    np.testing.assert_allclose(fit.gaps[t0:], _ref("effect"), rtol=0, atol=R_TOL)


def test_placebo_standard_error_matches_r_on_rs_draws(matrices):
    ymat, units, n0, t0 = matrices
    perms = pd.read_csv(REFERENCE / "synth_placebo_permutations.csv").to_numpy() - 1
    fit = sc_fit(ymat, n_controls=n0, n_pre=t0)
    gaps = placebo_estimates(ymat, fit, n_controls=n0, n_pre=t0, permutations=perms)
    r = len(perms)
    se = np.sqrt((r - 1) / r) * np.std(gaps[:, t0:].mean(axis=1), ddof=1)
    assert abs(se - _ref("placebo_se").iloc[0]) <= R_TOL


def test_jackknife_matches_r_synthdid_with_two_treated_units(prop99):
    two = prop99.assign(treated=np.where((prop99.State == "Nevada") & (prop99.Year >= 1989), 1,
                                         prop99.treated))
    res = synthetic_control(two, **KW, se_method="jackknife")
    row = res.tidy().iloc[0]
    assert abs(row.estimate - _ref("two_treated_estimate").iloc[0]) <= R_TOL
    assert abs(row.std_error - _ref("two_treated_jackknife_se").iloc[0]) <= R_TOL
    assert "jackknife" in res.summary()
    with pytest.raises(ValueError, match="two treated units"):
        synthetic_control(prop99, **KW, se_method="jackknife")


def test_result_object(prop99):
    res = synthetic_control(prop99, **KW, replications=50, seed=1)
    row = res.tidy().iloc[0]
    assert abs(row.estimate - _ref("estimate").iloc[0]) <= R_TOL
    assert 5 < row.std_error < 20  # 50 placebo draws; R's 200 give 10.73
    assert res.unit_weights.sum() == pytest.approx(1.0)
    assert "California" not in res.unit_weights.index
    assert res.effects.tidy().event_time.min() == -19
    assert res.effects.overall.estimate == pytest.approx(row.estimate)
    assert res.plot() is not None and "Synthetic control" in res.summary()
    assert prop99.equals(pd.read_csv(REFERENCE / "california_prop99.csv", sep=";"))


def test_known_truth_and_registry():
    df = simulate_panel(n_units=40, n_periods=10, cohorts=(7,), effect=2.0, never_treated=0.9,
                        sigma=0.2, seed=5)
    res = synthetic_control(df, y="y", unit="unit", time="time", treat="treat", seed=2)
    row = res.tidy().iloc[0]
    assert row.conf_low < 2.0 < row.conf_high
    es = event_study(df, y="y", unit="unit", time="time", cohort="cohort",
                     estimator="synthetic_control", leads=3, replications=30, seed=1)
    assert es.tidy().event_time.tolist() == [-3, -2, -1, 0, 1, 2, 3]
    assert es.vcov.shape == (7, 7)
    cmp = compare_estimators(df, y="y", unit="unit", time="time", cohort="cohort",
                             estimators=["twfe", "synthetic_control"],
                             options={"synthetic_control": {"replications": 30, "seed": 1}})
    assert "Synthetic control" in cmp.overall.estimator.tolist()


def test_default_comparison_leaves_it_out_when_staggered():
    df = simulate_panel(n_units=60, n_periods=7, cohorts=(3, 5), effect=1.0, seed=4)
    cmp = compare_estimators(df, y="y", unit="unit", time="time", cohort="cohort",
                             estimators=None)
    assert "Synthetic control" not in cmp.overall.estimator.tolist()


@pytest.mark.parametrize("change, match", [
    (lambda d: d.assign(treated=np.where(d.State == "Nevada", d.treated.max(), d.treated)),
     None),
    (lambda d: d.iloc[1:], "balanced"),
    (lambda d: d.assign(treated=0), "no treated unit"),
])
def test_invalid_panels(prop99, change, match):
    data = change(prop99)
    if match is None:  # Nevada "treated" in every period from 1970: two adoption dates
        with pytest.raises(PanelError):
            synthetic_control(data, **KW)
    else:
        with pytest.raises(PanelError, match=match):
            synthetic_control(data, **KW)


def test_invalid_options(prop99):
    with pytest.raises(ValueError, match="replications"):
        synthetic_control(prop99, **KW, replications=1)
    with pytest.raises(ValueError, match="conf_level"):
        synthetic_control(prop99, **KW, conf_level=1.5)
    with pytest.raises(ValueError, match="'placebo', 'jackknife'"):
        synthetic_control(prop99, **KW, se_method="bootstrap")
    df = simulate_panel(n_units=20, n_periods=6, cohorts=(4,), effect=1.0, never_treated=0.8,
                        seed=1)
    with pytest.raises(ValueError, match="covariates"):
        event_study(df, y="y", unit="unit", time="time", cohort="cohort",
                    estimator="synthetic_control", covariates=["y"])
