"""Fixtures for the analysts' tools: a tiny design file on the small preset."""

from pathlib import Path

import pytest

TINY = """title = "Tiny test design"
preset = "small"
days = 40
reform_day = 20

[levers]
revenue_share = 0.8
information_platform = 1.0

[replications]
seeds = [1, 2]

[outcomes]
report = ["downward_referral_rate", "primary_outpatient_share", "insurance_spend_per_capita"]
"""


@pytest.fixture
def tiny_design(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


@pytest.fixture
def tiny_design_b(tmp_path: Path) -> Path:
    path = tmp_path / "tiny_b.toml"
    path.write_text(TINY.replace("revenue_share = 0.8\ninformation_platform = 1.0",
                                 "primary_reimbursement_premium = 0.2"), encoding="utf-8")
    return path
