"""Agent-based model of two-way referral incentives in county medical consortia.

Attributes are imported on first use (PEP 562): ``import abm`` and ``import abm.data`` do not
load Mesa; building a model (``abm.simulate``, ``abm.ReferralModel``) does.

Examples
--------
>>> import abm
>>> res = abm.simulate(abm.preset("small"), days=30, seed=1)
>>> sorted(res.summary().index)[:2]
['admissions_per_capita', 'bed_transfer_rate']
"""

import hashlib
import importlib
import importlib.abc
import importlib.util
import os
import sys

__version__ = "0.1.0"


def source_digest(folder: str, suffixes: tuple[str, ...] = (".py",)) -> str:
    """Hex SHA-1 of the files under ``folder`` whose names end with ``suffixes`` (names and bytes).

    Caches keyed on it (numba's compiled model, the sweep store's runs) never serve results of
    code or data that have since changed.
    """
    digest = hashlib.sha1()
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(f for f in files if f.endswith(suffixes)):
            path = os.path.join(root, name)
            with open(path, "rb") as fh:
                digest.update(os.path.relpath(path, folder).encode() + b"\0" + fh.read())
    return digest.hexdigest()


#: Hash of the package's source files (:func:`source_digest` of ``abm/``).
SOURCE_HASH = source_digest(os.path.dirname(os.path.abspath(__file__)))


def _key_numba_cache() -> str:
    """Keep numba's compile cache of the model in a directory named by a hash of its source.

    numba checks a cached function against its own file only, not against the compiled
    functions it calls in other modules, so an edited rule would otherwise be run from a stale
    cache (wrong results or a crash). Keyed on every source file of the package, any edit starts
    a fresh cache; a ``NUMBA_CACHE_DIR`` set by the user is respected.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return os.environ["NUMBA_CACHE_DIR"]
    here = os.path.dirname(os.path.abspath(__file__))
    cache = os.path.join(here, "__pycache__", f"numba-{SOURCE_HASH[:16]}")
    if "numba" in sys.modules:  # already configured: set its config before abm compiles
        sys.modules["numba"].config.CACHE_DIR = cache
    else:
        os.environ["NUMBA_CACHE_DIR"] = cache
    return cache


#: Where numba keeps the compiled model (see :func:`_key_numba_cache`).
NUMBA_CACHE = _key_numba_cache()

#: Public name -> submodule that defines it (imported when the name is first used).
_LAZY = {
    "Facility": "engine.agents", "Patient": "engine.agents", "Physician": "engine.agents",
    "PATIENT_MODES": "engine.model", "ReferralModel": "engine.model",
    "SweepError": "runs.experiments", "load_sweep": "runs.experiments",
    "sweep": "runs.experiments",
    "PRESETS": "inputs.params", "Incentives": "inputs.params", "LeverPath": "inputs.params",
    "ParamError": "inputs.params", "Params": "inputs.params", "Reform": "inputs.params",
    "ReformWarning": "inputs.params",
    "describe": "inputs.params", "preset": "inputs.params", "reform_packages": "inputs.params",
    "METRICS": "engine.metrics", "summarize": "engine.metrics",
    "Results": "runs.results", "simulate": "runs.results", "simulate_many": "runs.results",
    "TIERS": "inputs.tiers", "Tier": "inputs.tiers",
    "validate": "fitting.validation",
    "ReformPanel": "runs.panels", "reform_panel": "runs.panels",
    "Calibration": "fitting.calibration", "calibrate": "fitting.calibration",
    "posterior": "inputs.posterior",
    "search_designs": "apps.search",
    "MAX_DAYS": "inputs.checks", "ParamTypeError": "inputs.checks",
}

#: Module paths before the layers (issue 25) -> where the module lives now. ``import abm.params``
#: and ``python -m abm.data`` still work and give the very module object of the new path.
MOVED = {
    **{f"abm.{m}": f"abm.inputs.{m}" for m in ("data", "params", "tiers", "roster")},
    "abm._validate": "abm.inputs.checks",
    **{f"abm.{m}": f"abm.engine.{m}" for m in (
        "agents", "day", "episodes", "equity", "metrics", "model", "packed", "rules", "sampling",
        "stages", "stages.admission", "stages.billing", "stages.capacity", "stages.choice",
        "stages.outcome", "stages.referral")},
    "abm._compile_notice": "abm.engine.compile_notice",
    **{f"abm.{m}": f"abm.runs.{m}" for m in (
        "experiments", "levers", "panels", "results", "testing")},
    **{f"abm.{m}": f"abm.fitting.{m}" for m in (
        "calibration", "calibration_plot", "history_matching", "validation")},
    **{f"abm.{m}": f"abm.apps.{m}" for m in ("cli", "dashboard", "designs", "report")},
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import an old module path (:data:`MOVED`) as the module of its new path (one object)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MOVED:
            return None
        real = importlib.util.find_spec(MOVED[fullname])
        return importlib.util.spec_from_loader(
            fullname, self, is_package=real.submodule_search_locations is not None)

    def create_module(self, spec):
        module = importlib.import_module(MOVED[spec.name])
        spec.loader_state = module.__spec__  # importlib sets module.__spec__ = spec: undo it
        return module

    def exec_module(self, module):
        module.__spec__ = module.__spec__.loader_state

    def get_code(self, fullname):  # python -m abm.data
        real = importlib.util.find_spec(MOVED[fullname])
        return real.loader.get_code(real.name)


if not any(isinstance(f, _MovedModules) for f in sys.meta_path):
    sys.meta_path.insert(0, _MovedModules())  # before the path finder: one module object

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    """Import the submodule that defines ``name`` and cache the attribute (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
