"""Shared fixtures."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DATA = ROOT.parent / "shared" / "reference-data"


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """Folder of public DiD panels (../shared/reference-data); skips where it is absent."""
    if not REFERENCE_DATA.is_dir():
        pytest.skip(f"public reference panels not found at {REFERENCE_DATA} (see README, Tests)")
    return REFERENCE_DATA
