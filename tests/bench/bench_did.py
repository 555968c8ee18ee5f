"""Benchmark: the DiD estimators beside pyfixest and csdid on df_het, in one run.

Panel: df_het (pyfixest's heterogeneous-effects example, 46,500 unit-years; 1,500 units x 31
years, cohorts 2000 and 2010 and never treated), from ../shared/reference-data. Each pair runs
``REPEATS`` times alternating (ours, theirs, ours, ...); the medians and their ratio are printed,
and the numbers are checked to agree (max absolute difference of estimates and standard errors):

* ``twfe`` vs pyfixest ``feols("dep_var ~ treat | unit + year")``, CRV1 by unit;
* ``event_study`` (all event times, reference -1) vs ``feols("dep_var ~ i(rel_year, ref=-1)
  | unit + year")``;
* ``sun_abraham`` vs pyfixest ``event_study(estimator="saturated").aggregate("period")``;
* ``att_gt`` + dynamic aggregation (doubly robust, 999 bootstrap draws) vs csdid 0.4.3.

Both sides run with single-threaded BLAS (``OPENBLAS_NUM_THREADS=1``; the script re-runs itself
in a subprocess to set it before numpy loads): on a loaded 2-core machine multithreaded OpenBLAS
stalls on the tall, narrow products of a panel regression (twfe on df_het: 4.2 s with threads,
0.24 s without), which would measure the machine, not the estimators.

Run by ``make bench BENCH=did``; no assertions on time.
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from econometrics import att_gt, event_study, sun_abraham, twfe

REPEATS = 5
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "reference-data" / "df_het.csv"


def alternate(ours, theirs):
    """Median wall times of ``ours`` and ``theirs`` run alternately, and their last results."""
    t_ours, t_theirs, out = [], [], [None, None]
    for _ in range(REPEATS):
        for fn, times, i in ((ours, t_ours, 0), (theirs, t_theirs, 1)):
            start = time.perf_counter()
            out[i] = fn()
            times.append(time.perf_counter() - start)
    return statistics.median(t_ours), statistics.median(t_theirs), out


def report(name, peer, t_ours, t_theirs, est_diff, se_diff):
    """One line: times, ratio (theirs / ours: > 1 means we are faster), agreement."""
    print(f"{name:<34} {t_ours:8.3f} s | {peer:<36} {t_theirs:8.3f} s | ratio "
          f"{t_theirs / t_ours:6.2f} | max |diff| estimate {est_diff:.1e}, se {se_diff:.1e}")


def quiet(fn):
    """Run ``fn`` with peer packages' output and warnings silenced."""
    def run():
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn()
    return run


def main() -> None:
    """Time every pair and print the ratios."""
    import pyfixest as pf
    from csdid.att_gt import ATTgt

    df = pd.read_csv(DATA)
    df["d"] = df["treat"].astype(int)
    kw = dict(y="dep_var", unit="unit", time="year")
    print(f"df_het: {len(df)} rows, {df.unit.nunique()} units x {df.year.nunique()} years; "
          f"median of {REPEATS}, alternating; ratio = peer time / our time")

    t1, t2, (ours, fx) = alternate(
        lambda: twfe(df, **kw, treat="d"),
        quiet(lambda: pf.feols("dep_var ~ d | unit + year", data=df, vcov={"CRV1": "unit"})))
    report("twfe", "pyfixest feols", t1, t2,
           abs(ours.coef()["d"] - fx.coef()["d"]), abs(ours.se()["d"] - fx.se()["d"]))

    t1, t2, (ours, fx) = alternate(
        lambda: event_study(df, **kw, cohort="g"),
        quiet(lambda: pf.feols("dep_var ~ i(rel_year, ref=-1.0) | unit + year", data=df,
                               vcov={"CRV1": "unit"})))
    t = ours.tidy().set_index("event_time")
    names = {e: f"rel_year::{float(e)}" for e in t.index}
    names = {e: n for e, n in names.items() if n in fx.coef().index}
    est = max(abs(t.loc[e, "estimate"] - fx.coef()[n]) for e, n in names.items())
    se = max(abs(t.loc[e, "std_error"] - fx.se()[n]) for e, n in names.items())
    report(f"event_study ({len(names)} event times)", "pyfixest feols i(rel_year)", t1, t2,
           est, se)

    sa_df = df.assign(g0=df["g"])
    t1, t2, (ours, fx) = alternate(
        lambda: sun_abraham(df, **kw, cohort="g"),
        quiet(lambda: pf.event_study(sa_df, yname="dep_var", idname="unit", tname="year",
                                     gname="g0", estimator="saturated", cluster="unit")
              .aggregate(agg="period")))
    fx.index = [int(float(e)) for e in fx.index]
    t = ours.tidy().set_index("event_time")
    common = [e for e in t.index if e in fx.index]
    report("sun_abraham", "pyfixest event_study saturated", t1, t2,
           float(np.max(np.abs(t.loc[common, "estimate"] - fx.loc[common, "Estimate"]))),
           float(np.max(np.abs(t.loc[common, "std_error"] - fx.loc[common, "Std. Error"]))))

    def ours_cs():
        res = att_gt(df, **kw, cohort="g", bootstrap=999, seed=1)
        return res, res.aggregate("dynamic")

    def csdid_fit(bootstrap=True):
        fit = ATTgt(yname="dep_var", gname="g", idname="unit", tname="year", data=df.copy(),
                    biters=999).fit(est_method="dr", bstrap=bootstrap)
        fit.aggte(typec="dynamic", bstrap=bootstrap, biters=999)
        return fit

    t1, t2, ((res, dyn), fit) = alternate(ours_cs, quiet(csdid_fit))
    analytic = quiet(lambda: csdid_fit(bootstrap=False))()
    report("att_gt + dynamic (999 draws)", "csdid ATTgt + aggte", t1, t2,
           float(np.max(np.abs(np.asarray(fit.results["att"]) - res.tidy().estimate))),
           float(np.max(np.abs(np.asarray(analytic.atte["se_egt"])
                               - dyn.tidy().std_error))))


if __name__ == "__main__":
    if os.environ.get("OPENBLAS_NUM_THREADS") == "1":
        main()
    else:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1",
               "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2]),
                                              os.environ.get("PYTHONPATH", "")])}
        subprocess.run([sys.executable, __file__], env=env, check=True)
