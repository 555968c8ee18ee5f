"""docs/calibration.md states numbers of the joint fits kept in docs/evidence: check them."""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from abm.fitting.calibration import _misses

ROOT = Path(__file__).resolve().parents[2]
TEXT = " ".join((ROOT / "docs" / "calibration.md").read_text().split())


def _fit(name: str) -> dict:
    return json.loads((ROOT / "docs" / "evidence" / name).read_text())


def _cost_and_size(fit: dict) -> list[str]:
    """The sentences every fit's paragraph states: its cost and its effective sample size."""
    n_draws = len(next(iter(fit["draws"].values())))
    return [f"{fit['runs']} evaluations of four six-year runs, {fit['hours']:.1f} h",
            f"effective sample size is {fit['effective_sample_size']:.1f} of {n_draws} draws, "
            f"and {100 * fit['plausible_share']:.1f}% of the prior box",
            f"refers {100 * fit['mode_facts']['downward_referral_rate']:.2f}% of admissions down"]


def _met_facts(facts: dict) -> str:
    return (f"upward referral {facts['upward_referral_rate']:.3f}, county-internal "
            f"{facts['county_internal_rate']:.3f}, forgone care {facts['forgone_care_rate']:.3f}, "
            f"primary share {facts['primary_outpatient_share']:.3f}, acceptance "
            f"{facts['downward_acceptance_rate']:.3f}, first-year growth "
            f"+{facts['downward_referral_growth_first_reform_year']:.2f}")


def _missing(claims: list[str]) -> list[str]:
    return [c for c in claims if c not in TEXT]


def test_the_second_joint_fit_is_described_by_its_own_numbers():
    fit = _fit("joint_fit_400_2026-12-07.json")
    facts = fit["mode_facts"]
    assert not _missing([
        *_cost_and_size(fit), _met_facts(facts),
        f"reform-year maximum is {100 * facts['downward_referral_rate_reform_max']:.1f}%"])


def test_the_third_joint_fit_is_described_by_its_own_numbers():
    fit = _fit("joint_fit_receiving_2026-12-07.json")
    facts = fit["mode_facts"]
    assert not _missing([
        *_cost_and_size(fit),
        f"acceptance {facts['downward_acceptance_rate']:.3f} inside",
        f"reform-year maximum is still {100 * facts['downward_referral_rate_reform_max']:.1f}%",
        f"forgone care falls to {facts['forgone_care_rate']:.3f}",
        f"band's edge ({facts['primary_outpatient_share']:.3f})"])


def test_the_fourth_joint_fit_is_described_by_its_own_numbers():
    fit = _fit("joint_fit_reach_2026-12-07.json")
    facts = fit["mode_facts"]
    assert not _missing([
        *_cost_and_size(fit), _met_facts(facts),
        f"reform-year maximum is {100 * facts['downward_referral_rate_reform_max']:.1f}%",
        f"(mode {fit['mode']['referral.platform_down_reach']:.2f})"])


def test_the_fifth_joint_fit_is_described_by_its_own_numbers():
    fit = _fit("joint_fit_3seeds_2026-12-08.json")
    facts = fit["mode_facts"]
    assert not _missing([
        *_cost_and_size(fit),
        f"meets the first-year growth (+{facts['downward_referral_growth_first_reform_year']:.2f})",
        f"reform-year maximum is {100 * facts['downward_referral_rate_reform_max']:.1f}%",
        f"acceptance {facts['downward_acceptance_rate']:.3f} sits",
        f"primary share is {facts['primary_outpatient_share']:.3f}"])


def test_the_conflict_between_the_reform_facts_is_counted_from_the_draws():
    # the fourth and fifth fits keep each draw's simulated facts: count the draws that meet the
    # two levels of downward referral, then also the first-year growth and acceptance, each
    # judged as the fit judges it (standardised misses against datasets/targets.csv)
    sims = [_fit(n)["simulated"] for n in ("joint_fit_reach_2026-12-07.json",
                                           "joint_fit_3seeds_2026-12-08.json")]
    s = pd.DataFrame({k: np.concatenate([np.asarray(x[k], float) for x in sims])
                      for k in sims[0]})
    z = _misses(s, list(s.columns), {}).abs()
    growth = s["downward_referral_growth_first_reform_year"]
    levels = (z["downward_referral_rate"] <= 1) & (z["downward_referral_rate_reform_max"] == 0)
    grows = z["downward_referral_growth_first_reform_year"] <= 1
    accepts = z["downward_acceptance_rate"] <= 1
    ratio = s["downward_referral_rate_reform_max"][grows] / s["downward_referral_rate"][grows]
    assert not _missing([
        f"the {len(s)} draws of the fourth and fifth fits",
        f"{levels.sum()} draws meet both levels",
        f"median first-year growth is +{growth[levels].median():.2f}",
        f"only {(levels & grows).sum()} of them also meet the growth, and "
        f"{(levels & grows & accepts).sum()} acceptance as well",
        f"median five-year maximum is {ratio.median():.1f} times"])
