"""Issue 4 end to end on PostgreSQL and Redis, with a real worker and a real scheduler
(celery beat): a resident's SMS, the relay forwards, the focal point stays silent and the
scheduler escalates, the deputy's phone acknowledges by SMS, the dashboard shows the
stage times. Then: an urgent alert jumps ahead of a bulk broadcast in the real queue."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.integration.conftest import PROJECT, post_sms, sid, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def beat(workers, tmp_path):
    """celery beat with the project's schedule, escalation checked every second."""
    workers.env.update({"ESCALATION_CHECK_SECONDS": "1", "ESCALATION_MINUTES_CRITICAL": "0.05"})
    log = (tmp_path / "beat.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "veille", "beat", "-l", "info", "-s", str(tmp_path / "schedule")],
        cwd=PROJECT,
        env=workers.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_report_forward_escalate_acknowledge_by_sms_and_the_dashboard_shows_it(
    workers, beat, deployment, staff_client, settings
):
    from alerts.models import Alert, AlertEventKind, AlertStatus
    from alerts.services import alert_forward
    from focal_points.models import Category, Member
    from messaging.models import InboundMessage, InboundStatus
    from reporting import triage
    from reporting.models import Report

    settings.ESCALATION_MINUTES = {**settings.ESCALATION_MINUTES, "critical": 0.05}
    workers.start("w1")

    assert post_sms("+22366000001", "attaque au marche de boni, 3 blesses", sid(1)).status_code == 200
    report = wait_until(lambda: Report.objects.first(), timeout=30, what=f"the report\n{workers.logs()}")
    aminata = Member.objects.get(name="Aminata Guindo")
    triage.report_classify(member=aminata, report_id=report.pk, category=Category.ARMED_ATTACK, severity="critical")
    triage.report_summarise(member=aminata, report_id=report.pk, summary="Attaque armee au marche de Boni.")
    first = alert_forward(
        member=aminata, report_id=report.pk, focal_point_ids=[Member.objects.get(name="Adjudant Coulibaly").pk]
    )[0]

    # Silence: the scheduler escalates to the unit's next focal point.
    deputy_alert = wait_until(
        lambda: Alert.objects.filter(report=report, escalation_level=1).first(),
        timeout=60,
        what=f"beat to escalate\n{workers.logs()}",
    )
    assert deputy_alert.focal_point.name == "Maréchal des logis Dembélé"
    assert first.events.filter(kind=AlertEventKind.ESCALATED).exists()

    # The deputy's feature phone answers.
    assert post_sms("+22376200002", f"ok {report.reference}", sid(2)).status_code == 200
    wait_until(
        lambda: Alert.objects.filter(pk=deputy_alert.pk, status=AlertStatus.ACKNOWLEDGED).exists(),
        timeout=30,
        what=f"the acknowledgement\n{workers.logs()}",
    )
    assert InboundMessage.objects.filter(status=InboundStatus.PROCESSED).count() == 2
    assert Report.objects.count() == 1  # the answer is no report

    export = staff_client("Mariam Traoré").get("/staff/alerts/dashboard/?days=1&by=region&format=csv")
    line = export.content.decode().splitlines()[1].split(",")
    header = export.content.decode().splitlines()[0].split(",")
    row = dict(zip(header, line, strict=True))
    assert row["region"] == "Mopti"
    assert row["forwarded_count"] == "1" and row["acknowledged_count"] == "1"
    assert float(row["acknowledged_median_minutes"]) >= 0


def test_an_urgent_alert_jumps_ahead_of_a_bulk_broadcast_in_the_real_queue(workers, settings):
    from messaging import services
    from messaging.models import OutboundMessage, OutboundStatus, Priority

    workers.env["SMS_SEND_RATE_PER_SECOND"] = "20"
    bulk = [
        services.outbound_enqueue(
            to_number=f"+2236600{n:04d}",
            body="Veille: evitez la route",
            purpose="community_alert",
            priority=Priority.BULK,
        )
        for n in range(40)
    ]
    urgent = services.outbound_enqueue(
        to_number="+22376200001", body="Veille R-AAAA URGENT", purpose="alert", priority=Priority.URGENT
    )
    # The broadcast was queued first; the worker starts with all of it waiting.
    workers.start("w1")

    wait_until(
        lambda: OutboundMessage.objects.filter(status=OutboundStatus.DELIVERED).count() == 41,
        timeout=60,
        what=f"everything to be sent\n{workers.logs()}",
    )
    urgent.refresh_from_db()
    sent_before = OutboundMessage.objects.filter(pk__in=[m.pk for m in bulk], sent_at__lt=urgent.sent_at).count()
    assert sent_before <= 3, f"{sent_before} bulk messages went before the urgent alert"
    # And the pace held: 41 messages at 20/s take at least 2 s.
    times = sorted(OutboundMessage.objects.values_list("sent_at", flat=True))
    assert times[-1] - times[0] >= timedelta(seconds=1.9)
    assert timezone.now() - times[-1] < timedelta(minutes=5)
