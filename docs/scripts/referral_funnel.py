"""Where downward referrals are lost, year by year: the funnel of x_county's county hospitals.

For the status quo and each consortium package from day 365, on one seed, it prints per
simulated year the downward referrals per admission at county-and-above hospitals and the
funnel that produces them: stabilised patients per admission, proposals per stabilised patient
(the physicians' awareness and the hospital's push), acceptances per proposal (the patient) and
completed referrals per acceptance (the receiving unit and the handover), with the hospitals'
mean internal push (log-odds) and the upward referral rate. A reform's ratio to the status quo
is the product of the ratios of the funnel's steps, so the table shows which step a package
moves.

Usage::

    python docs/scripts/referral_funnel.py [--posterior FILE] [--seed 1] [--scale 20]

``--posterior``: take the parameters from the mode of a posterior file (as written by
``abm.calibrate``), instead of the shipped preset's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import abm
from abm.engine.day import ROW
from abm.engine.model import ReferralModel
from abm.fitting.validation import CONSORTIUM_PACKAGES, REFORM_DAY
from abm.inputs.data import read_posterior

YEARS = 6


def funnel(params: abm.Params, seed: int) -> list[dict[str, float]]:
    """Count the funnel per simulated year at in-county county-level and provincial hospitals.

    Downward referrals over admissions there is the model's ``downward_referral_rate``.
    """
    m = ReferralModel(params, rng=seed)
    rows, before = [], m.ledger_matrix.copy()
    for year in range(YEARS):
        m.run_for(365)
        led, before = m.ledger_matrix - before, m.ledger_matrix.copy()
        fac = m.fac
        ours = fac.hospital & fac.in_county
        count = {name: float(led[getattr(ROW, name)][ours].sum())
                 for name in ("stabilised", "down_offered", "down_accepted", "down_sent")}
        rows.append({"year": year, **count,
                     "admissions": float(led[ROW.admissions][ours].sum()),
                     "push": float(np.mean(fac.referral_push[ours & (fac.beds > 0)])),
                     "up": float(led[ROW.up_sent][fac.primary].sum()
                                 / max(1.0, led[ROW.visits][fac.primary].sum()))})
    return rows


def ratio(a: float, b: float) -> float:
    """Return ``a / b``, NaN when nothing happened."""
    return a / b if b else float("nan")


def main(argv: list[str] | None = None) -> int:
    """Print the funnel of the status quo and each consortium package."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posterior", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=20.0)
    args = parser.parse_args(argv)
    base = abm.preset("x_county").replace(**{"setting.scale": args.scale})
    if args.posterior:
        base = base.replace(**read_posterior(args.posterior)[1]["mode"])
    print("year: down/admissions | stabilised/admissions, proposed/stabilised, "
          "accepted/proposed, completed/accepted | push | upward rate")
    for name in ("baseline", *CONSORTIUM_PACKAGES):
        params = base if name == "baseline" else base.with_reform(name, day=REFORM_DAY)
        print(name)
        for r in funnel(params, args.seed):
            print(f"  {r['year']}: {ratio(r['down_sent'], r['admissions']):.4f} | "
                  f"{ratio(r['stabilised'], r['admissions']):.3f} "
                  f"{ratio(r['down_offered'], r['stabilised']):.3f} "
                  f"{ratio(r['down_accepted'], r['down_offered']):.3f} "
                  f"{ratio(r['down_sent'], r['down_accepted']):.3f} | {r['push']:+.2f} | "
                  f"{r['up']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
