"""Stage: admission of inpatient cases where there are beds.

Episodes at or above ``demand.admit_threshold`` are admitted at their final facility when it has
beds: township and community centres admit within their capability (a case beyond it was referred
up by the diagnosis stage), county-level and provincial hospitals admit the rest. Beds bind: a
patient finding no free bed goes to the highest facility they can reach, which admits them
(overflow). Village clinics have no beds; a case left there is treated as an outpatient.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm import rules
from abm.episodes import Day, Draws, Episodes
from abm.stages.capacity import highest_alternative
from abm.tiers import is_hospital


def bed_elsewhere(e: Episodes, day: Day, mask: np.ndarray, beds_left: np.ndarray) -> np.ndarray:
    """Return where a patient turned away for lack of a bed is admitted.

    The reachable hospital with the most beds left after today's first allocation, else the
    highest-ranked reachable facility (which admits beyond its beds: overflow). The beds left are
    not reduced during this second pass (a small approximation on a busy day).
    """
    alts = e.alts[mask]
    a0 = np.maximum(alts, 0)
    left = np.where((alts >= 0) & is_hospital(day.fac.group[a0]), beds_left[a0], 0.0)
    best = np.argmax(left, axis=1)
    rows = np.arange(alts.shape[0])
    return np.where(left[rows, best] >= 1.0, alts[rows, best], highest_alternative(e, day, mask))


def admit(e: Episodes, d: Draws, day: Day) -> None:
    """Admit inpatient cases, allocate beds, and mark the stabilised hospital patients."""
    fac, dm = day.fac, day.p.demand
    wants = (e.severity >= dm.admit_threshold) & (fac.beds[e.final] > 0)
    served = np.ones(e.n, dtype=bool)
    served[wants] = rules.allocate_slots(e.final[wants], d.order_bed[wants], fac.beds_free)
    e.bed_transfer = wants & ~served
    e.bed_full_at = np.where(e.bed_transfer, e.final, -1)
    if e.bed_transfer.any():
        moved = e.bed_transfer
        left = fac.beds_free - np.bincount(e.final[wants & served], minlength=fac.beds.size)
        e.final[moved] = bed_elsewhere(e, day, moved, left)
        e.phys_final[moved] = rules.pick_member(fac.phys_start[e.final[moved]],
                                                fac.phys_count[e.final[moved]],
                                                d.physician_final[moved])
    e.admitted = wants
    cls = np.minimum(e.severity.astype(np.int64), 3)
    e.eligible = (wants & fac.in_county[e.final] & is_hospital(fac.group[e.final])
                  & (d.stabilised < np.asarray(dm.stabilised_share)[cls]))


@njit(cache=True)
def book_beds(bookings: np.ndarray, today: int, facility: np.ndarray, days: np.ndarray) -> None:
    """Book each admission's bed-days from tomorrow on, in place (compiled).

    ``bookings`` is (horizon, facilities), a ring of days indexed by day modulo the horizon;
    today's row is cleared first (its beds are free again).

    >>> b = np.zeros((4, 2))
    >>> book_beds(b, 1, np.array([1]), np.array([2]))
    >>> b[:, 1].tolist()
    [0.0, 0.0, 1.0, 1.0]
    """
    horizon = bookings.shape[0]
    bookings[today] = 0.0
    for i in range(facility.size):
        for d in range(days[i]):
            bookings[(today + 1 + d) % horizon, facility[i]] += 1.0
