"""The estimator lab on econometrics.simulate_panel (truth known in closed form)."""

import numpy as np
import pytest
from scipy import stats

import econometrics as em

REPS = 100


def test_cs_coverage_within_the_binomial_band():
    dgp = em.simulated_dgp(n_units=60, n_periods=5, cohorts=(3, 4), effect=1.0, dynamic=0.5)
    lab = em.estimator_lab(dgp, replications=REPS, estimators=["cs_never"], outcome="y",
                           unit="unit", time="time", seed=11)
    row = lab.tidy().iloc[0]
    lo, hi = stats.binom.interval(0.99, REPS, 0.95)
    assert lo / REPS <= row.coverage <= hi / REPS
    assert abs(row.bias) < 3 * row.bias_mcse + 1e-9
    assert row.rejection_rate == 1.0  # the effect (about 1.3) is far from zero


def test_twfe_is_biased_under_dynamic_effects():
    # Early cohort treated long, late cohort short; growing effects make the late-vs-early
    # comparisons subtract the early cohort's growth (Goodman-Bacon 2021): TWFE is biased down.
    dgp = em.simulated_dgp(n_units=60, n_periods=8, cohorts=(3, 6), effect=1.0, dynamic=1.0,
                           never_treated=0.2, sigma=0.5)
    lab = em.estimator_lab(dgp, replications=20, estimators=["twfe", "imputation"],
                           outcome="y", unit="unit", time="time", seed=3)
    t = lab.tidy().set_index("estimator")
    assert t.loc["twfe", "bias"] < -5 * t.loc["twfe", "bias_mcse"]
    assert abs(t.loc["imputation", "bias"]) < 4 * t.loc["imputation", "bias_mcse"]


def test_dynamic_targets_and_plot():
    dgp = em.simulated_dgp(n_units=40, n_periods=5, cohorts=(3,), effect=1.0,
                           aggregation="dynamic")
    lab = em.estimator_lab(dgp, replications=3, estimators=["sun_abraham"], outcome="y",
                           unit="unit", time="time", aggregation="dynamic", seed=1)
    t = lab.tidy()
    assert t.target.tolist() == [0, 1, 2] and np.allclose(t.truth, 1.0)
    assert {"coverage_mcse", "rmse_mcse"} <= set(t.columns)
    ax = lab.plot()
    assert len(ax) == 2
    import matplotlib.pyplot as plt
    plt.close("all")


def test_bad_inputs():
    dgp = em.simulated_dgp(n_units=20, n_periods=4, cohorts=(3,), effect=1.0)
    kw = dict(outcome="y", unit="unit", time="time", seed=1)
    with pytest.raises(ValueError, match="unknown estimator 'ols'"):
        em.estimator_lab(dgp, replications=2, estimators=["ols"], **kw)
    with pytest.raises(ValueError, match="replications"):
        em.estimator_lab(dgp, replications=0, **kw)
    with pytest.raises(ValueError, match="aggregation"):
        em.estimator_lab(dgp, replications=2, aggregation="group", **kw)
    with pytest.raises(TypeError, match="aggregation='dynamic'"):
        em.estimator_lab(dgp, replications=1, estimators=["imputation"],
                         aggregation="dynamic", **kw)
