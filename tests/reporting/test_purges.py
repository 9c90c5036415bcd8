"""Every reporting purge with the clock moved past its limit, as docs/data-kept.md states
it, and under the same lock as the sweeps."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from messaging.models import Channel
from reporting import services, tasks
from reporting.models import Report, ReportEvent, ReportStatus, UssdSession, WebSubmission

pytestmark = pytest.mark.django_db


def _closed_report() -> Report:
    report = services.report_submit(channel=Channel.WEB, description="attaque au marche").report
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.CLOSED)
    return report


def test_a_closed_report_goes_report_retention_days_after_its_last_message(clock, settings, gazetteer):
    closed = _closed_report()
    still_open = services.report_submit(channel=Channel.WEB, description="toujours ouvert").report

    clock.move(days=settings.REPORT_RETENTION_DAYS, minutes=-1)
    assert tasks.purge_closed_reports() == 0
    assert Report.objects.filter(pk=closed.pk).exists()

    clock.move(minutes=2)
    assert tasks.purge_closed_reports() >= 1
    assert not Report.objects.filter(pk=closed.pk).exists()
    assert not ReportEvent.objects.filter(report_id=closed.pk).exists()
    assert Report.objects.filter(pk=still_open.pk).exists()  # open reports are never purged


def test_a_web_submission_goes_when_its_form_token_expires(clock, settings, gazetteer):
    receipt = services.report_submit_web(
        token_nonce="n1",
        description="attaque",
        category="unclassified",
        place=services.PlaceChoice(),
        occurred="unknown",
        people_affected="unknown",
        language="fr",
        photos=[],
    )
    assert receipt

    clock.move(seconds=settings.WEB_FORM_TOKEN_MAX_AGE_SECONDS - 60)
    assert tasks.purge_web_submissions() == 0
    assert WebSubmission.objects.exists()

    clock.move(seconds=120)
    assert tasks.purge_web_submissions() == 1
    assert not WebSubmission.objects.exists()
    assert Report.objects.count() == 1  # the report stays: only the encrypted receipt copy goes


def test_a_ussd_session_goes_its_ttl_after_the_last_screen(clock, settings):
    UssdSession.objects.create(gateway="at", session_id="s1", sender_pseudonym="p1:x", state={"step": "menu"})

    clock.move(seconds=settings.USSD_SESSION_TTL_SECONDS - 5)
    assert tasks.purge_ussd_sessions() == 0

    clock.move(seconds=10)
    assert tasks.purge_ussd_sessions() == 1
    assert not UssdSession.objects.exists()


@pytest.mark.parametrize("name", ["purge_closed_reports", "purge_web_submissions", "purge_ussd_sessions"])
def test_a_purge_takes_a_lock_like_the_sweeps(clock, settings, gazetteer, name):
    _closed_report()
    UssdSession.objects.create(gateway="at", session_id="s1", sender_pseudonym="p1:x", state={})
    clock.move(days=settings.REPORT_RETENTION_DAYS + 1)
    task = getattr(tasks, name)

    assert cache.add(f"lock:{name}", "another run", 60)
    assert task() == 0
    assert Report.objects.count() == 1 and UssdSession.objects.count() == 1

    cache.delete(f"lock:{name}")
    if name != "purge_web_submissions":  # the report above was not made through the form
        assert task() >= 1  # (a report's count includes its event rows)
        assert Report.objects.count() + UssdSession.objects.count() == 1
    assert not cache.get(f"lock:{name}")
