"""The layers of abm (issue 25): the import-linter contracts of pyproject.toml hold.

apps > fitting > runs > engine > inputs: a layer imports only layers below it, not even inside
a function; abm uses econometrics' top-level names only; econometrics does not import abm.
"""

import re
import subprocess
import sys
from pathlib import Path

import abm

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_abm_imports_no_old_module_path():
    """Old paths (abm.params, ...) still import for users, but abm itself uses the new ones.

    import-linter sees only real modules: an old path inside abm would hide an import from it.
    """
    old = "|".join(re.escape(m.removeprefix("abm.")) for m in abm.MOVED)
    pattern = re.compile(rf"^\s*(from abm\.({old})\b|import abm\.({old})\b|from abm import .*"
                         rf"\b({old})\b)", re.M)
    hits = [f"{p.relative_to(ROOT)}: {m.group(0).strip()}"
            for p in sorted((ROOT / "abm").rglob("*.py")) for m in pattern.finditer(p.read_text())]
    assert not hits, hits


def test_old_module_paths_are_the_new_modules():
    import importlib

    for old, new in abm.MOVED.items():
        assert importlib.import_module(old) is importlib.import_module(new), old


def test_no_private_name_crosses_a_module():
    """``from abm.x import _name`` would tie a module to another's internals."""
    hits = []
    for p in sorted((ROOT / "abm").rglob("*.py")):
        for line in re.finditer(r"^\s*from (?:abm|econometrics)[\w.]* import (\([^)]*\)|.*)$",
                                p.read_text(), re.M):
            names = re.split(r"[\s,()]+", line.group(1).split("#")[0])
            hits += [f"{p.relative_to(ROOT)}: {n}" for n in names if n.startswith("_")]
    assert not hits, hits
