"""Scenario 1 with a controlled clock: an SMS at 06:10, claimed 06:14, verified and
forwarded at 06:20, escalated at 06:35, acknowledged by the deputy at 06:37, on site at
07:50, closed 09:00. The dashboard shows each stage's time; the focal point sees theirs."""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from alerts import tasks
from alerts.selectors import response_times
from alerts.services import alert_forward, alert_record_step
from focal_points.models import Category, Member
from reporting import triage
from reporting.models import Report

pytestmark = pytest.mark.django_db
BAMAKO = ZoneInfo("Africa/Bamako")


# The scenario's day is yesterday: its 06:10 to 09:00 are then always past, whatever the
# hour the suite runs (run today after midnight, they would lie ahead of the dashboards'
# "now" and fall out of every window).
SCENARIO_DAY = (datetime.now(BAMAKO) - timedelta(days=1)).date()


@contextmanager
def at(hour: int, minute: int):
    moment = datetime.combine(SCENARIO_DAY, time(hour, minute), tzinfo=BAMAKO)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def scenario(deployment, phone, outbox, django_capture_on_commit_callbacks):
    aminata = Member.objects.get(name="Aminata Guindo")
    coulibaly = Member.objects.get(name="Adjudant Coulibaly")
    deputy = Member.objects.get(name="Maréchal des logis Dembélé")
    with at(6, 10):
        phone.send("attaque au marche de boni, 3 blesses")
    report = Report.objects.get()
    with at(6, 14):
        triage.report_claim(member=aminata, report_id=report.pk)
    with at(6, 20):
        triage.report_set_verification(member=aminata, report_id=report.pk, verification="verified")
        triage.report_classify(member=aminata, report_id=report.pk, category=Category.ARMED_ATTACK, severity="critical")
        triage.report_summarise(member=aminata, report_id=report.pk, summary="Attaque armee au marche de Boni.")
        with django_capture_on_commit_callbacks(execute=True):
            alert_forward(member=aminata, report_id=report.pk, focal_point_ids=[coulibaly.pk])
    with at(6, 35), django_capture_on_commit_callbacks(execute=True):
        assert tasks.escalate_overdue() == 1
    with at(6, 37):
        alert_record_step(member=deputy, reference=report.reference, step="acknowledged", channel="sms")
    with at(7, 50):
        alert_record_step(member=deputy, reference=report.reference, step="on_site", channel="sms")
    with at(9, 0):
        triage.report_close(member=aminata, report_id=report.pk, reason="resolved")
    return report


def minutes(value) -> float:
    return value.total_seconds() / 60


def test_every_stage_is_timed(scenario):
    rows = response_times(
        Report.objects.all(),
        group_by="region",
        since=datetime.combine(SCENARIO_DAY, time(0, 0), tzinfo=BAMAKO),
        until=datetime.combine(SCENARIO_DAY, time(23, 59), tzinfo=BAMAKO),
    )

    (mopti,) = rows
    assert mopti.label == "Mopti"
    stages = {name: minutes(figures.median) for name, figures in mopti.stages.items() if figures.median}
    assert stages == {"triaged": 4, "forwarded": 10, "acknowledged": 27, "responded": 100, "closed": 170}
    assert mopti.stages["informed"].count == 0  # she did not ask to be told


def test_the_dashboard_and_csv_show_the_figures(scenario, staff_client):
    client = staff_client("Mariam Traoré")

    page = client.get("/staff/alerts/dashboard/?days=2&by=category")
    export = client.get("/staff/alerts/dashboard/?days=2&by=category&format=csv")

    assert page.status_code == 200 and "<svg" in page.content.decode()
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert rows[0]["category"] == "Attaque armée"
    assert rows[0]["acknowledged_median_minutes"] == "27.0"
    assert "R-" + scenario.reference in page.content.decode()  # the escalation is listed as a breach


@pytest.mark.parametrize("name", ["Aminata Guindo", "Adjudant Coulibaly", "Awa Sangaré"])
def test_only_coordinators_see_the_dashboard(scenario, staff_client, name):
    assert staff_client(name).get("/staff/alerts/dashboard/").status_code == 404


def test_a_focal_point_sees_their_own_figures_and_can_answer_on_the_web(scenario, staff_client):
    page = staff_client("Maréchal des logis Dembélé").get("/staff/alerts/?days=2").content.decode()

    assert "Une alerte reçue" in page
    assert "médiane 2 min" in page  # escalated to him at 06:35, acknowledged 06:37
    # The unit: two alerts (the first focal point's, unanswered, and his).
    assert "Mon unité : Brigade de gendarmerie de Douentza" in page
    assert "2 alertes." in page


def test_the_funnel_counts_the_reports_that_reached_each_stage(scenario, gazetteer):
    from django.utils import timezone

    from alerts.selectors import funnel
    from places.models import Commune
    from reporting.services import PlaceChoice, report_submit

    # A second report, received and never touched: it stops at reception.
    report_submit(
        channel="web",
        category=Category.ROBBERY,
        description="vol de betail",
        place=PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk),
    )
    now = timezone.now()

    steps = {
        stage: count
        for stage, _, count in funnel(
            Report.objects.all(), since=now - timedelta(days=2), until=now + timedelta(days=1)
        )
    }

    assert steps == {
        "received": 2,
        "triaged": 1,
        "forwarded": 1,
        "acknowledged": 1,
        "responded": 1,
        "closed": 1,
        "informed": 0,
    }


def test_the_dashboard_draws_the_funnel_and_the_counts(scenario, staff_client):
    page = staff_client("Mariam Traoré").get("/staff/alerts/dashboard/?days=7").content.decode()

    assert "Le chemin des signalements" in page
    assert "1 · 100 %" in page  # the one report received, tri reached
    assert "Signalements reçus, période par période" in page
