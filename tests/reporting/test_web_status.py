"""The status page: a POST form (the code never goes into a URL), status words only,
never what the report says; a clear message for an unknown code; the support consent
question of scenario 3 answered on the channel the reporter used."""

from __future__ import annotations

import pytest

from reporting.models import Consent, Report, ReportEvent, ReportEventKind, ReportStatus
from reporting.services import report_submit

pytestmark = pytest.mark.django_db

URL = "/report/status/"
SECRET_WORDS = "Hommes armés près du puits de Sévaré"


@pytest.fixture
def submitted(gazetteer):
    return report_submit(channel="web", category="gbv", description=SECRET_WORDS)


def test_it_shows_a_post_form_without_cookie(client):
    response = client.get(URL)
    page = response.content.decode()

    assert response.status_code == 200 and not response.cookies
    assert '<form method="post" action=""' in page and 'name="code"' in page
    assert "csrfmiddlewaretoken" not in page


def test_a_code_in_the_url_is_ignored(client, submitted):
    response = client.get(URL, {"code": submitted.receipt})
    page = response.content.decode()

    assert "État de votre signalement" not in page and submitted.receipt not in page
    assert not ReportEvent.objects.filter(kind=ReportEventKind.STATUS_CHECKED).exists()


@pytest.mark.parametrize("spelling", ["exact", "lower", "spaced", "dashed"])
def test_it_gives_the_status_word_and_nothing_of_the_content(client, submitted, spelling):
    code = submitted.receipt
    typed = {
        "exact": code,
        "lower": code.lower(),
        "spaced": f" {code[:3]} {code[3:]} ",
        "dashed": f"{code[:3]}-{code[3:]}",
    }[spelling]

    response = client.post(URL, {"code": typed})
    page = response.content.decode()

    assert response.status_code == 200 and not response.cookies
    assert '<p class="status-word">Reçu</p>' in page
    assert 'aria-current="step">Reçu</li>' in page
    for secret in ["Sévaré", "puits", "Violence", submitted.report.reference]:
        assert secret not in page
    assert (
        ReportEvent.objects.filter(report=submitted.report, kind=ReportEventKind.STATUS_CHECKED, channel="web").count()
        == 1
    )


@pytest.mark.parametrize(
    "status, word",
    [
        (ReportStatus.RECEIVED, "Reçu"),
        (ReportStatus.IN_REVIEW, "En vérification"),
        (ReportStatus.FORWARDED, "Transmis"),
        (ReportStatus.CLOSED, "Clôturé"),
    ],
)
def test_it_follows_every_step(client, submitted, status, word):
    Report.objects.filter(pk=submitted.report.pk).update(status=status)

    page = client.post(URL, {"code": submitted.receipt}).content.decode()

    assert f'<p class="status-word">{word}</p>' in page
    assert f'aria-current="step">{word}</li>' in page


@pytest.mark.parametrize("code", ["KKKKKK", "ABC", "K7M4QX9", "'; drop table--", "éééééé"])
def test_an_unknown_code_gets_a_clear_message(client, submitted, code):
    response = client.post(URL, {"code": code})
    page = response.content.decode()

    assert response.status_code == 200
    assert "Aucun signalement ne correspond à ce code" in page
    assert "État de votre signalement" not in page


def test_an_empty_or_overlong_code_is_refused_plainly(client, gazetteer):
    empty = client.post(URL, {"code": ""}).content.decode()
    long = client.post(URL, {"code": "K" * 50}).content.decode()

    assert "Écrivez le code de suivi" in empty
    assert 'class="errors" role="alert"' in long


def test_the_status_page_speaks_english_at_en(client, submitted):
    Report.objects.filter(pk=submitted.report.pk).update(status=ReportStatus.IN_REVIEW)

    page = client.post("/en/report/status/", {"code": submitted.receipt}).content.decode()

    assert '<html lang="en">' in page
    assert '<p class="status-word">Being checked</p>' in page


# --- scenario 3: consent asked through the channel she used ---------------------------


def _ask(report: Report) -> None:
    Report.objects.filter(pk=report.pk).update(support_consent=Consent.ASKED)


def test_no_question_unless_a_relay_asked(client, submitted):
    page = client.post(URL, {"code": submitted.receipt}).content.decode()

    assert "centre d'appui" not in page


@pytest.mark.parametrize("answer, outcome", [("yes", Consent.GIVEN), ("no", Consent.REFUSED)])
def test_she_answers_the_consent_question_on_the_status_page(client, submitted, answer, outcome):
    _ask(submitted.report)
    page = client.post(URL, {"code": submitted.receipt}).content.decode()
    assert "centre d'appui" in page and 'name="consent" value="yes"' in page

    response = client.post(URL, {"code": submitted.receipt, "consent": answer})

    submitted.report.refresh_from_db()
    assert submitted.report.support_consent == outcome
    assert "Merci, votre réponse est enregistrée" in response.content.decode()
    assert "centre d'appui" not in response.content.decode(), "asked once"
    event = ReportEvent.objects.get(report=submitted.report, kind=ReportEventKind.CONSENT_ANSWERED)
    assert (event.channel, event.detail) == ("web", outcome)


def test_a_consent_answer_needs_the_right_code(client, submitted):
    _ask(submitted.report)

    response = client.post(URL, {"code": "KKKKKK", "consent": "yes"})

    assert "Aucun signalement ne correspond" in response.content.decode()
    submitted.report.refresh_from_db()
    assert submitted.report.support_consent == Consent.ASKED


@pytest.mark.parametrize("answer", ["maybe", "", "YES"])
def test_a_malformed_consent_answer_changes_nothing(client, submitted, answer):
    _ask(submitted.report)

    response = client.post(URL, {"code": submitted.receipt, "consent": answer})

    assert response.status_code == 200
    submitted.report.refresh_from_db()
    assert submitted.report.support_consent == Consent.ASKED


def test_an_answer_without_a_question_changes_nothing(client, submitted):
    client.post(URL, {"code": submitted.receipt, "consent": "yes"})

    submitted.report.refresh_from_db()
    assert submitted.report.support_consent == Consent.NOT_ASKED


def _ask_choices(report: Report) -> None:
    Report.objects.filter(pk=report.pk).update(
        question={"text": "Combien de blessés ?", "choices": ["aucun", "un ou deux", "plus"]}
    )


def test_a_question_with_choices_is_answered_by_digit_on_the_status_page(client, submitted):
    _ask_choices(submitted.report)
    page = client.post(URL, {"code": submitted.receipt}).content.decode()
    assert "Combien de blessés ?" in page and 'name="choice" value="2"' in page

    response = client.post(URL, {"code": submitted.receipt, "choice": "2"})

    submitted.report.refresh_from_db()
    assert submitted.report.description.endswith("Réponse 2: un ou deux")
    assert submitted.report.question is None
    assert "Merci, votre réponse est enregistrée" in response.content.decode()
    assert "Combien de blessés" not in response.content.decode(), "asked once"
    event = ReportEvent.objects.get(report=submitted.report, kind=ReportEventKind.QUESTION_ANSWERED)
    assert (event.channel, event.detail) == ("web", "choice 2")


@pytest.mark.parametrize("choice", ["0", "4", "", "x", "12"])
def test_a_choice_outside_the_list_changes_nothing(client, submitted, choice):
    _ask_choices(submitted.report)

    client.post(URL, {"code": submitted.receipt, "choice": choice})

    submitted.report.refresh_from_db()
    assert submitted.report.question is not None
    assert not ReportEvent.objects.filter(kind=ReportEventKind.QUESTION_ANSWERED).exists()
