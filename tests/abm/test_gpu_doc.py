"""docs/gpu.md states numbers of the day's arrays and of the national panel: check them."""

import contextlib
import io
import math
import re
from pathlib import Path

import pandas as pd

DOC = (Path(__file__).resolve().parents[2] / "docs" / "gpu.md").read_text()
TEXT = " ".join(DOC.split())


def test_the_arrays_per_episode_are_what_the_docs_snippet_prints():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(re.search(r"```python\n(.*?)```", DOC, re.S).group(1), {})
    count, per_episode, row = out.getvalue().split()
    assert (f"Each episode carries {count} arrays in `Episodes` (nested ones included), "
            f"{round(float(per_episode))} bytes an episode") in TEXT
    assert f"{round(float(row))} B each" in TEXT


def test_the_national_population_follows_the_county_distribution():
    dist = pd.read_csv(Path(__file__).resolve().parents[2] / "datasets" / "county_distribution.csv")
    r = dist.set_index("characteristic").loc["residents"]
    mean = r["center"] * math.exp(r["spread"] ** 2 / 2)  # lognormal (upper/lower cut ignored)
    assert f"a mean of {round(mean, -3):,.0f}" in TEXT
    residents = 2800 * mean
    assert f"about {residents / 1e9:.2f} billion residents" in TEXT
    patients = residents / 10  # at scale 10, 150 bytes each
    assert f"{patients / 1e6:.0f} million simulated patients, about {patients * 150 / 1e9:.0f} GB" \
        in TEXT
