"""Property tests: DiD panels drawn at the edges (issue 28).

Hypothesis draws small panels: a few units per cohort (one treated unit, all units treated at
once, cohorts treated from the first period or after the last), with or without never-treated
units, constant outcomes, unbalanced panels, duplicate rows and missing outcomes. Every
estimator must either

- return finite estimates with positive, finite standard errors and p-values, or
- say why not: raise a ValueError (``PanelError`` included) with a message, or warn with a
  ``DataWarning``,

and never leak a bare numpy ``RuntimeWarning`` or another exception type (KeyError,
IndexError, ZeroDivisionError, LinAlgError, ...). Examples are few and derandomized: the suite
runs on a shared machine, and a failure must reproduce.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from econometrics import (
    DataWarning,
    att_gt,
    bacon,
    dcdh,
    event_study,
    imputation,
    sun_abraham,
    synthetic_control,
    synthetic_did,
    twfe,
)

EDGE = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
BASE = dict(y="y", unit="unit", time="time")


@st.composite
def edge_panels(draw) -> pd.DataFrame:
    """A small long panel: unit, time, cohort (0 = never), treat, y."""
    n_periods = draw(st.integers(2, 6))
    # cohort -> number of units; cohort 1 is treated from the first period, n_periods + 1
    # after the last one
    sizes = draw(st.dictionaries(st.integers(1, n_periods + 1), st.integers(1, 3),
                                 max_size=3))
    n_never = draw(st.integers(0, 3))
    unit_cohort = [0] * n_never + [g for g, n in sorted(sizes.items()) for _ in range(n)]
    if not unit_cohort:
        unit_cohort = [0]
    n_units = len(unit_cohort)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    unit = np.repeat(np.arange(1, n_units + 1), n_periods)
    time = np.tile(np.arange(1, n_periods + 1), n_units)
    cohort = np.repeat(unit_cohort, n_periods)
    treat = ((cohort > 0) & (time >= cohort)).astype(int)
    outcome = draw(st.sampled_from(["noise", "noise", "noise", "constant", "no_noise"]))
    if outcome == "constant":
        y = np.full(len(unit), 2.0)
    else:
        y = (rng.normal(size=n_units)[unit - 1] + rng.normal(size=n_periods)[time - 1]
             + 1.0 * treat)
        if outcome == "noise":
            y = y + rng.normal(scale=0.5, size=len(unit))
    df = pd.DataFrame({"unit": unit, "time": time, "cohort": cohort, "treat": treat, "y": y})
    n_nan = draw(st.integers(0, 2))
    if n_nan:
        rows = draw(st.lists(st.integers(0, len(df) - 1), min_size=n_nan, max_size=n_nan))
        df.loc[rows, "y"] = np.nan
    n_drop = min(draw(st.integers(0, 2)), len(df) - 1)
    if n_drop > 0:
        rows = draw(st.lists(st.integers(0, len(df) - 1), min_size=n_drop, max_size=n_drop,
                             unique=True))
        df = df.drop(index=rows)
    if draw(st.integers(0, 5)) == 0:
        df = pd.concat([df, df.iloc[[0]]])
    return df.reset_index(drop=True)


def _inference_ok(table: pd.DataFrame) -> bool:
    cols = [c for c in ("estimate", "std_error", "p_value") if c in table.columns]
    values = table[cols].to_numpy(dtype=float)
    se = table["std_error"].to_numpy(dtype=float)
    return bool(len(table) and np.all(np.isfinite(values)) and np.all(se > 0))


def check_outcome(call, data: pd.DataFrame) -> None:
    """The property: a finite result, a named refusal, or a DataWarning saying why not."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call(data)
        except ValueError as exc:  # PanelError is a ValueError
            assert str(exc), "a refusal must say why"
            return
    categories = {w.category for w in caught}
    leaked = [str(w.message) for w in caught
              if issubclass(w.category, RuntimeWarning | FutureWarning)]
    assert not leaked, f"numpy/pandas warnings leaked: {leaked}"
    if not _inference_ok(result.tidy()):
        assert DataWarning in categories, (
            f"SE 0 / NaN inference without a DataWarning:\n{result.tidy()}\n{data}")


ESTIMATORS = {
    "twfe": lambda d: twfe(d, **BASE, treat="treat"),
    "twfe_two_way_clusters": lambda d: twfe(d, **BASE, treat="treat", cluster=["unit", "time"]),
    "event_study": lambda d: event_study(d, **BASE, cohort="cohort"),
    "event_study_window": lambda d: event_study(d, **BASE, cohort="cohort", leads=1, lags=1),
    "callaway_santanna_path": lambda d: event_study(d, **BASE, cohort="cohort",
                                                    estimator="callaway_santanna"),
    "att_gt": lambda d: att_gt(d, **BASE, cohort="cohort", bootstrap=0),
    "att_gt_notyet_simple": lambda d: att_gt(d, **BASE, cohort="cohort", bootstrap=0,
                                             control="notyet").aggregate("simple"),
    "sun_abraham": lambda d: sun_abraham(d, **BASE, cohort="cohort"),
    "imputation": lambda d: imputation(d, **BASE, cohort="cohort"),
    "imputation_leads": lambda d: imputation(d, **BASE, cohort="cohort", leads=1),
    "dcdh": lambda d: dcdh(d, **BASE, treat="treat"),
}


@pytest.mark.parametrize("name", list(ESTIMATORS))
@EDGE
@given(data=edge_panels())
def test_edge_panel_is_estimated_or_refused_by_name(name, data):
    check_outcome(ESTIMATORS[name], data)


@EDGE
@given(data=edge_panels())
def test_bacon_edge_panel_sums_or_refuses(data):
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            res = bacon(data, **BASE, cohort="cohort")
        except ValueError as exc:
            assert str(exc)
            return
    t = res.tidy()
    assert len(t) and np.all(np.isfinite(t["estimate"].to_numpy(float)))
    assert np.isclose(t["weight"].sum(), 1.0)


@pytest.mark.parametrize("estimator", [synthetic_did, synthetic_control])
@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(n_treated=st.integers(1, 6), n_control=st.integers(1, 6), n_pre=st.integers(1, 4),
       constant=st.booleans(), se_method=st.sampled_from(["placebo", "jackknife"]))
def test_synthetic_edge_blocks(estimator, n_treated, n_control, n_pre, constant, se_method):
    """One adoption date: as many treated as controls, one pre-period, constant outcomes."""
    n_periods = n_pre + 2
    units = n_treated + n_control
    rng = np.random.default_rng(units * 10 + n_pre)
    unit = np.repeat(np.arange(units), n_periods)
    time = np.tile(np.arange(1, n_periods + 1), units)
    treat = ((unit < n_treated) & (time > n_pre)).astype(int)
    y = (np.full(len(unit), 1.0) if constant
         else rng.normal(size=len(unit)) + unit * 0.1 + treat)
    data = pd.DataFrame({"unit": unit, "time": time, "treat": treat, "y": y})
    check_outcome(lambda d: estimator(d, **BASE, treat="treat", se_method=se_method,
                                      replications=20, seed=1), data)


# ------------------------------------------------------------------ cases hypothesis found
def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit", "time", "cohort", "treat", "y"])


def test_dcdh_unbalanced_edge_panel_reports_the_missing_vcov():
    # Found by the property above: moderndid returned fewer influence functions than
    # horizons, and indexing the covariance raised an IndexError.
    y = [-0.15, 1.12, 1.09, -0.83, 1.12, 1.55, 1.45, -0.17, 1.84, 3.15, 3.11, -0.50, 1.15,
         1.08, 2.23]
    data = _frame([(1, t, 0, 0, 0) for t in (2, 3, 4)]
                  + [(2, t, 1, 1, 0) for t in (1, 2, 3, 4)]
                  + [(3, t, 2, int(t >= 2), 0) for t in (1, 2, 3, 4)]
                  + [(4, t, 4, int(t >= 4), 0) for t in (1, 2, 3, 4)]).assign(y=y)
    check_outcome(ESTIMATORS["dcdh"], data)


def test_event_study_variance_below_zero_by_rounding_is_not_nan():
    # Found by the property above: two units, a window of one lead and one lag (a perfect
    # fit); a variance of -1e-17 gave sqrt warnings and a NaN standard error, and one of
    # +1e-17 a standard error of 1e-8 without a word. Both now warn (DataWarning).
    y = [1.704171, 0.238193, 0.854615, 0.196681, 0.993458, -0.830290, 1.120094]
    data = _frame([(1, t, 1, 1, 0) for t in (2, 3, 4)]
                  + [(2, t, 2, int(t >= 2), 0) for t in (1, 2, 3, 4)]).assign(y=y)
    check_outcome(ESTIMATORS["event_study_window"], data)
    with pytest.warns(DataWarning, match="default clusters. has only 2 clusters"), \
            pytest.warns(DataWarning, match="standard error is 0 or undefined"):
        ESTIMATORS["event_study_window"](data.assign(y=np.round(data.y, 2)))
