"""dcdh (de Chaisemartin-D'Haultfoeuille) against published output, a hand check and att_gt.

1. Published: the authors' did_multiplegt_dyn README (Python version, which mirrors the Stata
   and R commands) prints, for Favara and Imbs' banking-deregulation panel,
   ``effects = 8, placebo = 3, cluster = "state_n", normalized, same_switchers, effects_equal``:
   the table below (6 significant digits). moderndid ships the same panel.
2. Hand check: the 4-group, 3-period panel where DID_1 is computed from the paper's formula
   (one joiner: (13 - 10) - (11 - 10) = 2 against the never-treated group; one leaver:
   -((9 - 11) - (12 - 11)) = 3 against the always-treated group; DID_1 = (2 + 3) / 2 = 2.5).
3. With a binary absorbing treatment and no covariates, DID_l equals Callaway and Sant'Anna's
   dynamic effect at event time l - 1 with not-yet-treated controls (both compare the change
   since the period before adoption with the groups not treated yet, weighting groups equally),
   so ``dcdh`` must equal our ``att_gt`` (itself checked against R did) to rounding.
"""

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

from econometrics import PanelError, att_gt, dcdh, event_study, simulate_panel

matplotlib.use("Agg")
md = pytest.importorskip("moderndid")

# term: (estimate, SE, LB CI, UB CI, switchers), as printed in the README.
PUBLISHED = {
    "Effect_1": (0.0240393, 0.0184241, -0.0120712, 0.0601498, 773),
    "Effect_2": (0.0116702, 0.0106714, -0.00924526, 0.0325857, 773),
    "Effect_3": (0.0143443, 0.00828821, -0.00190033, 0.0305889, 773),
    "Effect_4": (0.0115211, 0.00819515, -0.00454109, 0.0275833, 773),
    "Effect_5": (0.0161627, 0.00684205, 0.00275253, 0.0295729, 773),
    "Effect_6": (0.0133861, 0.00625129, 0.00113379, 0.0256384, 773),
    "Effect_7": (0.00981002, 0.00495722, 9.40507e-05, 0.019526, 773),
    "Effect_8": (0.0100838, 0.00430933, 0.0016377, 0.01853, 773),
    "Placebo_1": (0.0303785, 0.0264052, -0.0213746, 0.0821317, 764),
    "Placebo_2": (-0.0217763, 0.0253522, -0.0714658, 0.0279132, 497),
    "Placebo_3": (-0.0137113, 0.0263437, -0.065344, 0.0379214, 358),
}
PUBLISHED_ATE = (0.055063, 0.0268082)
# Half a unit of the 6th significant digit (the README's printing): relative 5e-6 plus rounding
# of the last printed digit; rtol 1e-5 covers it.
RTOL = 1e-5


@pytest.fixture(scope="module")
def favara():
    return md.load_favara_imbs()


@pytest.fixture(scope="module")
def published_fit(favara):
    return dcdh(favara, y="Dl_vloans_b", unit="county", time="year", treat="inter_bra",
                leads=4, lags=7, cluster="state_n", normalized=True, same_switchers=True,
                effects_equal=True)


def test_favara_imbs_matches_published_table(published_fit):
    t = published_fit.tidy().set_index("term")
    assert sorted(t.index) == sorted(PUBLISHED)
    for term, (est, se, lo, hi, n) in PUBLISHED.items():
        row = t.loc[term]
        np.testing.assert_allclose([row.estimate, row.std_error, row.conf_low, row.conf_high],
                                   [est, se, lo, hi], rtol=RTOL, err_msg=term)
        assert row.n_switchers == n
    np.testing.assert_allclose(published_fit.overall, PUBLISHED_ATE, rtol=RTOL)
    assert t.loc["Effect_1", "event_time"] == 0 and t.loc["Placebo_1", "event_time"] == -2


def test_vcov_is_the_influence_function_covariance(published_fit, favara):
    # sqrt(diag(vcov)) reproduces the clustered SEs, so the off-diagonal uses the same clusters
    np.testing.assert_allclose(np.sqrt(np.diag(published_fit.vcov)),
                               published_fit.tidy().std_error, rtol=1e-12)
    assert published_fit.effects_equal.df == 7
    # the joint placebo test equals moderndid's own (same covariance)
    res = dcdh(favara, y="Dl_vloans_b", unit="county", time="year", treat="inter_bra",
               leads=3, lags=1, cluster="state_n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = md.did_multiplegt(favara, yname="Dl_vloans_b", idname="county", tname="year",
                                dname="inter_bra", effects=2, placebo=2, cluster="state_n")
    assert res.pretrend.statistic == pytest.approx(ref.placebo_joint_test["chi2_stat"],
                                                   rel=1e-10)


def test_hand_computed_joiner_and_leaver():
    df = pd.DataFrame({"g": np.repeat([1, 2, 3, 4], 3), "t": [0, 1, 2] * 4,
                       "d": [0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1],
                       "y": [10., 13, 14, 10, 11, 9, 10, 11, 12, 10, 11, 12]})
    spec = dict(y="y", unit="g", time="t", treat="d", leads=0, lags=0)
    both = dcdh(df, **spec).tidy()
    joiners = dcdh(df, **spec, switchers="in").tidy()
    leavers = dcdh(df, **spec, switchers="out").tidy()
    assert both.estimate.tolist() == pytest.approx([2.5], abs=1e-12)
    assert joiners.estimate.tolist() == pytest.approx([2.0], abs=1e-12)
    assert leavers.estimate.tolist() == pytest.approx([3.0], abs=1e-12)


def test_absorbing_treatment_equals_callaway_santanna_not_yet_treated():
    df = simulate_panel(n_units=150, n_periods=8, cohorts=(3, 5, 6), effect=1.0, seed=7)
    res = event_study(df, y="y", unit="unit", time="time", cohort="cohort", estimator="dcdh",
                      leads=0, lags=3)
    cs = att_gt(df, y="y", unit="unit", time="time", cohort="cohort", control="notyet")
    path = cs.aggregate("dynamic").tidy().set_index("event_time").estimate
    t = res.tidy()
    np.testing.assert_allclose(t.estimate, path.loc[t.event_time].to_numpy(), atol=1e-10)
    assert res.plot() is not None and "Effect_1" in res.summary()


def test_switching_treatment_is_accepted_and_errors_name_the_problem():
    df = pd.DataFrame({"g": np.repeat([1, 2, 3], 3), "t": [1, 2, 3] * 3,
                       "d": [0, 1, 0, 0, 0, 0, 1, 1, 1], "y": np.arange(9.0)})
    with pytest.raises(ValueError, match="exactly one of treat= .* or cohort="):
        dcdh(df, y="y", unit="g", time="t")
    with pytest.raises(ValueError, match="reference=-2"):
        dcdh(df, y="y", unit="g", time="t", treat="d", reference=-2)
    with pytest.raises(PanelError, match="'d' must be finite and non-negative"):
        dcdh(df.assign(d=df.d - 1), y="y", unit="g", time="t", treat="d")
    with pytest.raises(PanelError, match="'d' never changes"):
        dcdh(df.assign(d=df.g == 3), y="y", unit="g", time="t", treat="d")
