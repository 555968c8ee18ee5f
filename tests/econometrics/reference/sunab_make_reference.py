"""Produce the Sun-Abraham reference outputs (run by hand, not by pytest).

    .venv/bin/python tests/econometrics/reference/sunab_make_reference.py

pyfixest 0.60 ``event_study(..., estimator="saturated")`` fits the cohort x event-time saturated
regression ``y ~ i(rel_time, cohort, ref=-1) | unit + time`` with CRV1 standard errors clustered
by unit (fixest's ``sunab``) and aggregates the interactions by event time with cohort-share
weights (``aggregate(agg="period")``, Sun and Abraham's interaction weights). Data:
base_stagg (fixest's example for ``sunab``) and df_het (did2s), read from
../shared/reference-data. For base_stagg the same fit is also re-computed with pyfixest's
``"iid"`` and ``"hetero"`` covariances (``Feols.vcov``) before aggregating (our ``vcov="iid"`` /
``"HC1"``). Writes ``sunab_reference.csv`` (dataset, vcov, event_time, estimate, std_error)
beside this script.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2].parent / "shared" / "reference-data"
# dataset -> (file, y, unit, time, cohort, never-treated code in the file)
DATASETS = {
    "base_stagg": ("base_stagg.csv", "y", "id", "year", "year_treated", 10000),
    "df_het": ("df_het.csv", "dep_var", "unit", "year", "g", 0),
}


def main() -> None:
    """Fit pyfixest's saturated event study and write the event-time aggregates."""
    import pyfixest as pf

    warnings.simplefilter("ignore")
    rows = []
    for name, (file, y, unit, time, cohort, never) in DATASETS.items():
        df = pd.read_csv(DATA / file)
        df[cohort] = df[cohort].replace(never, 0)
        fit = pf.event_study(df, yname=y, idname=unit, tname=time, gname=cohort,
                             estimator="saturated", cluster=unit)
        kinds = {"cluster": None} | ({"iid": "iid", "HC1": "hetero"}
                                     if name == "base_stagg" else {})
        for ours, theirs in kinds.items():
            if theirs is not None:
                fit.vcov(theirs)
            agg = fit.aggregate(agg="period")
            for e, r in agg.iterrows():
                if float(e) == -1:
                    continue
                rows.append(dict(dataset=name, vcov=ours, event_time=int(float(e)),
                                 estimate=float(r["Estimate"]),
                                 std_error=float(r["Std. Error"])))
    out = pd.DataFrame(rows)
    out.to_csv(HERE / "sunab_reference.csv", index=False, float_format="%.12g")
    print(out.groupby("dataset").size(), np.isfinite(out.estimate).all())


if __name__ == "__main__":
    main()
