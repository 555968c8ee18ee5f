"""Agent-based model of two-way referral incentives in county medical consortia.

Examples
--------
>>> import abm
>>> res = abm.simulate(abm.preset("small"), days=30, seed=1)
>>> sorted(res.summary().index)[:2]
['admissions_per_capita', 'bed_transfer_rate']
"""

__version__ = "0.1.0"

from abm.agents import Facility, Patient, Physician
from abm.experiments import SweepError, load_sweep, sweep
from abm.model import PATIENT_MODES, ReferralModel
from abm.params import (
    PRESETS,
    Incentives,
    LeverPath,
    ParamError,
    Params,
    Reform,
    describe,
    preset,
    reform_packages,
)
from abm.results import METRICS, Results, simulate, summarize
from abm.tiers import TIERS, Tier
from abm.validation import validate

__all__ = [
    "METRICS", "PATIENT_MODES", "PRESETS", "TIERS", "Facility", "Incentives", "LeverPath",
    "ParamError", "Params", "Patient", "Physician", "ReferralModel", "Reform", "Results", "Tier",
    "describe", "preset", "reform_packages", "simulate", "summarize", "validate",
    "SweepError", "load_sweep", "sweep",
]
