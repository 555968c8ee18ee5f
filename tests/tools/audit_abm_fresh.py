"""A second, fresh audit of invented abm and command-line inputs (issue 28, beyond the corpora).

Not part of the test suite. Run from the repository root::

    .venv/bin/python tests/tools/audit_abm_fresh.py [abm|cli ...] [--verbose] [--only=TEXT]

(``--only=TEXT`` runs the cases whose id contains TEXT.)

The cases are new: none repeats one of ``audit_bad_inputs.py``'s abm or command-line cases, the
corpus of ``tests/abm/test_bad_inputs.py`` or of ``tests/abm/test_cli_corpus.py``. Each is
``(id, valid, thunk, words)`` (and optionally a check of a valid result), classified by
:func:`audit_bad_inputs.classify` into right result / named error / misleading / obscure crash /
silently wrong (for the command line, :func:`audit_bad_inputs.classify_cli`: a user error must
exit 2 with one line naming the option). Runs are tiny (the 3,000-resident small county, 20 to 40
days, arrays; panels of 2 counties at scale 2000), so the audit takes a few minutes once the
model is compiled.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audit_bad_inputs import (  # noqa: E402
    _TINY,
    CLASSES,
    _finite_inference,
    classify,
    classify_cli,
)

#: Seconds of this process's CPU time a case may use (CPU, not wall-clock time: a shared machine
#: must not turn a slow valid case into a failure). An invalid input still running then was
#: accepted (e.g. a panel of 10,000,000 counties before the limit): silently wrong, stopped.
LIMIT = 120


class _StillRunning(BaseException):  # not an Exception: classify must not catch it
    pass


def _alarm(signum, frame):
    raise _StillRunning


def run(cases, verbose: bool) -> Counter:
    """Classify each case (as ``audit_bad_inputs.run``), stopping a case after :data:`LIMIT`."""
    counts: Counter = Counter()
    signal.signal(signal.SIGPROF, _alarm)
    only = [a.removeprefix("--only=") for a in sys.argv if a.startswith("--only=")]
    for case in cases:
        cid, valid, thunk, words = case[:4]
        if only and not any(o in cid for o in only):
            continue
        check = case[4] if len(case) > 4 else _finite_inference
        signal.setitimer(signal.ITIMER_PROF, LIMIT)
        try:
            if check == "cli":
                cls, detail = classify_cli(valid, thunk, words)
            else:
                cls, detail = classify(valid, thunk, words, check)
        except _StillRunning:
            cls = "misleading" if valid else "silently wrong"
            detail = f"accepted and still running after {LIMIT} s of CPU (stopped)"
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        counts[cls] += 1
        if verbose or cls not in ("right result", "named error"):
            print(f"  [{cls}] {cid}: {' '.join(detail.split())[:220]}", flush=True)
    return counts

# AUDIT_ROOT: audit another checkout (e.g. main, for the counts before the fixes)
ROOT = Path(os.environ.get("AUDIT_ROOT", Path(__file__).resolve().parents[2]))


def _frame(out) -> bool:
    return isinstance(out, pd.DataFrame) and len(out) > 0


def _series(out) -> bool:
    import abm

    return isinstance(out, pd.Series) and len(out) == len(abm.METRICS)


def _ok(out) -> bool:
    return out is not None


def abm_cases():  # noqa: PLR0915 - one flat list of cases
    import abm
    from abm import LeverPath, Params, preset
    from abm.apps import designs as ds
    from abm.runs.levers import lever_effects

    small = Params()
    kw = dict(days=20, seed=3, patients="arrays")

    def sim(p=small, **k):
        return abm.simulate(p, **{**kw, **k})

    def sw(scen=None, **k):
        return abm.sweep(scen or {"a": small}, **{"seeds": [1], "days": 20,
                                                  "scheduler": "synchronous",
                                                  "progress": False, **k})

    def step(day=5, **levers):
        return small.replace(**{"reform.day": day, **{f"reform.incentives.{k}": v
                                                     for k, v in levers.items()}})

    def panel(**k):
        return abm.reform_panel(**{"n_counties": 2, "years": 2, "start_year": 2018,
                                   "adoption": {2019: 0.5}, "scale": 2000, "seed": 1,
                                   "scheduler": "synchronous", "progress": False, **k})

    res = abm.simulate(small, days=30, seed=1, patients="arrays")
    tiny = ds.parse_design({"title": "t", "preset": "small", "days": 30, "reform_day": 10,
                            "levers": {"revenue_share": 0.5}, "replications": {"seeds": [1]}},
                           name="t", source="audit")
    c = []
    # ------------------------------------------------------------ reforms that change nothing
    c += [
        ("with_reform lever at its baseline value", False,
         lambda: small.with_reform({"revenue_share": 0.0}, day=5), ("revenue_share", "baseline")),
        ("with_reform LeverPath to the baseline, ramped", False,
         lambda: small.with_reform([LeverPath("family_doctor_coverage", 0.3, ramp_years=1)],
                                   day=5), ("family_doctor_coverage", "baseline")),
        ("with_reform two levers both at baseline", False,
         lambda: small.with_reform({"revenue_share": 0.0, "primary_reimbursement_premium": 0.05},
                                   day=5), ("revenue_share", "baseline")),
        ("with_reform one of two levers at baseline", True,
         lambda: small.with_reform({"revenue_share": 0.0, "information_platform": 0.5}, day=5),
         (), _ok),
        ("with_reform at baseline, allow_unchanged=True", True,
         lambda: small.with_reform({"revenue_share": 0.0}, day=5, allow_unchanged=True), (),
         _ok),
        ("with_reform allow_unchanged='yes'", False,
         lambda: small.with_reform({"revenue_share": 0.4}, day=5, allow_unchanged="yes"),
         ("allow_unchanged",)),
        ("simulate step equal to the baseline", False,
         lambda: sim(step(revenue_share=0.0)), ("baseline", "revenue_share", "changes nothing")),
        ("simulate allowed unchanged schedule", False,
         lambda: sim(small.with_reform({"revenue_share": 0.0}, day=5, allow_unchanged=True)),
         ("baseline", "changes nothing")),
        ("simulate_many with an unchanged reform", False,
         lambda: abm.simulate_many([(small, 1), (step(revenue_share=0.0), 1)], days=20,
                                   patients="arrays"), ("baseline", "changes nothing")),
        ("sweep scenario equal to the status quo (warns, runs)", False,
         lambda: sw({"base": small, "zero": step(revenue_share=0.0)}),
         ("'zero'", "baseline value")),
        ("baseline moved onto the reform's value, then simulate", False,
         lambda: sim(small.with_reform({"revenue_share": 0.4}, day=5).replace(
             **{"incentives.revenue_share": 0.4})), ("baseline", "changes nothing")),
    ]
    # ------------------------------------------------------------ paths after the run
    c += [
        ("simulate one path acts, one starts after the end", False,
         lambda: sim(small.with_reform([LeverPath("revenue_share", 0.5),
                                        LeverPath("information_platform", 1.0, start_year=2)],
                                       day=5)), ("information_platform", "after the run")),
        ("simulate step plus a late path", False,
         lambda: sim(step(revenue_share=0.5).with_reform(
             [LeverPath("information_platform", 1.0, start_year=1)], day=5)),
         ("information_platform", "after the run")),
        ("simulate path starting on the last day", True,
         lambda: sim(small.with_reform([LeverPath("revenue_share", 0.5, start_year=14 / 365)],
                                       day=5)), (), _ok),
        ("sweep scenario with a late path", False,
         lambda: sw({"late": small.with_reform([LeverPath("revenue_share", 0.5),
                                                LeverPath("performance_weight", 1.0,
                                                          start_year=3)], day=5)}),
         ("performance_weight", "'late'")),
        ("sweep scenario whose reform day is after the run", False,
         lambda: sw({"after": small.with_reform({"revenue_share": 0.5}, day=50)}),
         ("'after'", "reform.day")),
    ]
    # ------------------------------------------------------------ replace and the schedule's day
    sched = small.with_reform({"revenue_share": 0.5}, day=10)
    c += [
        ("replace reform.day moves a with_reform schedule", False,
         lambda: sched.replace(**{"reform.day": 20}), ("reform.day", "with_reform")),
        ("replace reform.day=np.int64 moves a package", False,
         lambda: small.with_reform("gatekeeping_pilot", day=10).replace(
             **{"reform.day": np.int64(3)}), ("reform.day", "with_reform")),
        ("replace reform.day to the same day", True,
         lambda: sched.replace(**{"reform.day": 10}), (), _ok),
        ("replace reform.day=None on a schedule", False,
         lambda: sched.replace(**{"reform.day": None}), ("reform",)),
        ("replace reform.day of a step (no schedule)", True,
         lambda: step(day=5, revenue_share=0.5).replace(**{"reform.day": 8}), (), _ok),
        ("replace reform lever on a schedule's day", True,
         lambda: sched.replace(**{"reform.incentives.information_platform": 0.5}), (), _ok),
        ("replace reform.paths directly", False,
         lambda: small.replace(**{"reform.paths": ("revenue_share", 0.5)}), ("reform.paths",)),
        ("replace reform.package directly", True,
         lambda: small.replace(**{"reform.package": "mine"}), (), _ok),
        ("without_reform then with_reform on a new day", True,
         lambda: sched.without_reform().with_reform({"revenue_share": 0.5}, day=20), (), _ok),
    ]
    # ------------------------------------------------------------ Params / replace
    c += [
        ("replace residents=np.int32(4000)", True,
         lambda: small.replace(**{"setting.residents": np.int32(4000)}), (), _ok),
        ("replace residents=4000.0", False,
         lambda: small.replace(**{"setting.residents": 4000.0}), ("residents",)),
        ("replace scale leaves 19 patients", False,
         lambda: small.replace(**{"setting.scale": 3000 / 19}), ("simulated patients",)),
        ("replace scale leaves 20 patients", True,
         lambda: small.replace(**{"setting.scale": 150.0}), (), _ok),
        ("replace villages=0", False, lambda: small.replace(**{"setting.villages": 0}),
         ("villages",)),
        ("replace outside_hospital=np.bool_(False)", True,
         lambda: small.replace(**{"setting.outside_hospital": np.bool_(False)}), (),
         lambda p: p.setting.outside_hospital is False),
        ("replace preset='x_county' keeps small's roster size", True,
         lambda: small.replace(**{"setting.preset": "x_county"}), (), _ok),
        ("replace age_shares as a list", True,
         lambda: small.replace(**{"population.age_shares": [0.2, 0.6, 0.2]}), (), _ok),
        ("replace age_shares numpy float32", True,
         lambda: small.replace(**{"population.age_shares": np.array([0.2, 0.6, 0.2],
                                                                    dtype=np.float32)}), (),
         lambda p: abs(sum(p.population.age_shares) - 1) < 1e-6),
        ("replace age_shares summing to 0.99", False,
         lambda: small.replace(**{"population.age_shares": (0.2, 0.6, 0.19)}), ("age_shares",)),
        ("replace reimbursement with a NaN", False,
         lambda: small.replace(**{"facilities.reimbursement": (0.5, 0.5, np.nan, 0.5, 0.5)}),
         ("reimbursement",)),
        ("replace with an empty name", False, lambda: small.replace(**{"": 1}), ("group",)),
        ("replace with a trailing dot", False,
         lambda: small.replace(**{"incentives.": 1}), ("incentives.",)),
        ("replace reform.incentives.revenue_share=np.float64", True,
         lambda: small.replace(**{"reform.day": 5,
                                  "reform.incentives.revenue_share": np.float64(0.3)}), (), _ok),
        ("replace a Fraction", False,
         lambda: small.replace(**{"incentives.revenue_share": __import__("fractions").Fraction(
             1, 2)}), ("revenue_share",)),
        ("replace a Decimal", False,
         lambda: small.replace(**{"incentives.revenue_share": __import__("decimal").Decimal(
             "0.5")}), ("revenue_share",)),
        ("Params(setting=dict)", False, lambda: Params(setting={"residents": 10}), ("setting",)),
        ("Incentives(revenue_share=2)", False, lambda: abm.Incentives(revenue_share=2),
         ("revenue_share",)),
        ("describe() has every group", True, lambda: abm.describe(), (), _frame),
        ("preset('SMALL')", False, lambda: preset("SMALL"), ("preset",)),
        ("preset(b'small')", False, lambda: preset(b"small"), ("preset",)),
        ("preset('yongan', calibrated=np.bool_(True))", False,
         lambda: preset("yongan", calibrated=np.bool_(True)), ("calibrated",)),
    ]
    # ------------------------------------------------------------ LeverPath
    c += [
        ("LeverPath start_year=np.float32(0.5)", True,
         lambda: LeverPath("revenue_share", 0.4, start_year=np.float32(0.5)), (), _ok),
        ("LeverPath ramp_years=101", False,
         lambda: LeverPath("revenue_share", 0.4, ramp_years=101), ("ramp_years",)),
        ("LeverPath start_year=inf", False,
         lambda: LeverPath("revenue_share", 0.4, start_year=float("inf")), ("start_year",)),
        ("LeverPath value=np.int64(1)", True,
         lambda: LeverPath("information_platform", np.int64(1)), (), _ok),
        ("LeverPath value=None", False, lambda: LeverPath("revenue_share", None),
         ("revenue_share",)),
        ("LeverPath lever=''", False, lambda: LeverPath("", 0.4), ("lever", "''")),
        ("LeverPath lever with group prefix", False,
         lambda: LeverPath("incentives.revenue_share", 0.4), ("incentives.revenue_share",)),
        ("LeverPath reserved_referral_share=0.95", False,
         lambda: LeverPath("reserved_referral_share", 0.95), ("reserved_referral_share",)),
        ("LeverPath counterpart_support=5 (top of range)", True,
         lambda: LeverPath("counterpart_support", 5), (), _ok),
    ]
    # ------------------------------------------------------------ with_reform
    c += [
        ("with_reform day=np.int32(7)", True,
         lambda: small.with_reform({"revenue_share": 0.5}, day=np.int32(7)), (), _ok),
        ("with_reform day='10'", False,
         lambda: small.with_reform({"revenue_share": 0.5}, day="10"), ("day",)),
        ("with_reform day=True", False,
         lambda: small.with_reform({"revenue_share": 0.5}, day=True), ("day",)),
        ("with_reform dict value out of range", False,
         lambda: small.with_reform({"revenue_share": 3}, day=5), ("revenue_share",)),
        ("with_reform set of LeverPath", True,
         lambda: small.with_reform({LeverPath("revenue_share", 0.5)}, day=5), (), _ok),
        ("with_reform package + dict same day", True,
         lambda: small.with_reform("gatekeeping_pilot", day=5).with_reform(
             {"revenue_share": 0.5}, day=5), (), _ok),
        ("with_reform package + its own lever again", False,
         lambda: small.with_reform("gatekeeping_pilot", day=5).with_reform(
             {"gatekeeping_penalty": 0.1}, day=5), ("gatekeeping_penalty", "twice")),
        ("with_reform two packages sharing a lever", False,
         lambda: small.with_reform("gatekeeping_pilot", day=5).with_reform(
             "compact_consortium", day=5), ("primary_reimbursement_premium", "twice")),
        ("with_reform trends package alone", True,
         lambda: small.with_reform("secular_2011_2021", day=0), (), _ok),
        ("with_reform package name with spaces", False,
         lambda: small.with_reform(" compact_consortium", day=5), ("package",)),
        ("with_reform dict with a Params-style key", False,
         lambda: small.with_reform({"incentives.revenue_share": 0.5}, day=5),
         ("incentives.revenue_share",)),
        ("with_reform pandas Series", False,
         lambda: small.with_reform(pd.Series({"revenue_share": 0.5}), day=5), ("schedule",)),
    ]
    # ------------------------------------------------------------ simulate / simulate_many
    c += [
        ("simulate days=np.uint16(10)", True, lambda: sim(days=np.uint16(10)), (), _ok),
        ("simulate days=36501", False, lambda: sim(days=36501), ("days",)),
        ("simulate seed=2**64", True, lambda: sim(seed=2**64), (), _ok),
        ("simulate seed=SeedSequence(5)", True,
         lambda: sim(seed=np.random.SeedSequence(5)), (), _ok),
        ("simulate scenario=5", False, lambda: sim(scenario=5), ("scenario",)),
        ("simulate replicate=-1", False, lambda: sim(replicate=-1), ("replicate",)),
        ("simulate patients='agents' tiny", True, lambda: sim(patients="agents", days=5), (),
         _ok),
        ("simulate unknown keyword", False, lambda: sim(day=5), ("day",)),
        ("simulate reform on day 0", True,
         lambda: sim(small.with_reform({"revenue_share": 0.5}, day=0)), (), _ok),
        ("simulate reform on the last day", True,
         lambda: sim(small.with_reform({"revenue_share": 0.5}, day=19)), (), _ok),
        ("simulate_many empty list", True, lambda: abm.simulate_many([], days=5), (),
         lambda out: out == []),
        ("simulate_many (params, seed, extra)", False,
         lambda: abm.simulate_many([(small, 1, 2)], days=5), ("runs[0]",)),
        ("simulate_many seed=-2", False,
         lambda: abm.simulate_many([(small, -2)], days=5), ("seed",)),
        ("simulate_many share_prefix='no'", False,
         lambda: abm.simulate_many([(small, 1)], days=5, share_prefix="no"), ("share_prefix",)),
    ]
    # ------------------------------------------------------------ Results
    c += [
        ("summary window=[0, 10] (list)", True, lambda: res.summary(window=[0, 10]), (),
         _series),
        ("summary window=(0, np.int64(30))", True,
         lambda: res.summary(window=(0, np.int64(30))), (), _series),
        ("summary window=(29, 30) last day", True, lambda: res.summary(window=(29, 30)), (),
         _ok),
        ("summary window=(30, 31) after the run", False,
         lambda: res.summary(window=(30, 31)), ("window",)),
        ("summary window=(0.0, 10.0)", False, lambda: res.summary(window=(0.0, 10.0)),
         ("window",)),
        ("by_tier window=(0, 10)", True, lambda: res.by_tier(window=(0, 10)), (), _frame),
        ("by_group 'remoteness'", False, lambda: res.by_group("remoteness"), ("remoteness",)),
        ("by_group None", False, lambda: res.by_group(None), ("by",)),
        ("by_group 'insurance_scheme' window=(5, 2)", False,
         lambda: res.by_group("insurance_scheme", window=(5, 2)), ("window",)),
        ("summarize frame without tier column", False,
         lambda: abm.summarize(res.daily.drop(columns="tier")), ("tier",)),
    ]
    # ------------------------------------------------------------ sweep
    c += [
        ("sweep seeds=range(0)", False, lambda: sw(seeds=range(0)), ("seeds",)),
        ("sweep seeds=[np.uint32(4)]", True, lambda: sw(seeds=[np.uint32(4)]), (), _frame),
        ("sweep seeds=(1.0,)", False, lambda: sw(seeds=(1.0,)), ("seeds[0]",)),
        ("sweep days=10**6", False, lambda: sw(days=10**6), ("days",)),
        ("sweep windows=7", True, lambda: sw(windows=7), (), _frame),
        ("sweep windows=[(0, 10), (0, 10)]", False, lambda: sw(windows=[(0, 10), (0, 10)]),
         ("windows", "twice")),
        ("sweep windows=[(0, 21)]", False, lambda: sw(windows=[(0, 21)]), ("windows",)),
        ("sweep scenario name ''", False, lambda: sw({"": small}), ("scenario",)),
        ("sweep scenario name 5", False, lambda: sw([(5, small)]), ("scenario",)),
        ("sweep list of Params", True, lambda: sw([small]), (), _frame),
        ("sweep scheduler=' synchronous '", True, lambda: sw(scheduler=" synchronous "), (),
         _frame),
        ("sweep batch_size=2.5", False, lambda: sw(batch_size=2.5), ("batch_size",)),
        ("sweep by_group twice", False,
         lambda: sw(by_group=["insurance_scheme", "insurance_scheme"]), ("by_group",)),
        ("sweep patients='auto'", True, lambda: sw(patients="auto"), (), _frame),
        ("sweep out is a file", False,
         lambda: sw(out=Path(tempfile.mkstemp()[1])), ("out", "directory")),
    ]
    # ------------------------------------------------------------ reform_panel
    c += [
        ("reform_panel n_counties=10**7", False, lambda: panel(n_counties=10**7),
         ("n_counties",)),
        ("reform_panel n_counties=np.int64(2)", True,
         lambda: panel(n_counties=np.int64(2)), (), lambda rp: len(rp.panel) == 4),
        ("reform_panel years=1000", False, lambda: panel(years=1000), ("years",)),
        ("reform_panel start_year=99999", False, lambda: panel(start_year=99999),
         ("start_year",)),
        ("reform_panel start_year=np.int64(2018)", True,
         lambda: panel(start_year=np.int64(2018)), (), _ok),
        ("reform_panel scale=0.5 (before drawing)", False, lambda: panel(scale=0.5),
         ("scale",)),
        ("reform_panel scale='2000'", False, lambda: panel(scale="2000"), ("scale",)),
        ("reform_panel adoption={2019: 1.5}", False, lambda: panel(adoption={2019: 1.5}),
         ("adoption", "share")),
        ("reform_panel adoption={1: 2019, 2: 0}", True,
         lambda: panel(adoption={1: 2019, 2: 0}), (), _ok),
        ("reform_panel adoption={1: 2019}", False, lambda: panel(adoption={1: 2019}),
         ("county",)),
        ("reform_panel selection='nope'", False, lambda: panel(selection="nope"), ("nope",)),
        ("reform_panel package=None", False, lambda: panel(package=None), ("package",)),
        ("true_att unknown outcome", False,
         lambda: panel().true_att("nope"), ("outcome",)),
        ("true_att aggregation 'cohort'", False,
         lambda: panel().true_att("visits_per_capita", "cohort"), ("aggregation",)),
    ]
    # ------------------------------------------------------------ validate / calibrate
    val = dict(seeds=[1], scale=None, scheduler="synchronous", progress=False)
    cal = dict(parameters=["choice.asc_self_care"], targets=["forgone_care_rate"], budget=4,
               scheduler="synchronous", progress=False)
    c += [
        ("validate facts=('visits_per_capita',) tuple", True,
         lambda: abm.validate("small", facts=("visits_per_capita",), **val), (), _frame),
        ("validate facts='nope'", False, lambda: abm.validate("small", facts="nope", **val),
         ("nope",)),
        ("validate seeds=1", False,
         lambda: abm.validate("small", **{**val, "seeds": 1}, facts=["visits_per_capita"]),
         ("seeds",)),
        ("validate seeds=[1, 1]", False,
         lambda: abm.validate("small", **{**val, "seeds": [1, 1]},
                              facts=["visits_per_capita"]), ("seed",)),
        ("validate patients='x'", False,
         lambda: abm.validate("small", facts=["visits_per_capita"], patients="x", **val),
         ("patients",)),
        ("validate posterior=0", False,
         lambda: abm.validate("small", facts=["visits_per_capita"], posterior=0, **val),
         ("posterior",)),
        ("validate preset=Params", False,
         lambda: abm.validate(small, facts=["visits_per_capita"], **val), ("preset",)),
        ("calibrate parameters={'choice.asc_self_care': (6, 2)}", False,
         lambda: abm.calibrate("small", **{**cal, "parameters": {"choice.asc_self_care":
                                                                 (6, 2)}}),
         ("asc_self_care",)),
        ("calibrate parameters with a reform lever", False,
         lambda: abm.calibrate("small", **{**cal, "parameters": ["reform.day"]}),
         ("reform.day",)),
        ("calibrate targets=[] ", False,
         lambda: abm.calibrate("small", **{**cal, "targets": []}), ("targets",)),
        ("calibrate scale=0.5", False, lambda: abm.calibrate("small", **cal, scale=0.5),
         ("scale",)),
        ("calibrate seeds=0", False, lambda: abm.calibrate("small", **cal, seeds=0),
         ("seeds",)),
        ("calibrate observed={'nope': 1}", False,
         lambda: abm.calibrate("small", **cal, observed={"nope": 1.0}), ("nope",)),
    ]
    # ------------------------------------------------------------ designs and lever_effects
    c += [
        ("load_design Path of a shipped name", False,
         lambda: ds.load_design(Path("no_such_design")), ("no_such_design",)),
        ("parse_design levers at the status quo", False,
         lambda: ds.parse_design({"title": "t", "preset": "small", "days": 30,
                                  "reform_day": 10, "levers": {"revenue_share": 0.0}},
                                 name="t", source="audit"), ("revenue_share", "status quo")),
        ("parse_design reform_day=30 of 30 days", False,
         lambda: ds.parse_design({"title": "t", "preset": "small", "days": 30,
                                  "reform_day": 30, "levers": {"revenue_share": 0.5}},
                                 name="t", source="audit"), ("reform_day",)),
        ("design with_lever at the status quo (sweep point)", True,
         lambda: tiny.with_lever("revenue_share", 0.0), (), _ok),
        ("design_to_params of that point", False,
         lambda: ds.design_to_params(tiny.with_lever("revenue_share", 0.0)),
         ("revenue_share", "status quo")),
        ("design with_lever unknown lever", False,
         lambda: tiny.with_lever("nope", 0.5), ("nope",)),
        ("design with_overrides days=5 (before reform day 10)", True,
         lambda: tiny.with_overrides(days=5), (), _ok),
        ("design with_overrides seeds=[-1]", False,
         lambda: tiny.with_overrides(seeds=[-1]), ("seeds",)),
        ("lever_effects levers='revenue_share'", False,
         lambda: lever_effects(small, seeds=[1], days=10, levers="revenue_share",
                               scheduler="synchronous"), ("lever",)),
        ("lever_effects reform_day=np.int64(20) of 10 days", False,
         lambda: lever_effects(small, seeds=[1], days=10, levers=["revenue_share"],
                               reform_day=np.int64(20), scheduler="synchronous"),
         ("reform", "day")),
        ("lever_effects lever at its baseline value", False,
         lambda: lever_effects(small.replace(**{"incentives.revenue_share": 0.8}), seeds=[1],
                               days=10, levers=["revenue_share"], scheduler="synchronous",
                               progress=False), ("revenue_share", "baseline")),
    ]
    return c




def cli_cases():  # noqa: PLR0915 - one flat list of cases
    tmp = Path(tempfile.mkdtemp(prefix="audit_cli_fresh_"))
    tiny = tmp / "tiny.toml"
    tiny.write_text(_TINY)
    (tmp / "zero.toml").write_text(_TINY.replace("revenue_share = 0.5", "revenue_share = 0.0"))
    (tmp / "late.toml").write_text(_TINY.replace(
        "revenue_share = 0.5",
        "revenue_share = 0.5\ninformation_platform = { value = 1.0, start_day = 25 }"))
    (tmp / "upper.TOML").write_text(_TINY)
    (tmp / "empty.toml").write_text("")
    (tmp / "bom.toml").write_bytes(b"\xef\xbb\xbf" + _TINY.encode())
    (tmp / "latin1.toml").write_bytes(_TINY.replace("tiny", "t\xe9").encode("latin-1"))
    (tmp / "dup.toml").write_text(_TINY + "days = 40\n")
    (tmp / "unknown_key.toml").write_text(_TINY.replace('title = "tiny"',
                                                        'title = "tiny"\nhorizon = 3'))
    (tmp / "seeds_float.toml").write_text(_TINY.replace("seeds = [1]", "seeds = [1.0]"))
    (tmp / "days_str.toml").write_text(_TINY.replace("days = 30", 'days = "30"'))
    (tmp / "lever_str.toml").write_text(_TINY.replace("= 0.5", '= "0.5"'))
    (tmp / "param.toml").write_text(_TINY + "[parameters]\n\"trust.learning_rate\" = 7\n")
    pan = ["panel", "--counties", 2, "--years", 2, "--start-year", 2018, "--scale", 2000,
           "--scheduler", "synchronous", "--no-progress"]
    cal = ["calibrate", "--parameters", "choice.asc_self_care", "--targets",
           "forgone_care_rate", "--budget", 2, "--no-progress"]
    sweep = ["sweep", tiny, "--lever", "revenue_share", "--no-progress"]
    c = [
        # panel
        ("panel --counties 10000000", False, [*pan, "--counties", 10_000_000, "--out",
                                              tmp / "p1"], ("--counties", "3000")),
        ("panel --counties 3001", False, [*pan, "--counties", 3001, "--out", tmp / "p1"],
         ("--counties",)),
        ("panel --start-year 99999", False, [*pan, "--start-year", 99999, "--out", tmp / "p1"],
         ("--start-year",)),
        ("panel --start-year 1800", False, [*pan, "--start-year", 1800, "--out", tmp / "p1"],
         ("--start-year",)),
        ("panel --start-year 2099 --years 5", False,
         [*pan, "--start-year", 2099, "--years", 5, "--out", tmp / "p1"],
         ("--start-year", "--years")),
        ("panel --years 101", False, [*pan, "--years", 101, "--out", tmp / "p1"],
         ("--years",)),
        ("panel --years 2.0", False, [*pan, "--years", "2.0", "--out", tmp / "p1"],
         ("--years",)),
        ("panel --counties ' 2'", False, [*pan, "--counties", "2x", "--out", tmp / "p1"],
         ("--counties",)),
        ("panel --scale 10001", False, [*pan, "--scale", 10001, "--out", tmp / "p1"],
         ("--scale",)),
        ("panel --scale -3", False, [*pan, "--scale", "-3", "--out", tmp / "p1"],
         ("--scale",)),
        ("panel --seed 2**70", True, [*pan, "--seed", 2**70, "--out", tmp / "p2"], ()),
        ("panel --package gatekeeping_pilot", True,
         [*pan, "--package", "gatekeeping_pilot", "--out", tmp / "p3"], ()),
        ("panel --package '' ", False, [*pan, "--package", "", "--out", tmp / "p1"],
         ("--package",)),
        ("panel without --out", False, pan, ("--out",)),
        ("panel --out existing folder (reuse)", True, [*pan, "--out", tmp / "p2"], ()),
        ("panel --scheduler local:port", False,
         [*pan, "--scheduler", "tcp://127.0.0.1:1", "--out", tmp / "p1"], ("scheduler",)),
        # sweep
        ("sweep --values 0 (status quo value: a note)", True, [*sweep, "--values", 0, 0.5], ()),
        ("sweep --values 1e-7 0 (labels differ)", True, [*sweep, "--values", "1e-7", 0], ()),
        ("sweep --values 0.9 --lever reserved_referral_share", True,
         ["sweep", tiny, "--lever", "reserved_referral_share", "--values", 0.9,
          "--no-progress"], ()),
        ("sweep --values 0.95 reserved share", False,
         ["sweep", tiny, "--lever", "reserved_referral_share", "--values", 0.95],
         ("--values", "reserved_referral_share")),
        ("sweep --lever REVENUE_SHARE", False,
         ["sweep", tiny, "--lever", "REVENUE_SHARE", "--values", 0.5], ("--lever",)),
        ("sweep --lever reform.day", False,
         ["sweep", tiny, "--lever", "reform.day", "--values", 5], ("--lever",)),
        ("sweep --values missing", False, ["sweep", tiny, "--lever", "revenue_share"],
         ("--values",)),
        ("sweep --days 1", False, [*sweep, "--values", 0.5, "--days", 1],
         ("--days", "reform")),
        ("sweep --reform-day 29 (last day)", True,
         [*sweep, "--values", 0.5, "--reform-day", 29], ()),
        ("sweep --seeds 0", True, [*sweep, "--values", 0.5, "--seeds", 0], ()),
        ("sweep --out x.CSV", True, [*sweep, "--values", 0.5, "--out", tmp / "x.CSV"], ()),
        ("sweep design at status quo file", True,
         ["sweep", tmp / "zero.toml", "--lever", "revenue_share", "--values", 0.5,
          "--no-progress"], ()),
        # run / compare / validate / designs
        ("run design whose levers are the status quo", False, ["run", tmp / "zero.toml"],
         ("revenue_share", "status quo")),
        ("validate design whose levers are the status quo", False,
         ["validate", tmp / "zero.toml"], ("revenue_share", "status quo")),
        ("compare design whose levers are the status quo", False,
         ["compare", tmp / "zero.toml", "--out", tmp / "z.html"], ("status quo",)),
        ("run late path --days 20 (path after the end)", False,
         ["run", tmp / "late.toml", "--days", 20, "--no-progress"],
         ("start_day", "information_platform", "--days")),
        ("run late path (in the run)", True, ["run", tmp / "late.toml", "--no-progress"], ()),
        ("run upper-case .TOML", True, ["run", tmp / "upper.TOML", "--no-progress"], ()),
        ("validate empty file", False, ["validate", tmp / "empty.toml"], ("title", "levers")),
        ("validate BOM file", False, ["validate", tmp / "bom.toml"], ("toml",)),
        ("validate latin-1 file", False, ["validate", tmp / "latin1.toml"], ("read", "utf")),
        ("validate duplicate key", False, ["validate", tmp / "dup.toml"], ("toml", "days")),
        ("validate unknown key", False, ["validate", tmp / "unknown_key.toml"], ("horizon",)),
        ("validate seeds=[1.0]", False, ["validate", tmp / "seeds_float.toml"], ("seeds",)),
        ("validate days as a string", False, ["validate", tmp / "days_str.toml"], ("days",)),
        ("validate lever as a string", False, ["validate", tmp / "lever_str.toml"],
         ("revenue_share",)),
        ("validate parameter out of range", False, ["validate", tmp / "param.toml"],
         ("learning_rate",)),
        ("validate two designs, second missing", False,
         ["validate", tiny, tmp / "missing.toml"], ("missing",)),
        ("validate shipped and file", True, ["validate", "revenue_sharing", tiny], ()),
        ("run --seeds 1 2 1", False, ["run", tiny, "--seeds", 1, 2, 1], ("--seeds",)),
        ("run --reform-day 0", True, ["run", tiny, "--reform-day", 0, "--no-progress"], ()),
        ("run --days 36501", False, ["run", tiny, "--days", 36501], ("--days",)),
        ("compare --out dir/", False, ["compare", tiny, "--out", tmp], ("--out",)),
        ("compare two designs", True,
         ["compare", tiny, tmp / "upper.TOML", "--out", tmp / "two.html", "--no-progress"], ()),
        ("designs --show ../x", False, ["designs", "--show", "../x"], ("--show",)),
        ("designs extra argument", False, ["designs", "revenue_sharing"], ("unrecognized",)),
        # calibrate / dashboard / top level
        ("calibrate --method optuna-is --budget 0", False,
         [*cal[:-3], "--method", "optuna-is", "--budget", 0], ("--budget",)),
        ("calibrate --parameters reform.day", False,
         ["calibrate", "--parameters", "reform.day", "--targets", "forgone_care_rate"],
         ("reform.day",)),
        ("calibrate --parameters x=1:inf", False,
         ["calibrate", "--parameters", "choice.asc_self_care=1:inf", "--targets",
          "forgone_care_rate"], ("--parameters", "asc_self_care")),
        ("calibrate --targets twice", False,
         ["calibrate", "--parameters", "choice.asc_self_care", "--targets",
          "forgone_care_rate", "forgone_care_rate"], ("--targets", "forgone_care_rate")),
        ("calibrate --scale 1e9", False, [*cal, "--scale", "1e9"], ("--scale",)),
        ("calibrate --dest missing folder", False,
         [*cal, "--dest", tmp / "no" / "x.parquet"], ("--dest",)),
        ("dashboard --port -1", False, ["dashboard", "--port", "-1"], ("--port",)),
        # (no case may reach the dashboard's execve: it would replace the audit's process)
        ("dashboard --port 65536", False, ["dashboard", "--port", 65536], ("--port",)),
        ("--debug alone", False, ["--debug"], ("command",)),
        ("--version", False, ["--version"], ("--version",)),
    ]
    return [(cid, valid, argv, words, "cli") for cid, valid, argv, words in c]


SECTIONS = {"abm": abm_cases, "cli": cli_cases}


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("--")] or list(SECTIONS)
    totals = {}
    for name in names:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            cases = SECTIONS[name]()
        print(f"== {name} (fresh): {len(cases)} inputs "
              f"({sum(c[1] for c in cases)} valid / {sum(not c[1] for c in cases)} invalid)",
              flush=True)
        totals[name] = run(cases, "--verbose" in argv)
    print("\n| area | inputs | " + " | ".join(CLASSES) + " |")
    print("|---|---|" + "---|" * len(CLASSES))
    for name, counts in totals.items():
        print(f"| {name} (fresh) | {sum(counts.values())} | "
              + " | ".join(str(counts[k]) for k in CLASSES) + " |")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
