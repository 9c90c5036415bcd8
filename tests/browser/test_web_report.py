"""A resident reports in a real browser (Debian's chromium), with JavaScript off and on:
the form, a photo, the receipt, the status page with the receipt, the quick exit.
Scenario 3: a woman leaves with the quick exit; what she had sent is kept, what she was
typing is not."""

from __future__ import annotations

import io
import re

import pytest
from PIL import ExifTags, Image

from reporting.models import Category, Report, ReportPhoto
from reporting.services import report_by_receipt

pytestmark = pytest.mark.django_db(transaction=True)

DESCRIPTION = "Des hommes armés ont bloqué la route de Boni ce matin."


def phone_photo() -> dict[str, object]:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretPhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (15.0, 2.0, 3.0)
    out = io.BytesIO()
    Image.effect_noise((320, 240), 60).convert("RGB").save(out, format="JPEG", exif=exif)
    return {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def css_loaded(page) -> list[str]:
    """Collects the stylesheet responses of the next navigations."""
    seen: list[str] = []
    page.on("response", lambda r: seen.append(f"{r.status} {r.url}") if r.url.endswith(".css") else None)
    return seen


def fill_report(page, commune, *, javascript: bool) -> None:
    page.check("#id_category_0")  # Attaque armée
    if javascript:
        # place-picker.js replaced the long list by three chained lists.
        page.select_option("#place-region", value=f"r{commune.cercle.region_id}")
        page.select_option("#place-cercle", value=f"k{commune.cercle_id}")
        page.select_option("#place-commune", value=f"c{commune.pk}")
        assert page.input_value("#id_place") == f"c{commune.pk}"
    else:
        page.select_option("#id_place", value=f"c{commune.pk}")
    page.check("input[name=occurred][value=today]")
    page.select_option("#id_people_affected", value="2-5")
    page.fill("#id_description", DESCRIPTION)
    page.set_input_files("#id_photos", files=[phone_photo()])


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_a_resident_reports_with_a_photo_and_follows_it(live_server, new_page, gazetteer, settings, javascript):
    from places.models import Commune

    commune = Commune.objects.select_related("cercle").get(name="Dangol-Boré")
    page = new_page(javascript=javascript)
    stylesheets = css_loaded(page)

    response = page.goto(f"{live_server.url}/report/")
    assert response.status == 200
    assert "set-cookie" not in response.headers
    assert any(s.startswith("200 ") and s.endswith("/static/css/veille.css") for s in stylesheets), stylesheets
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("#quick-exit").is_visible()
    assert page.locator("#place-region").count() == (1 if javascript else 0)

    fill_report(page, commune, javascript=javascript)
    page.click("button[type=submit]")
    page.wait_for_selector("#receipt-code")
    page.wait_for_load_state("load")  # deferred scripts have run

    receipt = page.inner_text("#receipt-code").replace(" ", "")
    assert re.fullmatch(r"[A-Z0-9]{10}", receipt)
    assert receipt not in page.url
    report = Report.objects.get()
    assert report_by_receipt(receipt=receipt, buckets=["test"]) == report
    assert (report.category, report.commune_id, report.channel) == (Category.ARMED_ATTACK, commune.pk, "web")
    assert report.description == DESCRIPTION
    photo = ReportPhoto.objects.get(report=report)
    assert b"SecretPhoneMaker" not in bytes(photo.image)
    assert page.context.cookies() == []

    if javascript:
        # quick-exit.js turned the receipt's history entry into a plain one: a reload
        # shows an empty form, not the code, and sends nothing again.
        page.reload()
        assert page.locator("#receipt-code").count() == 0
        assert Report.objects.count() == 1

    page.goto(f"{live_server.url}/report/status/")
    page.fill("#id_code", receipt.lower())
    page.click("button[type=submit]")
    page.wait_for_selector(".status-word")
    assert page.inner_text(".status-word") == "Reçu"
    assert receipt not in page.url and DESCRIPTION not in page.content()

    page.click("#quick-exit")
    page.wait_for_url(settings.QUICK_EXIT_URL)
    assert "Meteo" in page.content()
    assert Report.objects.count() == 1


def test_the_quick_exit_leaves_no_form_in_history_and_keeps_nothing_unsent(live_server, new_page, gazetteer, settings):
    """Scenario 3, with JavaScript: she had sent one report; she is typing a second one
    when someone comes in, and leaves. The first is kept, the second never existed, and
    "back" does not bring the form back."""
    from reporting.services import report_submit

    report_submit(channel="web", category="gbv", description="premier signalement, envoyé")
    page = new_page(javascript=True)
    page.goto("about:blank")
    page.goto(f"{live_server.url}/report/")
    page.check("#id_category_6")  # Violence basée sur le genre
    page.fill("#id_description", "ce que j'étais en train d'écrire")

    page.click("#quick-exit")
    page.wait_for_url(settings.QUICK_EXIT_URL)
    page.go_back()

    assert page.url == "about:blank", "the form was replaced in the history"
    assert Report.objects.count() == 1
    assert Report.objects.get().description == "premier signalement, envoyé"


def test_escape_leaves_at_once(live_server, new_page, gazetteer, settings):
    page = new_page(javascript=True)
    page.goto(f"{live_server.url}/report/")

    page.keyboard.press("Escape")

    page.wait_for_url(settings.QUICK_EXIT_URL)


def test_without_javascript_the_quick_exit_is_a_plain_link_without_referer(live_server, new_page, gazetteer, settings):
    page = new_page(javascript=False)
    page.goto(f"{live_server.url}/report/")
    page.fill("#id_description", "texte jamais envoyé")
    sent_headers: list[dict[str, str]] = []
    page.on("request", lambda r: sent_headers.append(r.headers) if r.url.startswith(settings.QUICK_EXIT_URL) else None)

    page.click("#quick-exit")
    page.wait_for_url(settings.QUICK_EXIT_URL)

    assert sent_headers and all("referer" not in h for h in sent_headers)
    assert Report.objects.count() == 0


def test_a_refused_file_keeps_the_answers_in_the_browser(live_server, new_page, gazetteer):
    page = new_page(javascript=False)
    page.goto(f"{live_server.url}/report/")
    page.check("#id_category_0")
    page.fill("#id_description", DESCRIPTION)
    page.set_input_files(
        "#id_photos", files=[{"name": "rapport.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}]
    )

    page.click("button[type=submit]")
    page.wait_for_selector(".errors")

    assert "« rapport.pdf »" in page.inner_text(".errors")
    assert page.input_value("#id_description") == DESCRIPTION
    assert page.is_checked("#id_category_0")
    assert Report.objects.count() == 0


@pytest.mark.parametrize("path", ["/", "/report/", "/report/status/", "/en/report/", "/bm/report/"])
def test_every_page_fits_a_320_pixel_screen(live_server, new_page, gazetteer, path):
    page = new_page(javascript=True, width=320, height=640)
    page.goto(f"{live_server.url}{path}")

    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    box = page.locator("#quick-exit").bounding_box()
    assert box["y"] < 90 and box["x"] + box["width"] <= 320


def test_the_form_fits_a_320_pixel_screen_without_javascript(live_server, new_page, gazetteer):
    page = new_page(javascript=False, width=320, height=640)
    page.goto(f"{live_server.url}/report/")

    widths = [page.locator(sel).bounding_box()["width"] for sel in ["#id_place", "#id_description", "#quick-exit"]]
    assert all(0 < w <= 320 for w in widths), widths
    box = page.locator("#quick-exit").bounding_box()
    assert box["y"] < 80 and box["x"] + box["width"] <= 320
