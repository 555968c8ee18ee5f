import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_packages_import():
    import abm
    import econometrics

    assert abm.__version__ and econometrics.__version__


def test_make_help_lists_targets():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    for target in ("figures", "test", "bench", "lint", "data"):
        assert f"make {target}" in out.stdout
