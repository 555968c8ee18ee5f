"""Goodman-Bacon decomposition: published castle-doctrine numbers, identity, weights, inputs.

Reference: the R package bacondecomp's README (stored in reference/bacon_castle_published.json,
copied by hand, 5 decimals); the identity against our twfe (linearmodels PanelOLS).
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from econometrics import PanelError, bacon, simulate_panel, twfe

matplotlib.use("Agg")

PUBLISHED = json.loads(
    (Path(__file__).parent / "reference" / "bacon_castle_published.json").read_text())
# The README prints 5 decimals: agreement to half a unit of the last printed digit.
PRINTED_ATOL = 0.5 * 10.0 ** -PUBLISHED["decimals"]
# The decomposition is an algebraic identity: only floating-point error separates the two sides.
IDENTITY_ATOL = 1e-10


def test_castle_matches_published_decomposition(reference_data):
    castle = pd.read_csv(reference_data / "castle.csv")
    res = bacon(castle, y="l_homicide", unit="sid", time="year", cohort="effyear")
    by_type = res.by_type().set_index("type")
    for kind, ref in PUBLISHED["by_type"].items():
        assert by_type.loc[kind, "weight"] == pytest.approx(ref["weight"], abs=PRINTED_ATOL)
        assert by_type.loc[kind, "estimate"] == pytest.approx(ref["estimate"], abs=PRINTED_ATOL)
    assert res.twfe_estimate == pytest.approx(
        PUBLISHED["twfe_estimate"], abs=0.5 * 10.0 ** -PUBLISHED["twfe_estimate_decimals"])
    coef = twfe(castle, y="l_homicide", unit="sid", time="year", treat="post").coef()["post"]
    assert res.weighted_sum == pytest.approx(coef, abs=IDENTITY_ATOL)


@pytest.mark.parametrize("design", [
    {"cohorts": (3, 5, 7), "never_treated": 0.3},
    {"cohorts": (2, 4, 6, 8), "never_treated": 0.0},  # timing comparisons only
    {"cohorts": (1, 4, 6), "never_treated": 0.2},  # cohort 1 is treated in every period
    {"cohorts": (4, 12), "never_treated": 0.2},  # cohort 12 is treated after the panel ends
], ids=["three_cohorts", "no_never", "always_treated", "late_cohort"])
def test_identity_and_weights(design):
    df = simulate_panel(n_units=57, n_periods=9, effect={c: 0.5 * c for c in design["cohorts"]},
                        dynamic=0.4, seed=11, cohorts=design["cohorts"],
                        never_treated=design["never_treated"])
    res = bacon(df, y="y", unit="unit", time="time", cohort="cohort")
    t = res.tidy()
    assert list(t.columns) == ["type", "treated", "control", "estimate", "weight"]
    assert set(t["type"]) <= {"earlier_vs_later", "later_vs_earlier", "treated_vs_never"}
    assert (t["weight"] > 0).all()
    assert t["weight"].sum() == pytest.approx(1.0, abs=IDENTITY_ATOL)
    coef = twfe(df, y="y", unit="unit", time="time", treat="treat").coef()["treat"]
    assert res.twfe_estimate == pytest.approx(coef, abs=IDENTITY_ATOL)
    assert res.weighted_sum == pytest.approx(coef, abs=IDENTITY_ATOL)


def test_comparison_types_and_two_by_two_estimate():
    df = simulate_panel(n_units=40, n_periods=8, cohorts=(3, 6), effect=1.0, seed=4)
    t = bacon(df, y="y", unit="unit", time="time", cohort="cohort").tidy()
    kinds = t.set_index(["type", "treated", "control"])
    assert len(t) == 4  # 2 cohorts vs never, earlier vs later, later vs earlier
    # Hand computation of one 2x2: cohort 3 vs never treated, all periods.
    m = df.groupby(["cohort", df.time >= 3])["y"].mean()
    by_hand = (m[(3, True)] - m[(3, False)]) - (m[(0, True)] - m[(0, False)])
    assert kinds.loc[("treated_vs_never", 3.0, 0.0), "estimate"] == pytest.approx(by_hand,
                                                                                 abs=1e-12)
    assert ("later_vs_earlier", 6.0, 3.0) in kinds.index


def test_forbidden_comparison_biases_under_dynamic_effects():
    # With effects growing over time, the already-treated control absorbs the growth: the
    # later_vs_earlier 2x2 estimates lie below the true average effect (Goodman-Bacon 2021).
    df = simulate_panel(n_units=400, n_periods=10, cohorts=(3, 7), effect=1.0, dynamic=1.0,
                        sigma=0.1, seed=3)
    t = bacon(df, y="y", unit="unit", time="time", cohort="cohort").tidy()
    late = t.loc[t["type"] == "later_vs_earlier", "estimate"].iloc[0]
    true_att_of_late_cohort = df.loc[(df.cohort == 7) & (df.treat == 1), "true_effect"].mean()
    assert late < true_att_of_late_cohort - 1.0


def test_result_api():
    df = simulate_panel(n_units=30, n_periods=6, cohorts=(3, 5), effect=1.0, seed=1)
    res = bacon(df, y="y", unit="unit", time="time", cohort="cohort")
    assert "TWFE estimate" in res.summary()
    assert r"\begin{tabular}" in res.summary(latex=True)
    assert res.plot().get_xlabel() == "weight"


def test_invalid_inputs():
    df = simulate_panel(n_units=30, n_periods=6, cohorts=(3, 5), effect=1.0, seed=1)
    with pytest.raises(PanelError, match="balanced"):
        bacon(df.drop(index=[4]), y="y", unit="unit", time="time", cohort="cohort")
    with pytest.raises(PanelError, match="'g' \\(cohort=\\)"):
        bacon(df, y="y", unit="unit", time="time", cohort="g")
    with pytest.raises(PanelError, match="no variation"):
        bacon(df.assign(cohort=0), y="y", unit="unit", time="time", cohort="cohort")


def test_user_frame_is_not_mutated():
    df = simulate_panel(n_units=30, n_periods=6, cohorts=(3, 5), effect=1.0, seed=1)
    df["cohort"] = df["cohort"].astype(float).replace(0.0, np.inf)
    df = df.sample(frac=1.0, random_state=3)
    before = df.copy(deep=True)
    bacon(df, y="y", unit="unit", time="time", cohort="cohort")
    pd.testing.assert_frame_equal(df, before)


# ----------------------------------------------------------------- controlled decomposition
# Reference: reference/bacon_controls_reference.csv, made by
# reference/bacon_controls_make_reference.R (bacondecomp 0.1.3's own bacon.R, with its fixest
# least-squares calls served by stats::lm). Same formulas: observed differences <= 2.1e-13.
CONTROLS_REF = pd.read_csv(Path(__file__).parent / "reference" / "bacon_controls_reference.csv")
CONTROLS_TOL = 1e-10
CONTROL_SPECS = {"pop_income": ["l_pop", "l_income"],
                 "four_controls": ["l_police", "unemployrt", "poverty", "l_income"]}
R_TYPES = {"Treated vs Untreated": "treated_vs_never", "Both Treated": "both_treated",
           "Later vs Always Treated": "later_vs_always"}


@pytest.mark.parametrize("spec", sorted(CONTROL_SPECS))
def test_controlled_decomposition_matches_bacondecomp(spec, reference_data):
    castle = pd.read_csv(reference_data / "castle.csv")
    res = bacon(castle, y="l_homicide", unit="sid", time="year", cohort="effyear",
                covariates=CONTROL_SPECS[spec])
    ref = CONTROLS_REF[CONTROLS_REF.spec == spec]
    scalar = ref.set_index("quantity")["value"]
    assert res.within_estimate == pytest.approx(scalar["beta_hat_w"], abs=CONTROLS_TOL)
    assert res.within_weight == pytest.approx(scalar["Omega"], abs=CONTROLS_TOL)
    assert res.twfe_estimate == pytest.approx(scalar["twfe"], abs=CONTROLS_TOL)
    assert res.weighted_sum == pytest.approx(scalar["twfe"], abs=CONTROLS_TOL)
    mine = res.tidy().assign(untreated=lambda t: t.control.replace(0, np.inf))
    for quantity in ("estimate", "weight"):
        part = ref[ref.quantity == quantity].astype({"treated": float, "untreated": float})
        both = part.merge(mine, on=["treated", "untreated"], how="outer", indicator=True)
        assert (both["_merge"] == "both").all()
        np.testing.assert_allclose(both[quantity], both["value"], rtol=0, atol=CONTROLS_TOL)
        assert (both["type_x"].map(R_TYPES) == both["type_y"]).all()
    coef = twfe(castle, y="l_homicide", unit="sid", time="year", treat="post",
                covariates=CONTROL_SPECS[spec]).coef()["post"]
    assert res.twfe_estimate == pytest.approx(coef, abs=IDENTITY_ATOL)
    assert "within component" in res.summary()


def test_controlled_decomposition_identity_with_always_treated():
    df = simulate_panel(n_units=57, n_periods=9, effect=1.0, dynamic=0.4, seed=11,
                        cohorts=(1, 4, 6), never_treated=0.2)
    df["x"] = np.random.default_rng(3).normal(size=len(df)) + 0.1 * df["time"]
    res = bacon(df, y="y", unit="unit", time="time", cohort="cohort", covariates="x")
    assert "later_vs_always" in set(res.tidy().type)
    coef = twfe(df, y="y", unit="unit", time="time", treat="treat", covariates="x").coef()
    assert res.weighted_sum == pytest.approx(coef["treat"], abs=IDENTITY_ATOL)
    with pytest.raises(PanelError, match="nope"):
        bacon(df, y="y", unit="unit", time="time", cohort="cohort", covariates="nope")
