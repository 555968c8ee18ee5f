"""Fit x_county's baseline and reform response jointly and ship the posterior.

The two-step fit (``make calibrate`` then ``make calibrate-reform``) fits the reform block
conditional on the baseline mode and pairs its draws at random with the baseline draws. Several
reform coefficients act at the baseline too (acceptance, the proposal intercept), so randomly
paired draws miss the baseline facts (docs/calibration.md: the status quo's downward rate over
the draws is 0.5%, against 2.2% in the data). This script fits every parameter of both blocks to
every fact of both fits in one :func:`abm.calibrate` call: each parameter set runs the baseline
and the three consortium packages from day 365 on common random numbers.

The parameters and facts are those of the two scripts (one place each); a parameter both fit
takes the union of the two priors. The posterior is written beside the sweep store, not over the
shipped one, until a joint fit is good enough to ship (docs/calibration.md).

Usage::

    python docs/scripts/calibrate_joint_x_county.py [--budget 96] [--seeds 2] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import time

import abm
from abm.inputs.data import posterior_path

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
import calibrate_reform_x_county as reform  # noqa: E402
import calibrate_x_county as baseline  # noqa: E402

SCALE = 20.0
SEED = 2028


def joint_priors() -> dict[str, tuple[float, float]]:
    """Both scripts' priors; a parameter in both takes the union of its two ranges.

    Examples
    --------
    >>> joint_priors()["referral.down_intercept"]
    (0.5, 6.0)
    """
    out = dict(baseline.PARAMETERS)
    for name, (lo, hi) in reform.PARAMETERS.items():
        a, b = out.get(name, (lo, hi))
        out[name] = (min(a, lo), max(b, hi))
    return out


def joint_targets() -> list[str]:
    """Both scripts' fitted facts, the baseline's first (each once)."""
    return list(dict.fromkeys([*baseline.TARGETS, *reform.TARGETS]))


def main(argv: list[str] | None = None) -> int:
    """Run the joint calibration and write the posterior; 1 on bad arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=96)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--scale", type=float, default=SCALE)
    parser.add_argument("--out", default="sweeps/calibration_joint_x_county",
                        help="sweep store (rerun the same command to resume)")
    parser.add_argument("--dest", default="sweeps/posterior_joint_x_county.parquet",
                        help="where to write the posterior (not the shipped one unless given: "
                             f"{posterior_path('x_county')})")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    start = time.time()
    try:
        cal = abm.calibrate("x_county", parameters=joint_priors(), targets=joint_targets(),
                            budget=args.budget, seeds=args.seeds, scale=args.scale,
                            out=args.out, n_workers=args.workers, seed=SEED,
                            mode_seeds=reform.MODE_SEEDS)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    cal.meta["hours"] = round((time.time() - start) / 3600, 3)
    cal.meta["command"] = "python docs/scripts/calibrate_joint_x_county.py " + " ".join(
        sys.argv[1:] if argv is None else argv)
    path = cal.save(args.dest)
    reform.report(cal, f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
