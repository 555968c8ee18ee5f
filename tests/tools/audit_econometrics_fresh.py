"""A second, fresh audit of invented econometrics inputs (issue 28, beyond the corpora).

Not part of the test suite. Run from the repository root::

    .venv/bin/python tests/tools/audit_econometrics_fresh.py [--verbose]

The cases are new: none repeats one of ``audit_bad_inputs.py``'s econometrics cases or the
corpus in ``tests/econometrics/test_bad_inputs.py``. Each is ``(id, valid, thunk, words)`` (and
optionally a check of a valid result), classified by :func:`audit_bad_inputs.classify` into
right result / named error / misleading / obscure crash / silently wrong.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audit_bad_inputs import CLASSES, run  # noqa: E402


def _universal_ok(out) -> bool:
    """Finite inference except the base-period cells (estimate 0, SE 0: R did's convention)."""
    t = out.tidy()
    base = (t["estimate"] == 0) & (t["std_error"] == 0) & (t["time"] == t["cohort"] - 1)
    rest = t[~base]
    return bool(base.any() and np.all(np.isfinite(rest[["estimate", "std_error", "p_value"]]
                                                  .to_numpy(float)))
                and np.all(rest["std_error"] > 0))


def _is_text(out) -> bool:
    return isinstance(out, str) and len(out) > 0


def cases():  # noqa: PLR0915 - one flat list of cases
    import econometrics as em

    base = dict(y="y", unit="unit", time="time")
    stag = em.simulate_panel(n_units=30, n_periods=6, cohorts=(3, 5), effect=1.0, seed=21)
    rng = np.random.default_rng(2)
    stag["x"] = rng.normal(size=len(stag))
    stag["zone"] = stag["unit"] % 3
    stag["w"] = np.repeat(rng.uniform(0.5, 2.0, size=30), 6)
    block = em.simulate_panel(n_units=24, n_periods=8, cohorts=(5,), effect=1.0,
                              never_treated=0.7, seed=22)
    all_at_once = stag.assign(cohort=np.where(stag.cohort > 0, 3, 3),
                              treat=(stag.time >= 3).astype(int))
    no_never = em.simulate_panel(n_units=30, n_periods=6, cohorts=(3, 5), effect=1.0,
                                 never_treated=0.0, seed=23)
    one_cohort_no_never = em.simulate_panel(n_units=20, n_periods=6, cohorts=(4,),
                                            effect=1.0, never_treated=0.0, seed=24)

    def tw(d=stag, **k):
        return em.twfe(d, **{**base, "treat": "treat", **k})

    def es(d=stag, **k):
        return em.event_study(d, **{**base, "cohort": "cohort", **k})

    def cs(d=stag, **k):
        return em.att_gt(d, **{**base, "cohort": "cohort", "bootstrap": 0, **k})

    def sa(d=stag, **k):
        return em.sun_abraham(d, **{**base, "cohort": "cohort", **k})

    def imp(d=stag, **k):
        return em.imputation(d, **{**base, "cohort": "cohort", **k})

    def dc(d=stag, **k):
        return em.dcdh(d, **{**base, "treat": "treat", **k})

    def sdid(d=block, **k):
        return em.synthetic_did(d, **{**base, "treat": "treat", "replications": 20, "seed": 1,
                                      **k})

    def sc(d=block, **k):
        return em.synthetic_control(d, **{**base, "treat": "treat", "replications": 20,
                                          "seed": 1, **k})

    def two_units():
        d = block[block.unit.isin([block.unit[block.cohort > 0].iloc[0],
                                   block.unit[block.cohort == 0].iloc[0]])]
        return d

    def n_units(n):
        keep = list(stag.unit[stag.cohort > 0].unique()[: n - 1]) + \
            list(stag.unit[stag.cohort == 0].unique()[:1])
        return stag[stag.unit.isin(keep)]

    c = []
    # ------------------------------------------------------------------ twfe: columns and roles
    c += [
        ("twfe covariates=''", False, lambda: tw(covariates=""), ("covariates", "''")),
        ("twfe covariates=['x', None]", False, lambda: tw(covariates=["x", None]),
         ("covariates", "None")),
        ("twfe y='unit'", False, lambda: tw(y="unit"), ("unit", "y=")),
        ("twfe treat='y'", False, lambda: tw(treat="y"), ("treat", "0/1")),
        ("twfe y=['y']", False, lambda: tw(y=["y"]), ("y=", "column name")),
        ("twfe unit='time'", False, lambda: tw(unit="time"), ("unit", "time")),
        ("twfe cluster=[]", False, lambda: tw(cluster=[]), ("cluster",)),
        ("twfe cluster='time'", True, lambda: tw(cluster="time"), ()),
        ("twfe cluster=['unit','unit']", False, lambda: tw(cluster=["unit", "unit"]),
         ("cluster", "twice")),
        ("twfe weights='y' (negative)", False, lambda: tw(weights="y"), ("weights",)),
        ("twfe weights='treat' (zeros)", False, lambda: tw(weights="treat"), ("weights",)),
        ("twfe fe='unit'", True, lambda: tw(fe="unit"), ()),
        ("twfe fe=''", False, lambda: tw(fe=""), ("fe",)),
        ("twfe vcov='hc1'", False, lambda: tw(vcov="hc1"), ("vcov",)),
        ("twfe vcov='iid'", True, lambda: tw(vcov="iid"), ()),
        ("twfe data indexed by (unit, time)", False,
         lambda: tw(stag.set_index(["unit", "time"])), ("unit", "time")),
        ("twfe float unit ids", True, lambda: tw(stag.assign(unit=stag.unit * 1.0)), ()),
        ("twfe two units (1 treated, 1 control)", False, lambda: tw(two_units()),
         ("cluster", "units")),
        ("twfe four units", True, lambda: tw(n_units(4)), ()),
        ("twfe treat as strings", False, lambda: tw(stag.assign(treat=stag.treat.astype(str))),
         ("treat",)),
        ("twfe treat with a NaN", True,
         lambda: tw(stag.assign(treat=stag.treat.where(stag.index != 5))), ()),
        ("twfe y all NaN", False, lambda: tw(stag.assign(y=np.nan)), ("y", "outcome")),
        ("twfe covariate with a NaN", True,
         lambda: tw(stag.assign(x=stag.x.where(stag.index != 9)), covariates="x"), ()),
        ("twfe constant covariate", False, lambda: tw(stag.assign(k=1.0), covariates="k"),
         ("collinear", "'k'")),
        # datetime periods are categories of the period effects: the same fit as integers
        ("twfe datetime time", True,
         lambda: tw(stag.assign(time=pd.to_datetime(stag.time + 2000, format="%Y"))), ()),
        ("twfe gaps between periods", True, lambda: tw(stag.assign(time=stag.time * 2)), ()),
        ("twfe mixed-type unit ids", True,
         lambda: tw(stag.assign(unit=[u if u % 2 else f"u{u}" for u in stag.unit])), ()),
        ("twfe conf_level=np.float16(0.95)", True, lambda: tw(conf_level=np.float16(0.95)), ()),
        ("twfe conf_level=0.999999", True, lambda: tw(conf_level=0.999999), ()),
        ("twfe conf_level=Fraction(19, 20)", True, lambda: tw(conf_level=Fraction(19, 20)), ()),
        ("twfe conf_level=[0.9]", False, lambda: tw(conf_level=[0.9]), ("conf_level",)),
        ("twfe single period", False, lambda: tw(stag[stag.time == 4]), ("period", "time")),
        ("twfe positional y", False, lambda: em.twfe(stag, "y", unit="unit", time="time",
                                                     treat="treat"), ("positional",)),
        ("twfe treat=None", False, lambda: tw(treat=None), ("treat",)),
        ("twfe 2 clusters (G=2)", False, lambda: tw(cluster="c", d=stag.assign(c=stag.unit % 2)),
         ("cluster",)),
        ("twfe 2x2 two-way clusters", False,
         lambda: tw(d=stag.assign(c=stag.unit % 2, k=stag.time % 2), cluster=["c", "k"]),
         ("cluster",)),
    ]
    # ------------------------------------------------------------------ event_study
    c += [
        ("event_study leads=1 lags=0", True, lambda: es(leads=1, lags=0), ()),
        ("event_study leads=100", True, lambda: es(leads=100), ()),
        ("event_study reference=-1 leads=0", False, lambda: es(leads=0), ("reference",)),
        ("event_study reference=np.int32(-2)", True, lambda: es(reference=np.int32(-2)), ()),
        ("event_study reference=(-1,)", True, lambda: es(reference=(-1,)), ()),
        ("event_study reference=[]", False, lambda: es(reference=[]), ("reference",)),
        ("event_study reference=-1.0", False, lambda: es(reference=-1.0), ("reference",)),
        ("event_study reference=2 (treated)", False, lambda: es(reference=2), ("reference",)),
        ("event_study reference=[-1, 1]", False, lambda: es(reference=[-1, 1]),
         ("reference",)),
        ("event_study estimator='TWFE'", False, lambda: es(estimator="TWFE"), ("estimator",)),
        ("event_study estimator='callaway_santanna'", True,
         lambda: es(estimator="callaway_santanna"), ()),
        ("event_study sun_abraham bin_endpoints=False", False,
         lambda: es(estimator="sun_abraham", bin_endpoints=False), ("bin_endpoints",)),
        ("event_study imputation leads=2", True, lambda: es(estimator="imputation", leads=2,
                                                           reference=None), ()),
        ("event_study synthetic_control staggered", False,
         lambda: es(estimator="synthetic_control"), ("adoption", "cohort", "date")),
        ("event_study synthetic_control block", True,
         lambda: es(block, estimator="synthetic_control", reference=None), ()),
        ("event_study cohort = 0/1 dummy", False,
         lambda: es(stag.assign(cohort=(stag.cohort > 0).astype(int))), ("cohort",)),
        ("event_study all treated at once", False, lambda: es(all_at_once),
         ("never", "collinear", "control", "cohort")),
        ("event_study every cohort after the data", False,
         lambda: es(stag.assign(cohort=np.where(stag.cohort > 0, 20, 0))),
         ("treated", "cohort")),
        ("event_study cluster='time'", True, lambda: es(cluster="time"), ()),
        ("event_study bin_endpoints=False leads=1", True,
         lambda: es(bin_endpoints=False, leads=1), ()),
        ("event_study leads=np.int64(2) lags=np.uint8(1)", True,
         lambda: es(leads=np.int64(2), lags=np.uint8(1)), ()),
        ("event_study lags=2.0", False, lambda: es(lags=2.0), ("lags",)),
        # two cohorts, no never-treated, every event time: not identified (more parameters
        # than cohort x period cells), so a named refusal is right
        ("event_study no never-treated", False, lambda: es(no_never), ("collinear",)),
        ("event_study no never-treated, window", True, lambda: es(no_never, leads=1, lags=1),
         ()),
        ("event_study cohort=None", False, lambda: es(cohort=None), ("cohort",)),
    ]
    # ------------------------------------------------------------------ att_gt
    fit = cs()
    c += [
        ("att_gt control='notyet'", True, lambda: cs(control="notyet"), ()),
        ("att_gt control='not_yet'", False, lambda: cs(control="not_yet"), ("control",)),
        ("att_gt method='ipw'", True, lambda: cs(method="ipw"), ()),
        ("att_gt method='DR'", False, lambda: cs(method="DR"), ("method",)),
        ("att_gt base_period='universal'", True, lambda: cs(base_period="universal"), (),
         _universal_ok),
        ("att_gt base_period='fixed'", False, lambda: cs(base_period="fixed"),
         ("base_period",)),
        ("att_gt anticipation=1", True, lambda: cs(anticipation=1), ()),
        ("att_gt anticipation=10", False, lambda: cs(anticipation=10),
         ("anticipation", "cohort")),
        ("att_gt anticipation=1.0", False, lambda: cs(anticipation=1.0), ("anticipation",)),
        ("att_gt bootstrap=np.int64(50)", True, lambda: cs(bootstrap=np.int64(50), seed=1), ()),
        ("att_gt bootstrap=1", False, lambda: cs(bootstrap=1, seed=1), ("bootstrap",)),
        ("att_gt cband=np.bool_(True)", True, lambda: cs(cband=np.bool_(True), bootstrap=50,
                                                         seed=1), ()),
        ("att_gt cluster=['unit']", True, lambda: cs(cluster=["unit"]), ()),
        ("att_gt cluster=['unit','zone']", False, lambda: cs(cluster=["unit", "zone"]),
         ("cluster",)),
        ("att_gt weights with a NaN", False,
         lambda: cs(stag.assign(w=stag.w.where(stag.unit != 4)), weights="w"),
         ("weights", "'w'")),
        ("att_gt pretest_cells='all'", False, lambda: cs(pretest_cells="all"),
         ("pretest_cells",)),
        ("att_gt all treated at once", False, lambda: cs(all_at_once),
         ("never", "control", "cohort")),
        ("att_gt one cohort no never, notyet", False,
         lambda: cs(one_cohort_no_never, control="notyet"), ("cohort", "control", "never")),
        ("att_gt seed='1'", False, lambda: cs(bootstrap=20, seed="1"), ("seed",)),
        ("aggregate('dynamic', min_e=-2, max_e=2)", True,
         lambda: fit.aggregate("dynamic", min_e=-2, max_e=2), ()),
        ("aggregate('calendar')", True, lambda: fit.aggregate("calendar"), ()),
        ("aggregate('event')", False, lambda: fit.aggregate("event"), ("kind",)),
        ("aggregate balance_e=-1", False, lambda: fit.aggregate("dynamic", balance_e=-1),
         ("balance_e",)),
        ("aggregate min_e=3 max_e=1", False, lambda: fit.aggregate("dynamic", min_e=3, max_e=1),
         ("min_e", "max_e")),
        ("aggregate min_e='a'", False, lambda: fit.aggregate("dynamic", min_e="a"), ("min_e",)),
        ("aggregate('group', balance_e=1)", False, lambda: fit.aggregate("group", balance_e=1),
         ("balance_e",)),
        ("aggregate balance_e=np.int64(1)", True,
         lambda: fit.aggregate("dynamic", balance_e=np.int64(1)), ()),
        ("aggregate min_e=20 (empty window)", False,
         lambda: fit.aggregate("dynamic", min_e=20), ("min_e", "event time")),
    ]
    # ------------------------------------------------------------------ sun_abraham
    c += [
        ("sun_abraham reference=0", False, lambda: sa(reference=0), ("reference",)),
        ("sun_abraham reference=3", False, lambda: sa(reference=3), ("reference",)),
        ("sun_abraham reference=np.int64(-2)", True, lambda: sa(reference=np.int64(-2)), ()),
        ("sun_abraham lags=0", True, lambda: sa(lags=0), ()),
        ("sun_abraham leads=0", False, lambda: sa(leads=0), ("reference", "leads")),
        ("sun_abraham cluster=['unit','time']", True, lambda: sa(cluster=["unit", "time"]), ()),
        ("sun_abraham fe='zone'", True, lambda: sa(fe="zone"), ()),
        ("sun_abraham covariates='x'", True, lambda: sa(covariates="x"), ()),
        ("sun_abraham vcov='HC1'", True, lambda: sa(vcov="HC1"), ()),
        ("sun_abraham no never-treated", True, lambda: sa(no_never), ()),
        ("sun_abraham one cohort no never", False, lambda: sa(one_cohort_no_never),
         ("cohort", "never", "comparison")),
        ("sun_abraham lags=-1 leads=-1", False, lambda: sa(lags=-1, leads=-1), ("lags", "leads")),
        ("sun_abraham 2 clusters", False, lambda: sa(stag.assign(c=stag.unit % 2), cluster="c"),
         ("cluster",)),
    ]
    # ------------------------------------------------------------------ imputation
    c += [
        ("imputation reference=-1", True, lambda: imp(reference=-1), ()),
        ("imputation reference=-2", False, lambda: imp(reference=-2), ("reference",)),
        ("imputation pretrend_vcov='bogus'", False, lambda: imp(leads=2,
                                                                pretrend_vcov="bogus"),
         ("pretrend_vcov",)),
        ("imputation leads=2", True, lambda: imp(leads=2), ()),
        ("imputation cluster='zone'", True, lambda: imp(cluster="zone"), ()),
        ("imputation all treated at once", False, lambda: imp(all_at_once),
         ("never", "untreated", "control", "treated")),
        ("imputation lags=np.int64(1)", True, lambda: imp(lags=np.int64(1)), ()),
        ("imputation 2 clusters", False, lambda: imp(stag.assign(c=stag.unit % 2), cluster="c"),
         ("cluster",)),
    ]
    # ------------------------------------------------------------------ dcdh
    c += [
        ("dcdh neither treat nor cohort", False, lambda: em.dcdh(stag, **base), ("treat",)),
        ("dcdh normalized=np.bool_(True)", True, lambda: dc(normalized=np.bool_(True)), ()),
        ("dcdh switchers='in'", True, lambda: dc(switchers="in"), ()),
        ("dcdh switchers='out' on absorbing", False, lambda: dc(switchers="out"),
         ("switchers", "out", "switch")),
        ("dcdh same_switchers=1", False, lambda: dc(same_switchers=1), ("same_switchers",)),
        ("dcdh lags=np.int64(1)", True, lambda: dc(lags=np.int64(1)), ()),
        ("dcdh effects_equal=True", True, lambda: dc(effects_equal=True, lags=2), ()),
        ("dcdh conf_level='0.95'", False, lambda: dc(conf_level="0.95"), ("conf_level",)),
    ]
    # ------------------------------------------------------------------ bacon
    def _bacon_ok(out):
        t = out.tidy() if hasattr(out, "tidy") else None
        return t is not None and len(t) > 0

    c += [
        ("bacon staggered", True, lambda: em.bacon(stag, **base, cohort="cohort"), (),
         _bacon_ok),
        ("bacon covariates='x'", True, lambda: em.bacon(stag, **base, cohort="cohort",
                                                        covariates="x"), (), _bacon_ok),
        ("bacon unbalanced", False, lambda: em.bacon(stag.drop(index=[3, 40]), **base,
                                                     cohort="cohort"), ("balanced",)),
        ("bacon NaN cohort for never", True,
         lambda: em.bacon(stag.assign(cohort=stag.cohort.where(stag.cohort > 0)), **base,
                          cohort="cohort"), (), _bacon_ok),
        ("bacon all treated at once", False, lambda: em.bacon(all_at_once, **base,
                                                              cohort="cohort"),
         ("never", "cohort", "comparison", "timing")),
        ("bacon cohort=treat dummy", False, lambda: em.bacon(stag, **base, cohort="treat"),
         ("cohort",)),
    ]
    # ------------------------------------------------------------------ synthetic DiD / control
    c += [
        ("synthetic_did jackknife 1 treated", False,
         lambda: sdid(block.assign(treat=np.where(block.unit == block.unit[block.cohort > 0]
                                                  .iloc[0], block.treat, 0)),
                      se_method="jackknife"), ("jackknife", "treated")),
        ("synthetic_did bootstrap", True, lambda: sdid(se_method="bootstrap"), ()),
        ("synthetic_did replications=1", False, lambda: sdid(replications=1),
         ("replications",)),
        ("synthetic_did replications=2.0", False, lambda: sdid(replications=2.0),
         ("replications",)),
        ("synthetic_did staggered", False, lambda: sdid(stag),
         ("adoption", "date", "one", "staggered")),
        ("synthetic_did seed=np.uint32(5)", True, lambda: sdid(seed=np.uint32(5)), ()),
        ("synthetic_control one treated", True,
         lambda: sc(block.assign(treat=np.where(block.unit == block.unit[block.cohort > 0]
                                                .iloc[0], block.treat, 0))), ()),
        ("synthetic_did treated from the first period", False,
         lambda: sdid(block.assign(treat=np.where(block.cohort > 0, 1, 0))),
         ("pre", "first period", "before")),
        ("synthetic_did unbalanced", False, lambda: sdid(block.drop(index=[5])),
         ("balanced", "missing")),
        ("synthetic_did NaN outcome", False, lambda: sdid(block.assign(
            y=block.y.where(block.index != 17))), ("balanced", "missing", "NaN", "outcome")),
        ("synthetic_control se_method='bootstrap'", False, lambda: sc(se_method="bootstrap"),
         ("se_method",)),
        ("synthetic_did covariates='x'", False,
         lambda: em.synthetic_did(block, **base, treat="treat", covariates="x"),
         ("covariates",)),
    ]
    # ------------------------------------------------------------------ honest_did
    study = es(block)
    imp_no_leads = imp(block)

    def _honest_ok(out):
        t = out.tidy()
        return bool(np.all(np.isfinite(t[["conf_low", "conf_high"]].to_numpy(float))))

    c += [
        ("honest_did m=True", False, lambda: em.honest_did(study, m=True), ("m=",)),
        ("honest_did m=(0.5, True)", False, lambda: em.honest_did(study, m=(0.5, True)),
         ("m=",)),
        ("honest_did m=np.array([0.5, 1.0])", True,
         lambda: em.honest_did(study, m=np.array([0.5, 1.0])), (), _honest_ok),
        ("honest_did target='average'", True, lambda: em.honest_did(study, target="average"),
         (), _honest_ok),
        ("honest_did target=np.int64(1)", True,
         lambda: em.honest_did(study, target=np.int64(1)), (), _honest_ok),
        ("honest_did target=True", False, lambda: em.honest_did(study, target=True),
         ("target",)),
        ("honest_did target=-2", False, lambda: em.honest_did(study, target=-2), ("target",)),
        ("honest_did grid_points=0", False, lambda: em.honest_did(study, grid_points=0),
         ("grid_points",)),
        ("honest_did grid_points=10.5", False, lambda: em.honest_did(study, grid_points=10.5),
         ("grid_points",)),
        ("honest_did smoothness m=0", True,
         lambda: em.honest_did(study, restriction="smoothness", m=0), (), _honest_ok),
        ("honest_did on att_gt", False, lambda: em.honest_did(fit), ("EventStudyResult",)),
        ("honest_did no leads", False, lambda: em.honest_did(imp_no_leads),
         ("pre-treatment",)),
        ("honest_did conf_level=np.float64(0.9)", True,
         lambda: em.honest_did(study, conf_level=np.float64(0.9)), (), _honest_ok),
        ("honest_did m={0.5}", False, lambda: em.honest_did(study, m={"a": 0.5}), ("m=",)),
    ]
    # ------------------------------------------------------------------ wild_bootstrap
    static = tw()

    def _wb_ok(out):
        return 0 <= out.p_value <= 1 and np.isfinite(out.conf_low) and np.isfinite(out.conf_high)

    c += [
        ("wild_bootstrap rademacher", True,
         lambda: em.wild_bootstrap(static, weights="rademacher", n_boot=199, seed=1), (),
         _wb_ok),
        ("wild_bootstrap event-study term", True,
         lambda: em.wild_bootstrap(study, term="event_time::0", n_boot=199, seed=1), (),
         _wb_ok),
        ("wild_bootstrap term=0", False, lambda: em.wild_bootstrap(static, term=0), ("term",)),
        ("wild_bootstrap on att_gt", False, lambda: em.wild_bootstrap(fit), ("result",)),
        ("wild_bootstrap n_boot=9.5", False, lambda: em.wild_bootstrap(static, n_boot=9.5),
         ("n_boot",)),
        ("wild_bootstrap n_boot=True", False, lambda: em.wild_bootstrap(static, n_boot=True),
         ("n_boot",)),
        ("wild_bootstrap 2 clusters", False, lambda: em.wild_bootstrap(
            em.twfe(stag.assign(c=stag.unit % 2), **base, treat="treat", cluster="c"),
            n_boot=99, seed=1), ("cluster",)),
        # documented: the wild cluster bootstrap always clusters (by unit for an iid fit)
        ("wild_bootstrap vcov='iid' fit", True,
         lambda: em.wild_bootstrap(tw(vcov="iid"), n_boot=99, seed=1), (), _wb_ok),
    ]
    # ------------------------------------------------------------------ compare_estimators
    def cmp(**k):
        return em.compare_estimators(stag, **base, cohort="cohort", **k)

    def _cmp_ok(out):
        return len(out.tidy()) > 0

    c += [
        ("compare estimators=[]", False, lambda: cmp(estimators=[]), ("estimators",)),
        ("compare estimators twice", False, lambda: cmp(estimators=["twfe", "twfe"]),
         ("estimators", "twice")),
        ("compare estimators tuple", True, lambda: cmp(estimators=("twfe", "sun_abraham")),
         (), _cmp_ok),
        ("compare options unknown estimator", False,
         lambda: cmp(estimators=["twfe"], options={"nope": {}}), ("nope", "options")),
        ("compare options twfe vcov", True,
         lambda: cmp(estimators=["twfe"], options={"twfe": {"vcov": "HC1"}}), (), _cmp_ok),
        ("compare leads=np.int64(2)", True, lambda: cmp(estimators=["twfe"],
                                                        leads=np.int64(2)), (), _cmp_ok),
        ("compare conf_level=95", False, lambda: cmp(estimators=["twfe"], conf_level=95),
         ("conf_level",)),
    ]
    # ------------------------------------------------------------------ simulate_panel
    def sim(**k):
        return em.simulate_panel(**{"n_units": 10, "n_periods": 5, "cohorts": (3,),
                                    "effect": 1.0, "seed": 1, **k})

    def _frame_ok(out):
        return isinstance(out, pd.DataFrame) and len(out) > 0

    c += [
        ("simulate cohorts=()", False, lambda: sim(cohorts=()), ("cohorts",)),
        ("simulate cohorts=(0,)", False, lambda: sim(cohorts=(0,)), ("cohorts",)),
        ("simulate cohorts=(10,)", False, lambda: sim(cohorts=(10,)), ("cohorts", "n_periods")),
        ("simulate never_treated=1.5", False, lambda: sim(never_treated=1.5),
         ("never_treated",)),
        ("simulate never_treated=0", True, lambda: sim(never_treated=0), (), _frame_ok),
        ("simulate sigma=-1", False, lambda: sim(sigma=-1), ("sigma",)),
        ("simulate effect={3: 1.0}", True, lambda: sim(effect={3: 1.0}), (), _frame_ok),
        ("simulate effect={7: 1.0}", False, lambda: sim(effect={7: 1.0}), ("effect",)),
        ("simulate n_periods=np.int64(6)", True, lambda: sim(n_periods=np.int64(6)), (),
         _frame_ok),
        ("simulate effect=np.float64(1)", True, lambda: sim(effect=np.float64(1)), (),
         _frame_ok),
        ("simulate effect='1'", False, lambda: sim(effect="1"), ("effect",)),
        ("simulate cohorts=3", False, lambda: sim(cohorts=3), ("cohorts",)),
        ("simulate dynamic=nan", False, lambda: sim(dynamic=float("nan")), ("dynamic",)),
    ]
    # ------------------------------------------------------------------ result methods
    c += [
        ("summary(digits=-1)", False, lambda: static.summary(digits=-1), ("digits",)),
        ("summary(digits=2.5)", False, lambda: static.summary(digits=2.5), ("digits",)),
        ("to_latex(digits=np.int64(3))", True, lambda: static.to_latex(digits=np.int64(3)), (),
         _is_text),
        ("summary(latex='yes')", False, lambda: static.summary(latex="yes"), ("latex",)),
    ]
    return c


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    all_cases = cases()
    print(f"== econometrics (fresh): {len(all_cases)} inputs "
          f"({sum(c[1] for c in all_cases)} valid / {sum(not c[1] for c in all_cases)} invalid)")
    counts = run(all_cases, "--verbose" in argv)
    print("\n| area | inputs | " + " | ".join(CLASSES) + " |")
    print("|---|---|" + "---|" * len(CLASSES))
    print(f"| econometrics (fresh) | {sum(counts.values())} | "
          + " | ".join(str(counts[k]) for k in CLASSES) + " |")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main(sys.argv[1:]))
