"""A relay asks a web or USSD reporter from the report page: only with numbered choices,
which the reporter answers by digit on the status page or the USSD follow-up menu."""

from __future__ import annotations

import pytest

from focal_points.models import Category
from places.models import Commune
from reporting.models import Report, ReportEventKind
from reporting.services import PlaceChoice, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def web_report(deployment) -> Report:
    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    return report_submit(channel="web", category=Category.ARMED_ATTACK, description="x", place=place).report


def test_a_question_with_choices_reaches_a_web_reporter(staff_client, web_report, outbox):
    client = staff_client("Aminata Guindo")
    assert 'action="ask/"' in client.get(f"/staff/reports/{web_report.pk}/").content.decode()

    client.post(
        f"/staff/reports/{web_report.pk}/ask/", {"question": "Combien de blessés ? 1 aucun 2 un ou deux 3 plus"}
    )

    web_report.refresh_from_db()
    assert web_report.question == {"text": "Combien de blessés ?", "choices": ["aucun", "un ou deux", "plus"]}
    assert web_report.events.filter(kind=ReportEventKind.QUESTION_ASKED).count() == 1
    assert outbox == []  # a web reporter left no number


def test_a_plain_question_to_a_web_reporter_is_refused(staff_client, web_report):
    response = staff_client("Aminata Guindo").post(
        f"/staff/reports/{web_report.pk}/ask/", {"question": "Ou exactement ?"}, follow=True
    )

    web_report.refresh_from_db()
    assert web_report.question is None
    assert "ne peut pas recevoir de question" in response.content.decode()
