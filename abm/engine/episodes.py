"""The day's illness episodes: the containers the named stages of :mod:`abm.engine.stages` work on.

:class:`Batch` holds the ill patients' columns, :class:`Draws` their random numbers, :class:`Day`
the facility, physician and village state of the day, and :class:`Episodes` the per-episode
arrays that the stages fill in turn.

Random numbers are drawn by :func:`draw_randoms` from the named streams, a fixed number per
episode whatever the incentives, so a lever switched on at a reform day shifts no other draw
(common random numbers). Each draw is a named field of :class:`Draws`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import NamedTuple

import numpy as np
from numba import njit

from abm.engine import rules
from abm.inputs.params import GROUP_TYPES, Incentives, Params
from abm.inputs.roster import Geography

#: Named random-number streams, one per kind of decision (docs/odd.md, Stochasticity). The
#: streams are spawned from the root seed in this order.
STREAMS: tuple[str, ...] = ("population", "onset", "severity", "choice", "physician",
                            "diagnosis", "referral", "acceptance", "outcome", "word_of_mouth")
#: Facility alternatives of a patient at onset (:data:`abm.inputs.roster.ALTERNATIVES`).
N_ALT = 6


class Batch(NamedTuple):
    """Columns of the patients who fall ill today (one row per episode)."""

    village: np.ndarray
    chronic: np.ndarray
    employee: np.ndarray
    family_doctor: np.ndarray
    trust: np.ndarray  # (n, 5), already decayed to today


class Draws(NamedTuple):
    """The day's random numbers for a batch of ``n`` episodes (a fixed count per episode)."""

    severity_class: np.ndarray   # uniform: severity class
    severity_within: np.ndarray  # uniform: position inside the class
    gumbel: np.ndarray           # (n, N_ALT + 1): facility alternatives, then self-treatment
    order_walkin: np.ndarray     # uniform: order of walk-in arrival
    order_referred: np.ndarray   # uniform: order of referred arrival
    order_bed: np.ndarray        # uniform: order of the request for a bed
    physician_first: np.ndarray  # uniform: physician at the first facility
    physician_final: np.ndarray  # uniform: physician at the facility of referral
    diagnosis_first: np.ndarray  # standard normal
    diagnosis_final: np.ndarray  # standard normal
    refer_up: np.ndarray         # uniform: upward referral decision
    stabilised: np.ndarray       # uniform: an admitted patient becomes stable enough to move
    refer_down: np.ndarray       # uniform: downward referral decision
    handover: np.ndarray         # uniform: the handover succeeds
    acceptance: np.ndarray       # uniform: the patient accepts a downward referral
    outcome: np.ndarray          # uniform: the episode ends well
    rehab: np.ndarray            # uniform: rehabilitation after a downward referral ends well
    wom_tell: np.ndarray         # uniform: the outcome is told
    wom_pick: np.ndarray         # (n, contacts) uniforms: which neighbours hear it


def draw_randoms(gens: dict[str, np.random.Generator], n: int, contacts: int) -> Draws:
    """Draw the day's random numbers for ``n`` episodes from the named streams.

    Drawn in bulk by numpy, a few calls a day (numba can draw from the same generators, to the
    bit, but each call of a compiled function that takes a generator costs about 16 us).

    >>> from abm.engine.model import make_streams
    >>> d = draw_randoms(make_streams(np.random.SeedSequence(1)), 4, 2)
    >>> d.gumbel.shape, d.wom_pick.shape
    ((4, 7), (4, 2))
    """
    # standard Gumbel as -log of a standard exponential (one log instead of two), in place
    gumbel = gens["choice"].standard_exponential((n, N_ALT + 1))
    np.negative(np.log(gumbel, out=gumbel), out=gumbel)
    severity = gens["severity"].random((2, n))
    order = gens["choice"].random((3, n))
    physician = gens["physician"].random((2, n))
    diagnosis = gens["diagnosis"].standard_normal((2, n))
    referral = gens["referral"].random((4, n))
    outcome = gens["outcome"].random((2, n))
    wom = gens["word_of_mouth"].random((n, 1 + contacts))
    return Draws(severity[0], severity[1], gumbel, order[0], order[1], order[2], physician[0],
                 physician[1], diagnosis[0], diagnosis[1], referral[0], referral[1],
                 referral[2], referral[3], gens["acceptance"].random(n), outcome[0], outcome[1],
                 wom[:, 0], wom[:, 1:])


@njit(cache=True, inline="always")
def subset_draws(d: Draws, idx: np.ndarray) -> Draws:
    """Return the draws of the episodes ``idx`` (indices), in that order (compiled)."""
    return Draws(d.severity_class[idx], d.severity_within[idx], d.gumbel[idx],
                 d.order_walkin[idx], d.order_referred[idx], d.order_bed[idx],
                 d.physician_first[idx], d.physician_final[idx], d.diagnosis_first[idx],
                 d.diagnosis_final[idx], d.refer_up[idx], d.stabilised[idx], d.refer_down[idx],
                 d.handover[idx], d.acceptance[idx], d.outcome[idx], d.rehab[idx],
                 d.wom_tell[idx], d.wom_pick[idx])


@dataclass
class FacilityState:
    """Per-facility arrays the stages read (owned by the model, exposed by Facility agents).

    The first four and the last four never change during a run; the rest move with the levers,
    the trends and the monthly agent steps. :meth:`view` hands them to the compiled day.
    """

    tier: np.ndarray          # Tier code 0..4; trust slot
    group: np.ndarray         # 0..5 (GROUPS); outside hospitals are group 5
    member: np.ndarray        # consortium member
    in_county: np.ndarray
    capability: np.ndarray
    quality: np.ndarray
    capacity: np.ndarray      # outpatient slots per day (scaled)
    beds: np.ndarray          # beds (scaled)
    fee: np.ndarray
    inpatient_cost: np.ndarray
    reimbursement: np.ndarray
    inpatient_reimbursement: np.ndarray
    deductible: np.ndarray
    length_of_stay: np.ndarray
    occupancy: np.ndarray     # yesterday's outpatient visits / capacity
    beds_free: np.ndarray     # beds free today
    referral_push: np.ndarray  # hospital's internal downward-referral incentive (log-odds)
    phys_start: np.ndarray    # CSR of physicians by facility
    phys_count: np.ndarray
    hospital: np.ndarray      # is_hospital(group)
    primary: np.ndarray       # is_primary(tier)
    rank: np.ndarray          # RANK[group]: the higher, the higher the level of care
    asc: np.ndarray           # alternative-specific constant of the choice at onset

    def view(self) -> FacilityView:
        """Return the arrays as a :class:`FacilityView` (shared, not copied)."""
        return FacilityView(*(getattr(self, name) for name in FacilityView._fields))


#: The fields of :class:`FacilityState` as a named tuple, which compiled functions accept.
FacilityView = NamedTuple("FacilityView",
                          [(f.name, np.ndarray) for f in fields(FacilityState)])


class PhysicianState(NamedTuple):
    """Per-physician arrays in the CSR order of :class:`FacilityState` (by facility)."""

    skill: np.ndarray
    revenue_sensitivity: np.ndarray
    awareness_draw: np.ndarray   # aware and undeterred when above the unaware / complex share


@dataclass(frozen=True)
class Secular:
    """Multipliers of the secular trends in force this year (1 without trends); both are knobs."""

    cost: float = field(default=1.0, metadata={"knob": "cost_factor"})  # of beta_cost (income)
    travel: float = field(default=1.0, metadata={"knob": "travel_factor"})  # of travel times


#: Where each knob comes from: ``(knob, group, field, via)``, in the order of the parameter groups
#: (:data:`abm.inputs.params.GROUP_TYPES`, then :class:`Secular`). A field is a knob when its
#: declaration says so (``knob=`` of :func:`abm.inputs.params._p`, ``metadata["knob"]``); ``via``
#: names the function of :mod:`abm.engine.rules` that computes the knob from the value, if any.
KNOB_SOURCES: tuple[tuple[str, str, str, str], ...] = tuple(
    (f.name if f.metadata["knob"] is True else f.metadata["knob"], group, f.name,
     f.metadata.get("via", ""))
    for group, cls in (*GROUP_TYPES.items(), ("secular", Secular))
    for f in fields(cls) if f.metadata.get("knob"))


def _knob_type(group: str, name: str, via: str) -> type:
    """Return a knob's type in the compiled day: an array for a tuple or a computed knob."""
    cls = Secular if group == "secular" else GROUP_TYPES[group]
    default = {f.name: f.default for f in fields(cls)}[name]
    if via or isinstance(default, tuple):
        return np.ndarray
    return int if isinstance(default, int) else float


#: The parameters, levers in force and trend multipliers a day reads, as numbers: one field per
#: knob of :data:`KNOB_SOURCES` (generated; see :func:`knobs`).
Knobs = NamedTuple("Knobs", [(knob, _knob_type(group, name, via))
                             for knob, group, name, via in KNOB_SOURCES])
_CONVERT = {knob: (getattr(rules, via) if via else
                   {np.ndarray: lambda v: np.asarray(v, dtype=float), int: int, float: float}[t])
            for (knob, _, _, via), t in zip(KNOB_SOURCES, Knobs.__annotations__.values(),
                                            strict=True)}


def knobs(p: Params, inc: Incentives, secular: Secular) -> Knobs:
    """Collect what a day reads of the parameters, the levers in force and the trends.

    Each knob of :data:`KNOB_SOURCES` is its field's value (the incentives' from ``inc``, the
    levers in force), converted as :data:`Knobs` types it or computed by its ``via`` rule.

    >>> from abm import preset
    >>> from abm.inputs.params import Incentives
    >>> k = knobs(preset("small"), Incentives(), Secular())
    >>> k.information_platform, round(float(k.severity_cum[-1]), 12)
    (0.0, 1.0)
    """
    given = {"incentives": inc, "secular": secular}
    return Knobs(*(_CONVERT[knob](getattr(given[group] if group in given else getattr(p, group),
                                          name))
                   for knob, group, name, _ in KNOB_SOURCES))


@dataclass
class Day:
    """The day's state for the stages' Python helpers (prices, waiting); see :class:`Knobs`."""

    fac: FacilityState
    phys: PhysicianState
    geo: Geography
    village_start: np.ndarray
    village_count: np.ndarray
    inc: Incentives
    p: Params
    secular: Secular = field(default_factory=Secular)

    @property
    def knobs(self) -> Knobs:
        """The day's :class:`Knobs`."""
        return knobs(self.p, self.inc, self.secular)


class ContinuedCare(NamedTuple):
    """Prices of continued care per episode, kept at the hospital or moved down (yuan)."""

    keep_revenue: np.ndarray
    move_revenue: np.ndarray
    keep_oop: np.ndarray
    move_oop: np.ndarray
    keep_inpatient: np.ndarray
    move_inpatient: np.ndarray
    credit: np.ndarray          # revenue credited to the hospital if the patient moves
    physician_loss: np.ndarray  # revenue the hospital (and its physician) loses by a move


class Episodes(NamedTuple):
    """Per-episode arrays of the treated episodes, filled in place stage by stage (``STAGES``).

    Made by :func:`new_episodes` once the choice at onset is known; every stage of
    :data:`abm.engine.stages.STAGES` writes its own arrays. The tellings of word of mouth are the
    first ``wom_told[0]`` entries of ``wom_contacts``, ``wom_tier`` and ``wom_outcome``
    (:meth:`tellings`).
    """

    village: np.ndarray
    employee: np.ndarray
    family_doctor: np.ndarray
    severity: np.ndarray
    trust_onset: np.ndarray     # (n, 5), at onset (decayed to today)
    trust: np.ndarray           # (n, 5), after the outcome stage
    # choice
    alts: np.ndarray            # (n, N_ALT) facility per alternative, -1 if none
    chosen: np.ndarray
    fallback: np.ndarray
    # capacity and referral up
    turned_away: np.ndarray
    first: np.ndarray
    phys_first: np.ndarray
    correct: np.ndarray
    up: np.ndarray
    dest: np.ndarray
    ref_turned_away: np.ndarray
    final: np.ndarray
    phys_final: np.ndarray
    # admission
    admitted: np.ndarray
    bed_transfer: np.ndarray
    bed_full_at: np.ndarray     # facility that had no bed, -1 where none
    eligible: np.ndarray
    # downward referral
    receiver: np.ndarray
    proposed: np.ndarray
    accepted: np.ndarray
    down: np.ndarray
    failed: np.ndarray
    followup_fac: np.ndarray
    care: ContinuedCare         # of every treated episode (used where eligible)
    # billing: (kinds of charge, episodes); kinds: first visit, referred visit, acute stay,
    # continued care
    charge_facility: np.ndarray
    charge_price: np.ndarray
    charge_oop: np.ndarray
    charge_visits: np.ndarray
    credit: np.ndarray          # revenue credited from receiver to referring hospital
    oop: np.ndarray
    cost: np.ndarray
    bed_days: np.ndarray
    # outcome and word of mouth
    success: np.ndarray
    wom_contacts: np.ndarray
    wom_tier: np.ndarray
    wom_outcome: np.ndarray
    wom_told: np.ndarray        # (1,): how many tellings

    def tellings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return listener, tier and outcome (1 good, 0 bad) of each telling, in episode order."""
        m = self.wom_told[0]
        return self.wom_contacts[:m], self.wom_tier[:m], self.wom_outcome[:m]


class State(NamedTuple):
    """What the stages read of the county besides the episodes (the stages' second argument)."""

    fac: FacilityView
    phys: PhysicianState         # in the CSR order of ``fac``
    village_start: np.ndarray    # villages' blocks of patients
    village_count: np.ndarray


@njit(cache=True, inline="always")
def new_episodes(b: Batch, keep: np.ndarray, severity: np.ndarray, alts: np.ndarray,
                 chosen: np.ndarray, fallback: np.ndarray, contacts: int,
                 tier: np.ndarray) -> Episodes:
    """Return the treated episodes ``keep`` of the batch with their choice, room for the rest.

    ``severity`` is of the whole batch; ``contacts`` the neighbours told per telling and ``tier``
    the facilities' tiers (whose type the tellings' tiers take) (compiled).
    """
    m = keep.size
    trust = b.trust[keep]
    care = ContinuedCare(np.empty(m), np.empty(m), np.empty(m), np.empty(m), np.empty(m),
                         np.empty(m), np.empty(m), np.empty(m))
    return Episodes(
        b.village[keep], b.employee[keep], b.family_doctor[keep], severity[keep], trust.copy(),
        trust, alts, chosen, fallback,
        np.empty(m, np.bool_), np.empty(m, np.int64), np.empty(m, np.int64),
        np.empty(m, np.bool_), np.empty(m, np.bool_), np.empty(m, np.int64),
        np.empty(m, np.bool_), np.empty(m, np.int64), np.empty(m, np.int64),
        np.empty(m, np.bool_), np.empty(m, np.bool_), np.empty(m, np.int64),
        np.empty(m, np.bool_), np.empty(m, np.int64), np.empty(m, np.bool_),
        np.empty(m, np.bool_), np.empty(m, np.bool_), np.empty(m, np.bool_),
        np.empty(m, np.int64), care,
        np.empty((4, m), np.int64), np.empty((4, m)), np.empty((4, m)), np.empty((4, m)),
        np.empty(m), np.empty(m), np.empty(m), np.zeros(m, np.int64),
        np.empty(m, np.bool_), np.empty(m * contacts, np.int64),
        np.empty(m * contacts, tier.dtype), np.empty(m * contacts), np.zeros(1, np.int64))


class DayResult(NamedTuple):
    """What the model needs after a day: treated episodes, self-treated, trust of all."""

    episodes: Episodes
    forgone: np.ndarray  # mask over the day's batch: episodes ended without formal care
    trust: np.ndarray    # (batch, 5) trust after the day for every ill patient
    trust_primary_onset: np.ndarray


__all__ = ["STREAMS", "Batch", "ContinuedCare", "Day", "DayResult", "Draws", "Episodes",
           "FacilityState", "FacilityView", "KNOB_SOURCES", "Knobs", "PhysicianState", "Secular",
           "State", "draw_randoms", "knobs", "new_episodes", "subset_draws"]
