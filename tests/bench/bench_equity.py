"""Benchmark: cost of the per-group (equity) tallies (``make bench BENCH=equity``).

Prints, measured side by side in one process (alternating, so drift on a shared machine hits
both alike), the time of one x_county year at population scale 20 with the model's per-group
tallies (:meth:`abm.ReferralModel._tally_groups`) and with them replaced by a no-op, the median
of each, their ratio, and the time spent inside the tallies themselves. No assertions.
"""

import statistics
import time

import abm
from abm.engine.model import ReferralModel

REPEATS = 5
DAYS = 365


def one_year(params: abm.Params) -> tuple[float, float]:
    """Seconds of one year of the model, and seconds spent in ``_tally_groups``."""
    spent = [0.0]
    tally = ReferralModel._tally_groups

    def timed(self, batch, res):
        t = time.perf_counter()
        tally(self, batch, res)
        spent[0] += time.perf_counter() - t

    ReferralModel._tally_groups = timed
    try:
        t0 = time.perf_counter()
        ReferralModel(params, rng=1).run_for(DAYS)
        return time.perf_counter() - t0, spent[0]
    finally:
        ReferralModel._tally_groups = tally


def without_tallies(params: abm.Params) -> float:
    """Seconds of one year with the per-group tallies switched off."""
    tally = ReferralModel._tally_groups
    ReferralModel._tally_groups = lambda self, batch, res: None
    try:
        t0 = time.perf_counter()
        ReferralModel(params, rng=1).run_for(DAYS)
        return time.perf_counter() - t0
    finally:
        ReferralModel._tally_groups = tally


def main() -> None:
    """Alternate runs with and without the tallies; print medians and the overhead."""
    p = abm.preset("x_county").replace(**{"setting.scale": 20.0})
    ReferralModel(p, rng=1).run_for(5)  # load the compiled kernels once
    on, off, inside = [], [], []
    for _ in range(REPEATS):
        t, s = one_year(p)
        on.append(t)
        inside.append(s)
        off.append(without_tallies(p))
    m_on, m_off = statistics.median(on), statistics.median(off)
    print(f"x_county, scale 20, {DAYS} days, median of {REPEATS} (alternating):")
    runs = {"with per-group tallies": on, "without (no-op)": off}
    for name, times in runs.items():
        print(f"  {name:<25}: {statistics.median(times):.3f} s  "
              f"(runs {', '.join(f'{x:.3f}' for x in times)})")
    print(f"  ratio with / without     : {m_on / m_off:.3f}")
    print(f"  time inside the tallies  : {statistics.median(inside):.3f} s per year "
          f"({statistics.median(inside) / m_on:.1%} of the run)")


if __name__ == "__main__":
    main()
