"""A corpus of awkward inputs: each gives a correct (finite) result or an error naming the column
or argument and what is wrong; never NaN estimates without an error or a warning naming the cause.

Every case: (id, estimator, change to the data, keyword arguments, expected outcome). The outcome
is ``ok`` (finite estimates and standard errors, no warning), ``warn`` (finite, with a
DataWarning whose message matches), or an exception type with a message pattern.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

from econometrics import (
    DataWarning,
    PanelError,
    att_gt,
    bacon,
    compare_estimators,
    dcdh,
    event_study,
    honest_did,
    imputation,
    simulate_panel,
    sun_abraham,
    synthetic_control,
    synthetic_did,
    twfe,
    wild_bootstrap,
)

BASE = dict(y="y", unit="unit", time="time")


def _panel() -> pd.DataFrame:
    df = simulate_panel(n_units=48, n_periods=6, cohorts=(3, 5), effect=1.0, seed=11)
    rng = np.random.default_rng(5)
    df["x"] = rng.normal(size=len(df))
    df["w"] = np.repeat(rng.uniform(0.5, 2.0, size=48), 6)
    df["region"] = (df["unit"] - 1) // 6  # blocks of units: one cohort per region
    df["zone"] = df["unit"] % 4  # cohorts mixed within zones
    return df


def _block(n_treated: int, n_control: int, seed: int = 5) -> pd.DataFrame:
    """One adoption date (period 5 of 8): ``n_treated`` treated and ``n_control`` never."""
    d = simulate_panel(n_units=n_treated + n_control, n_periods=8, cohorts=(5,), effect=1.0,
                       never_treated=0.5, seed=seed)
    treated = d["unit"] <= n_treated
    d["cohort"] = np.where(treated, 5, 0)
    d["treat"] = (treated & (d["time"] >= 5)).astype(int)
    return d


def _switching(df):
    """Treated units of cohort 3 leave the treatment in the last period (on, then off)."""
    df = df.copy()
    df.loc[(df["cohort"] == 3) & (df["time"] == df["time"].max()), "treat"] = 0
    return df


def _drop_rows(df, rows=(7, 20, 33)):
    return df.drop(index=list(rows)).reset_index(drop=True)


def _set(df, column, value, row=7):
    df = df.copy()
    if df[column].dtype.kind in "iub" and not isinstance(value, int | bool):
        df[column] = df[column].astype(float)
    df.loc[row, column] = value
    return df


# estimators called on (data, **kwargs); the cohort-based ones get cohort="cohort".
CALLS = {
    "twfe": lambda d, **k: twfe(d, **{**BASE, "treat": "treat", **k}),
    "event_study": lambda d, **k: event_study(d, **{**BASE, "cohort": "cohort", **k}),
    "att_gt": lambda d, **k: att_gt(d, **{**BASE, "cohort": "cohort", "bootstrap": 0, **k}),
    "sun_abraham": lambda d, **k: sun_abraham(d, **{**BASE, "cohort": "cohort", **k}),
    "imputation": lambda d, **k: imputation(d, **{**BASE, "cohort": "cohort", **k}),
    "bacon": lambda d, **k: bacon(d, **{**BASE, "cohort": "cohort", **k}),
    # dCDH with a treatment that may switch: treat= by default (cohort= when given)
    "dcdh": lambda d, **k: dcdh(d, **{**BASE, **({} if "cohort" in k else {"treat": "treat"}),
                                      "leads": 2, "lags": 1, **k}),
}
# issue 28: one-adoption-date estimators (on a block panel from _block), sensitivity and the
# wild bootstrap (on a fit of the data), and the comparison.
CALLS |= {
    "synthetic_did": lambda d, **k: synthetic_did(
        d, **{**BASE, "treat": "treat", "replications": 20, "seed": 1, **k}),
    "synthetic_control": lambda d, **k: synthetic_control(
        d, **{**BASE, "treat": "treat", "replications": 20, "seed": 1, **k}),
    "honest_did": lambda d, **k: honest_did(event_study(d, **BASE, cohort="cohort"), **k),
    "wild_bootstrap": lambda d, **k: wild_bootstrap(
        twfe(d, **BASE, treat="treat", **k.pop("fit", {})), **{"n_boot": 99, "seed": 1, **k}),
    "att_gt_aggregate": lambda d, kind="group", **k: att_gt(
        d, **BASE, cohort="cohort", bootstrap=0).aggregate(kind, **k),
    "compare_estimators": lambda d, **k: compare_estimators(
        d, **{**BASE, "cohort": "cohort", "estimators": ["twfe", "sun_abraham"], **k}),
}
STAGGERED = ("event_study", "att_gt", "sun_abraham", "imputation", "bacon")
ALL = ("twfe", *STAGGERED)
no_change = None

CASES = [
    # ---- non-finite values anywhere
    *[(f"inf_outcome-{e}", e, lambda d: _set(d, "y", np.inf), {}, PanelError,
       r"outcome column 'y' has 1 infinite values") for e in ALL],
    *[(f"inf_late_covariate-{e}", e, lambda d: _set(d, "x", -np.inf, row=11),
       {"covariates": "x"}, PanelError, r"covariate column 'x' has 1 infinite")
      for e in ("twfe", "att_gt", "imputation")],
    ("inf_weight-twfe", "twfe", lambda d: _set(d, "w", np.inf), {"weights": "w"}, PanelError,
     r"weights column 'w' has 1 infinite"),
    ("nan_outcome-twfe", "twfe", lambda d: _set(d, "y", np.nan), {}, "ok", None),
    ("nan_outcome-att_gt", "att_gt", lambda d: _set(d, "y", np.nan), {}, "warn",
     r"balanced the panel: dropped 1 units"),
    ("nan_unit", "twfe", lambda d: _set(d, "unit", np.nan), {}, PanelError,
     r"unit column 'unit' has 1 missing"),
    ("nan_time", "event_study", lambda d: _set(d, "time", np.nan), {}, PanelError,
     r"time column 'time' has 1 missing"),
    ("inf_cohort_means_never", "att_gt",
     lambda d: d.assign(cohort=d.cohort.replace(0, np.inf)), {}, "ok", None),
    # ---- duplicated unit-time rows
    *[(f"duplicate_rows-{e}", e, lambda d: pd.concat([d, d.iloc[[3]]]), {}, PanelError,
       r"duplicate \(unit, time\) rows: \[\(1, 4\)\]") for e in ALL],
    # ---- treatment switching off (absorbing treatment required)
    ("switch_off-twfe", "twfe", lambda d: _set(d, "treat", 0, row=d.index[d.treat == 1][-1]),
     {}, PanelError, r"treatment 'treat' switches off .* not supported by this estimator"),
    ("treat_not_binary", "twfe", lambda d: _set(d, "treat", 2), {}, PanelError,
     r"treatment column 'treat' must be 0/1"),
    # ---- cohort coding mistakes
    *[(f"fractional_cohort-{e}", e,
       lambda d: d.assign(cohort=d.cohort.replace(3, 3.5)), {}, PanelError,
       r"cohort column 'cohort' must hold integer periods.*\[3.5\]") for e in STAGGERED],
    *[(f"ever_treated_dummy-{e}", e,
       lambda d: d.assign(time=d.time + 2000, cohort=(d.cohort > 0).astype(int)), {},
       PanelError,
       r"cohort column 'cohort' holds 0/1 values.*not an ever-treated dummy")
      for e in ("event_study", "att_gt", "sun_abraham", "imputation")],
    ("cohort_varies", "att_gt", lambda d: d.assign(cohort=d.time), {}, PanelError,
     r"cohort column 'cohort' varies within units"),
    ("negative_cohort", "att_gt", lambda d: d.assign(cohort=d.cohort.replace(3, -3)), {},
     PanelError, r"cohort column 'cohort' must hold a first treated period"),
    ("string_cohort", "event_study", lambda d: d.assign(cohort=d.cohort.astype(str) + "y"),
     {}, PanelError, r"cohort column 'cohort' must be numeric"),
    ("nonpositive_periods", "att_gt",
     lambda d: d.assign(time=d.time - 3, cohort=d.cohort.where(d.cohort == 0, d.cohort - 3)),
     {}, PanelError, r"time column 'time' has periods <= 0"),
    # ---- dtypes
    ("categorical_outcome", "twfe", lambda d: d.assign(y=pd.Categorical(d.y)), {}, PanelError,
     r"outcome column 'y' must be numeric, got dtype category"),
    ("string_outcome", "att_gt", lambda d: d.assign(y=d.y.astype(str)), {}, PanelError,
     r"outcome column 'y' must be numeric"),
    ("categorical_unit-twfe", "twfe", lambda d: d.assign(unit=pd.Categorical(d.unit)), {},
     "ok", None),
    ("categorical_unit-att_gt", "att_gt",
     lambda d: d.assign(unit=pd.Categorical(d.unit.astype(str))), {}, "ok", None),
    ("string_unit-event_study", "event_study", lambda d: d.assign(unit="u" + d.unit.astype(str)),
     {}, "ok", None),
    ("categorical_cohort", "att_gt", lambda d: d.assign(cohort=pd.Categorical(d.cohort)), {},
     "ok", None),
    ("nullable_int_outcome", "twfe",
     lambda d: d.assign(y=pd.array(np.round(d.y * 100), dtype="Int64")), {}, "ok", None),
    ("nullable_na_outcome", "twfe",
     lambda d: _set(d.assign(y=pd.array(d.y, dtype="Float64")), "y", pd.NA), {}, "ok", None),
    ("nullable_cohort_na_never", "att_gt",
     lambda d: d.assign(cohort=pd.array(d.cohort.where(d.cohort > 0), dtype="Int64")), {},
     "ok", None),
    ("nullable_cohort-sun_abraham", "sun_abraham",
     lambda d: d.assign(cohort=pd.array(d.cohort, dtype="Int64")), {}, "ok", None),
    ("nullable_time", "event_study", lambda d: d.assign(time=pd.array(d.time, dtype="Int64")),
     {}, "ok", None),
    ("boolean_treat", "twfe", lambda d: d.assign(treat=d.treat.astype(bool)), {}, "ok", None),
    ("string_time_cohort", "att_gt", lambda d: d.assign(time="t" + d.time.astype(str)), {},
     PanelError, r"time column 'time' must hold integer periods"),
    ("fractional_time", "event_study", lambda d: d.assign(time=d.time + 0.5), {}, PanelError,
     r"time column 'time' must hold integer periods"),
    *[(f"polars-{e}", e, pl.from_pandas, {}, "ok", None)
      for e in ("twfe", "att_gt", "event_study")],
    ("not_a_frame", "twfe", lambda d: d.to_dict(), {}, PanelError,
     r"data must be a pandas DataFrame \(or a polars frame\), got dict"),
    ("empty_frame", "twfe", lambda d: d.iloc[:0], {}, PanelError, r"data has no rows"),
    # ---- designs that cannot identify the effect
    ("nobody_treated-twfe", "twfe", lambda d: d.assign(treat=0), {}, PanelError,
     r"treatment 'treat' does not vary"),
    *[(f"nobody_treated-{e}", e, lambda d: d.assign(cohort=0), {}, PanelError, pattern)
      for e, pattern in (("att_gt", r"no treated cohort"), ("event_study", r"no treated unit"),
                         ("sun_abraham", r"no treated cohort"),
                         ("imputation", r"no treated observation"))],
    ("one_adoption_date_no_controls-twfe", "twfe",
     lambda d: d.assign(treat=(d.time >= 4).astype(int)), {}, PanelError,
     r"'treat' is collinear with the other regressors and the unit and period effects"),
    ("one_adoption_date_no_controls-att_gt", "att_gt", lambda d: d.assign(cohort=4), {},
     PanelError, r"no never-treated units .* control='notyet'"),
    ("one_adoption_date_notyet-att_gt", "att_gt", lambda d: d.assign(cohort=4),
     {"control": "notyet"}, PanelError, r"no treated cohort"),
    ("collinear_covariates-twfe", "twfe", lambda d: d.assign(x2=2 * d.x),
     {"covariates": ["x", "x2"]}, PanelError, r"'x', 'x2' are collinear"),
    ("collinear_covariates-att_gt", "att_gt", lambda d: d.assign(x2=2 * d.x),
     {"covariates": ["x", "x2"]}, PanelError, r"collinear covariates"),
    ("collinear_covariates-imputation", "imputation", lambda d: d.assign(x2=2 * d.x),
     {"covariates": ["x", "x2"]}, PanelError, r"collinear covariates"),
    ("unit_constant_covariate-twfe", "twfe", lambda d: d.assign(z=d.unit * 1.0),
     {"covariates": "z"}, PanelError, r"'z' is collinear"),
    *[(f"treated_first_period-{e}", e, lambda d: d.assign(cohort=d.cohort.replace(5, 1)), {},
       *expect) for e, expect in (
          ("att_gt", ("warn", r"already treated in the first period 1")),
          ("sun_abraham", ("ok", None)), ("imputation", ("ok", None)))],
    ("anticipation_drops_cohort", "att_gt", lambda d: d, {"anticipation": 2}, "warn",
     r"cohorts \[3\] already treated in the first period 1 \(net of anticipation=2\)"),
    # ---- weights
    ("zero_weights", "twfe", lambda d: _set(d, "w", 0.0), {"weights": "w"}, PanelError,
     r"weights column 'w' must be strictly positive"),
    ("weights_vary_within_unit", "att_gt", lambda d: _set(d, "w", 9.0), {"weights": "w"},
     PanelError, r"weights column 'w' varies within units"),
    ("weights-event_study", "event_study", lambda d: d, {"weights": "w"}, "ok", None),
    ("weights-att_gt", "att_gt", lambda d: d, {"weights": "w"}, "ok", None),
    ("weights-sun_abraham", "sun_abraham", lambda d: d, {"weights": "w"}, "ok", None),
    ("weights-imputation", "imputation", lambda d: d, {"weights": "w"}, "ok", None),
    # ---- arguments
    ("missing_column", "att_gt", lambda d: d, {"covariates": ["x", "nope"]}, PanelError,
     r"'nope' \(covariates=\)"),
    ("bootstrap_true", "att_gt", lambda d: d, {"bootstrap": True}, ValueError,
     r"bootstrap=True must be a non-negative number of draws"),
    ("several_references", "event_study", lambda d: d, {"reference": [-1, -4]}, "ok", None),
    ("reference_string", "event_study", lambda d: d, {"reference": "a"}, ValueError,
     r"reference='a' must be an integer event time"),
    ("reference_list-sun_abraham", "sun_abraham", lambda d: d, {"reference": [-1, -2]},
     ValueError, r"reference=\[-1, -2\] must be one integer event time for sun_abraham"),
    ("negative_leads", "event_study", lambda d: d, {"leads": -2}, ValueError,
     r"leads=-2 must be a non-negative integer"),
    ("unknown_estimator", "event_study", lambda d: d, {"estimator": "cs"}, ValueError,
     r"estimator='cs' must be one of \['twfe', 'callaway_santanna'"),
    ("anticipation_negative", "att_gt", lambda d: d, {"anticipation": -1}, ValueError,
     r"anticipation=-1 must be a non-negative integer"),
    ("conf_level_zero", "att_gt", lambda d: d, {"conf_level": 0}, ValueError,
     r"conf_level=0 must be strictly between 0 and 1"),
    ("cband_string", "att_gt", lambda d: d, {"cband": "yes"}, ValueError,
     r"cband='yes' must be True or False"),
    ("three_clusters", "twfe", lambda d: d, {"cluster": ["unit", "time", "region"]},
     PanelError, r"cluster= takes one or two columns"),
    ("lags_bool", "imputation", lambda d: d, {"lags": True}, ValueError,
     r"lags=True must be a non-negative integer"),
    # ---- dCDH (switching treatments)
    ("switching-dcdh", "dcdh", _switching, {}, "ok", None),
    ("absorbing-dcdh", "dcdh", lambda d: d, {}, "ok", None),
    ("cohort-dcdh", "dcdh", lambda d: d, {"cohort": "cohort"}, "ok", None),
    ("non_binary-dcdh", "dcdh", lambda d: d.assign(treat=d.treat * (1 + d.unit % 2)), {}, "ok",
     None),
    ("covariate_weights_cluster-dcdh", "dcdh", lambda d: d,
     {"covariates": "x", "weights": "w", "cluster": "region"}, "ok", None),
    ("nan_outcome-dcdh", "dcdh", lambda d: _set(d, "y", np.nan), {}, "ok", None),
    ("unbalanced-dcdh", "dcdh", _drop_rows, {}, "ok", None),
    ("polars-dcdh", "dcdh", lambda d: pl.from_pandas(_switching(d)), {}, "ok", None),
    ("negative_treat-dcdh", "dcdh", lambda d: _set(d, "treat", -1.0), {}, PanelError,
     r"treatment column 'treat' must be finite and non-negative"),
    ("inf_treat-dcdh", "dcdh", lambda d: _set(d, "treat", np.inf), {}, PanelError,
     r"treatment column 'treat' must be finite and non-negative"),
    ("inf_outcome-dcdh", "dcdh", lambda d: _set(d, "y", np.inf), {}, PanelError,
     r"outcome column 'y' has 1 infinite values"),
    ("duplicate_row-dcdh", "dcdh", lambda d: pd.concat([d, d.iloc[[3]]]), {}, PanelError,
     r"duplicate \(unit, time\) rows"),
    ("never_switches-dcdh", "dcdh", lambda d: d.assign(treat=0), {}, PanelError,
     r"treatment 'treat' never changes within a unit"),
    ("treat_and_cohort-dcdh", "dcdh", lambda d: d, {"cohort": "cohort", "treat": "treat"},
     ValueError, r"exactly one of treat="),
    ("reference-dcdh", "dcdh", lambda d: d, {"reference": -2}, ValueError,
     r"reference=-2: dCDH compares every switcher with the period before"),
    ("switchers_bad-dcdh", "dcdh", lambda d: d, {"switchers": "up"}, ValueError,
     r"switchers='up' must be one of"),
    ("two_clusters-dcdh", "dcdh", lambda d: d, {"cluster": ["unit", "region"]}, ValueError,
     r"dcdh takes one cluster column"),
    ("normalized_string-dcdh", "dcdh", lambda d: d, {"normalized": "yes"}, ValueError,
     r"normalized='yes' must be True or False"),
    ("switching-twfe", "twfe", _switching, {}, PanelError,
     r"switches off \(1 then 0\).*use econometrics.dcdh"),
    # ---- att_gt: unbalanced panels and repeated cross-sections
    ("unbalanced_kept-att_gt", "att_gt", _drop_rows, {"allow_unbalanced_panel": True}, "ok",
     None),
    ("unbalanced_dr_covariate-att_gt", "att_gt", _drop_rows,
     {"allow_unbalanced_panel": True, "covariates": "x", "weights": "w"}, "ok", None),
    ("rcs-att_gt", "att_gt", lambda d: d.assign(row=np.arange(len(d))),
     {"panel": False, "unit": "row", "method": "ipw", "covariates": "x"}, "ok", None),
    ("rcs_repeated_units-att_gt", "att_gt", lambda d: d, {"panel": False}, PanelError,
     r"unit column 'unit' repeats across periods, but panel=False"),
    ("panel_string-att_gt", "att_gt", lambda d: d, {"panel": "no"}, ValueError,
     r"panel='no' must be True or False"),
    ("allow_unbalanced_int-att_gt", "att_gt", lambda d: d, {"allow_unbalanced_panel": 1},
     ValueError, r"allow_unbalanced_panel=1 must be True or False"),
    # ---- extra fixed effects
    *[(f"fe_zone_time-{e}", e, lambda d: d, {"fe": "zone^time"}, "ok", None)
      for e in ("twfe", "event_study", "sun_abraham")],
    ("fe_absorbs_treatment-twfe", "twfe", lambda d: d, {"fe": "region^time"}, PanelError,
     r"'treat' is collinear with the other regressors and the unit and period effects"),
    ("fe_unit_constant-twfe", "twfe", lambda d: d, {"fe": ["region"]}, "ok", None),
    ("fe_missing_value-twfe", "twfe", lambda d: _set(d, "zone", np.nan), {"fe": "zone^time"},
     "ok", None),
    ("fe_unknown_column-twfe", "twfe", lambda d: d, {"fe": "nope^time"}, PanelError,
     r"'nope' \(fe=\)"),
    ("fe_malformed-event_study", "event_study", lambda d: d, {"fe": "region^"}, ValueError,
     r"fe='region\^': each fixed effect must be a column name"),
    ("fe_not_string-sun_abraham", "sun_abraham", lambda d: d, {"fe": [1]}, ValueError,
     r"fe=\[1\]: each fixed effect must be a column name"),
    ("fe_collinear_covariate-twfe", "twfe", lambda d: d.assign(zx=d.zone * d.time),
     {"fe": "zone^time", "covariates": "zx"}, PanelError, r"'zx' is collinear"),
    # ---- issue 28: the cases it names, and the classes they stand for
    # inference that would be meaningless: refused, or warned about by name
    *[(f"constant_outcome-{e}", e, lambda d: d.assign(y=1.0), {}, PanelError,
       r"outcome column 'y' is constant") for e in ("twfe", "att_gt", "sun_abraham",
                                                     "imputation", "dcdh")],
    *[(f"constant_outcome-{e}", e, lambda d: _block(3, 20).assign(y=1.0), {}, PanelError,
       r"outcome column 'y' is constant") for e in ("synthetic_did", "synthetic_control")],
    *[(f"outcome_as_covariate-{e}", e, lambda d: d, {"covariates": "y"}, PanelError,
       r"covariate 'y' is the outcome column") for e in ("twfe", "att_gt", "imputation")],
    *[(f"one_treated_one_never-{e}", e, lambda d: _block(1, 1), {}, "warn",
       r"standard error is 0 or undefined") for e in ("twfe", "att_gt")],
    ("one_treated_one_never-synthetic_did", "synthetic_did", lambda d: _block(1, 1), {},
     PanelError, r"needs at least two never-treated control units"),
    *[(f"placebo_{t}_treated_{c}_controls-synthetic_did", "synthetic_did",
       lambda d, t=t, c=c: _block(t, c), {}, PanelError,
       r"se_method='placebo' needs more controls than treated units")
      for t, c in ((15, 15), (20, 10))],
    ("placebo_15_15-synthetic_control", "synthetic_control", lambda d: _block(15, 15), {},
     PanelError, r"needs more control units \(15\) than treated units \(15\)"),
    ("jackknife_15_15-synthetic_did", "synthetic_did", lambda d: _block(15, 15),
     {"se_method": "jackknife"}, "ok", None),
    ("placebo_3_20-synthetic_did", "synthetic_did", lambda d: _block(3, 20), {}, "ok", None),
    # few clusters: one is refused; two to four are computed (as fixest) with a DataWarning
    *[(f"single_cluster-{e}", e, lambda d: d.assign(c=1), {"cluster": "c"}, PanelError,
       r"cluster column 'c' has a single cluster") for e in ("twfe", "sun_abraham",
                                                              "imputation", "att_gt")],
    *[(f"two_clusters-{e}", e, lambda d: d.assign(c=d.unit % 2), {"cluster": "c"}, "warn",
       r"cluster column 'c' has only 2 clusters.*rank 1")
      for e in ("twfe", "event_study", "sun_abraham", "imputation", "att_gt")],
    ("four_clusters-twfe", "twfe", lambda d: d.assign(c=d.unit % 4), {"cluster": "c"}, "warn",
     r"has only 4 clusters"),
    ("five_clusters-twfe", "twfe", lambda d: d.assign(c=d.unit % 5), {"cluster": "c"}, "ok",
     None),
    ("two_clusters-wild_bootstrap", "wild_bootstrap", lambda d: d.assign(c=d.unit % 2),
     {"fit": {"cluster": "c"}}, "warn", r"wild_bootstrap with only 2 clusters"),
    ("two_way_not_psd-sun_abraham", "sun_abraham", lambda d: d,
     {"cluster": ["unit", "time"]}, "ok", None),
    # confidence levels, in every estimator that takes one
    *[(f"conf_level_{label}-{e}", e, lambda d: d, {"conf_level": v}, ValueError,
       r"conf_level=.* must be strictly between 0 and 1")
      for e in ("twfe", "event_study", "sun_abraham", "imputation", "dcdh", "honest_did")
      for label, v in (("1.5", 1.5), ("0", 0), ("nan", float("nan")), ("95%", "95%"),
                       ("True", True), ("None", None))],
    *[(f"conf_level_{label}-{e}", e, lambda d: _block(3, 20), {"conf_level": v}, ValueError,
       r"conf_level=") for e in ("synthetic_did", "synthetic_control")
      for label, v in (("95%", "95%"), ("1", 1))],
    # event windows and reference periods
    *[(f"lags_minus_one-{e}", e, lambda d: d, {"lags": -1}, ValueError,
       r"lags=-1 must be a non-negative integer") for e in ("sun_abraham", "event_study",
                                                            "imputation", "dcdh")],
    *[(f"reference_{r}-{e}", e, lambda d: d, {"reference": r}, ValueError,
       r"is a treated period .* must be a pre-treatment event time < 0")
      for e in ("event_study", "sun_abraham") for r in (0, 2)],
    ("reference_list_with_0-event_study", "event_study", lambda d: d, {"reference": [-1, 0]},
     ValueError, r"event time \[0\] is a treated period"),
    ("reference_outside_window-sun_abraham", "sun_abraham", lambda d: d, {"leads": 0},
     PanelError, r"reference=-1 .* outside the event window: leads=0"),
    ("ever_treated_dummy_first_period-event_study", "event_study",
     lambda d: d.assign(cohort=(d.cohort > 0).astype(int)), {}, ValueError,
     r"must lie in the event window .* an ever-treated 0/1 dummy"),
    # HonestDiD bounds
    ("m_0.1-honest_did", "honest_did", lambda d: d, {"m": 0.1}, "ok", None),
    *[(f"m_{label}-honest_did", "honest_did", lambda d: d, {"m": v}, ValueError, r"m=")
      for label, v in (("True", True), ("empty", []), ("negative", [-1.0]), ("nan", [np.nan]),
                       ("string", "0.5"), ("mapping", {"a": 0.5}), ("bool_in_list", [0.5, True]))],
    ("target_True-honest_did", "honest_did", lambda d: d, {"target": True}, ValueError,
     r"target=True must be a post-treatment event time"),
    ("grid_points_0-honest_did", "honest_did", lambda d: d, {"grid_points": 0}, ValueError,
     r"grid_points=0 must be an integer >= 2"),
    # numpy numbers wherever Python numbers are accepted
    *[(f"numpy_{arg}-{e}", e, lambda d: d, {arg: v}, "ok", None) for e, arg, v in (
        ("twfe", "conf_level", np.float32(0.9)),
        ("event_study", "leads", np.int64(2)), ("event_study", "reference", np.int32(-2)),
        ("sun_abraham", "lags", np.uint8(1)), ("sun_abraham", "reference", np.int64(-2)),
        ("imputation", "leads", np.int64(1)), ("att_gt", "anticipation", np.int64(0)),
        ("att_gt", "cband", np.bool_(False)), ("dcdh", "normalized", np.bool_(True)),
        ("event_study", "bin_endpoints", np.bool_(False)), ("honest_did", "m", np.float64(0.5)),
        ("honest_did", "target", np.int64(1)), ("honest_did", "m", np.array([0.5, 1.0])),
    )],
    ("numpy_bootstrap-att_gt", "att_gt", lambda d: d, {"bootstrap": np.int64(20), "seed": 1},
     "ok", None),
    ("numpy_seed-synthetic_did", "synthetic_did", lambda d: _block(3, 20),
     {"seed": np.uint32(5), "replications": np.int64(20)}, "ok", None),
    ("bootstrap_one_draw-att_gt", "att_gt", lambda d: d, {"bootstrap": 1}, ValueError,
     r"bootstrap=1 .* at least 2"),
    ("n_boot_float-wild_bootstrap", "wild_bootstrap", lambda d: d, {"n_boot": 99.5},
     ValueError, r"n_boot=99.5 must be an integer"),
    # one column in two roles, empty or repeated column lists, a missing required column
    ("outcome_is_unit-twfe", "twfe", lambda d: d, {"y": "unit"}, PanelError,
     r"y='unit' and unit='unit' name the same column"),
    ("unit_is_time-event_study", "event_study", lambda d: d, {"unit": "time"}, PanelError,
     r"unit='time' and time='time' name the same column"),
    ("cluster_empty-twfe", "twfe", lambda d: d, {"cluster": []}, PanelError,
     r"cluster=\[\] names no column"),
    ("cluster_twice-twfe", "twfe", lambda d: d, {"cluster": ["unit", "unit"]}, PanelError,
     r"lists the column 'unit' twice"),
    ("treat_none-twfe", "twfe", lambda d: d, {"treat": None}, PanelError,
     r"treat=None: this estimator needs the 0/1 treatment column"),
    *[(f"cohort_none-{e}", e, lambda d: d, {"cohort": None}, (PanelError, ValueError),
       r"cohort=None") for e in ("event_study", "sun_abraham", "imputation", "att_gt",
                                 "bacon", "compare_estimators")],
    ("cluster_list_with_unit-att_gt", "att_gt", lambda d: d, {"cluster": ["unit", "region"]},
     "ok", None),
    ("cluster_list_without_unit-att_gt", "att_gt", lambda d: d,
     {"cluster": ["zone", "region"]}, ValueError,
     r"att_gt clusters by one column besides the unit"),
    ("balance_e_group-att_gt", "att_gt_aggregate", lambda d: d, {"balance_e": 1}, ValueError,
     r"balance_e=1 applies to the dynamic aggregation only"),
    ("estimators_empty-compare", "compare_estimators", lambda d: d, {"estimators": []},
     ValueError, r"estimators=\[\] names no estimator"),
    ("estimators_twice-compare", "compare_estimators", lambda d: d,
     {"estimators": ["twfe", "twfe"]}, ValueError, r"lists \['twfe'\] more than once"),
    ("all_at_once-bacon", "bacon", lambda d: d.assign(cohort=4), {}, PanelError,
     r"every unit is in one timing group .* no comparison group"),
]


def _check_finite(result):
    if not hasattr(result, "tidy"):  # the wild bootstrap: one test
        assert np.isfinite(result.p_value) and np.isfinite(result.estimate)
        return
    table = result.tidy()
    cols = [c for c in ("estimate", "std_error") if c in table.columns]
    values = table[cols].to_numpy(dtype=float)
    assert len(values) and np.all(np.isfinite(values)), table


@pytest.mark.parametrize(("name", "estimator", "change", "kwargs", "expected", "pattern"),
                         CASES, ids=[c[0] for c in CASES])
def test_awkward_input(name, estimator, change, kwargs, expected, pattern):
    data = change(_panel())
    call = CALLS[estimator]
    if expected == "ok":
        _check_finite(call(data, **kwargs))
    elif expected == "warn":  # this DataWarning among others (few clusters, no pre-test)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = call(data, **kwargs)
        messages = [str(w.message) for w in caught if issubclass(w.category, DataWarning)]
        assert any(re.search(pattern, m) for m in messages), messages
        assert all(issubclass(w.category, DataWarning) for w in caught), caught
        _check_finite(result)
    else:
        with pytest.raises(expected, match=pattern):
            call(data, **kwargs)


def test_corpus_size():
    assert len(CASES) >= 200
