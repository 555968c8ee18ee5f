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

from abm.engine import rules
from abm.engine.episodes import Draws, Episodes, Knobs, State
from abm.engine.stages.capacity import highest_alternative


@njit(cache=True)
def bed_elsewhere(alts: np.ndarray, hospital: np.ndarray, beds_left: np.ndarray,
                  rank: np.ndarray) -> int:
    """Return where a patient turned away for lack of a bed is admitted (compiled; one episode).

    The reachable hospital with the most beds left after today's first allocation, else the
    highest-ranked reachable facility (which admits beyond its beds: overflow). The beds left are
    not reduced during this second pass (a small approximation on a busy day). ``alts`` are the
    episode's alternatives, ``hospital``, ``beds_left`` and ``rank`` are per facility.

    >>> int(bed_elsewhere(np.array([0, 1]), np.array([True, True]), np.array([0.5, 3.0]),
    ...                   np.array([1, 0])))
    1
    """
    best, most = 0, -np.inf
    for j in range(alts.size):
        a = alts[j]
        left = beds_left[a] if a >= 0 and hospital[a] else 0.0
        if left > most:  # ties: the first alternative
            best, most = j, left
    if most >= 1.0:
        return alts[best]
    return highest_alternative(alts, rank)


@njit(cache=True, inline="always")
def admit(e: Episodes, s: State, k: Knobs, t: Draws) -> None:
    """Admissions where there are beds, bed transfers and eligibility for a downward referral.

    Writes ``e.admitted``, ``e.bed_transfer``, ``e.bed_full_at`` and ``e.eligible``; a patient
    transferred for want of a bed moves ``e.final`` and ``e.phys_final`` (compiled; the stages'
    signature).
    """
    fac = s.fac
    final, severity, beds_free = e.final, e.severity, fac.beds_free
    n = final.size
    wants = e.admitted
    for i in range(n):
        wants[i] = severity[i] >= k.admit_threshold and fac.beds[final[i]] > 0
    asking = np.flatnonzero(wants)
    served = rules.allocate_slots(final[asking], t.order_bed[asking], beds_free)
    transfer, full_at = e.bed_transfer, e.bed_full_at
    transfer[:] = False
    full_at[:] = -1
    taken = np.zeros(beds_free.size, dtype=np.int64)
    for r in range(asking.size):
        i = asking[r]
        if served[r]:
            taken[final[i]] += 1
        else:
            transfer[i] = True
            full_at[i] = final[i]
    left = beds_free - taken
    for r in range(asking.size):
        i = asking[r]
        if not served[r]:
            f = bed_elsewhere(e.alts[i], fac.hospital, left, fac.rank)
            final[i] = f
            e.phys_final[i] = rules.pick_member(fac.phys_start[f], fac.phys_count[f],
                                                t.physician_final[i])
    for i in range(n):
        f = final[i]
        cls = min(np.int64(severity[i]), 3)
        e.eligible[i] = (wants[i] and fac.in_county[f] and fac.hospital[f]
                         and t.stabilised[i] < k.stabilised_share[cls])


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
    bookings[today] = 0.0
    book_beds_more(bookings, today, facility, days)


@njit(cache=True)
def book_beds_more(bookings: np.ndarray, today: int, facility: np.ndarray, days: np.ndarray
                   ) -> None:
    """Add bed-days from tomorrow on to the bookings, in place (as :func:`book_beds`, compiled).

    >>> b = np.zeros((4, 2))
    >>> book_beds_more(b, 1, np.array([0]), np.array([1]))
    >>> b[:, 0].tolist()
    [0.0, 0.0, 1.0, 0.0]
    """
    horizon = bookings.shape[0]
    for i in range(facility.size):
        for d in range(days[i]):
            bookings[(today + 1 + d) % horizon, facility[i]] += 1.0
