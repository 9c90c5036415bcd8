"""The public web form at /report/: works without JavaScript, sets no cookie, gives a
receipt in the POST answer, never twice the same report for one form, strips photos to
their pixels and refuses everything else with a clear French message, keeping the rest
of the answers."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image, ImageCms

from places.models import Cercle, Commune, Region
from reporting.forms import TOKEN_SALT, new_form_token
from reporting.models import Category, OccurredPeriod, PeopleAffected, Report, ReportPhoto, WebSubmission
from reporting.services import report_by_receipt

pytestmark = pytest.mark.django_db

URL = "/report/"
RECEIPT = re.compile(r'<p class="receipt-code" id="receipt-code">([A-Z0-9 ]+)</p>')
SECRET_MAKER = "SecretPhoneMaker-77"
SECRET_DATUM = "SECRETDATUM-WGS"
SECRET_XMP = "SecretXmpCreator-99"


# --- helpers -------------------------------------------------------------------------


def form_token(client: Client, url: str = URL) -> str:
    page = client.get(url).content.decode()
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def noise_jpeg(size: tuple[int, int] = (120, 90), **save: object) -> bytes:
    image = Image.effect_noise(size, 80).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95, **save)
    return out.getvalue()


def jpeg_with_metadata() -> bytes:
    """A photo as a phone writes it: EXIF with the maker and a GPS position, an ICC
    profile and an XMP packet."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = SECRET_MAKER
    exif[ExifTags.Base.Model] = "Model-XYZ-123"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (14.0, 29.0, 37.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 11.0, 52.25)
    gps[ExifTags.GPS.GPSMapDatum] = SECRET_DATUM
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="{SECRET_XMP}"/>'
        "</rdf:RDF></x:xmpmeta>"
    ).encode()
    data = noise_jpeg(exif=exif, icc_profile=icc, xmp=xmp)
    with Image.open(io.BytesIO(data)) as check:  # the fixture really carries all three
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo) and check.info.get("icc_profile") and check.info["xmp"]
    return data


def photo(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def a_commune() -> Commune:
    return Commune.objects.select_related("cercle").get(name="Dangol-Boré")


def answers(token: str, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "token": token,
        "category": Category.ARMED_ATTACK,
        "place": f"c{a_commune().pk}",
        "occurred": OccurredPeriod.TODAY,
        "people_affected": PeopleAffected.FEW,
        "description": "Des hommes armés au marché ce matin, trois blessés.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def receipt_of(response) -> str:
    match = RECEIPT.search(response.content.decode())
    assert match, "the answer shows no receipt"
    return match.group(1).replace(" ", "")


def assert_form_shown_again_with_answers(response, *, description: str) -> None:
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="errors" role="alert"' in page
    assert description.replace("'", "&#x27;") in page
    assert f'value="c{a_commune().pk}" selected' in page
    assert 'value="armed_attack" id="id_category_0" checked' in page
    assert Report.objects.count() == 0


# --- the page ------------------------------------------------------------------------


def test_it_shows_a_light_french_form_without_cookie_or_inline_code(client, gazetteer, settings):
    response = client.get(URL)
    page = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="fr">' in page and "Signaler un incident" in page
    assert not response.cookies, "no cookie on a public page"
    assert "csrfmiddlewaretoken" not in page
    assert response["Cache-Control"] == "no-store, max-age=0"
    assert len(response.content) < 60_000, f"page is {len(response.content)} bytes"
    assert "style=" not in page and "<script>" not in page
    assert not re.search(r'(src|href)="(https?:)?//(?!www\.google\.com/search)', page), "third-party content"
    assert page.count('<option value="c') == Commune.objects.count() > 700
    assert page.count('<option value="k') == Cercle.objects.count()
    assert page.count('<option value="r') == Region.objects.count()
    assert "unclassified" not in page
    assert "Ce que nous gardons" in page and "chiffré" in page and "adresse internet (IP)" in page


@pytest.mark.parametrize("path", ["/", "/report/", "/report/status/", "/en/report/", "/bm/report/status/"])
def test_it_puts_a_quick_exit_at_the_top_of_every_public_page(client, gazetteer, settings, path):
    response = client.get(path)
    page = response.content.decode()

    assert response.status_code == 200 and not response.cookies
    exit_link = re.search(r'<a id="quick-exit"[^>]*>', page).group(0)
    assert f'href="{settings.QUICK_EXIT_URL}"' in exit_link
    assert f'data-exit-url="{settings.QUICK_EXIT_URL}"' in exit_link
    assert "noreferrer" in exit_link
    assert page.index('id="quick-exit"') < page.index("<main")
    assert "/static/js/quick-exit.js" in page


@pytest.mark.parametrize(
    "path, lang, words",
    [
        ("/report/", "fr", "Envoyer le signalement"),
        ("/en/report/", "en", "Send the report"),
        ("/bm/report/", "bm", 'lang="bm"'),
    ],
)
def test_it_speaks_the_language_of_the_url(client, gazetteer, path, lang, words):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()

    assert f'<html lang="{lang}">' in page and words in page
    assert not response.cookies


def test_it_links_each_language_version(client, gazetteer):
    page = client.get("/report/").content.decode()

    assert 'href="/en/report/" hreflang="en"' in page and 'href="/bm/report/" hreflang="bm"' in page


@pytest.mark.parametrize("path", ["css/veille.css", "js/quick-exit.js", "js/place-picker.js"])
def test_the_static_files_it_needs_exist_and_stay_small(path):
    from django.contrib.staticfiles import finders

    found = finders.find(path)
    assert found, path
    with open(found, "rb") as handle:
        assert len(handle.read()) < 12_000


# --- a report is sent ----------------------------------------------------------------


def test_it_gives_a_receipt_in_the_answer_and_stores_one_report(client, gazetteer, django_capture_on_commit_callbacks):
    token = form_token(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, answers(token, photos=[photo("marche.jpg", noise_jpeg())]))

    assert response.status_code == 200 and not response.cookies
    receipt = receipt_of(response)
    report = Report.objects.get()
    assert report_by_receipt(receipt=receipt, buckets=["test"]) == report
    assert receipt not in response.get("Location", "")
    assert (report.channel, report.category, report.commune, report.occurred, report.people_affected) == (
        "web",
        Category.ARMED_ATTACK,
        a_commune(),
        OccurredPeriod.TODAY,
        PeopleAffected.FEW,
    )
    assert report.cercle_id == a_commune().cercle_id and report.language == "fr"
    assert report.description == "Des hommes armés au marché ce matin, trois blessés."
    assert report.photos.count() == 1
    assert WebSubmission.objects.get().report == report
    assert "Notez ce code" in response.content.decode()


def test_an_english_report_is_stored_in_english(client, gazetteer):
    response = client.post("/en/report/", answers(form_token(client, "/en/report/")))

    assert receipt_of(response)
    assert Report.objects.get().language == "en"


@pytest.mark.parametrize("submits", [2, 3])
def test_it_shows_the_same_receipt_again_when_the_same_form_is_sent_again(client, gazetteer, submits):
    token = form_token(client)
    receipts = {receipt_of(client.post(URL, answers(token, description=f"envoi {n}"))) for n in range(submits)}

    assert len(receipts) == 1
    assert Report.objects.count() == 1 and WebSubmission.objects.count() == 1
    assert Report.objects.get().description == "envoi 0"


def test_two_forms_make_two_reports(client, gazetteer):
    first = receipt_of(client.post(URL, answers(form_token(client))))
    second = receipt_of(client.post(URL, answers(form_token(client))))

    assert first != second and Report.objects.count() == 2


def test_a_simultaneous_double_submit_keeps_one_report(client, gazetteer, monkeypatch):
    """Two requests with one token at once: both miss the lookup; the unique digest rolls
    the second back, report included, and it answers with the first receipt."""
    from reporting import views

    token = form_token(client)
    first = receipt_of(client.post(URL, answers(token)))
    monkeypatch.setattr(views, "web_submission_by_token", _miss_once(views.web_submission_by_token))

    second = receipt_of(client.post(URL, answers(token)))

    assert first == second
    assert Report.objects.count() == 1


def _miss_once(lookup):
    calls = {"n": 0}

    def wrapped(*, nonce):
        calls["n"] += 1
        return None if calls["n"] == 1 else lookup(nonce=nonce)

    return wrapped


@pytest.mark.parametrize(
    "value, level",
    [("region", "region"), ("cercle", "cercle"), ("", None)],
)
def test_it_accepts_a_region_or_cercle_only_or_no_place(client, gazetteer, value, level):
    commune = a_commune()
    place = {"region": f"r{commune.cercle.region_id}", "cercle": f"k{commune.cercle_id}", "": ""}[value]

    receipt_of(client.post(URL, answers(form_token(client), place=place)))

    report = Report.objects.get()
    assert report.commune_id is None
    assert report.cercle_id == (commune.cercle_id if level == "cercle" else None)
    assert report.region_id == (commune.cercle.region_id if level else None)


def test_only_a_category_is_required(client, gazetteer):
    token = form_token(client)
    response = client.post(URL, {"token": token, "category": Category.EXPLOSIVE})

    receipt_of(response)
    report = Report.objects.get()
    assert (report.occurred, report.people_affected, report.description) == ("unknown", "unknown", None)


# --- the form is shown again, nothing lost --------------------------------------------


def test_a_missing_category_shows_the_form_again_with_the_answers(client, gazetteer):
    token = form_token(client)
    response = client.post(URL, answers(token, category=None))
    page = response.content.decode()

    assert "Choisissez ce qui s&#x27;est passé" in page
    assert "Des hommes armés au marché ce matin" in page
    assert f'value="{token}"' in page, "the same unused token is kept"
    assert Report.objects.count() == 0


@pytest.mark.parametrize("place", ["c999999", "x12", "c", "r1;drop", "k-1"])
def test_an_unknown_place_is_refused_clearly(client, gazetteer, place):
    response = client.post(URL, answers(form_token(client), place=place))

    assert "Ce lieu n&#x27;est pas dans la liste" in response.content.decode()
    assert Report.objects.count() == 0


@pytest.mark.parametrize("category", ["unclassified", "nonsense", ""])
def test_a_category_not_offered_is_refused(client, gazetteer, category):
    response = client.post(URL, answers(form_token(client), category=category))

    assert 'class="errors" role="alert"' in response.content.decode()
    assert Report.objects.count() == 0


def test_an_expired_form_is_shown_again_with_the_answers_and_a_new_token(client, gazetteer, settings):
    old = signing.TimestampSigner(salt=TOKEN_SALT).sign("old-nonce-0123456789")
    settings.WEB_FORM_TOKEN_MAX_AGE_SECONDS = 300
    with pytest.MonkeyPatch.context() as patch:
        real_time = time.time
        patch.setattr(time, "time", lambda: real_time() + 301)
        response = client.post(URL, answers(old))
    page = response.content.decode()

    assert "a expiré" in page and "Vos réponses sont gardées" in page
    assert_form_shown_again_with_answers(response, description="Des hommes armés au marché ce matin")
    new_token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert new_token != old

    receipt_of(client.post(URL, answers(new_token)))
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    "token",
    [
        "",
        "forged",
        "abc:def:ghi",
        signing.TimestampSigner(salt="another-salt").sign("nonce"),
        signing.TimestampSigner(key="x" * 50, salt=TOKEN_SALT).sign("nonce"),
    ],
)
def test_a_forged_token_is_refused_and_nothing_is_lost(client, gazetteer, token):
    response = client.post(URL, answers(token))

    assert "n&#x27;a pas pu être vérifié" in response.content.decode()
    assert_form_shown_again_with_answers(response, description="Des hommes armés au marché ce matin")


def test_new_tokens_are_unique_and_signed():
    tokens = {new_form_token() for _ in range(50)}

    assert len(tokens) == 50
    assert all(signing.TimestampSigner(salt=TOKEN_SALT).unsign(t) for t in tokens)


# --- photos --------------------------------------------------------------------------


def test_a_photo_loses_exif_gps_icc_and_xmp(client, gazetteer):
    original = jpeg_with_metadata()
    assert SECRET_MAKER.encode() in original and SECRET_DATUM.encode() in original

    receipt_of(client.post(URL, answers(form_token(client), photos=[photo("IMG_0001.jpg", original)])))

    stored = ReportPhoto.objects.get().image
    for secret in (SECRET_MAKER, SECRET_DATUM, SECRET_XMP, "Model-XYZ-123", "IMG_0001"):
        assert secret.encode() not in stored
    with Image.open(io.BytesIO(bytes(stored))) as clean:
        assert clean.format == "JPEG"
        assert not clean.getexif()
        assert "exif" not in clean.info
        assert "icc_profile" not in clean.info
        assert "xmp" not in clean.info
        assert not clean.getexif().get_ifd(ExifTags.IFD.GPSInfo)


def test_the_photo_bytes_in_the_database_are_encrypted(client, gazetteer):
    from django.db import connection

    receipt_of(client.post(URL, answers(form_token(client), photos=[photo("a.png", _png())])))

    with connection.cursor() as cursor:
        cursor.execute("SELECT image FROM reporting_reportphoto")
        raw = bytes(cursor.fetchone()[0])
    assert b"JFIF" not in raw and b"\xff\xd8\xff" not in raw[:8]


def _png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 10)).save(out, format="PNG")
    return out.getvalue()


def _zip_named_jpg() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("carte.txt", "not a photo" * 100)
    return out.getvalue()


def _bomb() -> bytes:
    """A tiny PNG that decodes to 144 million pixels."""
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, format="PNG", optimize=True)
    return out.getvalue()


REFUSED = [
    (
        "rapport.pdf",
        b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF",
        "application/pdf",
        "pas une photo",
    ),
    ("page.html", b"<html><script>alert(1)</script></html>", "text/html", "pas une photo"),
    ("photo.jpg", noise_jpeg((400, 300))[:3000], "image/jpeg", "pas une photo"),
    ("photo.jpg", _zip_named_jpg(), "image/jpeg", "pas une photo"),
    ("bombe.png", _bomb(), "image/png", "pas une photo"),
    ("vide.jpg", b"", "image/jpeg", "pas une photo"),
]


@pytest.mark.parametrize(
    "name, data, content_type, reason", REFUSED, ids=[r[0] + str(i) for i, r in enumerate(REFUSED)]
)
def test_anything_but_a_photo_is_refused_and_the_answers_kept(client, gazetteer, name, data, content_type, reason):
    response = client.post(URL, answers(form_token(client), photos=[photo(name, data, content_type)]))
    page = response.content.decode()

    assert reason in page and f"« {name} »" in page
    assert "Les photos doivent être choisies à nouveau" in page
    assert_form_shown_again_with_answers(response, description="Des hommes armés au marché ce matin")
    assert ReportPhoto.objects.count() == 0


def test_one_bad_photo_among_good_ones_stops_the_send(client, gazetteer):
    files = [photo("a.jpg", noise_jpeg()), photo("b.pdf", b"%PDF-1.4", "application/pdf")]

    response = client.post(URL, answers(form_token(client), photos=files))

    assert "« b.pdf »" in response.content.decode()
    assert Report.objects.count() == 0 and ReportPhoto.objects.count() == 0


def test_a_photo_over_the_size_limit_is_refused_without_a_crash(client, gazetteer, settings):
    settings.REPORT_MAX_PHOTO_BYTES = 20_000
    big = noise_jpeg((400, 400))
    assert len(big) > 20_000

    response = client.post(URL, answers(form_token(client), photos=[photo("grande.jpg", big)]))

    assert "« grande.jpg » : la photo dépasse" in response.content.decode()
    assert_form_shown_again_with_answers(response, description="Des hommes armés au marché ce matin")


def test_too_many_photos_are_refused(client, gazetteer, settings):
    settings.REPORT_MAX_PHOTOS = 2
    files = [photo(f"p{n}.jpg", noise_jpeg()) for n in range(3)]

    response = client.post(URL, answers(form_token(client), photos=files))

    assert "2 photos au plus" in response.content.decode()
    assert_form_shown_again_with_answers(response, description="Des hommes armés au marché ce matin")


def test_the_maximum_number_of_photos_is_accepted(client, gazetteer, settings):
    files = [photo(f"p{n}.jpg", noise_jpeg()) for n in range(settings.REPORT_MAX_PHOTOS)]

    receipt_of(client.post(URL, answers(form_token(client), photos=files)))

    assert ReportPhoto.objects.count() == settings.REPORT_MAX_PHOTOS


def test_a_body_too_big_to_read_is_refused_plainly(client, gazetteer, settings):
    settings.REPORT_MAX_PHOTO_BYTES = 10_000
    settings.REPORT_MAX_PHOTOS = 1
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5_000

    response = client.post(URL, answers(form_token(client), photos=[photo("x.jpg", noise_jpeg((600, 600)))]))
    page = response.content.decode()

    assert response.status_code == 200
    assert "trop gros" in page and "n&#x27;a pas été enregistré" in page
    assert Report.objects.count() == 0


def test_text_fields_over_the_upload_limit_get_a_clear_refusal(client, gazetteer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5_000

    response = client.post(URL, answers(form_token(client), description="x" * 6_000))

    assert response.status_code == 200
    assert "n&#x27;a pas pu être lu" in response.content.decode()
    assert Report.objects.count() == 0


def test_a_description_over_the_limit_is_refused_with_the_text_kept(client, gazetteer, settings):
    long_text = "attaque " * 600

    response = client.post(URL, answers(form_token(client), description=long_text))

    assert "trop long" in response.content.decode()
    assert long_text.strip() in response.content.decode()
    assert Report.objects.count() == 0


def test_get_and_post_only(client, gazetteer):
    assert client.put(URL).status_code == 405
