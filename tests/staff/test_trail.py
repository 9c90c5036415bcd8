"""A real trail: the admin deletes no report, event or trail row; the retention purge is
the only deletion and records its counts; every staff page that shows reports is
recorded (inbox, map, dashboards and their exports, a focal point's alerts, trails);
coordinators export the trail."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.services import alert_forward
from focal_points.models import Category, Member
from places.models import Commune
from reporting import triage
from reporting.models import PurgeRecord, Report, ReportEvent, StaffRead, StaffReadView
from reporting.services import PlaceChoice, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(deployment) -> Report:
    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    return report_submit(channel="web", category=Category.ARMED_ATTACK, description="attaque", place=place).report


# --- the admin deletes nothing of the trail --------------------------------------------


def test_the_admin_cannot_delete_a_report_or_its_events(admin_otp_client, report):
    delete_page = admin_otp_client.get(f"/admin/reporting/report/{report.pk}/delete/")
    changelist = admin_otp_client.get("/admin/reporting/report/").content.decode()
    bulk = admin_otp_client.post(
        "/admin/reporting/report/", {"action": "delete_selected", "_selected_action": [report.pk], "post": "yes"}
    )

    assert delete_page.status_code == 403
    assert "delete_selected" not in changelist
    assert bulk.status_code in {200, 302}
    assert Report.objects.filter(pk=report.pk).exists()
    assert ReportEvent.objects.filter(report=report).exists()


def test_no_trail_table_can_be_deleted_in_the_admin(rf, admin_otp_client):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = Member.objects.get(name="Ibrahim Keita").user  # a superuser
    for model in (Report, ReportEvent, StaffRead, PurgeRecord):
        model_admin = admin.site._registry.get(model)
        if model_admin is not None:
            assert not model_admin.has_delete_permission(request)


# --- the purge accounts for what it deletes ---------------------------------------------


def test_the_retention_purge_records_its_counts(report, settings):
    from reporting.tasks import purge_closed_reports

    aminata = Member.objects.get(name="Aminata Guindo")
    triage.report_read(member=aminata, report_id=report.pk)
    triage.report_close(member=aminata, report_id=report.pk, reason="resolved")
    events = ReportEvent.objects.filter(report=report).count()
    long_ago = timezone.now() - timedelta(days=settings.REPORT_RETENTION_DAYS + 1)
    Report.objects.filter(pk=report.pk).update(last_message_at=long_ago)
    StaffRead.objects.create(member=aminata, view=StaffReadView.INBOX, at=long_ago, references=report.reference)

    assert purge_closed_reports() == 1

    record = PurgeRecord.objects.get()
    assert record.job == "closed_reports"
    assert record.counts["reporting.Report"] == 1
    assert record.counts["reporting.ReportEvent"] == events
    assert record.counts["reporting.StaffRead"] == 1
    assert not Report.objects.exists()


def test_a_purge_that_finds_nothing_is_recorded_too():
    from reporting.services import reports_purge

    reports_purge(older_than_days=365)

    assert PurgeRecord.objects.get().counts == {}


# --- every staff read of reports is recorded --------------------------------------------


PAGES = [
    ("Aminata Guindo", "/staff/reports/?status=all", StaffReadView.INBOX, True),
    ("Aminata Guindo", "/staff/reports/map/", StaffReadView.MAP, True),
    ("Mariam Traoré", "/staff/alerts/dashboard/", StaffReadView.DASHBOARD, False),
    ("Mariam Traoré", "/staff/alerts/dashboard/?format=csv", StaffReadView.DASHBOARD_EXPORT, False),
    ("Adjudant Coulibaly", "/staff/alerts/", StaffReadView.ALERTS, True),
]


@pytest.mark.parametrize("name, url, view, names_the_report", PAGES, ids=[p[2] for p in PAGES])
def test_each_page_that_shows_reports_is_recorded(staff_client, report, name, url, view, names_the_report):
    aminata = Member.objects.get(name="Aminata Guindo")
    triage.report_classify(member=aminata, report_id=report.pk, severity="high")
    triage.report_summarise(member=aminata, report_id=report.pk, summary="Attaque armee au marche, deux blesses.")
    alert_forward(
        member=aminata, report_id=report.pk, focal_point_ids=[Member.objects.get(name="Adjudant Coulibaly").pk]
    )

    response = staff_client(name).get(url)

    assert response.status_code == 200
    read = StaffRead.objects.get(view=view)
    assert read.member.name == name
    assert read.report_count >= 1
    assert (report.reference in read.references.split()) == names_the_report


def test_reading_a_trail_and_exporting_it_are_recorded(staff_client, report):
    aminata = Member.objects.get(name="Aminata Guindo")
    client = staff_client("Mariam Traoré")

    client.get(f"/staff/reports/trail/{aminata.pk}/")
    client.get(f"/staff/reports/trail/{aminata.pk}/?format=csv")

    assert list(StaffRead.objects.values_list("view", flat=True)) == [StaffReadView.TRAIL, StaffReadView.TRAIL_EXPORT]


# --- coordinators export the trail -----------------------------------------------------


def test_a_coordinator_exports_the_trail_of_their_region(staff_client, report):
    aminata = Member.objects.get(name="Aminata Guindo")
    triage.report_read(member=aminata, report_id=report.pk)
    triage.report_claim(member=aminata, report_id=report.pk)
    staff_client("Aminata Guindo").get("/staff/reports/")  # an inbox read, recorded
    client = staff_client("Mariam Traoré")

    index = client.get("/staff/reports/trail/").content.decode()
    response = client.get("/staff/reports/trail/?format=csv&days=7")

    assert "Aminata Guindo" in index and "format=csv" in index
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    mine = [row for row in rows if row["member"] == "Aminata Guindo"]
    assert {row["what"] for row in mine} >= {"read", "claimed", "page:inbox"}
    assert all(row["references"] == f"R-{report.reference}" for row in mine if row["what"] in {"read", "claimed"})
    assert "attaque" not in response.content.decode()  # never the reporter's words


@pytest.mark.parametrize("name", ["Aminata Guindo", "Awa Sangaré", "Adjudant Coulibaly"])
def test_only_coordinators_read_or_export_trails(staff_client, report, name):
    client = staff_client(name)
    target = Member.objects.get(name="Aminata Guindo")

    assert client.get("/staff/reports/trail/").status_code == 404
    assert client.get("/staff/reports/trail/?format=csv").status_code == 404
    assert client.get(f"/staff/reports/trail/{target.pk}/?format=csv").status_code == 404
