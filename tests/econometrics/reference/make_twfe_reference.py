"""Produce twfe_reference.json: pyfixest results on the public panels, for tests/test_twfe.py.

Run from the project root (needs pyfixest, a dev-only dependency, and ../shared/reference-data):

    .venv/bin/python tests/econometrics/reference/make_twfe_reference.py

Each case records the arguments of our function (``twfe`` or ``event_study``), and pyfixest's
``feols`` estimate, standard error (CRV1 by default, fixest's default ``ssc()``; cases with a
``vcov`` argument use pyfixest's ``"iid"`` or ``"hetero"``, our ``vcov="iid"`` / ``"HC1"``) and
p-value per term (t(G-1) clustered, t(n-k) otherwise);
for event studies also the joint pre-trend F statistic computed from pyfixest's covariance.
Event-time dummies are built here by hand (never-treated units have none, the reference period -1
is omitted), as fixest's ``i(time_to_treatment, ref = c(-1, -1000))`` in its documentation.
"""

from __future__ import annotations

import json
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
from scipy import stats

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2].parent / "shared" / "reference-data"
NEVER = -1000


def _terms(fit, mapping: dict[str, str]) -> dict:
    t = fit.tidy()
    return {ours: {"estimate": float(t.loc[theirs, "Estimate"]),
                   "std_error": float(t.loc[theirs, "Std. Error"]),
                   "p_value": float(t.loc[theirs, "Pr(>|t|)"])}
            for ours, theirs in mapping.items()}


#: our vcov= -> pyfixest's vcov=
PYFIXEST_VCOV = {"iid": "iid", "HC1": "hetero"}


def static_case(name, dataset, df, *, y, unit, time, treat, covariates=(), cluster=None,
                weights=None, vcov=None):
    rhs = " + ".join([treat, *covariates])
    theirs = (PYFIXEST_VCOV[vcov] if vcov else
              {"CRV1": "+".join([cluster] if isinstance(cluster, str) else cluster or [unit])})
    fit = pf.feols(f"{y} ~ {rhs} | {unit} + {time}", data=df, vcov=theirs, weights=weights)
    kwargs = {"y": y, "unit": unit, "time": time, "treat": treat, "covariates": list(covariates),
              "cluster": cluster, "weights": weights, "vcov": vcov}
    return {"name": name, "dataset": dataset, "function": "twfe", "kwargs": kwargs,
            "terms": _terms(fit, {c: c for c in [treat, *covariates]})}


def event_case(name, dataset, df, *, y, unit, time, cohort, leads=None, lags=None,
               covariates=(), never_value=0, vcov=None):
    d = df.copy()
    g = d[cohort].fillna(0).replace(np.inf, 0)
    never = (g == never_value) | (g == 0) | (g > d[time].max())
    rel = (d[time] - g).where(~never, NEVER)
    lo = int(-rel[~never].min()) if leads is None else leads
    hi = int(rel[~never].max()) if lags is None else lags
    d["rel"] = np.where(never, NEVER, np.clip(rel, -lo, hi)).astype(int)
    events = [e for e in sorted(d.loc[~never, "rel"].unique()) if e != -1]
    names = {e: f"ev_{'m' if e < 0 else 'p'}{abs(e)}" for e in events}
    for e, n in names.items():
        d[n] = (d["rel"] == e).astype(float)
    rhs = " + ".join([*names.values(), *covariates])
    theirs = PYFIXEST_VCOV[vcov] if vcov else {"CRV1": unit}
    fit = pf.feols(f"{y} ~ {rhs} | {unit} + {time}", data=d, vcov=theirs)
    terms = _terms(fit, {f"event_time::{e}": n for e, n in names.items()})
    leads_names = [names[e] for e in sorted(names) if e < 0]
    b = fit.coef().loc[leads_names].to_numpy()
    v = pd.DataFrame(fit._vcov, index=fit.coef().index, columns=fit.coef().index)
    v = v.loc[leads_names, leads_names].to_numpy()
    df_denom = int(d[unit].nunique()) - 1 if vcov is None else int(fit._df_t)
    f_stat = float(b @ np.linalg.solve(v, b) / len(b))
    kwargs = {"y": y, "unit": unit, "time": time, "cohort": cohort, "leads": leads,
              "lags": lags, "covariates": list(covariates), "vcov": vcov}
    return {"name": name, "dataset": dataset, "function": "event_study", "kwargs": kwargs,
            "terms": terms,
            "pretrend": {"statistic": f_stat, "df": len(b), "df_denom": df_denom,
                         "p_value": float(stats.f.sf(f_stat, len(b), df_denom))}}


def main() -> None:
    warnings.simplefilter("ignore")
    castle = pd.read_csv(DATA / "castle.csv")
    mpdta = pd.read_csv(DATA / "mpdta.csv")
    stagg = pd.read_csv(DATA / "base_stagg.csv")
    # base_stagg codes never-treated units with year_treated = 10000 (after the last year).
    cases = [
        static_case("castle_crv1", "castle.csv", castle, y="l_homicide", unit="sid",
                    time="year", treat="post"),
        static_case("castle_covariates_weights", "castle.csv", castle, y="l_homicide",
                    unit="sid", time="year", treat="post",
                    covariates=("l_police", "unemployrt", "poverty", "l_income"),
                    weights="popwt"),
        static_case("castle_twoway", "castle.csv", castle, y="l_homicide", unit="sid",
                    time="year", treat="post", cluster=["sid", "year"]),
        event_case("mpdta_event", "mpdta.csv", mpdta, y="lemp", unit="countyreal",
                   time="year", cohort="first.treat"),
        event_case("stagg_event", "base_stagg.csv", stagg, y="y", unit="id", time="year",
                   cohort="year_treated", covariates=("x1",), never_value=10000),
        event_case("stagg_event_binned", "base_stagg.csv", stagg, y="y", unit="id",
                   time="year", cohort="year_treated", leads=3, lags=2, never_value=10000),
        # vcov= (issue 27): homoskedastic and HC1 beside the clustered cases above.
        *(static_case(f"castle_{v.lower()}", "castle.csv", castle, y="l_homicide", unit="sid",
                      time="year", treat="post", vcov=v) for v in PYFIXEST_VCOV),
        *(static_case(f"castle_covariates_weights_{v.lower()}", "castle.csv", castle,
                      y="l_homicide", unit="sid", time="year", treat="post",
                      covariates=("l_police", "unemployrt", "poverty", "l_income"),
                      weights="popwt", vcov=v) for v in PYFIXEST_VCOV),
        *(event_case(f"stagg_event_{v.lower()}", "base_stagg.csv", stagg, y="y", unit="id",
                     time="year", cohort="year_treated", covariates=("x1",),
                     never_value=10000, vcov=v) for v in PYFIXEST_VCOV),
    ]
    out = {"generator": "tests/econometrics/reference/make_twfe_reference.py",
           "pyfixest": version("pyfixest"), "cases": cases}
    (HERE / "twfe_reference.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {len(cases)} cases")


if __name__ == "__main__":
    main()
