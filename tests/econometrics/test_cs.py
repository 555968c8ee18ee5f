"""Callaway-Sant'Anna att_gt and aggregations: reference outputs, known truth, errors.

Reference outputs (tests/econometrics/reference/cs_*, made by cs_make_reference.py): csdid 0.4.3,
a port of R `did` that reproduces did's published mpdta output, cross-checked against the
independent `differences` 0.3 package.
"""

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from econometrics import DataWarning, PanelError, simulate_panel
from econometrics.cs import att_gt, multiplier_bootstrap, rademacher_draws

matplotlib.use("Agg")

REFERENCE = Path(__file__).parent / "reference"
# The reference CSV stores 12 significant digits; both implementations follow the same formulas
# and differ only by floating-point order and logit convergence (< 1e-10 observed).
REFERENCE_TOL = 1e-8
# `differences` computes the same estimators independently; its standard errors differ from
# csdid's by up to 2.2e-8 (different linear-algebra route), so allow 1e-7 there.
DIFFERENCES_TOL = 1e-7
# did's printed output is rounded to 4 decimals.
PUBLISHED_TOL = 0.5e-4 + 1e-12
COLUMNS = {"mpdta": ("lemp", "countyreal", "year", "first.treat"),
           "sim": ("y", "unit", "time", "cohort"),
           "sim_antic1": ("y", "unit", "time", "cohort"),  # the sim panel, anticipation=1
           "mpdta_clstate": ("lemp", "countyreal", "year", "first.treat")}  # clustered by state
FIRST = {"dynamic": "event_time", "group": "cohort", "calendar": "time"}
REF = pd.read_csv(REFERENCE / "cs_reference.csv", keep_default_na=False)
SPECS = sorted(REF.groupby(["dataset", "control", "method", "covariates"]).groups)


def _data(dataset, reference_data):
    if dataset.startswith("mpdta"):
        df = pd.read_csv(reference_data / "mpdta.csv")
        return df.assign(state=df.countyreal // 1000)
    return pd.read_csv(REFERENCE / "cs_sim_panel.csv")


def _fit(dataset, control, method, covariates, reference_data, **kwargs):
    y, unit, time, cohort = COLUMNS[dataset]
    return att_gt(_data(dataset, reference_data), y=y, unit=unit, time=time, cohort=cohort,
                  control=control, method=method,
                  anticipation=1 if dataset.endswith("_antic1") else 0,
                  cluster="state" if dataset.endswith("_clstate") else None,
                  covariates=covariates.split("+") if covariates else None, **kwargs)


def _long(res):
    """All estimates of a fit in the reference's long format (kind, label, att, se)."""
    t = res.tidy()
    rows = [pd.DataFrame({"kind": "attgt", "label": t.cohort.astype(str) + ":" +
                          t.time.astype(str), "att": t.estimate, "se": t.std_error})]
    for kind in ("simple", "dynamic", "group", "calendar"):
        agg = res.aggregate(kind)
        rows.append(pd.DataFrame([{"kind": kind, "label": "overall", "att": agg.overall.estimate,
                                   "se": agg.overall.std_error}]))
        if kind != "simple":
            a = agg.tidy()
            rows.append(pd.DataFrame({"kind": kind, "label": a[FIRST[kind]].astype(str),
                                      "att": a.estimate, "se": a.std_error}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def mpdta(reference_data):
    return pd.read_csv(reference_data / "mpdta.csv")


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: "-".join(x or "nocov" for x in s))
def test_matches_csdid_reference(spec, reference_data):
    ref = REF.set_index(["dataset", "control", "method", "covariates"]).loc[spec]
    mine = _long(_fit(*spec, reference_data, bootstrap=0))
    both = ref.merge(mine, on=["kind", "label"], how="outer", suffixes=("_ref", "_me"),
                     indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"]
    np.testing.assert_allclose(both.att_me, both.att_ref, rtol=0, atol=REFERENCE_TOL)
    np.testing.assert_allclose(both.se_me, both.se_ref, rtol=0, atol=REFERENCE_TOL)


def test_matches_differences_package(reference_data):
    ref = pd.read_csv(REFERENCE / "cs_differences.csv", keep_default_na=False)
    for spec, part in ref.groupby(["dataset", "control", "method", "covariates"]):
        mine = _long(_fit(*spec, reference_data, bootstrap=0))
        both = part.merge(mine, on=["kind", "label"], suffixes=("_ref", "_me"))
        assert len(both) == len(part), spec
        np.testing.assert_allclose(both.att_me, both.att_ref, rtol=0, atol=DIFFERENCES_TOL)
        np.testing.assert_allclose(both.se_me, both.se_ref, rtol=0, atol=DIFFERENCES_TOL)


def test_matches_published_did_output(mpdta):
    # did README: att_gt(lemp, first.treat, countyreal, year, xformla=~1, est_method="reg")
    published = [(2004, 2004, -0.0105), (2004, 2005, -0.0704), (2004, 2006, -0.1373),
                 (2004, 2007, -0.1008), (2006, 2004, 0.0065), (2006, 2005, -0.0028),
                 (2006, 2006, -0.0046), (2006, 2007, -0.0412), (2007, 2004, 0.0305),
                 (2007, 2005, -0.0027), (2007, 2006, -0.0311), (2007, 2007, -0.0261)]
    res = att_gt(mpdta, y="lemp", unit="countyreal", time="year", cohort="first.treat",
                 method="reg", bootstrap=0)
    t = res.tidy().set_index(["cohort", "time"])["estimate"]
    for g, year, value in published:
        assert abs(t.loc[(g, year)] - value) <= PUBLISHED_TOL, (g, year)
    assert round(res.aggregate("simple").overall.estimate, 2) == -0.04


def test_never_treated_codings_agree(mpdta):
    fits = []
    for code in (0, np.nan, np.inf):
        df = mpdta.assign(g=mpdta["first.treat"].replace(0, code))
        fits.append(att_gt(df, y="lemp", unit="countyreal", time="year", cohort="g",
                           bootstrap=0).tidy())
    pd.testing.assert_frame_equal(fits[0], fits[1])
    pd.testing.assert_frame_equal(fits[0], fits[2])


def test_does_not_mutate_data(mpdta):
    df = mpdta.assign(first_treat=mpdta["first.treat"].replace(0, np.nan))
    before = df.copy(deep=True)
    res = att_gt(df, y="lemp", unit="countyreal", time="year", cohort="first_treat",
                 covariates=["lpop"], bootstrap=9, seed=1)
    res.aggregate("dynamic")
    pd.testing.assert_frame_equal(df, before)


def test_bootstrap_seeded_and_simultaneous(mpdta):
    kw = dict(y="lemp", unit="countyreal", time="year", cohort="first.treat", method="reg")
    a = att_gt(mpdta, bootstrap=999, seed=7, **kw).tidy()
    b = att_gt(mpdta, bootstrap=999, seed=7, **kw).tidy()
    c = att_gt(mpdta, bootstrap=999, seed=8, **kw).tidy()
    pointwise = att_gt(mpdta, bootstrap=0, **kw).tidy()
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a.conf_low, c.conf_low)
    pd.testing.assert_series_equal(a.std_error, pointwise.std_error)  # always analytic
    # a uniform band over 12 cells is wider than the pointwise 95% interval
    assert np.all(a.conf_high - a.conf_low > pointwise.conf_high - pointwise.conf_low)
    z = 1.959963984540054
    np.testing.assert_allclose(pointwise.conf_high, pointwise.estimate + z * pointwise.std_error)


def test_bootstrap_se_close_to_analytic():
    psi = np.random.default_rng(3).normal(size=(2000, 3)) * np.array([1.0, 2.0, 0.5])
    boot = multiplier_bootstrap(psi, rademacher_draws(4, 4999, 2000), alpha=0.05)
    analytic = np.sqrt((psi**2).sum(axis=0)) / 2000
    # IQR-based sd from 4999 draws: relative sampling error about 2%
    np.testing.assert_allclose(boot.se, analytic, rtol=0.06)
    assert 1.96 < boot.crit < 2.7  # max of three |t| at 95%: between pointwise and Bonferroni


def test_cluster_by_unit_equals_unclustered(mpdta):
    kw = dict(y="lemp", unit="countyreal", time="year", cohort="first.treat", bootstrap=0)
    a = att_gt(mpdta, **kw).aggregate("dynamic").tidy()
    b = att_gt(mpdta, cluster="countyreal", **kw).aggregate("dynamic").tidy()
    np.testing.assert_allclose(a.std_error, b.std_error, rtol=1e-12)


def test_universal_base_period(mpdta):
    kw = dict(y="lemp", unit="countyreal", time="year", cohort="first.treat", bootstrap=0)
    varying = att_gt(mpdta, **kw).tidy()
    universal = att_gt(mpdta, base_period="universal", **kw).tidy()
    ref = universal[universal.time == universal.cohort - 1]
    assert len(ref) == 3 and np.all(ref.estimate == 0) and np.all(ref.std_error == 0)
    post_v = varying[varying.time >= varying.cohort].reset_index(drop=True)
    post_u = universal[universal.time >= universal.cohort].reset_index(drop=True)
    pd.testing.assert_frame_equal(post_v, post_u)


def test_notyet_without_never_treated(mpdta):
    df = mpdta[mpdta["first.treat"] > 0]
    res = att_gt(df, y="lemp", unit="countyreal", time="year", cohort="first.treat",
                 control="notyet", bootstrap=0)
    t = res.tidy()
    assert set(t.cohort) == {2004, 2006} and t.time.max() == 2006
    assert any("no never-treated" in n for n in res.notes)


def test_known_truth_robust_recovers_twfe_does_not():
    from econometrics import twfe

    # Effects grow with exposure (+0.5 per period) and differ by cohort; early cohorts are
    # used as controls by TWFE after their effects have grown, which biases it downwards.
    cohorts = (3, 5, 7)
    df = simulate_panel(n_units=600, n_periods=10, cohorts=cohorts,
                        effect={3: 2.0, 5: 1.0, 7: 0.5}, dynamic=0.5, never_treated=0.1,
                        sigma=0.5, seed=11)
    res = att_gt(df, y="y", unit="unit", time="time", cohort="cohort", bootstrap=0)
    simple = res.aggregate("simple").overall
    treated = df[df.treat == 1]
    weights = treated.groupby("cohort")["unit"].nunique()
    cells = treated.groupby(["cohort", "time"])["true_effect"].mean()
    # the simple aggregation weights each post cell by cohort size
    w = weights.reindex(cells.index.get_level_values(0)).to_numpy()
    truth = float(np.sum(cells.to_numpy() * w) / w.sum())
    assert abs(simple.estimate - truth) < 3 * simple.std_error
    dyn = res.aggregate("dynamic").tidy().set_index("event_time")
    true_e = treated.assign(e=treated.time - treated.cohort).groupby("e")["true_effect"]
    true_e = true_e.mean()  # all cohorts equally sized, so this is the did weighting
    covered = ((dyn.loc[true_e.index, "estimate"] - true_e).abs()
               < 3 * dyn.loc[true_e.index, "std_error"])
    assert covered.all()
    static = twfe(df, y="y", unit="unit", time="time", treat="treat").tidy().iloc[0]
    assert not (static.conf_low <= truth <= static.conf_high)
    assert static.estimate < truth - 0.5


def test_tidy_columns_plot_and_summary(mpdta):
    res = att_gt(mpdta, y="lemp", unit="countyreal", time="year", cohort="first.treat",
                 bootstrap=0)
    shared = ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    assert list(res.tidy().columns) == ["cohort", "time", *shared]
    for kind, first in [("simple", "aggregation"), ("dynamic", "event_time"),
                        ("group", "cohort"), ("calendar", "time")]:
        agg = res.aggregate(kind)
        assert list(agg.tidy().columns) == [first, *shared]
        assert agg.overall._fields == ("estimate", "std_error")
        assert agg.plot() is not None
        assert "Overall ATT" in agg.summary()
    assert res.plot() is not None
    assert "\\begin{tabular}" in res.summary(latex=True)
    es = res.aggregate("dynamic").to_event_study()
    np.testing.assert_allclose(es.coef_by_event_time().to_numpy(),
                               res.aggregate("dynamic").tidy().estimate)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(control="sometimes"), "control='sometimes' must be one of \\['never', 'notyet'\\]"),
    (dict(method="ols"), "method='ols' must be one of \\['reg', 'ipw', 'dr'\\]"),
    (dict(base_period="fixed"), "base_period='fixed' must be one of"),
    (dict(bootstrap=-1), "bootstrap=-1"),
    (dict(conf_level=1.5), "conf_level=1.5"),
])
def test_invalid_options(mpdta, kwargs, message):
    with pytest.raises(ValueError, match=message):
        att_gt(mpdta, y="lemp", unit="countyreal", time="year", cohort="first.treat", **kwargs)


def test_invalid_aggregation(mpdta):
    res = att_gt(mpdta, y="lemp", unit="countyreal", time="year", cohort="first.treat",
                 bootstrap=0)
    with pytest.raises(ValueError, match="kind='event' must be one of"):
        res.aggregate("event")


def test_error_no_never_treated(mpdta):
    with pytest.raises(PanelError, match="no never-treated units.*control='notyet'"):
        att_gt(mpdta[mpdta["first.treat"] > 0], y="lemp", unit="countyreal", time="year",
               cohort="first.treat")


def test_cohort_treated_in_first_period_is_dropped_with_warning(mpdta):
    # R did drops units treated in the first period (net of anticipation) with a warning.
    kw = dict(y="lemp", unit="countyreal", time="year", cohort="g", bootstrap=0)
    df = mpdta.assign(g=mpdta["first.treat"].replace(2004, 2003))
    with pytest.warns(DataWarning, match="already treated in the first period 2003"):
        res = att_gt(df, **kw)
    without = att_gt(df[df.g != 2003], **kw)
    pd.testing.assert_frame_equal(res.tidy(), without.tidy())
    assert any("dropped 20 units of cohorts [2003]" in n for n in res.notes)


def test_error_too_few_units_for_propensity_model(mpdta):
    small = mpdta["countyreal"].isin(mpdta.loc[mpdta["first.treat"] == 2004,
                                               "countyreal"].unique()[:2])
    df = mpdta[(mpdta["first.treat"] != 2004) | small].assign(z=lambda d: d.lpop ** 2)
    with pytest.raises(PanelError, match="too few units.*cohort 2004"):
        att_gt(df, y="lemp", unit="countyreal", time="year", cohort="first.treat",
               covariates=["lpop", "z"])


def test_error_collinear_covariates(mpdta):
    df = mpdta.assign(lpop2=2 * mpdta.lpop)
    with pytest.raises(PanelError, match="collinear covariates"):
        att_gt(df, y="lemp", unit="countyreal", time="year", cohort="first.treat",
               covariates=["lpop", "lpop2"])


def test_alpha_is_deprecated_for_conf_level(mpdta):
    kw = dict(y="lemp", unit="countyreal", time="year", cohort="first.treat", bootstrap=0)
    with pytest.warns(DeprecationWarning, match="conf_level=0.9"):
        old = att_gt(mpdta, alpha=0.1, **kw)
    new = att_gt(mpdta, conf_level=0.9, **kw)
    assert old.conf_level == new.conf_level == pytest.approx(0.9)
    np.testing.assert_array_equal(old.tidy().conf_low, new.tidy().conf_low)
    assert not np.allclose(new.tidy().conf_low, att_gt(mpdta, **kw).tidy().conf_low)
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="both given"):
        att_gt(mpdta, alpha=0.1, conf_level=0.9, **kw)
    with pytest.warns(DeprecationWarning, match="CsResult.alpha"):
        assert new.alpha == pytest.approx(0.1)
