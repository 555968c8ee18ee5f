"""Benchmark: ``att_gt`` + dynamic aggregation with 999 bootstrap draws, beside csdid 0.4.3.

Panel: 2,800 counties x 13 years, seven cohorts (first treated in years 4..10) and a
never-treated group, dynamic effects (``simulate_panel``). Both packages use the doubly robust
2x2 estimator without covariates, never-treated controls, 999 multiplier bootstrap draws for the
group-time effects and again for the event-study aggregation. Each side runs ``REPEATS`` times;
the median is printed with the ratio. The numbers are checked to agree: ATT(g, t) and the
event-time effects (max abs difference), and our analytic standard errors against csdid's
(bootstrap off, outside the timing). Run by ``make bench``; no assertions on time.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import time
import warnings

import numpy as np

from econometrics.cs import att_gt
from econometrics.simulate import simulate_panel

REPEATS = 3
DRAWS = 999
COHORTS = (4, 5, 6, 7, 8, 9, 10)


def panel():
    """The benchmark panel (long format)."""
    return simulate_panel(n_units=2800, n_periods=13, cohorts=COHORTS,
                          effect={g: 1.0 + 0.1 * i for i, g in enumerate(COHORTS)},
                          dynamic=0.2, never_treated=0.2, seed=2027)


def ours(df):
    """Our att_gt + dynamic aggregation with DRAWS bootstrap draws."""
    res = att_gt(df, y="y", unit="unit", time="time", cohort="cohort", bootstrap=DRAWS, seed=1)
    return res, res.aggregate("dynamic")


def csdid(df, *, bootstrap=True):
    """csdid ATTgt + aggte('dynamic'), its output silenced."""
    from csdid.att_gt import ATTgt

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ATTgt(yname="y", gname="cohort", idname="unit", tname="time", data=df,
                    biters=DRAWS).fit(est_method="dr", bstrap=bootstrap)
        fit.aggte(typec="dynamic", bstrap=bootstrap, biters=DRAWS)
    return fit


def timed(fn, *args, **kwargs):
    """Median wall time over REPEATS calls, and the last result."""
    times, out = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    """Time both, print the ratio and the agreement of the numbers."""
    df = panel()
    ours(df)  # warm imports
    csdid(df.copy())
    t_ours, (res, dyn) = timed(ours, df)
    t_cs, fit = timed(csdid, df.copy())
    print(f"panel: {df.unit.nunique()} units x {df.time.nunique()} periods, "
          f"{len(COHORTS)} cohorts + never treated; {DRAWS} bootstrap draws; median of {REPEATS}")
    print(f"econometrics.att_gt + aggregate('dynamic'): {t_ours:8.3f} s")
    print(f"csdid 0.4.3 ATTgt.fit + aggte('dynamic'):   {t_cs:8.3f} s")
    print(f"speed-up: {t_cs / t_ours:.1f}x")

    att_diff = np.max(np.abs(np.asarray(fit.results["att"]) - res.tidy()["att"].to_numpy()))
    dyn_diff = np.max(np.abs(np.asarray(fit.atte["att_egt"]) - dyn.tidy()["att"].to_numpy()))
    analytic = csdid(df.copy(), bootstrap=False)
    se_diff = np.max(np.abs(np.asarray(analytic.results["se"]) - res.tidy()["se"].to_numpy()))
    dyn_se = np.max(np.abs(np.asarray(analytic.atte["se_egt"]) - dyn.tidy()["se"].to_numpy()))
    print(f"max |ATT(g,t) diff| = {att_diff:.1e}; max |event-time ATT diff| = {dyn_diff:.1e}")
    print(f"max |analytic se diff|: ATT(g,t) {se_diff:.1e}, event time {dyn_se:.1e}")


if __name__ == "__main__":
    main()
