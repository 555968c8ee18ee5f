"""Counters by group of patients, for outcomes by remoteness and by insurance scheme (equity).

A patient belongs to one *cell*: the remoteness quintile of their village (1 = the fifth of
villages nearest to care, 5 = the most remote fifth, ranked by the village's travel multiplier
:attr:`abm.inputs.roster.Geography.remoteness`) crossed with their insurance scheme (``employee``:
urban employee insurance; ``resident``: the residents' scheme; the patient's ``employee`` flag).
The model counts each day's episodes per cell (:data:`GROUP_COUNTERS`, the same quantities as the
county-wide counters, so that summing the cells gives the county's totals); :func:`group_frame`
lays the days out as a tidy frame and :func:`abm.engine.metrics.summarize_groups` turns any window
of it into the ratios of :data:`abm.engine.metrics.GROUP_METRICS` per remoteness quintile or scheme.

Examples
--------
>>> import numpy as np
>>> remoteness_quintiles(np.array([1.3, 0.7, 1.0, 2.0, 0.9])).tolist()
[3, 0, 2, 4, 1]
>>> cell_of(np.array([3, 0, 0]), np.array([0, 1]), np.array([False, True])).tolist()
[6, 1]
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import pandas as pd
from numba import njit

from abm.engine.episodes import DayResult

Grouping = Literal["remoteness_quintile", "insurance_scheme"]
#: The groupings of :meth:`abm.Results.by_group`.
GROUPINGS: tuple[str, ...] = get_args(Grouping)
QUINTILES = 5
#: Insurance schemes, indexed by the patient's ``employee`` flag.
SCHEMES: tuple[str, ...] = ("resident", "employee")
N_SCHEMES = len(SCHEMES)
N_CELLS = QUINTILES * N_SCHEMES

#: Counters per cell and day. The first three count every illness episode (with or without
#: formal care), ``patients`` is the cell's simulated patients (summed over days: person-days);
#: the rest count episodes with formal care.
GROUP_COUNTERS: tuple[str, ...] = (
    "episodes", "forgone", "trust_primary_sum", "patients",
    "visits", "primary_visits", "admissions", "upper_admissions", "down_sent", "oop",
    "insurance", "successes", "arrivals", "turned_away", "first_contact_primary",
    "county_internal", "county_admissions")
N_GROUP_COUNTERS = len(GROUP_COUNTERS)


def remoteness_quintiles(remoteness: np.ndarray) -> np.ndarray:
    """Quintile (0-4) of each village by its remoteness: equal fifths of villages by rank."""
    n = remoteness.size
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(remoteness, kind="stable")] = np.arange(n)
    return (rank * QUINTILES) // max(n, 1)


@njit(cache=True)
def cell_of(quintile: np.ndarray, village: np.ndarray, employee: np.ndarray) -> np.ndarray:
    """Cell code of patients: ``quintile of their village * 2 + employee`` (compiled)."""
    return quintile[village] * N_SCHEMES + employee.astype(np.int64)


def patients_per_cell(quintile: np.ndarray, village: np.ndarray,
                      employee: np.ndarray) -> np.ndarray:
    """Count the simulated patients in each cell."""
    return np.bincount(cell_of(quintile, village, employee), minlength=N_CELLS).astype(float)


@njit(cache=True, inline="always")
def day_counts(quintile: np.ndarray, patients: np.ndarray, village: np.ndarray,
               employee: np.ndarray, res: DayResult, hospital: np.ndarray, upper_in: np.ndarray,
               in_county: np.ndarray) -> np.ndarray:
    """One day's :data:`GROUP_COUNTERS` per cell: an array (counters, cells) (compiled).

    ``village`` and ``employee`` are the day's ill patients' (before the choice at onset),
    ``res`` the day's result; ``hospital``, ``upper_in`` (in-county hospitals) and ``in_county``
    are per facility. Nothing is drawn or changed.
    """
    out = np.zeros((N_GROUP_COUNTERS, N_CELLS))
    every = cell_of(quintile, village, employee)
    for i in range(every.size):
        c = every[i]
        out[0, c] += 1.0
        out[1, c] += res.forgone[i]
        out[2, c] += res.trust_primary_onset[i]
    out[3] = patients
    e = res.episodes
    treated_counts(out, cell_of(quintile, e.village, e.employee), e.charge_facility,
                   e.charge_visits, ~hospital, upper_in, in_county, e.first, e.final,
                   e.admitted, e.down, e.oop, e.cost, e.success, e.up, e.turned_away,
                   e.ref_turned_away)
    return out


@njit(cache=True)
def treated_counts(out: np.ndarray, cell: np.ndarray, fac: np.ndarray, visits: np.ndarray,
                   primary: np.ndarray, upper_in: np.ndarray, in_county: np.ndarray,
                   first: np.ndarray, final: np.ndarray, admitted: np.ndarray, down: np.ndarray,
                   oop: np.ndarray, cost: np.ndarray, success: np.ndarray, up: np.ndarray,
                   turned_away: np.ndarray, ref_turned_away: np.ndarray) -> None:
    """Add the episodes with formal care to rows 4- of ``out`` (compiled; see GROUP_COUNTERS).

    ``fac`` and ``visits`` are (kinds of charge, episodes): facility and outpatient visits.
    """
    for i in range(cell.size):
        c = cell[i]
        for k in range(fac.shape[0]):
            out[4, c] += visits[k, i]
            if primary[fac[k, i]]:
                out[5, c] += visits[k, i]
        upper = upper_in[final[i]]
        out[6, c] += admitted[i]
        out[7, c] += admitted[i] and upper
        out[8, c] += down[i] and upper
        out[9, c] += oop[i]
        out[10, c] += cost[i] - oop[i]
        out[11, c] += success[i]
        out[12, c] += 1.0 + up[i]
        out[13, c] += turned_away[i] + ref_turned_away[i]
        out[14, c] += primary[first[i]]
        out[15, c] += in_county[final[i]]
        out[16, c] += admitted[i] and in_county[final[i]]


def group_frame(records: list[np.ndarray]) -> pd.DataFrame:
    """Tidy frame of daily per-cell counters: ``day, remoteness_quintile, insurance_scheme``.

    ``remoteness_quintile`` is 1 (nearest fifth of villages) to 5 (most remote),
    ``insurance_scheme`` ``"resident"`` or ``"employee"``; then :data:`GROUP_COUNTERS`.
    """
    days = len(records)
    values = (np.stack(records).transpose(0, 2, 1).reshape(days * N_CELLS, -1) if days
              else np.zeros((0, len(GROUP_COUNTERS))))
    frame = pd.DataFrame(values, columns=list(GROUP_COUNTERS))
    cells = np.tile(np.arange(N_CELLS), days)
    frame.insert(0, "insurance_scheme", pd.Categorical(
        np.asarray(SCHEMES)[cells % len(SCHEMES)], categories=list(SCHEMES)))
    frame.insert(0, "remoteness_quintile", cells // len(SCHEMES) + 1)
    frame.insert(0, "day", np.repeat(np.arange(days), N_CELLS))
    return frame
