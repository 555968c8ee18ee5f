"""Facility rosters and the geography of a county (who can reach which facility).

A roster row stands for ``units`` identical facilities; :func:`expand_roster` turns it into one
row per facility. :func:`geography` assigns villages to village clinics, townships and county
hospitals and gives each village its choice set of six alternatives (:data:`ALTERNATIVES`).

Examples
--------
>>> from abm.inputs.roster import load_roster
>>> sorted(load_roster("small")["tier"].unique())
['county', 'county_general', 'provincial', 'township', 'village']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abm.inputs.params import Params
from abm.inputs.tiers import OUTSIDE, TIERS

#: Alternatives of a patient at onset, in this column order.
ALTERNATIVES: tuple[str, ...] = ("village", "township", "county", "county_general",
                                 "provincial", "outside")

_SMALL_ROWS = [
    # facility_id, name, tier, units, physicians, beds, capacity, member, in_county
    ("sm_outside", "Tertiary hospital outside the county", "provincial", 1, 20, 200, 1000, False,
     False),
    ("sm_general", "County general hospital", "county_general", 1, 10, 60, 14, True, True),
    ("sm_county", "County hospital", "county", 1, 6, 30, 9, True, True),
    ("sm_township", "Township health centre", "township", 2, 4, 10, 14, True, True),
    ("sm_village", "Village clinic", "village", 8, 1, 0, 8, True, True),
]


def small_roster() -> pd.DataFrame:
    """Return the in-code roster of the ``small`` preset (about 3,000 residents; assumption).

    Slots are set so that county hospitals are sometimes full on busy days (so reserved referral
    capacity matters) while primary facilities rarely are.
    """
    cols = ["facility_id", "name", "tier", "units", "physicians", "beds",
            "daily_outpatient_capacity", "consortium_member", "in_county"]
    df = pd.DataFrame(_SMALL_ROWS, columns=cols)
    df["origin"] = "assumption"
    df["source"] = "abm.roster (small preset for tests and notebooks)"
    df["note"] = "illustrative"
    return df


def load_roster(preset: str) -> pd.DataFrame:
    """Return the facility roster of a preset (``datasets/facilities_<preset>.csv`` or ``small``).

    The ``in_county`` column says which hospitals lie outside the county (X County's provincial
    hospital lies inside it, seed 002, 1.3; the large hospitals residents leave for do not).
    """
    if preset == "small":
        return small_roster()
    from abm.inputs import data

    return data.load_facilities(preset)


def with_outside_hospital(df: pd.DataFrame) -> pd.DataFrame:
    """Add an out-of-county tertiary hospital when a roster has none (every shipped roster has one).

    Residents also seek care in large hospitals outside the county (seed 002, 1.1: patient
    outflow to nearby large hospitals); the size mirrors the external rows of the other rosters
    (assumption).
    """
    if (~df["in_county"]).any():
        return df
    row = {"facility_id": "outside", "name": "Tertiary hospitals outside the county (added)",
           "tier": "provincial", "units": 1, "physicians": 120, "beds": 400,
           "daily_outpatient_capacity": 1500, "consortium_member": False, "in_county": False,
           "origin": "assumption", "source": "seed 002, 1.1", "note": "added by abm.inputs.roster"}
    return pd.concat([df, pd.DataFrame([row])], ignore_index=True)


def expand_roster(df: pd.DataFrame) -> pd.DataFrame:
    """One row per facility (``units`` copies of each roster row), ordered as the roster."""
    rep = df.loc[df.index.repeat(df["units"])].reset_index(drop=True)
    unit = rep.groupby("facility_id").cumcount()
    rep["facility_id"] = np.where(rep["units"] > 1,
                                  rep["facility_id"] + "_" + (unit + 1).astype(str),
                                  rep["facility_id"])
    rep["tier_code"] = rep["tier"].map({t: i for i, t in enumerate(TIERS)}).astype(int)
    rep["group_code"] = np.where(rep["in_county"], rep["tier_code"], OUTSIDE)
    return rep.drop(columns=["units"])


@dataclass(frozen=True)
class Geography:
    """Villages and their choice sets.

    ``alternatives`` (villages, 6): facility index per alternative (-1 when the county has none);
    ``travel`` (villages, 6): hours; ``remoteness`` (villages,): travel multiplier.
    """

    alternatives: np.ndarray
    travel: np.ndarray
    remoteness: np.ndarray


def _pick(pool: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Assign each key (0..k-1, contiguous blocks) to a member of the pool; -1 if empty."""
    if pool.size == 0:
        return np.full(keys.shape, -1)
    return pool[(keys * pool.size) // max(int(keys.max()) + 1, 1)]


def geography(facilities: pd.DataFrame, params: Params, rng: np.random.Generator) -> Geography:
    """Assign villages to facilities and draw their remoteness.

    Village ``v`` has its own clinic when there are enough clinics; villages are split into
    contiguous blocks per township centre, townships into blocks per county hospital; every
    village reaches the (first) county general hospital, the in-county provincial hospital if
    any, and the out-of-county hospital if any.
    """
    n_v = params.setting.villages
    tier = facilities["tier"].to_numpy()
    inside = facilities["in_county"].to_numpy(bool)
    idx = np.arange(len(facilities))
    v = np.arange(n_v)

    def pool(name: str, in_county: bool = True) -> np.ndarray:
        return idx[(tier == name) & (inside == in_county)]

    clinics = pool("village")
    village_col = clinics[v % clinics.size] if clinics.size else np.full(n_v, -1)
    town_col = _pick(pool("township"), v)
    towns = pool("township")
    town_key = (v * max(towns.size, 1)) // n_v
    county_col = _pick(pool("county"), town_key)
    general = pool("county_general")
    general_col = _pick(general, v)
    prov = pool("provincial")
    prov_col = np.full(n_v, prov[0] if prov.size else -1)
    outside = idx[~inside]
    out_col = np.full(n_v, outside[0] if outside.size else -1)
    alts = np.column_stack([village_col, town_col, county_col, general_col, prov_col, out_col])

    c = params.choice
    remote = np.exp(rng.normal(0.0, c.remoteness_sd, n_v))
    base = np.array([c.travel_hours[4], c.travel_hours[3], c.travel_hours[2], c.travel_hours[1],
                     c.travel_hours[0], c.travel_hours_outside])
    travel = base[None, :] * np.where(np.arange(6) == 0, 1.0, remote[:, None])
    return Geography(alternatives=alts.astype(np.int64), travel=travel, remoteness=remote)
