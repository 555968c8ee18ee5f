"""Difference-in-differences estimators for consortium reforms.

Public API (issue 5): :func:`twfe`, :func:`event_study`, :func:`bacon`, :func:`wild_bootstrap`,
:func:`simulate_panel`, the data checks (:func:`prepare_panel`, :class:`PanelError`) and the result
classes. The heterogeneity-robust estimators (issue 6) are appended below; issue 18 added the
estimator registry (:mod:`econometrics.registry`, which drives ``event_study(estimator=...)`` and
:func:`compare_estimators`), :func:`honest_did`, :func:`synthetic_did` and :class:`DataWarning`.
"""

from econometrics import registry  # the event-study estimator registry (see its docstring)
from econometrics._panel import (
    DataWarning,
    Panel,
    PanelError,
    check_choice,
    normalize_cohort,
    prepare_panel,
)
from econometrics.bacon import bacon
from econometrics.inference import WildBootstrapResult, wild_bootstrap
from econometrics.results import (
    BaconResult,
    EstimationResult,
    EventStudyResult,
    Overall,
    StaticResult,
    WaldTest,
)
from econometrics.simulate import simulate_panel, true_event_path
from econometrics.twfe import event_study, twfe

__version__ = "0.1.0"

__all__ = [
    "BaconResult",
    "DataWarning",
    "EstimationResult",
    "EventStudyResult",
    "Overall",
    "Panel",
    "PanelError",
    "StaticResult",
    "WaldTest",
    "WildBootstrapResult",
    "bacon",
    "check_choice",
    "event_study",
    "normalize_cohort",
    "prepare_panel",
    "registry",
    "simulate_panel",
    "true_event_path",
    "twfe",
    "wild_bootstrap",
]

# Heterogeneity-robust estimators (issue 6).
from econometrics.compare import ComparisonResult, compare_estimators  # noqa: E402
from econometrics.cs import AggregateResult, AttGtResult, att_gt  # noqa: E402
from econometrics.honest import HonestDiDResult, honest_did  # noqa: E402
from econometrics.imputation import imputation  # noqa: E402
from econometrics.sunab import sun_abraham  # noqa: E402
from econometrics.synthdid import SyntheticDiDResult, synthetic_did  # noqa: E402

__all__ += [
    "AggregateResult",
    "AttGtResult",
    "ComparisonResult",
    "HonestDiDResult",
    "att_gt",
    "compare_estimators",
    "honest_did",
    "imputation",
    "sun_abraham",
    "synthetic_did",
    "SyntheticDiDResult",
]

# PMC index of policy documents (issue 16).
from econometrics.pmc import PMCResult, pmc_score, suggest_codings  # noqa: E402

__all__ += ["PMCResult", "pmc_score", "suggest_codings"]
