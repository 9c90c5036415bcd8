"""Staff see the photos of the reports they may see: decrypted in memory, sent with
``no-store``, each view in the trail; a hidden report's photo is a 404 like the report."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from focal_points.models import Category, Member
from places.models import Commune
from reporting.models import ReportEventKind
from reporting.photos import clean_photo
from reporting.services import PlaceChoice, report_photo_add, report_submit
from tests.staff.test_permissions import MATRIX

pytestmark = pytest.mark.django_db


def jpeg(size=(800, 600)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def boni_photo(deployment):
    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    report = report_submit(channel="web", category=Category.ARMED_ATTACK, description="attaque", place=place).report
    return report, report_photo_add(report=report, photo=clean_photo(jpeg()))


def url(report, photo, preview=False) -> str:
    return f"/staff/reports/{report.pk}/photos/{photo.pk}/" + ("?preview=1" if preview else "")


def test_a_relay_sees_the_photo_decrypted_never_cached_and_the_view_is_in_the_trail(staff_client, boni_photo):
    report, photo = boni_photo
    response = staff_client("Aminata Guindo").get(url(report, photo))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert response.content == bytes(photo.image)
    with Image.open(io.BytesIO(response.content)) as shown:
        assert shown.size == (photo.width, photo.height)
    aminata = Member.objects.get(name="Aminata Guindo")
    assert report.events.filter(kind=ReportEventKind.READ, member=aminata, detail=f"photo {photo.pk}").count() == 1


def test_the_preview_is_small_and_also_recorded(staff_client, boni_photo):
    report, photo = boni_photo
    response = staff_client("Aminata Guindo").get(url(report, photo, preview=True))

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    with Image.open(io.BytesIO(response.content)) as shown:
        assert max(shown.size) <= 320
    assert report.events.filter(kind=ReportEventKind.READ, detail__startswith=f"photo {photo.pk} ").exists()


def test_the_report_page_shows_previews_instead_of_a_count(staff_client, boni_photo):
    report, photo = boni_photo
    page = staff_client("Aminata Guindo").get(f"/staff/reports/{report.pk}/").content.decode()

    assert f'src="{url(report, photo, preview=True)}"' in page
    assert "photo(s)" not in page and "Une photo jointe" in page


@pytest.mark.parametrize("name", list(MATRIX))
def test_a_photo_of_a_hidden_report_is_a_404_and_leaves_no_trace(staff_client, boni_photo, name):
    report, photo = boni_photo
    sees_boni = MATRIX[name][0]

    code = staff_client(name).get(url(report, photo)).status_code

    assert code == (200 if sees_boni else 404)
    member = Member.objects.get(name=name)
    assert report.events.filter(member=member, detail__startswith="photo").exists() == sees_boni


def test_a_photo_of_another_report_is_a_404(staff_client, boni_photo, deployment):
    _report, photo = boni_photo
    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    other = report_submit(channel="web", category=Category.ARMED_ATTACK, description="autre", place=place).report

    assert staff_client("Aminata Guindo").get(f"/staff/reports/{other.pk}/photos/{photo.pk}/").status_code == 404
