"""Produce the imputation (Borusyak-Jaravel-Spiess) reference outputs (run by hand).

    .venv/bin/python tests/econometrics/reference/imputation_make_reference.py

pyfixest 0.60 ``did2s`` (Gardner's two-stage DiD): the first stage fits unit and period effects
on the untreated observations, the second regresses the residualized outcome on event-time
dummies. With one dummy per post-treatment event time and no intercept, its coefficients are
the means of the imputed effects by event time, i.e. the BJS imputation point estimates (their
standard errors differ by construction: Gardner's GMM variance vs BJS's conservative one, so only
point estimates are stored). The overall effect is did2s with a single treatment dummy. Data:
df_het (did2s's example), from ../shared/reference-data (pyfixest's did2s
fails on base_stagg in its variance step, so that panel is not used here). Writes
``imputation_reference.csv`` (dataset, event_time, estimate; event_time "overall" for the
average over treated unit-periods) beside this script.
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
    "df_het": ("df_het.csv", "dep_var", "unit", "year", "g", 0),
}


def main() -> None:
    """Fit did2s per dataset and write the event-time and overall point estimates."""
    import pyfixest as pf

    warnings.simplefilter("ignore")
    rows = []
    for name, (file, y, unit, time, cohort, never) in DATASETS.items():
        df = pd.read_csv(DATA / file)
        g = df[cohort].replace(never, 0)
        df["_treat"] = ((g > 0) & (df[time] >= g)).astype(int)
        rel = np.where(df["_treat"] == 1, df[time] - g, -1).astype(int)
        events = sorted(set(rel[rel >= 0]))
        for e in events:
            df[f"d_{e}"] = (rel == e).astype(float)
        second = "~ 0 + " + " + ".join(f"d_{e}" for e in events)
        fit = pf.did2s(df, yname=y, first_stage=f"~ 0 | {unit} + {time}",
                       second_stage=second, treatment="_treat", cluster=unit)
        coef = fit.coef()
        rows += [dict(dataset=name, event_time=str(e), estimate=float(coef[f"d_{e}"]))
                 for e in events]
        overall = pf.did2s(df, yname=y, first_stage=f"~ 0 | {unit} + {time}",
                           second_stage="~ 0 + _treat", treatment="_treat", cluster=unit)
        rows.append(dict(dataset=name, event_time="overall",
                         estimate=float(overall.coef()["_treat"])))
    out = pd.DataFrame(rows)
    out.to_csv(HERE / "imputation_reference.csv", index=False, float_format="%.12g")
    print(out.groupby("dataset").size())


if __name__ == "__main__":
    main()
