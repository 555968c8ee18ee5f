"""Scenarios whose summaries are stored in ``summaries.csv`` (a regression baseline).

Regenerate the stored file after a deliberate change of the model's behaviour, and say why in
the commit message:

    .venv/bin/python tests/abm/baseline/scenarios.py

``tests/abm/test_stored_baseline.py`` recomputes every scenario and compares it with the file, so
an unintended change of any metric (a refactoring that was meant to keep results identical, a
dependency upgrade that changes random streams) fails the suite.
"""

from pathlib import Path

import pandas as pd

from abm import preset, simulate

STORED = Path(__file__).with_name("summaries.csv")
DAYS = 240
SEED = 11
#: name -> (patients, parameter changes or a reform package). A baseline in each representation,
#: a step reform of several levers mid-run and a phased named package, so every stage runs.
SCENARIOS = {
    "baseline_agents": ("agents", {}),
    "baseline_arrays": ("arrays", {}),
    "reform_arrays": ("arrays", {
        "reform.day": 120,
        "reform.incentives.revenue_share": 0.5,
        "reform.incentives.information_platform": 1.0,
        "reform.incentives.counterpart_support": 2.0,
        "reform.incentives.reserved_referral_share": 0.2,
        "reform.incentives.deductible_continuity": 1.0,
    }),
    "compact_consortium_arrays": ("arrays", "compact_consortium"),
}


def compute() -> pd.DataFrame:
    """Summaries of every scenario: one row per metric, one column per scenario."""
    columns = {}
    for name, (patients, changes) in SCENARIOS.items():
        if isinstance(changes, str):  # a named reform package from day 60
            params = preset("small").with_reform(changes, day=60)
        else:
            params = preset("small").replace(**changes)
        columns[name] = simulate(params, days=DAYS, seed=SEED, patients=patients).summary()
    frame = pd.DataFrame(columns)
    frame.index.name = "metric"
    return frame


if __name__ == "__main__":
    compute().to_csv(STORED, float_format="%.17g")
    print(f"wrote {STORED}")
