"""Scenario 1's start: an SMS from Boni reaches the relays of Boni, who are told by a
neutral SMS; every routing decision is recorded with its rule."""

from __future__ import annotations

import pytest

from messaging.models import OutboundMessage, Priority
from reporting.models import Report, ReportEventKind

pytestmark = pytest.mark.django_db
RELAY_NUMBERS = {"+22376100001", "+22376100002"}


def test_the_relays_of_the_commune_get_a_neutral_notice(deployment, phone, outbox):
    phone.send("attaque au marche de boni, 3 blesses")

    report = Report.objects.get()
    notices = [sms for sms in outbox if sms.to in RELAY_NUMBERS]
    assert {sms.to for sms in notices} == RELAY_NUMBERS
    # SMS reports arrive unclassified; the relay classifies during triage.
    assert notices[0].body == f"Veille R-{report.reference}: à classer, Dangol-Boré. A traiter."
    assert "blesses" not in notices[0].body
    assert set(report.recipients.values_list("rule", flat=True)) == {"Relais de la zone (commune)"}
    assert report.events.filter(kind=ReportEventKind.ROUTED).count() == 1


def test_an_attack_reported_on_the_web_jumps_the_queue(deployment):
    from focal_points.models import Category
    from places.models import Commune
    from reporting.services import PlaceChoice, report_submit

    report_submit(
        channel="web",
        category=Category.ARMED_ATTACK,
        description="x",
        place=PlaceChoice(commune_id=Commune.objects.get(name="Hombori").pk),
    )

    notice = OutboundMessage.objects.get(purpose="relay_notice")
    assert notice.priority == Priority.URGENT


def test_a_report_without_place_goes_national_then_to_the_area_once_known(deployment, phone, outbox):
    phone.send("des hommes armes sont passes ce matin")
    report = Report.objects.get()
    assert list(report.recipients.values_list("member__name", flat=True)) == ["Ibrahim Keita"]

    phone.send("hombori")

    assert set(report.recipients.values_list("member__name", flat=True)) == {"Ibrahim Keita", "Fatoumata Cissé"}
    assert any(sms.to == "+22376100003" and "Hombori" in sms.body for sms in outbox)


def test_a_displaced_reporter_is_recorded_and_the_place_stays_where_it_happened(deployment):
    from places.models import Commune
    from reporting.services import PlaceChoice, report_submit

    hombori = Commune.objects.get(name="Hombori")
    submitted = report_submit(
        channel="web", description="x", place=PlaceChoice(commune_id=hombori.pk), reporter_displaced=True
    )

    report = Report.objects.get(pk=submitted.report.pk)
    assert report.reporter_displaced is True
    assert report.commune_id == hombori.pk
    # The default is "not said", not "not displaced" asked of anyone.
    assert report_submit(channel="web", description="y").report.reporter_displaced is False


def _trail(report: Report) -> list[str]:
    return list(report.events.order_by("pk").values_list("kind", flat=True))


@pytest.mark.parametrize(
    ("category", "with_photo", "trail"),
    [
        # The usual report: its three opening events written in one INSERT.
        ("", False, ["received", "place_set", "routed"]),
        # A photo's event comes in between.
        ("", True, ["received", "place_set", "photo_added", "routed"]),
        # The resident's own accusation is a row of its own, no event.
        ("force_abuse", False, ["received", "place_set", "routed"]),
    ],
)
def test_a_new_report_s_trail_keeps_the_order_things_happened_in(deployment, category, with_photo, trail):
    import io

    from PIL import Image

    from focal_points.models import Category
    from places.models import Commune
    from reporting.photos import clean_photo
    from reporting.services import PlaceChoice, report_submit

    photos = []
    if with_photo:
        raw = io.BytesIO()
        Image.effect_noise((64, 48), 60).convert("RGB").save(raw, format="JPEG")
        photos.append(clean_photo(raw.getvalue()))
    submitted = report_submit(
        channel="web",
        category=category or Category.ARMED_ATTACK,
        description="x",
        place=PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk),
        photos=photos,
    )

    report = submitted.report
    assert _trail(report) == trail
    # Every recipient told by SMS is written with its notified_at: no UPDATE after.
    recipients = list(report.recipients.all())
    assert recipients and all(r.notified_at is not None for r in recipients)
    assert report.place_label == "Dangol-Boré"
