"""Sun-Abraham interaction-weighted event study against pyfixest's saturated event study."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from econometrics import PanelError, event_study, simulate_panel, true_event_path
from econometrics.sunab import interaction_weights, sun_abraham

REFERENCE = Path(__file__).parent / "reference"
# pyfixest solves the same least-squares problem by iterative demeaning (tolerance 1e-8 on the
# fixed effects) while we use linearmodels; observed differences are below 1e-11.
REFERENCE_TOL = 1e-6
DATASETS = {"base_stagg": ("base_stagg.csv", "y", "id", "year", "year_treated"),
            "df_het": ("df_het.csv", "dep_var", "unit", "year", "g")}


# df_het (46,500 rows, 80 interactions) also matches (max diff 5e-12, checked when the reference
# was made) but takes ~15 s through linearmodels, so the suite checks base_stagg only.
@pytest.mark.parametrize("dataset, vcov", [("base_stagg", "cluster"), ("base_stagg", "iid"),
                                           ("base_stagg", "HC1")])
def test_matches_pyfixest_saturated_event_study(dataset, vcov, reference_data):
    file, y, unit, time, cohort = DATASETS[dataset]
    df = pd.read_csv(reference_data / file)
    if dataset == "base_stagg":
        df[cohort] = df[cohort].replace(10000, np.inf)  # fixest codes never treated as 10000
    res = sun_abraham(df, y=y, unit=unit, time=time, cohort=cohort, vcov=vcov)
    ref = pd.read_csv(REFERENCE / "sunab_reference.csv").query(
        "dataset == @dataset and vcov == @vcov").drop(columns="vcov")
    both = ref.merge(res.tidy(), on="event_time", suffixes=("_ref", ""), how="outer")
    assert len(both) == len(ref) == len(res.tidy())
    np.testing.assert_allclose(both.estimate, both.estimate_ref, rtol=0, atol=REFERENCE_TOL)
    np.testing.assert_allclose(both.std_error, both.std_error_ref, rtol=0, atol=REFERENCE_TOL)


def test_interaction_weights_sum_to_one():
    w = interaction_weights(np.array([3, 3, 5, 5, 5]), np.array([0, 1, 0, 0, 1]))
    assert w.groupby("event_time").weight.sum().tolist() == [1.0, 1.0]
    assert w.query("event_time == 0").weight.tolist() == [1 / 3, 2 / 3]


def test_known_truth_and_dispatch():
    df = simulate_panel(n_units=300, n_periods=8, cohorts=(3, 5), effect={3: 2.0, 5: 1.0},
                        dynamic=0.5, sigma=0.5, seed=5)
    before = df.copy()
    res = sun_abraham(df, y="y", unit="unit", time="time", cohort="cohort")
    pd.testing.assert_frame_equal(df, before)
    treated = df[df.treat == 1]
    truth = true_event_path(df)
    t = res.tidy().set_index("event_time")
    assert ((t.loc[truth.index, "estimate"] - truth).abs() < 4 * t.loc[truth.index,
                                                                          "std_error"]).all()
    assert abs(res.overall.estimate - treated.true_effect.mean()) < 4 * res.overall.std_error
    via = event_study(df, y="y", unit="unit", time="time", cohort="cohort",
                      estimator="sun_abraham")
    pd.testing.assert_frame_equal(via.tidy(), res.tidy())
    assert res.pretrend is not None and res.pretrend.p_value > 0.001


def test_window_and_errors():
    df = simulate_panel(n_units=120, n_periods=8, cohorts=(3, 5), effect=1.0, seed=6)
    res = sun_abraham(df, y="y", unit="unit", time="time", cohort="cohort", leads=2, lags=2)
    assert res.tidy().event_time.tolist() == [-2, 0, 1, 2]
    with pytest.raises(PanelError, match="reference=-9"):
        sun_abraham(df, y="y", unit="unit", time="time", cohort="cohort", reference=-9)
    with pytest.raises(ValueError, match="reference="):
        sun_abraham(df, y="y", unit="unit", time="time", cohort="cohort", reference="a")


def test_weights_match_pyfixest_weighted_saturated_regression():
    # The interactions by weighted least squares (pyfixest feols, weights=, CRV1 by unit) and
    # the event-time effects as weighted-share averages of them (shares of summed weights).
    pf = pytest.importorskip("pyfixest")
    df = simulate_panel(n_units=80, n_periods=7, cohorts=(3, 5), effect=1.0, dynamic=0.3,
                        seed=11)
    df["w"] = 0.5 + (df["unit"] % 4) / 2.0
    res = sun_abraham(df, y="y", unit="unit", time="time", cohort="cohort", weights="w")
    treated = df.cohort > 0
    rel = np.where(treated, df.time - df.cohort, -1)
    pairs = zip(df.cohort[treated], rel[treated], strict=True)
    cells = sorted({(g, e) for g, e in pairs if e != -1})
    names = []
    for g, e in cells:
        name = f"d_{g}_{e + 10}"
        df[name] = ((df.cohort == g) & (rel == e)).astype(float)
        names.append(name)
    with warnings.catch_warnings():  # pyfixest's own pandas deprecation warnings
        warnings.simplefilter("ignore")
        fit = pf.feols(f"y ~ {' + '.join(names)} | unit + time", data=df, weights="w",
                       vcov={"CRV1": "unit"}, demeaner=pf.MapDemeaner(fixef_tol=1e-14))
    beta, vcov = fit.coef()[names].to_numpy(), fit._vcov
    mass = pd.DataFrame({"g": [g for g, _ in cells], "e": [e for _, e in cells],
                         "m": [df.loc[df[n] == 1, "w"].sum() for n in names]})
    mass["share"] = mass.m / mass.groupby("e").m.transform("sum")
    events = sorted(mass.e.unique())
    agg = np.array([np.where(mass.e == e, mass.share, 0.0) for e in events])
    t = res.tidy()
    assert t.event_time.tolist() == events
    np.testing.assert_allclose(t.estimate, agg @ beta, rtol=0, atol=1e-10)
    np.testing.assert_allclose(t.std_error, np.sqrt(np.diag(agg @ vcov @ agg.T)), rtol=0,
                               atol=1e-10)
    unweighted = sun_abraham(df, y="y", unit="unit", time="time", cohort="cohort")
    assert not np.allclose(unweighted.tidy().estimate, t.estimate)
