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


@njit(cache=True)
def admit(final: np.ndarray, phys_final: np.ndarray, severity: np.ndarray, alts: np.ndarray,
           order: np.ndarray, stabilised: np.ndarray, threshold: float,
           stabilised_share: np.ndarray, beds: np.ndarray, beds_free: np.ndarray,
           hospital: np.ndarray, in_county: np.ndarray, rank: np.ndarray,
           phys_start: np.ndarray, phys_count: np.ndarray, u_physician: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Admissions, bed transfers (``final`` and ``phys_final`` moved in place), eligibility."""
    n = final.size
    wants = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        wants[i] = severity[i] >= threshold and beds[final[i]] > 0
    asking = np.flatnonzero(wants)
    served = rules.allocate_slots(final[asking], order[asking], beds_free)
    transfer = np.zeros(n, dtype=np.bool_)
    full_at = np.full(n, -1, dtype=np.int64)
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
            f = bed_elsewhere(alts[i], hospital, left, rank)
            final[i] = f
            phys_final[i] = rules.pick_member(phys_start[f], phys_count[f], u_physician[i])
    eligible = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        f = final[i]
        cls = min(np.int64(severity[i]), 3)
        eligible[i] = (wants[i] and in_county[f] and hospital[f]
                       and stabilised[i] < stabilised_share[cls])
    return wants, transfer, full_at, eligible


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
