"""No drift in anonymity: every time of the reporter's side is stored to the minute and
shown to staff to the hour; STOP removes community-warning subscriptions too."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

import pytest
from django.utils import timezone

from alerts.models import Subscription
from messaging.models import Channel
from places.models import Commune
from reporting import services
from reporting.models import Report, ReportEvent, ReportEventKind, ReportRecipient, WebSubmission
from reporting.services import PlaceChoice
from tests.conftest import TwilioPhone

pytestmark = pytest.mark.django_db

# A moment with seconds and microseconds: nothing of them may be stored.
PRECISE = datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)


def _at_minute(moment: datetime) -> bool:
    return moment.second == 0 and moment.microsecond == 0


@pytest.fixture
def frozen_now():
    with mock.patch("django.utils.timezone.now", return_value=PRECISE):
        yield PRECISE


def test_intake_events_and_routing_times_are_stored_to_the_minute(deployment, frozen_now):
    commune = Commune.objects.get(name="Dangol-Boré")
    submitted = services.report_submit(
        channel=Channel.WEB, category="armed_attack", description="attaque", place=PlaceChoice(commune_id=commune.pk)
    )

    events = list(ReportEvent.objects.filter(report=submitted.report))
    assert {e.kind for e in events} >= {ReportEventKind.RECEIVED, ReportEventKind.PLACE_SET, ReportEventKind.ROUTED}
    assert all(_at_minute(e.at) for e in events), [(e.kind, e.at) for e in events]
    recipients = list(ReportRecipient.objects.filter(report=submitted.report))
    assert recipients and all(_at_minute(r.decided_at) for r in recipients)
    assert all(r.notified_at is None or _at_minute(r.notified_at) for r in recipients)


def test_a_status_check_is_stored_to_the_minute(gazetteer, frozen_now):
    submitted = services.report_submit(channel=Channel.WEB, description="attaque")

    services.report_status_checked(report=submitted.report, channel=Channel.WEB)

    checked = ReportEvent.objects.get(kind=ReportEventKind.STATUS_CHECKED)
    assert checked.at == PRECISE.replace(second=0, microsecond=0)


def test_a_joined_sms_and_a_web_submission_are_stored_to_the_minute(gazetteer, frozen_now):
    submitted = services.report_submit(channel=Channel.SMS, description="attaque", sender_pseudonym="p1")
    services.report_join_message(report=submitted.report, text="a Boni")
    services.report_submit_web(
        token_nonce="n1",
        description="x",
        category="other",
        place=PlaceChoice(),
        occurred="unknown",
        people_affected="unknown",
        language="fr",
        photos=[],
    )

    assert all(_at_minute(e.at) for e in ReportEvent.objects.all())
    assert _at_minute(WebSubmission.objects.get().created_at)


def test_staff_actions_keep_their_exact_time(deployment):
    from focal_points.models import Member
    from reporting import triage

    commune = Commune.objects.get(name="Dangol-Boré")
    report = services.report_submit(channel=Channel.WEB, place=PlaceChoice(commune_id=commune.pk)).report
    before = timezone.now()
    triage.report_claim(member=Member.objects.get(name="Aminata Guindo"), report_id=report.pk)

    # Response clocks need the exact moment: not rounded down to the minute.
    assert before <= ReportEvent.objects.get(kind=ReportEventKind.CLAIMED).at <= timezone.now()


def test_the_report_page_shows_the_reporters_times_to_the_hour(staff_client, deployment):
    commune = Commune.objects.get(name="Dangol-Boré")
    with mock.patch("django.utils.timezone.now", return_value=PRECISE):
        report = services.report_submit(channel=Channel.WEB, place=PlaceChoice(commune_id=commune.pk)).report
        services.report_status_checked(report=report, channel=Channel.WEB)

    page = staff_client("Aminata Guindo").get(f"/staff/reports/{report.pk}/").content.decode()

    local = timezone.localtime(PRECISE)
    assert f"{local:%d/%m %H}h · Statut consulté" in page
    assert f"{local:%H:%M}" not in page


def test_stop_removes_community_subscriptions_and_their_numbers(
    deployment, client, django_capture_on_commit_callbacks, outbox
):
    phone = TwilioPhone(client, "+22366000001", django_capture_on_commit_callbacks)
    phone.send("ABONNER Hombori")
    phone.send("ABONNER Boni")
    other = TwilioPhone(client, "+22366000002", django_capture_on_commit_callbacks)
    other.send("ABONNER Hombori")
    assert Subscription.objects.count() == 3

    phone.send("STOP")

    assert Subscription.objects.count() == 1
    assert Report.objects.count() == 0


def test_the_providers_opt_out_removes_subscriptions_too(deployment):
    from alerts.community import subscribe
    from messaging import services as messaging

    subscribe(pseudonym="p-21610", number="+22366000009", commune=Commune.objects.get(name="Hombori"), language="fr")

    messaging.opt_out(pseudonym="p-21610")

    assert not Subscription.objects.exists()


def test_an_sms_leaves_no_exact_time_in_the_inbound_row_or_the_vault(gazetteer, phone, outbox):
    from messaging.models import ContactVaultEntry, InboundMessage

    with mock.patch("django.utils.timezone.now", return_value=PRECISE):
        phone.send("attaque a Boni")

    inbound = InboundMessage.objects.get()
    vault = ContactVaultEntry.objects.get()
    assert _at_minute(inbound.received_at) and _at_minute(inbound.processed_at)
    assert _at_minute(vault.updated_at) and _at_minute(vault.expires_at)
    assert all(_at_minute(e.at) for e in ReportEvent.objects.all())


def test_an_sms_to_a_reporter_keeps_its_times_to_the_minute(gazetteer, phone, outbox):
    """The receipt's row (created, claimed, sent, each status change) would otherwise give
    the report's arrival to the second, for as long as the row is kept."""
    from messaging.models import OutboundEvent, OutboundMessage

    phone.send("attaque a Hombori")

    receipt = OutboundMessage.objects.get(purpose="resident_receipt")
    assert receipt.coarse_times
    times = [receipt.created_at, receipt.sent_at, receipt.claimed_at]
    times += list(OutboundEvent.objects.filter(message=receipt).values_list("at", flat=True))
    assert all(t.second == 0 and t.microsecond == 0 for t in times if t is not None), times
    assert receipt.next_attempt_at is None


def test_an_sms_to_a_member_keeps_exact_times(deployment):
    from messaging import services
    from messaging.models import OutboundMessage

    message = services.outbound_enqueue(to_number="+22376100001", body="Veille: alerte", purpose="alert")
    services.outbound_send(message_id=message.pk)

    message = OutboundMessage.objects.get(pk=message.pk)
    assert not message.coarse_times
    assert message.sent_at is not None
