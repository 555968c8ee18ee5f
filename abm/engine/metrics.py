"""Summary metrics of a run: each a ratio of sums of the daily counters (:data:`METRICS`).

:func:`summarize` turns any window of a daily frame (the model's ``daily_counts()`` or
``Results.daily``) into one value per metric. It sits below both the model and
:mod:`abm.runs.results`, so neither imports the other to summarise.
"""

from __future__ import annotations

import pandas as pd

from abm.inputs.checks import check_daily, check_window
from abm.inputs.tiers import PRIMARY_TIERS

PRIMARY = PRIMARY_TIERS
UPPER_IN_COUNTY = ("provincial", "county_general", "county")

#: Summary metrics: name -> definition (sums over the window of days).
METRICS: dict[str, str] = {
    "primary_outpatient_share": "outpatient visits at township and village facilities / all "
                                "outpatient visits of residents (inside and outside the county)",
    "upward_referral_rate": "upward referrals sent by township and village facilities / "
                            "outpatient visits at those facilities",
    "downward_referral_rate": "downward referrals completed from in-county county-level and "
                              "provincial hospitals / admissions at those hospitals",
    "first_contact_primary_rate": "episodes whose first visit is at a township or village "
                                  "facility / episodes with formal care",
    "county_internal_rate": "episodes whose final care is inside the county / episodes with "
                            "formal care",
    "inpatient_county_internal_rate": "admissions at facilities inside the county / all "
                                      "admissions of residents (the national goal that serious "
                                      "illness be treated in the county)",
    "visits_per_capita": "outpatient visits (first, referred and follow-up) per person-year",
    "primary_visits_per_capita": "outpatient visits at township and village facilities per "
                                 "person-year",
    "forgone_care_rate": "illness episodes ended without formal care (self-treatment) / "
                         "illness episodes",
    "oop_per_episode": "out-of-pocket payments (visits, admissions, follow-up) / episodes with "
                       "formal care, yuan",
    "insurance_spend_per_capita": "insurance payments per person-year, yuan",
    "turned_away_rate": "arrivals turned away for lack of slots (walk-in and referred) / all "
                        "arrivals",
    "success_rate": "episodes with formal care that end well / such episodes",
    "trust_primary": "mean trust in primary care (township and village) of patients at illness "
                     "onset",
    # further metrics used by the lever checks
    "referred_turned_away_rate": "referred arrivals turned away / referred arrivals",
    "downward_acceptance_rate": "downward referrals accepted by the patient / proposed",
    "referred_oop_per_episode": "out-of-pocket payments of episodes with a completed downward "
                                "referral / such episodes, yuan",
    "primary_capability": "mean capability (severity units) of in-county primary facilities",
    "admissions_per_capita": "admissions per person-year",
    "upper_outpatient_visits_per_capita": "outpatient visits at county-level, provincial and "
                                          "outside hospitals per person-year",
    "primary_admission_share": "admissions at township centres / all admissions of residents",
    "bed_transfer_rate": "patients sent on for lack of a free bed / admissions",
    **{f"downward_referral_rate_{t}": f"downward referrals completed from in-county {t} "
                                      f"hospitals / admissions there" for t in UPPER_IN_COUNTY},
    # county totals per resident (the budget and capacity sections of a comparison report)
    "oop_per_capita": "out-of-pocket payments per person-year, yuan",
    "episodes_per_capita": "illness episodes (with or without formal care) per person-year",
    "turned_away_per_capita": "arrivals turned away for lack of slots (walk-in and referred) per "
                              "person-year",
}


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else float("nan")


def days_in(daily: pd.DataFrame, window: tuple[int, int] | None) -> pd.DataFrame:
    """Rows of ``daily`` in ``window = (first, end)`` (checked: it must hold days of the run)."""
    window = check_window(window, days_run=int(daily["day"].max()) + 1 if len(daily) else 0)
    if window is None:
        return daily
    return daily[(daily["day"] >= window[0]) & (daily["day"] < window[1])]


def summarize(daily: pd.DataFrame, *, window: tuple[int, int] | None = None) -> pd.Series:
    """Summarize a daily frame: the :data:`METRICS` over a window of days.

    ``window = (first, end)`` in days, end exclusive; default: all days.

    Examples
    --------
    >>> from abm import ReferralModel
    >>> m = ReferralModel(rng=3)
    >>> m.run_for(20)
    >>> summarize(m.daily_counts(), window=(0, 10)).index[0]
    'primary_outpatient_share'
    """
    d = days_in(check_daily(daily), window)
    by = d.groupby("tier", observed=False).sum(numeric_only=True)
    allr = by.loc["all"]
    prim = by.loc[list(PRIMARY)].sum()
    upper = by.loc[list(UPPER_IN_COUNTY)].sum()
    person_years = allr["patients"] / 365.0
    days = d["day"].nunique()
    cap = d.loc[d["tier"] == "all", "primary_capability"]
    treated = allr["episodes"] - allr["forgone"]
    out = {
        "primary_outpatient_share": _ratio(prim["visits"], allr["visits"]),
        "upward_referral_rate": _ratio(prim["up_sent"], prim["visits"]),
        "downward_referral_rate": _ratio(upper["down_sent"], upper["admissions"]),
        "first_contact_primary_rate": _ratio(allr["first_contact_primary"], treated),
        "county_internal_rate": _ratio(allr["county_internal"], treated),
        "inpatient_county_internal_rate": _ratio(allr["admissions"] - by.loc["outside",
                                                                             "admissions"],
                                                 allr["admissions"]),
        "visits_per_capita": _ratio(allr["visits"], person_years),
        "primary_visits_per_capita": _ratio(prim["visits"], person_years),
        "forgone_care_rate": _ratio(allr["forgone"], allr["episodes"]),
        "oop_per_episode": _ratio(allr["oop"], treated),
        "insurance_spend_per_capita": _ratio(allr["insurance"], person_years),
        "turned_away_rate": _ratio(allr["turned_away"] + allr["referred_turned_away"],
                                   allr["walkin_attempts"] + allr["referred_arrivals"]),
        "success_rate": _ratio(allr["successes"], treated),
        "trust_primary": _ratio(allr["trust_primary_sum"], allr["episodes"]),
        "referred_turned_away_rate": _ratio(allr["referred_turned_away"],
                                            allr["referred_arrivals"]),
        "downward_acceptance_rate": _ratio(allr["down_accepted"], allr["down_offered"]),
        "referred_oop_per_episode": _ratio(allr["referred_oop"], allr["referred_episodes"]),
        "primary_capability": float(cap.mean()) if days else float("nan"),
        "admissions_per_capita": _ratio(allr["admissions"], person_years),
        "upper_outpatient_visits_per_capita": _ratio(allr["visits"] - prim["visits"],
                                                     person_years),
        "primary_admission_share": _ratio(by.loc["township", "admissions"],
                                          allr["admissions"]),
        "bed_transfer_rate": _ratio(allr["bed_transfers"], allr["admissions"]),
        **{f"downward_referral_rate_{t}": _ratio(by.loc[t, "down_sent"], by.loc[t, "admissions"])
           for t in UPPER_IN_COUNTY},
        "oop_per_capita": _ratio(allr["oop"], person_years),
        "episodes_per_capita": _ratio(allr["episodes"], person_years),
        "turned_away_per_capita": _ratio(allr["turned_away"] + allr["referred_turned_away"],
                                         person_years),
    }
    return pd.Series(out, name="value").rename_axis("metric")


#: Metrics per group of patients (:func:`summarize_groups`): the :data:`METRICS` of the same
#: name, counted over the group's patients. Rates at facilities (referral rates) are counted over
#: the episodes of the group's patients; ``downward_referral_rate`` is theirs over their
#: admissions at in-county county-level and provincial hospitals.
GROUP_METRICS: tuple[str, ...] = (
    "primary_outpatient_share", "first_contact_primary_rate", "county_internal_rate",
    "inpatient_county_internal_rate", "downward_referral_rate", "forgone_care_rate",
    "success_rate", "turned_away_rate",
    "oop_per_episode", "oop_per_capita", "insurance_spend_per_capita", "visits_per_capita",
    "primary_visits_per_capita", "admissions_per_capita", "episodes_per_capita",
    "turned_away_per_capita", "trust_primary")


def summarize_groups(groups: pd.DataFrame, *, by: str,
                     window: tuple[int, int] | None = None) -> pd.DataFrame:
    """Counters summed over a window and :data:`GROUP_METRICS`, one row per group of patients.

    ``groups`` is a frame of :func:`abm.engine.equity.group_frame` (``Results.groups``); ``by`` one
    of :data:`abm.engine.equity.GROUPINGS`: ``"remoteness_quintile"`` (1 = the fifth of villages
    nearest to care ... 5 = the most remote) or ``"insurance_scheme"`` (``"resident"``,
    ``"employee"``).

    Examples
    --------
    >>> from abm import ReferralModel
    >>> m = ReferralModel(rng=3)
    >>> m.run_for(20)
    >>> g = summarize_groups(m.group_counts(), by="insurance_scheme")
    >>> g["insurance_scheme"].tolist(), bool((g["forgone_care_rate"] < 1).all())
    (['resident', 'employee'], True)
    """
    from abm.engine.equity import GROUP_COUNTERS, GROUPINGS

    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(map(repr, GROUPINGS))}; got {by!r}")
    d = days_in(groups, window)
    s = d.groupby(by, observed=False)[list(GROUP_COUNTERS)].sum()
    treated = s["episodes"] - s["forgone"]
    person_years = s["patients"] / 365.0

    def ratio(a: pd.Series, b: pd.Series) -> pd.Series:
        return (a / b.where(b != 0)).astype(float)

    out = pd.DataFrame({
        "primary_outpatient_share": ratio(s["primary_visits"], s["visits"]),
        "first_contact_primary_rate": ratio(s["first_contact_primary"], treated),
        "county_internal_rate": ratio(s["county_internal"], treated),
        "inpatient_county_internal_rate": ratio(s["county_admissions"], s["admissions"]),
        "downward_referral_rate": ratio(s["down_sent"], s["upper_admissions"]),
        "forgone_care_rate": ratio(s["forgone"], s["episodes"]),
        "success_rate": ratio(s["successes"], treated),
        "turned_away_rate": ratio(s["turned_away"], s["arrivals"]),
        "oop_per_episode": ratio(s["oop"], treated),
        "oop_per_capita": ratio(s["oop"], person_years),
        "insurance_spend_per_capita": ratio(s["insurance"], person_years),
        "visits_per_capita": ratio(s["visits"], person_years),
        "primary_visits_per_capita": ratio(s["primary_visits"], person_years),
        "admissions_per_capita": ratio(s["admissions"], person_years),
        "episodes_per_capita": ratio(s["episodes"], person_years),
        "turned_away_per_capita": ratio(s["turned_away"], person_years),
        "trust_primary": ratio(s["trust_primary_sum"], s["episodes"]),
    })[list(GROUP_METRICS)]
    return pd.concat([s, out], axis=1).reset_index()
