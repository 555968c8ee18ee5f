"""Difference-in-differences estimators for consortium reforms.

Public API (issue 5): :func:`twfe`, :func:`event_study`, :func:`bacon`, :func:`wild_bootstrap`,
:func:`simulate_panel`, the data checks (:func:`prepare_panel`, :class:`PanelError`) and the result
classes. The heterogeneity-robust estimators (issue 6) are appended below; issue 18 added the
estimator registry (:mod:`econometrics.registry`, which drives ``event_study(estimator=...)`` and
:func:`compare_estimators`), :func:`honest_did`, :func:`synthetic_did`, :func:`dcdh` and
:class:`DataWarning`; issue 27 added :func:`synthetic_control` and :class:`ResultBase` (the base of
every estimator's result).

Attributes are imported on first use (PEP 562): ``import econometrics`` loads neither pandas nor
scipy; ``econometrics.twfe`` loads the module that defines it.

Examples
--------
>>> import econometrics
>>> df = econometrics.simulate_panel(n_units=40, n_periods=8, cohorts=(4, 6), effect=2.0, seed=3)
>>> res = econometrics.twfe(df, y="y", unit="unit", time="time", treat="treat")
>>> list(res.tidy().term)
['treat']
"""

import importlib
import sys
import types

__version__ = "0.1.0"

#: Public name -> submodule that defines it (imported when the name is first used).
_LAZY = {
    "DataWarning": "_panel", "Panel": "_panel", "PanelError": "_panel", "check_choice": "_panel",
    "normalize_cohort": "_panel", "prepare_panel": "_panel",
    "bacon": "bacon",
    "WildBootstrapResult": "inference", "wild_bootstrap": "inference",
    "BaconResult": "results", "EstimationResult": "results", "EventStudyResult": "results",
    "Overall": "results", "ResultBase": "results", "StaticResult": "results",
    "SyntheticResult": "results",
    "WaldTest": "results",
    "simulate_panel": "simulate", "true_event_path": "simulate",
    "event_study": "registry", "twfe": "twfe",
    "registry": "registry",  # the event-study estimator registry: the module itself
    # Heterogeneity-robust estimators (issue 6) and sensitivity (issue 18).
    "ComparisonResult": "compare", "compare_estimators": "compare",
    "AggregateResult": "cs", "AttGtResult": "cs", "att_gt": "cs",
    "GroupTimeEstimates": "cs.attgt", "aggregate_effects": "cs",  # abm.ReformPanel.true_att
    "HonestDiDResult": "honest", "honest_did": "honest",
    "DCDHResult": "dcdh", "dcdh": "dcdh",
    "imputation": "imputation",
    "sun_abraham": "sunab",
    "SyntheticDiDResult": "synthdid", "synthetic_did": "synthdid",
    "SyntheticControlResult": "synth", "synthetic_control": "synth",
    # PMC index of policy documents (issue 16).
    "PMCResult": "pmc", "pmc_score": "pmc", "suggest_codings": "pmc",
    # The estimator lab (issue 14).
    "LabResult": "lab", "estimator_lab": "lab", "simulated_dgp": "lab",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    """Import the submodule that defines ``name`` and cache the attribute (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
    value = getattr(module, name, module)  # a module named like no attribute in it: the module
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """Keeps ``econometrics.twfe`` (and ``bacon``, ``imputation``) the estimator function.

    Importing a submodule binds it on its package; ``twfe``, ``bacon`` and ``imputation`` are also
    the names of the functions those modules define, so an import of the module as a side effect
    (``econometrics.sunab`` imports ``econometrics.twfe``) would hide the function. The module
    stays reachable in ``sys.modules`` and through ``from econometrics.twfe import ...``.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if not (isinstance(value, types.ModuleType) and _LAZY.get(name) == name):
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
