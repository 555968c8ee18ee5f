"""Borusyak-Jaravel-Spiess imputation against did2s (pyfixest) point estimates; known truth."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from econometrics import PanelError, event_study, simulate_panel, true_event_path
from econometrics.imputation import imputation

REFERENCE = Path(__file__).parent / "reference"
# pyfixest's did2s first stage demeans iteratively (tolerance 1e-8); we solve the normal
# equations directly. Observed differences: 4e-8.
REFERENCE_TOL = 1e-6
# did2s with weights: its iterative demeaning stops at a tolerance it does not expose, and where
# it stops depends on the machine (3.3e-6 on one 2-core machine, under 1e-6 on another). The
# weighted test compares with an exact reference (a direct weighted least-squares solve) to
# EXACT_TOL, and with did2s only to the precision did2s can honour.
DID2S_WEIGHTED_TOL = 1e-4
EXACT_TOL = 1e-10


def test_matches_did2s_point_estimates(reference_data):
    df = pd.read_csv(reference_data / "df_het.csv")
    res = imputation(df, y="dep_var", unit="unit", time="year", cohort="g")
    ref = pd.read_csv(REFERENCE / "imputation_reference.csv")
    overall = float(ref.loc[ref.event_time == "overall", "estimate"].iloc[0])
    ref = ref[ref.event_time != "overall"].astype({"event_time": int})
    both = ref.merge(res.tidy(), on="event_time", suffixes=("_ref", ""), how="outer")
    assert len(both) == len(ref) == len(res.tidy())
    np.testing.assert_allclose(both.estimate, both.estimate_ref, rtol=0, atol=REFERENCE_TOL)
    assert abs(res.overall.estimate - overall) < REFERENCE_TOL


def test_known_truth_coverage_and_dispatch():
    df = simulate_panel(n_units=400, n_periods=9, cohorts=(3, 5, 7), effect={3: 2.0, 5: 1.0,
                        7: 0.5}, dynamic=0.4, sigma=0.5, seed=8)
    before = df.copy()
    res = imputation(df, y="y", unit="unit", time="time", cohort="cohort", leads=2)
    pd.testing.assert_frame_equal(df, before)
    treated = df[df.treat == 1]
    truth = true_event_path(df)
    t = res.tidy().set_index("event_time")
    assert ((t.loc[truth.index, "estimate"] - truth).abs() < 4 * t.loc[truth.index,
                                                                          "std_error"]).all()
    assert abs(res.overall.estimate - treated.true_effect.mean()) < 4 * res.overall.std_error
    assert t.index.tolist()[:2] == [-2, -1] and res.pretrend.df == 2
    via = event_study(df, y="y", unit="unit", time="time", cohort="cohort",
                      estimator="imputation", leads=2)
    pd.testing.assert_frame_equal(via.tidy(), res.tidy())


def test_errors():
    df = simulate_panel(n_units=60, n_periods=6, cohorts=(3,), effect=1.0, seed=9)
    with pytest.raises(ValueError, match="lags=-1"):
        imputation(df, y="y", unit="unit", time="time", cohort="cohort", lags=-1)
    with pytest.raises(PanelError, match="collinear covariates"):
        imputation(df.assign(a=1.0, b=2.0), y="y", unit="unit", time="time", cohort="cohort",
                   covariates=["a"])


def weighted_imputation_by_event_time(df: pd.DataFrame) -> pd.Series:
    """Exact reference: unit and time effects fitted by weighted least squares on the untreated
    observations (dense dummies, one direct solve), then weighted means of the imputed effects."""
    untreated = df[df.treat == 0]
    units, times = np.unique(df.unit), np.unique(df.time)

    def design(d: pd.DataFrame) -> np.ndarray:
        u = (d.unit.to_numpy()[:, None] == units).astype(float)
        t = (d.time.to_numpy()[:, None] == times[1:]).astype(float)  # first period as base
        return np.hstack([u, t])

    root_w = np.sqrt(untreated.w.to_numpy())
    beta = np.linalg.lstsq(design(untreated) * root_w[:, None],
                           untreated.y.to_numpy() * root_w, rcond=None)[0]
    treated = df[df.treat == 1]
    effect = treated.y.to_numpy() - design(treated) @ beta
    event = treated.time - treated.cohort
    return (pd.Series(effect * treated.w.to_numpy()).groupby(event.to_numpy()).sum()
            / treated.w.groupby(event.to_numpy()).sum().to_numpy())


def test_weights_match_weighted_did2s_point_estimates():
    # Gardner's two-stage DiD with weights (pyfixest did2s, weighted first and second stage)
    # equals the weighted imputation estimator: weighted untreated-outcome model, weighted means
    # of the imputed effects by event time.
    import warnings

    pf = pytest.importorskip("pyfixest")
    df = simulate_panel(n_units=90, n_periods=7, cohorts=(3, 5), effect=1.0, dynamic=0.3,
                        seed=12)
    df["w"] = 0.5 + (df["unit"] % 4) / 2.0
    res = imputation(df, y="y", unit="unit", time="time", cohort="cohort", weights="w")
    exact = weighted_imputation_by_event_time(df)
    t = res.tidy().set_index("event_time")
    np.testing.assert_allclose(t.estimate.to_numpy(), exact.loc[t.index].to_numpy(), rtol=0,
                               atol=EXACT_TOL)
    df["rel"] = np.where(df.cohort > 0, df.time - df.cohort, -1000)
    with warnings.catch_warnings():  # pyfixest's own pandas deprecation warnings
        warnings.simplefilter("ignore")
        fit = pf.did2s(df, yname="y", first_stage="~ 0 | unit + time",
                       second_stage="~i(rel, ref=-1000.0)", treatment="treat",
                       cluster="unit", weights="w")
    coef = fit.coef()
    ref = {int(float(k.split("::")[1].rstrip("]"))): v for k, v in coef.items()}
    np.testing.assert_allclose(t.estimate.to_numpy(), [ref[e] for e in t.index], rtol=0,
                               atol=DID2S_WEIGHTED_TOL)
    unweighted = imputation(df, y="y", unit="unit", time="time", cohort="cohort")
    assert not np.allclose(unweighted.tidy().estimate, t.estimate)
    assert np.all(np.isfinite(t.std_error)) and res.overall.std_error > 0
