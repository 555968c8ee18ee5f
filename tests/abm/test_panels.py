"""Reform panels (abm.reform_panel): common random numbers, truth, estimator-ready panels."""

import numpy as np
import pandas as pd
import pytest

import abm
import econometrics as em
from abm.runs.panels import OUTCOMES, assign_adoption, draw_counties

# The smallest panel that has a pre-year, a post-year, treated and never-treated counties.
SPEC = dict(years=2, start_year=2018, adoption={2019: 0.5}, scale=2000, seed=5, progress=False)


@pytest.fixture(scope="module")
def panels():
    """The same panel on a local Dask cluster of 1 worker and of 2 workers."""
    return [abm.reform_panel(4, n_workers=n, **SPEC) for n in (1, 2)]


def test_identical_for_one_and_two_workers(panels):
    one, two = panels
    pd.testing.assert_frame_equal(one.panel, two.panel)
    pd.testing.assert_frame_equal(one.truth, two.truth)


def test_truth_is_zero_before_adoption(panels):
    t = panels[0].truth
    before = t[(t.cohort == 0) | (t.year < t.cohort)]
    assert len(before) > 0
    assert (before.effect == 0).all()
    assert (before.observed == before.counterfactual).all()
    after = t[(t.cohort > 0) & (t.year >= t.cohort)]
    assert (after.effect != 0).any()  # the reform changes something in its first year


def test_panel_layout(panels):
    rp = panels[0]
    assert rp.panel.columns[:3].tolist() == ["county", "year", "cohort"]
    assert set(OUTCOMES) <= set(rp.panel.columns)
    assert len(rp.panel) == 4 * 2 and sorted(rp.panel.cohort.unique()) == [0, 2019]
    assert set(rp.truth.outcome) == set(OUTCOMES)


def test_true_att_matches_the_treated_cells(panels):
    rp = panels[0]
    t = rp.truth[(rp.truth.outcome == "visits_per_capita") & (rp.truth.year >= 2019)
                 & (rp.truth.cohort == 2019)]
    assert rp.true_att("visits_per_capita") == pytest.approx(t.effect.mean())
    dyn = rp.true_att("visits_per_capita", "dynamic")
    assert dyn.index.tolist() == [-1, 0] and dyn.loc[-1] == 0
    assert rp.true_att("visits_per_capita", "group").attrs["overall"] == pytest.approx(
        t.effect.mean())


def test_panel_goes_straight_into_the_estimators(panels):
    df = panels[0].panel
    cols = dict(y="primary_outpatient_share", unit="county", time="year", cohort="cohort")
    assert np.isfinite(em.att_gt(df, **cols).aggregate("simple").overall.estimate)
    # four counties: the default clusters (the counties) are too few, and the estimator says so
    with pytest.warns(em.DataWarning, match="has only 4 clusters"):
        study = em.event_study(df, estimator="imputation", **cols)
    assert len(study.tidy()) >= 1
    assert np.isfinite(em.bacon(df, **cols).twfe_estimate)


def test_bad_inputs():
    c = draw_counties(4, seed=1)
    span = range(2018, 2022)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="sum to"):
        assign_adoption(c, {2019: 0.7, 2020: 0.6}, None, span, rng)
    with pytest.raises(ValueError, match=r"share of 2019 must be a number in \[0, 1\]"):
        assign_adoption(c, {2019: 1.5}, None, span, rng)
    with pytest.raises(ValueError, match="after start_year"):
        assign_adoption(c, {2018: 0.5}, None, span, rng)
    with pytest.raises(ValueError, match="must name every county"):
        assign_adoption(c, {1: 2019, 2: 2020}, None, span, rng)
    with pytest.raises(ValueError, match="adoption must be 'national'"):
        assign_adoption(c, "pilot", None, span, rng)
    with pytest.raises(ValueError, match="selection characteristic 'gdp' is unknown"):
        assign_adoption(c, {2019: 0.5}, "gdp", span, rng)
    with pytest.raises(ValueError, match="outcome must be one of"):
        abm.ReformPanel.dgp(4, outcome="referrals", years=2)
    with pytest.raises(ValueError, match="n_counties"):
        abm.reform_panel(1, years=3, seed=1)


def test_explicit_map_and_national_timing():
    c = draw_counties(20, seed=3)
    rng = np.random.default_rng(0)
    g = assign_adoption(c, {i: (2019 if i <= 5 else 0) for i in range(1, 21)}, None,
                        range(2015, 2025), rng)
    assert (g == 2019).sum() == 5 and (g == 0).sum() == 15
    nat = assign_adoption(draw_counties(100, seed=3), "national", None, range(2015, 2025), rng)
    assert abs((nat == 2019).sum() - 100 * 828 / 2800) < 1  # largest remainders
    assert (nat == 0).sum() == 0 and nat.max() == 2027


def test_selection_puts_strong_counties_first():
    c = draw_counties(200, seed=4)
    g = assign_adoption(c, {2019: 0.3}, {"primary_strength": 3.0}, range(2015, 2025),
                        np.random.default_rng(1))
    strength = c.set_index("county")["primary_strength"]
    assert strength[g == 2019].mean() > strength[g == 0].mean() + 0.5
