"""Produce the reference outputs for the Callaway-Sant'Anna tests (run by hand, not by pytest).

    .venv/bin/python tests/econometrics/reference/cs_make_reference.py

Writes, beside this script:

* ``cs_sim_panel.csv`` -- a simulated staggered panel (400 units x 8 periods, three cohorts and
  a never-treated group, heterogeneous dynamic effects, a time-invariant covariate that drives
  both cohort membership and outcome trends), made with ``numpy.random.default_rng(20240611)``.
* ``cs_reference.csv`` -- ATT(g, t) and every aggregation (simple, dynamic, group, calendar)
  with analytic standard errors from the peer package ``csdid`` 0.4.3 (a line-by-line port of
  R ``did``, bootstrap off), for mpdta (R ``did``'s example data, read from
  ../shared/reference-data) and the simulated panel, under several specifications.
* ``cs_differences.csv`` -- the same ATT(g, t) (and simple / dynamic aggregations) from the
  independent package ``differences`` 0.3, as a cross-check of ``csdid``.

It also prints the agreement of both packages with the published R ``did`` output for mpdta
(``PUBLISHED`` below) and with each other; see cs_README.md for the numbers.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
MPDTA = HERE.parents[2].parent / "shared" / "reference-data" / "mpdta.csv"

# Published R `did` output (README of bcallaway11/did, reproduced e.g. at
# https://rstudio-pubs-static.s3.amazonaws.com/736765_c47909c746704c79922fdc03ab352edf.html):
# att_gt(yname="lemp", gname="first.treat", idname="countyreal", tname="year", xformla=~1,
#        data=mpdta, est_method="reg"), ATT(g,t) rounded to 4 digits.
PUBLISHED = {
    (2004, 2004): -0.0105, (2004, 2005): -0.0704, (2004, 2006): -0.1373, (2004, 2007): -0.1008,
    (2006, 2004): 0.0065, (2006, 2005): -0.0028, (2006, 2006): -0.0046, (2006, 2007): -0.0412,
    (2007, 2004): 0.0305, (2007, 2005): -0.0027, (2007, 2006): -0.0311, (2007, 2007): -0.0261,
}

# (dataset, control, method, covariates)
SPECS = [
    ("mpdta", "never", "reg", ()),
    ("mpdta", "notyet", "dr", ()),
    ("mpdta", "never", "dr", ("lpop",)),
    ("mpdta", "never", "ipw", ("lpop",)),
    ("mpdta", "notyet", "reg", ("lpop",)),
    ("mpdta", "notyet", "dr", ("lpop",)),
    ("sim", "never", "dr", ("x",)),
    ("sim", "never", "ipw", ("x",)),
    ("sim", "never", "reg", ("x",)),
    ("sim", "notyet", "dr", ("x",)),
    ("sim", "notyet", "reg", ()),
    ("sim_antic1", "never", "dr", ("x",)),
    ("sim_antic1", "notyet", "reg", ()),
    ("mpdta_clstate", "never", "dr", ("lpop",)),
]
# datasets named *_antic1 are the same panel estimated with anticipation=1; mpdta_clstate is
# mpdta with standard errors clustered by state (FIPS county code // 1000, 29 states)
COLUMNS = {"mpdta": ("lemp", "countyreal", "year", "first.treat"),
           "sim": ("y", "unit", "time", "cohort"),
           "sim_antic1": ("y", "unit", "time", "cohort"),
           "mpdta_clstate": ("lemp", "countyreal", "year", "first.treat")}
CSDID_CONTROL = {"never": "nevertreated", "notyet": "notyettreated"}
DIFF_METHOD = {"reg": "reg", "ipw": "std_ipw", "dr": "dr"}  # did's ipw is the normalized one
DIFF_CONTROL = {"never": "never_treated", "notyet": "not_yet_treated"}
KINDS = {"simple": "simple", "dynamic": "dynamic", "group": "group", "calendar": "calendar"}


def simulate(seed: int = 20240611, n_units: int = 400, n_periods: int = 8) -> pd.DataFrame:
    """Staggered panel with covariate-driven selection and trends and dynamic effects."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n_units)
    # cohort probabilities depend on x (selection on observables)
    logits = np.column_stack([np.zeros(n_units), 0.5 * x, -0.3 * x, 0.8 * x])
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    choices = np.array([0, 4, 5, 7])
    cohort = choices[[rng.choice(4, p=p) for p in probs]]
    unit_fe = rng.normal(size=n_units) + 0.5 * x
    time = np.arange(1, n_periods + 1)
    rows = []
    for i in range(n_units):
        e = time - cohort[i]
        treated = (cohort[i] > 0) & (e >= 0)
        # effect grows with exposure and differs by cohort
        effect = np.where(treated, (1.0 + 0.5 * e) * (1.0 + 0.2 * (cohort[i] - 4)), 0.0)
        y = unit_fe[i] + 0.3 * time + 0.4 * x[i] * time / n_periods + effect \
            + rng.normal(scale=1.0, size=n_periods)
        rows.append(pd.DataFrame({"unit": i + 1, "time": time, "cohort": cohort[i], "x": x[i],
                                  "y": y, "true_effect": effect}))
    return pd.concat(rows, ignore_index=True)


def anticipation(dataset: str) -> int:
    """Anticipation periods encoded in the dataset name."""
    return 1 if dataset.endswith("_antic1") else 0


def run_csdid(df, spec):
    """ATT(g,t) and the four aggregations from csdid, analytic standard errors."""
    from csdid.att_gt import ATTgt

    dataset, control, method, covs = spec
    y, unit, time, cohort = COLUMNS[dataset]
    xformla = f"{y} ~ {' + '.join(covs)}" if covs else None
    fit = ATTgt(yname=y, gname=cohort, idname=unit, tname=time, data=df.copy(),
                control_group=CSDID_CONTROL[control], xformla=xformla,
                anticipation=anticipation(dataset),
                clustervar="state" if dataset.endswith("_clstate") else None).fit(
        est_method=method, bstrap=False)
    res = fit.results
    rows = [dict(kind="attgt", label=f"{int(g)}:{int(t)}", att=a, se=s)
            for g, t, a, s in zip(res["group"], res["year"], res["att"], res["se"],
                                  strict=True)]
    for kind in KINDS:
        agg = fit.aggte(typec=kind, bstrap=False).atte
        rows.append(dict(kind=kind, label="overall", att=agg["overall_att"],
                         se=agg["overall_se"]))
        if kind != "simple":
            for lab, a, s in zip(agg["egt"], agg["att_egt"], agg["se_egt"], strict=True):
                rows.append(dict(kind=kind, label=str(int(lab)), att=a, se=s))
    out = pd.DataFrame(rows)
    return out.assign(dataset=dataset, control=control, method=method,
                      covariates="+".join(covs))


def run_differences(df, spec):
    """ATT(g,t), simple and dynamic aggregations from the `differences` package."""
    from differences import ATTgt

    dataset, control, method, covs = spec
    y, unit, time, cohort = COLUMNS[dataset]
    d = df.copy()
    d[cohort] = d[cohort].replace(0, np.nan)
    att = ATTgt(data=d.set_index([unit, time]), cohort_column=cohort,
                anticipation=anticipation(dataset))
    formula = f"{y} ~ {' + '.join(covs)}" if covs else y
    att.fit(formula=formula, est_method=DIFF_METHOD[method], control_group=DIFF_CONTROL[control],
            progress_bar=False)
    rows = []
    for (g, _base, t), r in att.results().iterrows():
        rows.append(dict(kind="attgt", label=f"{int(g)}:{int(t)}", att=r.iloc[0], se=r.iloc[1]))
    simple = att.aggregate("simple")
    rows.append(dict(kind="simple", label="overall", att=simple.iloc[0, 0],
                     se=simple.iloc[0, 1]))
    event = att.aggregate("event")
    for e, r in event.iterrows():
        rows.append(dict(kind="dynamic", label=str(int(e)), att=r.iloc[0], se=r.iloc[1]))
    out = pd.DataFrame(rows)
    return out.assign(dataset=dataset, control=control, method=method,
                      covariates="+".join(covs))


def main() -> None:
    """Write the reference files and print the agreement checks."""
    warnings.simplefilter("ignore")
    with contextlib.redirect_stdout(io.StringIO()):  # csdid prints every aggregation
        write_references()
    check_agreement()


def write_references() -> None:
    """Run both packages on every specification and write the CSV files."""
    data = {"mpdta": pd.read_csv(MPDTA), "sim": simulate()}
    data["sim"].to_csv(HERE / "cs_sim_panel.csv", index=False, float_format="%.10g")
    data["sim"] = pd.read_csv(HERE / "cs_sim_panel.csv")  # exactly what the tests read
    data["sim_antic1"] = data["sim"]
    data["mpdta_clstate"] = data["mpdta"].assign(state=data["mpdta"]["countyreal"] // 1000)
    order = ["dataset", "control", "method", "covariates", "kind", "label", "att", "se"]
    cs = pd.concat([run_csdid(data[s[0]], s) for s in SPECS], ignore_index=True)[order]
    cs.to_csv(HERE / "cs_reference.csv", index=False, float_format="%.12g")
    diff = pd.concat([run_differences(data[s[0]], s) for s in SPECS
                      if not s[0].endswith("_clstate")], ignore_index=True)[order]
    diff.to_csv(HERE / "cs_differences.csv", index=False, float_format="%.12g")


def check_agreement() -> None:
    """Print how csdid and differences agree with published did output and each other."""
    cs = pd.read_csv(HERE / "cs_reference.csv", keep_default_na=False)
    diff = pd.read_csv(HERE / "cs_differences.csv", keep_default_na=False)

    first = cs[(cs.dataset == "mpdta") & (cs.control == "never") & (cs.method == "reg")
               & (cs.covariates == "") & (cs.kind == "attgt")].set_index("label")["att"]
    pub = pd.Series({f"{g}:{t}": v for (g, t), v in PUBLISHED.items()})
    print("csdid vs published did (4 digits): max |diff| =",
          float((first.loc[pub.index].round(4) - pub).abs().max()))
    d1 = diff[(diff.dataset == "mpdta") & (diff.control == "never") & (diff.method == "reg")
              & (diff.covariates == "") & (diff.kind == "attgt")].set_index("label")["att"]
    print("differences vs published did (4 digits): max |diff| =",
          float((d1.loc[pub.index].round(4) - pub).abs().max()))
    keys = ["dataset", "control", "method", "covariates", "kind", "label"]
    both = cs.merge(diff, on=keys, suffixes=("_csdid", "_diff"))
    for ds, part in both.groupby("dataset"):
        print(f"csdid vs differences on {ds} ({len(part)} estimates): max |att diff| = "
              f"{(part.att_csdid - part.att_diff).abs().max():.2e}, max |se diff| = "
              f"{(part.se_csdid - part.se_diff).abs().max():.2e}")


if __name__ == "__main__":
    main()
