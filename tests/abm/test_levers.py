"""Each lever moves its outcome the documented way (docs/levers.md), through the agents.

Over a simulated year on the ``small`` preset, a reform switching one lever on at day 0 is
compared with the baseline on the same seeds (common random numbers). The check is on the mean
paired difference over seeds and asks it to exceed ``NOISE_SD_FACTOR`` standard errors in the
documented direction, so a lever with no effect (or the wrong one) fails.
"""

import numpy as np
import pytest

from abm import preset
from abm.runs.levers import LEVERS, lever_effects

SEEDS = (1, 2, 3)
DAYS = 365
#: Required size of the mean paired difference, in standard errors of that mean. 1.0 keeps the
#: false-failure rate low with 3 seeds while rejecting a zero effect whose seed-to-seed noise is
#: comparable to the effect; CRN makes the paired differences far less noisy than the levels.
NOISE_SD_FACTOR = 1.0
#: Floor of the standard error, so that identical differences (sd 0) still need a nonzero effect.
MIN_SE = 1e-9


@pytest.fixture(scope="module")
def effects():
    return lever_effects(preset("small"), seeds=SEEDS, days=DAYS, patients="arrays")


def _cases():
    for name, lev in LEVERS.items():
        for metric, direction in ((lev.metric, lev.direction), *lev.also):
            yield pytest.param(name, metric, direction, id=f"{name}->{metric}")


@pytest.mark.slow
@pytest.mark.parametrize("lever, metric, direction", list(_cases()))
def test_lever_moves_its_outcome(effects, lever, metric, direction):
    d = effects[(effects["lever"] == lever) & (effects["metric"] == metric)]
    diffs = d["difference"].to_numpy() * direction
    assert len(diffs) == len(SEEDS) and np.isfinite(diffs).all()
    se = max(diffs.std(ddof=1) / np.sqrt(len(diffs)), MIN_SE)
    print(f"{lever}: {metric} {d['baseline'].mean():.4f} -> {d['reform'].mean():.4f} "
          f"(paired diff {d['difference'].mean():+.4f}, se {se:.4f})")
    assert diffs.mean() > NOISE_SD_FACTOR * se
