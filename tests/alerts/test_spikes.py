"""Early warning: a rise of one category in one cercle against the four weeks before is
recorded once, sent once by SMS to the coordinators of that area, and shown on their
dashboard with the reports behind it. The clock is frozen (tests/clock.py)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alerts import spike_method, tasks
from alerts.models import Spike, SpikeEvent, SpikeEventKind, SpikeStatus
from alerts.selectors import spike_candidates
from alerts.texts import spike_sms
from focal_points.models import Member
from messaging.models import OutboundMessage
from places.models import Cercle
from reporting.models import Report
from veille.gsm7 import SINGLE_SEGMENT_GSM7, gsm7_length, is_gsm7

pytestmark = pytest.mark.django_db
BAMAKO = ZoneInfo("Africa/Bamako")
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=BAMAKO)
_numbers = itertools.count(1)


def make_report(cercle: Cercle, category: str, at: datetime) -> Report:
    n = next(_numbers)
    return Report.objects.create(
        reference=f"T{n:07d}",
        receipt_digest=f"digest-{n}",
        channel="sms",
        category=category,
        region=cercle.region,
        cercle=cercle,
        received_at=at,
        last_message_at=at,
    )


@pytest.fixture
def douentza(deployment, clock) -> Cercle:
    clock.set(NOW)
    return Cercle.objects.get(name="Douentza")


def background(cercle: Cercle, category: str = "armed_attack") -> None:
    """One report a week over the four weeks before: the usual."""
    for week in range(1, 5):
        make_report(cercle, category, NOW - timedelta(days=7 * week + 2))


def test_poisson_threshold_method():
    # P(X >= 3 | 0.5) is about 1.4 %, P(X >= 5 | 0.5) about 0.017 %.
    assert spike_method.poisson_tail(3, 0.5) == pytest.approx(0.01439, rel=1e-3)
    assert spike_method.threshold(0.5, alpha=0.001, min_count=3) == 5
    assert spike_method.threshold(0.0001, alpha=0.001, min_count=3) == 3  # never under the minimum
    assert not spike_method.judge(2, [0] * 28).is_spike
    assert spike_method.judge(3, [0] * 28).is_spike


def test_a_rise_is_detected_recorded_once_and_sent_once(douentza, outbox, clock, django_capture_on_commit_callbacks):
    background(douentza)
    behind = [make_report(douentza, "armed_attack", NOW - timedelta(hours=h)) for h in (1, 3, 5, 8)]
    make_report(douentza, "robbery", NOW - timedelta(hours=2))  # another category: not in it

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.detect_spikes() == 1
    spike = Spike.objects.get()
    assert (spike.window, spike.category, spike.observed) == ("day", "armed_attack", 4)
    assert spike.status == SpikeStatus.NOTIFIED
    mariam = Member.objects.get(name="Mariam Traoré")  # coordinator of the Mopti region
    notified = SpikeEvent.objects.filter(spike=spike, kind=SpikeEventKind.NOTIFIED)
    assert [event.member for event in notified] == [mariam]
    assert SpikeEvent.objects.filter(spike=spike, kind=SpikeEventKind.DETECTED).count() == 1
    (sms,) = OutboundMessage.objects.filter(purpose="spike")
    assert "Douentza" in sms.body and "4 signalements en 24 h" in sms.body
    assert is_gsm7(sms.body) and gsm7_length(sms.body) <= SINGLE_SEGMENT_GSM7
    assert {r.pk for r in spike_reports_of(spike)} == {r.pk for r in behind}

    # The next runs, later the same day and after midnight, hold the same reports: nothing new.
    clock.move(minutes=15)
    assert tasks.detect_spikes() == 0
    clock.set(NOW.replace(hour=23, minute=59) + timedelta(minutes=2))
    assert tasks.detect_spikes() == 0
    assert Spike.objects.count() == 1
    assert OutboundMessage.objects.filter(purpose="spike").count() == 1


def spike_reports_of(spike):
    from alerts.selectors import spike_reports

    return spike_reports(spike, Report.objects.all())


def test_usual_counts_raise_nothing(douentza):
    # Three a week for four weeks, and three this week: the usual, whatever the day.
    for week in range(0, 5):
        for day in (1, 3, 5):
            make_report(douentza, "robbery", NOW - timedelta(days=7 * week + day, hours=1))
    assert spike_candidates(now=NOW) == []


def test_a_slow_weekly_rise_is_a_weekly_spike(douentza):
    background(douentza, "explosive")
    for day in range(7):  # one a day: never three in 24 hours, seven in a week
        make_report(douentza, "explosive", NOW - timedelta(days=day, hours=2))
    (candidate,) = spike_candidates(now=NOW)
    assert (candidate.window, candidate.observed) == ("week", 7)


@pytest.mark.parametrize("language", ["fr", "en", "bm"])
def test_spike_sms_is_one_gsm7_segment_in_each_language(language):
    body = spike_sms(
        category="intercommunity",
        cercle="Tominian-Fangasso-Très-Long-Nom",
        observed=128,
        window="week",
        mean=12.75,
        language=language,
    )
    assert is_gsm7(body)
    assert gsm7_length(body) <= SINGLE_SEGMENT_GSM7


def test_the_coordinator_reads_it_in_their_language(douentza, clock):
    Member.objects.filter(name="Mariam Traoré").update(languages="bm")
    for h in (1, 2, 3):
        make_report(douentza, "kidnapping", NOW - timedelta(hours=h))
    tasks.detect_spikes()
    (sms,) = OutboundMessage.objects.filter(purpose="spike")
    assert sms.body.startswith("Veille LASOMINI")


def test_outside_the_area_no_sms(deployment, clock):
    clock.set(NOW)
    kayes = Cercle.objects.get(name="Kayes")
    for h in (1, 2, 3):
        make_report(kayes, "armed_attack", NOW - timedelta(hours=h))
    assert tasks.detect_spikes() == 1  # recorded, shown to the national coordination
    assert not OutboundMessage.objects.filter(purpose="spike").exists()  # no Mopti coordinator told


def test_the_dashboard_shows_the_spike_its_reports_and_a_chart_per_cercle(douentza, staff_client):
    behind = [make_report(douentza, "armed_attack", NOW - timedelta(hours=h)) for h in (1, 2, 3)]
    kayes = Cercle.objects.get(name="Kayes")
    elsewhere = [make_report(kayes, "armed_attack", NOW - timedelta(hours=h)) for h in (1, 2, 3)]
    tasks.detect_spikes()
    assert Spike.objects.count() == 2

    page = staff_client("Mariam Traoré").get("/staff/alerts/dashboard/").content.decode()
    assert "cercle de Douentza" in page
    assert all(f"R-{r.reference}" in page for r in behind)
    # Kayes is outside her region: neither its spike nor its reports.
    assert "Kayes" not in page
    assert not any(f"R-{r.reference}" in page for r in elsewhere)
    assert 'class="bar-spike"' in page  # today's bar in the Douentza chart
    assert "<script" not in page


def test_the_dashboard_says_what_will_appear_when_empty(deployment, staff_client):
    page = staff_client("Mariam Traoré").get("/staff/alerts/dashboard/").content.decode()
    assert "Aucune hausse inhabituelle" in page
    assert "apparaîtra ici" in page


def test_a_chart_without_any_time_is_the_empty_state():
    from alerts.charts import bar_chart

    assert bar_chart([("Mopti", None, None)]) == ""
    assert "<svg" in bar_chart([("Mopti", timedelta(minutes=5), None)])
