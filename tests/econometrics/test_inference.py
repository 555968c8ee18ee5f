"""Inference: Wald tests, cluster covariances, wild cluster restricted bootstrap.

The wild bootstrap is compared with wildboottest 0.3.2 (imported here; a dev-only dependency),
run on statsmodels OLS with unit and period dummies: with Rademacher weights and few clusters both
enumerate all 2**G sign patterns, so the p-values agree up to the two patterns (all +1, all -1)
whose bootstrap t equals the observed t, which we count (>=) and wildboottest does not (>).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from econometrics import simulate_panel, twfe, wild_bootstrap
from econometrics.inference import cluster_vcov, draw_weights, t_inference, wald_test

# Webb weights are random in both implementations: with B = 19999 draws the Monte Carlo standard
# error of a p-value near 0.05 is sqrt(.05 * .95 / 19999) = 0.0015; allow 4 of each, summed.
WEBB_ATOL = 4 * np.sqrt(2) * np.sqrt(0.05 * 0.95 / 19999)
ENUMERATION_TIES = 2  # patterns whose bootstrap t equals the observed t
# Size under the null: 50 replications; a 5% test has binomial sd 0.031, 0.16 is 3.5 sd above.
N_SIZE_REPLICATIONS = 50
MAX_REJECTION_RATE = 0.16


@pytest.fixture(scope="module")
def small_panel() -> pd.DataFrame:
    return simulate_panel(n_units=10, n_periods=6, cohorts=(3, 5), effect=0.5, sigma=2.0, seed=11)


def _wildboottest_p(df, weights_type, n_boot, seed):
    from wildboottest.wildboottest import wildboottest

    x = pd.get_dummies(df[["unit", "time"]].astype(str), drop_first=True).astype(float)
    x = sm.add_constant(pd.concat([df[["treat"]].astype(float), x], axis=1))
    with warnings.catch_warnings():
        # wildboottest warns that it enumerates all Rademacher draws (its documented behaviour).
        warnings.simplefilter("ignore")
        out = wildboottest(sm.OLS(df["y"], x), B=n_boot, cluster=df["unit"].to_numpy(),
                           param="treat", weights_type=weights_type, seed=seed, show=False)
    return float(out["p-value"].iloc[0])


def test_rademacher_enumeration_matches_wildboottest(small_panel):
    res = twfe(small_panel, y="y", unit="unit", time="time", treat="treat")
    ours = wild_bootstrap(res, weights="rademacher", n_boot=9999, seed=1)
    assert ours.n_boot == 2 ** 10  # full enumeration
    theirs = _wildboottest_p(small_panel, "rademacher", 9999, 1)
    assert ours.p_value - theirs == pytest.approx(ENUMERATION_TIES / 2 ** 10, abs=1e-12)
    # The observed statistic is the analytical cluster-robust t of the result.
    assert ours.statistic == pytest.approx(res.tidy().statistic.iloc[0], rel=1e-10)


def test_webb_matches_wildboottest_within_monte_carlo_error(small_panel):
    res = twfe(small_panel, y="y", unit="unit", time="time", treat="treat")
    ours = wild_bootstrap(res, weights="webb", n_boot=19999, seed=5)
    theirs = _wildboottest_p(small_panel, "webb", 19999, 5)
    assert abs(ours.p_value - theirs) <= WEBB_ATOL


def test_seeded_and_interval_inverts_the_test(small_panel):
    res = twfe(small_panel, y="y", unit="unit", time="time", treat="treat")
    a = wild_bootstrap(res, n_boot=999, seed=3)
    b = wild_bootstrap(res, n_boot=999, seed=3)
    c = wild_bootstrap(res, n_boot=999, seed=4)
    assert a.p_value == b.p_value and a.conf_low == b.conf_low
    assert (a.p_value, a.conf_low) != (c.p_value, c.conf_low)
    assert a.conf_low < a.estimate < a.conf_high
    assert a.tidy().loc[0, "method"].startswith("WCR bootstrap (webb, B=999, G=10)")


def test_bootstrap_rejects_rarely_under_the_null():
    # Known truth: effect 0, 12 clusters; the symmetric WCR test has close to nominal size.
    seeds = np.random.SeedSequence(7).spawn(N_SIZE_REPLICATIONS)
    rejections = 0
    for s in seeds:
        df = simulate_panel(n_units=12, n_periods=5, cohorts=(3, 4), effect=0.0, seed=s)
        res = twfe(df, y="y", unit="unit", time="time", treat="treat")
        rejections += wild_bootstrap(res, n_boot=399, seed=s).p_value <= 0.05
    assert rejections / N_SIZE_REPLICATIONS <= MAX_REJECTION_RATE


def test_invalid_bootstrap_options(small_panel):
    res = twfe(small_panel, y="y", unit="unit", time="time", treat="treat")
    with pytest.raises(ValueError, match=r"weights='mammen' must be one of \['webb', "):
        wild_bootstrap(res, weights="mammen")
    with pytest.raises(ValueError, match="term='x' must be one of"):
        wild_bootstrap(res, term="x")
    with pytest.raises(ValueError, match="n_boot=10"):
        wild_bootstrap(res, n_boot=10)
    two = twfe(small_panel, y="y", unit="unit", time="time", treat="treat",
               cluster=["unit", "time"])
    with pytest.raises(ValueError, match="one-way"):
        wild_bootstrap(two)
    by_time = twfe(small_panel, y="y", unit="unit", time="time", treat="treat", cluster="time")
    with pytest.raises(ValueError, match="nest the units"):
        wild_bootstrap(by_time)


def test_draw_weights():
    rng = np.random.default_rng(0)
    full = draw_weights("rademacher", 3, 999, rng)
    assert full.shape == (3, 8) and len({tuple(c) for c in full.T}) == 8
    webb = draw_weights("webb", 5, 2000, rng)
    assert webb.shape == (5, 2000) and len(np.unique(webb)) == 6
    assert abs(webb.mean()) < 0.05 and abs((webb ** 2).mean() - 1) < 0.05


def test_wald_test_forms():
    b, v = np.array([1.0, -2.0]), np.array([[1.0, 0.2], [0.2, 2.0]])
    w = float(b @ np.linalg.solve(v, b))
    chi = wald_test(b, v)
    assert chi.statistic == pytest.approx(w) and chi.p_value == pytest.approx(stats.chi2.sf(w, 2))
    f = wald_test(b, v, df_denom=30)
    assert f.statistic == pytest.approx(w / 2)
    assert f.p_value == pytest.approx(stats.f.sf(w / 2, 2, 30))
    with pytest.raises(ValueError, match="at least one"):
        wald_test([], np.zeros((0, 0)))


def test_t_inference_interval():
    r = t_inference([2.0], [1.0], df=10, conf_level=0.9)
    crit = stats.t(10).ppf(0.95)
    assert r["conf_low"][0] == pytest.approx(2 - crit)
    assert r["conf_high"][0] == pytest.approx(2 + crit)


def test_cluster_vcov_matches_statsmodels_one_way():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 3))
    g = np.repeat(np.arange(20), 10)
    y = x @ np.array([1.0, 0.5, -1.0]) + rng.normal(size=20)[g] + rng.normal(size=200)
    fit = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": g})
    ours = cluster_vcov(x, fit.resid, g)
    np.testing.assert_allclose(ours, fit.cov_params(), rtol=1e-10)
