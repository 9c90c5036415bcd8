"""The demo's sixty days of history: reports through every stage, acknowledged and
escalated alerts, community alerts (one waiting for a second coordinator), nothing left
for the worker to send."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert, AlertEvent, AlertEventKind, CommunityAlert, CommunityAlertStatus
from demo.history import history_build
from messaging.models import OutboundMessage, OutboundStatus
from reporting.models import Report, ReportStatus

pytestmark = pytest.mark.django_db


def test_sixty_days_of_history_through_every_stage(deployment):
    with CaptureQueriesContext(connection) as queries:
        counts = history_build()
    # ``make run`` builds this on every fresh start: its cost is held by the queries it
    # makes per report (about 83 today), not by a wall-clock limit that a loaded machine
    # breaks. (The routing directory is read afresh inside a transaction that changed it,
    # as this build's is: about 9 of those queries.)
    assert len(queries) <= 90 * counts["reports"], len(queries)

    reports = Report.objects.all()
    assert counts["reports"] == reports.count() >= 100
    oldest = reports.order_by("received_at").first().received_at
    assert timezone.now() - oldest > timedelta(days=55)
    assert {s for s in reports.values_list("status", flat=True)} == set(ReportStatus.values)
    assert AlertEvent.objects.filter(kind=AlertEventKind.ACKNOWLEDGED).count() >= 20
    assert AlertEvent.objects.filter(kind=AlertEventKind.ESCALATED).exists()
    assert Alert.objects.filter(escalated_from__isnull=False).exists()
    assert set(CommunityAlert.objects.values_list("status", flat=True)) == set(CommunityAlertStatus.values)
    assert not OutboundMessage.objects.filter(status=OutboundStatus.QUEUED).exists()


def test_the_login_page_says_what_to_do_at_the_first_enrolment(client):
    page = client.get("/staff/login/").content.decode()
    assert "Première connexion" in page
    assert "laissez le code vide" in page and "QR code" in page
