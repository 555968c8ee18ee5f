"""Tiers of the consortium and the reporting groups (one place for the codes and their order).

The five tiers of the X County trusteeship system (seed 002, 1.1), top to bottom, are numbered as
:class:`Tier`; their code is also the column of a patient's trust array. Hospitals outside the
county report as a sixth group, ``outside``.

Examples
--------
>>> from abm.inputs.tiers import Tier, is_primary
>>> Tier.TOWNSHIP.label
'township'
>>> bool(is_primary(Tier.VILLAGE))
True
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Tier(IntEnum):
    """Tier code of a facility (and trust slot of a patient), top (0) to bottom (4)."""

    PROVINCIAL = 0
    COUNTY_GENERAL = 1
    COUNTY = 2
    TOWNSHIP = 3
    VILLAGE = 4

    @property
    def label(self) -> str:
        """Lower-case name used in frames and rosters (``"county_general"``)."""
        return self.name.lower()


#: Tier names, top to bottom (the order of per-tier parameter tuples).
TIERS: tuple[str, ...] = tuple(t.label for t in Tier)
#: Tiers counted as primary care (township / community centres, village clinics / stations).
PRIMARY_TIERS: tuple[str, ...] = (Tier.TOWNSHIP.label, Tier.VILLAGE.label)
#: Reporting groups: the five tiers, plus hospitals outside the county.
GROUPS: tuple[str, ...] = (*TIERS, "outside")
#: Group code of hospitals outside the county.
OUTSIDE = len(TIERS)
#: Rank of each reporting group, bottom (village 0) to top (outside 5): referrals go up in rank.
RANK = np.array([4, 3, 2, 1, 0, 5])
#: Lowest rank of a hospital (county level and above); ranks below are primary care.
HOSPITAL_RANK = 2


def is_primary(tier: np.ndarray | int) -> np.ndarray:
    """Whether a tier code is primary care (township or village).

    >>> is_primary(np.array([0, 3, 4])).tolist()
    [False, True, True]
    """
    return np.asarray(tier) >= Tier.TOWNSHIP


def is_hospital(group: np.ndarray | int) -> np.ndarray:
    """Whether a reporting group is a hospital of county level or above (outside ones included).

    >>> is_hospital(np.array([0, 2, 3, 5])).tolist()
    [True, True, False, True]
    """
    return RANK[np.asarray(group)] >= HOSPITAL_RANK
