"""Benchmark: the DiD estimators beside pyfixest and csdid on df_het, in one run.

Panel: df_het (pyfixest's heterogeneous-effects example, 46,500 unit-years; 1,500 units x 31
years, cohorts 2000 and 2010 and never treated), from ../shared/reference-data. Each pair runs
``REPEATS`` times alternating (ours, theirs, ours, ...); the medians and their ratio are printed,
and the numbers are checked to agree (max absolute difference of estimates and standard errors):

* ``twfe`` vs pyfixest ``feols("dep_var ~ treat | unit + year")``, CRV1 by unit;
* ``event_study`` (all event times, reference -1) vs ``feols("dep_var ~ i(rel_year, ref=-1)
  | unit + year")``;
* ``sun_abraham`` vs pyfixest ``event_study(estimator="saturated").aggregate("period")``;
* ``att_gt`` + dynamic aggregation (doubly robust, 999 bootstrap draws) vs csdid 0.4.3;
* ``twfe(vcov="HC1")`` and ``twfe(vcov="iid")`` vs pyfixest ``vcov="hetero"`` / ``"iid"``.

Beside them, on their own reference panels (issue 27):

* ``synthetic_control`` (estimate + 200 placebo replications) on California's Proposition 99 vs
  diff-diff's ``SyntheticControl`` (ADH with the pre-period outcomes as predictors; its exact
  simplex least squares gives -19.75 where synthdid's Frank-Wolfe stopping rule, which ours
  follows, gives -19.62, so the estimates differ by design);
* ``bacon`` on castle vs diff-diff's ``BaconDecomposition`` (no covariates; diff-diff has no
  controlled decomposition), and ``bacon(covariates=...)`` alone (no installed Python peer;
  R bacondecomp needs fixest, which is not installed here).

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

from econometrics import att_gt, bacon, event_study, sun_abraham, synthetic_control, twfe

REPEATS = 5
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "reference-data"
DATA = SHARED / "df_het.csv"
PROP99 = (Path(__file__).resolve().parents[1] / "econometrics" / "reference"
          / "california_prop99.csv")


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

    for ours_v, theirs_v in (("HC1", "hetero"), ("iid", "iid")):
        t1, t2, (ours, fx) = alternate(
            lambda v=ours_v: twfe(df, **kw, treat="d", vcov=v),
            quiet(lambda v=theirs_v: pf.feols("dep_var ~ d | unit + year", data=df, vcov=v)))
        report(f"twfe vcov={ours_v!r}", f"pyfixest feols vcov={theirs_v!r}", t1, t2,
               abs(ours.coef()["d"] - fx.coef()["d"]), abs(ours.se()["d"] - fx.se()["d"]))
    new_estimators()


def new_estimators() -> None:
    """Synthetic control on Prop 99 and the Bacon decompositions on castle (issue 27)."""
    import diff_diff as dd

    from econometrics._panel import prepare_panel
    from econometrics.synth import outcome_matrix, sc_fit

    prop99 = pd.read_csv(PROP99, sep=";")
    post = sorted(prop99.loc[prop99.treated == 1, "Year"].unique().tolist())
    pre = sorted(set(prop99.Year) - set(post))
    sc_kw = dict(y="PacksPerCapita", unit="State", time="Year", treat="treated")

    def ours_estimate():  # the point estimate only, as diff-diff's fit computes it
        panel = prepare_panel(prop99, **sc_kw)
        ymat, _, n_controls, n_pre = outcome_matrix(panel, "treated", "synthetic_control")
        return sc_fit(ymat, n_controls=n_controls, n_pre=n_pre).estimate

    t1, t2, (ours, fit) = alternate(
        ours_estimate,
        quiet(lambda: dd.SyntheticControl(v_method="custom", custom_v=np.ones(len(pre)),
                                          seed=1).fit(
            prop99, outcome="PacksPerCapita", treatment="treated", unit="State", time="Year",
            post_periods=post, pre_period_outcomes=pre)))
    report("synthetic_control estimate", "diff-diff SyntheticControl", t1, t2,
           abs(ours - fit.att), float("nan"))
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        synthetic_control(prop99, **sc_kw, seed=1)
        times.append(time.perf_counter() - start)
    print(f"{'synthetic_control + 200 placebos':<34} {statistics.median(times):8.3f} s | no "
          "installed peer with synthdid's placebo SE")

    castle = pd.read_csv(SHARED / "castle.csv").copy()  # one block: no fragmentation warning
    castle = castle.assign(g=castle["effyear"].fillna(0).astype(int))
    t1, t2, (ours, fit) = alternate(
        lambda: bacon(castle, y="l_homicide", unit="sid", time="year", cohort="g"),
        quiet(lambda: dd.BaconDecomposition().fit(castle, outcome="l_homicide", unit="sid",
                                                  time="year", first_treat="g")))
    report("bacon (castle)", "diff-diff BaconDecomposition", t1, t2,
           abs(ours.twfe_estimate - fit.twfe_estimate), float("nan"))
    controls = ["l_police", "unemployrt", "poverty", "l_income"]
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        bacon(castle, y="l_homicide", unit="sid", time="year", cohort="g", covariates=controls)
        times.append(time.perf_counter() - start)
    print(f"{'bacon covariates (castle, 4)':<34} {statistics.median(times):8.3f} s | no "
          "installed peer (R bacondecomp needs fixest)")


if __name__ == "__main__":
    if os.environ.get("OPENBLAS_NUM_THREADS") == "1":
        main()
    else:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1",
               "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2]),
                                              os.environ.get("PYTHONPATH", "")])}
        subprocess.run([sys.executable, __file__], env=env, check=True)
