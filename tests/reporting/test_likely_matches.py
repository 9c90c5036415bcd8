"""Likely matches across channels: a USSD report has no text, so it matches on place,
time and category; and proposals are shown in the inbox, not only on an opened report."""

from __future__ import annotations

from datetime import timedelta

import pytest

from focal_points.models import Category, Member
from places.models import Commune
from reporting.access import report_likely_matches
from reporting.models import Report, StaffRead
from reporting.services import PlaceChoice, report_submit

pytestmark = pytest.mark.django_db


def submit(channel: str, *, text: str = "", category=Category.ARMED_ATTACK, commune=True, hours_ago=0) -> Report:
    dangol = Commune.objects.select_related("cercle").get(name="Dangol-Boré")
    place = PlaceChoice(commune_id=dangol.pk) if commune else PlaceChoice(cercle_id=dangol.cercle_id)
    report = report_submit(channel=channel, category=category, description=text, place=place).report
    if hours_ago:
        Report.objects.filter(pk=report.pk).update(received_at=report.received_at - timedelta(hours=hours_ago))
        report.refresh_from_db()
    return report


@pytest.fixture
def aminata(deployment):
    return Member.objects.get(name="Aminata Guindo")


def test_a_ussd_report_and_an_sms_report_of_the_same_commune_category_and_hour_match(aminata):
    sms = submit("sms", text="des hommes armes ont attaque le marche de boni, trois blesses")
    ussd = submit("ussd", hours_ago=2)

    from_ussd = report_likely_matches(report=ussd, member=aminata)
    from_sms = report_likely_matches(report=sms, member=aminata)

    assert [r for r, _ in from_ussd] == [sms] and [r for r, _ in from_sms] == [ussd]
    # Category and time decide when there are no words: a strong proposal, not 0.58.
    assert from_ussd[0][1] >= 0.9


def test_a_ussd_report_that_stopped_at_the_cercle_matches_one_of_a_commune_of_that_cercle(deployment):
    mariam = Member.objects.get(name="Mariam Traoré")  # regional coordinator: sees the cercle-level report
    sms = submit("sms", text="attaque au marche")
    ussd = submit("ussd", commune=False, hours_ago=1)

    assert [r for r, _ in report_likely_matches(report=sms, member=mariam)] == [ussd]
    assert [r for r, _ in report_likely_matches(report=ussd, member=mariam)] == [sms]


def test_no_proposal_for_another_category_without_words_or_a_day_apart(aminata):
    ussd = submit("ussd")
    submit("ussd", category=Category.ROBBERY)
    submit("ussd", hours_ago=30)

    assert report_likely_matches(report=ussd, member=aminata) == []


def test_the_inbox_proposes_the_match_and_records_the_references_it_showed(staff_client, aminata):
    sms = submit("sms", text="attaque au marche de boni")
    ussd = submit("ussd", hours_ago=3)

    page = staff_client("Aminata Guindo").get("/staff/reports/").content.decode()

    section = page.split("Peut-être le même incident", 1)[1].split("</section>", 1)[0]
    assert f"R-{sms.reference}" in section and f"R-{ussd.reference}" in section
    assert section.count("<li>") == 1  # the pair once, not once from each side
    read = StaffRead.objects.filter(member=aminata).latest("at")
    assert {sms.reference, ussd.reference} <= set(read.references.split())


def test_the_inbox_proposes_nothing_when_nothing_matches(staff_client, aminata):
    submit("sms", text="attaque au marche")

    assert "Peut-être le même incident" not in staff_client("Aminata Guindo").get("/staff/reports/").content.decode()
