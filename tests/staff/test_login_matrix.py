"""The login matrix: each state an account can be in (enrolled, pending enrolment,
disabled, locked out, expired) against every staff URL. Only an enrolled, verified,
live session reaches a staff page; every other state is sent to the login, and no
staff view runs for it. A URL added under /staff/ without a line here fails the test."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from alerts import community
from alerts.models import Alert
from focal_points.models import Category, Member
from places.models import Commune
from reporting import triage
from reporting.photos import clean_photo
from reporting.services import PlaceChoice, report_photo_add, report_submit
from reporting.staff_views import ACTIONS
from tests.staff.helpers import PASSWORD, current_code

pytestmark = pytest.mark.django_db

# Reached without an account: the login itself, the logout, and /staff/ (a redirect).
PUBLIC = {"staff/", "staff/login/", "staff/logout/"}


def _a_jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="JPEG")
    return out.getvalue()


def staff_routes() -> set[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return {route for route in walk(get_resolver().url_patterns) if route.startswith("staff/")}


@pytest.fixture
def world(deployment):
    """A national coordinator who may see everything, with a report, an alert and a
    community alert to point URLs at."""
    ibrahim = Member.objects.get(name="Ibrahim Keita")
    ibrahim.user = get_user_model().objects.create_user("ibrahim", password=PASSWORD, is_staff=True, is_superuser=True)
    ibrahim.save(update_fields=["user"])
    device = TOTPDevice.objects.create(user=ibrahim.user, name="phone", confirmed=True)
    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    report = report_submit(channel="sms", category=Category.ARMED_ATTACK, description="mots", place=place).report
    triage.report_classify(member=ibrahim, report_id=report.pk, severity="critical", accused_force="")
    triage.report_summarise(member=ibrahim, report_id=report.pk, summary="Attaque armee au marche.")
    photo = report_photo_add(report=report, photo=clean_photo(_a_jpeg()))
    coulibaly = Member.objects.get(name="Adjudant Coulibaly")
    alert = Alert.objects.create(
        report=report,
        focal_point=coulibaly,
        forwarded_by=ibrahim,
        reference=report.reference,
        category=report.category,
        severity="critical",
        place="Dangol-Boré",
    )
    hombori = Commune.objects.get(name="Hombori", cercle__region__name="Mopti")
    warning = community.community_alert_propose(
        member=Member.objects.get(name="Mariam Traoré"), text="Evitez la route ce soir.", commune_ids=[hombori.pk]
    )
    aminata = Member.objects.get(name="Aminata Guindo")
    requests = {
        "staff/enroll/": [("get", "/staff/enroll/", {})],
        "staff/device/": [("get", "/staff/device/", {}), ("post", "/staff/device/", {"code": "123456"})],
        "staff/reauth/": [("get", "/staff/reauth/", {}), ("post", "/staff/reauth/", {"reauth_code": "1"})],
        "staff/reports/": [("get", "/staff/reports/", {})],
        "staff/reports/map/": [("get", "/staff/reports/map/", {})],
        "staff/reports/trail/": [("get", "/staff/reports/trail/", {})],
        "staff/reports/trail/<int:member_id>/": [("get", f"/staff/reports/trail/{aminata.pk}/", {})],
        "staff/reports/<int:report_id>/": [("get", f"/staff/reports/{report.pk}/", {})],
        "staff/reports/<int:report_id>/photos/<int:photo_id>/": [
            ("get", f"/staff/reports/{report.pk}/photos/{photo.pk}/", {}),
            ("get", f"/staff/reports/{report.pk}/photos/{photo.pk}/?preview=1", {}),
        ],
        "staff/reports/<int:report_id>/clearance/<int:clearance_id>/": [
            ("post", f"/staff/reports/{report.pk}/clearance/1/", {"decision": "approve"})
        ],
        "staff/reports/<int:report_id>/<slug:action>/": [
            ("post", f"/staff/reports/{report.pk}/{action}/", {"reason": "resolved", "summary": "Résumé."})
            for action in ACTIONS
        ],
        "staff/alerts/": [("get", "/staff/alerts/", {})],
        "staff/alerts/<int:alert_id>/step/": [("post", f"/staff/alerts/{alert.pk}/step/", {"step": "ok"})],
        "staff/alerts/dashboard/": [
            ("get", "/staff/alerts/dashboard/", {}),
            ("get", "/staff/alerts/dashboard/?format=csv", {}),
        ],
        "staff/alerts/forward/<int:report_id>/": [
            ("post", f"/staff/alerts/forward/{report.pk}/", {"focal_point": [str(coulibaly.pk)]})
        ],
        "staff/alerts/community/": [
            ("get", "/staff/alerts/community/", {}),
            ("post", "/staff/alerts/community/", {"text": "Marche ferme demain.", "commune": [str(hombori.pk)]}),
        ],
        "staff/alerts/community/<int:alert_id>/decide/": [
            ("post", f"/staff/alerts/community/{warning.pk}/decide/", {"decision": "approve"})
        ],
        "staff/api-tokens/": [
            ("get", "/staff/api-tokens/", {}),
            ("post", "/staff/api-tokens/", {"name": "outil", "scope": ["read"]}),
        ],
        "staff/api-tokens/<int:token_id>/revoke/": [("post", "/staff/api-tokens/1/revoke/", {})],
        "staff/exports/": [
            ("get", "/staff/exports/", {}),
            ("get", "/staff/exports/?format=hxl", {}),
            ("get", "/staff/exports/?format=geojson", {}),
        ],
        # The admin, behind the same login and second factor.
        "admin": [
            ("get", "/admin/", {}),
            ("get", "/admin/focal_points/member/", {}),
            ("get", "/admin/focal_points/accountevent/", {}),
        ],
    }
    return {"user": ibrahim.user, "device": device, "requests": requests}


def test_every_staff_url_is_in_the_matrix(world):
    assert staff_routes() - PUBLIC == set(world["requests"]) - {"admin"}


def log_in(world) -> Client:
    client = Client()
    response = client.post(
        "/staff/login/", {"username": "ibrahim", "password": PASSWORD, "code": current_code(world["device"])}
    )
    assert response.status_code == 302, "the real login failed"
    return client


def sent_to_login(response) -> bool:
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location.startswith(("/staff/login/", "/admin/login/"))


def run(client: Client, world, *, skip: tuple[str, ...] = ()) -> list[tuple[str, str, object]]:
    results = []
    for route, requests in world["requests"].items():
        if route in skip:
            continue
        for method, url, data in requests:
            response = getattr(client, method)(url, data) if method == "post" else client.get(url)
            results.append((method.upper(), url, response))
    return results


def refused_everywhere(client: Client, world, *, skip: tuple[str, ...] = ()) -> None:
    results = run(client, world, skip=skip)
    let_through = [f"{method} {url} -> {r.status_code}" for method, url, r in results if not sent_to_login(r)]
    assert not let_through, "reached without a valid session: " + ", ".join(let_through)


def test_enrolled_reaches_every_staff_url(world):
    client = log_in(world)

    results = run(client, world, skip=("staff/enroll/",))

    assert not [url for _, url, r in results if sent_to_login(r)]
    pages = {url: r.status_code for method, url, r in results if method == "GET"}
    assert all(code == 200 for code in pages.values()), pages
    assert client.get("/staff/enroll/")["Location"].startswith("/staff/login/")  # enrolled: no enrolment


def test_pending_enrolment_reaches_only_the_enrolment_page(world):
    TOTPDevice.objects.filter(user=world["user"]).delete()
    client = Client()
    assert client.post("/staff/login/", {"username": "ibrahim", "password": PASSWORD, "code": ""})[
        "Location"
    ].startswith("/staff/enroll/")

    assert client.get("/staff/enroll/").status_code == 200
    refused_everywhere(client, world, skip=("staff/enroll/",))


def test_disabled_reaches_nothing_even_if_its_session_row_survives(world):
    client = log_in(world)
    get_user_model().objects.filter(pk=world["user"].pk).update(is_active=False)  # behind the services' back

    refused_everywhere(client, world)


def test_locked_out_reaches_nothing_even_with_the_right_password_and_code(world, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        Client().post("/staff/login/", {"username": "ibrahim", "password": "wrong", "code": "1"})
    client = Client()
    refused = client.post(
        "/staff/login/", {"username": "ibrahim", "password": PASSWORD, "code": current_code(world["device"])}
    )

    assert refused.status_code == 403
    refused_everywhere(client, world)


def test_expired_reaches_nothing(world, settings):
    client = log_in(world)
    session = client.session
    session["veille_login_at"] -= settings.STAFF_SESSION_MAX_SECONDS + 1
    session.save()

    refused_everywhere(client, world)


def test_idle_expired_reaches_nothing(world, settings):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = log_in(world)
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))

    refused_everywhere(client, world)


def test_password_only_reaches_nothing(world):
    """Logged in by password alone (a session made without the second factor)."""
    client = Client()
    client.force_login(world["user"])

    refused_everywhere(client, world, skip=("staff/enroll/",))
