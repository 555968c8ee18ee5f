"""The first compile on a machine says so once on screen; a warm cache says nothing."""

import os
import subprocess
import sys

from abm.engine.compile_notice import MESSAGE

#: Compiles one small rule (a second or two), enough to fire numba's compile event.
SNIPPET = ("import numpy as np\n"
           "from abm import rules\n"
           "rules.update_trust(np.array([0.5]), np.array([1.0]), 0.2)\n")
HEAD = MESSAGE.split("(")[0]


def run(cache, **env):
    full = {**os.environ, "NUMBA_CACHE_DIR": str(cache), **env}
    full.pop("ABM_COMPILE_NOTICE", None) if "ABM_COMPILE_NOTICE" not in env else None
    out = subprocess.run([sys.executable, "-c", SNIPPET], capture_output=True, text=True,
                         env=full, check=True)
    return out.stderr


def test_fresh_cache_says_it_compiles_once_then_nothing(tmp_path):
    first = run(tmp_path / "cache")
    assert first.count(HEAD) == 1, first
    assert "under a minute on one core" in first and str(tmp_path / "cache") in first
    assert HEAD not in run(tmp_path / "cache")  # cached: no compile, no word


def test_notice_can_be_turned_off(tmp_path):
    assert HEAD not in run(tmp_path / "other", ABM_COMPILE_NOTICE="0")
