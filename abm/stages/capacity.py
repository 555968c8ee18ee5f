"""Stages: walk-in and referred arrivals meet the day's outpatient slots.

Member hospitals of county level and above keep the reserved share of their slots for referred
patients (seed 000, 5.2); a walk-in turned away goes to their second choice, a referred patient
turned away to the highest facility they can reach.
"""

from __future__ import annotations

import numpy as np

from abm import rules
from abm.episodes import Day, Draws, Episodes
from abm.tiers import RANK, is_hospital


def walkin_limit(day: Day) -> np.ndarray:
    """Slots open to walk-in patients: member hospitals keep the reserved share for referrals."""
    fac = day.fac
    upper_member = fac.member & is_hospital(fac.group)
    return fac.capacity * np.where(upper_member, 1.0 - day.inc.reserved_referral_share, 1.0)


def serve_walkins(e: Episodes, d: Draws, day: Day) -> None:
    """Walk-ins take the open slots in random order; the rest go to their second choice."""
    served = rules.allocate_slots(e.chosen, d.order_walkin, walkin_limit(day))
    e.turned_away = ~served
    e.first = np.where(served, e.chosen, e.fallback)


def serve_referred(e: Episodes, d: Draws, day: Day) -> None:
    """Serve referred arrivals with the slots walk-ins left, the reserved ones included."""
    fac = day.fac
    used = np.bincount(e.first, minlength=fac.tier.size).astype(float)
    free = np.maximum(fac.capacity - used, 0.0)
    up = e.up
    served = np.ones(e.n, dtype=bool)
    served[up] = rules.allocate_slots(e.dest[up], d.order_referred[up], free)
    e.ref_turned_away = up & ~served
    e.final = np.where(up, e.dest, e.first)
    turned = e.ref_turned_away
    if turned.any():
        e.final[turned] = highest_alternative(e, day, turned)


def highest_alternative(e: Episodes, day: Day, mask: np.ndarray) -> np.ndarray:
    """Return the highest-ranked facility each masked episode can reach."""
    alts = e.alts[mask]
    key = np.where(alts >= 0, RANK[day.fac.group[np.maximum(alts, 0)]], -1)
    return alts[np.arange(alts.shape[0]), np.argmax(key, axis=1)]
