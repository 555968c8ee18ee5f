"""docs/calibration.md states numbers of the joint fits kept in docs/evidence: check them."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEXT = " ".join((ROOT / "docs" / "calibration.md").read_text().split())


def test_the_second_joint_fit_is_described_by_its_own_numbers():
    fit = json.loads((ROOT / "docs" / "evidence" / "joint_fit_400_2026-12-07.json").read_text())
    facts = fit["mode_facts"]
    n_draws = len(next(iter(fit["draws"].values())))
    assert f"{fit['runs']} evaluations of four six-year runs, {fit['hours']:.1f} h" in TEXT
    assert (f"effective sample size is {fit['effective_sample_size']:.1f} of {n_draws} draws, "
            f"and {100 * fit['plausible_share']:.1f}% of the prior box") in TEXT
    assert (f"upward referral {facts['upward_referral_rate']:.3f}, county-internal "
            f"{facts['county_internal_rate']:.3f}, forgone care {facts['forgone_care_rate']:.3f}, "
            f"primary share {facts['primary_outpatient_share']:.3f}, acceptance "
            f"{facts['downward_acceptance_rate']:.3f}, first-year growth "
            f"+{facts['downward_referral_growth_first_reform_year']:.2f}") in TEXT
    assert f"refers {100 * facts['downward_referral_rate']:.2f}% of admissions down" in TEXT
    assert f"reform-year maximum is {100 * facts['downward_referral_rate_reform_max']:.1f}%" in TEXT


def test_the_third_joint_fit_is_described_by_its_own_numbers():
    fit = json.loads((ROOT / "docs" / "evidence" / "joint_fit_receiving_2026-12-07.json")
                     .read_text())
    facts = fit["mode_facts"]
    n_draws = len(next(iter(fit["draws"].values())))
    assert f"{fit['runs']} evaluations of four six-year runs, {fit['hours']:.1f} h" in TEXT
    assert (f"effective sample size is {fit['effective_sample_size']:.1f} of {n_draws} draws, "
            f"and {100 * fit['plausible_share']:.1f}% of the prior box") in TEXT
    assert f"refers {100 * facts['downward_referral_rate']:.2f}% of admissions down" in TEXT
    assert f"acceptance {facts['downward_acceptance_rate']:.3f} inside" in TEXT
    assert f"reform-year maximum is still {100 * facts['downward_referral_rate_reform_max']:.1f}%" \
        in TEXT
    assert f"forgone care falls to {facts['forgone_care_rate']:.3f}" in TEXT
    assert f"band's edge ({facts['primary_outpatient_share']:.3f})" in TEXT


def test_the_fourth_joint_fit_is_described_by_its_own_numbers():
    fit = json.loads((ROOT / "docs" / "evidence" / "joint_fit_reach_2026-12-07.json").read_text())
    facts = fit["mode_facts"]
    n_draws = len(next(iter(fit["draws"].values())))
    assert f"{fit['runs']} evaluations of four six-year runs, {fit['hours']:.1f} h" in TEXT
    assert (f"effective sample size is {fit['effective_sample_size']:.1f} of {n_draws} draws, "
            f"and {100 * fit['plausible_share']:.1f}% of the prior box") in TEXT
    assert (f"upward referral {facts['upward_referral_rate']:.3f}, county-internal "
            f"{facts['county_internal_rate']:.3f}, forgone care {facts['forgone_care_rate']:.3f}, "
            f"primary share {facts['primary_outpatient_share']:.3f}, acceptance "
            f"{facts['downward_acceptance_rate']:.3f}, first-year growth "
            f"+{facts['downward_referral_growth_first_reform_year']:.2f}") in TEXT
    assert f"reform-year maximum is {100 * facts['downward_referral_rate_reform_max']:.1f}%" in TEXT
    assert f"refers {100 * facts['downward_referral_rate']:.2f}% of admissions down" in TEXT
    assert f"(mode {fit['mode']['referral.platform_down_reach']:.2f})" in TEXT
