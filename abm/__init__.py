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

import importlib

__version__ = "0.1.0"

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
