"""att_gt's R did parity options against csdid 0.4.3 (a port of R did 2.5).

Reference: reference/cs_parity_reference.csv, made by reference/cs_parity_make_reference.py
(anticipation, a time-varying covariate, unit weights, balance_e, min_e/max_e, Wald pre-test,
unbalanced panels with allow_unbalanced_panel=True and repeated cross-sections with panel=False).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from econometrics import DataWarning
from econometrics.cs import att_gt

REFERENCE = Path(__file__).parent / "reference"
# Same formulas; the CSV stores 12 significant digits (observed differences < 1e-11).
TOL = 1e-8
# csdid rounds the Wald p-value to 5 decimals (as R did).
WALD_P_TOL = 0.5e-5 + 1e-12
REF = pd.read_csv(REFERENCE / "cs_parity_reference.csv")
OPTIONS = {"antic1": (dict(anticipation=1), "reg", {}),
           "tvcov": (dict(covariates="x_tv"), "dr", {}),
           "weights": (dict(covariates="lpop", weights="w"), "dr", {}),
           "balance1": ({}, "reg", dict(balance_e=1)),
           "window": ({}, "reg", dict(min_e=-2, max_e=2)),
           "unbal_reg": (dict(allow_unbalanced_panel=True), "reg", {}),
           "unbal_dr": (dict(allow_unbalanced_panel=True, covariates="lpop", weights="w"), "dr",
                        {}),
           "rcs_reg": (dict(panel=False), "reg", {}),
           "rcs_ipw": (dict(panel=False, covariates="lpop"), "ipw", {}),
           "rcs_dr": (dict(panel=False, covariates="lpop", weights="w"), "dr", {})}


@pytest.fixture(scope="module")
def maker(reference_data):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "cs_parity_make_reference", REFERENCE / "cs_parity_make_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def mpdta(maker):
    return maker.panel()


def _estimates(spec, df):
    options, method, agg = OPTIONS[spec]
    unit = "obs_id" if spec.startswith("rcs") else "countyreal"
    kw = dict(y="lemp", unit=unit, time="year", cohort="first.treat", method=method,
              bootstrap=0, **options)
    if spec == "antic1":
        with pytest.warns(DataWarning, match="already treated in the first period"):
            res = att_gt(df, **kw)
    else:
        res = att_gt(df, **kw)
    t = res.tidy()
    rows = [pd.DataFrame({"kind": "attgt", "label": t.cohort.astype(str) + ":" +
                          t.time.astype(str), "att": t.estimate, "se": t.std_error})]
    simple = res.aggregate("simple").overall
    dyn = res.aggregate("dynamic", **agg)
    d = dyn.tidy()
    rows += [pd.DataFrame([{"kind": "simple", "label": "overall", "att": simple.estimate,
                            "se": simple.std_error},
                           {"kind": "dynamic", "label": "overall", "att": dyn.overall.estimate,
                            "se": dyn.overall.std_error}]),
             pd.DataFrame({"kind": "dynamic", "label": d.event_time.astype(str),
                           "att": d.estimate, "se": d.std_error})]
    return res, pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("spec", sorted(OPTIONS))
def test_matches_csdid(spec, maker):
    res, mine = _estimates(spec, maker.spec_data(spec))
    ref = REF[REF.spec == spec]
    both = ref[ref.kind != "wald"].merge(mine, on=["kind", "label"], how="outer",
                                         suffixes=("_ref", "_me"), indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"]
    np.testing.assert_allclose(both.att_me, both.att_ref, rtol=0, atol=TOL)
    np.testing.assert_allclose(both.se_me, both.se_ref, rtol=0, atol=TOL)
    wald = ref[ref.kind == "wald"].iloc[0]  # att = W, se = p-value (rounded)
    assert res.pretrend.statistic == pytest.approx(wald.att, rel=1e-8)
    assert abs(res.pretrend.p_value - wald.se) <= WALD_P_TOL


def test_time_varying_covariate_is_taken_at_the_base_period(mpdta):
    # The same fit with the covariate frozen at its first-period value differs: the old rule
    # (first period) is not what did does for post-treatment cells after the second period.
    kw = dict(y="lemp", unit="countyreal", time="year", cohort="first.treat", bootstrap=0)
    first = mpdta.groupby("countyreal")["x_tv"].transform("first")
    a = att_gt(mpdta, covariates="x_tv", **kw).tidy()
    b = att_gt(mpdta.assign(x_tv=first), covariates="x_tv", **kw).tidy()
    assert not np.allclose(a.estimate, b.estimate)


def test_cband_false_gives_pointwise_bootstrap_intervals(mpdta):
    kw = dict(y="lemp", unit="countyreal", time="year", cohort="first.treat", method="reg",
              bootstrap=499, seed=3)
    band = att_gt(mpdta, **kw).tidy()
    point = att_gt(mpdta, cband=False, **kw).tidy()
    assert np.all(point.conf_high - point.conf_low < band.conf_high - band.conf_low)
    # pointwise: estimate +- z * bootstrap se, symmetric
    np.testing.assert_allclose(point.conf_high - point.estimate,
                               point.estimate - point.conf_low)


def test_weights_must_be_fixed_within_units(mpdta):
    from econometrics import PanelError

    with pytest.raises(PanelError, match="weights column 'x_tv' varies within units"):
        att_gt(mpdta, y="lemp", unit="countyreal", time="year", cohort="first.treat",
               weights="x_tv", bootstrap=0)


def test_deprecated_names_still_work_with_a_warning(mpdta):
    res = att_gt(mpdta, y="lemp", unit="countyreal", time="year", cohort="first.treat",
                 bootstrap=0)
    with pytest.warns(FutureWarning, match="'att' is deprecated"):
        old = res.tidy()["att"]
    pd.testing.assert_series_equal(old, res.tidy()["estimate"])
    overall = res.aggregate("simple").overall
    with pytest.warns(FutureWarning, match="Overall.se is deprecated"):
        assert overall.se == overall.std_error


def test_propensity_logit_equals_statsmodels():
    # The hand-written Newton logit (kept: statsmodels' GLM would cost ~87% of att_gt's time
    # on mpdta with a covariate, measured for issue 18) against statsmodels' weighted GLM.
    import statsmodels.api as sm

    from econometrics.cs.drdid import fit_logit

    rng = np.random.default_rng(4)
    x = np.column_stack([np.ones(300), rng.normal(size=(300, 2))])
    d = (rng.uniform(size=300) < 1 / (1 + np.exp(-(x @ [0.2, 0.8, -0.5])))).astype(float)
    w = rng.uniform(0.5, 2.0, size=300)
    glm = sm.GLM(d, x, family=sm.families.Binomial(), freq_weights=w).fit()
    np.testing.assert_allclose(fit_logit(x, d, w), glm.fittedvalues, rtol=0, atol=1e-10)


def test_unbalanced_options_on_a_balanced_panel_and_repeated_unit_ids(mpdta, maker):
    kw = dict(y="lemp", unit="countyreal", time="year", cohort="first.treat", method="reg",
              bootstrap=0)
    # a balanced panel is estimated as a panel whatever allow_unbalanced_panel says (as did)
    pd.testing.assert_frame_equal(att_gt(mpdta, **kw).tidy(),
                                  att_gt(mpdta, allow_unbalanced_panel=True, **kw).tidy())
    # the default balances an unbalanced panel, with a warning that names the option
    with pytest.warns(DataWarning, match="allow_unbalanced_panel=True keeps them"):
        att_gt(maker.unbalanced(), **kw)
    from econometrics import PanelError

    with pytest.raises(PanelError, match="'countyreal' repeats across periods, but panel=False"):
        att_gt(mpdta, panel=False, **kw)
    with pytest.raises(ValueError, match="panel='no' must be True or False"):
        att_gt(mpdta, panel="no", **kw)


# R did 2.x's pre-test on mpdta with anticipation=1 (est_method="reg", no covariates), as measured
# with R for issue 27 and printed there: W = 7.79 on 5 df. R picks the cells with group > time,
# ignoring anticipation, and keeps consecutive-period (varying base) comparisons for every cell
# before g, so its 5 cells are those of the anticipation=0 fit, whose W is stored (csdid,
# spec balance1) to 12 digits: the statistic must equal that to the stored precision.
R_ANTIC1_W_PRINTED, R_ANTIC1_DF = 7.79, 5
R_PRINT_TOL = 0.005  # R printed two decimals


def test_pretest_cells_before_treatment_reproduces_r_did(mpdta):
    kw = dict(y="lemp", unit="countyreal", time="year", cohort="first.treat", method="reg",
              bootstrap=0, anticipation=1)
    with pytest.warns(DataWarning, match="already treated in the first period"):
        ours = att_gt(mpdta, **kw)
    with pytest.warns(DataWarning, match="already treated in the first period"):
        r_like = att_gt(mpdta, pretest_cells="before_treatment", **kw)
    np.testing.assert_array_equal(ours.tidy().estimate, r_like.tidy().estimate)
    assert ours.pretrend.df == 3  # the default leaves out the anticipation cells t = g - 1
    assert r_like.pretrend.df == R_ANTIC1_DF
    assert abs(r_like.pretrend.statistic - R_ANTIC1_W_PRINTED) < R_PRINT_TOL
    stored = REF[(REF.spec == "balance1") & (REF.kind == "wald")].iloc[0]
    assert r_like.pretrend.statistic == pytest.approx(stored.att, rel=1e-8)


def test_pretest_cells_is_validated(mpdta):
    with pytest.raises(ValueError, match="before_anticipation"):
        att_gt(mpdta, y="lemp", unit="countyreal", time="year", cohort="first.treat",
               bootstrap=0, pretest_cells="r")
