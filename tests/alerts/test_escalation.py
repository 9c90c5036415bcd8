"""Escalation with a frozen clock: silence past the deadline goes to the unit's next focal
point, then its commander, then the regional coordinator; each step is recorded."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from alerts import tasks
from alerts.models import Alert, AlertEventKind, AlertStatus
from alerts.services import alert_forward, alert_record_step
from focal_points.models import Category, Member
from places.models import Commune
from reporting import triage
from reporting.services import PlaceChoice, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def first_alert(deployment, django_capture_on_commit_callbacks) -> Alert:
    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    report = report_submit(channel="sms", category=Category.ARMED_ATTACK, description="x", place=place).report
    aminata = Member.objects.get(name="Aminata Guindo")
    triage.report_classify(member=aminata, report_id=report.pk, severity="critical")
    triage.report_summarise(member=aminata, report_id=report.pk, summary="Attaque armee au marche de Boni.")
    coulibaly = Member.objects.get(name="Adjudant Coulibaly")
    with django_capture_on_commit_callbacks(execute=True):
        return alert_forward(member=aminata, report_id=report.pk, focal_point_ids=[coulibaly.pk])[0]


def run_at(moment, capture):
    with mock.patch("django.utils.timezone.now", return_value=moment), capture(execute=True):
        return tasks.escalate_overdue()


def chain(report) -> list[str]:
    return list(
        Alert.objects.filter(report=report).order_by("escalation_level").values_list("focal_point__name", flat=True)
    )


def test_nothing_escalates_before_the_deadline(first_alert, django_capture_on_commit_callbacks):
    assert run_at(first_alert.created_at + timedelta(minutes=14), django_capture_on_commit_callbacks) == 0


def test_silence_escalates_step_by_step(first_alert, outbox, django_capture_on_commit_callbacks):
    start = first_alert.created_at
    assert run_at(start + timedelta(minutes=16), django_capture_on_commit_callbacks) == 1
    assert run_at(start + timedelta(minutes=17), django_capture_on_commit_callbacks) == 0  # not twice
    assert run_at(start + timedelta(minutes=32), django_capture_on_commit_callbacks) == 1
    assert run_at(start + timedelta(minutes=48), django_capture_on_commit_callbacks) == 1

    assert chain(first_alert.report) == [
        "Adjudant Coulibaly",
        "Maréchal des logis Dembélé",
        "Capitaine Sidibé",
        "Mariam Traoré",
    ]
    assert first_alert.events.filter(kind=AlertEventKind.ESCALATED).count() == 1
    assert any(sms.to == "+22376200002" and sms.body.startswith("Veille R-") for sms in outbox)


def test_an_acknowledged_alert_does_not_escalate(first_alert, django_capture_on_commit_callbacks):
    alert_record_step(
        member=first_alert.focal_point, reference=first_alert.reference, step="acknowledged", channel="sms"
    )

    assert run_at(first_alert.created_at + timedelta(hours=2), django_capture_on_commit_callbacks) == 0


def test_the_deputy_can_acknowledge_the_escalated_alert(first_alert, django_capture_on_commit_callbacks):
    run_at(first_alert.created_at + timedelta(minutes=16), django_capture_on_commit_callbacks)
    deputy = Member.objects.get(name="Maréchal des logis Dembélé")

    alert = alert_record_step(member=deputy, reference=first_alert.reference, step="acknowledged", channel="sms")

    assert alert.escalation_level == 1 and alert.status == AlertStatus.ACKNOWLEDGED


def test_deadlines_come_from_the_database_and_survive_a_restart(first_alert, django_capture_on_commit_callbacks):
    # A restarted scheduler has no memory: only stored times count.
    Alert.objects.filter(pk=first_alert.pk).update(created_at=timezone.now() - timedelta(minutes=20))

    assert tasks.escalate_overdue() == 1
