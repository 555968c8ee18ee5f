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
    "Facility": "agents", "Patient": "agents", "Physician": "agents",
    "PATIENT_MODES": "model", "ReferralModel": "model",
    "SweepError": "experiments", "load_sweep": "experiments", "sweep": "experiments",
    "PRESETS": "params", "Incentives": "params", "LeverPath": "params", "ParamError": "params",
    "Params": "params", "Reform": "params", "describe": "params", "preset": "params",
    "reform_packages": "params",
    "METRICS": "metrics", "Results": "results", "simulate": "results", "simulate_many": "results",
    "summarize": "metrics",
    "TIERS": "tiers", "Tier": "tiers",
    "validate": "validation",
    "ReformPanel": "panels", "reform_panel": "panels",
    "Calibration": "calibration", "calibrate": "calibration", "posterior": "calibration",
    "MAX_DAYS": "_validate", "ParamTypeError": "_validate",
}

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
