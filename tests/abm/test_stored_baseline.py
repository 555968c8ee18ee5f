"""The model's summaries against the stored regression baseline (tests/abm/baseline/)."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

_spec = importlib.util.spec_from_file_location(
    "stored_baseline_scenarios", Path(__file__).with_name("baseline") / "scenarios.py")
scenarios = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenarios)

#: Values are written with 17 significant digits, so a same-platform rerun reproduces them to the
#: bit; the relative tolerance only absorbs last-bit differences of libm/BLAS builds on another
#: machine. A behaviour change moves discrete choices and shifts metrics by far more.
RTOL = 1e-9


def test_summaries_match_the_stored_baseline():
    stored = pd.read_csv(scenarios.STORED, index_col="metric")
    now = scenarios.compute()
    assert list(now.columns) == list(stored.columns), "scenarios changed: regenerate the file"
    assert list(now.index) == list(stored.index), "metrics changed: regenerate the file"
    off = ~np.isclose(now.to_numpy(), stored.to_numpy(), rtol=RTOL, atol=0.0, equal_nan=True)
    rows = [f"{m} / {s}: stored {stored.loc[m, s]!r}, now {now.loc[m, s]!r}"
            for m, s in zip(now.index[off.nonzero()[0]], now.columns[off.nonzero()[1]],
                            strict=True)]
    assert not rows, ("summaries differ from tests/abm/baseline/summaries.csv (if the change is "
                      "deliberate, run tests/abm/baseline/scenarios.py):\n" + "\n".join(rows))
