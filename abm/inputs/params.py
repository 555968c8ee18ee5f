"""Parameters of the referral model: one frozen, typed object, grouped by theme.

Every field carries a unit, a default and a source (a source document of the README's table
written as "seed NNN, section", a yearbook, or "assumption" with the reason).
Per-tier fields are tuples in the order of :data:`TIERS`.

Change a parameter with :meth:`Params.replace` and dotted names::

    >>> from abm import preset
    >>> p = preset("small").replace(**{"incentives.revenue_share": 0.4})
    >>> p.incentives.revenue_share
    0.4

Unknown names and out-of-range values raise :class:`ParamError` naming the field and the valid
names or range. A reform is a second set of incentives switched on at ``reform.day``::

    >>> r = p.replace(**{"reform.day": 730, "reform.incentives.information_platform": 1.0})
    >>> r.reform.incentives.information_platform, r.reform.incentives.revenue_share
    (1.0, 0.4)

or a schedule of lever paths (steps and ramps over years), e.g. a named real-world package::

    >>> c = p.with_reform("compact_consortium", day=365)
    >>> c.incentives_at(364).consortium_budget, c.incentives_at(365 + 3 * 365).consortium_budget
    (0.0, 1.0)
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from abm.inputs.tiers import TIERS

#: Presets shipped with the package ("small" is defined in code, the others in ``datasets/``).
PRESETS: tuple[str, ...] = ("small", "x_county", "yongan", "baiyun")

_YEARBOOK = "China Health Statistics Yearbook 2019-2020"

#: Fewest simulated patients (``setting.residents / setting.scale``) a parameter set may leave:
#: below this the model's shares are shares of a handful of people (scale=10000 on the
#: 3,000-resident small county would simulate one patient). Panels at scale 2000 on the
#: smallest drawn county (60,000 residents) keep 30.
MIN_SIMULATED_PATIENTS = 20


class ParamError(ValueError):
    """A parameter name is unknown or its value is out of range; the message says which."""


class ReformWarning(UserWarning):
    """A reform runs, but part of it does nothing.

    A lever path that starts after the run ends, or a sweep scenario whose reform leaves every
    lever at its baseline value.
    """


def _p(default: Any, unit: str, source: str, lo: float | None = None, hi: float | None = None,
       doc: str = "", knob: bool | str = False, via: str = "") -> Any:
    """Declare a parameter field with its unit, source, valid range and meaning.

    ``knob``: the compiled day reads the field (``True``: under the field's name; a string: under
    that name), as a number (an array for a tuple), or computed from the value by the function
    ``via`` of :mod:`abm.engine.rules`. :data:`abm.engine.episodes.Knobs` is generated from these
    marks; the incentives in force (:meth:`Params.incentives_at`) give the levers' values.
    """
    meta = {"unit": unit, "source": source, "range": (lo, hi), "doc": doc}
    if knob:
        meta.update(knob=knob, via=via)
    if isinstance(default, (list, tuple)):
        default = tuple(default)
    return field(default=default, metadata=meta)


class _Group:
    """Mixin for a frozen parameter group: validation of every field against its range.

    ``_SUM_TO_ONE`` names the tuple fields that are probability distributions: they must sum to
    one (within 1e-6), never silently renormalised.
    """

    _SUM_TO_ONE: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            _check_value(type(self).__name__, f, getattr(self, f.name))
        for name in self._SUM_TO_ONE:
            total = math.fsum(getattr(self, name))
            if abs(total - 1.0) > 1e-6:
                group = _GROUP_NAMES.get(type(self).__name__, type(self).__name__)
                raise ParamError(f"{group}.{name} must sum to 1 (a probability distribution), "
                                 f"got {getattr(self, name)!r} summing to {total:.6g}")


_FLOAT_MAX = sys.float_info.max


def _check_value(group: str, f: dataclasses.Field, value: Any) -> None:
    lo, hi = f.metadata.get("range", (None, None))
    default = f.default
    name = f"{_GROUP_NAMES.get(group, group)}.{f.name}"
    if isinstance(default, tuple):
        if not isinstance(value, tuple) or len(value) != len(default):
            raise ParamError(f"{name} must be a tuple of {len(default)} numbers "
                             f"(one per tier {TIERS[:len(default)]}), got {value!r}")
        items = value
    elif isinstance(default, bool):
        if not isinstance(value, bool):
            raise ParamError(f"{name} must be True or False, got {value!r}")
        return
    elif isinstance(default, str):
        if not isinstance(value, str):
            raise ParamError(f"{name} must be a string, got {value!r}")
        return
    else:
        items = (value,)
    for v in items:
        # abs(v) <= max float: finite, and an int small enough to become a float (not 10**400)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not abs(v) <= _FLOAT_MAX:
            raise ParamError(f"{name} must be a finite number, got {value!r}")
        if isinstance(default, int) and not isinstance(default, bool) and not isinstance(v, int):
            raise ParamError(f"{name} must be an integer, got {value!r}")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ParamError(f"{name}={value!r} is out of range [{lo}, {hi}] "
                             f"({f.metadata.get('unit', '')})")


@dataclass(frozen=True)
class Setting(_Group):
    """Which county: roster, population and the population scale."""

    preset: str = _p("small", "name", "package presets", doc="facility roster (abm.PRESETS)")
    residents: int = _p(3000, "persons", "datasets/presets.csv or assumption", 100, 10_000_000,
                        doc="residents of the county")
    villages: int = _p(8, "villages", "datasets/presets.csv or assumption", 1, 100_000,
                       doc="villages (catchments of village clinics); word of mouth spreads inside")
    scale: float = _p(1.0, "residents per simulated patient",
                      "assumption: a computing device, not a fact (docs/odd.md, Scale)",
                      1.0, 10_000,
                      doc="each simulated patient stands for this many residents; facility "
                          "capacities are divided by it")
    outside_hospital: bool = _p(True, "switch",
                                "seed 002, 1.1 (patient outflow to large hospitals nearby)",
                                doc="add an out-of-county hospital when the roster has none")


    def __post_init__(self) -> None:
        super().__post_init__()
        if self.preset not in PRESETS:
            raise ParamError(f"setting.preset={self.preset!r} is not a preset; allowed: "
                             f"{', '.join(PRESETS)}")


@dataclass(frozen=True)
class Population(_Group):
    """Who lives in the county."""

    _SUM_TO_ONE = ("age_shares",)

    age_shares: tuple[float, ...] = _p(
        (0.18, 0.63, 0.19), "fraction (child, adult, elderly)",
        "China 2020 census, rounded (0-14, 15-59, 60+); assumption for a county", 0.0, 1.0)
    chronic_prevalence: tuple[float, ...] = _p(
        (0.02, 0.22, 0.55), "fraction by age group", "assumption (national chronic-disease "
        "surveys report roughly a quarter of adults and over half of the elderly)", 0.0, 1.0)
    employee_insurance_share: float = _p(
        0.25, "fraction", "assumption: urban employee scheme vs resident scheme in a county", 0, 1)


@dataclass(frozen=True)
class Demand(_Group):
    """Illness episodes: how often, how severe, what follows an admission."""

    _SUM_TO_ONE = ("severity_probs", "severity_probs_chronic")

    episode_rate: float = _p(7.53, "episodes per person-year",
                             "calibrated: about 6 outpatient visits per person-year (yearbooks, "
                             "datasets/targets.csv visits_per_capita) incl. referral and follow-up "
                             "visits, after about a quarter of episodes are self-treated "
                             "(forgone_care_rate)", 0.0, 50.0)
    age_risk: tuple[float, ...] = _p((1.0, 0.8, 1.6), "relative rate (child, adult, elderly)",
                                     "assumption", 0.0, 10.0)
    chronic_risk: float = _p(1.8, "relative rate", "assumption", 0.0, 10.0,
                             doc="episode rate of a chronic patient relative to others")
    severity_probs: tuple[float, ...] = _p(
        (0.9608, 0.015, 0.0212, 0.003), "probability (common, chronic, acute serious, critical)",
        "calibrated: admissions about 0.19 per person-year (datasets/targets.csv "
        "admissions_per_capita); split between classes assumed", 0.0, 1.0,
        doc="severity class of an episode of a patient without a chronic condition",
        knob="severity_cum", via="class_cumulative")
    severity_probs_chronic: tuple[float, ...] = _p(
        (0.4497, 0.52, 0.0273, 0.003), "probability by class",
        "assumption; acute classes scaled with severity_probs", 0.0, 1.0,
        doc="severity class of an episode of a patient with a chronic condition",
        knob="severity_cum_chronic", via="class_cumulative")
    admit_threshold: float = _p(2.0, "severity units", "seed 000, 2.2.3 (acute and critical "
                                "cases need inpatient care)", 0.0, 4.0,
                                doc="episodes at or above this severity are admitted at their "
                                    "final facility when it has beds (townships and up)", knob=True)
    length_of_stay: tuple[float, ...] = _p(
        (10.0, 8.0, 8.0, 6.0, 0.0), "days by tier",
        "China Health Statistics Yearbook 2020 (average stay: hospitals about 9 days, township "
        "centres about 6-7); split between tiers assumed", 0.0, 60.0,
        doc="days an admission occupies a bed")
    continued_stay_share: float = _p(
        0.3, "fraction of a stay", "assumption: stabilised patients spend about the last third "
        "of a stay in recovery (seed 000, 2.2.3: rehabilitation belongs at primary care)",
        0.0, 1.0, doc="share of a stabilised patient's stay (bed-days and inpatient bill) that "
                      "a downward referral moves to the primary facility", knob=True)
    followup_visits: int = _p(3, "visits", "assumption (rehabilitation / management visits)", 0, 30,
                              doc="outpatient follow-up visits after a stabilised admission",
                              knob=True)
    stabilised_share: tuple[float, ...] = _p(
        (0.0, 0.0, 0.7, 0.5), "probability by severity class",
        "seed 000, 2.2.3 (stabilised acute patients go back to primary care); values assumed",
        0.0, 1.0, doc="share of admitted patients stable enough for a downward referral", knob=True)


@dataclass(frozen=True)
class Choice(_Group):
    """Multinomial logit of facility choice at onset."""

    beta_quality: float = _p(6.0, "utility per unit of trust x quality",
                             "seed 000, 4.4 (80.77% name technical expertise a top criterion); "
                             "calibrated", 0.0, 50.0, knob=True)
    beta_cost: float = _p(0.8, "utility per 100 yuan out of pocket", "assumption; calibrated",
                          0.0, 20.0, knob=True)
    beta_travel: float = _p(1.2, "utility per hour of travel", "assumption; calibrated", 0, 20,
                            knob=True)
    beta_wait: float = _p(1.0, "utility per unit of yesterday's occupancy",
                          "assumption", 0.0, 20.0, knob=True)
    beta_mismatch: float = _p(0.25, "perceived quality per severity unit above capability",
                              "seed 000, 2.2.2 (tiers treat different severities); assumption",
                              0.0, 20.0, knob=True)
    beta_family_doctor: float = _p(1.2, "utility", "seed 000, 5.4 (family doctor first contact); "
                                   "assumption", 0.0, 20.0,
                                   doc="bonus of primary facilities for a contracted patient",
                                   knob=True)
    asc: tuple[float, ...] = _p((0.0, 0.0, 0.0, 0.73, 0.73), "utility by tier",
                                "calibrated (primary share 0.50-0.60)", -10.0, 10.0,
                                doc="alternative-specific constants")
    asc_outside: float = _p(2.76, "utility", "calibrated (care kept inside the county about 82.5%,"
                            " national reports 2017, datasets/targets.csv)", -10.0, 10.0,
                            doc="constant of hospitals outside the county (reputation)")
    travel_hours: tuple[float, ...] = _p((1.5, 1.0, 0.8, 0.45, 0.1), "hours by tier",
                                         "assumption", 0.0, 24.0)
    travel_hours_outside: float = _p(2.5, "hours", "assumption", 0.0, 24.0)
    remoteness_sd: float = _p(0.3, "log-sd of a village's travel multiplier", "assumption",
                              0.0, 3.0)
    asc_self_care: float = _p(
        4.1, "utility", "calibrated: about a quarter of two-week illnesses of rural residents are "
        "self-treated ('Use of and factors associated with self-treatment in China', BMC Public "
        "Health 12:995, 2012: 25.3% rural, 2008 National Health Services Survey)", -20.0, 20.0,
        doc="constant of ending an episode without formal care (self-treatment, pharmacy)",
        knob=True)
    self_care_severity: float = _p(
        2.0, "utility per severity unit", "same source (the more severe the symptoms, the less "
        "self-treatment); size assumed", 0.0, 20.0,
        doc="how fast self-treatment loses appeal with severity", knob=True)


@dataclass(frozen=True)
class Trust(_Group):
    """Trust of patients in each tier: prior, learning, decay, word of mouth."""

    prior: tuple[float, ...] = _p((0.92, 0.845, 0.805, 0.78, 0.74),
                                  "probability of a good outcome",
                                  "seed 000, 4.4 and seed 002, 1.3.3 (preference for reputable "
                                  "hospitals); set near the long-run baseline level so the "
                                  "baseline does not drift", 0.0, 1.0, knob=True)
    learning_rate: float = _p(0.15, "share of the gap closed per own experience", "assumption",
                              0.0, 1.0, knob=True)
    decay_per_year: float = _p(0.5, "1/year (decay toward the prior)", "assumption", 0.0, 50.0,
                               knob=True)
    wom_probability: float = _p(0.5, "probability an outcome is told", "assumption", 0.0, 1.0,
                                knob=True)
    wom_contacts: int = _p(2, "neighbours told per telling", "assumption", 0, 20, knob=True)
    wom_weight: float = _p(0.3, "fraction of own learning rate", "assumption", 0.0, 1.0, knob=True)


@dataclass(frozen=True)
class Facilities(_Group):
    """Tier defaults of facility capability, quality, prices and insurance."""

    capability: tuple[float, ...] = _p((3.9, 3.4, 2.9, 1.9, 1.5), "severity units",
                                       "seed 000, 2.2.2 and 4.1; calibrated (upward referral "
                                       "rate)", 0.0, 4.0,
                                       doc="highest severity a facility treats well")
    quality: tuple[float, ...] = _p((0.92, 0.8, 0.7, 0.55, 0.45), "index 0-1",
                                    "seed 000, 4.1 and 4.4; assumption", 0.0, 1.0)
    outpatient_fee: tuple[float, ...] = _p((333, 222, 222, 85, 40), "yuan per visit",
                                           _YEARBOOK + "; village: assumption", 0, 1e5)
    inpatient_cost: tuple[float, ...] = _p((15000, 7000, 6000, 2500, 1500), "yuan per admission",
                                           "assumption (yearbook order of magnitude)", 0, 1e6)
    reimbursement: tuple[float, ...] = _p((0.35, 0.5, 0.5, 0.5, 0.5),
                                          "fraction of an outpatient bill",
                                          "assumption; primary tiers get the premium on top",
                                          0.0, 1.0)
    inpatient_reimbursement: tuple[float, ...] = _p((0.55, 0.65, 0.65, 0.65, 0.65),
                                                    "fraction of an inpatient bill",
                                                    "assumption", 0.0, 1.0)
    deductible: tuple[float, ...] = _p((1200, 600, 600, 200, 200), "yuan per admission",
                                       "seed 003 (the lower the level, the lower the "
                                       "deductible); values assumed", 0, 1e5)
    outside_reimbursement_cut: float = _p(0.15, "reimbursement points", "assumption "
                                          "(out-of-area care is reimbursed less)", 0.0, 1.0)
    employee_bonus: float = _p(0.1, "reimbursement points", "assumption", 0.0, 1.0, knob=True)
    capacity_factor: float = _p(1.0, "multiplier of roster capacities", "datasets rosters",
                                0.01, 100.0)
    bed_occupancy_max: float = _p(1.2, "occupied beds / roster beds",
                                  "assumption: full wards add beds in corridors (occupancy above "
                                  "100% is common in county hospitals, China Health Statistics "
                                  "Yearbooks); the rosters' bed counts are themselves estimates",
                                  1.0, 3.0, doc="occupancy at which a facility turns admissions "
                                                "away", knob=True)


@dataclass(frozen=True)
class Physicians(_Group):
    """Diagnostic skill and revenue motives of physicians."""

    skill: tuple[float, ...] = _p((0.9, 0.78, 0.72, 0.55, 0.4), "index 0-1 by tier",
                                  "seed 000, 4.1 (few postgraduates, <10% senior titles at "
                                  "primary level); assumption", 0.0, 1.0)
    skill_sd: float = _p(0.08, "sd of skill within a tier", "assumption", 0.0, 1.0)
    diagnosis_noise: float = _p(0.8, "severity units (sd at skill 0)", "assumption", 0.0, 5.0,
                                knob=True)
    revenue_sensitivity_sd: float = _p(0.3, "log-sd", "assumption", 0.0, 3.0)


@dataclass(frozen=True)
class Referral(_Group):
    """Upward and downward referral decisions and the patient's acceptance."""

    up_slope: float = _p(5.0, "log-odds per severity unit above capability", "assumption",
                         0.0, 100.0, knob=True)
    up_margin: float = _p(0.17, "severity units", "calibrated (upward referral rate 7.3%, "
                          "seed 000, 4.2)", -4.0, 4.0, knob=True)
    up_revenue_keep: float = _p(1.0, "log-odds",
                                "seed 000, 4.3 (revenue motive: primary units keep patients); "
                                "assumption. Revenue sharing credits downward referrals only, so "
                                "it does not change this term", 0.0, 20.0, knob=True)
    down_intercept: float = _p(2.16, "log-odds", "calibrated (downward referral rate 2.2%, "
                               "seed 000, 4.2)", -20.0, 20.0, knob=True)
    down_revenue_loss: float = _p(1.2, "log-odds per 1,000 yuan the hospital loses",
                                  "seed 000, 4.3; assumption", 0.0, 50.0, knob=True)
    down_performance: float = _p(3.0, "log-odds per unit of performance weight",
                                 "seed 000, 5.3 (evaluation tied to performance pay and executive "
                                 "pay); assumption. Enters through the hospital's monthly "
                                 "referral policy", 0, 50)
    unaware_share: float = _p(0.5882, "fraction of physicians", "seed 000, 4.5", 0.0, 1.0,
                              doc="physicians unaware of subordinate units' status (no platform);"
                                  " a physician attribute drawn once", knob=True)
    complex_share: float = _p(0.5294, "fraction of physicians", "seed 000, 4.5", 0.0, 1.0,
                              doc="physicians finding the process too complex (no platform); a "
                                  "physician attribute drawn once", knob=True)
    handover_failure: float = _p(0.15, "probability", "assumption; context seed 000, 4.5 "
                                 "(68 of 232 studies name platform delays)", 0.0, 1.0, knob=True)
    accept_intercept: float = _p(0.3, "log-odds", "fitted to the share of inpatients who "
                                 "accept a downward referral on a doctor's advice (Jing et al. "
                                 "2020, IJERPH 17:369; Yu et al. 2017, BMJ Open 7:e012565; "
                                 "datasets/targets.csv downward_acceptance_band_*)", -20.0, 20.0,
                                 knob=True)
    accept_trust: float = _p(4.0, "log-odds per unit trust difference (primary - hospital)",
                             "seed 000, 4.4; assumption", 0.0, 50.0, knob=True)
    accept_cost: float = _p(0.2, "log-odds per 100 yuan extra out of pocket",
                            "seed 000, 5.3; assumption (the price of moving includes the rest of "
                            "the stay, hundreds of yuan, so the weight per 100 yuan is smaller "
                            "than for a visit)", 0.0, 50.0, knob=True)
    accept_family_doctor: float = _p(0.5, "log-odds", "seed 000, 5.4; assumption", 0.0, 20.0,
                                     knob=True)
    receive_intercept: float = _p(
        1.5, "log-odds", "assumption: a primary unit takes over a stabilised patient whose "
        "severity equals its capability with probability about 0.8 (Wang et al. 2019: 38.7% of "
        "primary doctors had ever received a downward referral; docs/odd.md §7)", -20.0, 20.0,
        doc="willingness of the receiving primary unit to take over a stabilised patient at "
            "zero gap between the patient's severity and the unit's capability", knob=True)
    receive_capability: float = _p(
        1.5, "log-odds per severity unit of capability above the patient's severity",
        "assumption: primary physicians weigh the clinical risk of cases beyond their facility's "
        "capability (township centres' share of appendectomies fell from 41.8% to 26.8% in "
        "2012-2015, 46% of centres lacking anaesthetists or equipment; docs/odd.md §7)",
        0.0, 20.0, doc="how fast the receiving unit's willingness rises with its capability",
        knob=True)
    receive_load: float = _p(
        0.0, "log-odds per unit of the receiving unit's outpatient load (visits per slot)",
        "assumption: primary physicians' time is short (only 38.7% of primary doctors had ever "
        "received a downward referral, Wang et al. 2019; doctors expecting extra workload were "
        "less willing, Yu et al. 2017, BMJ Open 7:e012565); fitted to reform facts "
        "(docs/calibration.md)", 0.0, 20.0,
        doc="how much a busy receiving unit's physicians hold back from taking a patient over",
        knob=True)
    receive_revenue: float = _p(
        0.0, "log-odds per 1,000 yuan of the receiving unit's own revenue from the patient",
        "seed 000, 5.3 (under unified accounting a member's revenue stays in the consortium; "
        "revenue sharing credits part of it to the referring hospital); assumption, fitted to "
        "reform facts (docs/calibration.md)", 0.0, 20.0,
        doc="the receiving unit's revenue motive to take a patient over (fee for service)",
        knob=True)
    platform_down_reach: float = _p(
        1.0, "fraction of the platform's reach that applies to downward referral",
        "seed 000, 4.5 (platforms record information for upward referrals, downward information "
        "is incomplete: a unidirectional information gap); fitted to reform facts "
        "(docs/calibration.md)", 0.0, 1.0,
        doc="how much of the information platform's removal of referral frictions reaches the "
            "downward direction (awareness, deterrence, handover)", knob=True)
    up_platform: float = _p(
        0.0, "log-odds per unit of platform reach, at consortium members",
        "seed 000, 5.2 and 4.5 (reserved slots; 52.94% of physicians find the process too "
        "complex; platforms record information for upward referrals); Sun et al. 2023 "
        "(upward referral rates rose under hierarchical care); "
        "assumption (unquantified in the sources, a wide prior)", 0.0, 20.0,
        doc="ease that the consortium's referral channel adds to a primary physician's upward "
            "referral", knob=True)
    platform_wait_cut: float = _p(0.5, "fraction of the waiting term removed by a full platform",
                                  "seed 000, 5.5; assumption (consortium members only: the "
                                  "platform books slots inside the consortium)", 0.0, 1.0,
                                  knob=True)


@dataclass(frozen=True)
class Outcome(_Group):
    """Probability that an episode ends well."""

    intercept: float = _p(0.6, "log-odds", "assumption", -20.0, 20.0, knob="outcome_intercept")
    quality: float = _p(2.5, "log-odds per unit quality", "assumption", 0.0, 50.0,
                        knob="outcome_quality")
    mismatch: float = _p(1.5, "log-odds per severity unit above capability", "assumption", 0, 50,
                         knob="outcome_mismatch")
    correct_diagnosis: float = _p(0.6, "log-odds", "assumption", 0.0, 20.0,
                                  knob="outcome_diagnosis")


@dataclass(frozen=True)
class Hospital(_Group):
    """How hospital management sets its referral policy each month (docs/odd.md, Hospitals)."""

    margin: float = _p(0.2, "fraction of revenue", "assumption: contribution margin of a kept "
                       "patient's care (drug, test and bed revenue above marginal cost)", 0.0, 1.0,
                       doc="profit a hospital keeps per yuan of fee revenue")
    retained_share: float = _p(0.5, "fraction", "seed 000, 5.3 ('shared surplus'); share assumed",
                               0.0, 1.0, doc="share of the consortium budget's surplus that "
                                             "accrues to the hospital that creates it")
    value_coef: float = _p(1.2, "log-odds per 1,000 yuan of value to the hospital",
                           "assumption: the same scale as the physicians' revenue term "
                           "(referral.down_revenue_loss)", 0.0, 50.0,
                           doc="internal referral incentive per 1,000 yuan a downward referral "
                               "is worth to the hospital")
    volume_coef: float = _p(5.0, "log-odds per unit share of stabilised patients referred down",
                            "assumption: a hospital still carries the staff and beds a referral "
                            "empties and its physicians' pay follows workload (county hospitals' "
                            "volume kept rising under consortia: Ran et al. 2020, Int J Equity "
                            "Health 19:142; Yang et al. 2024, Front Public Health 12:1322949; "
                            "doctors' willingness to refer down is lower where referral rules "
                            "touch their pay); docs/odd.md §7", 0.0, 50.0,
                            doc="marginal cost to the hospital of referring a further share of "
                                "its stabilised patients down (bounds its referral push)")
    adjust_rate: float = _p(0.15, "share of the gap to the target closed per month",
                            "assumption (management responds within months)", 0.0, 1.0)


@dataclass(frozen=True)
class Trends(_Group):
    """Secular drivers, per year from day 0 (all off by default)."""

    income_growth: float = _p(0.0, "per year", "off by default; about 0.07 for 2011-2021 (real "
                              "per-capita disposable income of rural residents, National Bureau "
                              "of Statistics, deflated; approximate)", -0.5, 0.5,
                              doc="income growth; cost sensitivity falls in proportion to income")
    travel_change: float = _p(0.0, "per year", "off by default; about -0.02 with rural road "
                              "building (assumption)", -0.5, 0.5,
                              doc="relative change of travel times per year")
    hospital_capacity_growth: float = _p(0.0, "per year", "off by default; about 0.05 for "
                                         "2011-2021 (beds per 1,000 residents 3.8 -> 6.7, China "
                                         "Health Statistics Yearbooks; approximate)", -0.5, 0.5,
                                         doc="growth of county-level and provincial slots and "
                                             "beds per year")


@dataclass(frozen=True)
class Capacity(_Group):
    """How counterpart support and investment build primary capability over time."""

    secondee_capability_gain: float = _p(0.5, "severity units per secondee at full use",
                                         "seed 002, 3.1; assumption", 0.0, 4.0)
    secondee_quality_gain: float = _p(0.1, "quality per secondee at full use",
                                      "seed 002, 3.1; assumption", 0.0, 1.0)
    mismatch_penalty: float = _p(0.5, "share of a secondee's potential lost",
                                 "seed 002, 1.3.1-1.3.2 (support reduced to a formality); "
                                 "assumption", 0.0, 1.0)
    secondee_skill_gain: float = _p(0.15, "skill of local physicians per secondee at full use",
                                    "seed 002, 3.1; assumption", 0.0, 1.0)
    investment_capability_gain: float = _p(0.6, "severity units at full investment",
                                           "seed 000, 5.1; assumption", 0.0, 4.0)
    investment_quality_gain: float = _p(0.15, "quality at full investment",
                                        "seed 000, 5.1; assumption", 0.0, 1.0)
    investment_capacity_gain: float = _p(0.3, "relative capacity at full investment",
                                         "seed 000, 5.1; assumption", 0.0, 10.0)
    monthly_rate: float = _p(0.15, "share of the gap to the target closed per month",
                             "assumption", 0.0, 1.0)


@dataclass(frozen=True)
class Incentives(_Group):
    """The incentive levers (docs/levers.md). Defaults: the pre-reform baseline."""

    revenue_share: float = _p(0.0, "fraction", "seed 000, 5.3 (unified accounting)", 0.0, 1.0,
                              doc="share of the receiving unit's revenue from a patient referred "
                                  "down that is credited to the referring hospital", knob=True)
    consortium_budget: float = _p(0.0, "fraction of insurance payments",
                                  "seed 000, 5.3 (unified accounting, shared surplus and shared "
                                  "risk); seed 003 (compact consortia)", 0.0, 1.0,
                                  doc="share of members' insurance payments made as one "
                                      "consortium budget with retained surplus instead of fee "
                                      "for service", knob=True)
    primary_reimbursement_premium: float = _p(
        0.05, "reimbursement points", "seed 000, 5.3 (reform: +0.10 to +0.20); baseline assumed",
        0.0, 0.5, doc="primary reimbursement rate minus the county-hospital rate")
    deductible_continuity: float = _p(0.0, "fraction", "seed 000, 5.3", 0.0, 1.0,
                                      doc="share of the second deductible waived for a referred "
                                          "patient", knob=True)
    reserved_referral_share: float = _p(0.0, "fraction of slots", "seed 000, 5.2 (>= 20%)",
                                        0.0, 0.9,
                                        doc="share of upper-hospital slots reserved for referrals",
                                        knob=True)
    information_platform: float = _p(0.0, "fraction of friction removed", "seed 000, 4.5 and 5.5",
                                     0.0, 1.0, knob=True)
    counterpart_support: float = _p(0.0, "seconded specialists per township centre",
                                    "seed 002, 1.3 and 2.1", 0.0, 5.0)
    performance_weight: float = _p(0.0, "weight 0-1 in evaluation and pay", "seed 000, 5.3",
                                   0.0, 1.0)
    family_doctor_coverage: float = _p(0.3, "fraction of residents contracted",
                                       "seed 004 (Baiyun 30%, end 2017)", 0.0, 1.0, knob=True)
    gatekeeping_penalty: float = _p(0.0, "reimbursement points", "seed 000, 5.4 (family doctor "
                                    "first contact); Xu et al., BMJ Global Health 2020 "
                                    "(gatekeeping pilot)", 0.0, 0.5,
                                    doc="reimbursement lost by a contracted resident who goes to a "
                                        "hospital without a referral (gatekeeping strength)",
                                        knob=True)
    primary_investment: float = _p(0.0, "share of a full primary capacity programme",
                                   "seed 000, 5.1", 0.0, 1.0)


@dataclass(frozen=True)
class LeverPath:
    """One lever's path in a reform schedule: a step, or a linear ramp over years.

    From ``start_year`` years after the reform day the lever moves from its baseline value to
    ``value`` over ``ramp_years`` (0: a step), in monthly steps (policies change at discrete
    dates).

    Examples
    --------
    >>> path = LeverPath("revenue_share", 0.4, start_year=1.0, ramp_years=2.0)
    >>> [round(path.value_at(d, baseline=0.0), 3) for d in (364, 365, 365 + 360, 365 + 730)]
    [0.0, 0.0, 0.197, 0.4]
    """

    lever: str
    value: float
    start_year: float = 0.0
    ramp_years: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.lever, str):
            raise ParamError(f"schedule lever must be a lever name (str), got {self.lever!r}")
        f = field_of(Incentives, self.lever, f"schedule lever {self.lever!r}")
        value = _coerce(self.value)
        object.__setattr__(self, "value", value)
        _check_value("Incentives", f, value)
        if not isinstance(self.lever, str):
            raise ParamError(f"schedule lever must be a lever name (str), got {self.lever!r}")
        for name in ("start_year", "ramp_years"):
            v = _coerce(getattr(self, name))  # numpy numbers are numbers (np.int64(1) -> 1)
            object.__setattr__(self, name, v)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 100:
                raise ParamError(f"schedule {self.lever}.{name} must be a number of years in "
                                 f"[0, 100], got {v!r}")

    def value_at(self, days_since_reform: int, *, baseline: float) -> float:
        """Lever value ``days_since_reform`` days after the reform day."""
        start = round(self.start_year * 365)
        if days_since_reform < start:
            return baseline
        ramp = round(self.ramp_years * 365)
        if days_since_reform - start >= ramp:
            return self.value
        elapsed = (days_since_reform - start) // 30 * 30  # monthly steps
        return baseline + (self.value - baseline) * elapsed / ramp


@dataclass(frozen=True)
class Reform(_Group):
    """A reform from ``day`` on: a step to a second set of incentives and/or lever paths.

    ``incentives`` (set with ``replace(**{"reform.incentives.<lever>": v})``) switch on as one
    step at ``day``; ``paths`` (set with :meth:`Params.with_reform`) move levers over the years
    after ``day``, on top of the step. ``package`` names the schedule (a row group of
    ``datasets/reforms.csv``) for labels.
    """

    day: int | None = field(default=None, metadata={
        "unit": "day of the run", "source": "scenario", "range": (0, None),
        "doc": "day the reform starts (None: the baseline holds throughout)"})
    incentives: Incentives | None = field(default=None, metadata={
        "unit": "Incentives", "source": "scenario", "range": (None, None),
        "doc": "incentives after the reform day; starts as a copy of the baseline"})
    paths: tuple[LeverPath, ...] = field(default=(), metadata={
        "unit": "LeverPath", "source": "scenario or datasets/reforms.csv", "range": (None, None),
        "doc": "lever paths (steps or ramps) after the reform day"})
    package: str = field(default="", metadata={
        "unit": "name", "source": "datasets/reforms.csv", "range": (None, None),
        "doc": "name of the reform schedule ('' for a hand-made step)"})

    def __post_init__(self) -> None:
        if isinstance(self.day, np.integer):
            object.__setattr__(self, "day", int(self.day))
        if self.day is not None and (isinstance(self.day, bool) or not isinstance(self.day, int)
                                     or self.day < 0):
            raise ParamError(f"reform.day must be a non-negative integer or None, got {self.day!r}")
        if self.incentives is not None and not isinstance(self.incentives, Incentives):
            raise ParamError("reform.incentives must be an abm.Incentives")
        if not isinstance(self.paths, tuple) or not all(isinstance(x, LeverPath)
                                                         for x in self.paths):
            raise ParamError("reform.paths must be a tuple of abm.LeverPath")
        if self.paths and self.day is None:
            raise ParamError("reform.paths need reform.day (the day the schedule starts)")
        levers = [x.lever for x in self.paths]
        twice = sorted({x for x in levers if levers.count(x) > 1})
        if twice:
            raise ParamError(f"reform schedule gives lever(s) {twice} twice; give each lever one "
                             f"path (a LeverPath steps or ramps it once)")


GROUP_TYPES: dict[str, type] = {
    "setting": Setting, "population": Population, "demand": Demand, "choice": Choice,
    "trust": Trust, "facilities": Facilities, "physicians": Physicians, "referral": Referral,
    "outcome": Outcome, "hospital": Hospital, "capacity": Capacity, "trends": Trends,
    "incentives": Incentives, "reform": Reform,
}
_GROUP_NAMES = {cls.__name__: name for name, cls in GROUP_TYPES.items()}


@dataclass(frozen=True)
class Params:
    """All parameters of a run, grouped; frozen (use :meth:`replace`).

    Examples
    --------
    >>> p = Params()
    >>> p.incentives.reserved_referral_share
    0.0
    >>> p.replace(**{"incentives.reserved_referral_share": 0.3}).incentives.reserved_referral_share
    0.3
    """

    setting: Setting = field(default_factory=Setting)
    population: Population = field(default_factory=Population)
    demand: Demand = field(default_factory=Demand)
    choice: Choice = field(default_factory=Choice)
    trust: Trust = field(default_factory=Trust)
    facilities: Facilities = field(default_factory=Facilities)
    physicians: Physicians = field(default_factory=Physicians)
    referral: Referral = field(default_factory=Referral)
    outcome: Outcome = field(default_factory=Outcome)
    hospital: Hospital = field(default_factory=Hospital)
    capacity: Capacity = field(default_factory=Capacity)
    trends: Trends = field(default_factory=Trends)
    incentives: Incentives = field(default_factory=Incentives)
    reform: Reform = field(default_factory=Reform)

    def __post_init__(self) -> None:
        for f in fields(self):
            if not isinstance(getattr(self, f.name), GROUP_TYPES[f.name]):
                raise ParamError(f"Params({f.name}=...) must be an abm.inputs.params."
                                 f"{GROUP_TYPES[f.name].__name__}, got "
                                 f"{type(getattr(self, f.name)).__name__}; change parameters "
                                 f"with params.replace(**{{'{f.name}.<field>': value}})")
        s = self.setting
        patients = s.residents / s.scale
        if round(patients) < MIN_SIMULATED_PATIENTS:
            raise ParamError(
                f"setting.scale={s.scale:g} leaves {patients:.3g} simulated patients for "
                f"setting.residents={s.residents}; at least {MIN_SIMULATED_PATIENTS} are needed "
                f"(shares of a handful of patients are noise): use setting.scale <= "
                f"{s.residents / MIN_SIMULATED_PATIENTS:g}")

    def replace(self, **changes: Any) -> Params:
        """Return a copy with dotted-name changes, e.g. ``{"incentives.revenue_share": 0.4}``.

        ``reform.incentives.<lever>`` sets a reform lever; the reform incentives start as a copy
        of the baseline incentives (after the baseline changes in the same call), and a later
        change of a baseline lever carries into the reform set unless the reform changed that
        lever. Numpy scalars are accepted as numbers. ``reform.day`` sets the day of a step; it
        does not move a schedule set by :meth:`with_reform` (lever paths or a package):
        a different day is refused (the same day is accepted).

        Raises
        ------
        ParamError
            For an unknown name (the message lists the valid names) or a value out of range.

        Examples
        --------
        >>> Params().replace(**{"trust.learning_rate": 0.2}).trust.learning_rate
        0.2
        """
        groups: dict[str, dict[str, Any]] = {}
        reform_levers: dict[str, Any] = {}
        for key, value in changes.items():
            parts = key.split(".")
            if parts[0] not in GROUP_TYPES:
                raise ParamError(f"unknown parameter group {parts[0]!r} in {key!r}; valid groups: "
                                 f"{', '.join(GROUP_TYPES)}")
            if parts[:2] == ["reform", "incentives"] and len(parts) == 3:
                field_of(Incentives, parts[2], key)
                reform_levers[parts[2]] = value
                continue
            if len(parts) != 2:
                raise ParamError(f"parameter names are 'group.field' (or "
                                 f"'reform.incentives.<lever>'), got {key!r}")
            field_of(GROUP_TYPES[parts[0]], parts[1], key)
            groups.setdefault(parts[0], {})[parts[1]] = _coerce(value)
        old = self.reform
        moved = groups.get("reform", {}).get("day", old.day)
        if "day" in groups.get("reform", {}) and (old.paths or old.package) and (
                _coerce(moved) != old.day):
            what = f"package {old.package!r}" if old.package else "lever paths " + ", ".join(
                x.lever for x in old.paths)
            raise ParamError(f"reform.day={moved!r}: the reform's schedule ({what}) was set by "
                             f"with_reform for day {old.day}; replace does not move it (its "
                             f"paths count years from that day): use params.without_reform()"
                             f".with_reform(..., day={moved!r})")
        new = self
        for gname, kv in groups.items():
            group = dataclasses.replace(getattr(new, gname), **kv)
            new = dataclasses.replace(new, **{gname: group})
        if "incentives" in groups and new.reform.incentives is not None:
            new = dataclasses.replace(new, reform=dataclasses.replace(new.reform, incentives=(
                _follow_baseline(self.incentives, new.incentives, new.reform.incentives))))
        if reform_levers:
            base = new.reform.incentives or new.incentives
            inc = dataclasses.replace(base, **{k: _coerce(v) for k, v in reform_levers.items()})
            new = dataclasses.replace(new, reform=dataclasses.replace(new.reform, incentives=inc))
        return new

    def with_reform(self, schedule: str | Iterable[LeverPath] | dict[str, Any], *,
                    day: int, allow_unchanged: bool = False) -> Params:
        """Return a copy carrying a reform schedule from ``day`` on.

        ``schedule`` is the name of a package in ``datasets/reforms.csv`` (see
        :func:`abm.reform_packages`), an iterable of :class:`LeverPath`, or a dict
        ``{lever: value}`` (steps at ``day``). A package's rows for other parameter groups (for
        example ``trends.*``) are set as plain parameters.

        A second call on the same ``day`` adds its levers to the first schedule (merged); a
        lever given twice, a package given twice (or two packages setting one plain
        parameter), an empty schedule, or a second call with another day (which would move the
        first reform, be it lever paths, a step or a package of plain parameters) raise
        :class:`ParamError`.

        A schedule that changes nothing (every lever's path ends at the lever's baseline value,
        and no plain parameter is set) is refused, naming the levers: its runs would equal the
        baseline's. ``allow_unchanged=True`` accepts it (a sweep point at the status quo value;
        :func:`abm.sweep` then warns with :class:`ReformWarning` and runs it as the baseline,
        while :func:`abm.simulate` refuses it). Once set, the schedule's day is fixed:
        ``replace(**{"reform.day": n})`` refuses to move it (see :meth:`replace`).

        Examples
        --------
        >>> p = Params().with_reform({"revenue_share": 0.5}, day=10)
        >>> p.incentives_at(9).revenue_share, p.incentives_at(10).revenue_share
        (0.0, 0.5)
        """
        name, changes = "", {}
        if isinstance(schedule, str):
            name = schedule
            paths, changes = package_changes(schedule)
        elif isinstance(schedule, dict):
            paths = tuple(LeverPath(k, v) for k, v in schedule.items())
        elif isinstance(schedule, Iterable):
            paths = tuple(schedule)
            bad = [x for x in paths if not isinstance(x, LeverPath)]
            if bad:
                raise ParamError(f"schedule must be a package name, a dict {{lever: value}} or "
                                 f"abm.LeverPath objects; got {bad[0]!r}")
        else:
            raise ParamError(f"schedule must be a package name, a dict {{lever: value}} or an "
                             f"iterable of abm.LeverPath; got {type(schedule).__name__}")
        if not paths and not changes:  # a package may set plain parameters only (trends)
            raise ParamError(f"schedule {schedule!r} is empty: a reform that changes no lever "
                             f"would run as the baseline")
        day = Reform(day=day).day  # checks the day (numpy integers accepted)
        if day is None:
            raise ParamError("with_reform needs day=, the day the schedule starts (an integer "
                             ">= 0)")
        old = self.reform
        # a package of plain parameters only (trends) is a reform too: it has no paths or step
        if old.day is not None and (old.paths or old.incentives is not None or old.package):
            if old.day != day:
                raise ParamError(f"with_reform(day={day}) would move the reform already set "
                                 f"from day {old.day}; one reform has one day: pass "
                                 f"day={old.day} to add levers to it, or start from "
                                 f"params.without_reform()")
            before = old.package.split("+") if old.package else []
            if name and name in before:
                raise ParamError(f"with_reform({name!r}): package {name!r} is already in the "
                                 f"reform ({old.package}); give each package once")
            earlier = set().union(*(package_changes(x)[1] for x in package_parts(old.package)))
            again = sorted(set(changes) & earlier)
            if again:  # a plain parameter set by an earlier package would be overwritten
                raise ParamError(f"with_reform({name!r}) sets {', '.join(again)}, already set by "
                                 f"the reform's package(s) {old.package}; give each parameter "
                                 f"once")
            paths = old.paths + tuple(paths)  # merged; a lever given twice is refused
            name = "+".join(x for x in (old.package, name) if x)
        if not isinstance(allow_unchanged, (bool, np.bool_)):
            raise ParamError(f"allow_unchanged must be True or False, got {allow_unchanged!r}")
        new = self.replace(**changes, **{"reform.day": day}) if changes else self.replace(
            **{"reform.day": day})
        reform = dataclasses.replace(new.reform, paths=tuple(paths), package=name)
        new = dataclasses.replace(new, reform=reform)
        unchanged = new.unchanged_reform()
        if unchanged and not allow_unchanged:
            raise ParamError(f"with_reform(day={day}): every lever of the schedule ends at its "
                             f"baseline value ({unchanged}): the reform changes nothing and its "
                             f"runs would equal the baseline's; give other values, or "
                             f"allow_unchanged=True for a status-quo point of a sweep")
        return new

    def unchanged_reform(self) -> str:
        """Levers of a reform that changes nothing, as ``"lever=value, ..."``; else ``""``.

        A reform changes nothing when its step (``reform.incentives``) equals the baseline
        incentives and every lever path ends at its lever's baseline value (a ramp from the
        baseline to the baseline), and no package of it sets plain parameters. Runs of such a
        reform equal the baseline's. ``""`` when there is no reform day.

        Examples
        --------
        >>> p = Params().with_reform({"revenue_share": 0.0}, day=5, allow_unchanged=True)
        >>> p.unchanged_reform()
        'revenue_share=0.0'
        >>> Params().with_reform({"revenue_share": 0.5}, day=5).unchanged_reform()
        ''
        """
        r = self.reform
        if r.day is None:
            return ""
        step = r.incentives or self.incentives
        if step != self.incentives or any(x.value != getattr(step, x.lever) for x in r.paths):
            return ""
        if any(package_changes(x)[1] for x in package_parts(r.package)):
            return ""  # the package sets plain parameters (trends): it changes the runs
        if r.incentives is None and not r.paths:
            return "no lever"
        named = [f"{x.lever}={x.value!r}" for x in r.paths]
        if r.incentives is not None:
            named.insert(0, "reform.incentives equal to the baseline incentives")
        return ", ".join(named)

    def incentives_at(self, day: int) -> Incentives:
        """Incentives in force on ``day``: the baseline, the reform step, then the lever paths."""
        r = self.reform
        if r.day is None or day < r.day:
            return self.incentives
        inc = r.incentives or self.incentives
        if not r.paths:
            return inc
        return dataclasses.replace(inc, **{
            path.lever: path.value_at(day - r.day, baseline=getattr(inc, path.lever))
            for path in r.paths})

    def flat(self) -> dict[str, Any]:
        """Return all parameters as ``{"group.field": value}`` (reform levers included)."""
        out: dict[str, Any] = {}
        for gname in GROUP_TYPES:
            group = getattr(self, gname)
            for f in fields(group):
                v = getattr(group, f.name)
                if isinstance(v, Incentives):
                    out.update({f"reform.incentives.{k.name}": getattr(v, k.name)
                                for k in fields(v)})
                elif f.name == "paths":
                    out["reform.paths"] = tuple(dataclasses.astuple(x) for x in v)
                else:
                    out[f"{gname}.{f.name}"] = v
        return out

    def differences(self, other: Params) -> dict[str, Any]:
        """Parameters whose value in ``self`` differs from ``other``."""
        a, b = self.flat(), other.flat()
        return {k: v for k, v in a.items() if b.get(k) != v}

    def without_reform(self) -> Params:
        """Return the same parameters without a reform (the baseline they share with reforms)."""
        return dataclasses.replace(self, reform=Reform())

    def shared_days(self, other: Params) -> int | None:
        """Days from day 0 on which runs of ``self`` and ``other`` on one seed are identical.

        The model reads the reform only through :meth:`incentives_at`, which gives the baseline
        incentives before ``reform.day``; so two parameter sets equal apart from their reforms
        give the same run before the earlier of their reform days (common random numbers).
        Returns 0 when anything else differs, None when the runs are identical throughout
        (same reform, or neither has a reform day). :func:`abm.simulate_many` uses it to
        simulate the shared first days once.

        Examples
        --------
        >>> base = Params()
        >>> reform = base.with_reform({"revenue_share": 0.5}, day=100)
        >>> base.shared_days(reform), reform.shared_days(reform) is None
        (100, True)
        >>> base.shared_days(reform.replace(**{"trust.learning_rate": 0.2}))
        0
        """
        if self.without_reform() != other.without_reform():
            return 0
        if self.reform == other.reform:
            return None
        days = [r.day for r in (self.reform, other.reform) if r.day is not None]
        return min(days) if days else None


def _follow_baseline(old: Incentives, new: Incentives, reform: Incentives) -> Incentives:
    """Return the reform incentives after the baseline changed from ``old`` to ``new``.

    Levers the reform left at the old baseline value follow the new baseline (a later
    ``replace`` of a baseline lever must not make the reform switch it back on the reform day);
    levers the reform changed keep their value.
    """
    return dataclasses.replace(reform, **{
        f.name: getattr(new, f.name) for f in fields(Incentives)
        if getattr(reform, f.name) == getattr(old, f.name)})


def _coerce(value: Any) -> Any:
    """Plain Python values: lists and arrays become tuples, numpy scalars Python numbers.

    ``np.float32(0.4)`` becomes 0.4 (the shortest decimal that reads back as that float32),
    an ``np.int64`` from a pandas column an int.
    """
    if isinstance(value, (list, np.ndarray)):
        return tuple(_coerce(v) for v in value)
    if isinstance(value, np.floating):
        return float(str(value))
    if isinstance(value, np.generic):
        return value.item()
    return value


def package_changes(name: str) -> tuple[tuple[LeverPath, ...], dict[str, Any]]:
    """Lever paths and other parameter changes of a named reform package."""
    from abm.inputs import data

    table = data.load_reforms()
    names = sorted(table["package"].unique())
    if name not in names:
        raise ParamError(f"unknown reform package {name!r}; valid packages: {', '.join(names)}")
    rows = table[table["package"] == name]
    paths, changes = [], {}
    for row in rows.itertuples():
        group, _, field_name = row.parameter.partition(".")
        if group == "incentives":
            paths.append(LeverPath(field_name, float(row.value), float(row.start_year),
                                   float(row.ramp_years)))
        else:
            changes[row.parameter] = float(row.value)
    return tuple(paths), changes


def package_parts(package: str) -> list[str]:
    """Return the named packages (of ``datasets/reforms.csv``) in a reform's ``package`` label.

    >>> package_parts("compact_consortium+gatekeeping_pilot")
    ['compact_consortium', 'gatekeeping_pilot']
    >>> package_parts("")
    []
    """
    known = set(reform_packages()["package"]) if package else set()
    return [x for x in package.split("+") if x in known]


def reform_packages() -> pd.DataFrame:
    """Named real-world reform packages (``datasets/reforms.csv``): one row per lever path.

    Columns ``package, parameter, value, start_year, ramp_years, source, note``; use a package
    with ``params.with_reform(name, day=...)``.

    Examples
    --------
    >>> "compact_consortium" in set(reform_packages()["package"])
    True
    """
    from abm.inputs import data

    return data.load_reforms().copy()


def field_of(cls: type, name: str, key: str) -> dataclasses.Field:
    """Return the field ``name`` of parameter group ``cls`` (ParamError naming ``key`` if none)."""
    valid = {f.name: f for f in fields(cls)}
    if name not in valid:
        raise ParamError(f"unknown parameter {key!r}; valid names in "
                         f"{_GROUP_NAMES.get(cls.__name__, cls.__name__)}: {', '.join(valid)}")
    return valid[name]


def describe() -> pd.DataFrame:
    """Every parameter with its default, unit, valid range and source, as a DataFrame.

    Examples
    --------
    >>> t = describe()
    >>> t.loc["incentives.revenue_share", "unit"]
    'fraction'
    """
    rows = []
    for gname, cls in GROUP_TYPES.items():
        for f in fields(cls):
            default = f.default if f.default is not dataclasses.MISSING else None
            lo, hi = f.metadata.get("range", (None, None))
            rows.append({"name": f"{gname}.{f.name}", "default": default,
                         "unit": f.metadata.get("unit", ""), "range": f"[{lo}, {hi}]",
                         "source": f.metadata.get("source", ""), "doc": f.metadata.get("doc", "")})
    return pd.DataFrame(rows).set_index("name")


@cache
def _presets_table() -> pd.DataFrame:
    from abm.inputs import data

    return data.load_presets()


#: Default population scale per preset in the agent representation (documented in docs/odd.md).
DEFAULT_SCALE = {"small": 1.0, "x_county": 10.0, "yongan": 10.0, "baiyun": 10.0}


def preset(name: str, *, calibrated: bool = True) -> Params:
    """Parameters of a named county preset.

    ``"small"`` (3,000 residents, a handful of facilities per tier) is defined in code for tests
    and notebooks; ``"x_county"``, ``"yongan"`` and ``"baiyun"`` take residents, villages and the
    family-doctor contract rate from ``datasets/presets.csv`` and their facilities from
    ``datasets/facilities_<name>.csv``. Their fitted parameters take the mode of the shipped
    x_county posterior (``abm.fitting.calibration.posterior_mode``, docs/calibration.md; yongan and
    baiyun borrow x_county's); ``calibrated=False`` gives the deterministic baseline calibration
    of docs/odd.md §9 instead (the defaults of :class:`Params`).

    Examples
    --------
    >>> preset("x_county").setting.residents
    450000
    """
    if not isinstance(name, str) or name not in PRESETS:
        raise ParamError(f"preset must be one of {', '.join(PRESETS)}; got {name!r}")
    if not isinstance(calibrated, bool):
        raise ParamError(f"calibrated must be True or False, got {calibrated!r}")
    if name == "small":
        return Params()
    row = _presets_table().loc[name]
    params = Params().replace(**{
        "setting.preset": name,
        "setting.residents": int(row["residents"]),
        "setting.villages": int(row["villages"]),
        "setting.scale": DEFAULT_SCALE[name],
        "incentives.family_doctor_coverage": float(row["family_doctor_contract_rate"]),
    })
    if not calibrated:
        return params
    from abm.inputs import data  # issue 12: defaults from the posterior's mode, read as data

    return params.replace(**data.load_posterior_mode())
