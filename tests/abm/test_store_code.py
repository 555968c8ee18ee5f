"""The sweep store knows the code: an edited rule recomputes every stored run.

A temporary copy of the package (``abm/`` and ``datasets/``) runs a small sweep into a store,
reruns it unchanged (nothing recomputed), then runs it again after one rule of the copy is
edited (every run recomputed). Each run is a fresh process that imports the copy.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import json, sys
import abm
df = abm.sweep({"base": abm.preset("small")}, seeds=[1, 2, 3], days=5,
               scheduler="synchronous", out=sys.argv[1], progress=False)
print(json.dumps({"computed": df.attrs["computed"], "file": abm.__file__,
                  "visits": df["visits_per_capita"].tolist()}))
"""


def sweep_in(copy: Path, store: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(copy), "NUMBA_CACHE_DIR": str(copy / "numba")}
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(store)], cwd=copy, env=env,
                         capture_output=True, text=True, timeout=900, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_an_edited_rule_recomputes_every_stored_run(tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "abm", copy / "abm", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "datasets", copy / "datasets")
    store = tmp_path / "store"
    first = sweep_in(copy, store)
    assert first["file"] == str(copy / "abm" / "__init__.py")  # the copy runs, not the clone
    assert first["computed"] == 3
    assert sweep_in(copy, store)["computed"] == 0  # resumed: nothing to do
    rules = copy / "abm" / "engine" / "rules.py"
    text = rules.read_text()
    assert "MAX_REIMBURSEMENT = 0.95" in text
    rules.write_text(text.replace("MAX_REIMBURSEMENT = 0.95", "MAX_REIMBURSEMENT = 0.5"))
    edited = sweep_in(copy, store)
    assert edited["computed"] == 3  # every run recomputed under the edited rule
    assert edited["visits"] != first["visits"]  # and the rule does change the runs
    manifest = json.loads((store / "sweep.json").read_text())
    assert len(manifest["code"]) == 16
    # a data file the model reads is part of the key too
    presets = copy / "datasets" / "presets.csv"
    presets.write_text(presets.read_text() + "\n")
    assert sweep_in(copy, store)["computed"] == 3
