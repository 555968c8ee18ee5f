"""Reference for the imputation pre-trend leads' standard errors (run by hand, not by pytest).

    .venv/bin/python tests/econometrics/reference/imputation_pretrend_make_reference.py

BJS's pre-trend test is the regression of the outcome on lead dummies (1[t - g = e], e = -1..-3)
with unit and period effects on the untreated observations only. R didimputation 0.3.0 fits it
with fixest and reports homoskedastic ("iid") standard errors; on mpdta (lemp, first.treat,
three leads) it prints 0.019994 for e = -1 (issue 27). pyfixest's ``feols`` fits the same
regression; this script stores its coefficients and its "iid" and CRV1-by-county standard
errors (fixest's small-sample rules; singletons kept, ``fixef_rm="none"``, as R fixest does by
default -- pyfixest's default drops the 20 counties observed once untreated, which changes n and
G in the CRV1 factor) to 12 significant digits in
``imputation_pretrend_reference.csv`` (event_time, estimate, se_iid, se_crv1).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2].parent / "shared" / "reference-data" / "mpdta.csv"
LEADS = 3


def main() -> None:
    """Fit the lead regression with pyfixest and write the reference CSV."""
    import pyfixest as pf

    warnings.simplefilter("ignore")
    df = pd.read_csv(DATA)
    g = df["first.treat"]
    untreated = df[~((g > 0) & (df["year"] >= g))].copy()
    rel = untreated["year"] - untreated["first.treat"]
    names = []
    for e in range(1, LEADS + 1):
        untreated[f"lead{e}"] = ((untreated["first.treat"] > 0) & (rel == -e)).astype(float)
        names.append(f"lead{e}")
    formula = "lemp ~ " + " + ".join(names) + " | countyreal + year"
    iid = pf.feols(formula, untreated, vcov="iid", fixef_rm="none")
    crv = pf.feols(formula, untreated, vcov={"CRV1": "countyreal"}, fixef_rm="none")
    out = pd.DataFrame({"event_time": [-int(n.removeprefix("lead")) for n in names],
                        "estimate": iid.coef()[names].to_numpy(),
                        "se_iid": iid.se()[names].to_numpy(),
                        "se_crv1": crv.se()[names].to_numpy()})
    out.to_csv(HERE / "imputation_pretrend_reference.csv", index=False, float_format="%.12g")
    print(out)


if __name__ == "__main__":
    main()
