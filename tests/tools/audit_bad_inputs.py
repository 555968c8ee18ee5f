"""A fresh audit of invented bad (and valid edge) inputs, classified per package (issue 28).

Not part of the test suite (slow: it runs the model). Run from the repository root::

    .venv/bin/python tests/tools/audit_bad_inputs.py [econometrics|abm|cli ...] [--verbose]

Each case is ``(id, valid, thunk, words)``: ``valid`` says whether the input is legitimate (a
right result is expected) and ``words`` are the words a good error message names (the argument,
or the cause). The classes:

right result
    a valid input returns a result that passes the case's check (finite estimates and standard
    errors > 0 for estimators).
named error
    an invalid input raises a ValueError / TypeError (or a project error class), or warns, with a
    message naming one of ``words``; for the command line: exit status 2 naming them.
misleading
    an error whose message names none of ``words``, or a valid input refused; for the command
    line: exit status 2 without the words, or 1 ("internal error") for a user error.
obscure crash
    an exception of another type (KeyError, ZeroDivisionError, IndexError, AttributeError,
    LinAlgError, ...).
silently wrong
    an invalid input that returns a result without a word, or a valid input whose result fails
    its check (NaN or zero standard errors).
"""

from __future__ import annotations

import contextlib
import io
import sys
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

CLASSES = ("right result", "named error", "misleading", "obscure crash", "silently wrong")
NAMED_TYPES = (ValueError, TypeError)


def _finite_inference(out) -> bool:
    """Estimates and standard errors finite, standard errors > 0, p-values finite."""
    tidy = getattr(out, "tidy", None)
    if not callable(tidy):
        return True
    t = tidy()
    for col in ("estimate", "std_error", "p_value"):
        if col in t and not np.all(np.isfinite(t[col].to_numpy(dtype=float))):
            return False
    if "std_error" in t and not np.all(t["std_error"].to_numpy(dtype=float) > 0):
        return False
    return True


def classify(valid: bool, thunk, words, check=_finite_inference) -> tuple[str, str]:
    """Return (class, detail) of one case."""
    words = [words] if isinstance(words, str) else list(words)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = thunk()
        except Exception as e:  # noqa: BLE001 - the audit classifies every exception
            msg = f"{type(e).__name__}: {e}"
            if not isinstance(e, NAMED_TYPES):
                return "obscure crash", msg
            if valid:
                return "misleading", "valid input refused: " + msg
            if any(w.lower() in str(e).lower() for w in words):
                return "named error", msg
            return "misleading", msg
    named_warnings = [str(w.message) for w in caught
                      if any(x.lower() in str(w.message).lower() for x in words)
                      and not issubclass(w.category, DeprecationWarning)]
    ok = check(out) if check is not None else True
    if valid:
        return ("right result", "") if ok else ("silently wrong", "valid input, bad result")
    if named_warnings:
        return "named error", "warning: " + named_warnings[0]
    return "silently wrong", f"returned {type(out).__name__}"


# ---------------------------------------------------------------------------- econometrics


def econometrics_cases():
    import econometrics as em

    base = dict(y="y", unit="unit", time="time")
    stag = em.simulate_panel(n_units=30, n_periods=6, cohorts=(3, 5), effect=1.0, seed=3)
    rng = np.random.default_rng(1)
    stag["x"] = rng.normal(size=len(stag))
    stag["x2"] = 2 * stag["x"]
    block = em.simulate_panel(n_units=30, n_periods=8, cohorts=(5,), effect=1.0,
                              never_treated=0.7, seed=4)

    def block_with(n_treated, n_control, seed=5):
        d = em.simulate_panel(n_units=n_treated + n_control, n_periods=8, cohorts=(5,),
                              effect=1.0, never_treated=0.5, seed=seed)
        units = d["unit"].unique()
        treated = set(units[:n_treated])
        d["cohort"] = np.where(d["unit"].isin(treated), 5, 0)
        d["treat"] = ((d["cohort"] > 0) & (d["time"] >= 5)).astype(int)
        return d

    est = {
        "twfe": lambda d=stag, **k: em.twfe(d, **base, treat="treat", **k),
        "event_study": lambda d=stag, **k: em.event_study(d, **base, cohort="cohort", **k),
        "att_gt": lambda d=stag, **k: em.att_gt(d, **base, cohort="cohort",
                                                **{"bootstrap": 0, **k}),
        "sun_abraham": lambda d=stag, **k: em.sun_abraham(d, **base, cohort="cohort", **k),
        "imputation": lambda d=stag, **k: em.imputation(d, **base, cohort="cohort", **k),
        "dcdh": lambda d=stag, **k: em.dcdh(d, **base, treat="treat", **k),
        "synthetic_did": lambda d=block, **k: em.synthetic_did(
            d, **base, treat="treat", **{"replications": 30, "seed": 1, **k}),
        "synthetic_control": lambda d=block, **k: em.synthetic_control(
            d, **base, treat="treat", **{"replications": 30, "seed": 1, **k}),
    }
    cases = []
    # confidence levels: every estimator
    bad_levels = {"1.5": 1.5, "0": 0, "nan": float("nan"), "95%": "95%", "-0.1": -0.1,
                  "1": 1, "True": True, "None": None, "95": 95}
    good_levels = {"np.float32(0.9)": np.float32(0.9), "np.float64(0.9)": np.float64(0.9),
                   "0.9": 0.9}
    for name, fn in est.items():
        for lab, v in bad_levels.items():
            cases.append((f"{name}(conf_level={lab})", False,
                          lambda fn=fn, v=v: fn(conf_level=v), "conf_level"))
        for lab, v in good_levels.items():
            cases.append((f"{name}(conf_level={lab})", True,
                          lambda fn=fn, v=v: fn(conf_level=v), "conf_level"))
    # leads and lags
    for name in ("event_study", "sun_abraham", "imputation", "dcdh"):
        fn = est[name]
        for arg, v, ok in (("lags", -1, False), ("leads", -1, False), ("lags", 1.5, False),
                           ("lags", "2", False), ("leads", np.int64(1), True),
                           ("lags", np.int64(2), True), ("lags", True, False)):
            cases.append((f"{name}({arg}={v!r})", ok, lambda fn=fn, a=arg, v=v: fn(**{a: v}),
                          arg))
    # variance that is zero or undefined
    one_each = block_with(1, 1)
    const = stag.assign(y=1.0)
    cases += [
        ("att_gt one treated one never", False, lambda: est["att_gt"](one_each),
         ("one unit", "variance", "units")),
        ("twfe one treated one never", False, lambda: est["twfe"](one_each),
         ("one unit", "variance", "cluster", "units")),
        ("synthetic_did 1 treated 1 control", False, lambda: est["synthetic_did"](one_each),
         ("control", "placebo", "units")),
        ("synthetic_did 15/15 placebo", False, lambda: est["synthetic_did"](block_with(15, 15)),
         ("control", "placebo")),
        ("synthetic_did 20/10 placebo", False, lambda: est["synthetic_did"](block_with(20, 10)),
         ("control", "placebo")),
        ("synthetic_control 15/15 placebo", False,
         lambda: est["synthetic_control"](block_with(15, 15)), ("control", "placebo")),
        ("synthetic_did 3/20 placebo", True, lambda: est["synthetic_did"](block_with(3, 20)),
         ()),
        ("synthetic_did 15/15 jackknife", True,
         lambda: est["synthetic_did"](block_with(15, 15), se_method="jackknife"), ()),
        *[(f"{n} constant outcome", False, lambda n=n: est[n](const if "synth" not in n
                                                              else block.assign(y=1.0)),
           ("constant", "variance", "outcome")) for n in est],
        ("twfe outcome as covariate", False, lambda: est["twfe"](covariates=["y"]),
         ("covariate", "outcome", "'y'")),
        ("att_gt outcome as covariate", False, lambda: est["att_gt"](covariates=["y"]),
         ("covariate", "outcome", "'y'")),
        ("sun_abraham outcome as covariate", False, lambda: est["sun_abraham"](covariates="y"),
         ("covariate", "outcome", "'y'")),
        ("imputation outcome as covariate", False, lambda: est["imputation"](covariates="y"),
         ("covariate", "outcome", "'y'")),
        ("twfe collinear covariates", False, lambda: est["twfe"](covariates=["x", "x2"]),
         ("collinear", "x2")),
        ("att_gt collinear covariates", False, lambda: est["att_gt"](covariates=["x", "x2"]),
         ("collinear", "x2", "rank")),
        ("twfe single cluster", False,
         lambda: est["twfe"](stag.assign(c=1), cluster="c"), ("cluster",)),
        ("sun_abraham single cluster", False,
         lambda: est["sun_abraham"](stag.assign(c=1), cluster="c"), ("cluster",)),
        ("imputation single cluster", False,
         lambda: est["imputation"](stag.assign(c=1), cluster="c"), ("cluster",)),
        ("twfe two clusters", False,
         lambda: est["twfe"](stag.assign(c=stag["unit"] % 2), cluster="c"), ("cluster",)),
        ("twfe covariate twice", False, lambda: est["twfe"](covariates=["x", "x"]), ("x",)),
        ("twfe vcov='HC9'", False, lambda: est["twfe"](vcov="HC9"), ("vcov",)),
        ("att_gt control='nevertreated'", False, lambda: est["att_gt"](control="nevertreated"),
         ("control",)),
        ("att_gt method='ols'", False, lambda: est["att_gt"](method="ols"), ("method",)),
        ("att_gt bootstrap=-5", False, lambda: est["att_gt"](bootstrap=-5), ("bootstrap",)),
        ("att_gt bootstrap=2.5", False, lambda: est["att_gt"](bootstrap=2.5), ("bootstrap",)),
        ("att_gt seed=-1", False, lambda: est["att_gt"](bootstrap=20, seed=-1), ("seed",)),
        ("att_gt seed=np.int64(3)", True, lambda: est["att_gt"](bootstrap=20,
                                                                  seed=np.int64(3)), ()),
        ("att_gt anticipation=-1", False, lambda: est["att_gt"](anticipation=-1),
         ("anticipation",)),
        ("synthetic_did seed=-1", False, lambda: est["synthetic_did"](seed=-1), ("seed",)),
        ("synthetic_did seed='a'", False, lambda: est["synthetic_did"](seed="a"), ("seed",)),
        ("synthetic_did replications=0", False, lambda: est["synthetic_did"](replications=0),
         ("replications",)),
        ("synthetic_did replications=np.int64(30)", True,
         lambda: est["synthetic_did"](replications=np.int64(30)), ()),
        ("synthetic_did se_method='Placebo'", False,
         lambda: est["synthetic_did"](se_method="bogus"), ("se_method",)),
        ("event_study estimator='twfe2'", False, lambda: est["event_study"](estimator="twfe2"),
         ("estimator",)),
        ("event_study reference=0", False, lambda: est["event_study"](reference=0),
         ("reference",)),
        ("event_study reference='-1'", False, lambda: est["event_study"](reference="-1"),
         ("reference",)),
        ("sun_abraham reference=np.int64(-1)", True,
         lambda: est["sun_abraham"](reference=np.int64(-1)), ()),
        ("twfe y missing column", False, lambda: em.twfe(stag, y="yy", unit="unit",
                                                         time="time", treat="treat"), ("yy",)),
        ("twfe data=dict", False, lambda: em.twfe(stag.to_dict(), **base, treat="treat"),
         ("data",)),
        ("dcdh switchers='up'", False, lambda: est["dcdh"](switchers="upward"), ("switchers",)),
        ("compare_estimators estimators=['nope']", False,
         lambda: em.compare_estimators(stag, **base, cohort="cohort", estimators=["nope"]),
         ("nope",)),
        ("compare_estimators estimators='twfe'", False,
         lambda: em.compare_estimators(stag, **base, cohort="cohort", estimators="twfe"),
         ("estimators",)),
        ("simulate_panel n_units=0", False, lambda: em.simulate_panel(
            n_units=0, n_periods=5, cohorts=(3,), effect=1.0), ("n_units",)),
        ("simulate_panel seed=-3", False, lambda: em.simulate_panel(
            n_units=10, n_periods=5, cohorts=(3,), effect=1.0, seed=-3), ("seed",)),
        ("simulate_panel n_units=np.int64(10)", True, lambda: em.simulate_panel(
            n_units=np.int64(10), n_periods=5, cohorts=(3,), effect=1.0, seed=1), ()),
    ]
    es = em.event_study(stag, **base, cohort="cohort")
    fit = em.twfe(stag, **base, treat="treat")
    cases += [
        ("honest_did m=0.1", True, lambda: em.honest_did(es, m=0.1), ("m",)),
        ("honest_did m=np.float64(0.5)", True, lambda: em.honest_did(es, m=np.float64(0.5)),
         ("m",)),
        ("honest_did m=[]", False, lambda: em.honest_did(es, m=[]), ("m",)),
        ("honest_did m=[-1]", False, lambda: em.honest_did(es, m=[-1.0]), ("m",)),
        ("honest_did m=[nan]", False, lambda: em.honest_did(es, m=[float("nan")]), ("m",)),
        ("honest_did m='0.5'", False, lambda: em.honest_did(es, m="0.5"), ("m",)),
        ("honest_did conf_level=1.5", False, lambda: em.honest_did(es, conf_level=1.5),
         ("conf_level",)),
        ("honest_did conf_level='95%'", False, lambda: em.honest_did(es, conf_level="95%"),
         ("conf_level",)),
        ("honest_did restriction='smooth'", False,
         lambda: em.honest_did(es, restriction="smooth"), ("restriction",)),
        ("honest_did target=99", False, lambda: em.honest_did(es, target=99), ("target",)),
        ("honest_did on twfe result", False, lambda: em.honest_did(fit), ("result",)),
        ("wild_bootstrap seed=-1", False, lambda: em.wild_bootstrap(fit, n_boot=99, seed=-1),
         ("seed",)),
        ("wild_bootstrap n_boot=0", False, lambda: em.wild_bootstrap(fit, n_boot=0),
         ("n_boot",)),
        ("wild_bootstrap conf_level=2", False,
         lambda: em.wild_bootstrap(fit, n_boot=99, seed=1, conf_level=2), ("conf_level",)),
        ("wild_bootstrap weights='normal'", False,
         lambda: em.wild_bootstrap(fit, n_boot=99, weights="gauss"), ("weights",)),
        ("wild_bootstrap n_boot=np.int64(99)", True,
         lambda: em.wild_bootstrap(fit, n_boot=np.int64(99), seed=1), ()),
        ("wild_bootstrap term='nope'", False, lambda: em.wild_bootstrap(fit, term="nope"),
         ("term",)),
    ]
    return cases


# ---------------------------------------------------------------------------- abm

def _has_both_levers(p) -> bool:
    inc = p.incentives_at(30)
    return inc.revenue_share == 0.5 and inc.information_platform == 1.0


def abm_cases():
    import abm
    from abm import LeverPath, Params, preset

    small = Params()
    run = dict(days=20, seed=1, patients="arrays")
    sim = lambda p=small, **k: abm.simulate(p, **{**run, **k})  # noqa: E731
    lp = lambda *a, **k: LeverPath(*a, **k)  # noqa: E731
    none = None
    cases = [
        # population scale
        ("scale=10000 on small", False, lambda: small.replace(**{"setting.scale": 10000}),
         ("scale", "patients"), none),
        ("scale=200 on small (15 patients)", False,
         lambda: small.replace(**{"setting.scale": 200.0}), ("scale", "patients"), none),
        ("scale=np.float64(2)", True, lambda: small.replace(**{"setting.scale": np.float64(2)}),
         (), none),
        ("scale=np.int64(2)", True, lambda: small.replace(**{"setting.scale": np.int64(2)}),
         (), none),
        ("scale=0.5", False, lambda: small.replace(**{"setting.scale": 0.5}), ("scale",), none),
        ("scale=nan", False, lambda: small.replace(**{"setting.scale": float("nan")}),
         ("scale",), none),
        ("scale='10'", False, lambda: small.replace(**{"setting.scale": "10"}), ("scale",), none),
        ("residents=100 scale=10", False, lambda: small.replace(
            **{"setting.residents": 100, "setting.scale": 10.0}), ("scale", "patients"), none),
        ("residents=np.int64(5000)", True,
         lambda: small.replace(**{"setting.residents": np.int64(5000)}), (), none),
        ("residents=5000.0", False, lambda: small.replace(**{"setting.residents": 5000.0}),
         ("residents",), none),
        ("preset='atlantis' via replace", False,
         lambda: small.replace(**{"setting.preset": "atlantis"}), ("preset",), none),
        ("preset='Small' via replace", False,
         lambda: small.replace(**{"setting.preset": "Small"}), ("preset",), none),
        ("preset('atlantis')", False, lambda: preset("atlantis"), ("preset",), none),
        ("preset(None)", False, lambda: preset(None), ("preset",), none),
        ("preset('x_county', calibrated='no')", False,
         lambda: preset("x_county", calibrated="no"), ("calibrated",), none),
        # replace
        ("replace unknown group", False, lambda: small.replace(**{"incentive.revenue_share": 1}),
         ("incentive",), none),
        ("replace unknown field", False, lambda: small.replace(**{"incentives.revenue": 1}),
         ("revenue",), none),
        ("replace no dot", False, lambda: small.replace(revenue_share=0.4), ("revenue_share",),
         none),
        ("replace bool for float", False,
         lambda: small.replace(**{"incentives.revenue_share": True}), ("revenue_share",), none),
        ("replace inf", False, lambda: small.replace(**{"incentives.revenue_share": np.inf}),
         ("revenue_share",), none),
        ("replace out of range", False,
         lambda: small.replace(**{"incentives.revenue_share": 1.5}), ("revenue_share",), none),
        ("replace np.float32", True,
         lambda: small.replace(**{"incentives.revenue_share": np.float32(0.4)}), (), none),
        ("replace tuple too short", False,
         lambda: small.replace(**{"facilities.quality": (0.5, 0.5)}), ("quality",), none),
        ("replace array ok", True,
         lambda: small.replace(**{"facilities.quality": np.array([.9, .8, .7, .5, .4])}), (),
         none),
        ("replace age_shares not summing", False,
         lambda: small.replace(**{"population.age_shares": (0.5, 0.5, 0.5)}), ("age_shares",),
         none),
        ("replace followup_visits=2.5", False,
         lambda: small.replace(**{"demand.followup_visits": 2.5}), ("followup_visits",), none),
        ("replace reform.day=-1", False, lambda: small.replace(**{"reform.day": -1}),
         ("reform.day",), none),
        ("replace reform.day=np.int64(5)", True,
         lambda: small.replace(**{"reform.day": np.int64(5)}), (), none),
        ("replace reform.incentives.nope", False,
         lambda: small.replace(**{"reform.incentives.nope": 1}), ("nope",), none),
        ("replace reform.incentives out of range", False,
         lambda: small.replace(**{"reform.day": 5, "reform.incentives.revenue_share": 2}),
         ("revenue_share",), none),
        ("replace a.b.c", False, lambda: small.replace(**{"incentives.revenue_share.x": 1}),
         ("incentives.revenue_share.x",), none),
        # LeverPath
        ("LeverPath start_year=np.int64(1)", True,
         lambda: lp("revenue_share", 0.4, start_year=np.int64(1)), (), none),
        ("LeverPath ramp_years=np.float32(1.5)", True,
         lambda: lp("revenue_share", 0.4, ramp_years=np.float32(1.5)), (), none),
        ("LeverPath value=np.float64(0.4)", True, lambda: lp("revenue_share", np.float64(.4)),
         (), none),
        ("LeverPath start_year=-1", False, lambda: lp("revenue_share", 0.4, start_year=-1),
         ("start_year",), none),
        ("LeverPath ramp_years=nan", False,
         lambda: lp("revenue_share", 0.4, ramp_years=float("nan")), ("ramp_years",), none),
        ("LeverPath start_year=True", False, lambda: lp("revenue_share", 0.4, start_year=True),
         ("start_year",), none),
        ("LeverPath start_year='1'", False, lambda: lp("revenue_share", 0.4, start_year="1"),
         ("start_year",), none),
        ("LeverPath value=1.5", False, lambda: lp("revenue_share", 1.5), ("revenue_share",),
         none),
        ("LeverPath value='0.5'", False, lambda: lp("revenue_share", "0.5"), ("revenue_share",),
         none),
        ("LeverPath value=nan", False, lambda: lp("revenue_share", float("nan")),
         ("revenue_share",), none),
        ("LeverPath lever='nope'", False, lambda: lp("nope", 0.5), ("nope",), none),
        ("LeverPath lever=3", False, lambda: lp(3, 0.5), ("lever",), none),
        # with_reform
        ("with_reform([])", False, lambda: small.with_reform([], day=10), ("schedule", "empty"),
         none),
        ("with_reform({})", False, lambda: small.with_reform({}, day=10), ("schedule", "empty"),
         none),
        ("with_reform(())", False, lambda: small.with_reform((), day=10), ("schedule", "empty"),
         none),
        ("with_reform('') ", False, lambda: small.with_reform("", day=10), ("package",), none),
        ("with_reform('atlantis')", False, lambda: small.with_reform("atlantis", day=10),
         ("atlantis",), none),
        ("with_reform(['revenue_share'])", False,
         lambda: small.with_reform(["revenue_share"], day=10), ("schedule", "LeverPath"), none),
        ("with_reform(5)", False, lambda: small.with_reform(5, day=10), ("schedule",), none),
        ("with_reform({'nope': 1})", False, lambda: small.with_reform({"nope": 1}, day=10),
         ("nope",), none),
        ("with_reform day=-1", False, lambda: small.with_reform({"revenue_share": .5}, day=-1),
         ("day",), none),
        ("with_reform day=1.5", False, lambda: small.with_reform({"revenue_share": .5}, day=1.5),
         ("day",), none),
        ("with_reform day=None", False,
         lambda: small.with_reform({"revenue_share": .5}, day=None), ("day",), none),
        ("with_reform day=np.int64(10)", True,
         lambda: small.with_reform({"revenue_share": .5}, day=np.int64(10)), (), none),
        ("with_reform lever twice in one list", False, lambda: small.with_reform(
            [lp("revenue_share", .5), lp("revenue_share", .3, start_year=1)], day=10),
         ("revenue_share", "twice"), none),
        ("with_reform twice same day (merge)", True,
         lambda: small.with_reform({"revenue_share": .5}, day=10).with_reform(
             {"information_platform": 1.0}, day=10), (), _has_both_levers),
        ("with_reform second call moves day", False,
         lambda: small.with_reform({"revenue_share": .5}, day=10).with_reform(
             {"information_platform": 1.0}, day=50), ("day",), none),
        ("with_reform second call same lever", False,
         lambda: small.with_reform({"revenue_share": .5}, day=10).with_reform(
             {"revenue_share": .3}, day=10), ("revenue_share",), none),
        ("with_reform after replace reform.day=5", False,
         lambda: small.replace(**{"reform.day": 5, "reform.incentives.revenue_share": .5}
                               ).with_reform({"information_platform": 1.0}, day=50),
         ("day",), none),
        ("with_reform package twice", False,
         lambda: small.with_reform("compact_consortium", day=10).with_reform(
             "compact_consortium", day=10), ("twice", "consortium_budget", "lever"), none),
        ("with_reform package", True, lambda: small.with_reform("compact_consortium", day=10),
         (), none),
        ("with_reform tuple of LeverPath", True,
         lambda: small.with_reform((lp("revenue_share", .5),), day=10), (), none),
        ("with_reform generator", True,
         lambda: small.with_reform((lp(k, .5) for k in ("revenue_share",)), day=10), (), none),
        # runs
        ("simulate days=0", False, lambda: sim(days=0), ("days",), none),
        ("simulate days=-3", False, lambda: sim(days=-3), ("days",), none),
        ("simulate days=1.5", False, lambda: sim(days=1.5), ("days",), none),
        ("simulate days='20'", False, lambda: sim(days="20"), ("days",), none),
        ("simulate days=np.int64(20)", True, lambda: sim(days=np.int64(20)), (), none),
        ("simulate seed=-1", False, lambda: sim(seed=-1), ("seed",), none),
        ("simulate seed=1.0", False, lambda: sim(seed=1.0), ("seed",), none),
        ("simulate seed='1'", False, lambda: sim(seed="1"), ("seed",), none),
        ("simulate seed=np.int64(1)", True, lambda: sim(seed=np.int64(1)), (), none),
        ("simulate seed=np.uint8(1)", True, lambda: sim(seed=np.uint8(1)), (), none),
        ("simulate patients='Arrays'", False, lambda: sim(patients="Arrays"), ("patients",),
         none),
        ("simulate patients=None", False, lambda: sim(patients=None), ("patients",), none),
        ("simulate params=dict", False, lambda: abm.simulate({"a": 1}, **run), ("params",),
         none),
        ("simulate params='small'", False, lambda: abm.simulate("small", **run), ("params",),
         none),
        ("simulate reform levers without reform.day", False,
         lambda: sim(small.replace(**{"reform.incentives.revenue_share": 0.5})),
         ("reform.day",), none),
        ("simulate reform.day after run", False,
         lambda: sim(small.with_reform({"revenue_share": .5}, day=50)), ("reform.day",), none),
        ("simulate path starts after run ends", False,
         lambda: sim(small.with_reform([lp("revenue_share", .5, start_year=1)], day=5)),
         ("start_year", "after"), none),
        ("simulate ramp partly in run", True,
         lambda: sim(small.with_reform([lp("revenue_share", .5, ramp_years=1)], day=5)), (),
         none),
        ("simulate reform.day only (no lever)", False,
         lambda: sim(small.replace(**{"reform.day": 5})), ("reform", "lever"), none),
        ("ReferralModel rng=-1", False, lambda: abm.ReferralModel(rng=-1), ("rng", "seed"),
         none),
        ("ReferralModel rng=np.int64(2)", True, lambda: abm.ReferralModel(rng=np.int64(2)), (),
         none),
        ("ReferralModel rng=Generator", False,
         lambda: abm.ReferralModel(rng=np.random.default_rng(1)), ("rng", "seed"), none),
        ("ReferralModel params=3", False, lambda: abm.ReferralModel(3), ("params",), none),
        ("ReferralModel patients='x'", False, lambda: abm.ReferralModel(patients="x"),
         ("patients",), none),
        ("summary window=(5, 2)", False, lambda: sim().summary(window=(5, 2)), ("window",),
         none),
        ("summary window=(50, 60)", False, lambda: sim().summary(window=(50, 60)), ("window",),
         none),
        ("summary window=5", False, lambda: sim().summary(window=5), ("window",), none),
        ("summary window=(np.int64(0), np.int64(10))", True,
         lambda: sim().summary(window=(np.int64(0), np.int64(10))), (), none),
        # sweep
        ("sweep scheduler='Synchronous'", True, lambda: abm.sweep(
            {"a": small}, seeds=[1], days=10, scheduler="Synchronous", progress=False), (),
         none),
        ("sweep scheduler='sync'", False, lambda: abm.sweep(
            {"a": small}, seeds=[1], days=10, scheduler="sync", progress=False), ("scheduler",),
         none),
        ("sweep seeds=[]", False, lambda: abm.sweep({"a": small}, seeds=[], days=10,
                                                    scheduler="synchronous"), ("seeds",), none),
        ("sweep seeds=[1, 1]", False, lambda: abm.sweep(
            {"a": small}, seeds=[1, 1], days=10, scheduler="synchronous", progress=False),
         ("seed",), none),
        ("sweep seeds=[-1]", False, lambda: abm.sweep(
            {"a": small}, seeds=[-1], days=10, scheduler="synchronous", progress=False),
         ("seed",), none),
        ("sweep seeds=5", False, lambda: abm.sweep(
            {"a": small}, seeds=5, days=10, scheduler="synchronous", progress=False),
         ("seeds",), none),
        ("sweep seeds=np.arange(2)", True, lambda: abm.sweep(
            {"a": small}, seeds=np.arange(2), days=10, scheduler="synchronous", progress=False),
         (), none),
        ("sweep days=0", False, lambda: abm.sweep(
            {"a": small}, seeds=[1], days=0, scheduler="synchronous", progress=False),
         ("days",), none),
        ("sweep scenarios={}", False, lambda: abm.sweep(
            {}, seeds=[1], days=10, scheduler="synchronous", progress=False),
         ("scenario",), none),
        ("sweep scenarios={'a': 'small'}", False, lambda: abm.sweep(
            {"a": "small"}, seeds=[1], days=10, scheduler="synchronous", progress=False),
         ("params", "scenario"), none),
        ("sweep duplicate names", False, lambda: abm.sweep(
            [("a", small), ("a", small)], seeds=[1], days=10, scheduler="synchronous",
            progress=False), ("a",), none),
        ("sweep windows=0", False, lambda: abm.sweep(
            {"a": small}, seeds=[1], days=10, windows=0, scheduler="synchronous",
            progress=False), ("windows",), none),
        ("sweep windows=[(5, 2)]", False, lambda: abm.sweep(
            {"a": small}, seeds=[1], days=10, windows=[(5, 2)], scheduler="synchronous",
            progress=False), ("window",), none),
        ("sweep windows=[(0,5),(0,5)]", False, lambda: abm.sweep(
            {"a": small}, seeds=[1], days=10, windows=[(0, 5), (0, 5)],
            scheduler="synchronous", progress=False), ("window",), none),
        ("sweep patients='x'", False, lambda: abm.sweep(
            {"a": small}, seeds=[1], days=10, patients="x", scheduler="synchronous",
            progress=False), ("patients",), none),
        ("sweep by_group=['nope']", False, lambda: abm.sweep(
            {"a": small}, seeds=[1], days=10, by_group=["nope"], scheduler="synchronous",
            progress=False), ("nope",), none),
        ("sweep by_group='insurance_scheme'", True, lambda: abm.sweep(
            {"a": small}, seeds=[1], days=10, by_group="insurance_scheme",
            scheduler="synchronous", progress=False), (), none),
        ("sweep n_workers=0", False, lambda: abm.sweep(
            {"a": small}, seeds=[1], days=10, n_workers=0, progress=False), ("n_workers",),
         none),
        ("sweep batch_size=0", False, lambda: abm.sweep(
            {"a": small}, seeds=[1], days=10, batch_size=0, scheduler="synchronous",
            progress=False), ("batch_size",), none),
        ("sweep posterior=-1", False, lambda: abm.sweep(
            {"a": small}, seeds=[1], days=10, posterior=-1, scheduler="synchronous",
            progress=False), ("posterior",), none),
        # reform_panel
        ("reform_panel package='atlantis'", False, lambda: abm.reform_panel(
            2, years=2, start_year=2018, package="atlantis", scale=2000, seed=1,
            scheduler="synchronous", progress=False), ("package", "atlantis"), none),
        ("reform_panel start_year=1990", False, lambda: abm.reform_panel(
            2, years=2, start_year=1990, scale=2000, seed=1, scheduler="synchronous",
            progress=False), ("treated", "adopt"), none),
        ("reform_panel n_counties=1", False, lambda: abm.reform_panel(
            1, years=2, seed=1, progress=False), ("n_counties",), none),
        ("reform_panel years=1", False, lambda: abm.reform_panel(
            2, years=1, seed=1, progress=False), ("years",), none),
        ("reform_panel seed=-1", False, lambda: abm.reform_panel(
            2, years=2, seed=-1, scale=2000, scheduler="synchronous", progress=False),
         ("seed",), none),
        ("reform_panel scale=0.5", False, lambda: abm.reform_panel(
            2, years=2, seed=1, scale=0.5, scheduler="synchronous", progress=False),
         ("scale",), none),
        ("reform_panel start_year=2015.5", False, lambda: abm.reform_panel(
            2, years=2, seed=1, start_year=2015.5, scale=2000, scheduler="synchronous",
            progress=False), ("start_year",), none),
        ("reform_panel adoption='regional'", False, lambda: abm.reform_panel(
            2, years=2, seed=1, adoption="regional", scale=2000, scheduler="synchronous",
            progress=False), ("adoption",), none),
        ("reform_panel patients='x'", False, lambda: abm.reform_panel(
            2, years=2, seed=1, patients="x", scale=2000, scheduler="synchronous",
            progress=False), ("patients",), none),
        ("reform_panel scheduler='Synchronous'", True, lambda: abm.reform_panel(
            2, years=2, start_year=2018, adoption={2019: 0.5}, seed=1, scale=2000,
            scheduler="Synchronous", progress=False), (), none),
        # validate
        ("validate facts='visits_per_capita'", True, lambda: abm.validate(
            "small", seeds=[1], scale=None, facts="visits_per_capita", scheduler="synchronous",
            progress=False), (), none),
        ("validate facts=['nope']", False, lambda: abm.validate(
            "small", seeds=[1], facts=["nope"], scheduler="synchronous", progress=False),
         ("nope",), none),
        ("validate preset 'atlantis'", False, lambda: abm.validate(
            "atlantis", seeds=[1], facts=["visits_per_capita"], scheduler="synchronous",
            progress=False), ("preset", "atlantis"), none),
        ("validate seeds=[]", False, lambda: abm.validate(
            "small", seeds=[], facts=["visits_per_capita"], scheduler="synchronous"),
         ("seeds",), none),
        ("validate seeds=[-1]", False, lambda: abm.validate(
            "small", seeds=[-1], scale=None, facts=["visits_per_capita"],
            scheduler="synchronous", progress=False), ("seed",), none),
        ("validate scale=0", False, lambda: abm.validate(
            "small", seeds=[1], scale=0, facts=["visits_per_capita"], scheduler="synchronous",
            progress=False), ("scale",), none),
        ("validate facts=[]", False, lambda: abm.validate(
            "small", seeds=[1], facts=[], scheduler="synchronous", progress=False),
         ("facts",), none),
        # calibrate
        ("calibrate preset='atlantis'", False, lambda: abm.calibrate(
            "atlantis", parameters=["choice.asc_self_care"], targets=["forgone_care_rate"],
            budget=4, scheduler="synchronous", progress=False), ("preset",), none),
        ("calibrate parameters=[]", False, lambda: abm.calibrate(
            "small", parameters=[], targets=["forgone_care_rate"], budget=4,
            scheduler="synchronous", progress=False), ("parameters",), none),
        ("calibrate targets=['nope']", False, lambda: abm.calibrate(
            "small", parameters=["choice.asc_self_care"], targets=["nope"], budget=4,
            scheduler="synchronous", progress=False), ("nope",), none),
        ("calibrate method='abc2'", False, lambda: abm.calibrate(
            "small", parameters=["choice.asc_self_care"], targets=["forgone_care_rate"],
            method="abc2", budget=4, scheduler="synchronous", progress=False), ("method",),
         none),
        ("calibrate budget=0", False, lambda: abm.calibrate(
            "small", parameters=["choice.asc_self_care"], targets=["forgone_care_rate"],
            budget=0, scheduler="synchronous", progress=False), ("budget",), none),
        ("calibrate seed=-1", False, lambda: abm.calibrate(
            "small", parameters=["choice.asc_self_care"], targets=["forgone_care_rate"],
            budget=4, seed=-1, scheduler="synchronous", progress=False), ("seed",), none),
        ("calibrate targets='forgone_care_rate'", False, lambda: abm.calibrate(
            "small", parameters=["choice.asc_self_care"], targets="forgone_care_rate",
            budget=0, scheduler="synchronous", progress=False), ("budget", "targets"), none),
    ]
    return cases


# ---------------------------------------------------------------------------- command line

_TINY = """title = "tiny"
preset = "small"
days = 30
reform_day = 10
[levers]
revenue_share = 0.5
[replications]
seeds = [1]
"""


def _cli(argv):
    """Run ``referral-lab argv`` in this process; return (status, standard error)."""
    from abm.apps.cli import main

    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        status = main([str(a) for a in argv])
    return status, err.getvalue()


def classify_cli(valid: bool, argv, words) -> tuple[str, str]:
    try:
        status, err = _cli(argv)
    except Exception as e:  # noqa: BLE001
        return "obscure crash", f"{type(e).__name__}: {e}"
    err = " ".join(err.split())
    if valid:
        return ("right result", "") if status == 0 else ("misleading", f"{status}: {err}")
    if status == 0:
        return "silently wrong", "exit 0"
    if status == 1:
        return ("obscure crash" if "internal error" in err else "misleading"), err
    if status == 2 and any(w.lower() in err.lower() for w in words):
        return "named error", err
    return "misleading", f"{status}: {err}"


def cli_cases():
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="audit_cli_"))
    tiny = tmp / "tiny.toml"
    tiny.write_text(_TINY)
    (tmp / "status quo.toml").write_text(_TINY)
    (tmp / "atlantis.toml").write_text(_TINY.replace('"small"', '"atlantis"'))
    (tmp / "nolevers.toml").write_text(_TINY.split("[levers]")[0])
    (tmp / "bad.toml").write_text("title = ")
    (tmp / "afile").write_text("x")
    panel = ["panel", "--counties", 2, "--years", 2, "--start-year", 2018, "--scale", 2000,
             "--scheduler", "synchronous", "--no-progress", "--out", tmp / "p"]
    sweep = ["sweep", tiny, "--lever", "revenue_share", "--no-progress"]
    cases = [
        # panel
        ("panel --scale 0.5", False, [*panel, "--scale", 0.5], ("--scale", "scale")),
        ("panel --scale nan", False, [*panel, "--scale", "nan"], ("--scale",)),
        ("panel --scale inf", False, [*panel, "--scale", "inf"], ("--scale", "scale")),
        ("panel --seed -1", False, [*panel, "--seed", -1], ("--seed",)),
        ("panel --seed 1.5", False, [*panel, "--seed", 1.5], ("--seed",)),
        ("panel --start-year 1990", False, [*panel, "--start-year", 1990], ("treated", "adopt")),
        ("panel --start-year 2015.5", False, [*panel, "--start-year", 2015.5], ("--start-year",)),
        ("panel --counties 1", False, [*panel, "--counties", 1], ("--counties",)),
        ("panel --counties 0", False, [*panel, "--counties", 0], ("--counties",)),
        ("panel --counties x", False, [*panel, "--counties", "x"], ("--counties",)),
        ("panel --years 1", False, [*panel, "--years", 1], ("--years",)),
        ("panel --package atlantis", False, [*panel, "--package", "atlantis"], ("--package",)),
        ("panel --adoption regional", False, [*panel, "--adoption", "regional"], ("--adoption",)),
        ("panel --out a file", False, [*panel, "--out", tmp / "afile"], ("--out",)),
        ("panel --out missing parent", False, [*panel, "--out", tmp / "no" / "p"], ("--out",)),
        ("panel --scheduler Synchronous", True,
         [*panel[:-2], "--scheduler", "Synchronous", "--out", tmp / "p2"], ()),
        ("panel --scheduler bogus", False, [*panel, "--scheduler", "bogus"], ("--scheduler",)),
        ("panel (valid)", True, panel, ()),
        # sweep
        ("sweep --values 0.2 0.2000001", False, [*sweep, "--values", 0.2, "0.2000001"],
         ("--values", "label", "0.2")),
        ("sweep --values 0.2 0.2", False, [*sweep, "--values", 0.2, 0.2], ("--values",)),
        ("sweep --values nan", False, [*sweep, "--values", "nan"], ("--values", "revenue_share")),
        ("sweep --values 1.5", False, [*sweep, "--values", 1.5], ("revenue_share", "1.5")),
        ("sweep --values -0.1", False, [*sweep, "--values", -0.1], ("revenue_share", "-0.1")),
        ("sweep --values x", False, [*sweep, "--values", "x"], ("--values",)),
        ("sweep --lever nope", False, ["sweep", tiny, "--lever", "nope", "--values", 0.2],
         ("nope", "lever")),
        ("sweep --seeds -1", False, [*sweep, "--values", 0.2, "--seeds", -1], ("seed",)),
        ("sweep --seeds 1 1", False, [*sweep, "--values", 0.2, "--seeds", 1, 1], ("seed",)),
        ("sweep --days 0", False, [*sweep, "--values", 0.2, "--days", 0], ("days",)),
        ("sweep --days -5", False, [*sweep, "--values", 0.2, "--days", -5], ("days",)),
        ("sweep --days 5 (before reform day 10)", False, [*sweep, "--values", 0.2, "--days", 5],
         ("days", "reform")),
        ("sweep --reform-day -1", False, [*sweep, "--values", 0.2, "--reform-day", -1],
         ("reform",)),
        ("sweep --scheduler Synchronous", True,
         [*sweep, "--values", 0.2, "--scheduler", "Synchronous"], ()),
        ("sweep --out x.txt", False, [*sweep, "--values", 0.2, "--out", tmp / "x.txt"],
         ("--out",)),
        ("sweep (valid)", True, [*sweep, "--values", 0.2, 0.4], ()),
        ("sweep --values 0.0 (status quo value)", True, [*sweep, "--values", 0.0], ()),
        # run / compare / validate
        ("run 'status quo.toml'", True, ["run", tmp / "status quo.toml", "--no-progress"], ()),
        ("compare 'status quo.toml'", True,
         ["compare", tmp / "status quo.toml", "--out", tmp / "r.html", "--no-progress"], ()),
        ("compare same design twice", False,
         ["compare", tiny, tiny, "--out", tmp / "r2.html", "--no-progress"], ("tiny", "twice")),
        ("run nonexistent", False, ["run", tmp / "nope.toml"], ("nope",)),
        ("run bad TOML", False, ["run", tmp / "bad.toml"], ("toml",)),
        ("run --days 0", False, ["run", tiny, "--days", 0], ("days",)),
        ("run --days x", False, ["run", tiny, "--days", "x"], ("--days",)),
        ("run --seeds -1", False, ["run", tiny, "--seeds", -1], ("seed",)),
        ("run --reform-day 30", False, ["run", tiny, "--reform-day", 30], ("reform",)),
        ("run --out x.txt", False, ["run", tiny, "--out", tmp / "x.txt"], ("--out",)),
        ("run --out no/x.csv", False, ["run", tiny, "--out", tmp / "no" / "x.csv"], ("--out",)),
        ("run preset atlantis", False, ["run", tmp / "atlantis.toml"], ("preset", "atlantis")),
        ("run no levers", False, ["run", tmp / "nolevers.toml"], ("levers",)),
        ("run --scheduler bogus", False, ["run", tiny, "--scheduler", "bogus"], ("--scheduler",)),
        ("run --scheduler tcp://127.0.0.1:1", False,
         ["run", tiny, "--scheduler", "tcp://127.0.0.1:1", "--no-progress"], ("scheduler",
                                                                             "127.0.0.1")),
        ("run (valid)", True, ["run", tiny, "--no-progress"], ()),
        ("compare --out x.csv", False, ["compare", tiny, "--out", tmp / "x.csv"], ("--out",)),
        ("compare no --out", False, ["compare", tiny], ("--out",)),
        ("validate atlantis", False, ["validate", tmp / "atlantis.toml"], ("preset",)),
        ("validate no levers", False, ["validate", tmp / "nolevers.toml"], ("levers",)),
        ("validate a folder", False, ["validate", tmp], ("file",)),
        ("validate valid", True, ["validate", tiny], ()),
        ("validate shipped", True, ["validate", "revenue_sharing"], ()),
        ("designs --show nope", False, ["designs", "--show", "nope"], ("--show",)),
        ("designs --show revenue_sharing", True, ["designs", "--show", "revenue_sharing"], ()),
        # calibrate / dashboard / top level
        ("calibrate --budget 0", False,
         ["calibrate", "--parameters", "choice.asc_self_care", "--targets", "forgone_care_rate",
          "--budget", 0], ("--budget",)),
        ("calibrate --parameters nope", False,
         ["calibrate", "--parameters", "nope.x", "--targets", "forgone_care_rate"],
         ("nope",)),
        ("calibrate --parameters a=2:1", False,
         ["calibrate", "--parameters", "choice.asc_self_care=6:2", "--targets",
          "forgone_care_rate"], ("asc_self_care", "6")),
        ("calibrate --parameters a=x", False,
         ["calibrate", "--parameters", "choice.asc_self_care=x", "--targets",
          "forgone_care_rate"], ("--parameters",)),
        ("calibrate --targets nope", False,
         ["calibrate", "--parameters", "choice.asc_self_care", "--targets", "nope"], ("nope",)),
        ("calibrate --scale 0", False,
         ["calibrate", "--parameters", "choice.asc_self_care", "--targets", "forgone_care_rate",
          "--scale", 0], ("--scale",)),
        ("calibrate --scale 0.5", False,
         ["calibrate", "--parameters", "choice.asc_self_care", "--targets", "forgone_care_rate",
          "--scale", 0.5, "--budget", 2], ("scale",)),
        ("calibrate --seed -1", False,
         ["calibrate", "--parameters", "choice.asc_self_care", "--targets", "forgone_care_rate",
          "--seed", -1, "--budget", 2], ("--seed",)),
        ("calibrate --preset atlantis", False,
         ["calibrate", "--preset", "atlantis", "--parameters", "choice.asc_self_care",
          "--targets", "forgone_care_rate"], ("--preset",)),
        ("calibrate --method x", False,
         ["calibrate", "--method", "x", "--parameters", "choice.asc_self_care",
          "--targets", "forgone_care_rate"], ("--method",)),
        ("calibrate --dest x.csv", False,
         ["calibrate", "--parameters", "choice.asc_self_care", "--targets", "forgone_care_rate",
          "--dest", tmp / "x.csv"], ("--dest",)),
        ("dashboard --port 0", False, ["dashboard", "--port", 0], ("--port",)),
        ("dashboard --port x", False, ["dashboard", "--port", "x"], ("--port",)),
        ("dashboard --port 70000", False, ["dashboard", "--port", 70000], ("--port",)),
        ("no command", False, [], ("command",)),
        ("unknown command", False, ["frobnicate"], ("frobnicate",)),
        ("unknown option", False, ["run", tiny, "--frob"], ("--frob",)),
        ("--help", True, ["--help"], ()),
    ]
    for bad in sorted((Path(__file__).parent / "bad_designs").glob("*.toml")):
        first = bad.read_text().splitlines()[0]
        words = (first.split("expect:", 1)[1].strip()[:25],) if "expect:" in first else ("",)
        cases.append((f"validate bad_designs/{bad.name}", False, ["validate", bad], words))
    return [(cid, valid, argv, words, "cli") for cid, valid, argv, words in cases]


def run(cases, verbose: bool) -> Counter:
    counts: Counter = Counter()
    for case in cases:
        cid, valid, thunk, words = case[:4]
        check = case[4] if len(case) > 4 else _finite_inference
        if check == "cli":
            cls, detail = classify_cli(valid, thunk, words)
        else:
            cls, detail = classify(valid, thunk, words, check)
        counts[cls] += 1
        if verbose or cls not in ("right result", "named error"):
            print(f"  [{cls}] {cid}: {' '.join(detail.split())[:220]}")
    return counts


SECTIONS = {"econometrics": "econometrics_cases", "abm": "abm_cases", "cli": "cli_cases"}


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    names = [a for a in argv if not a.startswith("--")] or list(SECTIONS)
    totals = {}
    for name in names:
        cases = globals()[SECTIONS[name]]()
        print(f"== {name}: {len(cases)} inputs "
              f"({sum(c[1] for c in cases)} valid / {sum(not c[1] for c in cases)} invalid)")
        totals[name] = run(cases, verbose)
    print("\n| area | inputs | " + " | ".join(CLASSES) + " |")
    print("|---|---|" + "---|" * len(CLASSES))
    for name, c in totals.items():
        print(f"| {name} | {sum(c.values())} | " + " | ".join(str(c[k]) for k in CLASSES) + " |")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main(sys.argv[1:]))
