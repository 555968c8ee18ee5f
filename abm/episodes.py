"""The day's illness episodes: the containers the named stages of :mod:`abm.stages` work on.

:class:`Batch` holds the ill patients' columns, :class:`Draws` their random numbers, :class:`Day`
the facility, physician and village state of the day, and :class:`Episodes` the per-episode
arrays that the stages fill in turn.

Random numbers are drawn by :func:`draw_randoms` from the named streams, a fixed number per
episode whatever the incentives, so a lever switched on at a reform day shifts no other draw
(common random numbers). Each draw is a named field of :class:`Draws`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from abm.params import Incentives, Params
from abm.roster import Geography

#: Named random-number streams, one per kind of decision (docs/odd.md, Stochasticity). The
#: streams are spawned from the root seed in this order.
STREAMS: tuple[str, ...] = ("population", "onset", "severity", "choice", "physician",
                            "diagnosis", "referral", "acceptance", "outcome", "word_of_mouth")
#: Facility alternatives of a patient at onset (:data:`abm.roster.ALTERNATIVES`).
N_ALT = 6


@dataclass
class Batch:
    """Columns of the patients who fall ill today (one row per episode)."""

    village: np.ndarray
    chronic: np.ndarray
    employee: np.ndarray
    family_doctor: np.ndarray
    trust: np.ndarray  # (n, 5), already decayed to today


@dataclass
class Draws:
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

    def subset(self, idx: np.ndarray) -> Draws:
        """Return the draws of the episodes ``idx`` (indices, or a mask)."""
        return Draws(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})


def draw_randoms(gens: dict[str, np.random.Generator], n: int, contacts: int) -> Draws:
    """Draw the day's random numbers for ``n`` episodes from the named streams.

    >>> from abm.model import make_streams
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
    return Draws(
        severity_class=severity[0], severity_within=severity[1], gumbel=gumbel,
        order_walkin=order[0], order_referred=order[1], order_bed=order[2],
        physician_first=physician[0], physician_final=physician[1],
        diagnosis_first=diagnosis[0], diagnosis_final=diagnosis[1],
        refer_up=referral[0], stabilised=referral[1], refer_down=referral[2],
        handover=referral[3], acceptance=gens["acceptance"].random(n),
        outcome=outcome[0], rehab=outcome[1], wom_tell=wom[:, 0], wom_pick=wom[:, 1:])


@dataclass
class FacilityState:
    """Per-facility arrays the stages read (owned by the model, exposed by Facility agents)."""

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


@dataclass
class PhysicianState:
    """Per-physician arrays in the CSR order of :class:`FacilityState` (by facility)."""

    skill: np.ndarray
    revenue_sensitivity: np.ndarray
    awareness_draw: np.ndarray   # aware and undeterred when above the unaware / complex share


@dataclass(frozen=True)
class Secular:
    """Multipliers of the secular trends in force this year (1 without trends)."""

    cost: float = 1.0
    travel: float = 1.0


@dataclass
class Day:
    """Everything the stages read besides the episodes: facility, physician and village state."""

    fac: FacilityState
    phys: PhysicianState
    geo: Geography
    village_start: np.ndarray
    village_count: np.ndarray
    inc: Incentives
    p: Params
    secular: Secular = field(default_factory=Secular)


@dataclass
class Episodes:
    """Per-episode arrays, filled stage by stage (see :data:`STAGES`)."""

    batch: Batch
    severity: np.ndarray
    trust: np.ndarray                # (n, 5), updated by the outcome stage
    # choice
    alts: np.ndarray | None = None   # (n, N_ALT) facility per alternative, -1 if none
    chosen: np.ndarray | None = None
    fallback: np.ndarray | None = None
    # capacity and referral up
    turned_away: np.ndarray | None = None
    first: np.ndarray | None = None
    phys_first: np.ndarray | None = None
    correct: np.ndarray | None = None
    up: np.ndarray | None = None
    dest: np.ndarray | None = None
    ref_turned_away: np.ndarray | None = None
    final: np.ndarray | None = None
    phys_final: np.ndarray | None = None
    # admission
    admitted: np.ndarray | None = None
    bed_transfer: np.ndarray | None = None
    bed_full_at: np.ndarray | None = None  # facility that had no bed, -1 where none
    eligible: np.ndarray | None = None
    # downward referral
    receiver: np.ndarray | None = None
    proposed: np.ndarray | None = None
    accepted: np.ndarray | None = None
    down: np.ndarray | None = None
    failed: np.ndarray | None = None
    followup_fac: np.ndarray | None = None
    care: object | None = None       # billing.ContinuedCare of the stabilised patients
    # billing
    charges: tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], ...] = ()
    credit: np.ndarray | None = None  # revenue credited from receiver to referring hospital
    oop: np.ndarray | None = None
    cost: np.ndarray | None = None
    bed_days: np.ndarray | None = None
    # outcome and word of mouth
    success: np.ndarray | None = None
    wom_contacts: np.ndarray | None = None
    wom_tier: np.ndarray | None = None
    wom_outcome: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of episodes."""
        return self.severity.shape[0]


@dataclass
class DayResult:
    """What the model needs after a day: treated episodes, self-treated count, trust of all."""

    episodes: Episodes
    forgone: np.ndarray  # mask over the day's batch: episodes ended without formal care
    trust: np.ndarray    # (batch, 5) trust after the day for every ill patient
    trust_primary_onset: np.ndarray


__all__ = ["STREAMS", "Batch", "Day", "DayResult", "Draws", "Episodes",
           "FacilityState", "PhysicianState", "Secular", "draw_randoms"]
