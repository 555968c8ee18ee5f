"""The array representation of patients: same rules, same distributions, CRN, memory hygiene.

Equivalence: both representations run the ``small`` preset on ``N_SEEDS`` seeds each (different
random onsets: agents draw one uniform per patient, arrays a binomial count and a sample, which
have the same distribution). For every summary metric, a Welch t-test on the means and a
two-sample Kolmogorov-Smirnov test on the distributions must not reject at
``ALPHA_PER_TEST``. With Bonferroni over all tests the family-wise false-alarm rate of the whole
check is at most ``FAMILY_ALPHA``.
"""

import gc
import weakref

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import abm
from abm import ReferralModel, preset, simulate
from abm.engine.model import AUTO_ARRAYS_ABOVE, COUNTY_COUNTERS, FACILITY_COUNTERS

N_SEEDS = 30
DAYS = 120
FAMILY_ALPHA = 0.01
N_TESTS = 2 * len(abm.METRICS)
#: Ratios of rare events (e.g. out-of-pocket of downward-referred episodes) are undefined in a
#: short run without such an event; at least this many defined values per side are required.
MIN_DEFINED = 10
ALPHA_PER_TEST = FAMILY_ALPHA / N_TESTS


#: Metrics the small roster cannot define: it has no in-county provincial hospital.
UNDEFINED_ON_SMALL = {"downward_referral_rate_provincial"}


@pytest.fixture(scope="module")
def summaries():
    rows = []
    for mode in ("agents", "arrays"):
        for k in range(N_SEEDS):
            s = simulate(preset("small"), days=DAYS, seed=1000 + k, patients=mode).summary()
            rows.append({"mode": mode, **s.to_dict()})
    return pd.DataFrame(rows)


@pytest.mark.slow
@pytest.mark.parametrize("metric", list(abm.METRICS))
def test_representations_agree_in_distribution(summaries, metric):
    a = summaries.loc[summaries["mode"] == "agents", metric].to_numpy()
    b = summaries.loc[summaries["mode"] == "arrays", metric].to_numpy()
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if metric in UNDEFINED_ON_SMALL:
        assert len(a) == len(b) == 0
        return
    assert len(a) >= MIN_DEFINED and len(b) >= MIN_DEFINED
    if np.ptp(np.r_[a, b]) == 0:  # a metric constant in both (e.g. capability without levers)
        return
    t = stats.ttest_ind(a, b, equal_var=False)
    ks = stats.ks_2samp(a, b)
    print(f"{metric}: agents {a.mean():.4f} arrays {b.mean():.4f} "
          f"(t p={t.pvalue:.3f}, KS p={ks.pvalue:.3f})")
    assert t.pvalue > ALPHA_PER_TEST
    assert ks.pvalue > ALPHA_PER_TEST


def test_arrays_and_agents_runs_really_differ():
    """The two representations draw onsets differently, so the equivalence test is not
    comparing a run with itself."""
    a = simulate(preset("small"), days=10, seed=1, patients="agents").daily
    b = simulate(preset("small"), days=10, seed=1, patients="arrays").daily
    assert not np.array_equal(a["visits"].to_numpy(), b["visits"].to_numpy())


@pytest.mark.parametrize("mode", ["agents", "arrays"])
def test_crn_identity_before_reform_in_both_representations(mode):
    base_p = preset("small")
    reform_p = base_p.replace(**{"reform.day": 20, "reform.incentives.revenue_share": 0.9,
                                 "reform.incentives.information_platform": 1.0})
    base = simulate(base_p, days=40, seed=9, patients=mode).daily
    reform = simulate(reform_p, days=40, seed=9, patients=mode).daily
    cols = list(FACILITY_COUNTERS) + list(COUNTY_COUNTERS)
    pd.testing.assert_frame_equal(base.loc[base["day"] < 20, cols],
                                  reform.loc[reform["day"] < 20, cols])
    assert not base.loc[base["day"] >= 20, cols].equals(reform.loc[reform["day"] >= 20, cols])


def test_arrays_mode_is_deterministic():
    a = simulate(preset("small"), days=30, seed=4, patients="arrays").daily
    b = simulate(preset("small"), days=30, seed=4, patients="arrays").daily
    pd.testing.assert_frame_equal(a, b)


def test_auto_picks_arrays_above_threshold():
    big = preset("x_county")  # 45,000 simulated patients at the preset's scale
    assert 450_000 / big.setting.scale > AUTO_ARRAYS_ABOVE
    m = ReferralModel(big, rng=1)
    assert m.patient_mode == "arrays"
    assert ReferralModel(preset("small"), rng=1).patient_mode == "agents"


def test_finished_model_releases_its_arrays():
    m = ReferralModel(preset("small"), rng=1, patients="arrays")
    m.run_for(5)
    refs = [weakref.ref(m.patients.rows), weakref.ref(m.patients.groups[0][1]),
            weakref.ref(m.fac.capability), weakref.ref(m)]
    del m
    gc.collect()
    assert all(r() is None for r in refs)
