"""Run every benchmark script ``tests/bench/bench_*.py`` in turn (``make bench``).

Benchmarks are not tests: they print measurements taken side by side in one run (and their
ratios), never assert on time. ``python tests/bench/run.py NAME`` runs only ``bench_NAME.py``.
"""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    """Run the selected benchmark scripts."""
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in argv]
    if not scripts:
        print("no benchmarks selected; available:",
              [s.stem.removeprefix("bench_") for s in HERE.glob("bench_*.py")])
        return 1
    sys.path.insert(0, str(HERE.parents[1]))
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        runpy.run_path(str(script), run_name="__main__")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
