"""Patient state of the array representation, packed one row per patient, and its kernels.

A day touches a few thousand patients scattered over hundreds of thousands; reading each one's
village, flags, trust and last update from separate columns costs a cache miss per column. Here a
patient is one row of :data:`WIDTH` float64 (64 bytes, one cache line): trust in the five tiers,
the day trust was last updated, the family-doctor contract draw, and a code holding the village
and the two flags (``village * 4 + chronic * 2 + employee``, exact in float64). The compiled
kernels read and write whole rows.

Examples
--------
>>> import numpy as np
>>> rows = pack(np.array([3, 0]), np.array([True, False]), np.array([False, True]),
...             np.array([0.25, 0.5]), np.array([0.9, 0.8, 0.7, 0.6, 0.5]))
>>> village, chronic, employee, contract = read_columns(rows, np.array([0]))
>>> int(village[0]), bool(chronic[0]), bool(employee[0]), float(contract[0])
(3, True, False, 0.25)
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.engine import rules
from abm.engine.stages.outcome import wom_deltas

#: Trust per tier occupies columns 0-4.
N_TRUST = 5
#: Column of the day trust was last updated, of the contract draw, and of the village/flags code.
LAST, CONTRACT, CODE = 5, 6, 7
#: Row width in float64 (64 bytes).
WIDTH = 8


def pack(village: np.ndarray, chronic: np.ndarray, employee: np.ndarray, contract: np.ndarray,
         prior: np.ndarray) -> np.ndarray:
    """Return the packed rows of patients (trust at the prior, last update day 0)."""
    rows = np.empty((village.size, WIDTH))
    rows[:, :N_TRUST] = prior
    rows[:, LAST] = 0.0
    rows[:, CONTRACT] = contract
    rows[:, CODE] = village.astype(np.int64) * 4 + chronic * 2 + employee * 1
    return rows


@njit(cache=True)
def read_batch(rows: np.ndarray, idx: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Village, chronic, employee, contract draw, trust and last update of ``idx`` (compiled).

    One pass over the rows: each patient's row is read once (one cache line).
    """
    m = idx.size
    village = np.empty(m, dtype=np.int64)
    chronic = np.empty(m, dtype=np.bool_)
    employee = np.empty(m, dtype=np.bool_)
    contract = np.empty(m)
    trust = np.empty((m, N_TRUST))
    last = np.empty(m, dtype=np.int64)
    for i in range(m):
        r = idx[i]
        code = np.int64(rows[r, CODE])
        village[i] = code >> 2
        chronic[i] = (code >> 1) & 1
        employee[i] = code & 1
        contract[i] = rows[r, CONTRACT]
        for j in range(N_TRUST):
            trust[i, j] = rows[r, j]
        last[i] = np.int64(rows[r, LAST])
    return village, chronic, employee, contract, trust, last


@njit(cache=True)
def read_columns(rows: np.ndarray, idx: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Village, chronic, employee and contract draw of the patients ``idx`` (compiled)."""
    village, chronic, employee, contract, _, _ = read_batch(rows, idx)
    return village, chronic, employee, contract


@njit(cache=True)
def read_trust(rows: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Trust (as last written) and day of the last update of the patients ``idx`` (compiled)."""
    _, _, _, _, trust, last = read_batch(rows, idx)
    return trust, last


@njit(cache=True)
def write_trust(rows: np.ndarray, idx: np.ndarray, trust: np.ndarray, day: int) -> None:
    """Write the trust of the patients ``idx`` as of ``day`` (compiled)."""
    for i in range(idx.size):
        r = idx[i]
        for j in range(N_TRUST):
            rows[r, j] = trust[i, j]
        rows[r, LAST] = day



@njit(cache=True)
def listeners(contacts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct listeners (sorted) and each telling's row among them (compiled).

    The same as ``np.unique(contacts, return_inverse=True)``.

    >>> who, rows = listeners(np.array([7, 3, 7]))
    >>> who.tolist(), rows.tolist()
    ([3, 7], [1, 0, 1])
    """
    order = np.argsort(contacts, kind="mergesort")
    rows = np.empty(contacts.size, dtype=np.int64)
    who = np.empty(contacts.size, dtype=contacts.dtype)
    m = -1
    for j in range(order.size):
        i = order[j]
        if m < 0 or contacts[i] != who[m]:
            m += 1
            who[m] = contacts[i]
        rows[i] = m
    return who[:m + 1], rows


@njit(cache=True)
def hear(rows: np.ndarray, contacts: np.ndarray, tier: np.ndarray, outcome: np.ndarray,
         day: int, prior: np.ndarray, decay_per_year: float, rate: float) -> None:
    """Word of mouth into the packed rows, in place (compiled).

    The listeners' trust is decayed to ``day`` (:func:`abm.engine.rules.decay_trust`), moved by the
    tellings (:func:`abm.engine.stages.outcome.wom_deltas`) and written back as of ``day``.
    """
    who, at = listeners(contacts)
    trust, last = read_trust(rows, who)
    trust = rules.decay_trust(trust, prior, day - last, decay_per_year)
    write_trust(rows, who, wom_deltas(trust, at, tier, outcome, rate), day)
