"""Finding 4: sessions have an absolute lifetime, and the authenticator code is asked again
before the actions that matter most (forward an alert, close a report, export, approve a
community alert, change the accused force) when the last code is older than
``STAFF_REAUTH_SECONDS``. The prompt works without JavaScript and keeps the pending action:
the code is typed on a page that posts the same action again."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from alerts import community
from alerts.models import Alert, CommunityAlert, CommunityAlertStatus
from focal_points.models import Category, Member
from places.models import Commune
from reporting import triage
from reporting.models import Report, ReportStatus
from reporting.services import PlaceChoice, report_submit
from tests.staff.helpers import PASSWORD, current_code, give_account

pytestmark = pytest.mark.django_db


def age_session(client: Client, key: str, seconds: int) -> None:
    session = client.session
    session[key] -= seconds
    session.save()


def stale_code(client: Client, settings) -> Client:
    age_session(client, "veille_code_at", settings.STAFF_REAUTH_SECONDS + 1)
    return client


def device_of(name: str) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=Member.objects.get(name=name).user).get()
    device.last_t = -1  # the fixture's device has never been used: any current code works
    device.save()
    return device


def pending_form(page) -> tuple[str, list[tuple[str, str]]]:
    """The re-authentication page's form: where it posts, and its hidden fields."""
    html = page.content.decode()
    form = re.search(r'<form method="post" action="([^"]*)" class="reauth">(.*?)</form>', html, re.S)
    assert form, "no re-authentication form on the page"
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
    kept = [(unescape(n), unescape(v)) for n, v in hidden if n != "csrfmiddlewaretoken"]
    return unescape(form.group(1)), kept


def answer(client: Client, page, code: str):
    """Type the code in the prompt and submit it, as a browser without JavaScript would."""
    action, hidden = pending_form(page)
    data: dict[str, list[str]] = {}
    for name, value in hidden:
        data.setdefault(name, []).append(value)
    data["reauth_code"] = [code]
    return client.post(action, data)


@pytest.fixture
def report(deployment) -> Report:
    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    report = report_submit(channel="sms", category=Category.ARMED_ATTACK, description="mots", place=place).report
    aminata = Member.objects.get(name="Aminata Guindo")
    triage.report_classify(member=aminata, report_id=report.pk, severity="critical", accused_force="")
    triage.report_summarise(member=aminata, report_id=report.pk, summary="Attaque armee au marche.")
    return report


# --- Absolute lifetime ------------------------------------------------------------


def test_a_session_ends_after_its_absolute_lifetime_whatever_the_activity(staff_client, settings):
    client = staff_client("Aminata Guindo")
    assert settings.STAFF_SESSION_MAX_SECONDS == 8 * 3600
    assert client.get("/staff/reports/").status_code == 200
    age_session(client, "veille_login_at", settings.STAFF_SESSION_MAX_SECONDS - 60)
    assert client.get("/staff/reports/").status_code == 200  # active, still within the limit

    age_session(client, "veille_login_at", 61)
    response = client.get("/staff/reports/")

    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    assert not Session.objects.exists()


def test_a_session_without_a_login_time_is_not_trusted(staff_client):
    client = staff_client("Aminata Guindo")
    session = client.session
    del session["veille_login_at"]
    session.save()

    assert client.get("/staff/reports/")["Location"].startswith("/staff/login/")


def test_the_real_login_records_the_login_and_code_times(deployment):
    user = give_account("Aminata Guindo", "aminata")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.post("/staff/login/", {"username": "aminata", "password": PASSWORD, "code": current_code(device)})

    assert {"veille_login_at", "veille_code_at"} <= set(client.session.keys())


# --- Re-authentication before sensitive actions -----------------------------------


def test_forwarding_asks_for_the_code_again_and_then_forwards(staff_client, report, settings, outbox):
    client = stale_code(staff_client("Aminata Guindo"), settings)
    coulibaly = Member.objects.get(name="Adjudant Coulibaly")

    prompt = client.post(f"/staff/alerts/forward/{report.pk}/", {"focal_point": [str(coulibaly.pk)]})

    assert prompt.status_code == 200 and 'name="reauth_code"' in prompt.content.decode()
    assert "<script" not in prompt.content.decode()
    assert not Alert.objects.exists()
    action, hidden = pending_form(prompt)
    assert action == f"/staff/alerts/forward/{report.pk}/" and ("focal_point", str(coulibaly.pk)) in hidden

    done = answer(client, prompt, current_code(device_of("Aminata Guindo")))

    assert done.status_code == 302 and done["Location"] == f"/staff/reports/{report.pk}/"
    assert Alert.objects.filter(report=report, focal_point=coulibaly).count() == 1
    # The fresh code now covers the next sensitive action for a while.
    assert client.post(f"/staff/reports/{report.pk}/close/", {"reason": "resolved"}).status_code == 302


def test_a_wrong_code_does_nothing_and_keeps_the_pending_action(staff_client, report, settings):
    client = stale_code(staff_client("Aminata Guindo"), settings)
    prompt = client.post(f"/staff/reports/{report.pk}/close/", {"reason": "resolved"})

    wrong = answer(client, prompt, "000000")

    assert wrong.status_code == 200 and "Code incorrect" in wrong.content.decode()
    assert pending_form(wrong) == pending_form(prompt)
    report.refresh_from_db()
    assert report.status != ReportStatus.CLOSED


def test_closing_a_report_needs_a_recent_code(staff_client, report, settings):
    client = stale_code(staff_client("Aminata Guindo"), settings)

    prompt = client.post(f"/staff/reports/{report.pk}/close/", {"reason": "resolved"})
    report.refresh_from_db()
    assert report.status != ReportStatus.CLOSED and 'name="reauth_code"' in prompt.content.decode()

    done = answer(client, prompt, current_code(device_of("Aminata Guindo")))

    assert done["Location"] == f"/staff/reports/{report.pk}/"
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED


def test_changing_the_accused_force_needs_a_recent_code_other_classifying_does_not(staff_client, report, settings):
    client = stale_code(staff_client("Aminata Guindo"), settings)
    url = f"/staff/reports/{report.pk}/classify/"

    same_force = client.post(url, {"category": Category.ARMED_ATTACK, "severity": "high", "accused_force": ""})
    report.refresh_from_db()
    assert same_force.status_code == 302 and report.severity == "high"

    prompt = client.post(url, {"category": Category.ARMED_ATTACK, "severity": "high", "accused_force": "police"})
    report.refresh_from_db()
    assert 'name="reauth_code"' in prompt.content.decode() and report.accused_force == ""

    answer(client, prompt, current_code(device_of("Aminata Guindo")))
    report.refresh_from_db()
    assert report.accused_force == "police"


def test_the_force_check_does_not_reveal_a_hidden_report(staff_client, report, settings):
    client = stale_code(staff_client("Inspecteur Konaté"), settings)

    response = client.post(f"/staff/reports/{report.pk}/classify/", {"accused_force": "police"})

    assert response.status_code == 404


def test_exporting_asks_for_the_code_and_comes_back_to_the_download(staff_client, settings):
    client = stale_code(staff_client("Mariam Traoré"), settings)
    url = "/staff/alerts/dashboard/?days=2&by=category&format=csv"
    assert client.get("/staff/alerts/dashboard/?days=2").status_code == 200  # the page itself: no code

    prompt = client.get(url)
    assert prompt.status_code == 200 and not prompt["Content-Type"].startswith("text/csv")
    action, hidden = pending_form(prompt)
    assert action == "/staff/reauth/" and ("next", url) in hidden

    back = answer(client, prompt, current_code(device_of("Mariam Traoré")))
    assert back.status_code == 302 and back["Location"] == url
    assert client.get(url)["Content-Type"].startswith("text/csv")


def test_approving_a_community_alert_needs_a_recent_code_refusing_does_not(staff_client, deployment, settings):
    ibrahim = Member.objects.get(name="Ibrahim Keita")
    commune = Commune.objects.get(name="Hombori", cercle__region__name="Mopti")
    first = community.community_alert_propose(member=ibrahim, text="Evitez la route ce soir.", commune_ids=[commune.pk])
    second = community.community_alert_propose(member=ibrahim, text="Marche ferme demain.", commune_ids=[commune.pk])
    client = stale_code(staff_client("Mariam Traoré"), settings)

    refused = client.post(f"/staff/alerts/community/{second.pk}/decide/", {"decision": "reject"})
    prompt = client.post(f"/staff/alerts/community/{first.pk}/decide/", {"decision": "approve"})

    assert refused.status_code == 302
    assert CommunityAlert.objects.get(pk=first.pk).status == CommunityAlertStatus.PENDING
    answer(client, prompt, current_code(device_of("Mariam Traoré")))
    assert CommunityAlert.objects.get(pk=first.pk).status != CommunityAlertStatus.PENDING


def test_the_code_is_not_asked_while_it_is_recent(staff_client, report, settings):
    client = staff_client("Aminata Guindo")
    age_session(client, "veille_code_at", settings.STAFF_REAUTH_SECONDS - 30)

    response = client.post(f"/staff/reports/{report.pk}/close/", {"reason": "resolved"})

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED


def test_the_reauth_page_refuses_an_open_redirect(staff_client, settings):
    client = stale_code(staff_client("Aminata Guindo"), settings)

    response = client.post(
        "/staff/reauth/",
        {"reauth_code": current_code(device_of("Aminata Guindo")), "next": "https://evil.example/"},
    )

    assert response["Location"] == "/staff/"


def test_guessing_codes_on_a_stolen_session_ends_it(staff_client, report, settings):
    client = stale_code(staff_client("Aminata Guindo"), settings)
    device = device_of("Aminata Guindo")
    prompt = client.post(f"/staff/reports/{report.pk}/close/", {"reason": "resolved"})

    for _ in range(settings.LOGIN_MAX_FAILURES):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # past django-otp's own delay
        last = answer(client, prompt, "000000")

    assert last.status_code == 302 and last["Location"].startswith("/staff/login/")
    assert not Session.objects.exists()
    report.refresh_from_db()
    assert report.status != ReportStatus.CLOSED


def test_exporting_the_trail_asks_for_the_code_the_page_does_not(staff_client, settings):
    client = stale_code(staff_client("Mariam Traoré"), settings)
    assert client.get("/staff/reports/trail/").status_code == 200

    prompt = client.get("/staff/reports/trail/?format=csv")

    assert prompt.status_code == 200 and not prompt["Content-Type"].startswith("text/csv")
    back = answer(client, prompt, current_code(device_of("Mariam Traoré")))
    assert back.status_code == 302
    assert client.get("/staff/reports/trail/?format=csv")["Content-Type"].startswith("text/csv")
