"""Benchmark: import time of the packages (``make bench BENCH=startup``).

Every import runs in a fresh subprocess with ``PYTHONDONTWRITEBYTECODE=1`` (as in containers and
CI), five times; the median and the range are printed. Two columns, measured side by side:

- ``bytecode``: the environment as ``make env`` builds it (``uv sync --compile-bytecode``: every
  installed module has its ``.pyc``);
- ``no bytecode``: the same interpreter with ``PYTHONPYCACHEPREFIX`` pointing at an empty
  folder, so no ``.pyc`` is found and every module is compiled from source, as in an environment
  installed without precompiled bytecode and never allowed to write any.

The last columns list which heavy packages the import pulled in (``mesa``, ``linearmodels``,
``matplotlib``, ``scipy``): ``import abm`` and ``import abm.inputs.data`` should not load Mesa,
``import econometrics`` should not load linearmodels.

No assertions: the targets (``abm`` and ``econometrics`` <= 1.5 s with bytecode) are read from
the printout.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = ["abm", "abm.inputs.data", "econometrics", "pandas", "mesa", "linearmodels"]
HEAVY = ["mesa", "linearmodels", "matplotlib", "scipy", "statsmodels"]
REPEATS = 5
TARGET_S = 1.5


def _time_import(module: str, env: dict[str, str]) -> tuple[float, list[str]]:
    """Seconds to start Python and import ``module`` in a fresh process; heavy modules loaded."""
    code = (f"import sys; import {module}; "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    return time.perf_counter() - start, out.stdout.split()


def _median(module: str, env: dict[str, str]) -> tuple[float, float, float, list[str]]:
    runs = [_time_import(module, env) for _ in range(REPEATS)]
    times = [t for t, _ in runs]
    return statistics.median(times), min(times), max(times), runs[-1][1]


def main() -> None:
    """Print the table."""
    base = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    base.pop("PYTHONPYCACHEPREFIX", None)
    with tempfile.TemporaryDirectory() as empty:
        cold = {**base, "PYTHONPYCACHEPREFIX": empty}
        _time_import("sys", base)  # warm the file cache once
        bare, *_ = _median("sys", base)
        print(f"python {sys.version.split()[0]}, {REPEATS} fresh processes each, "
              f"PYTHONDONTWRITEBYTECODE=1; interpreter start alone {bare:.2f} s")
        print(f"{'import':<14}{'bytecode (s)':>22}{'no bytecode (s)':>24}{'ratio':>8}  "
              f"heavy modules loaded")
        for module in MODULES:
            warm, lo, hi, heavy = _median(module, base)
            slow, slo, shi, _ = _median(module, cold)
            flag = "" if module not in ("abm", "econometrics") else (
                "  <= target" if warm <= TARGET_S else "  ABOVE target")
            print(f"{module:<14}{warm:>8.2f} [{lo:.2f}-{hi:.2f}]{'':>3}"
                  f"{slow:>10.2f} [{slo:.2f}-{shi:.2f}]{'':>3}{slow / warm:>7.1f}x  "
                  f"{', '.join(heavy) or '-'}{flag}", flush=True)
    print(f"target: import abm and import econometrics <= {TARGET_S} s with bytecode")


if __name__ == "__main__":
    main()
