from __future__ import annotations

from pathlib import Path

import pytest

from focal_points.services import members_import_csv

FIXTURE = Path(__file__).resolve().parents[2] / "focal_points" / "fixtures" / "deployment_mopti.csv"


@pytest.fixture
def deployment(gazetteer) -> None:
    """A region's relays, coordinators, units, oversight, support and mediators."""
    members_import_csv(FIXTURE.read_text(encoding="utf-8"))
