"""The report page tells the story: who was alerted, on which channel, delivered or not,
acknowledged when, escalated to whom; a history in plain French; a close menu with no
default reason; the SMS help of /staff/alerts/ with real references."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest

from alerts import tasks
from alerts.services import alert_forward, alert_record_step
from focal_points.models import Category, Member
from messaging.models import OutboundStatus
from places.models import Commune
from reporting import triage
from reporting.models import Report, ReportStatus
from reporting.services import PlaceChoice, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(deployment) -> Report:
    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    return report_submit(
        channel="web", category=Category.ARMED_ATTACK, description="attaque au marche", place=place
    ).report


def _page(client, report) -> str:
    return client.get(f"/staff/reports/{report.pk}/").content.decode()


def _history(page: str) -> str:
    return page.split("<h2>Historique</h2>", 1)[1]


def test_the_history_reads_in_plain_french(staff_client, report):
    aminata = Member.objects.get(name="Aminata Guindo")
    triage.report_claim(member=aminata, report_id=report.pk)
    triage.report_set_verification(member=aminata, report_id=report.pk, verification="verified")
    triage.report_classify(member=aminata, report_id=report.pk, severity="high")
    triage.report_redact(member=aminata, report_id=report.pk, passage="marche")
    history = _history(_page(staff_client("Aminata Guindo"), report))
    assert "Vérification : vérifié" in history
    assert "Classé : gravité élevée" in history
    assert "6 signes masqués" in history
    assert "Statut changé : en vérification" in history
    # No raw code, no "Reçu → reçu", no "(s)".
    for raw in ("verification:", "verified", "severity:", "characters", "→ reçu", "(s)"):
        assert raw not in history, raw


def test_closing_has_no_default_reason_and_refuses_an_empty_one(staff_client, report):
    client = staff_client("Aminata Guindo")
    page = _page(client, report)
    select = page.split('<select id="reason"', 1)[1].split("</select>", 1)[0]
    first = re.search(r"<option[^>]*>", select).group(0)
    assert 'value=""' in first and "selected" in first
    assert " required" in select.split(">", 1)[0]
    response = client.post(f"/staff/reports/{report.pk}/close/", {"reason": ""}, follow=True)
    assert "Choisissez un motif de clôture" in response.content.decode()
    report.refresh_from_db()
    assert report.status != ReportStatus.CLOSED


def test_the_page_says_who_was_alerted_delivered_acknowledged_escalated(
    staff_client, report, django_capture_on_commit_callbacks
):
    aminata = Member.objects.get(name="Aminata Guindo")
    triage.report_classify(member=aminata, report_id=report.pk, severity="critical")
    triage.report_summarise(member=aminata, report_id=report.pk, summary="Attaque armee au marche.")
    coulibaly = Member.objects.get(name="Adjudant Coulibaly")
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_forward(member=aminata, report_id=report.pk, focal_point_ids=[coulibaly.pk])[0]
    page = _page(staff_client("Aminata Guindo"), report)
    section = page.split('id="alerts"', 1)[1].split("</section>", 1)[0]
    assert "Adjudant Coulibaly" in section
    assert "Pas encore d'accusé de réception" in section
    assert "par SMS" in section

    alert.refresh_from_db()
    assert alert.outbound is not None
    alert.outbound.status = OutboundStatus.DELIVERED
    alert.outbound.save(update_fields=["status"])
    with mock.patch("django.utils.timezone.now", return_value=alert.created_at + timedelta(minutes=16)):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.escalate_overdue() == 1
    alert_record_step(member=coulibaly, reference=report.reference, step="acknowledged", channel="sms")
    section = _page(staff_client("Aminata Guindo"), report).split('id="alerts"', 1)[1].split("</section>", 1)[0]
    assert "SMS remis" in section
    assert "escaladée le" in section
    assert "vers Maréchal des logis Dembélé" in section
    assert "escalade depuis Adjudant Coulibaly" in section
    assert "Accusé de réception le" in section
    assert "(par SMS)" in section


def test_my_alerts_shows_real_references_in_its_sms_help(staff_client, report, django_capture_on_commit_callbacks):
    aminata = Member.objects.get(name="Aminata Guindo")
    triage.report_classify(member=aminata, report_id=report.pk, severity="high")
    triage.report_summarise(member=aminata, report_id=report.pk, summary="Attaque armee.")
    coulibaly = Member.objects.get(name="Adjudant Coulibaly")
    with django_capture_on_commit_callbacks(execute=True):
        alert_forward(member=aminata, report_id=report.pk, focal_point_ids=[coulibaly.pk])
    page = staff_client("Adjudant Coulibaly").get("/staff/alerts/").content.decode()
    assert "{ref}" not in page
    assert f"OK {report.reference}" in page
    assert "(s)" not in page
