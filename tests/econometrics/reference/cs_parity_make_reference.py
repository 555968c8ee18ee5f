"""Reference outputs for att_gt's R did parity options (run by hand, not by pytest).

    .venv/bin/python tests/econometrics/reference/cs_parity_make_reference.py

Writes ``cs_parity_reference.csv`` beside this script: ATT(g, t), aggregations, analytic SEs and
the Wald pre-test from **csdid 0.4.3** (a port of R ``did`` 2.5, whose agreement with did's
published mpdta output is checked by cs_make_reference.py) on mpdta (R ``did``'s example data,
read from ../shared/reference-data) for the options added in issue 18:

* ``antic1``: ``anticipation=1`` (did drops cohort 2004, treated in the first period net of
  anticipation, with a warning);
* ``tvcov``: a time-varying covariate ``x_tv`` (did takes it at the earlier period of each cell);
* ``weights``: unit weights ``w`` (constant within units) with covariate ``lpop``;
* ``balance1`` / ``window``: the dynamic aggregation with ``balance_e=1`` and with
  ``min_e=-2, max_e=2``;
* ``unbal_reg`` / ``unbal_dr``: an unbalanced panel (``unbalanced()``: about 1 row in 9
  removed, deterministically) with ``allow_unbalanced_panel=True`` (reg without covariates;
  dr with ``lpop`` and weights ``w``);
* ``rcs_reg`` / ``rcs_ipw`` / ``rcs_dr``: the rows as repeated cross-sections (``panel=False``,
  every row its own ``obs_id``), without covariates (reg) and with ``lpop`` (ipw; dr with
  weights ``w``).

``x_tv``, ``w`` and the removed rows are deterministic functions of the county code and year
(see ``panel()`` and ``unbalanced()``).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2].parent / "shared" / "reference-data" / "mpdta.csv"

# name -> (att_gt options, est_method, aggte options for "dynamic")
SPECS = {
    "antic1": (dict(anticipation=1), "reg", {}),
    "tvcov": (dict(xformla="~x_tv"), "dr", {}),
    "weights": (dict(xformla="~lpop", weights_name="w"), "dr", {}),
    "balance1": ({}, "reg", dict(balance_e=1)),
    "window": ({}, "reg", dict(min_e=-2, max_e=2)),
    "unbal_reg": (dict(allow_unbalanced_panel=True), "reg", {}),
    "unbal_dr": (dict(allow_unbalanced_panel=True, xformla="~lpop", weights_name="w"), "dr",
                 {}),
    "rcs_reg": (dict(panel=False), "reg", {}),
    "rcs_ipw": (dict(panel=False, xformla="~lpop"), "ipw", {}),
    "rcs_dr": (dict(panel=False, xformla="~lpop", weights_name="w"), "dr", {}),
}


def panel() -> pd.DataFrame:
    """The mpdta panel with a time-varying covariate and unit weights added."""
    df = pd.read_csv(DATA)
    z = (df["countyreal"] % 7) / 7.0
    df["x_tv"] = df["lpop"] + 0.3 * (df["year"] - 2003) * z
    df["w"] = 1.0 + (df["countyreal"] % 5) / 4.0
    return df


def unbalanced() -> pd.DataFrame:
    """The panel without the rows where (county code + 3 * year) is divisible by 9."""
    df = panel()
    return df[(df["countyreal"] + 3 * df["year"]) % 9 != 0].reset_index(drop=True)


def spec_data(name: str) -> pd.DataFrame:
    """The data of a spec: ``unbal_*`` unbalanced, ``rcs_*`` with a row identifier."""
    if name.startswith("unbal"):
        return unbalanced()
    df = panel()
    return df.assign(obs_id=np.arange(1, len(df) + 1)) if name.startswith("rcs") else df


def fit(df, options, method, agg_options):
    """csdid ATT(g,t), simple/dynamic aggregations and the Wald pre-test, output silenced."""
    from csdid.att_gt import ATTgt

    rows = []
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        idname = "obs_id" if options.get("panel") is False else "countyreal"
        att = ATTgt(yname="lemp", gname="first.treat", idname=idname, tname="year",
                    data=df.copy(), **options).fit(est_method=method, bstrap=False)
        r = att.results
        for g, t, a, s in zip(r["group"], r["year"], r["att"], r["se"], strict=True):
            rows.append(("attgt", f"{int(g)}:{int(t)}", a, s))
        rows.append(("wald", "W", att.MP["W"], att.MP["Wpval"]))
        for kind in ("simple", "dynamic"):
            opts = agg_options if kind == "dynamic" else {}
            att.aggte(typec=kind, bstrap=False, **opts)
            e = att.atte
            rows.append((kind, "overall", e["overall_att"], e["overall_se"]))
            if kind == "dynamic":
                for lab, a, s in zip(e["egt"], e["att_egt"], e["se_egt"], strict=True):
                    rows.append((kind, str(int(lab)), a, s))
    return rows


def main() -> None:
    """Write the reference CSV."""
    out = []
    for name, (options, method, agg) in SPECS.items():
        for kind, label, att, se in fit(spec_data(name), options, method, agg):
            out.append({"spec": name, "kind": kind, "label": label, "att": float(att),
                        "se": float(se)})
    table = pd.DataFrame(out)
    table.to_csv(HERE / "cs_parity_reference.csv", index=False, float_format="%.12g")
    print(table.groupby("spec").size())


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
