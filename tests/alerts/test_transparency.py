"""Public figures: small cells hidden with complementary suppression, nothing under K
shown or recoverable from a total, a month frozen once published (two releases cannot be
differenced), the same figures as CSV and JSON, no cookie, no script."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alerts.models import TransparencyRelease
from alerts.transparency import CATEGORY_GROUPS, suppress_row, transparency_publish
from places.models import Region
from reporting.models import Report

pytestmark = pytest.mark.django_db
BAMAKO = ZoneInfo("Africa/Bamako")
K = 10
_numbers = itertools.count(1)


def make_reports(region: Region, category: str, n: int, month: date) -> list[Report]:
    made = []
    for i in range(n):
        at = datetime(month.year, month.month, 1 + i % 27, 9, 0, tzinfo=BAMAKO)
        number = next(_numbers)
        made.append(
            Report.objects.create(
                reference=f"P{number:07d}",
                receipt_digest=f"pub-{number}",
                channel="sms",
                category=category,
                region=region,
                received_at=at,
                last_message_at=at,
            )
        )
    return made


def recoverable(cells: dict[str, int | None], total: int | None, truth: dict[str, int]) -> list[str]:
    """The hidden cells an attacker pins down from the row: alone hidden, or the hidden
    cells' sum (total minus the shown cells) forcing their values (0, or equal to one)."""
    hidden = [key for key, value in cells.items() if value is None]
    if total is None or not hidden:
        return []
    rest = total - sum(value for value in cells.values() if value is not None)
    if len(hidden) == 1 or rest == 0:
        return hidden
    return []


def shown_values(figures: dict) -> list[tuple[str, int]]:
    out = []
    for region in figures["regions"]:
        if region["reports_total"] is not None:
            out.append((f"{region['region']} total", region["reports_total"]))
        out += [(f"{region['region']} {k}", v) for k, v in region["reports_by_group"].items() if v is not None]
    return out


@pytest.mark.parametrize(
    "cells",
    [
        {"a": 30, "b": 3, "c": 12, "d": 25, "e": 11},  # one small cell: a second is hidden
        {"a": 30, "b": 0, "c": 0, "d": 25, "e": 11},  # small cells summing to 0: a shown one joins
        {"a": 4, "b": 5, "c": 3, "d": 2, "e": 1},  # all small, total 15: only the total
        {"a": 2, "b": 1, "c": 0, "d": 0, "e": 0},  # total under K: nothing
        {"a": 40, "b": 12, "c": 15, "d": 20, "e": 11},  # nothing small: all shown
    ],
)
def test_no_small_cell_is_shown_or_recoverable_from_the_total(cells):
    total = sum(cells.values())
    shown, shown_total = suppress_row(cells, total, K)
    assert all(value is None or value >= K for value in shown.values())
    assert shown_total is None or shown_total >= K
    assert recoverable(shown, shown_total, cells) == []
    if min(cells.values()) >= K:
        assert shown == cells


def test_two_releases_cannot_be_differenced(gazetteer, clock, settings, client):
    settings.TRANSPARENCY_MIN_CELL = K
    settings.TRANSPARENCY_DELAY_DAYS = 31
    mopti, kayes = Region.objects.get(name="Mopti"), Region.objects.get(name="Kayes")
    september, october = date(2026, 9, 1), date(2026, 10, 1)
    make_reports(mopti, "armed_attack", 25, september)
    make_reports(mopti, "gbv", 2, september)  # a small cell: two people
    make_reports(mopti, "robbery", 14, september)
    make_reports(kayes, "threat", 4, september)  # a region under K altogether

    # Too early: September ended less than the delay ago.
    clock.set(datetime(2026, 10, 20, 12, 0, tzinfo=BAMAKO))
    assert transparency_publish() == []
    assert client.get("/transparence/").status_code == 200

    clock.set(datetime(2026, 11, 2, 6, 0, tzinfo=BAMAKO))
    assert transparency_publish() == [september]
    first = TransparencyRelease.objects.get(month=september).figures
    # Every region is listed, reported or not: a row's presence tells nothing.
    assert [r["region"] for r in first["regions"]] == list(
        Region.objects.order_by("name").values_list("name", flat=True)
    )
    by_name = {r["region"]: r for r in first["regions"]}
    kayes_row, mopti_row = by_name["Kayes"], by_name["Mopti"]
    assert by_name["Kayes"] == by_name["Tombouctou"] | {"region": "Kayes"}  # 4 reports look like none
    assert kayes_row["reports_total"] is None and set(kayes_row["reports_by_group"].values()) == {None}
    assert mopti_row["reports_total"] == 41
    assert mopti_row["reports_by_group"]["protection"] is None  # the 2
    assert all(v is None or v >= K for _, v in shown_values(first))
    truth = {"armed_violence": 25, "crime_threats": 14, "protection": 2, "community": 0, "other": 0}
    assert recoverable(mopti_row["reports_by_group"], mopti_row["reports_total"], truth) == []

    # Late reports for September arrive (one more GBV report, enough robbery to change the
    # total), then October: the second release adds October and leaves September as it was.
    make_reports(mopti, "gbv", 1, september)
    make_reports(mopti, "robbery", 3, september)
    make_reports(mopti, "armed_attack", 12, october)
    clock.set(datetime(2026, 12, 2, 6, 0, tzinfo=BAMAKO))
    assert transparency_publish() == [october]
    assert TransparencyRelease.objects.get(month=september).figures == first
    second = TransparencyRelease.objects.get(month=october).figures
    assert all(v is None or v >= K for _, v in shown_values(second))

    # The page, the CSV and the JSON show the frozen figures and nothing under K.
    page = client.get("/transparence/")
    assert page.status_code == 200
    assert not page.cookies
    assert page["Cache-Control"].startswith("no-store") and page["Referrer-Policy"] == "no-referrer"
    body = page.content.decode()
    assert "41" in body and "Kayes" in body
    data = client.get("/transparence/veille-transparence.json").json()
    assert data["releases"] == [first, second]
    rows = list(csv.DictReader(io.StringIO(client.get("/transparence/veille-transparence.csv").content.decode())))
    numbers = [int(row["value"]) for row in rows if row["value"] and row["figure"].startswith("reports")]
    assert numbers and min(numbers) >= K
    assert {row["key"] for row in rows if row["figure"] == "reports_by_group"} == set(CATEGORY_GROUPS)
    for prefix in ("/en", "/bm"):
        assert client.get(f"{prefix}/transparence/").status_code == 200


def test_force_figures_hidden_below_k(deployment, clock):
    from alerts.models import Alert, AlertEvent, AlertEventKind
    from alerts.transparency import month_figures
    from focal_points.models import Member

    mopti = Region.objects.get(name="Mopti")
    relay = Member.objects.get(name="Aminata Guindo")
    army = Member.objects.get(name="Lieutenant Diarra")
    gendarme = Member.objects.get(name="Adjudant Coulibaly")
    september = date(2026, 9, 1)
    reports = make_reports(mopti, "armed_attack", 15, september)
    for i, report in enumerate(reports):
        focal_point, minutes = (army, 10 + i) if i < 12 else (gendarme, 200)
        clock.set(report.received_at + timedelta(minutes=5))
        alert = Alert.objects.create(
            report=report,
            focal_point=focal_point,
            forwarded_by=relay,
            reference=report.reference,
            category="armed_attack",
            severity="high",
            place="Mopti",
            summary="x",
        )
        clock.move(minutes=minutes)
        AlertEvent.objects.create(alert=alert, kind=AlertEventKind.ACKNOWLEDGED, member=focal_point)
    region = next(r for r in month_figures(september, k=K)["regions"] if r["region"] == "Mopti")
    forces = {force["force"]: force for force in region["forces"]}
    assert forces["army"]["alerts"] == 12
    assert forces["army"]["acknowledged_median_minutes"] == pytest.approx(15.5)
    assert forces["army"]["within_deadline_share"] == 1.0  # all within the 30 minutes of "high"
    assert forces["army"]["responded_median_minutes"] is None  # nobody recorded a response
    gendarmerie = forces[gendarme.organisation.force]
    assert set(gendarmerie) - {"force"} and all(v is None for k, v in gendarmerie.items() if k != "force")


def test_empty_page_says_what_will_appear(db, client):
    body = client.get("/transparence/").content.decode()
    assert "apparaîtront ici" in body
    assert '<script src="https://' not in body


def test_the_page_reads_in_english_and_bambara(db, client):
    assert "Public figures" in client.get("/en/transparence/").content.decode()
    assert "Jamana jatew" in client.get("/bm/transparence/").content.decode()
    assert "Chiffres publics" in client.get("/transparence/").content.decode()


@pytest.mark.parametrize(
    ("displaced", "others", "shown"),
    [
        (12, 15, 12),  # both sides at K or more: shown
        (3, 30, None),  # few displaced authors: hidden
        (25, 4, None),  # the rest would be small (total minus it): hidden
        (5, 3, None),  # total under K: nothing
    ],
)
def test_reports_from_displaced_authors_are_shown_only_when_neither_side_is_small(
    gazetteer, displaced, others, shown, client, clock, settings
):
    from alerts.transparency import month_figures

    settings.TRANSPARENCY_MIN_CELL = K
    settings.TRANSPARENCY_DELAY_DAYS = 31
    mopti = Region.objects.get(name="Mopti")
    september = date(2026, 9, 1)
    for report in make_reports(mopti, "armed_attack", displaced, september):
        report.reporter_displaced = True
        report.save(update_fields=["reporter_displaced"])
    make_reports(mopti, "armed_attack", others, september)

    region = next(r for r in month_figures(september, k=K)["regions"] if r["region"] == "Mopti")
    assert region["reports_from_displaced"] == shown
    if region["reports_total"] is not None and shown is not None:
        assert region["reports_total"] - shown >= K
    clock.set(datetime(2026, 11, 2, 6, 0, tzinfo=BAMAKO))
    assert transparency_publish() == [september]
    rows = list(csv.DictReader(io.StringIO(client.get("/transparence/veille-transparence.csv").content.decode())))
    mine = [r["value"] for r in rows if r["region"] == "Mopti" and r["figure"] == "reports_from_displaced"]
    assert mine == ["" if shown is None else str(shown)]
