"""compare_estimators: four estimators on one simulated panel with a known, dynamic effect."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from econometrics import simulate_panel
from econometrics.compare import ESTIMATORS, compare_estimators

matplotlib.use("Agg")


def test_compare_recovers_truth_where_twfe_does_not():
    df = simulate_panel(n_units=300, n_periods=8, cohorts=(3, 5, 7),
                        effect={3: 2.0, 5: 1.0, 7: 0.5}, dynamic=0.5, never_treated=0.1,
                        sigma=0.5, seed=21)
    before = df.copy()
    cmp = compare_estimators(df, y="y", unit="unit", time="time", cohort="cohort")
    pd.testing.assert_frame_equal(df, before)
    paths = cmp.tidy()
    assert list(paths.columns) == ["estimator", "event_time", "estimate", "std_error",
                                   "conf_low", "conf_high"]
    assert set(paths.estimator) == set(ESTIMATORS)
    treated = df[df.treat == 1]
    truth = treated.true_effect.mean()  # average over treated unit-periods
    o = cmp.overall.set_index("estimator")
    for name in ESTIMATORS[2:]:  # Sun-Abraham and imputation target exactly this average
        assert abs(o.loc[name, "estimate"] - truth) < 4 * o.loc[name, "std_error"], name
    # TWFE's static coefficient is far below the truth (forbidden comparisons)
    assert o.loc["TWFE", "estimate"] < truth - 0.5
    assert not np.isclose(o.loc["TWFE", "estimate"], o.loc["Imputation (BJS)", "estimate"],
                          atol=0.3)
    assert cmp.plot() is not None
    assert "Imputation" in cmp.summary()


def test_conf_level_reaches_every_estimator():
    df = simulate_panel(n_units=60, n_periods=6, cohorts=(3, 5), effect=1.0, seed=2)
    kw = dict(y="y", unit="unit", time="time", cohort="cohort",
              estimators=["twfe", "sun_abraham", "imputation"])
    narrow = compare_estimators(df, **kw, conf_level=0.5)
    wide = compare_estimators(df, **kw)
    assert narrow.conf_level == 0.5 and wide.conf_level == 0.95
    assert all(r.conf_level == 0.5 for r in narrow.results.values())
    width = lambda c: (c.tidy().conf_high - c.tidy().conf_low).to_numpy()  # noqa: E731
    assert (width(narrow) < width(wide)).all()
    with pytest.raises(ValueError, match="conf_level"):
        compare_estimators(df, **kw, conf_level=95)


def test_options_an_estimator_does_not_take_are_named():
    from econometrics import event_study

    df = simulate_panel(n_units=40, n_periods=6, cohorts=(3, 5), effect=1.0, seed=2)
    kw = dict(y="y", unit="unit", time="time", cohort="cohort")
    with pytest.raises(ValueError, match=r"'imputation' does not take option 'vcov'; its "
                                         r"options are \['pretrend_vcov'\]"):
        event_study(df, **kw, estimator="imputation", vcov="iid")
    with pytest.raises(ValueError, match="'sun_abraham' does not take option 'bootstrap'"):
        compare_estimators(df, **kw, estimators=["sun_abraham"],
                           options={"sun_abraham": {"bootstrap": 9}})
