"""The permission matrix: every role against every staff view. Access denied is a 404
(or a 403 for someone who is no member at all), never a leak in a list or a count."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from focal_points.models import Category
from places.models import Commune
from reporting.models import Report, ReportEventKind
from reporting.services import PlaceChoice, report_submit

pytestmark = pytest.mark.django_db

# member: (sees Boni attack, sees Sévaré abuse complaint)
MATRIX = {
    "Aminata Guindo": (True, False),  # relay, Boni
    "Hamadoun Cissé": (False, True),  # relay, Mopti/Socoura
    "Mariam Traoré": (True, True),  # regional coordinator
    "Ibrahim Keita": (True, True),  # national coordination
    "Adjudant Coulibaly": (False, False),  # gendarmerie focal point: alerts only
    "Inspecteur Konaté": (False, False),  # police focal point, the accused force
    "Awa Sangaré": (False, True),  # oversight: the abuse complaint was routed to her
    "Moussa Dicko": (False, False),  # mediator
    "Kadiatou Bah": (False, False),  # support service: only with consent
}


@pytest.fixture
def reports(deployment):
    def make(commune: str, category: str, text: str) -> Report:
        place = PlaceChoice(commune_id=Commune.objects.get(name=commune).pk)
        return report_submit(channel="web", category=category, description=text, place=place).report

    boni = make("Dangol-Boré", Category.ARMED_ATTACK, "attaque au marche")
    sevare = make("Socoura", Category.FORCE_ABUSE, "des policiers ont frappe un chauffeur")
    sevare.accused_force = "police"
    sevare.save(update_fields=["accused_force"])
    return boni, sevare


@pytest.mark.parametrize("name", list(MATRIX))
def test_inbox_lists_exactly_what_the_role_may_see(staff_client, reports, name):
    boni, sevare = reports
    page = staff_client(name).get("/staff/reports/?status=all").content.decode()

    assert (f"R-{boni.reference}" in page, f"R-{sevare.reference}" in page) == MATRIX[name]


@pytest.mark.parametrize("name", list(MATRIX))
def test_report_pages_answer_404_when_not_visible(staff_client, reports, name):
    client = staff_client(name)
    codes = tuple(client.get(f"/staff/reports/{report.pk}/").status_code for report in reports)

    assert codes == tuple(200 if visible else 404 for visible in MATRIX[name])


@pytest.mark.parametrize("action", ["claim", "verify", "classify", "summarise", "redact", "close", "link", "ask"])
@pytest.mark.parametrize("name", ["Inspecteur Konaté", "Aminata Guindo", "Moussa Dicko"])
def test_actions_on_an_invisible_report_are_404_and_change_nothing(staff_client, reports, name, action):
    _, sevare = reports
    before = (sevare.status, sevare.category, sevare.claimed_by_id)

    # Invalid input on purpose: validation must not run before visibility is checked.
    response = staff_client(name).post(f"/staff/reports/{sevare.pk}/{action}/", {"other": str(sevare.pk)})

    assert response.status_code == 404
    sevare.refresh_from_db()
    assert (sevare.status, sevare.category, sevare.claimed_by_id) == before


def test_an_unknown_action_is_404(staff_client, reports):
    boni, _ = reports
    assert staff_client("Aminata Guindo").post(f"/staff/reports/{boni.pk}/delete/").status_code == 404


def test_a_verified_user_who_is_no_member_gets_403(client, reports):
    user = get_user_model().objects.create_user("visitor", password="x" * 20)
    device = TOTPDevice.objects.create(user=user, name="p", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()

    assert client.get("/staff/reports/").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, reports):
    boni, _ = reports
    for url in ["/staff/reports/", f"/staff/reports/{boni.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    assert client.post(f"/staff/reports/{boni.pk}/claim/").status_code == 302


def test_a_disabled_member_sees_nothing(staff_client, reports):
    from focal_points.models import Member

    client = staff_client("Aminata Guindo")
    Member.objects.filter(name="Aminata Guindo").update(is_active=False)

    assert client.get("/staff/reports/").status_code == 403


def test_opening_a_report_records_the_read_and_shows_who_read_it(staff_client, reports):
    boni, _ = reports
    staff_client("Oumar Tembely").get(f"/staff/reports/{boni.pk}/")

    page = staff_client("Aminata Guindo").get(f"/staff/reports/{boni.pk}/").content.decode()

    assert boni.events.filter(kind=ReportEventKind.READ).count() == 2
    assert "Oumar Tembely" in page and "Aminata Guindo" in page


@pytest.mark.parametrize("name", list(MATRIX))
def test_the_map_shows_exactly_what_the_role_may_see(staff_client, reports, name):
    boni, sevare = reports
    page = staff_client(name).get("/staff/reports/map/").content.decode()

    assert (f"R-{boni.reference}" in page, f"R-{sevare.reference}" in page) == MATRIX[name]
    assert "leaflet/leaflet.js" in page
    assert "<script>" not in page  # no inline script: the CSP forbids them


@pytest.mark.parametrize(
    "viewer, visible",
    [("Mariam Traoré", True), ("Ibrahim Keita", True), ("Oumar Tembely", False), ("Awa Sangaré", False)],
)
def test_coordinators_read_what_an_account_read(staff_client, reports, viewer, visible):
    from focal_points.models import Member

    boni, _ = reports
    staff_client("Aminata Guindo").get(f"/staff/reports/{boni.pk}/")
    aminata = Member.objects.get(name="Aminata Guindo")

    response = staff_client(viewer).get(f"/staff/reports/trail/{aminata.pk}/")

    assert response.status_code == (200 if visible else 404)
    if visible:
        assert f"R-{boni.reference}" in response.content.decode()


def test_the_inbox_filters_by_one_of_the_members_areas(staff_client, deployment):
    from places.models import Commune

    def make(commune: str) -> Report:
        place = PlaceChoice(commune_id=Commune.objects.get(name=commune).pk)
        return report_submit(channel="web", category=Category.ROBBERY, description="x", place=place).report

    boni, douentza = make("Dangol-Boré"), make("Douentza")
    client = staff_client("Aminata Guindo")
    commune = Commune.objects.get(name="Douentza")

    page = client.get(f"/staff/reports/?place=commune:{commune.pk}").content.decode()
    foreign = client.get(f"/staff/reports/?place=commune:{Commune.objects.get(name='Socoura').pk}").content.decode()

    assert f"R-{douentza.reference}" in page and f"R-{boni.reference}" not in page
    assert f"R-{boni.reference}" in foreign  # a place outside one's areas is ignored, not an error


def test_the_report_page_says_why_each_recipient_got_it(staff_client, reports):
    boni, _ = reports
    page = staff_client("Aminata Guindo").get(f"/staff/reports/{boni.pk}/").content.decode()

    assert "Relais de la zone (commune)" in page
