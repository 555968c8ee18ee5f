"""Importing the packages loads only what they need (issue 17): Mesa when a model is built,
an estimator's module when it is first used. Behaviour, not timing: each check looks at
sys.modules in a fresh interpreter. The timings are printed by ``make bench BENCH=startup``."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ["mesa", "linearmodels", "statsmodels", "matplotlib", "seaborn", "frictionless"]


def _loaded_after(code: str) -> set[str]:
    """Run ``code`` in a fresh interpreter; return which HEAVY top-level packages it loaded."""
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(("code", "absent"), [
    ("import abm", HEAVY),
    ("import abm.inputs.data", HEAVY),
    ("from abm import data; data.load_targets()", HEAVY),
    ("import abm; abm.Params; abm.preset('small')", HEAVY),
    ("import econometrics", HEAVY),
    ("import econometrics; econometrics.simulate_panel; econometrics.att_gt",
     ["linearmodels", "mesa"]),
])
def test_import_does_not_load_heavy_packages(code, absent):
    assert not _loaded_after(code) & set(absent)


@pytest.mark.parametrize(("code", "present"), [
    ("import abm; abm.ReferralModel", "mesa"),
    ("import abm; abm.simulate(abm.preset('small'), days=2, seed=1)", "mesa"),
])
def test_heavy_packages_load_when_used(code, present):
    # The probe above is not blind: using the feature does load the package.
    assert present in _loaded_after(code)


def test_public_names_are_listed_and_resolve():
    import abm
    import econometrics

    for pkg in (abm, econometrics):
        assert set(pkg.__all__) <= set(dir(pkg))
        for name in pkg.__all__:
            assert getattr(pkg, name) is not None, (pkg.__name__, name)
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            pkg.nope  # noqa: B018


def test_estimator_names_stay_functions_after_their_modules_are_imported():
    # econometrics.sunab imports econometrics.twfe: the package attribute must stay the function.
    code = ("import econometrics.sunab, econometrics.compare, econometrics\n"
            "print(json.dumps([callable(econometrics.twfe), callable(econometrics.imputation),"
            " callable(econometrics.bacon)]))")
    out = subprocess.run([sys.executable, "-c", "import json\n" + code], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=True)
    assert json.loads(out.stdout) == [True, True, True]
