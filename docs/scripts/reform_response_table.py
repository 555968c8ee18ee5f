"""The reform response of x_county, year by year: the table of docs/odd.md §10 as Markdown.

Each consortium package starts on day 365 and runs five reform years against the status quo on
the same seeds (the measurement of the reform-response issue: x_county at its default scale,
seeds 1-3, means over seeds). Rows: each package's downward referrals as a share of admissions
at county-level and provincial hospitals (``downward_referral_rate``), and compact_consortium's
effects on the primary outpatient share, the upward referral rate and the inpatient
county-internal rate (the package minus the same-seed status quo).

Usage::

    python docs/scripts/reform_response_table.py [--posterior FILE] [--seeds 1 2 3] [--out DIR]

``--posterior``: take the parameters from the mode of a posterior file (as written by
``abm.calibrate``), instead of the shipped preset's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import abm
from abm.fitting.validation import CONSORTIUM_PACKAGES, REFORM_DAY, YEAR, scenario_runs
from abm.inputs.data import read_posterior

YEARS = 5
#: Effects of compact_consortium shown as rows: metric, how it is shown, scale.
EFFECTS = (("primary_outpatient_share", "primary outpatient share, change", 1.0, "{:+.3f}"),
           ("upward_referral_rate", "upward referral rate, change in points", 100.0, "{:+.1f}"),
           ("inpatient_county_internal_rate", "inpatient county-internal rate, change", 1.0,
            "{:+.3f}"))


def yearly(runs: dict, scenario: str, metric: str) -> np.ndarray:
    """``metric`` of ``scenario`` in reform years 1-5, one row per seed."""
    return np.array([[float(r[scenario].summary(window=(REFORM_DAY + y * YEAR,
                                                        REFORM_DAY + (y + 1) * YEAR))[metric])
                      for y in range(YEARS)] for r in runs])


def markdown(runs: list[dict]) -> str:
    """Return the table: downward referral per package, then compact_consortium's effects."""
    cells = " | ".join(str(y) for y in range(1, YEARS + 1))
    lines = [f"| reform year | {cells} |", "|---|" + "---|" * YEARS]
    base = yearly(runs, "baseline", "downward_referral_rate").mean()
    for p in CONSORTIUM_PACKAGES:
        v = 100 * yearly(runs, p, "downward_referral_rate").mean(axis=0)
        lines.append(f"| {p}: downward referrals, % of admissions (status quo "
                     f"{100 * base:.2f}%) | " + " | ".join(f"{x:.1f}" for x in v) + " |")
    for metric, label, scale, fmt in EFFECTS:
        b = yearly(runs, "baseline", metric)
        effect = scale * (yearly(runs, "compact_consortium", metric) - b).mean(axis=0)
        lines.append(f"| compact_consortium: {label} (status quo {scale * b.mean():.3g}) | "
                     + " | ".join(fmt.format(x) for x in effect) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the packages and the status quo on every seed and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posterior", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--out", default=None, help="sweep store (resumable)")
    args = parser.parse_args(argv)
    start = time.time()
    base = abm.preset("x_county")
    if args.posterior:
        base = base.replace(**read_posterior(args.posterior)[1]["mode"])
    horizon = dict.fromkeys(["baseline", *CONSORTIUM_PACKAGES], REFORM_DAY // YEAR + YEARS)
    runs = scenario_runs({"x_county": base}, horizon, args.seeds, out=args.out)
    print(markdown([runs["x_county", s] for s in args.seeds]))
    print(f"\n(x_county at k = {base.setting.scale:g}, seeds {args.seeds}; "
          f"{time.time() - start:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
