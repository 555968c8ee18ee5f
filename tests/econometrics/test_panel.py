"""Data preparation and checks shared by every estimator (econometrics._panel)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from econometrics import DataWarning, PanelError, check_choice, normalize_cohort, prepare_panel


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame({
        "county": ["b", "b", "b", "a", "a", "a", "c", "c", "c"],
        "year": [2003, 2002, 2001] * 3,
        "share": np.arange(9, dtype=float),
        "first": [2002, 2002, 2002, 0, 0, 0, np.inf, np.inf, np.inf],
        "x": np.linspace(0, 1, 9),
        "city": [1, 1, 1, 1, 1, 1, 2, 2, 2],
    })


def test_normalize_cohort_codes_never_treated_as_zero():
    out = normalize_cohort([2005, 0, np.nan, np.inf, None])
    assert out.dtype == float
    assert out.tolist() == [2005.0, 0.0, 0.0, 0.0, 0.0]
    with pytest.raises(PanelError, match="negative"):
        normalize_cohort([2005, -1])
    with pytest.raises(PanelError, match="numeric"):
        normalize_cohort(["2005", "later"])


def test_check_choice_names_argument_and_allowed_values():
    assert check_choice("estimator", "twfe", ("twfe", "imputation")) == "twfe"
    with pytest.raises(ValueError, match=r"estimator='cs' must be one of \['twfe', 'imputation'\]"):
        check_choice("estimator", "cs", ("twfe", "imputation"))


def test_prepare_panel_facts_and_canonical_columns(df):
    with pytest.warns(DataWarning, match="cluster column 'city' has only 2 clusters"):
        p = prepare_panel(df, y="share", unit="county", time="year", cohort="first",
                          covariates="x", cluster="city")
    f = p.frame
    assert list(f["_unit"]) == ["a"] * 3 + ["b"] * 3 + ["c"] * 3  # sorted by unit, time
    assert list(f["_time"][:3]) == [2001, 2002, 2003] and f["_time"].dtype == np.int64
    assert f.loc[f["_unit"] == "b", "_treat"].tolist() == [0.0, 1.0, 1.0]
    assert f.loc[f["_unit"] == "c", "_cohort"].tolist() == [0.0] * 3
    assert (p.n_units, p.n_obs, p.balanced, p.cohorts) == (3, 9, True, (2002.0,))
    assert (p.n_never_treated, p.n_always_treated, p.n_clusters) == (2, 0, (2,))
    assert p.times.tolist() == [2001, 2002, 2003]
    assert p.names["cluster"] == ("city",) and p.covariates == ("x",)
    assert p.unit_cohort().to_dict() == {"a": 0.0, "b": 2002.0, "c": 0.0}
    assert p.notes == ()


def test_treatment_column_implies_cohort(df):
    df = df.assign(d=((df["first"] > 0) & np.isfinite(df["first"])
                      & (df["year"] >= df["first"])).astype(int))
    p = prepare_panel(df, y="share", unit="county", time="year", treat="d")
    assert p.unit_cohort().to_dict() == {"a": 0.0, "b": 2002.0, "c": 0.0}
    q = prepare_panel(df, y="share", unit="county", time="year", treat="d", cohort="first")
    pd.testing.assert_frame_equal(p.frame[["_treat", "_cohort"]], q.frame[["_treat", "_cohort"]])


def test_unbalanced_and_missing_rows_are_reported(df):
    df = df.drop(index=[0]).reset_index(drop=True)
    df.loc[3, "share"] = np.nan
    p = prepare_panel(df, y="share", unit="county", time="year")
    assert not p.balanced and p.n_obs == 7
    assert any("dropped 1 rows with missing values in ['share']" in n for n in p.notes)
    assert any("unbalanced panel: 2 of 3 units" in n for n in p.notes)


def test_always_treated_and_no_never_treated_are_reported(df):
    p = prepare_panel(df.assign(first=2001), y="share", unit="county", time="year",
                      cohort="first")
    assert p.n_always_treated == 3
    assert any("never observed untreated" in n for n in p.notes)
    assert any("no never-treated units" in n for n in p.notes)


@pytest.mark.parametrize("change, kwargs, message", [
    (lambda d: d, {"y": "nope"}, r"'nope' \(y=\)"),
    (lambda d: d.assign(share=d["share"].astype(str)), {}, "outcome column 'share' must be"),
    (lambda d: d.assign(share=pd.Categorical(d["share"])), {}, "must be numeric"),
    (lambda d: pd.concat([d, d.iloc[[0]]]), {}, r"duplicate \(county, year\) rows: \[\('b', 20"),
    (lambda d: d.assign(year=d["year"] + 0.5), {"cohort": "first"}, "integer periods"),
    (lambda d: d.assign(year=d["year"] - 2002), {"cohort": "first"}, "periods <= 0"),
    (lambda d: d.assign(first=d["year"]), {"cohort": "first"}, "varies within units"),
    (lambda d: d.assign(d=[0, 1, 0, 0, 0, 0, 0, 0, 0]), {"treat": "d"}, "switches off"),
    (lambda d: d.assign(d=2), {"treat": "d"}, "must be 0/1"),
    (lambda d: d.assign(d=0), {"treat": "d", "cohort": "first"}, "disagrees with cohort"),
    (lambda d: d.assign(w=0.0), {"weights": "w"}, "strictly positive"),
    (lambda d: d.assign(county=None), {}, "unit column 'county' has 9 missing"),
    (lambda d: d.iloc[:0], {}, "no rows"),
    (lambda d: d.rename(columns={"x": "_x"}), {"covariates": "_x"}, "underscore"),
], ids=["missing_column", "string_outcome", "categorical_outcome", "duplicates",
        "fractional_periods", "nonpositive_periods", "cohort_varies", "switch_off", "non_binary",
        "treat_vs_cohort", "weights", "missing_unit", "empty", "underscore"])
def test_invalid_panels(df, change, kwargs, message):
    args = {"y": "share", "unit": "county", "time": "year", **kwargs}
    with pytest.raises(PanelError, match=message):
        prepare_panel(change(df), **args)


def test_not_a_dataframe():
    with pytest.raises(PanelError, match="pandas DataFrame"):
        prepare_panel({"a": [1]}, y="a", unit="a", time="a")


def test_user_frame_is_not_mutated(df):
    before = df.copy(deep=True)
    with pytest.warns(DataWarning, match="only 2 clusters"):
        p = prepare_panel(df, y="share", unit="county", time="year", cohort="first",
                          covariates="x", cluster="city")
    p.frame.loc[0, "_y"] = -99.0  # the panel holds a copy
    pd.testing.assert_frame_equal(df, before)
