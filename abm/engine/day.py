"""The day after the onsets as one compiled call: stages, tallies and bed bookings.

:func:`run_day` takes the day's ill patients (their columns, and their trust as last written)
and their random numbers (:func:`abm.engine.episodes.draw_randoms`, drawn by the model), runs the
stages (:func:`abm.engine.stages.process_episodes`) and counts the day into the model's ledgers, in
place: per facility (:data:`FACILITY_COUNTERS`), the hospitals' policy ledger, the physicians'
ledgers, per group of patients (:mod:`abm.engine.equity`), the county, and the bed bookings. Patient
state is read and written by the model (either representation), outside this call.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from abm.engine import equity, rules
from abm.engine.episodes import (
    Batch,
    DayResult,
    Draws,
    Episodes,
    FacilityView,
    Knobs,
    PhysicianState,
    State,
)
from abm.engine.stages import process_episodes
from abm.engine.stages.admission import book_beds, book_beds_more
from abm.engine.stages.billing import continued_stay_days, insurance_saved
from abm.inputs.tiers import OUTSIDE

#: Counters tallied per facility and day (summed to tiers in the daily frame).
FACILITY_COUNTERS: tuple[str, ...] = (
    "visits", "first_visits", "walkin_attempts", "turned_away", "referred_arrivals",
    "referred_turned_away", "up_sent", "up_received", "admissions", "stabilised",
    "down_offered", "down_accepted", "handovers_failed", "down_sent", "down_received",
    "episodes_first", "episodes_final", "successes", "revenue", "oop", "insurance",
    "bed_transfers")
N_FACILITY_COUNTERS = len(FACILITY_COUNTERS)
#: The row of each facility counter in a ledger, by name (``ROW.visits == 0``; generated from
#: :data:`FACILITY_COUNTERS`; compiled code reads the rows as constants).
ROW = NamedTuple("FacilityCounterRow", [(name, int) for name in FACILITY_COUNTERS])(
    *range(N_FACILITY_COUNTERS))
#: What a hospital's monthly referral policy reads from its own ledger (stabilised patients).
POLICY_COUNTERS: tuple[str, ...] = ("stable", "keep_revenue", "credit", "insurance_saved",
                                    "down")


@njit(cache=True, inline="always")
def facility_counts(nf: int, e: Episodes) -> np.ndarray:
    """Count the day's :data:`FACILITY_COUNTERS` per facility: (counters, facilities) (compiled).

    The charges (kinds of charge x episodes) are summed per facility in episode order and the
    kinds then added in order, as ``sum(np.bincount(...) for kind)`` does, so the sums are the
    same to the bit. Revenue is moved from the receiver to the referring hospital by the credit
    (unified accounting).
    """
    c = np.zeros((N_FACILITY_COUNTERS, nf))
    fac, price, oop, visits = e.charge_facility, e.charge_price, e.charge_oop, e.charge_visits
    kinds = fac.shape[0]
    by_kind = np.zeros((3, kinds, nf))  # price, oop, visits per kind of charge
    for k in range(kinds):
        for i in range(fac.shape[1]):
            f = fac[k, i]
            by_kind[0, k, f] += price[k, i]
            by_kind[1, k, f] += oop[k, i]
            by_kind[2, k, f] += visits[k, i]
    revenue, paid, visited = by_kind[0, 0].copy(), by_kind[1, 0].copy(), by_kind[2, 0].copy()
    for k in range(1, kinds):
        revenue += by_kind[0, k]
        paid += by_kind[1, k]
        visited += by_kind[2, k]
    credit_from = np.zeros(nf)
    credit_to = np.zeros(nf)
    for i in range(e.first.size):
        c[ROW.first_visits, e.first[i]] += 1.0
        c[ROW.walkin_attempts, e.chosen[i]] += 1.0
        c[ROW.turned_away, e.chosen[i]] += e.turned_away[i]
        if e.up[i]:
            c[ROW.referred_arrivals, e.dest[i]] += 1.0
            c[ROW.up_sent, e.first[i]] += 1.0
        if e.ref_turned_away[i]:
            c[ROW.referred_turned_away, e.dest[i]] += 1.0
        fi = e.final[i]
        c[ROW.admissions, fi] += e.admitted[i]
        c[ROW.stabilised, fi] += e.eligible[i]
        c[ROW.down_offered, fi] += e.proposed[i]
        c[ROW.down_accepted, fi] += e.accepted[i]
        c[ROW.handovers_failed, fi] += e.failed[i]
        c[ROW.down_sent, fi] += e.down[i]
        c[ROW.down_received, e.receiver[i]] += e.down[i]
        c[ROW.episodes_final, fi] += 1.0
        c[ROW.successes, fi] += e.success[i]
        if e.bed_transfer[i]:
            c[ROW.bed_transfers, e.bed_full_at[i]] += 1.0
        credit_from[e.receiver[i]] += e.credit[i]
        credit_to[fi] += e.credit[i]
    c[ROW.visits] = visited
    c[ROW.up_received] = c[ROW.referred_arrivals]
    c[ROW.episodes_first] = c[ROW.first_visits]
    c[ROW.revenue] = revenue - credit_from + credit_to
    c[ROW.oop] = paid
    c[ROW.insurance] = revenue - paid
    return c


@njit(cache=True)
def _block_sum(a: np.ndarray, lo: int, n: int) -> float:
    """Sum a block of at most 128 numbers (eight accumulators from 8 numbers on)."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r = a[lo:lo + 8].copy()
    i = 8
    while i < n - n % 8:
        for j in range(8):
            r[j] += a[lo + i + j]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for j in range(i, n):
        res += a[lo + j]
    return res


@njit(cache=True)
def pairwise_sum(a: np.ndarray) -> float:
    """Sum of a float array by numpy's pairwise summation, so equal to ``np.sum`` to the bit.

    numpy halves a sum of more than 128 numbers (at a multiple of 8) and adds the halves' sums;
    the halving is walked here with an explicit stack (numba's cache cannot hold recursive
    functions safely).

    >>> x = np.random.default_rng(1).random(1000)
    >>> bool(pairwise_sum(x) == np.sum(x))
    True
    """
    a = np.ascontiguousarray(a)
    lo, n = np.zeros(128, np.int64), np.zeros(128, np.int64)
    split = np.zeros(128, np.bool_)
    sums = np.zeros(128)
    top, m = 0, 0
    n[0] = a.size
    while top >= 0:
        if n[top] <= 128:
            sums[m] = _block_sum(a, lo[top], n[top])
            m += 1
            top -= 1
        elif not split[top]:  # push the right half, then the left (summed first)
            split[top] = True
            half = n[top] // 2
            half -= half % 8
            lo[top + 1], n[top + 1], split[top + 1] = lo[top] + half, n[top] - half, False
            lo[top + 2], n[top + 2], split[top + 2] = lo[top], half, False
            top += 2
        else:  # both halves summed: left + right
            sums[m - 2] = sums[m - 2] + sums[m - 1]
            m -= 1
            top -= 1
    return sums[0]


@njit(cache=True, inline="always")
def county_counts(res: DayResult, fac: FacilityView, patients: int) -> np.ndarray:
    """Count the day's county-wide counters (``COUNTY_COUNTERS`` of abm.engine.model) (compiled)."""
    e = res.episodes
    primary_in = fac.primary & fac.in_county
    capability = fac.capability[primary_in]
    return np.array([
        res.forgone.size, res.forgone.sum(), (~fac.hospital[e.first]).sum(),
        fac.in_county[e.final].sum(), pairwise_sum(e.oop), pairwise_sum(e.oop[e.down]),
        e.down.sum(), pairwise_sum(res.trust_primary_onset), patients,
        pairwise_sum(capability) / capability.size if capability.size else np.nan])


@njit(cache=True)
def add_counts(out: np.ndarray, where: np.ndarray, mask: np.ndarray, weights: np.ndarray) -> None:
    """Add ``weights`` per ``where`` over the episodes in ``mask`` to ``out``, in place (compiled).

    The day's sums are formed first, in episode order, then added to ``out`` (as
    ``out += np.bincount(where[mask], weights[mask])`` does, to the bit).
    """
    day = np.zeros(out.size)
    for i in range(where.size):
        if mask[i]:
            day[where[i]] += weights[i]
    out += day


class County(NamedTuple):
    """The model's arrays a day reads besides the facilities, updated in place where noted."""

    skill: np.ndarray                # per physician (model order)
    revenue_sensitivity: np.ndarray
    awareness_draw: np.ndarray
    phys_order: np.ndarray           # physicians in CSR order by facility
    phys_ledger: np.ndarray          # (seen, referrals up, referrals down, income) x physicians
    alternatives: np.ndarray         # villages' choice sets (abm.inputs.roster.Geography)
    travel: np.ndarray
    village_start: np.ndarray        # villages' blocks of patients
    village_count: np.ndarray
    bookings: np.ndarray             # beds booked ahead (days ahead x facilities), in place
    ledger: np.ndarray               # FACILITY_COUNTERS x facilities, cumulative, in place
    policy: np.ndarray               # POLICY_COUNTERS x facilities, this month, in place
    quintile: np.ndarray             # remoteness quintile per village (abm.engine.equity)
    cell_patients: np.ndarray        # simulated patients per cell (abm.engine.equity)
    patients: int                    # simulated patients


class Ill(NamedTuple):
    """The day's ill patients as read from their packed rows (one entry per onset)."""

    village: np.ndarray
    chronic: np.ndarray
    employee: np.ndarray
    contract: np.ndarray             # contract draw: a family doctor where below the coverage
    trust: np.ndarray                # (patients x tiers) trust as last written
    last: np.ndarray                 # the day it was written (decayed to today by the day)


@njit(cache=True, inline="always")
def run_day(d: tuple, ill: tuple, day: int, fac: tuple, k: tuple, c: tuple
            ) -> tuple[DayResult, np.ndarray, np.ndarray, np.ndarray]:
    """Run the day's episodes and count them; return the result, facility, group, county counts.

    ``d``, ``ill``, ``fac``, ``k`` and ``c`` are the fields of
    :class:`abm.engine.episodes.Draws`, :class:`Ill`, :class:`abm.engine.episodes.FacilityView`,
    :class:`abm.engine.episodes.Knobs` and :class:`County` as plain tuples (a compiled call types
    a plain tuple several times faster than a named one). The county's ledgers and bookings, and
    the facilities' occupancy and free beds, are updated in place. It and :func:`_day` are
    inlined where they are called (numba's ``inline="always"``), as is every compiled function
    that takes the day's tuples (README, Speed): the model's usual path, :func:`run_day_lean`,
    compiles the day as one function.
    """
    return _day(Draws(*d), Ill(*ill), day, FacilityView(*fac), Knobs(*k), County(*c))


@njit(cache=True)
def run_day_lean(d: tuple, ill: tuple, day: int, fac: tuple, k: tuple, c: tuple) -> tuple:
    """Run :func:`run_day` and return only what the model needs (compiled).

    The ill patients' trust, the tellings (listener, tier, outcome) and the facility, group and
    county counts.
    """
    res, counts, groups, county = run_day(d, ill, day, fac, k, c)
    told = res.episodes.wom_told[0]
    e = res.episodes
    return (res.trust, e.wom_contacts[:told], e.wom_tier[:told], e.wom_outcome[:told], counts,
            groups, county)


@njit(cache=True, inline="always")
def _day(d: Draws, ill: Ill, day: int, fac: FacilityView, k: Knobs, c: County
         ) -> tuple[DayResult, np.ndarray, np.ndarray, np.ndarray]:
    bookings, ledger, policy, phys_ledger = c.bookings, c.ledger, c.policy, c.phys_ledger
    phys_order = c.phys_order
    nf = fac.tier.size
    # beds free today; hospitals outside the county stand for a city's: never out of beds
    row = day % bookings.shape[0]
    for f in range(nf):
        free = k.bed_occupancy_max * fac.beds[f] - bookings[row, f]
        fac.beds_free[f] = max(free, 0.0) if fac.in_county[f] else np.inf
    b = Batch(ill.village, ill.chronic, ill.employee, ill.contract < k.family_doctor_coverage,
              rules.decay_trust(ill.trust, k.prior, day - ill.last, k.decay_per_year))
    ph = PhysicianState(c.skill[phys_order], c.revenue_sensitivity[phys_order],
                        c.awareness_draw[phys_order])
    res = process_episodes(b, d, State(fac, ph, c.village_start, c.village_count),
                           c.alternatives, c.travel, k)
    e = res.episodes
    counts = facility_counts(nf, e)
    ledger += counts
    # the hospitals' policy ledger: their stabilised patients
    care, stable = e.care, e.eligible
    add_counts(policy[0], e.final, stable, np.ones(stable.size))
    add_counts(policy[1], e.final, stable, care.keep_revenue)
    add_counts(policy[2], e.final, stable, care.credit)
    add_counts(policy[3], e.final, stable, insurance_saved(care))
    add_counts(policy[4], e.final, e.down, np.ones(stable.size))
    outpatient = np.zeros(nf)
    add_counts(outpatient, e.final, e.up, np.ones(e.up.size))
    fac.occupancy[:] = (counts[ROW.first_visits] + outpatient) / np.maximum(fac.capacity, 1e-9)
    # physicians: the first physician of each episode, the second of the referred ones
    p1, p2 = phys_order[e.phys_first], phys_order[e.phys_final]
    every, ones = np.ones(p1.size, dtype=np.bool_), np.ones(p1.size)
    seen = np.zeros(phys_ledger.shape[1])
    add_counts(seen, p1, every, ones)
    add_counts(seen, p2, e.up, ones)
    phys_ledger[0] += seen
    add_counts(phys_ledger[1], p1, e.up, ones)
    add_counts(phys_ledger[2], p2, e.down, ones)
    income = np.zeros(phys_ledger.shape[1])
    add_counts(income, p1, every, fac.fee[e.first])
    income_up = np.zeros(phys_ledger.shape[1])
    add_counts(income_up, p2, e.up, fac.fee[e.final])
    phys_ledger[3] += income + income_up
    groups = equity.day_counts(c.quintile, c.cell_patients, b.village, b.employee, res,
                               fac.hospital, fac.hospital & (fac.group != OUTSIDE), fac.in_county)
    admitted = np.flatnonzero(e.admitted)
    book_beds(bookings, row, e.final[admitted], e.bed_days[admitted])
    # the rest of a moved stay occupies a bed at the receiving township centre
    moved = np.flatnonzero(e.down & (fac.beds[e.receiver] > 0))
    moved_days = np.empty(moved.size, dtype=np.int64)
    for r in range(moved.size):
        moved_days[r] = continued_stay_days(fac.length_of_stay[e.final[moved[r]]],
                                            k.continued_stay_share)
    book_beds_more(bookings, row, e.receiver[moved], moved_days)
    return res, counts, groups, county_counts(res, fac, c.patients)
