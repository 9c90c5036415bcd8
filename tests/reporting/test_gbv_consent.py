"""Scenario 3: gender-based violence reaches trained relays; the support centre gets a
referral only with the reporter's yes, asked on the channel she used."""

from __future__ import annotations

import pytest

from focal_points.models import Category, Member
from reporting import triage
from reporting.models import Consent, Report
from reporting.services import PlaceChoice, report_answer_consent, report_submit

pytestmark = pytest.mark.django_db
KADIATOU = "+22376300002"  # support centre, Mopti region


@pytest.fixture
def fatoumata(deployment):
    return Member.objects.get(name="Fatoumata Cissé")


@pytest.fixture
def gbv_by_sms(fatoumata, phone, outbox):
    phone.send("violence contre une femme a Hombori")
    report = Report.objects.get()
    triage.report_classify(member=fatoumata, report_id=report.pk, category=Category.GBV)
    return report


def test_refusal_without_consent_whatever_the_relay_clicks(gbv_by_sms, fatoumata, outbox):
    with pytest.raises(triage.TriageError, match="sans le consentement"):
        triage.report_refer_to_support(member=fatoumata, report_id=gbv_by_sms.pk)

    assert not gbv_by_sms.recipients.filter(member__name="Kadiatou Bah").exists()
    assert all(sms.to != KADIATOU for sms in outbox)


def test_yes_by_sms_allows_the_referral(gbv_by_sms, fatoumata, phone, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        triage.report_request_consent(member=fatoumata, report_id=gbv_by_sms.pk)
    question = outbox[-1]
    assert question.to == "+22376123456" and "Répondez OUI ou NON" in question.body

    phone.send("Oui")
    gbv_by_sms.refresh_from_db()
    assert gbv_by_sms.support_consent == Consent.GIVEN
    assert Report.objects.count() == 1  # the answer did not become a report

    with django_capture_on_commit_callbacks(execute=True):
        triage.report_refer_to_support(member=fatoumata, report_id=gbv_by_sms.pk)
    notice = [sms for sms in outbox if sms.to == KADIATOU]
    assert len(notice) == 1 and "violence" not in notice[0].body
    assert gbv_by_sms.recipients.get(member__name="Kadiatou Bah").rule.startswith("Orientation avec consentement")


def test_no_by_sms_keeps_the_centre_out(gbv_by_sms, fatoumata, phone, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        triage.report_request_consent(member=fatoumata, report_id=gbv_by_sms.pk)
    phone.send("non")

    gbv_by_sms.refresh_from_db()
    assert gbv_by_sms.support_consent == Consent.REFUSED
    with pytest.raises(triage.TriageError):
        triage.report_refer_to_support(member=fatoumata, report_id=gbv_by_sms.pk)


def test_a_web_reporter_is_asked_on_the_status_page_not_by_sms(fatoumata, outbox):
    from places.models import Commune

    report = report_submit(
        channel="web",
        category=Category.GBV,
        description="x",
        place=PlaceChoice(commune_id=Commune.objects.get(name="Hombori").pk),
    ).report

    triage.report_request_consent(member=fatoumata, report_id=report.pk)
    report_answer_consent(report=Report.objects.get(pk=report.pk), given=True, channel="web")

    assert Report.objects.get(pk=report.pk).support_consent == Consent.GIVEN
    assert outbox == []


def test_consent_is_only_asked_for_gbv(fatoumata, phone):
    phone.send("vol a Hombori")

    with pytest.raises(triage.TriageError, match="violences basées sur le genre"):
        triage.report_request_consent(member=fatoumata, report_id=Report.objects.get().pk)
