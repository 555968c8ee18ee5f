"""Print the validation tables of docs/odd.md §10 and docs/calibration.md as Markdown.

The tables in the docs are pasted from this script's output, so every number they state is
computed here (``abm.validate`` on x_county, k = 20):

* ``--table mode``: the calibrated preset (posterior mode), seeds 1-3 (docs/odd.md §10);
* ``--table posterior``: 20 posterior draws on seed 1, 90% bands (docs/calibration.md).

Usage::

    python docs/scripts/validation_tables.py --table mode
    python docs/scripts/validation_tables.py --table posterior [--draws 20]
"""

from __future__ import annotations

import argparse
import sys
import time

import pandas as pd

import abm
from abm.fitting.validation import fact_band
from abm.inputs import data


def fmt(x: float) -> str:
    """Format a number with four significant digits."""
    return f"{x:.4g}"


def target_text(r: pd.Series) -> str:
    """Return the target as the table shows it: a value, or a band's two edges."""
    if r["how"] == "band":
        lo, hi = fact_band(r["fact"], data.load_targets())
        return f"{fmt(lo)}-{fmt(hi)}"
    return fmt(r["target"])


def markdown(table: pd.DataFrame, band: bool) -> str:
    """Return the validation table as Markdown, with the rule ``met`` judges by."""
    spread = "90% band" if band else "range over seeds"
    head = (f"| fact | role | how | target | tolerance | simulated (mean) | {spread} | met |\n"
            "|---|---|---|---|---|---|---|---|\n")
    rows = []
    for _, r in table.iterrows():
        met = "yes" if r["met"] else "**no**"
        tol = fmt(r["tolerance"]) if r["how"] == "near" else ""
        rows.append(f"| {r['fact']} | {r['role']} | {r['how']} | {target_text(r)} | {tol} | "
                    f"{fmt(r['simulated'])} | {fmt(r['lower'])} to {fmt(r['upper'])} | {met} |")
    return head + "\n".join(rows) + f"\n\n`met` judges {table.attrs['judged_on']}."


def main(argv: list[str] | None = None) -> int:
    """Print the chosen table; its time goes to standard error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", choices=("mode", "posterior"), required=True)
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--out", default=None, help="sweep store (resumable)")
    args = parser.parse_args(argv)
    start = time.time()
    if args.table == "mode":
        table = abm.validate("x_county", seeds=[1, 2, 3], scale=20.0, out=args.out)
    else:
        table = abm.validate("x_county", seeds=[1], scale=20.0, posterior=args.draws,
                             out=args.out)
    print(markdown(table, band=args.table == "posterior"))
    print(f"\n({time.time() - start:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
