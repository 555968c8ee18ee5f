"""honest_did against the published R HonestDiD output (its README's Medicaid example).

The README fits ``feols(dins ~ i(year, D, ref = 2013) | stfips + year, cluster = "stfips")`` on
the ACS Medicaid panel (ehec) restricted to years before 2016 without the 2015 cohort, and prints
``createSensitivityResults_relativeMagnitudes`` (Mbar 0.5..2) and ``createSensitivityResults``
(M 0..0.05) for the first post-treatment year. Our TWFE event study equals fixest's coefficients
and covariance (checked against pyfixest to 1e-16), so the same inputs reach HonestDiD.
"""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from econometrics import event_study, honest_did, simulate_panel, twfe

matplotlib.use("Agg")

# README tables (3 significant digits).
PUBLISHED_SD = {0.0: (0.0259, 0.0607), 0.01: (0.0132, 0.0787), 0.02: (0.00286, 0.0907),
                0.03: (-0.00714, 0.101), 0.04: (-0.0171, 0.111), 0.05: (-0.0271, 0.121)}
PUBLISHED_RM = {0.5: (0.0241, 0.0673), 1.0: (0.0171, 0.0720), 1.5: (0.00859, 0.0796),
                2.0: (-0.00107, 0.0883)}
# Tolerance = the README's rounding (half a unit of the third significant digit) plus:
# FLCI: moderndid (and diff-diff) give 0.025971 at M = 0 where R prints 0.0259, 2.1e-5 beyond
# the rounding (optimizer tolerance); 5e-5 covers it.
SD_EXTRA = 5e-5
# C-LF bounds are points of a 1000-point grid (test inversion); moderndid's grid differs from
# R's, which moves the bounds by up to 4.3e-4 over Mbar 0.5..2 (3.7e-5 at Mbar = 1).
RM_EXTRA = 4.5e-4


def _printed(value: float) -> float:
    """Half a unit of the third significant digit (tibble's printing)."""
    return 0.5 * 10 ** (np.floor(np.log10(abs(value))) - 2)


@pytest.fixture(scope="module")
def medicaid(reference_data):
    df = pd.read_csv(reference_data / "ehec.csv")
    d = df[(df.year < 2016) & (df.yexp2.isna() | (df.yexp2 != 2015))]
    return event_study(d, y="dins", unit="stfips", time="year", cohort="yexp2")


@pytest.mark.slow
def test_smoothness_matches_published(medicaid):
    h = honest_did(medicaid, restriction="smoothness", m=[0.0, 0.02, 0.05])
    t = h.tidy().dropna(subset=["m"]).set_index("m")
    for m, (lo, hi) in PUBLISHED_SD.items():
        if m in t.index:
            assert abs(t.loc[m, "conf_low"] - lo) <= _printed(lo) + SD_EXTRA, m
            assert abs(t.loc[m, "conf_high"] - hi) <= _printed(hi) + SD_EXTRA, m
    assert set(t.method) == {"FLCI"}
    # README: "the breakdown value for a significant effect is M ~ 0.03" (between 0.02 and 0.05)
    assert h.breakdown == 0.05
    assert h.plot() is not None and "Breakdown value" in h.summary()


@pytest.mark.slow
def test_relative_magnitudes_matches_published(medicaid):
    h = honest_did(medicaid, m=[1.0])
    row = h.tidy().set_index("m").loc[1.0]
    lo, hi = PUBLISHED_RM[1.0]
    assert abs(row.conf_low - lo) <= _printed(lo) + RM_EXTRA
    assert abs(row.conf_high - hi) <= _printed(hi) + RM_EXTRA
    assert row.method == "C-LF"
    original = h.tidy().iloc[0]
    # the original interval is the event study's own 95% normal interval for event time 0
    es0 = medicaid.tidy().set_index("event_time").loc[0]
    z = 1.959963984540054
    assert original.conf_low == pytest.approx(es0.estimate - z * es0.std_error, rel=1e-10)


def test_errors(medicaid):
    with pytest.raises(ValueError, match="restriction='rm' must be one of"):
        honest_did(medicaid, restriction="rm")
    with pytest.raises(ValueError, match="target=5 must be a post-treatment event time"):
        honest_did(medicaid, target=5)
    with pytest.raises(ValueError,
                       match="m=\\[-1\\] must be a non-negative number or a non-empty list"):
        honest_did(medicaid, m=[-1])
    df = simulate_panel(n_units=40, n_periods=6, cohorts=(3,), effect=1.0, seed=1)
    static = twfe(df, y="y", unit="unit", time="time", treat="treat")
    with pytest.raises(ValueError, match="needs an event study"):
        honest_did(static)
    post_only = event_study(df, y="y", unit="unit", time="time", cohort="cohort", leads=1)
    with pytest.raises(ValueError, match="at least one pre-treatment"):
        honest_did(post_only)


def test_every_event_study_carries_its_vcov():
    df = simulate_panel(n_units=90, n_periods=7, cohorts=(3, 5), effect=1.0, seed=2)
    kw = dict(y="y", unit="unit", time="time", cohort="cohort")
    for name in ("twfe", "sun_abraham", "imputation", "callaway_santanna"):
        extra = {"leads": 2, "reference": None} if name in ("imputation",
                                                            "callaway_santanna") else {}
        es = event_study(df, estimator=name, **kw, **extra)
        t = es.tidy()
        assert list(es.vcov.index) == t.event_time.tolist(), name
        np.testing.assert_allclose(np.sqrt(np.diag(es.vcov)), t.std_error, rtol=1e-10,
                                   err_msg=name)


def test_no_solver_banner_on_the_screen():
    # HiGHS writes "Running HiGHS ..." from its constructor, once per process, to the standard
    # output's file descriptor; honest_did keeps it off (issue 28). A fresh process, so the
    # banner has not been written before.
    import subprocess
    import sys

    code = ("from econometrics import event_study, honest_did, simulate_panel\n"
            "df = simulate_panel(n_units=60, n_periods=6, cohorts=(4,), effect=1.0, seed=3)\n"
            "es = event_study(df, y='y', unit='unit', time='time', cohort='cohort')\n"
            "honest_did(es, m=[0.5])\n"
            "print('finished')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout == "finished\n", out.stdout
    assert "HiGHS" not in out.stderr
