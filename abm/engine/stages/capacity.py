"""Stages: walk-in and referred arrivals meet the day's outpatient slots.

Member hospitals of county level and above keep the reserved share of their slots for referred
patients (seed 000, 5.2); a walk-in turned away goes to their second choice, a referred patient
turned away to the highest facility they can reach.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.engine import rules
from abm.engine.episodes import Draws, Episodes, Knobs, State


@njit(cache=True)
def walkin_limit(capacity: np.ndarray, member: np.ndarray, hospital: np.ndarray,
                 reserved_share: float) -> np.ndarray:
    """Slots open to walk-in patients: member hospitals keep the reserved share for referrals.

    >>> walkin_limit(np.array([10.0, 10.0]), np.array([True, True]), np.array([True, False]),
    ...              0.2)
    array([ 8., 10.])
    """
    return capacity * np.where(member & hospital, 1.0 - reserved_share, 1.0)


@njit(cache=True, inline="always")
def serve_walkins(e: Episodes, s: State, k: Knobs, t: Draws) -> None:
    """Walk-ins take the open slots in random order; the rest go to their second choice.

    Writes ``e.turned_away`` and ``e.first`` (compiled; the stages' signature, ``STAGES``).
    """
    fac = s.fac
    served = rules.allocate_slots(e.chosen, t.order_walkin, walkin_limit(
        fac.capacity, fac.member, fac.hospital, k.reserved_referral_share))
    for i in range(served.size):
        e.turned_away[i] = not served[i]
        e.first[i] = e.chosen[i] if served[i] else e.fallback[i]


@njit(cache=True, inline="always")
def serve_referred(e: Episodes, s: State, k: Knobs, t: Draws) -> None:
    """Let referred patients take the slots left: ``e.final`` and ``e.ref_turned_away``.

    A referred patient turned away goes to the highest facility they can reach (compiled).
    """
    first, dest, capacity, rank = e.first, e.dest, s.fac.capacity, s.fac.rank
    n = first.size
    used = np.zeros(capacity.size, dtype=np.int64)
    for i in range(n):
        used[first[i]] += 1
    free = np.maximum(capacity - used, 0.0)
    referred = np.flatnonzero(e.up)
    served = rules.allocate_slots(dest[referred], t.order_referred[referred], free)
    e.final[:] = first
    e.ref_turned_away[:] = False
    for r in range(referred.size):
        i = referred[r]
        if served[r]:
            e.final[i] = dest[i]
        else:
            e.ref_turned_away[i] = True
            e.final[i] = highest_alternative(e.alts[i], rank)


@njit(cache=True)
def highest_alternative(alts: np.ndarray, rank: np.ndarray) -> int:
    """Return the highest-ranked facility among one episode's alternatives (-1: none) (compiled).

    ``rank`` is the rank of each facility (:data:`abm.inputs.tiers.RANK` of its group); ties go to
    the first alternative.

    >>> int(highest_alternative(np.array([4, -1, 2]), np.array([0, 0, 1, 0, 3])))
    4
    """
    best, best_key = 0, -1
    for j in range(alts.size):
        key = rank[alts[j]] if alts[j] >= 0 else -1
        if key > best_key:
            best, best_key = j, key
    return alts[best]
